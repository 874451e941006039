//! Voices recorded by a commune team (issue #15): what one recording is of, and the rules the
//! server (upload, approval, the pull), the team tools (the recorder) and `hocso content
//! import-recordings` agree on.
//!
//! A recording is one reading of one part of a lesson in one language, by one team:
//! - the lesson: its id (`pay-by-vietqr`), as a lesson folder is named;
//! - the part ([`RecordingPart`]): a step by its index in the lesson file (`0` is the first `## `
//!   step, as in `StepViewed { step }`), or a practice drill's instruction by the drill's index in the
//!   lesson (`drill-0`, as in `DrillStarted { drill }`);
//! - the language: any shipped locale ([`crate::i18n::LOCALES`]); `vi` is "Vietnamese, read by our
//!   team" (the lesson's own text in a familiar voice).
//!
//! The sound itself is checked by [`crate::audio::check_recording`]. Not for: storing or sending
//! anything (the server and the app do that).

use serde::{Deserialize, Serialize};

use crate::i18n::locale_info;
use crate::practice::MAX_DRILLS_PER_LESSON;

/// Most steps a recording may name: far above any lesson (a step is one screen; lessons have ~10).
pub const MAX_STEPS: u32 = 100;

/// Most recordings one team keeps on its server (approved or not): 600 MB at the most, a bound on
/// what one team's phones can fill a commune laptop's disk with. The leader deletes old takes.
pub const MAX_RECORDINGS_PER_TEAM: i64 = 1000;

/// Which part of a lesson a recording reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordingPart {
    /// The step at this index in the lesson file (0-based).
    Step(u32),
    /// The instruction of the lesson's drill at this index (0-based, reading order).
    DrillInstruction(u32),
}

impl RecordingPart {
    /// Reads the key as written in URLs and JSON: `3` or `drill-0`, canonical (no sign, no leading
    /// zero), so one part has exactly one key.
    pub fn parse(text: &str) -> Result<Self, String> {
        let number = |digits: &str| -> Option<u32> {
            let canonical = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0'));
            canonical.then(|| digits.parse().ok()).flatten()
        };
        let refused = || {
            format!(
                "step {text:?} names no part of a lesson: write the step's number counted from 0 (`0` is the first `## ` \
                 step), or `drill-N` for the instruction of the lesson's drill N (counted from 0)"
            )
        };
        if let Some(digits) = text.strip_prefix("drill-") {
            let drill = number(digits).ok_or_else(refused)?;
            if drill as usize >= MAX_DRILLS_PER_LESSON {
                return Err(format!("drill {drill}: a lesson has at most {MAX_DRILLS_PER_LESSON} drills (counted from 0)"));
            }
            return Ok(RecordingPart::DrillInstruction(drill));
        }
        let step = number(text).ok_or_else(refused)?;
        if step >= MAX_STEPS {
            return Err(format!("step {step}: a lesson has at most {MAX_STEPS} steps (counted from 0)"));
        }
        Ok(RecordingPart::Step(step))
    }

    /// The key: `3` or `drill-0`.
    pub fn key(self) -> String {
        match self {
            RecordingPart::Step(step) => step.to_string(),
            RecordingPart::DrillInstruction(drill) => format!("drill-{drill}"),
        }
    }
}

impl std::fmt::Display for RecordingPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

/// A recording id, chosen by the phone that recorded it (so a retried upload names the same
/// recording): 1 to 64 of `A-Z a-z 0-9 _ -`, e.g. a UUID.
pub fn check_recording_id(id: &str) -> Result<(), String> {
    if crate::sync::is_valid_device_id(id) {
        Ok(())
    } else {
        Err("a recording id is 1 to 64 letters, digits, '_' or '-' (the phone chooses it, e.g. a UUID)".to_owned())
    }
}

/// A lesson id as lesson folders are named: 1 to 64 lowercase ASCII letters, digits and `-`.
pub fn check_lesson_id(id: &str) -> Result<(), String> {
    if (1..=64).contains(&id.len()) && crate::content::is_identifier(id) {
        Ok(())
    } else {
        Err(format!("lesson {id:?} is not a lesson id: lowercase letters without accents, digits and '-', as the lesson's folder is named"))
    }
}

/// A language a team may record in: every shipped locale (`vi` is Vietnamese read by the team).
pub fn check_locale(code: &str) -> Result<(), String> {
    if locale_info(code).is_some() {
        Ok(())
    } else {
        let known: Vec<&str> = crate::i18n::LOCALES.iter().map(|l| l.code).collect();
        Err(format!("language {code:?} is not one HocSo has: use one of {} (vi = Vietnamese read by your team)", known.join(", ")))
    }
}

/// A team's recording as the server describes it (never the sound itself): in
/// `GET /api/v1/recordings`, in the answers of upload and approval, and, approved ones only, in the
/// sync pull (`PullResponse::recordings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRecording {
    pub id: String,
    pub lesson_id: String,
    /// [`RecordingPart::key`]: `3` or `drill-0`.
    pub step: String,
    pub locale: String,
    /// What the bytes are (sniffed, not what the phone said): `audio/webm`, `audio/mp4`, …
    pub content_type: String,
    pub bytes: u64,
    /// Where the file states it (a WebM a recorder never finished may not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// SHA-256 of the bytes, hex: the same recording downloaded twice is kept once.
    pub sha256: String,
    /// The device that uploaded it.
    pub recorded_by: String,
    pub created_at: i64,
    /// The one voice of its lesson, step and language that the team's phones play.
    pub approved: bool,
    /// The leader's device that approved it, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<i64>,
}

