use server::{config::Config, startup::Application};
use std::{future::Future, path::Path};

/// A running server and a client for it.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub backend: &'static str,
    pub database_url: String,
}

impl TestApp {
    /// Rows in one of our tables (a constant name, never input).
    pub async fn count(&self, table: &str) -> i64 {
        let store = server::store::Store::connect(&self.database_url, 1)
            .await
            .expect("connect");
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(store.pool())
            .await
            .expect("count")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }
}

/// A fake built site: a hashed bundle, its precompressed twin, and a manifest,
/// so static serving is tested without a release build.
fn write_site(root: &Path) {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).expect("site dir");
    std::fs::write(
        pkg.join("pasokh.0123abcd.js"),
        "export function hydrate(){}\n".repeat(40),
    )
    .expect("js");
    std::fs::write(pkg.join("pasokh.0123abcd.js.br"), b"\x1b\x01\x00").expect("br");
    std::fs::write(root.join("manifest.webmanifest"), r#"{"name":"x"}"#).expect("manifest");
}

/// Starts the server; the returned directory (data and site) lives as long
/// as the caller keeps it.
async fn spawn(
    backend: &'static str,
    database_url: Option<String>,
) -> (TestApp, tempfile::TempDir) {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let site = data_dir.path().join("site");
    write_site(&site);
    let mut config = Config::for_tests(data_dir.path().join("data"), database_url);
    config.site_root = site;
    let database_url = config.database_url.expose().to_owned();
    let app = Application::build(config)
        .await
        .expect("application builds");
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let app = TestApp {
        base,
        client,
        backend,
        database_url,
    };
    (app, data_dir)
}

/// Creates an empty PostgreSQL database for one test and returns its URL.
async fn fresh_postgres(base_url: &str) -> String {
    use sqlx::Connection;
    let name = format!("pasokh_t_{}", rand::random::<u64>());
    let mut conn = sqlx::PgConnection::connect(base_url)
        .await
        .expect("PASOKH_TEST_DATABASE_URL is set but PostgreSQL is unreachable");
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    let (prefix, _) = base_url.rsplit_once('/').expect("URL has a database name");
    format!("{prefix}/{name}")
}

/// Drops a test database (forcing out the still-running server's connections).
async fn drop_postgres(base_url: &str, url: &str) {
    use sqlx::Connection;
    let name = url.rsplit('/').next().unwrap_or_default();
    if let Ok(mut conn) = sqlx::PgConnection::connect(base_url).await {
        let _ = sqlx::Executor::execute(
            &mut conn,
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
        )
        .await;
    }
}

/// Runs `case` on SQLite, then on PostgreSQL when configured.
pub async fn on_each_backend<F, Fut>(case: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    // The directory is held here: a test body that uses only some fields of
    // `TestApp` would otherwise drop the rest (and delete the database) early.
    let (app, _dir) = spawn("sqlite", None).await;
    case(app).await;
    match std::env::var("PASOKH_TEST_DATABASE_URL") {
        Ok(base) if !base.trim().is_empty() => {
            let url = fresh_postgres(&base).await;
            let (app, _dir) = spawn("postgres", Some(url.clone())).await;
            case(app).await;
            drop_postgres(&base, &url).await;
        }
        _ => eprintln!("NOTICE: PASOKH_TEST_DATABASE_URL unset; PostgreSQL run skipped"),
    }
}
