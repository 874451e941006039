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

/// The approved voices of `list` as a phone keeps them: one line each, its fields (id, lesson, step,
/// locale, sha256, bytes, content type) separated by tabs, none of which can hold a tab or a line
/// break (ids, lesson ids, keys, codes, hex, digits, a sniffed type). Smaller to decode in the
/// learner's app than the JSON of the whole record, which it does not need.
pub fn voices_to_lines(list: &[TeamRecording]) -> String {
    let line = |r: &TeamRecording| [r.id.as_str(), &r.lesson_id, &r.step, &r.locale, &r.sha256, &r.bytes.to_string(), &r.content_type].join("\t");
    list.iter().filter(|r| r.approved).map(line).collect::<Vec<_>>().join("\n")
}

/// The voices [`voices_to_lines`] wrote (approved; what it does not keep is empty). A line that is
/// not one is skipped.
pub fn voices_from_lines(lines: &str) -> Vec<TeamRecording> {
    let voice = |line: &str| {
        let mut fields = line.split('\t').map(str::to_owned);
        let mut next = || fields.next();
        Some(TeamRecording {
            id: next()?,
            lesson_id: next()?,
            step: next()?,
            locale: next()?,
            sha256: next()?,
            bytes: next()?.parse().ok()?,
            content_type: next()?,
            duration_ms: None,
            recorded_by: String::new(),
            created_at: 0,
            approved: true,
            approved_by: None,
            approved_at: None,
        })
    };
    lines.lines().filter_map(voice).collect()
}

/// Where a step's read-aloud comes from: the first that exists, in this order (issue #15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoiceSource<'a> {
    /// A recording approved by the learner's team: in the learner's own language first, else in
    /// the language of the text on screen.
    Team(&'a TeamRecording),
    /// The lesson's own audio file (in the language of the text on screen).
    LessonFile,
    /// The phone's speech voice for the text's language.
    Speech,
    /// Nothing can read this step: the screen says so.
    None,
}

/// What the reader knows about one step when it chooses a voice.
#[derive(Debug, Clone, Copy)]
pub struct StepVoices<'a> {
    /// The team's approved recordings (from the sync pull).
    pub team: &'a [TeamRecording],
    pub lesson_id: &'a str,
    pub part: RecordingPart,
    /// The learner's language, which may differ from the text's when the lesson falls back.
    pub wanted_locale: &'a str,
    /// The language of the text on screen.
    pub shown_locale: &'a str,
    pub has_lesson_audio: bool,
    /// Whether the phone has a speech voice for `shown_locale`.
    pub can_speak: bool,
}

impl<'a> StepVoices<'a> {
    /// The team's approved recording of this step in `locale`.
    pub fn approved(&self, locale: &str) -> Option<&'a TeamRecording> {
        let key = self.part.key();
        self.team.iter().find(|r| r.approved && r.lesson_id == self.lesson_id && r.step == key && r.locale == locale)
    }

    /// The best voice it has. `playable` says whether a team recording can be played now (its sound
    /// is on the phone, or the phone is online to fetch it): one that cannot is skipped, so an
    /// offline phone that never downloaded it still reads the step some other way.
    pub fn best(&self, playable: impl Fn(&TeamRecording) -> bool) -> VoiceSource<'a> {
        let team = [self.wanted_locale, self.shown_locale].into_iter().filter_map(|locale| self.approved(locale)).find(|r| playable(r));
        match team {
            Some(recording) => VoiceSource::Team(recording),
            None if self.has_lesson_audio => VoiceSource::LessonFile,
            None if self.can_speak => VoiceSource::Speech,
            None => VoiceSource::None,
        }
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

/// How much of the lessons a language has, for the language picker: "12/15 bài · 4 bài có giọng
/// đọc" (issue #15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LocaleCoverage {
    /// Lessons in the catalogue.
    pub lessons: usize,
    /// Lessons written in this language.
    pub written: usize,
    /// Lessons with at least one step that has a voice in this language: the lesson's own audio, or a
    /// recording the learner's team approved.
    pub voiced: usize,
}

