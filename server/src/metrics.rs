//! `/metrics` in the Prometheus text format, for the municipal IT team's
//! monitoring (not public: it asks for `PASOKH_METRICS_TOKEN` as a bearer
//! token, and does not exist without one). Per route: request counts and a
//! latency histogram by method and status class; and, read at each
//! scrape, the database pool, the SMS outbox's depth and age, the open
//! complaints past their deadline that escalation has yet to see, photos
//! decoded, and whether this node is draining.
//!
//! The counters live in this process (each node reports its own; the
//! monitoring sums them); the queue figures come from the shared database,
//! so every node reports the same.

use crate::{error::OrInternal, web::AppState};
use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Instant,
};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default, Clone)]
struct Histogram {
    /// Requests at or under each bucket's bound (not cumulative here).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// A route as recorded: its pattern (`/track/{code}`, never the concrete
/// path; `other` for static files and unknown paths), the method (`other`
/// beyond the standard ones) and the status class, so the series stay few
/// whatever clients send.
type Key = (String, String, &'static str);

/// This process's request figures, and its draining flag.
#[derive(Clone, Default)]
pub struct Metrics {
    requests: Arc<Mutex<BTreeMap<Key, Histogram>>>,
    draining: Arc<AtomicBool>,
}

impl Metrics {
    fn record(&self, key: Key, seconds: f64) {
        let mut all = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let h = all.entry(key).or_default();
        h.count += 1;
        h.sum += seconds;
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            h.buckets[i] += 1;
        }
    }

    /// From now on `/ready` answers "draining" (at SIGTERM).
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// The request series, in the exposition format.
    fn write_requests(&self, out: &mut String) {
        let all = self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        out.push_str(
            "# HELP pasokh_http_requests_total Requests answered, by route, method and status class.\n\
             # TYPE pasokh_http_requests_total counter\n",
        );
        for ((route, method, status), h) in &all {
            let _ = writeln!(
                out,
                "pasokh_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {}",
                label(route),
                h.count
            );
        }
        out.push_str(
            "# HELP pasokh_http_request_duration_seconds Time to the response's head, by route.\n\
             # TYPE pasokh_http_request_duration_seconds histogram\n",
        );
        for ((route, method, status), h) in &all {
            let labels = format!(
                "route=\"{}\",method=\"{method}\",status=\"{status}\"",
                label(route)
            );
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "pasokh_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "pasokh_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n\
                 pasokh_http_request_duration_seconds_sum{{{labels}}} {}\n\
                 pasokh_http_request_duration_seconds_count{{{labels}}} {}",
                h.count, h.sum, h.count
            );
        }
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn label(raw: &str) -> String {
    raw.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Middleware: times every request to its response's head.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |p| p.as_str().to_owned());
    // Known methods only: a client may send any token as a method, and
    // each would otherwise become a series of its own.
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "PATCH" | "OPTIONS") => m,
        _ => "other",
    }
    .to_owned();
    let start = Instant::now();
    let res = next.run(req).await;
    metrics.record(
        (route, method, class(res.status())),
        start.elapsed().as_secs_f64(),
    );
    res
}

/// `GET /metrics`: 404 unless a token is configured, 401 without it.
pub async fn serve(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = &state.config.metrics_token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let expected = token.expose().as_bytes();
    if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), expected)) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    match render(&state).await {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            body,
        )
            .into_response(),
        Err(e) => crate::error::ApiError(e).into_response(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// One gauge line with its help and type.
fn gauge(out: &mut String, name: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
    );
}

