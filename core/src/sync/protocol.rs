//! The JSON the app and the team server exchange under `/api/v1`, and the limits both sides honour.
//!
//! Every request type rejects unknown fields, so a typo or a newer client talking to an older server
//! fails loudly instead of being half understood.
use serde::{Deserialize, Serialize};

use crate::progress::ProgressEvent;

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

/// A learner's picture profile: a small document edited on phones, merged last-writer-wins by
/// `(updated_at, device_id)`. Its `id` is the learner id used in events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub id: String,
    pub nickname: String,
    pub avatar: String,
    pub colour: String,
    /// Milliseconds since the Unix epoch, by the editing phone's clock.
    pub updated_at: i64,
    /// A deleted profile stays as a tombstone so the deletion reaches every phone.
    #[serde(default)]
    pub deleted: bool,
}

/// True when a write `(updated_at, device_id)` replaces the current one `(current_at, current_device)`.
pub fn profile_write_wins(updated_at: i64, device_id: &str, current_at: i64, current_device: &str) -> bool {
    (updated_at, device_id) > (current_at, current_device)
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
}

/// Every 4xx/5xx answer of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiError {
    /// Stable, for programs: `invalid_token`, `too_many_events`, …
    pub error: String,
    /// A clear sentence for the person reading the log.
    pub message: String,
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

/// Checks an event's shape (not who sent it); the message says what is wrong.
pub fn validate_event(event: &ProgressEvent) -> Result<(), String> {
    if !is_valid_device_id(&event.device_id) {
        return Err(format!("event {:?}: device_id must be 1 to 64 letters, digits, '_' or '-'", event.id));
    }
    if event.seq == 0 || event.seq > i64::MAX as u64 {
        return Err(format!("event {:?}: seq starts at 1", event.id));
    }
    if event.id != ProgressEvent::event_id(&event.device_id, event.seq) {
        return Err(format!("event {:?}: id must be \"<device_id>:<seq>\"", event.id));
    }
    check_text("learner_id", &event.learner_id, 64).map_err(|e| format!("event {:?}: {e}", event.id))?;
    check_text("lesson_id", &event.lesson_id, 128).map_err(|e| format!("event {:?}: {e}", event.id))?;
    check_text("lesson_version", &event.lesson_version, 128).map_err(|e| format!("event {:?}: {e}", event.id))?;
    Ok(())
}

pub fn validate_profile(profile: &Profile) -> Result<(), String> {
    check_text("id", &profile.id, 64)
        .and_then(|()| check_text("nickname", &profile.nickname, 64))
        .and_then(|()| check_text("avatar", &profile.avatar, 64))
        .and_then(|()| check_text("colour", &profile.colour, 32))
        .map_err(|e| format!("profile {:?}: {e}", profile.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::EventKind;

    fn event(device: &str, seq: u64) -> ProgressEvent {
        ProgressEvent {
            id: ProgressEvent::event_id(device, seq),
            device_id: device.into(),
            seq,
            learner_id: "mai".into(),
            lesson_id: "pay-by-vietqr".into(),
            lesson_version: "v1".into(),
            at: 1,
            kind: EventKind::LessonStarted,
        }
    }

    #[test]
    fn an_event_id_must_match_its_device_and_seq() {
        assert!(validate_event(&event("phone-a", 1)).is_ok());
        assert!(validate_event(&event("phone-a", 0)).is_err());
        assert!(validate_event(&event("phone:a", 1)).is_err());
        let mut forged = event("phone-a", 2);
        forged.id = "phone-b:2".into();
        assert!(validate_event(&forged).is_err());
    }

    #[test]
    fn requests_reject_unknown_fields() {
        assert!(serde_json::from_str::<PushRequest>(r#"{"events": [], "admin": true}"#).is_err());
        assert!(serde_json::from_str::<JoinRequest>(r#"{"code": "A", "device_name": "x", "team": 1}"#).is_err());
        assert_eq!(serde_json::from_str::<PushRequest>("{}").unwrap(), PushRequest::default());
    }

    #[test]
    fn last_writer_wins_by_time_then_device() {
        assert!(profile_write_wins(2, "a", 1, "z"));
        assert!(profile_write_wins(1, "b", 1, "a"));
        assert!(!profile_write_wins(1, "a", 1, "a"), "the same write twice changes nothing");
        assert!(!profile_write_wins(0, "z", 1, "a"));
    }
}
