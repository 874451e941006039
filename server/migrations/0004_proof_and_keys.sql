-- Re-joining without takeover, keyed code hashes, erasure. Portable SQL, as in 0001.

-- Every token a device has been given (sha256, hex): the current one is also `devices.token_hash`,
-- the only one that authenticates; any of them proves, when joining again, that the phone is that
-- device. Tokens are 32 random bytes, so a plain hash of them gives nothing away.
CREATE TABLE device_tokens (
    token_hash TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX device_tokens_device ON device_tokens (device_id);
INSERT INTO device_tokens (token_hash, device_id, created_at) SELECT token_hash, id, created_at FROM devices;

-- Settings of this database, e.g. `code_key_check`: a keyed hash of a fixed text that tells whether
-- `<database>.secret` is the secret the codes were hashed with. The codes' hashes themselves become
-- `k1:<HMAC-SHA256(secret, sha256 of the code)>` when the server first opens the database (it needs
-- the secret file, which SQL does not see).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Erasing a learner empties every event naming them, across devices.
CREATE INDEX events_learner ON events (learner_id);
