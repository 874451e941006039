-- The team dashboard and the province view: when each device last pushed, admin tokens, and
-- indexes for counting by time and completions. Portable SQL, as in 0001.

-- Set by every accepted push (ms since the epoch); NULL until the device's first push.
ALTER TABLE devices ADD COLUMN last_push_at BIGINT;

-- Dashboards count a team's events between two dates.
CREATE INDEX events_team_at ON events (team_id, at);

-- Completions are a small share of events and every indicator starts from them. The WHERE must be
-- written exactly like this in queries for the planner to use the index (see `store::COMPLETED`).
CREATE INDEX events_completed ON events (team_id, lesson_id, learner_id, at)
    WHERE kind LIKE '{"type":"lesson\_completed"%' ESCAPE '\';

-- Province (or other) administrators: read-only access to every team's indicators.
CREATE TABLE admin_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- sha256 (hex) of the token; the token itself is shown once and never stored.
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
