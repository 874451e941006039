//! Joining over real HTTP and SQLite: nobody takes a phone over by knowing its device id, a removed
//! phone comes back with a new code and proof of being itself, a phone can move to another team, a
//! team has a bounded number of phones, and failed attempts are limited before the database is asked.
mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use common::*;
use hocso_server::store::{JoinOutcome, MAX_ACTIVE_DEVICES_PER_TEAM};
use serde_json::json;

async fn server() -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (Server::start(&dir.path().join("hocso.db"), generous()).await, dir)
}

#[tokio::test]
async fn knowing_a_device_id_does_not_take_the_phone_over() {
    let (server, _dir) = server().await;
    let codes = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let victim = server.join(json!({"code": codes.join_code, "device_name": "Máy chị Mai", "device_id": "phone-v"})).await;
    assert_eq!(victim.device_id, "phone-v", "a phone that recorded answers before joining keeps its id");
    server.push_ok(&victim.device_token, &answers("phone-v", 1..=3, "mai"), &[]).await;

    // The attacker has the member code and the victim's id; with no proof, or a token of its own as
    // proof, it becomes a new device with a new id.
    let attacker = server.join(json!({"code": codes.join_code, "device_name": "x", "device_id": "phone-v"})).await;
    assert_ne!(attacker.device_id, "phone-v");
    assert!(attacker.device_id.starts_with("d-"), "{}", attacker.device_id);
    let again =
        server.join(json!({"code": codes.join_code, "device_name": "x", "device_id": "phone-v", "device_token": attacker.device_token})).await;
    assert_ne!(again.device_id, "phone-v");
    assert_ne!(again.device_id, attacker.device_id);

    // The victim is untouched: its token works, its seq goes on; the attacker cannot send its events.
    let answer = server.push_ok(&victim.device_token, &answers("phone-v", [4], "mai"), &[]).await;
    assert_eq!(answer["acked_through_seq"], 4);
    let (status, body) = server.push(&attacker.device_token, &answers("phone-v", [5], "mai"), &[]).await;
    assert_error(status, &body, 403, "event_from_another_device");
    let devices = server.store.list_devices(&codes.team.id).await.unwrap();
    assert_eq!(devices.len(), 3);
    assert_eq!(devices[0], ("phone-v".to_owned(), "Máy chị Mai".to_owned(), "member".to_owned(), false), "name kept too");
}

#[tokio::test]
async fn a_removed_phone_comes_back_with_a_new_code_and_its_proof_and_continues_its_seq() {
    let (server, _dir) = server().await;
    let codes = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let first = server.join(json!({"code": codes.join_code, "device_name": "Máy chị Mai", "device_id": "phone-a"})).await;
    server.push_ok(&first.device_token, &answers("phone-a", 1..=5, "mai"), &[]).await;
    server.store.revoke_device("phone-a").await.unwrap();
    let renewed = server.store.rotate_codes(&codes.team.id).await.unwrap();
    let (status, body) = server.push(&first.device_token, &answers("phone-a", [6], "mai"), &[]).await;
    assert_error(status, &body, 401, "token_revoked");

    // The old code no longer works, even with proof.
    let (status, body) = server
        .post(
            "/devices/join",
            None,
            &json!({"code": codes.join_code, "device_name": "x", "device_id": "phone-a", "device_token": first.device_token}),
        )
        .await;
    assert_error(status, &body, 401, "invalid_code");

    // The person got the team's new code: same device, new token, back in the team.
    let back = server
        .join(json!({"code": renewed.join_code, "device_name": "Máy chị Mai", "device_id": "phone-a", "device_token": first.device_token}))
        .await;
    assert_eq!(back.device_id, "phone-a");
    assert_ne!(back.device_token, first.device_token);
    let answer = server.push_ok(&back.device_token, &answers("phone-a", 6..=8, "mai"), &[]).await;
    assert_eq!((answer["acked_through_seq"].as_u64(), answer["stored"].as_u64()), (Some(8), Some(3)));
    let (_, acked) = server.pull_all(&back.device_token).await;
    assert_eq!(acked, 8);

    // The token it held before proves it again, but is no key to the API.
    let (status, body) = server.push(&first.device_token, &answers("phone-a", [9], "mai"), &[]).await;
    assert_error(status, &body, 401, "invalid_token");
    let leader = server
        .join(json!({"code": renewed.leader_code, "device_name": "Máy chị Mai", "device_id": "phone-a", "device_token": first.device_token}))
        .await;
    assert_eq!((leader.device_id.as_str(), leader.role.as_str()), ("phone-a", "leader"), "the role comes from the code");
    let (status, body) = server.push(&back.device_token, &answers("phone-a", [9], "mai"), &[]).await;
    assert_error(status, &body, 401, "invalid_token");
    server.push_ok(&leader.device_token, &answers("phone-a", [9], "mai"), &[]).await;
    assert_eq!(server.store.event_ids(&codes.team.id).await.unwrap().len(), 9);
    assert_eq!(server.store.list_devices(&codes.team.id).await.unwrap().len(), 1, "one device all along");
}

