//! Report-card benchmark (not a test: it prints figures and asserts
//! nothing about time). `make bench-report` runs it on SQLite, and on
//! PostgreSQL when `PASOKH_BENCH_DATABASE_URL` names a database server it
//! may create and drop a database on.
//!
//! The generator writes N complaints (default 10,000,000;
//! `PASOKH_BENCH_COMPLAINTS`) over two years of the demo city's routing, 4 %
//! of them still open, and the running figures those complaints' events
//! would have left in `unit_stat` (received per day; first-response and
//! resolution times spread over the duration classes; ratings,
//! objections, failed verifications and escalations), all in SQL so ten
//! million rows take minutes; migration 0011's triggers keep the open
//! gauge as the complaints go in. It then times the mayor's report card for
//! the last 30 days, the last Jalali month and the whole year: p50 and p95
//! over repeated runs, and the rows the card summed; then, on the same ten
//! million, the desk's queries (cartable, queues, one complaint) and the
//! citizen's nearby lookup. `PASOKH_BENCH_SQLITE_FILE=path` keeps the
//! SQLite database in that file, and a run that finds it filled only times.

use app::{
    api::staff::{ReportRange, StaffDesk},
    i18n::jalali::JalaliDate,
    model::{Grant, Role},
};
use common::{ms, percentile};
use server::{services::stats, store::Store};
use std::time::Instant;

mod common;

const DAY: i64 = 86_400;
const SPAN_DAYS: i64 = 730;

/// Complaints `[from, to)` by serial `k`: created `SPAN_DAYS` back to now,
/// routed round the routing table, 4 % open (a third of those overdue),
/// scattered over an 8.9 km by 8 km box of the city (80,000 by 90,000
/// steps of a millionth of a degree).
fn complaints_sql(postgres: bool, from: i64, to: i64, total: i64, now: i64, routes: i64) -> String {
    let series = if postgres {
        format!(
            "generate_series(CAST({from} AS BIGINT), CAST({} AS BIGINT)) AS s(k)",
            to - 1
        )
    } else {
        // SQLite: a recursive counter.
        String::new()
    };
    let body = format!(
        "SELECT 'BENCH' || k, r.category_id, 'bench complaint', \
         36.22 + ((k * 2654435761) % 80000) / 1000000.0, \
         49.93 + ((k * 40503 + 7919) % 90000) / 1000000.0, 'web', \
         r.district_id, r.unit_id, \
         CASE WHEN k % 50 = 0 THEN 'referred' WHEN k % 50 = 1 THEN 'in_progress' ELSE 'closed' END, \
         {now} - (k * {span}) / {total} + CASE WHEN k % 150 = 0 THEN -{DAY} ELSE 3 * {DAY} END, \
         {now} - (k * {span}) / {total}, {now} - (k * {span}) / {total} \
         FROM {{src}} JOIN routing_rule_n r ON r.n = k % {routes}",
        span = SPAN_DAYS * DAY,
    );
    let insert = "INSERT INTO complaint (tracking_code, category_id, description, lat, lon, \
                  channel, district_id, unit_id, status, sla_due_at, created_at, updated_at) ";
    if postgres {
        format!("{insert}{}", body.replace("{src}", &series))
    } else {
        format!(
            "WITH RECURSIVE s(k) AS (SELECT {from} UNION ALL SELECT k + 1 FROM s WHERE k < {}) \
             {insert}{}",
            to - 1,
            body.replace("{src}", "s")
        )
    }
}

/// The running figures those complaints would have left, one pass per
/// metric, grouped by unit and Tehran day.
fn stats_sql() -> Vec<String> {
    let day = "(created_at + 12600) / 86400";
    let per = |metric: &str, bucket: &str, total: &str, filter: &str| {
        // A constant bucket is not grouped by (SQLite reads a number in
        // GROUP BY as a column's position).
        let by_bucket = if bucket.parse::<i64>().is_ok() {
            String::new()
        } else {
            format!(", {bucket}")
        };
        format!(
            "INSERT INTO unit_stat (unit_id, day, metric, bucket, n, total) \
             SELECT unit_id, {day}, '{metric}', {bucket}, COUNT(*), SUM({total}) FROM complaint \
             WHERE unit_id IS NOT NULL {filter} GROUP BY unit_id, {day}{by_bucket}"
        )
    };
    vec![
        per("received", "0", "0", ""),
        per("response", "id % 40", "(id % 40) * 900", "AND id % 10 <> 3"),
        per("response_on_time", "0", "0", "AND id % 10 NOT IN (3, 4)"),
        per(
            "resolved",
            "12 + id % 70",
            "(id % 70) * 7200",
            "AND id % 50 > 1",
        ),
        per(
            "resolved_on_time",
            "0",
            "0",
            "AND id % 50 > 1 AND id % 7 <> 0",
        ),
        per("rating", "1 + id % 5", "1 + id % 5", "AND id % 4 = 0"),
        per("reopened", "0", "0", "AND id % 31 = 0"),
        per("verification_failed", "0", "0", "AND id % 41 = 0"),
        per("escalated", "1 + id % 2", "0", "AND id % 13 = 0"),
    ]
}

