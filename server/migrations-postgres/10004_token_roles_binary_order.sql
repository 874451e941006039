-- PostgreSQL only: the token role (shared migration 0007) compares text byte by byte too (see 10001).
ALTER TABLE admin_tokens
    ALTER COLUMN role TYPE TEXT COLLATE "C";
