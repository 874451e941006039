//! Erasure over real HTTP and SQLite, and with the real `hocso learner erase`: what a learner did
//! becomes content-free placeholders that keep the device's sequence whole, the profile a tombstone
//! without a name, and none of it stays readable in the database file.
mod common;

use std::process::Command;

use common::*;
use hocso_core::progress::{EventKind, ProgressEvent};
use hocso_core::sessions::{Attendee, SessionDetails};
use hocso_core::sync::PushResponse;
use hocso_server::store::ERASED_KIND;
use serde_json::{json, Value};
use sqlx::Row;

/// The nickname and lesson only mai's data holds, to look for in the database file afterwards.
const MAI: &str = "Mai Erasable";
const MAI_LESSON: &str = "lesson-only-mai-took";
const MAI_ATTENDEE: &str = "chị Mai Erasable-attendee";

fn placeholder(device: &str, seq: u64) -> ProgressEvent {
    ProgressEvent::erased(device, seq)
}

fn mai_answer(device: &str, seq: u64) -> ProgressEvent {
    ProgressEvent { lesson_id: MAI_LESSON.into(), ..answer(device, seq, "mai") }
}

fn attendee(id: &str, nickname: &str, learner: Option<&str>) -> Attendee {
    Attendee {
        id: id.into(), nickname: nickname.into(), village: "Bản Phố".into(), gender: None, age_band: None, learner: learner.map(Into::into)
    }
}

/// Every event row as stored: (id, learner, lesson, version, at, kind).
async fn rows(server: &Server) -> Vec<(String, String, String, String, i64, String)> {
    server
        .sql("SELECT id, learner_id, lesson_id, lesson_version, at, kind FROM events ORDER BY id")
        .await
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
        .collect()
}

fn is_placeholder(row: &(String, String, String, String, i64, String)) -> bool {
    row.1.is_empty() && row.2.is_empty() && row.3.is_empty() && row.4 == 0 && row.5 == ERASED_KIND
}

/// Whether any bytes of the database's files contain `text`.
fn file_contains(database: &std::path::Path, text: &str) -> bool {
    ["", "-wal"].iter().any(|suffix| {
        let mut path = database.as_os_str().to_owned();
        path.push(suffix);
        std::fs::read(&path).is_ok_and(|bytes| bytes.windows(text.len()).any(|w| w == text.as_bytes()))
    })
}

#[tokio::test]
async fn an_erased_event_is_acknowledged_as_a_placeholder_and_wipes_what_the_server_held() {
    assert_eq!(serde_json::to_string(&EventKind::Erased).unwrap(), ERASED_KIND, "the core's wire form");
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("hocso.db"), generous()).await;
    let codes = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let phone = server.join(json!({"code": codes.join_code, "device_name": "x", "device_id": "phone-a"})).await.device_token;
    server.push_ok(&phone, &answers("phone-a", 1..=3, "lan"), &[]).await;

    // 2 was stored with content, 5 never reached the server: both end as placeholders, 4 is new.
    let batch = [placeholder("phone-a", 2), answer("phone-a", 4, "lan"), placeholder("phone-a", 5)];
    let first: PushResponse = serde_json::from_value(server.push_ok(&phone, &batch, &[]).await).unwrap();
    assert_eq!((first.acked_through_seq, first.stored, first.duplicates), (5, 2, 1), "no gap at 2 or 5");
    let again: PushResponse = serde_json::from_value(server.push_ok(&phone, &batch, &[]).await).unwrap();
    assert_eq!((again.acked_through_seq, again.stored, again.duplicates), (5, 0, 3));
    assert_eq!(server.store.event("phone-a:2").await.unwrap(), Some(placeholder("phone-a", 2)));
    assert_eq!(server.store.event("phone-a:5").await.unwrap(), Some(placeholder("phone-a", 5)));
    assert_eq!(server.store.event("phone-a:3").await.unwrap(), Some(answer("phone-a", 3, "lan")));
    let stored = rows(&server).await;
    assert_eq!(stored.iter().filter(|r| is_placeholder(r)).count(), 2);
    assert!(stored.iter().all(|r| is_placeholder(r) || r.5 != ERASED_KIND), "{stored:?}");

    // The content cannot come back: the phone (or a restored backup) sending 2 again stores nothing.
    let resent: PushResponse = serde_json::from_value(server.push_ok(&phone, &answers("phone-a", [2], "lan"), &[]).await).unwrap();
    assert_eq!((resent.stored, resent.duplicates), (0, 1));
    assert_eq!(server.store.event("phone-a:2").await.unwrap(), Some(placeholder("phone-a", 2)));

    // An erased event carrying content is refused whole.
    let mut leaky = placeholder("phone-a", 6);
    leaky.learner_id = "lan".into();
    let (status, body) = server.push(&phone, &[answer("phone-a", 7, "lan"), leaky], &[]).await;
    assert_error(status, &body, 422, "invalid_event");
    assert_eq!(body["record"], "phone-a:6");
    assert_eq!(server.store.event_count().await.unwrap(), 5);

    // A learner whose only answer is erased later is no longer counted as reached on that day.
    server.push_ok(&phone, &[answer("phone-a", 6, "hoa")], &[]).await;
    assert_eq!(counted_learners(&server, &codes.team.id).await, ["hoa", "lan"]);
    server.push_ok(&phone, &[placeholder("phone-a", 6)], &[]).await;
    assert_eq!(counted_learners(&server, &codes.team.id).await, ["lan"], "lan's other answers still count");
}

