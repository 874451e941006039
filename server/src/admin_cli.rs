//! `hocso admin …`: tokens for a province (or district) office to read every team's indicators at
//! `GET /api/v1/admin/teams` (role `province`, the default), and for the trainers who write the
//! lessons to publish them on this server (`--role trainer`: `POST /api/v1/content/publish`,
//! `hocso content publish`). Each role does only its own thing. Only the token's hash is stored;
//! the token is printed once.
use clap::{Args, Subcommand};

use crate::store::{Store, StoreError, TokenRole};
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
    /// Make a token: `province` reads every team's indicators (nothing of the sync API), `trainer`
    /// checks and publishes lessons (nothing else).
    CreateToken {
        /// Who holds it, e.g. "Sở GD&ĐT Lào Cai" or "Tổ biên soạn Sở GD&ĐT".
        #[arg(long)]
        name: String,
        /// `province` (every team's indicators) or `trainer` (publish lessons).
        #[arg(long, default_value = "province", value_parser = parse_role)]
        role: TokenRole,
    },
    /// Stop an admin token at once.
    RevokeToken {
        /// The token's id (see `hocso admin list-tokens`).
        #[arg(long)]
        id: String,
    },
    /// List admin tokens (ids, roles and names; the tokens themselves are never stored).
    ListTokens,
}

pub async fn admin(args: AdminArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.database).await?;
    let result = match args.command {
        AdminCommand::CreateToken { name, role } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                store.close().await;
                anyhow::bail!("--name must be 1 to 100 characters: who will hold the token");
            }
            store.create_token_with_role(name, role).await.map(|(id, token)| {
                println!("{} token {id} for {name}:", capitalised(role));
                println!("  {token}");
                match role {
                    TokenRole::Province => println!("Send it as `Authorization: Bearer <token>` to GET /api/v1/admin/teams."),
                    TokenRole::Trainer => println!(
                        "It publishes lessons on this server: `hocso content publish --server https://<this server> --token <token> content`, \
                         or the \"Soạn bài\" (studio) screen of the team tools (/team)."
                    ),
                }
                println!("It is shown only now; `hocso admin revoke-token --id {id}` stops it.");
            })
        }
        AdminCommand::RevokeToken { id } => store.revoke_admin_token(&id).await.map(|()| println!("Admin token {id} revoked: it no longer works.")),
        AdminCommand::ListTokens => store.list_admin_tokens().await.map(|tokens| {
            if tokens.is_empty() {
                println!("No admin tokens yet: `hocso admin create-token --name \"…\"`");
            }
            for t in tokens {
                println!("{}  {:<8}  {}{}", t.id, t.role, t.name, if t.revoked { "  (revoked)" } else { "" });
            }
        }),
    };
    store.close().await;
    result.map_err(|error| match error {
        StoreError::NotFound(what) => anyhow::anyhow!("{what} not found: see `hocso admin list-tokens`"),
        other => anyhow::Error::new(other),
    })
}

fn parse_role(text: &str) -> Result<TokenRole, String> {
    TokenRole::parse(text).ok_or_else(|| {
        let roles: Vec<&str> = TokenRole::ALL.iter().map(|r| r.as_str()).collect();
        format!("`{text}` is not a role: choose {}", roles.join(" or "))
    })
}

fn capitalised(role: TokenRole) -> &'static str {
    match role {
        TokenRole::Province => "Province",
        TokenRole::Trainer => "Trainer",
    }
}
