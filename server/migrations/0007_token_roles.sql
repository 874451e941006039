-- What an admin token may do (issue 14, the trainer's studio). Portable SQL, as in 0001.
--   province: read every team's indicators (GET /api/v1/admin/teams), as every token before this;
--   trainer:  check and publish lessons (POST /api/v1/content/check|publish), nothing else.
-- Existing rows are province tokens: they keep working exactly as before.
ALTER TABLE admin_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'province' CHECK (role IN ('province', 'trainer'));
