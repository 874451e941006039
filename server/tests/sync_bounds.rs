//! What a push may carry, over real HTTP and SQLite: times within the plausible window by the
//! server's clock, nicknames counted in characters, session events only from the leader's phone.
//! Each refusal names the record at fault, stores nothing, and leaves the team's reports working.
mod common;

use common::*;
use hocso_core::progress::{EventKind, ProgressEvent};
use hocso_core::sessions::SessionDetails;
use hocso_core::sync::{EARLIEST_TIME_MS, MAX_CLOCK_AHEAD_MS};
use serde_json::json;

/// Milliseconds from 1970 to the year 292,000,000 (by 365.2425-day years): still an `i64`.
const YEAR_292_MILLION: i64 = (292_000_000 - 1970) * 31_556_952_000;

#[tokio::test]
async fn times_outside_the_plausible_window_are_refused_by_record_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("hocso.db"), generous()).await;
    let codes = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let phone = server.join(json!({"code": codes.join_code, "device_name": "x", "device_id": "phone-a"})).await.device_token;
    let leader = server.join(json!({"code": codes.leader_code, "device_name": "x", "device_id": "lead"})).await.device_token;
    server.push_ok(&phone, &answers("phone-a", [1], "mai"), &[profile("mai", "Mai", now_ms())]).await;

    let at = |seq, at| ProgressEvent { at, ..answer("phone-a", seq, "mai") };
    for bad in [i64::MAX, YEAR_292_MILLION, now_ms() + MAX_CLOCK_AHEAD_MS + 60_000, EARLIEST_TIME_MS - 1, 0, -1, i64::MIN] {
        let (status, body) = server.push(&phone, &[at(2, now_ms()), at(3, bad)], &[]).await;
        assert_error(status, &body, 422, "invalid_event");
        assert_eq!(body["record"], "phone-a:3", "the refused event is named: {body}");
    }
    // A phone's clock a little ahead is fine.
    server.push_ok(&phone, &[at(2, now_ms() + MAX_CLOCK_AHEAD_MS - 60_000)], &[]).await;

    // A tombstone dated far in the future would win last-writer-wins forever: refused.
    for bad in [now_ms() + 2 * MAX_CLOCK_AHEAD_MS, YEAR_292_MILLION, i64::MAX] {
        let (status, body) = server.push(&phone, &answers("phone-a", [3], "mai"), &[tombstone("mai", bad)]).await;
        assert_error(status, &body, 422, "invalid_profile");
        assert_eq!(body["record"], "mai", "{body}");
        let (status, body) = server.push(&phone, &[], &[profile("lan", "Lan", bad)]).await;
        assert_error(status, &body, 422, "invalid_profile");
        assert_eq!(body["record"], "lan", "{body}");
    }
    assert_eq!(server.store.event_ids(&codes.team.id).await.unwrap(), ["phone-a:1", "phone-a:2"], "nothing of the refused pushes");
    let (pulled, acked) = server.pull_all(&phone).await;
    assert_eq!((pulled.len(), pulled[0]["profile"]["nickname"].as_str(), acked), (1, Some("Mai"), 2));

    // A nickname is counted in characters: 19 of them, 67 bytes, fit.
    let flowers = format!("Mai{}", "🌸".repeat(16));
    assert_eq!((flowers.chars().count(), flowers.len()), (19, 67));
    let answer = server.push_ok(&phone, &[], &[profile("hoa", &flowers, now_ms())]).await;
    assert_eq!(answer["profiles_applied"], 1);
    let (pulled, _) = server.pull_all(&leader).await;
    assert!(pulled.iter().any(|p| p["profile"]["nickname"] == flowers.as_str()), "stored as typed");

    // The team's dashboard still answers after all that.
    let (status, body) = server.get("/team/dashboard", &leader).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server.get("/team/dashboard?from=2025-01-01&to=2025-12-31", &leader).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn only_the_leaders_phone_sends_session_events() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("hocso.db"), generous()).await;
    let codes = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let member = server.join(json!({"code": codes.join_code, "device_name": "x", "device_id": "phone-a"})).await.device_token;
    let leader = server.join(json!({"code": codes.leader_code, "device_name": "x", "device_id": "lead"})).await.device_token;
    let details =
        SessionDetails {
            date: "2025-03-01".into(), place: "Nhà văn hoá".into(), village: "Bản Phố".into(), lessons: vec!["pay-by-vietqr".into()]
        };
    let kinds = [
        EventKind::SessionDetails { session: "s1".into(), details },
        EventKind::AttendeeRemoved { session: "s1".into(), attendee: "a1".into() },
        EventKind::GroupAnswered { session: "s1".into(), question: 0, counts: vec![1, 2], correct_options: vec![1] },
        EventKind::SessionClosed { session: "s1".into() },
    ];
    for kind in &kinds {
        let events = [answer("phone-a", 1, "mai"), event("phone-a", 2, "mai", kind.clone())];
        let (status, body) = server.push(&member, &events, &[]).await;
        assert_error(status, &body, 403, "leader_only");
        assert_eq!(body["record"], "phone-a:2", "{body}");
    }
    assert_eq!(server.store.event_count().await.unwrap(), 0, "nothing stored");
    let events: Vec<_> = kinds.iter().enumerate().map(|(i, kind)| event("lead", i as u64 + 1, "tuan", kind.clone())).collect();
    assert_eq!(server.push_ok(&leader, &events, &[]).await["acked_through_seq"], 4);
    assert_eq!(server.push_ok(&member, &answers("phone-a", 1..=2, "mai"), &[]).await["acked_through_seq"], 2);
}
