//! The server's database restored from a backup, over real HTTP and SQLite: phones learn what the
//! server holds of them (`acked_through_seq`) and send the rest again; nothing is stored twice, and
//! a phone that joined after the backup finds its way back by joining again.
mod common;

use common::*;
use serde_json::json;

fn with_suffix(path: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

#[tokio::test]
async fn after_a_restore_phones_resend_what_the_backup_lacks_and_it_is_stored_once() {
    if common::sqlite_only("a backup of the SQLite file (`VACUUM INTO`) put in its place; PostgreSQL is backed up with pg_dump") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("hocso.db");
    let backup = dir.path().join("backup.db");
    let server = Server::start(&database, generous()).await;
    let codes = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let phone = server.join(json!({"code": codes.join_code, "device_name": "x", "device_id": "phone-a"})).await.device_token;
    assert_eq!(server.push_ok(&phone, &answers("phone-a", 1..=50, "mai"), &[profile("mai", "Mai", MARCH_2025)]).await["acked_through_seq"], 50);

    // A backup while the server runs (what `sqlite3 hocso.db ".backup backup.db"` does), and the
    // secret file beside it.
    server.sql(&format!("VACUUM INTO '{}'", backup.display())).await;
    std::fs::copy(with_suffix(&database, ".secret"), with_suffix(&backup, ".secret")).unwrap();

    assert_eq!(server.push_ok(&phone, &answers("phone-a", 51..=80, "mai"), &[]).await["acked_through_seq"], 80);
    let late = server.join(json!({"code": codes.join_code, "device_name": "y", "device_id": "phone-b"})).await;
    assert_eq!(server.push_ok(&late.device_token, &answers("phone-b", 1..=10, "lan"), &[]).await["acked_through_seq"], 10);

    // The disk is lost: the server is stopped and the backup put in place (without the newer
    // write-ahead log, which belongs to the lost file), then started again.
    server.stop().await;
    // The files are replaced by new ones (not overwritten in place): a connection of the stopped
    // server that SQLite closes a moment later writes, if at all, into the old, unlinked files.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(&database, suffix));
    }
    std::fs::copy(&backup, &database).unwrap();
    std::fs::copy(with_suffix(&backup, ".secret"), with_suffix(&database, ".secret")).unwrap();
    let server = Server::start(&database, generous()).await;

    // The phone hears that the server holds 1..=50 only, both from a pull and from a push.
    let (profiles, acked) = server.pull_all(&phone).await;
    assert_eq!((profiles.len(), acked), (1, 50));
    assert_eq!(server.push_ok(&phone, &[], &[]).await["acked_through_seq"], 50);

    // It sends 51..=80 again: each stored once, everything acknowledged; sending them once more
    // changes nothing; it goes on with 81.
    let answer = server.push_ok(&phone, &answers("phone-a", 51..=80, "mai"), &[]).await;
    assert_eq!((answer["acked_through_seq"].as_u64(), answer["stored"].as_u64(), answer["duplicates"].as_u64()), (Some(80), Some(30), Some(0)));
    let answer = server.push_ok(&phone, &answers("phone-a", 51..=80, "mai"), &[]).await;
    assert_eq!((answer["acked_through_seq"].as_u64(), answer["stored"].as_u64(), answer["duplicates"].as_u64()), (Some(80), Some(0), Some(30)));
    let ids = server.store.event_ids(&codes.team.id).await.unwrap();
    assert_eq!(ids.len(), 80);
    assert_eq!(ids.iter().collect::<std::collections::BTreeSet<_>>().len(), 80);
    assert_eq!(server.store.event("phone-a:66").await.unwrap(), Some(answer_of(66)));
    assert_eq!(server.push_ok(&phone, &answers("phone-a", [81], "mai"), &[]).await["acked_through_seq"], 81);

    // The phone that joined after the backup is unknown: its token is refused; joining again with
    // its id and token gives it back its id (unknown ids are kept), and it sends everything again.
    let (status, body) = server.push(&late.device_token, &answers("phone-b", [11], "lan"), &[]).await;
    assert_error(status, &body, 401, "invalid_token");
    let back = server.join(json!({"code": codes.join_code, "device_name": "y", "device_id": "phone-b", "device_token": late.device_token})).await;
    assert_eq!(back.device_id, "phone-b");
    assert_eq!(server.push_ok(&back.device_token, &answers("phone-b", 1..=11, "lan"), &[]).await["acked_through_seq"], 11);
    assert_eq!(server.store.event_count().await.unwrap(), 92);
}

fn answer_of(seq: u64) -> hocso_core::progress::ProgressEvent {
    answer("phone-a", seq, "mai")
}

/// The same with the phone's real engine (`hocso_core::sync::SyncEngine` over a memory outbox): after
/// the restore it learns that the server holds only the backup's events and sends the rest again.
#[tokio::test]
async fn the_phones_engine_sends_again_what_a_restored_server_lost() {
    if common::sqlite_only("a backup of the SQLite file (`VACUUM INTO`) put in its place; PostgreSQL is backed up with pg_dump") {
        return;
    }
    use hocso_core::progress::EventKind;
    use hocso_core::sync::memory::MemoryOutbox;
    use hocso_core::sync::{SyncEngine, SyncStatus};

    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("hocso.db");
    let backup = dir.path().join("backup.db");
    let server = Server::start(&database, generous()).await;
    let codes = server.store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let token = server.join(json!({"code": codes.join_code, "device_name": "x", "device_id": "phone-a"})).await.device_token;
    let mut outbox = MemoryOutbox::new("phone-a");
    let mut engine = SyncEngine::new(7);
    let record = |outbox: &mut MemoryOutbox, n: u32| {
        for step in 0..n {
            outbox.record("mai", "pay-by-vietqr", now_ms(), EventKind::StepViewed { step });
        }
    };
    record(&mut outbox, 50);
    let status = engine.sync(&mut outbox, &mut Net::to(&server, &token), now_ms()).await;
    assert!(matches!(status, SyncStatus::Synced { .. }), "{status:?}");
    server.sql(&format!("VACUUM INTO '{}'", backup.display())).await;
    record(&mut outbox, 30);
    engine.sync(&mut outbox, &mut Net::to(&server, &token), now_ms()).await;
    assert_eq!(outbox.synced_through(), 80);

    server.stop().await;
    // The files are replaced by new ones (not overwritten in place): a connection of the stopped
    // server that SQLite closes a moment later writes, if at all, into the old, unlinked files.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(&database, suffix));
    }
    std::fs::copy(&backup, &database).unwrap();
    let server = Server::start(&database, generous()).await;
    assert_eq!(server.store.event_count().await.unwrap(), 50);

    record(&mut outbox, 1);
    let status = engine.sync(&mut outbox, &mut Net::to(&server, &token), now_ms()).await;
    assert!(matches!(status, SyncStatus::Synced { .. }), "{status:?}");
    assert_eq!(outbox.synced_through(), 81);
    let stored = server.store.event_ids(&codes.team.id).await.unwrap();
    let created: Vec<String> = outbox.events().map(|e| e.id.clone()).collect();
    assert_eq!(stored.iter().collect::<std::collections::BTreeSet<_>>(), created.iter().collect(), "each exactly once");
    assert_eq!(stored.len(), 81);
}
