//! The JSON the app and the team server exchange under `/api/v1`, and the limits both sides honour.
//!
//! Every request type rejects unknown fields, so a typo or a newer client talking to an older server
//! fails loudly instead of being half understood.
use serde::{Deserialize, Serialize};

use crate::date::Date;
pub use crate::profile::Profile;
use crate::progress::{EventKind, ProgressEvent};

/// Where the API lives on the team server.
pub const API_PREFIX: &str = "/api/v1";
/// The server refuses a push with more events than this.
pub const MAX_EVENTS_PER_PUSH: usize = 500;
/// The server refuses a push with more profiles than this.
pub const MAX_PROFILES_PER_PUSH: usize = 500;
/// What the client sends in one push: well under the server's limit and its 1 MB body limit.
pub const CLIENT_BATCH: usize = 200;
/// The largest request body the server reads.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The largest page a pull returns.
pub const MAX_PULL_LIMIT: u32 = 500;
pub const DEFAULT_PULL_LIMIT: u32 = 100;

/// `POST /api/v1/devices/join`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// The team's join code or leader code, as read aloud: case, spaces and dashes do not matter.
    pub code: String,
    /// Shown to the team leader ("Điện thoại chị Mai").
    pub device_name: String,
    /// The id this phone already writes into its events. When absent the server picks one; a phone
    /// that recorded answers before joining must send the id it used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// A token this phone holds or held for `device_id`: its proof of being that phone. Without it
    /// (or with a wrong one) the server gives a known `device_id` to nobody and answers with a new
    /// id instead, so nobody who merely saw a device id can take that phone's place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinResponse {
    /// Secret: send as `Authorization: Bearer <device_token>`. The server keeps only its hash.
    pub device_token: String,
    pub device_id: String,
    pub team: TeamInfo,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamInfo {
    pub id: String,
    pub name: String,
    pub commune: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Leader,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Leader => "leader",
        }
    }
}

/// `POST /api/v1/sync/push`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    #[serde(default)]
    pub events: Vec<ProgressEvent>,
    #[serde(default)]
    pub profiles: Vec<Profile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    /// The server holds every event of this device with `seq` 1..=this: never send them again.
    pub acked_through_seq: u64,
    /// Events of this request stored now.
    pub stored: u32,
    /// Events of this request the server already had (a retried batch).
    pub duplicates: u32,
    /// Profiles of this request that replaced the server's copy (the others lost last-writer-wins).
    pub profiles_applied: u32,
}

/// A profile as the server holds it: the document and the device that wrote it (the tie-breaker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamProfile {
    pub profile: Profile,
    pub device_id: String,
}

/// `GET /api/v1/sync/pull?cursor=…&limit=…`
///
/// Unlike the requests, it accepts fields it does not know: a newer server may add some, and a
/// phone must still sync with it (phones built before `recordings` refuse a pull that carries it,
/// which is why the server sends that field only when the team's approved voices changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    /// The team's profiles changed since the cursor, oldest change first.
    pub profiles: Vec<TeamProfile>,
    /// Hash of the published content catalogue; a change means new lessons to download.
    pub catalogue_version: Option<String>,
    /// What the server holds of this device (lets a restored phone continue its `seq`).
    pub acked_through_seq: u64,
    /// Opaque: send it back on the next pull.
    pub cursor: String,
    /// More changes wait: pull again with the new cursor.
    pub has_more: bool,
    /// The team's approved recordings, all of them (they replace what the phone knew), sent on the
    /// last page (`has_more: false`) when they changed since the cursor; absent when unchanged (and
    /// from servers older than recordings). See [`crate::recordings`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recordings: Option<Vec<crate::recordings::TeamRecording>>,
}

/// Every 4xx/5xx answer of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiError {
    /// Stable, for programs: `invalid_token`, `too_many_events`, …
    pub error: String,
    /// A clear sentence for the person reading the log.
    pub message: String,
    /// For `invalid_event` / `invalid_profile`: the id of the one record refused, so the phone can
    /// set it aside and send the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

/// A device id: 1–64 of `A-Z a-z 0-9 _ -` (no `:`, which separates it from `seq` in event ids).
pub fn is_valid_device_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn check_text(field: &str, value: &str, max: usize) -> Result<(), String> {
    if value.is_empty() || value.len() > max || value.chars().any(char::is_control) {
        return Err(format!("{field} must be 1 to {max} bytes of printable text"));
    }
    Ok(())
}

