//! The lobby kiosk: its filing (the public form's POST with channel `kiosk`
//! and a number for texts), its end screen with the QR code, and the reset
//! that ends a visit.

use crate::{
    helpers::{on_each_backend, on_each_backend_with, TestApp},
    rest::complaint_form,
    staff::staff_get,
};
use reqwest::{header, StatusCode};

/// Files through the kiosk form; returns the `Location` it answers with.
async fn kiosk_files(app: &TestApp, key: &str, phone: Option<&str>) -> reqwest::Response {
    let mut form = complaint_form("کیوسک: چراغ خیابان خاموش است")
        .text("channel", "kiosk")
        .text("idempotency_key", key.to_owned());
    if let Some(phone) = phone {
        form = form.text("caller_phone", phone.to_owned());
    }
    app.post_multipart("/report", form).await
}

#[tokio::test]
async fn a_kiosk_filing_texts_the_typed_number_and_ends_on_its_receipt() {
    on_each_backend(|app| async move {
        let res = kiosk_files(&app, "kiosk-visit-1", Some("۰۹۱۲ ۰۰۰ ۲۲۳۳")).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.backend);
        let location = res.headers()[header::LOCATION]
            .to_str()
            .expect("ascii")
            .to_owned();
        let code = location
            .strip_prefix("/kiosk/done/")
            .unwrap_or_else(|| panic!("to the kiosk's end screen: {location}"))
            .to_owned();
        // A retry of the same visit files nothing more.
        let again = kiosk_files(&app, "kiosk-visit-1", Some("۰۹۱۲ ۰۰۰ ۲۲۳۳")).await;
        assert_eq!(again.headers()[header::LOCATION], location.as_str());
        assert_eq!(app.count("complaint").await, 1, "{}", app.backend);

        // Channel kiosk, owned by the number's account, the code texted.
        let supervisor = app.staff_token("supervisor").await;
        let (_, full) = staff_get(
            &app,
            &supervisor,
            &format!("/api/v1/staff/complaints/{code}"),
        )
        .await;
        assert_eq!(full["channel"], "kiosk", "{full}");
        assert_eq!(full["citizen_phone"], "09120002233");
        let sent = app
            .state
            .outbox
            .deliver_due(server::now())
            .await
            .expect("outbox");
        assert_eq!(sent.sent, 1);
        let texts = app.sms.texts_to("09120002233");
        assert_eq!(texts.len(), 1);
        assert!(texts[0].contains(&code), "{texts:?}");

        // The end screen: the code, a QR code of the tracking page, nothing
        // of the description or the number.
        let html = app.text(&location).await;
        // The QR code is the one of this server's public tracking page.
        let tracking = app.url(&format!("/track/{code}"));
        let qr = app::pages::kiosk::qr_svg(&tracking).expect("a QR code");
        assert!(html.contains(&qr), "the QR code of {tracking}");
        assert!(
            !html.contains(&app::pages::kiosk::qr_svg(&app.url("/track/1234567894")).expect("qr"))
        );
        assert!(html.contains(&app::i18n::Lang::Fa.digits(&code)));
        assert!(!html.contains("چراغ خیابان خاموش"), "no description");
        assert!(!html.contains("2233") && !html.contains("۲۲۳۳"), "no phone");
        assert!(
            !html.contains("class=\"site-header\""),
            "no site navigation"
        );
    })
    .await;
}

