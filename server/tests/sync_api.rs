//! The sync API over real HTTP against a real SQLite file: joining, pushing, pulling, and every way a
//! request can be wrong (each refused with a clear JSON error, and nothing stored).
use std::net::SocketAddr;

use hocso_core::progress::{EventKind, ProgressEvent};
use hocso_core::sync::{JoinResponse, Profile, PullResponse, PushResponse, Role};
use hocso_server::store::{Store, TeamCodes};
use hocso_server::{Limits, ServeConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

mod common;

struct Server {
    addr: SocketAddr,
    store: Store,
    client: reqwest::Client,
    dist: tempfile::TempDir,
    _db: tempfile::TempDir,
}

async fn start_with(limits: Limits) -> Server {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<!DOCTYPE html>").unwrap();
    let db = tempfile::tempdir().unwrap();
    let database = common::database_url(&db.path().join("hocso.db")).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = ServeConfig::new(addr, dist.path().to_owned(), database.clone());
    config.limits = limits;
    let store = Store::open(&database).await.unwrap();
    let app = hocso_server::router(&config, store.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server { addr, store, client: reqwest::Client::new(), dist, _db: db }
}

async fn start() -> Server {
    start_with(Limits { requests_burst: 1_000, requests_per_second: 1_000.0, ..Limits::default() }).await
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}/api/v1{path}", self.addr)
    }

    async fn team(&self, name: &str) -> TeamCodes {
        self.store.create_team(name, "Tả Van").await.unwrap()
    }

    /// A join naming `device_id` (kept when new, see `sync_join.rs` otherwise).
    async fn join(&self, code: &str, device_id: &str) -> JoinResponse {
        let response = self
            .client
            .post(self.url("/devices/join"))
            .json(&json!({"code": code, "device_name": "Điện thoại chị Mai", "device_id": device_id}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn push(&self, token: &str, body: Value) -> (StatusCode, Value) {
        let response = self.client.post(self.url("/sync/push")).bearer_auth(token).json(&body).send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn pull(&self, token: &str, query: &str) -> (StatusCode, Value) {
        let response = self.client.get(self.url(&format!("/sync/pull{query}"))).bearer_auth(token).send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    async fn stored(&self) -> i64 {
        self.store.event_count().await.unwrap()
    }
}

fn event(device: &str, seq: u64, learner: &str) -> ProgressEvent {
    ProgressEvent {
        id: ProgressEvent::event_id(device, seq),
        device_id: device.into(),
        seq,
        learner_id: learner.into(),
        lesson_id: "pay-by-vietqr".into(),
        lesson_version: "v1".into(),
        at: MARCH_2025 + seq as i64,
        kind: EventKind::QuestionAnswered { question: 1, chosen: vec![2], correct: true },
    }
}

fn events(device: &str, seqs: impl IntoIterator<Item = u64>, learner: &str) -> Value {
    json!({"events": seqs.into_iter().map(|s| event(device, s, learner)).collect::<Vec<_>>()})
}

/// 2025-03-01 00:00 UTC: times must be plausible (after 2024, at most a day ahead of the server).
const MARCH_2025: i64 = 1_740_787_200_000;

/// A profile edited `updated_at` ms after [`MARCH_2025`].
fn profile(id: &str, nickname: &str, updated_at: i64) -> Profile {
    Profile {
        id: id.into(),
        nickname: nickname.into(),
        avatar: "buffalo".into(),
        colour: "#2e7d32".into(),
        updated_at: MARCH_2025 + updated_at,
        deleted: false,
    }
}

fn assert_error(status: StatusCode, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status.as_u16(), expected_status, "{body}");
    assert_eq!(body["error"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.len() > 10), "a clear sentence: {body}");
}

#[tokio::test]
async fn joining_gives_a_token_and_the_leader_code_gives_the_leader_role() {
    let server = start().await;
    let codes = server.team("Tổ Tả Van").await;
    let member = server.join(&codes.join_code, "phone-a").await;
    assert_eq!((member.role, member.device_id.as_str()), (Role::Member, "phone-a"));
    assert_eq!(member.team.name, "Tổ Tả Van");
    assert_eq!(member.team.commune, "Tả Van");
    // Read aloud: lower case and without the dash still works.
    let leader = server.join(&codes.leader_code.to_lowercase().replace('-', " "), "phone-l").await;
    assert_eq!(leader.role, Role::Leader);
    assert_ne!(member.device_token, leader.device_token);

    let response = server.client.post(server.url("/devices/join")).json(&json!({"code": "ABCD-EFGH", "device_name": "x"})).send().await.unwrap();
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 401, "invalid_code");
}

#[tokio::test]
async fn a_push_is_stored_once_and_a_replay_stores_nothing_and_answers_the_same() {
    let server = start().await;
    let token = server.join(&server.team("A").await.join_code, "phone-a").await.device_token;
    let batch = events("phone-a", 1..=3, "mai");
    let (status, first) = server.push(&token, batch.clone()).await;
    assert_eq!(status, 200, "{first}");
    let first: PushResponse = serde_json::from_value(first).unwrap();
    assert_eq!((first.acked_through_seq, first.stored, first.duplicates), (3, 3, 0));
    let (_, again) = server.push(&token, batch).await;
    let again: PushResponse = serde_json::from_value(again).unwrap();
    assert_eq!((again.acked_through_seq, again.stored, again.duplicates), (3, 0, 3));
    assert_eq!(server.stored().await, 3);
    let kept = server.store.event("phone-a:2").await.unwrap().unwrap();
    assert_eq!(kept, event("phone-a", 2, "mai"), "stored exactly as sent");

    // A gap: 5 is stored but only 1..=3 are acknowledged until 4 arrives.
    let (_, gap) = server.push(&token, events("phone-a", [5], "mai")).await;
    assert_eq!((gap["acked_through_seq"].as_u64(), gap["stored"].as_u64()), (Some(3), Some(1)));
    let (_, filled) = server.push(&token, events("phone-a", [4, 4], "mai")).await;
    assert_eq!((filled["acked_through_seq"].as_u64(), filled["stored"].as_u64(), filled["duplicates"].as_u64()), (Some(5), Some(1), Some(1)));
    assert_eq!(server.stored().await, 5);
}

#[tokio::test]
async fn pull_pages_through_the_teams_profiles_with_a_cursor() {
    let server = start().await;
    let codes = server.team("A").await;
    let a = server.join(&codes.join_code, "phone-a").await.device_token;
    let b = server.join(&codes.join_code, "phone-b").await.device_token;
    let profiles: Vec<Profile> = (0..5).map(|i| profile(&format!("learner-{i}"), &format!("Mai {i}"), 10)).collect();
    let (status, body) = server.push(&a, json!({"profiles": profiles})).await;
    assert_eq!((status.as_u16(), body["profiles_applied"].as_u64()), (200, Some(5)), "{body}");

    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let query = if cursor.is_empty() { "?limit=2".to_owned() } else { format!("?limit=2&cursor={cursor}") };
        let (status, body) = server.pull(&b, &query).await;
        assert_eq!(status, 200, "{body}");
        let page: PullResponse = serde_json::from_value(body).unwrap();
        assert!(page.profiles.len() <= 2);
        assert_eq!(page.catalogue_version, None, "no catalogue published yet");
        seen.extend(page.profiles.iter().map(|p| p.profile.clone()));
        cursor = page.cursor;
        pages += 1;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, profiles);

    // Nothing new since the cursor; then a newer write wins, an older one loses.
    let (_, body) = server.pull(&b, &format!("?cursor={cursor}")).await;
    assert_eq!(body["profiles"], json!([]));
    let (_, body) = server.push(&b, json!({"profiles": [profile("learner-1", "Older", 9), profile("learner-2", "Newer", 11)]})).await;
    assert_eq!(body["profiles_applied"], 1);
    let (_, body) = server.pull(&a, &format!("?cursor={cursor}")).await;
    let page: PullResponse = serde_json::from_value(body).unwrap();
    assert_eq!(page.profiles.len(), 1);
    assert_eq!((page.profiles[0].profile.nickname.as_str(), page.profiles[0].device_id.as_str()), ("Newer", "phone-b"));

    // A published catalogue is announced by its hash.
    std::fs::create_dir_all(server.dist.path().join("content")).unwrap();
    std::fs::write(server.dist.path().join("content/catalogue.json"), "{}").unwrap();
    let (_, body) = server.pull(&a, "").await;
    assert_eq!(body["catalogue_version"], "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    assert_eq!(body["acked_through_seq"], 0);
}

#[tokio::test]
async fn every_bad_request_is_refused_with_a_reason_and_stores_nothing() {
    let server = start().await;
    let codes = server.team("A").await;
    let token = server.join(&codes.join_code, "phone-a").await.device_token;
    let url = server.url("/sync/push");
    let raw = |body: String| server.client.post(&url).bearer_auth(&token).header("content-type", "application/json").body(body);
    async fn answer(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let response = request.send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    let (s, b) = answer(raw("{\"events\": [".into())).await;
    assert_error(s, &b, 400, "malformed_json");

    let mut wrong_type = events("phone-a", [1], "mai");
    wrong_type["events"][0]["seq"] = json!("one");
    let (s, b) = answer(raw(wrong_type.to_string())).await;
    assert_error(s, &b, 422, "invalid_body");

    let mut unknown = events("phone-a", [1], "mai");
    unknown["events"][0]["admin"] = json!(true);
    let (s, b) = answer(raw(unknown.to_string())).await;
    assert_error(s, &b, 422, "invalid_body");
    let (s, b) = answer(raw(json!({"events": [], "sneaky": 1}).to_string())).await;
    assert_error(s, &b, 422, "invalid_body");

    let (s, b) = answer(raw(format!("{{\"events\": [], \"profiles\": [], \"pad\": \"{}\"}}", "x".repeat(1024 * 1024)))).await;
    assert_error(s, &b, 413, "body_too_large");

    let (s, b) = server.push(&token, events("phone-a", 1..=501, "mai")).await;
    assert_error(s, &b, 422, "too_many_events");

    let mut forged = events("phone-a", 1..=2, "mai");
    forged["events"].as_array_mut().unwrap().push(serde_json::to_value(event("phone-b", 1, "mai")).unwrap());
    let (s, b) = server.push(&token, forged).await;
    assert_error(s, &b, 403, "event_from_another_device");

    let mut bad_id = events("phone-a", [1], "mai");
    bad_id["events"][0]["id"] = json!("phone-a:9");
    let (s, b) = server.push(&token, bad_id).await;
    assert_error(s, &b, 422, "invalid_event");

    let (s, b) = server.push(&token, json!({"profiles": [profile("mai", "", 1)]})).await;
    assert_error(s, &b, 422, "invalid_profile");

    let (s, b) = answer(server.client.post(&url).body(events("phone-a", [1], "mai").to_string())).await;
    assert_error(s, &b, 401, "missing_token");
    let (s, b) = server.push("hs_not-a-token", events("phone-a", [1], "mai")).await;
    assert_error(s, &b, 401, "invalid_token");
    let (s, b) = answer(server.client.post(&url).bearer_auth(&token).body(events("phone-a", [1], "mai").to_string())).await;
    assert_error(s, &b, 415, "unsupported_media_type");

    let (s, b) = server.pull(&token, "?cursor=42").await;
    assert_error(s, &b, 400, "invalid_cursor");
    let (s, b) = server.pull(&token, "?limit=0").await;
    assert_error(s, &b, 400, "invalid_query");
    let (s, b) = server.pull(&token, "?limit=lots").await;
    assert_error(s, &b, 400, "invalid_query");
    let (s, b) = server.pull(&token, "?since=0").await;
    assert_error(s, &b, 400, "invalid_query");
    let (s, b) = server.pull("", "").await;
    assert_error(s, &b, 401, "missing_token");

    let response = server.client.get(server.url("/nothing-here")).send().await.unwrap();
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 404, "not_found");
    let response = server.client.get(server.url("/sync/push")).send().await.unwrap();
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 405, "method_not_allowed");

    let join = |body: Value| server.client.post(server.url("/devices/join")).json(&body);
    let (s, b) = answer(join(json!({"code": codes.join_code, "device_name": "", "device_id": "x"}))).await;
    assert_error(s, &b, 422, "invalid_device_name");
    let (s, b) = answer(join(json!({"code": codes.join_code, "device_name": "n", "device_id": "a:b"}))).await;
    assert_error(s, &b, 422, "invalid_device_id");
    let (s, b) = answer(join(json!({"code": codes.join_code, "device_name": "n", "role": "leader"}))).await;
    assert_error(s, &b, 422, "invalid_body");

    assert_eq!(server.stored().await, 0, "nothing stored by any refused request");
    let (_, b) = server.pull(&token, "").await;
    assert_eq!(b["profiles"], json!([]));
    assert_eq!(b["acked_through_seq"], 0);
}

#[tokio::test]
async fn a_team_never_sees_or_writes_another_teams_learners() {
    let server = start().await;
    let a = server.join(&server.team("A").await.join_code, "phone-a").await.device_token;
    let b = server.join(&server.team("B").await.join_code, "phone-b").await.device_token;
    let (s, _) = server.push(&a, json!({"events": [event("phone-a", 1, "mai")], "profiles": [profile("mai", "Mai", 1)]})).await;
    assert_eq!(s, 200);

    let (_, pulled) = server.pull(&b, "").await;
    assert_eq!(pulled["profiles"], json!([]), "team B sees nothing of team A");

    // Team B claims team A's learner: refused whole, even its own learner's event.
    let mut batch = events("phone-b", [1], "lan");
    batch["events"].as_array_mut().unwrap().push(serde_json::to_value(event("phone-b", 2, "mai")).unwrap());
    let (s, body) = server.push(&b, batch).await;
    assert_error(s, &body, 403, "learner_of_another_team");
    let (s, body) = server.push(&b, json!({"profiles": [profile("mai", "Stolen", 99)]})).await;
    assert_error(s, &body, 403, "learner_of_another_team");
    assert_eq!(server.stored().await, 1);
    let (_, pulled) = server.pull(&a, "").await;
    assert_eq!(pulled["profiles"][0]["profile"]["nickname"], "Mai");
    let (_, pulled) = server.pull(&b, "").await;
    assert_eq!(pulled["profiles"], json!([]));

    // A device id belongs to one device: another team's phone naming it without proof (a token
    // that device holds or held) joins as a new device with a new id. (`device_id_taken` is gone.)
    let codes_b = server.team("B2").await;
    let response = server
        .client
        .post(server.url("/devices/join"))
        .json(&json!({"code": codes_b.join_code, "device_name": "x", "device_id": "phone-a"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let joined: JoinResponse = response.json().await.unwrap();
    assert_ne!(joined.device_id, "phone-a");
    assert_eq!(joined.team.id, codes_b.team.id);
    let (s, _) = server.push(&a, events("phone-a", [2], "mai")).await;
    assert_eq!(s, 200, "phone-a is untouched");
}

#[tokio::test]
async fn a_revoked_device_and_old_codes_stop_working() {
    let server = start().await;
    let codes = server.team("A").await;
    let token = server.join(&codes.join_code, "phone-a").await.device_token;
    let (s, _) = server.push(&token, events("phone-a", [1], "mai")).await;
    assert_eq!(s, 200);
    server.store.revoke_device("phone-a").await.unwrap();
    let (s, body) = server.push(&token, events("phone-a", [2], "mai")).await;
    assert_error(s, &body, 401, "token_revoked");
    let (s, body) = server.pull(&token, "").await;
    assert_error(s, &body, 401, "token_revoked");
    assert_eq!(server.stored().await, 1, "what it sent before stays; nothing after");

    // Naming the removed device without proof of being it gives a new device, not the old one back
    // (`server/tests/sync_join.rs` has a removed phone coming back with its proof).
    let other = server.join(&codes.join_code, "phone-a").await;
    assert_ne!(other.device_id, "phone-a");
    let (s, body) = server.push(&token, events("phone-a", [2], "mai")).await;
    assert_error(s, &body, 401, "token_revoked");

    let renewed = server.store.rotate_codes(&codes.team.id).await.unwrap();
    let response = server.client.post(server.url("/devices/join")).json(&json!({"code": codes.join_code, "device_name": "x"})).send().await.unwrap();
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 401, "invalid_code");
    let joined = server.join(&renewed.join_code, "phone-c").await;
    assert_eq!(joined.team.id, codes.team.id);
}

#[tokio::test]
async fn too_many_requests_from_one_token_are_refused_and_others_go_on() {
    let server = start_with(Limits { requests_burst: 5, requests_per_second: 0.01, ..Limits::default() }).await;
    let codes = server.team("A").await;
    let a = server.join(&codes.join_code, "phone-a").await.device_token;
    let b = server.join(&codes.join_code, "phone-b").await.device_token;
    for seq in 1..=5 {
        let (s, _) = server.push(&a, events("phone-a", [seq], "mai")).await;
        assert_eq!(s, 200);
    }
    let response = server.client.post(server.url("/sync/push")).bearer_auth(&a).json(&events("phone-a", [6], "mai")).send().await.unwrap();
    assert!(response.headers().get("retry-after").is_some());
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 429, "rate_limited");
    assert_eq!(server.stored().await, 5);
    let (s, _) = server.push(&b, events("phone-b", [1], "lan")).await;
    assert_eq!(s, 200, "another device is not slowed down");
}