/// The learners the team's reports count as reached (`learner_days`), each once.
async fn counted_learners(server: &Server, team: &str) -> Vec<String> {
    let days = server.store.learner_days(team, hocso_server::store::TimeRange::ALL).await.unwrap();
    days.into_iter().map(|(learner, _)| learner).collect::<std::collections::BTreeSet<_>>().into_iter().collect()
}

#[tokio::test]
async fn a_winning_tombstone_empties_every_event_of_the_learner_on_every_device_and_clears_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("hocso.db");
    let server = Server::start(&database, generous()).await;
    let codes = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let join = |id: &str, code: &str| json!({"code": code, "device_name": "x", "device_id": id});
    let a = server.join(join("phone-a", &codes.join_code)).await.device_token;
    let b = server.join(join("phone-b", &codes.join_code)).await.device_token;
    let leader = server.join(join("lead", &codes.leader_code)).await.device_token;
    let t0 = now_ms() - 60_000;

    let mut events: Vec<_> = (1..=3).map(|seq| mai_answer("phone-a", seq)).collect();
    events.push(answer("phone-a", 4, "lan"));
    let profiles = [profile("mai", MAI, t0), profile("lan", "Lan", t0)];
    server.push_ok(&a, &events, &profiles).await;
    server.push_ok(&b, &[mai_answer("phone-b", 1), mai_answer("phone-b", 2)], &[]).await;
    let details =
        SessionDetails {
            date: "2025-03-01".into(), place: "Nhà văn hoá".into(), village: "Bản Phố".into(), lessons: vec!["pay-by-vietqr".into()]
        };
    let session = |seq, kind| event("lead", seq, "tuan", kind);
    let session_events = [
        session(1, EventKind::SessionDetails { session: "s1".into(), details }),
        session(2, EventKind::AttendeeAdded { session: "s1".into(), attendee: attendee("a1", MAI_ATTENDEE, Some("mai")) }),
        session(3, EventKind::AttendeeAdded { session: "s1".into(), attendee: attendee("a2", "anh Páo", None) }),
    ];
    server.push_ok(&leader, &session_events, &[]).await;

    // A tombstone that still carries the name is refused: a deletion carries no personal data.
    let leaky = hocso_core::sync::Profile { deleted: true, ..profile("mai", MAI, t0 + 1) };
    let (status, body) = server.push(&b, &[], &[leaky]).await;
    assert_error(status, &body, 422, "invalid_profile");
    assert_eq!(body["record"], "mai");

    // An older tombstone loses last-writer-wins and erases nothing.
    let lost = server.push_ok(&b, &[], &[tombstone("mai", t0 - 1)]).await;
    assert_eq!(lost["profiles_applied"], 0);
    assert_eq!(rows(&server).await.iter().filter(|r| is_placeholder(r)).count(), 0);

    let won = server.push_ok(&b, &[mai_answer("phone-b", 3)], &[tombstone("mai", t0 + 1)]).await;
    assert_eq!((won["profiles_applied"].as_u64(), won["acked_through_seq"].as_u64()), (Some(1), Some(3)));
    let stored = rows(&server).await;
    let erased: Vec<&str> = stored.iter().filter(|r| is_placeholder(r)).map(|r| r.0.as_str()).collect();
    assert_eq!(erased, ["lead:2", "phone-a:1", "phone-a:2", "phone-a:3", "phone-b:1", "phone-b:2", "phone-b:3"]);
    assert!(stored.iter().all(|r| r.1 != "mai"), "no event names mai any more");
    assert_eq!(server.store.event("phone-a:4").await.unwrap(), Some(answer("phone-a", 4, "lan")), "lan untouched");
    assert_eq!(server.store.event("lead:3").await.unwrap().unwrap().kind, session_events[2].kind, "other attendees untouched");

    // The tombstone stays, without a name, so that the other phones delete mai too.
    let (pulled, _) = server.pull_all(&a).await;
    let mai: Vec<&Value> = pulled.iter().filter(|p| p["profile"]["id"] == "mai").collect();
    assert_eq!(
        mai,
        [
            &json!({"profile": {"id": "mai", "nickname": "", "avatar": "", "colour": "", "updated_at": t0 + 1, "deleted": true}, "device_id": "phone-b"})
        ]
    );

    // Later: an answer naming mai is kept only as a placeholder, and no write brings the profile back.
    let later = server.push_ok(&a, &[mai_answer("phone-a", 5)], &[profile("mai", MAI, t0 + 10)]).await;
    assert_eq!((later["acked_through_seq"].as_u64(), later["profiles_applied"].as_u64()), (Some(5), Some(0)));
    assert_eq!(server.store.event("phone-a:5").await.unwrap(), Some(placeholder("phone-a", 5)));
    let (pulled, _) = server.pull_all(&a).await;
    assert!(pulled.iter().all(|p| p["profile"]["nickname"] != MAI));

    // The reports no longer count mai as reached; lan still is.
    assert_eq!(counted_learners(&server, &codes.team.id).await, ["lan"]);

    // The team's dashboard still answers.
    let (status, body) = server.get("/team/dashboard", &leader).await;
    assert_eq!(status, 200, "{body}");

    // Nothing of mai is left in the database file (placeholders keep only ids and numbers).
    server.stop().await;
    // The SQLite file itself (PostgreSQL's files are its own: vacuum reclaims old row versions).
    if common::postgres().is_none() {
        assert!(!file_contains(&database, MAI), "the nickname is gone from the file");
        assert!(!file_contains(&database, MAI_LESSON), "the lessons are gone from the file");
        assert!(!file_contains(&database, MAI_ATTENDEE), "the attendance record is gone from the file");
        assert!(file_contains(&database, "anh Páo"), "the check itself finds what is there");
    }
}

