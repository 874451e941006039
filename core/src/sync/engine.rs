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

use super::protocol::{ApiError, Profile, PullResponse, PushRequest, PushResponse, API_PREFIX, CLIENT_BATCH, MAX_PROFILES_PER_PUSH};
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
    /// This phone's own storage could not be read or written (details for the log); nothing was
    /// marked as sent, so trying again later loses nothing.
    Storage(String),
}

impl FailReason {
    pub fn is_retried(&self) -> bool {
        matches!(self, FailReason::Offline | FailReason::Server | FailReason::Storage(_))
    }
}

/// The phone's storage failed (details for the log). The engine stops, marks nothing, and says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreFailure(pub String);

impl std::fmt::Display for StoreFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an [`Outbox`] method gives: its answer, or why the phone's storage could not give it.
pub type OutboxResult<T> = Result<T, StoreFailure>;

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
/// when its future completes (a phone switched off right after must not forget it), and must report
/// a storage failure instead of answering "nothing" (which would read as "all sent").
///
/// The outbox keeps every event it ever recorded (progress is folded from them), sent or not, so it
/// can send again whatever a server restored from an older backup no longer holds.
pub trait Outbox {
    /// This phone's device id (the one in its events' ids).
    fn device_id(&self) -> String;
    /// The server holds every event of this device with `seq` up to this one.
    fn synced_through(&mut self) -> impl Future<Output = OutboxResult<u64>>;
    /// Up to `limit` events of this device after [`Outbox::synced_through`], lowest `seq` first. A
    /// record set aside ([`Outbox::set_aside`]) comes back as its erased placeholder
    /// ([`ProgressEvent::erased`]). Numbers with no event (a learner deleted by an older app) may be
    /// missing: the engine fills them with placeholders.
    fn unsynced_events(&mut self, limit: usize) -> impl Future<Output = OutboxResult<Vec<ProgressEvent>>>;
    fn unsynced_count(&mut self) -> impl Future<Output = OutboxResult<usize>>;
    /// Records what the server holds: every event up to `seq`. It may be lower than before (a server
    /// restored from an older backup): the events after it are then sent again, and every profile
    /// this phone wrote (tombstones too) is marked changed again, since the server lost those edits.
    fn set_synced_through(&mut self, seq: u64) -> impl Future<Output = OutboxResult<()>>;
    /// Profiles edited on this phone since they were last sent.
    fn changed_profiles(&mut self) -> impl Future<Output = OutboxResult<Vec<Profile>>>;
    /// These versions reached the server; keep a profile "changed" if it was edited again since.
    fn mark_profiles_synced(&mut self, sent: &[Profile]) -> impl Future<Output = OutboxResult<()>>;
    /// The server refused the one record `record` (an event id or a profile id) for `reason`: keep it
    /// on this phone but stop sending it (an event is then sent as its erased placeholder, so the
    /// numbering stays whole). False when this outbox has no such record waiting.
    fn set_aside(&mut self, record: &str, reason: &str) -> impl Future<Output = OutboxResult<bool>>;
    /// The cursor saved by the last [`Outbox::apply_pull`], if any.
    fn pull_cursor(&mut self) -> impl Future<Output = OutboxResult<Option<String>>>;
    /// Merge one page of team changes (profiles last-writer-wins, [`crate::profile::write_wins`])
    /// and save `page.cursor`, together.
    fn apply_pull(&mut self, page: &PullResponse) -> impl Future<Output = OutboxResult<()>>;
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

/// Why a sync stopped, with what to show; `record` is the one event or profile the server refused.
#[derive(Debug, PartialEq)]
struct Stop(FailReason, Option<String>);

/// Whether a pull found the server holding less of this phone than it had acknowledged.
#[derive(Debug, PartialEq)]
enum Rewound {
    No,
    Yes,
}

impl Stop {
    fn because(reason: FailReason) -> Self {
        Stop(reason, None)
    }
}

impl From<StoreFailure> for Stop {
    fn from(failure: StoreFailure) -> Self {
        Stop::because(FailReason::Storage(failure.0))
    }
}

/// How many times one sync starts again from what the server says it holds (a restored server).
const MAX_REWINDS_PER_SYNC: u32 = 3;
/// How many refused records one sync sets aside before it stops and waits for a person.
const MAX_SET_ASIDE_PER_SYNC: u32 = 100;

impl SyncEngine {
    /// `seed` feeds the backoff jitter: anything that differs between phones (time, random bytes).
    pub fn new(seed: u64) -> Self {
        Self { status: SyncStatus::Idle, failures: 0, retry_at: None, backoff: Backoff::default(), rng: seed | 1, pull_limit: 200 }
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
        let mut result = self.push_then_pull(outbox, transport).await;
        if result == Ok(Rewound::Yes) {
            // The pull showed a server restored from an older backup: send again what it lost.
            result = self.push_then_pull(outbox, transport).await;
        }
        let result = result.map(|_| ());
        match result {
            Ok(()) => {
                self.failures = 0;
                self.retry_at = None;
                self.status = SyncStatus::Synced { at: now_ms };
            }
            Err(Stop(reason, _)) => {
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

    async fn push_then_pull<O: Outbox, T: Transport>(&mut self, outbox: &mut O, transport: &mut T) -> Result<Rewound, Stop> {
        self.push_all(outbox, transport).await?;
        self.pull_all(outbox, transport).await
    }

    async fn push_all<O: Outbox, T: Transport>(&mut self, outbox: &mut O, transport: &mut T) -> Result<(), Stop> {
        let device = outbox.device_id();
        let mut profiles = outbox.changed_profiles().await?;
        let (mut rewinds, mut set_aside) = (0, 0);
        loop {
            let through = outbox.synced_through().await?;
            let events = with_holes_filled(&device, through, outbox.unsynced_events(CLIENT_BATCH).await?);
            let take = profiles.len().min(MAX_PROFILES_PER_PUSH);
            let batch_profiles: Vec<Profile> = profiles[..take].to_vec();
            if events.is_empty() && batch_profiles.is_empty() {
                return Ok(());
            }
            let last_seq = events.last().map(|e| e.seq);
            let request = PushRequest { events, profiles: batch_profiles };
            let body = serde_json::to_string(&request).map_err(|e| Stop::because(FailReason::Rejected(e.to_string())))?;
            let response = transport.send(HttpRequest { method: Method::Post, path: format!("{API_PREFIX}/sync/push"), body: Some(body) }).await;
            let answer: PushResponse = match parse(response) {
                Ok(answer) => answer,
                // One record the server will never take: keep it here, send the others.
                Err(Stop(FailReason::Rejected(message), Some(record))) if set_aside < MAX_SET_ASIDE_PER_SYNC => {
                    if !outbox.set_aside(&record, &message).await? {
                        return Err(Stop::because(FailReason::Rejected(message)));
                    }
                    set_aside += 1;
                    profiles.retain(|p| p.id != record);
                    continue;
                }
                Err(stop) => return Err(stop),
            };
            profiles.drain(..take);
            if !request.profiles.is_empty() {
                outbox.mark_profiles_synced(&request.profiles).await?;
            }
            if answer.acked_through_seq < through {
                // The server holds less than it once acknowledged (restored from an older backup):
                // send again from where it stands. The phone kept every event, so nothing is lost.
                rewinds += 1;
                if rewinds > MAX_REWINDS_PER_SYNC {
                    return Err(Stop::because(FailReason::Server));
                }
                outbox.set_synced_through(answer.acked_through_seq).await?;
                profiles = outbox.changed_profiles().await?;
                continue;
            }
            if answer.acked_through_seq > through {
                outbox.set_synced_through(answer.acked_through_seq).await?;
            }
            // The batch began right after what the server holds, with no holes: an acknowledgement
            // short of its end means the server keeps refusing part of it; sending again would loop.
            if let Some(last) = last_seq.filter(|last| answer.acked_through_seq < *last) {
                return Err(Stop::because(FailReason::Rejected(format!(
                    "the server holds this phone's answers only up to number {} but was sent up to {last}",
                    answer.acked_through_seq
                ))));
            }
        }
    }

    /// Pulls every page; says whether the server turned out to hold less than this phone sent.
    async fn pull_all<O: Outbox, T: Transport>(&mut self, outbox: &mut O, transport: &mut T) -> Result<Rewound, Stop> {
        let mut rewound = Rewound::No;
        // A bound on pages per sync, so a server that always says `has_more` cannot keep us here.
        for _ in 0..10_000 {
            let mut path = format!("{API_PREFIX}/sync/pull?limit={}", self.pull_limit);
            if let Some(cursor) = outbox.pull_cursor().await? {
                path.push_str("&cursor=");
                path.push_str(&percent_encode(&cursor));
            }
            let response = transport.send(HttpRequest { method: Method::Get, path, body: None }).await;
            let page: PullResponse = parse(response)?;
            if page.acked_through_seq < outbox.synced_through().await? {
                outbox.set_synced_through(page.acked_through_seq).await?;
                rewound = Rewound::Yes;
            }
            outbox.apply_pull(&page).await?;
            if !page.has_more {
                return Ok(rewound);
            }
        }
        Err(Stop::because(FailReason::Server))
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

/// The events to send after `through`: `stored` (lowest `seq` first) with every missing number
/// before each of them filled by an erased placeholder, at most [`CLIENT_BATCH`] in all. Holes come
/// from learners deleted by app versions that removed their events outright; without placeholders
/// the server could never acknowledge past them and the phone's sync would stop for good.
fn with_holes_filled(device: &str, through: u64, stored: Vec<ProgressEvent>) -> Vec<ProgressEvent> {
    let mut batch = Vec::with_capacity(stored.len());
    let mut next = through.saturating_add(1);
    for event in stored {
        if event.seq < next {
            continue;
        }
        while next < event.seq && batch.len() < CLIENT_BATCH {
            batch.push(ProgressEvent::erased(device, next));
            next += 1;
        }
        if batch.len() == CLIENT_BATCH {
            break;
        }
        next = event.seq + 1;
        batch.push(event);
    }
    batch
}

/// Turns a transport result into the answer, or the reason to stop.
fn parse<R: serde::de::DeserializeOwned>(response: Result<HttpResponse, NoAnswer>) -> Result<R, Stop> {
    let response = response.map_err(|NoAnswer| Stop::because(FailReason::Offline))?;
    match response.status {
        200..=299 => serde_json::from_str(&response.body).map_err(|_| Stop::because(FailReason::Server)),
        401 => Err(Stop::because(FailReason::Revoked)),
        408 | 429 => Err(Stop::because(FailReason::Server)),
        400..=499 => match serde_json::from_str::<ApiError>(&response.body) {
            Ok(error) => Err(Stop(FailReason::Rejected(error.message), error.record)),
            Err(_) => Err(Stop::because(FailReason::Rejected(format!("the server refused the request ({})", response.status)))),
        },
        // A proxy's error page or a server error: it may well work later.
        _ => Err(Stop::because(FailReason::Server)),
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
