//! Storage through sqlx's `Any` driver: SQLite embedded by default, PostgreSQL
//! when `PASOKH_DATABASE_URL` says `postgres://`. One set of portable SQL
//! (`$1` placeholders work on both); the migrations differ only in the
//! auto-increment key type (see `migrations/gen.sh`).

use anyhow::Context;
use sqlx::{any::AnyPoolOptions, migrate::Migrator, AnyPool, Executor, Transaction};
use std::{path::Path, sync::Arc, time::Duration};
use tokio::sync::{Mutex, OwnedMutexGuard};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database handle the services share.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer; taking this lock before a write transaction
    /// turns "database is locked" errors into a short queue. PostgreSQL does
    /// not use it.
    write_lock: Arc<Mutex<()>>,
    /// The clock every domain rule reads (see [`crate::clock`]).
    clock: crate::clock::Clock,
}

/// A write transaction (and, on SQLite, the writer's lock until it ends).
pub struct WriteTx {
    pub tx: Transaction<'static, sqlx::Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl Store {
    /// Connects, applies the backend's pragmas and runs the migrations.
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            anyhow::bail!("PASOKH_DATABASE_URL must start with sqlite: or postgres://");
        };
        if backend == Backend::Sqlite {
            if let Some(dir) = sqlite_path(url).and_then(|p| p.parent().map(Path::to_path_buf)) {
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating the data directory {}", dir.display()))?;
            }
        }
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL: readers never block the writer. synchronous=FULL:
                        // a commit is on disk before we acknowledge it (a
                        // citizen's complaint survives a power cut).
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 5000",
                        ] {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .context("connecting to the database")?;
        let store = Self {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            clock: crate::clock::Clock::system(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await.context("running migrations")
    }

    /// This store with `clock` as its clock (the simulated training clock).
    pub fn with_clock(mut self, clock: crate::clock::Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The clock the domain rules read.
    pub fn clock(&self) -> &crate::clock::Clock {
        &self.clock
    }

    /// Now, by the domain clock (Unix seconds).
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The pool, for reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a write transaction.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let (guard, tx) = match self.backend {
            // IMMEDIATE: the write lock is taken at BEGIN, waiting out
            // `busy_timeout` for it. A deferred transaction that reads first
            // and writes later must upgrade its lock, and SQLite answers an
            // upgrade that meets another lock (a new pooled connection's
            // setup pragmas, a checkpoint) with "database is locked" at once,
            // without waiting: seen as a rare 500 under parallel writes.
            Backend::Sqlite => (
                Some(self.write_lock.clone().lock_owned().await),
                self.pool.begin_with("BEGIN IMMEDIATE").await?,
            ),
            Backend::Postgres => (None, self.pool.begin().await?),
        };
        Ok(WriteTx { tx, _guard: guard })
    }

    /// Counts one hit on `bucket` in a fixed window of `window_s` seconds
    /// and returns the hits in the current window, this one included. One
    /// atomic upsert, committed at once: parallel hits each get their own
    /// number, on either backend and across server processes.
    pub async fn hit(&self, bucket: &str, window_s: i64, now: i64) -> Result<i64, sqlx::Error> {
        let mut w = self.begin_write().await?;
        let hits: i64 = sqlx::query_scalar(
            "INSERT INTO rate_counter (bucket, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket) DO UPDATE SET \
             hits = CASE WHEN rate_counter.window_start <= $3 THEN 1 ELSE rate_counter.hits + 1 END, \
             window_start = CASE WHEN rate_counter.window_start <= $3 THEN $2 \
             ELSE rate_counter.window_start END \
             RETURNING hits",
        )
        .bind(bucket)
        .bind(now)
        .bind(now - window_s)
        .fetch_one(&mut *w.tx)
        .await?;
        w.commit().await?;
        Ok(hits)
    }

    /// Begins a write transaction for a service: a failure is logged and
    /// becomes the opaque internal error.
    pub async fn write(&self) -> Result<WriteTx, app::error::AppError> {
        use crate::error::OrInternal;
        self.begin_write()
            .await
            .or_internal("starting a transaction")
    }

    /// Whether the database answers (for `/ready`).
    pub async fn ping(&self) -> bool {
        let probe = sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&self.pool);
        matches!(
            tokio::time::timeout(Duration::from_secs(2), probe).await,
            Ok(Ok(1))
        )
    }

    /// Closes the pool (at shutdown, after the last request).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

/// The file path in a `sqlite://path?…` URL, if any.
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://./data/pasokh.db?mode=rwc"),
            Some("./data/pasokh.db".into())
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
