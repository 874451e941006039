//! Backups for a phone that never syncs: a learner's profile and events in one JSON file, moved to
//! another phone (Zalo, Bluetooth, USB) and merged there. Merging is by event id, so importing the
//! same file twice, or a file that overlaps what the phone has, never counts an answer twice.
use serde::{Deserialize, Serialize};

use crate::progress::ProgressEvent;
use crate::sync::protocol::{validate_event, validate_profile, Profile};

/// Written in every backup so another kind of JSON file is recognised and refused.
pub const BACKUP_KIND: &str = "hocso-backup";
pub const BACKUP_VERSION: u32 = 1;
/// A learner makes a few thousand events a year: this bounds a hostile or corrupt file.
pub const MAX_BACKUP_EVENTS: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    pub kind: String,
    pub version: u32,
    /// Milliseconds since the Unix epoch.
    pub exported_at: i64,
    pub profiles: Vec<Profile>,
    pub events: Vec<ProgressEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    #[error("this file is not a HocSo backup")]
    NotABackup,
    #[error("this backup was made by a newer HocSo (version {0}): update the app first")]
    TooNew(u32),
    #[error("the backup is damaged: {0}")]
    Damaged(String),
}

impl Backup {
    /// A backup of one learner: their profile and every event of theirs.
    pub fn of_learner(profile: &Profile, events: &[ProgressEvent], exported_at: i64) -> Self {
        Self {
            kind: BACKUP_KIND.into(),
            version: BACKUP_VERSION,
            exported_at,
            profiles: vec![profile.clone()],
            events: events.iter().filter(|e| e.learner_id == profile.id).cloned().collect(),
        }
    }

    /// One line of JSON: pretty-printing would add a second copy of every writer to the WASM.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a backup always serialises")
    }

    /// Reads a backup file, refusing anything that is not a whole, valid backup (nothing is then
    /// imported: a half-read file must not merge half a learner).
    pub fn parse(json: &str) -> Result<Self, BackupError> {
        // The label first, read on its own: a photo or a truncated file is "not a backup", and a
        // newer app's backup says so, before any learner is read.
        #[derive(Deserialize)]
        struct Label {
            kind: Option<String>,
            version: Option<u64>,
        }
        let label: Label = serde_json::from_str(json).map_err(|_| BackupError::NotABackup)?;
        if label.kind.as_deref() != Some(BACKUP_KIND) {
            return Err(BackupError::NotABackup);
        }
        if let Some(version) = label.version.filter(|v| *v > u64::from(BACKUP_VERSION)) {
            return Err(BackupError::TooNew(version.min(u64::from(u32::MAX)) as u32));
        }
        let backup: Backup = serde_json::from_str(json).map_err(|e| BackupError::Damaged(e.to_string()))?;
        if backup.events.len() > MAX_BACKUP_EVENTS {
            return Err(BackupError::Damaged(format!("more than {MAX_BACKUP_EVENTS} events")));
        }
        // Times are checked against the moment the file was made: nothing in it can be later.
        let made_at = backup.exported_at;
        for profile in &backup.profiles {
            validate_profile(profile, made_at).map_err(BackupError::Damaged)?;
        }
        for event in &backup.events {
            validate_event(event, made_at).map_err(BackupError::Damaged)?;
            if !backup.profiles.iter().any(|p| p.id == event.learner_id) {
                return Err(BackupError::Damaged(format!("event {:?} belongs to no learner in the file", event.id)));
            }
        }
        Ok(backup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::EventKind;

    /// 2024-03-09: backups hold times after HocSo began.
    const T: i64 = 1_710_000_000_000;

    fn profile(id: &str, at: i64) -> Profile {
        Profile { id: id.into(), nickname: "Mai".into(), avatar: "fish".into(), colour: "#1565c0".into(), updated_at: at, deleted: false }
    }

    fn event(learner: &str, seq: u64) -> ProgressEvent {
        ProgressEvent {
            id: ProgressEvent::event_id("phone-a", seq),
            device_id: "phone-a".into(),
            seq,
            learner_id: learner.into(),
            lesson_id: "pay-by-vietqr".into(),
            lesson_version: "abc".into(),
            at: T + seq as i64,
            kind: EventKind::StepViewed { step: seq as u32 },
        }
    }

    #[test]
    fn a_learner_backup_round_trips_and_holds_only_that_learner() {
        let events = vec![event("mai", 1), event("lan", 2), event("mai", 3)];
        let backup = Backup::of_learner(&profile("mai", T + 5), &events, T + 9);
        assert_eq!(backup.events.len(), 2);
        assert_eq!(Backup::parse(&backup.to_json()).unwrap(), backup);
    }

    #[test]
    fn other_files_are_refused_with_a_reason() {
        assert_eq!(Backup::parse("not json"), Err(BackupError::NotABackup));
        assert_eq!(Backup::parse(r#"{"name": "photo"}"#), Err(BackupError::NotABackup));
        let newer = r#"{"kind": "hocso-backup", "version": 99, "exported_at": 0, "profiles": [], "events": []}"#;
        assert_eq!(Backup::parse(newer), Err(BackupError::TooNew(99)));
    }

    #[test]
    fn damaged_backups_are_refused_whole() {
        let mut backup = Backup::of_learner(&profile("mai", T + 5), &[event("mai", 1)], T + 9);
        backup.events[0].id = "forged".into();
        assert!(matches!(Backup::parse(&backup.to_json()), Err(BackupError::Damaged(_))));

        let orphan = Backup { events: vec![event("someone-else", 1)], ..Backup::of_learner(&profile("mai", T + 5), &[], T + 9) };
        assert!(matches!(Backup::parse(&orphan.to_json()), Err(BackupError::Damaged(_))));

        let from_the_future = Backup::of_learner(&profile("mai", T + 5), &[event("mai", 1)], T - 86_400_000 * 2);
        assert!(matches!(Backup::parse(&from_the_future.to_json()), Err(BackupError::Damaged(e)) if e.contains("plausible")));

        let truncated = &Backup::of_learner(&profile("mai", T + 5), &[event("mai", 1)], T + 9).to_json()[..60];
        assert_eq!(Backup::parse(truncated), Err(BackupError::NotABackup));
    }
}
