//! `hocso`: the command line of the HocSo server.
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use hocso_server::ServeConfig;

mod learner_cli;

#[derive(Parser)]
#[command(name = "hocso", version, about = "HocSo: serve the app, check lessons, run team sync.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the built app (and the sync API) over HTTP or HTTPS.
    Serve {
        /// Address to listen on (0.0.0.0 to reach it from phones on the same network).
        #[arg(long, env = "HOCSO_ADDR", default_value = "127.0.0.1")]
        addr: IpAddr,
        #[arg(long, env = "HOCSO_PORT", default_value_t = 8080)]
        port: u16,
        /// The built app, as written by `cargo xtask build`. Without it: the app built into this
        /// binary (release builds of `cargo xtask build`), else `dist`.
        #[arg(long, env = "HOCSO_DIST")]
        dist: Option<PathBuf>,
        /// The sync database: a SQLite file (created if missing) or `sqlite:` URL, or a `postgres://` URL
        /// (then HOCSO_SECRET_FILE names the file of the codes' secret, the same for every server).
        #[arg(long, env = "DATABASE_URL", default_value = hocso_server::DEFAULT_DATABASE)]
        database: String,
        /// Serve HTTPS with this certificate chain (PEM, e.g. Let's Encrypt's fullchain.pem).
        #[arg(long, env = "HOCSO_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM, e.g. privkey.pem).
        #[arg(long, env = "HOCSO_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Also listen for plain HTTP on this port, only to redirect browsers to HTTPS (e.g. 80).
        #[arg(long, env = "HOCSO_REDIRECT_HTTP_FROM", requires = "tls_cert")]
        redirect_http_from: Option<u16>,
        /// A reverse proxy (Caddy, nginx) in front: trust its X-Forwarded-For and X-Forwarded-Proto.
        /// Only with a proxy: otherwise any client could choose the address it is counted as.
        #[arg(long, env = "HOCSO_TRUST_PROXY")]
        trust_proxy: bool,
        /// This server's https address (e.g. https://hocso.example.vn), when phones may also open it
        /// over plain HTTP on the Wi-Fi: such a page cannot work offline, so it offers this address.
        #[arg(long, env = "HOCSO_PUBLIC_URL", value_name = "URL")]
        public_url: Option<String>,
        /// On Ctrl-C / SIGTERM, how long to let open requests finish before stopping anyway.
        #[arg(long, env = "HOCSO_SHUTDOWN_GRACE", default_value_t = 10, value_name = "SECONDS")]
        shutdown_grace: u64,
        /// The content folder (the tree of `content/`) that trainers publish lessons into, with a
        /// trainer token (`hocso admin create-token --role trainer`). Built into DIST/content at start.
        #[arg(long, env = "HOCSO_CONTENT", value_name = "DIR")]
        content: Option<PathBuf>,
    },
    /// Copy the database while the server runs (SQLite), with its secret file beside the copy.
    Backup {
        #[arg(long, env = "DATABASE_URL", default_value = hocso_server::DEFAULT_DATABASE)]
        database: String,
        /// The backup file to write (never overwritten); `<FILE>.secret` is written beside it.
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a backup in place of the database (the server must be stopped; the old files are kept).
    Restore {
        /// The backup file (`<FILE>.secret` beside it is restored too).
        #[arg(long)]
        from: PathBuf,
        #[arg(long, env = "DATABASE_URL", default_value = hocso_server::DEFAULT_DATABASE)]
        database: String,
    },
    /// Create teams, list them, renew their join codes.
    Team(hocso_server::team_cli::TeamArgs),
    /// Remove a device from its team, list a team's devices.
    Device(hocso_server::team_cli::DeviceArgs),
    /// Erase a learner's data on the server (`erase`): the right to erasure.
    Learner(learner_cli::LearnerArgs),
    /// Admin tokens for a province office: every team's indicators (`create-token`, `revoke-token`).
    Admin(hocso_server::admin_cli::AdminArgs),
    /// Check lessons (`check`), count them (`stats`), build content packs (`build`), send them to a
    /// team server (`publish`), copy a team's approved voices into a lesson (`import-recordings`).
    Content(hocso_server::content_cli::ContentArgs),
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "hocso_server=info,warn".into()))
        .init();
    let command = Cli::parse().command;
    if !matches!(command, Command::Serve { .. }) {
        die_quietly_on_closed_output();
    }
    let result = match command {
        Command::Serve { addr, port, dist, database, tls_cert, tls_key, redirect_http_from, trust_proxy, public_url, shutdown_grace, content } => {
            let public_url = match public_url.as_deref().map(hocso_server::public_url::parse).transpose() {
                Ok(url) => url,
                Err(error) => {
                    eprintln!("hocso: {error:#}");
                    std::process::exit(2);
                }
            };
            let (dist, unpacked) = match hocso_server::embedded::app_folder(dist) {
                Ok(found) => found,
                Err(error) => {
                    eprintln!("hocso: {error:#}");
                    std::process::exit(1);
                }
            };
            if unpacked.is_some() {
                println!("Serving the app built into this hocso (unpacked in {}).", dist.display());
            }
            let mut config = ServeConfig::new(SocketAddr::new(addr, port), dist, database);
            config.tls = tls_cert.zip(tls_key).map(|(cert, key)| hocso_server::tls::TlsFiles { cert, key });
            config.redirect_http_from = redirect_http_from;
            config.trust_proxy = trust_proxy;
            config.public_url = public_url;
            config.content = content;
            config.connections.shutdown_grace = std::time::Duration::from_secs(shutdown_grace);
            let served = hocso_server::serve(config).await;
            // The unpacked app is removed only now, after the last request.
            drop(unpacked);
            served
        }
        Command::Backup { database, out } => hocso_server::backup::backup_command(&database, &out).await,
        Command::Restore { from, database } => hocso_server::backup::restore_command(&from, &database).await,
        Command::Team(args) => hocso_server::team_cli::team(args).await,
        Command::Device(args) => hocso_server::team_cli::device(args).await,
        Command::Admin(args) => hocso_server::admin_cli::admin(args).await,
        Command::Learner(args) => learner_cli::learner(args).await,
        // Its own exit codes: "the lessons have errors" is not a failure to run.
        Command::Content(args) => std::process::exit(hocso_server::content_cli::run(args).await),
    };
    if let Err(error) = result {
        eprintln!("hocso: {error:#}");
        std::process::exit(1);
    }
}

/// `hocso team list | head -1`: a command's output may go to a reader that stops early. Rust ignores
/// SIGPIPE, so the next `println!` panics ("failed printing to stdout: Broken pipe") after the work
/// was already done; command-line tools die quietly instead, as the shell expects. Not for `serve`,
/// whose sockets report a closed connection as an error (std writes with MSG_NOSIGNAL), and which
/// must never stop because a log reader went away.
fn die_quietly_on_closed_output() {
    #[cfg(unix)]
    // SAFETY: called at the start of main, before anything is written; SIG_DFL is a valid
    // disposition for SIGPIPE and `signal` has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
