//! `hocso admin …`: tokens for a province (or district) office to read every team's indicators at
//! `GET /api/v1/admin/teams`. Only the token's hash is stored; the token is printed once.
use clap::{Args, Subcommand};

use crate::store::{Store, StoreError};
use crate::DEFAULT_DATABASE;

#[derive(Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub command: AdminCommand,
    /// The server's database: a SQLite file or `sqlite:` URL, or a `postgres://` URL.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE, global = true)]
    pub database: String,
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Make an admin token (read-only: every team's indicators, nothing of the sync API).
    CreateToken {
        /// Who holds it, e.g. "Sở GD&ĐT Lào Cai".
        #[arg(long)]
        name: String,
    },
    /// Stop an admin token at once.
    RevokeToken {
        /// The token's id (see `hocso admin list-tokens`).
        #[arg(long)]
        id: String,
    },
    /// List admin tokens (ids and names; the tokens themselves are never stored).
    ListTokens,
}

pub async fn admin(args: AdminArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.database).await?;
    let result = match args.command {
        AdminCommand::CreateToken { name } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                store.close().await;
                anyhow::bail!("--name must be 1 to 100 characters: who will hold the token");
            }
            store.create_admin_token(name).await.map(|(id, token)| {
                println!("Admin token {id} for {name}:");
                println!("  {token}");
                println!("Send it as `Authorization: Bearer <token>` to GET /api/v1/admin/teams.");
                println!("It is shown only now; `hocso admin revoke-token --id {id}` stops it.");
            })
        }
        AdminCommand::RevokeToken { id } => store.revoke_admin_token(&id).await.map(|()| println!("Admin token {id} revoked: it no longer works.")),
        AdminCommand::ListTokens => store.list_admin_tokens().await.map(|tokens| {
            if tokens.is_empty() {
                println!("No admin tokens yet: `hocso admin create-token --name \"…\"`");
            }
            for t in tokens {
                println!("{}  {}{}", t.id, t.name, if t.revoked { "  (revoked)" } else { "" });
            }
        }),
    };
    store.close().await;
    result.map_err(|error| match error {
        StoreError::NotFound(what) => anyhow::anyhow!("{what} not found: see `hocso admin list-tokens`"),
        other => anyhow::Error::new(other),
    })
}
