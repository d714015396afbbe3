//! What the IT team runs it by: `/metrics` (behind its token, with request
//! figures by route pattern and the queues from the database) and `/ready`
//! draining while requests are still served.

use crate::{
    helpers::{on_each_backend, on_each_backend_with, TestApp},
    staff::citizen_files,
};
use reqwest::StatusCode;

const TOKEN: &str = "metrics-token-for-tests";

async fn metrics(app: &TestApp, token: Option<&str>) -> (StatusCode, String) {
    let mut req = app.client.get(app.url("/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("metrics");
    (res.status(), res.text().await.expect("body"))
}

/// The value of the series line that starts with `series ` (exactly).
fn value(body: &str, series: &str) -> f64 {
    body.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {series} in\n{body}"))
        .parse()
        .expect("a number")
}

#[tokio::test]
async fn metrics_need_the_token_and_count_requests_by_route_pattern() {
    on_each_backend(|app| async move {
        assert_eq!(metrics(&app, None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(metrics(&app, Some("wrong")).await.0, StatusCode::UNAUTHORIZED);
        let code = citizen_files(&app, None, "چاله بزرگ در خیابان اصلی").await;
        for _ in 0..3 {
            assert_eq!(app.get(&format!("/api/v1/complaints/{code}")).await.status(), StatusCode::OK);
        }
        assert_eq!(app.get("/api/v1/complaints/ZZZZZZZZ").await.status(), StatusCode::NOT_FOUND);
        let (s, body) = metrics(&app, Some(TOKEN)).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        // By the route's pattern, never the concrete code.
        let route = r#"route="/api/v1/complaints/{tracking_code}",method="GET""#;
        assert_eq!(value(&body, &format!("pasokh_http_requests_total{{{route},status=\"2xx\"}}")), 3.0);
        assert_eq!(value(&body, &format!("pasokh_http_requests_total{{{route},status=\"4xx\"}}")), 1.0);
        assert_eq!(
            value(&body, &format!("pasokh_http_request_duration_seconds_count{{{route},status=\"2xx\"}}")),
            3.0
        );
        assert_eq!(
            value(&body, &format!("pasokh_http_request_duration_seconds_bucket{{{route},status=\"2xx\",le=\"+Inf\"}}")),
            3.0
        );
        assert!(!body.contains(&code), "no tracking code in a label");
        // Made-up methods and paths share one series each.
        for method in ["FOO", "BAR"] {
            let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            app.client.request(m, app.url("/nowhere/1")).send().await.expect("send");
        }
        let (_, body) = metrics(&app, Some(TOKEN)).await;
        assert!(!body.contains("FOO") && !body.contains("nowhere"), "{body}");
        assert_eq!(value(&body, r#"pasokh_http_requests_total{route="other",method="other",status="4xx"}"#), 2.0);
        let filed = r#"route="/api/v1/complaints",method="POST",status="2xx""#;
        assert_eq!(value(&body, &format!("pasokh_http_requests_total{{{filed}}}")), 1.0);
        // The queues, read from the database.
        assert_eq!(value(&body, "pasokh_sms_outbox_depth"), 0.0);
        assert_eq!(value(&body, "pasokh_escalation_queue_depth"), 0.0);
        assert_eq!(value(&body, "pasokh_draining"), 0.0);
        assert!(value(&body, "pasokh_db_pool_connections") >= 1.0);
        sqlx::query(
            "INSERT INTO sms_outbox (phone, body, created_at, next_at) VALUES ('09120000000', 'x', $1, $1)",
        )
        .bind(app.store().now() - 90)
        .execute(app.store().pool())
        .await
        .expect("queue a text");
        let (_, body) = metrics(&app, Some(TOKEN)).await;
        assert_eq!(value(&body, "pasokh_sms_outbox_depth"), 1.0);
        assert!(value(&body, "pasokh_sms_outbox_oldest_seconds") >= 90.0);
    })
    .await;
}

#[tokio::test]
async fn metrics_do_not_exist_without_a_token() {
    on_each_backend_with(
        |c| c.metrics_token = None,
        |app| async move {
            assert_eq!(metrics(&app, Some(TOKEN)).await.0, StatusCode::NOT_FOUND);
        },
    )
    .await;
}

#[tokio::test]
async fn a_draining_node_says_so_on_ready_and_still_serves() {
    on_each_backend(|app| async move {
        assert_eq!(app.get("/ready").await.status(), StatusCode::OK);
        app.state.metrics.start_draining();
        let res = app.get("/ready").await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            res.json::<serde_json::Value>().await.expect("json")["status"],
            "draining"
        );
        assert_eq!(app.get("/health").await.status(), StatusCode::OK);
        // Requests still in flight to it, or sent before the balancer
        // noticed, are answered.
        citizen_files(&app, None, "چراغ کوچه خاموش است و تاریک").await;
        let (_, body) = metrics(&app, Some(TOKEN)).await;
        assert_eq!(value(&body, "pasokh_draining"), 1.0);
    })
    .await;
}
