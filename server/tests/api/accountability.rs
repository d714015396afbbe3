//! Accountability: missed deadlines climb to the unit manager and then to
//! inspection, once each, found by the scheduler on the training clock.

use crate::{
    helpers::{on_each_backend, on_each_backend_with, TestApp},
    staff::{citizen_files, staff_get},
};
use app::model::calendar::WorkCalendar;
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::services::audit::Audit;

/// The complaint's two deadlines, read from the database.
async fn deadlines(app: &TestApp, code: &str) -> (i64, i64) {
    sqlx::query_as("SELECT response_due_at, sla_due_at FROM complaint WHERE tracking_code = $1")
        .bind(code)
        .fetch_one(app.store().pool())
        .await
        .expect("deadlines")
}

async fn escalations(app: &TestApp, code: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT e.deadline, e.level FROM escalation e JOIN complaint c ON c.id = e.complaint_id \
         WHERE c.tracking_code = $1 ORDER BY e.level, e.deadline",
    )
    .bind(code)
    .fetch_all(app.store().pool())
    .await
    .expect("escalations")
}

/// Moves the training clock through the API as `admin`.
pub(crate) async fn advance(app: &TestApp, admin: &str, secs: i64) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/admin/clock"))
        .bearer_auth(admin)
        .json(&json!({ "advance_s": secs }))
        .send()
        .await
        .expect("advance");
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

/// The server's "now" (the simulated clock).
fn server_now(app: &TestApp) -> i64 {
    app.state.store.now()
}

/// A cartable or queue row's escalation level for `code`, if listed.
fn level_in(list: &Value, code: &str) -> Option<i64> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["tracking_code"] == code)
        .map(|i| i["escalation"].as_i64().expect("escalation"))
}

#[tokio::test]
async fn missed_deadlines_go_to_the_manager_then_to_inspection_once_each() {
    on_each_backend_with(
        |c| c.simulated_clock = true,
        |app| async move {
            let admin = app.staff_token("admin").await;
            let manager = app.staff_token("unit_manager").await;
            let inspector = app.staff_token("inspector").await;
            let code = citizen_files(&app, None, "چاله عمیق جلوی ایستگاه اتوبوس").await;
            let (response_due, resolution_due) = deadlines(&app, &code).await;
            assert!(response_due < resolution_due);

            // A minute on: nothing is due, nothing raised.
            let (s, moved) = advance(&app, &admin, 60).await;
            assert_eq!(s, StatusCode::OK, "{moved}");
            assert_eq!(moved["escalated_to_managers"], 0);
            assert!(escalations(&app, &code).await.is_empty());

            // Just past the first-response deadline: to the unit manager.
            let (_, moved) = advance(&app, &admin, response_due - server_now(&app) + 5).await;
            assert_eq!(moved["escalated_to_managers"], 1, "{} {moved}", app.backend);
            assert_eq!(moved["escalated_to_inspection"], 0);
            assert_eq!(escalations(&app, &code).await, [("response".into(), 1)]);
            let (s, cartable) = staff_get(&app, &manager, "/api/v1/staff/cartable").await;
            assert_eq!(s, StatusCode::OK);
            assert_eq!(
                level_in(&cartable, &code),
                Some(1),
                "flagged for the manager"
            );
            let (_, inspection) = staff_get(&app, &inspector, "/api/v1/staff/inspection").await;
            assert_eq!(level_in(&inspection, &code), None, "not yet inspection's");
            // An internal event on the staff timeline, none on the public page.
            let (_, full) =
                staff_get(&app, &admin, &format!("/api/v1/staff/complaints/{code}")).await;
            let events = full["timeline"].as_array().expect("timeline");
            let escalated: Vec<_> = events.iter().filter(|e| e["kind"] == "escalated").collect();
            assert_eq!(escalated.len(), 1, "{full}");
            assert_eq!(escalated[0]["public"], false);
            let public = app.text(&format!("/track/{code}")).await;
            assert!(!public.contains("مهلت گذشت"), "escalation is internal");
            assert!(!public.contains("data-kind=\"escalated\""));

            // Eight schedulers at once (several server processes on one
            // database) raise nothing more.
            let runs = (0..8).map(|_| app.state.escalation.run());
            for raised in futures_util::future::join_all(runs).await {
                assert_eq!(raised.expect("run").managers, 0);
            }
            assert_eq!(escalations(&app, &code).await.len(), 1);

            // Still untouched when the manager's grace (14 working hours)
            // has passed: inspection.
            let grace_end = WorkCalendar::default().add_working(response_due, 14 * 3600);
            let (_, moved) = advance(&app, &admin, grace_end - server_now(&app) - 600).await;
            assert_eq!(moved["escalated_to_inspection"], 0, "inside the grace");
            let (_, moved) = advance(&app, &admin, 1200).await;
            assert_eq!(
                moved["escalated_to_inspection"], 1,
                "{} {moved}",
                app.backend
            );
            assert_eq!(
                escalations(&app, &code).await,
                [("response".into(), 1), ("response".into(), 2)]
            );
            for who in ["inspector", "mayor"] {
                let token = app.staff_token(who).await;
                let (s, inspection) = staff_get(&app, &token, "/api/v1/staff/inspection").await;
                assert_eq!(s, StatusCode::OK, "{who}");
                assert_eq!(level_in(&inspection, &code), Some(2), "{who}");
            }
            let page = app.staff_text(&inspector, "/staff/inspection").await;
            assert!(page.contains(&app::model::digits::to_persian(&code)));
            assert!(
                page.contains("data-testid=\"simulated-clock\""),
                "training banner"
            );

            // The unit acts at last; the complaint leaves the inspection
            // list once it is no longer open (resolved).
            for to in ["in_progress", "resolved"] {
                assert_eq!(app.set_status(&code, to).await, StatusCode::OK, "{to}");
            }
            let (_, inspection) = staff_get(&app, &inspector, "/api/v1/staff/inspection").await;
            assert_eq!(level_in(&inspection, &code), None);
            // A year later nothing more is raised for a resolved complaint.
            let (_, moved) = advance(&app, &admin, 365 * 86_400).await;
            assert_eq!(moved["escalated_to_managers"], 0);
            assert_eq!(escalations(&app, &code).await.len(), 2);
        },
    )
    .await;
}

