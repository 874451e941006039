//! A real `hocso` router on 127.0.0.1 over a real database, and a phone's view of the sync API
//! (reqwest): shared by the sync test files that need to restart the server or run `hocso` itself.
//!
//! Which database: a SQLite file by default; when `HOCSO_TEST_DATABASE_URL` names a PostgreSQL
//! server (`cargo xtask test` starts one and runs the suite a second time), every test's database
//! path is mapped by [`database_url`] to a PostgreSQL database of its own, created on first use.
#![allow(dead_code)]
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use hocso_core::progress::{EventKind, ProgressEvent};
use hocso_core::sync::{JoinResponse, Profile};
use hocso_server::store::Store;
use hocso_server::{Limits, ServeConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

pub struct Server {
    pub addr: SocketAddr,
    pub store: Store,
    pub client: reqwest::Client,
    /// The test's database path (a SQLite file, or the key of its PostgreSQL database).
    pub database: PathBuf,
    /// What `hocso --database` is given for it (see [`database_url`]).
    pub url: String,
    task: tokio::task::JoinHandle<()>,
    _dist: tempfile::TempDir,
}

/// Limits high enough that only the test's own traffic decides.
pub fn generous() -> Limits {
    Limits { requests_burst: 10_000, requests_per_second: 10_000.0, joins_burst: 10_000, joins_per_second: 10_000.0 }
}

impl Server {
    /// Serves `database` (created if missing) on a new port.
    pub async fn start(database: &Path, limits: Limits) -> Server {
        let dist = tempfile::tempdir().unwrap();
        std::fs::write(dist.path().join("index.html"), "<!DOCTYPE html>").unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let url = database_url(database).await;
        let mut config = ServeConfig::new(addr, dist.path().to_owned(), url.clone());
        config.limits = limits;
        let store = Store::open(&url).await.unwrap();
        let app = hocso_server::router(&config, store.clone());
        let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { addr, store, client: reqwest::Client::new(), database: database.to_owned(), url, task, _dist: dist }
    }

    /// Stops serving and closes the database (as `hocso serve` does on Ctrl-C).
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
        self.store.close().await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}/api/v1{path}", self.addr)
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let response = self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
    }

    /// A join that must succeed.
    pub async fn join(&self, body: Value) -> JoinResponse {
        let (status, answer) = self.post("/devices/join", None, &body).await;
        assert_eq!(status, 200, "{answer}");
        serde_json::from_value(answer).unwrap()
    }

    pub async fn push(&self, token: &str, events: &[ProgressEvent], profiles: &[Profile]) -> (StatusCode, Value) {
        self.post("/sync/push", Some(token), &json!({"events": events, "profiles": profiles})).await
    }

    /// A push that must succeed: its answer.
    pub async fn push_ok(&self, token: &str, events: &[ProgressEvent], profiles: &[Profile]) -> Value {
        let (status, answer) = self.push(token, events, profiles).await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// Every page of the team's profiles.
    pub async fn pull_all(&self, token: &str) -> (Vec<Value>, u64) {
        let (mut profiles, mut cursor) = (Vec::new(), String::new());
        loop {
            let query = if cursor.is_empty() { String::new() } else { format!("?cursor={cursor}") };
            let (status, page) = self.get(&format!("/sync/pull{query}"), token).await;
            assert_eq!(status, 200, "{page}");
            profiles.extend(page["profiles"].as_array().unwrap().iter().cloned());
            cursor = page["cursor"].as_str().unwrap().to_owned();
            if page["has_more"] == false {
                return (profiles, page["acked_through_seq"].as_u64().unwrap());
            }
        }
    }

    /// Runs SQL against the database, as someone holding a copy of it would.
    pub async fn sql(&self, query: &str) -> Vec<sqlx::any::AnyRow> {
        sql(&self.database, query).await
    }
}