/// A kiosk has no location of its own: an address that names a known place
/// gets that place's point, so the filing is routed to its unit rather than
/// left for dispatch; an unknown address still waits for dispatch.
#[tokio::test]
async fn a_kiosk_filing_at_a_known_place_is_routed() {
    on_each_backend(|app| async move {
        let supervisor = app.staff_token("supervisor").await;
        let mut placed = Vec::new();
        for (key, address) in [
            ("kiosk-place-1", "میدان آزادی"),
            ("kiosk-place-2", "کوچه‌ای که نیست"),
        ] {
            let form = reqwest::multipart::Form::new()
                .text("category", "asphalt-repair")
                .text("description", "چاله بزرگ جلوی ورودی")
                .text("address", address)
                .text("channel", "kiosk")
                .text("idempotency_key", key);
            let res = app.post_multipart("/report", form).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.backend);
            let code = res.headers()[header::LOCATION].to_str().expect("ascii")
                ["/kiosk/done/".len()..]
                .to_owned();
            let (_, full) = staff_get(
                &app,
                &supervisor,
                &format!("/api/v1/staff/complaints/{code}"),
            )
            .await;
            placed.push(full);
        }
        assert_eq!(
            placed[0]["district"]["fa"].as_str().map(|d| !d.is_empty()),
            Some(true),
            "{}",
            placed[0]
        );
        assert!(placed[0]["unit"].is_object(), "routed: {}", placed[0]);
        assert_eq!(placed[0]["status"], "referred", "{}", placed[0]);
        assert!(
            placed[1]["district"].is_null() && placed[1]["unit"].is_null(),
            "{}",
            placed[1]
        );
        assert_eq!(placed[1]["status"], "submitted");
    })
    .await;
}

#[tokio::test]
async fn a_kiosk_filing_needs_no_number_and_refuses_a_bad_one_on_its_own_page() {
    on_each_backend(|app| async move {
        let res = kiosk_files(&app, "kiosk-visit-2", None).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let code = res.headers()[header::LOCATION]
            .to_str()
            .expect("test value")["/kiosk/done/".len()..]
            .to_owned();
        let supervisor = app.staff_token("supervisor").await;
        let (_, full) = staff_get(
            &app,
            &supervisor,
            &format!("/api/v1/staff/complaints/{code}"),
        )
        .await;
        assert_eq!(full["channel"], "kiosk");
        assert!(full["citizen_phone"].is_null(), "{full}");

        let users = app.count("app_user").await;
        let res = kiosk_files(&app, "kiosk-visit-3", Some("12345")).await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let html = res.text().await.expect("body");
        assert!(html.contains("id=\"kiosk-form\""), "the kiosk's form again");
        assert!(html.contains("کیوسک: چراغ خیابان خاموش است"), "as typed");
        assert_eq!(app.count("complaint").await, 1, "nothing more filed");
        assert_eq!(app.count("app_user").await, users, "no account made");
    })
    .await;
}

#[tokio::test]
async fn what_was_typed_at_the_kiosk_comes_back_escaped() {
    on_each_backend(|app| async move {
        let form = reqwest::multipart::Form::new()
            .text("channel", "kiosk")
            .text("category", "asphalt-repair")
            .text("description", "<script>alert(1)</script> چاله")
            .text("address", "\"><img src=x onerror=alert(2)>")
            .text("caller_phone", "<b>0912</b>");
        let res = app.post_multipart("/report", form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.expect("body");
        assert!(html.contains("id=\"kiosk-form\""));
        assert!(!html.contains("<script>alert(1)"), "description escaped");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; چاله"));
        assert!(!html.contains("<img src=x"), "address escaped");
        assert!(!html.contains("<b>0912"), "number escaped");
        assert_eq!(app.count("complaint").await, 0);
    })
    .await;
}

#[tokio::test]
async fn the_kiosk_reset_clears_the_sites_cookies_and_storage() {
    on_each_backend(|app| async move {
        let res = app
            .client
            .post(app.url("/kiosk/reset"))
            .send()
            .await
            .expect("reset");
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(res.headers()["clear-site-data"], "\"cookies\", \"storage\"");
        let cookies: Vec<_> = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().expect("test value").to_owned())
            .collect();
        assert!(
            cookies
                .iter()
                .any(|c| c.starts_with("pasokh_lang=;") && c.contains("Max-Age=0")),
            "{cookies:?}"
        );
        assert_eq!(cookies.len(), 2, "{cookies:?}");
    })
    .await;
}

