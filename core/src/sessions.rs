//! Learning sessions run by a community team in a village cultural house: where and when, which
//! lessons, who attended, and how the room answered the group quiz (hands raised per option).
//!
//! Like progress, a session is a fold over append-only events (`EventKind::Session*`,
//! `AttendeeAdded`, …), so it syncs with the same no-loss, no-double guarantees. A session can be
//! edited until it is closed; events after `SessionClosed` are ignored.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::progress::{EventKind, ProgressEvent};

/// What a team member fills in when starting a session. The latest version wins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionDetails {
    /// `YYYY-MM-DD`, the day of the session.
    pub date: String,
    /// The place, e.g. "Nhà văn hoá thôn Bản Phố".
    pub place: String,
    pub village: String,
    /// Lesson ids, in the order they are taught.
    pub lessons: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    Other,
}

/// Age bands, only for counts in reports (never a birth date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    Under18,
    From18To35,
    From36To59,
    From60,
}

pub const GENDERS: &[Gender] = &[Gender::Female, Gender::Male, Gender::Other];
pub const AGE_BANDS: &[AgeBand] = &[AgeBand::Under18, AgeBand::From18To35, AgeBand::From36To59, AgeBand::From60];

impl Gender {
    pub fn key(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
        }
    }
}

impl AgeBand {
    pub fn key(self) -> &'static str {
        match self {
            AgeBand::Under18 => "under_18",
            AgeBand::From18To35 => "from_18_to_35",
            AgeBand::From36To59 => "from_36_to_59",
            AgeBand::From60 => "from_60",
        }
    }
}

/// Someone in the room. Minimal on purpose: a nickname and a village; gender and age band are
/// optional and used only for counts. `learner` links to a profile on the phone, if they have one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attendee {
    pub id: String,
    pub nickname: String,
    pub village: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<AgeBand>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learner: Option<String>,
}

/// The room's answers to one quiz question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupAnswer {
    /// Hands raised for each option.
    pub counts: Vec<u32>,
    pub correct_options: Vec<u32>,
}

impl GroupAnswer {
    /// Hands raised for a right option, and all hands raised (a right option listed twice counts once).
    pub fn right_of_total(&self) -> (u64, u64) {
        let right: std::collections::BTreeSet<u32> = self.correct_options.iter().copied().collect();
        let sum = |pick: &dyn Fn(usize) -> bool| self.counts.iter().enumerate().filter(|(i, _)| pick(*i)).map(|(_, n)| u64::from(*n)).sum::<u64>();
        (sum(&|i| right.contains(&(i as u32))), sum(&|_| true))
    }
}

/// A session as folded from its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub details: SessionDetails,
    pub attendees: BTreeMap<String, Attendee>,
    /// Keyed by (lesson id, question index); the last recount wins.
    pub group_answers: BTreeMap<(String, u32), GroupAnswer>,
    pub closed: bool,
    /// When it was opened (ms since the epoch), for ordering.
    pub opened_at: i64,
}

impl Session {
    /// Attendees per village, for the summary and reports.
    pub fn attendees_by_village(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for attendee in self.attendees.values() {
            *counts.entry(attendee.village.as_str()).or_insert(0) += 1;
        }
        counts
    }

    fn apply(&mut self, event: &ProgressEvent) {
        if self.closed {
            return;
        }
        match &event.kind {
            EventKind::SessionDetails { details, .. } => self.details = details.clone(),
            EventKind::AttendeeAdded { attendee, .. } => {
                self.attendees.insert(attendee.id.clone(), attendee.clone());
            }
            EventKind::AttendeeRemoved { attendee, .. } => {
                self.attendees.remove(attendee);
            }
            EventKind::GroupAnswered { question, counts, correct_options, .. } => {
                self.group_answers
                    .insert((event.lesson_id.clone(), *question), GroupAnswer { counts: counts.clone(), correct_options: correct_options.clone() });
            }
            EventKind::SessionClosed { .. } => self.closed = true,
            _ => {}
        }
    }
}

/// Every session found in `events`, newest first. Order of arrival and repeated ids do not matter.
pub fn fold_sessions<'a>(events: impl IntoIterator<Item = &'a ProgressEvent>) -> Vec<Session> {
    let mut unique: BTreeMap<&str, &ProgressEvent> = BTreeMap::new();
    for event in events.into_iter().filter(|e| e.kind.session().is_some()) {
        unique.entry(&event.id).or_insert(event);
    }
    let mut ordered: Vec<&ProgressEvent> = unique.into_values().collect();
    ordered.sort_by(|a, b| (a.at, &a.device_id, a.seq).cmp(&(b.at, &b.device_id, b.seq)));
    let mut sessions: BTreeMap<String, Session> = BTreeMap::new();
    for event in ordered {
        let id = event.kind.session().expect("filtered").to_owned();
        let session = sessions.entry(id.clone()).or_insert_with(|| Session { id, opened_at: event.at, ..Session::default() });
        session.apply(event);
    }
    let mut list: Vec<Session> = sessions.into_values().filter(|s| !s.details.date.is_empty()).collect();
    list.sort_by(|a, b| b.opened_at.cmp(&a.opened_at).then_with(|| a.id.cmp(&b.id)));
    list
}

