//! What the dashboards read: counts over the events that phones already sync, and admin tokens.
//! Only counts and ids leave here, never event lists; the arithmetic lives in `crate::dashboard`.
use std::collections::HashMap;

use hocso_core::progress::{EventKind, ProgressEvent, Score};
use hocso_core::sync::{Role, TeamInfo};
use sqlx::Row;

use super::{flag, now_ms, random_hex, role_from, sha256_hex, undecodable, Store, StoreError};
use hocso_core::date::VIETNAM_OFFSET_MS;

/// The `WHERE` term that picks `lesson_completed` events. Written exactly as in the partial index
/// `events_completed` (migration 0002) so that the planner uses it; the stored `kind` is serialised
/// by us with its `type` tag first (checked by a test below).
const COMPLETED: &str = r#"kind LIKE '{"type":"lesson\_completed"%' ESCAPE '\'"#;

/// The `WHERE` term that picks the five session event kinds (`session_details`, `session_closed`,
/// `attendee_added`, `attendee_removed`, `group_answered`), written exactly as in the partial index
/// `events_sessions` (migration 0003).
const SESSION_EVENTS: &str = r#"(kind LIKE '{"type":"session\_%' ESCAPE '\' OR kind LIKE '{"type":"attendee\_%' ESCAPE '\'
        OR kind LIKE '{"type":"group\_answered"%' ESCAPE '\')"#;

/// The `WHERE` term that picks the drill events a dashboard counts: completed drills and answered
/// drill screens (`drill_started` says nothing a report needs). Erased ones are `{"type":"erased"}`.
const DRILL_EVENTS: &str = r#"(kind LIKE '{"type":"drill\_completed"%' ESCAPE '\'
        OR kind LIKE '{"type":"drill\_step\_answered"%' ESCAPE '\')"#;

/// The `WHERE` term that leaves out what erasing a learner left behind: content-free placeholders
/// (`{"type":"erased"}`, no learner, no lesson) that keep the devices' `seq` without gaps. No report
/// counts them.
const NOT_ERASED: &str = r#"kind NOT LIKE '{"type":"erased"%'"#;

const DAY_MS: i64 = 86_400_000;

/// The day (from 1970-01-01 in Vietnam) a learning event counts its learner on, in `learner_days`;
/// `None` for what no report counts a learner from: session events, erased placeholders, and
/// times off the calendar ([`TimeRange::ALL`]).
pub(super) fn learning_day(event: &ProgressEvent) -> Option<i64> {
    let counted = event.kind.session().is_none() && !matches!(event.kind, EventKind::Erased);
    let on_calendar = TimeRange::ALL.from_ms <= event.at && event.at < TimeRange::ALL.until_ms;
    (counted && on_calendar).then(|| (event.at + VIETNAM_OFFSET_MS) / DAY_MS)
}

