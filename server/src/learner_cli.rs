//! `hocso learner erase`: a learner's right to erasure, carried out by the server's operator.
//!
//! Declared by `main.rs` (not the library): it only calls [`hocso_server::store::Store::erase_learner`],
//! which the push applies the same way when a phone deletes a learner.
use clap::{Args, Subcommand};
use hocso_server::store::{Store, StoreError};
use hocso_server::DEFAULT_DATABASE;

#[derive(Args)]
pub struct LearnerArgs {
    #[command(subcommand)]
    pub command: LearnerCommand,
    /// The server's database: a SQLite file or `sqlite:` URL, or a `postgres://` URL.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE, global = true)]
    pub database: String,
}

#[derive(Subcommand)]
pub enum LearnerCommand {
    /// Erase what the server holds of a learner: the profile (nickname, picture, colour) and every
    /// answer naming them. The team's phones delete the learner on their next sync.
    Erase {
        /// The team id (see `hocso team list`).
        #[arg(long)]
        team: String,
        /// The learner id (the profile's id, as in the phone's settings or a backup).
        #[arg(long)]
        learner: String,
    },
}

pub async fn learner(args: LearnerArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.database).await?;
    let result = match &args.command {
        LearnerCommand::Erase { team, learner } => store.erase_learner(team, learner).await.map(|erased| {
            println!("Learner {learner} of team {team} erased:");
            println!(
                "  profile: {}",
                if erased.had_profile { "nickname, picture and colour deleted" } else { "the server held no nickname, picture or colour" }
            );
            println!("  answers: {} emptied", erased.events);
            println!("  session attendance records linked to the learner: {} emptied", erased.attendee_records);
            println!("What stays, for sync only: each emptied answer's device id and number, and a deletion mark with");
            println!("the learner's random id and the time; the team's phones delete the learner when they next sync.");
        }),
    };
    store.close().await;
    result.map_err(|error| match error {
        StoreError::NotFound(what) => anyhow::anyhow!("{what} not found: check the ids (`hocso team list`)"),
        other => anyhow::Error::new(other),
    })
}
