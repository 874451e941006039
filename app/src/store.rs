//! The phone's durable store: IndexedDB (through rexie) holding progress events, learner profiles
//! and a few device facts. Views never touch IndexedDB; they call these functions, which return
//! domain types from `hocso_core` and a [`StoreError`] a person can understand.
//!
//! Schema (`SCHEMA_VERSION`; each version is declared in full, IndexedDB keeps the data):
//! - v1: `events` {event, …} keyed by `event.id`, index `by_learner`; `profiles` {profile, dirty}
//!   keyed by `profile.id`; `meta` {key, value}.
//! - v2: index `by_device_seq` on events, so the sync outbox reads "this device's events after N"
//!   without scanning every event.
//! - v3 (issue #15, voices): `sounds` {sha256, content_type, blob} keyed by `sha256`, the team's
//!   approved recordings downloaded for offline play; `takes` {id, lesson, step, locale, blob, …}
//!   keyed by `id`, the recordings made on this phone in the team tools until sent. Both hold a
//!   `Blob`, which JSON cannot carry: they are read and written as plain JS objects ([`put_object`]).
use std::cell::RefCell;
use std::rc::Rc;

use hocso_core::profile::{replaces, Profile};
use hocso_core::progress::{EventKind, ProgressEvent};
use rexie::{Index, KeyRange, ObjectStore, Rexie, TransactionMode};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::JsValue;

pub const DATABASE: &str = "hocso";
pub const SCHEMA_VERSION: u32 = 3;
const EVENTS: &str = "events";
const PROFILES: &str = "profiles";
const META: &str = "meta";
/// Downloaded sounds of the team's approved voices (v3).
pub const SOUNDS: &str = "sounds";
/// Recordings made on this phone by the team tools' recorder (v3).
pub const TAKES: &str = "takes";

/// Why the store failed, in the terms a screen needs to explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The phone's storage is full: nothing was saved.
    Full,
    /// IndexedDB cannot be used (some private modes, or blocked by settings).
    Unavailable,
    /// Anything else, with details for the log.
    Failed(String),
}

impl StoreError {
    /// The `locales/` key of the sentence shown to the learner.
    pub fn message_key(&self) -> &'static str {
        match self {
            StoreError::Full => "store.error_full",
            StoreError::Unavailable => "store.error_unavailable",
            StoreError::Failed(_) => "store.error_failed",
        }
    }
}