async fn render(state: &AppState) -> Result<String, app::error::AppError> {
    let mut out = String::with_capacity(16 * 1024);
    state.metrics.write_requests(&mut out);
    let pool = state.store.pool();
    gauge(
        &mut out,
        "pasokh_db_pool_connections",
        "Database connections open in this node's pool.",
        pool.size(),
    );
    gauge(
        &mut out,
        "pasokh_db_pool_idle",
        "Of those, idle.",
        pool.num_idle(),
    );
    let now = state.store.now();
    // The outboxes (text messages, web pushes): what waits to be sent, how
    // long the oldest has, and what was given up.
    for (channel, what) in [("sms", "Texts"), ("push", "Web pushes")] {
        let table = format!("{channel}_outbox");
        let (waiting, oldest): (i64, Option<i64>) = sqlx::query_as(&format!(
            "SELECT COUNT(*), MIN(created_at) FROM {table} \
             WHERE sent_at IS NULL AND failed_at IS NULL"
        ))
        .fetch_one(pool)
        .await
        .or_internal("reading the outbox for metrics")?;
        gauge(
            &mut out,
            &format!("pasokh_{table}_depth"),
            &format!("{what} waiting to be sent."),
            waiting,
        );
        gauge(
            &mut out,
            &format!("pasokh_{table}_oldest_seconds"),
            &format!(
                "Age of the oldest of the {} waiting (0 when none).",
                what.to_lowercase()
            ),
            oldest.map_or(0, |t| (now - t).max(0)),
        );
        let failed: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE failed_at IS NOT NULL"
        ))
        .fetch_one(pool)
        .await
        .or_internal("reading the outbox for metrics")?;
        gauge(
            &mut out,
            &format!("pasokh_{table}_failed"),
            &format!("{what} given up after their last attempt (or gone)."),
            failed,
        );
    }
    // Escalation's queue: open complaints past their first-response
    // deadline that no escalation names yet (it runs every minute, so this
    // stays near zero unless the job is stuck).
    let (behind, oldest_due): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(c.response_due_at) FROM complaint c \
         WHERE c.status = 'referred' AND c.response_due_at < $1 AND c.unit_id IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM escalation e WHERE e.complaint_id = c.id \
         AND e.unit_id = c.unit_id AND e.deadline = 'response')",
    )
    .bind(now)
    .fetch_one(pool)
    .await
    .or_internal("reading escalations for metrics")?;
    gauge(
        &mut out,
        "pasokh_escalation_queue_depth",
        "Unanswered complaints past their first-response deadline not yet escalated.",
        behind,
    );
    gauge(
        &mut out,
        "pasokh_escalation_queue_oldest_seconds",
        "How long the oldest of those has been past its deadline (0 when none).",
        oldest_due.map_or(0, |t| (now - t).max(0)),
    );
    let _ = writeln!(
        out,
        "# HELP pasokh_photos_decoded_total Uploaded photos decoded by this node.\n\
         # TYPE pasokh_photos_decoded_total counter\npasokh_photos_decoded_total {}",
        state.media.decoded_count()
    );
    let (commits, members) = state.store.group_commits();
    let _ = writeln!(
        out,
        "# HELP pasokh_db_commits_total SQLite commits made by this node (group commit; 0 on PostgreSQL).\n\
         # TYPE pasokh_db_commits_total counter\npasokh_db_commits_total {commits}\n\
         # HELP pasokh_db_committed_writes_total Write transactions those commits carried.\n\
         # TYPE pasokh_db_committed_writes_total counter\npasokh_db_committed_writes_total {members}"
    );
    gauge(
        &mut out,
        "pasokh_draining",
        "1 while this node drains before stopping.",
        u8::from(state.metrics.is_draining()),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_labels_escaped() {
        let m = Metrics::default();
        m.record(("/a\"b".into(), "GET".into(), "2xx"), 0.004);
        m.record(("/a\"b".into(), "GET".into(), "2xx"), 0.3);
        m.record(("/a\"b".into(), "GET".into(), "2xx"), 60.0);
        let mut out = String::new();
        m.write_requests(&mut out);
        let labels = r#"route="/a\"b",method="GET",status="2xx""#;
        for (le, n) in [
            ("0.002", 0),
            ("0.005", 1),
            ("0.25", 1),
            ("0.5", 2),
            ("10", 2),
            ("+Inf", 3),
        ] {
            let line =
                format!("pasokh_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {n}");
            assert!(out.contains(&line), "{line}\n{out}");
        }
        assert!(out.contains(&format!("pasokh_http_requests_total{{{labels}}} 3")));
        assert!(out.contains(&format!(
            "pasokh_http_request_duration_seconds_count{{{labels}}} 3"
        )));
    }
}
