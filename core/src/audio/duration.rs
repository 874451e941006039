//! How long a sound file plays, read from its container without decoding any sound.
//!
//! Every reader here is bounded by the bytes it is given and returns `None` for anything it does
//! not understand: a wrong length must never be stated, and a hostile file must never loop or panic.

use super::AudioFormat;

/// The length of `bytes` in milliseconds where its container states it: MP4's movie header, the
/// last Ogg page's granule position, WebM's `Duration` or else the start of its last block (one
/// frame, some 20 ms, short of the end; MediaRecorder often writes no `Duration`). `None` for MP3 and AAC (their length needs every frame read) and for
/// anything unreadable.
pub fn duration_ms(format: AudioFormat, bytes: &[u8]) -> Option<u64> {
    match format {
        AudioFormat::Mp4 => mp4_duration_ms(bytes),
        AudioFormat::Ogg => ogg_duration_ms(bytes),
        AudioFormat::WebM => webm_duration_ms(bytes),
        AudioFormat::Mp3 | AudioFormat::Aac => None,
    }
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn be_u64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

/// `ticks` at `per_second` ticks per second, in milliseconds (`None` on a zero rate or overflow).
fn to_ms(ticks: u64, per_second: u64) -> Option<u64> {
    u64::try_from(u128::from(ticks).checked_mul(1000)?.checked_div(u128::from(per_second))?).ok()
}

/// The boxes directly inside `bytes`: (type, body).
fn mp4_boxes(bytes: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let size = be_u32(bytes, at)? as usize;
        let kind = bytes.get(at + 4..at + 8)?;
        let (header, size) = match size {
            0 => (8, bytes.len() - at),
            1 => (16, usize::try_from(be_u64(bytes, at + 8)?).ok()?),
            size => (8, size),
        };
        let body = bytes.get(at.checked_add(header)?..at.checked_add(size)?)?;
        at += size.max(header);
        Some((kind, body))
    })
}

/// `moov` → `mvhd`: duration over timescale (version 0: 32-bit fields, version 1: 64-bit).
fn mp4_duration_ms(bytes: &[u8]) -> Option<u64> {
    let (_, moov) = mp4_boxes(bytes).find(|(kind, _)| *kind == b"moov")?;
    let (_, mvhd) = mp4_boxes(moov).find(|(kind, _)| *kind == b"mvhd")?;
    let (timescale, duration) = match mvhd.first()? {
        0 => (u64::from(be_u32(mvhd, 12)?), u64::from(be_u32(mvhd, 16)?)),
        1 => (u64::from(be_u32(mvhd, 20)?), be_u64(mvhd, 24)?),
        _ => return None,
    };
    // A fragmented file that has not stated its length says 0 (or all ones): unknown, not "0 s".
    if duration == 0 || duration == u64::from(u32::MAX) || duration == u64::MAX {
        return None;
    }
    to_ms(duration, timescale)
}

/// The last page's granule position, in samples: 48 kHz for Opus (less its pre-skip), the
/// identification header's rate for Vorbis.
fn ogg_duration_ms(bytes: &[u8]) -> Option<u64> {
    // The first page's first packet names the codec.
    let first_packet = ogg_first_packet(bytes)?;
    let (rate, pre_skip) = if first_packet.starts_with(b"OpusHead") {
        (48_000u64, u64::from(u16::from_le_bytes(first_packet.get(10..12)?.try_into().ok()?)))
    } else if first_packet.starts_with(b"\x01vorbis") {
        (u64::from(u32::from_le_bytes(first_packet.get(12..16)?.try_into().ok()?)), 0)
    } else {
        return None;
    };
    let last = bytes.windows(4).rposition(|w| w == b"OggS")?;
    let granule = i64::from_le_bytes(bytes.get(last + 6..last + 14)?.try_into().ok()?);
    let samples = u64::try_from(granule).ok()?.checked_sub(pre_skip)?;
    to_ms(samples, rate)
}

