//! `cargo xtask bench sync`'s province run: a province's size (Lào Cai: 1,556 teams), every phone
//! joined over HTTP, events pushed in rounds as phones come online, then what an office and a team
//! leader read, timed. Budgets (issue #16): a team's dashboard < 200 ms, the province view < 1 s.
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use hocso_core::progress::{EventKind, ProgressEvent, Score};
use hocso_core::sync::{JoinResponse, PushRequest, PushResponse};
use hocso_server::store::Store;
use hocso_server::Limits;

const TEAMS: usize = 1_556;
const DEVICES_PER_TEAM: usize = 13;
/// 20,228 devices × 10 rounds × 25 events = 5,057,000 events.
const ROUNDS: u64 = 10;
const EVENTS_PER_PUSH: u64 = 25;
/// Requests in flight at once: phones of a province do not all reach the server in one instant.
const IN_FLIGHT: usize = 64;
const LESSONS: [&str; 6] = ["pay-by-vietqr", "what-is-vneid", "spot-a-scam-call", "safe-passwords", "book-a-clinic", "pay-electricity"];
const DASHBOARD_BUDGET: Duration = Duration::from_millis(200);
const PROVINCE_BUDGET: Duration = Duration::from_secs(1);

/// `HOCSO_BENCH_SCALE=0.01` runs a hundredth of it (to try the bench itself quickly).
fn scale(n: usize) -> usize {
    let factor: f64 = std::env::var("HOCSO_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    ((n as f64 * factor).ceil() as usize).max(1)
}

pub async fn bench_province(store: &Store, database: &str) -> anyhow::Result<()> {
    let (teams, devices_per_team) = (scale(TEAMS), DEVICES_PER_TEAM);
    let generous = Limits { requests_burst: 1_000_000, requests_per_second: 1e9, joins_burst: 1_000_000, joins_per_second: 1e9 };
    let base = crate::bench::serve(store, database, generous).await?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(IN_FLIGHT).build()?;
    println!("province run: {teams} teams × {devices_per_team} devices, {ROUNDS} rounds × {EVENTS_PER_PUSH} events per device");

    let started = Instant::now();
    let mut codes = Vec::with_capacity(teams);
    for t in 0..teams {
        codes.push(store.create_team(&format!("Tổ {t:04}"), &format!("Xã {:03}", t / 10)).await?);
    }
    let joins: Vec<(usize, String)> = (0..teams * devices_per_team).map(|d| (d, codes[d / devices_per_team].join_code.clone())).collect();
    let tokens = in_flight(joins, |(d, code)| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let joined: JoinResponse = client
                .post(format!("{base}/devices/join"))
                .json(&serde_json::json!({"code": code, "device_name": "bench", "device_id": format!("p-{d}")}))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            Ok(joined.device_token)
        }
    })
    .await?;
    println!("  {} teams created and {} devices joined over HTTP in {:.1} s", teams, tokens.len(), started.elapsed().as_secs_f64());

    let now = hocso_server::store::now_ms();
    let mut latencies = Vec::new();
    let started = Instant::now();
    for round in 0..ROUNDS {
        let round_started = Instant::now();
        let pushes: Vec<(usize, String)> = tokens.iter().cloned().enumerate().collect();
        let round_latencies = in_flight(pushes, |(d, token)| {
            let (client, base) = (client.clone(), base.clone());
            async move {
                let body = serde_json::to_vec(&PushRequest { events: batch(d, round, now), profiles: Vec::new() })?;
                let sent = Instant::now();
                let answer: PushResponse = client
                    .post(format!("{base}/sync/push"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                let latency = sent.elapsed();
                if answer.acked_through_seq != (round + 1) * EVENTS_PER_PUSH {
                    bail!("device {d}: acknowledged {} after round {round}", answer.acked_through_seq);
                }
                Ok(latency)
            }
        })
        .await?;
        let events = tokens.len() as u64 * EVENTS_PER_PUSH;
        println!(
            "  round {}: {events} events in {:.1} s ({:.0} events/s)",
            round + 1,
            round_started.elapsed().as_secs_f64(),
            events as f64 / round_started.elapsed().as_secs_f64()
        );
        latencies.extend(round_latencies);
    }
    let elapsed = started.elapsed();
    let expected = tokens.len() as u64 * ROUNDS * EVENTS_PER_PUSH;
    latencies.sort();
    let percentile = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3;
    println!(
        "  pushed {expected} events in {:.0} s: {:.0} events/s; push latency p50 {:.1} ms, p99 {:.1} ms ({IN_FLIGHT} pushes in flight)",
        elapsed.as_secs_f64(),
        expected as f64 / elapsed.as_secs_f64(),
        percentile(0.50),
        percentile(0.99)
    );
    let stored = store.event_count().await? as u64;
    println!("  events stored in all: {stored}");

    // What an office and a leader read.
    let (_, admin) = store.create_admin_token("bench office").await?;
    let leader: JoinResponse = client
        .post(format!("{base}/devices/join"))
        .json(&serde_json::json!({"code": codes[0].leader_code, "device_name": "leader"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let timed = |path: &'static str, token: String| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let mut times = Vec::new();
            for _ in 0..3 {
                let sent = Instant::now();
                let text = client.get(format!("{base}{path}")).bearer_auth(&token).send().await?.error_for_status()?.text().await?;
                times.push(sent.elapsed());
                anyhow::ensure!(text.len() > 10, "{path}: {text}");
            }
            times.sort();
            Ok::<_, anyhow::Error>(times[1])
        }
    };
    let dashboard = timed("/team/dashboard", leader.device_token.clone()).await.context("the team dashboard")?;
    let month = timed("/team/dashboard?from=2020-01-01&to=2020-01-31", leader.device_token).await?;
    let province = timed("/admin/teams", admin.clone()).await.context("the province view")?;
    let province_day = timed("/admin/teams?from=2020-01-01&to=2020-01-01", admin).await?;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("  one team's dashboard (all time): {:.0} ms, median of 3 (budget < {} ms)", ms(dashboard), DASHBOARD_BUDGET.as_millis());
    println!("  one team's dashboard (an empty month): {:.0} ms", ms(month));
    println!("  province view, {} teams (all time): {:.0} ms, median of 3 (budget < {} ms)", teams + 1, ms(province), PROVINCE_BUDGET.as_millis());
    println!("  province view (an empty day): {:.0} ms", ms(province_day));
    if stored < expected {
        bail!("the server holds {stored} events, at least {expected} were sent");
    }
    if dashboard >= DASHBOARD_BUDGET || province >= PROVINCE_BUDGET {
        bail!("the province run is over its budget (see above)");
    }
    Ok(())
}

/// Device `d`'s events of `round`: a lesson's worth (started, steps, answers, completed) by one of
/// its three learners, dated over the last 90 days.
fn batch(d: usize, round: u64, now: i64) -> Vec<ProgressEvent> {
    let device = format!("p-{d}");
    let learner = format!("l-{d}-{}", round % 3);
    let lesson = LESSONS[(d + round as usize) % LESSONS.len()];
    let day = 86_400_000;
    let at = now - (ROUNDS - round) as i64 * 9 * day + (d as i64 % 1_000) * 60_000;
    (1..=EVENTS_PER_PUSH)
        .map(|i| {
            let seq = round * EVENTS_PER_PUSH + i;
            let kind = match i {
                1 => EventKind::LessonStarted,
                i if i == EVENTS_PER_PUSH => EventKind::LessonCompleted { score: Score { correct: 4, out_of: 5 } },
                i if i % 2 == 0 => EventKind::StepViewed { step: i as u32 },
                i => EventKind::QuestionAnswered { question: i as u32, chosen: vec![1], correct: i % 3 != 0 },
            };
            ProgressEvent {
                id: ProgressEvent::event_id(&device, seq),
                device_id: device.clone(),
                seq,
                learner_id: learner.clone(),
                lesson_id: lesson.into(),
                lesson_version: "v1".into(),
                at: at + i as i64 * 20_000,
                kind,
            }
        })
        .collect()
}

/// Runs `task` for every item with at most [`IN_FLIGHT`] at once; the answers in item order.
async fn in_flight<I, T, F>(items: Vec<I>, task: impl Fn(I) -> F) -> anyhow::Result<Vec<T>>
where
    I: Send + 'static,
    T: Send + 'static,
    F: std::future::Future<Output = anyhow::Result<T>> + Send + 'static,
{
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut handles = Vec::with_capacity(items.len());
    for item in items {
        let permit = semaphore.clone().acquire_owned().await?;
        let future = task(item);
        handles.push(tokio::spawn(async move {
            let answer = future.await;
            drop(permit);
            answer
        }));
    }
    let mut answers = Vec::with_capacity(handles.len());
    for handle in handles {
        answers.push(handle.await.context("a simulated phone panicked")??);
    }
    Ok(answers)
}
