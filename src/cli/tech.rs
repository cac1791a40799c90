//! `sigap tech …`: who may press the war room's buttons and run its commands.

use crate::app::Application;
use crate::config::Settings;
use crate::store::technicians;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum TechCommand {
    /// Register a technician (or update and re-activate one) by Telegram user id.
    Add {
        /// Their numeric Telegram user id (they can get it from @userinfobot).
        telegram_user_id: i64,
        /// The name shown to reporters ("ditangani oleh …").
        #[arg(long)]
        name: String,
        /// Their team, e.g. L1, L2-jaringan.
        #[arg(long, default_value = "L1")]
        team: String,
    },
    /// List technicians.
    List,
    /// Take away a technician's rights (their history stays).
    Remove { telegram_user_id: i64 },
}

pub async fn run(command: TechCommand, settings: Settings) -> anyhow::Result<bool> {
    let app = Application::build(settings).await?;
    let result = async {
        let mut conn = app.db.pool.acquire().await?;
        match command {
            TechCommand::Add {
                telegram_user_id,
                name,
                team,
            } => {
                let (name, team) = (name.trim(), team.trim());
                if telegram_user_id <= 0 || name.is_empty() || team.is_empty() {
                    println!("a technician needs a positive Telegram user id, a name and a team");
                    return Ok(false);
                }
                let t = technicians::add(&mut conn, telegram_user_id, name, team).await?;
                println!(
                    "technician {} ({}) registered, Telegram id {telegram_user_id}",
                    t.name, t.team
                );
            }
            TechCommand::List => {
                let all = technicians::list(&mut conn).await?;
                if all.is_empty() {
                    println!("no technicians yet: sigap tech add <telegram-user-id> --name … --team …");
                }
                for t in all {
                    let id = t.telegram_user_id.map_or_else(|| "-".into(), |i| i.to_string());
                    let state = if t.active { "active" } else { "removed" };
                    println!("{id:>14}  {:<24} {:<12} {state}", t.name, t.team);
                }
            }
            TechCommand::Remove { telegram_user_id } => {
                if !technicians::remove(&mut conn, telegram_user_id).await? {
                    println!("no active technician with Telegram id {telegram_user_id}");
                    return Ok(false);
                }
                println!("technician with Telegram id {telegram_user_id} removed");
            }
        }
        Ok::<bool, anyhow::Error>(true)
    }
    .await;
    app.shutdown().await;
    result
}
