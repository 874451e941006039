//! Voices recorded by the team (issue #15): a phone of the team uploads its recording of one part of
//! a lesson in one language; the leader approves one per part and language; every phone of the team
//! learns of the approved ones in the sync pull and downloads their sound.
//!
//! Every endpoint takes a device token of the team (`Authorization: Bearer <device_token>`, from
//! `POST /api/v1/devices/join`), sees only that team's recordings, and answers failures as the rest
//! of the API does: `{"error": "<code>", "message": "<sentence>"}` with a 4xx status, nothing changed.
//! An admin token is refused (401 `invalid_token`).
//!
//! Words: **id** is chosen by the phone when it records (1–64 of `A-Z a-z 0-9 _ -`, e.g. a UUID), so
//! a retried upload names the same recording; ids are per team (another team's recording with the
//! same id is another recording, never seen). **lesson** is a lesson id (`pay-by-vietqr`); when the
//! server has published content (`dist/content/catalogue.json`), it must be one of its lessons, and
//! the step one of its steps (drill: one of its drills).
//! **step** is the part read: `0`, `1`, … the lesson's steps in file order (`0` is the first `## `
//! step, as `step_viewed` counts them), or `drill-0`, `drill-1`, … the instruction of the lesson's
//! practice drills in reading order. **locale** is the language spoken: `vi` (Vietnamese, read by the
//! team), `en`, `hmn`, `tyz` (see `locales/`). See `hocso_core::recordings`.
//!
//! A recording, as listed (`TeamRecording`):
//! `{"id", "lesson_id", "step", "locale", "content_type", "bytes", "duration_ms"?, "sha256",
//!   "recorded_by", "created_at", "approved", "approved_by"?, "approved_at"?}`
//! (`content_type` is what the bytes are, sniffed: `audio/webm`, `audio/mp4`, `audio/ogg`,
//! `audio/mpeg` or `audio/aac`; `duration_ms` is absent when the file does not state its length;
//! times are ms since 1970).
//!
//! | request | who | answer |
//! | --- | --- | --- |
//! | `PUT /api/v1/recordings/{id}?lesson=L&step=S&locale=X`, body = the recording's bytes as recorded (any `Content-Type`; the bytes decide) | a member or the leader | `201` + the recording (new); `200` + the recording when the same id was stored with the same bytes for the same part (a retry: nothing changes); `409 recording_id_taken` when the id is stored with other bytes or for another part (a take never changes: upload a new take with a new id); `409 too_many_recordings` over 1000 per team |
//! | `POST /api/v1/recordings/{id}/approve` | the leader (`403 leader_only` for a member) | `200 {"recording": …, "replaced": "<id>" or null}`: it becomes the team's one voice for its lesson, step and language; the one approved before (`replaced`) stays, unapproved. Approving an approved one changes nothing. |
//! | `DELETE /api/v1/recordings/{id}` | the leader; or the phone that uploaded it while it is not approved (`403 not_your_recording`, `403 leader_only`) | `200 {"deleted": "<id>"}` |
//! | `GET /api/v1/recordings` | a member or the leader | `200 {"recordings": [ … ], "max_bytes": 600000, "max_duration_ms": 60000}`, by lesson, step, language, oldest first, approved or not, never the sound |
//! | `GET /api/v1/recordings/{id}/audio` | a member or the leader | `200`, the bytes, `Content-Type` as sniffed, `ETag: "<sha256>"`, `Cache-Control: private, max-age=31536000, immutable` (a recording never changes) |
//!
//! Refusals of an upload, all with nothing stored: `400 invalid_query` (a parameter missing or
//! unknown), `400 invalid_recording_id`, `422 invalid_recording` (a lesson, step or language that is
//! not one; the sentence says which and how to write it), `422 unknown_lesson` (not in the published
//! content, or a step or drill it does not have), `413 recording_too_large` (over 600,000 bytes; the body is
//! not read beyond 600 kB + 4 kB), `415 not_audio` (not WebM, MP4/M4A, Ogg, MP3 or AAC, whatever the
//! `Content-Type` said), `422 recording_too_long` (the file states over 60 s), `422 empty_recording`.
//! Unknown ids (or another team's) are `404 not_found` everywhere.
//!
//! **A recorder's steps** (the team tools): give each take a new id when it is recorded (e.g.
//! `crypto.randomUUID()`) and keep it with the take in IndexedDB; `PUT` it when online and, on no
//! answer, `PUT` the same id and bytes again until `200`/`201` (a retry never stores twice); on a `4xx`
//! show the `message` and keep the take for the person to decide; a new take of the same step gets a
//! new id. The leader then approves one take per step and language; takes left unapproved stay
//! listed until deleted.
//!
//! **In the sync pull** (`GET /api/v1/sync/pull`), the last page (`has_more: false`) carries
//! `"recordings": [ …every approved recording of the team… ]` when the team's approved voices changed
//! (an approval, or deleting an approved one) since the cursor the phone sent; the list replaces what
//! the phone knew (`[]`: none any more). Without the field nothing changed. A phone downloads the
//! sound of each one it does not hold yet (by `sha256`) from its `/audio` with `fetch` and its token
//! (an `<audio src>` cannot send one), keeps the bytes, and plays them from an object URL offline.
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hocso_core::audio::{check_recording, RecordingProblem, MAX_RECORDING_BYTES, MAX_RECORDING_MS};
use hocso_core::content::{Catalogue, TopicPack};
use hocso_core::i18n::REFERENCE_LOCALE;
use hocso_core::recordings::{check_lesson_id, check_locale, check_recording_id, RecordingPart, TeamRecording};
use hocso_core::sync::Role;
use serde::{Deserialize, Serialize};