/// No event or profile edit is older than this (2024-01-01T00:00:00Z): HocSo did not exist before,
/// and a phone whose clock says so is wrong.
pub const EARLIEST_TIME_MS: i64 = 1_704_067_200_000;
/// How far ahead of the receiver's clock a time may be (a phone's clock a little fast is normal; a
/// year ahead would make a profile edit win every later one).
pub const MAX_CLOCK_AHEAD_MS: i64 = 24 * 3_600_000;

/// Checks that `at` is a plausible time for something that happened, by a clock read at `now_ms`.
pub fn check_time(field: &str, at: i64, now_ms: i64) -> Result<(), String> {
    let latest = now_ms.saturating_add(MAX_CLOCK_AHEAD_MS);
    if at < EARLIEST_TIME_MS || at > latest {
        return Err(format!(
            "{field} {at} is not a plausible time (ms since 1970): it must be between {EARLIEST_TIME_MS} (2024-01-01) and {latest} (a day after now); check the phone's clock"
        ));
    }
    Ok(())
}

/// Checks an event's shape (not who sent it) against the receiver's clock `now_ms`; the message
/// says what is wrong.
pub fn validate_event(event: &ProgressEvent, now_ms: i64) -> Result<(), String> {
    if !is_valid_device_id(&event.device_id) {
        return Err(format!("event {:?}: device_id must be 1 to 64 letters, digits, '_' or '-'", event.id));
    }
    if event.seq == 0 || event.seq > i64::MAX as u64 {
        return Err(format!("event {:?}: seq starts at 1", event.id));
    }
    if event.id != ProgressEvent::event_id(&event.device_id, event.seq) {
        return Err(format!("event {:?}: id must be \"<device_id>:<seq>\"", event.id));
    }
    let in_event = |e: String| format!("event {:?}: {e}", event.id);
    if event.is_erased() {
        let content_free = event.learner_id.is_empty() && event.lesson_id.is_empty() && event.lesson_version.is_empty() && event.at == 0;
        return if content_free { Ok(()) } else { Err(in_event("an erased event carries nothing but its id and seq".into())) };
    }
    check_time("at", event.at, now_ms).map_err(in_event)?;
    check_text("learner_id", &event.learner_id, 64).map_err(in_event)?;
    if event.kind.session().is_some() {
        // A session is about several lessons (listed in its details): its events name none.
        check_optional_text("lesson_id", &event.lesson_id, 128).map_err(in_event)?;
        check_optional_text("lesson_version", &event.lesson_version, 128).map_err(in_event)?;
    } else {
        check_text("lesson_id", &event.lesson_id, 128).map_err(in_event)?;
        check_text("lesson_version", &event.lesson_version, 128).map_err(in_event)?;
    }
    validate_session_event(&event.kind).map_err(in_event)?;
    validate_drill_event(&event.kind).map_err(in_event)?;
    Ok(())
}

/// Most wrong actions one drill attempt may report: far above any real attempt, and keeps sums small.
pub const MAX_DRILL_MISTAKES: u32 = 10_000;

/// Sizes of a drill event: a drill index within a lesson, a screen within a drill, a mistake count.
fn validate_drill_event(kind: &EventKind) -> Result<(), String> {
    use crate::practice::{MAX_DRILLS_PER_LESSON, MAX_DRILL_STEPS};
    let drill = match kind {
        EventKind::DrillStarted { drill } | EventKind::DrillStepAnswered { drill, .. } | EventKind::DrillCompleted { drill, .. } => *drill,
        _ => return Ok(()),
    };
    if drill as usize >= MAX_DRILLS_PER_LESSON {
        return Err(format!("drill {drill}: a lesson has at most {MAX_DRILLS_PER_LESSON} drills"));
    }
    match kind {
        EventKind::DrillStepAnswered { step, .. } if *step as usize >= MAX_DRILL_STEPS => {
            Err(format!("drill step {step}: a drill has at most {MAX_DRILL_STEPS} screens"))
        }
        EventKind::DrillCompleted { mistakes, .. } if *mistakes > MAX_DRILL_MISTAKES => {
            Err(format!("{mistakes} mistakes in one drill attempt; at most {MAX_DRILL_MISTAKES}"))
        }
        _ => Ok(()),
    }
}

