//! `cargo xtask bench [sync|learner|lighthouse]`: the performance budgets, as figures.
//!
//! - `learner` (`tests/bench/learner.mjs`): saving an answer, an offline reload, first-visit bytes.
//! - `lighthouse` (`tests/bench/lighthouse.mjs`): the learner's first visit to `/` as Lighthouse
//!   measures it (mobile defaults, simulated throttling), three runs, the median against the budgets
//!   performance ≥ 90, LCP ≤ 2.5 s, TBT ≤ 200 ms. Lighthouse is installed on demand, not with the tests.
//! - `sync`: the sync server's ingest budget (DESIGN.md "Performance budgets"), below.
//!
//! Starts the real server in this process on 127.0.0.1:0 with a fresh SQLite file and joins 200
//! devices. Two phases, both bounded so the bench ends in seconds:
//! 1. **budget**: the 200 devices each push a batch every second, spread over the second, offering
//!    6,000 events/s; the budget is ≥ 5,000 events/s ingested with push p99 < 100 ms (2 cores).
//! 2. **saturation**: all 200 push big batches back to back, as phones coming online after a week
//!    would; shows the most the server ingests (latency here is queueing: 200 pushes wait in line).
//! 3. **province** (`province.rs`): 1,556 teams, 20,228 devices joined over HTTP, 5 million events
//!    pushed in rounds, then the province view and one team's dashboard timed.
//!
//! `--database sqlite` (the default) or `--database postgres`: the store under test; PostgreSQL is a
//! throw-away cluster started for the bench (`postgres.rs`), durable as SQLite is (fsync on).
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use hocso_core::progress::{EventKind, ProgressEvent};
use hocso_core::sync::{JoinResponse, PushRequest, PushResponse};
use hocso_server::store::Store;
use hocso_server::ServeConfig;

use crate::root;
use crate::run::run;

const DEVICES: usize = 200;
/// Budget phase: each device pushes `PACED_EVENTS` events every `PACED_PERIOD`, `PACED_PUSHES` times.
const PACED_PUSHES: u64 = 8;
const PACED_EVENTS: u64 = 30;
const PACED_PERIOD: Duration = Duration::from_secs(1);
/// Saturation phase.
const BURST_PUSHES: u64 = 5;
const BURST_EVENTS: u64 = 100;
const EVENTS_PER_SECOND_BUDGET: f64 = 5_000.0;
const P99_BUDGET: Duration = Duration::from_millis(100);

/// `cargo xtask bench [sync|learner|lighthouse]`: all of them when no name is given.
pub fn bench(args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        Some("sync") => bench_sync_release(&args[1..]),
        Some("learner") => bench_browser(true, false),
        Some("lighthouse") => bench_browser(false, true),
        None => {
            // All always run, so one budget missed does not hide the others' figures.
            let sync = bench_sync_release(&[]);
            let browser = bench_browser(true, true);
            sync.and(browser)
        }
        _ => bail!("usage: cargo xtask bench [sync|learner|lighthouse]"),
    }
}

/// The budgets measured in the browser: one fresh release build, then `tests/bench/learner.mjs`
/// and/or `tests/bench/lighthouse.mjs` (each starts its own `hocso serve` on that build).
fn bench_browser(learner: bool, lighthouse: bool) -> anyhow::Result<()> {
    crate::install::install(true)?;
    crate::build::build()?;
    let root = root();
    let node = |script: &str| {
        let mut command = Command::new("node");
        command.arg(script).current_dir(root.join("tests")).env("HOCSO_BIN", root.join("target/release/hocso")).env("HOCSO_DIST", root.join("dist"));
        command
    };
    let learner = if learner { run(node("bench/learner.mjs").env("CHROMIUM", crate::install::CHROMIUM)) } else { Ok(()) };
    let lighthouse = if lighthouse {
        lighthouse_cli().and_then(|cli| {
            run(node("bench/lighthouse.mjs")
                .env("LIGHTHOUSE_CLI", cli)
                .env("LIGHTHOUSE_OUT", root.join("target/lighthouse"))
                .env("CHROME_PATH", crate::install::CHROMIUM))
        })
    } else {
        Ok(())
    };
    learner.and(lighthouse)
}

/// Lighthouse, pinned, from npm into `target/tools/lighthouse/` (its own prefix: an `npm install
/// --no-save` into `target/tools/` would remove the build tools there). Only this bench needs it,
/// so `cargo xtask test` does not download it. Lighthouse 13 asks for Node ≥ 22.19 but runs on
/// Debian 12's Node 20 (npm warns `EBADENGINE`).
const LIGHTHOUSE_NPM_VERSION: &str = "13.5.0";