async fn fill(store: &Store, postgres: bool, n: i64) -> anyhow::Result<()> {
    let pool = store.pool();
    // The routing table numbered 0.. so a complaint's route is one join.
    sqlx::query(
        "CREATE TABLE routing_rule_n AS SELECT ROW_NUMBER() OVER (ORDER BY category_id, \
         district_id) - 1 AS n, category_id, district_id, unit_id FROM routing_rule",
    )
    .execute(pool)
    .await?;
    let routes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM routing_rule_n")
        .fetch_one(pool)
        .await?;
    let now = server::now();
    let chunk = 500_000;
    let mut from = 1;
    let t = Instant::now();
    while from <= n {
        let to = (from + chunk).min(n + 1);
        sqlx::query(&complaints_sql(postgres, from, to, n + 1, now, routes))
            .execute(pool)
            .await?;
        from = to;
        eprint!(
            "\r  {} complaints, {:.0} s",
            from - 1,
            t.elapsed().as_secs_f64()
        );
    }
    eprintln!();
    for sql in stats_sql() {
        sqlx::query(&sql).execute(pool).await?;
    }
    if postgres {
        sqlx::query("VACUUM ANALYZE complaint")
            .execute(pool)
            .await?;
        for table in ["unit_stat", "unit_open"] {
            sqlx::query(&format!("VACUUM ANALYZE {table}"))
                .execute(pool)
                .await?;
        }
    } else {
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    Ok(())
}

/// The median of 30 runs of one query.
async fn time_query<F, Fut, T>(_store: &Store, mut f: F) -> std::time::Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut samples = Vec::with_capacity(30);
    for _ in 0..30 {
        let t = Instant::now();
        let _ = f().await;
        samples.push(t.elapsed());
    }
    samples.sort();
    percentile(&samples, 0.5)
}

async fn card(store: &Store, label: &str, n: i64, postgres: bool) -> anyhow::Result<()> {
    let t = Instant::now();
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM complaint")
        .fetch_one(store.pool())
        .await?;
    let n = if held == 0 {
        fill(store, postgres, n).await?;
        n
    } else {
        println!("{label}: a kept database, nothing written");
        held
    };
    let stats: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM unit_stat")
        .fetch_one(store.pool())
        .await?;
    let gauge: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM unit_open")
        .fetch_one(store.pool())
        .await?;
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM complaint WHERE status IN ('referred', 'in_progress', 'reopened')",
    )
    .fetch_one(store.pool())
    .await?;
    println!(
        "{label}: {n} complaints ({open} open), {stats} unit_stat and {gauge} unit_open rows \
         ({}{:.0} s)",
        if held == 0 {
            "written in "
        } else {
            "counted in "
        },
        t.elapsed().as_secs_f64()
    );
    let desk = common::desk::service(store).await?;
    let mayor = common::desk::viewer(
        1,
        vec![Grant {
            role: Role::Mayor,
            unit_id: None,
        }],
    );
    let today = JalaliDate::at_unix(server::now());
    let back = |days: i64| JalaliDate::at_unix(server::now() - days * DAY);
    let month_start = JalaliDate { day: 1, ..back(31) };
    let last_month = ReportRange {
        from: month_start,
        to: JalaliDate::at_unix(JalaliDate { day: 1, ..today }.start_unix() - DAY),
    };
    for (name, range) in [
        (
            "last 30 days",
            ReportRange {
                from: back(29),
                to: today,
            },
        ),
        ("the last whole Jalali month", last_month),
        (
            "the last 365 days",
            ReportRange {
                from: back(364),
                to: today,
            },
        ),
    ] {
        let first = desk
            .report_card(&mayor, &range)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let mut samples = Vec::new();
        for _ in 0..30 {
            let t = Instant::now();
            let _ = desk.report_card(&mayor, &range).await;
            samples.push(t.elapsed());
        }
        samples.sort();
        // Where the time goes: the card's two heavy reads alone.
        let (first_day, last_day) = (
            stats::tehran_day(range.from.start_unix()),
            stats::tehran_day(range.to.start_unix()),
        );
        let sum = time_query(store, || {
            sqlx::query(stats::SUM_SQL)
                .bind(first_day)
                .bind(last_day)
                .fetch_all(store.pool())
        })
        .await;
        let now = server::now();
        let open = time_query(store, || {
            sqlx::query(stats::OPEN_SQL)
                .bind(stats::tehran_day(now))
                .fetch_all(store.pool())
        })
        .await;
        let due_sql = stats::due_between_sql();
        let due_today = time_query(store, || {
            sqlx::query(&due_sql)
                .bind(stats::day_start(stats::tehran_day(now)))
                .bind(now)
                .fetch_all(store.pool())
        })
        .await;
        println!(
            "  report card, {name:<28} p50 {:>9}  p95 {:>9}  ({} received, {} units; \
             alone: counters' sum p50 {}, open gauge p50 {}, due earlier today p50 {})",
            ms(percentile(&samples, 0.5)),
            ms(percentile(&samples, 0.95)),
            first.city.received,
            first.units.len(),
            ms(sum),
            ms(open),
            ms(due_today),
        );
    }
    common::desk::queries(store, 30).await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n = common::complaints(10_000_000);
    common::title("report-card benchmark");
    // PASOKH_BENCH_SQLITE_FILE keeps the SQLite database there, so a later
    // run times the queries again without writing ten million rows again.
    let (store, dir) = match std::env::var("PASOKH_BENCH_SQLITE_FILE") {
        Ok(path) if !path.is_empty() => {
            (common::sqlite_at(std::path::Path::new(&path)).await?, None)
        }
        _ => {
            let (store, dir) = common::sqlite().await?;
            (store, Some(dir))
        }
    };
    card(&store, "SQLite", n, false).await?;
    store.close().await;
    drop(dir);
    if let Some(mut pg) = common::Postgres::from_env().await? {
        let store = pg.store().await?;
        let result = card(&store, "PostgreSQL", n, true).await;
        store.close().await;
        pg.drop_all().await;
        result?;
    }
    Ok(())
}