pub fn locale_coverage(catalogue: &crate::content::Catalogue, team: &[TeamRecording], locale: &str) -> LocaleCoverage {
    let mut coverage = LocaleCoverage::default();
    for lesson in catalogue.topics.iter().flat_map(|topic| &topic.lessons) {
        coverage.lessons += 1;
        let written = lesson.locales.get(locale);
        coverage.written += usize::from(written.is_some());
        let own_audio = written.is_some_and(|l| l.audio_steps > 0);
        let team_voice = team.iter().any(|r| r.approved && r.lesson_id == lesson.id && r.locale == locale);
        coverage.voiced += usize::from(own_audio || team_voice);
    }
    coverage
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
    fn voice(id: &str, lesson: &str, step: &str, locale: &str, approved: bool) -> TeamRecording {
        TeamRecording {
            id: id.into(),
            lesson_id: lesson.into(),
            step: step.into(),
            locale: locale.into(),
            content_type: "audio/webm".into(),
            bytes: 1000,
            duration_ms: Some(2000),
            sha256: format!("sha-{id}"),
            recorded_by: "phone".into(),
            created_at: 1,
            approved,
            approved_by: None,
            approved_at: None,
        }
    }

    #[test]
    fn the_reader_plays_the_team_voice_in_the_learners_language_first() {
        let team = [
            voice("hmn-0", "pay", "0", "hmn", true),
            voice("vi-0", "pay", "0", "vi", true),
            voice("vi-1", "pay", "1", "vi", true),
            voice("hmn-1-take", "pay", "1", "hmn", false),
            voice("other-lesson", "other", "2", "hmn", true),
        ];
        // A Hmong learner whose text fell back to Vietnamese hears Hmong when the team recorded it…
        let step0 = StepVoices {
            team: &team,
            lesson_id: "pay",
            part: RecordingPart::Step(0),
            wanted_locale: "hmn",
            shown_locale: "vi",
            has_lesson_audio: true,
            can_speak: true,
        };
        assert_eq!(step0.best(|_| true), VoiceSource::Team(&team[0]));
        // …else the team's Vietnamese reading of the text on screen (an unapproved take never plays)…
        let step1 = StepVoices { part: RecordingPart::Step(1), ..step0 };
        assert_eq!(step1.best(|_| true), VoiceSource::Team(&team[2]));
        // …and a recording that cannot be played now (offline, never downloaded) gives way.
        assert_eq!(step0.best(|r| r.locale != "hmn"), VoiceSource::Team(&team[1]));
        assert_eq!(step1.best(|_| false), VoiceSource::LessonFile);
        // Then the lesson's own file, the phone's voice, or nothing (said on screen).
        let step2 = StepVoices { part: RecordingPart::Step(2), ..step0 };
        assert_eq!(step2.best(|_| true), VoiceSource::LessonFile, "other lessons' recordings never play here");
        assert_eq!(StepVoices { has_lesson_audio: false, ..step2 }.best(|_| true), VoiceSource::Speech);
        assert_eq!(StepVoices { has_lesson_audio: false, can_speak: false, ..step2 }.best(|_| true), VoiceSource::None);
        // A drill's instruction is another part than the step with its number.
        assert_eq!(StepVoices { part: RecordingPart::DrillInstruction(0), has_lesson_audio: false, ..step0 }.best(|_| true), VoiceSource::Speech);
    }

    #[test]
    fn a_phone_keeps_the_approved_voices_as_lines_and_reads_back_what_it_plays() {
        let list = [voice("a-1", "pay", "drill-0", "hmn", true), voice("b-2", "other", "3", "vi", true), voice("take", "pay", "1", "vi", false)];
        let lines = voices_to_lines(&list);
        assert_eq!(lines.lines().count(), 2, "an unapproved take is not kept: {lines:?}");
        let back = voices_from_lines(&lines);
        assert_eq!(back.len(), 2);
        for (kept, original) in back.iter().zip(&list) {
            let played = |r: &TeamRecording| {
                (r.id.clone(), r.lesson_id.clone(), r.step.clone(), r.locale.clone(), r.sha256.clone(), r.bytes, r.content_type.clone(), r.approved)
            };
            assert_eq!(played(kept), played(original));
        }
        assert_eq!(voices_from_lines(""), []);
        assert_eq!(voices_from_lines("half\tline\nx\tpay\t0\tvi\tsha\tnot-a-number\taudio/webm").len(), 0, "broken lines are skipped");
    }

    #[test]
    fn coverage_counts_written_lessons_and_lessons_with_a_voice() {
        let catalogue: crate::content::Catalogue = serde_json::from_value(serde_json::json!({
            "format": 1,
            "topics": [{"id": "t", "packs": {}, "lessons": [
                {"id": "a", "order": 1, "minutes": 3, "locales": {
                    "vi": {"title": "A", "summary": "", "status": "reviewed", "version": "1", "bytes": 1, "media_bytes": 0, "audio_steps": 2},
                    "hmn": {"title": "A", "summary": "", "status": "draft", "version": "1", "bytes": 1, "media_bytes": 0, "audio_steps": 1}}},
                {"id": "b", "order": 2, "minutes": 3, "locales": {
                    "vi": {"title": "B", "summary": "", "status": "reviewed", "version": "1", "bytes": 1, "media_bytes": 0},
                    "hmn": {"title": "B", "summary": "", "status": "draft", "version": "1", "bytes": 1, "media_bytes": 0}}},
                {"id": "c", "order": 3, "minutes": 3, "locales": {
                    "vi": {"title": "C", "summary": "", "status": "reviewed", "version": "1", "bytes": 1, "media_bytes": 0}}}
            ]}]
        }))
        .unwrap();
        let team = [voice("c-hmn", "c", "0", "hmn", true), voice("b-hmn-take", "b", "0", "hmn", false), voice("b-vi", "b", "3", "vi", true)];
        assert_eq!(locale_coverage(&catalogue, &team, "hmn"), LocaleCoverage { lessons: 3, written: 2, voiced: 2 }, "a: own audio, c: the team's");
        assert_eq!(locale_coverage(&catalogue, &team, "vi"), LocaleCoverage { lessons: 3, written: 3, voiced: 2 }, "a: own audio, b: the team's");
        assert_eq!(locale_coverage(&catalogue, &[], "hmn"), LocaleCoverage { lessons: 3, written: 2, voiced: 1 });
        assert_eq!(locale_coverage(&catalogue, &team, "tyz"), LocaleCoverage { lessons: 3, written: 0, voiced: 0 });
    }
}
