//! `sigap kb …`: knowledge-base upkeep for the knowledge manager.

use crate::app::Application;
use crate::config::Settings;
use crate::knowledge::{self, Agency, Knowledge, Severity};
use crate::store::{kb, tickets};
use anyhow::Context;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// Check every article: front matter, services, placeholders, length, review age.
    Check {
        /// Fail on warnings too (stale reviews, drafts, unconfigured agency details).
        #[arg(long)]
        strict: bool,
    },
    /// Per article: offered, helped, not helped (flagging ones to review); Level 0 deflection per service.
    Stats {
        /// First day (agency time zone), default 30 days ago.
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day, included; default today.
        #[arg(long)]
        to: Option<NaiveDate>,
    },
    /// Write an article draft from a resolved ticket's resolution note.
    Draft {
        /// The ticket number, e.g. INC-2611-0007.
        ticket: String,
        /// Directory to write to (default: the knowledge directory's articles/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Returns whether the command succeeded (for `kb check`: no errors).
pub async fn run(command: KbCommand, settings: Settings) -> anyhow::Result<bool> {
    match command {
        KbCommand::Check { strict } => Ok(check(&settings, strict)),
        KbCommand::Stats { from, to } => stats(settings, from, to).await.map(|()| true),
        KbCommand::Draft { ticket, out } => draft(settings, &ticket, out).await.map(|()| true),
    }
}

fn check(settings: &Settings, strict: bool) -> bool {
    let agency = Agency {
        values: settings.agency.clone(),
        fallback: Default::default(),
    };
    let k = match Knowledge::load(settings.knowledge_dir.as_deref(), &agency) {
        Ok(k) => k,
        Err(e) => {
            println!("{e}");
            return false;
        }
    };
    let today = Utc::now().with_timezone(&settings.timezone).date_naive();
    let problems = knowledge::check(&k, &settings.agency, settings.kb.review_max_age_days, today);
    for p in &problems {
        println!("{p}");
    }
    let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
    let warnings = problems.len() - errors;
    println!(
        "{} articles in use, {} set aside; {errors} errors, {warnings} warnings",
        k.articles.len(),
        k.article_errors.len()
    );
    errors == 0 && (!strict || warnings == 0)
}

async fn stats(settings: Settings, from: Option<NaiveDate>, to: Option<NaiveDate>) -> anyhow::Result<()> {
    let tz = settings.timezone;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - Duration::days(29));
    let start = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .context("a day that does not exist in the time zone")
    };
    let (begin, end) = (start(from)?, start(to + Duration::days(1))?);
    let review = settings.kb.clone();
    let app = Application::build(settings).await?;
    let mut conn = app.db.pool.acquire().await?;
    let rows = kb::article_stats(&mut conn, begin, end).await?;
    let deflection = kb::deflection(&mut conn, begin, end).await?;
    drop(conn);
    let k = app.env.knowledge.current();
    println!("Articles, {from} to {to}:");
    println!(
        "{:<28} {:>7} {:>7} {:>10}  title",
        "article", "offered", "helped", "not helped"
    );
    for r in &rows {
        let answered = r.helped + r.not_helped;
        let flag = r.offers >= review.review_min_offers
            && answered > 0
            && r.not_helped as f64 / answered as f64 >= review.review_not_helped_share;
        let title = k
            .articles
            .get(&r.article)
            .map_or("(no longer in the knowledge base)", |h| h.article.title.as_str());
        println!(
            "{:<28} {:>7} {:>7} {:>10}  {title}{}",
            r.article,
            r.offers,
            r.helped,
            r.not_helped,
            if flag { "  [REVIEW: often does not help]" } else { "" }
        );
    }
    println!("\nLevel 0 deflection (fixed without a ticket / reports), {from} to {to}:");
    let (mut all, mut level0) = (0, 0);
    for d in &deflection {
        all += d.contacts;
        level0 += d.level0;
        println!(
            "{:<28} {:>5} of {:>5}  {:>5.1}%",
            d.service.as_deref().unwrap_or("(not recognised)"),
            d.level0,
            d.contacts,
            d.share() * 100.0
        );
    }
    let share = if all == 0 {
        0.0
    } else {
        level0 as f64 * 100.0 / all as f64
    };
    println!("{:<28} {level0:>5} of {all:>5}  {share:>5.1}%", "all services");
    app.shutdown().await;
    Ok(())
}

async fn draft(settings: Settings, number: &str, out: Option<PathBuf>) -> anyhow::Result<()> {
    let number = crate::domain::ticket::parse_ticket_number(number)
        .with_context(|| format!("`{number}` is not a ticket number (e.g. INC-2611-0007)"))?;
    let dir = out.unwrap_or_else(|| {
        settings
            .knowledge_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("knowledge"))
            .join("articles")
    });
    let today = Utc::now().with_timezone(&settings.timezone).date_naive();
    let app = Application::build(settings).await?;
    let mut conn = app.db.pool.acquire().await?;
    let found = tickets::resolution(&mut conn, &number).await?;
    drop(conn);
    app.shutdown().await;
    let t = match found {
        None => anyhow::bail!("there is no ticket {number}"),
        Some(Err(status)) => anyhow::bail!("ticket {number} is {} and has no resolution note yet", status.as_str()),
        Some(Ok(t)) => t,
    };
    let (id, text) = knowledge::draft_article(&t, today);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{id}.md"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("writing {} (an existing draft is never overwritten)", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    println!("{}", path.display());
    Ok(())
}