/// Checks what a team member typed before it is saved: the message key says what to fix.
pub fn validate_details(details: &SessionDetails) -> Result<(), &'static str> {
    if crate::date::Date::parse(&details.date).is_err() {
        return Err("session.error_date");
    }
    if details.place.trim().is_empty() || details.village.trim().is_empty() {
        return Err("session.error_place");
    }
    if details.lessons.is_empty() {
        return Err("session.error_lessons");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Log {
        seq: u64,
        events: Vec<ProgressEvent>,
    }

    impl Log {
        fn new() -> Self {
            Self { seq: 0, events: Vec::new() }
        }
        fn push(&mut self, lesson: &str, kind: EventKind) -> &mut Self {
            self.seq += 1;
            self.events.push(ProgressEvent {
                id: ProgressEvent::event_id("leader-phone", self.seq),
                device_id: "leader-phone".into(),
                seq: self.seq,
                learner_id: "leader".into(),
                lesson_id: lesson.into(),
                lesson_version: "v1".into(),
                at: 1_700_000_000_000 + self.seq as i64 * 1000,
                kind,
            });
            self
        }
    }

    fn details(place: &str) -> SessionDetails {
        SessionDetails { date: "2026-11-28".into(), place: place.into(), village: "Bản Phố".into(), lessons: vec!["pay-by-vietqr".into()] }
    }

    fn attendee(id: &str, village: &str) -> Attendee {
        Attendee {
            id: id.into(), nickname: format!("bà {id}"), village: village.into(), gender: Some(Gender::Female), age_band: None, learner: None
        }
    }

    fn a_session() -> Log {
        let mut log = Log::new();
        let s = || "s1".to_owned();
        log.push("pay-by-vietqr", EventKind::SessionDetails { session: s(), details: details("Nhà văn hoá") })
            .push("pay-by-vietqr", EventKind::AttendeeAdded { session: s(), attendee: attendee("a1", "Bản Phố") })
            .push("pay-by-vietqr", EventKind::AttendeeAdded { session: s(), attendee: attendee("a2", "Bản Phố") })
            .push("pay-by-vietqr", EventKind::AttendeeAdded { session: s(), attendee: attendee("a3", "Nậm Mòn") })
            .push("pay-by-vietqr", EventKind::GroupAnswered { session: s(), question: 0, counts: vec![1, 5, 0], correct_options: vec![1] })
            .push("pay-by-vietqr", EventKind::GroupAnswered { session: s(), question: 0, counts: vec![1, 6, 0], correct_options: vec![1] });
        log
    }

    #[test]
    fn a_session_folds_its_details_attendees_and_last_group_count() {
        let sessions = fold_sessions(&a_session().events);
        assert_eq!(sessions.len(), 1);
        let session = &sessions[0];
        assert_eq!(session.details.place, "Nhà văn hoá");
        assert_eq!(session.attendees.len(), 3);
        assert_eq!(session.attendees_by_village().get("Bản Phố"), Some(&2));
        let answer = &session.group_answers[&("pay-by-vietqr".to_owned(), 0)];
        assert_eq!(answer.right_of_total(), (6, 7), "the recount replaces the first count");
    }

    #[test]
    fn a_right_option_listed_twice_counts_once() {
        let answer = GroupAnswer { counts: vec![2, 3], correct_options: vec![1, 1] };
        assert_eq!(answer.right_of_total(), (3, 5));
    }

    #[test]
    fn edits_apply_until_the_session_is_closed() {
        let mut log = a_session();
        log.push("pay-by-vietqr", EventKind::AttendeeRemoved { session: "s1".into(), attendee: "a3".into() })
            .push("pay-by-vietqr", EventKind::SessionDetails { session: "s1".into(), details: details("Sân trường") })
            .push("pay-by-vietqr", EventKind::SessionClosed { session: "s1".into() })
            .push("pay-by-vietqr", EventKind::AttendeeAdded { session: "s1".into(), attendee: attendee("late", "X") });
        let session = &fold_sessions(&log.events)[0];
        assert!(session.closed);
        assert_eq!(session.details.place, "Sân trường");
        assert_eq!(session.attendees.keys().collect::<Vec<_>>(), ["a1", "a2"]);
    }

    #[test]
    fn order_and_duplicates_do_not_matter() {
        let log = a_session();
        let mut shuffled = log.events.clone();
        shuffled.reverse();
        shuffled.extend(log.events.iter().cloned());
        assert_eq!(fold_sessions(&shuffled), fold_sessions(&log.events));
    }

    #[test]
    fn session_events_do_not_touch_the_members_own_progress() {
        let log = a_session();
        let progress = crate::progress::Progress::fold("leader", &log.events);
        assert_eq!(progress.lesson("pay-by-vietqr").status(), crate::progress::LessonStatus::NotStarted);
    }

    #[test]
    fn details_are_checked_before_saving() {
        assert_eq!(validate_details(&details("Nhà văn hoá")), Ok(()));
        assert_eq!(validate_details(&SessionDetails { date: "28/11/2026".into(), ..details("x") }), Err("session.error_date"));
        assert_eq!(validate_details(&SessionDetails { date: "2025-13-45".into(), ..details("x") }), Err("session.error_date"));
        assert_eq!(validate_details(&SessionDetails { place: " ".into(), ..details("x") }), Err("session.error_place"));
        assert_eq!(validate_details(&SessionDetails { lessons: vec![], ..details("x") }), Err("session.error_lessons"));
    }

    #[test]
    fn session_events_round_trip_as_json() {
        let log = a_session();
        let json = serde_json::to_string(&log.events).unwrap();
        assert!(json.contains(r#""type":"attendee_added""#));
        let back: Vec<ProgressEvent> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, log.events);
    }
}