fn ogg_first_packet(bytes: &[u8]) -> Option<&[u8]> {
    let segments = usize::from(*bytes.get(26)?);
    let table = bytes.get(27..27 + segments)?;
    let length: usize = table.iter().map(|s| usize::from(*s)).sum();
    bytes.get(27 + segments..27 + segments + length)
}

// Matroska/WebM element ids (with their length marker, as written in the file).
const SEGMENT: u32 = 0x1853_8067;
const INFO: u32 = 0x1549_A966;
const TIMECODE_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const CLUSTER: u32 = 0x1F43_B675;
const CLUSTER_TIMECODE: u32 = 0xE7;
const SIMPLE_BLOCK: u32 = 0xA3;
const BLOCK_GROUP: u32 = 0xA0;
const BLOCK: u32 = 0xA1;

/// An EBML variable-length integer at `at`: (value, length). For ids the marker bit is kept.
fn ebml_vint(bytes: &[u8], at: usize, keep_marker: bool) -> Option<(u64, usize)> {
    let first = *bytes.get(at)?;
    let length = first.leading_zeros() as usize + 1;
    if length > 8 {
        return None;
    }
    let mut value = if keep_marker { u64::from(first) } else { u64::from(first) & (0xFF >> length) };
    for i in 1..length {
        value = (value << 8) | u64::from(*bytes.get(at + i)?);
    }
    Some((value, length))
}

fn be_uint(bytes: &[u8]) -> Option<u64> {
    (bytes.len() <= 8).then(|| bytes.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b)))
}

/// WebM: `Info`'s `Duration` × `TimecodeScale`, or else the time of the last block (cluster time
/// plus the block's relative time). Segments and clusters that MediaRecorder writes with an
/// "unknown" size are read to the end of the bytes.
fn webm_duration_ms(bytes: &[u8]) -> Option<u64> {
    let mut timecode_scale_ns = 1_000_000u64;
    let mut stated: Option<f64> = None;
    let mut cluster_time = 0u64;
    let mut last_block_time: Option<u64> = None;
    let mut at = 0usize;
    while at < bytes.len() {
        let (id, id_length) = ebml_vint(bytes, at, true)?;
        let (size, size_length) = ebml_vint(bytes, at + id_length, false)?;
        let body = at + id_length + size_length;
        let unknown_size = size == (1u64 << (7 * size_length)) - 1;
        match id as u32 {
            // Containers: read what is inside them in order.
            SEGMENT | INFO | CLUSTER | BLOCK_GROUP => {
                at = body;
                continue;
            }
            _ if unknown_size => return None,
            _ => {}
        }
        let end = body.checked_add(usize::try_from(size).ok()?)?;
        let Some(value) = bytes.get(body..end) else { break };
        match id as u32 {
            TIMECODE_SCALE => timecode_scale_ns = be_uint(value)?,
            DURATION => {
                stated = match value.len() {
                    4 => Some(f64::from(f32::from_be_bytes(value.try_into().ok()?))),
                    8 => Some(f64::from_be_bytes(value.try_into().ok()?)),
                    _ => None,
                }
            }
            CLUSTER_TIMECODE => cluster_time = be_uint(value)?,
            SIMPLE_BLOCK | BLOCK => {
                // Track number (a vint), then the time relative to the cluster (signed 16 bits).
                let (_, track_length) = ebml_vint(value, 0, false)?;
                let relative = i16::from_be_bytes(value.get(track_length..track_length + 2)?.try_into().ok()?);
                let time = cluster_time.checked_add_signed(i64::from(relative))?;
                last_block_time = Some(last_block_time.map_or(time, |t| t.max(time)));
            }
            _ => {}
        }
        at = end;
    }
    let ticks_to_ms = |ticks: f64| ticks * timecode_scale_ns as f64 / 1_000_000.0;
    match stated.filter(|d| d.is_finite() && *d > 0.0) {
        Some(duration) => Some(ticks_to_ms(duration).round() as u64),
        None => last_block_time.map(|t| ticks_to_ms(t as f64).round() as u64),
    }
}
