use super::*;

/// Recorded by Debian's Chromium with its fake microphone (`--use-fake-device-for-media-stream`),
/// MediaRecorder at 16 kbit/s for 1.5 s: `audio/webm;codecs=opus` and `audio/mp4`.
const CHROMIUM_WEBM: &[u8] = include_bytes!("chromium-1500ms.webm");
const CHROMIUM_MP4: &[u8] = include_bytes!("chromium-1500ms.m4a");

#[test]
fn real_browser_recordings_are_recognised_with_their_length() {
    assert_eq!(sniff(CHROMIUM_WEBM), Some(AudioFormat::WebM));
    assert_eq!(sniff(CHROMIUM_MP4), Some(AudioFormat::Mp4));
    for (bytes, format) in [(CHROMIUM_WEBM, AudioFormat::WebM), (CHROMIUM_MP4, AudioFormat::Mp4)] {
        let checked = check_recording(bytes).unwrap();
        assert_eq!(checked.format, format);
        let ms = checked.duration_ms.unwrap_or_else(|| panic!("{format:?} has no length"));
        // Recorded for 1.5 s by a timer in the page: the file says a little less or more.
        assert!((1300..=1700).contains(&ms), "{format:?}: {ms} ms");
    }
}

/// The same recorder for 61.5 s at 8 kbit/s (issue #15's limit is 60 s): a real file over the limit.
const CHROMIUM_WEBM_61_S: &[u8] = include_bytes!("chromium-61500ms.webm");

#[test]
fn a_real_recording_over_a_minute_is_refused_with_its_length() {
    assert_eq!(sniff(CHROMIUM_WEBM_61_S), Some(AudioFormat::WebM));
    let ms = duration_ms(AudioFormat::WebM, CHROMIUM_WEBM_61_S).unwrap();
    assert!((61_000..=61_700).contains(&ms), "{ms} ms");
    assert_eq!(check_recording(CHROMIUM_WEBM_61_S), Err(RecordingProblem::TooLong { duration_ms: ms }));
}

#[test]
fn other_files_are_not_sound() {
    for bytes in [&b"<svg xmlns='http://www.w3.org/2000/svg'/>"[..], b"\x89PNG\r\n\x1a\n0000", b"MZ\x90\x00", b"", b"\xFF"] {
        assert_eq!(sniff(bytes), None, "{bytes:?}");
    }
    // Matroska that is not WebM (a .mkv video) is not played by every browser: refused.
    let mut mkv = CHROMIUM_WEBM.to_vec();
    let at = mkv.windows(4).position(|w| w == b"webm").unwrap();
    mkv.splice(at..at + 4, *b"mkv_");
    assert_eq!(sniff(&mkv), None);
}

#[test]
fn mp3_and_aac_are_told_apart_by_their_frame_header() {
    assert_eq!(sniff(b"ID3\x04\x00\x00"), Some(AudioFormat::Mp3));
    assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x00]), Some(AudioFormat::Mp3)); // MPEG-1 layer III
    assert_eq!(sniff(&[0xFF, 0xF1, 0x50, 0x80]), Some(AudioFormat::Aac)); // ADTS, MPEG-4
    assert_eq!(sniff(&[0xFF, 0xFD, 0x90, 0x00]), None); // layer II: not a format we take
    assert_eq!(duration_ms(AudioFormat::Mp3, b"ID3\x04\x00\x00"), None);
}

#[test]
fn extensions_must_match_what_the_bytes_are() {
    assert!(AudioFormat::Mp4.fits_extension("m4a") && AudioFormat::Ogg.fits_extension("opus"));
    assert!(!AudioFormat::WebM.fits_extension("mp3") && !AudioFormat::Mp3.fits_extension("m4a"));
    for format in [AudioFormat::WebM, AudioFormat::Mp4, AudioFormat::Ogg, AudioFormat::Mp3, AudioFormat::Aac] {
        assert!(format.fits_extension(format.extension()), "{format:?}");
        assert!(format.mime().starts_with("audio/"));
    }
}

fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

fn mp4_with_movie_header(timescale: u32, duration: u32) -> Vec<u8> {
    let mut mvhd = vec![0u8; 4 + 8]; // version 0, flags, creation and modification times
    mvhd.extend_from_slice(&timescale.to_be_bytes());
    mvhd.extend_from_slice(&duration.to_be_bytes());
    mvhd.extend_from_slice(&[0; 80]);
    let mut file = mp4_box(b"ftyp", b"M4A \0\0\0\0");
    file.extend(mp4_box(b"moov", &mp4_box(b"mvhd", &mvhd)));
    file
}

