//! Voices recorded by teams (issue #15), over real HTTP against a real database: upload, replay,
//! approval, deletion, the audio, the sync pull, and every hostile request refused with a sentence
//! and nothing changed. The recordings are real: Chromium's MediaRecorder with its fake microphone
//! (`core/src/audio/chromium-*`).
use std::net::SocketAddr;

use hocso_core::sync::{JoinResponse, PullResponse};
use hocso_server::store::{Store, TeamCodes};
use hocso_server::ServeConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};

mod common;

const WEBM: &[u8] = include_bytes!("../../core/src/audio/chromium-1500ms.webm");
const MP4: &[u8] = include_bytes!("../../core/src/audio/chromium-1500ms.m4a");

struct Server {
    addr: SocketAddr,
    store: Store,
    client: reqwest::Client,
    dist: tempfile::TempDir,
    db: tempfile::TempDir,
}

async fn start() -> Server {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<!DOCTYPE html>").unwrap();
    let db = tempfile::tempdir().unwrap();
    let database = common::database_url(&db.path().join("hocso.db")).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = ServeConfig::new(addr, dist.path().to_owned(), database.clone());
    config.limits = common::generous();
    let store = Store::open(&database).await.unwrap();
    let app = hocso_server::router(&config, store.clone());
    tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap() });
    Server { addr, store, client: reqwest::Client::new(), dist, db }
}

struct Team {
    leader: String,
    member: String,
    other_member: String,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}/api/v1{path}", self.addr)
    }

    async fn join(&self, code: &str, device_id: &str) -> String {
        let response = self
            .client
            .post(self.url("/devices/join"))
            .json(&json!({"code": code, "device_name": "Điện thoại chị Mai", "device_id": device_id}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json::<JoinResponse>().await.unwrap().device_token
    }

    async fn team(&self, name: &str) -> Team {
        let TeamCodes { join_code, leader_code, .. } = self.store.create_team(name, "Tả Van").await.unwrap();
        Team {
            leader: self.join(&leader_code, &format!("{name}-leader")).await,
            member: self.join(&join_code, &format!("{name}-member")).await,
            other_member: self.join(&join_code, &format!("{name}-member-2")).await,
        }
    }

    async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} {e}: {text}")))
    }

    async fn put(&self, token: &str, id: &str, query: &str, body: &[u8], content_type: &str) -> (StatusCode, Value) {
        let request = self.client.put(self.url(&format!("/recordings/{id}?{query}"))).header("content-type", content_type).body(body.to_vec());
        Self::answer(request.bearer_auth(token).send().await.unwrap()).await
    }

    async fn upload(&self, token: &str, id: &str, step: &str, locale: &str, body: &[u8]) -> (StatusCode, Value) {
        self.put(token, id, &format!("lesson=pay-by-vietqr&step={step}&locale={locale}"), body, "audio/webm;codecs=opus").await
    }

    async fn approve(&self, token: &str, id: &str) -> (StatusCode, Value) {
        Self::answer(self.client.post(self.url(&format!("/recordings/{id}/approve"))).bearer_auth(token).send().await.unwrap()).await
    }

    async fn delete(&self, token: &str, id: &str) -> (StatusCode, Value) {
        Self::answer(self.client.delete(self.url(&format!("/recordings/{id}"))).bearer_auth(token).send().await.unwrap()).await
    }

    async fn list(&self, token: &str) -> Vec<Value> {
        let (status, body) = Self::answer(self.client.get(self.url("/recordings")).bearer_auth(token).send().await.unwrap()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["max_bytes"].as_u64(), body["max_duration_ms"].as_u64()), (Some(600_000), Some(60_000)));
        body["recordings"].as_array().unwrap().clone()
    }

    async fn audio(&self, token: &str, id: &str) -> reqwest::Response {
        self.client.get(self.url(&format!("/recordings/{id}/audio"))).bearer_auth(token).send().await.unwrap()
    }

    async fn pull(&self, token: &str, cursor: Option<&str>) -> PullResponse {
        let query = cursor.map(|c| format!("?cursor={c}")).unwrap_or_default();
        let response = self.client.get(self.url(&format!("/sync/pull{query}"))).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Every stored recording row of every team: (team, id, sha256, approved), to show nothing changed.
    async fn rows(&self) -> Vec<(String, String, String, bool)> {
        use sqlx::Row;
        let rows = common::sql(
            &self.db.path().join("hocso.db"),
            "SELECT team_id, id, sha256, CASE WHEN approved_at IS NULL THEN 0 ELSE 1 END FROM recordings ORDER BY team_id, id",
        )
        .await;
        rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get::<i64, _>(3) == 1)).collect()
    }
}

