//! Join and leader codes are stored as keyed hashes (HMAC-SHA256 with the secret in
//! `<database>.secret`): a copied database file alone does not give the codes up, an older database
//! is converted without losing its codes, and a wrong or lost secret is handled with a clear way out.
mod common;

use std::path::{Path, PathBuf};

use hocso_server::store::{normalise_code, sha256_hex, Store, StoreError};
use sqlx::Row;

/// These tests are about `<database>.secret`, the secret kept beside a SQLite file; a PostgreSQL
/// database's secret is the file `HOCSO_SECRET_FILE` names (see `store_open.rs`).
const SECRET_BESIDE_THE_FILE: &str = "the secret file kept beside the SQLite file";

fn secret_of(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".secret");
    name.into()
}

async fn code_hashes(database: &Path) -> Vec<String> {
    let rows = common::sql(database, "SELECT join_code_hash, leader_code_hash FROM teams").await;
    rows.iter().flat_map(|r| [r.get::<String, _>(0), r.get::<String, _>(1)]).collect()
}

#[tokio::test]
async fn a_copied_database_does_not_give_the_codes_up() {
    if common::sqlite_only(SECRET_BESIDE_THE_FILE) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("hocso.db");
    let store = Store::open(database.to_str().unwrap()).await.unwrap();
    let codes = store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    store.close().await;

    // The secret: beside the database, readable by its owner only, never inside the database.
    let secret = std::fs::read_to_string(secret_of(&database)).unwrap();
    assert_eq!(secret.trim().len(), 64);
    assert!(secret.trim().bytes().all(|b| b.is_ascii_hexdigit()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(secret_of(&database)).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let file = std::fs::read(&database).unwrap();
    assert!(!file.windows(64).any(|w| w == secret.trim().as_bytes()));

    // The stored hashes are no hash of the code anyone could compute from the code alone.
    let hashes = code_hashes(&database).await;
    for code in [&codes.join_code, &codes.leader_code] {
        for plain in [sha256_hex(&normalise_code(code)), sha256_hex(code)] {
            assert!(hashes.iter().all(|h| !h.contains(&plain)), "{hashes:?}");
        }
    }
    assert!(hashes.iter().all(|h| h.starts_with("k1:")), "{hashes:?}");

    // Someone with a copy of the file (and not the secret) cannot check a code against it: opened
    // elsewhere, it gets its own secret and the right code matches nothing.
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("hocso.db");
    std::fs::copy(&database, &copy).unwrap();
    let stolen = Store::open(copy.to_str().unwrap()).await.unwrap();
    assert!(matches!(stolen.join(&codes.join_code, "x", None, None).await, Err(StoreError::InvalidCode)));
    stolen.close().await;

    // With its secret, the server takes the code as typed aloud.
    let store = Store::open(database.to_str().unwrap()).await.unwrap();
    let joined = store.join(&codes.leader_code.to_lowercase().replace('-', " "), "x", None, None).await.unwrap();
    assert_eq!(joined.role.as_str(), "leader");
}

#[tokio::test]
async fn a_database_from_before_keyed_hashes_keeps_its_codes() {
    if common::sqlite_only(SECRET_BESIDE_THE_FILE) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("hocso.db");
    let store = Store::open(database.to_str().unwrap()).await.unwrap();
    let codes = store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    store.close().await;
    // As it was before migration 0004's keys: plain sha256 hashes, no secret.
    let (join, leader) = (sha256_hex(&normalise_code(&codes.join_code)), sha256_hex(&normalise_code(&codes.leader_code)));
    common::sql(&database, &format!("UPDATE teams SET join_code_hash = '{join}', leader_code_hash = '{leader}'")).await;
    common::sql(&database, "DELETE FROM settings").await;
    std::fs::remove_file(secret_of(&database)).unwrap();

    let store = Store::open(database.to_str().unwrap()).await.unwrap();
    let hashes = code_hashes(&database).await;
    assert!(hashes.iter().all(|h| h.starts_with("k1:") && !h.contains(&join) && !h.contains(&leader)), "{hashes:?}");
    assert_eq!(store.join(&codes.join_code, "x", None, None).await.unwrap().team.id, codes.team.id);
    assert_eq!(store.join(&codes.leader_code, "y", None, None).await.unwrap().role.as_str(), "leader");
    store.close().await;
    // Opening again changes nothing.
    let store = Store::open(database.to_str().unwrap()).await.unwrap();
    assert_eq!(code_hashes(&database).await, hashes);
    assert!(store.join(&codes.join_code, "z", None, None).await.is_ok());
}

#[tokio::test]
async fn a_wrong_secret_is_refused_and_a_lost_one_means_new_codes() {
    if common::sqlite_only(SECRET_BESIDE_THE_FILE) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let store_a = Store::open(a.to_str().unwrap()).await.unwrap();
    let codes = store_a.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let phone = store_a.join(&codes.join_code, "x", None, None).await.unwrap();
    store_a.close().await;
    Store::open(b.to_str().unwrap()).await.unwrap().close().await;

    // Another server's secret: refused, with what to do.
    std::fs::copy(secret_of(&b), secret_of(&a)).unwrap();
    let error = format!("{:#}", Store::open(a.to_str().unwrap()).await.err().unwrap());
    assert!(error.contains("is not the secret this database's codes were hashed with"), "{error}");
    assert!(error.contains("hocso team rotate-codes"), "{error}");

    // Lost: a new secret is made; the codes no longer match, joined phones keep working, and new
    // codes work.
    std::fs::remove_file(secret_of(&a)).unwrap();
    let store_a = Store::open(a.to_str().unwrap()).await.unwrap();
    assert!(matches!(store_a.join(&codes.join_code, "x", None, None).await, Err(StoreError::InvalidCode)));
    assert_eq!(store_a.authenticate(&phone.device_token).await.unwrap().id, phone.device_id);
    let renewed = store_a.rotate_codes(&codes.team.id).await.unwrap();
    assert!(store_a.join(&renewed.join_code, "x", None, None).await.is_ok());
    store_a.close().await;
    assert!(Store::open(a.to_str().unwrap()).await.is_ok(), "the new secret is this database's now");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn processes_opening_a_new_database_at_once_share_one_secret() {
    if common::sqlite_only(SECRET_BESIDE_THE_FILE) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("hocso.db").to_str().unwrap().to_owned();
    let opens: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn({
                let database = database.clone();
                async move { Store::open(&database).await.unwrap() }
            })
        })
        .collect();
    let mut stores = Vec::new();
    for open in opens {
        stores.push(open.await.unwrap());
    }
    let codes = stores[0].create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    for store in &stores {
        assert!(store.join(&codes.join_code, "x", None, None).await.is_ok());
    }
}
