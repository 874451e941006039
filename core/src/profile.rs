//! A learner's picture profile on a shared phone, and the rules every side applies to it: the
//! nickname rule (what the phone lets you type is exactly what the server accepts) and the one
//! last-writer-wins rule used by the app, the server, backup import and the test outbox.
//!
//! No passwords, no ID numbers: a nickname, a picture and a colour. A deleted profile stays only as
//! a content-free tombstone, so the deletion reaches every phone and the team server.
use serde::{Deserialize, Serialize};

/// A learner's profile: a small document edited on phones. Its `id` is the learner id used in events.
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

/// The longest nickname, in characters (what a person counts), whatever the script: 30 characters
/// are at most 120 bytes, well within every store.
pub const MAX_NICKNAME_CHARS: usize = 30;
/// The longest profile id, avatar name and colour, in bytes (ASCII written by the app).
pub const MAX_PROFILE_FIELD_BYTES: usize = 64;

impl Profile {
    /// What is kept of a deleted learner: the id (random, not personal) and the time of deletion.
    pub fn tombstone(id: &str, deleted_at: i64) -> Self {
        Self { id: id.to_owned(), nickname: String::new(), avatar: String::new(), colour: String::new(), updated_at: deleted_at, deleted: true }
    }

    /// Checks the fields (not the time: see `sync::validate_profile`); the message names the field.
    pub fn check_fields(&self) -> Result<(), String> {
        check_ascii_field("id", &self.id)?;
        if self.deleted {
            // Older app versions wrote "-" into a tombstone's fields; anything else is personal data
            // that a deletion must not carry.
            let content_free = |v: &str| v.is_empty() || v == "-";
            if ![&self.nickname, &self.avatar, &self.colour].iter().all(|v| content_free(v)) {
                return Err("a deleted profile must not carry a nickname, picture or colour".into());
            }
            return Ok(());
        }
        check_nickname(&self.nickname)?;
        check_ascii_field("avatar", &self.avatar)?;
        check_ascii_field("colour", &self.colour)
    }
}

fn check_ascii_field(field: &str, value: &str) -> Result<(), String> {
    if value.is_empty() || value.len() > MAX_PROFILE_FIELD_BYTES || value.chars().any(char::is_control) {
        return Err(format!("{field} must be 1 to {MAX_PROFILE_FIELD_BYTES} bytes of printable text"));
    }
    Ok(())
}

/// A nickname as it may be saved and sent: 1 to [`MAX_NICKNAME_CHARS`] characters, no control
/// characters, no spaces at either end or twice in a row (what [`clean_nickname`] makes).
pub fn check_nickname(nickname: &str) -> Result<(), String> {
    let chars = nickname.chars().count();
    if chars == 0 || chars > MAX_NICKNAME_CHARS {
        return Err(format!("nickname is {chars} characters long; it must be 1 to {MAX_NICKNAME_CHARS}"));
    }
    if nickname.chars().any(char::is_control) {
        return Err("nickname must be printable text".into());
    }
    Ok(())
}

/// What a person typed, as it is saved: trimmed, single spaces, control characters dropped, cut at
/// [`MAX_NICKNAME_CHARS`] characters; `None` if nothing is left.
pub fn clean_nickname(typed: &str) -> Option<String> {
    let printable: String = typed.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let cleaned: String = printable.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(MAX_NICKNAME_CHARS).collect();
    let cleaned = cleaned.trim_end().to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// Last writer wins: a write `(new_at, new_device)` replaces the current version
/// `(current_at, current_device)` when it is later, ties broken by the writing device's id so every
/// side picks the same winner. The same write twice changes nothing. A write whose device is not
/// known (a profile read from a backup file) uses `""` and so never wins a tie.
pub fn write_wins(new_at: i64, new_device: &str, current_at: i64, current_device: &str) -> bool {
    (new_at, new_device) > (current_at, current_device)
}

/// What decides between two versions of a profile: when and by which device it was written, and
/// whether it is a deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version<'a> {
    pub updated_at: i64,
    pub device: &'a str,
    pub deleted: bool,
}

impl Profile {
    /// This profile as written by `device`.
    pub fn version<'a>(&self, device: &'a str) -> Version<'a> {
        Version { updated_at: self.updated_at, device, deleted: self.deleted }
    }
}

