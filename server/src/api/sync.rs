//! `POST /sync/push` and `GET /sync/pull`: a device sends its answers and profiles, and receives its
//! team's changes. Everything is checked before anything is stored, and stored in one transaction.
//! A refusal that one event or profile caused names it (`record`), so that the phone can set that
//! one aside and send the rest.
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use hocso_core::sync::{
    validate_event, validate_profile, PullResponse, PushRequest, PushResponse, Role, DEFAULT_PULL_LIMIT, MAX_EVENTS_PER_PUSH, MAX_PROFILES_PER_PUSH,
    MAX_PULL_LIMIT,
};
use serde::Deserialize;

use super::auth::Device;
use super::error::ApiError;
use super::json::ApiJson;
use super::AppState;

pub async fn push(
    State(state): State<AppState>,
    Device(device): Device,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    let started = std::time::Instant::now();
    let answer = check_and_store(&state, &device, &request).await;
    state.metrics.push_took(started);
    if let Ok(answer) = &answer {
        state.metrics.pushed(u64::from(answer.stored), u64::from(answer.duplicates));
    }
    answer.map(Json)
}

async fn check_and_store(state: &AppState, device: &crate::store::AuthDevice, request: &PushRequest) -> Result<PushResponse, ApiError> {
    if request.events.len() > MAX_EVENTS_PER_PUSH {
        return Err(ApiError::unprocessable(
            "too_many_events",
            format!("{} events in one push; send at most {MAX_EVENTS_PER_PUSH}", request.events.len()),
        ));
    }
    if request.profiles.len() > MAX_PROFILES_PER_PUSH {
        return Err(ApiError::unprocessable(
            "too_many_profiles",
            format!("{} profiles in one push; send at most {MAX_PROFILES_PER_PUSH}", request.profiles.len()),
        ));
    }
    // Times are judged by the server's clock: a phone's clock may be wrong, but not by years.
    let now = crate::store::now_ms();
    for event in &request.events {
        validate_event(event, now).map_err(|message| ApiError::unprocessable("invalid_event", message).with_record(&event.id))?;
        if event.device_id != device.id {
            return Err(ApiError::client(
                StatusCode::FORBIDDEN,
                "event_from_another_device",
                format!("event {:?} was recorded by another device; a device sends only its own events", event.id),
            ));
        }
    }
    if device.role != Role::Leader {
        if let Some(event) = request.events.iter().find(|event| event.kind.session().is_some()) {
            return Err(ApiError::client(
                StatusCode::FORBIDDEN,
                "leader_only",
                format!(
                    "event {:?} is part of a learning session, which only the team leader's phone runs: join with the \
                     leader code to send it; nothing was stored",
                    event.id
                ),
            )
            .with_record(&event.id));
        }
    }
    for profile in &request.profiles {
        validate_profile(profile, now).map_err(|message| ApiError::unprocessable("invalid_profile", message).with_record(&profile.id))?;
    }
    let answer = state.store.push(device, request).await?;
    tracing::debug!(
        device = %device.id, team = %device.team.id, stored = answer.stored, duplicates = answer.duplicates,
        acked = answer.acked_through_seq, "push"
    );
    Ok(answer)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullParams {
    cursor: Option<String>,
    limit: Option<u32>,
}

pub async fn pull(
    State(state): State<AppState>,
    Device(device): Device,
    params: Result<Query<PullParams>, QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(params) = params?;
    let limit = params.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if !(1..=MAX_PULL_LIMIT).contains(&limit) {
        return Err(ApiError::client(StatusCode::BAD_REQUEST, "invalid_query", format!("limit must be between 1 and {MAX_PULL_LIMIT}")));
    }
    let cursor = match params.cursor.as_deref() {
        None | Some("") => 0,
        Some(text) => parse_cursor(text).ok_or_else(|| {
            ApiError::client(
                StatusCode::BAD_REQUEST,
                "invalid_cursor",
                "the cursor was not given by this server: send back the last `cursor` received, or none",
            )
        })?,
    };
    let page = state.store.pull(&device, cursor, limit).await?;
    Ok(Json(PullResponse {
        profiles: page.profiles,
        catalogue_version: state.catalogue.version(),
        acked_through_seq: page.acked_through_seq,
        cursor: format!("r{}", page.cursor),
        has_more: page.has_more,
        recordings: page.recordings,
    }))
}

/// Cursors look like `r42`: the team revision the device has seen. Opaque to the device.
fn parse_cursor(text: &str) -> Option<u64> {
    text.strip_prefix('r')?.parse().ok()
}

/// The published content catalogue's hash, recomputed only when the file changes.
pub struct Catalogue {
    path: PathBuf,
    cached: Mutex<Option<(SystemTime, u64, String)>>,
}

impl Catalogue {
    pub fn new(path: PathBuf) -> Self {
        Self { path, cached: Mutex::new(None) }
    }

    /// `dist/content/catalogue.json`.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Forgets the version read: the next [`Catalogue::version`] reads the file again (after a
    /// publish, even where the disk's file times are too coarse to tell the new file apart).
    pub fn forget(&self) {
        *self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }

    pub fn version(&self) -> Option<String> {
        let meta = std::fs::metadata(&self.path).ok()?;
        let stamp = (meta.modified().ok()?, meta.len());
        let mut cached = self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((modified, len, hash)) = cached.as_ref() {
            if (*modified, *len) == stamp {
                return Some(hash.clone());
            }
        }
        let bytes = std::fs::read(&self.path).ok()?;
        let hash = sha256_hex_bytes(&bytes);
        *cached = Some((stamp.0, stamp.1, hash.clone()));
        Some(hash)
    }
}

fn sha256_hex_bytes(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cursors_this_server_gave_are_accepted() {
        assert_eq!(parse_cursor("r42"), Some(42));
        assert_eq!(parse_cursor("42"), None);
        assert_eq!(parse_cursor("r-1"), None);
    }
}