fn check_optional_text(field: &str, value: &str, max: usize) -> Result<(), String> {
    if value.is_empty() {
        Ok(())
    } else {
        check_text(field, value, max)
    }
}

/// Longest place, village or attendee nickname, in characters (the app cuts what is typed here too).
pub const MAX_SESSION_TEXT_CHARS: usize = 64;
/// Most lessons taught in one session.
pub const MAX_SESSION_LESSONS: usize = 20;
/// Most options of a group-quiz question.
pub const MAX_GROUP_OPTIONS: usize = 10;
/// Most hands counted for one option: a room, not a stadium (also keeps sums far from overflow).
pub const MAX_HANDS_PER_OPTION: u32 = 10_000;

/// Names typed by people: counted in characters, since Vietnamese letters take 2 or 3 bytes.
fn check_typed(field: &str, value: &str) -> Result<(), String> {
    let chars = value.chars().count();
    if chars > MAX_SESSION_TEXT_CHARS {
        return Err(format!("{field} is {chars} characters long; at most {MAX_SESSION_TEXT_CHARS}"));
    }
    Ok(())
}

/// Sizes of what a session event carries, so that a report never holds unbounded text or counts.
/// Only sizes: the app checks the details themselves (`sessions::validate_details`) before saving,
/// and a refused push blocks the phone's whole outbox, so nothing here is stricter than needed.
fn validate_session_event(kind: &EventKind) -> Result<(), String> {
    if let Some(session) = kind.session() {
        check_text("session", session, 64)?;
    }
    match kind {
        EventKind::SessionDetails { details, .. } => {
            check_typed("place", &details.place)?;
            check_typed("village", &details.village)?;
            Date::parse(&details.date).map_err(|e| format!("session date: {e}"))?;
            if details.lessons.is_empty() {
                return Err("a session teaches at least one lesson".into());
            }
            if details.lessons.len() > MAX_SESSION_LESSONS {
                return Err(format!("{} lessons in one session; at most {MAX_SESSION_LESSONS}", details.lessons.len()));
            }
            details.lessons.iter().try_for_each(|lesson| check_text("lesson id", lesson, 128))
        }
        EventKind::AttendeeAdded { attendee, .. } => {
            check_text("attendee id", &attendee.id, 64)?;
            check_typed("attendee nickname", &attendee.nickname)?;
            check_typed("attendee village", &attendee.village)?;
            attendee.learner.as_deref().map_or(Ok(()), |learner| check_text("attendee learner", learner, 64))
        }
        EventKind::AttendeeRemoved { attendee, .. } => check_text("attendee id", attendee, 64),
        EventKind::GroupAnswered { counts, correct_options, .. } => {
            if counts.len() > MAX_GROUP_OPTIONS || correct_options.len() > MAX_GROUP_OPTIONS {
                return Err(format!(
                    "group answer with {} counts and {} correct options; at most {MAX_GROUP_OPTIONS} options",
                    counts.len(),
                    correct_options.len()
                ));
            }
            if let Some(hands) = counts.iter().find(|hands| **hands > MAX_HANDS_PER_OPTION) {
                return Err(format!("{hands} hands counted for one option; at most {MAX_HANDS_PER_OPTION}"));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Checks a profile (the one nickname rule of [`crate::profile`]) and its edit time against the
/// receiver's clock `now_ms`.
pub fn validate_profile(profile: &Profile, now_ms: i64) -> Result<(), String> {
    profile.check_fields().and_then(|()| check_time("updated_at", profile.updated_at, now_ms)).map_err(|e| format!("profile {:?}: {e}", profile.id))
}

/// `GET /api/v1/server`: what any page may know about the server it came from. Unknown fields are
/// ignored, so a newer server can say more.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// The team server's https address (`hocso serve --public-url`), ending in `/`: a page opened at
    /// a plain-HTTP LAN address offers it, since offline use needs a secure context.
    #[serde(default)]
    pub public_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-01, the receiver's clock in these tests.
    const NOW: i64 = 1_796_083_200_000;

    fn validate_event_now(event: &ProgressEvent) -> Result<(), String> {
        validate_event(event, NOW)
    }

    fn event(device: &str, seq: u64) -> ProgressEvent {
        ProgressEvent {
            id: ProgressEvent::event_id(device, seq),
            device_id: device.into(),
            seq,
            learner_id: "mai".into(),
            lesson_id: "pay-by-vietqr".into(),
            lesson_version: "v1".into(),
            at: NOW - 1_000,
            kind: EventKind::LessonStarted,
        }
    }

    #[test]
    fn an_event_id_must_match_its_device_and_seq() {
        assert!(validate_event_now(&event("phone-a", 1)).is_ok());
        assert!(validate_event_now(&event("phone-a", 0)).is_err());
        assert!(validate_event_now(&event("phone:a", 1)).is_err());
        let mut forged = event("phone-a", 2);
        forged.id = "phone-b:2".into();
        assert!(validate_event_now(&forged).is_err());
    }

    #[test]
    fn drill_events_are_checked_for_their_sizes() {
        let with = |kind| validate_event_now(&ProgressEvent { kind, ..event("phone-a", 1) });
        assert!(with(EventKind::DrillStarted { drill: 0 }).is_ok());
        assert!(with(EventKind::DrillStepAnswered { drill: 1, step: 3, correct: false }).is_ok());
        assert!(with(EventKind::DrillCompleted { drill: 1, mistakes: 2 }).is_ok());
        assert!(with(EventKind::DrillStarted { drill: 20 }).unwrap_err().contains("at most 20 drills"));
        assert!(with(EventKind::DrillStepAnswered { drill: 0, step: 40, correct: true }).unwrap_err().contains("at most 40 screens"));
        assert!(with(EventKind::DrillCompleted { drill: 0, mistakes: 10_001 }).unwrap_err().contains("mistakes"));
        // A drill event names its lesson, like every learning event.
        let mut no_lesson = ProgressEvent { kind: EventKind::DrillStarted { drill: 0 }, ..event("phone-a", 1) };
        no_lesson.lesson_id.clear();
        assert!(validate_event_now(&no_lesson).is_err());
    }

    fn session_event(kind: EventKind) -> ProgressEvent {
        ProgressEvent { kind, ..event("phone-a", 1) }
    }

    #[test]
    fn session_events_are_refused_when_their_text_or_counts_are_too_long() {
        use crate::sessions::{Attendee, SessionDetails};
        let attendee = |nickname: &str| Attendee {
            id: "a1".into(),
            nickname: nickname.into(),
            village: "Bản Phố".into(),
            gender: None,
            age_band: None,
            learner: None,
        };
        let added = |nickname: &str| session_event(EventKind::AttendeeAdded { session: "s1".into(), attendee: attendee(nickname) });
        // 64 Vietnamese letters are 128 bytes: the limit is in characters.
        assert_eq!(validate_event_now(&added(&"ố".repeat(64))), Ok(()));
        let error = validate_event_now(&added(&"ố".repeat(65))).unwrap_err();
        assert!(error.contains("attendee nickname is 65 characters long; at most 64"), "{error}");

        let details = |lessons: usize, place: &str| SessionDetails {
            date: "2026-11-28".into(),
            place: place.into(),
            village: "Bản Phố".into(),
            lessons: (0..lessons).map(|i| format!("lesson-{i}")).collect(),
        };
        let held = |d| session_event(EventKind::SessionDetails { session: "s1".into(), details: d });
        assert_eq!(validate_event_now(&held(details(20, "Nhà văn hoá"))), Ok(()));
        assert!(validate_event_now(&held(details(21, "Nhà văn hoá"))).unwrap_err().contains("21 lessons"));
        assert!(validate_event_now(&held(details(1, &"x".repeat(65)))).unwrap_err().contains("place is 65 characters"));

        let answered = |options: usize, hands: u32| {
            session_event(EventKind::GroupAnswered { session: "s1".into(), question: 0, counts: vec![hands; options], correct_options: vec![0] })
        };
        assert_eq!(validate_event_now(&answered(10, 40)), Ok(()));
        assert!(validate_event_now(&answered(11, 1)).unwrap_err().contains("at most 10 options"));
        assert!(validate_event_now(&answered(2, u32::MAX)).unwrap_err().contains("hands"));
        let long_session = session_event(EventKind::SessionClosed { session: "s".repeat(65) });
        assert!(validate_event_now(&long_session).unwrap_err().contains("session must be 1 to 64 bytes"));
    }

    #[test]
    fn requests_reject_unknown_fields() {
        assert!(serde_json::from_str::<PushRequest>(r#"{"events": [], "admin": true}"#).is_err());
        assert!(serde_json::from_str::<JoinRequest>(r#"{"code": "A", "device_name": "x", "team": 1}"#).is_err());
        assert_eq!(serde_json::from_str::<PushRequest>("{}").unwrap(), PushRequest::default());
    }

    #[test]
    fn a_pull_from_an_older_or_a_newer_server_is_understood() {
        // A server from before recordings: no `recordings`, read as "unchanged".
        let older = r#"{"profiles": [], "catalogue_version": null, "acked_through_seq": 3, "cursor": "r1", "has_more": false}"#;
        assert_eq!(serde_json::from_str::<PullResponse>(older).unwrap().recordings, None);
        // A newer server's field this phone does not know yet is ignored, not fatal.
        let newer = r#"{"profiles": [], "catalogue_version": null, "acked_through_seq": 3, "cursor": "r1", "has_more": false, "later": 1}"#;
        assert!(serde_json::from_str::<PullResponse>(newer).is_ok());
        // Unchanged recordings are not written, so phones older than them read this server's pulls.
        let page =
            PullResponse { profiles: vec![], catalogue_version: None, acked_through_seq: 0, cursor: "r0".into(), has_more: false, recordings: None };
        assert!(!serde_json::to_string(&page).unwrap().contains("recordings"));
        let emptied = PullResponse { recordings: Some(vec![]), ..page };
        assert!(serde_json::to_string(&emptied).unwrap().contains(r#""recordings":[]"#));
    }

    #[test]
    fn times_outside_the_plausible_window_are_refused() {
        let at = |at: i64| ProgressEvent { at, ..event("phone-a", 1) };
        assert_eq!(validate_event_now(&at(EARLIEST_TIME_MS)), Ok(()));
        assert_eq!(validate_event_now(&at(NOW + MAX_CLOCK_AHEAD_MS)), Ok(()));
        for bad in [i64::MAX, i64::MIN, 0, -1, EARLIEST_TIME_MS - 1, NOW + MAX_CLOCK_AHEAD_MS + 1, 9_214_646_400_000_000] {
            let error = validate_event_now(&at(bad)).unwrap_err();
            assert!(error.contains("not a plausible time"), "{bad}: {error}");
        }
        let profile = |updated_at: i64| Profile { updated_at, ..Profile::tombstone("p1", 0) };
        assert_eq!(validate_profile(&profile(NOW), NOW), Ok(()));
        assert!(validate_profile(&profile(NOW + 365 * 86_400_000), NOW).unwrap_err().contains("updated_at"));
        assert!(validate_profile(&profile(i64::MAX), NOW).is_err());
        assert!(validate_profile(&profile(NOW), i64::MAX).is_ok(), "no overflow near the end of time");
    }

    #[test]
    fn an_erased_event_is_accepted_only_without_content() {
        assert_eq!(validate_event_now(&ProgressEvent::erased("phone-a", 7)), Ok(()));
        let leaky = ProgressEvent { learner_id: "mai".into(), ..ProgressEvent::erased("phone-a", 7) };
        assert!(validate_event_now(&leaky).unwrap_err().contains("erased"));
        let dated = ProgressEvent { at: NOW, ..ProgressEvent::erased("phone-a", 7) };
        assert!(validate_event_now(&dated).is_err());
    }

    #[test]
    fn session_events_name_no_lesson_and_need_a_real_date_and_a_lesson() {
        use crate::sessions::SessionDetails;
        let details = |date: &str, lessons: Vec<String>| ProgressEvent {
            lesson_id: String::new(),
            lesson_version: String::new(),
            kind: EventKind::SessionDetails {
                session: "s1".into(),
                details: SessionDetails { date: date.into(), place: "Nhà văn hoá".into(), village: "Bản Phố".into(), lessons },
            },
            ..event("phone-a", 1)
        };
        assert_eq!(validate_event_now(&details("2026-11-28", vec!["l".into()])), Ok(()));
        assert!(validate_event_now(&details("2025-13-45", vec!["l".into()])).unwrap_err().contains("not a day of the calendar"));
        assert!(validate_event_now(&details("2026-11-28", vec![])).unwrap_err().contains("at least one lesson"));
        let unnamed = ProgressEvent { lesson_id: String::new(), ..event("phone-a", 1) };
        assert!(validate_event_now(&unnamed).unwrap_err().contains("lesson_id"), "learning events name their lesson");
    }
}
