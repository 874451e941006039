//! All of the server's storage: teams, devices, learners, events and profiles, behind one small
//! interface (the methods of [`Store`]).
//!
//! Two databases, one set of queries ([`Backend`]): SQLite on a commune laptop (one file, WAL, one
//! writer connection so writes queue instead of failing with "database is locked"), PostgreSQL for a
//! province (several server processes on one database). The queries go through sqlx's `Any` driver
//! and are written once in SQL both accept: `$1` placeholders (SQLite reads `$N` as parameter N),
//! `ON CONFLICT … DO NOTHING/UPDATE`, `RETURNING`, no AUTOINCREMENT, times as BIGINT ms, and
//! booleans read back as `CASE WHEN … THEN 1 ELSE 0 END` (see [`flag`]). What differs is only how
//! a database is opened, how a write transaction begins ([`Backend::begin_write`]), which conflicts
//! are retried ([`Store::retrying`]) and SQLite's checkpoint after an erasure.
//!
//! Nothing read back from the database is trusted not to panic: every column is read with
//! `try_get`, and a value that does not decode is an error (`StoreError::Database`), not a crash.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use hocso_core::progress::{EventKind, ProgressEvent};
use hocso_core::sync::{is_valid_device_id, Profile, PushRequest, PushResponse, Role, TeamInfo, TeamProfile};
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyPool, Executor, Row};

mod recordings;
mod reports;
pub use recordings::{Approval, NewRecording, Upload};
pub use reports::{AdminToken, Completion, DeviceStatus, DrillOutcome, DrillOutcomeKind, LessonCounts, TeamCounts, TimeRange, TokenRole};

/// What can go wrong in the store that a caller must handle; anything else is `Database`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("the code matches no team")]
    InvalidCode,
    #[error("the device token is not known")]
    InvalidToken,
    #[error("this device was removed from its team")]
    Revoked,
    #[error("the team already has {MAX_ACTIVE_DEVICES_PER_TEAM} devices")]
    TeamFull,
    #[error("learner {0:?} belongs to another team")]
    LearnerOfAnotherTeam(String),
    /// The request clashes with what is stored (`code` for programs, `message` for people).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// This device may not do that to that record.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Most devices (not removed) one team may have: a commune's team, not a crowd. A join beyond it is
/// refused (`409 team_full`) until the leader removes phones no longer used (`hocso device revoke`).
pub const MAX_ACTIVE_DEVICES_PER_TEAM: i64 = 300;

/// The device id a server-side write carries (e.g. `hocso learner erase`'s tombstone).
pub const SERVER_DEVICE: &str = "server";

/// How an erased event is kept: its id, team, device and seq, nothing else (see [`placeholder`]).
pub const ERASED_KIND: &str = r#"{"type":"erased"}"#;

/// A device that presented a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthDevice {
    pub id: String,
    pub team: TeamInfo,
    pub role: Role,
}

/// A team just created or given new codes: the codes are shown once, only their keyed hashes are kept.
#[derive(Debug, Clone)]
pub struct TeamCodes {
    pub team: TeamInfo,
    pub join_code: String,
    pub leader_code: String,
}

#[derive(Debug, Clone)]
pub struct TeamSummary {
    pub team: TeamInfo,
    pub devices: i64,
    pub revoked_devices: i64,
    pub learners: i64,
    pub events: i64,
}

#[derive(Debug, Clone)]
pub struct Joined {
    pub device_id: String,
    pub device_token: String,
    pub team: TeamInfo,
    pub role: Role,
    /// How the join went, for the log and the tests.
    pub outcome: JoinOutcome,
}

/// What a join did with the device id the phone sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinOutcome {
    /// A device id the server did not know (or none sent): a new device.
    New,
    /// The phone proved it is the device it names: same device, new token (and maybe a new team).
    Same,
    /// The phone named a device it could not prove it is: a new device with a new id.
    Renumbered,
}

/// What `hocso learner erase` (or a winning tombstone) emptied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Erasure {
    /// Events naming the learner, now placeholders (id, device and seq only).
    pub events: u64,
    /// Session attendee records linked to the learner, now placeholders too.
    pub attendee_records: u64,
    /// Whether the server held a profile (nickname, avatar, colour) for the learner, now cleared.
    pub had_profile: bool,
}

#[derive(Debug, Clone)]
pub struct PullPage {
    pub profiles: Vec<TeamProfile>,
    /// The team's approved recordings, when they changed after the cursor (on the last page only).
    pub recordings: Option<Vec<hocso_core::recordings::TeamRecording>>,
    pub cursor: u64,
    pub has_more: bool,
    pub acked_through_seq: u64,
}

/// Which database a [`Store`] talks to. The queries are the same (portable SQL through sqlx's
/// `Any` driver, `$1` placeholders, integers for booleans read back); only opening the database and
/// a few maintenance steps differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file on the commune laptop, one writer at a time.
    Sqlite,
    /// A province's database, which several `hocso serve` processes may share.
    Postgres,
}

impl Backend {
    /// How a transaction that writes begins. SQLite: IMMEDIATE, taking the file's write lock at once
    /// (waiting for it up to the busy timeout): a deferred transaction that read first cannot wait
    /// for another process's write and fails with "database is locked" at once. PostgreSQL locks
    /// rows as they are written.
    fn begin_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }
}

/// `postgres://…` or `postgresql://…` selects PostgreSQL; anything else is a SQLite file or URL.
pub fn is_postgres_url(database: &str) -> bool {
    database.starts_with("postgres:") || database.starts_with("postgresql:")
}

/// Where the secret of the codes' hashes is kept for a PostgreSQL database (see [`CodeKey`]): the
/// database is on another machine and shared, so the file is named, and every server of that
/// database needs the same one.
pub const SECRET_FILE_ENV: &str = "HOCSO_SECRET_FILE";

#[derive(Clone)]
pub struct Store {
    /// SQLite: exactly one connection, since SQLite has one writer at a time, and queueing here is
    /// cheaper and clearer than retrying SQLITE_BUSY. PostgreSQL: the same pool as `reader`.
    writer: AnyPool,
    reader: AnyPool,
    backend: Backend,
    /// Keys the codes' hashes (see [`CodeKey`]).
    code_key: Arc<CodeKey>,
}

