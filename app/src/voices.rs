//! The team's voices on a learner's phone (issue #15): the recordings the team leader approved,
//! learned of in the sync pull, their sounds kept in IndexedDB (store `sounds`) so the reader plays
//! them offline. Which voice a step gets is `hocso_core::recordings::StepVoices::best`.
//!
//! Sounds are downloaded with the topic ("download this topic" includes the team's voices of its
//! lessons, with their size), or when a learner taps "read aloud" online. A sound is fetched with
//! the phone's device token (an `<audio src>` cannot send one), checked against the size the server
//! listed, and played from an object URL. Sounds of voices no longer approved are deleted.
//! IndexedDB, not the Cache API: Cache does not exist on a plain-http village Wi-Fi page.
use std::cell::RefCell;

use hocso_core::content::CatalogueTopic;
use hocso_core::i18n::REFERENCE_LOCALE;
use hocso_core::recordings::TeamRecording;
use wasm_bindgen::JsValue;

use crate::content::ContentError;
use crate::store::{self, StoreResult, SOUNDS};

/// The meta key of the approved voices this phone knows (the pull's last list).
const TEAM_VOICES: &str = "team_voices";

thread_local! {
    // One object URL per sound for the page's life (a step played twice reuses it): (sha256, url).
    // Vecs, not maps, here and below: a new map type costs the villager's download kilobytes.
    static URLS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// The approved voices this phone knows of, as [`lines`] ("" before the first pull that listed any).
pub async fn saved() -> String {
    store::get_meta::<String>(TEAM_VOICES).await.ok().flatten().unwrap_or_default()
}

/// The voices written by [`lines`].
pub fn parse(lines: &str) -> Vec<TeamRecording> {
    hocso_core::recordings::voices_from_lines(lines)
}

/// The approved voices of `list` as the phone keeps them, in IndexedDB and in the app's signal
/// (`hocso_core::recordings::voices_to_lines`: the JSON of the whole records would add their
/// (de)serialiser to every villager's first download).
pub fn lines(list: &[TeamRecording]) -> String {
    hocso_core::recordings::voices_to_lines(list)
}

/// Keeps the team's new list (it replaces the old one) and deletes the sounds it no longer names.
/// Returns the list as [`lines`].
pub async fn save(list: &[TeamRecording]) -> StoreResult<String> {
    let lines = lines(list);
    store::set_meta(TEAM_VOICES, &lines).await?;
    for sha in store::object_keys(SOUNDS).await? {
        if !list.iter().any(|r| r.sha256 == sha) {
            store::delete_object(SOUNDS, &sha).await?;
        }
    }
    Ok(lines)
}

/// The sounds on this phone, by SHA-256.
pub async fn downloaded() -> Vec<String> {
    store::object_keys(SOUNDS).await.unwrap_or_default()
}

/// The team's voices a learner of `locale` may hear in this topic: in their language, and in
/// Vietnamese (a lesson not written in their language is shown in Vietnamese).
pub fn for_topic<'a>(voices: &'a [TeamRecording], topic: &CatalogueTopic, locale: &str) -> Vec<&'a TeamRecording> {
    voices
        .iter()
        .filter(|r| r.approved && (r.locale == locale || r.locale == REFERENCE_LOCALE) && topic.lessons.iter().any(|l| l.id == r.lesson_id))
        .collect()
}

/// Fetches the sound of each recording not on the phone yet.
pub async fn download(recordings: &[TeamRecording], token: &str) -> Result<(), ContentError> {
    let have = downloaded().await;
    for recording in recordings.iter().filter(|r| !have.contains(&r.sha256)) {
        if crate::pwa::is_updating() {
            return Err(ContentError::StoppedForUpdate);
        }
        fetch_and_keep(recording, token).await?;
    }
    Ok(())
}

async fn fetch_and_keep(recording: &TeamRecording, token: &str) -> Result<web_sys::Blob, ContentError> {
    let response = gloo_net::http::Request::get(&recording.audio_path())
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|_| ContentError::Offline)?;
    if !response.ok() {
        return Err(ContentError::Broken(format!("{}: HTTP {}", recording.audio_path(), response.status())));
    }
    let bytes = response.binary().await.map_err(|_| ContentError::Offline)?;
    if bytes.len() as u64 != recording.bytes {
        // Cut off on the way: keep nothing, so the next try fetches it whole.
        return Err(ContentError::Offline);
    }
    let failed = |e: JsValue| ContentError::Broken(format!("{e:?}"));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&recording.content_type);
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(failed)?;
    let object = js_sys::Object::new();
    js_sys::Reflect::set(&object, &"sha256".into(), &recording.sha256.as_str().into()).map_err(failed)?;
    js_sys::Reflect::set(&object, &"content_type".into(), &recording.content_type.as_str().into()).map_err(failed)?;
    js_sys::Reflect::set(&object, &"blob".into(), &blob).map_err(failed)?;
    // Full storage says so (not "the server is broken"): nothing was kept, the next try starts again.
    store::put_object(SOUNDS, &object).await.map_err(|e| ContentError::NotKept(e.message_key()))?;
    Ok(blob)
}

/// An object URL for the recording's sound: from the phone, else fetched now (with `token`, when
/// online) and kept. `None` when it cannot be had.
pub async fn sound_url(recording: &TeamRecording, token: Option<&str>) -> Option<String> {
    if let Some(url) = URLS.with(|urls| urls.borrow().iter().find(|(sha, _)| *sha == recording.sha256).map(|(_, url)| url.clone())) {
        return Some(url);
    }
    let blob = match store::get_object(SOUNDS, &recording.sha256).await.ok().flatten() {
        Some(object) => web_sys::Blob::from(js_sys::Reflect::get(&object, &"blob".into()).ok()?),
        None => fetch_and_keep(recording, token?).await.ok()?,
    };
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    URLS.with(|urls| urls.borrow_mut().push((recording.sha256.clone(), url.clone())));
    Some(url)
}
