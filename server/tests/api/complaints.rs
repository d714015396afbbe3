//! Filing (routing, idempotency) and the public tracking pages.

use crate::helpers::{on_each_backend, TestApp};
use app::{
    api::forms::ReportForm,
    error::{AppError, Invalid},
    model::Status,
};
use reqwest::{header, StatusCode};
use server::services::intake::{Channel, Filer, IntakeService, Submission};

/// Azadi Square, inside district 1 of the demo city.
const AZADI: (f64, f64) = (36.2575, 49.974);

fn pothole(lat: f64, lon: f64) -> Submission {
    Submission {
        form: ReportForm {
            category: "asphalt-repair".into(),
            description: "چاله بزرگ جلوی ورودی میدان؛ دو موتور زمین خوردند".into(),
            lat: lat.to_string(),
            lon: lon.to_string(),
            accuracy_m: "12".into(),
            address: "میدان آزادی، ضلع شمالی".into(),
            ..ReportForm::default()
        },
        photos: Vec::new(),
    }
}

fn web(key: Option<&str>) -> Filer<'_> {
    Filer {
        channel: Channel::Web,
        citizen_id: None,
        idempotency_key: key,
        operator: None,
        texts: None,
    }
}

async fn intake(app: &TestApp) -> IntakeService {
    app.state.intake.clone()
}