#[tokio::test]
async fn hocso_learner_erase_does_the_same_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("hocso.db");
    let server = Server::start(&database, generous()).await;
    let codes = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let phone = server.join(json!({"code": codes.join_code, "device_name": "x", "device_id": "phone-a"})).await.device_token;
    // The phone's clock is ahead: the server's tombstone must still win on every phone.
    let ahead = now_ms() + 3_600_000;
    let events = [mai_answer("phone-a", 1), mai_answer("phone-a", 2), answer("phone-a", 3, "lan")];
    server.push_ok(&phone, &events, &[profile("mai", MAI, ahead)]).await;

    let hocso = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_hocso")).args(args).arg("--database").arg(&server.url).output().unwrap();
    let output = hocso(&["learner", "erase", "--team", &codes.team.id, "--learner", "mai"]);
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}{}", String::from_utf8_lossy(&output.stderr));
    assert!(printed.contains(&format!("Learner mai of team {} erased", codes.team.id)), "{printed}");
    assert!(printed.contains("nickname, picture and colour deleted"), "{printed}");
    assert!(printed.contains("answers: 2 emptied"), "{printed}");

    let (pulled, _) = server.pull_all(&phone).await;
    let tomb = &pulled.iter().find(|p| p["profile"]["id"] == "mai").unwrap();
    assert_eq!((tomb["device_id"].as_str(), tomb["profile"]["deleted"].as_bool()), (Some("server"), Some(true)));
    assert_eq!(tomb["profile"]["nickname"], "");
    assert!(tomb["profile"]["updated_at"].as_i64().unwrap() > ahead, "{tomb}");
    assert_eq!(server.store.event("phone-a:1").await.unwrap(), Some(placeholder("phone-a", 1)));
    assert_eq!(server.store.event("phone-a:3").await.unwrap(), Some(answer("phone-a", 3, "lan")));
    // Right after the command, even with the server running, the files hold none of it.
    assert!(common::postgres().is_some() || (!file_contains(&database, MAI) && !file_contains(&database, MAI_LESSON)));

    // The phone's later answers for mai keep its sequence whole and say nothing.
    let later = server.push_ok(&phone, &[mai_answer("phone-a", 4)], &[]).await;
    assert_eq!(later["acked_through_seq"], 4);
    assert_eq!(server.store.event("phone-a:4").await.unwrap(), Some(placeholder("phone-a", 4)));

    let output = hocso(&["learner", "erase", "--team", &codes.team.id, "--learner", "nobody"]);
    assert_eq!(output.status.code(), Some(1));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("learner nobody of team") && error.contains("not found"), "{error}");
    let output = hocso(&["learner", "erase", "--team", "t-other", "--learner", "lan"]);
    assert_eq!(output.status.code(), Some(1), "a learner is erased only through their own team");
}

