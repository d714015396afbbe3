//! The report card (کارنامه): its figures, kept as running totals with the
//! events, equal the figures this test computes on its own from the
//! timeline, the ratings and the complaints' rows.

use crate::{
    helpers::{on_each_backend_with, TestApp},
    staff::{citizen_files, staff_get},
};
use app::{
    i18n::jalali::JalaliDate,
    model::report::{class_upper, duration_class},
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;

async fn advance(app: &TestApp, admin: &str, secs: i64) {
    let (status, body) = crate::accountability::advance(app, admin, secs).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Takes `action` on `code` with the staff bearer `token`.
async fn act(app: &TestApp, token: &str, code: &str, action: &str) {
    let (status, text) = try_act(app, token, code, action).await;
    assert_eq!(status, StatusCode::OK, "{action} {code}: {text}");
}

/// Tries `action` on `code`: the status and the answer's text.
async fn try_act(app: &TestApp, token: &str, code: &str, action: &str) -> (StatusCode, String) {
    let body = match action {
        "refer" => json!({ "action": "refer", "unit": "d2-office" }),
        a => json!({ "action": a, "note": "بررسی و انجام شد" }),
    };
    let res = app
        .client
        .post(app.url(&format!("/api/v1/staff/complaints/{code}/actions")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("act");
    (res.status(), res.text().await.unwrap_or_default())
}

async fn citizen_post(app: &TestApp, token: &str, path: &str, body: Value) {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::CREATED, "{path}");
}

/// What the test counts for one unit.
#[derive(Default, Debug, Clone)]
struct Expected {
    received: i64,
    responses: Vec<i64>,
    responses_on_time: i64,
    resolutions: Vec<i64>,
    resolved_on_time: i64,
    stars: Vec<i64>,
    reopened: i64,
    verification_failures: i64,
    escalated: [i64; 2],
    open: i64,
    overdue: i64,
}

/// The lower median's class edge, as the card reports it.
fn median(mut times: Vec<i64>) -> Value {
    if times.is_empty() {
        return Value::Null;
    }
    times.sort();
    let middle = times[times.len().div_ceil(2) - 1];
    json!(class_upper(duration_class(middle)).unwrap_or(i64::MAX))
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Replays the timeline: the figures of each unit code, from the rows.
async fn recompute(app: &TestApp) -> BTreeMap<String, Expected> {
    let pool = app.store().pool();
    let units: BTreeMap<i64, String> =
        sqlx::query_as::<_, (i64, String)>("SELECT id, code FROM unit")
            .fetch_all(pool)
            .await
            .expect("units")
            .into_iter()
            .collect();
    type EventRow = (
        i64,
        i64,
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
    );
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT complaint_id, at, kind, from_status, to_status, unit_id FROM complaint_event \
         ORDER BY complaint_id, id",
    )
    .fetch_all(pool)
    .await
    .expect("events");
    type ComplaintRow = (i64, Option<i64>, String, Option<i64>, Option<i64>);
    let complaints: BTreeMap<i64, ComplaintRow> = sqlx::query_as::<_, ComplaintRow>(
        "SELECT id, unit_id, status, response_due_at, sla_due_at FROM complaint",
    )
    .fetch_all(pool)
    .await
    .expect("complaints")
    .into_iter()
    .map(|c| (c.0, c))
    .collect();
    let stars: BTreeMap<i64, i64> =
        sqlx::query_as::<_, (i64, i64)>("SELECT complaint_id, stars FROM rating")
            .fetch_all(pool)
            .await
            .expect("ratings")
            .into_iter()
            .collect();
    let now = app.state.store.now();
    let mut out: BTreeMap<String, Expected> = BTreeMap::new();
    // Per complaint: the unit holding it, since when, and whether it answered.
    let mut held: BTreeMap<i64, (Option<i64>, i64, bool)> = BTreeMap::new();
    for (complaint, at, kind, from, to, unit) in events {
        let (_, _, _, response_due, sla_due) = complaints[&complaint];
        let state = held.entry(complaint).or_insert((None, 0, false));
        let of = |u: Option<i64>| units[&u.expect("a unit")].clone();
        match kind.as_str() {
            "referred" if unit.is_some() => {
                *state = (unit, at, false);
                out.entry(of(unit)).or_default().received += 1;
                continue;
            }
            "rating" => {
                out.entry(of(state.0))
                    .or_default()
                    .stars
                    .push(stars[&complaint]);
                continue;
            }
            "objection" => {
                out.entry(of(state.0)).or_default().reopened += 1;
                continue;
            }
            "verification_failed" => {
                out.entry(of(unit.or(state.0)))
                    .or_default()
                    .verification_failures += 1;
                continue;
            }
            "escalated" | "escalated_inspection" => {
                let level = usize::from(kind == "escalated_inspection");
                out.entry(of(unit.or(state.0))).or_default().escalated[level] += 1;
                continue;
            }
            _ => {}
        }
        let to = to.as_deref();
        if from.as_deref() == Some("referred") && to.is_some_and(|t| t != "referred") && !state.2 {
            state.2 = true;
            let e = out.entry(of(unit.or(state.0))).or_default();
            e.responses.push(at - state.1);
            e.responses_on_time += i64::from(response_due.is_none_or(|d| at <= d));
        }
        if to == Some("resolved") {
            let e = out.entry(of(unit.or(state.0))).or_default();
            e.resolutions.push(at - state.1);
            e.resolved_on_time += i64::from(sla_due.is_none_or(|d| at <= d));
        }
        if to == Some("returned") {
            state.0 = None;
        }
    }
    for (_, unit, status, _, sla_due) in complaints.values() {
        if let (Some(unit), true) = (
            unit,
            ["referred", "in_progress", "reopened"].contains(&status.as_str()),
        ) {
            let e = out.entry(units[unit].clone()).or_default();
            e.open += 1;
            e.overdue += i64::from(sla_due.is_some_and(|d| d < now));
        }
    }
    out
}

/// The card's row for `code` equals what the test counted.
fn check_row(row: &Value, e: &Expected, backend: &str) {
    let f = &row["figures"];
    let code = row["code"].as_str().unwrap_or_default();
    let is = |field: &str, want: Value| {
        assert_eq!(f[field], want, "{backend} {code} {field}: {f}");
    };
    is("received", json!(e.received));
    is("open", json!(e.open));
    is("overdue", json!(e.overdue));
    is("responses", json!(e.responses.len()));
    is("responses_on_time", json!(e.responses_on_time));
    is("median_response_s", median(e.responses.clone()));
    is("resolved", json!(e.resolutions.len()));
    is("resolved_on_time", json!(e.resolved_on_time));
    is("median_resolution_s", median(e.resolutions.clone()));
    is("ratings", json!(e.stars.len()));
    is("reopened", json!(e.reopened));
    is("verification_failures", json!(e.verification_failures));
    is("escalations_to_manager", json!(e.escalated[0]));
    is("escalations_to_inspection", json!(e.escalated[1]));
    let resolved = e.resolutions.len() as i64;
    let close = |field: &str, want: Option<f64>| match (f[field].as_f64(), want) {
        (Some(got), Some(want)) => assert!(
            (got - want).abs() < 1e-9,
            "{backend} {code} {field}: {got} ≠ {want}"
        ),
        (got, want) => assert_eq!(got, want, "{backend} {code} {field}"),
    };
    close("on_time_rate", ratio(e.resolved_on_time, resolved));
    close("reopen_rate", ratio(e.reopened, resolved));
    let star_sum: i64 = e.stars.iter().sum();
    let average = ratio(star_sum, e.stars.len() as i64);
    close("average_rating", average);
    // The score, from the formula the page states.
    let responses = e.responses.len() as i64;
    let escalated = e.escalated[0] + e.escalated[1];
    let parts = [
        (6.0, ratio(e.resolved_on_time, resolved)),
        (4.0, ratio(e.responses_on_time, responses)),
        (4.0, average.map(|a| (a - 1.0) / 4.0)),
        (2.0, ratio(resolved - e.reopened, resolved)),
        (2.0, ratio(resolved - e.verification_failures, resolved)),
        (2.0, ratio(e.received - escalated, e.received)),
    ];
    let earned: f64 = parts
        .iter()
        .filter_map(|(w, p)| p.map(|p| w * p.clamp(0.0, 1.0)))
        .sum();
    let possible: f64 = parts
        .iter()
        .filter(|(_, p)| p.is_some())
        .map(|(w, _)| w)
        .sum();
    let want = (possible > 0.0).then(|| (20.0 * earned / possible * 10.0).round() / 10.0);
    close("score", want);
}

fn rows_by_code(list: &Value) -> BTreeMap<String, Value> {
    list.as_array()
        .expect("rows")
        .iter()
        .map(|r| (r["code"].as_str().expect("code").to_owned(), r.clone()))
        .collect()
}

#[tokio::test]
async fn report_card_figures_equal_a_recount_from_the_events() {
    on_each_backend_with(
        |c| c.simulated_clock = true,
        |app| async move {
            let admin = app.staff_token("admin").await;
            let mayor = app.staff_token("mayor").await;
            let filer = app.sign_in("09121110090").await;
            let staff = app.staff_token("unit_staff").await;
            let operator = app.staff_token("operator").await;
            let supervisor = app.staff_token("supervisor").await;
            let start = JalaliDate::at_unix(app.state.store.now());

            // Twelve filings at once: every one counted as received.
            let filings = (0..12).map(|i| {
                let (app, filer) = (&app, filer.clone());
                async move {
                    citizen_files(app, Some(&filer), &format!("چاله شماره {i} در خیابان")).await
                }
            });
            let codes = futures_util::future::join_all(filings).await;
            advance(&app, &admin, 20 * 60).await;
            // Accepted within minutes, some resolved hours later.
            for code in &codes[0..4] {
                act(&app, &staff, code, "accept").await;
            }
            act(&app, &staff, &codes[4], "resolve").await;
            act(&app, &staff, &codes[5], "return").await;
            act(&app, &operator, &codes[5], "refer").await;
            advance(&app, &admin, 3 * 3600).await;
            for code in &codes[0..3] {
                act(&app, &staff, code, "resolve").await;
            }
            // The filer rates one, objects to another; the supervisor
            // finds a third not done.
            citizen_post(
                &app,
                &filer,
                &format!("/api/v1/complaints/{}/rating", codes[0]),
                json!({ "stars": 5 }),
            )
            .await;
            citizen_post(
                &app,
                &filer,
                &format!("/api/v1/complaints/{}/rating", codes[4]),
                json!({ "stars": 2 }),
            )
            .await;
            citizen_post(
                &app,
                &filer,
                &format!("/api/v1/complaints/{}/objection", codes[1]),
                json!({ "reason": "هنوز چاله سر جایش است" }),
            )
            .await;
            act(&app, &supervisor, &codes[2], "verification_failed").await;
            act(&app, &supervisor, &codes[0], "verify").await;
            // Weeks pass: the untouched ones miss both deadlines and climb.
            advance(&app, &admin, 20 * 86_400).await;
            act(&app, &staff, &codes[1], "resolve").await;
            act(&app, &staff, &codes[6], "accept").await;
            let today = JalaliDate::at_unix(app.state.store.now());

            let expected = recompute(&app).await;
            assert!(
                expected.values().any(|e| e.escalated[1] > 0),
                "the scenario escalates"
            );
            let range = format!(
                "from={}&to={}",
                start.short(app::i18n::Lang::En),
                today.short(app::i18n::Lang::En)
            );
            let (s, card) =
                staff_get(&app, &mayor, &format!("/api/v1/staff/report-card?{range}")).await;
            assert_eq!(s, StatusCode::OK, "{card}");
            let units = rows_by_code(&card["units"]);
            for (code, row) in &units {
                let e = expected.get(code).cloned().unwrap_or_default();
                check_row(row, &e, app.backend);
            }
            let received: i64 = units
                .values()
                .map(|r| r["figures"]["received"].as_i64().expect("a count"))
                .sum();
            assert_eq!(received, 13, "12 filings and one re-referral");
            assert_eq!(card["city"]["received"], 13);
            // Ranked: scores never rise down the list.
            let scores: Vec<f64> = card["units"]
                .as_array()
                .expect("units")
                .iter()
                .filter_map(|r| r["figures"]["score"].as_f64())
                .collect();
            assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
            assert_eq!(card["units"][0]["rank"], 1);
            // A district sums its units.
            for (district, row) in rows_by_code(&card["districts"]) {
                let sum: i64 = units
                    .values()
                    .filter(|u| u["district"] == district.as_str())
                    .map(|u| u["figures"]["received"].as_i64().expect("a count"))
                    .sum();
                assert_eq!(row["figures"]["received"], sum, "{district}");
            }

            // A range before anything happened counts nothing in it (open
            // and overdue are as of now, whatever the range).
            let (s, before) = staff_get(
                &app,
                &mayor,
                "/api/v1/staff/report-card?from=1400/01/01&to=1400/01/31",
            )
            .await;
            assert_eq!(s, StatusCode::OK);
            assert_eq!(before["city"]["received"], 0);
            assert_eq!(before["city"]["resolved"], 0);
            assert_eq!(before["city"]["open"], card["city"]["open"]);

            // Refusals: a reversed range, a range over 366 days, a unit's staff.
            for (q, field) in [
                ("from=1404/07/02&to=1404/07/01", "to"),
                ("from=1402/01/01&to=1404/01/01", "to"),
                ("from=1404/13/01", "from"),
            ] {
                let (s, body) =
                    staff_get(&app, &mayor, &format!("/api/v1/staff/report-card?{q}")).await;
                assert_eq!(
                    (s, body["field"].as_str()),
                    (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
                    "{q}"
                );
            }
            let staff = app.staff_token("unit_staff").await;
            let (s, _) =
                staff_get(&app, &staff, &format!("/api/v1/staff/report-card?{range}")).await;
            assert_eq!(s, StatusCode::FORBIDDEN);

            // The CSV has a line per unit, district and manager, and the
            // page shows the ranking and the chart.
            let csv = app
                .staff_text(&mayor, &format!("/staff/report-card.csv?{range}"))
                .await;
            let lines = csv.lines().count();
            let rows = units.len()
                + card["districts"].as_array().expect("a list").len()
                + card["managers"].as_array().expect("a list").len();
            assert_eq!(lines, 1 + rows, "{csv}");
            assert!(csv.starts_with("kind,code,name_fa"));
            let page = app
                .staff_text(&mayor, &format!("/staff/report-card?{range}"))
                .await;
            assert!(page.contains("data-testid=\"card-chart\""), "{page}");
            assert!(page.contains("کارنامه ارزیابی"));
        },
    )
    .await;
}

/// Held open: what the open gauge counts.
const HELD_OPEN: [&str; 3] = ["referred", "in_progress", "reopened"];

/// Every complaint's unit, status and resolution deadline.
async fn complaint_rows(app: &TestApp) -> Vec<(Option<i64>, String, Option<i64>)> {
    sqlx::query_as("SELECT unit_id, status, sla_due_at FROM complaint")
        .fetch_all(app.store().pool())
        .await
        .expect("complaints")
}

/// The gauge rows equal a count of the complaints' rows by unit and
/// deadline day, made here on its own.
async fn gauge_matches_a_recount(app: &TestApp, when: &str) {
    let mut want: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for (unit, status, due) in complaint_rows(app).await {
        if let (Some(unit), true) = (unit, HELD_OPEN.contains(&status.as_str())) {
            let day = due.map_or(-1, |d| (d + 12_600).div_euclid(86_400));
            *want.entry((unit, day)).or_default() += 1;
        }
    }
    let got: BTreeMap<(i64, i64), i64> =
        sqlx::query_as::<_, (i64, i64, i64)>("SELECT unit_id, due_day, n FROM unit_open")
            .fetch_all(app.store().pool())
            .await
            .expect("gauge")
            .into_iter()
            .map(|(u, d, n)| ((u, d), n))
            .collect();
    assert_eq!(got, want, "{} {when}: the open gauge", app.backend);
}

/// Files one complaint of `category` (from the demo list) as anyone.
async fn files_in(app: &TestApp, category: &str, description: &str) -> String {
    let form = crate::rest::complaint_form_in(category, description);
    let res =
        crate::rest::post_complaint(app, Some(&format!("k-{}", rand::random::<u64>())), form).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", app.backend);
    res.json::<Value>().await.expect("json")["tracking_code"]
        .as_str()
        .expect("code")
        .to_owned()
}

#[tokio::test]
async fn open_and_overdue_hold_under_parallel_moves_and_as_the_clock_runs() {
    on_each_backend_with(
        |c| c.simulated_clock = true,
        |app| async move {
            let admin = app.staff_token("admin").await;
            let mayor = app.staff_token("mayor").await;
            let staff = app.staff_token("unit_staff").await;
            let operator = app.staff_token("operator").await;
            let start = JalaliDate::at_unix(app.state.store.now());

            // Sixteen filings at once: potholes (a month's deadline) and
            // urgent ones due in 4, 6 and 12 clock hours.
            let urgent = ["open-manhole", "street-flooding", "building-hazard"];
            let filings = (0..16).map(|i| {
                let app = &app;
                let category = if i < 10 {
                    "asphalt-repair"
                } else {
                    urgent[i % 3]
                };
                async move {
                    files_in(app, category, &format!("مورد شماره {i} در خیابان")).await
                }
            });
            let codes = futures_util::future::join_all(filings).await;
            gauge_matches_a_recount(&app, "after parallel filings").await;

            // All at once, the potholes move: accepted, resolved, returned to
            // dispatch, and on two of them accept and resolve race.
            let moves = codes[0..10].iter().enumerate().flat_map(|(i, code)| {
                let actions: &[&str] = match i % 5 {
                    0 => &["accept", "resolve"],
                    1 => &["return"],
                    2 => &["resolve"],
                    _ => &["accept"],
                };
                actions.iter().map(move |a| (code.clone(), *a))
            });
            let moves = moves.map(|(code, action)| {
                let (app, staff) = (&app, &staff);
                async move {
                    let (status, text) = try_act(app, staff, &code, action).await;
                    assert!(
                        status == StatusCode::OK || status == StatusCode::CONFLICT,
                        "{action} {code}: {status} {text}"
                    );
                }
            });
            futures_util::future::join_all(moves).await;
            gauge_matches_a_recount(&app, "after parallel moves").await;
            // The returned ones are referred again, at once.
            let refer = [&codes[1], &codes[6]].map(|code| try_act(&app, &operator, code, "refer"));
            for (status, text) in futures_util::future::join_all(refer).await {
                assert_eq!(status, StatusCode::OK, "{text}");
            }
            gauge_matches_a_recount(&app, "after parallel referrals").await;

            // Hour by hour for a day: the card's open and overdue per unit
            // equal a recount at every step, including steps where a
            // deadline passed earlier the same Tehran day (the part the
            // card reads from the index rather than the gauge).
            let mut due_earlier_today = 0;
            for hour in 1..=24 {
                advance(&app, &admin, 3600).await;
                let now = app.state.store.now();
                let today_start = (now + 12_600).div_euclid(86_400) * 86_400 - 12_600;
                let mut want: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
                for (unit, status, due) in complaint_rows(&app).await {
                    if let (Some(unit), true) = (unit, HELD_OPEN.contains(&status.as_str())) {
                        let e = want.entry(unit).or_default();
                        e.0 += 1;
                        e.1 += i64::from(due.is_some_and(|d| d < now));
                        due_earlier_today +=
                            i64::from(due.is_some_and(|d| d >= today_start && d < now));
                    }
                }
                let units: BTreeMap<String, i64> =
                    sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM unit")
                        .fetch_all(app.store().pool())
                        .await
                        .expect("units")
                        .into_iter()
                        .collect();
                let range = format!(
                    "from={}&to={}",
                    start.short(app::i18n::Lang::En),
                    JalaliDate::at_unix(now).short(app::i18n::Lang::En)
                );
                let (s, card) =
                    staff_get(&app, &mayor, &format!("/api/v1/staff/report-card?{range}")).await;
                assert_eq!(s, StatusCode::OK, "{card}");
                for (code, row) in rows_by_code(&card["units"]) {
                    let (open, overdue) = want.get(&units[&code]).copied().unwrap_or_default();
                    let f = &row["figures"];
                    assert_eq!(f["open"], open, "{} hour {hour}: {code} open", app.backend);
                    assert_eq!(
                        f["overdue"], overdue,
                        "{} hour {hour}: {code} overdue",
                        app.backend
                    );
                }
                gauge_matches_a_recount(&app, &format!("at hour {hour}")).await;
            }
            assert!(
                due_earlier_today > 0,
                "some step saw a deadline passed earlier the same day"
            );
        },
    )
    .await;
}
