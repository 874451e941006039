//! The answers of the team server's reports, typed: what `hocso serve` writes as JSON and the team
//! tools read (`GET /api/v1/team/dashboard` → [`TeamDashboard`], `GET /api/v1/admin/teams` →
//! [`ProvinceAnswer`]). The JSON is the README's ("Team dashboard and province view").
//!
//! Counts only: no learner id, nickname or event list is part of any answer. How the numbers are
//! counted is the server's (`server/src/dashboard/`); these types only carry them. Fields the reader
//! does not know are ignored, so a newer server can add some without breaking older team tools.
use serde::{Deserialize, Serialize};

use crate::sessions::{AgeBand, Gender};
use crate::sync::{Role, TeamInfo};

/// The one time zone of every report: days and months are Vietnam's (see `crate::date`).
pub const TIMEZONE: &str = "UTC+07:00";

/// The dates a report covers, as asked: inclusive, `YYYY-MM-DD`, `null` when open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPeriod {
    pub from: Option<String>,
    pub to: Option<String>,
    /// Always [`TIMEZONE`].
    pub timezone: String,
}

/// `GET /api/v1/team/dashboard`: one team's indicators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamDashboard {
    pub team: TeamInfo,
    pub period: ReportPeriod,
    /// Learners with a learning event in the period, plus the attendees of its sessions (an
    /// attendee linked to a learner is that learner, counted once).
    pub people_reached: u64,
    /// Distinct learners who completed at least one lesson in the period.
    pub learners_completed: u64,
    /// All lesson completions in the period.
    pub completions: u64,
    /// Sessions whose written date is in the period, closed or not.
    pub sessions_held: u64,
    /// Distinct attendee ids over those sessions.
    pub attendees: u64,
    pub topics: Vec<TopicCounts>,
    /// Months with any activity (a learning event or a session), oldest first.
    pub months: Vec<MonthCounts>,
    /// Every lesson of the catalogue, then lessons not in it that were completed.
    pub lessons: Vec<LessonCounts>,
    /// By village name as written (trimmed), in name order.
    pub villages: Vec<VillageCounts>,
    /// Lessons with group answers in the period's sessions: catalogue order, then other lessons.
    pub group_quiz: Vec<GroupQuizCounts>,
    /// Over the distinct attendees (as recorded in their latest session).
    pub attendees_by_gender: GenderCounts,
    pub attendees_by_age_band: AgeBandCounts,
    /// The team's devices that are not removed (not filtered by the period).
    pub devices: Vec<DeviceRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicCounts {
    /// `null` for lessons that are not in the published catalogue.
    pub topic: Option<String>,
    /// Distinct (learner, lesson) pairs completed: a learner who finishes a lesson twice counts once.
    pub lessons_completed: u64,
    /// Every completion.
    pub completions: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthCounts {
    /// `YYYY-MM`, Vietnam time.
    pub month: String,
    pub active_learners: u64,
    pub completions: u64,
    /// Sessions dated in the month, and their distinct attendees.
    pub sessions: u64,
    pub attendees: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonCounts {
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
    /// Practice drills completed (`drill_completed` events) in the lesson. Absent from older
    /// servers' answers, read as 0.
    #[serde(default)]
    pub drills_done: u64,
    /// The drill screen the most learners got wrong (`drill_step_answered` with `correct: false`),
    /// in the lesson as it is published now; `null` when none was (see [`MissedDrillStep`]).
    #[serde(default)]
    pub most_missed_drill_step: Option<MissedDrillStep>,
}

/// One screen of one drill of a lesson, and who got it wrong.
///
/// Counted per lesson version, drill and screen: indices of another version of the lesson (another
/// language, or the lesson before a trainer changed it) are other screens, so only the versions the
/// server publishes now count, and only screens those versions have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedDrillStep {
    /// The drill's index in the lesson and the screen's index in the drill, from 0.
    pub drill: u32,
    pub step: u32,
    /// Distinct learners who got the screen wrong at least once: what the choice is made on, so
    /// that one learner tapping wrong ten times does not outweigh nine who each slipped once.
    /// Absent from older servers' answers (which counted taps), read as 0.
    #[serde(default)]
    pub learners: u64,
    /// Wrong answers on the screen, every tap of those learners counted.
    pub wrong: u64,
}

impl MissedDrillStep {
    /// The most missed of `candidates` (one per lesson version, drill and screen): the most
    /// learners; on a tie, the most wrong answers (the same number of people stumbled there more
    /// often); then the first drill, then its first screen. Candidates equal in all four are the
    /// same answer, whichever version they come from, so the choice never depends on their order.
    /// The same rule wherever it is counted, so the server and any other counter agree.
    pub fn most_missed(candidates: impl IntoIterator<Item = MissedDrillStep>) -> Option<Self> {
        candidates
            .into_iter()
            .filter(|m| m.learners > 0)
            .min_by(|a, b| b.learners.cmp(&a.learners).then(b.wrong.cmp(&a.wrong)).then((a.drill, a.step).cmp(&(b.drill, b.step))))
    }
}

/// Sessions are counted in the session's own village; attendees in the village written for each of
/// them, which may be another one. An attendee without a village is counted under `""`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageCounts {
    pub village: String,
    pub sessions: u64,
    pub attendees: u64,
}