/// The phone's real engine deleting a learner (`MemoryOutbox::delete_learner`, as the app does):
/// what it had sent is emptied by the tombstone, what it had not is sent as placeholders; and an
/// older app's holes (events removed outright) do not stop its sync.
#[tokio::test]
async fn the_phones_engine_deleting_a_learner_leaves_nothing_of_them_on_the_server() {
    use hocso_core::sync::memory::MemoryOutbox;
    use hocso_core::sync::{SyncEngine, SyncStatus};

    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("hocso.db"), generous()).await;
    let codes = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let token = server.join(json!({"code": codes.join_code, "device_name": "x", "device_id": "phone-a"})).await.device_token;
    let mut net = Net::to(&server, &token);
    let mut outbox = MemoryOutbox::new("phone-a");
    let mut engine = SyncEngine::new(3);
    let step = |step| EventKind::StepViewed { step };
    for i in 0..5 {
        outbox.record("mai", MAI_LESSON, now_ms(), step(i));
    }
    outbox.edit_profile(profile("mai", MAI, now_ms()));
    assert!(matches!(engine.sync(&mut outbox, &mut net, now_ms()).await, SyncStatus::Synced { .. }));
    for i in 0..3 {
        outbox.record("mai", MAI_LESSON, now_ms(), step(i));
    }
    outbox.record("lan", "pay-by-vietqr", now_ms(), step(0));
    outbox.delete_learner("mai", now_ms() + 1);
    let status = engine.sync(&mut outbox, &mut net, now_ms()).await;
    assert!(matches!(status, SyncStatus::Synced { .. }), "{status:?}");
    assert_eq!(outbox.synced_through(), 9);
    let stored = rows(&server).await;
    assert_eq!(stored.len(), 9);
    assert_eq!(stored.iter().filter(|r| is_placeholder(r)).count(), 8, "{stored:?}");
    assert!(stored.iter().all(|r| r.1 != "mai" && r.2 != MAI_LESSON));

    // An older app removed a learner's unsent events outright: the engine fills the holes.
    for i in 0..3 {
        outbox.record("hoa", "pay-by-vietqr", now_ms(), step(i));
    }
    outbox.record("lan", "pay-by-vietqr", now_ms(), step(1));
    outbox.forget_events("hoa");
    let status = engine.sync(&mut outbox, &mut net, now_ms()).await;
    assert!(matches!(status, SyncStatus::Synced { .. }), "{status:?}");
    assert_eq!(server.push_ok(&token, &[], &[]).await["acked_through_seq"], 13);
    assert_eq!(server.store.event("phone-a:11").await.unwrap(), Some(placeholder("phone-a", 11)));
}