#[tokio::test]
async fn parallel_schedulers_raise_each_breach_once() {
    on_each_backend_with(
        |c| c.simulated_clock = true,
        |app| async move {
            let mut codes = Vec::new();
            for i in 0..5 {
                codes.push(citizen_files(&app, None, &format!("چاله شماره {i} در خیابان")).await);
            }
            // Move the clock without running the scheduler, past every
            // deadline and grace, then race eight schedulers.
            app.state
                .store
                .clock()
                .advance(
                    &app.state.store,
                    120 * 86_400,
                    Audit {
                        actor_user_id: None,
                        actor: "-",
                        action: "clock:advance",
                        target: None,
                        detail: None,
                        client: None,
                    },
                )
                .await
                .expect("advance");
            let runs = (0..8).map(|_| app.state.escalation.run());
            let mut managers = 0;
            let mut inspection = 0;
            for raised in futures_util::future::join_all(runs).await {
                let raised = raised.expect("run");
                managers += raised.managers;
                inspection += raised.inspection;
            }
            // Each complaint: response and resolution, levels 1 and 2.
            assert_eq!((managers, inspection), (10, 10), "{}", app.backend);
            assert_eq!(app.count("escalation").await, 20);
            let events: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM complaint_event WHERE kind LIKE 'escalated%'",
            )
            .fetch_one(app.store().pool())
            .await
            .expect("events");
            assert_eq!(events, 20, "one event per escalation");
        },
    )
    .await;
}

