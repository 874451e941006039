//! One team's dashboard: people reached, completions by topic, month and lesson, sessions, devices.
use std::collections::{BTreeMap, BTreeSet};

use hocso_core::events::ProgressEvent;
use hocso_core::reports::{DeviceRow, LessonCounts, MissedDrillStep, MonthCounts, TeamDashboard, TopicCounts};
use hocso_core::sessions::{Attendee, Session};
use hocso_core::sync::TeamInfo;

use super::drills::PublishedDrills;
use super::period::{day_of, month_of_day, Period};
use super::sessions::{distinct_attendees, session_indicators, sessions_in};
use super::topics::LessonTopics;
use crate::store::{Completion, DeviceStatus, DrillCounts};

/// `part / whole` in percent with one decimal; `None` when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// Per lesson: (completions, distinct learners) → per topic, catalogue order, unknown lessons last.
pub fn topic_counts(topics: &LessonTopics, lessons: &BTreeMap<String, (u64, u64)>) -> Vec<TopicCounts> {
    let mut out: Vec<TopicCounts> = topics
        .topics
        .iter()
        .map(|(topic, ids)| {
            let (completions, pairs) = ids
                .iter()
                .filter_map(|id| lessons.get(id))
                .fold((0u64, 0u64), |(c, p), (completions, learners)| (c.saturating_add(*completions), p.saturating_add(*learners)));
            TopicCounts { topic: Some(topic.clone()), lessons_completed: pairs, completions }
        })
        .collect();
    let unknown: Vec<&(u64, u64)> = lessons.iter().filter(|(id, _)| topics.topic_of(id).is_none()).map(|(_, counts)| counts).collect();
    if !unknown.is_empty() {
        out.push(TopicCounts {
            topic: None,
            completions: unknown.iter().map(|c| c.0).fold(0, u64::saturating_add),
            lessons_completed: unknown.iter().map(|c| c.1).fold(0, u64::saturating_add),
        });
    }
    out
}

/// People reached = the learners with a learning event in the period ∪ the attendees of the
/// sessions held in it. An attendee linked to a learner profile (`learner: Some(id)`) *is* that
/// learner and counts once with them; any other attendee counts once per attendee id. Running a
/// session does not make the member "reached": the store leaves session events out of `learners`.
pub fn people_reached<'a>(learners: impl IntoIterator<Item = &'a str>, attendees: impl IntoIterator<Item = &'a Attendee>) -> u64 {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Person<'a> {
        Learner(&'a str),
        Attendee(&'a str),
    }
    let mut people: BTreeSet<Person> = learners.into_iter().map(Person::Learner).collect();
    people.extend(attendees.into_iter().map(|a| a.learner.as_deref().map_or(Person::Attendee(&a.id), Person::Learner)));
    people.len() as u64
}

/// One team's dashboard from what the store counted for the period. `learner_days` holds learning
/// events only (days since 1970-01-01 in Vietnam); `session_events` is every session event of the
/// team (placed here by their dates).
pub fn team_dashboard(
    team: TeamInfo,
    period: &Period,
    topics: &LessonTopics,
    learner_days: &[(String, i64)],
    completions: &[Completion],
    session_events: &[ProgressEvent],
    devices: &[DeviceStatus],
) -> TeamDashboard {
    let reached: BTreeSet<&str> = learner_days.iter().map(|(learner, _)| learner.as_str()).collect();
    #[derive(Default)]
    struct Month<'a> {
        learners: BTreeSet<&'a str>,
        completions: u64,
        sessions: Vec<&'a Session>,
    }
    let mut months: BTreeMap<String, Month> = BTreeMap::new();
    for (learner, day) in learner_days {
        if let Some(month) = month_of_day(*day) {
            months.entry(month).or_default().learners.insert(learner);
        }
    }
    let sessions = sessions_in(period, session_events);
    for s in &sessions {
        // A date that is not real has no month; the session still counts in the totals.
        if let Ok(date) = hocso_core::date::Date::parse(&s.details.date) {
            months.entry(date.month_key()).or_default().sessions.push(s);
        }
    }
    let held = session_indicators(topics, &sessions);

    #[derive(Default)]
    struct Lesson<'a> {
        learners: BTreeSet<&'a str>,
        completions: u64,
        correct: u64,
        questions: u64,
    }
    let mut lessons: BTreeMap<&str, Lesson> = BTreeMap::new();
    for c in completions {
        let lesson = lessons.entry(&c.lesson_id).or_default();
        lesson.learners.insert(&c.learner_id);
        lesson.completions += 1;
        // A phone's score is not trusted to be consistent: never more right than asked.
        lesson.correct = lesson.correct.saturating_add(u64::from(c.score.correct.min(c.score.out_of)));
        lesson.questions = lesson.questions.saturating_add(u64::from(c.score.out_of));
        if let Some(day) = day_of(c.at) {
            months.entry(day.month_key()).or_default().completions += 1;
        }
    }
    let completed: BTreeSet<&str> = completions.iter().map(|c| c.learner_id.as_str()).collect();

    let lesson_rows: Vec<LessonCounts> = topics
        .in_order(lessons.keys().copied())
        .into_iter()
        .map(|(id, topic)| {
            let l = lessons.get(id);
            let (correct, questions) = l.map_or((0, 0), |l| (l.correct, l.questions));
            LessonCounts {
                lesson_id: id.to_owned(),
                topic: topic.cloned(),
                learners_completed: l.map_or(0, |l| l.learners.len() as u64),
                completions: l.map_or(0, |l| l.completions),
                first_try_correct: correct,
                first_try_questions: questions,
                first_try_correct_percent: percent(correct, questions),
                // Filled from the drill events by `add_drill_counts`.
                drills_done: 0,
                most_missed_drill_step: None,
            }
        })
        .collect();
    let per_lesson: BTreeMap<String, (u64, u64)> =
        lessons.iter().map(|(id, l)| ((*id).to_owned(), (l.completions, l.learners.len() as u64))).collect();

    TeamDashboard {
        team,
        period: period.json(),
        people_reached: people_reached(reached.iter().copied(), held.attendees.values().copied()),
        learners_completed: completed.len() as u64,
        completions: completions.len() as u64,
        sessions_held: sessions.len() as u64,
        attendees: held.attendees.len() as u64,
        topics: topic_counts(topics, &per_lesson),
        months: months
            .into_iter()
            .map(|(month, m)| MonthCounts {
                month,
                active_learners: m.learners.len() as u64,
                completions: m.completions,
                sessions: m.sessions.len() as u64,
                attendees: distinct_attendees(m.sessions.iter().copied()).len() as u64,
            })
            .collect(),
        lessons: lesson_rows,
        villages: held.villages,
        group_quiz: held.group_quiz,
        attendees_by_gender: held.by_gender,
        attendees_by_age_band: held.by_age_band,
        devices: devices.iter().map(|d| DeviceRow { id: d.id.clone(), name: d.name.clone(), role: d.role, last_sync_at: d.last_push_at }).collect(),
    }
}

