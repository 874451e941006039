//! `hocso team …` and `hocso device …`: what an operator does by hand on the server.
use clap::{Args, Subcommand};

use crate::store::{Store, StoreError, TeamCodes};
use crate::DEFAULT_DATABASE;

#[derive(Args)]
pub struct TeamArgs {
    #[command(subcommand)]
    pub command: TeamCommand,
    /// The server's database: a SQLite file or `sqlite:` URL, or a `postgres://` URL.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE, global = true)]
    pub database: String,
}

#[derive(Subcommand)]
pub enum TeamCommand {
    /// Create a commune's team and print its join code (members) and leader code.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        commune: String,
    },
    /// Give a team new codes: the old ones stop working, joined devices stay joined.
    RotateCodes {
        /// The team id (see `hocso team list`).
        #[arg(long)]
        team: String,
    },
    /// List teams with their devices, learners and answers received.
    List,
}

#[derive(Args)]
pub struct DeviceArgs {
    #[command(subcommand)]
    pub command: DeviceCommand,
    /// The server's database: a SQLite file or `sqlite:` URL, or a `postgres://` URL.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE, global = true)]
    pub database: String,
}

#[derive(Subcommand)]
pub enum DeviceCommand {
    /// Remove a device from its team: its token stops working at once; what it sent stays. It comes
    /// back only by joining with a code the team gives it again (and the token it held).
    Revoke {
        /// The device id (see `hocso device list`).
        #[arg(long)]
        device: String,
    },
    /// List a team's devices.
    List {
        #[arg(long)]
        team: String,
    },
}

fn print_codes(codes: &TeamCodes) {
    println!("Team {} — {} (commune: {})", codes.team.id, codes.team.name, codes.team.commune);
    println!("  join code:   {}   (give to team members)", codes.join_code);
    println!("  leader code: {}   (give to the team leader only)", codes.leader_code);
    println!("The codes are shown only now; `hocso team rotate-codes --team {}` makes new ones.", codes.team.id);
}

pub async fn team(args: TeamArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.database).await?;
    let result = match args.command {
        TeamCommand::Create { name, commune } => {
            let (name, commune) = (name.trim(), commune.trim());
            if name.is_empty() || commune.is_empty() {
                anyhow::bail!("--name and --commune must not be empty");
            }
            store.create_team(name, commune).await.map(|codes| print_codes(&codes))
        }
        TeamCommand::RotateCodes { team } => store.rotate_codes(&team).await.map(|codes| print_codes(&codes)),
        TeamCommand::List => store.list_teams().await.map(|teams| {
            if teams.is_empty() {
                println!("No teams yet: `hocso team create --name \"…\" --commune \"…\"`");
            }
            for t in teams {
                println!(
                    "{}  {} (commune: {})  devices: {} (+{} removed)  learners: {}  events: {}",
                    t.team.id, t.team.name, t.team.commune, t.devices, t.revoked_devices, t.learners, t.events
                );
            }
        }),
    };
    store.close().await;
    result.map_err(explain)
}

pub async fn device(args: DeviceArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.database).await?;
    let result = match args.command {
        DeviceCommand::Revoke { device } => store.revoke_device(&device).await.map(|()| {
            println!("Device {device} removed: its token no longer works.");
            println!("It comes back only by joining with a team code. If it was lost or stolen, also give the team new");
            println!("codes (`hocso team rotate-codes`): whoever holds it could otherwise join again with the current ones.");
        }),
        DeviceCommand::List { team } => store.list_devices(&team).await.map(|devices| {
            for (id, name, role, revoked) in devices {
                println!("{id}  {name}  {role}{}", if revoked { "  (removed)" } else { "" });
            }
        }),
    };
    store.close().await;
    result.map_err(explain)
}

fn explain(error: StoreError) -> anyhow::Error {
    match error {
        StoreError::NotFound(what) => anyhow::anyhow!("{what} not found: see `hocso team list` / `hocso device list`"),
        other => anyhow::Error::new(other),
    }
}
