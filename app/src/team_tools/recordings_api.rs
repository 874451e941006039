//! The team server's recordings API (`server/src/api/recordings.rs` describes it), for the
//! recorder and the list of the team's voices: every request carries the phone's device token, and
//! every answer comes back as a typed value or an [`ApiFailure`] with the server's own sentence.
use hocso_core::recordings::TeamRecording;
use hocso_core::sync::API_PREFIX;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// How long an upload may take before it counts as no answer: 600 kB on a weak 3G signal.
const UPLOAD_TIMEOUT_MS: u32 = 120_000;
/// Other requests are small.
const REQUEST_TIMEOUT_MS: u32 = 30_000;

/// Why a request did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiFailure {
    /// No answer (offline, timed out, the server down or answering 5xx).
    NoAnswer,
    /// The server answered no: its status and sentence.
    Refused { status: u16, message: String },
}

/// `GET /recordings`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RecordingList {
    pub recordings: Vec<TeamRecording>,
    pub max_bytes: u64,
    pub max_duration_ms: u64,
}

#[derive(Deserialize, Default)]
struct Refusal {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}

/// The server's sentence from an error body, else its code, else the status.
fn refusal(status: u16, text: &str) -> ApiFailure {
    let message = match serde_json::from_str::<Refusal>(text) {
        Ok(r) if !r.message.is_empty() => r.message,
        Ok(r) if !r.error.is_empty() => r.error,
        _ => format!("HTTP {status}"),
    };
    ApiFailure::Refused { status, message }
}

fn recording_url(id: &str) -> String {
    format!("{API_PREFIX}/recordings/{id}")
}

/// Sends `request` with the token, aborting after `timeout_ms`; 5xx counts as no answer.
async fn send(
    builder: gloo_net::http::RequestBuilder,
    token: &str,
    body: Option<&web_sys::Blob>,
    timeout_ms: u32,
) -> Result<gloo_net::http::Response, ApiFailure> {
    let controller = web_sys::AbortController::new().map_err(|_| ApiFailure::NoAnswer)?;
    let signal = controller.signal();
    let _timeout = gloo_timers::callback::Timeout::new(timeout_ms, move || controller.abort());
    let builder = builder.header("Authorization", &format!("Bearer {token}")).abort_signal(Some(&signal));
    let request = match body {
        Some(blob) => builder.body(blob.clone()),
        None => builder.build(),
    }
    .map_err(|_| ApiFailure::NoAnswer)?;
    let response = request.send().await.map_err(|_| ApiFailure::NoAnswer)?;
    if response.status() >= 500 || response.status() == 0 {
        return Err(ApiFailure::NoAnswer);
    }
    Ok(response)
}

async fn json<T: DeserializeOwned>(response: gloo_net::http::Response) -> Result<T, ApiFailure> {
    let status = response.status();
    let text = response.text().await.map_err(|_| ApiFailure::NoAnswer)?;
    if !(200..300).contains(&status) {
        return Err(refusal(status, &text));
    }
    serde_json::from_str(&text).map_err(|error| ApiFailure::Refused { status, message: error.to_string() })
}

/// `PUT /recordings/{id}?lesson=&step=&locale=` with the take's bytes: the HTTP status (`0` for no
/// answer, which the caller retries with the same id and bytes) and the server's sentence.
pub async fn upload(token: &str, id: &str, lesson: &str, step: &str, locale: &str, blob: &web_sys::Blob) -> (u16, String) {
    let builder = gloo_net::http::Request::put(&recording_url(id)).query([("lesson", lesson), ("step", step), ("locale", locale)]);
    let response = match send(builder, token, Some(blob), UPLOAD_TIMEOUT_MS).await {
        Ok(response) => response,
        Err(_) => return (0, String::new()),
    };
    let status = response.status();
    // A body that does not arrive whole is no answer: the take is sent again (a retry stores once).
    let Ok(text) = response.text().await else { return (0, String::new()) };
    if (200..300).contains(&status) {
        return (status, String::new());
    }
    match refusal(status, &text) {
        ApiFailure::Refused { message, .. } => (status, message),
        ApiFailure::NoAnswer => (status, String::new()),
    }
}

/// `GET /recordings`: the team's recordings, never their sound.
pub async fn list(token: &str) -> Result<RecordingList, ApiFailure> {
    json(send(gloo_net::http::Request::get(&format!("{API_PREFIX}/recordings")), token, None, REQUEST_TIMEOUT_MS).await?).await
}

#[derive(Deserialize)]
struct Approval {
    recording: TeamRecording,
}

/// `POST /recordings/{id}/approve` (the leader): the recording as approved.
pub async fn approve(token: &str, id: &str) -> Result<TeamRecording, ApiFailure> {
    let answer: Approval =
        json(send(gloo_net::http::Request::post(&format!("{}/approve", recording_url(id))), token, None, REQUEST_TIMEOUT_MS).await?).await?;
    Ok(answer.recording)
}

/// `DELETE /recordings/{id}`.
pub async fn delete(token: &str, id: &str) -> Result<(), ApiFailure> {
    let _: serde_json::Value = json(send(gloo_net::http::Request::delete(&recording_url(id)), token, None, REQUEST_TIMEOUT_MS).await?).await?;
    Ok(())
}

/// `GET /recordings/{id}/audio`: the sound, as an object URL to play (an `<audio src>` could not
/// send the token). The caller revokes it.
pub async fn audio_url(token: &str, id: &str) -> Result<String, ApiFailure> {
    let response = send(gloo_net::http::Request::get(&format!("{}/audio", recording_url(id))), token, None, UPLOAD_TIMEOUT_MS).await?;
    let status = response.status();
    if status != 200 {
        let text = response.text().await.unwrap_or_default();
        return Err(refusal(status, &text));
    }
    let content_type = response.headers().get("content-type").unwrap_or_default();
    let bytes = response.binary().await.map_err(|_| ApiFailure::NoAnswer)?;
    let blob = blob_of(&bytes, &content_type).ok_or(ApiFailure::NoAnswer)?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ApiFailure::NoAnswer)
}

/// A `Blob` of `bytes` typed `content_type`.
pub fn blob_of(bytes: &[u8], content_type: &str) -> Option<web_sys::Blob> {
    let array = js_sys::Uint8Array::from(bytes);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&js_sys::Array::of1(&array), &options).ok()
}
