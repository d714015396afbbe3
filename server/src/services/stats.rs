//! The report card's running figures: every timeline event that counts
//! bumps a counter of its unit and Tehran day (`unit_stat`) in the same
//! transaction, so the figures can never disagree with the timeline, and a
//! month's card sums that month's counter rows instead of scanning
//! complaints ("open" and "overdue" read a gauge that triggers keep, and
//! the index of open complaints for the part of today that has passed).
//! What each counter means is `app::model::report::Metric`.

use super::{Event, EventKind};
use crate::{auth::staff::require, error::OrInternal, store::Store};
use app::{
    api::staff::{Desk, EmployeeThanks, ReportCard, ReportRange, ReportRow, StaffViewer},
    error::AppError,
    i18n::jalali::{JalaliDate, TEHRAN_OFFSET_SECS},
    model::{
        complaint::Named,
        report::{duration_class, Metric, Tally},
        Status,
    },
};
use std::collections::BTreeMap;

type Tx = sqlx::AnyConnection;

/// The Tehran calendar day of `at`, as days since 1970-01-01.
pub fn tehran_day(at: i64) -> i64 {
    (at + TEHRAN_OFFSET_SECS).div_euclid(86_400)
}

/// Adds `n` (and `total`) to one counter, creating it at zero.
async fn bump(
    tx: &mut Tx,
    unit_id: i64,
    day: i64,
    metric: Metric,
    bucket: i64,
    total: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO unit_stat (unit_id, day, metric, bucket, n, total) \
         VALUES ($1, $2, $3, $4, 1, $5) \
         ON CONFLICT (day, unit_id, metric, bucket) \
         DO UPDATE SET n = unit_stat.n + 1, total = unit_stat.total + excluded.total",
    )
    .bind(unit_id)
    .bind(day)
    .bind(metric.as_str())
    .bind(bucket)
    .bind(total)
    .execute(&mut *tx)
    .await
    .or_internal("counting for the report card")
    .map(|_| ())
}

/// A 1888 thanks to `unit` at `at`, in the filing's transaction.
pub(crate) async fn count_thanks(tx: &mut Tx, unit: i64, at: i64) -> Result<(), AppError> {
    bump(tx, unit, tehran_day(at), Metric::Thanks, 0, 0).await
}

/// A 1888 thanks filed at `at`, credited to staff member `user` when it
/// was answered (once: in the answer's transaction).
pub(crate) async fn count_credit(tx: &mut Tx, user: i64, at: i64) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO staff_stat (user_id, day, metric, n) VALUES ($1, $2, 'thanks', 1) \
         ON CONFLICT (day, user_id, metric) DO UPDATE SET n = staff_stat.n + 1",
    )
    .bind(user)
    .bind(tehran_day(at))
    .execute(&mut *tx)
    .await
    .or_internal("counting a thanks for an employee")
    .map(|_| ())
}

/// The complaint's unit (when the event names none), referral and deadline.
#[derive(sqlx::FromRow)]
struct Held {
    unit_id: Option<i64>,
    referred_at: Option<i64>,
    sla_due_at: Option<i64>,
}

async fn held(tx: &mut Tx, complaint_id: i64) -> Result<Held, AppError> {
    sqlx::query_as("SELECT unit_id, referred_at, sla_due_at FROM complaint WHERE id = $1")
        .bind(complaint_id)
        .fetch_one(&mut *tx)
        .await
        .or_internal("reading a complaint for the report card")
}

