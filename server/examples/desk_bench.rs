//! Back-office benchmark (not a test: it prints figures, it asserts nothing
//! about time). `make bench-desk` runs it on SQLite, and on PostgreSQL when
//! `PASOKH_BENCH_DATABASE_URL` names a database it may fill and drop.
//!
//! 1. The desk queries (cartable, dispatch, verification, one complaint)
//!    with N complaints in the database (default 100,000;
//!    `PASOKH_BENCH_COMPLAINTS`): p50 and p95 over repeated runs.
//! 2. Operators filing at once over real HTTP (the running server, port
//!    0): 1 operator, then 30, each filing in a loop; the per-filing p50/p95
//!    and the total rate, so "30 at once slow nobody down" is a ratio.

use app::model::{Status, TrackingCode};
use common::{ms, percentile};
use server::{config::Config, startup::Application, store::Store};
use std::time::{Duration, Instant};

mod common;

/// Fills the database with `n` complaints spread over the demo city's
/// categories, districts, their routed units and the statuses.
async fn fill(store: &Store, n: usize) -> anyhow::Result<()> {
    let routes: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT category_id, district_id, unit_id FROM routing_rule ORDER BY 1, 2")
            .fetch_all(store.pool())
            .await?;
    let now = server::now();
    let statuses = [
        Status::Referred,
        Status::InProgress,
        Status::Resolved,
        Status::Closed,
        Status::Closed,
        Status::Closed,
        Status::Reopened,
        Status::Returned,
        Status::Submitted,
        Status::Closed,
    ];
    let mut serial: u32 = 100_000_000;
    let batch = 500;
    let mut done = 0;
    while done < n {
        let mut w = store.begin_write().await?;
        let rows = batch.min(n - done);
        let mut sql = String::from(
            "INSERT INTO complaint (tracking_code, category_id, description, lat, lon, channel, \
             district_id, unit_id, status, sla_due_at, created_at, updated_at) VALUES ",
        );
        for i in 0..rows {
            let k = done + i;
            let (category, district, unit) = routes[k % routes.len()];
            let status = statuses[k % statuses.len()];
            let unit = match status {
                Status::Submitted | Status::Returned => "NULL".to_owned(),
                _ => unit.to_string(),
            };
            let created = now - (k as i64 % (90 * 86_400));
            let code = loop {
                serial += 1;
                if let Some(c) = TrackingCode::from_serial(serial) {
                    break c;
                }
            };
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "('{code}', {category}, 'bench complaint {k}', 36.25, 49.97, 'web', {district}, \
                 {unit}, '{}', {}, {created}, {created})",
                status.as_str(),
                created + 72 * 3600
            ));
        }
        sqlx::query(&sql).execute(&mut *w.tx).await?;
        w.commit().await?;
        done += rows;
    }
    Ok(())
}

async fn queries(store: &Store, label: &str, n: usize, runs: usize) -> anyhow::Result<()> {
    let t = Instant::now();
    fill(store, n).await?;
    println!(
        "{label}: {n} complaints inserted in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    common::desk::queries(store, runs).await
}

/// `operators` clients filing `each` complaints over HTTP at once.
async fn filing(base: &str, token: &str, operators: usize, each: usize) -> (Vec<Duration>, f64) {
    let client = reqwest::Client::new();
    let start = Instant::now();
    let tasks: Vec<_> = (0..operators)
        .map(|o| {
            let (client, base, token) = (client.clone(), base.to_owned(), token.to_owned());
            tokio::spawn(async move {
                let mut out = Vec::with_capacity(each);
                for i in 0..each {
                    let form = reqwest::multipart::Form::new()
                        .text("category", "asphalt-repair")
                        .text("description", format!("تماس {o}-{i}: چاله جلوی مدرسه"))
                        .text("lat", "36.2575")
                        .text("lon", "49.974")
                        .text("channel", "phone")
                        .text("caller_phone", format!("0935{:07}", o * 1000 + i));
                    let t = Instant::now();
                    let res = client
                        .post(format!("{base}/api/v1/staff/complaints"))
                        .bearer_auth(&token)
                        .header("Idempotency-Key", format!("bench-{operators}-{o}-{i}"))
                        .multipart(form)
                        .send()
                        .await;
                    let ok = matches!(&res, Ok(r) if r.status() == reqwest::StatusCode::CREATED);
                    assert!(ok, "filing failed: {res:?}");
                    out.push(t.elapsed());
                }
                out
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    let rate = all.len() as f64 / start.elapsed().as_secs_f64();
    all.sort();
    (all, rate)
}

async fn operators(database_url: Option<String>, label: &str) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_tests(dir.path().join("data"), database_url);
    config.db_max_connections = 16;
    let app = Application::build(config).await?;
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped());
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/staff/session"))
        .json(&serde_json::json!({"username": "operator", "password": server::config::TEST_STAFF_PASSWORD}))
        .send()
        .await?;
    let token = res.json::<serde_json::Value>().await?["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    println!("{label}: operators filing over HTTP (text only, with a caller's number)");
    let (one, one_rate) = filing(&base, &token, 1, 60).await;
    let (thirty, thirty_rate) = filing(&base, &token, 30, 20).await;
    for (n, samples, rate) in [(1, &one, one_rate), (30, &thirty, thirty_rate)] {
        println!(
            "  {n:>2} at once: {:>4} filings, p50 {:>10}, p95 {:>10}, {:.0} filings/s",
            samples.len(),
            ms(percentile(samples, 0.5)),
            ms(percentile(samples, 0.95)),
            rate
        );
    }
    println!(
        "  30 at once vs 1: p50 x{:.2}, throughput x{:.2}",
        percentile(&thirty, 0.5).as_secs_f64() / percentile(&one, 0.5).as_secs_f64(),
        thirty_rate / one_rate
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n = common::complaints(100_000) as usize;
    let runs = 50;
    common::title("desk benchmark");
    let (store, _dir) = common::sqlite().await?;
    queries(&store, "SQLite", n, runs).await?;
    operators(None, "SQLite").await?;
    if let Some(mut pg) = common::Postgres::from_env().await? {
        let store = pg.store().await?;
        queries(&store, "PostgreSQL", n, runs).await?;
        store.close().await;
        let url = pg.database().await?;
        let result = operators(Some(url), "PostgreSQL").await;
        pg.drop_all().await;
        result?;
    }
    Ok(())
}
