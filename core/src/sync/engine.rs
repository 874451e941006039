//! The client side of sync: push the outbox in batches, pull the team's changes, report a calm status.
//!
//! The engine owns no I/O and no timer. The app hands it its local store ([`Outbox`], IndexedDB in
//! the browser) and a [`Transport`] (fetch in the browser, reqwest in tests); both are plain traits
//! whose methods return futures, so no async runtime is needed and the same code runs in WASM.
//! After a failure the engine computes when to retry ([`SyncEngine::retry_at`]); the caller sets
//! the timer and calls [`SyncEngine::sync`] again.
//!
//! Why nothing is lost or doubled: an event leaves the outbox only after the server answered that it
//! holds every event of the device up to some `seq` (`acked_through_seq`), and the server stores each
//! event id once. A lost request, a lost answer, a repeated or late batch, or a phone switched off in
//! the middle all end the same way: the batch is sent again and the server ignores what it has.
use std::future::Future;

use super::protocol::{
    ApiError, Profile, PullResponse, PushRequest, PushResponse, API_PREFIX, CLIENT_BATCH, MAX_PROFILES_PER_PUSH,
};
use crate::progress::ProgressEvent;

/// How the last sync went, for the status line ("12 answers waiting to sync" / "synced 5 min ago").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncStatus {
    /// Nothing tried yet.
    Idle,
    /// A sync is running.
    Syncing,
    /// Answers are saved on this phone and will be sent on the next sync.
    Waiting { unsynced: usize },
    /// Everything was sent and the team's changes received, at this time (ms since the epoch).
    Synced { at: i64 },
    /// The last sync stopped. `Offline` and `Server` are retried at [`SyncEngine::retry_at`];
    /// `Revoked` and `Rejected` need a person (join again / update the app) and are not retried.
    Failed { reason: FailReason },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailReason {
    /// No answer: no signal, the server is down, or the connection broke.
    Offline,
    /// The device token is no longer accepted: the leader removed this phone, or it must join again.
    Revoked,
    /// The server refused the data (the message says why); sending it again will not help.
    Rejected(String),
    /// The server failed or asked us to slow down; try again later.
    Server,
}

impl FailReason {
    pub fn is_retried(&self) -> bool {
        matches!(self, FailReason::Offline | FailReason::Server)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// A request for the transport: it adds the server's base URL and `Authorization: Bearer <token>`,
/// and sends `body` (JSON) as `Content-Type: application/json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    /// Path and query, e.g. `/api/v1/sync/pull?limit=200`.
    pub path: String,
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

/// The request got no answer (network error, timeout, connection closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoAnswer;

/// Sends one HTTP request to the team server.
pub trait Transport {
    fn send(&mut self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, NoAnswer>>;
}

/// The phone's durable store, as the engine needs it. Each method must have taken effect durably
/// when its future completes (a phone switched off right after must not forget it).
pub trait Outbox {
    /// Up to `limit` events of this device not yet acknowledged, lowest `seq` first.
    fn unsynced_events(&mut self, limit: usize) -> impl Future<Output = Vec<ProgressEvent>>;
    fn unsynced_count(&mut self) -> impl Future<Output = usize>;
    /// The server holds every event of this device up to `seq`: they need never be sent again.
    fn mark_synced_through(&mut self, seq: u64) -> impl Future<Output = ()>;
    /// Profiles edited on this phone since they were last sent.
    fn changed_profiles(&mut self) -> impl Future<Output = Vec<Profile>>;
    /// These versions reached the server; keep a profile "changed" if it was edited again since.
    fn mark_profiles_synced(&mut self, sent: &[Profile]) -> impl Future<Output = ()>;
    /// The cursor saved by the last [`Outbox::apply_pull`], if any.
    fn pull_cursor(&mut self) -> impl Future<Output = Option<String>>;
    /// Merge one page of team changes (profiles last-writer-wins, see
    /// [`super::profile_write_wins`]) and save `page.cursor`, together.
    fn apply_pull(&mut self, page: &PullResponse) -> impl Future<Output = ()>;
}

/// Exponential backoff with jitter: the n-th failure in a row waits about `base · 2ⁿ⁻¹`, capped, and
/// a random half of that again so a village of phones coming back online do not all call at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base_ms: u64,
    pub max_ms: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base_ms: 2_000, max_ms: 10 * 60 * 1_000 }
    }
}

impl Backoff {
    /// The delay after `failures` failures in a row (≥ 1), with `random` choosing the jitter.
    pub fn delay_ms(&self, failures: u32, random: u64) -> u64 {
        let exp = self.base_ms.saturating_mul(1u64 << failures.saturating_sub(1).min(32)).min(self.max_ms);
        let half = exp / 2;
        half + random % (exp - half + 1)
    }
}

/// One phone's sync engine. Cheap to create; it keeps only the status and the retry schedule, so a
/// phone that restarts simply makes a new one.
#[derive(Debug, Clone)]
pub struct SyncEngine {
    status: SyncStatus,
    failures: u32,
    retry_at: Option<i64>,
    backoff: Backoff,
    rng: u64,
    pull_limit: u32,
}

/// Why a sync stopped, with what to show.
struct Stop(FailReason);

impl SyncEngine {
    /// `seed` feeds the backoff jitter: anything that differs between phones (time, random bytes).
    pub fn new(seed: u64) -> Self {
        Self {
            status: SyncStatus::Idle,
            failures: 0,
            retry_at: None,
            backoff: Backoff::default(),
            rng: seed | 1,
            pull_limit: 200,
        }
    }

    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    pub fn status(&self) -> &SyncStatus {
        &self.status
    }

