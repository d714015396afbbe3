//! What the benchmarks share: percentiles, the machine's core count, the
//! size asked for, a throw-away SQLite file and PostgreSQL databases made
//! and dropped on the server `PASOKH_BENCH_DATABASE_URL` names.

#![allow(dead_code)]

pub mod desk;

use server::store::Store;
use std::time::Duration;

/// The `p` quantile (0–1) of sorted samples; zero when there are none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// `PASOKH_BENCH_COMPLAINTS`, else `default`.
pub fn complaints(default: i64) -> i64 {
    std::env::var("PASOKH_BENCH_COMPLAINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Prints the benchmark's title with the machine's core count.
pub fn title(name: &str) {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!("{name} on {cores} cores");
}

/// A seeded SQLite store in a temporary directory (kept while the guard lives).
pub async fn sqlite() -> anyhow::Result<(Store, tempfile::TempDir)> {
    let dir = tempfile::tempdir()?;
    let store = sqlite_at(&dir.path().join("bench.db")).await?;
    Ok((store, dir))
}

/// The demo city in the SQLite database at `path` (made if missing; seeding
/// an already seeded one adds nothing).
pub async fn sqlite_at(path: &std::path::Path) -> anyhow::Result<Store> {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let store = Store::connect(&url, 8).await?;
    server::seed::seed(&store, true, Some("bench-password-1")).await?;
    Ok(store)
}

/// Fresh PostgreSQL databases on the server `base` names, dropped by
/// [`Postgres::drop_all`].
pub struct Postgres {
    admin: sqlx::PgConnection,
    prefix: String,
    made: Vec<String>,
}

impl Postgres {
    /// `None` without `PASOKH_BENCH_DATABASE_URL`.
    pub async fn from_env() -> anyhow::Result<Option<Self>> {
        use sqlx::Connection;
        let Ok(base) = std::env::var("PASOKH_BENCH_DATABASE_URL") else {
            return Ok(None);
        };
        let admin = sqlx::PgConnection::connect(&base).await?;
        let prefix = base
            .rsplit_once('/')
            .map_or(base.as_str(), |(p, _)| p)
            .to_owned();
        Ok(Some(Self {
            admin,
            prefix,
            made: Vec::new(),
        }))
    }

    /// A new empty database's URL.
    pub async fn database(&mut self) -> anyhow::Result<String> {
        let name = format!("pasokh_bench_{}", rand::random::<u32>());
        sqlx::Executor::execute(&mut self.admin, format!("CREATE DATABASE {name}").as_str())
            .await?;
        self.made.push(name.clone());
        Ok(format!("{}/{name}", self.prefix))
    }

    /// A new database, migrated and seeded.
    pub async fn store(&mut self) -> anyhow::Result<Store> {
        let url = self.database().await?;
        let store = Store::connect(&url, 8).await?;
        server::seed::seed(&store, true, Some("bench-password-1")).await?;
        Ok(store)
    }

    /// Drops every database made here.
    pub async fn drop_all(mut self) {
        for db in std::mem::take(&mut self.made) {
            let _ = sqlx::Executor::execute(
                &mut self.admin,
                format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)").as_str(),
            )
            .await;
        }
    }
}
