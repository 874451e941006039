//! Sync with the commune team's server, when there is a signal. The protocol and the state machine
//! live in `hocso_core::sync` (tested natively against a flaky network); this module gives the
//! engine its two doors to the browser — an [`Outbox`] over IndexedDB and a [`Transport`] over
//! fetch — and decides when to run it: at start, when the browser comes online, after a lesson is
//! completed, and at the engine's backoff time. One sync at a time, across tabs too.
//!
//! A phone that never joins a team works fully offline forever; nothing here runs for it.
use std::cell::RefCell;

use hocso_core::progress::{EventKind, ProgressEvent};
use hocso_core::recordings::TeamRecording;
use hocso_core::sync::{
    ApiError, HttpRequest, HttpResponse, JoinRequest, JoinResponse, Method, NoAnswer, Outbox, OutboxResult, Profile, PullResponse, Role,
    StoreFailure, SyncEngine, SyncStatus, TeamInfo, Transport, API_PREFIX,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use crate::state::AppState;
use crate::store;

/// How long one request may take before it counts as "no answer" (patchy 3G can hang forever).
const REQUEST_TIMEOUT_MS: u32 = 30_000;
/// Another tab's sync lease expires after this long (if that tab died mid-sync).
const LEASE_MS: i64 = 60_000;
const LEASE_KEY: &str = "hocso.sync_lease";

/// What joining the team gave this phone, kept in IndexedDB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub device_token: String,
    pub device_id: String,
    pub team: TeamInfo,
    pub role: Role,
}

/// What the status line shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncView {
    pub status: SyncStatus,
    /// Answers saved here and not yet on the team server; `None` when the phone's storage could not
    /// be read (then the line never claims "sent").
    pub unsynced: Option<usize>,
    /// Records the team server refused, kept on this phone and not sent.
    pub set_aside: usize,
}

/// The sync context: the membership and the status, as signals for the views.
#[derive(Clone, Copy)]
pub struct SyncState {
    pub membership: RwSignal<Option<Membership>>,
    /// The team's approved voices (issue #15), as the last pull listed them.
    /// As `voices::lines`: read them with [`SyncState::team_voices`].
    pub voices: RwSignal<String>,
    pub view: RwSignal<SyncView>,
    app: AppState,
}

impl SyncState {
    /// The team's approved voices (tracked: a view using them is redrawn after a sync changes them).
    pub fn team_voices(&self) -> Vec<TeamRecording> {
        self.voices.with(|lines| crate::voices::parse(lines))
    }
}

pub fn use_sync() -> SyncState {
    expect_context::<SyncState>()
}

