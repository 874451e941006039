//! What a learner or a team did, as append-only events: the one record stored on the phone, sent to
//! the team server and folded into progress ([`crate::progress`]) and sessions ([`crate::sessions`]).
//!
//! An event is never changed, with one exception that keeps a device's numbering whole: when a
//! learner is deleted, each of their events becomes a content-free [`EventKind::Erased`]
//! placeholder with the same id and `seq` (see `ProgressEvent::erased`), so the server can still
//! acknowledge "everything up to N" and keeps nothing of the learner.
use serde::{Deserialize, Serialize};

/// One thing a learner did, as stored in IndexedDB and sent to the team server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressEvent {
    /// Unique forever: `"<device_id>:<seq>"`.
    pub id: String,
    /// A random id the phone chose once.
    pub device_id: String,
    /// 1, 2, 3… per device, with no gaps: lets the server acknowledge "everything up to N".
    pub seq: u64,
    pub learner_id: String,
    pub lesson_id: String,
    /// The content version the learner saw (answers to an older version stay meaningful).
    pub lesson_version: String,
    /// Milliseconds since the Unix epoch, by the phone's clock (for ordering and reports only).
    pub at: i64,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "EventKindWire")]
pub enum EventKind {
    LessonStarted,
    StepViewed {
        step: u32,
    },
    QuestionAnswered {
        question: u32,
        chosen: Vec<u32>,
        correct: bool,
    },
    LessonCompleted {
        score: Score,
    },
    // Practice drills (see `crate::practice`): `drill` is the drill's index among the lesson's
    // practice blocks, `step` a screen of the drill. A lesson with drills is complete when its
    // quiz is (`lesson_completed`) and each drill was completed at least once.
    DrillStarted {
        drill: u32,
    },
    DrillStepAnswered {
        drill: u32,
        step: u32,
        correct: bool,
    },
    DrillCompleted {
        drill: u32,
        /// Wrong actions during the attempt.
        mistakes: u32,
    },
    /// In a `message_inbox` drill, after a message was rightly marked a scam: the learner tapped
    /// its red flag `flag` (an index into the message's `flags`). A tap on words that are not a red
    /// flag is a `drill_step_answered` with `correct: false` on the same screen, so it counts as a
    /// mistake of that screen like a wrong button. Added after the first drills: phones from before
    /// never write it, and every event they wrote reads as before.
    DrillFlagFound {
        drill: u32,
        step: u32,
        flag: u32,
    },
    // A learning session run by a team member (see `crate::sessions`): `learner_id` is the member's
    // profile, `lesson_id` the lesson the event is about (for session-wide events, the first lesson).
    SessionDetails {
        session: String,
        details: crate::sessions::SessionDetails,
    },
    AttendeeAdded {
        session: String,
        attendee: crate::sessions::Attendee,
    },
    AttendeeRemoved {
        session: String,
        attendee: String,
    },
    GroupAnswered {
        session: String,
        question: u32,
        counts: Vec<u32>,
        correct_options: Vec<u32>,
    },
    SessionClosed {
        session: String,
    },
    /// A deleted learner's event: same id and `seq`, nothing else (learner, lesson and time empty).
    Erased,
}

impl EventKind {
    /// The session an event belongs to, for session events.
    pub fn session(&self) -> Option<&str> {
        match self {
            EventKind::SessionDetails { session, .. }
            | EventKind::AttendeeAdded { session, .. }
            | EventKind::AttendeeRemoved { session, .. }
            | EventKind::GroupAnswered { session, .. }
            | EventKind::SessionClosed { session } => Some(session),
            _ => None,
        }
    }
}

/// How an [`EventKind`] is read (see [`crate::wire`]). Like every type sent to the server, it
/// refuses unknown fields, including fields that belong to another type of event (even as `null`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventKindWire {
    #[serde(rename = "type")]
    kind: EventType,
    #[serde(default, deserialize_with = "crate::wire::present")]
    session: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    step: Option<u32>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    question: Option<u32>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    chosen: Option<Vec<u32>>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    correct: Option<bool>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    score: Option<Score>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    details: Option<crate::sessions::SessionDetails>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    attendee: Option<AttendeeField>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    counts: Option<Vec<u32>>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    correct_options: Option<Vec<u32>>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    drill: Option<u32>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    mistakes: Option<u32>,
    #[serde(default, deserialize_with = "crate::wire::present")]
    flag: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum EventType {
    LessonStarted,
    StepViewed,
    QuestionAnswered,
    LessonCompleted,
    DrillStarted,
    DrillStepAnswered,
    DrillCompleted,
    DrillFlagFound,
    SessionDetails,
    AttendeeAdded,
    AttendeeRemoved,
    GroupAnswered,
    SessionClosed,
    Erased,
}

/// `attendee` is a whole attendee when one is added and only their id when one is removed.
enum AttendeeField {
    Id(String),
    Person(crate::sessions::Attendee),
}

impl<'de> Deserialize<'de> for AttendeeField {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AttendeeVisitor;
        impl<'de> serde::de::Visitor<'de> for AttendeeVisitor {
            type Value = AttendeeField;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an attendee or an attendee id")
            }
            fn visit_str<E: serde::de::Error>(self, id: &str) -> Result<AttendeeField, E> {
                Ok(AttendeeField::Id(id.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<AttendeeField, A::Error> {
                let person = Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(AttendeeField::Person(person))
            }
        }
        deserializer.deserialize_any(AttendeeVisitor)
    }
}

impl TryFrom<EventKindWire> for EventKind {
    type Error = String;

