//! Slow and idle clients cannot hold `hocso serve`: header and request timeouts and the connection
//! cap, over real TCP connections (a client that writes one byte at a time, one that never writes).
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::routing::get;
use axum::Router;
use hocso_server::{ConnectionLimits, ServeConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;

struct Server {
    addr: SocketAddr,
    _dist: tempfile::TempDir,
    _db: tempfile::TempDir,
}

async fn start(limits: ConnectionLimits) -> Server {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<!DOCTYPE html><p>shell</p>").unwrap();
    let db = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = ServeConfig::new(addr, dist.path().to_owned(), common::database_url(&db.path().join("hocso.db")).await);
    config.connections = limits;
    let app = hocso_server::app(&config).await.unwrap();
    tokio::spawn(hocso_server::serve_connections(listener, app, limits, std::future::pending()));
    Server { addr, _dist: dist, _db: db }
}

/// Reads until the server closes the connection (or `within` passes: then panics).
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .expect("the server kept the connection open");
    String::from_utf8_lossy(&answer).into_owned()
}

async fn healthy(addr: SocketAddr) -> bool {
    let response = reqwest::Client::new().get(format!("http://{addr}/healthz")).send().await;
    response.is_ok_and(|r| r.status() == 200)
}

#[tokio::test]
async fn a_client_sending_its_headers_a_byte_at_a_time_is_cut_off_and_others_are_answered() {
    let limits = ConnectionLimits { header_read_timeout: Duration::from_secs(2), ..ConnectionLimits::default() };
    let server = start(limits).await;
    let addr = server.addr;
    let started = Instant::now();
    let slow = tokio::spawn(async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let request = b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: a-very-slow-client\r\n\r\n";
        for byte in request {
            if stream.write_all(&[*byte]).await.is_err() {
                return (true, started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(700)).await;
            // Closed by the server: the next read sees the end at once.
            let mut buf = [0u8; 64];
            if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(Duration::from_millis(1), stream.read(&mut buf)).await {
                return (true, started.elapsed());
            }
        }
        (false, started.elapsed())
    });
    // Meanwhile the server answers everyone else.
    for _ in 0..5 {
        assert!(healthy(addr).await);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let (cut_off, after) = slow.await.unwrap();
    assert!(cut_off, "the slow client sent its whole request in {after:?}");
    assert!(after < Duration::from_secs(5), "cut off only after {after:?}");
    assert!(healthy(addr).await);
}

#[tokio::test]
async fn a_connection_that_says_nothing_is_closed() {
    let limits = ConnectionLimits { header_read_timeout: Duration::from_secs(1), ..ConnectionLimits::default() };
    let server = start(limits).await;
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    assert_eq!(read_until_closed(&mut idle, Duration::from_secs(3)).await, "");

    // Nor can a kept-alive connection stay idle after its answer.
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
}

#[tokio::test]
async fn a_body_dripping_in_is_answered_408() {
    let limits =
        ConnectionLimits { request_timeout: Duration::from_secs(2), body_idle_timeout: Duration::from_secs(10), ..ConnectionLimits::default() };
    let server = start(limits).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"POST /api/v1/devices/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
        .await
        .unwrap();
    let drip = tokio::spawn(async move {
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if stream.write_all(b" ").await.is_err() {
                break;
            }
        }
        stream
    });
    let mut stream = drip.await.unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""error":"request_timeout""#), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("x-content-type-options: nosniff"), "{answer}");
}

#[tokio::test]
async fn over_the_connection_cap_new_clients_are_told_503_and_served_again_once_others_leave() {
    let limits = ConnectionLimits { max_connections: 2, header_read_timeout: Duration::from_secs(30), ..ConnectionLimits::default() };
    let server = start(limits).await;
    let first = TcpStream::connect(server.addr).await.unwrap();
    let _second = TcpStream::connect(server.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let response = reqwest::Client::new().get(format!("http://{}/healthz", server.addr)).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "30");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "overloaded");

    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(healthy(server.addr).await);
}

#[tokio::test]
async fn handlers_see_the_clients_address() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().route("/who", get(|ConnectInfo(client): ConnectInfo<SocketAddr>| async move { client.to_string() }));
    tokio::spawn(hocso_server::serve_connections(listener, app, ConnectionLimits::default(), std::future::pending()));
    let who = reqwest::get(format!("http://{addr}/who")).await.unwrap().text().await.unwrap();
    let client: SocketAddr = who.parse().unwrap();
    assert!(client.ip().is_loopback() && client.port() != addr.port(), "{who}");
}

#[tokio::test]
async fn shutting_down_finishes_and_returns() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = Router::new().route("/healthz", get(|| async { "ok" }));
    let server = tokio::spawn(hocso_server::serve_connections(listener, app, ConnectionLimits::default(), async {
        let _ = stopped.await;
    }));
    assert!(healthy(addr).await);
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server).await.expect("the server did not stop").unwrap();
    assert!(TcpStream::connect(addr).await.is_err(), "still listening");
}