/// How a room answered a lesson's questions by raising hands, over the period's sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupQuizCounts {
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
    /// Counts one more person.
    pub fn add(&mut self, gender: Option<Gender>) {
        let count = match gender {
            Some(Gender::Female) => &mut self.female,
            Some(Gender::Male) => &mut self.male,
            Some(Gender::Other) => &mut self.other,
            None => &mut self.unknown,
        };
        *count = count.saturating_add(1);
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
    /// Counts one more person.
    pub fn add(&mut self, band: Option<AgeBand>) {
        let count = match band {
            Some(AgeBand::Under18) => &mut self.under_18,
            Some(AgeBand::From18To35) => &mut self.from_18_to_35,
            Some(AgeBand::From36To59) => &mut self.from_36_to_59,
            Some(AgeBand::From60) => &mut self.from_60,
            None => &mut self.unknown,
        };
        *count = count.saturating_add(1);
    }
}

/// One of the team's devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRow {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// Time of the device's last accepted push (ms since the epoch), `null` if it never pushed.
    pub last_sync_at: Option<i64>,
}

/// `GET /api/v1/admin/teams`: every team's totals, for a province or district office.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvinceAnswer {
    pub period: ReportPeriod,
    pub teams: Vec<ProvinceTeam>,
    /// Sums over all teams (a learner belongs to one team, so people are not counted twice).
    pub totals: TeamTotals,
}