/// The one merge rule of the app, the server, backup import and the test outbox: whether the `new`
/// version replaces the `current` one. Last writer wins ([`write_wins`]), except that a deletion is
/// final: a learner deleted on one phone is not brought back by an edit made elsewhere before the
/// deletion was heard of (only a later deletion replaces a deletion).
pub fn replaces(new: Version<'_>, current: Version<'_>) -> bool {
    (new.deleted || !current.deleted) && write_wins(new.updated_at, new.device, current.updated_at, current.device)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(nickname: &str) -> Profile {
        Profile { id: "p1".into(), nickname: nickname.into(), avatar: "fish".into(), colour: "#1565c0".into(), updated_at: 1, deleted: false }
    }

    #[test]
    fn last_writer_wins_by_time_then_device() {
        assert!(write_wins(2, "a", 1, "z"));
        assert!(write_wins(1, "b", 1, "a"));
        assert!(!write_wins(1, "a", 1, "a"), "the same write twice changes nothing");
        assert!(!write_wins(0, "z", 1, "a"));
        assert!(!write_wins(1, "", 1, "a"), "a backup's profile never wins a tie");
    }

    #[test]
    fn a_nickname_is_counted_in_characters_as_a_person_counts_them() {
        // "Mai" and 16 flowers: 20 characters, 67 bytes. Refused by the old 64-byte server rule.
        let flowers = format!("Mai{}", "🌸".repeat(16));
        assert_eq!(flowers.chars().count(), 19);
        assert_eq!(profile(&flowers).check_fields(), Ok(()));
        let accents = "Nguyễn Thị Hồng Nhung Ở Bản Phố"; // 31 characters
        assert_eq!(clean_nickname(accents).unwrap().chars().count(), MAX_NICKNAME_CHARS);
        assert_eq!(profile(&clean_nickname(accents).unwrap()).check_fields(), Ok(()));
        assert!(profile(accents).check_fields().unwrap_err().contains("31 characters"));
        assert!(profile(&"🌸".repeat(30)).check_fields().is_ok(), "30 emoji are 120 bytes and accepted");
        assert!(profile("").check_fields().is_err());
        assert!(profile("Mai\u{7}").check_fields().is_err());
    }

    #[test]
    fn typed_nicknames_are_cleaned_into_what_the_rule_accepts() {
        assert_eq!(clean_nickname("  Mai   Lan \n"), Some("Mai Lan".into()));
        assert_eq!(clean_nickname("Mai\u{0}Lan"), Some("Mai Lan".into()));
        assert_eq!(clean_nickname("   "), None);
        // Cut at 30 characters, never leaving a space at the end.
        let cut = clean_nickname(&format!("{} b", "a".repeat(29))).unwrap();
        assert_eq!(cut, "a".repeat(29));
        for typed in ["x", "Chị Mai nhà ở đầu bản, gần suối, con ông Páo", "🌸 🌸"] {
            assert_eq!(profile(&clean_nickname(typed).unwrap()).check_fields(), Ok(()));
        }
    }

    #[test]
    fn a_deletion_is_final() {
        let deleted = Profile::tombstone("p1", 5);
        let edit = |at: i64| Profile { updated_at: at, ..profile("Mai") };
        assert!(!replaces(edit(9).version("b"), deleted.version("a")));
        assert!(replaces(deleted.version("a"), edit(4).version("b")));
        assert!(!replaces(deleted.version("a"), edit(6).version("b")), "an earlier deletion loses to a later edit it never saw");
        assert!(replaces(Profile::tombstone("p1", 6).version("b"), deleted.version("a")), "a later deletion replaces one");
    }

    #[test]
    fn a_tombstone_carries_no_personal_data() {
        assert_eq!(Profile::tombstone("p1", 5).check_fields(), Ok(()));
        let legacy = Profile { nickname: "-".into(), avatar: "-".into(), colour: "-".into(), deleted: true, ..profile("x") };
        assert_eq!(legacy.check_fields(), Ok(()));
        let leaky = Profile { deleted: true, ..profile("Mai") };
        assert!(leaky.check_fields().is_err());
    }
}