thread_local! {
    // Taken out while a sync runs, so a second request in the same tab waits for the next turn.
    static ENGINE: RefCell<Option<SyncEngine>> = RefCell::new(Some(SyncEngine::new(js_sys::Math::random().to_bits())));
    static SYNC_AGAIN: RefCell<bool> = const { RefCell::new(false) };
    static TAB_ID: String = format!("{}", (js_sys::Math::random() * 1e15) as u64);
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

// ---- the engine's doors ------------------------------------------------------------------------

struct FetchTransport {
    token: String,
}

impl Transport for FetchTransport {
    async fn send(&mut self, request: HttpRequest) -> Result<HttpResponse, NoAnswer> {
        let controller = web_sys::AbortController::new().map_err(|_| NoAnswer)?;
        let signal = controller.signal();
        let _timeout = gloo_timers::callback::Timeout::new(REQUEST_TIMEOUT_MS, move || controller.abort());
        let builder = match request.method {
            Method::Get => gloo_net::http::Request::get(&request.path),
            Method::Post => gloo_net::http::Request::post(&request.path),
        }
        .header("Authorization", &format!("Bearer {}", self.token))
        .abort_signal(Some(&signal));
        let request = match request.body {
            Some(body) => builder.header("Content-Type", "application/json").body(body).map_err(|_| NoAnswer)?,
            None => builder.build().map_err(|_| NoAnswer)?,
        };
        let response = request.send().await.map_err(|_| NoAnswer)?;
        let status = response.status();
        let body = response.text().await.map_err(|_| NoAnswer)?;
        Ok(HttpResponse { status, body })
    }
}

/// The engine's outbox over this phone's IndexedDB (`store`). Public for the browser fault test.
pub struct IndexedDbOutbox {
    device_id: String,
    /// Set when the server announces content this phone has not seen.
    catalogue_changed: bool,
    /// The team's approved voices, when the pull said they changed (already saved).
    voices_changed: Option<String>,
}

impl IndexedDbOutbox {
    pub fn new(device_id: String) -> Self {
        Self { device_id, catalogue_changed: false, voices_changed: None }
    }
}

impl From<store::StoreError> for StoreFailure {
    fn from(error: store::StoreError) -> Self {
        StoreFailure(format!("{error:?}"))
    }
}

async fn synced_through() -> store::StoreResult<u64> {
    Ok(store::get_meta::<u64>("synced_through").await?.unwrap_or(0))
}

impl Outbox for IndexedDbOutbox {
    fn device_id(&self) -> String {
        self.device_id.clone()
    }

    async fn synced_through(&mut self) -> OutboxResult<u64> {
        Ok(synced_through().await?)
    }

    async fn unsynced_events(&mut self, limit: usize) -> OutboxResult<Vec<ProgressEvent>> {
        Ok(store::device_events_after(&self.device_id, synced_through().await?, limit as u32).await?)
    }

    async fn unsynced_count(&mut self) -> OutboxResult<usize> {
        Ok(store::count_device_events_after(&self.device_id, synced_through().await?).await?)
    }

    async fn set_synced_through(&mut self, seq: u64) -> OutboxResult<()> {
        if seq < synced_through().await? {
            store::mark_own_profiles_changed(&self.device_id).await?;
        }
        Ok(store::set_meta("synced_through", seq).await?)
    }

    async fn changed_profiles(&mut self) -> OutboxResult<Vec<Profile>> {
        Ok(store::changed_profiles().await?)
    }

    async fn mark_profiles_synced(&mut self, sent: &[Profile]) -> OutboxResult<()> {
        Ok(store::mark_profiles_synced(sent).await?)
    }

    async fn set_aside(&mut self, record: &str, reason: &str) -> OutboxResult<bool> {
        Ok(store::set_aside(record, reason).await?)
    }

    async fn pull_cursor(&mut self) -> OutboxResult<Option<String>> {
        Ok(store::get_meta::<String>("pull_cursor").await?)
    }

    /// The cursor is saved last: if merging a profile fails, the page is pulled again next time.
    async fn apply_pull(&mut self, page: &PullResponse) -> OutboxResult<()> {
        for team_profile in &page.profiles {
            store::merge_remote_profile(&team_profile.profile, &team_profile.device_id).await?;
        }
        store::ensure_seq_after(page.acked_through_seq).await?;
        // Before the cursor: a list saved under a cursor past it would never come again.
        if let Some(voices) = &page.recordings {
            self.voices_changed = Some(crate::voices::save(voices).await?);
        }
        if let Some(version) = &page.catalogue_version {
            let known = store::get_meta::<String>("catalogue_version").await?;
            if known.as_ref() != Some(version) {
                self.catalogue_changed = known.is_some();
                store::set_meta("catalogue_version", version).await?;
            }
        }
        Ok(store::set_meta("pull_cursor", &page.cursor).await?)
    }
}

// ---- one sync at a time, across tabs -----------------------------------------------------------

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Takes the cross-tab lease (`"<tab>:<expires>"` in localStorage); false if another tab holds it.
fn take_lease() -> bool {
    let Some(storage) = local_storage() else { return true };
    let me = TAB_ID.with(String::clone);
    let now = now_ms();
    if let Ok(Some(lease)) = storage.get_item(LEASE_KEY) {
        let (owner, expires) = lease.split_once(':').unwrap_or(("", "0"));
        if owner != me && expires.parse::<i64>().unwrap_or(0) > now {
            return false;
        }
    }
    let _ = storage.set_item(LEASE_KEY, &format!("{me}:{}", now + LEASE_MS));
    // Another tab may have written at the same moment: the last writer wins, the other backs off.
    storage.get_item(LEASE_KEY).ok().flatten().is_some_and(|l| l.starts_with(&format!("{me}:")))
}

fn release_lease() {
    if let Some(storage) = local_storage() {
        let me = TAB_ID.with(String::clone);
        if storage.get_item(LEASE_KEY).ok().flatten().is_some_and(|l| l.starts_with(&format!("{me}:"))) {
            let _ = storage.remove_item(LEASE_KEY);
        }
    }
}

// ---- running it ----------------------------------------------------------------------------------

impl SyncState {
    /// Runs one sync now (or right after the one running). Does nothing for a phone with no team.
    pub fn sync_now(self) {
        spawn_local(async move { self.run().await });
    }

    /// Re-counts what is waiting, so the status line is right after each saved answer.
    pub fn note_saved(self) {
        let Some(membership) = self.membership.get_untracked() else { return };
        spawn_local(async move {
            let unsynced = waiting_count(&membership.device_id).await;
            ENGINE.with(|e| {
                if let Some(engine) = e.borrow_mut().as_mut() {
                    engine.note_unsynced(unsynced.unwrap_or(0));
                    let status = engine.status().clone();
                    self.view.update(|v| *v = SyncView { status, unsynced, set_aside: v.set_aside });
                } else {
                    self.view.update(|v| v.unsynced = unsynced);
                }
            });
        });
    }

    async fn run(self) {
        let Some(membership) = self.membership.get_untracked() else { return };
        let Some(mut engine) = ENGINE.with(|e| e.borrow_mut().take()) else {
            SYNC_AGAIN.with(|again| *again.borrow_mut() = true);
            return;
        };
        if !take_lease() {
            // Another tab is syncing: look again once its lease could have run out.
            ENGINE.with(|e| *e.borrow_mut() = Some(engine));
            gloo_timers::callback::Timeout::new(LEASE_MS as u32 / 4, move || self.sync_now()).forget();
            return;
        }
        self.view.update(|v| v.status = SyncStatus::Syncing);
        let mut outbox = IndexedDbOutbox::new(membership.device_id.clone());
        let mut transport = FetchTransport { token: membership.device_token.clone() };
        let status = engine.sync(&mut outbox, &mut transport, now_ms()).await;
        release_lease();
        let unsynced = waiting_count(&membership.device_id).await;
        let set_aside = store::set_aside_count().await.unwrap_or(0);
        let retry_at = engine.retry_at();
        ENGINE.with(|e| *e.borrow_mut() = Some(engine));
        self.view.set(SyncView { status, unsynced, set_aside });
        if outbox.catalogue_changed {
            self.app.reload_catalogue();
        }
        if let Some(voices) = outbox.voices_changed {
            self.voices.set(voices);
        }
        if SYNC_AGAIN.with(|again| std::mem::take(&mut *again.borrow_mut())) {
            self.sync_now();
        } else if let Some(at) = retry_at {
            let wait = (at - now_ms()).clamp(1_000, 3_600_000) as u32;
            gloo_timers::callback::Timeout::new(wait, move || self.sync_now()).forget();
        }
    }

    /// Joins a team with a code read aloud by the team (or from a join link): the first time, again
    /// after the phone was removed, or another team. The phone keeps its device id and proves it
    /// with the token it holds, so answers saved before (and after a stop) are sent too. If the
    /// server gives it a new id instead, its unsent answers move to that id.
    pub async fn join(self, code: &str, device_name: &str) -> Result<Membership, JoinError> {
        let device_id = store::device_id().await.map_err(|_| JoinError::Storage)?;
        let proof = self.membership.get_untracked().filter(|m| m.device_id == device_id).map(|m| m.device_token);
        let request =
            JoinRequest { code: code.trim().to_owned(), device_name: device_name.to_owned(), device_id: Some(device_id), device_token: proof };
        let body = serde_json::to_string(&request).map_err(|_| JoinError::Storage)?;
        let response = gloo_net::http::Request::post(&format!("{API_PREFIX}/devices/join"))
            .header("Content-Type", "application/json")
            .body(body)
            .map_err(|_| JoinError::Offline)?
            .send()
            .await
            .map_err(|_| JoinError::Offline)?;
        let text = response.text().await.map_err(|_| JoinError::Offline)?;
        if !response.ok() {
            let error = serde_json::from_str::<ApiError>(&text).map(|e| e.error).unwrap_or_default();
            return Err(match error.as_str() {
                "invalid_code" => JoinError::WrongCode,
                _ if response.status() >= 500 || response.status() == 0 => JoinError::Offline,
                _ => JoinError::Refused(error),
            });
        }
        let joined: JoinResponse = serde_json::from_str(&text).map_err(|e| JoinError::Refused(e.to_string()))?;
        store::adopt_device_id(&joined.device_id).await.map_err(|_| JoinError::Storage)?;
        if self.membership.get_untracked().is_some_and(|old| old.team.id != joined.team.id) {
            // Another team's voices are not this team's: forget them, and pull the new team from the
            // start (the old cursor counts the old team's changes: it could skip the new voices).
            crate::voices::save(&[]).await.map_err(|_| JoinError::Storage)?;
            store::delete_meta("pull_cursor").await.map_err(|_| JoinError::Storage)?;
            self.voices.set(String::new());
        }
        let membership = Membership { device_token: joined.device_token, device_id: joined.device_id, team: joined.team, role: joined.role };
        store::set_meta("membership", &membership).await.map_err(|_| JoinError::Storage)?;
        self.membership.set(Some(membership.clone()));
        // A stop that needed a person (removed, refused) is over: start afresh.
        ENGINE.with(|e| *e.borrow_mut() = Some(SyncEngine::new(js_sys::Math::random().to_bits())));
        self.sync_now();
        Ok(membership)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinError {
    Offline,
    WrongCode,
    Storage,
    Refused(String),
}

impl JoinError {
    pub fn message_key(&self) -> &'static str {
        match self {
            JoinError::Offline => "sync.join_offline",
            JoinError::WrongCode => "sync.join_wrong_code",
            JoinError::Storage => "store.error_failed",
            JoinError::Refused(_) => "sync.join_refused",
        }
    }
}

/// Provides the sync context and starts syncing: now, whenever the browser comes online, and after
/// a lesson is completed or a session closed (other saved events only update the "waiting" count).
pub fn provide_sync(app: AppState) {
    let sync = SyncState {
        membership: RwSignal::new(None),
        voices: RwSignal::new(String::new()),
        view: RwSignal::new(SyncView { status: SyncStatus::Idle, unsynced: Some(0), set_aside: 0 }),
        app,
    };
    provide_context(sync);
    Effect::new(move |previous: Option<usize>| {
        let count = app.events.with(Vec::len);
        if previous.is_some_and(|p| count > p) {
            let finished =
                app.events.with(|e| matches!(e.last().map(|e| &e.kind), Some(EventKind::LessonCompleted { .. } | EventKind::SessionClosed { .. })));
            if finished {
                sync.sync_now();
            } else {
                sync.note_saved();
            }
        }
        count
    });
    spawn_local(async move {
        if let Ok(Some(membership)) = store::get_meta::<Membership>("membership").await {
            sync.voices.set(crate::voices::saved().await);
            sync.membership.set(Some(membership));
            sync.note_saved();
            sync.sync_now();
        }
    });
    let online = window_event_listener_untyped("online", move |_| sync.sync_now());
    // A tab closed or reloaded mid-sync must not block the others until its lease runs out.
    let leaving = window_event_listener_untyped("pagehide", move |_| release_lease());
    on_cleanup(move || {
        online.remove();
        leaving.remove();
    });
}

/// Answers waiting to be sent, or `None` when the phone's storage cannot be read.
async fn waiting_count(device_id: &str) -> Option<usize> {
    let through = synced_through().await.ok()?;
    store::count_device_events_after(device_id, through).await.ok()
}

/// Minutes between `at` and now, for "synced 5 minutes ago".
pub fn minutes_since(at: i64) -> i64 {
    ((now_ms() - at) / 60_000).max(0)
}