/// Letters and digits that cannot be confused when read aloud or from a screen: no 0/O, 1/I/L.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A code as people read it: `KM4R-7XQP`.
pub fn new_code() -> String {
    let mut rng = rand::rng();
    let chars: String = (0..8).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// What was typed, the way codes are compared: case, spaces and dashes do not matter.
pub fn normalise_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// HMAC-SHA256 (RFC 2104) with a key of at most 64 bytes.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|k| k ^ byte);
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

/// The server's secret for hashing join and leader codes, kept in `<database>.secret` (created
/// with mode 0600 on first open), not in the database: codes are 8 characters of 31, so a plain
/// hash of one is found by trying them all, and a copied database file alone must not give them up.
struct CodeKey([u8; 32]);

/// Prefix of a keyed code hash; a hash without it is an unkeyed sha256 from before migration 0004.
const KEYED: &str = "k1:";

impl CodeKey {
    fn random() -> Self {
        Self(rand::rng().random())
    }

    /// `k1:` + HMAC-SHA256(secret, sha256 hex of the normalised code). Keying the sha256 (not the
    /// code) lets a database from before be converted without knowing its codes.
    fn hash(&self, code: &str) -> String {
        self.keyed(&sha256_hex(&normalise_code(code)))
    }

    fn keyed(&self, unkeyed: &str) -> String {
        format!("{KEYED}{}", hex(&hmac_sha256(&self.0, unkeyed.as_bytes())))
    }

    /// Tells, without revealing the secret, whether a database's codes were hashed with it.
    fn check(&self) -> String {
        hex(&hmac_sha256(&self.0, b"hocso code key check"))
    }

    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Self(key))
    }
}

/// `<database>.secret`, or `None` for an in-memory database (whose codes vanish with it).
fn secret_path(database: &Path) -> Option<PathBuf> {
    if database.as_os_str().is_empty() || database.as_os_str() == ":memory:" {
        return None;
    }
    let mut path = database.as_os_str().to_owned();
    path.push(".secret");
    Some(PathBuf::from(path))
}

/// Reads the secret file, or creates it (0600) when missing; `true` when it was just created.
fn load_or_create_secret(path: &Path) -> anyhow::Result<(CodeKey, bool)> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let key = CodeKey::parse(&text)
                .with_context(|| format!("{} is not a HocSo secret file (64 hexadecimal digits): restore it from your backup", path.display()))?;
            Ok((key, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Written whole under a temporary name, then linked to its name, which fails if the file
            // exists: another server starting at the same time never reads half a secret, and
            // whoever loses the race uses the winner's.
            let key = CodeKey::random();
            let mut temporary = path.as_os_str().to_owned();
            temporary.push(format!(".{}.new", random_hex(6)));
            let temporary = PathBuf::from(temporary);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&temporary).with_context(|| format!("cannot create the secret file {}", path.display()))?;
            let written = std::io::Write::write_all(&mut file, format!("{}\n", hex(&key.0)).as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write the secret file {}", path.display()));
            let linked = written.and_then(|()| match std::fs::hard_link(&temporary, path) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(anyhow::Error::new(e).context(format!("cannot create the secret file {}", path.display()))),
            });
            let _ = std::fs::remove_file(&temporary);
            if linked? {
                Ok((key, true))
            } else {
                load_or_create_secret(path)
            }
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("cannot read the secret file {}", path.display()))),
    }
}

fn random_hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    (0..bytes).map(|_| format!("{:02x}", rng.random::<u8>())).collect()
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn role_from(text: &str) -> Role {
    if text == "leader" {
        Role::Leader
    } else {
        Role::Member
    }
}

pub(crate) fn team_from(row: &AnyRow, first: usize) -> Result<TeamInfo, sqlx::Error> {
    Ok(TeamInfo { id: row.try_get(first)?, name: row.try_get(first + 1)?, commune: row.try_get(first + 2)? })
}

/// A stored value that is not what this server writes (e.g. an edited database file).
fn undecodable(what: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected value in the database: {what}").into())
}

/// Set on every SQLite connection (`journal_mode` is kept in the file; the others are per connection).
const SQLITE_CONNECTION_SETUP: [&str; 5] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA busy_timeout = 10000",
];

/// Connections each server process keeps to PostgreSQL (its default allows 100 in all).
const POSTGRES_CONNECTIONS: u32 = 10;

/// `sqlite:///absolute/path?mode=rwc` (created if missing), with every byte that could be read as
/// part of the URL syntax (`?`, `#`, `%`, spaces…) percent-encoded; sqlx decodes it back.
fn sqlite_url(filename: &Path) -> anyhow::Result<String> {
    let absolute = std::path::absolute(filename).with_context(|| format!("cannot find the database {}", filename.display()))?;
    let text = absolute.to_str().with_context(|| format!("the database path {} is not UTF-8: choose another --database", absolute.display()))?;
    let mut url = String::from("sqlite://");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/._-~".contains(&byte) {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url.push_str("?mode=rwc");
    Ok(url)
}

