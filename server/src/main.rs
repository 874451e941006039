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
    /// Serve the built app (and the sync API) over HTTP.
    Serve {
        /// Address to listen on (0.0.0.0 to reach it from phones on the same network).
        #[arg(long, env = "HOCSO_ADDR", default_value = "127.0.0.1")]
        addr: IpAddr,
        #[arg(long, env = "HOCSO_PORT", default_value_t = 8080)]
        port: u16,
        /// The built app, as written by `cargo xtask build`.
        #[arg(long, env = "HOCSO_DIST", default_value = "dist")]
        dist: PathBuf,
        /// The sync database: a SQLite file (created if missing) or `sqlite:` URL, or a `postgres://` URL
        /// (then HOCSO_SECRET_FILE names the file of the codes' secret, the same for every server).
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
    /// Check lessons (`check`), count them (`stats`), publish them as content packs (`build`).
    Content(hocso_server::content_cli::ContentArgs),
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "hocso_server=info,warn".into()))
        .init();
    let result = match Cli::parse().command {
        Command::Serve { addr, port, dist, database } => hocso_server::serve(ServeConfig::new(SocketAddr::new(addr, port), dist, database)).await,
        Command::Team(args) => hocso_server::team_cli::team(args).await,
        Command::Device(args) => hocso_server::team_cli::device(args).await,
        Command::Admin(args) => hocso_server::admin_cli::admin(args).await,
        Command::Learner(args) => learner_cli::learner(args).await,
        // Its own exit codes: 1 means "the lessons have errors", which is not a failure to run.
        Command::Content(args) => std::process::exit(hocso_server::content_cli::run(args)),
    };
    if let Err(error) = result {
        eprintln!("hocso: {error:#}");
        std::process::exit(1);
    }
}
