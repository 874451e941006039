//! Takes: the recordings made on this phone by the recorder, kept in IndexedDB (`store::TAKES`) with
//! their sound until the team server has them, and sent from there.
//!
//! A take gets a new random id when it is saved, and keeps it: an upload that got no answer is sent
//! again with the same id and bytes, which the server stores once. This phone keeps one take per
//! part and language (a new take of a part replaces the earlier one here; one the server already
//! has stays there for the leader), and keeps its sound after it is sent: the person can still play
//! what they recorded in the village, with no signal, and the space is bounded by the lesson's parts
//! (at most 600 kB each).
use std::cell::Cell;

use hocso_core::recordings::UploadOutcome;
use wasm_bindgen::{JsCast, JsValue};

use super::recordings_api;
use crate::store::{self, StoreError, StoreResult, TAKES};

/// Where a take is on its way to the team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upload {
    /// On this phone only; sent when there is a signal.
    Waiting,
    /// The team server has it.
    Sent,
    /// The team server will not take it: its sentence. Kept for the person to delete or record again.
    Refused(String),
}

/// A take as the screens show it (its sound stays in IndexedDB; `url` plays it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Take {
    pub id: String,
    pub lesson: String,
    /// `hocso_core::recordings::RecordingPart::key`: `0`, `drill-0`.
    pub step: String,
    pub locale: String,
    /// As recorded (`audio/webm;codecs=opus`).
    pub content_type: String,
    pub duration_ms: u64,
    pub bytes: u64,
    pub created_at: i64,
    pub upload: Upload,
}

impl Take {
    pub fn is_of(&self, lesson: &str, step: &str, locale: &str) -> bool {
        self.lesson == lesson && self.step == step && self.locale == locale
    }

    fn to_object(&self, blob: &web_sys::Blob) -> JsValue {
        let object = js_sys::Object::new();
        let set = |name: &str, value: JsValue| {
            let _ = js_sys::Reflect::set(&object, &JsValue::from_str(name), &value);
        };
        set("id", self.id.as_str().into());
        set("lesson", self.lesson.as_str().into());
        set("step", self.step.as_str().into());
        set("locale", self.locale.as_str().into());
        set("content_type", self.content_type.as_str().into());
        set("duration_ms", (self.duration_ms as f64).into());
        set("bytes", (self.bytes as f64).into());
        set("created_at", (self.created_at as f64).into());
        let (upload, message) = match &self.upload {
            Upload::Waiting => ("waiting", None),
            Upload::Sent => ("sent", None),
            Upload::Refused(message) => ("refused", Some(message.as_str())),
        };
        set("upload", upload.into());
        if let Some(message) = message {
            set("message", message.into());
        }
        set("blob", blob.into());
        object.into()
    }

    fn from_object(object: &JsValue) -> Option<(Take, web_sys::Blob)> {
        let get = |name: &str| js_sys::Reflect::get(object, &JsValue::from_str(name)).ok();
        let text = |name: &str| get(name).and_then(|v| v.as_string());
        let number = |name: &str| get(name).and_then(|v| v.as_f64()).unwrap_or(0.0);
        let upload = match text("upload").as_deref() {
            Some("sent") => Upload::Sent,
            Some("refused") => Upload::Refused(text("message").unwrap_or_default()),
            _ => Upload::Waiting,
        };
        let blob = get("blob")?.dyn_into::<web_sys::Blob>().ok()?;
        let take = Take {
            id: text("id")?,
            lesson: text("lesson")?,
            step: text("step")?,
            locale: text("locale")?,
            content_type: text("content_type").unwrap_or_default(),
            duration_ms: number("duration_ms") as u64,
            bytes: number("bytes") as u64,
            created_at: number("created_at") as i64,
            upload,
        };
        Some((take, blob))
    }
}