fn assert_error(answer: &(StatusCode, Value), status: u16, code: &str) {
    common::assert_error(answer.0, &answer.1, status, code);
}

fn ids(recordings: &[hocso_core::recordings::TeamRecording]) -> Vec<&str> {
    recordings.iter().map(|r| r.id.as_str()).collect()
}

#[tokio::test]
async fn a_member_uploads_the_leader_approves_and_every_phone_of_the_team_learns_of_it() {
    let server = start().await;
    let team = server.team("tavan").await;

    let created = server.upload(&team.member, "take-1", "0", "hmn", WEBM).await;
    assert_eq!(created.0, 201, "{}", created.1);
    let recording = &created.1;
    assert_eq!(
        (recording["lesson_id"].as_str(), recording["step"].as_str(), recording["locale"].as_str()),
        (Some("pay-by-vietqr"), Some("0"), Some("hmn"))
    );
    // The type is what the bytes are, not what the phone said ("audio/webm;codecs=opus").
    assert_eq!(recording["content_type"], "audio/webm");
    assert_eq!(recording["bytes"].as_u64(), Some(WEBM.len() as u64));
    assert_eq!(recording["duration_ms"].as_u64(), Some(1440));
    assert_eq!((recording["recorded_by"].as_str(), recording["approved"].as_bool()), (Some("tavan-member"), Some(false)));

    // A phone retries (the answer was lost): the same id and bytes are stored once.
    let replay = server.upload(&team.member, "take-1", "0", "hmn", WEBM).await;
    assert_eq!(replay.0, 200, "{}", replay.1);
    assert_eq!(replay.1, created.1);
    // The same id with other bytes, or for another step: refused, the stored one kept.
    let other_bytes = server.upload(&team.member, "take-1", "0", "hmn", MP4).await;
    assert_error(&other_bytes, 409, "recording_id_taken");
    let other_step = server.upload(&team.member, "take-1", "1", "hmn", WEBM).await;
    assert_error(&other_step, 409, "recording_id_taken");
    let rows = server.rows().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(server.list(&team.other_member).await, vec![created.1.clone()]);

    // Nothing approved yet: a pull says nothing about recordings.
    let first = server.pull(&team.other_member, None).await;
    assert_eq!(first.recordings, None);

    // Only the leader approves.
    assert_error(&server.approve(&team.member, "take-1").await, 403, "leader_only");
    assert!(!server.rows().await[0].3);
    let approved = server.approve(&team.leader, "take-1").await;
    assert_eq!(approved.0, 200, "{}", approved.1);
    assert_eq!((approved.1["recording"]["approved"].as_bool(), approved.1["replaced"].is_null()), (Some(true), true));
    assert_eq!(approved.1["recording"]["approved_by"], "tavan-leader");

    // Every phone of the team learns of it in its next pull, once.
    let page = server.pull(&team.other_member, Some(&first.cursor)).await;
    let listed = page.recordings.clone().expect("the approved voices changed");
    assert_eq!(ids(&listed), ["take-1"]);
    assert_eq!(listed[0].audio_path(), "/api/v1/recordings/take-1/audio");
    assert_eq!(server.pull(&team.other_member, Some(&page.cursor)).await.recordings, None);
    // A new phone (no cursor) gets them too.
    assert_eq!(ids(&server.pull(&team.leader, None).await.recordings.unwrap()), ["take-1"]);

    // A better take (MP4, as an iPhone records) replaces it: one approved voice per step and language.
    assert_eq!(server.upload(&team.leader, "take-2", "0", "hmn", MP4).await.0, 201);
    let replaced = server.approve(&team.leader, "take-2").await;
    assert_eq!((replaced.0, replaced.1["replaced"].as_str()), (StatusCode::OK, Some("take-1")), "{}", replaced.1);
    // Approving it again changes nothing.
    assert_eq!(server.approve(&team.leader, "take-2").await.1["replaced"], Value::Null);
    let page2 = server.pull(&team.other_member, Some(&page.cursor)).await;
    let listed = page2.recordings.unwrap();
    assert_eq!((ids(&listed), listed[0].content_type.as_str()), (vec!["take-2"], "audio/mp4"));
    let approved_flags: Vec<(String, bool)> =
        server.list(&team.member).await.iter().map(|r| (r["id"].as_str().unwrap().to_owned(), r["approved"].as_bool().unwrap())).collect();
    assert_eq!(approved_flags, [("take-1".to_owned(), false), ("take-2".to_owned(), true)]);
    // Another language of the same step is another voice: both stay approved.
    assert_eq!(server.upload(&team.member, "take-vi", "0", "vi", WEBM).await.0, 201);
    assert_eq!(server.approve(&team.leader, "take-vi").await.1["replaced"], Value::Null);
    assert_eq!(server.rows().await.iter().filter(|r| r.3).count(), 2);

    // The sound, exactly as recorded, with its sniffed type; a recording never changes.
    let response = server.audio(&team.member, "take-2").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "audio/mp4");
    assert!(response.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    assert_eq!(response.headers()["etag"].to_str().unwrap(), format!("\"{}\"", listed[0].sha256));
    assert_eq!(&response.bytes().await.unwrap()[..], MP4);
    // Sent as it is, even to a client that takes gzip (sound does not compress).
    let gzip = server
        .client
        .get(server.url("/recordings/take-vi/audio"))
        .bearer_auth(&team.member)
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!((gzip.status().as_u16(), gzip.headers().get("content-encoding")), (200, None));
    assert_eq!(&gzip.bytes().await.unwrap()[..], WEBM);
    if !common::sqlite_only("the sound is a BLOB in the SQLite file") {
        let kind = common::sql(&server.db.path().join("hocso.db"), "SELECT typeof(audio) FROM recordings WHERE id = 'take-2'").await;
        assert_eq!(sqlx::Row::get::<String, _>(&kind[0], 0), "blob");
    }
}

