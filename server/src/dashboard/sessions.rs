//! The sessions of a period, folded from their events by core's rules
//! (`hocso_core::sessions::fold_sessions`, as on the phone) and placed by the date written in their
//! details; their attendees, villages and group-quiz hands.
use std::collections::{BTreeMap, BTreeSet};

use hocso_core::events::ProgressEvent;
use hocso_core::reports::{AgeBandCounts, GenderCounts, GroupQuizCounts, VillageCounts};
use hocso_core::sessions::{fold_sessions, Attendee, GroupAnswer, Session};

use super::period::Period;
use super::team::percent;
use super::topics::LessonTopics;

/// The team's sessions (folded by core's rules) whose date is in the period, newest first.
pub fn sessions_in(period: &Period, session_events: &[ProgressEvent]) -> Vec<Session> {
    fold_sessions(session_events).into_iter().filter(|s| period.contains_day(&s.details.date)).collect()
}

/// Each attendee id once, as recorded in the latest session (by opening) that lists it.
pub fn distinct_attendees<'a>(sessions: impl DoubleEndedIterator<Item = &'a Session>) -> BTreeMap<&'a str, &'a Attendee> {
    // `fold_sessions` lists the newest first: walk oldest first so the latest record wins.
    sessions.rev().flat_map(|s| s.attendees.values()).map(|a| (a.id.as_str(), a)).collect()
}

/// Hands on a right option and all hands. Like `GroupAnswer::right_of_total`, but in `u64` and
/// with a right option listed twice by a phone counted once, so right never exceeds all.
pub fn hands(answer: &GroupAnswer) -> (u64, u64) {
    let right: BTreeSet<u32> = answer.correct_options.iter().copied().collect();
    let right = right.iter().filter_map(|i| answer.counts.get(*i as usize)).map(|n| u64::from(*n)).sum();
    (right, answer.counts.iter().map(|n| u64::from(*n)).sum())
}

/// A session's right hands over all hands, in percent, over all its group answers.
pub fn session_right_percent(session: &Session) -> Option<f64> {
    let (right, total) =
        session.group_answers.values().map(hands).fold((0u64, 0u64), |(r, t), (right, total)| (r.saturating_add(right), t.saturating_add(total)));
    percent(right, total)
}

/// The session indicators of the team dashboard, from the sessions held in the period.
pub struct SessionIndicators<'a> {
    pub attendees: BTreeMap<&'a str, &'a Attendee>,
    pub villages: Vec<VillageCounts>,
    pub group_quiz: Vec<GroupQuizCounts>,
    pub by_gender: GenderCounts,
    pub by_age_band: AgeBandCounts,
}

pub fn session_indicators<'a>(topics: &LessonTopics, sessions: &'a [Session]) -> SessionIndicators<'a> {
    let attendees = distinct_attendees(sessions.iter());
    let mut villages: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for s in sessions {
        villages.entry(s.details.village.trim()).or_default().0 += 1;
    }
    let (mut by_gender, mut by_age_band) = (GenderCounts::default(), AgeBandCounts::default());
    for a in attendees.values() {
        villages.entry(a.village.trim()).or_default().1 += 1;
        by_gender.add(a.gender);
        by_age_band.add(a.age_band);
    }

    // (questions, right hands, all hands) per lesson; hands are what phones sent: sums saturate.
    let mut quiz: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for ((lesson, _question), answer) in sessions.iter().flat_map(|s| &s.group_answers) {
        let (right, total) = hands(answer);
        let sums = quiz.entry(lesson).or_default();
        *sums = (sums.0 + 1, sums.1.saturating_add(right), sums.2.saturating_add(total));
    }
    let group_quiz = topics
        .in_order(quiz.keys().copied())
        .into_iter()
        .filter_map(|(id, topic)| {
            let (questions, right, total) = *quiz.get(id)?;
            Some(GroupQuizCounts {
                lesson_id: id.to_owned(),
                topic: topic.cloned(),
                questions,
                right_hands: right,
                total_hands: total,
                right_percent: percent(right, total),
            })
        })
        .collect();
    SessionIndicators {
        attendees,
        villages: villages
            .into_iter()
            .map(|(village, (sessions, attendees))| VillageCounts { village: village.to_owned(), sessions, attendees })
            .collect(),
        group_quiz,
        by_gender,
        by_age_band,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_hands_never_exceed_all_hands() {
        assert_eq!(hands(&GroupAnswer { counts: vec![1, 6, 0], correct_options: vec![1] }), (6, 7));
        assert_eq!(hands(&GroupAnswer { counts: vec![1, 6, 0], correct_options: vec![1, 1, 9] }), (6, 7));
        assert_eq!(hands(&GroupAnswer { counts: vec![u32::MAX; 3], correct_options: vec![0, 1, 2] }).0, 3 * u64::from(u32::MAX));
    }
}
