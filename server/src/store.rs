//! All of the server's storage: teams, devices, learners, events and profiles, behind one small
//! interface (the methods of [`Store`]).
//!
//! SQLite today (one file, WAL, one writer connection so writes queue instead of failing with
//! "database is locked"). The SQL is kept portable (`ON CONFLICT … DO NOTHING/UPDATE`, `RETURNING`,
//! no AUTOINCREMENT, times as BIGINT ms) so a Postgres `Store` needs new connection code, not new
//! queries.
use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use hocso_core::progress::ProgressEvent;
use hocso_core::sync::{
    is_valid_device_id, Profile, PushRequest, PushResponse, Role, TeamInfo, TeamProfile,
};
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

mod reports;
pub use reports::{AdminToken, Completion, DeviceStatus, LessonCounts, TeamCounts, TimeRange};

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
    #[error("device id {0:?} is already used by a device of another team")]
    DeviceIdTaken(String),
    #[error("learner {0:?} belongs to another team")]
    LearnerOfAnotherTeam(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A device that presented a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthDevice {
    pub id: String,
    pub team: TeamInfo,
    pub role: Role,
}

/// A team just created or given new codes: the codes are shown once, only their hashes are kept.
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
}

#[derive(Debug, Clone)]
pub struct PullPage {
    pub profiles: Vec<TeamProfile>,
    pub cursor: u64,
    pub has_more: bool,
    pub acked_through_seq: u64,
}

