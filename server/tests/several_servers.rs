//! Several `hocso serve` processes on one database behave as one: the same batch pushed through two
//! real processes at the same moment is stored once, and both answers agree with what is stored.
//! This is what a province runs (several servers behind a load balancer, one PostgreSQL); on SQLite
//! (one file, two processes on one machine) it holds as well, and the test runs on both stores.
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hocso_core::sync::PushResponse;
use hocso_server::store::Store;
use serde_json::json;

mod common;
use common::{answers, database_url, profile, MARCH_2025};

/// A `hocso serve` process, killed when dropped.
struct Process {
    child: Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `hocso serve` on `database` (the environment, with `HOCSO_SECRET_FILE` for PostgreSQL, is
/// inherited) and waits until it answers `/healthz`.
async fn serve(database: &str, dist: &std::path::Path) -> Process {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_hocso"))
        .args(["serve", "--addr", "127.0.0.1", "--port", &port.to_string(), "--database", database])
        .arg("--dist")
        .arg(dist)
        // Only warnings and errors, straight to the test's output: a failure shows the servers' side.
        .env("RUST_LOG", "warn")
        .stdout(Stdio::inherit())
        .spawn()
        .expect("hocso serve starts");
    let process = Process { child, base: format!("http://127.0.0.1:{port}") };
    let started = Instant::now();
    loop {
        if reqwest::get(format!("{}/healthz", process.base)).await.is_ok_and(|r| r.status() == 200) {
            return process;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "hocso serve on port {port} did not answer within 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn push(client: &reqwest::Client, server: &Process, token: &str, body: &serde_json::Value) -> PushResponse {
    let response = client.post(format!("{}/api/v1/sync/push", server.base)).bearer_auth(token).json(body).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_batch_pushed_through_two_servers_at_once_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!DOCTYPE html>").unwrap();
    let database = database_url(&dir.path().join("hocso.db")).await;
    // Created before the servers start, as `hocso team create` would.
    let store = Store::open(&database).await.unwrap();
    let codes = store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let (a, b) = (serve(&database, &dist).await, serve(&database, &dist).await);
    let client = reqwest::Client::new();

    // Joined through server A; its token works on server B: the servers share everything.
    let token = common::join_over_http(&client, &a.base, &codes.join_code, "Điện thoại chị Mai", "phone-a").await;

    const ROUNDS: u64 = 20;
    const BATCH: u64 = 50;
    for round in 0..ROUNDS {
        let seqs = round * BATCH + 1..=(round + 1) * BATCH;
        // Every round also carries a profile edit: both servers bump the team's revision.
        let body =
            json!({"events": answers("phone-a", seqs, "mai"), "profiles": [profile("mai", &format!("Mai {round}"), MARCH_2025 + round as i64)]});
        let (from_a, from_b) = tokio::join!(push(&client, &a, &token, &body), push(&client, &b, &token, &body));
        assert_eq!(u64::from(from_a.stored + from_b.stored), BATCH, "round {round}: stored once in all: {from_a:?} {from_b:?}");
        assert_eq!(u64::from(from_a.duplicates + from_b.duplicates), BATCH, "round {round}: {from_a:?} {from_b:?}");
        // Each answer vouches only for what is stored: the whole batch, whichever server stored it.
        assert_eq!((from_a.acked_through_seq, from_b.acked_through_seq), ((round + 1) * BATCH, (round + 1) * BATCH), "round {round}");
        assert_eq!(from_a.profiles_applied + from_b.profiles_applied, 1, "round {round}: the edit is applied once");
    }
    assert_eq!(store.event_count().await.unwrap(), (ROUNDS * BATCH) as i64);
    let ids = store.event_ids(&codes.team.id).await.unwrap();
    assert_eq!(ids.len(), (ROUNDS * BATCH) as usize, "no event twice");

    // Overlapping batches from one phone through both servers: the union is stored, nothing twice.
    let first = json!({"events": answers("phone-a", 1001..=1100, "mai"), "profiles": []});
    let second = json!({"events": answers("phone-a", 1051..=1150, "mai"), "profiles": []});
    let (x, y) = tokio::join!(push(&client, &a, &token, &first), push(&client, &b, &token, &second));
    assert_eq!(x.stored + y.stored, 150, "{x:?} {y:?}");
    assert_eq!(store.event_count().await.unwrap(), (ROUNDS * BATCH + 150) as i64);
    let last = push(&client, &b, &token, &json!({"events": [], "profiles": []})).await;
    assert_eq!(last.acked_through_seq, 1150);

    // Next batches of one phone through both servers at once (the phone retried on the other one):
    // whichever is stored second walks the acknowledgement over both, so that the phone is never
    // told less than is stored (it would resend those events forever: a duplicate does not walk).
    for round in 0..10u64 {
        let start = 1151 + round * 100;
        let first = json!({"events": answers("phone-a", start..=start + 49, "mai"), "profiles": []});
        let second = json!({"events": answers("phone-a", start + 50..=start + 99, "mai"), "profiles": []});
        let (x, y) = tokio::join!(push(&client, &a, &token, &first), push(&client, &b, &token, &second));
        assert_eq!(x.stored + y.stored, 100, "{x:?} {y:?}");
        assert_eq!(x.acked_through_seq.max(y.acked_through_seq), start + 99, "round {round}: {x:?} {y:?}");
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_phones_joining_and_pushing_through_two_servers_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!DOCTYPE html>").unwrap();
    let database = database_url(&dir.path().join("hocso.db")).await;
    let store = Store::open(&database).await.unwrap();
    let codes = store.create_team("Tổ Bản Hồ", "Bản Hồ").await.unwrap();
    let servers = [serve(&database, &dist).await, serve(&database, &dist).await];
    let client = reqwest::Client::new();

    const PHONES: usize = 12;
    let phones = futures_join_all((0..PHONES).map(|p| {
        let (client, server, code) = (client.clone(), &servers[p % 2], codes.join_code.clone());
        async move { common::join_over_http(&client, &server.base, &code, "x", &format!("phone-{p}")).await }
    }))
    .await;
    // Each phone pushes its 1..=60 in three batches, alternating servers, all phones at once.
    futures_join_all(phones.iter().enumerate().map(|(p, token)| {
        let client = client.clone();
        let servers = &servers;
        async move {
            for (i, seqs) in [1..=20u64, 21..=40, 41..=60].into_iter().enumerate() {
                let body = json!({"events": answers(&format!("phone-{p}"), seqs, &format!("learner-{p}")), "profiles": []});
                let answer = push(&client, &servers[(p + i) % 2], token, &body).await;
                assert_eq!(answer.acked_through_seq, 20 * (i as u64 + 1), "phone {p}, batch {i}");
            }
        }
    }))
    .await;
    assert_eq!(store.event_count().await.unwrap(), (PHONES * 60) as i64);
    assert_eq!(store.list_devices(&codes.team.id).await.unwrap().len(), PHONES);
    store.close().await;
}

/// Runs the futures concurrently, answers in order (what `futures::future::join_all` does).
async fn futures_join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}