fn lighthouse_cli() -> anyhow::Result<std::path::PathBuf> {
    let prefix = root().join("target/tools/lighthouse");
    let package = prefix.join("node_modules/lighthouse");
    let installed = std::fs::read_to_string(package.join("package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|json| json["version"] == LIGHTHOUSE_NPM_VERSION);
    if !installed {
        std::fs::create_dir_all(&prefix)?;
        run(Command::new("npm")
            .args(["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
            .arg(&prefix)
            .arg(format!("lighthouse@{LIGHTHOUSE_NPM_VERSION}")))
        .context("installing Lighthouse from npm")?;
    }
    Ok(package.join("cli/index.js"))
}

/// Which store `bench sync` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    Sqlite,
    Postgres,
}

fn parse_database(args: &[String]) -> anyhow::Result<Database> {
    match args.iter().position(|a| a == "--database").map(|i| args.get(i + 1).map(String::as_str)) {
        None | Some(Some("sqlite")) => Ok(Database::Sqlite),
        Some(Some("postgres")) => Ok(Database::Postgres),
        _ => bail!("usage: cargo xtask bench sync [--database sqlite|postgres] [--no-province]"),
    }
}

fn bench_sync_release(args: &[String]) -> anyhow::Result<()> {
    let database = parse_database(args)?;
    // Timing an unoptimised server would say nothing about the real one; a trial of the bench
    // itself at a small scale (`HOCSO_BENCH_SCALE`, see `province.rs`) runs in whatever build runs it.
    if cfg!(debug_assertions) && std::env::var_os("HOCSO_BENCH_SCALE").is_none() {
        return run(Command::new(env!("CARGO"))
            .current_dir(root())
            .args(["run", "--quiet", "--release", "--package", "xtask", "--", "bench", "sync"])
            .args(args));
    }
    let province = !args.iter().any(|a| a == "--no-province");
    // Kept until the end: dropping it stops the cluster.
    let (_cluster, database, secret, _dir) = match database {
        Database::Sqlite => {
            let dir = tempfile::tempdir()?;
            let file = dir.path().join("bench.db").to_string_lossy().into_owned();
            (None, file, None, Some(dir))
        }
        Database::Postgres => {
            let cluster = crate::postgres::Cluster::start("postgres-bench", true)?;
            cluster.create_database("hocso_bench")?;
            let (url, secret) = (cluster.database_url("hocso_bench"), cluster.secret_file());
            (Some(cluster), url, Some(secret), None)
        }
    };
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async {
        let store = Store::open_with_secret(&database, secret).await?;
        println!("store: {:?}", store.backend());
        let sync = bench_sync(&store, &database).await;
        let province = if province { crate::province::bench_province(&store, &database).await } else { Ok(()) };
        store.close().await;
        sync.and(province)
    })
}

/// Serves `store` in this process on 127.0.0.1:0 with `limits`: the bench's phones are its only clients.
pub async fn serve(store: &Store, database: &str, limits: hocso_server::Limits) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?.keep();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let mut config = ServeConfig::new(addr, dir.join("dist"), database.to_owned());
    config.limits = limits;
    let app = hocso_server::router(&config, store.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}/api/v1"))
}

async fn bench_sync(store: &Store, database: &str) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let config = ServeConfig::new(addr, dir.path().join("dist"), database.to_owned());
    let codes = store.create_team("Bench team", "Bench commune").await?;
    let app = hocso_server::router(&config, store.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = reqwest::Client::builder().pool_max_idle_per_host(DEVICES).build()?;
    let base = format!("http://{addr}/api/v1");
    let mut tokens = Vec::new();
    for d in 0..DEVICES {
        let joined: JoinResponse = client
            .post(format!("{base}/devices/join"))
            .json(&serde_json::json!({"code": codes.join_code, "device_name": "bench", "device_id": format!("bench-{d}")}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        tokens.push(joined.device_token);
    }

    println!("sync bench: {DEVICES} devices on {} cores", std::thread::available_parallelism().map_or(1, |n| n.get()));
    let paced = phase(&client, &base, &tokens, 0, PACED_PUSHES, PACED_EVENTS, Some(PACED_PERIOD)).await?;
    paced.print(&format!("budget phase ({DEVICES} devices × {PACED_PUSHES} pushes × {PACED_EVENTS} events, one push per device per second)"), true);
    let burst = phase(&client, &base, &tokens, PACED_PUSHES * PACED_EVENTS, BURST_PUSHES, BURST_EVENTS, None).await?;
    burst.print(&format!("saturation ({DEVICES} devices × {BURST_PUSHES} pushes × {BURST_EVENTS} events, back to back)"), false);
    let expected = DEVICES as u64 * (PACED_PUSHES * PACED_EVENTS + BURST_PUSHES * BURST_EVENTS);
    let events = store.event_count().await? as u64;
    if events != expected {
        bail!("the server holds {events} events, {expected} were sent");
    }
    if paced.rate < EVENTS_PER_SECOND_BUDGET || paced.p99 >= P99_BUDGET {
        bail!("the sync server is over its performance budget");
    }
    Ok(())
}

struct Figures {
    events: u64,
    elapsed: Duration,
    rate: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

impl Figures {
    fn print(&self, what: &str, budget: bool) {
        let (rate_budget, p99_budget) = if budget {
            (format!(" (budget ≥ {EVENTS_PER_SECOND_BUDGET:.0})"), format!(" (budget p99 < {} ms)", P99_BUDGET.as_millis()))
        } else {
            (String::new(), " (queueing: every device pushes at once)".to_owned())
        };
        println!("  {what}:");
        println!("    {} events in {:.2} s: {:.0} events/s{rate_budget}", self.events, self.elapsed.as_secs_f64(), self.rate);
        println!(
            "    push latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms{p99_budget}",
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.max.as_secs_f64() * 1e3,
        );
    }
}

async fn phase(
    client: &reqwest::Client,
    base: &str,
    tokens: &[String],
    first_seq: u64,
    pushes: u64,
    events: u64,
    period: Option<Duration>,
) -> anyhow::Result<Figures> {
    let started = Instant::now();
    let devices: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(d, token)| {
            let (client, url, token) = (client.clone(), format!("{base}/sync/push"), token.clone());
            // Spread the devices over the period, as real phones are.
            let offset = period.map(|p| p * d as u32 / tokens.len() as u32);
            tokio::spawn(async move { device(d, &client, &url, &token, first_seq, pushes, events, offset, period).await })
        })
        .collect();
    let mut latencies = Vec::new();
    for device in devices {
        latencies.extend(device.await.context("a simulated device panicked")??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let percentile = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let total = tokens.len() as u64 * pushes * events;
    Ok(Figures {
        events: total,
        elapsed,
        rate: total as f64 / elapsed.as_secs_f64(),
        p50: percentile(0.50),
        p99: percentile(0.99),
        max: *latencies.last().unwrap(),
    })
}

/// One phone: its batches in order, each timed from send to acknowledgement.
#[allow(clippy::too_many_arguments)]
async fn device(
    d: usize,
    client: &reqwest::Client,
    url: &str,
    token: &str,
    first_seq: u64,
    pushes: u64,
    events_per_push: u64,
    offset: Option<Duration>,
    period: Option<Duration>,
) -> anyhow::Result<Vec<Duration>> {
    let device_id = format!("bench-{d}");
    let mut latencies = Vec::new();
    let start = tokio::time::Instant::now() + offset.unwrap_or_default();
    for batch in 0..pushes {
        if let Some(period) = period {
            tokio::time::sleep_until(start + period * batch as u32).await;
        }
        let events = (1..=events_per_push)
            .map(|i| {
                let seq = first_seq + batch * events_per_push + i;
                ProgressEvent {
                    id: ProgressEvent::event_id(&device_id, seq),
                    device_id: device_id.clone(),
                    seq,
                    learner_id: format!("learner-{d}-{}", seq % 4),
                    lesson_id: "pay-by-vietqr".into(),
                    lesson_version: "3f9c2a7b".into(),
                    at: hocso_server::store::now_ms() - 86_400_000 + seq as i64,
                    kind: EventKind::QuestionAnswered { question: (seq % 5) as u32, chosen: vec![1], correct: seq.is_multiple_of(3) },
                }
            })
            .collect();
        let body = serde_json::to_vec(&PushRequest { events, profiles: Vec::new() })?;
        let sent = Instant::now();
        let answer: PushResponse = client
            .post(url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        latencies.push(sent.elapsed());
        if answer.acked_through_seq != first_seq + (batch + 1) * events_per_push {
            bail!("device {d}: acknowledged {} after batch {batch}", answer.acked_through_seq);
        }
    }
    Ok(latencies)
}
