//! `hocso backup` during a push storm and `hocso restore`, with the real binary, real HTTP clients
//! and real SQLite files: every push acknowledged before the backup started is in the restored
//! database, and the phones' tokens and codes still work on it. What phones do after a restore to
//! an older state (send again what the server lost) is `sync_restore.rs`.
mod binary;
mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use binary::{run, write_dist, Hocso};
use common::answers;
use serde_json::{json, Value};

const PHONES: usize = 16;
const BATCH: u64 = 100;

async fn team_code(database: &Path) -> String {
    let store = hocso_server::store::Store::open(database.to_str().unwrap()).await.unwrap();
    let codes = store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    store.close().await;
    codes.join_code
}

/// Each acknowledged push of one phone: when the answer arrived, and the seq acknowledged.
type Acks = Vec<(Instant, u64)>;
/// When each push was sent and answered.
type Flights = Vec<(Instant, Instant)>;

/// One phone pushing batches as fast as the server answers, until `stop`.
async fn storm(base: String, token: String, device: String, stop: Arc<AtomicBool>) -> (Acks, Flights) {
    let client = reqwest::Client::new();
    let (mut acks, mut flights, mut next) = (Vec::new(), Vec::new(), 1);
    while !stop.load(Ordering::Relaxed) {
        let events = answers(&device, next..next + BATCH, "mai");
        let sent = Instant::now();
        let response = client
            .post(format!("{base}/api/v1/sync/push"))
            .bearer_auth(&token)
            .json(&json!({"events": events, "profiles": []}))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            // As a phone does: wait, then send the same batch again.
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        let answer: Value = response.json().await.unwrap();
        flights.push((sent, Instant::now()));
        let acked = answer["acked_through_seq"].as_u64().unwrap_or_else(|| panic!("{answer}"));
        assert_eq!(acked, next + BATCH - 1, "{answer}");
        acks.push((Instant::now(), acked));
        next += BATCH;
    }
    (acks, flights)
}

