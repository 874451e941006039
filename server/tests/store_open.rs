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