/// Only a kiosk's address may use the kiosk form (it texts the number typed
/// on it); a kiosk behind a trusted proxy is known by its forwarded address.
#[tokio::test]
async fn only_a_kiosk_address_may_file_as_a_kiosk() {
    on_each_backend_with(
        |config| {
            config.kiosk_networks = server::net::Networks::parse("10.9.0.0/16").expect("ranges");
            config.trusted_proxies = server::net::Networks::parse("127.0.0.1").expect("ranges");
        },
        |app| async move {
            let res = kiosk_files(&app, "kiosk-stranger-1", Some("09120005566")).await;
            assert_eq!(
                res.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                app.backend
            );
            let html = res.text().await.expect("body");
            assert!(
                html.contains("این دستگاه از کیوسک‌های شهرداری نیست"),
                "the refusal, translated"
            );
            assert_eq!(app.count("complaint").await, 0, "nothing filed");
            assert_eq!(app.count("sms_outbox").await, 0, "nothing texted");
            assert!(
                app.sms.texts_to("09120005566").is_empty(),
                "no text to the number"
            );

            // The REST API is the same door: channel `kiosk` from a
            // stranger is refused there too (it used to be filed and
            // counted as a kiosk filing).
            let api_form = complaint_form("کیوسک از راه API")
                .text("channel", "kiosk")
                .text("caller_phone", "09120005566");
            let res = app
                .client
                .post(app.url("/api/v1/complaints"))
                .header("idempotency-key", "kiosk-stranger-api")
                .header("accept-language", "en")
                .multipart(api_form)
                .send()
                .await
                .expect("request");
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let body: serde_json::Value = res.json().await.expect("json");
            assert_eq!(body["field"], "channel", "{body}");
            assert!(
                body["message"].as_str().unwrap_or("").contains("kiosk"),
                "translated: {body}"
            );
            assert_eq!(app.count("complaint").await, 0, "nothing filed");
            assert_eq!(app.count("sms_outbox").await, 0, "nothing texted");

            // The same form from a kiosk in 10.9.0.0/16, through the proxy.
            let form = complaint_form("کیوسک: چراغ خیابان خاموش است")
                .text("channel", "kiosk")
                .text("idempotency_key", "kiosk-lobby-1")
                .text("caller_phone", "09120005566");
            let res = app
                .client
                .post(app.url("/report"))
                .header("x-forwarded-for", "10.9.4.20")
                .multipart(form)
                .send()
                .await
                .expect("request");
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", app.backend);
            assert_eq!(app.count("complaint").await, 1);
        },
    )
    .await;
}

/// One number is texted for at most three kiosk filings an hour, also when
/// the filings arrive at once.
#[tokio::test]
async fn a_number_is_texted_for_three_kiosk_filings_an_hour_even_at_once() {
    on_each_backend(|app| async move {
        let keys: Vec<String> = (0..8).map(|i| format!("kiosk-burst-{i}")).collect();
        let answers = futures_util::future::join_all(
            keys.iter()
                .map(|key| kiosk_files(&app, key, Some("09120007788"))),
        )
        .await;
        let filed = answers
            .iter()
            .filter(|r| r.status() == StatusCode::SEE_OTHER)
            .count();
        let refused = answers
            .iter()
            .filter(|r| r.status() == StatusCode::UNPROCESSABLE_ENTITY)
            .count();
        assert_eq!(
            (filed, refused),
            (3, 5),
            "{}: every answer a filing or a refusal",
            app.backend
        );
        assert_eq!(app.count("complaint").await, 3);
        assert_eq!(app.count("sms_outbox").await, 3, "three texts queued");
        // Without a number the kiosk still files.
        let res = kiosk_files(&app, "kiosk-burst-anonymous", None).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        // The refusal says why, in the kiosk's form.
        let html = kiosk_files(&app, "kiosk-burst-late", Some("09120007788"))
            .await
            .text()
            .await
            .expect("body");
        assert!(html.contains("id=\"kiosk-form\""));
        assert!(html.contains("در یک ساعت گذشته چند درخواست از کیوسک‌ها با این شماره"));
    })
    .await;
}