/// Every take on this phone, oldest first, each with an object URL of its sound (the caller
/// revokes it when the take leaves the screen).
pub async fn load_all() -> StoreResult<Vec<(Take, String)>> {
    let mut takes: Vec<(Take, String)> = store::all_objects(TAKES)
        .await?
        .iter()
        .filter_map(Take::from_object)
        .filter_map(|(take, blob)| Some((take, web_sys::Url::create_object_url_with_blob(&blob).ok()?)))
        .collect();
    takes.sort_by_key(|(take, _)| take.created_at);
    Ok(takes)
}

/// Keeps a new take (its sound `blob`), then removes the earlier takes of the same part and
/// language from this phone. Returns the ids removed.
pub async fn save(take: &Take, blob: &web_sys::Blob) -> StoreResult<Vec<String>> {
    store::put_object(TAKES, &take.to_object(blob)).await?;
    let mut removed = Vec::new();
    for (earlier, _) in store::all_objects(TAKES).await?.iter().filter_map(Take::from_object) {
        if earlier.id != take.id && earlier.is_of(&take.lesson, &take.step, &take.locale) {
            store::delete_object(TAKES, &earlier.id).await?;
            removed.push(earlier.id);
        }
    }
    Ok(removed)
}

pub async fn delete(id: &str) -> StoreResult<()> {
    store::delete_object(TAKES, id).await
}

/// Changes a take's upload state (nothing if the take was deleted or replaced meanwhile).
async fn set_upload(id: &str, upload: Upload) -> StoreResult<()> {
    let Some(object) = store::get_object(TAKES, id).await? else { return Ok(()) };
    let (mut take, blob) = Take::from_object(&object).ok_or_else(|| StoreError::Failed(format!("take {id} cannot be read")))?;
    take.upload = upload;
    store::put_object(TAKES, &take.to_object(&blob)).await
}

/// How a round of sending ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Every waiting take was answered (stored or refused).
    Done { sent: usize },
    /// Some got no answer: they wait for the next round.
    NoAnswer { sent: usize },
    /// The team no longer knows this phone's token: the takes wait until it joins again.
    NotInTeam,
    /// Another round is running (in this tab).
    Busy,
    /// The phone's storage failed.
    Storage,
}

thread_local! {
    static SENDING: Cell<bool> = const { Cell::new(false) };
}

/// Sends every waiting take, oldest first, calling `changed` after each answer. Stops at the first
/// take with no answer (the others would get none either) and leaves it waiting.
pub async fn send_waiting(token: &str, changed: impl Fn(&str, &Upload)) -> Sent {
    if SENDING.with(|s| s.replace(true)) {
        return Sent::Busy;
    }
    let result = send_all(token, changed).await;
    SENDING.with(|s| s.set(false));
    result
}

async fn send_all(token: &str, changed: impl Fn(&str, &Upload)) -> Sent {
    let Ok(objects) = store::all_objects(TAKES).await else { return Sent::Storage };
    let mut waiting: Vec<(Take, web_sys::Blob)> = objects.iter().filter_map(Take::from_object).filter(|(t, _)| t.upload == Upload::Waiting).collect();
    waiting.sort_by_key(|(take, _)| take.created_at);
    let mut sent = 0;
    for (take, blob) in waiting {
        let (status, message) = recordings_api::upload(token, &take.id, &take.lesson, &take.step, &take.locale, &blob).await;
        let upload = match UploadOutcome::of_status(status) {
            UploadOutcome::Stored => Upload::Sent,
            UploadOutcome::Refused => Upload::Refused(message),
            UploadOutcome::RetryLater => return Sent::NoAnswer { sent },
            UploadOutcome::NotInTeam => return Sent::NotInTeam,
        };
        if upload == Upload::Sent {
            sent += 1;
        }
        if set_upload(&take.id, upload.clone()).await.is_err() {
            return Sent::Storage;
        }
        changed(&take.id, &upload);
    }
    Sent::Done { sent }
}
