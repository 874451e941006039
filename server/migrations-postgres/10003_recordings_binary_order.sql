-- PostgreSQL only: `recordings` (shared migration 0006) compares text byte by byte too (see 10001).
ALTER TABLE recordings
    ALTER COLUMN team_id TYPE TEXT COLLATE "C",
    ALTER COLUMN id TYPE TEXT COLLATE "C",
    ALTER COLUMN lesson_id TYPE TEXT COLLATE "C",
    ALTER COLUMN step TYPE TEXT COLLATE "C",
    ALTER COLUMN locale TYPE TEXT COLLATE "C",
    ALTER COLUMN content_type TYPE TEXT COLLATE "C",
    ALTER COLUMN sha256 TYPE TEXT COLLATE "C",
    ALTER COLUMN device_id TYPE TEXT COLLATE "C",
    ALTER COLUMN approved_by TYPE TEXT COLLATE "C";