use super::auth::Device;
use super::error::ApiError;
use super::AppState;
use crate::store::{NewRecording, StoreError, Upload};

/// The body an upload may have: the recording's limit, and a little more so that a file just over
/// it is answered with its size (`413 recording_too_large`) like any other.
pub const MAX_UPLOAD_BODY_BYTES: usize = MAX_RECORDING_BYTES + 4096;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadParams {
    lesson: String,
    step: String,
    locale: String,
}

#[derive(Debug, Serialize)]
pub struct RecordingList {
    pub recordings: Vec<TeamRecording>,
    /// The limits the recorder states on screen.
    pub max_bytes: usize,
    pub max_duration_ms: u64,
}

#[derive(Debug, Serialize)]
pub struct ApprovalAnswer {
    pub recording: TeamRecording,
    pub replaced: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Deleted {
    pub deleted: String,
}

fn recording_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(id) = path.map_err(|rejection| ApiError::client(StatusCode::BAD_REQUEST, "invalid_recording_id", rejection.body_text()))?;
    check_recording_id(&id).map_err(|message| ApiError::client(StatusCode::BAD_REQUEST, "invalid_recording_id", message))?;
    Ok(id)
}

fn invalid(message: String) -> ApiError {
    ApiError::unprocessable("invalid_recording", format!("{message}; nothing was stored"))
}

fn refused(problem: RecordingProblem) -> ApiError {
    let (status, code) = match problem {
        RecordingProblem::Empty => (StatusCode::UNPROCESSABLE_ENTITY, "empty_recording"),
        RecordingProblem::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "recording_too_large"),
        RecordingProblem::NotAudio => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_audio"),
        RecordingProblem::TooLong { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "recording_too_long"),
    };
    ApiError::client(status, code, format!("{problem}; nothing was stored"))
}