/// The URL for a message: a password in it is not printed.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => match url[scheme + 3..at].find(':') {
            Some(colon) => format!("{}:***{}", &url[..scheme + 3 + colon], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

/// A boolean read back as the integer the query computes (`CASE WHEN … THEN 1 ELSE 0 END`): SQLite
/// has no boolean type, and through the `Any` driver its 0 and 1 do not decode as `bool`.
fn flag(row: &AnyRow, index: usize) -> Result<bool, sqlx::Error> {
    match row.try_get::<i64, _>(index)? {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(undecodable(format!("{other} where 0 or 1 was expected"))),
    }
}

/// Holds `<database>.lock` while a process opens the database and brings its schema up to date.
/// SQLite's own locks do not cover this: two processes opening a new file at once (`hocso serve`
/// starting while someone runs `hocso team create`) would both switch it to WAL and apply the first
/// migration, and one would fail. Not needed for an in-memory database, which no other process sees.
async fn lock_for_setup(database: &Path) -> anyhow::Result<Option<std::fs::File>> {
    if database.as_os_str().is_empty() || database.as_os_str() == ":memory:" {
        return Ok(None);
    }
    let mut path = database.as_os_str().to_owned();
    path.push(".lock");
    let path = std::path::PathBuf::from(path);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot create the lock file {}", path.display()))?;
    // Blocking until another process has finished opening it: off the async threads.
    let file = tokio::task::spawn_blocking(move || file.lock().map(|()| file)).await?.with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(Some(file))
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    /// `database` is a file path or a `sqlite:` URL (SQLite), or a `postgres://` URL (PostgreSQL).
    /// Beside a SQLite file, `<database>.secret` holds the key of the codes' hashes (created on
    /// first open); for PostgreSQL, the file named by `HOCSO_SECRET_FILE` does.
    pub async fn open(database: &str) -> anyhow::Result<Self> {
        Self::open_with_secret(database, std::env::var_os(SECRET_FILE_ENV).filter(|path| !path.is_empty()).map(PathBuf::from)).await
    }

    /// [`Store::open`] with the PostgreSQL secret file given rather than read from
    /// `HOCSO_SECRET_FILE` (ignored for SQLite, whose secret is beside its file).
    pub async fn open_with_secret(database: &str, postgres_secret: Option<PathBuf>) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        if is_postgres_url(database) {
            Self::open_postgres(database, postgres_secret).await
        } else {
            Self::open_sqlite(database).await
        }
    }

    async fn open_sqlite(database: &str) -> anyhow::Result<Self> {
        let filename = if database.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(database).with_context(|| format!("reading database URL {database}"))?.get_filename().to_owned()
        } else {
            PathBuf::from(database)
        };
        let in_memory = matches!(database, "" | ":memory:" | "sqlite::memory:" | "sqlite://:memory:");
        let url = if in_memory { "sqlite::memory:".to_owned() } else { sqlite_url(&filename)? };
        // Every connection: FULL, so an acknowledged answer survives a power cut (the phone forgets
        // it once acknowledged); erased content overwritten with zeros, not left in free space.
        let options = || {
            AnyPoolOptions::new().after_connect(|connection, _| {
                Box::pin(async move {
                    for pragma in SQLITE_CONNECTION_SETUP {
                        connection.execute(pragma).await?;
                    }
                    Ok(())
                })
            })
        };
        // Held until both pools are open: switching a new file to WAL also needs the file alone.
        // It also keeps two processes from creating two different secret files.
        let lock = if in_memory { None } else { lock_for_setup(&filename).await? };
        let writer = options().max_connections(1).connect(&url).await.with_context(|| format!("cannot open the database {database}"))?;
        sqlx::migrate!("./migrations").run(&writer).await.context("updating the database schema")?;
        let code_key = match secret_path(&filename).filter(|_| !in_memory) {
            None => CodeKey::random(),
            Some(path) => {
                let (key, created) = load_or_create_secret(&path)?;
                key_the_codes(&writer, Backend::Sqlite, &key, &path, created).await?;
                key
            }
        };
        // An in-memory database exists once per connection: it keeps its single one.
        let reader = if in_memory {
            writer.clone()
        } else {
            options().max_connections(4).connect(&url).await.with_context(|| format!("cannot open the database {database}"))?
        };
        drop(lock);
        Ok(Self { writer, reader, backend: Backend::Sqlite, code_key: Arc::new(code_key) })
    }

    /// PostgreSQL: one pool for reads and writes (the database orders concurrent writers itself),
    /// the shared migrations plus PostgreSQL's own (`migrations-postgres/`), run under sqlx's
    /// advisory lock so that servers starting together do not apply one twice.
    async fn open_postgres(database: &str, secret: Option<PathBuf>) -> anyhow::Result<Self> {
        let secret = secret.with_context(|| {
            format!(
                "{SECRET_FILE_ENV} is not set: with PostgreSQL, the secret of the join codes is kept in a file outside the \
                 database; set {SECRET_FILE_ENV}=/path/to/hocso.secret (created if missing), the same file on every server \
                 of this database"
            )
        })?;
        let pool = AnyPoolOptions::new()
            .max_connections(POSTGRES_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(30))
            .connect(database)
            .await
            .with_context(|| format!("cannot open the database {}", without_password(database)))?;
        let mut shared = sqlx::migrate!("./migrations");
        let mut own = sqlx::migrate!("./migrations-postgres");
        // Two sets in one table: each must not take the other's for missing files.
        shared.set_ignore_missing(true);
        own.set_ignore_missing(true);
        shared.run(&pool).await.context("updating the database schema")?;
        own.run(&pool).await.context("updating the database schema (PostgreSQL)")?;
        let (key, created) = load_or_create_secret(&secret)?;
        key_the_codes(&pool, Backend::Postgres, &key, &secret, created).await?;
        Ok(Self { writer: pool.clone(), reader: pool, backend: Backend::Postgres, code_key: Arc::new(key) })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn create_team(&self, name: &str, commune: &str) -> Result<TeamCodes, StoreError> {
        let team = TeamInfo { id: format!("t-{}", random_hex(5)), name: name.to_owned(), commune: commune.to_owned() };
        let (join_code, leader_code) = (new_code(), new_code());
        sqlx::query("INSERT INTO teams (id, name, commune, join_code_hash, leader_code_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&team.id)
            .bind(&team.name)
            .bind(&team.commune)
            .bind(self.code_key.hash(&join_code))
            .bind(self.code_key.hash(&leader_code))
            .bind(now_ms())
            .execute(&self.writer)
            .await?;
        Ok(TeamCodes { team, join_code, leader_code })
    }

    /// New join and leader codes; the old ones stop working (joined devices keep their tokens).
    pub async fn rotate_codes(&self, team_id: &str) -> Result<TeamCodes, StoreError> {
        let (join_code, leader_code) = (new_code(), new_code());
        let row = sqlx::query("UPDATE teams SET join_code_hash = $1, leader_code_hash = $2 WHERE id = $3 RETURNING id, name, commune")
            .bind(self.code_key.hash(&join_code))
            .bind(self.code_key.hash(&leader_code))
            .bind(team_id)
            .fetch_optional(&self.writer)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("team {team_id}")))?;
        Ok(TeamCodes { team: team_from(&row, 0)?, join_code, leader_code })
    }

    pub async fn list_teams(&self) -> Result<Vec<TeamSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.id, t.name, t.commune,
                (SELECT COUNT(*) FROM devices d WHERE d.team_id = t.id AND d.revoked_at IS NULL),
                (SELECT COUNT(*) FROM devices d WHERE d.team_id = t.id AND d.revoked_at IS NOT NULL),
                (SELECT COUNT(*) FROM learners l WHERE l.team_id = t.id),
                (SELECT COUNT(*) FROM events e WHERE e.team_id = t.id)
             FROM teams t ORDER BY t.commune, t.name",
        )
        .fetch_all(&self.reader)
        .await?;
        let summary = |r: &AnyRow| -> Result<TeamSummary, sqlx::Error> {
            Ok(TeamSummary {
                team: team_from(r, 0)?,
                devices: r.try_get(3)?,
                revoked_devices: r.try_get(4)?,
                learners: r.try_get(5)?,
                events: r.try_get(6)?,
            })
        };
        Ok(rows.iter().map(summary).collect::<Result<_, _>>()?)
    }

    /// Devices of a team: (id, name, role, revoked).
    pub async fn list_devices(&self, team_id: &str) -> Result<Vec<(String, String, String, bool)>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name, role, CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END FROM devices WHERE team_id = $1 ORDER BY created_at")
                .bind(team_id)
                .fetch_all(&self.reader)
                .await?;
        let device = |r: &AnyRow| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, flag(r, 3)?));
        Ok(rows.iter().map(device).collect::<Result<_, _>>()?)
    }

    /// The device's token stops working at once; what it already sent stays. Joining again with a
    /// valid code and proof of being that device (a token it held) brings it back.
    pub async fn revoke_device(&self, device_id: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(device_id)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("active device {device_id}")));
        }
        Ok(())
    }

    /// A phone joins with a code (the join code: member; the leader code: leader).
    ///
    /// - No `device_id`: a new device with a new random id.
    /// - A `device_id` the server does not know: a new device with that id (a phone that recorded
    ///   answers before joining keeps numbering them).
    /// - A known `device_id` and `proof`, a token that device holds or held: the same device gets a
    ///   new token (the old ones stay proof for later joins, not keys), the code's role, is no
    ///   longer removed, and moves to the code's team if that is another one (see [`move_device`]).
    /// - A known `device_id` without valid proof: a new device with a new random id. The existing
    ///   device is not touched: nobody takes a phone over by knowing its id.
    ///
    /// Becoming an active device of a team that has [`MAX_ACTIVE_DEVICES_PER_TEAM`] is refused.
    pub async fn join(&self, code: &str, device_name: &str, device_id: Option<&str>, proof: Option<&str>) -> Result<Joined, StoreError> {
        self.retrying(|| self.join_once(code, device_name, device_id, proof)).await
    }

    async fn join_once(&self, code: &str, device_name: &str, device_id: Option<&str>, proof: Option<&str>) -> Result<Joined, StoreError> {
        let hash = self.code_key.hash(code);
        let now = now_ms();
        let mut tx = self.writer.begin_with(self.backend.begin_write()).await?;
        let row = sqlx::query(
            "SELECT id, name, commune, CASE WHEN leader_code_hash = $1 THEN 1 ELSE 0 END FROM teams
             WHERE join_code_hash = $2 OR leader_code_hash = $3",
        )
        .bind(&hash)
        .bind(&hash)
        .bind(&hash)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::InvalidCode)?;
        let team = team_from(&row, 0)?;
        let role = if flag(&row, 3)? { Role::Leader } else { Role::Member };
        // Locks the team's row (PostgreSQL) until the join is done: two joins through two servers
        // at once are counted one after the other against MAX_ACTIVE_DEVICES_PER_TEAM.
        sqlx::query("UPDATE teams SET rev = rev WHERE id = $1").bind(&team.id).execute(&mut *tx).await?;
        let device_token = format!("hs_{}", random_hex(32));
        let token_hash = sha256_hex(&device_token);

        let existing = match device_id {
            None => None,
            Some(id) => sqlx::query("SELECT team_id, CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END FROM devices WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((id, r.try_get::<String, _>(0)?, flag(&r, 1)?)))
                .transpose()?,
        };
        let proven = match (&existing, proof) {
            (Some((id, _, _)), Some(proof)) => sqlx::query("SELECT 1 FROM device_tokens WHERE token_hash = $1 AND device_id = $2")
                .bind(sha256_hex(proof))
                .bind(*id)
                .fetch_optional(&mut *tx)
                .await?
                .is_some(),
            _ => false,
        };
        let (device_id, outcome) = match (existing, proven) {
            (Some((id, old_team, revoked)), true) => {
                if old_team != team.id || revoked {
                    check_room(&mut tx, &team.id).await?;
                }
                sqlx::query("UPDATE devices SET name = $1, role = $2, token_hash = $3, revoked_at = NULL, team_id = $4 WHERE id = $5")
                    .bind(device_name)
                    .bind(role.as_str())
                    .bind(&token_hash)
                    .bind(&team.id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                if old_team != team.id {
                    move_device(&mut tx, id, &old_team, &team.id, now).await?;
                }
                (id.to_owned(), JoinOutcome::Same)
            }
            (existing, _) => {
                let (id, outcome) = match (device_id, existing) {
                    (Some(id), None) => (id.to_owned(), JoinOutcome::New),
                    (None, _) => (format!("d-{}", random_hex(8)), JoinOutcome::New),
                    (Some(_), Some(_)) => (format!("d-{}", random_hex(8)), JoinOutcome::Renumbered),
                };
                check_room(&mut tx, &team.id).await?;
                sqlx::query("INSERT INTO devices (id, team_id, name, role, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(&id)
                    .bind(&team.id)
                    .bind(device_name)
                    .bind(role.as_str())
                    .bind(&token_hash)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                (id, outcome)
            }
        };
        sqlx::query("INSERT INTO device_tokens (token_hash, device_id, created_at) VALUES ($1, $2, $3)")
            .bind(&token_hash)
            .bind(&device_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        debug_assert!(is_valid_device_id(&device_id));
        Ok(Joined { device_id, device_token, team, role, outcome })
    }

    pub async fn authenticate(&self, token: &str) -> Result<AuthDevice, StoreError> {
        let row = sqlx::query(
            "SELECT d.id, d.role, CASE WHEN d.revoked_at IS NULL THEN 0 ELSE 1 END, t.id, t.name, t.commune
             FROM devices d JOIN teams t ON t.id = d.team_id WHERE d.token_hash = $1",
        )
        .bind(sha256_hex(token))
        .fetch_optional(&self.reader)
        .await?
        .ok_or(StoreError::InvalidToken)?;
        if flag(&row, 2)? {
            return Err(StoreError::Revoked);
        }
        Ok(AuthDevice { id: row.try_get(0)?, role: role_from(row.try_get(1)?), team: team_from(&row, 3)? })
    }

    /// Stores a validated push in one transaction: every event id at most once, profiles
    /// last-writer-wins, erasure (see [`placeholder`] and [`erase_learner_data`]). On any error nothing
    /// is stored.
    pub async fn push(&self, device: &AuthDevice, push: &PushRequest) -> Result<PushResponse, StoreError> {
        self.retrying(|| self.push_once(device, push)).await
    }

    async fn push_once(&self, device: &AuthDevice, push: &PushRequest) -> Result<PushResponse, StoreError> {
        let now = now_ms();
        let team = &device.team.id;
        let mut tx = self.writer.begin_with(self.backend.begin_write()).await?;
        // First, so that it locks the device's row (PostgreSQL): two pushes of one phone, through
        // two servers at once, run one after the other, and the second sees what the first stored
        // when it walks `acked_seq` (both walking from the same old value could each miss the
        // other's events, and the phone would be told less than is stored). The leader's dashboard
        // shows when each phone last synced. SQLite's single writer orders them anyway.
        sqlx::query("UPDATE devices SET last_push_at = $1 WHERE id = $2").bind(now).bind(&device.id).execute(&mut *tx).await?;

        // Placeholders name no learner; every other learner id must be this team's (or new).
        let learners: BTreeSet<&str> = push
            .events
            .iter()
            .filter(|e| !e.is_erased())
            .map(|e| e.learner_id.as_str())
            .chain(push.profiles.iter().map(|p| p.id.as_str()))
            .filter(|id| !id.is_empty())
            .collect();
        let mut erased_learners = BTreeSet::new();
        for learner in learners {
            let inserted = sqlx::query("INSERT INTO learners (id, team_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
                .bind(learner)
                .bind(team)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if inserted.rows_affected() == 0 {
                let owner: String = sqlx::query_scalar("SELECT team_id FROM learners WHERE id = $1").bind(learner).fetch_one(&mut *tx).await?;
                if &owner != team {
                    return Err(StoreError::LearnerOfAnotherTeam(learner.to_owned()));
                }
                let erased: Option<i64> = sqlx::query_scalar("SELECT CASE WHEN deleted THEN 1 ELSE 0 END FROM profiles WHERE id = $1")
                    .bind(learner)
                    .fetch_optional(&mut *tx)
                    .await?;
                if erased == Some(1) {
                    erased_learners.insert(learner);
                }
            }
        }

        // Events with content first, many rows per statement; then placeholders, which may wipe
        // one of them (an event and its erasure in one push end erased, as in push order).
        let (to_wipe, to_insert): (Vec<&ProgressEvent>, Vec<&ProgressEvent>) =
            push.events.iter().partition(|event| event.is_erased() || erased_learners.contains(event.learner_id.as_str()));
        let new_ids = insert_events(&mut tx, team, &to_insert, now).await?;
        let mut stored = u32::try_from(new_ids.len()).unwrap_or(u32::MAX);
        let days: BTreeSet<(&str, i64)> = to_insert
            .iter()
            .filter(|event| new_ids.contains(event.id.as_str()))
            .filter_map(|event| reports::learning_day(event).map(|day| (event.learner_id.as_str(), day)))
            .collect();
        for (learner, day) in days {
            reports::add_learner_day(&mut tx, team, learner, day).await?;
        }
        for event in to_wipe {
            stored += u32::from(placeholder(&mut tx, team, event, now).await?);
        }

        let mut profiles_applied = 0u32;
        let mut erased = false;
        for profile in &push.profiles {
            if upsert_profile(&mut tx, team, &device.id, profile).await? {
                profiles_applied += 1;
                if profile.deleted {
                    let erasure = erase_learner_data(&mut tx, team, &profile.id).await?;
                    let (events, attendees) = (erasure.events, erasure.attendee_records);
                    tracing::info!(team, learner = %profile.id, events, attendees, "learner erased");
                    erased = true;
                }
            }
        }

        let mut acked = acked_seq(&mut tx, &device.id).await?;
        if stored > 0 {
            let before = acked;
            loop {
                let seqs: Vec<i64> = sqlx::query_scalar("SELECT seq FROM events WHERE device_id = $1 AND seq > $2 ORDER BY seq LIMIT 1000")
                    .bind(&device.id)
                    .bind(acked)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut walked = 0;
                for seq in &seqs {
                    if *seq != acked + 1 {
                        break;
                    }
                    acked = *seq;
                    walked += 1;
                }
                if walked < 1000 {
                    break;
                }
            }
            if acked != before {
                sqlx::query("UPDATE devices SET acked_seq = $1 WHERE id = $2").bind(acked).bind(&device.id).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        if erased {
            self.forget_old_pages().await;
        }
        let received = u32::try_from(push.events.len()).unwrap_or(u32::MAX);
        Ok(PushResponse {
            acked_through_seq: u64::try_from(acked).unwrap_or(0),
            stored,
            duplicates: received.saturating_sub(stored),
            profiles_applied,
        })
    }

    /// The team's profiles changed after `cursor`, oldest change first.
    pub async fn pull(&self, device: &AuthDevice, cursor: u64, limit: u32) -> Result<PullPage, StoreError> {
        // Read before the profiles: revisions are handed out one transaction at a time per team
        // (`next_rev` locks the team's row until commit), so every profile with a revision up to
        // this one is committed by now and the query below sees it; the cursor may then move past
        // it without skipping any.
        let recordings_rev: i64 =
            sqlx::query_scalar("SELECT recordings_rev FROM teams WHERE id = $1").bind(&device.team.id).fetch_one(&self.reader).await?;
        let recordings_rev = u64::try_from(recordings_rev).map_err(undecodable)?;
        let mut rows = sqlx::query(
            "SELECT id, nickname, avatar, colour, updated_at, CASE WHEN deleted THEN 1 ELSE 0 END, device_id, rev
             FROM profiles WHERE team_id = $1 AND rev > $2 ORDER BY rev LIMIT $3",
        )
        .bind(&device.team.id)
        .bind(i64::try_from(cursor).unwrap_or(i64::MAX))
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.reader)
        .await?;
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = match rows.last() {
            Some(row) => u64::try_from(row.try_get::<i64, _>(7)?).map_err(undecodable)?,
            None => cursor,
        };
        let profile = |r: &AnyRow| -> Result<TeamProfile, sqlx::Error> {
            Ok(TeamProfile {
                profile: Profile {
                    id: r.try_get(0)?,
                    nickname: r.try_get(1)?,
                    avatar: r.try_get(2)?,
                    colour: r.try_get(3)?,
                    updated_at: r.try_get(4)?,
                    deleted: flag(r, 5)?,
                },
                device_id: r.try_get(6)?,
            })
        };
        let profiles = rows.iter().map(profile).collect::<Result<_, _>>()?;
        let acked: i64 = sqlx::query_scalar("SELECT acked_seq FROM devices WHERE id = $1").bind(&device.id).fetch_one(&self.reader).await?;
        let (recordings, next) = if !has_more && recordings_rev > cursor {
            (Some(self.approved_recordings(&device.team.id, None).await?), next.max(recordings_rev))
        } else {
            (None, next)
        };
        Ok(PullPage { profiles, recordings, cursor: next, has_more, acked_through_seq: u64::try_from(acked).unwrap_or(0) })
    }

    /// `hocso learner erase`: the learner's profile becomes a tombstone written by [`SERVER_DEVICE`]
    /// (so phones that pull delete the learner too) and every event naming them a placeholder, in
    /// one transaction. The tombstone is dated now, or just after the profile's last write if a
    /// phone's clock put that later, so that it wins last-writer-wins on every phone.
    pub async fn erase_learner(&self, team_id: &str, learner_id: &str) -> Result<Erasure, StoreError> {
        let mut tx = self.writer.begin_with(self.backend.begin_write()).await?;
        let owner: Option<String> =
            sqlx::query_scalar("SELECT team_id FROM learners WHERE id = $1").bind(learner_id).fetch_optional(&mut *tx).await?;
        if owner.as_deref() != Some(team_id) {
            return Err(StoreError::NotFound(format!("learner {learner_id} of team {team_id}")));
        }
        let current: Option<(i64, String)> =
            sqlx::query_as("SELECT updated_at, nickname FROM profiles WHERE id = $1").bind(learner_id).fetch_optional(&mut *tx).await?;
        let at = current.as_ref().map_or(now_ms(), |(updated_at, _)| now_ms().max(updated_at.saturating_add(1)));
        write_profile(&mut tx, team_id, SERVER_DEVICE, &Profile::tombstone(learner_id, at)).await?;
        let mut erasure = erase_learner_data(&mut tx, team_id, learner_id).await?;
        erasure.had_profile = current.is_some_and(|(_, nickname)| !nickname.is_empty());
        tx.commit().await?;
        self.forget_old_pages().await;
        Ok(erasure)
    }

    /// After an erasure: the pages as they were before stay in the write-ahead log (`-wal`) until
    /// a checkpoint copies the new ones into the database and empties it. Done at once, so that the
    /// erased data leaves the files now (`secure_delete` already zeroes it in the database itself).
    /// Best effort: a long read still running only leaves it to SQLite's next automatic checkpoint.
    async fn forget_old_pages(&self) {
        // PostgreSQL has no such file; its old row versions go at the next (auto)vacuum (README).
        if self.backend != Backend::Sqlite {
            return;
        }
        match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&self.writer).await {
            Ok((0, _, _)) => {}
            Ok(_) => tracing::warn!("a reader kept the checkpoint after an erasure from finishing; SQLite finishes it later"),
            Err(error) => tracing::warn!(%error, "checkpoint after an erasure"),
        }
    }

    /// Ids of a team's stored events, in id order (for tests and reports).
    pub async fn event_ids(&self, team_id: &str) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT id FROM events WHERE team_id = $1 ORDER BY id").bind(team_id).fetch_all(&self.reader).await?)
    }

    /// One small read of the file itself (not `SELECT 1`, which SQLite answers without it): for
    /// `/healthz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1 FROM teams LIMIT 1").fetch_optional(&self.reader).await?;
        Ok(())
    }

    pub async fn event_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(&self.reader).await?)
    }

    /// A stored event as the phone sent it (an erased one as its placeholder).
    pub async fn event(&self, id: &str) -> Result<Option<ProgressEvent>, StoreError> {
        let row = sqlx::query("SELECT id, device_id, seq, learner_id, lesson_id, lesson_version, at, kind FROM events WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let kind: &str = r.try_get(7)?;
        Ok(Some(ProgressEvent {
            id: r.try_get(0)?,
            device_id: r.try_get(1)?,
            seq: u64::try_from(r.try_get::<i64, _>(2)?).map_err(undecodable)?,
            learner_id: r.try_get(3)?,
            lesson_id: r.try_get(4)?,
            lesson_version: r.try_get(5)?,
            at: r.try_get(6)?,
            kind: serde_json::from_str(kind).map_err(undecodable)?,
        }))
    }

    /// Runs a write transaction again when it was aborted only because another server process wrote
    /// at the same time. PostgreSQL: a deadlock, a serialisation failure, or a unique key taken
    /// between the check and the insert (e.g. one new device id joined through two servers). SQLite
    /// (two processes on one file): the file was written by the other process after this
    /// transaction's first read (SQLITE_BUSY_SNAPSHOT), or stayed locked beyond the busy timeout.
    /// The retry sees the other's committed rows and answers as one writer would have.
    async fn retrying<T, F: std::future::Future<Output = Result<T, StoreError>>>(&self, mut attempt: impl FnMut() -> F) -> Result<T, StoreError> {
        let transient: &[&str] = match self.backend {
            Backend::Postgres => &["40001", "40P01", "23505"],
            Backend::Sqlite => &["5", "517"],
        };
        let mut tries = 1;
        loop {
            match attempt().await {
                Err(StoreError::Database(sqlx::Error::Database(error)))
                    if tries < 5 && error.code().is_some_and(|code| transient.contains(&code.as_ref())) =>
                {
                    tracing::debug!(%error, tries, "a write met another server's: trying again");
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

/// Brings the codes' hashes under `key`: a database from before migration 0004 holds plain sha256
/// hashes, which are keyed now; a database whose check does not match the secret file is refused,
/// unless the file was just created (the old one is lost: the codes must be renewed).
async fn key_the_codes(writer: &AnyPool, backend: Backend, key: &CodeKey, path: &Path, created: bool) -> anyhow::Result<()> {
    let mut tx = writer.begin_with(backend.begin_write()).await?;
    let check: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'code_key_check'").fetch_optional(&mut *tx).await?;
    match check {
        Some(check) if check == key.check() => {}
        Some(_) if !created => anyhow::bail!(
            "{} is not the secret this database's codes were hashed with (copied from another server?): put back \
             the file that belongs with this database; if it is lost, delete it and renew every team's codes with \
             `hocso team rotate-codes`",
            path.display()
        ),
        old => {
            if old.is_some() {
                tracing::warn!(
                    secret = %path.display(),
                    "the secret file was missing and a new one was made: the teams' join and leader codes no longer \
                     work; give each team new ones with `hocso team rotate-codes --team …` (joined phones keep working)"
                );
            }
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ('code_key_check', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key.check())
            .execute(&mut *tx)
            .await?;
        }
    }
    let unkeyed = sqlx::query(
        "SELECT id, join_code_hash, leader_code_hash FROM teams
         WHERE join_code_hash NOT LIKE 'k1:%' OR leader_code_hash NOT LIKE 'k1:%'",
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in &unkeyed {
        let rekey = |hash: String| if hash.starts_with(KEYED) { hash } else { key.keyed(&hash) };
        sqlx::query("UPDATE teams SET join_code_hash = $1, leader_code_hash = $2 WHERE id = $3")
            .bind(rekey(row.try_get(1)?))
            .bind(rekey(row.try_get(2)?))
            .bind(row.try_get::<String, _>(0)?)
            .execute(&mut *tx)
            .await?;
    }
    if !unkeyed.is_empty() {
        tracing::info!(teams = unkeyed.len(), "the codes' hashes are now keyed with {}", path.display());
    }
    tx.commit().await?;
    Ok(())
}

/// Refuses a new active device in a full team.
async fn check_room(tx: &mut sqlx::Transaction<'_, Any>, team: &str) -> Result<(), StoreError> {
    let active: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM devices WHERE team_id = $1 AND revoked_at IS NULL").bind(team).fetch_one(&mut **tx).await?;
    if active >= MAX_ACTIVE_DEVICES_PER_TEAM {
        return Err(StoreError::TeamFull);
    }
    Ok(())
}

/// A device joined another team. Its stored events stay with the old team (they were that team's
/// work); its learners go with it: those whose stored events all came from this device (with at
/// least one, or whose profile it wrote last), and their profiles, which the new team's phones pull.
/// So its later pushes naming them are not refused as another team's learners.
async fn move_device(tx: &mut sqlx::Transaction<'_, Any>, device: &str, old_team: &str, new_team: &str, now: i64) -> Result<(), StoreError> {
    let learners: Vec<String> = sqlx::query_scalar(
        "SELECT l.id FROM learners l WHERE l.team_id = $1
            AND NOT EXISTS (SELECT 1 FROM events e WHERE e.learner_id = l.id AND e.device_id <> $2)
            AND (EXISTS (SELECT 1 FROM events e WHERE e.learner_id = l.id AND e.device_id = $3)
                OR EXISTS (SELECT 1 FROM profiles p WHERE p.id = l.id AND p.device_id = $4))",
    )
    .bind(old_team)
    .bind(device)
    .bind(device)
    .bind(device)
    .fetch_all(&mut **tx)
    .await?;
    for learner in &learners {
        sqlx::query("UPDATE learners SET team_id = $1, created_at = $2 WHERE id = $3")
            .bind(new_team)
            .bind(now)
            .bind(learner)
            .execute(&mut **tx)
            .await?;
        let has_profile: Option<i64> = sqlx::query_scalar("SELECT 1 FROM profiles WHERE id = $1").bind(learner).fetch_optional(&mut **tx).await?;
        if has_profile.is_some() {
            let rev = next_rev(tx, new_team).await?;
            sqlx::query("UPDATE profiles SET team_id = $1, rev = $2 WHERE id = $3").bind(new_team).bind(rev).bind(learner).execute(&mut **tx).await?;
        }
    }
    if !learners.is_empty() {
        tracing::info!(device, from = old_team, to = new_team, learners = learners.len(), "device moved with its learners");
    }
    Ok(())
}

async fn acked_seq(tx: &mut sqlx::Transaction<'_, Any>, device: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT acked_seq FROM devices WHERE id = $1").bind(device).fetch_one(&mut **tx).await?)
}

/// The team's next revision: orders the pull cursor.
async fn next_rev(tx: &mut sqlx::Transaction<'_, Any>, team: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("UPDATE teams SET rev = rev + 1 WHERE id = $1 RETURNING rev").bind(team).fetch_one(&mut **tx).await?)
}

/// Rows per `INSERT` of events: 10 parameters each, far below SQLite's (32,766) and PostgreSQL's
/// (65,535) limits, and few statements per push (each one a round trip to PostgreSQL).
const EVENTS_PER_INSERT: usize = 100;

/// Stores the events whose ids are new (the others are already stored: duplicates); answers the
/// ids it stored.
async fn insert_events(
    tx: &mut sqlx::Transaction<'_, Any>,
    team: &str,
    events: &[&ProgressEvent],
    now: i64,
) -> Result<std::collections::HashSet<String>, StoreError> {
    let mut stored = std::collections::HashSet::new();
    for chunk in events.chunks(EVENTS_PER_INSERT) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|row| format!("({})", (1..=10).map(|column| format!("${}", row * 10 + column)).collect::<Vec<_>>().join(", ")))
            .collect();
        let sql = format!(
            "INSERT INTO events (id, team_id, device_id, seq, learner_id, lesson_id, lesson_version, at, kind, received_at)
             VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
            rows.join(", ")
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for event in chunk {
            let kind = serde_json::to_string(&event.kind).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
            query = query
                .bind(&event.id)
                .bind(team)
                .bind(&event.device_id)
                .bind(i64::try_from(event.seq).map_err(|e| sqlx::Error::Encode(Box::new(e)))?)
                .bind(&event.learner_id)
                .bind(&event.lesson_id)
                .bind(&event.lesson_version)
                .bind(event.at)
                .bind(kind)
                .bind(now);
        }
        stored.extend(query.fetch_all(&mut **tx).await?);
    }
    Ok(stored)
}

/// Keeps an erased event (or one naming an erased learner) as a placeholder: id, team, device and
/// seq, so that `acked_through_seq` walks on without a gap, and nothing of what it said: no learner,
/// no lesson, time 0, kind `{"type":"erased"}`. If the server holds the event with its content, the
/// content is wiped. `true` when the id was not stored before.
async fn placeholder(tx: &mut sqlx::Transaction<'_, Any>, team: &str, event: &ProgressEvent, now: i64) -> Result<bool, StoreError> {
    let held: Option<(String, String)> =
        sqlx::query_as("SELECT team_id, learner_id FROM events WHERE id = $1").bind(&event.id).fetch_optional(&mut **tx).await?;
    if let Some((held_team, learner)) = held {
        sqlx::query("UPDATE events SET learner_id = '', lesson_id = '', lesson_version = '', at = 0, kind = $1 WHERE id = $2 AND kind <> $3")
            .bind(ERASED_KIND)
            .bind(&event.id)
            .bind(ERASED_KIND)
            .execute(&mut **tx)
            .await?;
        reports::recount_learner_days(tx, &held_team, &learner).await?;
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO events (id, team_id, device_id, seq, learner_id, lesson_id, lesson_version, at, kind, received_at)
         VALUES ($1, $2, $3, $4, '', '', '', 0, $5, $6)",
    )
    .bind(&event.id)
    .bind(team)
    .bind(&event.device_id)
    .bind(i64::try_from(event.seq).map_err(|e| sqlx::Error::Encode(Box::new(e)))?)
    .bind(ERASED_KIND)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Erases a learner (whose tombstone was just written): every stored event naming them, in any
/// team (a device that moved left its events behind) and from any device, becomes a placeholder,
/// and so does every session attendee record of the team linked to them.
async fn erase_learner_data(tx: &mut sqlx::Transaction<'_, Any>, team: &str, learner: &str) -> Result<Erasure, StoreError> {
    let events = sqlx::query("UPDATE events SET learner_id = '', lesson_id = '', lesson_version = '', at = 0, kind = $1 WHERE learner_id = $2")
        .bind(ERASED_KIND)
        .bind(learner)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM learner_days WHERE learner_id = $1").bind(learner).execute(&mut **tx).await?;
    // Attendees are stored inside the kind's JSON; the LIKE only narrows, the parse decides.
    let link = format!("%\"learner\":{}%", serde_json::to_string(learner).map_err(|e| sqlx::Error::Encode(Box::new(e)))?);
    let candidates =
        sqlx::query(r#"SELECT id, kind FROM events WHERE team_id = $1 AND kind LIKE '{"type":"attendee\_added"%' ESCAPE '\' AND kind LIKE $2"#)
            .bind(team)
            .bind(link)
            .fetch_all(&mut **tx)
            .await?;
    let mut attendee_records = 0;
    for row in &candidates {
        let linked = match serde_json::from_str::<EventKind>(row.try_get(1)?) {
            Ok(EventKind::AttendeeAdded { attendee, .. }) => attendee.learner.as_deref() == Some(learner),
            _ => false,
        };
        if linked {
            sqlx::query("UPDATE events SET learner_id = '', lesson_id = '', lesson_version = '', at = 0, kind = $1 WHERE id = $2")
                .bind(ERASED_KIND)
                .bind(row.try_get::<&str, _>(0)?)
                .execute(&mut **tx)
                .await?;
            attendee_records += 1;
        }
    }
    Ok(Erasure { events, attendee_records, had_profile: false })
}

/// The one merge rule ([`hocso_core::profile::replaces`]): last writer wins by `(updated_at,
/// device_id)`, except that a tombstone is final: once a learner is erased, no later edit brings
/// their profile back.
async fn upsert_profile(tx: &mut sqlx::Transaction<'_, Any>, team: &str, device_id: &str, profile: &Profile) -> Result<bool, StoreError> {
    let current = sqlx::query("SELECT updated_at, device_id, CASE WHEN deleted THEN 1 ELSE 0 END FROM profiles WHERE id = $1")
        .bind(&profile.id)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(row) = current {
        let current = hocso_core::profile::Version { updated_at: row.try_get(0)?, device: row.try_get(1)?, deleted: flag(&row, 2)? };
        if !hocso_core::profile::replaces(profile.version(device_id), current) {
            return Ok(false);
        }
    }
    write_profile(tx, team, device_id, profile).await?;
    Ok(true)
}

/// Writes a profile with the team's next `rev`. A tombstone keeps only its id, time, device and
/// `deleted`: the nickname, avatar and colour are not kept.
async fn write_profile(tx: &mut sqlx::Transaction<'_, Any>, team: &str, device_id: &str, profile: &Profile) -> Result<(), StoreError> {
    let rev = next_rev(tx, team).await?;
    let (nickname, avatar, colour) =
        if profile.deleted { ("", "", "") } else { (profile.nickname.as_str(), profile.avatar.as_str(), profile.colour.as_str()) };
    sqlx::query(
        "INSERT INTO profiles (id, team_id, nickname, avatar, colour, updated_at, device_id, deleted, rev)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET nickname = excluded.nickname, avatar = excluded.avatar,
            colour = excluded.colour, updated_at = excluded.updated_at, device_id = excluded.device_id,
            deleted = excluded.deleted, rev = excluded.rev
         WHERE profiles.team_id = excluded.team_id",
    )
    .bind(&profile.id)
    .bind(team)
    .bind(nickname)
    .bind(avatar)
    .bind(colour)
    .bind(profile.updated_at)
    .bind(device_id)
    .bind(profile.deleted)
    .bind(rev)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_path_becomes_a_url_that_names_the_same_file() {
        let path = Path::new("/tmp/Tả Van ?#%&=.db");
        let url = sqlite_url(path).unwrap();
        assert!(url.starts_with("sqlite:///tmp/T") && url.ends_with(".db?mode=rwc") && !url[..url.len() - 9].contains(['?', '#', ' ']), "{url}");
        assert_eq!(SqliteConnectOptions::from_str(&url).unwrap().get_filename(), path);
    }

    #[test]
    fn a_password_in_a_database_url_is_not_printed() {
        assert_eq!(without_password("postgres://hocso:s3cret@db.example:5432/hocso"), "postgres://hocso:***@db.example:5432/hocso");
        assert_eq!(without_password("postgres://hocso@db.example/hocso"), "postgres://hocso@db.example/hocso");
        assert_eq!(without_password("hocso.db"), "hocso.db");
    }

    #[test]
    fn codes_are_easy_to_read_aloud() {
        for _ in 0..200 {
            let code = new_code();
            assert_eq!(code.len(), 9);
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
        }
        assert_eq!(normalise_code(" km4r-7xqp "), "KM4R7XQP");
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 of RFC 4231.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        // Test case 6: a key longer than a block is hashed first.
        let mac = hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First");
        assert_eq!(hex(&mac), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    #[test]
    fn a_code_hash_needs_the_key_and_ignores_how_the_code_was_typed() {
        let key = CodeKey::random();
        assert_eq!(key.hash("KM4R-7XQP"), key.hash(" km4r 7xqp"));
        assert!(key.hash("KM4R-7XQP").starts_with("k1:"));
        assert_ne!(key.hash("KM4R-7XQP"), CodeKey::random().hash("KM4R-7XQP"));
        assert_eq!(key.hash("KM4R-7XQP"), key.keyed(&sha256_hex("KM4R7XQP")), "an old sha256 row converts");
        let text = hex(&key.0);
        assert_eq!(CodeKey::parse(&format!("{text}\n")).map(|k| k.0), Some(key.0));
        assert!(CodeKey::parse("not a key").is_none());
        assert!(CodeKey::parse(&"é".repeat(32)).is_none());
    }
}
