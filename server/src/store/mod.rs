//! Storage through sqlx's `Any` driver: SQLite embedded by default, PostgreSQL
//! when `PASOKH_DATABASE_URL` says `postgres://`. One set of portable SQL
//! (`$1` placeholders work on both); the migrations differ only in the
//! auto-increment key type (see `migrations/gen.sh`).

use anyhow::Context;
use sqlx::{any::AnyPoolOptions, migrate::Migrator, AnyConnection, AnyPool, Executor, Transaction};
use std::{
    path::Path,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};
use tokio::sync::{oneshot, Mutex, OwnedMutexGuard};

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
    /// SQLite's one writer, shared by the write transactions of all
    /// requests (group commit). PostgreSQL does not use it.
    writer: Arc<Writer>,
    /// The clock every domain rule reads (see [`crate::clock`]).
    clock: crate::clock::Clock,
}

/// A write transaction. Statements run on `&mut *w.tx` (an
/// [`AnyConnection`]); [`WriteTx::commit`] returns once the writes are
/// durable. Dropped without a commit, its writes are undone.
pub struct WriteTx {
    pub tx: Tx,
}

/// The connection a write transaction's statements run on.
pub enum Tx {
    Postgres(Transaction<'static, sqlx::Any>),
    Sqlite(Member),
}

/// One member of SQLite's group commit: a savepoint inside the open
/// physical transaction, holding the writer until it ends.
pub struct Member {
    /// `None` only once handed on (commit, or the clean-up on drop).
    group: Option<OwnedMutexGuard<Group>>,
    writer: Arc<Writer>,
}

/// How many members one physical SQLite transaction takes at most.
const GROUP_MAX: usize = 64;

/// SQLite group commit. SQLite has one writer, and with
/// `synchronous=FULL` each COMMIT waits for an fsync. Write transactions
/// that queue for the writer at the same moment share one physical
/// transaction instead: each runs as a savepoint in it, in turn (so each
/// sees the others' writes, exactly as one after another), and the last
/// in the queue commits for all. Nobody's `commit()` returns before that
/// COMMIT is on disk, so nothing is acknowledged before it is durable; a
/// failed COMMIT fails every member of the group. One writer alone commits
/// at once, as before. A member dropped without a commit (an error, a
/// cancelled request) is rolled back to its savepoint; the others keep
/// their writes.
pub struct Writer {
    group: Arc<Mutex<Group>>,
    /// Write transactions waiting for the writer right now.
    queued: AtomicUsize,
    /// Members one physical transaction takes at most.
    limit: AtomicUsize,
    /// Physical COMMITs made, and members they carried (for `/metrics`).
    commits: AtomicU64,
    members: AtomicU64,
}

/// The open physical transaction, if any (behind [`Writer::group`]).
pub struct Group {
    conn: Option<sqlx::pool::PoolConnection<sqlx::Any>>,
    /// A member holds a savepoint it has not released yet.
    member_open: bool,
    /// Members released into the open transaction.
    released: usize,
    /// Their `commit()` calls, told whether the COMMIT succeeded.
    waiters: Vec<oneshot::Sender<bool>>,
    /// Bumped at each end of a physical transaction.
    generation: u64,
}

/// Counts a write transaction as queued until it holds the writer (also
/// when the request is cancelled while it waits).
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Self(n)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
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
            writer: Arc::new(Writer {
                group: Arc::new(Mutex::new(Group {
                    conn: None,
                    member_open: false,
                    released: 0,
                    waiters: Vec::new(),
                    generation: 0,
                })),
                queued: AtomicUsize::new(0),
                limit: AtomicUsize::new(GROUP_MAX),
                commits: AtomicU64::new(0),
                members: AtomicU64::new(0),
            }),
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

