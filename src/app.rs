//! Building Sigap from its settings and running it.

use crate::channels::terminal;
use crate::config::Settings;
use crate::i18n::{Locales, Msg};
use crate::ingest::Env;
use crate::knowledge::{Agency, Library, PLACEHOLDERS};
use crate::store::Database;
use anyhow::Context;
use std::future::Future;
use std::sync::Arc;

pub struct Application {
    pub env: Env,
    pub db: Database,
}

/// Knowledge and locales as configured (no database).
pub fn load_env(settings: Settings) -> anyhow::Result<Env> {
    let locales = match &settings.locales_dir {
        Some(d) => Locales::from_dir(d),
        None => Locales::embedded(),
    }
    .context("loading the locales")?;
    let agency = Agency {
        values: settings.agency.clone(),
        fallback: PLACEHOLDERS
            .iter()
            .map(|p| {
                (
                    (*p).to_owned(),
                    locales.text(&settings.language, &format!("kb-agency-{p}")),
                )
            })
            .collect(),
    };
    let knowledge = Library::load(settings.knowledge_dir.clone(), agency).context("loading the knowledge files")?;
    Ok(Env {
        knowledge,
        locales,
        settings: Arc::new(settings),
    })
}

impl Application {
    /// Loads everything, connects to (or starts) PostgreSQL and migrates it.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let data_dir = settings.data_dir();
        let env = load_env(settings)?;
        let db = Database::open(&env.settings.database, &data_dir).await?;
        db.migrate().await.context("migrating the database")?;
        Ok(Application { env, db })
    }

    /// A text in the configured language (for the terminal).
    pub fn text(&self, key: &'static str) -> String {
        self.env
            .locales
            .renderer(
                &self.env.settings.language,
                &self.env.knowledge.current().catalog,
                self.env.settings.timezone,
            )
            .render(&Msg::new(key))
    }

    /// `sigap chat`: a reporter's conversation on standard input and output.
    pub async fn run_chat(&self, who: terminal::Reporter, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        use std::io::IsTerminal;
        let interactive = std::io::stdin().is_terminal();
        if interactive {
            println!("{}\n", self.text("chat-welcome"));
        }
        // Articles edited while chatting are picked up on SIGHUP; the listener ends with the chat.
        let (stop_reload, stopped) = tokio::sync::oneshot::channel::<()>();
        let listener = self.env.knowledge.clone().on_hangup(async {
            let _ = stopped.await;
        });
        let reload = match listener {
            Ok(task) => Some(tokio::spawn(task)),
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGHUP; articles reload only on restart");
                None
            }
        };
        let input = tokio::io::BufReader::new(tokio::io::stdin());
        let result = terminal::run(
            &self.db.pool,
            &self.env,
            &who,
            input,
            tokio::io::stdout(),
            interactive,
            shutdown,
        )
        .await;
        drop(stop_reload);
        if let Some(task) = reload {
            let _ = task.await;
        }
        result?;
        if interactive {
            println!("\n{}", self.text("chat-bye"));
        }
        Ok(())
    }

    /// Stops cleanly: closes the pool, stops a private PostgreSQL.
    pub async fn shutdown(self) {
        self.db.close().await;
    }
}
