-- Voices recorded by a team (issue #15): one row per uploaded recording, its sound included, so
-- that a backup (`hocso backup`, `pg_dump`) holds them and several servers of one PostgreSQL
-- database all serve them. Portable SQL, as in 0001.
--
-- `id` is chosen by the phone (a retried upload names the same recording) and is scoped to its team:
-- two teams may use the same id without ever meeting. `step` is `3` (a step's index) or `drill-0`
-- (a drill's instruction), see `hocso_core::recordings`. `audio` is BYTEA: PostgreSQL's bytes type;
-- SQLite keeps the bytes a BLOB under that name too (its NUMERIC affinity converts only text).
CREATE TABLE recordings (
    team_id TEXT NOT NULL REFERENCES teams (id),
    id TEXT NOT NULL,
    lesson_id TEXT NOT NULL,
    step TEXT NOT NULL,
    locale TEXT NOT NULL,
    -- Sniffed from the bytes (`audio/webm`, `audio/mp4`…), never taken from the request.
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    -- NULL when the file does not state its length.
    duration_ms BIGINT,
    audio BYTEA NOT NULL,
    device_id TEXT NOT NULL,
    approved_by TEXT,
    approved_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, id)
);
CREATE INDEX recordings_team_part ON recordings (team_id, lesson_id, step, locale);
-- One approved voice per lesson, step and language in a team.
CREATE UNIQUE INDEX recordings_approved ON recordings (team_id, lesson_id, step, locale) WHERE approved_at IS NOT NULL;

-- The team revision (`teams.rev`) at the last change of its approved recordings: a pull whose cursor
-- is older lists them again.
ALTER TABLE teams ADD COLUMN recordings_rev BIGINT NOT NULL DEFAULT 0;