/// One team in the province view: its name and commune beside its totals (one JSON object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvinceTeam {
    pub team: TeamInfo,
    #[serde(flatten)]
    pub totals: TeamTotals,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TeamTotals {
    /// As on the team's dashboard.
    pub people_reached: u64,
    pub learners_completed: u64,
    pub completions: u64,
    /// Sessions dated in the period, their distinct attendee ids.
    pub sessions_held: u64,
    pub attendees: u64,
    pub topics: Vec<TopicCounts>,
    /// Devices not removed.
    pub devices: u64,
    /// The latest push of any of the devices.
    pub last_sync_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn team() -> TeamInfo {
        TeamInfo { id: "t-1".into(), name: "Tổ Tả Van".into(), commune: "Tả Van".into() }
    }

    #[test]
    fn the_province_answer_is_the_readmes_json_both_ways() {
        let totals = TeamTotals {
            people_reached: 3,
            learners_completed: 2,
            completions: 4,
            sessions_held: 1,
            attendees: 2,
            topics: vec![TopicCounts { topic: None, lessons_completed: 1, completions: 1 }],
            devices: 2,
            last_sync_at: Some(5),
        };
        let answer = ProvinceAnswer {
            period: ReportPeriod { from: Some("2025-01-01".into()), to: None, timezone: TIMEZONE.into() },
            teams: vec![ProvinceTeam { team: team(), totals: totals.clone() }],
            totals,
        };
        let written = serde_json::to_value(&answer).unwrap();
        let counts = json!({"people_reached": 3, "learners_completed": 2, "completions": 4, "sessions_held": 1,
            "attendees": 2, "topics": [{"topic": null, "lessons_completed": 1, "completions": 1}], "devices": 2, "last_sync_at": 5});
        let mut team_row = counts.clone();
        team_row["team"] = json!({"id": "t-1", "name": "Tổ Tả Van", "commune": "Tả Van"});
        assert_eq!(written, json!({"period": {"from": "2025-01-01", "to": null, "timezone": "UTC+07:00"}, "teams": [team_row], "totals": counts}));
        assert_eq!(serde_json::from_value::<ProvinceAnswer>(written).unwrap(), answer);
    }

    #[test]
    fn a_dashboard_reads_back_and_fields_a_newer_server_adds_are_ignored() {
        let dashboard = TeamDashboard {
            team: team(),
            period: ReportPeriod { from: None, to: None, timezone: TIMEZONE.into() },
            people_reached: 1,
            learners_completed: 1,
            completions: 1,
            sessions_held: 0,
            attendees: 0,
            topics: vec![],
            months: vec![MonthCounts { month: "2025-01".into(), active_learners: 1, completions: 1, sessions: 0, attendees: 0 }],
            lessons: vec![LessonCounts {
                lesson_id: "what-is-vneid".into(),
                topic: Some("public-services".into()),
                learners_completed: 1,
                completions: 1,
                first_try_correct: 2,
                first_try_questions: 3,
                first_try_correct_percent: Some(66.7),
                drills_done: 3,
                most_missed_drill_step: Some(MissedDrillStep { drill: 0, step: 1, learners: 2, wrong: 4 }),
            }],
            villages: vec![],
            group_quiz: vec![],
            attendees_by_gender: GenderCounts::default(),
            attendees_by_age_band: AgeBandCounts::default(),
            devices: vec![DeviceRow { id: "d-1".into(), name: "Máy tổ".into(), role: Role::Leader, last_sync_at: None }],
        };
        let mut written = serde_json::to_value(&dashboard).unwrap();
        assert_eq!(written["lessons"][0]["first_try_correct_percent"], json!(66.7));
        assert_eq!(written["devices"][0], json!({"id": "d-1", "name": "Máy tổ", "role": "leader", "last_sync_at": null}));
        assert_eq!(written["lessons"][0]["most_missed_drill_step"], json!({"drill": 0, "step": 1, "learners": 2, "wrong": 4}));
        written["learners_by_village"] = json!([]);
        assert_eq!(serde_json::from_value::<TeamDashboard>(written.clone()).unwrap(), dashboard);
        // An answer of a server from before drills reads as no drills done.
        let lesson = written["lessons"][0].as_object_mut().unwrap();
        lesson.remove("drills_done");
        lesson.remove("most_missed_drill_step");
        let older = serde_json::from_value::<TeamDashboard>(written).unwrap();
        assert_eq!((older.lessons[0].drills_done, older.lessons[0].most_missed_drill_step), (0, None));
    }

    #[test]
    fn the_most_missed_drill_step_has_the_most_learners_then_the_most_wrong_answers_then_comes_first() {
        let at = |drill, step, learners, wrong| MissedDrillStep { drill, step, learners, wrong };
        assert_eq!(MissedDrillStep::most_missed([]), None);
        assert_eq!(MissedDrillStep::most_missed([at(0, 1, 0, 0)]), None);
        // One learner wrong ten times loses to three learners wrong once each.
        assert_eq!(MissedDrillStep::most_missed([at(0, 0, 1, 10), at(0, 3, 3, 3)]), Some(at(0, 3, 3, 3)));
        // As many learners: the screen with more wrong answers; then the first drill and screen,
        // in whichever order they come.
        let tie = [at(1, 0, 2, 2), at(0, 4, 2, 5), at(0, 2, 2, 5), at(0, 0, 1, 1)];
        assert_eq!(MissedDrillStep::most_missed(tie), Some(at(0, 2, 2, 5)));
        assert_eq!(MissedDrillStep::most_missed(tie.into_iter().rev()), Some(at(0, 2, 2, 5)));
        // An answer of a server from before `learners` still reads.
        let older: MissedDrillStep = serde_json::from_value(json!({"drill": 0, "step": 1, "wrong": 4})).unwrap();
        assert_eq!(older, at(0, 1, 0, 4));
    }

    #[test]
    fn people_are_counted_by_gender_and_age_band_with_unknown() {
        let mut gender = GenderCounts::default();
        for g in [Some(Gender::Female), None, Some(Gender::Female)] {
            gender.add(g);
        }
        assert_eq!(gender, GenderCounts { female: 2, male: 0, other: 0, unknown: 1 });
        let mut age = AgeBandCounts { from_60: u64::MAX, ..AgeBandCounts::default() };
        age.add(Some(AgeBand::From60));
        assert_eq!(age.from_60, u64::MAX, "saturates");
    }
}
