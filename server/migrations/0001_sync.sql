-- Teams, their devices, learners and what the phones sent. Portable SQL (SQLite and Postgres):
-- ids are text, times are milliseconds since the epoch in BIGINT, no AUTOINCREMENT.

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    commune TEXT NOT NULL,
    -- sha256 (hex) of the normalised codes; the codes themselves are shown once and never stored.
    join_code_hash TEXT NOT NULL UNIQUE,
    leader_code_hash TEXT NOT NULL UNIQUE,
    -- Bumped for every change pulled by phones; orders the pull cursor.
    rev BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    revoked_at BIGINT,
    -- Every event of this device with seq 1..=acked_seq is stored.
    acked_seq BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX devices_team ON devices (team_id);

-- A learner id is bound to the team that first pushed it.
CREATE TABLE learners (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    learner_id TEXT NOT NULL,
    lesson_id TEXT NOT NULL,
    lesson_version TEXT NOT NULL,
    at BIGINT NOT NULL,
    -- The event's `kind` as JSON, exactly as the phone sent it.
    kind TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX events_device_seq ON events (device_id, seq);
CREATE INDEX events_team_learner ON events (team_id, learner_id);

CREATE TABLE profiles (
    id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams (id),
    nickname TEXT NOT NULL,
    avatar TEXT NOT NULL,
    colour TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    device_id TEXT NOT NULL,
    deleted BOOLEAN NOT NULL,
    rev BIGINT NOT NULL
);
CREATE INDEX profiles_team_rev ON profiles (team_id, rev, id);