#[tokio::test]
async fn only_a_simulated_clock_moves_and_only_forward_by_a_sane_amount() {
    on_each_backend(|app| async move {
        let admin = app.staff_token("admin").await;
        let (s, body) = advance(&app, &admin, 3600).await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["reason"], "clock_not_simulated");
        let page = app.text("/").await;
        assert!(!page.contains("simulated-clock"), "no banner in real time");
    })
    .await;
    on_each_backend_with(
        |c| c.simulated_clock = true,
        |app| async move {
            let admin = app.staff_token("admin").await;
            let before = server_now(&app);
            for bad in [0, -3600, 367 * 86_400] {
                let (s, body) = advance(&app, &admin, bad).await;
                assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
                assert_eq!(body["field"], "advance_s");
            }
            assert!(
                server_now(&app) - before < 60,
                "refused moves moved nothing"
            );
            let operator = app.staff_token("operator").await;
            assert_eq!(advance(&app, &operator, 60).await.0, StatusCode::FORBIDDEN);
            // A move made by another server process (straight in the
            // database here) is followed at the next scheduler run.
            app.execute(
                "INSERT INTO simulated_clock (id, offset_s) VALUES (1, 60) \
                 ON CONFLICT (id) DO UPDATE SET offset_s = 60",
            )
            .await;
            app.state.escalation.run().await.expect("run");
            assert_eq!(app.state.store.clock().offset_s(), 60);
            // Time never goes back, even if the stored offset does.
            app.execute("UPDATE simulated_clock SET offset_s = 0").await;
            app.state.escalation.run().await.expect("run");
            assert_eq!(app.state.store.clock().offset_s(), 60);
            // Two admins at once: both moves count.
            let (a, b) = tokio::join!(advance(&app, &admin, 86_400), advance(&app, &admin, 86_400));
            assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
            let offset = app.state.store.clock().offset_s();
            assert_eq!(offset, 2 * 86_400, "{}", app.backend);
            let page = app.text("/").await;
            assert!(page.contains("simulated-clock"), "the banner on every page");
            let day = app::i18n::jalali::JalaliDate::at_unix(server_now(&app));
            assert!(
                page.contains(&day.short(app::i18n::Lang::Fa)),
                "the simulated date"
            );
            // The admin page's form does the same, without JavaScript.
            let users = app.staff_text(&admin, "/staff/admin/users").await;
            assert!(users.contains(r#"data-testid="clock-control""#));
            let form = |value: &'static str| {
                app.client
                    .post(app.url("/staff/admin/clock"))
                    .bearer_auth(&admin)
                    .form(&[("advance_s", value)])
                    .send()
            };
            let res = form("۳۶۰۰").await.expect("form");
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            assert_eq!(
                res.headers()["location"],
                "/staff/admin/users?done=clock_moved"
            );
            assert_eq!(app.state.store.clock().offset_s(), 2 * 86_400 + 3_600);
            let res = form("<b>soon</b>").await.expect("form");
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let page = res.text().await.expect("body");
            assert!(
                page.contains("ساعت را می‌توان از یک ثانیه تا ۳۶۶ روز جلو برد"),
                "translated error"
            );
            assert!(!page.contains("<b>soon"), "what was typed is escaped");
            assert_eq!(app.state.store.clock().offset_s(), 2 * 86_400 + 3_600);
            // Every move is audited.
            let (_, audit) =
                staff_get(&app, &admin, "/api/v1/staff/audit?action=clock:advance").await;
            assert_eq!(audit.as_array().map(Vec::len), Some(3), "{audit}");
        },
    )
    .await;
}

