//! Voices recorded by a team (migration 0006): upload, approval, deletion, and what the team's
//! phones learn of them. Every query names the team: a recording id means nothing outside its team.
//! The rules (what a part, a lesson id or a language is; the sound's limits) are in
//! `hocso_core::recordings` and `hocso_core::audio`; the HTTP answers in `crate::api::recordings`.
use hocso_core::audio::AudioFormat;
use hocso_core::recordings::{RecordingPart, TeamRecording, MAX_RECORDINGS_PER_TEAM};
use hocso_core::sync::{Role, TeamInfo};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{next_rev, now_ms, team_from, undecodable, AuthDevice, Store, StoreError};

/// A checked upload: the sound was sniffed and its limits kept (`check_recording`) before it gets here.
#[derive(Debug, Clone, Copy)]
pub struct NewRecording<'a> {
    pub id: &'a str,
    pub lesson_id: &'a str,
    pub part: RecordingPart,
    pub locale: &'a str,
    pub format: AudioFormat,
    pub duration_ms: Option<u64>,
    pub audio: &'a [u8],
}

/// What an upload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upload {
    /// A new recording.
    Created(TeamRecording),
    /// The same id with the same bytes for the same part was stored already (a retry): nothing changed.
    AlreadyStored(TeamRecording),
}

/// What an approval did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub recording: TeamRecording,
    /// The recording that was the approved voice of the same lesson, step and language until now.
    pub replaced: Option<String>,
    /// False when it was approved already (nothing changed).
    pub changed: bool,
}

const COLUMNS: &str = "id, lesson_id, step, locale, content_type, bytes, duration_ms, sha256, device_id, created_at, approved_by, approved_at";

fn recording_from(row: &AnyRow) -> Result<TeamRecording, sqlx::Error> {
    let unsigned = |index: usize| -> Result<u64, sqlx::Error> { u64::try_from(row.try_get::<i64, _>(index)?).map_err(undecodable) };
    let approved_at: Option<i64> = row.try_get(11)?;
    Ok(TeamRecording {
        id: row.try_get(0)?,
        lesson_id: row.try_get(1)?,
        step: row.try_get(2)?,
        locale: row.try_get(3)?,
        content_type: row.try_get(4)?,
        bytes: unsigned(5)?,
        duration_ms: row.try_get::<Option<i64>, _>(6)?.map(u64::try_from).transpose().map_err(undecodable)?,
        sha256: row.try_get(7)?,
        recorded_by: row.try_get(8)?,
        created_at: row.try_get(9)?,
        approved: approved_at.is_some(),
        approved_by: row.try_get(10)?,
        approved_at,
    })
}

fn sha256_hex_bytes(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

async fn find(tx: &mut sqlx::Transaction<'_, sqlx::Any>, team: &str, id: &str) -> Result<Option<TeamRecording>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM recordings WHERE team_id = $1 AND id = $2"))
        .bind(team)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.as_ref().map(recording_from).transpose()?)
}

fn not_found(id: &str) -> StoreError {
    // The same answer whether the id is unknown or another team's: nothing is revealed.
    StoreError::NotFound(format!("recording {id:?} of your team"))
}

/// Marks the team's approved recordings as changed: phones whose pull cursor is older get the list.
async fn approved_set_changed(tx: &mut sqlx::Transaction<'_, sqlx::Any>, team: &str) -> Result<(), StoreError> {
    let rev = next_rev(tx, team).await?;
    sqlx::query("UPDATE teams SET recordings_rev = $1 WHERE id = $2").bind(rev).bind(team).execute(&mut **tx).await?;
    Ok(())
}

impl Store {
    /// Stores an upload once: the same id again with the same bytes for the same part is
    /// [`Upload::AlreadyStored`]; with anything else it is refused (`Conflict`), as is an upload
    /// beyond [`MAX_RECORDINGS_PER_TEAM`].
    pub async fn put_recording(&self, device: &AuthDevice, new: NewRecording<'_>) -> Result<Upload, StoreError> {
        let sha256 = sha256_hex_bytes(new.audio);
        self.retrying(|| self.put_recording_once(device, new, &sha256)).await
    }