#[derive(Clone)]
pub struct Store {
    /// Exactly one connection: SQLite has one writer at a time, and queueing here is cheaper and
    /// clearer than retrying SQLITE_BUSY.
    writer: SqlitePool,
    reader: SqlitePool,
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

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
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
    let file = tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await?
        .with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(Some(file))
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    /// `database` is a file path or a `sqlite:` URL.
    pub async fn open(database: &str) -> anyhow::Result<Self> {
        if database.starts_with("postgres:") || database.starts_with("postgresql:") {
            anyhow::bail!("Postgres is not supported yet: pass a SQLite file with --database (e.g. hocso.db)");
        }
        let options = if database.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(database).with_context(|| format!("reading database URL {database}"))?
        } else {
            SqliteConnectOptions::new().filename(database)
        }
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: an acknowledged answer survives a power cut (the phone forgets it once acknowledged).
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
        // Held until both pools are open: switching a new file to WAL also needs the file alone.
        let lock = lock_for_setup(options.get_filename()).await?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .with_context(|| format!("cannot open the database {database}"))?;
        sqlx::migrate!("./migrations").run(&writer).await.context("updating the database schema")?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the database {database}"))?;
        drop(lock);
        Ok(Self { writer, reader })
    }

    pub async fn create_team(&self, name: &str, commune: &str) -> Result<TeamCodes, StoreError> {
        let team = TeamInfo { id: format!("t-{}", random_hex(5)), name: name.to_owned(), commune: commune.to_owned() };
        let (join_code, leader_code) = (new_code(), new_code());
        sqlx::query(
            "INSERT INTO teams (id, name, commune, join_code_hash, leader_code_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&team.id)
        .bind(&team.name)
        .bind(&team.commune)
        .bind(sha256_hex(&normalise_code(&join_code)))
        .bind(sha256_hex(&normalise_code(&leader_code)))
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(TeamCodes { team, join_code, leader_code })
    }

    /// New join and leader codes; the old ones stop working (joined devices keep their tokens).
    pub async fn rotate_codes(&self, team_id: &str) -> Result<TeamCodes, StoreError> {
        let (join_code, leader_code) = (new_code(), new_code());
        let row = sqlx::query(
            "UPDATE teams SET join_code_hash = ?, leader_code_hash = ? WHERE id = ? RETURNING name, commune",
        )
        .bind(sha256_hex(&normalise_code(&join_code)))
        .bind(sha256_hex(&normalise_code(&leader_code)))
        .bind(team_id)
        .fetch_optional(&self.writer)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("team {team_id}")))?;
        let team = TeamInfo { id: team_id.to_owned(), name: row.get(0), commune: row.get(1) };
        Ok(TeamCodes { team, join_code, leader_code })
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
        Ok(rows
            .iter()
            .map(|r| TeamSummary {
                team: TeamInfo { id: r.get(0), name: r.get(1), commune: r.get(2) },
                devices: r.get(3),
                revoked_devices: r.get(4),
                learners: r.get(5),
                events: r.get(6),
            })
            .collect())
    }

    /// Devices of a team: (id, name, role, revoked).
    pub async fn list_devices(&self, team_id: &str) -> Result<Vec<(String, String, String, bool)>, StoreError> {
        let rows = sqlx::query("SELECT id, name, role, revoked_at IS NOT NULL FROM devices WHERE team_id = ? ORDER BY created_at")
            .bind(team_id)
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect())
    }

    /// The device's token stops working at once; what it already sent stays.
    pub async fn revoke_device(&self, device_id: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(device_id)
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("active device {device_id}")));
        }
        Ok(())
    }

    /// A phone joins with a code. Joining again with the same device id (same team) gives it a new
    /// token and invalidates the old one; a removed device cannot come back under its old id.
    pub async fn join(&self, code: &str, device_name: &str, device_id: Option<&str>) -> Result<Joined, StoreError> {
        let hash = sha256_hex(&normalise_code(code));
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(
            "SELECT id, name, commune, leader_code_hash = ? FROM teams WHERE join_code_hash = ? OR leader_code_hash = ?",
        )
        .bind(&hash)
        .bind(&hash)
        .bind(&hash)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::InvalidCode)?;
        let team = TeamInfo { id: row.get(0), name: row.get(1), commune: row.get(2) };
        let role = if row.get::<bool, _>(3) { Role::Leader } else { Role::Member };
        let device_id = device_id.map_or_else(|| format!("d-{}", random_hex(8)), str::to_owned);
        let device_token = format!("hs_{}", random_hex(32));
        let existing = sqlx::query("SELECT team_id, revoked_at IS NOT NULL FROM devices WHERE id = ?")
            .bind(&device_id)
            .fetch_optional(&mut *tx)
            .await?;
        match existing {
            None => {
                sqlx::query(
                    "INSERT INTO devices (id, team_id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                )
                .bind(&device_id)
                .bind(&team.id)
                .bind(device_name)
                .bind(role.as_str())
                .bind(sha256_hex(&device_token))
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            }
            Some(row) if row.get::<String, _>(0) != team.id => return Err(StoreError::DeviceIdTaken(device_id)),
            Some(row) if row.get::<bool, _>(1) => return Err(StoreError::Revoked),
            Some(_) => {
                sqlx::query("UPDATE devices SET name = ?, role = ?, token_hash = ? WHERE id = ?")
                    .bind(device_name)
                    .bind(role.as_str())
                    .bind(sha256_hex(&device_token))
                    .bind(&device_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        debug_assert!(is_valid_device_id(&device_id));
        Ok(Joined { device_id, device_token, team, role })
    }

    pub async fn authenticate(&self, token: &str) -> Result<AuthDevice, StoreError> {
        let row = sqlx::query(
            "SELECT d.id, d.role, d.revoked_at IS NOT NULL, t.id, t.name, t.commune
             FROM devices d JOIN teams t ON t.id = d.team_id WHERE d.token_hash = ?",
        )
        .bind(sha256_hex(token))
        .fetch_optional(&self.reader)
        .await?
        .ok_or(StoreError::InvalidToken)?;
        if row.get::<bool, _>(2) {
            return Err(StoreError::Revoked);
        }
        Ok(AuthDevice {
            id: row.get(0),
            role: role_from(row.get(1)),
            team: TeamInfo { id: row.get(3), name: row.get(4), commune: row.get(5) },
        })
    }

    /// Stores a validated push in one transaction: every event id at most once, profiles
    /// last-writer-wins. On any error nothing is stored.
    pub async fn push(&self, device: &AuthDevice, push: &PushRequest) -> Result<PushResponse, StoreError> {
        let now = now_ms();
        let team = &device.team.id;
        let mut tx = self.writer.begin().await?;

        let learners: BTreeSet<&str> =
            push.events.iter().map(|e| e.learner_id.as_str()).chain(push.profiles.iter().map(|p| p.id.as_str())).collect();
        for learner in learners {
            let inserted = sqlx::query("INSERT INTO learners (id, team_id, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING")
                .bind(learner)
                .bind(team)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            if inserted.rows_affected() == 0 {
                let owner: String = sqlx::query_scalar("SELECT team_id FROM learners WHERE id = ?")
                    .bind(learner)
                    .fetch_one(&mut *tx)
                    .await?;
                if &owner != team {
                    return Err(StoreError::LearnerOfAnotherTeam(learner.to_owned()));
                }
            }
        }

        let mut stored = 0u32;
        for event in &push.events {
            stored += insert_event(&mut tx, team, event, now).await? as u32;
        }

        let mut profiles_applied = 0u32;
        for profile in &push.profiles {
            profiles_applied += upsert_profile(&mut tx, team, &device.id, profile).await? as u32;
        }

        let mut acked: i64 = sqlx::query_scalar("SELECT acked_seq FROM devices WHERE id = ?")
            .bind(&device.id)
            .fetch_one(&mut *tx)
            .await?;
        if stored > 0 {
            let before = acked;
            loop {
                let seqs: Vec<i64> =
                    sqlx::query_scalar("SELECT seq FROM events WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT 1000")
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
                sqlx::query("UPDATE devices SET acked_seq = ? WHERE id = ?").bind(acked).bind(&device.id).execute(&mut *tx).await?;
            }
        }
        // The leader's dashboard shows when each phone last synced.
        sqlx::query("UPDATE devices SET last_push_at = ? WHERE id = ?").bind(now).bind(&device.id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(PushResponse {
            acked_through_seq: acked as u64,
            stored,
            duplicates: push.events.len() as u32 - stored,
            profiles_applied,
        })
    }

    /// The team's profiles changed after `cursor`, oldest change first.
    pub async fn pull(&self, device: &AuthDevice, cursor: u64, limit: u32) -> Result<PullPage, StoreError> {
        let rows = sqlx::query(
            "SELECT id, nickname, avatar, colour, updated_at, deleted, device_id, rev
             FROM profiles WHERE team_id = ? AND rev > ? ORDER BY rev LIMIT ?",
        )
        .bind(&device.team.id)
        .bind(cursor as i64)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.reader)
        .await?;
        let has_more = rows.len() > limit as usize;
        let rows = &rows[..rows.len().min(limit as usize)];
        let next = rows.last().map_or(cursor, |r| r.get::<i64, _>(7) as u64);
        let profiles = rows
            .iter()
            .map(|r| TeamProfile {
                profile: Profile {
                    id: r.get(0),
                    nickname: r.get(1),
                    avatar: r.get(2),
                    colour: r.get(3),
                    updated_at: r.get(4),
                    deleted: r.get(5),
                },
                device_id: r.get(6),
            })
            .collect();
        let acked: i64 = sqlx::query_scalar("SELECT acked_seq FROM devices WHERE id = ?")
            .bind(&device.id)
            .fetch_one(&self.reader)
            .await?;
        Ok(PullPage { profiles, cursor: next, has_more, acked_through_seq: acked as u64 })
    }

    /// Ids of a team's stored events, in id order (for tests and reports).
    pub async fn event_ids(&self, team_id: &str) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT id FROM events WHERE team_id = ? ORDER BY id").bind(team_id).fetch_all(&self.reader).await?)
    }

    pub async fn event_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(&self.reader).await?)
    }

    /// A stored event as the phone sent it.
    pub async fn event(&self, id: &str) -> Result<Option<ProgressEvent>, StoreError> {
        let row = sqlx::query(
            "SELECT id, device_id, seq, learner_id, lesson_id, lesson_version, at, kind FROM events WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(|r| ProgressEvent {
            id: r.get(0),
            device_id: r.get(1),
            seq: r.get::<i64, _>(2) as u64,
            learner_id: r.get(3),
            lesson_id: r.get(4),
            lesson_version: r.get(5),
            at: r.get(6),
            kind: serde_json::from_str(r.get::<&str, _>(7)).expect("kind was serialised by us"),
        }))
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    team: &str,
    event: &ProgressEvent,
    now: i64,
) -> Result<bool, StoreError> {
    let kind = serde_json::to_string(&event.kind).expect("an event kind always serialises");
    let done = sqlx::query(
        "INSERT INTO events (id, team_id, device_id, seq, learner_id, lesson_id, lesson_version, at, kind, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&event.id)
    .bind(team)
    .bind(&event.device_id)
    .bind(event.seq as i64)
    .bind(&event.learner_id)
    .bind(&event.lesson_id)
    .bind(&event.lesson_version)
    .bind(event.at)
    .bind(kind)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Last-writer-wins by `(updated_at, device_id)`; every applied write gets the team's next `rev`,
/// which orders the pull cursor.
async fn upsert_profile(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    team: &str,
    device_id: &str,
    profile: &Profile,
) -> Result<bool, StoreError> {
    let current = sqlx::query("SELECT updated_at, device_id FROM profiles WHERE id = ?")
        .bind(&profile.id)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(row) = current {
        if !hocso_core::sync::profile_write_wins(profile.updated_at, device_id, row.get(0), row.get::<&str, _>(1)) {
            return Ok(false);
        }
    }
    let rev: i64 = sqlx::query_scalar("UPDATE teams SET rev = rev + 1 WHERE id = ? RETURNING rev")
        .bind(team)
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO profiles (id, team_id, nickname, avatar, colour, updated_at, device_id, deleted, rev)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET nickname = excluded.nickname, avatar = excluded.avatar,
            colour = excluded.colour, updated_at = excluded.updated_at, device_id = excluded.device_id,
            deleted = excluded.deleted, rev = excluded.rev
         WHERE profiles.team_id = excluded.team_id",
    )
    .bind(&profile.id)
    .bind(team)
    .bind(&profile.nickname)
    .bind(&profile.avatar)
    .bind(&profile.colour)
    .bind(profile.updated_at)
    .bind(device_id)
    .bind(profile.deleted)
    .bind(rev)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_easy_to_read_aloud() {
        for _ in 0..200 {
            let code = new_code();
            assert_eq!(code.len(), 9);
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
        }
        assert_eq!(normalise_code(" km4r-7xqp "), "KM4R7XQP");
    }
}
