-- PostgreSQL only: `learner_days` (shared migration 0005) compares text byte by byte too (see 10001).
ALTER TABLE learner_days
    ALTER COLUMN team_id TYPE TEXT COLLATE "C",
    ALTER COLUMN learner_id TYPE TEXT COLLATE "C";
