//! The team dashboard and the province view, as pure functions over counts from the store: dates in
//! Vietnam time, the lesson → topic map from the published catalogue, the indicators, and the CSV.
//!
//! Learning sessions are folded from their events by `hocso_core::sessions::fold_sessions` (the same
//! rules as on the phone) and placed in a period by the date written in their details.
//!
//! Not for: reading the database (`store`) or HTTP (`api::dashboard`). Indicators are counts only:
//! no event lists and no personal data leave the server through here (the sessions CSV lists each
//! session's date, place and village, never an attendee).
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

use hocso_core::content::Catalogue;
use hocso_core::progress::ProgressEvent;
use hocso_core::sessions::{fold_sessions, AgeBand, Attendee, Gender, GroupAnswer, Session};
use hocso_core::sync::{Role, TeamInfo};
use serde::{Deserialize, Serialize};

use crate::store::{Completion, DeviceStatus, TeamCounts, TimeRange};

const DAY_MS: i64 = 86_400_000;
/// Vietnam has one time zone, UTC+7, and no daylight saving time: a day and a month are counted
/// in the commune's own calendar, not in UTC.
pub const VIETNAM_OFFSET_MS: i64 = 7 * 3_600_000;
pub const TIMEZONE: &str = "UTC+07:00";

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Exactly `YYYY-MM-DD` and a real date (`2025-02-30` is refused).
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &text[range];
            part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok())?
        };
        let date = Date { year: digits(0..4)? as i32, month: digits(5..7)?, day: digits(8..10)? };
        (date.year >= 1970 && (1..=12).contains(&date.month) && (1..=date.days_in_month()).contains(&date.day))
            .then_some(date)
    }

    fn days_in_month(self) -> u32 {
        match self.month {
            2 if self.year % 4 == 0 && (self.year % 100 != 0 || self.year % 400 == 0) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (`civil_from_days`).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The date in Vietnam at `at_ms` (ms since the epoch); `None` past the end of time.
    pub fn in_vietnam(at_ms: i64) -> Option<Date> {
        Some(Date::from_days(at_ms.checked_add(VIETNAM_OFFSET_MS)?.div_euclid(DAY_MS)))
    }

    /// `YYYY-MM`.
    pub fn month_label(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The dates a report covers, both inclusive, either open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// Why `from`/`to` were refused, in a sentence for whoever typed the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("{name} must be a date written YYYY-MM-DD (for example 2025-03-01), not {value:?}")]
    NotADate { name: &'static str, value: String },
    #[error("from ({from}) is after to ({to}): swap them")]
    Reversed { from: Date, to: Date },
}

impl Period {
    /// Empty values count as absent (a form with an empty date field).
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Period, PeriodError> {
        let date = |name: &'static str, value: Option<&str>| match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => Date::parse(v).map(Some).ok_or_else(|| PeriodError::NotADate { name, value: v.to_owned() }),
        };
        let period = Period { from: date("from", from)?, to: date("to", to)? };
        if let (Some(from), Some(to)) = (period.from, period.to) {
            if from > to {
                return Err(PeriodError::Reversed { from, to });
            }
        }
        Ok(period)
    }

    /// Whether a day written `YYYY-MM-DD` (a session's date) is in the period. A date that is not a
    /// real one (the phone checks only its shape) is in no period with an end, only in the open one.
    pub fn contains_day(&self, day: &str) -> bool {
        match Date::parse(day) {
            Some(day) => self.from.is_none_or(|from| from <= day) && self.to.is_none_or(|to| day <= to),
            None => self.from.is_none() && self.to.is_none(),
        }
    }

    /// From the first millisecond of `from` to the last of `to`, in Vietnam time, within the
    /// times reports can place on the calendar ([`TimeRange::ALL`]).
    pub fn range(&self) -> TimeRange {
        let start = |days: i64| days.checked_mul(DAY_MS).and_then(|ms| ms.checked_sub(VIETNAM_OFFSET_MS));
        TimeRange {
            from_ms: self.from.and_then(|d| start(d.days())).unwrap_or(TimeRange::ALL.from_ms),
            until_ms: self.to.and_then(|d| start(d.days().checked_add(1)?)).unwrap_or(TimeRange::ALL.until_ms),
        }
        .within_calendar()
    }

    pub fn json(&self) -> PeriodJson {
        PeriodJson {
            from: self.from.map(|d| d.to_string()),
            to: self.to.map(|d| d.to_string()),
            timezone: TIMEZONE.to_owned(),
        }
    }
}

/// Which topic each lesson belongs to, in the catalogue's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LessonTopics {
    /// (topic id, its lesson ids), in catalogue order.
    pub topics: Vec<(String, Vec<String>)>,
    topic_of: HashMap<String, String>,
}

impl LessonTopics {
    pub fn new(catalogue: &Catalogue) -> Self {
        let topics: Vec<(String, Vec<String>)> = catalogue
            .topics
            .iter()
            .map(|t| (t.id.clone(), t.lessons.iter().map(|l| l.id.clone()).collect()))
            .collect();
        let topic_of =
            topics.iter().flat_map(|(topic, lessons)| lessons.iter().map(move |l| (l.clone(), topic.clone()))).collect();
        Self { topics, topic_of }
    }

    /// The published `catalogue.json`; with none (or an unreadable one) every lesson's topic is
    /// unknown and the counts are still right.
    pub async fn load(path: &Path) -> Self {
        match tokio::fs::read(path).await {
            Ok(bytes) => match serde_json::from_slice::<Catalogue>(&bytes) {
                Ok(catalogue) => Self::new(&catalogue),
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "the content catalogue cannot be read: topics unknown in reports");
                    Self::default()
                }
            },
            Err(_) => Self::default(),
        }
    }

    pub fn topic_of(&self, lesson_id: &str) -> Option<&str> {
        self.topic_of.get(lesson_id).map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodJson {
    /// Inclusive dates, `null` when open.
    pub from: Option<String>,
    pub to: Option<String>,
    pub timezone: String,
}

/// `GET /api/v1/team/dashboard`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamDashboard {
    pub team: TeamInfo,
    pub period: PeriodJson,
    /// Distinct people who learned in the period: see [`people_reached`].
    pub people_reached: u64,
    /// Distinct learners who completed at least one lesson in the period.
    pub learners_completed: u64,
    /// All lesson completions in the period.
    pub completions: u64,
    /// Sessions with details whose date (`details.date`) is in the period, closed or not.
    pub sessions_held: u64,
    /// Distinct attendee ids over those sessions.
    pub attendees: u64,
    pub topics: Vec<TopicIndicators>,
    /// Months with any activity (a learning event or a session), oldest first.
    pub months: Vec<MonthIndicators>,
    /// Every lesson of the catalogue (then lessons not in it that were completed).
    pub lessons: Vec<LessonIndicators>,
    /// By village name as written (trimmed), in name order: see [`VillageIndicators`].
    pub villages: Vec<VillageIndicators>,
    /// Lessons with group answers in the period's sessions: catalogue order, then other lessons.
    pub group_quiz: Vec<GroupQuizIndicators>,
    /// Over the distinct attendees (as recorded in their latest session).
    pub attendees_by_gender: GenderCounts,
    pub attendees_by_age_band: AgeBandCounts,
    /// The team's devices that are not removed (not filtered by the period).
    pub devices: Vec<DeviceIndicators>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicIndicators {
    /// `null` for lessons that are not in the published catalogue.
    pub topic: Option<String>,
    /// Distinct (learner, lesson) pairs completed: a learner who finishes a lesson twice counts once.
    pub lessons_completed: u64,
    /// Every completion.
    pub completions: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthIndicators {
    /// `YYYY-MM`, Vietnam time.
    pub month: String,
    pub active_learners: u64,
    pub completions: u64,
    /// Sessions dated in the month, and their distinct attendees.
    pub sessions: u64,
    pub attendees: u64,
}

/// Sessions are counted in the session's own village (`details.village`); attendees in the village
/// written for each of them, which may be another one (someone walks over from the next hamlet).
/// An attendee without a village is counted under `""`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageIndicators {
    pub village: String,
    pub sessions: u64,
    pub attendees: u64,
}

/// How a room answered a lesson's questions by raising hands, over the period's sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupQuizIndicators {
    pub lesson_id: String,
    pub topic: Option<String>,
    /// Questions counted, one per session and question (the last recount of each).
    pub questions: u64,
    /// Hands raised for a right option.
    pub right_hands: u64,
    /// All hands raised.
    pub total_hands: u64,
    /// `right_hands / total_hands` in percent, one decimal; `null` without hands.
    pub right_percent: Option<f64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenderCounts {
    pub female: u64,
    pub male: u64,
    pub other: u64,
    /// Not asked or not said.
    pub unknown: u64,
}

impl GenderCounts {
    fn add(&mut self, gender: Option<Gender>) {
        *match gender {
            Some(Gender::Female) => &mut self.female,
            Some(Gender::Male) => &mut self.male,
            Some(Gender::Other) => &mut self.other,
            None => &mut self.unknown,
        } += 1;
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeBandCounts {
    pub under_18: u64,
    pub from_18_to_35: u64,
    pub from_36_to_59: u64,
    pub from_60: u64,
    pub unknown: u64,
}

impl AgeBandCounts {
    fn add(&mut self, band: Option<AgeBand>) {
        *match band {
            Some(AgeBand::Under18) => &mut self.under_18,
            Some(AgeBand::From18To35) => &mut self.from_18_to_35,
            Some(AgeBand::From36To59) => &mut self.from_36_to_59,
            Some(AgeBand::From60) => &mut self.from_60,
            None => &mut self.unknown,
        } += 1;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonIndicators {
    pub lesson_id: String,
    pub topic: Option<String>,
    /// Distinct learners who completed it.
    pub learners_completed: u64,
    pub completions: u64,
    /// Sums over completions of the score (questions right on the first try, out of all questions).
    pub first_try_correct: u64,
    pub first_try_questions: u64,
    /// `first_try_correct / first_try_questions` in percent, one decimal; `null` without questions.
    pub first_try_correct_percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceIndicators {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// Time of the device's last accepted push (ms since the epoch), `null` if it never pushed.
    pub last_sync_at: Option<i64>,
}

/// `GET /api/v1/admin/teams`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvinceView {
    pub period: PeriodJson,
    pub teams: Vec<TeamOverview>,
    /// Sums over all teams (a learner belongs to one team, so people are not counted twice).
    pub totals: Indicators,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamOverview {
    pub team: TeamInfo,
    #[serde(flatten)]
    pub indicators: Indicators,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Indicators {
    /// As on the team's dashboard ([`people_reached`]).
    pub people_reached: u64,
    pub learners_completed: u64,
    pub completions: u64,
    /// As on the team's dashboard: sessions dated in the period, their distinct attendee ids.
    pub sessions_held: u64,
    pub attendees: u64,
    pub topics: Vec<TopicIndicators>,
    /// Devices not removed.
    pub devices: u64,
    /// The latest push of any of the devices.
    pub last_sync_at: Option<i64>,
}

/// Per lesson: (completions, distinct learners) → per topic, catalogue order, unknown lessons last.
fn topic_indicators(topics: &LessonTopics, lessons: &BTreeMap<String, (u64, u64)>) -> Vec<TopicIndicators> {
    let mut out: Vec<TopicIndicators> = topics
        .topics
        .iter()
        .map(|(topic, ids)| {
            let (completions, pairs) = ids
                .iter()
                .filter_map(|id| lessons.get(id))
                .fold((0, 0), |(c, p), (completions, learners)| (c + completions, p + learners));
            TopicIndicators { topic: Some(topic.clone()), lessons_completed: pairs, completions }
        })
        .collect();
    let unknown: Vec<&(u64, u64)> =
        lessons.iter().filter(|(id, _)| topics.topic_of(id).is_none()).map(|(_, counts)| counts).collect();
    if !unknown.is_empty() {
        out.push(TopicIndicators {
            topic: None,
            completions: unknown.iter().map(|c| c.0).sum(),
            lessons_completed: unknown.iter().map(|c| c.1).sum(),
        });
    }
    out
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// The team's sessions (folded by core's rules) whose date is in the period, newest first.
pub fn sessions_in(period: &Period, session_events: &[ProgressEvent]) -> Vec<Session> {
    fold_sessions(session_events).into_iter().filter(|s| period.contains_day(&s.details.date)).collect()
}

/// Each attendee id once, as recorded in the latest session (by opening) that lists it.
fn distinct_attendees<'a>(sessions: impl DoubleEndedIterator<Item = &'a Session>) -> BTreeMap<&'a str, &'a Attendee> {
    // `fold_sessions` lists the newest first: walk oldest first so the latest record wins.
    sessions.rev().flat_map(|s| s.attendees.values()).map(|a| (a.id.as_str(), a)).collect()
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

/// Hands on a right option and all hands. Like `GroupAnswer::right_of_total`, but in `u64` and
/// with a right option listed twice by a phone counted once, so right never exceeds all.
fn hands(answer: &GroupAnswer) -> (u64, u64) {
    let right: BTreeSet<u32> = answer.correct_options.iter().copied().collect();
    let right = right.iter().filter_map(|i| answer.counts.get(*i as usize)).map(|n| u64::from(*n)).sum();
    (right, answer.counts.iter().map(|n| u64::from(*n)).sum())
}

/// A session's right hands over all hands, in percent, over all its group answers.
fn session_right_percent(session: &Session) -> Option<f64> {
    let (right, total) = session.group_answers.values().map(hands).fold((0, 0), |(r, t), (right, total)| (r + right, t + total));
    percent(right, total)
}

/// The session indicators of the team dashboard, from the sessions held in the period.
struct SessionIndicators<'a> {
    attendees: BTreeMap<&'a str, &'a Attendee>,
    villages: Vec<VillageIndicators>,
    group_quiz: Vec<GroupQuizIndicators>,
    by_gender: GenderCounts,
    by_age_band: AgeBandCounts,
}

fn session_indicators<'a>(topics: &LessonTopics, sessions: &'a [Session]) -> SessionIndicators<'a> {
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

    // (questions, right hands, all hands) per lesson.
    let mut quiz: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for ((lesson, _question), answer) in sessions.iter().flat_map(|s| &s.group_answers) {
        let (right, total) = hands(answer);
        let sums = quiz.entry(lesson).or_default();
        *sums = (sums.0 + 1, sums.1 + right, sums.2 + total);
    }
    let catalogue_order = topics.topics.iter().flat_map(|(topic, ids)| ids.iter().map(move |id| (id.as_str(), Some(topic))));
    let others = quiz.keys().copied().filter(|id| topics.topic_of(id).is_none()).map(|id| (id, None));
    let group_quiz = catalogue_order
        .chain(others.collect::<Vec<_>>())
        .filter_map(|(id, topic)| {
            let (questions, right, total) = *quiz.get(id)?;
            Some(GroupQuizIndicators {
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
            .map(|(village, (sessions, attendees))| VillageIndicators { village: village.to_owned(), sessions, attendees })
            .collect(),
        group_quiz,
        by_gender,
        by_age_band,
    }
}

/// One team's dashboard from what the store counted for the period. `learner_days` holds learning
/// events only; `session_events` is every session event of the team (placed here by their dates).
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
        months.entry(Date::from_days(*day).month_label()).or_default().learners.insert(learner);
    }
    let sessions = sessions_in(period, session_events);
    for s in &sessions {
        // A date that is not real has no month; the session still counts in the totals.
        if let Some(date) = Date::parse(&s.details.date) {
            months.entry(date.month_label()).or_default().sessions.push(s);
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
        lesson.correct += u64::from(c.score.correct.min(c.score.out_of));
        lesson.questions += u64::from(c.score.out_of);
        match Date::in_vietnam(c.at) {
            Some(date) => months.entry(date.month_label()).or_default().completions += 1,
            None => tracing::warn!(at = c.at, "a completion's time has no date: left out of the months"),
        }
    }
    let completed: BTreeSet<&str> = completions.iter().map(|c| c.learner_id.as_str()).collect();

    let catalogue_order = topics.topics.iter().flat_map(|(topic, ids)| ids.iter().map(move |id| (id.as_str(), Some(topic))));
    let others = lessons.keys().copied().filter(|id| topics.topic_of(id).is_none()).map(|id| (id, None));
    let lesson_rows: Vec<LessonIndicators> = catalogue_order
        .chain(others.collect::<Vec<_>>())
        .map(|(id, topic)| {
            let l = lessons.get(id);
            let (correct, questions) = l.map_or((0, 0), |l| (l.correct, l.questions));
            LessonIndicators {
                lesson_id: id.to_owned(),
                topic: topic.cloned(),
                learners_completed: l.map_or(0, |l| l.learners.len() as u64),
                completions: l.map_or(0, |l| l.completions),
                first_try_correct: correct,
                first_try_questions: questions,
                first_try_correct_percent: percent(correct, questions),
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
        topics: topic_indicators(topics, &per_lesson),
        months: months
            .into_iter()
            .map(|(month, m)| MonthIndicators {
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
        devices: devices
            .iter()
            .map(|d| DeviceIndicators { id: d.id.clone(), name: d.name.clone(), role: d.role, last_sync_at: d.last_push_at })
            .collect(),
    }
}

/// Every team's indicators and their sums.
pub fn province_view(period: &Period, topics: &LessonTopics, counts: Vec<TeamCounts>) -> ProvinceView {
    let mut totals = Indicators::default();
    let mut all_lessons: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let teams = counts
        .into_iter()
        .map(|c| {
            let lessons: BTreeMap<String, (u64, u64)> =
                c.lessons.iter().map(|l| (l.lesson_id.clone(), (l.completions as u64, l.learners as u64))).collect();
            for (id, (completions, learners)) in &lessons {
                let sum = all_lessons.entry(id.clone()).or_default();
                sum.0 += completions;
                sum.1 += learners;
            }
            let sessions = sessions_in(period, &c.session_events);
            let attendees = distinct_attendees(sessions.iter());
            let indicators = Indicators {
                people_reached: people_reached(c.learners.iter().map(String::as_str), attendees.values().copied()),
                learners_completed: c.learners_completed as u64,
                completions: lessons.values().map(|l| l.0).sum(),
                sessions_held: sessions.len() as u64,
                attendees: attendees.len() as u64,
                topics: topic_indicators(topics, &lessons),
                devices: c.devices as u64,
                last_sync_at: c.last_push_at,
            };
            totals.people_reached += indicators.people_reached;
            totals.learners_completed += indicators.learners_completed;
            totals.completions += indicators.completions;
            totals.sessions_held += indicators.sessions_held;
            totals.attendees += indicators.attendees;
            totals.devices += indicators.devices;
            totals.last_sync_at = totals.last_sync_at.max(indicators.last_sync_at);
            TeamOverview { team: c.team, indicators }
        })
        .collect();
    totals.topics = topic_indicators(topics, &all_lessons);
    ProvinceView { period: period.json(), teams, totals }
}

/// The CSV header of the export.
pub const CSV_HEADER: [&str; 7] =
    ["team", "commune", "topic", "lesson_id", "learners_completed", "completions", "first_try_correct_percent"];

/// UTF-8 with a byte order mark so that Excel reads Vietnamese correctly when the file is
/// double-clicked, and CRLF as RFC 4180 and Excel expect.
fn csv_file<const N: usize>(header: [&str; N], rows: impl IntoIterator<Item = [String; N]>) -> Vec<u8> {
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(b"\xEF\xBB\xBF".to_vec());
    let write = || -> csv::Result<()> {
        writer.write_record(header)?;
        for row in rows {
            writer.write_record(row.map(spreadsheet_safe))?;
        }
        writer.flush()?;
        Ok(())
    };
    write().expect("writing CSV to memory cannot fail");
    writer.into_inner().expect("flushed above")
}

/// A cell typed by a person (a place, a village, a team name) that starts like a formula would be run
/// by Excel or LibreOffice when the report is opened: a leading `'` makes it plain text.
fn spreadsheet_safe(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn percent_cell(percent: Option<f64>) -> String {
    percent.map_or_else(String::new, |p| format!("{p:.1}"))
}

/// The monthly-report export: one row per lesson.
pub fn lessons_csv(dashboard: &TeamDashboard) -> Vec<u8> {
    csv_file(
        CSV_HEADER,
        dashboard.lessons.iter().map(|l| {
            [
                dashboard.team.name.clone(),
                dashboard.team.commune.clone(),
                l.topic.clone().unwrap_or_default(),
                l.lesson_id.clone(),
                l.learners_completed.to_string(),
                l.completions.to_string(),
                percent_cell(l.first_try_correct_percent),
            ]
        }),
    )
}

/// The CSV header of the sessions export.
pub const SESSIONS_CSV_HEADER: [&str; 15] = [
    "date",
    "place",
    "village",
    "lessons",
    "attendees",
    "female",
    "male",
    "other",
    "unknown_gender",
    "under_18",
    "from_18_to_35",
    "from_36_to_59",
    "from_60",
    "closed",
    "group_quiz_right_percent",
];

/// The sessions export: one row per session held in the period (see [`sessions_in`]), oldest date
/// first. Counts only: no attendee's nickname.
pub fn sessions_csv(sessions: &[Session]) -> Vec<u8> {
    let mut ordered: Vec<&Session> = sessions.iter().collect();
    ordered.sort_by(|a, b| (&a.details.date, a.opened_at, &a.id).cmp(&(&b.details.date, b.opened_at, &b.id)));
    csv_file(
        SESSIONS_CSV_HEADER,
        ordered.into_iter().map(|s| {
            let (mut gender, mut age) = (GenderCounts::default(), AgeBandCounts::default());
            for a in s.attendees.values() {
                gender.add(a.gender);
                age.add(a.age_band);
            }
            [
                s.details.date.clone(),
                s.details.place.clone(),
                s.details.village.clone(),
                s.details.lessons.join("; "),
                s.attendees.len().to_string(),
                gender.female.to_string(),
                gender.male.to_string(),
                gender.other.to_string(),
                gender.unknown.to_string(),
                age.under_18.to_string(),
                age.from_18_to_35.to_string(),
                age.from_36_to_59.to_string(),
                age.from_60.to_string(),
                (if s.closed { "yes" } else { "no" }).to_owned(),
                percent_cell(session_right_percent(s)),
            ]
        }),
    )
}

/// `hocso-<team>-<from>-<to>.csv`, ASCII only (Vietnamese letters without their marks) so that
/// every browser and Excel keep the name.
pub fn csv_file_name(team: &TeamInfo, period: &Period, today: Date) -> String {
    file_name(team, "", period, today)
}

/// `hocso-<team>-sessions-<from>-<to>.csv`: not the lessons export's name, so that downloading
/// both for the same month keeps both files.
pub fn sessions_csv_file_name(team: &TeamInfo, period: &Period, today: Date) -> String {
    file_name(team, "-sessions", period, today)
}

fn file_name(team: &TeamInfo, what: &str, period: &Period, today: Date) -> String {
    let from = period.from.map_or_else(|| "start".to_owned(), |d| d.to_string());
    let to = period.to.unwrap_or(today).to_string();
    let slug = ascii_slug(&team.name);
    let team = if slug.is_empty() { ascii_slug(&team.id) } else { slug };
    format!("hocso-{team}{what}-{from}-{to}.csv")
}

/// `Tổ công nghệ số Tả Van` → `to-cong-nghe-so-ta-van`.
pub fn ascii_slug(text: &str) -> String {
    const FOLDS: &[(char, &str)] = &[
        ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
        ('e', "èéẻẽẹêềếểễệ"),
        ('i', "ìíỉĩị"),
        ('o', "òóỏõọôồốổỗộơờớởỡợ"),
        ('u', "ùúủũụưừứửữự"),
        ('y', "ỳýỷỹỵ"),
        ('d', "đ"),
    ];
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = FOLDS.iter().find(|(_, marked)| marked.contains(c)).map_or(c, |(plain, _)| *plain);
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').chars().take(60).collect::<String>().trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_that_look_like_formulas_are_written_as_text() {
        let csv = String::from_utf8(csv_file(["place", "n"], [["=HYPERLINK(\"http://x\")".to_owned(), "3".to_owned()]])).unwrap();
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\",3"), "{csv}");
        assert_eq!(spreadsheet_safe("Nhà văn hoá".into()), "Nhà văn hoá");
        assert_eq!(spreadsheet_safe("@SUM(A1)".into()), "'@SUM(A1)");
    }

    use super::*;
    use hocso_core::progress::Score;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn dates_are_exactly_yyyy_mm_dd_and_real() {
        assert_eq!(date("2025-03-01"), Date { year: 2025, month: 3, day: 1 });
        for bad in ["2025-3-1", "01/03/2025", "2025-02-30", "2025-13-01", "2025-00-10", "20250301", "2025-03-01T00", "２025-03-01", ""] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(date("2024-02-29").day, 29);
        assert_eq!(Date::parse("2023-02-29"), None);
    }

    #[test]
    fn days_and_dates_convert_both_ways() {
        assert_eq!(date("1970-01-01").days(), 0);
        assert_eq!(date("2000-03-01").days(), 11_017);
        for days in [0, 59, 60, 365, 11_016, 19_782, 20_000, 47_000] {
            assert_eq!(Date::from_days(days).days(), days);
        }
    }

    #[test]
    fn a_day_is_counted_in_vietnam_time() {
        // 2025-01-31 17:00 UTC is already 1 February in Vietnam.
        let at = date("2025-01-31").days() * DAY_MS + 17 * 3_600_000;
        assert_eq!(Date::in_vietnam(at), Some(date("2025-02-01")));
        assert_eq!(Date::in_vietnam(at - 1), Some(date("2025-01-31")));
        assert_eq!(Date::in_vietnam(i64::MAX), None);
        let period = Period::parse(Some("2025-02-01"), Some("2025-02-01")).unwrap();
        assert_eq!(period.range(), TimeRange { from_ms: at, until_ms: at + DAY_MS });
    }

    #[test]
    fn bad_periods_are_explained() {
        assert_eq!(Period::parse(Some(""), None).unwrap(), Period::default());
        let error = Period::parse(Some("1/3/2025"), None).unwrap_err();
        assert!(error.to_string().starts_with("from must be a date written YYYY-MM-DD"), "{error}");
        let error = Period::parse(Some("2025-04-01"), Some("2025-03-01")).unwrap_err();
        assert_eq!(error.to_string(), "from (2025-04-01) is after to (2025-03-01): swap them");
    }

    #[test]
    fn team_names_become_ascii_file_names() {
        assert_eq!(ascii_slug("Tổ công nghệ số Tả Van"), "to-cong-nghe-so-ta-van");
        assert_eq!(ascii_slug("  Đội 1 / Bản Hồ! "), "doi-1-ban-ho");
        let team = TeamInfo { id: "t-1".into(), name: "Tổ Tả Van".into(), commune: "Tả Van".into() };
        let period = Period::parse(Some("2025-01-01"), None).unwrap();
        assert_eq!(csv_file_name(&team, &period, date("2025-03-31")), "hocso-to-ta-van-2025-01-01-2025-03-31.csv");
        let nameless = TeamInfo { name: "???".into(), ..team };
        assert_eq!(csv_file_name(&nameless, &Period::default(), date("2025-03-31")), "hocso-t-1-start-2025-03-31.csv");
    }

    #[test]
    fn lesson_rows_follow_the_catalogue_and_unknown_lessons_come_last() {
        let topics = LessonTopics {
            topics: vec![("a".into(), vec!["a1".into(), "a2".into()])],
            topic_of: [("a1".into(), "a".into()), ("a2".into(), "a".into())].into(),
        };
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
        assert_eq!(d.topics[1], TopicIndicators { topic: None, lessons_completed: 1, completions: 1 });
        assert_eq!(
            d.months,
            [MonthIndicators { month: "1970-01".into(), active_learners: 1, completions: 3, sessions: 0, attendees: 0 }]
        );
    }

    fn attendee(id: &str, learner: Option<&str>) -> Attendee {
        Attendee {
            id: id.into(),
            nickname: id.into(),
            village: "Bản Phố".into(),
            gender: None,
            age_band: None,
            learner: learner.map(Into::into),
        }
    }

    #[test]
    fn an_attendee_linked_to_a_learner_is_that_learner_counted_once() {
        let (linked, other, stranger) = (attendee("a1", Some("mai")), attendee("a2", None), attendee("a3", Some("lan")));
        assert_eq!(people_reached(["mai", "hoa"], [&linked, &other, &stranger]), 4, "mai, hoa, a2, lan");
        // An attendee id that happens to equal a learner id is still another person.
        assert_eq!(people_reached(["a2"], [&other]), 2);
    }

    #[test]
    fn right_hands_never_exceed_all_hands() {
        assert_eq!(hands(&GroupAnswer { counts: vec![1, 6, 0], correct_options: vec![1] }), (6, 7));
        assert_eq!(hands(&GroupAnswer { counts: vec![1, 6, 0], correct_options: vec![1, 1, 9] }), (6, 7));
        assert_eq!(hands(&GroupAnswer { counts: vec![u32::MAX; 3], correct_options: vec![0, 1, 2] }).0, 3 * u64::from(u32::MAX));
    }

    #[test]
    fn a_session_is_in_a_period_by_its_written_date() {
        let january = Period::parse(Some("2025-01-01"), Some("2025-01-31")).unwrap();
        assert!(january.contains_day("2025-01-01") && january.contains_day("2025-01-31"));
        assert!(!january.contains_day("2025-02-01") && !january.contains_day("2024-12-31"));
        assert!(!january.contains_day("2025-01-32"), "not a real date: in no period with an end");
        assert!(Period::default().contains_day("2025-01-32"), "but counted when nothing is filtered");
        let team = TeamInfo { id: "t-1".into(), name: "Tổ Tả Van".into(), commune: "Tả Van".into() };
        assert_eq!(sessions_csv_file_name(&team, &january, date("2025-03-31")), "hocso-to-ta-van-sessions-2025-01-01-2025-01-31.csv");
    }
}