async fn seqs_of(database: &Path, device: &str) -> Vec<u64> {
    common::sql(database, &format!("SELECT seq FROM events WHERE device_id = '{device}' ORDER BY seq"))
        .await
        .iter()
        .map(|row| sqlx::Row::get::<i64, _>(row, 0) as u64)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_during_a_push_storm_restores_every_acknowledged_event() {
    if common::sqlite_only("`hocso backup` and `hocso restore` copy the SQLite file; PostgreSQL is backed up with pg_dump") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let database = dir.path().join("hocso.db");
    let code = team_code(&database).await;
    let server = Hocso::serve(dir.path(), &[]);
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();
    let mut tokens = BTreeMap::new();
    for phone in 0..PHONES {
        let device = format!("phone-{phone}");
        let token = common::join_over_http(&client, &base, &code, &device, &device).await;
        tokens.insert(device, token);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let phones: Vec<_> =
        tokens.iter().map(|(device, token)| tokio::spawn(storm(base.clone(), token.clone(), device.clone(), stop.clone()))).collect();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let backup = dir.path().join("backups/hocso-1.db");
    std::fs::create_dir(dir.path().join("backups")).unwrap();
    let backup_started = Instant::now();
    let cwd = dir.path().to_owned();
    let out = backup.to_str().unwrap().to_owned();
    let (ok, printed, stderr) = tokio::task::spawn_blocking(move || run(&cwd, &["backup", "--database", "hocso.db", "--out", &out])).await.unwrap();
    let backup_ended = Instant::now();
    assert!(ok, "{stderr}");
    assert!(printed.contains("Backed up 1 teams and") && stderr.is_empty(), "{printed} {stderr}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut acks, mut flights) = (BTreeMap::new(), Vec::new());
    for (device, phone) in tokens.keys().zip(phones) {
        let (phone_acks, phone_flights) = phone.await.unwrap();
        acks.insert(device.clone(), phone_acks);
        flights.extend(phone_flights);
    }

    // The storm really ran around the backup: pushes answered before and after it, and pushes on
    // their way while it ran.
    assert!(flights.iter().any(|(_, answered)| *answered < backup_started) && flights.iter().any(|(sent, _)| *sent > backup_ended));
    let during = flights.iter().filter(|(sent, answered)| *sent < backup_ended && *answered > backup_started).count();
    assert!(during >= PHONES / 2, "only {during} pushes were on their way while the backup ran");
    println!("{} pushes, {during} of them on their way during the {:?} the backup took", flights.len(), backup_ended - backup_started);

    // Restoring under the running server is refused, and changes nothing.
    let (ok, _, stderr) = run(dir.path(), &["restore", "--from", backup.to_str().unwrap(), "--database", "hocso.db"]);
    assert!(!ok && stderr.contains("a hocso server is using") && stderr.contains("stop it first"), "{stderr}");
    let stored_before_stop = common::sql(&database, "SELECT COUNT(*) FROM events").await;
    let (status, stderr) = server.terminate(Duration::from_secs(15));
    assert!(status.success(), "{stderr}");

    let (ok, printed, stderr) = run(dir.path(), &["restore", "--from", backup.to_str().unwrap(), "--database", "hocso.db"]);
    assert!(ok, "{stderr}");
    assert!(printed.contains("The previous database is kept as"), "{printed}");
    let kept = std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).find(|p| {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        name.strip_prefix("hocso.db.before-restore-").is_some_and(|stamp| stamp.bytes().all(|b| b.is_ascii_digit()))
    });
    let kept = kept.expect("the previous database is kept");
    let kept_count: i64 = sqlx::Row::get(&common::sql(&kept, "SELECT COUNT(*) FROM events").await[0], 0);
    assert_eq!(kept_count, sqlx::Row::get::<i64, _>(&stored_before_stop[0], 0), "the previous database is kept whole");

    for (device, acks) in &acks {
        let before: u64 = acks.iter().filter(|(at, _)| *at < backup_started).map(|(_, seq)| *seq).max().unwrap();
        let restored = seqs_of(&database, device).await;
        assert!(restored.len() as u64 >= before, "{device}: {} restored, {before} acknowledged before the backup", restored.len());
        assert_eq!(restored, (1..=restored.len() as u64).collect::<Vec<_>>(), "{device}: a prefix of its events, each once");
        assert!((restored.len() as u64) < acks.last().unwrap().1, "{device}: the backup is older than the end of the storm");
    }

    // The restored server knows the phones (the secret came back with the database): each hears
    // what the server holds of it.
    let server = Hocso::serve(dir.path(), &[]);
    for (device, token) in &tokens {
        let answer: Value = client
            .post(format!("http://{}/api/v1/sync/push", server.addr))
            .bearer_auth(token)
            .json(&json!({"events": [], "profiles": []}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["acked_through_seq"].as_u64(), Some(seqs_of(&database, device).await.len() as u64), "{answer}");
    }
}

#[tokio::test]
async fn backup_and_restore_refuse_what_would_lose_or_mix_up_data() {
    if common::sqlite_only("`hocso backup` and `hocso restore` copy the SQLite file; PostgreSQL is backed up with pg_dump") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    team_code(&dir.path().join("hocso.db")).await;
    let hocso = |args: &[&str]| run(dir.path(), args);

    let (ok, _, stderr) = hocso(&["backup", "--database", "missing.db", "--out", "b.db"]);
    assert!(!ok && stderr.contains("there is no database at missing.db"), "{stderr}");
    std::fs::write(path("taken.db"), "mine").unwrap();
    let (ok, _, stderr) = hocso(&["backup", "--database", "hocso.db", "--out", "taken.db"]);
    assert!(!ok && stderr.contains("taken.db already exists"), "{stderr}");
    assert_eq!(std::fs::read_to_string(path("taken.db")).unwrap(), "mine");
    let (ok, _, stderr) = hocso(&["backup", "--database", "hocso.db", "--out", "no-such-folder/b.db"]);
    assert!(!ok && stderr.contains("the folder no-such-folder does not exist"), "{stderr}");
    let (ok, _, stderr) = hocso(&["backup", "--database", "postgres://x@localhost/hocso", "--out", "p.db"]);
    assert!(!ok && stderr.contains("pg_dump"), "{stderr}");
    let (ok, printed, stderr) = hocso(&["backup", "--database", "hocso.db", "--out", "good.db"]);
    assert!(ok && printed.contains("Backed up 1 teams and 0 events"), "{printed}{stderr}");
    assert!(Path::new(&path("good.db.secret")).is_file() && !Path::new(&path("good.db.partial")).exists());

    // Not a backup of HocSo: a text file, and a SQLite file of something else.
    std::fs::write(path("notes.txt"), "Tổ Tả Van").unwrap();
    let (ok, _, stderr) = hocso(&["restore", "--from", "notes.txt", "--database", "hocso.db"]);
    assert!(!ok && stderr.contains("notes.txt is not a HocSo database (not a SQLite file)"), "{stderr}");
    let other = sqlx::SqlitePool::connect(&format!("sqlite:{}?mode=rwc", path("other.db"))).await.unwrap();
    sqlx::query("CREATE TABLE recipes (name TEXT)").execute(&other).await.unwrap();
    other.close().await;
    let (ok, _, stderr) = hocso(&["restore", "--from", "other.db", "--database", "hocso.db"]);
    assert!(!ok && stderr.contains("other.db is not a HocSo database (it has no table"), "{stderr}");
    let (ok, _, stderr) = hocso(&["restore", "--from", "missing.db", "--database", "hocso.db"]);
    assert!(!ok && stderr.contains("there is no backup at missing.db"), "{stderr}");

    // Not over a file that is not HocSo's, nor one another program has open.
    let (ok, _, stderr) = hocso(&["restore", "--from", "good.db", "--database", "other.db"]);
    assert!(!ok && stderr.contains("other.db is not a HocSo database"), "{stderr}");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", path("hocso.db"))).await.unwrap();
    sqlx::query("SELECT COUNT(*) FROM teams").fetch_one(&pool).await.unwrap();
    let (ok, _, stderr) = hocso(&["restore", "--from", "good.db", "--database", "hocso.db"]);
    assert!(!ok && stderr.contains("another program has") && stderr.contains("hocso.db open"), "{stderr}");
    pool.close().await;
    assert!(std::fs::read_dir(dir.path()).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().contains("before-restore")), "nothing moved");

    // Into a new place: no previous database to keep.
    let (ok, printed, stderr) = hocso(&["restore", "--from", "good.db", "--database", "fresh.db"]);
    assert!(ok && printed.contains("Restored 1 teams and 0 events") && !printed.contains("previous"), "{printed}{stderr}");
    assert_eq!(std::fs::read(path("fresh.db.secret")).unwrap(), std::fs::read(path("hocso.db.secret")).unwrap());
}
