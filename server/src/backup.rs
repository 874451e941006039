//! `hocso backup` and `hocso restore` for a SQLite database, and the lock that tells them a server
//! is using it.
//!
//! A backup is `VACUUM INTO` on a connection of its own: one read transaction, so the copy is the
//! database as it was when the backup started (every push acknowledged before is in it) while
//! phones go on pushing; it is written beside the target under a temporary name and renamed once
//! complete and checked. The secret file that keys the join codes' hashes (`<database>.secret`) is
//! copied beside it: the two belong together.
//!
//! A restore puts a checked backup in place of a database nobody is using, and keeps the previous
//! files (`<database>.before-restore-<time>`): a restore is never the end of data. Phones then send
//! again what the backup lacks (see `server/tests/sync_restore.rs`).
//!
//! PostgreSQL has its own tools (`pg_dump`, README): these commands refuse its URLs.
use std::fs::File;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row};

/// What a SQLite file starts with.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";
/// Tables every HocSo database has (from the first migration on) and other SQLite files lack.
const HOCSO_TABLES: [&str; 5] = ["_sqlx_migrations", "teams", "devices", "events", "profiles"];

/// The file behind `--database` (a path or a `sqlite:` URL).
pub fn database_file(database: &str) -> anyhow::Result<PathBuf> {
    if database.starts_with("postgres:") || database.starts_with("postgresql:") {
        anyhow::bail!("this command is for a SQLite database; for PostgreSQL use pg_dump and pg_restore (see the README's \"Backups\")");
    }
    let options = if database.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(database).with_context(|| format!("reading database URL {database}"))?
    } else {
        SqliteConnectOptions::new().filename(database)
    };
    let path = options.get_filename().to_owned();
    if path.as_os_str().is_empty() || path.as_os_str() == ":memory:" {
        anyhow::bail!("{database} is an in-memory database, which has nothing to back up or restore");
    }
    Ok(path)
}

/// `<path><suffix>`: the files that live beside a database.
pub fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// Held (shared) by every `hocso serve` on a database for as long as it serves, and taken
/// exclusively by `hocso restore`: SQLite's own locks cannot tell, since an idle server may have
/// closed all its connections. `<database>.in-use`.
pub fn hold_in_use(database: &str) -> anyhow::Result<Option<File>> {
    let Ok(path) = database_file(database) else { return Ok(None) };
    let lock = open_lock(&path)?;
    match lock.try_lock_shared() {
        Ok(()) => Ok(Some(lock)),
        Err(std::fs::TryLockError::WouldBlock) => {
            anyhow::bail!("{} is being restored right now (`hocso restore`): start the server once it has finished", path.display())
        }
        Err(std::fs::TryLockError::Error(e)) => Err(anyhow::Error::new(e).context(format!("cannot lock {}", beside(&path, ".in-use").display()))),
    }
}

fn open_lock(database: &Path) -> anyhow::Result<File> {
    let path = beside(database, ".in-use");
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot create the lock file {}", path.display()))
}

/// What a backup or restore copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    pub teams: i64,
    pub events: i64,
}

/// Writes a consistent copy of `database` to `out` (and `<out>.secret`); refuses to overwrite.
pub async fn backup(database: &str, out: &Path) -> anyhow::Result<Contents> {
    let path = database_file(database)?;
    if !path.is_file() {
        anyhow::bail!("there is no database at {}: check --database", path.display());
    }
    check_hocso_file(&path, false).await?;
    if let Some(folder) = out.parent().filter(|folder| !folder.as_os_str().is_empty() && !folder.is_dir()) {
        anyhow::bail!("the folder {} does not exist: create it first (a backup goes into an existing folder)", folder.display());
    }
    for target in [out.to_owned(), beside(out, ".secret")] {
        if target.exists() {
            anyhow::bail!("{} already exists: a backup never overwrites a file; choose another --out", target.display());
        }
    }
    let partial = beside(out, ".partial");
    let _ = std::fs::remove_file(&partial);
    let mut connection = SqliteConnectOptions::new()
        .filename(&path)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .with_context(|| format!("cannot open the database {}", path.display()))?;
    let copied = sqlx::query("VACUUM INTO ?").bind(partial.to_str().context("the --out path is not valid UTF-8")?).execute(&mut connection).await;
    connection.close().await.ok();
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(anyhow::Error::new(error).context(format!("cannot write the backup {}", partial.display())));
    }
    let contents = match check_hocso_file(&partial, true).await {
        Ok(contents) => contents,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error.context("the backup just written does not read back: nothing was kept"));
        }
    };
    File::open(&partial).and_then(|f| f.sync_all()).with_context(|| format!("cannot write the backup {}", partial.display()))?;
    let secret = beside(&path, ".secret");
    if secret.is_file() {
        copy_private(&secret, &beside(out, ".secret"))?;
    } else {
        eprintln!(
            "hocso: warning: {} has no secret file ({}): after a restore, every team's join and leader codes must be renewed",
            path.display(),
            secret.display()
        );
    }
    std::fs::rename(&partial, out).with_context(|| format!("cannot move the backup to {}", out.display()))?;
    Ok(contents)
}

