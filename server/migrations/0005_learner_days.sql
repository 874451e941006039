-- Who learned on which day, per team: what the dashboards count people from ("reached", active
-- learners by day), kept as events are stored instead of found again in every event at each report
-- (a province holds millions of events; this holds one row per learner and day). Portable SQL, as
-- in 0001.
--
-- One row per (team, learner, day) with at least one learning event (not a session event, not an
-- erased placeholder) whose time is on the calendar (`TimeRange::ALL`); `day` counts days from
-- 1970-01-01 in Vietnam time: (at + 7 h) / 24 h. The store keeps it in step with `events` (push,
-- erasure) in the same transactions.
CREATE TABLE learner_days (
    team_id TEXT NOT NULL,
    learner_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    PRIMARY KEY (team_id, learner_id, day)
);
-- Erasing a learner removes their days in every team.
CREATE INDEX learner_days_learner ON learner_days (learner_id);

INSERT INTO learner_days (team_id, learner_id, day)
SELECT DISTINCT team_id, learner_id, (at + 25200000) / 86400000 FROM events
WHERE at >= -25200000 AND at < 253402275600000
    AND NOT (kind LIKE '{"type":"session\_%' ESCAPE '\' OR kind LIKE '{"type":"attendee\_%' ESCAPE '\'
        OR kind LIKE '{"type":"group\_answered"%' ESCAPE '\')
    AND kind NOT LIKE '{"type":"erased"%';