#[tokio::test]
async fn a_complaint_is_routed_by_district_and_category_and_tracked() {
    on_each_backend(|app| async move {
        let intake = intake(&app).await;
        let filed = intake
            .file(&pothole(AZADI.0, AZADI.1), web(None))
            .await
            .expect("filed");
        assert_eq!(filed.status, Status::Referred, "{}", app.backend);
        assert_eq!(
            filed.district.as_ref().map(|d| d.en.as_str()),
            Some("District 1")
        );
        assert_eq!(
            filed.unit.as_ref().map(|u| u.en.as_str()),
            Some("Civil Works Deputy")
        );

        let code = filed.tracking_code.to_string();
        let res = app.get(&format!("/track/{code}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.expect("body");
        let persian_code = app::model::digits::to_persian(&code);
        assert!(html.contains(&persian_code), "code shown in Persian digits");
        assert!(html.contains("ترمیم آسفالت و چاله"), "category shown");
        assert!(
            html.contains("به واحد مسئول ارجاع شد"),
            "referral on the timeline"
        );
        assert!(html.contains("معاونت فنی و عمرانی"), "unit shown");

        // The GET form lands on the code's page; typos are named, not hidden.
        let res = app.get(&format!("/track?code={persian_code}")).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers()[header::LOCATION],
            format!("/track/{code}").as_str()
        );
        let res = app.get("/track?code=123").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res
            .text()
            .await
            .expect("body")
            .contains("کد رهگیری ده رقم دارد"));
        // A well-formed code that nobody has, and a typo: both 404.
        let unknown = app::model::TrackingCode::from_serial(111_111_111).expect("code");
        assert_eq!(
            app.get(&format!("/track/{unknown}")).await.status(),
            StatusCode::NOT_FOUND
        );
        let mut typo = code.clone().into_bytes();
        typo[3] = if typo[3] == b'9' { b'0' } else { typo[3] + 1 };
        let typo = String::from_utf8(typo).expect("ascii");
        assert_eq!(
            app.get(&format!("/track/{typo}")).await.status(),
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn outside_the_city_is_refused_and_nothing_is_stored() {
    on_each_backend(|app| async move {
        let intake = intake(&app).await;
        let err = intake
            .file(&pothole(36.31, 50.0), web(None))
            .await
            .expect_err("outside");
        assert_eq!(err, AppError::Invalid(Invalid::LocationOutsideCity));
        let mut unknown = pothole(AZADI.0, AZADI.1);
        unknown.form.category = "no-such".into();
        let err = intake
            .file(&unknown, web(None))
            .await
            .expect_err("unknown category");
        assert_eq!(err, AppError::Invalid(Invalid::CategoryUnknown));
        assert_eq!(app.count("complaint").await, 0, "{}", app.backend);
        // Address only: filed, waiting for dispatch to place it.
        let mut address_only = pothole(0.0, 0.0);
        address_only.form.lat.clear();
        address_only.form.lon.clear();
        let filed = intake
            .file(&address_only, web(None))
            .await
            .expect("address only");
        assert_eq!(filed.status, Status::Submitted);
        assert_eq!(filed.unit, None);
    })
    .await;
}

#[tokio::test]
async fn a_retry_with_the_same_key_returns_the_first_answer() {
    on_each_backend(|app| async move {
        let intake = intake(&app).await;
        let first = intake
            .file(&pothole(AZADI.0, AZADI.1), web(Some("key-1")))
            .await
            .expect("first");
        let again = intake
            .file(&pothole(AZADI.0, AZADI.1), web(Some("key-1")))
            .await
            .expect("retry");
        assert_eq!(first, again);
        assert_eq!(app.count("complaint").await, 1, "{}", app.backend);
        let mut other = pothole(AZADI.0, AZADI.1);
        other.form.description.push_str(" و یک چاله دیگر");
        let err = intake
            .file(&other, web(Some("key-1")))
            .await
            .expect_err("other body");
        assert_eq!(err, AppError::Invalid(Invalid::IdempotencyKeyReused));
        assert_eq!(app.count("complaint").await, 1);
    })
    .await;
}

#[tokio::test]
async fn the_answer_is_due_in_working_hours_and_urgent_ones_in_clock_hours() {
    on_each_backend(|app| async move {
        let intake = intake(&app).await;
        let calendar = app::model::calendar::WorkCalendar::default();
        // Pothole: 168 working hours on the calendar; open manhole: urgent,
        // 4 clock hours (server/demo/categories.csv).
        for (category, hours, urgent) in [("asphalt-repair", 168, false), ("open-manhole", 4, true)]
        {
            let mut submission = pothole(AZADI.0, AZADI.1);
            submission.form.category = category.into();
            let filed = intake.file(&submission, web(None)).await.expect("filed");
            let code = filed.tracking_code.to_string();
            let view: serde_json::Value = app
                .get(&format!("/api/v1/complaints/{code}"))
                .await
                .json()
                .await
                .expect("json");
            let created = view["created_at"].as_i64().expect("created_at");
            let due = view["expected_by"]
                .as_i64()
                .expect("expected_by while open");
            assert_eq!(
                due,
                calendar.deadline(created, hours, urgent),
                "{category} {}",
                app.backend
            );
            if urgent {
                assert_eq!(due - created, 4 * 3600);
            } else {
                // 168 working hours of 7 a day: at least 24 working days away.
                assert!(
                    due - created >= 24 * 86_400,
                    "{category}: {}",
                    due - created
                );
            }
            let html = app
                .get(&format!("/track/{code}"))
                .await
                .text()
                .await
                .expect("body");
            assert!(html.contains("پاسخ تا"), "the page names the deadline");
            assert!(
                html.contains(&app::i18n::jalali::date_time(due, app::i18n::Lang::Fa)),
                "the deadline in Jalali"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn the_form_says_call_137_for_danger_to_life_and_marks_urgent_categories() {
    on_each_backend(|app| async move {
        let html = app.get("/report").await.text().await.expect("page");
        assert!(html.contains(r#"data-testid="urgent-call""#));
        assert!(html.contains(r#"href="tel:137""#));
        // Open manhole is an urban-services emergency; potholes are not.
        let option = |code: &str| {
            let at = html
                .find(&format!(r#"value="{code}""#))
                .unwrap_or_else(|| panic!("{code} listed"));
            html[at..at + html[at..].find("</option>").expect("option end")].to_owned()
        };
        assert!(option("open-manhole").contains(r#"data-urgent="true""#));
        assert!(option("open-manhole").contains("(فوری)"));
        assert!(!option("asphalt-repair").contains("data-urgent"));
    })
    .await;
}

#[tokio::test]
async fn emergencies_go_to_the_districts_emergency_unit_and_top_the_cartable() {
    on_each_backend(|app| async move {
        let intake = intake(&app).await;
        let mut manhole = pothole(AZADI.0, AZADI.1);
        manhole.form.category = "open-manhole".into();
        manhole.form.description = "دریچه فاضلاب باز است و بچه‌ها از اینجا رد می‌شوند".into();
        intake
            .file(&pothole(AZADI.0, AZADI.1), web(None))
            .await
            .expect("filed");
        let filed = intake.file(&manhole, web(None)).await.expect("filed");
        assert_eq!(
            filed.unit.as_ref().map(|u| u.en.as_str()),
            Some("District 1 urban services emergency"),
            "{}",
            app.backend
        );
        let supervisor = app.staff_token("supervisor").await;
        let page = app.staff_text(&supervisor, "/staff/cartable").await;
        assert!(page.contains(r#"data-testid="urgent-alert""#));
        // The emergency is the first row, above the older pothole.
        let first_row = page.find(r#"data-testid="cartable-row""#).expect("a row");
        let code = app::model::digits::to_persian(&filed.tracking_code.to_string());
        let manhole_at = page.find(&code).expect("listed");
        let next_row = page[first_row + 1..]
            .find(r#"data-testid="cartable-row""#)
            .map_or(usize::MAX, |i| i + first_row + 1);
        assert!(manhole_at > first_row && manhole_at < next_row, "first row");
    })
    .await;
}

/// sqlx 0.8.6's `Any` driver binds a NULL `f64` to PostgreSQL as a `real`
/// (float4): a statement first run with no point (or no accuracy) was
/// cached with float4 parameters, and the next filing with coordinates on
/// that connection failed with "incorrect binary data format" (a 500, the
/// complaint lost). Filings with and without each float, over every
/// pooled connection, all succeed.
#[tokio::test]
async fn filings_with_and_without_coordinates_mix_on_every_connection() {
    on_each_backend(|app| async move {
        let intake = intake(&app).await;
        for round in 0..8 {
            let mut address_only = pothole(AZADI.0, AZADI.1);
            address_only.form.lat.clear();
            address_only.form.lon.clear();
            address_only.form.accuracy_m.clear();
            let mut no_accuracy = pothole(AZADI.0, AZADI.1);
            no_accuracy.form.accuracy_m.clear();
            for (kind, submission) in [
                ("address only", address_only),
                ("point and accuracy", pothole(AZADI.0, AZADI.1)),
                ("point only", no_accuracy),
            ] {
                let filed = intake.file(&submission, web(None)).await;
                assert!(
                    filed.is_ok(),
                    "round {round}, {kind}: {filed:?} ({})",
                    app.backend
                );
            }
        }
    })
    .await;
}