impl From<rexie::Error> for StoreError {
    fn from(error: rexie::Error) -> Self {
        let details = format!("{error:?}");
        if details.contains("QuotaExceeded") {
            StoreError::Full
        } else if details.contains("InvalidStateError") || details.contains("SecurityError") {
            StoreError::Unavailable
        } else {
            StoreError::Failed(details)
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        StoreError::Failed(error.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The record kept per event, with what only this phone needs to know about it.
#[derive(Serialize, Deserialize)]
struct EventRecord {
    event: ProgressEvent,
    /// Why the team server refused this event, when it did: the phone keeps it (progress still
    /// counts it) and sends its erased placeholder instead, so the others are not held back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    set_aside: Option<String>,
}

impl EventRecord {
    fn new(event: ProgressEvent) -> Self {
        Self { event, set_aside: None }
    }

    /// What the sync sends for this record.
    fn into_sent(self) -> ProgressEvent {
        match self.set_aside {
            Some(_) => ProgressEvent::erased(&self.event.device_id, self.event.seq),
            None => self.event,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct ProfileRecord {
    profile: Profile,
    /// 1 when edited here since last sent to the team (IndexedDB cannot index booleans).
    dirty: u8,
    /// The device that wrote this version (the tie-breaker of last-writer-wins); "" when unknown
    /// (written by an older app, or read from a backup file).
    #[serde(default)]
    writer: String,
    /// Why the team server refused this version, when it did (it is then not sent again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    set_aside: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct MetaRecord<T> {
    key: String,
    value: T,
}

/// Builds the schema of `version` (1 to 3). Exposed for the migration test.
pub async fn open_database(name: &str, version: u32) -> StoreResult<Rexie> {
    let mut events = ObjectStore::new(EVENTS).key_path("event.id").add_index(Index::new("by_learner", "event.learner_id"));
    if version >= 2 {
        events = events.add_index(Index::new_array("by_device_seq", ["event.device_id", "event.seq"]));
    }
    let mut builder = Rexie::builder(name)
        .version(version)
        .add_object_store(events)
        .add_object_store(ObjectStore::new(PROFILES).key_path("profile.id"))
        .add_object_store(ObjectStore::new(META).key_path("key"));
    if version >= 3 {
        builder = builder.add_object_store(ObjectStore::new(SOUNDS).key_path("sha256")).add_object_store(ObjectStore::new(TAKES).key_path("id"));
    }
    let rexie = builder.build().await.map_err(|e| match StoreError::from(e) {
        StoreError::Failed(_) => StoreError::Unavailable,
        other => other,
    })?;
    Ok(rexie)
}

thread_local! {
    // WASM in the browser is single-threaded: one open connection serves the whole app.
    static DB: RefCell<Option<Rc<Rexie>>> = const { RefCell::new(None) };
}

async fn db() -> StoreResult<Rc<Rexie>> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let db = Rc::new(open_database(DATABASE, SCHEMA_VERSION).await?);
    DB.with(|d| *d.borrow_mut() = Some(db.clone()));
    Ok(db)
}

// Records go through JSON text: the app already speaks serde_json to the server, and one serde
// format instead of two keeps the WASM download smaller. The stored objects are the same plain
// JSON objects either way, so records written by earlier builds still read back.
fn to_js<T: Serialize>(value: &T) -> StoreResult<JsValue> {
    let text = serde_json::to_string(value)?;
    js_sys::JSON::parse(&text).map_err(|e| StoreError::Failed(format!("{e:?}")))
}

fn from_js<T: DeserializeOwned>(value: JsValue) -> StoreResult<T> {
    let text: String = js_sys::JSON::stringify(&value).map_err(|e| StoreError::Failed(format!("{e:?}")))?.into();
    Ok(serde_json::from_str(&text)?)
}

async fn meta_get<T: DeserializeOwned>(store: &rexie::Store, key: &str) -> StoreResult<Option<T>> {
    match store.get(JsValue::from_str(key)).await? {
        Some(value) => Ok(Some(from_js::<MetaRecord<T>>(value)?.value)),
        None => Ok(None),
    }
}

async fn meta_put<T: Serialize>(store: &rexie::Store, key: &str, value: T) -> StoreResult<()> {
    store.put(&to_js(&MetaRecord { key: key.to_owned(), value })?, None).await?;
    Ok(())
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// 32 random hex digits (a valid device id). `crypto.getRandomValues` works on every origin;
/// `crypto.randomUUID` exists only in a secure context (not on `http://` village Wi-Fi), so it is
/// not used. Without either, time and `Math.random` (still unique enough for a device id).
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window().and_then(|w| w.crypto().ok()).is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        let (time, random) = (now_ms() as u64, (js_sys::Math::random() * 1e15) as u64);
        bytes[..8].copy_from_slice(&time.to_be_bytes());
        bytes[8..].copy_from_slice(&random.to_be_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// This phone's id, created on first use and kept forever.
pub async fn device_id() -> StoreResult<String> {
    let db = db().await?;
    let tx = db.transaction(&[META], TransactionMode::ReadWrite)?;
    let meta = tx.store(META)?;
    let id = match meta_get::<String>(&meta, "device_id").await? {
        Some(id) => id,
        None => {
            let id = random_id();
            meta_put(&meta, "device_id", &id).await?;
            id
        }
    };
    tx.done().await?;
    Ok(id)
}

/// Records what a learner did, durably, before the screen moves on: the event and the device's
/// next sequence number are written in one transaction, so a crash can neither lose the event nor
/// reuse its number.
pub async fn record(learner_id: &str, lesson_id: &str, lesson_version: &str, kind: EventKind) -> StoreResult<ProgressEvent> {
    let mut events = record_all(learner_id, lesson_id, lesson_version, vec![kind]).await?;
    Ok(events.remove(0))
}

/// Records several events of one tap (a drill's last right answer and its completion) in one
/// transaction: all are kept or none, so a retry after a failure never records the first again.
pub async fn record_all(learner_id: &str, lesson_id: &str, lesson_version: &str, kinds: Vec<EventKind>) -> StoreResult<Vec<ProgressEvent>> {
    let device_id = device_id().await?;
    let db = db().await?;
    let tx = db.transaction(&[EVENTS, META], TransactionMode::ReadWrite)?;
    let meta = tx.store(META)?;
    let events_store = tx.store(EVENTS)?;
    let mut seq = meta_get::<u64>(&meta, "last_seq").await?.unwrap_or(0);
    let mut events = Vec::with_capacity(kinds.len());
    for kind in kinds {
        seq += 1;
        let event = ProgressEvent {
            id: ProgressEvent::event_id(&device_id, seq),
            device_id: device_id.clone(),
            seq,
            learner_id: learner_id.to_owned(),
            lesson_id: lesson_id.to_owned(),
            lesson_version: lesson_version.to_owned(),
            at: now_ms(),
            kind,
        };
        events_store.add(&to_js(&EventRecord::new(event.clone()))?, None).await?;
        events.push(event);
    }
    meta_put(&meta, "last_seq", seq).await?;
    tx.done().await?;
    Ok(events)
}

/// Every event of one learner (any order: the fold in `hocso_core` orders them).
pub async fn events_of(learner_id: &str) -> StoreResult<Vec<ProgressEvent>> {
    let db = db().await?;
    let tx = db.transaction(&[EVENTS], TransactionMode::ReadOnly)?;
    let range = KeyRange::only(&JsValue::from_str(learner_id)).map_err(|e| StoreError::Failed(format!("{e:?}")))?;
    let values = tx.store(EVENTS)?.index("by_learner")?.get_all(Some(range), None).await?;
    values.into_iter().map(|v| from_js::<EventRecord>(v).map(|r| r.event)).collect()
}

/// Every event on this phone, for backups.
pub async fn all_events() -> StoreResult<Vec<ProgressEvent>> {
    let db = db().await?;
    let tx = db.transaction(&[EVENTS], TransactionMode::ReadOnly)?;
    let values = tx.store(EVENTS)?.get_all(None, None).await?;
    values.into_iter().map(|v| from_js::<EventRecord>(v).map(|r| r.event)).collect()
}

/// `[device_id, seq]` keys strictly after `seq`, in the `by_device_seq` index.
fn device_range(device_id: &str, seq: u64) -> StoreResult<KeyRange> {
    let key = |s: f64| -> JsValue { js_sys::Array::of2(&JsValue::from_str(device_id), &JsValue::from_f64(s)).into() };
    KeyRange::bound(&key(seq as f64), &key(f64::MAX), Some(true), Some(false)).map_err(|e| StoreError::Failed(format!("{e:?}")))
}

/// This device's events after `seq`, lowest first, as the sync sends them (an event the server
/// refused goes as its erased placeholder).
pub async fn device_events_after(device_id: &str, seq: u64, limit: u32) -> StoreResult<Vec<ProgressEvent>> {
    let db = db().await?;
    let tx = db.transaction(&[EVENTS], TransactionMode::ReadOnly)?;
    let values = tx.store(EVENTS)?.index("by_device_seq")?.get_all(Some(device_range(device_id, seq)?), Some(limit)).await?;
    values.into_iter().map(|v| from_js::<EventRecord>(v).map(EventRecord::into_sent)).collect()
}

/// Adds events from a backup (or anywhere): each id is stored once, so importing the same file
/// twice changes nothing. Returns how many were new.
pub async fn merge_events(events: &[ProgressEvent]) -> StoreResult<usize> {
    let db = db().await?;
    let tx = db.transaction(&[EVENTS], TransactionMode::ReadWrite)?;
    let store = tx.store(EVENTS)?;
    let mut added = 0;
    for event in events {
        if !store.key_exists(JsValue::from_str(&event.id)).await? {
            store.add(&to_js(&EventRecord::new(event.clone()))?, None).await?;
            added += 1;
        }
    }
    tx.done().await?;
    Ok(added)
}

/// Learner profiles on this phone, deleted ones excluded, oldest first.
pub async fn profiles() -> StoreResult<Vec<Profile>> {
    let db = db().await?;
    let tx = db.transaction(&[PROFILES], TransactionMode::ReadOnly)?;
    let values = tx.store(PROFILES)?.get_all(None, None).await?;
    let mut profiles: Vec<Profile> = values.into_iter().map(|v| from_js::<ProfileRecord>(v).map(|r| r.profile)).collect::<StoreResult<_>>()?;
    profiles.retain(|p| !p.deleted);
    profiles.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(profiles)
}

/// Creates or updates a profile (marked to be sent to the team on the next sync). The nickname is
/// cleaned by the one rule the team server applies too (`hocso_core::profile`).
pub async fn save_profile(mut profile: Profile) -> StoreResult<Profile> {
    profile.nickname =
        hocso_core::profile::clean_nickname(&profile.nickname).ok_or_else(|| StoreError::Failed("a profile needs a nickname".into()))?;
    profile.updated_at = now_ms();
    let writer = device_id().await?;
    let db = db().await?;
    let tx = db.transaction(&[PROFILES], TransactionMode::ReadWrite)?;
    let record = ProfileRecord { profile: profile.clone(), dirty: 1, writer, set_aside: None };
    tx.store(PROFILES)?.put(&to_js(&record)?, None).await?;
    tx.done().await?;
    Ok(profile)
}

/// A new profile id: time-ordered so profiles list in the order they were made.
pub fn new_profile_id() -> String {
    format!("p{:012x}-{}", now_ms(), &random_id()[..8])
}

/// Deletes a learner, in one transaction: each of their events becomes an erased placeholder with
/// the same id and `seq` (nothing of the learner is left, and the phone's numbering stays whole, so
/// the team server can still acknowledge everything after them), and the profile a content-free
/// tombstone so the deletion reaches the team on the next sync. Returns how many events were erased.
pub async fn delete_profile(profile_id: &str) -> StoreResult<usize> {
    let writer = device_id().await?;
    let db = db().await?;
    let tx = db.transaction(&[PROFILES, EVENTS], TransactionMode::ReadWrite)?;
    let erased = erase_events_of(&tx.store(EVENTS)?, profile_id).await?;
    let tombstone = ProfileRecord { profile: Profile::tombstone(profile_id, now_ms()), dirty: 1, writer, set_aside: None };
    tx.store(PROFILES)?.put(&to_js(&tombstone)?, None).await?;
    tx.done().await?;
    Ok(erased)
}

/// Replaces every event of `learner_id` in `events` with its erased placeholder.
async fn erase_events_of(events: &rexie::Store, learner_id: &str) -> StoreResult<usize> {
    let range = KeyRange::only(&JsValue::from_str(learner_id)).map_err(|e| StoreError::Failed(format!("{e:?}")))?;
    let values = events.index("by_learner")?.get_all(Some(range), None).await?;
    let count = values.len();
    for value in values {
        let record: EventRecord = from_js(value)?;
        let placeholder = ProgressEvent::erased(&record.event.device_id, record.event.seq);
        events.put(&to_js(&EventRecord::new(placeholder))?, None).await?;
    }
    Ok(count)
}

/// A small device fact (sync token, cursors, downloaded topics…).
pub async fn get_meta<T: DeserializeOwned>(key: &str) -> StoreResult<Option<T>> {
    let db = db().await?;
    let tx = db.transaction(&[META], TransactionMode::ReadOnly)?;
    meta_get(&tx.store(META)?, key).await
}

pub async fn set_meta<T: Serialize>(key: &str, value: T) -> StoreResult<()> {
    let db = db().await?;
    let tx = db.transaction(&[META], TransactionMode::ReadWrite)?;
    meta_put(&tx.store(META)?, key, value).await?;
    tx.done().await?;
    Ok(())
}

pub async fn delete_meta(key: &str) -> StoreResult<()> {
    delete_object(META, key).await
}

/// Writes a plain JS object (one holding a `Blob`) into `store` ([`SOUNDS`] or [`TAKES`]), replacing
/// the one with the same key.
pub async fn put_object(store: &str, object: &JsValue) -> StoreResult<()> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadWrite)?;
    tx.store(store)?.put(object, None).await?;
    tx.done().await?;
    Ok(())
}

/// The object with this key in `store`, if any.
pub async fn get_object(store: &str, key: &str) -> StoreResult<Option<JsValue>> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
    Ok(tx.store(store)?.get(JsValue::from_str(key)).await?)
}

/// Every object in `store`, by key.
pub async fn all_objects(store: &str) -> StoreResult<Vec<JsValue>> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
    Ok(tx.store(store)?.get_all(None, None).await?)
}

/// Every key in `store` (sounds already downloaded, without reading their bytes).
pub async fn object_keys(store: &str) -> StoreResult<Vec<String>> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
    Ok(tx.store(store)?.get_all_keys(None, None).await?.into_iter().filter_map(|k| k.as_string()).collect())
}

pub async fn delete_object(store: &str, key: &str) -> StoreResult<()> {
    let db = db().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadWrite)?;
    tx.store(store)?.delete(JsValue::from_str(key)).await?;
    tx.done().await?;
    Ok(())
}

/// Closes the shared connection (tests reopen with another schema version).
pub fn close() {
    if let Some(db) = DB.with(|d| d.borrow_mut().take()) {
        if let Ok(db) = Rc::try_unwrap(db) {
            db.close();
        }
    }
}

async fn profile_records(store: &rexie::Store) -> StoreResult<Vec<ProfileRecord>> {
    store.get_all(None, None).await?.into_iter().map(from_js).collect()
}

/// Profiles edited on this phone since they were last sent to the team (tombstones included),
/// except versions the server refused.
pub async fn changed_profiles() -> StoreResult<Vec<Profile>> {
    let db = db().await?;
    let tx = db.transaction(&[PROFILES], TransactionMode::ReadOnly)?;
    let records = profile_records(&tx.store(PROFILES)?).await?;
    Ok(records.into_iter().filter(|r| r.dirty == 1 && r.set_aside.is_none()).map(|r| r.profile).collect())
}

/// The team has these versions: clear their "changed" mark, unless the profile was edited again.
pub async fn mark_profiles_synced(sent: &[Profile]) -> StoreResult<()> {
    let db = db().await?;
    let tx = db.transaction(&[PROFILES], TransactionMode::ReadWrite)?;
    let store = tx.store(PROFILES)?;
    for profile in sent {
        if let Some(value) = store.get(JsValue::from_str(&profile.id)).await? {
            let mut record: ProfileRecord = from_js(value)?;
            if record.profile.updated_at == profile.updated_at {
                record.dirty = 0;
                store.put(&to_js(&record)?, None).await?;
            }
        }
    }
    tx.done().await?;
    Ok(())
}

/// A profile from a backup file: kept if this phone has no later version (an old backup never
/// beats a later edit), with the time of its last edit unchanged, and marked to be sent on the next
/// sync. Returns whether it was kept.
pub async fn import_profile(profile: &Profile) -> StoreResult<bool> {
    keep_if_newer(profile, "", NewProfile::Add, 1).await
}

/// A version of a profile written on another phone of the team (`writer`): kept if it is the later
/// write. Profiles this phone does not have are not added: a family phone shows only its own
/// learners. A deletion erases that learner's events here too.
pub async fn merge_remote_profile(profile: &Profile, writer: &str) -> StoreResult<bool> {
    keep_if_newer(profile, writer, NewProfile::Skip, 0).await
}

/// What to do with a profile this phone does not have.
enum NewProfile {
    Add,
    Skip,
}

/// Stores `profile` written by `writer` with `dirty` if it replaces this phone's copy by the one
/// rule (`hocso_core::profile::replaces`: last writer wins, a deletion is final), in one transaction. Returns
/// whether it was stored.
async fn keep_if_newer(profile: &Profile, writer: &str, if_new: NewProfile, dirty: u8) -> StoreResult<bool> {
    let db = db().await?;
    let tx = db.transaction(&[PROFILES, EVENTS], TransactionMode::ReadWrite)?;
    let store = tx.store(PROFILES)?;
    let local: Option<ProfileRecord> = match store.get(JsValue::from_str(&profile.id)).await? {
        Some(value) => Some(from_js(value)?),
        None => None,
    };
    let kept = match (&local, if_new) {
        (None, NewProfile::Skip) => false,
        (None, NewProfile::Add) => true,
        (Some(local), _) => replaces(profile.version(writer), local.profile.version(&local.writer)),
    };
    if kept {
        let record = ProfileRecord { profile: profile.clone(), dirty, writer: writer.to_owned(), set_aside: None };
        store.put(&to_js(&record)?, None).await?;
        if profile.deleted {
            erase_events_of(&tx.store(EVENTS)?, &profile.id).await?;
        }
    }
    tx.done().await?;
    Ok(kept)
}

/// The server refused the record `record` (an event id or a profile id) for `reason`: keep it here
/// and stop sending it. False when this phone has no such event or profile.
pub async fn set_aside(record: &str, reason: &str) -> StoreResult<bool> {
    let db = db().await?;
    let tx = db.transaction(&[PROFILES, EVENTS], TransactionMode::ReadWrite)?;
    let key = JsValue::from_str(record);
    let (events, profiles) = (tx.store(EVENTS)?, tx.store(PROFILES)?);
    let found = if let Some(value) = events.get(key.clone()).await? {
        let mut event: EventRecord = from_js(value)?;
        event.set_aside = Some(reason.to_owned());
        events.put(&to_js(&event)?, None).await?;
        true
    } else if let Some(value) = profiles.get(key).await? {
        let mut profile: ProfileRecord = from_js(value)?;
        profile.set_aside = Some(reason.to_owned());
        profiles.put(&to_js(&profile)?, None).await?;
        true
    } else {
        false
    };
    tx.done().await?;
    Ok(found)
}

/// How many of this phone's events and profiles the team server refused (kept here, not sent).
pub async fn set_aside_count() -> StoreResult<usize> {
    let db = db().await?;
    let tx = db.transaction(&[PROFILES, EVENTS], TransactionMode::ReadOnly)?;
    let profiles = profile_records(&tx.store(PROFILES)?).await?.iter().filter(|r| r.set_aside.is_some()).count();
    let events = tx.store(EVENTS)?.get_all(None, None).await?;
    let mut count = profiles;
    for value in events {
        count += usize::from(from_js::<EventRecord>(value)?.set_aside.is_some());
    }
    Ok(count)
}

/// The team server holds less than it acknowledged before (restored from an older backup): every
/// profile this phone wrote is marked to be sent again, tombstones included.
pub async fn mark_own_profiles_changed(device_id: &str) -> StoreResult<()> {
    let db = db().await?;
    let tx = db.transaction(&[PROFILES], TransactionMode::ReadWrite)?;
    let store = tx.store(PROFILES)?;
    for mut record in profile_records(&store).await? {
        if record.writer == device_id && record.dirty == 0 && record.set_aside.is_none() {
            record.dirty = 1;
            store.put(&to_js(&record)?, None).await?;
        }
    }
    tx.done().await?;
    Ok(())
}

/// The server holds this device's events up to `seq`: never number a new event at or below it
/// (a phone restored from an old backup would otherwise reuse numbers the server already has).
pub async fn ensure_seq_after(seq: u64) -> StoreResult<()> {
    let db = db().await?;
    let tx = db.transaction(&[META], TransactionMode::ReadWrite)?;
    let meta = tx.store(META)?;
    if meta_get::<u64>(&meta, "last_seq").await?.unwrap_or(0) < seq {
        meta_put(&meta, "last_seq", seq).await?;
    }
    tx.done().await?;
    Ok(())
}

/// How many of this device's events are after `seq` (waiting to be sent).
pub async fn count_device_events_after(device_id: &str, seq: u64) -> StoreResult<usize> {
    let db = db().await?;
    let tx = db.transaction(&[EVENTS], TransactionMode::ReadOnly)?;
    Ok(tx.store(EVENTS)?.index("by_device_seq")?.count(Some(device_range(device_id, seq)?)).await? as usize)
}

/// The team server gave this phone a new device id (it could not prove it was the phone that held
/// its old one). Its events not yet on the server move to the new id, numbered 1, 2, 3… in their
/// order, in one transaction; the ones already sent stay as they are (the server has them).
/// Returns how many moved.
pub async fn adopt_device_id(new_id: &str) -> StoreResult<usize> {
    let old_id = device_id().await?;
    if old_id == new_id {
        return Ok(0);
    }
    let db = db().await?;
    let tx = db.transaction(&[EVENTS, META], TransactionMode::ReadWrite)?;
    let (events, meta) = (tx.store(EVENTS)?, tx.store(META)?);
    let through = meta_get::<u64>(&meta, "synced_through").await?.unwrap_or(0);
    let waiting = events.index("by_device_seq")?.get_all(Some(device_range(&old_id, through)?), None).await?;
    let mut seq = 0;
    for value in waiting {
        let record: EventRecord = from_js(value)?;
        seq += 1;
        let moved = ProgressEvent { id: ProgressEvent::event_id(new_id, seq), device_id: new_id.to_owned(), seq, ..record.event.clone() };
        events.delete(JsValue::from_str(&record.event.id)).await?;
        events.add(&to_js(&EventRecord { event: moved, set_aside: record.set_aside })?, None).await?;
    }
    meta_put(&meta, "device_id", new_id).await?;
    meta_put(&meta, "last_seq", seq).await?;
    meta_put(&meta, "synced_through", 0u64).await?;
    tx.done().await?;
    Ok(seq as usize)
}