    async fn put_recording_once(&self, device: &AuthDevice, new: NewRecording<'_>, sha256: &str) -> Result<Upload, StoreError> {
        let team = &device.team.id;
        let mut tx = self.writer.begin_with(self.backend.begin_write()).await?;
        if let Some(existing) = find(&mut tx, team, new.id).await? {
            let same_part = existing.lesson_id == new.lesson_id && existing.step == new.part.key() && existing.locale == new.locale;
            if existing.sha256 == sha256 && same_part {
                return Ok(Upload::AlreadyStored(existing));
            }
            let differs = if same_part { "other sound" } else { "another lesson, step or language" };
            return Err(StoreError::Conflict {
                code: "recording_id_taken",
                message: format!(
                    "recording {:?} is already stored with {differs}: a recording never changes; upload a new take with a new id \
                     (nothing was stored)",
                    new.id
                ),
            });
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recordings WHERE team_id = $1").bind(team).fetch_one(&mut *tx).await?;
        if count >= MAX_RECORDINGS_PER_TEAM {
            return Err(StoreError::Conflict {
                code: "too_many_recordings",
                message: format!(
                    "your team already keeps {MAX_RECORDINGS_PER_TEAM} recordings on this server: the team leader can delete takes \
                     no longer needed, then upload again (nothing was stored)"
                ),
            });
        }
        let now = now_ms();
        let bytes = i64::try_from(new.audio.len()).unwrap_or(i64::MAX);
        let duration = new.duration_ms.map(|ms| i64::try_from(ms).unwrap_or(i64::MAX));
        sqlx::query(
            "INSERT INTO recordings (team_id, id, lesson_id, step, locale, content_type, sha256, bytes, duration_ms, audio, device_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(team)
        .bind(new.id)
        .bind(new.lesson_id)
        .bind(new.part.key())
        .bind(new.locale)
        .bind(new.format.mime())
        .bind(sha256)
        .bind(bytes)
        .bind(duration)
        .bind(new.audio)
        .bind(&device.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let stored = find(&mut tx, team, new.id).await?.ok_or_else(|| not_found(new.id))?;
        tx.commit().await?;
        Ok(Upload::Created(stored))
    }

    /// The leader approves a recording: it becomes its team's one voice for its lesson, step and
    /// language, replacing the one approved before (which stays, unapproved, until deleted).
    pub async fn approve_recording(&self, leader: &AuthDevice, id: &str) -> Result<Approval, StoreError> {
        self.retrying(|| self.approve_recording_once(leader, id)).await
    }

    async fn approve_recording_once(&self, leader: &AuthDevice, id: &str) -> Result<Approval, StoreError> {
        let team = &leader.team.id;
        let mut tx = self.writer.begin_with(self.backend.begin_write()).await?;
        let recording = find(&mut tx, team, id).await?.ok_or_else(|| not_found(id))?;
        if recording.approved {
            return Ok(Approval { recording, replaced: None, changed: false });
        }
        // First: locks the team's row (PostgreSQL), so two approvals of one team run one after the other.
        approved_set_changed(&mut tx, team).await?;
        let replaced: Option<String> = sqlx::query_scalar(
            "SELECT id FROM recordings WHERE team_id = $1 AND lesson_id = $2 AND step = $3 AND locale = $4 AND approved_at IS NOT NULL",
        )
        .bind(team)
        .bind(&recording.lesson_id)
        .bind(&recording.step)
        .bind(&recording.locale)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(old) = &replaced {
            sqlx::query("UPDATE recordings SET approved_at = NULL, approved_by = NULL WHERE team_id = $1 AND id = $2")
                .bind(team)
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE recordings SET approved_at = $1, approved_by = $2 WHERE team_id = $3 AND id = $4")
            .bind(now_ms())
            .bind(&leader.id)
            .bind(team)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let recording = find(&mut tx, team, id).await?.ok_or_else(|| not_found(id))?;
        tx.commit().await?;
        Ok(Approval { recording, replaced, changed: true })
    }

    /// Deletes a recording: the leader any of the team's; another device only its own, and only
    /// while it is not approved (the team's voice is the leader's decision).
    pub async fn delete_recording(&self, device: &AuthDevice, id: &str) -> Result<TeamRecording, StoreError> {
        self.retrying(|| self.delete_recording_once(device, id)).await
    }

    async fn delete_recording_once(&self, device: &AuthDevice, id: &str) -> Result<TeamRecording, StoreError> {
        let team = &device.team.id;
        let mut tx = self.writer.begin_with(self.backend.begin_write()).await?;
        let recording = find(&mut tx, team, id).await?.ok_or_else(|| not_found(id))?;
        if device.role != Role::Leader {
            if recording.recorded_by != device.id {
                return Err(StoreError::Forbidden {
                    code: "not_your_recording",
                    message: format!("recording {id:?} was uploaded by another phone: only that phone or the team leader may delete it"),
                });
            }
            if recording.approved {
                return Err(StoreError::Forbidden {
                    code: "leader_only",
                    message: format!("recording {id:?} is the team's approved voice: only the team leader may delete it now"),
                });
            }
        }
        if recording.approved {
            approved_set_changed(&mut tx, team).await?;
        }
        sqlx::query("DELETE FROM recordings WHERE team_id = $1 AND id = $2").bind(team).bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(recording)
    }

    /// Every recording of the team (no sound), by lesson, step, language, then oldest first.
    pub async fn list_recordings(&self, team_id: &str) -> Result<Vec<TeamRecording>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM recordings WHERE team_id = $1 ORDER BY lesson_id, step, locale, created_at, id"))
            .bind(team_id)
            .fetch_all(&self.reader)
            .await?;
        Ok(rows.iter().map(recording_from).collect::<Result<_, _>>()?)
    }

    /// The team's approved recordings (no sound), optionally of one lesson and language.
    pub async fn approved_recordings(&self, team_id: &str, lesson_and_locale: Option<(&str, &str)>) -> Result<Vec<TeamRecording>, StoreError> {
        let (lesson, locale) = lesson_and_locale.unwrap_or(("", ""));
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM recordings WHERE team_id = $1 AND approved_at IS NOT NULL
             AND ($2 = '' OR (lesson_id = $2 AND locale = $3))
             ORDER BY lesson_id, step, locale, id"
        ))
        .bind(team_id)
        .bind(lesson)
        .bind(locale)
        .fetch_all(&self.reader)
        .await?;
        Ok(rows.iter().map(recording_from).collect::<Result<_, _>>()?)
    }

    /// A team by its id (`hocso content import-recordings --team`).
    pub async fn team_info(&self, team_id: &str) -> Result<Option<TeamInfo>, StoreError> {
        let row = sqlx::query("SELECT id, name, commune FROM teams WHERE id = $1").bind(team_id).fetch_optional(&self.reader).await?;
        Ok(row.as_ref().map(|r| team_from(r, 0)).transpose()?)
    }

    /// A recording's description and its sound, if the team has it.
    pub async fn recording_audio(&self, team_id: &str, id: &str) -> Result<Option<(TeamRecording, Vec<u8>)>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS}, audio FROM recordings WHERE team_id = $1 AND id = $2"))
            .bind(team_id)
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let audio: Vec<u8> = row.try_get(12)?;
        let recording = recording_from(&row)?;
        if sha256_hex_bytes(&audio) != recording.sha256 {
            return Err(StoreError::Database(undecodable(format!("the sound of recording {id} does not match its sha256"))));
        }
        Ok(Some((recording, audio)))
    }
}
