//! A throw-away PostgreSQL cluster under `target/`, for running the server's tests (and the bench)
//! against PostgreSQL: Debian's `postgresql` package (installed with apt when missing, as Chromium
//! is), a new cluster on a free port, owned by the `postgres` user, stopped and deleted at the end.
//! Nothing is assumed to be running, and the machine's own clusters are not touched.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

use crate::root;
use crate::run::{output_line, run};

/// Stopped (and its directory deleted) when dropped.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl Cluster {
    /// Creates and starts a cluster in `target/<name>`; whatever an earlier run left there is deleted.
    /// `durable`: commits reach the disk before they are acknowledged, as in production (for the
    /// bench: SQLite's `synchronous = FULL` does the same); tests run without it, faster.
    pub fn start(name: &str, durable: bool) -> anyhow::Result<Cluster> {
        let bin = server_binaries()?;
        let mut dir = root().join("target").join(name);
        if is_root() && !reachable_by_postgres(dir.parent().expect("target/")) {
            // E.g. `cargo xtask test --fresh`, whose clone is in a private temporary directory.
            dir = std::env::temp_dir().join(format!("hocso-{name}"));
            eprintln!("xtask: the postgres user cannot enter target/: the cluster goes to {}", dir.display());
        }
        if dir.exists() {
            // A run that was killed may have left its server running.
            let _ = as_postgres(&bin.join("pg_ctl")).arg("-D").arg(&dir).args(["-m", "immediate", "stop"]).output();
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        if is_root() {
            // initdb refuses to run as root: the cluster belongs to `postgres`.
            run(Command::new("chown").arg("postgres:postgres").arg(&dir))?;
            if !reachable_by_postgres(&dir) {
                bail!("the postgres user cannot enter {}: give the directories above it o+x (chmod o+x)", dir.display());
            }
        }
        run(as_postgres(&bin.join("initdb"))
            .arg("-D")
            .arg(&dir)
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
            .stdout(std::process::Stdio::null()))?;
        let port = free_port()?;
        // Not durable: a throw-away cluster, where a power cut loses nothing that matters.
        let durability = if durable { "" } else { " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" };
        let options = format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300{durability}", dir.display());
        run(as_postgres(&bin.join("pg_ctl")).arg("-D").arg(&dir).args(["-o", &options, "-l"]).arg(dir.join("server.log")).args(["-w", "start"]))
            .with_context(|| format!("starting PostgreSQL (its log: {})", dir.join("server.log").display()))?;
        eprintln!("xtask: PostgreSQL {} running on 127.0.0.1:{port} from {}", version(&bin), dir.display());
        Ok(Cluster { bin, dir, port })
    }

    /// The maintenance database's URL; tests create their own databases through it.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A URL for database `name` of this cluster.
    pub fn database_url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates database `name` (empty).
    pub fn create_database(&self, name: &str) -> anyhow::Result<()> {
        run(Command::new(self.bin.join("createdb")).args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", name]))
    }

    /// Where tests keep the PostgreSQL server's secret of codes (`HOCSO_SECRET_FILE`): beside the
    /// cluster, writable by whoever runs the tests.
    pub fn secret_file(&self) -> PathBuf {
        let mut path = self.dir.as_os_str().to_owned();
        path.push(".secret");
        PathBuf::from(path)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let stopped = as_postgres(&self.bin.join("pg_ctl")).arg("-D").arg(&self.dir).args(["-m", "fast", "-w", "stop"]).output();
        if !stopped.is_ok_and(|o| o.status.success()) {
            eprintln!("xtask: could not stop the PostgreSQL cluster in {}: stop it with pg_ctl", self.dir.display());
            return;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_file(self.secret_file());
    }
}

fn is_root() -> bool {
    output_line(Command::new("id").arg("-u")).is_some_and(|uid| uid == "0")
}

/// `program` run as the `postgres` user when we are root (PostgreSQL refuses root), as us otherwise.
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// The newest installed server's `bin/` (Debian: `/usr/lib/postgresql/<major>/bin`); installs
/// `postgresql` with apt when there is none.
fn server_binaries() -> anyhow::Result<PathBuf> {
    let newest = || -> Option<PathBuf> {
        let mut majors: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .filter_map(|entry| Some((entry.file_name().to_str()?.parse().ok()?, entry.path().join("bin"))))
            .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
            .collect();
        majors.sort();
        majors.pop().map(|(_, bin)| bin)
    };
    if let Some(bin) = newest() {
        return Ok(bin);
    }
    eprintln!("xtask: installing PostgreSQL from Debian (postgresql), for the server tests on PostgreSQL; about 1 min");
    run(crate::install::as_root("apt-get").arg("update"))?;
    run(crate::install::as_root("apt-get")
        .args(["install", "-y", "--no-install-recommends", "postgresql"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    match newest() {
        Some(bin) => Ok(bin),
        None => bail!("postgresql is installed but /usr/lib/postgresql/<version>/bin/initdb is missing"),
    }
}

fn version(bin: &Path) -> String {
    // `postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`
    output_line(Command::new(bin.join("postgres")).arg("--version")).unwrap_or_default().split(' ').nth(2).unwrap_or("").to_owned()
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0").context("finding a free port")?.local_addr()?.port())
}

/// Whether the `postgres` user can enter `dir` (and so every directory above it).
fn reachable_by_postgres(dir: &Path) -> bool {
    Command::new("runuser").args(["-u", "postgres", "--", "test", "-x"]).arg(dir).status().is_ok_and(|s| s.success())
}
