-- PostgreSQL only (the shared schema is in ../migrations). Applied after the shared migrations,
-- whose versions stay below 10000.
--
-- Text compares byte by byte, as in SQLite: lists ordered by commune, name or id come out in the same
-- order on both stores, whatever locale the PostgreSQL cluster was created with, and `LIKE 'prefix%'`
-- can use an ordinary index.
ALTER TABLE teams
    ALTER COLUMN id TYPE TEXT COLLATE "C",
    ALTER COLUMN name TYPE TEXT COLLATE "C",
    ALTER COLUMN commune TYPE TEXT COLLATE "C",
    ALTER COLUMN join_code_hash TYPE TEXT COLLATE "C",
    ALTER COLUMN leader_code_hash TYPE TEXT COLLATE "C";
ALTER TABLE devices
    ALTER COLUMN id TYPE TEXT COLLATE "C",
    ALTER COLUMN team_id TYPE TEXT COLLATE "C",
    ALTER COLUMN name TYPE TEXT COLLATE "C",
    ALTER COLUMN role TYPE TEXT COLLATE "C",
    ALTER COLUMN token_hash TYPE TEXT COLLATE "C";
ALTER TABLE device_tokens
    ALTER COLUMN token_hash TYPE TEXT COLLATE "C",
    ALTER COLUMN device_id TYPE TEXT COLLATE "C";
ALTER TABLE learners
    ALTER COLUMN id TYPE TEXT COLLATE "C",
    ALTER COLUMN team_id TYPE TEXT COLLATE "C";
ALTER TABLE events
    ALTER COLUMN id TYPE TEXT COLLATE "C",
    ALTER COLUMN team_id TYPE TEXT COLLATE "C",
    ALTER COLUMN device_id TYPE TEXT COLLATE "C",
    ALTER COLUMN learner_id TYPE TEXT COLLATE "C",
    ALTER COLUMN lesson_id TYPE TEXT COLLATE "C",
    ALTER COLUMN lesson_version TYPE TEXT COLLATE "C",
    ALTER COLUMN kind TYPE TEXT COLLATE "C";
ALTER TABLE profiles
    ALTER COLUMN id TYPE TEXT COLLATE "C",
    ALTER COLUMN team_id TYPE TEXT COLLATE "C",
    ALTER COLUMN nickname TYPE TEXT COLLATE "C",
    ALTER COLUMN avatar TYPE TEXT COLLATE "C",
    ALTER COLUMN colour TYPE TEXT COLLATE "C",
    ALTER COLUMN device_id TYPE TEXT COLLATE "C";
ALTER TABLE admin_tokens
    ALTER COLUMN id TYPE TEXT COLLATE "C",
    ALTER COLUMN name TYPE TEXT COLLATE "C",
    ALTER COLUMN token_hash TYPE TEXT COLLATE "C";
ALTER TABLE settings
    ALTER COLUMN key TYPE TEXT COLLATE "C",
    ALTER COLUMN value TYPE TEXT COLLATE "C";
