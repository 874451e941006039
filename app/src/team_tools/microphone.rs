//! The phone's microphone for the recorder (`record`): `getUserMedia` and `MediaRecorder`, and why
//! they cannot be had, as a [`MicProblem`] the screen turns into one sentence.
//!
//! The take is kept exactly as the browser recorded it (WebM/Opus on Chrome and Android, MP4 on
//! Safari): the server and the phones that play it read the bytes, not a name. 64 kbit/s keeps a
//! minute of speech at 480 kB, under the 600 kB a part may weigh (`hocso_core::audio`).
use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Bit rate asked of the recorder: speech stays clear, a minute stays under the byte limit.
const BITS_PER_SECOND: u32 = 64_000;
/// Types tried in order: Opus in WebM (Chrome, Android, Firefox), then MP4 (Safari, iPhone).
const TYPES: [&str; 2] = ["audio/webm;codecs=opus", "audio/mp4"];

/// Why the phone cannot record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MicProblem {
    /// No `navigator.mediaDevices` or `MediaRecorder`: the page is not a secure context (plain
    /// `http://` on a village Wi-Fi name) or the browser is too old.
    Insecure,
    /// The person (or the phone's settings) refused the microphone.
    Refused,
    /// The phone has no microphone, or another app holds it.
    NoMicrophone,
    /// The recorder stopped for another reason.
    Failed,
}

impl MicProblem {
    /// The `locales/team/` key of its sentence.
    pub fn message_key(self) -> &'static str {
        match self {
            MicProblem::Insecure => "record.needs_https",
            MicProblem::Refused => "record.mic_refused",
            MicProblem::NoMicrophone => "record.no_mic",
            MicProblem::Failed => "record.mic_failed",
        }
    }
}

fn has(target: &JsValue, name: &str) -> bool {
    js_sys::Reflect::get(target, &JsValue::from_str(name)).is_ok_and(|v| !v.is_undefined() && !v.is_null())
}

/// Whether this page can record at all. Browsers hide `navigator.mediaDevices` outside a secure
/// context, so web-sys's getter would hand back `undefined` typed as `MediaDevices`: look first.
pub fn available() -> Result<(), MicProblem> {
    let window = web_sys::window().ok_or(MicProblem::Insecure)?;
    if !has(&window.navigator(), "mediaDevices") || !has(&window, "MediaRecorder") {
        return Err(MicProblem::Insecure);
    }
    Ok(())
}

/// What a finished recording gave: its bytes and type as recorded, and how long it ran by the clock
/// (a WebM that MediaRecorder writes states no length of its own).
pub struct Recorded {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub elapsed_ms: u64,
}

/// A recording running now. Dropping it without [`Recording::stop`] releases the microphone.
pub struct Recording {
    recorder: web_sys::MediaRecorder,
    stream: web_sys::MediaStream,
    chunks: Rc<RefCell<Vec<web_sys::Blob>>>,
    started_at: f64,
    _on_data: Closure<dyn FnMut(web_sys::BlobEvent)>,
}

fn problem_of(error: &JsValue) -> MicProblem {
    let name = error.dyn_ref::<web_sys::DomException>().map(|e| e.name()).unwrap_or_default();
    match name.as_str() {
        "NotAllowedError" | "SecurityError" => MicProblem::Refused,
        "NotFoundError" | "NotReadableError" | "OverconstrainedError" => MicProblem::NoMicrophone,
        _ => MicProblem::Failed,
    }
}

/// Asks for the microphone and starts recording.
pub async fn start() -> Result<Recording, MicProblem> {
    available()?;
    let window = web_sys::window().ok_or(MicProblem::Insecure)?;
    let devices = window.navigator().media_devices().map_err(|_| MicProblem::Insecure)?;
    let constraints = web_sys::MediaStreamConstraints::new();
    constraints.set_audio(&JsValue::TRUE);
    let promise = devices.get_user_media_with_constraints(&constraints).map_err(|e| problem_of(&e))?;
    let stream: web_sys::MediaStream = JsFuture::from(promise).await.map_err(|e| problem_of(&e))?.unchecked_into();
    let options = web_sys::MediaRecorderOptions::new();
    options.set_audio_bits_per_second(BITS_PER_SECOND);
    if let Some(mime) = TYPES.into_iter().find(|t| web_sys::MediaRecorder::is_type_supported(t)) {
        options.set_mime_type(mime);
    }
    let release = |stream: &web_sys::MediaStream| stop_tracks(stream);
    let recorder = match web_sys::MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &options) {
        Ok(recorder) => recorder,
        Err(_) => {
            release(&stream);
            return Err(MicProblem::Failed);
        }
    };
    let chunks = Rc::new(RefCell::new(Vec::new()));
    let sink = chunks.clone();
    let on_data = Closure::<dyn FnMut(web_sys::BlobEvent)>::new(move |event: web_sys::BlobEvent| {
        if let Some(blob) = event.data().filter(|b| b.size() > 0.0) {
            sink.borrow_mut().push(blob);
        }
    });
    recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
    // A chunk a second: a phone that dies mid-take has lost at most a second of what is buffered.
    if recorder.start_with_time_slice(1000).is_err() {
        release(&stream);
        return Err(MicProblem::Failed);
    }
    Ok(Recording { recorder, stream, chunks, started_at: js_sys::Date::now(), _on_data: on_data })
}

fn stop_tracks(stream: &web_sys::MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

impl Recording {
    /// Milliseconds since recording started.
    pub fn elapsed_ms(&self) -> u64 {
        (js_sys::Date::now() - self.started_at).max(0.0) as u64
    }

    /// Stops, waits for the recorder's last chunk and returns the whole take.
    pub async fn stop(self) -> Result<Recorded, MicProblem> {
        let elapsed_ms = self.elapsed_ms();
        let recorder = self.recorder.clone();
        // `stop` fires the last `dataavailable`, then `stop`: the take is whole after the latter.
        let stopped = js_sys::Promise::new(&mut |resolve, _reject| recorder.set_onstop(Some(&resolve)));
        let was_recording = recorder.state() == web_sys::RecordingState::Recording;
        if was_recording && recorder.stop().is_ok() {
            let _ = JsFuture::from(stopped).await;
        }
        recorder.set_onstop(None);
        let content_type = recorder.mime_type();
        let parts = js_sys::Array::new();
        for chunk in self.chunks.borrow().iter() {
            parts.push(chunk);
        }
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(&content_type);
        let blob = web_sys::Blob::new_with_blob_sequence_and_options(&parts, &options).map_err(|_| MicProblem::Failed)?;
        let buffer = JsFuture::from(blob.array_buffer()).await.map_err(|_| MicProblem::Failed)?;
        Ok(Recorded { bytes: js_sys::Uint8Array::new(&buffer).to_vec(), content_type, elapsed_ms })
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        self.recorder.set_ondataavailable(None);
        if self.recorder.state() != web_sys::RecordingState::Inactive {
            let _ = self.recorder.stop();
        }
        stop_tracks(&self.stream);
    }
}
