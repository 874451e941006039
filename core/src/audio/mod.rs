//! Sound files a lesson or a team's recording may hold: what they really are, how long they last,
//! and the limits a recording must keep (issue #15).
//!
//! A file's name says nothing reliable about its bytes, and a phone on 3G must not download a
//! recording by mistake of 5 MB. So the server (uploads), `hocso content check` (lesson media) and the
//! app (before it stores a recording) all ask the same questions here: which format the bytes are
//! ([`sniff`]), how long they play where the container says so ([`duration_ms`]), and whether a
//! recording keeps the limits ([`check_recording`]). Formats are the ones browsers record and play:
//! WebM/Opus (Chrome and Android), MP4/AAC (Safari and iPhone, also Chrome), Ogg (Opus or Vorbis),
//! MP3 and raw AAC (ADTS).

mod duration;

pub use duration::duration_ms;

/// Longest recording of one step: a step is a few short sentences.
pub const MAX_RECORDING_MS: u64 = 60_000;
/// Largest recording of one step: 60 s of speech at 64 kbit/s is 480 kB, so 600 kB leaves room
/// while keeping a topic's recordings a few MB at most on a villager's phone.
pub const MAX_RECORDING_BYTES: usize = 600_000;

/// What a sound file's bytes are, whatever its name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioFormat {
    /// Matroska with DocType `webm` (MediaRecorder on Chrome and Android: Opus).
    WebM,
    /// ISO base media (`ftyp`): `.m4a`, `.mp4` (MediaRecorder on Safari, also Chrome: AAC or Opus).
    Mp4,
    /// Ogg pages (`OggS`): Opus or Vorbis.
    Ogg,
    /// MPEG audio layer III, with or without an ID3 tag before it.
    Mp3,
    /// AAC in ADTS frames (`.aac`).
    Aac,
}

impl AudioFormat {
    /// The media type the server sends it with (and stores it under).
    pub fn mime(self) -> &'static str {
        match self {
            AudioFormat::WebM => "audio/webm",
            AudioFormat::Mp4 => "audio/mp4",
            AudioFormat::Ogg => "audio/ogg",
            AudioFormat::Mp3 => "audio/mpeg",
            AudioFormat::Aac => "audio/aac",
        }
    }

    /// The file extension it is stored with.
    pub fn extension(self) -> &'static str {
        match self {
            AudioFormat::WebM => "webm",
            AudioFormat::Mp4 => "m4a",
            AudioFormat::Ogg => "ogg",
            AudioFormat::Mp3 => "mp3",
            AudioFormat::Aac => "aac",
        }
    }

    /// Whether a file named with `extension` (lower case, no dot) may hold this format.
    pub fn fits_extension(self, extension: &str) -> bool {
        match self {
            AudioFormat::WebM => extension == "webm",
            AudioFormat::Mp4 => matches!(extension, "m4a" | "mp4"),
            AudioFormat::Ogg => matches!(extension, "ogg" | "opus"),
            AudioFormat::Mp3 => extension == "mp3",
            AudioFormat::Aac => extension == "aac",
        }
    }
}

/// The format of `bytes` by their first bytes (their "magic"), or `None` when they are not a sound
/// file a browser plays.
pub fn sniff(bytes: &[u8]) -> Option<AudioFormat> {
    if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        // Matroska's EBML header names the DocType in its first few dozen bytes.
        let header = &bytes[..bytes.len().min(64)];
        return header.windows(4).any(|w| w == b"webm").then_some(AudioFormat::WebM);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some(AudioFormat::Mp4);
    }
    if bytes.starts_with(b"OggS") {
        return Some(AudioFormat::Ogg);
    }
    if bytes.starts_with(b"ID3") {
        return Some(AudioFormat::Mp3);
    }
    match bytes {
        // A frame sync (11 bits set), then the MPEG version and layer bits.
        [0xFF, second, ..] if second & 0xE0 == 0xE0 => match second & 0x06 {
            0x02 => Some(AudioFormat::Mp3),
            0x00 if second & 0xF0 == 0xF0 => Some(AudioFormat::Aac),
            _ => None,
        },
        _ => None,
    }
}

/// A recording that keeps the limits: its format and, where the file says, its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedRecording {
    pub format: AudioFormat,
    pub duration_ms: Option<u64>,
}

/// Why a recording is refused; each reads as a sentence a team member can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordingProblem {
    #[error("the recording is empty: record the step again")]
    Empty,
    #[error("the recording is {bytes} bytes, over the limit of {MAX_RECORDING_BYTES} bytes (600 kB): record a shorter reading")]
    TooLarge { bytes: usize },
    #[error("this file is not a recording a phone can play (WebM, MP4/M4A, Ogg, MP3 or AAC)")]
    NotAudio,
    #[error("the recording lasts {} s, over the limit of 60 s per step: record a shorter reading", .duration_ms.div_ceil(1000))]
    TooLong { duration_ms: u64 },
}

/// Checks a team's recording of one step: not empty, at most [`MAX_RECORDING_BYTES`], really a sound
/// file, and at most [`MAX_RECORDING_MS`] long where the container states its length (a WebM that
/// MediaRecorder was still writing may not; the byte limit bounds those).
pub fn check_recording(bytes: &[u8]) -> Result<CheckedRecording, RecordingProblem> {
    if bytes.is_empty() {
        return Err(RecordingProblem::Empty);
    }
    if bytes.len() > MAX_RECORDING_BYTES {
        return Err(RecordingProblem::TooLarge { bytes: bytes.len() });
    }
    let format = sniff(bytes).ok_or(RecordingProblem::NotAudio)?;
    let duration_ms = duration_ms(format, bytes);
    if let Some(duration_ms) = duration_ms.filter(|ms| *ms > MAX_RECORDING_MS) {
        return Err(RecordingProblem::TooLong { duration_ms });
    }
    Ok(CheckedRecording { format, duration_ms })
}

#[cfg(test)]
mod tests;