    /// Begins a write transaction. On SQLite it joins the group commit
    /// (see [`Writer`]): it waits for the writer, opens the physical
    /// transaction if none is open (`BEGIN IMMEDIATE`: the write lock is
    /// taken at once, waiting out `busy_timeout`, rather than upgraded
    /// later, which SQLite refuses at once when it meets another lock), and
    /// sets its savepoint.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let tx = match self.backend {
            Backend::Postgres => Tx::Postgres(self.pool.begin().await?),
            Backend::Sqlite => {
                let mut group = {
                    let _queued = Queued::new(&self.writer.queued);
                    self.writer.group.clone().lock_owned().await
                };
                group.settle().await;
                if group.conn.is_none() {
                    let mut conn = self.pool.acquire().await?;
                    conn.execute("BEGIN IMMEDIATE").await?;
                    group.conn = Some(conn);
                }
                if let Err(e) = group.connection().execute("SAVEPOINT member").await {
                    group.end(false, &self.writer).await;
                    return Err(e);
                }
                group.member_open = true;
                Tx::Sqlite(Member {
                    group: Some(group),
                    writer: self.writer.clone(),
                })
            }
        };
        Ok(WriteTx { tx })
    }

    /// At most `n` write transactions per SQLite commit from now on (1:
    /// one commit each, as without group commit; the benchmark compares).
    pub fn set_group_limit(&self, n: usize) {
        self.writer.limit.store(n.max(1), Ordering::Relaxed);
    }

    /// Physical SQLite commits so far and the write transactions they
    /// carried (both 0 on PostgreSQL).
    pub fn group_commits(&self) -> (u64, u64) {
        (
            self.writer.commits.load(Ordering::Relaxed),
            self.writer.members.load(Ordering::Relaxed),
        )
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
    /// Commits; returns once the writes are on disk.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.tx {
            Tx::Postgres(tx) => tx.commit().await,
            Tx::Sqlite(mut member) => {
                let group = member
                    .group
                    .take()
                    .expect("a member holds the writer until it ends");
                // In a task of its own: a cancelled request must not leave
                // the group half committed.
                tokio::spawn(Writer::release(member.writer.clone(), group))
                    .await
                    .map_err(|_| sqlx::Error::WorkerCrashed)?
            }
        }
    }
}

impl Writer {
    /// A member's commit: release its savepoint, then commit the group now
    /// if nobody queues behind it (or the group is full), else leave that
    /// to the last in the queue and wait for its COMMIT.
    async fn release(
        writer: Arc<Writer>,
        mut group: OwnedMutexGuard<Group>,
    ) -> Result<(), sqlx::Error> {
        if let Err(e) = group.connection().execute("RELEASE member").await {
            group.member_open = true;
            group.settle().await;
            Self::flush_if_idle(&writer, group).await;
            return Err(e);
        }
        group.member_open = false;
        group.released += 1;
        if writer.queued.load(Ordering::SeqCst) == 0
            || group.released >= writer.limit.load(Ordering::Relaxed)
        {
            return if group.end(true, &writer).await {
                Ok(())
            } else {
                Err(group_failed())
            };
        }
        let (told, mut answer) = oneshot::channel();
        group.waiters.push(told);
        let generation = group.generation;
        drop(group);
        loop {
            // Normally the last member commits for us. Should it never come
            // (its request cancelled while it queued), commit ourselves.
            match tokio::time::timeout(Duration::from_millis(20), &mut answer).await {
                Ok(told) => return told.unwrap_or(false).then_some(()).ok_or_else(group_failed),
                Err(_) => {
                    let mut group = writer.group.clone().lock_owned().await;
                    if group.generation == generation && writer.queued.load(Ordering::SeqCst) == 0 {
                        group.settle().await;
                        group.end(true, &writer).await;
                    }
                }
            }
        }
    }

    /// After a member is dropped without a commit: undo it, and commit the
    /// group if nobody queues to go on with it.
    async fn flush_if_idle(writer: &Writer, mut group: OwnedMutexGuard<Group>) {
        group.settle().await;
        if group.conn.is_some() && writer.queued.load(Ordering::SeqCst) == 0 {
            group.end(true, writer).await;
        }
    }
}

fn group_failed() -> sqlx::Error {
    sqlx::Error::Protocol("the group commit this write joined failed".into())
}

impl Group {
    fn connection(&mut self) -> &mut AnyConnection {
        self.conn
            .as_deref_mut()
            .expect("the physical transaction is open")
    }

    /// Undoes a member that ended without a commit. If even that fails,
    /// the whole physical transaction is rolled back (its members are told).
    async fn settle(&mut self) {
        if !self.member_open || self.conn.is_none() {
            return;
        }
        let undone = self
            .connection()
            .execute("ROLLBACK TO member")
            .await
            .is_ok()
            && self.connection().execute("RELEASE member").await.is_ok();
        self.member_open = false;
        if !undone {
            tracing::error!("rolling back a write to its savepoint failed; its group fails");
            self.finish(false).await;
        }
    }