#[tokio::test]
async fn inspection_records_a_finding_the_unit_manager_answers_and_inspection_closes() {
    on_each_backend(|app| async move {
        let code = citizen_files(&app, None, "چاله‌ای که دو هفته است مانده").await;
        let act = |who: &'static str, body: Value| {
            let app = &app;
            let code = code.clone();
            async move { app.act(who, &code, body).await }
        };
        // Five findings at once from inspection: exactly one opens.
        let inspector = app.staff_token("inspector").await;
        let tries = (0..5).map(|i| {
            app.client
                .post(app.url(&format!("/api/v1/staff/complaints/{code}/actions")))
                .bearer_auth(&inspector)
                .json(&json!({"action": "finding", "note": format!("یافته {i}: بی‌اقدام ماند")}))
                .send()
        });
        let mut statuses: Vec<u16> = futures_util::future::join_all(tries)
            .await
            .into_iter()
            .map(|r| r.expect("request").status().as_u16())
            .collect();
        statuses.sort();
        assert_eq!(statuses, [200, 409, 409, 409, 409], "{}", app.backend);
        // Only the unit's manager answers; not its staff, not another unit.
        let answer = json!({"action": "answer_finding", "note": "نیروی ما در مأموریت بود"});
        assert_eq!(
            act("unit_staff", answer.clone()).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            act("unit_staff_2", answer.clone()).await.0,
            StatusCode::FORBIDDEN
        );
        let manager = app.staff_token("unit_manager").await;
        let (_, cartable) = staff_get(&app, &manager, "/api/v1/staff/cartable").await;
        let row = cartable["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["tracking_code"] == code.as_str())
            .cloned()
            .expect("listed");
        assert_eq!(row["finding_awaits_answer"], true);
        let (s, view) = act("unit_manager", answer.clone()).await;
        assert_eq!(s, StatusCode::OK, "{view}");
        assert!(!view["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .any(|a| a == "answer_finding"));
        // Answered once; a second answer is refused and changes nothing.
        let (s, body) = act("unit_manager", answer).await;
        assert_eq!(
            (s, body["reason"].as_str()),
            (StatusCode::CONFLICT, Some("no_open_finding"))
        );
        // A note is required for a finding; the refusal names the field.
        let (s, body) = act("inspector", json!({"action": "finding", "note": " "})).await;
        assert_eq!(
            (s, body["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("note"))
        );
        let (s, _) = act("inspector", json!({"action": "close_finding"})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = act("inspector", json!({"action": "close_finding"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        // The history on the staff timeline, none of it public; the status
        // never moved.
        let (_, full) = staff_get(
            &app,
            &inspector,
            &format!("/api/v1/staff/complaints/{code}"),
        )
        .await;
        assert_eq!(full["status"], "referred");
        let kinds: Vec<&str> = full["timeline"]
            .as_array()
            .expect("timeline")
            .iter()
            .filter(|e| e["kind"].as_str().is_some_and(|k| k.starts_with("finding")))
            .map(|e| {
                assert_eq!(e["public"], false);
                e["kind"].as_str().expect("kind")
            })
            .collect();
        assert_eq!(kinds, ["finding", "finding_answered", "finding_closed"]);
        let public = app.text(&format!("/track/{code}")).await;
        assert!(!public.contains("در مأموریت"), "the answer stays internal");
        // A new finding may open once the last one is closed.
        let (s, _) = act(
            "inspector",
            json!({"action": "finding", "note": "دوباره معطل ماند"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inspection_finding")
            .fetch_one(app.store().pool())
            .await
            .expect("count");
        assert_eq!(rows, 2);
    })
    .await;
}

#[tokio::test]
async fn a_new_referral_gives_the_new_unit_the_full_time() {
    on_each_backend_with(
        |c| c.simulated_clock = true,
        |app| async move {
            let admin = app.staff_token("admin").await;
            let code = citizen_files(&app, None, "چاله‌ای که به واحد اشتباه رفت").await;
            let (response_due, resolution_due) = deadlines(&app, &code).await;
            // Two days later the unit returns it as misrouted and dispatch
            // refers it to district 1's office.
            assert_eq!(advance(&app, &admin, 2 * 86_400).await.0, StatusCode::OK);
            let back = json!({"action": "return", "note": "مربوط به ناحیه است"});
            assert_eq!(app.act("unit_staff", &code, back).await.0, StatusCode::OK);
            let (s, body) = app
                .act(
                    "operator",
                    &code,
                    json!({"action": "refer", "unit": "d1-office"}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");
            let referred_at = server_now(&app);
            let (new_response, new_resolution) = deadlines(&app, &code).await;
            let calendar = WorkCalendar::default();
            // asphalt-repair: 24 and 168 working hours from the referral.
            for (due, hours) in [(new_response, 24), (new_resolution, 168)] {
                let expected = calendar.add_working(referred_at, hours * 3600);
                assert!((due - expected).abs() <= 5, "{due} vs {expected}");
            }
            assert!(new_response > response_due && new_resolution > resolution_due);
        },
    )
    .await;
}

#[tokio::test]
async fn holidays_an_admin_saves_move_the_next_deadlines_without_a_restart() {
    use app::i18n::{jalali::JalaliDate, Lang};
    on_each_backend(|app| async move {
        let admin = app.staff_token("admin").await;
        // The next 20 days are holidays (a CSV import through the API).
        let now = server::now();
        let days: Vec<JalaliDate> = (0..20)
            .map(|i| JalaliDate::at_unix(now + i * 86_400))
            .collect();
        let csv: String = days
            .iter()
            .map(|d| format!("{},تعطیل آزمایشی\n", d.short(Lang::Fa)))
            .collect();
        let put = |token: String, body: String| {
            app.client
                .put(app.url("/api/v1/admin/holidays"))
                .bearer_auth(token)
                .header("content-type", "text/csv")
                .body(body)
                .send()
        };
        let res = put(admin.clone(), csv).await.expect("put");
        assert_eq!(res.status(), StatusCode::OK, "{}", app.backend);
        let list: Value = res.json().await.expect("json");
        assert_eq!(list.as_array().map(Vec::len), Some(20));
        assert_eq!(list[0]["day"], days[0].short(Lang::En));
        let code = citizen_files(&app, None, "چاله‌ای در روزهای تعطیل").await;
        let (response_due, _) = deadlines(&app, &code).await;
        let created: i64 =
            sqlx::query_scalar("SELECT created_at FROM complaint WHERE tracking_code = $1")
                .bind(&code)
                .fetch_one(app.store().pool())
                .await
                .expect("created");
        let calendar = WorkCalendar::default().with_holidays(&days);
        assert_eq!(response_due, calendar.add_working(created, 24 * 3600));
        assert!(response_due > days[19].start_unix(), "after the holidays");

        // Refused whole: not an admin, or one bad line; nothing changes.
        let operator = app.staff_token("operator").await;
        let res = put(operator, "1405/01/01,x".into()).await.expect("put");
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = put(
            admin.clone(),
            "1405/01/01,نوروز\n1404/12/30,کبیسه نیست".into(),
        )
        .await
        .expect("put");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["field"], "holidays");
        let (_, list) = staff_get(&app, &admin, "/api/v1/admin/holidays").await;
        assert_eq!(list.as_array().map(Vec::len), Some(20), "unchanged");

        // The admin page's form: markup in a name is kept and escaped; a bad
        // line comes back translated with everything typed.
        let form = |text: &'static str| {
            app.client
                .post(app.url("/staff/admin/holidays"))
                .bearer_auth(&admin)
                .form(&[("holidays", text)])
                .send()
        };
        let res = form("1405/01/01,<b>نوروز</b>").await.expect("form");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = app
            .staff_text(&admin, "/staff/admin/settings?done=holidays_saved")
            .await;
        assert!(
            page.contains("1405/01/01,&lt;b&gt;نوروز&lt;/b&gt;"),
            "escaped in the textarea"
        );
        let res = form("1405/01/01,نوروز\n<script>x</script>")
            .await
            .expect("form");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.expect("body");
        assert!(page.contains("هر سطر یک تاریخ درست شمسی"), "translated");
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;") && !page.contains("<script>x"));
        let (_, list) = staff_get(&app, &admin, "/api/v1/admin/holidays").await;
        assert_eq!(list.as_array().map(Vec::len), Some(1));

        // Six admins' lists saved at once, overlapping days: each save is
        // whole (none fails, none mixes with another), the last one wins.
        let saves = (0..6).map(|i| {
            let list: String = (1..=5 + i)
                .map(|d| format!("1406/02/{d:02},روز {i}\n"))
                .collect();
            put(admin.clone(), list)
        });
        for res in futures_util::future::join_all(saves).await {
            assert_eq!(
                res.expect("put").status(),
                StatusCode::OK,
                "{}",
                app.backend
            );
        }
        let (_, list) = staff_get(&app, &admin, "/api/v1/admin/holidays").await;
        let list = list.as_array().cloned().unwrap_or_default();
        let names: std::collections::BTreeSet<_> = list
            .iter()
            .map(|h| h["name"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(names.len(), 1, "one save's list, whole: {list:?}");
        let winner = names.iter().next().expect("a name");
        let i: usize = winner
            .strip_prefix("روز ")
            .and_then(|n| n.parse().ok())
            .expect("روز N");
        assert_eq!(list.len(), 5 + i, "{list:?}");
    })
    .await;
}

#[tokio::test]
async fn an_item_the_unit_saw_and_left_goes_to_inspection_at_its_deadline() {
    on_each_backend_with(
        |c| c.simulated_clock = true,
        |app| async move {
            let admin = app.staff_token("admin").await;
            let inspector = app.staff_token("inspector").await;
            let staff = app.staff_token("unit_staff").await;
            let manager = app.staff_token("unit_manager").await;
            let supervisor = app.staff_token("supervisor").await;
            let seen = citizen_files(&app, None, "درخت افتاده روی پیاده‌رو").await;
            let unseen = citizen_files(&app, None, "چراغ خاموش در کوچه").await;
            // The supervisor (not of the unit) opening it is not the unit seeing it.
            let (s, _) = staff_get(
                &app,
                &supervisor,
                &format!("/api/v1/staff/complaints/{seen}"),
            )
            .await;
            assert_eq!(s, StatusCode::OK);
            // Five opens at once by the unit's staff and manager: seen once.
            let opens =
                (0..5).map(|i| {
                    let token = if i % 2 == 0 {
                        staff.clone()
                    } else {
                        manager.clone()
                    };
                    let (app, seen) = (&app, seen.clone());
                    async move {
                        staff_get(app, &token, &format!("/api/v1/staff/complaints/{seen}")).await
                    }
                });
            for (s, _) in futures_util::future::join_all(opens).await {
                assert_eq!(s, StatusCode::OK);
            }
            let (_, full) =
                staff_get(&app, &admin, &format!("/api/v1/staff/complaints/{seen}")).await;
            let seen_events: Vec<_> = full["timeline"]
                .as_array()
                .expect("timeline")
                .iter()
                .filter(|e| e["kind"] == "seen")
                .cloned()
                .collect();
            assert_eq!(seen_events.len(), 1, "{} {full}", app.backend);
            assert_eq!(seen_events[0]["public"], false);
            assert!(["unit_staff", "unit_manager"]
                .contains(&seen_events[0]["actor_role"].as_str().unwrap_or_default()));
            let public = app.text(&format!("/api/v1/complaints/{seen}")).await;
            assert!(!public.contains("\"seen\""), "internal: {public}");

            // Past the first-response deadline, inside the manager's grace:
            // the seen one is inspection's already, the unseen one is not.
            let (response_due, _) = deadlines(&app, &seen).await;
            let (s, _) = advance(&app, &admin, response_due - server_now(&app) + 60).await;
            assert_eq!(s, StatusCode::OK);
            let (_, inspection) = staff_get(&app, &inspector, "/api/v1/staff/inspection").await;
            let listed = |code: &str| {
                inspection["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .find(|i| i["tracking_code"] == code)
                    .cloned()
            };
            let item = listed(&seen).expect("the seen item is inspection's");
            assert_eq!(item["seen_not_acted"], true);
            assert_eq!(item["escalation"], 1, "flagged to the manager too");
            assert!(listed(&unseen).is_none(), "{inspection}");
            // Acting takes it off: accepted, it is no longer "seen, not acted".
            let (s, _) = app
                .act("unit_staff", &seen, json!({ "action": "accept" }))
                .await;
            assert_eq!(s, StatusCode::OK);
            let (_, inspection) = staff_get(&app, &inspector, "/api/v1/staff/inspection").await;
            assert!(!inspection.to_string().contains(&seen), "{inspection}");
        },
    )
    .await;
}
