//! The `sigap` command line.

mod kb;
mod report;
mod tech;

use crate::app::{self, Application};
use crate::channels::terminal;
use crate::config::Settings;
use crate::i18n::{Locales, Msg};
use crate::store::{ServerError, StoreError};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "sigap",
    version,
    about = "Chat-bot service desk for Indonesian government IT units"
)]
pub struct Cli {
    /// Settings file (default: ./sigap.toml if present).
    #[arg(long, global = true, env = "SIGAP_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Talk to Sigap in the terminal as a reporter (one message per line; input may be piped).
    Chat {
        /// Your identity in the terminal channel (default: the OS user name).
        #[arg(long = "as", env = "USER")]
        user: Option<String>,
        /// Your name (asked if not given).
        #[arg(long)]
        name: Option<String>,
    },
    /// Read messages from standard input (one per line) and print what Sigap understands, as JSON lines.
    Analyze,
    /// Create the database if needed and apply migrations.
    Migrate,
    /// Run the service: the web server (health, webhooks) and, with TELOXIDE_TOKEN, the
    /// Telegram bot and its outbox sender.
    Serve,
    /// Technicians who may act in the war room: add, list, remove.
    Tech {
        #[command(subcommand)]
        command: tech::TechCommand,
    },
    /// Knowledge-base articles: check, statistics, drafts from resolved tickets.
    Kb {
        #[command(subcommand)]
        command: kb::KbCommand,
    },
    /// The SOP's KPIs for tickets created from --from to --to (days in the agency time zone).
    Report(report::ReportArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = matches!(
        cli.command,
        Command::Chat { .. } | Command::Analyze | Command::Kb { .. } | Command::Tech { .. } | Command::Report(_)
    );
    crate::telemetry::init(if quiet { "warn" } else { "info" });
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sigap: {e}");
            return ExitCode::FAILURE;
        }
    };
    match run(cli.command, settings) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("sigap: {}", explain(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error as a person should read it: for a missing PostgreSQL, how to install it.
fn explain(e: &anyhow::Error) -> String {
    let missing = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<StoreError>(),
            Some(StoreError::Server(ServerError::NotInstalled))
        )
    });
    if missing {
        if let (Ok(locales), Ok(k)) = (Locales::embedded(), crate::knowledge::Knowledge::embedded()) {
            let lang = std::env::var("SIGAP_LANGUAGE").unwrap_or_else(|_| "id".into());
            return locales
                .renderer(&lang, &k.catalog, chrono_tz::Asia::Jakarta)
                .render(&Msg::new("db-no-postgres"));
        }
    }
    format!("{e:#}")
}

/// Runs a command; `false` when it ran but found its answer wanting (`kb check`).
fn run(command: Command, settings: Settings) -> anyhow::Result<bool> {
    match command {
        Command::Kb { command } => runtime()?.block_on(kb::run(command, settings)),
        Command::Tech { command } => runtime()?.block_on(tech::run(command, settings)),
        Command::Report(args) => runtime()?.block_on(report::run(args, settings)),
        Command::Serve => runtime()?.block_on(async {
            let app = Application::build(settings).await?;
            let result = app.run_serve(terminate()).await;
            app.shutdown().await;
            result.map(|()| true)
        }),
        Command::Analyze => {
            let policy = settings.priority.clone();
            let tz = settings.timezone;
            let env = app::load_env(settings)?;
            let stdin = std::io::stdin().lock();
            let stdout = std::io::BufWriter::new(std::io::stdout().lock());
            crate::analyze::run(stdin, stdout, &env.knowledge.current(), &policy, tz)?;
            Ok(true)
        }
        Command::Migrate => runtime()?.block_on(async {
            let app = Application::build(settings).await?;
            println!("database ready: {}", app.db.description);
            app.shutdown().await;
            Ok(true)
        }),
        Command::Chat { user, name } => runtime()?.block_on(async {
            let app = Application::build(settings).await?;
            let who = terminal::Reporter {
                id: user.filter(|u| !u.is_empty()).unwrap_or_else(|| "terminal".into()),
                name,
            };
            let result = app.run_chat(who, ctrl_c()).await;
            app.shutdown().await;
            result.map(|()| true)
        }),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}

/// Ctrl-C or SIGTERM (what systemd and container runtimes send).
async fn terminate() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => ctrl_c().await,
    }
}
