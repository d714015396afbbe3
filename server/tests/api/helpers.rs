pub use server::config::TEST_STAFF_PASSWORD;
use server::{
    config::{Config, Secret, SmsConfig},
    jobs::Jobs,
    startup::Application,
    store::Store,
    web::AppState,
};
use std::{
    future::Future,
    path::Path,
    sync::{Arc, Mutex},
};

/// The API key the fake SMS provider accepts.
pub const SMS_KEY: &str = "test-key-0123";

/// One message the fake SMS provider accepted.
#[derive(Debug, Clone)]
pub struct Sent {
    pub receptor: String,
    /// The code (verify/lookup) or the text (sms/send).
    pub token: String,
    /// The template (verify/lookup), or `text` for sms/send.
    pub template: String,
}

/// A local stand-in for Kavenegar's API, speaking its protocol: `POST
/// /v1/{key}/verify/lookup.json` (codes) and `POST /v1/{key}/sms/send.json`
/// (texts) with form fields, a JSON `return` status. It records what it was
/// asked to send; `fail_with` makes it refuse like the real one does (e.g.
/// 418: out of credit).
#[derive(Clone, Default)]
pub struct FakeSms {
    pub sent: Arc<Mutex<Vec<Sent>>>,
    pub fail_with: Arc<Mutex<Option<u16>>>,
}

impl FakeSms {
    /// Answers one request: checks the key, records the message, replies.
    fn answer(
        &self,
        key: &str,
        f: &std::collections::HashMap<String, String>,
        text: bool,
    ) -> (axum::http::StatusCode, axum::Json<serde_json::Value>) {
        let reply = |status: u16, message: &str| {
            (
                axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK),
                axum::Json(serde_json::json!({
                    "return": { "status": status, "message": message },
                    "entries": null
                })),
            )
        };
        if key != SMS_KEY {
            return reply(403, "API key is not valid");
        }
        if let Some(code) = *self.fail_with.lock().expect("lock") {
            return reply(code, "refused");
        }
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        self.sent.lock().expect("lock").push(Sent {
            receptor: get("receptor"),
            token: if text { get("message") } else { get("token") },
            template: if text { "text".into() } else { get("template") },
        });
        (
            axum::http::StatusCode::OK,
            axum::Json(serde_json::json!({
                "return": { "status": 200, "message": "تایید شد" },
                "entries": [{ "messageid": 8792343, "status": 5,
                    "receptor": get("receptor"), "cost": 120 }]
            })),
        )
    }

    /// Starts it on a free port; returns its base URL.
    pub async fn start(&self) -> String {
        use axum::{extract::Path, routing::post, Form};
        type Fields = Form<std::collections::HashMap<String, String>>;
        let (codes, texts) = (self.clone(), self.clone());
        let app = axum::Router::new()
            .route(
                "/v1/{key}/verify/lookup.json",
                post(move |Path(key): Path<String>, Form(f): Fields| {
                    let me = codes.clone();
                    async move { me.answer(&key, &f, false) }
                }),
            )
            .route(
                "/v1/{key}/sms/send.json",
                post(move |Path(key): Path<String>, Form(f): Fields| {
                    let me = texts.clone();
                    async move { me.answer(&key, &f, true) }
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake SMS");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    /// The texts (not codes) sent to `phone`, oldest first.
    pub fn texts_to(&self, phone: &str) -> Vec<String> {
        self.sent
            .lock()
            .expect("lock")
            .iter()
            .filter(|s| s.receptor == phone && s.template == "text")
            .map(|s| s.token.clone())
            .collect()
    }

    /// The last code sent to `phone`.
    pub fn last_code(&self, phone: &str) -> String {
        self.sent
            .lock()
            .expect("lock")
            .iter()
            .rev()
            .find(|s| s.receptor == phone && s.template != "text")
            .map(|s| s.token.clone())
            .unwrap_or_else(|| panic!("no code was sent to {phone}"))
    }

    pub fn count_to(&self, phone: &str) -> usize {
        self.sent
            .lock()
            .expect("lock")
            .iter()
            .filter(|s| s.receptor == phone && s.template != "text")
            .count()
    }
}

/// A running server and a client for it.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub backend: &'static str,
    pub database_url: String,
    pub sms: FakeSms,
    /// The fake SMS provider's base URL.
    pub sms_url: String,
    /// The server's own services and jobs, to call them directly.
    pub state: AppState,
    pub jobs: Jobs,
    /// Where the server keeps its database (SQLite) and photos.
    pub data_dir: std::path::PathBuf,
    /// One connection for the test's own queries.
    store: Store,
}

impl TestApp {
    /// Rows in one of our tables (a constant name, never input).
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.store.pool())
            .await
            .expect("count")
    }

    /// The test's own handle on the database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Runs one statement against the test database (to move clocks).
    pub async fn execute(&self, sql: &str) {
        sqlx::query(sql)
            .execute(self.store.pool())
            .await
            .expect("execute");
    }

    /// Posts a multipart form to `path`.
    pub async fn post_multipart(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .expect("request")
    }

    /// Asks the API to send a sign-in code to `phone`.
    pub async fn request_code(&self, phone: &str) -> reqwest::StatusCode {
        self.client
            .post(self.url("/api/v1/auth/otp"))
            .json(&serde_json::json!({ "phone": phone }))
            .send()
            .await
            .expect("request")
            .status()
    }

    /// Signs `phone` in through the API and returns its session token.
    pub async fn sign_in(&self, phone: &str) -> String {
        assert_eq!(
            self.request_code(phone).await,
            reqwest::StatusCode::ACCEPTED,
            "code sent"
        );
        let res = self
            .client
            .post(self.url("/api/v1/auth/session"))
            .json(&serde_json::json!({ "phone": phone, "code": self.sms.last_code(phone) }))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), reqwest::StatusCode::CREATED, "signed in");
        let body: serde_json::Value = res.json().await.expect("json");
        body["token"].as_str().expect("token").to_owned()
    }

    /// A staff session token for a demo account (they all have
    /// [`TEST_STAFF_PASSWORD`] in tests).
    pub async fn staff_token(&self, username: &str) -> String {
        let res = self
            .client
            .post(self.url("/api/v1/staff/session"))
            .json(&serde_json::json!({ "username": username, "password": TEST_STAFF_PASSWORD }))
            .send()
            .await
            .expect("request");
        assert_eq!(
            res.status(),
            reqwest::StatusCode::CREATED,
            "{username} signs in"
        );
        let body: serde_json::Value = res.json().await.expect("json");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Takes a staff action on `code` as `username` through the API;
    /// returns the status and the body.
    pub async fn act(
        &self,
        username: &str,
        code: &str,
        body: serde_json::Value,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let token = self.staff_token(username).await;
        let res = self
            .client
            .post(self.url(&format!("/api/v1/staff/complaints/{code}/actions")))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or_default())
    }

    /// Moves a complaint as the municipality would, through the staff API:
    /// `in_progress` (the unit accepts), `resolved` (the unit resolves with
    /// an answer), `closed` (the supervisor verifies). 200 when it moved.
    pub async fn set_status(&self, code: &str, to: &str) -> reqwest::StatusCode {
        let (who, action) = match to {
            "in_progress" => ("unit_staff", "accept"),
            "resolved" => ("unit_staff", "resolve"),
            "closed" => ("supervisor", "verify"),
            other => panic!("no staff action leads to {other}"),
        };
        let body = serde_json::json!({ "action": action, "note": "انجام شد" });
        self.act(who, code, body).await.0
    }

    /// The body of `GET path` as the staff member of bearer `token` sees it.
    pub async fn staff_text(&self, token: &str, path: &str) -> String {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("body")
    }

    /// The body of `GET path` as text.
    pub async fn text(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
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
    // A stylesheet-sized file (the real one is about 9 KB).
    std::fs::write(
        root.join("robots.txt"),
        "User-agent: *\nAllow: /\n".repeat(400),
    )
    .expect("robots");
}