#[tokio::test]
async fn a_phone_that_moves_to_another_team_takes_its_own_learners_and_its_later_events_land_there() {
    let (server, _dir) = server().await;
    let a = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let b = server.store.create_team("Tổ Bản Hồ", "Bản Hồ").await.unwrap();
    let phone = server.join(json!({"code": a.join_code, "device_name": "Máy chị Mai", "device_id": "phone-m"})).await;
    let other = server.join(json!({"code": a.join_code, "device_name": "Máy nhà văn hoá", "device_id": "phone-o"})).await;
    let leader_b = server.join(json!({"code": b.leader_code, "device_name": "Máy tổ trưởng", "device_id": "lead-b"})).await;
    // mai learns only on phone-m; lan on both phones; hoa only on the other phone.
    let mut events = answers("phone-m", 1..=3, "mai");
    events.push(answer("phone-m", 4, "lan"));
    server.push_ok(&phone.device_token, &events, &[profile("mai", "Mai", MARCH_2025), profile("lan", "Lan", MARCH_2025)]).await;
    server.push_ok(&other.device_token, &[answer("phone-o", 1, "lan"), answer("phone-o", 2, "hoa")], &[]).await;

    let moved =
        server.join(json!({"code": b.join_code, "device_name": "Máy chị Mai", "device_id": "phone-m", "device_token": phone.device_token})).await;
    assert_eq!((moved.device_id.as_str(), moved.team.id.as_str()), ("phone-m", b.team.id.as_str()));

    // What it sent stays with team A; its later answers for mai land in team B, seq going on.
    assert_eq!(server.store.event_ids(&a.team.id).await.unwrap().len(), 6);
    let answer5 = server.push_ok(&moved.device_token, &answers("phone-m", [5], "mai"), &[]).await;
    assert_eq!(answer5["acked_through_seq"], 5);
    assert_eq!(server.store.event_ids(&b.team.id).await.unwrap(), vec!["phone-m:5".to_owned()]);
    // lan also learned on a phone that stayed: lan stays team A's.
    let (status, body) = server.push(&moved.device_token, &answers("phone-m", [6], "lan"), &[]).await;
    assert_error(status, &body, 403, "learner_of_another_team");

    // mai's profile moved: team B's phones pull it, team A's no longer see it.
    let (profiles_b, _) = server.pull_all(&leader_b.device_token).await;
    let ids = |profiles: &[serde_json::Value]| profiles.iter().map(|p| p["profile"]["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(ids(&profiles_b), ["mai"]);
    let (profiles_a, _) = server.pull_all(&other.device_token).await;
    assert_eq!(ids(&profiles_a), ["lan"]);
    assert!(server.store.list_devices(&a.team.id).await.unwrap().iter().all(|d| d.0 != "phone-m"));
}

#[tokio::test]
async fn a_team_has_a_bounded_number_of_phones() {
    let (server, _dir) = server().await;
    let codes = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let mut first = None;
    for i in 0..MAX_ACTIVE_DEVICES_PER_TEAM {
        let joined = server.store.join(&codes.join_code, "máy", Some(&format!("phone-{i}")), None).await.unwrap();
        assert_eq!(joined.outcome, JoinOutcome::New);
        first.get_or_insert(joined.device_token);
    }
    let (status, body) = server.post("/devices/join", None, &json!({"code": codes.join_code, "device_name": "one more"})).await;
    assert_error(status, &body, 409, "team_full");
    assert!(body["message"].as_str().unwrap().contains("300"), "{body}");
    // A phone already in the team may join again (new token, same place).
    let again = server.join(json!({"code": codes.leader_code, "device_name": "máy", "device_id": "phone-0", "device_token": first.unwrap()})).await;
    assert_eq!(again.device_id, "phone-0");
    // Removing a phone no longer used makes room.
    server.store.revoke_device("phone-7").await.unwrap();
    let joined = server.join(json!({"code": codes.join_code, "device_name": "one more"})).await;
    assert_eq!(joined.team.id, codes.team.id);
    let (status, body) = server.post("/devices/join", None, &json!({"code": codes.join_code, "device_name": "and another"})).await;
    assert_error(status, &body, 409, "team_full");
}

/// The router served the way `lib.rs` should serve it: with the client's address.
async fn start_with_addresses(database: &std::path::Path, dist: &std::path::Path) -> (SocketAddr, hocso_server::store::Store) {
    let dist = dist.to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let database = database_url(database).await;
    let mut config = hocso_server::ServeConfig::new(addr, dist, database.clone());
    config.limits = generous();
    let store = hocso_server::store::Store::open(&database).await.unwrap();
    let app = hocso_server::router(&config, store.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, store)
}

#[tokio::test]
async fn failed_attempts_from_an_address_are_refused_before_the_database_is_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (addr, store) = start_with_addresses(&dir.path().join("hocso.db"), dir.path()).await;
    let codes = store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let from = |ip: [u8; 4]| reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::from(ip))).build().unwrap();
    let (phone, attacker) = (from([127, 0, 0, 1]), from([127, 0, 0, 2]));
    let url = |path: &str| format!("http://{addr}/api/v1{path}");
    let join = |client: &reqwest::Client, code: &str| client.post(url("/devices/join")).json(&json!({"code": code, "device_name": "x"})).send();
    let token = join(&phone, &codes.join_code).await.unwrap().json::<serde_json::Value>().await.unwrap()["device_token"].as_str().unwrap().to_owned();
    let attacker_token =
        join(&attacker, &codes.join_code).await.unwrap().json::<serde_json::Value>().await.unwrap()["device_token"].as_str().unwrap().to_owned();

    // Unknown tokens and wrong codes from one address: refused one by one, then all at once.
    let mut refused = 0;
    for i in 0..hocso_server::api::FAILURES_BURST {
        let response = if i % 2 == 0 {
            attacker.get(url("/sync/pull")).bearer_auth(format!("hs_guess{i}")).send().await.unwrap()
        } else {
            join(&attacker, "ABCD-EFGH").await.unwrap()
        };
        assert_eq!(response.status(), 401);
        refused += 1;
    }
    assert_eq!(refused, 30);
    let response = attacker.get(url("/sync/pull")).bearer_auth(&attacker_token).send().await.unwrap();
    assert_eq!(response.status(), 429, "even a good token from that address waits");
    assert!(response.headers().get("retry-after").is_some());
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
    assert!(body["message"].as_str().unwrap().contains("failed attempts"), "{body}");
    assert_eq!(join(&attacker, &codes.join_code).await.unwrap().status(), 429);

    // Another address is not slowed down.
    let response = phone.get(url("/sync/pull")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 200);

    // Refused before the database is asked: with the database closed, the blocked address still
    // gets its 429, the other one an internal error.
    store.close().await;
    let response = attacker.get(url("/sync/pull")).bearer_auth(format!("hs_guess{}", 99)).send().await.unwrap();
    assert_eq!(response.status(), 429);
    let response = phone.get(url("/sync/pull")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 500);
}

#[tokio::test]
async fn without_client_addresses_failures_share_one_bucket() {
    let (server, _dir) = server().await;
    let codes = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let phone = server.join(json!({"code": codes.join_code, "device_name": "x"})).await;
    for i in 0..hocso_server::api::FAILURES_BURST {
        let (status, _) = server.get("/sync/pull", &format!("hs_guess{i}")).await;
        assert_eq!(status, 401);
    }
    let (status, body) = server.get("/sync/pull", &phone.device_token).await;
    assert_error(status, &body, 429, "rate_limited");
}