/// With published content, the lesson must be one of it, a step one of its steps (counted in its
/// Vietnamese pack: translations have the same steps) and a drill's instruction one of its drills.
async fn check_against_catalogue(state: &AppState, lesson_id: &str, part: RecordingPart) -> Result<(), ApiError> {
    let Ok(bytes) = tokio::fs::read(state.catalogue.path()).await else { return Ok(()) };
    let catalogue: Catalogue = match serde_json::from_slice(&bytes) {
        Ok(catalogue) => catalogue,
        Err(error) => {
            tracing::warn!(path = %state.catalogue.path().display(), %error, "the content catalogue cannot be read: uploads name any lesson");
            return Ok(());
        }
    };
    let found = catalogue.topics.iter().find_map(|topic| topic.lessons.iter().find(|lesson| lesson.id == lesson_id).map(|lesson| (topic, lesson)));
    let Some((topic, lesson)) = found else {
        return Err(ApiError::unprocessable(
            "unknown_lesson",
            format!("lesson {lesson_id:?} is not among the lessons this server publishes; nothing was stored"),
        ));
    };
    match part {
        RecordingPart::DrillInstruction(drill) => {
            let drills = lesson.locales.get(REFERENCE_LOCALE).map_or(0, |l| l.drills);
            if drill >= drills {
                return Err(ApiError::unprocessable(
                    "unknown_lesson",
                    format!("lesson {lesson_id:?} has {drills} practice drills, so there is no drill-{drill} to read; nothing was stored"),
                ));
            }
        }
        RecordingPart::Step(step) => {
            let Some(steps) = published_steps(state, &topic.id, lesson_id).await else { return Ok(()) };
            if step as usize >= steps {
                return Err(ApiError::unprocessable(
                    "unknown_lesson",
                    format!(
                        "lesson {lesson_id:?} has {steps} steps (0 to {}), so there is no step {step} to read; nothing was stored",
                        steps.saturating_sub(1)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// How many steps the published Vietnamese pack gives the lesson (`None` when it cannot be read).
async fn published_steps(state: &AppState, topic: &str, lesson_id: &str) -> Option<usize> {
    let path = state.catalogue.path().parent()?.join("packs").join(format!("{topic}.{REFERENCE_LOCALE}.json"));
    let bytes = tokio::fs::read(&path).await.ok()?;
    match serde_json::from_slice::<TopicPack>(&bytes) {
        Ok(pack) => pack.lessons.iter().find(|packed| packed.lesson.meta.id == lesson_id).map(|packed| packed.lesson.steps.len()),
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "a published pack cannot be read: steps of its lessons not checked");
            None
        }
    }
}

pub async fn upload(
    State(state): State<AppState>,
    Device(device): Device,
    path: Result<Path<String>, PathRejection>,
    params: Result<Query<UploadParams>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let id = recording_id(path)?;
    let Query(params) = params?;
    check_lesson_id(&params.lesson).map_err(invalid)?;
    let part = RecordingPart::parse(&params.step).map_err(invalid)?;
    check_locale(&params.locale).map_err(invalid)?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            refused(RecordingProblem::TooLarge { bytes: MAX_UPLOAD_BODY_BYTES })
        } else {
            ApiError::client(rejection.status(), "bad_request", format!("the recording could not be read: {}", rejection.body_text()))
        }
    })?;
    let checked = check_recording(&body).map_err(refused)?;
    check_against_catalogue(&state, &params.lesson, part).await?;
    let new = NewRecording {
        id: &id,
        lesson_id: &params.lesson,
        part,
        locale: &params.locale,
        format: checked.format,
        duration_ms: checked.duration_ms,
        audio: &body,
    };
    let (status, recording) = match state.store.put_recording(&device, new).await? {
        Upload::Created(recording) => {
            tracing::info!(team = %device.team.id, device = %device.id, recording = %id, lesson = %params.lesson, step = %part, locale = %params.locale, bytes = body.len(), "recording stored");
            (StatusCode::CREATED, recording)
        }
        Upload::AlreadyStored(recording) => (StatusCode::OK, recording),
    };
    Ok((status, Json(recording)).into_response())
}

pub async fn approve(
    State(state): State<AppState>,
    Device(device): Device,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<ApprovalAnswer>, ApiError> {
    let id = recording_id(path)?;
    if device.role != Role::Leader {
        return Err(ApiError::client(
            StatusCode::FORBIDDEN,
            "leader_only",
            "only the team leader's phone approves recordings (join with the leader code); nothing was changed",
        ));
    }
    let approval = state.store.approve_recording(&device, &id).await?;
    if approval.changed {
        tracing::info!(team = %device.team.id, recording = %id, replaced = ?approval.replaced, "recording approved");
    }
    Ok(Json(ApprovalAnswer { recording: approval.recording, replaced: approval.replaced }))
}

pub async fn delete(
    State(state): State<AppState>,
    Device(device): Device,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Deleted>, ApiError> {
    let id = recording_id(path)?;
    state.store.delete_recording(&device, &id).await?;
    tracing::info!(team = %device.team.id, device = %device.id, recording = %id, "recording deleted");
    Ok(Json(Deleted { deleted: id }))
}

pub async fn list(State(state): State<AppState>, Device(device): Device) -> Result<Json<RecordingList>, ApiError> {
    Ok(Json(RecordingList {
        recordings: state.store.list_recordings(&device.team.id).await?,
        max_bytes: MAX_RECORDING_BYTES,
        max_duration_ms: MAX_RECORDING_MS,
    }))
}

pub async fn audio(State(state): State<AppState>, Device(device): Device, path: Result<Path<String>, PathRejection>) -> Result<Response, ApiError> {
    let id = recording_id(path)?;
    let (recording, bytes) =
        state.store.recording_audio(&device.team.id, &id).await?.ok_or_else(|| StoreError::NotFound(format!("recording {id:?} of your team")))?;
    let content_type = HeaderValue::from_str(&recording.content_type)
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("recording {id} has a stored content type that is not a header value")))?;
    let etag = HeaderValue::from_str(&format!("\"{}\"", recording.sha256))
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("recording {id} has a stored sha256 that is not a header value")))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable")),
        ],
        bytes,
    )
        .into_response())
}
