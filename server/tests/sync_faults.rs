//! The real client engine (`hocso_core::sync`) against the real server through a TCP proxy on
//! 127.0.0.1 that loses requests, loses answers after the server committed, sends requests twice,
//! delays and reorders them, while phones are switched off mid-sync. At the end the server holds
//! exactly the events the phones created: none missing, none twice.
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

use hocso_core::progress::EventKind;
use hocso_core::sync::memory::MemoryOutbox;
use hocso_core::sync::{Backoff, HttpRequest, HttpResponse, Method, NoAnswer, Outbox, Profile, SyncEngine, SyncStatus, Transport};
use hocso_server::store::Store;
use hocso_server::{Limits, ServeConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const DEVICES: usize = 8;
const ROUNDS_PER_DEVICE: usize = 130;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fault {
    None,
    DropRequest,
    DropResponse,
    Duplicate,
    Delay,
    Reorder,
}

struct Proxy {
    server: SocketAddr,
    rng: Mutex<u64>,
    faults_on: AtomicBool,
    late: Mutex<Vec<Vec<u8>>>,
    counts: Mutex<HashMap<Fault, usize>>,
    late_delivered: AtomicUsize,
}

impl Proxy {
    fn random(&self) -> u64 {
        let mut x = self.rng.lock().unwrap();
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    fn pick(&self) -> Fault {
        if !self.faults_on.load(Ordering::SeqCst) {
            return Fault::None;
        }
        match self.random() % 16 {
            0 | 1 => Fault::DropRequest,
            2 | 3 => Fault::DropResponse,
            4 => Fault::Duplicate,
            5 | 6 => Fault::Delay,
            7 => Fault::Reorder,
            _ => Fault::None,
        }
    }

    async fn start(server: SocketAddr, seed: u64) -> (Arc<Self>, SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let proxy = Arc::new(Proxy {
            server,
            rng: Mutex::new(seed),
            faults_on: AtomicBool::new(true),
            late: Mutex::new(Vec::new()),
            counts: Mutex::new(HashMap::new()),
            late_delivered: AtomicUsize::new(0),
        });
        let running = proxy.clone();
        tokio::spawn(async move {
            loop {
                let (client, _) = listener.accept().await.unwrap();
                let proxy = running.clone();
                tokio::spawn(async move { proxy.handle(client).await });
            }
        });
        (proxy, addr)
    }

    async fn handle(self: Arc<Self>, mut client: TcpStream) {
        let Some(request) = read_request(&mut client).await else { return };
        // Requests held back earlier arrive now, concurrently with and after newer ones.
        let late = {
            let mut late = self.late.lock().unwrap();
            if !late.is_empty() && self.random().is_multiple_of(3) {
                let index = self.random() as usize % late.len();
                Some(late.remove(index))
            } else {
                None
            }
        };
        if let Some(late) = late {
            let proxy = self.clone();
            tokio::spawn(async move {
                forward(proxy.server, &late).await;
                proxy.late_delivered.fetch_add(1, Ordering::SeqCst);
            });
        }
        let fault = self.pick();
        *self.counts.lock().unwrap().entry(fault).or_default() += 1;
        let response = match fault {
            Fault::None => forward(self.server, &request).await,
            Fault::DropRequest => None,
            Fault::DropResponse => {
                forward(self.server, &request).await;
                None
            }
            Fault::Duplicate => {
                forward(self.server, &request).await;
                forward(self.server, &request).await
            }
            Fault::Delay => {
                tokio::time::sleep(Duration::from_millis(1 + self.random() % 30)).await;
                forward(self.server, &request).await
            }
            Fault::Reorder => {
                self.late.lock().unwrap().push(request);
                None
            }
        };
        if let Some(response) = response {
            let _ = client.write_all(&response).await;
        }
        // Dropping `client` closes the connection: with no response written, the phone sees no answer.
    }
}

/// One HTTP/1.1 request: headers, then a body of Content-Length bytes.
async fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).map_or(0, |v| v.trim().parse().unwrap());
            if buffer.len() >= end + 4 + length {
                return Some(buffer);
            }
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// Sends a request to the server on its own connection and reads the whole answer.
async fn forward(server: SocketAddr, request: &[u8]) -> Option<Vec<u8>> {
    let mut stream = TcpStream::connect(server).await.ok()?;
    let first_line_end = request.windows(2).position(|w| w == b"\r\n")? + 2;
    let mut rewritten = request[..first_line_end].to_vec();
    rewritten.extend_from_slice(b"connection: close\r\n");
    rewritten.extend_from_slice(&request[first_line_end..]);
    stream.write_all(&rewritten).await.ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.ok()?;
    Some(response)
}

/// The phone's network: reqwest, one connection per request (so the proxy sees each request alone).
struct Net {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Transport for Net {
    fn send(&mut self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, NoAnswer>> {
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

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

struct Phone {
    outbox: MemoryOutbox,
    net: Net,
    rng: u64,
    learners: Vec<String>,
}

impl Phone {
    fn random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }
}

/// One phone's life: answers, syncs on a flaky network, is switched off mid-sync now and then.
async fn live(mut phone: Phone, rounds: usize) -> (Phone, usize, usize) {
    let no_wait = Backoff { base_ms: 1, max_ms: 2 };
    let mut engine = SyncEngine::new(phone.random()).with_backoff(no_wait);
    let mut kills = 0;
    let mut failed = 0;
    for round in 0..rounds {
        let n = if phone.random().is_multiple_of(10) { 150 + phone.random() % 300 } else { phone.random() % 25 };
        for i in 0..n {
            let learner = phone.learners[(i % 3) as usize].clone();
            phone.outbox.record(&learner, "pay-by-vietqr", now_ms(), EventKind::StepViewed { step: i as u32 });
        }
        if round % 9 == 0 {
            let learner = phone.learners[round % 3].clone();
            phone.outbox.edit_profile(Profile {
                id: learner,
                nickname: format!("round {round}"),
                avatar: "buffalo".into(),
                colour: "#1565c0".into(),
                updated_at: now_ms(),
                deleted: false,
            });
        }
        if phone.random().is_multiple_of(8) {
            // Switched off somewhere in the middle of the sync: memory lost, storage kept.
            let after = Duration::from_micros(phone.random() % 4_000);
            let sync = engine.sync(&mut phone.outbox, &mut phone.net, now_ms());
            if tokio::time::timeout(after, sync).await.is_err() {
                kills += 1;
                engine = SyncEngine::new(phone.rng).with_backoff(no_wait);
            }
        } else if !matches!(engine.sync(&mut phone.outbox, &mut phone.net, now_ms()).await, SyncStatus::Synced { .. }) {
            failed += 1;
        }
    }
    (phone, kills, failed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_faulty_sync_rounds_leave_exactly_the_created_events_on_the_server() {
    // The server's warnings and errors in the output of a failed run (an answer 500 says no more).
    let _ = tracing_subscriber::fmt().with_env_filter("hocso_server=warn").with_test_writer().try_init();
    let started = Instant::now();
    let dist = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    let database = common::database_url(&db.path().join("hocso.db")).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server_addr = listener.local_addr().unwrap();
    let mut config = ServeConfig::new(server_addr, dist.path().to_owned(), database.clone());
    config.limits = Limits { requests_burst: 100_000, requests_per_second: 100_000.0, ..Limits::default() };
    let store = Store::open(&database).await.unwrap();
    let codes = store.create_team("Tổ Tả Van", "Tả Van").await.unwrap();
    let app = hocso_server::router(&config, store.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let (proxy, proxy_addr) = Proxy::start(server_addr, 0x5eed_1234_abcd).await;

    let client = reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(10)).build().unwrap();
    let mut phones = Vec::new();
    for d in 0..DEVICES {
        let device_id = format!("phone-{d}");
        let joined = store.join(&codes.join_code, "test phone", Some(&device_id), None).await.unwrap();
        phones.push(Phone {
            outbox: MemoryOutbox::new(&device_id),
            net: Net { client: client.clone(), base: format!("http://{proxy_addr}"), token: joined.device_token },
            rng: 0x9e37_79b9 + d as u64 * 7_919,
            learners: (0..3).map(|l| format!("learner-{d}-{l}")).collect(),
        });
    }

    let lives: Vec<_> = phones.into_iter().map(|phone| tokio::spawn(live(phone, ROUNDS_PER_DEVICE))).collect();
    let mut phones = Vec::new();
    let (mut kills, mut failed) = (0, 0);
    for life in lives {
        let (phone, k, f) = life.await.unwrap();
        phones.push(phone);
        kills += k;
        failed += f;
    }

    // The network heals; late requests may still arrive. Each phone syncs until everything is sent.
    proxy.faults_on.store(false, Ordering::SeqCst);
    for phone in &mut phones {
        let mut engine = SyncEngine::new(1);
        let status = engine.sync(&mut phone.outbox, &mut phone.net, now_ms()).await;
        assert!(matches!(status, SyncStatus::Synced { .. }), "{}: {status:?}", phone.outbox.device_id());
        assert_eq!(phone.outbox.unsynced_count().await, Ok(0));
    }

    let counts = proxy.counts.lock().unwrap().clone();
    let requests: usize = counts.values().sum();
    let created: BTreeSet<String> = phones.iter().flat_map(|p| p.outbox.events()).map(|e| e.id.clone()).collect();
    let stored = store.event_ids(&codes.team.id).await.unwrap();
    println!(
        "{} rounds, {requests} requests through the proxy {counts:?}, {} late requests delivered, \
         {kills} phones switched off mid-sync, {failed} syncs failed and were retried; \
         {} events created, {} stored, in {:.1} s",
        DEVICES * ROUNDS_PER_DEVICE,
        proxy.late_delivered.load(Ordering::SeqCst),
        created.len(),
        stored.len(),
        started.elapsed().as_secs_f64()
    );
    const { assert!(DEVICES * ROUNDS_PER_DEVICE >= 1_000) };
    for fault in [Fault::DropRequest, Fault::DropResponse, Fault::Duplicate, Fault::Delay, Fault::Reorder] {
        assert!(counts.get(&fault).copied().unwrap_or(0) >= 20, "{fault:?} injected too rarely: {counts:?}");
    }
    assert!(kills >= 20, "phones must really be switched off mid-sync: {kills}");

    assert_eq!(stored.len(), created.len(), "no event missing or doubled");
    assert_eq!(stored.into_iter().collect::<BTreeSet<_>>(), created);
    for phone in &phones {
        for event in phone.outbox.events().step_by(37) {
            assert_eq!(store.event(&event.id).await.unwrap().as_ref(), Some(event), "stored exactly as created");
        }
    }
    // The server acknowledges every phone's last answer, and every phone ends with the team's profiles.
    let mut server_profiles = None;
    for phone in &mut phones {
        let last = phone.outbox.events().last().map_or(0, |e| e.seq);
        assert_eq!(phone.outbox.synced_through(), last);
        let mut engine = SyncEngine::new(2);
        engine.sync(&mut phone.outbox, &mut phone.net, now_ms()).await;
        let profiles: Vec<_> = phone.outbox.profiles().cloned().collect();
        assert_eq!(server_profiles.get_or_insert_with(|| profiles.clone()), &profiles);
    }
    // PostgreSQL is another process: every statement is a round trip, where SQLite's is a call.
    let bound = Duration::from_secs(if common::postgres().is_some() { 120 } else { 60 });
    assert!(started.elapsed() < bound, "bounded in time: {:?}", started.elapsed());
}