    fn try_from(mut w: EventKindWire) -> Result<Self, String> {
        use crate::wire::{no_leftovers, required};
        let name = match w.kind {
            EventType::LessonStarted => "lesson_started",
            EventType::StepViewed => "step_viewed",
            EventType::QuestionAnswered => "question_answered",
            EventType::LessonCompleted => "lesson_completed",
            EventType::DrillStarted => "drill_started",
            EventType::DrillStepAnswered => "drill_step_answered",
            EventType::DrillCompleted => "drill_completed",
            EventType::DrillFlagFound => "drill_flag_found",
            EventType::SessionDetails => "session_details",
            EventType::AttendeeAdded => "attendee_added",
            EventType::AttendeeRemoved => "attendee_removed",
            EventType::GroupAnswered => "group_answered",
            EventType::SessionClosed => "session_closed",
            EventType::Erased => "erased",
        };
        let wrong_attendee = || format!("`attendee` has the wrong form for type `{name}`");
        let kind = match w.kind {
            EventType::LessonStarted => EventKind::LessonStarted,
            EventType::StepViewed => EventKind::StepViewed { step: required(&mut w.step, "step", name)? },
            EventType::QuestionAnswered => EventKind::QuestionAnswered {
                question: required(&mut w.question, "question", name)?,
                chosen: required(&mut w.chosen, "chosen", name)?,
                correct: required(&mut w.correct, "correct", name)?,
            },
            EventType::LessonCompleted => EventKind::LessonCompleted { score: required(&mut w.score, "score", name)? },
            EventType::DrillStarted => EventKind::DrillStarted { drill: required(&mut w.drill, "drill", name)? },
            EventType::DrillStepAnswered => EventKind::DrillStepAnswered {
                drill: required(&mut w.drill, "drill", name)?,
                step: required(&mut w.step, "step", name)?,
                correct: required(&mut w.correct, "correct", name)?,
            },
            EventType::DrillCompleted => {
                EventKind::DrillCompleted { drill: required(&mut w.drill, "drill", name)?, mistakes: required(&mut w.mistakes, "mistakes", name)? }
            }
            EventType::DrillFlagFound => EventKind::DrillFlagFound {
                drill: required(&mut w.drill, "drill", name)?,
                step: required(&mut w.step, "step", name)?,
                flag: required(&mut w.flag, "flag", name)?,
            },
            EventType::SessionDetails => {
                EventKind::SessionDetails { session: required(&mut w.session, "session", name)?, details: required(&mut w.details, "details", name)? }
            }
            EventType::AttendeeAdded => EventKind::AttendeeAdded {
                session: required(&mut w.session, "session", name)?,
                attendee: match required(&mut w.attendee, "attendee", name)? {
                    AttendeeField::Person(person) => person,
                    AttendeeField::Id(_) => return Err(wrong_attendee()),
                },
            },
            EventType::AttendeeRemoved => EventKind::AttendeeRemoved {
                session: required(&mut w.session, "session", name)?,
                attendee: match required(&mut w.attendee, "attendee", name)? {
                    AttendeeField::Id(id) => id,
                    AttendeeField::Person(_) => return Err(wrong_attendee()),
                },
            },
            EventType::GroupAnswered => EventKind::GroupAnswered {
                session: required(&mut w.session, "session", name)?,
                question: required(&mut w.question, "question", name)?,
                counts: required(&mut w.counts, "counts", name)?,
                correct_options: required(&mut w.correct_options, "correct_options", name)?,
            },
            EventType::SessionClosed => EventKind::SessionClosed { session: required(&mut w.session, "session", name)? },
            EventType::Erased => EventKind::Erased,
        };
        no_leftovers(
            &[
                ("session", w.session.is_some()),
                ("step", w.step.is_some()),
                ("question", w.question.is_some()),
                ("chosen", w.chosen.is_some()),
                ("correct", w.correct.is_some()),
                ("score", w.score.is_some()),
                ("details", w.details.is_some()),
                ("attendee", w.attendee.is_some()),
                ("counts", w.counts.is_some()),
                ("correct_options", w.correct_options.is_some()),
                ("drill", w.drill.is_some()),
                ("mistakes", w.mistakes.is_some()),
                ("flag", w.flag.is_some()),
            ],
            name,
        )?;
        Ok(kind)
    }
}

/// Questions right on the first try, out of all questions of the lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub correct: u32,
    pub out_of: u32,
}

impl ProgressEvent {
    pub fn event_id(device_id: &str, seq: u64) -> String {
        format!("{device_id}:{seq}")
    }

    /// The placeholder that replaces event `seq` of `device_id` when its learner is deleted: it keeps
    /// the device's numbering gap-free and carries nothing about the learner.
    pub fn erased(device_id: &str, seq: u64) -> Self {
        Self {
            id: Self::event_id(device_id, seq),
            device_id: device_id.to_owned(),
            seq,
            learner_id: String::new(),
            lesson_id: String::new(),
            lesson_version: String::new(),
            at: 0,
            kind: EventKind::Erased,
        }
    }

    pub fn is_erased(&self) -> bool {
        self.kind == EventKind::Erased
    }

    /// Total order used by the fold: by time, ties broken by device and sequence.
    pub(crate) fn order_key(&self) -> (i64, &str, u64) {
        (self.at, &self.device_id, self.seq)
    }
}
