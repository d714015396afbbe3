//! The admin's configuration: a category added with extra questions is on
//! the citizen's form at once, its answers are checked, stored and shown to
//! staff; the routing table is replaced whole or not at all; once-only
//! rules (a code, the question limit) hold under parallel requests.

use crate::{
    helpers::{on_each_backend, TestApp},
    staff::{staff_get, staff_post, staff_send},
};
use reqwest::{multipart::Form, StatusCode};
use serde_json::{json, Value};

/// Azadi Square, inside district 1 of the demo city.
const AZADI: (f64, f64) = (36.2575, 49.974);

fn category(code: &str, name_fa: &str) -> Value {
    json!({
        "code": code, "icon": "🕳", "name_fa": name_fa, "name_en": "Sinkhole",
        "group_fa": "معابر", "group_en": "Streets",
        "first_response_hours": "۲", "resolution_hours": "24", "nearby_radius_m": "100",
        "unit_kind": "civil", "active": "on",
    })
}

/// Files a complaint in `category` with `answers` (`q{id}` fields).
async fn file(app: &TestApp, category: &str, answers: &[(String, &str)]) -> (StatusCode, Value) {
    let mut form = Form::new()
        .text("category", category.to_owned())
        .text("description", "زمین کنار پیاده‌رو فرو رفته و خطرناک است")
        .text("lat", AZADI.0.to_string())
        .text("lon", AZADI.1.to_string());
    for (k, v) in answers {
        form = form.text(k.clone(), (*v).to_owned());
    }
    let res = app
        .client
        .post(app.url("/api/v1/complaints"))
        .header("Idempotency-Key", format!("k-{}", rand::random::<u64>()))
        .multipart(form)
        .send()
        .await
        .expect("file");
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

/// The first-response deadline of the complaint a filing answered with.
async fn response_due(app: &TestApp, filed: &Value) -> i64 {
    sqlx::query_scalar("SELECT response_due_at FROM complaint WHERE tracking_code = $1")
        .bind(filed["tracking_code"].as_str().expect("code"))
        .fetch_one(app.store().pool())
        .await
        .expect("due")
}

fn question_ids(category: &Value) -> Vec<i64> {
    category["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| q["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test]
async fn a_new_category_with_questions_reaches_the_forms_and_its_answers_reach_staff() {
    on_each_backend(|app| async move {
        let admin = app.staff_token("admin").await;
        let operator = app.staff_token("operator").await;
        let markup = "<b>فرونشست</b><script>x</script>";

        // Only admins configure.
        let (s, _) = staff_get(&app, &operator, "/api/v1/admin/categories").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let res = app.get("/api/v1/admin/categories").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let (s, _) = staff_post(&app, &operator, "/api/v1/admin/categories", category("x1", "ایکس")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // Bad fields: translated 422 naming the field, nothing written.
        let before = app.count("category").await;
        let mut bad = category("sinkhole", "فرونشست");
        bad["resolution_hours"] = json!("1");
        let (s, body) = staff_post(&app, &admin, "/api/v1/admin/categories", bad).await;
        assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("resolution_hours")));
        let mut bad = category("sinkhole", "فرونشست");
        bad["unit_kind"] = json!("nowhere");
        let (s, body) = staff_post(&app, &admin, "/api/v1/admin/categories", bad).await;
        assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unit_kind")));
        assert_eq!(app.count("category").await, before);

        // Six admins add the same code at once: one category, five told so.
        let adds = (0..6).map(|_| staff_post(&app, &admin, "/api/v1/admin/categories", category("sinkhole", markup)));
        let results = futures_util::future::join_all(adds).await;
        let created: Vec<&Value> = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .map(|(_, b)| b)
            .collect();
        assert_eq!(created.len(), 1, "{} {results:?}", app.backend);
        for (s, body) in &results {
            assert!(
                *s == StatusCode::CREATED || (*s == StatusCode::CONFLICT && body["reason"] == "category_taken"),
                "{s} {body}"
            );
        }
        assert_eq!(app.count("category").await, before + 1);
        let districts = app.count("district").await;
        assert_eq!(created[0]["routed_districts"].as_i64(), Some(districts), "routed everywhere");
        assert_eq!(created[0]["first_response_hours"], 2, "Persian digits read");

        // Questions: a required number, a choice, an optional text.
        let path = "/api/v1/admin/categories/sinkhole/questions";
        let (s, body) = staff_post(&app, &admin, path, json!({"kind": "choice", "label_fa": "سمت", "choices": "شمال"})).await;
        assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("choices")));
        let (s, _) = staff_post(&app, &admin, path, json!({"kind": "number", "label_fa": "عمق <i>cm</i>", "label_en": "Depth", "required": "on"})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, _) = staff_post(&app, &admin, path, json!({"kind": "choice", "label_fa": "کدام سمت؟", "label_en": "Side", "choices": "شمال | North\nجنوب | South"})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, sinkhole) = staff_post(&app, &admin, path, json!({"kind": "text", "label_fa": "نشانی دقیق‌تر"})).await;
        assert_eq!(s, StatusCode::CREATED);
        let ids = question_ids(&sinkhole);
        assert_eq!(ids.len(), 3);
        let q = |i: usize| format!("q{}", ids[i]);

        // The public list and the citizen's form ask them at once, escaped.
        let res = app.get("/api/v1/categories").await;
        let list: Value = res.json().await.expect("json");
        let listed = list.as_array().expect("list").iter().find(|c| c["code"] == "sinkhole").expect("listed");
        assert_eq!(listed["questions"].as_array().map(Vec::len), Some(3));
        assert_eq!(listed["questions"][1]["choices"][1]["en"], "South");
        let page = app.text("/report").await;
        assert!(page.contains(r#"data-questions-for="sinkhole""#), "on the form");
        assert!(page.contains(&format!(r#"name="{}""#, q(0))));
        assert!(page.contains("عمق &lt;i&gt;cm&lt;/i&gt;") && !page.contains("<i>cm"), "label escaped");
        assert!(page.contains("&lt;b&gt;فرونشست") && !page.contains("<b>فرونشست"), "name escaped");

        // Answers are checked; a refusal writes nothing.
        let complaints = app.count("complaint").await;
        let (s, body) = file(&app, "sinkhole", &[]).await;
        assert_eq!((s, body["field"].as_str(), body["reason"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("answers"), Some("missing")));
        let (s, body) = file(&app, "sinkhole", &[(q(0), "deep")]).await;
        assert_eq!((s, body["reason"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("not_a_number")));
        let (s, body) = file(&app, "sinkhole", &[(q(0), "3"), (q(1), "7")]).await;
        assert_eq!((s, body["reason"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("not_a_choice")));
        assert_eq!(app.count("complaint").await, complaints);
        assert_eq!(app.count("complaint_answer").await, 0);

        let (s, filed) = file(&app, "sinkhole", &[(q(0), "۱۲٫۵"), (q(1), "1"), (q(2), "<script>y</script>")]).await;
        assert_eq!(s, StatusCode::CREATED, "{filed}");
        let code = filed["tracking_code"].as_str().expect("code").to_owned();
        let (s, seen) = staff_get(&app, &admin, &format!("/api/v1/staff/complaints/{code}")).await;
        assert_eq!(s, StatusCode::OK, "{seen}");
        assert_eq!(seen["unit"]["code"], "civil", "routed to the category's unit kind");
        let answers = seen["answers"].as_array().expect("answers");
        assert_eq!(answers.len(), 3);
        assert_eq!(answers[0]["value"]["fa"], "12.5");
        assert_eq!(answers[1]["value"], json!({"fa": "جنوب", "en": "South"}));
        let page = app.staff_text(&admin, &format!("/staff/complaints/{code}")).await;
        assert!(page.contains(r#"data-testid="answers""#));
        assert!(page.contains("&lt;script&gt;y&lt;/script&gt;") && !page.contains("<script>y"));

        // A removed question is no longer asked; the answer given stays.
        let (s, _) = staff_send(&app, reqwest::Method::DELETE, &admin, &format!("{path}/{}", ids[0]), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = staff_send(&app, reqwest::Method::DELETE, &admin, &format!("{path}/{}", ids[0]), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "once");
        let (s, _) = file(&app, "sinkhole", &[]).await;
        assert_eq!(s, StatusCode::CREATED, "the required question is gone");
        let (_, seen) = staff_get(&app, &admin, &format!("/api/v1/staff/complaints/{code}")).await;
        assert_eq!(seen["answers"].as_array().map(Vec::len), Some(3));

        // Deactivated: off the form and refused at filing.
        let mut off = category("ignored", "فرونشست");
        off["active"] = json!("");
        let (s, _) = staff_send(&app, reqwest::Method::PUT, &admin, "/api/v1/admin/categories/sinkhole", Some(off)).await;
        assert_eq!(s, StatusCode::OK);
        let list: Value = app.get("/api/v1/categories").await.json().await.expect("json");
        assert!(!list.as_array().expect("list").iter().any(|c| c["code"] == "sinkhole"));
        let (s, body) = file(&app, "sinkhole", &[]).await;
        assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("category")));

        // Every change is in the audit log.
        for action in ["category:create", "category:update", "question:add", "question:remove"] {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
                .bind(action)
                .fetch_one(app.store().pool())
                .await
                .expect("count");
            assert!(n >= 1, "{action} audited");
        }
    })
    .await;
}

#[tokio::test]
async fn the_question_limit_holds_under_parallel_additions() {
    on_each_backend(|app| async move {
        let admin = app.staff_token("admin").await;
        let path = "/api/v1/admin/categories/asphalt-repair/questions";
        let adds = (0..14).map(|i| {
            let (app, admin) = (&app, &admin);
            async move {
                staff_post(
                    app,
                    admin,
                    path,
                    json!({"kind": "text", "label_fa": format!("پرسش {i}")}),
                )
                .await
            }
        });
        let results = futures_util::future::join_all(adds).await;
        let ok = results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count();
        assert_eq!(ok, 10, "{}: {results:?}", app.backend);
        for (s, body) in results.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
            assert_eq!(
                (*s, body["reason"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("too_many"))
            );
        }
        let (_, one) = staff_get(&app, &admin, "/api/v1/admin/categories/asphalt-repair").await;
        assert_eq!(question_ids(&one).len(), 10);
    })
    .await;
}

#[tokio::test]
async fn the_routing_table_is_replaced_whole_or_not_at_all() {
    on_each_backend(|app| async move {
        let admin = app.staff_token("admin").await;
        let put = |body: String| {
            app.client
                .put(app.url("/api/v1/admin/routing"))
                .bearer_auth(&admin)
                .header("content-type", "text/csv")
                .body(body)
                .send()
        };
        let (_, before) = staff_get(&app, &admin, "/api/v1/admin/routing").await;
        let lines = before.as_array().expect("routes").len();
        assert!(lines > 0);

        // An unknown code anywhere: 422, the table unchanged.
        let res = put("asphalt-repair,d1,civil\nasphalt-repair,d2,no-such-unit\n".into())
            .await
            .expect("put");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = res.json().await.expect("json");
        assert_eq!(
            (body["field"].as_str(), body["reason"].as_str()),
            (Some("routing"), Some("unknown"))
        );
        let res = put("asphalt-repair,d1\n".into()).await.expect("put");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.count("routing_rule").await, lines as i64);

        // Only potholes in district 1 are routed now, to district 2's office.
        let res = put("asphalt-repair,d1,d2-office\n".into())
            .await
            .expect("put");
        assert_eq!(res.status(), StatusCode::OK);
        let table: Value = res.json().await.expect("json");
        assert_eq!(
            table,
            json!([{"category": "asphalt-repair", "district": "d1", "unit": "d2-office"}])
        );
        let (s, filed) = file(&app, "asphalt-repair", &[]).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(filed["status"], "referred");
        let (s, filed) = file(&app, "waste-collection", &[]).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(filed["status"], "submitted", "no line: dispatch places it");

        // The page's form: a bad line comes back translated with what was typed.
        let res = app
            .client
            .post(app.url("/staff/admin/routing"))
            .bearer_auth(&admin)
            .form(&[("routing", "asphalt-repair,<b>d1</b>")])
            .send()
            .await
            .expect("form");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.expect("page");
        assert!(page.contains("هر سطر سه شناسه"), "translated");
        assert!(page.contains("asphalt-repair,&lt;b&gt;d1&lt;/b&gt;") && !page.contains("<b>d1"));
        assert_eq!(app.count("routing_rule").await, 1);
    })
    .await;
}

#[tokio::test]
async fn the_settings_pages_add_a_category_and_its_question_without_script() {
    on_each_backend(|app| async move {
        let admin = app.staff_token("admin").await;
        let form = |path: &'static str, fields: Vec<(&'static str, &'static str)>| {
            app.client
                .post(app.url(path))
                .bearer_auth(&admin)
                .form(&fields)
                .send()
        };
        let fields = vec![
            ("code", "fallen-tree"),
            ("name_fa", "سقوط درخت"),
            ("name_en", "Fallen tree"),
            ("group_fa", "فضای سبز"),
            ("group_en", "Green space"),
            ("icon", "🌳"),
            ("first_response_hours", "1"),
            ("resolution_hours", "4"),
            ("nearby_radius_m", "50"),
            ("unit_kind", "emergency"),
            ("urgent", "on"),
            ("active", "on"),
        ];
        let res = form("/staff/admin/categories", fields.clone())
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = form("/staff/admin/categories", fields).await.expect("post");
        assert_eq!(res.status(), StatusCode::CONFLICT, "the code is taken");
        let page = res.text().await.expect("page");
        assert!(
            page.contains("موضوعی با این شناسه هست") && page.contains(r#"value="fallen-tree""#),
            "kept as typed"
        );

        let res = form(
            "/staff/admin/categories/fallen-tree/questions",
            vec![
                ("kind", "choice"),
                ("label_fa", "راه بسته شده؟"),
                ("choices", "بله | Yes\nخیر | No"),
                ("required", "on"),
            ],
        )
        .await
        .expect("post");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = app
            .staff_text(&admin, "/staff/admin/settings/categories/fallen-tree")
            .await;
        assert!(page.contains("راه بسته شده؟") && page.contains(r#"data-testid="question-row""#));
        let page = app.text("/report").await;
        assert!(
            page.contains("🌳 سقوط درخت"),
            "on the citizen's list with its icon"
        );
        // Urgent: routed to each district's emergency unit.
        let (_, routes) = staff_get(&app, &admin, "/api/v1/admin/routing").await;
        let units: Vec<&str> = routes
            .as_array()
            .expect("routes")
            .iter()
            .filter(|r| r["category"] == "fallen-tree")
            .map(|r| r["unit"].as_str().expect("unit"))
            .collect();
        assert_eq!(units.len() as i64, app.count("district").await);
        assert!(units.iter().all(|u| u.ends_with("-emergency")), "{units:?}");
    })
    .await;
}

#[tokio::test]
async fn the_working_week_an_admin_saves_moves_the_next_deadlines() {
    on_each_backend(|app| async move {
        let admin = app.staff_token("admin").await;
        let put = |body: Value| staff_send(&app, reqwest::Method::PUT, &admin, "/api/v1/admin/work-week", Some(body));
        let (s, week) = staff_get(&app, &admin, "/api/v1/admin/work-week").await;
        assert_eq!((s, week["hours"].as_str(), week["weekend_fri"].as_str()), (StatusCode::OK, Some("07:00-14:00"), Some("on")));
        let (_, before) = file(&app, "asphalt-repair", &[]).await;
        let before = response_due(&app, &before).await;

        // Refused whole: the week stays.
        let (s, body) = put(json!({"hours": "14:00-07:00", "weekend_fri": "on"})).await;
        assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("hours")));
        let every: Value = json!({"hours": "07:00-14:00", "weekend_sat": "on", "weekend_sun": "on", "weekend_mon": "on",
            "weekend_tue": "on", "weekend_wed": "on", "weekend_thu": "on", "weekend_fri": "on"});
        let (s, body) = put(every).await;
        assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("weekend")));

        // One office hour a day, Thursday and Friday off: the next filing's
        // first-response deadline is days later than the one before.
        let (s, week) = put(json!({"hours": "۰۷:۰۰-۰۸:۰۰", "weekend_thu": "on", "weekend_fri": "on"})).await;
        assert_eq!(s, StatusCode::OK, "{week}");
        assert_eq!((week["hours"].as_str(), week["weekend_thu"].as_str()), (Some("07:00-08:00"), Some("on")));
        let (_, after) = file(&app, "asphalt-repair", &[]).await;
        let after = response_due(&app, &after).await;
        assert!(after - before > 86_400, "{before} → {after}");

        // The page's form, without script: checkboxes by day.
        let res = app
            .client
            .post(app.url("/staff/admin/work-week"))
            .bearer_auth(&admin)
            .form(&[("hours", "07:30-15:00"), ("thursday_until", "12:00"), ("weekend_fri", "on")])
            .send()
            .await
            .expect("form");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let page = app.staff_text(&admin, "/staff/admin/settings?done=week_saved").await;
        assert!(page.contains(r#"value="07:30-15:00""#) && page.contains(r#"value="12:00""#));
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'work_week:save'")
            .fetch_one(app.store().pool())
            .await
            .expect("audit");
        assert_eq!(n, 2);
    })
    .await;
}

#[tokio::test]
async fn districts_imported_from_geojson_place_the_next_filings() {
    on_each_backend(|app| async move {
        let admin = app.staff_token("admin").await;
        let put = |body: String| {
            app.client
                .put(app.url("/api/v1/admin/districts"))
                .bearer_auth(&admin)
                .header("content-type", "application/geo+json")
                .body(body)
                .send()
        };
        // A new district east of the demo city, and district 1 renamed.
        let feature = |code: &str, name: &str, ring: &str| {
            format!(r#"{{"type":"Feature","properties":{{"code":"{code}","name_fa":"{name}","name_en":"New"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#)
        };
        let east = "[[50.10,36.20],[50.20,36.20],[50.20,36.30],[50.10,36.30],[50.10,36.20]]";
        let (_, d1): (i64, String) = sqlx::query_as("SELECT id, geometry FROM district WHERE code = 'd1'")
            .fetch_one(app.store().pool())
            .await
            .expect("d1");
        let d1_ring = &d1[1..d1.len() - 1];
        let good = format!(
            r#"{{"type":"FeatureCollection","features":[{},{}]}}"#,
            feature("d1", "منطقه <b>یک</b>", d1_ring),
            feature("d7", "منطقه هفت", east)
        );
        let before = app.count("district").await;

        // Refused whole: an open ring anywhere changes nothing.
        let bad = good.replace("[50.10,36.20]]", "[50.10,36.25]]");
        let res = put(bad).await.expect("put");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = res.json().await.expect("json");
        assert_eq!((body["field"].as_str(), body["reason"].as_str()), (Some("districts"), Some("geometry")));
        assert_eq!(app.count("district").await, before);
        let (s, body) = staff_post(&app, &admin, "/api/v1/admin/categories", category("x9", "ایکس")).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");

        // A point in the new district files into it once imported, routed.
        let app = &app;
        let east_point = |category: &'static str| async move {
            let form = Form::new()
                .text("category", category)
                .text("description", "تیر چراغ برق در خیابان تازه افتاده است")
                .text("lat", "36.25")
                .text("lon", "50.15");
            app.client
                .post(app.url("/api/v1/complaints"))
                .header("Idempotency-Key", format!("k-{}", rand::random::<u64>()))
                .multipart(form)
                .send()
                .await
                .expect("file")
        };
        // The report form's map bounds (min lat, min lon, max lat, max lon).
        let max_lon = || async move {
            let page = app.text("/report").await;
            let at = page.find("data-bounds=\"").expect("bounds") + "data-bounds=\"".len();
            let bounds = &page[at..at + page[at..].find('"').expect("closed")];
            bounds.split(',').nth(3).expect("four numbers").parse::<f64>().expect("a number")
        };
        assert!(max_lon().await < 50.2, "the demo city ends west of the new district");
        let res = east_point("asphalt-repair").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "outside the city yet");
        let res = put(good).await.expect("put");
        assert_eq!(res.status(), StatusCode::OK);
        let done: Value = res.json().await.expect("json");
        assert_eq!(done, json!({"added": 1, "updated": 1}));
        let res = east_point("asphalt-repair").await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let filed: Value = res.json().await.expect("json");
        assert_eq!(filed["status"], "referred", "the new district is routed");
        assert_eq!(max_lon().await, 50.2, "the map's bounds take in the import, with no restart");
        let units: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM unit WHERE code IN ('d7-office', 'd7-emergency')")
            .fetch_one(app.store().pool())
            .await
            .expect("units");
        assert_eq!(units, 2);
        let routed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM routing_rule r JOIN district d ON d.id = r.district_id WHERE d.code = 'd7'",
        )
        .fetch_one(app.store().pool())
        .await
        .expect("routes");
        assert_eq!(routed, app.count("category").await, "every category, the new one too");

        // The page draws the map, names escaped.
        let page = app.staff_text(&admin, "/staff/admin/settings").await;
        assert!(page.contains(r#"data-testid="district-map""#) && page.contains(r#"data-code="d7""#));
        assert!(page.contains("منطقه &lt;b&gt;یک&lt;/b&gt;") && !page.contains("<b>یک"));
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'districts:import'")
            .fetch_one(app.store().pool())
            .await
            .expect("audit");
        assert_eq!(n, 1);
    })
    .await;
}

#[tokio::test]
async fn units_are_added_and_changed_and_a_new_kind_can_answer_a_category() {
    on_each_backend(|app| async move {
        let admin = app.staff_token("admin").await;
        let put = |body: &'static str| {
            app.client
                .put(app.url("/api/v1/admin/units"))
                .bearer_auth(&admin)
                .header("content-type", "text/csv")
                .body(body)
                .send()
        };
        let before = app.count("unit").await;
        // Refused whole: an unknown district anywhere changes nothing.
        let res = put("lighting,lighting,سازمان روشنایی,Lighting,\nx-office,district,دفتر,,d99\n")
            .await
            .expect("put");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["reason"], "unknown_district");
        assert_eq!(app.count("unit").await, before);

        // A new city-wide organisation, and district 1's office renamed.
        let res = put("lighting,lighting,سازمان <b>روشنایی</b>,Lighting,\nd1-office,district,شهرداری ناحیه یک,District one office,d1\n")
            .await
            .expect("put");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.count("unit").await, before + 1);
        let units: Value = res.json().await.expect("json");
        let office = units.as_array().expect("units").iter().find(|u| u["code"] == "d1-office").expect("office");
        assert_eq!((office["name"]["en"].as_str(), office["district"].as_str()), (Some("District one office"), Some("d1")));

        // The new kind answers a new category in every district.
        let mut lamp = category("street-lamp", "چراغ خاموش");
        lamp["unit_kind"] = json!("lighting");
        let (s, body) = staff_post(&app, &admin, "/api/v1/admin/categories", lamp).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let (s, filed) = file(&app, "street-lamp", &[]).await;
        assert_eq!(s, StatusCode::CREATED);
        let code = filed["tracking_code"].as_str().expect("code").to_owned();
        let (_, seen) = staff_get(&app, &admin, &format!("/api/v1/staff/complaints/{code}")).await;
        assert_eq!(seen["unit"]["code"], "lighting");
        let page = app.staff_text(&admin, "/staff/admin/settings").await;
        assert!(page.contains("سازمان &lt;b&gt;روشنایی&lt;/b&gt;") && !page.contains("<b>روشنایی"));
    })
    .await;
}