/// Each lesson row gains its completed drills and the drill screen the most learners got wrong.
///
/// Drills done count every version of the lesson (a drill done on last month's version was done),
/// but not a drill the current version does not have. The most missed screen is chosen among the
/// screens of the versions the server publishes now ([`PublishedDrills::has_screen`]), each
/// counted by the distinct learners who got it wrong, per lesson version, drill and screen; ties
/// as [`MissedDrillStep::most_missed`] says. Every catalogue lesson has a row already; a lesson
/// unknown to the catalogue with drills done but no completion gets one at the end, with the other
/// unknown lessons.
pub fn add_drill_counts(dashboard: &mut TeamDashboard, counts: &DrillCounts, published: &PublishedDrills) {
    /// Per lesson version, drill and screen: who got it wrong, and how many wrong answers.
    type Screens<'a> = BTreeMap<(&'a str, u32, u32), (BTreeSet<&'a str>, u64)>;
    #[derive(Default)]
    struct Drills<'a> {
        done: u64,
        wrong: Screens<'a>,
    }
    let mut per_lesson: BTreeMap<&str, Drills> = BTreeMap::new();
    for c in counts.completed.iter().filter(|c| published.may_have_drill(&c.lesson_id, &c.lesson_version, c.drill)) {
        let done = &mut per_lesson.entry(&c.lesson_id).or_default().done;
        *done = done.saturating_add(c.times);
    }
    for w in counts.wrong.iter().filter(|w| published.has_screen(&w.lesson_id, &w.lesson_version, w.drill, w.step)) {
        let (learners, wrong) = per_lesson.entry(&w.lesson_id).or_default().wrong.entry((&w.lesson_version, w.drill, w.step)).or_default();
        learners.insert(&w.learner_id);
        *wrong = wrong.saturating_add(w.times);
    }
    for (id, drills) in &per_lesson {
        if (drills.done > 0 || !drills.wrong.is_empty()) && !dashboard.lessons.iter().any(|row| row.lesson_id == *id) {
            dashboard.lessons.push(LessonCounts {
                lesson_id: (*id).to_owned(),
                topic: None,
                learners_completed: 0,
                completions: 0,
                first_try_correct: 0,
                first_try_questions: 0,
                first_try_correct_percent: None,
                drills_done: 0,
                most_missed_drill_step: None,
            });
        }
    }
    for row in &mut dashboard.lessons {
        if let Some(drills) = per_lesson.get(row.lesson_id.as_str()) {
            row.drills_done = drills.done;
            row.most_missed_drill_step =
                MissedDrillStep::most_missed(drills.wrong.iter().map(|(&(_, drill, step), (learners, wrong))| MissedDrillStep {
                    drill,
                    step,
                    learners: learners.len() as u64,
                    wrong: *wrong,
                }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hocso_core::progress::Score;

    #[test]
    fn lesson_rows_follow_the_catalogue_and_unknown_lessons_come_last() {
        let topics = LessonTopics::from_topics(vec![("a".into(), vec!["a1".into(), "a2".into()])]);
        let done = |learner: &str, lesson: &str, correct, out_of| Completion {
            learner_id: learner.into(),
            lesson_id: lesson.into(),
            at: 0,
            score: Score { correct, out_of },
        };
        let completions = [done("x", "a2", 1, 2), done("x", "a2", 9, 2), done("y", "old", 0, 0)];
        let team = TeamInfo { id: "t".into(), name: "T".into(), commune: "C".into() };
        let d = team_dashboard(team, &Period::default(), &topics, &[("x".into(), 0)], &completions, &[], &[]);
        let rows: Vec<_> = d.lessons.iter().map(|l| (l.lesson_id.as_str(), l.completions, l.first_try_correct_percent)).collect();
        assert_eq!(rows, [("a1", 0, None), ("a2", 2, Some(75.0)), ("old", 1, None)]);
        assert_eq!(d.topics[1], TopicCounts { topic: None, lessons_completed: 1, completions: 1 });
        assert_eq!(d.months, [MonthCounts { month: "1970-01".into(), active_learners: 1, completions: 3, sessions: 0, attendees: 0 }]);
    }

    #[test]
    fn times_and_days_without_a_date_are_left_out_of_the_months_without_a_panic() {
        let topics = LessonTopics::default();
        let done = Completion { learner_id: "x".into(), lesson_id: "a".into(), at: i64::MAX, score: Score { correct: u32::MAX, out_of: u32::MAX } };
        let team = TeamInfo { id: "t".into(), name: "T".into(), commune: "C".into() };
        let d = team_dashboard(team, &Period::default(), &topics, &[("x".into(), i64::MAX), ("y".into(), i64::MIN)], &[done], &[], &[]);
        assert_eq!((d.people_reached, d.completions, d.months.len()), (2, 1, 0));
        assert_eq!(d.lessons[0].first_try_correct_percent, Some(100.0));
    }

    #[test]
    fn drill_counts_land_on_their_lessons_and_the_most_missed_screen_has_the_most_learners() {
        use crate::store::{DrillsCompleted, WrongDrillAnswers};
        let topics = LessonTopics::from_topics(vec![("a".into(), vec!["a1".into(), "a2".into()])]);
        let team = TeamInfo { id: "t".into(), name: "T".into(), commune: "C".into() };
        let mut d = team_dashboard(team, &Period::default(), &topics, &[], &[], &[], &[]);
        let done =
            |lesson: &str, version: &str, drill, times| DrillsCompleted { lesson_id: lesson.into(), lesson_version: version.into(), drill, times };
        let wrong = |lesson: &str, version: &str, learner: &str, (drill, step), times| WrongDrillAnswers {
            lesson_id: lesson.into(),
            lesson_version: version.into(),
            learner_id: learner.into(),
            drill,
            step,
            times,
        };
        let counts = DrillCounts {
            completed: vec![done("a2", "v2", 0, 2), done("a2", "v1", 3, 1), done("a2", "v2", 5, 9), done("gone", "g", 0, 1)],
            wrong: vec![
                // One learner wrong ten times on screen 1 loses to three learners wrong once on 2.
                wrong("a2", "v2", "x", (0, 1), 10),
                wrong("a2", "v2", "x", (0, 2), 1),
                wrong("a2", "v2", "y", (0, 2), 1),
                wrong("a2", "v2", "z", (0, 2), 1),
                // Another version's screen 3 (four learners) is another screen: left out.
                wrong("a2", "v1", "p", (0, 3), 1),
                wrong("a2", "v1", "q", (0, 3), 1),
                wrong("a2", "v1", "r", (0, 3), 1),
                wrong("a2", "v1", "s", (0, 3), 1),
                // Indices the current version does not have: left out.
                wrong("a2", "v2", "h", (0, 9), 5),
                wrong("a2", "v2", "h", (19, 0), 5),
                wrong("a2", "v2", "i", (19, 0), 5),
                wrong("gone", "g", "x", (1, 0), 1),
            ],
        };
        let published = PublishedDrills::from_versions([("a2", "v2", vec![4]), ("a1", "w", vec![2])]);
        add_drill_counts(&mut d, &counts, &published);
        let rows: Vec<_> = d.lessons.iter().map(|l| (l.lesson_id.as_str(), l.drills_done, l.most_missed_drill_step)).collect();
        assert_eq!(
            rows,
            [("a1", 0, None), ("a2", 3, Some(MissedDrillStep { drill: 0, step: 2, learners: 3, wrong: 3 })), ("gone", 1, None),],
            "a2: two of the current version and one of an older; drill 5 is not in the lesson"
        );
    }

    fn attendee(id: &str, learner: Option<&str>) -> Attendee {
        Attendee { id: id.into(), nickname: id.into(), village: "Bản Phố".into(), gender: None, age_band: None, learner: learner.map(Into::into) }
    }

    #[test]
    fn an_attendee_linked_to_a_learner_is_that_learner_counted_once() {
        let (linked, other, stranger) = (attendee("a1", Some("mai")), attendee("a2", None), attendee("a3", Some("lan")));
        assert_eq!(people_reached(["mai", "hoa"], [&linked, &other, &stranger]), 4, "mai, hoa, a2, lan");
        // An attendee id that happens to equal a learner id is still another person.
        assert_eq!(people_reached(["a2"], [&other]), 2);
    }
}
