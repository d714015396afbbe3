//! 1888: criticism, suggestions and thanks reach the named unit or the 1888
//! desk, are answered once, and the answer comes back; thanks count in the
//! unit's report card, and in a credited employee's.

use crate::{
    helpers::{on_each_backend, TestApp},
    staff::staff_get,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn file(app: &TestApp, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut req = app.client.post(app.url("/api/v1/feedback")).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("file");
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

async fn answer(app: &TestApp, token: &str, code: &str, text: &str) -> (StatusCode, Value) {
    answer_with(app, token, code, json!({ "answer": text })).await
}

/// Answers with the whole body (an answer and whom a thanks credits).
async fn answer_with(app: &TestApp, token: &str, code: &str, body: Value) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/staff/feedback/{code}/answer")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("answer");
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|i| i["tracking_code"].as_str().expect("code").to_owned())
        .collect()
}

#[tokio::test]
async fn feedback_goes_to_its_unit_or_the_1888_desk_and_the_answer_comes_back() {
    on_each_backend(|app| async move {
        let phone = "09121110077";
        let citizen = app.sign_in(phone).await;
        let markup = "<b>علی</b>\"'><script>x</script>";
        // Six posts of one opened form at once: one item, one code.
        let thanks = json!({
            "kind": "thanks", "unit": "civil", "employee": markup,
            "body": format!("از رسیدگی سریع به چاله کوچه ما سپاسگزاریم {markup}"),
            "form_key": "fk-thanks-1",
        });
        let posts = (0..6).map(|_| file(&app, Some(&citizen), thanks.clone()));
        let answers = futures_util::future::join_all(posts).await;
        let first = answers[0].1["tracking_code"].as_str().expect("code").to_owned();
        for (status, body) in &answers {
            assert_eq!(*status, StatusCode::CREATED, "{} {body}", app.backend);
            assert_eq!(body["tracking_code"], first.as_str());
        }
        assert_eq!(app.count("feedback").await, 1);
        let (s, criticism) = file(
            &app,
            None,
            json!({ "kind": "criticism", "body": "تلفن ۱۳۷ در ساعت اداری جواب نمی‌دهد" }),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        let criticism = criticism["tracking_code"].as_str().expect("code").to_owned();

        // Refusals: translated, field named, nothing filed.
        for (body, field) in [
            (json!({ "kind": "praise", "body": "متن کافی برای پیام" }), "kind"),
            (json!({ "kind": "suggestion", "body": "کوتاه" }), "body"),
            (json!({ "kind": "suggestion", "body": "x".repeat(2001) }), "body"),
            (json!({ "kind": "thanks", "unit": "nowhere", "body": "متن کافی برای پیام" }), "unit"),
            (json!({ "kind": "thanks", "employee": "ن".repeat(101), "body": "متن کافی برای پیام" }), "employee"),
        ] {
            let (s, err) = file(&app, None, body).await;
            assert_eq!((s, err["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{err}");
            assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        assert_eq!(app.count("feedback").await, 2);

        // The unit sees its thanks, the 1888 desk the criticism, another unit neither.
        let staff = app.staff_token("unit_staff").await;
        let operator = app.staff_token("operator").await;
        let other = app.staff_token("unit_staff_2").await;
        let (_, list) = staff_get(&app, &staff, "/api/v1/staff/feedback").await;
        assert_eq!(codes(&list), std::slice::from_ref(&first));
        // A thanks to the civil unit may credit its staff, and only them.
        let mut choices: Vec<&str> = list[0]["credit_choices"]
            .as_array()
            .expect("choices")
            .iter()
            .map(|c| c["username"].as_str().expect("username"))
            .collect();
        choices.sort();
        assert_eq!(choices, ["unit_manager", "unit_staff"], "{}", app.backend);
        let (_, list) = staff_get(&app, &operator, "/api/v1/staff/feedback").await;
        assert_eq!(codes(&list), std::slice::from_ref(&criticism));
        assert!(list[0].get("credit_choices").is_none(), "a criticism credits nobody");
        let (_, list) = staff_get(&app, &other, "/api/v1/staff/feedback").await;
        assert!(codes(&list).is_empty());

        // Who may answer is checked before what was typed.
        assert_eq!(answer(&app, &other, &first, "").await.0, StatusCode::FORBIDDEN);
        assert_eq!(answer(&app, &staff, &criticism, "").await.0, StatusCode::FORBIDDEN);
        let (s, err) = answer(&app, &staff, &first, "  ").await;
        assert_eq!((s, err["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("note")));
        let reply = "سپاس از لطف شما؛ به همکارمان می‌رسانیم.";
        // Crediting someone outside the unit, or crediting a criticism, is
        // refused with its reason, and nothing is answered.
        for (token, code, employee, reason) in [
            (&staff, &first, "mayor", "unknown"),
            (&staff, &first, "unit_staff_2", "unknown"),
            (&operator, &criticism, "unit_staff", "not_thanks"),
        ] {
            let (s, err) =
                answer_with(&app, token, code, json!({ "answer": reply, "employee": employee })).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{employee}: {err}");
            assert_eq!((err["field"].as_str(), err["reason"].as_str()), (Some("employee"), Some(reason)), "{err}");
            assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        let answered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback WHERE answered_at IS NOT NULL")
            .fetch_one(app.store().pool())
            .await
            .expect("count");
        assert_eq!(answered, 0);
        // Two answers at once, each crediting the unit's manager: one
        // lands, the other is told, and the manager is thanked once.
        let credited = json!({ "answer": reply, "employee": "unit_manager" });
        let both = futures_util::future::join_all([
            answer_with(&app, &staff, &first, credited.clone()),
            answer_with(&app, &staff, &first, credited),
        ])
        .await;
        let mut statuses: Vec<u16> = both.iter().map(|(s, _)| s.as_u16()).collect();
        statuses.sort();
        assert_eq!(statuses, [204, 409], "{both:?}");
        assert_eq!(answer(&app, &operator, &criticism, "پیگیری می‌کنیم").await.0, StatusCode::NO_CONTENT);

        // The answer on the item's page, and by text to the signed-in filer only.
        let view: Value = app.get(&format!("/api/v1/feedback/{first}")).await.json().await.expect("json");
        assert_eq!(view["answer"], reply);
        assert_eq!(view["kind"], "thanks");
        let texts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sms_outbox WHERE phone = $1 AND body LIKE $2")
            .bind(phone)
            .bind(format!("%{first}%"))
            .fetch_one(app.store().pool())
            .await
            .expect("outbox");
        assert_eq!(texts, 1, "one text with the answer");
        let page = app.text(&format!("/feedback/{first}")).await;
        assert!(page.contains(reply));
        assert!(page.contains("&lt;b&gt;علی&lt;/b&gt;") && !page.contains("<b>علی"), "escaped");
        assert!(!page.contains("<script>x"));

        // Thanks count in the unit's report card.
        let mayor = app.staff_token("mayor").await;
        let (_, card) = staff_get(&app, &mayor, "/api/v1/staff/report-card").await;
        let civil = card["units"]
            .as_array()
            .expect("units")
            .iter()
            .find(|u| u["code"] == "civil")
            .cloned()
            .expect("civil");
        assert_eq!(civil["figures"]["thanks"], 1);
        assert_eq!(card["city"]["thanks"], 1);
        // And in the credited employee's.
        let employees = card["employees"].as_array().expect("employees");
        assert_eq!(employees.len(), 1, "{employees:?}");
        assert_eq!((employees[0]["username"].as_str(), employees[0]["thanks"].as_i64()), (Some("unit_manager"), Some(1)));
    })
    .await;
}

#[tokio::test]
async fn the_feedback_form_works_without_javascript() {
    on_each_backend(|app| async move {
        let page = app.text("/feedback").await;
        assert!(page.contains("name=\"form_key\""), "{page}");
        assert!(page.contains("value=\"civil\""), "units to choose");
        let post = |fields: Vec<(&'static str, String)>| {
            app.client.post(app.url("/feedback")).form(&fields).send()
        };
        // Refused: the page again with the reason, everything typed kept and escaped.
        let res = post(vec![
            ("kind", "suggestion".into()),
            ("body", "<i>کم</i>".into()),
            ("employee", "<script>y</script>".into()),
            ("form_key", "nojs-1".into()),
        ])
        .await
        .expect("post");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.expect("page");
        assert!(page.contains("دست‌کم ۱۰ نویسه"), "translated reason");
        assert!(page.contains("&lt;i&gt;کم&lt;/i&gt;") && !page.contains("<i>کم"));
        assert!(page.contains("&lt;script&gt;y") && !page.contains("<script>y"));
        assert!(page.contains("value=\"nojs-1\""), "the same form key");
        assert_eq!(app.count("feedback").await, 0);
        // Accepted: to its page.
        let res = post(vec![
            ("kind", "suggestion".into()),
            ("unit", String::new()),
            ("body", "کاش ایستگاه دوچرخه کنار پارک باشد".into()),
            ("form_key", "nojs-1".into()),
        ])
        .await
        .expect("post");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let to = res.headers()["location"]
            .to_str()
            .expect("location")
            .to_owned();
        assert!(
            to.starts_with("/feedback/") && to.ends_with("?filed=1"),
            "{to}"
        );
        let page = app.text(&to).await;
        assert!(page.contains("data-testid=\"feedback-filed\""));
        assert!(page.contains("کاش ایستگاه دوچرخه"));
        assert_eq!(app.count("feedback").await, 1);
    })
    .await;
}