    /// When to call [`SyncEngine::sync`] again after a failure that is retried (ms since the epoch);
    /// `None` when no retry is due (synced, or a person must act first).
    pub fn retry_at(&self) -> Option<i64> {
        self.retry_at
    }

    /// Failed syncs in a row.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Tell the engine answers were saved, so the status says they are waiting (unless a failure
    /// that needs a person is showing, or a sync is running).
    pub fn note_unsynced(&mut self, unsynced: usize) {
        match self.status {
            SyncStatus::Idle | SyncStatus::Synced { .. } | SyncStatus::Waiting { .. } if unsynced > 0 => {
                self.status = SyncStatus::Waiting { unsynced };
            }
            _ => {}
        }
    }

    /// One full sync: push every unsynced event in batches of [`CLIENT_BATCH`] (and the changed
    /// profiles), then pull the team's changes page by page. Returns the new status. Call it on start,
    /// when the browser goes online, after a session, and at [`SyncEngine::retry_at`].
    pub async fn sync<O: Outbox, T: Transport>(&mut self, outbox: &mut O, transport: &mut T, now_ms: i64) -> SyncStatus {
        self.status = SyncStatus::Syncing;
        let result = match self.push_all(outbox, transport).await {
            Ok(()) => self.pull_all(outbox, transport).await,
            Err(stop) => Err(stop),
        };
        match result {
            Ok(()) => {
                self.failures = 0;
                self.retry_at = None;
                self.status = SyncStatus::Synced { at: now_ms };
            }
            Err(Stop(reason)) => {
                self.failures = self.failures.saturating_add(1);
                self.retry_at = if reason.is_retried() {
                    let random = self.next_random();
                    Some(now_ms.saturating_add(self.backoff.delay_ms(self.failures, random) as i64))
                } else {
                    None
                };
                self.status = SyncStatus::Failed { reason };
            }
        }
        self.status.clone()
    }

    async fn push_all<O: Outbox, T: Transport>(&mut self, outbox: &mut O, transport: &mut T) -> Result<(), Stop> {
        let mut profiles = outbox.changed_profiles().await;
        loop {
            let events = outbox.unsynced_events(CLIENT_BATCH).await;
            let take = profiles.len().min(MAX_PROFILES_PER_PUSH);
            let batch_profiles: Vec<Profile> = profiles.drain(..take).collect();
            if events.is_empty() && batch_profiles.is_empty() {
                return Ok(());
            }
            let first_seq = events.first().map(|e| e.seq);
            let request = PushRequest { events, profiles: batch_profiles };
            let body = serde_json::to_string(&request).map_err(|e| Stop(FailReason::Rejected(e.to_string())))?;
            let response = transport
                .send(HttpRequest { method: Method::Post, path: format!("{API_PREFIX}/sync/push"), body: Some(body) })
                .await;
            let answer: PushResponse = parse(response)?;
            if answer.acked_through_seq > 0 {
                outbox.mark_synced_through(answer.acked_through_seq).await;
            }
            if !request.profiles.is_empty() {
                outbox.mark_profiles_synced(&request.profiles).await;
            }
            // The server acknowledges only a gap-free prefix. If it does not reach the batch we just
            // sent, this phone is missing an earlier event: sending again would loop forever.
            if first_seq.is_some_and(|first| answer.acked_through_seq < first) {
                return Err(Stop(FailReason::Rejected(format!(
                    "the server holds this phone's answers only up to number {} but the next one here is {}",
                    answer.acked_through_seq,
                    first_seq.unwrap_or_default()
                ))));
            }
        }
    }

    async fn pull_all<O: Outbox, T: Transport>(&mut self, outbox: &mut O, transport: &mut T) -> Result<(), Stop> {
        // A bound on pages per sync, so a server that always says `has_more` cannot keep us here.
        for _ in 0..10_000 {
            let mut path = format!("{API_PREFIX}/sync/pull?limit={}", self.pull_limit);
            if let Some(cursor) = outbox.pull_cursor().await {
                path.push_str("&cursor=");
                path.push_str(&percent_encode(&cursor));
            }
            let response = transport.send(HttpRequest { method: Method::Get, path, body: None }).await;
            let page: PullResponse = parse(response)?;
            outbox.apply_pull(&page).await;
            if !page.has_more {
                return Ok(());
            }
        }
        Err(Stop(FailReason::Server))
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64*: plenty for jitter, and no dependency on a platform random source.
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Turns a transport result into the answer, or the reason to stop.
fn parse<R: serde::de::DeserializeOwned>(response: Result<HttpResponse, NoAnswer>) -> Result<R, Stop> {
    let response = response.map_err(|NoAnswer| Stop(FailReason::Offline))?;
    match response.status {
        200..=299 => serde_json::from_str(&response.body).map_err(|_| Stop(FailReason::Server)),
        401 => Err(Stop(FailReason::Revoked)),
        408 | 429 => Err(Stop(FailReason::Server)),
        400..=499 => {
            let message = serde_json::from_str::<ApiError>(&response.body)
                .map(|e| e.message)
                .unwrap_or_else(|_| format!("the server refused the request ({})", response.status));
            Err(Stop(FailReason::Rejected(message)))
        }
        // A proxy's error page or a server error: it may well work later.
        _ => Err(Stop(FailReason::Server)),
    }
}

fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
