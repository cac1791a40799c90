//! Building Sigap from its settings and running it.

use crate::calendar::SharedCalendar;
use crate::channels::telegram::{self, poll, setup};
use crate::channels::{terminal, whatsapp};
use crate::config::Settings;
use crate::i18n::{Locales, Msg};
use crate::ingest::Env;
use crate::knowledge::{Agency, Library, PLACEHOLDERS};
use crate::store::Database;
use crate::web::{self, WebState};
use crate::workers::sender::Sender;
use anyhow::Context;
use std::future::Future;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What `serve_on` started.
pub struct Served {
    /// Where the web server listens.
    pub addr: std::net::SocketAddr,
    tasks: tokio::task::JoinSet<()>,
}

impl Served {
    /// Waits for every task to finish after `stop` was cancelled.
    pub async fn stopped(mut self) {
        while self.tasks.join_next().await.is_some() {}
    }
}

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
    let calendar = SharedCalendar::load(&settings.sla.calendar, settings.timezone)?;
    Ok(Env {
        knowledge,
        locales,
        calendar,
        settings: Arc::new(settings),
        outbox_ready: crate::workers::bell::Bell::default(),
        metrics: Arc::default(),
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

    /// `sigap serve`: the web server, and with a token the Telegram bot (polling or webhook)
    /// and its outbox sender, until `shutdown` completes.
    pub async fn run_serve(&self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let settings = &self.env.settings;
        let stop = CancellationToken::new();
        let listener = tokio::net::TcpListener::bind(settings.http_addr)
            .await
            .with_context(|| format!("listening on {}", settings.http_addr))?;
        let served = self.serve_on(listener, stop.clone()).await?;
        shutdown.await;
        tracing::info!("stopping: finishing the work in hand");
        stop.cancel();
        served.stopped().await;
        Ok(())
    }

    /// Starts everything `serve` runs on a bound listener; stopped with `stop`.
    pub async fn serve_on(&self, listener: tokio::net::TcpListener, stop: CancellationToken) -> anyhow::Result<Served> {
        let settings = &self.env.settings;
        let pool = self.db.pool.clone();
        let mut tasks = tokio::task::JoinSet::new();
        let bot = telegram::bot(&settings.telegram)?;
        let webhook = settings.telegram.public_url.is_some();
        match &bot {
            Some(bot) => {
                let room = settings.telegram.war_room_chat;
                if room.is_none() {
                    tracing::warn!("no war room configured (SIGAP_WAR_ROOM_CHAT): tickets get no card");
                }
                // Telegram may be unreachable at start; polling and sending retry on their own.
                if let Err(e) = setup::commands_menu(bot, &self.env.locales, &settings.language, room).await {
                    tracing::warn!(error = %e, "could not register the command menu");
                }
                if let Err(e) = setup::delivery(bot, &settings.telegram).await {
                    tracing::warn!(error = %e, "could not set up update delivery with Telegram");
                }
                let sender = Sender::new(pool.clone(), bot.clone(), &self.env.outbox_ready);
                let s = stop.clone();
                tasks.spawn(async move {
                    if let Err(e) = sender.run(s).await {
                        tracing::error!(error = %e, "outbox sender ended");
                    }
                });
                if !webhook {
                    let polling = poll::long_polling(bot).context("building the long-polling client")?;
                    tasks.spawn(poll::run(pool.clone(), self.env.clone(), polling, stop.clone()));
                }
            }
            None => tracing::warn!("no Telegram token (TELOXIDE_TOKEN): serving without the bot"),
        }
        let whatsapp = whatsapp::Client::new(&settings.whatsapp, self.env.locales.clone(), &settings.language)?;
        match whatsapp {
            Some(client) => {
                let sender = Sender::new(pool.clone(), client, &self.env.outbox_ready);
                let s = stop.clone();
                tasks.spawn(async move {
                    if let Err(e) = sender.run(s).await {
                        tracing::error!(error = %e, "WhatsApp outbox sender ended");
                    }
                });
            }
            None => tracing::info!("no WhatsApp number (SIGAP_WA_*): serving without WhatsApp"),
        }
        tasks.spawn(crate::workers::sla::run(pool.clone(), self.env.clone(), stop.clone()));
        let state = WebState {
            pool,
            env: self.env.clone(),
            telegram_secret: settings
                .telegram
                .webhook_secret
                .clone()
                .filter(|_| webhook && bot.is_some())
                .map(Arc::new),
            whatsapp: whatsapp_secrets(&settings.whatsapp),
        };
        let addr = listener.local_addr()?;
        let s = stop.clone();
        tasks.spawn(async move {
            if let Err(e) = web::serve(listener, state, s).await {
                tracing::error!(error = %e, "web server ended");
            }
        });
        match self.env.knowledge.clone().on_hangup(stop.clone().cancelled_owned()) {
            Ok(reload) => {
                tasks.spawn(reload);
            }
            Err(e) => tracing::warn!(error = %e, "cannot listen for SIGHUP; articles reload only on restart"),
        }
        let whatsapp = settings.whatsapp.enabled();
        tracing::info!(%addr, telegram = bot.is_some(), webhook, whatsapp, "serving");
        Ok(Served { addr, tasks })
    }

    /// Stops cleanly: closes the pool, stops a private PostgreSQL.
    pub async fn shutdown(self) {
        self.db.close().await;
    }
}

/// The WhatsApp webhook's secrets, when WhatsApp is configured.
fn whatsapp_secrets(s: &crate::config::WhatsAppSettings) -> Option<Arc<web::whatsapp::Secrets>> {
    if !s.enabled() {
        return None;
    }
    Some(Arc::new(web::whatsapp::Secrets {
        app_secret: s.app_secret.clone()?,
        verify_token: s.verify_token.clone()?,
    }))
}
