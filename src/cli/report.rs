//! `sigap report --from … --to … [--format md|csv|json]`: the SOP's KPIs for a period.

use crate::app::Application;
use crate::config::Settings;
use crate::report::{self, Period};
use crate::store;
use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use std::io::Write;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day, YYYY-MM-DD (agency time zone).
    #[arg(long)]
    from: NaiveDate,
    /// Last day, included.
    #[arg(long)]
    to: NaiveDate,
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Markdown tables.
    Md,
    /// One table: section,key,metric,value.
    Csv,
    /// The figures as the web server serves them.
    Json,
}

pub async fn run(args: ReportArgs, settings: Settings) -> anyhow::Result<bool> {
    // Checked before connecting: a wrong date should not wait for a database.
    let period = Period::new(args.from, args.to, settings.timezone)?;
    let app = Application::build(settings).await?;
    let figures = async {
        let mut conn = app.db.pool.acquire().await?;
        store::report::kpis(&mut conn, period.start(), period.end()).await
    }
    .await;
    app.shutdown().await;
    let k = figures.context("computing the report")?;
    let text = match args.format {
        Format::Md => report::markdown(&k, &period),
        Format::Csv => report::csv(&k, &period),
        Format::Json => serde_json::to_string_pretty(&k)? + "\n",
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // Piped into `head`: the reader had enough.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(true),
        r => r.map(|()| true).context("writing the report"),
    }
}
