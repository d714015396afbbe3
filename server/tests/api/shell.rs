//! Pages, probes, headers and static files.

use crate::helpers::on_each_backend;
use reqwest::{header, StatusCode};

#[tokio::test]
async fn health_and_ready_answer() {
    on_each_backend(|app| async move {
        let res = app.get("/health").await;
        assert_eq!(res.status(), StatusCode::OK, "{}", app.backend);
        let res = app.get("/ready").await;
        assert_eq!(res.status(), StatusCode::OK, "{}", app.backend);
        let body: serde_json::Value = res.json().await.expect("json");
        assert_eq!(body["database"], "ok");
    })
    .await;
}

#[tokio::test]
async fn home_page_is_persian_rtl_with_security_headers() {
    on_each_backend(|app| async move {
        let res = app.get("/").await;
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers().clone();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(
            csp.contains("'nonce-"),
            "page CSP carries the script nonce: {csp}"
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(h.contains_key(header::REFERRER_POLICY));
        assert_eq!(h[header::CACHE_CONTROL], "private, no-cache");
        let html = res.text().await.expect("body");
        assert!(
            html.contains(r#"<html lang="fa" dir="rtl""#),
            "{}",
            &html[..200.min(html.len())]
        );
        assert!(html.contains("شهرداری پاسخ می‌دهد"));
        assert!(html.contains(r#"href="/manifest.webmanifest""#));
        assert!(
            html.contains("<leptos-island"),
            "the track box is an island"
        );
        // Every inline script carries the nonce the CSP names.
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|s| s.split('\'').next())
            .expect("nonce");
        for script in html.split("<script").skip(1) {
            let tag = script.split('>').next().unwrap_or("");
            assert!(tag.contains(nonce), "script without nonce: <script{tag}>");
        }
    })
    .await;
}

#[tokio::test]
async fn language_switch_sets_a_cookie_and_english_renders_ltr() {
    on_each_backend(|app| async move {
        let res = app.get("/lang/en?next=/").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()[header::LOCATION], "/");
        let cookie = res.headers()[header::SET_COOKIE].to_str().expect("ascii");
        assert!(cookie.starts_with("pasokh_lang=en;"), "{cookie}");
        let res = app
            .client
            .get(app.url("/"))
            .header(header::COOKIE, "pasokh_lang=en")
            .send()
            .await
            .expect("request");
        let html = res.text().await.expect("body");
        assert!(html.contains(r#"<html lang="en" dir="ltr""#));
        assert!(html.contains("The city answers"));
        // An open redirect through the switch is refused.
        let res = app.get("/lang/fa?next=//evil.example").await;
        assert_eq!(res.headers()[header::LOCATION], "/");
        assert_eq!(app.get("/lang/de").await.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn unknown_pages_are_real_404s() {
    on_each_backend(|app| async move {
        for path in ["/no-such-page", "/a/b/c", "/pkg/missing.wasm"] {
            let res = app.get(path).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
            let html = res.text().await.expect("body");
            assert!(html.contains("صفحه پیدا نشد"), "{path}");
        }
    })
    .await;
}

#[tokio::test]
async fn static_files_are_precompressed_and_cached() {
    on_each_backend(|app| async move {
        let res = app
            .client
            .get(app.url("/pkg/pasokh.0123abcd.js"))
            .header(header::ACCEPT_ENCODING, "br")
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(
            res.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let res = app.get("/manifest.webmanifest").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "application/manifest+json"
        );
        assert_eq!(
            res.headers()[header::CACHE_CONTROL],
            "public, max-age=86400"
        );
        assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    })
    .await;
}
