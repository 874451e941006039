//! What an operator relies on, over real HTTP: `/healthz` reads the database (503 with a sentence
//! when it cannot), `/metrics` counts pushes, events, duplicates, refusals and push times, and
//! SIGTERM lets open requests finish within a deadline, then stops anyway.
mod binary;
mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use binary::{write_dist, Hocso};
use common::answers;
use hocso_server::store::Store;
use hocso_server::ServeConfig;
use serde_json::json;

#[tokio::test]
async fn healthz_answers_503_with_a_sentence_when_the_database_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let dist = write_dist(dir.path());
    let database = dir.path().join("hocso.db");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = ServeConfig::new(addr, dist, database.to_str().unwrap());
    let store = Store::open(database.to_str().unwrap()).await.unwrap();
    let app = hocso_server::router(&config, store.clone());
    tokio::spawn(hocso_server::serve_connections(listener, app, config.connections, std::future::pending()));

    let healthy = reqwest::get(format!("http://{addr}/healthz")).await.unwrap();
    assert_eq!((healthy.status().as_u16(), healthy.text().await.unwrap()), (200, "ok\n".to_owned()));
    // The database goes away under the running server.
    store.close().await;
    let sick = reqwest::get(format!("http://{addr}/healthz")).await.unwrap();
    assert_eq!(sick.status(), 503);
    let sentence = sick.text().await.unwrap();
    assert!(sentence.starts_with("the database cannot be read") && sentence.len() > 40, "{sentence}");
}

async fn metrics(client: &reqwest::Client, base: &str) -> String {
    let response = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    response.text().await.unwrap()
}

fn value(text: &str, name: &str) -> f64 {
    let line = text.lines().find(|line| line.split_whitespace().next() == Some(name)).unwrap_or_else(|| panic!("no {name} in\n{text}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn metrics_count_pushes_events_duplicates_refusals_and_push_times() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let store = Store::open(dir.path().join("hocso.db").to_str().unwrap()).await.unwrap();
    let code = store.create_team("Tổ Tả Van", "Tả Van").await.unwrap().join_code;
    store.close().await;
    let server = Hocso::serve(dir.path(), &[]);
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();

    let before = metrics(&client, &base).await;
    assert_eq!(value(&before, "hocso_sync_pushes_total"), 0.0);
    assert_eq!(value(&before, "hocso_sync_push_duration_seconds_count"), 0.0);

    let token = &common::join_over_http(&client, &base, &code, "a", "phone-a").await;
    let push = |events| client.post(format!("{base}/api/v1/sync/push")).bearer_auth(token).json(&json!({"events": events, "profiles": []})).send();
    assert_eq!(push(answers("phone-a", 1..=10, "mai")).await.unwrap().status(), 200);
    assert_eq!(push(answers("phone-a", 1..=12, "mai")).await.unwrap().status(), 200);
    assert_eq!(push(answers("phone-b", [1], "mai")).await.unwrap().status(), 403, "another device's event");
    for _ in 0..2 {
        assert_eq!(client.get(format!("{base}/api/v1/sync/pull")).bearer_auth("hsd_unknown").send().await.unwrap().status(), 401);
    }
    assert_eq!(client.get(format!("{base}/missing-0123456789abcdef.js")).send().await.unwrap().status(), 404);

    let after = metrics(&client, &base).await;
    assert_eq!(value(&after, "hocso_sync_pushes_total"), 2.0, "{after}");
    assert_eq!(value(&after, "hocso_sync_events_stored_total"), 12.0);
    assert_eq!(value(&after, "hocso_sync_events_duplicate_total"), 10.0);
    assert_eq!(value(&after, "hocso_api_refusals_total{status=\"401\"}"), 2.0);
    assert_eq!(value(&after, "hocso_api_refusals_total{status=\"403\"}"), 1.0);
    assert!(!after.contains("status=\"404\""), "the app's missing files are not API refusals: {after}");
    assert_eq!(value(&after, "hocso_sync_push_duration_seconds_count"), 3.0);
    assert!(value(&after, "hocso_sync_push_duration_seconds_sum") > 0.0);
    assert_eq!(value(&after, "hocso_sync_push_duration_seconds_bucket{le=\"+Inf\"}"), 3.0);
    assert!(after.trim_end().ends_with("# EOF"));
}

/// Sends the headers of a join and half its body on a raw connection: a request in flight.
fn start_slow_join(addr: std::net::SocketAddr, body: &str) -> (std::net::TcpStream, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let head = format!("POST /api/v1/devices/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len());
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(first.as_bytes()).unwrap();
    (stream, rest.to_owned())
}

#[tokio::test]
async fn sigterm_lets_open_requests_finish_then_stops_within_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let store = Store::open(dir.path().join("hocso.db").to_str().unwrap()).await.unwrap();
    let code = store.create_team("Tổ Tả Van", "Tả Van").await.unwrap().join_code;
    store.close().await;
    let body = json!({"code": code, "device_name": "a", "device_id": "phone-a"}).to_string();

    // A request that finishes after the signal is answered; the server then stops at once.
    let server = Hocso::serve(dir.path(), &["--shutdown-grace", "5"]);
    let addr = server.addr;
    let (mut stream, rest) = start_slow_join(addr, &body);
    // Once the server has read the headers, the request is open (a connection whose request has not
    // begun is closed at once on SIGTERM, as an idle one).
    std::thread::sleep(Duration::from_millis(300));
    let pid = server.pid();
    let stopping = std::thread::spawn(move || {
        let started = Instant::now();
        let (status, _) = server.terminate(Duration::from_secs(20));
        (status, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(std::net::TcpStream::connect(addr).is_err(), "no new connections once stopping (pid {pid})");
    stream.write_all(rest.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200") && answer.contains("device_token"), "{answer}");
    let (status, took) = stopping.join().unwrap();
    assert!(status.success());
    assert!(took < Duration::from_secs(4), "stopped {took:?} after the signal: it should not wait once the request is answered");

    // A request that never finishes holds the server only until the deadline.
    let server = Hocso::serve(dir.path(), &["--shutdown-grace", "2"]);
    let (_stream, _) = start_slow_join(server.addr, &body);
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let (status, _) = server.terminate(Duration::from_secs(20));
    let took = started.elapsed();
    assert!(status.success());
    assert!(took >= Duration::from_millis(1_800) && took < Duration::from_secs(5), "stopped {took:?} after the signal, with a 2 s deadline");
}

/// `--public-url`: the real binary tells pages its https address at `/api/v1/server` (a page opened
/// over plain HTTP on the Wi-Fi offers it); without it, `null`; a bad address stops the start with a
/// sentence, before anything listens.
#[tokio::test]
async fn the_public_https_address_is_told_to_pages_and_a_bad_one_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path());
    let server = Hocso::serve(dir.path(), &["--dist", "dist", "--public-url", "https://hocso.example.vn:8443"]);
    let info: serde_json::Value = reqwest::get(format!("http://{}/api/v1/server", server.addr)).await.unwrap().json().await.unwrap();
    assert_eq!(info, json!({ "public_url": "https://hocso.example.vn:8443/" }));
    drop(server);

    let plain = Hocso::serve(dir.path(), &["--dist", "dist"]);
    let info: serde_json::Value = reqwest::get(format!("http://{}/api/v1/server", plain.addr)).await.unwrap().json().await.unwrap();
    assert_eq!(info, json!({ "public_url": null }));
    drop(plain);

    let refused = binary::hocso()
        .args(["serve", "--addr", "127.0.0.1", "--port", "0", "--dist", "dist", "--public-url", "http://hocso.example.vn"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("--public-url must start with https://"), "{stderr}");
}