/// Joins a phone to the team of `code` on a `hocso` process at `base` (`http://…` or `https://…`)
/// with `client`, as the app does, and returns its device token (panics with the answer if none).
pub async fn join_over_http(client: &reqwest::Client, base: &str, code: &str, device_name: &str, device_id: &str) -> String {
    let joined: Value = client
        .post(format!("{base}/api/v1/devices/join"))
        .json(&json!({"code": code, "device_name": device_name, "device_id": device_id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    joined["device_token"].as_str().unwrap_or_else(|| panic!("{device_id} did not join: {joined}")).to_owned()
}

/// The PostgreSQL server the suite runs against (`HOCSO_TEST_DATABASE_URL`, an URL of its
/// maintenance database, e.g. `postgres://postgres@127.0.0.1:5433/postgres`), or `None`: SQLite.
pub fn postgres() -> Option<String> {
    std::env::var("HOCSO_TEST_DATABASE_URL").ok().filter(|url| !url.is_empty())
}

/// What the server is given for the test database at `path`: the path itself (SQLite), or the URL
/// of a PostgreSQL database named after the path, created if it does not exist yet. Each test uses
/// its own temporary directory, so each gets its own empty database, and a test that restarts its
/// server on the same path finds its data again.
pub async fn database_url(path: &Path) -> String {
    let Some(maintenance) = postgres() else { return path.to_str().unwrap().to_owned() };
    let name = format!("hocso_test_{}", &hocso_server::store::sha256_hex(path.to_str().unwrap())[..24]);
    let base = &maintenance[..maintenance.rfind('/').expect("HOCSO_TEST_DATABASE_URL is postgres://user@host:port/database")];
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&maintenance).await.expect("the test PostgreSQL server answers");
    let exists = sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1").bind(&name).fetch_optional(&pool).await.unwrap().is_some();
    if !exists {
        for attempt in 1.. {
            match sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await {
                Ok(_) => break,
                // Another test created it (42P04), or was copying the template at the same time (55006).
                Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => break,
                Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55006") && attempt < 50 => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await
                }
                Err(e) => panic!("creating the test database {name}: {e}"),
            }
        }
    }
    pool.close().await;
    format!("{base}/{name}")
}

/// A connection pool of its own to the database the server was given (`database_url`'s answer).
pub async fn pool(database: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = if hocso_server::store::is_postgres_url(database) { database.to_owned() } else { format!("sqlite:{database}") };
    sqlx::AnyPool::connect(&url).await.unwrap()
}

pub async fn sql(database: &Path, query: &str) -> Vec<sqlx::any::AnyRow> {
    let pool = pool(&database_url(database).await).await;
    let rows = sqlx::query(query).fetch_all(&pool).await.unwrap();
    pool.close().await;
    rows
}

/// Says why a test does not run against PostgreSQL (it is about SQLite's file, not the store's
/// behaviour), and whether to skip it.
pub fn sqlite_only(why: &str) -> bool {
    if postgres().is_some() {
        eprintln!("SQLite only, skipped on PostgreSQL: {why}");
        return true;
    }
    false
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// 2025-03-01 00:00 UTC: a plausible time for an answer.
pub const MARCH_2025: i64 = 1_740_787_200_000;

pub fn event(device: &str, seq: u64, learner: &str, kind: EventKind) -> ProgressEvent {
    ProgressEvent {
        id: ProgressEvent::event_id(device, seq),
        device_id: device.into(),
        seq,
        learner_id: learner.into(),
        lesson_id: "pay-by-vietqr".into(),
        lesson_version: "v1".into(),
        at: MARCH_2025 + seq as i64 * 1_000,
        kind,
    }
}

/// An answer of `learner` recorded on `device` as its `seq`-th event.
pub fn answer(device: &str, seq: u64, learner: &str) -> ProgressEvent {
    event(device, seq, learner, EventKind::QuestionAnswered { question: 1, chosen: vec![2], correct: true })
}

pub fn answers(device: &str, seqs: impl IntoIterator<Item = u64>, learner: &str) -> Vec<ProgressEvent> {
    seqs.into_iter().map(|seq| answer(device, seq, learner)).collect()
}

pub fn profile(id: &str, nickname: &str, updated_at: i64) -> Profile {
    Profile { id: id.into(), nickname: nickname.into(), avatar: "buffalo".into(), colour: "#2e7d32".into(), updated_at, deleted: false }
}

/// A content-free tombstone, as phones send one.
pub fn tombstone(id: &str, updated_at: i64) -> Profile {
    Profile::tombstone(id, updated_at)
}

pub fn assert_error(status: StatusCode, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status.as_u16(), expected_status, "{body}");
    assert_eq!(body["error"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.len() > 10), "a clear sentence: {body}");
}

/// A phone's network for the core engine: reqwest to this server, with the device token.
pub struct Net {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Net {
    pub fn to(server: &Server, token: &str) -> Net {
        Net { client: server.client.clone(), base: format!("http://{}", server.addr), token: token.to_owned() }
    }
}

impl hocso_core::sync::Transport for Net {
    fn send(
        &mut self,
        request: hocso_core::sync::HttpRequest,
    ) -> impl std::future::Future<Output = Result<hocso_core::sync::HttpResponse, hocso_core::sync::NoAnswer>> {
        use hocso_core::sync::{HttpResponse, Method, NoAnswer};
        let url = format!("{}{}", self.base, request.path);
        let builder = match request.method {
            Method::Get => self.client.get(url),
            Method::Post => self.client.post(url).header("content-type", "application/json"),
        };
        let builder = builder.bearer_auth(&self.token).body(request.body.unwrap_or_default());
        async move {
            let response = builder.send().await.map_err(|_| NoAnswer)?;
            let status = response.status().as_u16();
            let body = response.text().await.map_err(|_| NoAnswer)?;
            Ok(HttpResponse { status, body })
        }
    }
}

/// The repository's `content/`: the shipped lessons.
pub fn shipped_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

/// Copies a folder tree (a content folder into a test's temporary one).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
