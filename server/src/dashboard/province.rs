//! The province (or district) view: every team's totals and their sums.
use std::collections::BTreeMap;

use hocso_core::reports::{ProvinceAnswer, ProvinceTeam, TeamTotals};

use super::period::Period;
use super::sessions::{distinct_attendees, sessions_in};
use super::team::{people_reached, topic_counts};
use super::topics::LessonTopics;
use crate::store::TeamCounts;

/// Every team's indicators and their sums (a learner belongs to one team: people add up).
pub fn province_view(period: &Period, topics: &LessonTopics, counts: Vec<TeamCounts>) -> ProvinceAnswer {
    let mut totals = TeamTotals::default();
    let mut all_lessons: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let teams = counts
        .into_iter()
        .map(|c| {
            let lessons: BTreeMap<String, (u64, u64)> =
                c.lessons.iter().map(|l| (l.lesson_id.clone(), (count(l.completions), count(l.learners)))).collect();
            for (id, (completions, learners)) in &lessons {
                let sum = all_lessons.entry(id.clone()).or_default();
                *sum = (sum.0.saturating_add(*completions), sum.1.saturating_add(*learners));
            }
            let sessions = sessions_in(period, &c.session_events);
            let attendees = distinct_attendees(sessions.iter());
            let team = TeamTotals {
                people_reached: people_reached(c.learners.iter().map(String::as_str), attendees.values().copied()),
                learners_completed: count(c.learners_completed),
                completions: lessons.values().map(|l| l.0).fold(0, u64::saturating_add),
                sessions_held: sessions.len() as u64,
                attendees: attendees.len() as u64,
                topics: topic_counts(topics, &lessons),
                devices: count(c.devices),
                last_sync_at: c.last_push_at,
            };
            totals.people_reached = totals.people_reached.saturating_add(team.people_reached);
            totals.learners_completed = totals.learners_completed.saturating_add(team.learners_completed);
            totals.completions = totals.completions.saturating_add(team.completions);
            totals.sessions_held = totals.sessions_held.saturating_add(team.sessions_held);
            totals.attendees = totals.attendees.saturating_add(team.attendees);
            totals.devices = totals.devices.saturating_add(team.devices);
            totals.last_sync_at = totals.last_sync_at.max(team.last_sync_at);
            ProvinceTeam { team: c.team, totals: team }
        })
        .collect();
    totals.topics = topic_counts(topics, &all_lessons);
    ProvinceAnswer { period: period.json(), teams, totals }
}