impl TeamRecording {
    /// Where its sound is: `GET` with the device token.
    pub fn audio_path(&self) -> String {
        format!("{}/recordings/{}/audio", crate::sync::API_PREFIX, self.id)
    }
}

/// What a recorder does with the answer to its upload of a take (`PUT /recordings/{id}`): the one
/// rule the team tools follow, kept here so it is tested without a browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadOutcome {
    /// `200`/`201`: the server holds the take (a `200` is a retry of one it already had).
    Stored,
    /// No answer, a server error or "too many requests": send the same id and bytes again later.
    RetryLater,
    /// `401`: the phone's token is no longer one of the team's (removed, or the team changed): the
    /// take waits until the phone joins again.
    NotInTeam,
    /// Any other `4xx`: the server will never take these bytes under this id; the person decides
    /// (delete or record again), so it is not sent again.
    Refused,
}

impl UploadOutcome {
    /// `status` is the HTTP status, `0` when no answer came.
    pub fn of_status(status: u16) -> Self {
        match status {
            200 | 201 => UploadOutcome::Stored,
            401 => UploadOutcome::NotInTeam,
            408 | 429 => UploadOutcome::RetryLater,
            400..=499 => UploadOutcome::Refused,
            _ => UploadOutcome::RetryLater,
        }
    }
}

impl TeamRecording {
    /// The part it reads, `None` for a key that names none (a server newer than this phone).
    pub fn part(&self) -> Option<RecordingPart> {
        RecordingPart::parse(&self.step).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_is_retried_only_when_the_server_may_still_take_it() {
        assert_eq!(UploadOutcome::of_status(201), UploadOutcome::Stored);
        assert_eq!(UploadOutcome::of_status(200), UploadOutcome::Stored);
        for status in [0, 500, 502, 503, 504, 408, 429, 302] {
            assert_eq!(UploadOutcome::of_status(status), UploadOutcome::RetryLater, "{status}");
        }
        assert_eq!(UploadOutcome::of_status(401), UploadOutcome::NotInTeam);
        for status in [400, 403, 404, 409, 413, 415, 422] {
            assert_eq!(UploadOutcome::of_status(status), UploadOutcome::Refused, "{status}");
        }
    }

    #[test]
    fn a_part_has_one_key_and_it_reads_back() {
        for part in [RecordingPart::Step(0), RecordingPart::Step(12), RecordingPart::DrillInstruction(0), RecordingPart::DrillInstruction(19)] {
            assert_eq!(RecordingPart::parse(&part.key()), Ok(part));
        }
        assert_eq!(RecordingPart::parse("drill-3").unwrap().to_string(), "drill-3");
    }

    #[test]
    fn other_spellings_and_sizes_are_refused_with_a_sentence() {
        for bad in ["", "-1", "+1", "01", "1.5", "x", "drill-", "drill-01", "drill--1", "Drill-1", "step-1", " 1", "99999999999999999999"] {
            let error = RecordingPart::parse(bad).unwrap_err();
            assert!(error.contains("counted from 0"), "{bad:?}: {error}");
        }
        assert!(RecordingPart::parse("100").unwrap_err().contains("at most 100 steps"));
        assert!(RecordingPart::parse("drill-20").unwrap_err().contains("at most 20 drills"));
        assert_eq!(RecordingPart::parse("99"), Ok(RecordingPart::Step(99)));
    }

    #[test]
    fn ids_lessons_and_languages_are_checked() {
        assert!(check_recording_id("3f9c2a7b-1d2e-4f00-9a8b-0123456789ab").is_ok());
        for bad in ["", "a/b", "a b", "é", &"x".repeat(65)] {
            assert!(check_recording_id(bad).is_err(), "{bad:?}");
        }
        assert!(check_lesson_id("pay-by-vietqr").is_ok());
        for bad in ["", "Pay", "pay_by", "../x", "bài", &"a".repeat(65)] {
            assert!(check_lesson_id(bad).is_err(), "{bad:?}");
        }
        for code in ["vi", "en", "hmn", "tyz"] {
            assert!(check_locale(code).is_ok(), "{code}");
        }
        let error = check_locale("fr").unwrap_err();
        assert!(error.contains("vi, en, hmn, tyz"), "{error}");
    }

    #[test]
    fn the_wire_form_leaves_out_what_is_unknown() {
        let recording = TeamRecording {
            id: "r1".into(),
            lesson_id: "pay-by-vietqr".into(),
            step: "0".into(),
            locale: "hmn".into(),
            content_type: "audio/webm".into(),
            bytes: 12,
            duration_ms: None,
            sha256: "ab".into(),
            recorded_by: "d1".into(),
            created_at: 1,
            approved: false,
            approved_by: None,
            approved_at: None,
        };
        let json = serde_json::to_value(&recording).unwrap();
        assert!(json.get("duration_ms").is_none() && json.get("approved_by").is_none(), "{json}");
        assert_eq!(serde_json::from_value::<TeamRecording>(json).unwrap(), recording);
        assert_eq!(recording.audio_path(), "/api/v1/recordings/r1/audio");
    }
}