/// Starts the server; the returned directory (data and site) lives as long
/// as the caller keeps it.
async fn spawn(
    backend: &'static str,
    database_url: Option<String>,
    tweak: &dyn Fn(&mut Config),
) -> (TestApp, tempfile::TempDir) {
    // The server's warnings and errors go to the test's captured output, so
    // a failing test shows why (an internal error's cause is only logged).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            std::env::var("PASOKH_TEST_LOG").unwrap_or_else(|_| "warn".into()),
        ))
        .with_test_writer()
        .try_init();
    let data_dir = tempfile::tempdir().expect("tempdir");
    let site = data_dir.path().join("site");
    write_site(&site);
    let mut config = Config::for_tests(data_dir.path().join("data"), database_url);
    config.site_root = site;
    tweak(&mut config);
    let sms = FakeSms::default();
    let sms_url = sms.start().await;
    config.sms = SmsConfig::Kavenegar {
        base_url: sms_url.clone(),
        api_key: Secret::new(SMS_KEY),
        template: "pasokh-otp".into(),
    };
    let database_url = config.database_url.expose().to_owned();
    let data = config.data_dir.clone();
    let app = Application::build(config)
        .await
        .expect("application builds");
    let base = format!("http://{}", app.local_addr());
    let (state, jobs) = (app.state(), app.jobs());
    tokio::spawn(app.run_until_stopped());
    let store = Store::connect(&database_url, 2).await.expect("connect");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let app = TestApp {
        base,
        client,
        backend,
        database_url,
        sms,
        sms_url,
        state,
        jobs,
        data_dir: data,
        store,
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
    on_each_backend_with(|_| {}, case).await;
}

/// Like [`on_each_backend`], with the configuration changed by `tweak`.
pub async fn on_each_backend_with<F, Fut>(tweak: impl Fn(&mut Config), case: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    // The directory is held here: a test body that uses only some fields of
    // `TestApp` would otherwise drop the rest (and delete the database) early.
    let (app, _dir) = spawn("sqlite", None, &tweak).await;
    case(app).await;
    match std::env::var("PASOKH_TEST_DATABASE_URL") {
        Ok(base) if !base.trim().is_empty() => {
            let url = fresh_postgres(&base).await;
            let (app, _dir) = spawn("postgres", Some(url.clone()), &tweak).await;
            case(app).await;
            drop_postgres(&base, &url).await;
        }
        _ => eprintln!("NOTICE: PASOKH_TEST_DATABASE_URL unset; PostgreSQL run skipped"),
    }
}