/// Counts `event` (just recorded on complaint `complaint_id` at `at`).
pub(crate) async fn count_event(
    tx: &mut Tx,
    complaint_id: i64,
    at: i64,
    event: &Event<'_>,
) -> Result<(), AppError> {
    let day = tehran_day(at);
    // The unit the event names, else the one holding the complaint.
    let unit_of = |held: &Held| event.unit_id.or(held.unit_id);
    match event.kind {
        EventKind::Referred => {
            if let Some(unit) = event.unit_id {
                sqlx::query(
                    "UPDATE complaint SET referred_at = $1, responded_at = NULL, seen_at = NULL, \
                     seen_by = NULL WHERE id = $2",
                )
                .bind(at)
                .bind(complaint_id)
                .execute(&mut *tx)
                .await
                .or_internal("noting a referral")?;
                bump(tx, unit, day, Metric::Received, 0, 0).await?;
            }
            return Ok(());
        }
        EventKind::Rating => {
            let row: Option<(Option<i64>, i64)> = sqlx::query_as(
                "SELECT c.unit_id, r.stars FROM complaint c JOIN rating r ON r.complaint_id = c.id \
                 WHERE c.id = $1",
            )
            .bind(complaint_id)
            .fetch_optional(&mut *tx)
            .await
            .or_internal("reading a rating for the report card")?;
            if let Some((Some(unit), stars)) = row {
                bump(tx, unit, day, Metric::Rating, stars, stars).await?;
            }
            return Ok(());
        }
        EventKind::Objection | EventKind::VerificationFailed => {
            let metric = if event.kind == EventKind::Objection {
                Metric::Reopened
            } else {
                Metric::VerificationFailed
            };
            if let Some(unit) = unit_of(&held(tx, complaint_id).await?) {
                bump(tx, unit, day, metric, 0, 0).await?;
            }
            return Ok(());
        }
        EventKind::Escalated | EventKind::EscalatedToInspection => {
            let level = if event.kind == EventKind::Escalated {
                1
            } else {
                2
            };
            if let Some(unit) = unit_of(&held(tx, complaint_id).await?) {
                bump(tx, unit, day, Metric::Escalated, level, 0).await?;
            }
            return Ok(());
        }
        _ => {}
    }
    let moved_on = event.to.is_some_and(|to| to != Status::Referred);
    if event.from == Some(Status::Referred) && moved_on {
        // The unit's first action since the referral: once per referral.
        let first: Option<(Option<i64>, i64, Option<i64>)> = sqlx::query_as(
            "UPDATE complaint SET responded_at = $1 \
             WHERE id = $2 AND responded_at IS NULL AND referred_at IS NOT NULL \
             RETURNING unit_id, referred_at, response_due_at",
        )
        .bind(at)
        .bind(complaint_id)
        .fetch_optional(&mut *tx)
        .await
        .or_internal("noting a first response")?;
        if let Some((held_unit, referred_at, due)) = first {
            if let Some(unit) = event.unit_id.or(held_unit) {
                let took = at - referred_at;
                bump(tx, unit, day, Metric::Response, duration_class(took), took).await?;
                if due.is_none_or(|due| at <= due) {
                    bump(tx, unit, day, Metric::ResponseOnTime, 0, 0).await?;
                }
            }
        }
    }
    if event.to == Some(Status::Resolved) {
        let held = held(tx, complaint_id).await?;
        if let (Some(unit), Some(referred_at)) = (unit_of(&held), held.referred_at) {
            let took = at - referred_at;
            bump(tx, unit, day, Metric::Resolved, duration_class(took), took).await?;
            if held.sla_due_at.is_none_or(|due| at <= due) {
                bump(tx, unit, day, Metric::ResolvedOnTime, 0, 0).await?;
            }
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StatRow {
    unit_id: i64,
    metric: String,
    bucket: i64,
    n: i64,
    total: i64,
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: i64,
    code: String,
    name_fa: String,
    name_en: String,
    district_code: Option<String>,
    district_fa: Option<String>,
    district_en: Option<String>,
}

/// The statuses in which a unit holds a complaint and has not resolved it.
const HELD_OPEN: &str = "('referred', 'in_progress', 'reopened')";

/// The counters of days `$1..=$2`, summed per unit, metric and bucket.
pub const SUM_SQL: &str = "SELECT unit_id, metric, bucket, CAST(SUM(n) AS BIGINT) AS n, \
     CAST(SUM(total) AS BIGINT) AS total FROM unit_stat \
     WHERE day >= $1 AND day <= $2 GROUP BY unit_id, metric, bucket";

/// Per unit, now: what it holds open, and of that what was due before
/// Tehran day `$1` began, from the gauge the triggers of migration 0011
/// keep (a row per unit and deadline day).
pub const OPEN_SQL: &str = "SELECT unit_id, CAST(SUM(n) AS BIGINT), \
     CAST(SUM(CASE WHEN due_day >= 0 AND due_day < $1 THEN n ELSE 0 END) AS BIGINT) \
     FROM unit_open GROUP BY unit_id";

/// Per unit: open complaints due in `[$1, $2)` (the start of today to now),
/// from the index of open complaints by deadline. With `OPEN_SQL` this is
/// "overdue now".
pub fn due_between_sql() -> String {
    format!(
        "SELECT unit_id, CAST(COUNT(*) AS BIGINT) FROM complaint \
         WHERE status IN {HELD_OPEN} AND sla_due_at >= $1 AND sla_due_at < $2 \
         AND unit_id IS NOT NULL GROUP BY unit_id"
    )
}

/// The start of Tehran day `day` (as from `tehran_day`), in Unix seconds.
pub fn day_start(day: i64) -> i64 {
    day * 86_400 - TEHRAN_OFFSET_SECS
}

/// The report card over `range` (mayor, inspectors, admins).
pub async fn report_card(
    store: &Store,
    who: &StaffViewer,
    range: &ReportRange,
) -> Result<ReportCard, AppError> {
    require(who, Desk::ReportCard.roles())?;
    let now = store.now();
    let (first, last) = (
        tehran_day(range.from.start_unix()),
        tehran_day(range.to.start_unix()),
    );
    let pool = store.pool();
    // Six reads on their own connections at once: the card waits for the
    // slowest (the counters' sum), not for all six.
    let sum = sqlx::query_as::<_, StatRow>(SUM_SQL)
        .bind(first)
        .bind(last)
        .fetch_all(pool);
    let today = tehran_day(now);
    let open = sqlx::query_as::<_, (i64, i64, i64)>(OPEN_SQL)
        .bind(today)
        .fetch_all(pool);
    let due_sql = due_between_sql();
    let due_today = sqlx::query_as::<_, (i64, i64)>(&due_sql)
        .bind(day_start(today))
        .bind(now)
        .fetch_all(pool);
    let units = sqlx::query_as::<_, UnitRow>(
        "SELECT u.id, u.code, u.name_fa, u.name_en, d.code AS district_code, \
         d.name_fa AS district_fa, d.name_en AS district_en \
         FROM unit u LEFT JOIN district d ON d.id = u.district_id ORDER BY u.code",
    )
    .fetch_all(pool);
    let managers = sqlx::query_as::<_, (i64, String, String)>(
        "SELECT r.unit_id, u.username, u.display_name FROM staff_role r \
         JOIN app_user u ON u.id = r.user_id \
         WHERE r.role = 'unit_manager' AND u.disabled = 0 ORDER BY u.username",
    )
    .fetch_all(pool);
    let employees = sqlx::query_as::<_, (String, String, i64)>(
        "SELECT u.username, u.display_name, CAST(SUM(s.n) AS BIGINT) AS thanks \
         FROM staff_stat s JOIN app_user u ON u.id = s.user_id \
         WHERE s.metric = 'thanks' AND s.day >= $1 AND s.day <= $2 \
         GROUP BY u.username, u.display_name ORDER BY thanks DESC, u.username",
    )
    .bind(first)
    .bind(last)
    .fetch_all(pool);
    let (stats, open, due_today, units, managers, employees) =
        futures_util::try_join!(sum, open, due_today, units, managers, employees)
            .or_internal("reading the report card")?;

    let mut tallies: BTreeMap<i64, Tally> = BTreeMap::new();
    for s in stats {
        if let Some(metric) = Metric::parse(&s.metric) {
            tallies
                .entry(s.unit_id)
                .or_default()
                .add(metric, s.bucket, s.n, s.total);
        }
    }
    for (unit, count, overdue) in open {
        let t = tallies.entry(unit).or_default();
        t.open = count;
        t.overdue = overdue;
    }
    for (unit, due) in due_today {
        tallies.entry(unit).or_default().overdue += due;
    }
    let mut unit_managers: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    // A manager's row merges the units they manage.
    let mut by_manager: BTreeMap<String, (String, Tally, Vec<String>)> = BTreeMap::new();
    let mut by_district: BTreeMap<String, (Named, Tally)> = BTreeMap::new();
    let mut city = Tally::default();
    let mut rows = Vec::with_capacity(units.len());
    for u in &units {
        let tally = tallies.remove(&u.id).unwrap_or_default();
        city.merge(&tally);
        for (_, username, display) in managers.iter().filter(|(unit, ..)| *unit == u.id) {
            unit_managers.entry(u.id).or_default().push(display.clone());
            let entry = by_manager
                .entry(username.clone())
                .or_insert_with(|| (display.clone(), Tally::default(), Vec::new()));
            entry.1.merge(&tally);
            entry.2.push(u.code.clone());
        }
        if let (Some(code), Some(fa), Some(en)) = (&u.district_code, &u.district_fa, &u.district_en)
        {
            by_district
                .entry(code.clone())
                .or_insert_with(|| {
                    (
                        Named {
                            fa: fa.clone(),
                            en: en.clone(),
                        },
                        Tally::default(),
                    )
                })
                .1
                .merge(&tally);
        }
        rows.push(ReportRow {
            code: u.code.clone(),
            name: Named {
                fa: u.name_fa.clone(),
                en: u.name_en.clone(),
            },
            district: u.district_code.clone(),
            managers: unit_managers.remove(&u.id).unwrap_or_default(),
            rank: None,
            figures: tally.figures(),
        });
    }
    let districts = by_district
        .into_iter()
        .map(|(code, (name, tally))| ReportRow {
            code,
            name,
            district: None,
            managers: Vec::new(),
            rank: None,
            figures: tally.figures(),
        })
        .collect();
    let manager_rows = by_manager
        .into_iter()
        .map(|(username, (display, tally, units))| ReportRow {
            code: username,
            name: Named {
                fa: display.clone(),
                en: display,
            },
            district: None,
            managers: units,
            rank: None,
            figures: tally.figures(),
        })
        .collect();
    Ok(ReportCard {
        from: range.from.short(app::i18n::Lang::En),
        to: range.to.short(app::i18n::Lang::En),
        generated_at: now,
        city: city.figures(),
        units: ranked(rows),
        districts: ranked(districts),
        managers: ranked(manager_rows),
        employees: employees
            .into_iter()
            .map(|(username, display_name, thanks)| EmployeeThanks {
                username,
                display_name,
                thanks,
            })
            .collect(),
    })
}

/// Best score first (unscored last, by code); ranks 1, 2, … for the scored,
/// equal scores sharing a rank.
fn ranked(mut rows: Vec<ReportRow>) -> Vec<ReportRow> {
    rows.sort_by(|a, b| {
        let key = |r: &ReportRow| r.figures.score.unwrap_or(-1.0);
        key(b).total_cmp(&key(a)).then_with(|| a.code.cmp(&b.code))
    });
    let mut previous: Option<(f64, i64)> = None;
    for (i, row) in rows.iter_mut().enumerate() {
        if let Some(score) = row.figures.score {
            let rank = match previous {
                Some((s, r)) if s == score => r,
                _ => i as i64 + 1,
            };
            row.rank = Some(rank);
            previous = Some((score, rank));
        }
    }
    rows
}

/// Today's Jalali date at the store's clock.
pub fn today(store: &Store) -> JalaliDate {
    JalaliDate::at_unix(store.now())
}
