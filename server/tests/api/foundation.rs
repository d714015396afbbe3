//! The defects found by probing the server from outside, each as a test
//! that failed before its fix: races between parallel requests, escaping,
//! limits per client address, the order of checks, orphaned files, the
//! production first start, JSON errors, and kept-alive latency.

use crate::helpers::{on_each_backend, on_each_backend_with, TestApp};
use crate::rest::{complaint_form, jpeg, png, post_complaint};
use futures_util::future::join_all;
use reqwest::{header, multipart::Part, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

/// The photo URLs of a complaint's public view.
async fn photo_urls(app: &TestApp, code: &str) -> Vec<String> {
    let body: Value = app
        .get(&format!("/api/v1/complaints/{code}"))
        .await
        .json()
        .await
        .expect("json");
    body["photos"]
        .as_array()
        .map(|photos| {
            photos
                .iter()
                .flat_map(|p| [p["url"].as_str(), p["thumb_url"].as_str()])
                .flatten()
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Files a complaint with `photo`; returns its tracking code.
async fn file_with(app: &TestApp, key: &str, photo: Vec<u8>) -> String {
    let form = complaint_form("تیر چراغ برق کج شده و روی پیاده‌رو افتاده")
        .part("photo", Part::bytes(photo).file_name("p.jpg"));
    let res = post_complaint(app, Some(key), form).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", app.backend);
    let body: Value = res.json().await.expect("json");
    body["tracking_code"].as_str().expect("code").to_owned()
}

/// Every regular file under the photo directory.
fn stored_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    let root = app.data_dir.join("photos");
    std::fs::read_dir(&root)
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|shard| {
            std::fs::read_dir(shard.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|e| e.path())
        .collect()
}

/// Sets a file's modification time `age` into the past.
fn age_file(path: &std::path::Path, age: Duration) {
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    file.set_modified(SystemTime::now() - age).expect("mtime");
}

fn age_all_files(app: &TestApp, age: Duration) {
    for path in stored_files(app) {
        age_file(&path, age);
    }
}

const TWO_HOURS: Duration = Duration::from_secs(7200);

#[tokio::test]
async fn a_refused_filing_never_takes_an_accepted_ones_photo() {
    on_each_backend(|app| async move {
        // Issue 7, bug 1: the same JPEG filed twice at once, one refused.
        let rounds = (0..30).map(|i| {
            let app = &app;
            async move {
                let photo = jpeg(64 + i, 48);
                let refused = complaint_form("کم")
                    .part("photo", Part::bytes(photo.clone()).file_name("p.jpg"));
                let (refused_key, accepted_key) = (format!("refused-{i}"), format!("accepted-{i}"));
                let (refused, code) = tokio::join!(
                    post_complaint(app, Some(&refused_key), refused),
                    file_with(app, &accepted_key, photo),
                );
                assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
                code
            }
        });
        let codes = join_all(rounds).await;
        for code in &codes {
            let urls = photo_urls(&app, code).await;
            assert_eq!(urls.len(), 2, "photo and thumbnail");
            for url in urls {
                assert_eq!(app.get(&url).await.status(), StatusCode::OK, "{url}");
            }
        }
        // Nothing unreferenced is left behind either: the refusals were
        // decided before any photo was decoded.
        assert_eq!(stored_files(&app).len(), 2 * codes.len(), "{}", app.backend);
    })
    .await;
}

#[tokio::test]
async fn the_sweeper_removes_only_old_unreferenced_objects_and_stale_staging_files() {
    on_each_backend(|app| async move {
        let kept = file_with(&app, "kept", jpeg(80, 60)).await;
        let media = &app.state.media;
        // A filing that stored its photo, then died before committing.
        let claimed = media.ingest(jpeg(81, 60).into()).await.expect("ingest");
        server::media::orphans::claim(app.store(), &[claimed.key.as_str()])
            .await
            .expect("claim");
        // An object from before claims existed.
        let legacy = media.ingest(jpeg(82, 60).into()).await.expect("ingest");
        // Staging files a kill -9 left mid-write.
        let shard = app.data_dir.join("photos").join(&claimed.key[..2]);
        let stale = shard.join(format!("{}#7", claimed.key));
        std::fs::write(&stale, b"partial").expect("staging");
        age_all_files(&app, TWO_HOURS);
        app.execute(&format!(
            "UPDATE media_object SET claimed_at = claimed_at - {}",
            TWO_HOURS.as_secs()
        ))
        .await;
        let fresh_staging = shard.join(format!("{}#8", claimed.key));
        std::fs::write(&fresh_staging, b"being written").expect("staging");
        // A filing in flight now: claimed and stored, not yet committed.
        let in_flight = media.ingest(jpeg(83, 60).into()).await.expect("ingest");
        server::media::orphans::claim(app.store(), &[in_flight.key.as_str()])
            .await
            .expect("claim");

        let swept =
            server::media::orphans::sweep(app.store(), media, server::media::orphans::GRACE)
                .await
                .expect("sweep");
        assert_eq!(swept.photos, 2, "the dead filing's and the legacy one");
        assert_eq!(swept.staging, 1, "only the stale staging file");
        assert!(!stale.exists() && fresh_staging.exists());
        for key in [
            &claimed.key,
            &claimed.thumb_key,
            &legacy.key,
            &legacy.thumb_key,
        ] {
            assert_eq!(
                app.get(&format!("/media/{key}")).await.status(),
                StatusCode::NOT_FOUND,
                "{key}"
            );
        }
        for key in [&in_flight.key, &in_flight.thumb_key] {
            assert_eq!(
                app.get(&format!("/media/{key}")).await.status(),
                StatusCode::OK
            );
        }
        for url in photo_urls(&app, &kept).await {
            assert_eq!(app.get(&url).await.status(), StatusCode::OK, "{url}");
        }
        // A second run finds nothing more.
        let again =
            server::media::orphans::sweep(app.store(), media, server::media::orphans::GRACE)
                .await
                .expect("sweep");
        assert_eq!((again.photos, again.staging), (0, 0), "{}", app.backend);
        // The hourly job (prune and sweep) leaves the same files.
        let before = stored_files(&app).len();
        app.jobs.run_once().await;
        assert_eq!(stored_files(&app).len(), before);
    })
    .await;
}

#[tokio::test]
async fn sweeping_while_the_same_photo_is_filed_never_loses_it() {
    on_each_backend(|app| async move {
        let photo = jpeg(90, 70);
        for round in 0..12 {
            // The photo is an old orphan the sweeper wants gone...
            let orphan = app
                .state
                .media
                .ingest(photo.clone().into())
                .await
                .expect("ingest");
            server::media::orphans::claim(app.store(), &[orphan.key.as_str()])
                .await
                .expect("claim");
            age_all_files(&app, TWO_HOURS);
            app.execute("UPDATE media_object SET claimed_at = 0").await;
            app.execute("DELETE FROM photo").await;
            // ...while a citizen files it again.
            let sweep = server::media::orphans::sweep(
                app.store(),
                &app.state.media,
                server::media::orphans::GRACE,
            );
            let key = format!("race-{round}");
            let (swept, code) = tokio::join!(sweep, file_with(&app, &key, photo.clone()));
            swept.expect("sweep");
            for url in photo_urls(&app, &code).await {
                assert_eq!(
                    app.get(&url).await.status(),
                    StatusCode::OK,
                    "round {round}, {}",
                    app.backend
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn parallel_wrong_codes_are_counted_and_a_code_signs_in_once() {
    on_each_backend(|app| async move {
        // Issue 7, bug 2.
        let phone = "09121110101";
        assert_eq!(app.request_code(phone).await, StatusCode::ACCEPTED);
        let code = app.sms.last_code(phone);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let guesses = (0..40).map(|_| {
            app.client
                .post(app.url("/api/v1/auth/session"))
                .json(&json!({ "phone": phone, "code": wrong }))
                .send()
        });
        let mut refused_as_wrong = 0;
        let mut locked = 0;
        for res in join_all(guesses).await {
            match res.expect("request").status() {
                StatusCode::UNPROCESSABLE_ENTITY => refused_as_wrong += 1,
                StatusCode::TOO_MANY_REQUESTS => locked += 1,
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!(
            refused_as_wrong, 4,
            "{}: four compared, the fifth locks",
            app.backend
        );
        assert_eq!(locked, 36);
        let res = app
            .client
            .post(app.url("/api/v1/auth/session"))
            .json(&json!({ "phone": phone, "code": code }))
            .send()
            .await
            .expect("request");
        assert_eq!(
            res.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "locked: even the right code"
        );

        // The right code, five times at once: one session.
        let other = "09121110102";
        assert_eq!(app.request_code(other).await, StatusCode::ACCEPTED);
        let code = app.sms.last_code(other);
        let tries = (0..5).map(|_| {
            app.client
                .post(app.url("/api/v1/auth/session"))
                .json(&json!({ "phone": other, "code": code }))
                .send()
        });
        let statuses: Vec<StatusCode> = join_all(tries)
            .await
            .into_iter()
            .map(|r| r.expect("request").status())
            .collect();
        assert_eq!(
            statuses
                .iter()
                .filter(|s| **s == StatusCode::CREATED)
                .count(),
            1,
            "{statuses:?}"
        );
        assert_eq!(app.count("user_session").await, 1, "{}", app.backend);
    })
    .await;
}

#[tokio::test]
async fn parallel_retries_of_one_filing_all_get_the_first_answer() {
    on_each_backend(|app| async move {
        // Issue 7, bug 3: through the API...
        for round in 0..25 {
            let key = format!("double-tap-{round}");
            let tries = (0..4).map(|_| {
                post_complaint(
                    &app,
                    Some(&key),
                    complaint_form("چاله عمیق کنار جدول خیابان"),
                )
            });
            let mut codes = Vec::new();
            for res in join_all(tries).await {
                assert_eq!(res.status(), StatusCode::CREATED, "{}", app.backend);
                let body: Value = res.json().await.expect("json");
                codes.push(body["tracking_code"].as_str().expect("code").to_owned());
            }
            codes.dedup();
            assert_eq!(codes.len(), 1, "one complaint per key");
        }
        assert_eq!(app.count("complaint").await, 25);
        // ...and a double tap on the plain form.
        for round in 0..10 {
            let form = |_| {
                complaint_form("درخت افتاده روی پیاده‌رو")
                    .text("idempotency_key", format!("form-{round}"))
            };
            let taps = (0..3).map(|i| {
                app.client
                    .post(app.url("/report"))
                    .multipart(form(i))
                    .send()
            });
            let mut places = Vec::new();
            for res in join_all(taps).await {
                let res = res.expect("request");
                assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.backend);
                places.push(
                    res.headers()[header::LOCATION]
                        .to_str()
                        .expect("ascii")
                        .to_owned(),
                );
            }
            places.dedup();
            assert_eq!(places.len(), 1);
        }
        assert_eq!(app.count("complaint").await, 35);
    })
    .await;
}

const MARKUP: &str = "\"'><h1>hi</h1></textarea><script>alert(1)</script>";

/// Checks that `html` never carries `MARKUP` as markup.
fn assert_escaped(html: &str, what: &str) {
    assert!(!html.contains("<h1>hi</h1>"), "{what}: markup echoed raw");
    assert!(
        !html.contains("<script>alert(1)"),
        "{what}: script echoed raw"
    );
}

#[tokio::test]
async fn typed_text_is_escaped_wherever_a_page_echoes_it() {
    on_each_backend(|app| async move {
        // Issue 7, bug 4: every field of the filing form, refused.
        let mut form = reqwest::multipart::Form::new();
        for field in [
            "category",
            "description",
            "address",
            "lat",
            "lon",
            "accuracy_m",
            "idempotency_key",
            "channel",
        ] {
            form = form.text(field, MARKUP);
        }
        let res = app.post_multipart("/report", form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.expect("body");
        assert_escaped(&html, "/report");
        assert!(
            html.contains("&lt;h1&gt;hi&lt;/h1&gt;&lt;/textarea&gt;&lt;script&gt;"),
            "the description comes back as text"
        );
        // A description long enough to pass, so the coordinates are what is refused.
        let form = complaint_form(&format!("{MARKUP} چاله")).text("idempotency_key", "k-markup");
        let form = form.text("channel", "web");
        let res = app.post_multipart("/report", form).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "filed: markup is just text"
        );
        let location = res.headers()[header::LOCATION]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert_escaped(
            &app.get(&location).await.text().await.expect("body"),
            "tracking page",
        );

        // Sign-in, both steps.
        for (path, fields) in [
            ("/signin", vec![("phone", MARKUP), ("next", MARKUP)]),
            (
                "/signin/verify",
                vec![("phone", MARKUP), ("code", MARKUP), ("next", MARKUP)],
            ),
        ] {
            let res = app
                .client
                .post(app.url(path))
                .form(&fields)
                .send()
                .await
                .expect("post");
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            assert_escaped(&res.text().await.expect("body"), path);
        }

        // The filer's verdict forms, refused and shown again as typed.
        let token = app.sign_in("09121110111").await;
        let res = app
            .client
            .post(app.url("/api/v1/complaints"))
            .header("Idempotency-Key", "verdict-markup")
            .bearer_auth(&token)
            .multipart(complaint_form("چراغ خیابان خاموش است"))
            .send()
            .await
            .expect("file");
        let code = res.json::<Value>().await.expect("json")["tracking_code"]
            .as_str()
            .expect("code")
            .to_owned();
        assert_eq!(app.set_status(&code, "resolved").await, StatusCode::OK);
        let cookie = format!("pasokh_session={token}");
        let res = app
            .client
            .post(app.url(&format!("/track/{code}/rating")))
            .header(header::COOKIE, &cookie)
            .form(&[("stars", "9"), ("comment", MARKUP)])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.expect("body");
        assert_escaped(&html, "rating comment");
        assert!(
            html.contains("&lt;h1&gt;hi&lt;/h1&gt;"),
            "the comment is kept, as text"
        );
        let res = app
            .client
            .post(app.url(&format!("/track/{code}/objection")))
            .header(header::COOKIE, &cookie)
            .form(&[("reason", format!("{MARKUP}{}", "x".repeat(500)).as_str())])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_escaped(&res.text().await.expect("body"), "objection reason");
    })
    .await;
}

#[tokio::test]
async fn one_caller_cannot_lock_everyone_out_of_sign_in() {
    on_each_backend_with(
        |config| {
            config.trusted_proxies = server::net::Networks::parse("127.0.0.1").unwrap_or_default();
            config.otp.per_address = 5;
            config.otp.hourly_ceiling = 12;
            config.otp.per_address_braked = 2;
        },
        |app| async move {
            // Issue 7, bug 5. One address, many numbers, all at once.
            let ask = |address: String, phone: String| {
                app.client
                    .post(app.url("/api/v1/auth/otp"))
                    .header("X-Forwarded-For", address)
                    .json(&json!({ "phone": phone }))
                    .send()
            };
            let burst = (0..20).map(|i| ask("203.0.113.9".into(), format!("0912200{i:04}")));
            let accepted = join_all(burst)
                .await
                .into_iter()
                .filter(|r| r.as_ref().is_ok_and(|r| r.status() == StatusCode::ACCEPTED))
                .count();
            assert_eq!(
                accepted, 5,
                "{}: the per-address limit holds in parallel",
                app.backend
            );
            // Someone else still signs in.
            let res = ask("198.51.100.20".into(), "09122010001".into())
                .await
                .expect("request");
            assert_eq!(res.status(), StatusCode::ACCEPTED);
            // Many addresses push the hour past the ceiling (12 codes)...
            for i in 0..6 {
                let res = ask(format!("192.0.2.{i}"), format!("0912300{i:04}"))
                    .await
                    .expect("request");
                assert_eq!(res.status(), StatusCode::ACCEPTED);
            }
            // ...then every address is braked to two codes, not refused outright.
            let mut statuses = Vec::new();
            for i in 0..3 {
                let res = ask("198.51.100.77".into(), format!("0912400{i:04}"))
                    .await
                    .expect("request");
                statuses.push(res.status());
            }
            assert_eq!(
                statuses,
                [
                    StatusCode::ACCEPTED,
                    StatusCode::ACCEPTED,
                    StatusCode::TOO_MANY_REQUESTS
                ],
                "{}",
                app.backend
            );
            assert_eq!(app.sms.count_to("09122010001"), 1);
        },
    )
    .await;
}

#[tokio::test]
async fn cheap_checks_come_before_any_photo_is_decoded() {
    on_each_backend(|app| async move {
        // Issue 7, bug 6: five real photos with a too-short description.
        let before = app.state.media.decoded_count();
        let mut form = complaint_form("کم");
        for i in 0..5 {
            form = form.part("photo", Part::bytes(png(600 + i, 400)).file_name("p.png"));
        }
        let res = post_complaint(&app, Some("cheap-first"), form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["field"], "description");
        assert_eq!(
            app.state.media.decoded_count(),
            before,
            "{}: nothing decoded",
            app.backend
        );
        // Outside the city and an unknown category are refused before decoding too.
        let form = reqwest::multipart::Form::new()
            .text("category", "no-such-category")
            .text("description", "چاله بزرگ وسط خیابان")
            .text("address", "میدان آزادی")
            .part("photo", Part::bytes(png(300, 200)).file_name("p.png"));
        let res = post_complaint(&app, Some("cheap-category"), form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.state.media.decoded_count(), before);

        // Over a size limit: 413 with the JSON error, not a 400 "malformed".
        // (A text field over 16 KiB; a whole body over 40 MiB takes the same
        // path, but the server answers before the client has sent it all.)
        let form = complaint_form(&"چ".repeat(9000));
        let res = post_complaint(&app, Some("too-big"), form).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["code"], "too_large");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("۸")));
        assert_eq!(app.count("complaint").await, 0);
    })
    .await;
}

#[tokio::test]
async fn a_refused_multipart_read_keeps_what_was_typed() {
    on_each_backend(|app| async move {
        // Issue 7, bug 9: six photos is one too many; the fields survive.
        let mut form = reqwest::multipart::Form::new()
            .text("category", "asphalt-repair")
            .text("description", "چاله بزرگ کنار پارک محله")
            .text("idempotency_key", "six-photos");
        for i in 0..6 {
            form = form.part("photo", Part::bytes(jpeg(20 + i, 20)).file_name("p.jpg"));
        }
        let form = form.text("address", "کوچه یاس، پلاک ۱۲");
        let res = app.post_multipart("/report", form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.expect("body");
        assert!(html.contains("حداکثر ۵ عکس"), "the reason");
        assert!(
            html.contains("چاله بزرگ کنار پارک محله"),
            "the description kept"
        );
        assert!(
            html.contains("کوچه یاس، پلاک ۱۲"),
            "a field after the photos kept"
        );
        assert!(html.contains("six-photos"), "the form key kept");
        assert_eq!(app.count("complaint").await, 0, "{}", app.backend);
    })
    .await;
}

#[tokio::test]
async fn a_production_first_start_makes_one_admin_and_nothing_else() {
    on_each_backend_with(
        |config| config.demo = false,
        |app| async move {
            // Issue 7, bug 8.
            let users: Vec<(String, String, i64)> =
                sqlx::query_as("SELECT username, role, must_change_password FROM app_user")
                    .fetch_all(app.store().pool())
                    .await
                    .expect("users");
            assert_eq!(
                users,
                [("admin".to_owned(), "admin".to_owned(), 1)],
                "{}",
                app.backend
            );
            assert_eq!(app.count("district").await, 0);
            assert_eq!(app.count("unit").await, 0);
            assert_eq!(app.count("category").await, 30, "the default categories");
        },
    )
    .await;
}

#[tokio::test]
async fn every_api_error_is_json_in_the_callers_language() {
    on_each_backend(|app| async move {
        // Issue 7, bug 10.
        let cases = [
            app.client
                .post(app.url("/api/v1/auth/otp"))
                .header(header::CONTENT_TYPE, "application/json")
                .body("{not json"),
            app.client
                .post(app.url("/api/v1/auth/otp"))
                .body("phone=0912"),
            app.client.get(app.url("/api/v1/no-such-thing")),
            app.client.delete(app.url("/api/v1/categories")),
            app.client.get(app.url("/api/v1/complaints?page=abc")),
            app.client
                .post(app.url("/api/v1/complaints"))
                .header("Idempotency-Key", "x")
                .body("plain"),
            app.client.get(app.url("/api/v1/complaints/12")),
        ];
        let expected = [400, 400, 404, 405, 400, 400, 404];
        for (req, status) in cases.into_iter().zip(expected) {
            let res = req
                .header(header::ACCEPT_LANGUAGE, "en")
                .send()
                .await
                .expect("request");
            assert_eq!(res.status().as_u16(), status);
            let kind = res.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap_or_default()
                .to_owned();
            assert!(kind.starts_with("application/json"), "{status}: {kind}");
            let body: Value = res.json().await.expect("json");
            assert!(body["code"].is_string(), "{body}");
            assert!(
                body["message"].as_str().is_some_and(|m| m.is_ascii()),
                "English: {body}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn kept_alive_static_files_do_not_wait_for_delayed_acks() {
    on_each_backend(|app| async move {
        // Issue 7, bug 11: without TCP_NODELAY each response on a reused
        // connection waited ~40 ms for the client's delayed ACK. One
        // connection, 200 requests, read as a plain HTTP/1.1 client does.
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = app.base.trim_start_matches("http://").to_owned();
        let mut socket = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        let request = format!("GET /robots.txt HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        let one_response = async |socket: &mut tokio::net::TcpStream| {
            socket.write_all(request.as_bytes()).await.expect("write");
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            // The file is 9200 bytes after the headers.
            let complete = |got: &[u8]| {
                got.windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .is_some_and(|h| got.len() >= h + 4 + 9200)
            };
            while !complete(&got) {
                let n = socket.read(&mut buf).await.expect("read");
                assert!(n > 0, "connection closed");
                got.extend_from_slice(&buf[..n]);
            }
        };
        one_response(&mut socket).await;
        let started = std::time::Instant::now();
        for _ in 0..200 {
            one_response(&mut socket).await;
        }
        let took = started.elapsed();
        // Measured here: 0.13 s with TCP_NODELAY, 3.4 s without (after the
        // kernel's first quick ACKs, each response waited for a delayed one).
        assert!(
            took < Duration::from_millis(1500),
            "{}: {took:?}",
            app.backend
        );
    })
    .await;
}

#[tokio::test]
async fn html_forms_answer_refusals_with_their_status_and_keep_the_page() {
    on_each_backend(|app| async move {
        // One re-render path: rating while signed out shows the complaint's
        // page again with the reason and 401, not a redirect with `?e=`.
        let res = post_complaint(
            &app,
            Some("refusal-page"),
            complaint_form("آب گرفتگی در زیرگذر"),
        )
        .await;
        let code = res.json::<Value>().await.expect("json")["tracking_code"]
            .as_str()
            .expect("code")
            .to_owned();
        let res = app
            .client
            .post(app.url(&format!("/track/{code}/rating")))
            .form(&[("stars", "4"), ("comment", "خوب")])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{}", app.backend);
        let html = res.text().await.expect("body");
        assert!(html.contains("ابتدا وارد شوید"), "the reason, in Persian");
        assert!(
            html.contains(&app::model::digits::to_persian(&code)),
            "the complaint's page"
        );
    })
    .await;
}