#[tokio::test]
async fn another_team_never_sees_nor_touches_a_recording() {
    let server = start().await;
    let tavan = server.team("tavan").await;
    let sapa = server.team("sapa").await;
    assert_eq!(server.upload(&tavan.member, "take-1", "2", "tyz", WEBM).await.0, 201);
    assert_eq!(server.approve(&tavan.leader, "take-1").await.0, 200);
    let before = server.rows().await;

    assert_eq!(server.list(&sapa.leader).await, Vec::<Value>::new());
    assert_eq!(server.pull(&sapa.member, None).await.recordings, None);
    let audio = server.audio(&sapa.leader, "take-1").await;
    assert_eq!(audio.status(), 404);
    assert_error(&Server::answer(audio).await, 404, "not_found");
    assert_error(&server.approve(&sapa.leader, "take-1").await, 404, "not_found");
    assert_error(&server.delete(&sapa.leader, "take-1").await, 404, "not_found");
    // The same id is the other team's own recording: it changes nothing of the first team's.
    let theirs = server.upload(&sapa.member, "take-1", "2", "tyz", MP4).await;
    assert_eq!(theirs.0, 201, "{}", theirs.1);
    let after = server.rows().await;
    assert_eq!(after.iter().filter(|r| r.0 == before[0].0).cloned().collect::<Vec<_>>(), before);
    assert_eq!(&server.audio(&tavan.member, "take-1").await.bytes().await.unwrap()[..], WEBM);
    assert_eq!(&server.audio(&sapa.member, "take-1").await.bytes().await.unwrap()[..], MP4);

    // No token, an unknown token: 401 before anything is read.
    let no_token = server.client.put(server.url("/recordings/x?lesson=pay-by-vietqr&step=0&locale=vi")).body(WEBM.to_vec()).send().await.unwrap();
    assert_error(&Server::answer(no_token).await, 401, "missing_token");
    assert_error(&server.upload("hst_not-a-token", "x", "0", "vi", WEBM).await, 401, "invalid_token");
    let listed = server.client.get(server.url("/recordings")).bearer_auth("hst_not-a-token").send().await.unwrap();
    assert_error(&Server::answer(listed).await, 401, "invalid_token");
    assert_eq!(server.rows().await, after);
}

/// Chromium's MediaRecorder with its fake microphone for 61.5 s at 8 kbit/s: a phone that recorded
/// for over a minute.
const WEBM_61_S: &[u8] = include_bytes!("../../core/src/audio/chromium-61500ms.webm");