/// Puts the backup `from` in place of `database`, which nobody may be using; the previous files
/// are kept as `<database>.before-restore-<unix time>`. Returns what was restored and where the
/// previous database went (if there was one).
pub async fn restore(from: &Path, database: &str) -> anyhow::Result<(Contents, Option<PathBuf>)> {
    let path = database_file(database)?;
    if !from.is_file() {
        anyhow::bail!("there is no backup at {}: check --from", from.display());
    }
    let contents = check_hocso_file(from, true).await.with_context(|| format!("{} cannot be restored", from.display()))?;
    let lock = open_lock(&path)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            anyhow::bail!("a hocso server is using {}: stop it first (systemctl stop hocso, or Ctrl-C), then restore", path.display())
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(anyhow::Error::new(e).context(format!("cannot lock {}", beside(&path, ".in-use").display())))
        }
    }
    let kept = if path.exists() {
        check_hocso_file(&path, false).await.with_context(|| format!("{} is not replaced", path.display()))?;
        check_nobody_else(&path).await?;
        let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let kept = beside(&path, &format!(".before-restore-{stamp}"));
        for suffix in ["", ".secret", "-wal", "-shm"] {
            let file = beside(&path, suffix);
            if file.exists() {
                std::fs::rename(&file, beside(&kept, suffix)).with_context(|| format!("cannot move {} aside", file.display()))?;
            }
        }
        Some(kept)
    } else {
        None
    };
    // Copied under a temporary name, then renamed: the database is either the old one (moved
    // aside) or the complete backup, never half of it.
    let partial = beside(&path, ".restoring");
    std::fs::copy(from, &partial)
        .and_then(|_| File::open(&partial)?.sync_all())
        .with_context(|| format!("cannot copy the backup to {}", partial.display()))?;
    let from_secret = beside(from, ".secret");
    if from_secret.is_file() {
        copy_private(&from_secret, &beside(&path, ".secret"))?;
    } else {
        eprintln!(
            "hocso: warning: the backup has no secret file ({}): the server will make a new one, and every team's join and leader codes must be renewed (`hocso team rotate-codes`)",
            from_secret.display()
        );
    }
    std::fs::rename(&partial, &path).with_context(|| format!("cannot put the backup in place at {}", path.display()))?;
    drop(lock);
    Ok((contents, kept))
}

/// Fails unless `path` is a readable HocSo database: a SQLite file with HocSo's tables, and, when
/// `thorough` (a backup, not a live database of millions of events), intact.
pub async fn check_hocso_file(path: &Path, thorough: bool) -> anyhow::Result<Contents> {
    let not_hocso = || format!("{} is not a HocSo database", path.display());
    let mut header = [0u8; 16];
    let read = File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header));
    if read.is_err() || &header != SQLITE_HEADER {
        anyhow::bail!("{} (not a SQLite file)", not_hocso());
    }
    let mut connection = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    let result = async {
        let check: String = if thorough { sqlx::query_scalar("PRAGMA quick_check").fetch_one(&mut connection).await? } else { "ok".into() };
        if check != "ok" {
            anyhow::bail!("{} is damaged (SQLite's check says: {check})", path.display());
        }
        let names: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'").fetch_all(&mut connection).await?;
        if let Some(missing) = HOCSO_TABLES.iter().find(|table| !names.iter().any(|name| name == *table)) {
            anyhow::bail!("{} (it has no table {missing})", not_hocso());
        }
        let row = sqlx::query("SELECT (SELECT COUNT(*) FROM teams), (SELECT COUNT(*) FROM events)").fetch_one(&mut connection).await?;
        Ok(Contents { teams: row.try_get(0)?, events: row.try_get(1)? })
    }
    .await;
    connection.close().await.ok();
    result
}

/// Fails when another program (a `hocso team` command, the sqlite3 shell) has the database open.
async fn check_nobody_else(path: &Path) -> anyhow::Result<()> {
    let mut connection = SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(Duration::ZERO)
        .connect()
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    let exclusive = async {
        sqlx::query("PRAGMA locking_mode = EXCLUSIVE").execute(&mut connection).await?;
        sqlx::query("BEGIN EXCLUSIVE").execute(&mut connection).await?;
        sqlx::query("COMMIT").execute(&mut connection).await
    }
    .await;
    // Closing the only connection also folds the write-ahead log into the file.
    connection.close().await.ok();
    exclusive.map(|_| ()).map_err(|_| anyhow::anyhow!("another program has {} open: close it (or stop the server), then restore", path.display()))
}

/// Copies a secret file, readable by its owner only.
fn copy_private(from: &Path, to: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(to).with_context(|| format!("cannot create {}", to.display()))?;
    std::io::Write::write_all(&mut file, &bytes).and_then(|()| file.sync_all()).with_context(|| format!("cannot write {}", to.display()))
}

/// `hocso backup`.
pub async fn backup_command(database: &str, out: &Path) -> anyhow::Result<()> {
    let contents = backup(database, out).await?;
    println!(
        "Backed up {} teams and {} events to {} (and {}: keep the two together, private).",
        contents.teams,
        contents.events,
        out.display(),
        beside(out, ".secret").display()
    );
    Ok(())
}

/// `hocso restore`.
pub async fn restore_command(from: &Path, database: &str) -> anyhow::Result<()> {
    let (contents, kept) = restore(from, database).await?;
    println!("Restored {} teams and {} events from {} into {database}.", contents.teams, contents.events, from.display());
    if let Some(kept) = kept {
        println!("The previous database is kept as {} (delete it once the server runs well).", kept.display());
    }
    println!("Start the server: phones send again what they recorded after this backup.");
    Ok(())
}