#[test]
fn an_mp4_over_a_minute_is_refused_and_an_unstated_length_is_unknown() {
    let long = mp4_with_movie_header(44_100, 61 * 44_100);
    assert_eq!(check_recording(&long), Err(RecordingProblem::TooLong { duration_ms: 61_000 }));
    assert_eq!(duration_ms(AudioFormat::Mp4, &mp4_with_movie_header(1000, 60_000)), Some(60_000));
    assert_eq!(duration_ms(AudioFormat::Mp4, &mp4_with_movie_header(1000, 0)), None);
    assert_eq!(duration_ms(AudioFormat::Mp4, &mp4_with_movie_header(0, 5)), None);
    // A box claiming more bytes than there are: unknown, no panic.
    let mut cut = mp4_with_movie_header(1000, 5000);
    cut.truncate(60);
    assert_eq!(duration_ms(AudioFormat::Mp4, &cut), None);
}

fn ogg_page(granule: i64, packet: &[u8]) -> Vec<u8> {
    let mut page = b"OggS\0\0".to_vec();
    page.extend_from_slice(&granule.to_le_bytes());
    page.extend_from_slice(&[0; 12]); // serial, sequence, checksum
    page.push(1);
    page.push(packet.len() as u8);
    page.extend_from_slice(packet);
    page
}

#[test]
fn ogg_opus_length_is_the_last_granule_less_the_pre_skip() {
    let mut head = b"OpusHead\x01\x01".to_vec();
    head.extend_from_slice(&312u16.to_le_bytes());
    head.extend_from_slice(&[0; 7]);
    let mut file = ogg_page(0, &head);
    file.extend(ogg_page(48_000, b"audio"));
    file.extend(ogg_page(2 * 48_000 + 312, b"audio"));
    assert_eq!(sniff(&file), Some(AudioFormat::Ogg));
    assert_eq!(check_recording(&file).unwrap().duration_ms, Some(2000));
    let mut vorbis = b"\x01vorbis\0\0\0\0\x01".to_vec();
    vorbis.extend_from_slice(&22_050u32.to_le_bytes());
    let mut file = ogg_page(0, &vorbis);
    file.extend(ogg_page(22_050 * 70, b"audio"));
    assert_eq!(check_recording(&file), Err(RecordingProblem::TooLong { duration_ms: 70_000 }));
}

#[test]
fn webm_length_is_its_stated_duration_or_else_its_last_block() {
    // Chromium states 1440 ms (the f32 0x44B40000 in `Info`).
    assert_eq!(duration_ms(AudioFormat::WebM, CHROMIUM_WEBM), Some(1440));
    // The same file with that Duration turned into a Void element of the same size (7 bytes), as
    // a recorder that never finished its header writes it: timed by its last block instead.
    let at = CHROMIUM_WEBM.windows(7).position(|w| w == [0x44, 0x89, 0x84, 0x44, 0xB4, 0x00, 0x00]).unwrap();
    let mut unstated = CHROMIUM_WEBM.to_vec();
    unstated.splice(at..at + 7, [0xEC, 0x85, 0, 0, 0, 0, 0]);
    let ms = duration_ms(AudioFormat::WebM, &unstated).unwrap();
    // Chromium states the start of its last block as the Duration, so both readings agree here.
    assert!((1360..=1440).contains(&ms), "{ms} ms");
    // A Segment of unknown size (as MediaRecorder streams it), an Info with 1 ms ticks and 61 s.
    let mut file = CHROMIUM_WEBM[..CHROMIUM_WEBM.windows(4).position(|w| w == [0x18, 0x53, 0x80, 0x67]).unwrap()].to_vec();
    file.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
    file.extend_from_slice(&[0x15, 0x49, 0xA9, 0x66, 0x8F]);
    file.extend_from_slice(&[0x2A, 0xD7, 0xB1, 0x83, 0x0F, 0x42, 0x40]);
    file.extend_from_slice(&[0x44, 0x89, 0x88]);
    file.extend_from_slice(&61_000f64.to_be_bytes());
    assert_eq!(sniff(&file), Some(AudioFormat::WebM));
    assert_eq!(check_recording(&file), Err(RecordingProblem::TooLong { duration_ms: 61_000 }));
}

#[test]
fn limits_are_checked_before_anything_is_read() {
    assert_eq!(check_recording(b""), Err(RecordingProblem::Empty));
    let mut big = CHROMIUM_WEBM.to_vec();
    big.resize(MAX_RECORDING_BYTES + 1, 0);
    assert_eq!(check_recording(&big), Err(RecordingProblem::TooLarge { bytes: MAX_RECORDING_BYTES + 1 }));
    assert_eq!(check_recording(b"not a sound at all"), Err(RecordingProblem::NotAudio));
    let message = RecordingProblem::TooLong { duration_ms: 61_001 }.to_string();
    assert!(message.contains("62 s") && message.contains("60 s"), "{message}");
}

#[test]
fn any_prefix_of_a_real_recording_is_read_without_panicking() {
    // A phone that lost its connection mid-upload sends a cut file: never a panic, never a loop.
    for bytes in [CHROMIUM_WEBM, CHROMIUM_MP4] {
        for end in 0..bytes.len() {
            if let Some(format) = sniff(&bytes[..end]) {
                let _ = duration_ms(format, &bytes[..end]);
            }
        }
    }
}