#[tokio::test]
async fn hostile_uploads_are_refused_with_a_sentence_and_change_nothing() {
    let server = start().await;
    let team = server.team("tavan").await;
    assert_eq!(server.upload(&team.member, "kept", "0", "hmn", WEBM).await.0, 201);
    let before = server.rows().await;

    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    // A picture or noise sent as audio (the header lies): the bytes decide.
    assert_error(&server.put(&team.member, "pic", "lesson=pay-by-vietqr&step=0&locale=vi", png, "audio/webm").await, 415, "not_audio");
    let noise: Vec<u8> = (0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    assert_error(&server.upload(&team.member, "noise", "0", "vi", &noise).await, 415, "not_audio");
    assert_error(&server.upload(&team.member, "empty", "0", "vi", b"").await, 422, "empty_recording");
    let long = server.upload(&team.member, "long", "0", "vi", WEBM_61_S).await;
    assert_error(&long, 422, "recording_too_long");
    assert!(long.1["message"].as_str().unwrap().contains("62 s, over the limit of 60 s"), "{}", long.1);
    // Just over 600 kB (a real recording with more after it), and far over: 413, never read whole.
    let mut big = WEBM.to_vec();
    big.resize(600_001, 0);
    let over = server.upload(&team.member, "big", "0", "vi", &big).await;
    assert_error(&over, 413, "recording_too_large");
    assert!(over.1["message"].as_str().unwrap().contains("600 kB"), "{}", over.1);
    big.resize(3_000_000, 0);
    assert_error(&server.upload(&team.member, "huge", "0", "vi", &big).await, 413, "recording_too_large");

    // What the recording is of must be something.
    for (query, code, status) in [
        ("lesson=pay-by-vietqr&step=0&locale=fr", "invalid_recording", 422),
        ("lesson=pay-by-vietqr&step=01&locale=vi", "invalid_recording", 422),
        ("lesson=pay-by-vietqr&step=-1&locale=vi", "invalid_recording", 422),
        ("lesson=pay-by-vietqr&step=100&locale=vi", "invalid_recording", 422),
        ("lesson=pay-by-vietqr&step=drill-20&locale=vi", "invalid_recording", 422),
        ("lesson=Pay_By&step=0&locale=vi", "invalid_recording", 422),
        ("lesson=..%2Fsecret&step=0&locale=vi", "invalid_recording", 422),
        ("lesson=pay-by-vietqr&locale=vi", "invalid_query", 400),
        ("lesson=pay-by-vietqr&step=0&locale=vi&approved=true", "invalid_query", 400),
    ] {
        let answer = server.put(&team.member, "bad", query, WEBM, "audio/webm").await;
        assert_error(&answer, status, code);
        assert!(answer.1["message"].as_str().unwrap().len() > 30, "{query}: {}", answer.1);
    }
    let step_message = server.put(&team.member, "bad", "lesson=pay-by-vietqr&step=x&locale=vi", WEBM, "audio/webm").await.1;
    assert!(step_message["message"].as_str().unwrap().contains("drill-N"), "{step_message}");
    assert_error(&server.upload(&team.member, "a.b", "0", "vi", WEBM).await, 400, "invalid_recording_id");
    assert_error(&server.upload(&team.member, &"x".repeat(65), "0", "vi", WEBM).await, 400, "invalid_recording_id");
    assert_error(&server.approve(&team.leader, "no-such").await, 404, "not_found");
    let wrong_method = server.client.patch(server.url("/recordings/kept")).bearer_auth(&team.member).send().await.unwrap();
    assert_error(&Server::answer(wrong_method).await, 405, "method_not_allowed");

    assert_eq!(server.rows().await, before);
    assert_eq!(server.list(&team.member).await.len(), 1);
}

#[tokio::test]
async fn a_phone_deletes_its_own_takes_until_approved_and_the_leader_any() {
    let server = start().await;
    let team = server.team("tavan").await;
    for id in ["mine", "mine-approved", "theirs"] {
        let token = if id == "theirs" { &team.other_member } else { &team.member };
        assert_eq!(server.upload(token, id, "3", "hmn", WEBM).await.0, 201);
    }
    // The first takes may share the same bytes: each id is its own recording.
    assert_eq!(server.rows().await.len(), 3);
    assert_eq!(server.approve(&team.leader, "mine-approved").await.0, 200);
    let cursor = server.pull(&team.member, None).await.cursor;

    assert_error(&server.delete(&team.member, "theirs").await, 403, "not_your_recording");
    assert_error(&server.delete(&team.member, "mine-approved").await, 403, "leader_only");
    assert_eq!(server.rows().await.len(), 3);
    let deleted = server.delete(&team.member, "mine").await;
    assert_eq!((deleted.0, deleted.1["deleted"].as_str()), (StatusCode::OK, Some("mine")));
    assert_error(&server.delete(&team.member, "mine").await, 404, "not_found");
    // Deleting an unapproved take changes no phone's voices.
    assert_eq!(server.pull(&team.member, Some(&cursor)).await.recordings, None);

    assert_eq!(server.delete(&team.leader, "mine-approved").await.0, 200);
    assert_eq!(server.delete(&team.leader, "theirs").await.0, 200);
    assert_eq!(server.rows().await, vec![]);
    // The team's phones learn that there is no approved voice any more.
    assert_eq!(server.pull(&team.member, Some(&cursor)).await.recordings, Some(vec![]));
}

#[tokio::test]
async fn with_published_content_a_recording_names_one_of_its_lessons_steps_and_drills() {
    let server = start().await;
    let team = server.team("tavan").await;
    // The shipped lessons, published as `hocso content build` does.
    let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    hocso_core::content::build_packs(&content, &server.dist.path().join("content")).unwrap();
    let lesson = hocso_core::content::ContentTree::load(&content)
        .lessons
        .into_iter()
        .find(|l| l.id == "pay-by-vietqr")
        .unwrap()
        .original()
        .unwrap()
        .parsed
        .lesson
        .clone();
    let (steps, drills) = (lesson.steps.len(), lesson.drills().len());
    assert!(steps > 2 && drills > 0);

    let unknown = server.put(&team.member, "x", "lesson=no-such-lesson&step=0&locale=vi", WEBM, "audio/webm").await;
    assert_error(&unknown, 422, "unknown_lesson");
    let past_the_end = server.upload(&team.member, "x", &steps.to_string(), "vi", WEBM).await;
    assert_error(&past_the_end, 422, "unknown_lesson");
    assert!(past_the_end.1["message"].as_str().unwrap().contains(&format!("has {steps} steps")), "{}", past_the_end.1);
    assert_error(&server.upload(&team.member, "x", &format!("drill-{drills}"), "vi", WEBM).await, 422, "unknown_lesson");
    assert_eq!(server.rows().await, vec![]);
    assert_eq!(server.upload(&team.member, "x", &format!("drill-{}", drills - 1), "vi", WEBM).await.0, 201);
    assert_eq!(server.upload(&team.member, "y", &(steps - 1).to_string(), "hmn", WEBM).await.0, 201);
}

#[tokio::test]
async fn a_retry_racing_the_first_upload_is_stored_once() {
    let server = start().await;
    let team = server.team("tavan").await;
    let url = server.url("/recordings/take-1?lesson=pay-by-vietqr&step=0&locale=hmn");
    let sends: Vec<_> = (0..8).map(|_| tokio::spawn(server.client.put(&url).bearer_auth(&team.member).body(WEBM.to_vec()).send())).collect();
    let mut statuses = Vec::new();
    for send in sends {
        statuses.push(send.await.unwrap().unwrap().status().as_u16());
    }
    statuses.sort();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 200, 201]);
    assert_eq!(server.rows().await.len(), 1);
}

