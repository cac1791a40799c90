//! Shared by the benchmarks: a scratch database of their own on the server `DATABASE_URL`
//! names (an admin connection), migrated, and dropped when they are done.

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::time::{Duration, Instant};

pub struct Scratch {
    pub pool: PgPool,
    admin: String,
    pub name: String,
}

impl Scratch {
    /// Creates `sigap_bench_<what>_<pid>` and migrates it.
    pub async fn create(what: &str, max_connections: u32) -> Scratch {
        let admin =
            std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("sigap_bench_{what}_{}", std::process::id());
        let mut c = PgConnection::connect(&admin)
            .await
            .expect("DATABASE_URL must reach PostgreSQL");
        c.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("the admin connection may create databases");
        let url = format!(
            "{}/{name}",
            admin.rsplit_once('/').expect("DATABASE_URL needs a database part").0
        );
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect(&url)
            .await
            .expect("connecting to the scratch database");
        sigap::store::MIGRATOR
            .run(&pool)
            .await
            .expect("migrating the scratch database");
        Scratch { pool, admin, name }
    }

    /// A table for the raw single-INSERT transaction rate the figures are compared with.
    #[allow(dead_code)]
    pub async fn raw_table(&self) {
        self.pool
            .execute("CREATE TABLE bench_raw (id BIGSERIAL PRIMARY KEY, payload JSONB NOT NULL)")
            .await
            .expect("creating bench_raw");
    }

    /// Single-INSERT transactions a second on one connection, for 3 s (needs `raw_table`).
    #[allow(dead_code)]
    pub async fn raw_rate(&self) -> f64 {
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < Duration::from_secs(3) {
            let mut tx = self.pool.begin().await.expect("begin");
            sqlx::query("INSERT INTO bench_raw (payload) VALUES ($1)")
                .bind(serde_json::json!({"text": "printer rusak"}))
                .execute(&mut *tx)
                .await
                .expect("insert");
            tx.commit().await.expect("commit");
            n += 1;
        }
        f64::from(n) / start.elapsed().as_secs_f64()
    }

    pub async fn drop(self) {
        self.pool.close().await;
        let mut c = PgConnection::connect(&self.admin).await.expect("reconnecting as admin");
        c.execute(format!("DROP DATABASE {} WITH (FORCE)", self.name).as_str())
            .await
            .expect("dropping the scratch database");
    }
}

/// The value at `p` (0–1) of sorted latencies.
#[allow(dead_code)]
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}
