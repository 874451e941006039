//! Opening the database from several processes at once: `hocso serve` starting while a trainer runs
//! `hocso team create` must not make either fail (both bring a new file's schema up to date).
use hocso_server::store::Store;

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_opens_of_a_new_database_all_succeed() {
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let database = common::database_url(&dir.path().join("hocso.db")).await;
        let opens: Vec<_> = (0..4)
            .map(|_| {
                tokio::spawn({
                    let database = database.clone();
                    async move { Store::open(&database).await.map(|_| ()).map_err(|e| format!("{e:#}")) }
                })
            })
            .collect();
        for open in opens {
            open.await.unwrap().unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
        // The schema is whole: a team can be created and read back.
        let store = Store::open(&database).await.unwrap();
        store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    }
}

#[tokio::test]
async fn postgres_without_a_secret_file_is_refused_with_what_to_do() {
    // SQLite keeps its secret beside its file (`code_secret.rs`): this is about PostgreSQL's.
    if common::postgres().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let database = common::database_url(&dir.path().join("hocso.db")).await;
    let error = format!("{:#}", Store::open_with_secret(&database, None).await.err().expect("refused"));
    assert!(error.contains("HOCSO_SECRET_FILE is not set") && error.contains("the same file on every server"), "{error}");
    // With one, it opens; a second server with the same file shares the codes.
    let secret = dir.path().join("hocso.secret");
    let first = Store::open_with_secret(&database, Some(secret.clone())).await.unwrap();
    let codes = first.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let second = Store::open_with_secret(&database, Some(secret)).await.unwrap();
    assert_eq!(second.join(&codes.join_code, "x", None, None).await.unwrap().team.id, codes.team.id);
}