    /// Ends the physical transaction: COMMIT (or ROLLBACK when `commit`
    /// is false, or when the COMMIT fails), then tells every waiting member.
    /// Answers whether it committed.
    async fn end(&mut self, commit: bool, writer: &Writer) -> bool {
        let members = self.released as u64;
        let committed = self.finish(commit).await;
        if committed {
            writer.commits.fetch_add(1, Ordering::Relaxed);
            writer.members.fetch_add(members, Ordering::Relaxed);
        }
        committed
    }

    async fn finish(&mut self, commit: bool) -> bool {
        let Some(mut conn) = self.conn.take() else {
            return false;
        };
        let committed = commit
            && match conn.execute("COMMIT").await {
                Ok(_) => true,
                Err(e) => {
                    tracing::error!(error = %e, "a group commit failed; its writes are rolled back");
                    false
                }
            };
        if !committed && conn.execute("ROLLBACK").await.is_err() {
            // Never hand a connection with a transaction open back to the pool.
            drop(conn.detach());
        }
        for waiter in self.waiters.drain(..) {
            let _ = waiter.send(committed);
        }
        self.released = 0;
        self.member_open = false;
        self.generation += 1;
        committed
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        if let Some(group) = self.group.take() {
            let writer = self.writer.clone();
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move { Writer::flush_if_idle(&writer, group).await });
                }
                Err(_) => drop(group),
            }
        }
    }
}

impl std::ops::Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Tx::Postgres(tx) => tx,
            Tx::Sqlite(m) => m
                .group
                .as_ref()
                .and_then(|g| g.conn.as_deref())
                .expect("a member's connection is open"),
        }
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Tx::Postgres(tx) => tx,
            Tx::Sqlite(m) => m
                .group
                .as_mut()
                .expect("a member holds the writer")
                .connection(),
        }
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
    use super::{sqlite_path, Store};
    use sqlx::Executor;

    /// 48 writers at once on SQLite: every third fails after writing (its
    /// transaction dropped without a commit), the rest commit. Each
    /// committed row is visible to another connection the moment its
    /// `commit()` returns (nothing acknowledged before the group's COMMIT),
    /// no failed writer's row survives, and the writers shared commits.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn group_commit_acknowledges_only_durable_writes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("g.db").display());
        let store = Store::connect(&url, 8).await.expect("store");
        store
            .pool()
            .execute("CREATE TABLE g (n BIGINT PRIMARY KEY)")
            .await
            .expect("table");
        let (commits_before, _) = store.group_commits();
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(48));
        let writers = (0..48i64).map(|n| {
            let (store, barrier) = (store.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let mut w = store.begin_write().await.expect("begin");
                sqlx::query("INSERT INTO g (n) VALUES ($1)")
                    .bind(n)
                    .execute(&mut *w.tx)
                    .await
                    .expect("insert");
                tokio::task::yield_now().await;
                if n % 3 == 0 {
                    drop(w);
                    return None;
                }
                w.commit().await.expect("commit");
                let seen: Option<i64> = sqlx::query_scalar("SELECT n FROM g WHERE n = $1")
                    .bind(n)
                    .fetch_optional(store.pool())
                    .await
                    .expect("read");
                Some(seen)
            })
        });
        let results = futures_util::future::join_all(writers).await;
        for (n, r) in results.into_iter().enumerate() {
            match r.expect("writer") {
                Some(seen) => assert_eq!(seen, Some(n as i64), "writer {n} acknowledged early"),
                None => assert_eq!(n % 3, 0),
            }
        }
        // The dropped writers' clean-up runs in tasks of its own.
        let mut rows: Vec<i64> = Vec::new();
        for _ in 0..100 {
            rows = sqlx::query_scalar("SELECT n FROM g ORDER BY n")
                .fetch_all(store.pool())
                .await
                .expect("rows");
            if rows.len() == 32 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let expected: Vec<i64> = (0..48).filter(|n| n % 3 != 0).collect();
        assert_eq!(rows, expected);
        let (commits_after, members) = store.group_commits();
        let commits = commits_after - commits_before;
        assert!(
            commits < 32,
            "32 writers at once made {commits} commits: no group formed"
        );
        assert!(members >= 32, "{members} writes counted");
        // The writer is free again: a lone write commits at once.
        let mut w = store.begin_write().await.expect("begin");
        sqlx::query("INSERT INTO g (n) VALUES (100)")
            .execute(&mut *w.tx)
            .await
            .expect("insert");
        w.commit().await.expect("commit");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM g")
            .fetch_one(store.pool())
            .await
            .expect("count");
        assert_eq!(n, 33);
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://./data/pasokh.db?mode=rwc"),
            Some("./data/pasokh.db".into())
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
