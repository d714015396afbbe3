//! Web push, the optional channel beside SMS, against a local push service
//! that speaks the protocol: `jstest/push-fake.mjs`, written in Node on
//! node:crypto alone (no code shared with the server), makes browser
//! subscriptions, checks each push's VAPID JWT (ES256 with the `k` key,
//! aud, exp) and decrypts its aes128gcm body with the subscription's
//! private key and auth secret. Also: a failing push service never blocks a
//! status change or its SMS, a gone endpoint unsubscribes, subscriptions
//! are validated, and their number per complaint holds under parallel
//! requests.

use crate::{
    helpers::{on_each_backend, on_each_backend_with, TestApp},
    staff::citizen_files,
};
use app::{
    i18n::{Lang, Msg},
    model::TrackingCode,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::BufRead;

/// The Node push service, stopped when dropped.
struct FakePush {
    child: std::process::Child,
    base: String,
    client: reqwest::Client,
}

impl Drop for FakePush {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl FakePush {
    fn start() -> Self {
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../jstest/push-fake.mjs");
        let mut child = std::process::Command::new("node")
            .arg(script.canonicalize().expect("jstest/push-fake.mjs"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("node runs (the push fake is a Node script)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the fake's port");
        let port: Value = serde_json::from_str(&line).expect("{\"port\": n}");
        Self {
            child,
            base: format!("http://127.0.0.1:{}", port["port"]),
            client: reqwest::Client::new(),
        }
    }

    /// A new browser subscription made for the server's key `vapid_key`.
    async fn subscription(&self, vapid_key: &str) -> Value {
        self.client
            .post(format!("{}/subscriptions?key={vapid_key}", self.base))
            .send()
            .await
            .expect("fake")
            .json()
            .await
            .expect("json")
    }

    /// Later pushes are answered `status`.
    async fn answer_with(&self, status: u16) {
        self.client
            .post(format!("{}/status?code={status}", self.base))
            .send()
            .await
            .expect("fake");
    }

    /// What it received, oldest first.
    async fn received(&self) -> Vec<Value> {
        self.client
            .get(format!("{}/received", self.base))
            .send()
            .await
            .expect("fake")
            .json()
            .await
            .expect("json")
    }
}

async fn vapid_key(app: &TestApp) -> String {
    let res = app.get("/api/v1/push/key").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    body["public_key"].as_str().expect("key").to_owned()
}

/// Posts `sub` as the subscription of complaint `code`, in `lang`.
async fn subscribe(app: &TestApp, code: &str, sub: &Value, lang: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/complaints/{code}/push")))
        .header("Cookie", format!("pasokh_lang={lang}"))
        .json(sub)
        .send()
        .await
        .expect("subscribe");
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

/// A subscription shaped like a browser's, with fresh keys, to `endpoint`
/// (for the cases that never reach a push service).
fn browser_like(endpoint: &str) -> Value {
    let key = p256::SecretKey::from_slice(&rand::random::<[u8; 32]>()).expect("key");
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    json!({
        "endpoint": endpoint,
        "keys": {
            "p256dh": B64.encode(key.public_key().to_encoded_point(false).as_bytes()),
            "auth": B64.encode(rand::random::<[u8; 16]>()),
        }
    })
}

/// A signed-in citizen's complaint (so its changes are texted too).
async fn texted_complaint(app: &TestApp, phone: &str) -> String {
    let token = app.sign_in(phone).await;
    citizen_files(
        app,
        Some(&token),
        "چاله عمیق جلوی نانوایی، خطرناک برای موتورسوارها",
    )
    .await
}

async fn deliver_pushes(app: &TestApp, later: i64) -> server::notify::Delivery {
    app.state
        .push
        .as_ref()
        .expect("push is on")
        .outbox
        .deliver_due(server::now() + later)
        .await
        .expect("push outbox")
}

async fn pending_pushes(app: &TestApp) -> i64 {
    app.state
        .push
        .as_ref()
        .expect("push is on")
        .outbox
        .pending()
        .await
        .expect("pending")
}

/// The push text "resolved" makes, in `lang`.
fn resolved_text(code: &str, lang: Lang) -> String {
    let code = TrackingCode::parse(code).expect("code");
    server::notify::render(Msg::SmsResolved, lang, &code, None, None)
}

/// The unit takes the complaint (no public change: nothing sent) and
/// resolves it (a public change: announced).
async fn resolve(app: &TestApp, code: &str) {
    assert_eq!(app.set_status(code, "in_progress").await, StatusCode::OK);
    assert_eq!(app.set_status(code, "resolved").await, StatusCode::OK);
}

#[tokio::test]
async fn push_status_change_sends_one_encrypted_vapid_push() {
    on_each_backend(|app| async move {
        let fake = FakePush::start();
        let key = vapid_key(&app).await;
        let phone = "09120007001";
        let code = texted_complaint(&app, phone).await;
        // The tracking page offers it (the script shows it where it can work).
        let page = app.text(&format!("/track/{code}")).await;
        assert!(page.contains(&format!("data-push=\"{code}\"")), "{page}");
        let sub = fake.subscription(&key).await;
        let (status, body) = subscribe(&app, &code, &sub, "en").await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // The same browser again: its keys refreshed, not a second row.
        assert_eq!(
            subscribe(&app, &code, &sub, "en").await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(app.count("push_subscription").await, 1);

        resolve(&app, &code).await;
        deliver_pushes(&app, 0).await;
        let got = fake.received().await;
        assert_eq!(got.len(), 1, "exactly one push: {got:?}");
        assert_eq!(got[0]["error"], Value::Null, "{got:?}");
        assert_eq!(got[0]["headers"]["content-encoding"], "aes128gcm");
        assert_eq!(got[0]["headers"]["urgency"], "normal");
        let shown: Value =
            serde_json::from_str(got[0]["plaintext"].as_str().expect("decrypted")).expect("json");
        assert_eq!(shown["body"], resolved_text(&code, Lang::En));
        assert!(shown["body"].as_str().unwrap_or_default().contains(&code));
        assert_eq!(shown["title"], Msg::AppName.text(Lang::En));
        assert_eq!(shown["url"], format!("/track/{code}"));
        assert_eq!(pending_pushes(&app).await, 0);
        // Sent once: another run sends nothing again.
        deliver_pushes(&app, 3600).await;
        assert_eq!(fake.received().await.len(), 1);

        // The SMS went its own way, as before.
        app.state
            .outbox
            .deliver_due(server::now())
            .await
            .expect("sms");
        let texts = app.sms.texts_to(phone);
        assert!(
            texts.iter().any(|t| *t == resolved_text(&code, Lang::Fa)),
            "{texts:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn push_failing_service_never_blocks_the_status_change_or_the_sms() {
    on_each_backend(|app| async move {
        let fake = FakePush::start();
        let key = vapid_key(&app).await;
        let phone = "09120007002";
        let code = texted_complaint(&app, phone).await;
        let sub = fake.subscription(&key).await;
        assert_eq!(
            subscribe(&app, &code, &sub, "fa").await.0,
            StatusCode::CREATED
        );
        // And a browser whose push service cannot be reached at all.
        let dead = browser_like("http://127.0.0.1:9/push/unreachable");
        assert_eq!(
            subscribe(&app, &code, &dead, "fa").await.0,
            StatusCode::CREATED
        );
        fake.answer_with(500).await;

        resolve(&app, &code).await;
        let (s, view) = {
            let res = app.get(&format!("/api/v1/complaints/{code}")).await;
            (res.status(), res.json::<Value>().await.expect("json"))
        };
        assert_eq!(s, StatusCode::OK);
        assert_eq!(view["status"], "done", "{view}");
        let pushed = deliver_pushes(&app, 0).await;
        assert_eq!(pushed.sent, 0, "{pushed:?}");
        app.state
            .outbox
            .deliver_due(server::now())
            .await
            .expect("sms");
        assert!(
            app.sms
                .texts_to(phone)
                .iter()
                .any(|t| *t == resolved_text(&code, Lang::Fa)),
            "the SMS went out"
        );
        let got = fake.received().await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["answered"], 500);
        assert_eq!(pending_pushes(&app).await, 2, "both kept for a retry");

        // Later, the service is back: the push goes out, the right text.
        fake.answer_with(201).await;
        deliver_pushes(&app, 120).await;
        let got = fake.received().await;
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1]["error"], Value::Null, "{got:?}");
        let shown: Value =
            serde_json::from_str(got[1]["plaintext"].as_str().expect("decrypted")).expect("json");
        assert_eq!(shown["body"], resolved_text(&code, Lang::Fa));
        assert_eq!(pending_pushes(&app).await, 1, "the unreachable one waits");
        assert_eq!(
            app.count("push_subscription").await,
            2,
            "an outage is not gone"
        );
    })
    .await;
}

#[tokio::test]
async fn push_gone_endpoint_unsubscribes() {
    on_each_backend(|app| async move {
        let fake = FakePush::start();
        let key = vapid_key(&app).await;
        let code = texted_complaint(&app, "09120007003").await;
        let sub = fake.subscription(&key).await;
        assert_eq!(
            subscribe(&app, &code, &sub, "fa").await.0,
            StatusCode::CREATED
        );
        fake.answer_with(410).await;
        resolve(&app, &code).await;
        deliver_pushes(&app, 0).await;
        assert_eq!(fake.received().await.len(), 1);
        assert_eq!(app.count("push_subscription").await, 0, "410: gone");
        assert_eq!(app.count("push_outbox").await, 0);
        let held: i64 =
            sqlx::query_scalar("SELECT push_subscriptions FROM complaint WHERE tracking_code = $1")
                .bind(&code)
                .fetch_one(app.store().pool())
                .await
                .expect("count");
        assert_eq!(held, 0, "the complaint's count follows");
        // Nothing is pushed to it any more.
        assert_eq!(app.set_status(&code, "closed").await, StatusCode::OK);
        deliver_pushes(&app, 0).await;
        assert_eq!(fake.received().await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn push_subscriptions_are_validated_and_refusals_translated() {
    on_each_backend(|app| async move {
        let code = citizen_files(&app, None, "چراغ خیابان خاموش است، کوچه تاریک است").await;
        let good = browser_like("https://push.example.net/wpush/abc");
        let markup = "\"'><script>alert(1)</script>";
        let mut cases: Vec<(Value, &str)> = Vec::new();
        for endpoint in [
            "http://push.example.net/abc".to_owned(),
            format!("https://push.example.net/{markup}"),
            format!("https://push.example.net/{}", "a".repeat(2000)),
            "javascript:alert(1)".to_owned(),
            String::new(),
        ] {
            let mut sub = good.clone();
            sub["endpoint"] = json!(endpoint);
            cases.push((sub, "endpoint"));
        }
        for (p256dh, auth) in [
            (
                markup.to_owned(),
                good["keys"]["auth"].as_str().unwrap_or_default().to_owned(),
            ),
            (
                B64.encode([4u8; 65]),
                good["keys"]["auth"].as_str().unwrap_or_default().to_owned(),
            ),
            (
                good["keys"]["p256dh"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                B64.encode([1u8; 8]),
            ),
        ] {
            let mut sub = good.clone();
            sub["keys"] = json!({ "p256dh": p256dh, "auth": auth });
            cases.push((sub, "keys"));
        }
        cases.push((json!({ "endpoint": "https://push.example.net/x" }), "keys"));
        for (sub, field) in &cases {
            let (status, body) = subscribe(&app, &code, sub, "fa").await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{sub} {body}");
            assert_eq!(body["field"], *field, "{body}");
            let message = body["message"].as_str().unwrap_or_default();
            assert!(
                message
                    .chars()
                    .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
                "Persian first: {body}"
            );
            assert!(!message.contains('<'), "{body}");
        }
        let (status, body) = subscribe(&app, &code, &cases[0].0, "en").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["message"], Msg::ErrPushEndpoint.text(Lang::En));
        let res = app
            .client
            .post(app.url(&format!("/api/v1/complaints/{code}/push")))
            .header("Content-Type", "application/json")
            .body("{not json")
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        // An unknown complaint.
        let other = if code.ends_with('0') { "1" } else { "0" };
        let wrong = format!("{}{other}", &code[..code.len() - 1]);
        assert_eq!(
            subscribe(&app, &wrong, &good, "fa").await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(app.count("push_subscription").await, 0, "nothing stored");
        // The good one is taken, and can be withdrawn.
        assert_eq!(
            subscribe(&app, &code, &good, "fa").await.0,
            StatusCode::CREATED
        );
        let res = app
            .client
            .delete(app.url(&format!("/api/v1/complaints/{code}/push")))
            .json(&json!({ "endpoint": good["endpoint"] }))
            .send()
            .await
            .expect("unsubscribe");
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.count("push_subscription").await, 0);
    })
    .await;
}

#[tokio::test]
async fn push_subscriptions_per_complaint_hold_under_parallel_requests() {
    on_each_backend(|app| async move {
        let code = citizen_files(&app, None, "درخت افتاده روی پیاده‌رو، راه بسته است").await;
        let subs: Vec<Value> = (0..12)
            .map(|i| browser_like(&format!("https://push.example.net/wpush/{i}")))
            .collect();
        let answers =
            futures_util::future::join_all(subs.iter().map(|s| subscribe(&app, &code, s, "fa")))
                .await;
        let created = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count();
        let full: Vec<&Value> = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::CONFLICT)
            .map(|(_, b)| b)
            .collect();
        assert_eq!(
            created,
            server::push::MAX_SUBSCRIPTIONS as usize,
            "{answers:?}"
        );
        assert_eq!(full.len(), 12 - created, "{answers:?}");
        assert_eq!(full[0]["reason"], "push_subscriptions_full");
        assert_eq!(app.count("push_subscription").await, 5);
        // One withdrawn makes room for one more.
        let taken = answers
            .iter()
            .position(|(s, _)| *s == StatusCode::CREATED)
            .expect("one");
        let res = app
            .client
            .delete(app.url(&format!("/api/v1/complaints/{code}/push")))
            .json(&json!({ "endpoint": subs[taken]["endpoint"] }))
            .send()
            .await
            .expect("unsubscribe");
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let late = browser_like("https://push.example.net/wpush/late");
        assert_eq!(
            subscribe(&app, &code, &late, "fa").await.0,
            StatusCode::CREATED
        );
        assert_eq!(
            subscribe(
                &app,
                &code,
                &browser_like("https://push.example.net/wpush/x"),
                "fa"
            )
            .await
            .0,
            StatusCode::CONFLICT
        );
    })
    .await;
}

#[tokio::test]
async fn push_vapid_key_is_made_once_and_kept() {
    on_each_backend(|app| async move {
        let key = vapid_key(&app).await;
        assert_eq!(B64.decode(&key).expect("base64url").len(), 65);
        // Two more starts at once (as two nodes would) find the same key.
        let (a, b) = tokio::join!(
            server::push::VapidKey::load_or_create(app.store()),
            server::push::VapidKey::load_or_create(app.store())
        );
        assert_eq!(a.expect("a").public_key(), key);
        assert_eq!(b.expect("b").public_key(), key);
        assert_eq!(app.count("vapid_key").await, 1);
    })
    .await;
}

#[tokio::test]
async fn push_off_has_no_routes() {
    on_each_backend_with(
        |c| c.push = false,
        |app| async move {
            assert_eq!(
                app.get("/api/v1/push/key").await.status(),
                StatusCode::NOT_FOUND
            );
            let code =
                citizen_files(&app, None, "آب‌گرفتگی زیرگذر، ماشین‌ها نمی‌توانند رد شوند").await;
            let page = app.text(&format!("/track/{code}")).await;
            assert!(!page.contains("data-push"), "no offer when push is off");
            let sub = browser_like("https://push.example.net/wpush/off");
            assert_eq!(
                subscribe(&app, &code, &sub, "fa").await.0,
                StatusCode::NOT_FOUND
            );
        },
    )
    .await;
}

/// A name table for the push sender (instead of DNS): `name` → addresses.
fn hosts(names: &[(&str, &[&str])]) -> server::push::Hosts {
    names
        .iter()
        .map(|(name, ips)| {
            let ips = ips.iter().map(|ip| ip.parse().expect("ip")).collect();
            ((*name).to_owned(), ips)
        })
        .collect()
}

/// Stores `endpoint` as a subscription of `code` directly, as one taken
/// before the rules it breaks (or while its name still led elsewhere).
async fn stored_subscription(app: &TestApp, code: &str, endpoint: &str) {
    let sub = browser_like(endpoint);
    let id: i64 = sqlx::query_scalar("SELECT id FROM complaint WHERE tracking_code = $1")
        .bind(code)
        .fetch_one(app.store().pool())
        .await
        .expect("complaint");
    sqlx::query("UPDATE complaint SET push_subscriptions = push_subscriptions + 1 WHERE id = $1")
        .bind(id)
        .execute(app.store().pool())
        .await
        .expect("count");
    sqlx::query(
        "INSERT INTO push_subscription (complaint_id, endpoint, p256dh, auth, lang, created_at) \
         VALUES ($1, $2, $3, $4, 'fa', $5)",
    )
    .bind(id)
    .bind(endpoint)
    .bind(sub["keys"]["p256dh"].as_str().unwrap_or_default())
    .bind(sub["keys"]["auth"].as_str().unwrap_or_default())
    .bind(server::now())
    .execute(app.store().pool())
    .await
    .expect("subscription");
}

/// An endpoint whose public-looking name leads into the server's own
/// networks (loopback, private, link-local, ULA, or one such address among
/// public ones) is refused when it is subscribed, translated; a name with
/// only public addresses is taken, and so is one that does not resolve now
/// (each send looks again).
#[tokio::test]
async fn push_endpoint_names_leading_into_private_networks_are_refused() {
    on_each_backend_with(
        |c| {
            c.push_local_endpoints = false;
            c.push_hosts = Some(hosts(&[
                ("loop.push.example.net", &["127.0.0.1"]),
                ("lan.push.example.net", &["10.0.0.5"]),
                ("home.push.example.net", &["192.168.1.1"]),
                ("metadata.push.example.net", &["169.254.169.254"]),
                ("ula.push.example.net", &["fd12:3456::1"]),
                ("mapped.push.example.net", &["::ffff:10.1.2.3"]),
                ("mixed.push.example.net", &["142.250.185.10", "172.16.0.9"]),
                (
                    "fcm.push.example.net",
                    &["142.250.185.10", "2a00:1450:4001:82a::200a"],
                ),
            ]));
        },
        |app| async move {
            let code = citizen_files(&app, None, "چراغ راهنمایی چهارراه کار نمی‌کند").await;
            for name in ["loop", "lan", "home", "metadata", "ula", "mapped", "mixed"] {
                let sub = browser_like(&format!("https://{name}.push.example.net/wpush/1"));
                let (status, body) = subscribe(&app, &code, &sub, "fa").await;
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
                assert_eq!(body["field"], "endpoint", "{body}");
                assert_eq!(body["reason"], "not_public", "{body}");
                assert_eq!(
                    body["message"],
                    Msg::ErrPushEndpointPrivate.text(Lang::Fa),
                    "Persian first: {body}"
                );
            }
            let sub = browser_like("https://lan.push.example.net/wpush/2");
            let (_, body) = subscribe(&app, &code, &sub, "en").await;
            assert_eq!(body["message"], Msg::ErrPushEndpointPrivate.text(Lang::En));
            assert_eq!(app.count("push_subscription").await, 0, "none taken");
            // Public addresses only: taken. Not resolvable now: taken too.
            for endpoint in [
                "https://fcm.push.example.net/wpush/3",
                "https://unknown.push.example.net/wpush/4",
            ] {
                let (status, body) = subscribe(&app, &code, &browser_like(endpoint), "fa").await;
                assert_eq!(status, StatusCode::CREATED, "{endpoint}: {body}");
            }
        },
    )
    .await;
}

/// At each send the name is looked up again: one that leads into a private
/// network now (or a stored endpoint the rules refuse) is never posted to
/// and is unsubscribed, like a gone one; one that does not resolve waits.
#[tokio::test]
async fn push_sends_skip_endpoints_that_lead_into_private_networks() {
    on_each_backend_with(
        |c| {
            c.push_local_endpoints = false;
            c.push_hosts = Some(hosts(&[("rebound.push.example.net", &["10.0.0.7"])]));
        },
        |app| async move {
            let code = texted_complaint(&app, "09120007004").await;
            stored_subscription(&app, &code, "https://rebound.push.example.net/wpush/1").await;
            stored_subscription(&app, &code, "https://10.0.0.8/wpush/2").await;
            stored_subscription(&app, &code, "https://unresolved.push.example.net/wpush/3").await;
            resolve(&app, &code).await;
            let pushed = deliver_pushes(&app, 0).await;
            assert_eq!(pushed.sent, 0, "{pushed:?}");
            let left: Vec<String> = sqlx::query_scalar("SELECT endpoint FROM push_subscription")
                .fetch_all(app.store().pool())
                .await
                .expect("subscriptions");
            assert_eq!(
                left,
                ["https://unresolved.push.example.net/wpush/3"],
                "the two into private networks are dropped"
            );
            assert_eq!(pending_pushes(&app).await, 1, "the unresolved one waits");
            let held: i64 = sqlx::query_scalar(
                "SELECT push_subscriptions FROM complaint WHERE tracking_code = $1",
            )
            .bind(&code)
            .fetch_one(app.store().pool())
            .await
            .expect("count");
            assert_eq!(held, 1, "the complaint's count follows");
        },
    )
    .await;
}

/// The sender connects where its own lookup says: a name known only to the
/// push sender's resolver (tests' table, no DNS) reaches the fake push
/// service on this machine (loopback allowed in tests only), and a name of
/// the table that leads into a private network is refused even so.
#[tokio::test]
async fn push_connects_to_the_addresses_it_checked() {
    on_each_backend_with(
        |c| {
            c.push_hosts = Some(hosts(&[
                ("fake.localhost", &["127.0.0.1"]),
                ("lan.localhost", &["10.0.0.9"]),
            ]));
        },
        |app| async move {
            let fake = FakePush::start();
            let key = vapid_key(&app).await;
            let code = texted_complaint(&app, "09120007005").await;
            let mut sub = fake.subscription(&key).await;
            let endpoint = sub["endpoint"].as_str().expect("endpoint").to_owned();
            let named = endpoint.replace("127.0.0.1", "fake.localhost");
            assert_ne!(named, endpoint);
            sub["endpoint"] = json!(named);
            let (status, body) = subscribe(&app, &code, &sub, "fa").await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            let mut lan = sub.clone();
            lan["endpoint"] = json!(endpoint.replace("127.0.0.1", "lan.localhost"));
            let (status, body) = subscribe(&app, &code, &lan, "fa").await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(body["reason"], "not_public", "{body}");

            resolve(&app, &code).await;
            deliver_pushes(&app, 0).await;
            let got = fake.received().await;
            assert_eq!(got.len(), 1, "{got:?}");
            assert_eq!(got[0]["error"], Value::Null, "{got:?}");
            let shown: Value =
                serde_json::from_str(got[0]["plaintext"].as_str().expect("decrypted"))
                    .expect("json");
            assert_eq!(shown["body"], resolved_text(&code, Lang::Fa));
        },
    )
    .await;
}