#[tokio::test]
async fn the_recordings_come_with_the_last_page_of_a_paged_pull() {
    let server = start().await;
    let team = server.team("tavan").await;
    let profiles: Vec<_> = (0..3).map(|i| common::profile(&format!("learner-{i}"), &format!("Bà {i}"), common::now_ms())).collect();
    let pushed = server.client.post(server.url("/sync/push")).bearer_auth(&team.member).json(&json!({"profiles": profiles})).send().await.unwrap();
    assert_eq!(pushed.status(), 200);
    assert_eq!(server.upload(&team.member, "take-1", "0", "hmn", WEBM).await.0, 201);
    assert_eq!(server.approve(&team.leader, "take-1").await.0, 200);

    let page = |cursor: Option<String>| {
        let query = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
        let request = server.client.get(server.url(&format!("/sync/pull?limit=2{query}"))).bearer_auth(&team.other_member);
        async move { request.send().await.unwrap().json::<PullResponse>().await.unwrap() }
    };
    let first = page(None).await;
    assert!(first.has_more && first.recordings.is_none(), "{first:?}");
    let last = page(Some(first.cursor.clone())).await;
    assert_eq!((last.has_more, last.profiles.len()), (false, 1));
    assert_eq!(ids(&last.recordings.clone().unwrap()), ["take-1"]);
    // Nothing changed since: neither profiles nor voices again.
    let after = page(Some(last.cursor.clone())).await;
    assert_eq!((after.profiles.len(), after.recordings), (0, None));
}