pub(super) async fn add_learner_day(tx: &mut sqlx::Transaction<'_, sqlx::Any>, team: &str, learner: &str, day: i64) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO learner_days (team_id, learner_id, day) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(team)
        .bind(learner)
        .bind(day)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Counts a learner's days in a team again from the events (after one of them was emptied).
pub(super) async fn recount_learner_days(tx: &mut sqlx::Transaction<'_, sqlx::Any>, team: &str, learner: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM learner_days WHERE team_id = $1 AND learner_id = $2").bind(team).bind(learner).execute(&mut **tx).await?;
    sqlx::query(&format!(
        "INSERT INTO learner_days (team_id, learner_id, day)
         SELECT DISTINCT team_id, learner_id, (at + $1) / 86400000 FROM events
         WHERE team_id = $2 AND learner_id = $3 AND at >= $4 AND at < $5 AND NOT {SESSION_EVENTS} AND {NOT_ERASED}"
    ))
    .bind(VIETNAM_OFFSET_MS)
    .bind(team)
    .bind(learner)
    .bind(TimeRange::ALL.from_ms)
    .bind(TimeRange::ALL.until_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Events with `from_ms <= at < until_ms` (the phone's clock, ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub from_ms: i64,
    pub until_ms: i64,
}

impl TimeRange {
    /// The times a report can place on the calendar: from 1970-01-01 to 9999-12-31 in Vietnam.
    /// Events outside (a phone whose clock was wrong) are in no report, so day and month arithmetic
    /// on `at` can never overflow.
    pub const ALL: TimeRange = TimeRange { from_ms: -VIETNAM_OFFSET_MS, until_ms: 253_402_300_800_000 - VIETNAM_OFFSET_MS };

    /// The days (from 1970-01-01 in Vietnam, as `learner_days.day`) of this range, first and past
    /// the last. Report ranges are whole days in Vietnam (`dashboard::Period::range`), for which
    /// an event is in the range exactly when its day is; a range that starts or ends within a day
    /// takes the days it begins in whole.
    pub fn days(self) -> (i64, i64) {
        let range = self.within_calendar();
        let day = |ms: i64| (ms + VIETNAM_OFFSET_MS).div_euclid(DAY_MS) + i64::from((ms + VIETNAM_OFFSET_MS).rem_euclid(DAY_MS) != 0);
        (day(range.from_ms), day(range.until_ms))
    }

    /// The part of this range that is in [`TimeRange::ALL`] (empty ranges stay empty).
    pub fn within_calendar(self) -> TimeRange {
        TimeRange {
            from_ms: self.from_ms.clamp(Self::ALL.from_ms, Self::ALL.until_ms),
            until_ms: self.until_ms.clamp(Self::ALL.from_ms, Self::ALL.until_ms),
        }
    }
}

/// One `lesson_completed` event, reduced to what the indicators need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub learner_id: String,
    pub lesson_id: String,
    pub at: i64,
    pub score: Score,
}

/// One drill event of a lesson, reduced to what the dashboard counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillOutcome {
    pub lesson_id: String,
    pub kind: DrillOutcomeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrillOutcomeKind {
    /// A drill done to its end (`drill_completed`).
    Completed,
    /// A wrong answer on screen `step` of drill `drill` (`drill_step_answered`, `correct: false`).
    Wrong { drill: u32, step: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceStatus {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub last_push_at: Option<i64>,
}

/// One team's counts for the province view, computed by the database, with what `crate::dashboard`
/// needs to count people and sessions the same way as the team's own dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamCounts {
    pub team: TeamInfo,
    /// Distinct learners with a learning event (not a session event) in the range.
    pub learners: Vec<String>,
    /// Every session event of the team, whatever its time: a session is placed by its date.
    pub session_events: Vec<ProgressEvent>,
    pub learners_completed: i64,
    /// Active (not removed) devices.
    pub devices: i64,
    pub last_push_at: Option<i64>,
    pub lessons: Vec<LessonCounts>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonCounts {
    pub lesson_id: String,
    pub completions: i64,
    /// Distinct learners who completed the lesson.
    pub learners: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminToken {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub revoked: bool,
    pub role: TokenRole,
}

/// What an admin token may do: one thing each, so a leaked trainer token reads no team's numbers
/// and a province office's token changes no lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenRole {
    /// Every team's indicators (`GET /api/v1/admin/teams`); every token made before roles existed.
    Province,
    /// Checks and publishes lessons (`POST /api/v1/content/check|publish`).
    Trainer,
}

impl TokenRole {
    pub const ALL: [TokenRole; 2] = [TokenRole::Province, TokenRole::Trainer];

    /// As stored in `admin_tokens.role` and written on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRole::Province => "province",
            TokenRole::Trainer => "trainer",
        }
    }

    pub fn parse(text: &str) -> Option<TokenRole> {
        Self::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

impl std::fmt::Display for TokenRole {
    /// Honours widths (`{:<8}`), for the columns of `hocso admin list-tokens`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Store {
    /// Each learner of the team with a learning event in `range`, once per local day (`at +
    /// offset_ms` divided into days) on which they did anything. Session events are left out: they
    /// are the member's work running a session, and its attendees are counted from the sessions.
    /// Days are counted from 1970-01-01 in Vietnam time (`at` + [`VIETNAM_OFFSET_MS`]).
    pub async fn learner_days(&self, team_id: &str, range: TimeRange) -> Result<Vec<(String, i64)>, StoreError> {
        let (from, until) = range.days();
        let rows = sqlx::query("SELECT learner_id, day FROM learner_days WHERE team_id = $1 AND day >= $2 AND day < $3")
            .bind(team_id)
            .bind(from)
            .bind(until)
            .fetch_all(&self.reader)
            .await?;
        self.log_times_outside_the_calendar(team_id).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    /// Says in the log which of the team's devices sent events with impossible times (left out of
    /// every report: see [`TimeRange::ALL`]). Two seeks in the `events_team_at` index.
    async fn log_times_outside_the_calendar(&self, team_id: &str) -> Result<(), StoreError> {
        let rows = sqlx::query("SELECT device_id, COUNT(*) FROM events WHERE team_id = $1 AND (at < $2 OR at >= $3) GROUP BY device_id")
            .bind(team_id)
            .bind(TimeRange::ALL.from_ms)
            .bind(TimeRange::ALL.until_ms)
            .fetch_all(&self.reader)
            .await?;
        for row in rows {
            let (device, events): (String, i64) = (row.try_get(0)?, row.try_get(1)?);
            tracing::warn!(team = team_id, device, events, "events with a time before 1970 or after 9999 (a wrong phone clock): left out of reports");
        }
        Ok(())
    }

    /// The team's lesson completions in `range`.
    pub async fn completions(&self, team_id: &str, range: TimeRange) -> Result<Vec<Completion>, StoreError> {
        let range = range.within_calendar();
        let rows = sqlx::query(&format!(
            "SELECT learner_id, lesson_id, at, kind FROM events
             WHERE team_id = $1 AND {COMPLETED} AND at >= $2 AND at < $3"
        ))
        .bind(team_id)
        .bind(range.from_ms)
        .bind(range.until_ms)
        .fetch_all(&self.reader)
        .await?;
        let mut completions = Vec::with_capacity(rows.len());
        for r in &rows {
            if let Ok(EventKind::LessonCompleted { score }) = serde_json::from_str(r.try_get::<&str, _>(3)?) {
                completions.push(Completion { learner_id: r.try_get(0)?, lesson_id: r.try_get(1)?, at: r.try_get(2)?, score });
            }
        }
        Ok(completions)
    }

    /// The team's completed drills and wrong drill answers in `range` (right answers are not needed).
    pub async fn drill_outcomes(&self, team_id: &str, range: TimeRange) -> Result<Vec<DrillOutcome>, StoreError> {
        let range = range.within_calendar();
        let rows = sqlx::query(&format!(
            "SELECT lesson_id, kind FROM events
             WHERE team_id = $1 AND at >= $2 AND at < $3 AND {DRILL_EVENTS}"
        ))
        .bind(team_id)
        .bind(range.from_ms)
        .bind(range.until_ms)
        .fetch_all(&self.reader)
        .await?;
        let mut outcomes = Vec::new();
        for r in &rows {
            let kind = match serde_json::from_str(r.try_get::<&str, _>(1)?) {
                Ok(EventKind::DrillCompleted { .. }) => DrillOutcomeKind::Completed,
                Ok(EventKind::DrillStepAnswered { drill, step, correct: false }) => DrillOutcomeKind::Wrong { drill, step },
                _ => continue,
            };
            outcomes.push(DrillOutcome { lesson_id: r.try_get(0)?, kind });
        }
        Ok(outcomes)
    }

    /// Every session event of the team, whatever its time (`crate::dashboard` places a session by
    /// the date written in its details, not by the phone's clock).
    pub async fn session_events(&self, team_id: &str) -> Result<Vec<ProgressEvent>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE team_id = $1 AND {SESSION_EVENTS} ORDER BY device_id, seq"))
            .bind(team_id)
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.iter().map(|r| event_from_at(r, 0)).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect())
    }

    /// The team's devices that are not removed, oldest first.
    pub async fn device_statuses(&self, team_id: &str) -> Result<Vec<DeviceStatus>, StoreError> {
        let rows = sqlx::query("SELECT id, name, role, last_push_at FROM devices WHERE team_id = $1 AND revoked_at IS NULL ORDER BY created_at, id")
            .bind(team_id)
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| Ok(DeviceStatus { id: r.try_get(0)?, name: r.try_get(1)?, role: role_from(r.try_get(2)?), last_push_at: r.try_get(3)? }))
            .collect()
    }

    /// Every team's counts in `range`, by commune and name. A learner belongs to one team, so these
    /// counts can be summed over teams.
    pub async fn team_counts(&self, range: TimeRange) -> Result<Vec<TeamCounts>, StoreError> {
        let range = range.within_calendar();
        let teams = sqlx::query("SELECT id, name, commune FROM teams ORDER BY commune, name, id").fetch_all(&self.reader).await?;
        let mut counts: Vec<TeamCounts> = teams
            .iter()
            .map(|r| {
                Ok(TeamCounts {
                    team: TeamInfo { id: r.try_get(0)?, name: r.try_get(1)?, commune: r.try_get(2)? },
                    learners: Vec::new(),
                    session_events: Vec::new(),
                    learners_completed: 0,
                    devices: 0,
                    last_push_at: None,
                    lessons: Vec::new(),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let index: std::collections::HashMap<String, usize> = counts.iter().enumerate().map(|(i, c)| (c.team.id.clone(), i)).collect();
        let at = |row: &sqlx::any::AnyRow| -> Result<Option<usize>, StoreError> { Ok(index.get(row.try_get::<&str, _>(0)?).copied()) };

        let (from, until) = range.days();
        let reached = sqlx::query("SELECT DISTINCT team_id, learner_id FROM learner_days WHERE day >= $1 AND day < $2 ORDER BY team_id, learner_id")
            .bind(from)
            .bind(until)
            .fetch_all(&self.reader)
            .await?;
        for r in &reached {
            if let Some(i) = at(r)? {
                counts[i].learners.push(r.try_get(1)?);
            }
        }
        let sessions = sqlx::query(&format!("SELECT team_id, {EVENT_COLUMNS} FROM events WHERE {SESSION_EVENTS} ORDER BY team_id, device_id, seq"))
            .fetch_all(&self.reader)
            .await?;
        let mut by_team: HashMap<String, Vec<ProgressEvent>> = HashMap::new();
        for r in &sessions {
            if let Some(event) = event_from_at(r, 1)? {
                by_team.entry(r.try_get(0)?).or_default().push(event);
            }
        }
        for (team, events) in by_team {
            if let Some(&i) = index.get(&team) {
                counts[i].session_events = events;
            }
        }
        let completed = sqlx::query(&format!(
            "SELECT team_id, COUNT(DISTINCT learner_id) FROM events WHERE {COMPLETED} AND at >= $1 AND at < $2 GROUP BY team_id"
        ))
        .bind(range.from_ms)
        .bind(range.until_ms)
        .fetch_all(&self.reader)
        .await?;
        for r in &completed {
            if let Some(i) = at(r)? {
                counts[i].learners_completed = r.try_get(1)?;
            }
        }
        let lessons = sqlx::query(&format!(
            "SELECT team_id, lesson_id, COUNT(*), COUNT(DISTINCT learner_id) FROM events
             WHERE {COMPLETED} AND at >= $1 AND at < $2 GROUP BY team_id, lesson_id ORDER BY team_id, lesson_id"
        ))
        .bind(range.from_ms)
        .bind(range.until_ms)
        .fetch_all(&self.reader)
        .await?;
        for r in &lessons {
            if let Some(i) = at(r)? {
                counts[i].lessons.push(LessonCounts { lesson_id: r.try_get(1)?, completions: r.try_get(2)?, learners: r.try_get(3)? });
            }
        }
        let devices = sqlx::query("SELECT team_id, COUNT(*), MAX(last_push_at) FROM devices WHERE revoked_at IS NULL GROUP BY team_id")
            .fetch_all(&self.reader)
            .await?;
        for r in &devices {
            if let Some(i) = at(r)? {
                counts[i].devices = r.try_get(1)?;
                counts[i].last_push_at = r.try_get(2)?;
            }
        }
        Ok(counts)
    }

    /// A new province token: `(id, token)`. The token is shown once; only its hash is stored.
    pub async fn create_admin_token(&self, name: &str) -> Result<(String, String), StoreError> {
        self.create_token_with_role(name, TokenRole::Province).await
    }

    /// A new admin token of `role`: `(id, token)`, shown once; only its hash is stored.
    pub async fn create_token_with_role(&self, name: &str, role: TokenRole) -> Result<(String, String), StoreError> {
        let id = format!("a-{}", random_hex(5));
        let token = format!("hsa_{}", random_hex(32));
        sqlx::query("INSERT INTO admin_tokens (id, name, token_hash, created_at, role) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(name)
            .bind(sha256_hex(&token))
            .bind(now_ms())
            .bind(role.as_str())
            .execute(&self.writer)
            .await?;
        Ok((id, token))
    }

    pub async fn revoke_admin_token(&self, id: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE admin_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(id)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("active admin token {id}")));
        }
        Ok(())
    }

    pub async fn list_admin_tokens(&self) -> Result<Vec<AdminToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, role FROM admin_tokens ORDER BY created_at, id",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(admin_token_from).collect()
    }

    /// The admin token's id, name and role; `InvalidToken` if it is not an admin token, `Revoked`.
    pub async fn authenticate_admin(&self, token: &str) -> Result<AdminToken, StoreError> {
        let row =
            sqlx::query("SELECT id, name, created_at, CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, role FROM admin_tokens WHERE token_hash = $1")
                .bind(sha256_hex(token))
                .fetch_optional(&self.reader)
                .await?
                .ok_or(StoreError::InvalidToken)?;
        let admin = admin_token_from(&row)?;
        if admin.revoked {
            return Err(StoreError::Revoked);
        }
        Ok(admin)
    }
}

fn admin_token_from(row: &sqlx::any::AnyRow) -> Result<AdminToken, StoreError> {
    let role: String = row.try_get(4)?;
    let role = TokenRole::parse(&role).ok_or_else(|| undecodable(format!("the token role {role:?}, where province or trainer was expected")))?;
    Ok(AdminToken { id: row.try_get(0)?, name: row.try_get(1)?, created_at: row.try_get(2)?, revoked: flag(row, 3)?, role })
}

const EVENT_COLUMNS: &str = "id, device_id, seq, learner_id, lesson_id, lesson_version, at, kind";

/// The event in `EVENT_COLUMNS` starting at column `first`. One whose kind the server cannot read
/// any more (an older format) is left out of reports and logged, rather than failing the whole
/// report; a column of the wrong type (a damaged database) is an error.
fn event_from_at(row: &sqlx::any::AnyRow, first: usize) -> Result<Option<ProgressEvent>, StoreError> {
    let id: String = row.try_get(first)?;
    let seq: i64 = row.try_get(first + 2)?;
    let Ok(seq) = u64::try_from(seq) else {
        tracing::warn!(event = %id, seq, "a stored event has a negative seq: left out of the reports");
        return Ok(None);
    };
    match serde_json::from_str(row.try_get::<&str, _>(first + 7)?) {
        Ok(kind) => Ok(Some(ProgressEvent {
            device_id: row.try_get(first + 1)?,
            seq,
            learner_id: row.try_get(first + 3)?,
            lesson_id: row.try_get(first + 4)?,
            lesson_version: row.try_get(first + 5)?,
            at: row.try_get(first + 6)?,
            kind,
            id,
        })),
        Err(error) => {
            tracing::warn!(event = %id, %error, "a stored event cannot be read: left out of the reports");
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hocso_core::sessions::{Attendee, SessionDetails};

    #[test]
    fn session_events_and_only_they_match_the_session_filter() {
        let attendee = Attendee { id: "a".into(), nickname: "n".into(), village: "v".into(), gender: None, age_band: None, learner: None };
        let s = || "s".to_owned();
        let sessions = [
            EventKind::SessionDetails { session: s(), details: SessionDetails::default() },
            EventKind::AttendeeAdded { session: s(), attendee },
            EventKind::AttendeeRemoved { session: s(), attendee: "a".into() },
            EventKind::GroupAnswered { session: s(), question: 0, counts: vec![], correct_options: vec![] },
            EventKind::SessionClosed { session: s() },
        ];
        let learning = [
            EventKind::LessonStarted,
            EventKind::StepViewed { step: 1 },
            EventKind::QuestionAnswered { question: 0, chosen: vec![], correct: true },
            EventKind::LessonCompleted { score: Score { correct: 0, out_of: 0 } },
            EventKind::Erased,
        ];
        // The same LIKE patterns as SESSION_EVENTS, without SQL's escaping.
        let matches = |kind: &EventKind| {
            let stored = serde_json::to_string(kind).unwrap();
            ["{\"type\":\"session_", "{\"type\":\"attendee_", "{\"type\":\"group_answered\""].iter().any(|p| stored.starts_with(p))
        };
        for kind in &sessions {
            assert!(kind.session().is_some() && matches(kind), "{kind:?}");
        }
        for kind in &learning {
            assert!(kind.session().is_none() && !matches(kind), "{kind:?}");
        }
        for pattern in [r#"'{"type":"session\_%'"#, r#"'{"type":"attendee\_%'"#, r#"'{"type":"group\_answered"%'"#] {
            assert!(SESSION_EVENTS.contains(pattern), "{pattern}");
        }
    }

    #[tokio::test]
    async fn loading_a_teams_sessions_reads_only_the_partial_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("t.db").to_str().unwrap()).await.unwrap();
        let plan =
            query_plan(&store, &format!("SELECT {EVENT_COLUMNS} FROM events WHERE team_id = 't' AND {SESSION_EVENTS} ORDER BY device_id, seq")).await;
        assert!(plan.iter().any(|line| line.contains("events_sessions")), "{plan:?}");
    }

    /// SQLite's plan for `sql`, one line per step (to check which index it uses).
    async fn query_plan(store: &Store, sql: &str) -> Vec<String> {
        sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}")).fetch_all(&store.reader).await.unwrap().iter().map(|r| r.get::<String, _>(3)).collect()
    }

    #[test]
    fn erased_placeholders_and_only_they_match_the_erased_filter() {
        assert_eq!(serde_json::to_string(&EventKind::Erased).unwrap(), r#"{"type":"erased"}"#);
        assert!(NOT_ERASED.contains(r#"NOT LIKE '{"type":"erased"%'"#));
        let kept = [EventKind::LessonStarted, EventKind::SessionClosed { session: "erased".into() }];
        for kind in &kept {
            assert!(!serde_json::to_string(kind).unwrap().starts_with(r#"{"type":"erased""#), "{kind:?}");
        }
    }

    #[test]
    fn completions_are_stored_with_their_type_first_as_the_index_expects() {
        let kind = EventKind::LessonCompleted { score: Score { correct: 1, out_of: 2 } };
        let stored = serde_json::to_string(&kind).unwrap();
        assert!(stored.starts_with(r#"{"type":"lesson_completed""#), "{stored}");
        assert!(COMPLETED.contains(r#"'{"type":"lesson\_completed"%'"#));
    }

    #[tokio::test]
    async fn counting_every_teams_completions_reads_only_the_partial_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("t.db").to_str().unwrap()).await.unwrap();
        let plan = query_plan(
            &store,
            &format!(
                "SELECT team_id, lesson_id, COUNT(*), COUNT(DISTINCT learner_id) FROM events
                 WHERE {COMPLETED} AND at >= 0 AND at < 1 GROUP BY team_id, lesson_id"
            ),
        )
        .await;
        assert!(plan.iter().any(|line| line.contains("events_completed")), "{plan:?}");
    }
}
