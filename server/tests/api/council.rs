//! The council's cartable end to end: a member refers a complaint to
//! another member, who refers it on to the municipality; the mayor's office
//! and the member answer (each once, however many answers race); everyone
//! in the thread sees the chain and its times; an unanswered referral is
//! reminded once a day on the moved clock, never twice for one day.

use crate::{
    accountability::advance,
    helpers::{on_each_backend, on_each_backend_with, TestApp},
    staff::{citizen_files, staff_get, staff_post},
};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn user_id(app: &TestApp, token: &str) -> i64 {
    let (_, me) = staff_get(app, token, "/api/v1/staff/me").await;
    me["user_id"].as_i64().expect("user id")
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test]
async fn a_referral_chain_is_answered_once_per_link_and_seen_by_all_in_it() {
    on_each_backend(|app| async move {
        let first = app.staff_token("council_member").await;
        let second = app.staff_token("council_member_2").await;
        let mayor = app.staff_token("mayor").await;
        let operator = app.staff_token("operator").await;
        let second_id = user_id(&app, &second).await;
        let code = citizen_files(&app, None, "چاله عمیق جلوی ساختمان شورا").await;
        let markup = "<b>فوری</b><script>x</script> لطفاً پیگیری شود";

        // Who may refer, and what: members only, real codes, real members.
        let refer = |to: String, code: &str| json!({"subject": "complaint", "code": code, "to": to, "text": markup});
        let (s, _) = staff_post(&app, &operator, "/api/v1/staff/council", refer(second_id.to_string(), &code)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = staff_post(&app, &mayor, "/api/v1/staff/council", refer(second_id.to_string(), &code)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "the mayor's office answers, it does not refer");
        let (s, body) = staff_post(&app, &first, "/api/v1/staff/council", refer(second_id.to_string(), "1234567890")).await;
        assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("code")));
        let mayor_id = user_id(&app, &mayor).await;
        let (s, body) = staff_post(&app, &first, "/api/v1/staff/council", refer(mayor_id.to_string(), &code)).await;
        assert_eq!((s, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")), "not a member");
        assert_eq!(app.count("council_referral").await, 0);

        let (s, body) = staff_post(&app, &first, "/api/v1/staff/council", refer(second_id.to_string(), &code)).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let root = body["id"].as_i64().expect("id");

        // The receiver sees it waiting; refers it on to the municipality.
        let (_, cart) = staff_get(&app, &second, "/api/v1/staff/council").await;
        assert_eq!(ids(&cart["waiting"]), vec![root]);
        let (s, body) = staff_post(&app, &second, &format!("/api/v1/staff/council/{root}/refer"), json!({"to": "municipality", "text": "برای اقدام شهرداری"})).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let onward = body["id"].as_i64().expect("id");
        let (_, cart) = staff_get(&app, &mayor, "/api/v1/staff/council").await;
        assert_eq!(ids(&cart["waiting"]), vec![onward]);
        let (s, _) = staff_post(&app, &first, &format!("/api/v1/staff/council/{onward}/answer"), json!({"text": "پاسخ نادرست"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "only its receiver answers");

        // Six answers from the mayor's office at once: one lands.
        let answers = (0..6).map(|i| {
            let (app, mayor) = (&app, &mayor);
            async move {
                staff_post(app, mayor, &format!("/api/v1/staff/council/{onward}/answer"), json!({"text": format!("تیم آسفالت اعزام شد {i}")})).await
            }
        });
        let results = futures_util::future::join_all(answers).await;
        let landed = results.iter().filter(|(s, _)| *s == StatusCode::NO_CONTENT).count();
        assert_eq!(landed, 1, "{}: {results:?}", app.backend);
        for (s, body) in results.iter().filter(|(s, _)| *s != StatusCode::NO_CONTENT) {
            assert_eq!((*s, body["reason"].as_str()), (StatusCode::CONFLICT, Some("council_answered")));
        }
        let (s, _) = staff_post(&app, &second, &format!("/api/v1/staff/council/{root}/answer"), json!({"text": "به شهرداری ارجاع شد و پاسخ داد"})).await;
        assert_eq!(s, StatusCode::NO_CONTENT);

        // Everyone in the thread sees the whole chain with its times.
        for token in [&first, &second, &mayor] {
            let (s, thread) = staff_get(&app, token, &format!("/api/v1/staff/council/{root}")).await;
            assert_eq!(s, StatusCode::OK);
            let chain = thread["referrals"].as_array().expect("chain");
            assert_eq!(chain.len(), 2);
            assert_eq!(chain[0]["code"], code.as_str());
            assert!(chain[1]["to"].is_null(), "to the municipality");
            assert!(chain.iter().all(|r| r["answered_at"].as_i64() >= r["created_at"].as_i64()));
            assert!(chain[1]["answer"].as_str().expect("answer").starts_with("تیم آسفالت اعزام شد"));
        }
        let (s, _) = staff_get(&app, &operator, &format!("/api/v1/staff/council/{root}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, cart) = staff_get(&app, &first, "/api/v1/staff/council").await;
        assert_eq!(ids(&cart["sent"]), vec![root]);

        // The pages: the chain escaped; a refused form keeps what was typed.
        let page = app.staff_text(&second, &format!("/staff/council/{root}")).await;
        assert!(page.contains("&lt;b&gt;فوری&lt;/b&gt;&lt;script&gt;x") && !page.contains("<script>x"));
        let res = app
            .client
            .post(app.url("/staff/council"))
            .bearer_auth(&first)
            .form(&[("subject", "request"), ("to", "municipality"), ("text", "<i>")])
            .send()
            .await
            .expect("form");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.expect("page");
        assert!(page.contains("متن دست‌کم ۵ نویسه است") && page.contains(">&lt;i&gt;</textarea>"));
        let res = app
            .client
            .post(app.url("/staff/council"))
            .bearer_auth(&first)
            .form(&[("subject", "request"), ("to", "municipality"), ("text", "روشنایی پارک محله خاموش است")])
            .send()
            .await
            .expect("form");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'council:%'")
            .fetch_one(app.store().pool())
            .await
            .expect("audit");
        assert_eq!(n, 5, "three referrals and two answers audited");
    })
    .await;
}

#[tokio::test]
async fn an_unanswered_referral_is_reminded_once_a_day() {
    on_each_backend_with(
        |c| c.simulated_clock = true,
        |app| async move {
            let admin = app.staff_token("admin").await;
            let first = app.staff_token("council_member").await;
            let second = app.staff_token("council_member_2").await;
            let phone = "09127770001";
            app.execute(&format!(
                "UPDATE app_user SET phone = '{phone}' WHERE username = 'council_member_2'"
            ))
            .await;
            let to = user_id(&app, &second).await.to_string();
            let (s, body) = staff_post(
                &app,
                &first,
                "/api/v1/staff/council",
                json!({"subject": "request", "to": to, "text": "بودجه بازسازی پارک را بررسی کنید"}),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
            let id = body["id"].as_i64().expect("id");
            let reminders = || async {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sms_outbox WHERE phone = $1")
                    .bind(phone)
                    .fetch_one(app.store().pool())
                    .await
                    .expect("outbox")
            };

            // Not yet due after a day; due after two.
            let (_, moved) = advance(&app, &admin, 24 * 3600).await;
            assert_eq!(moved["council_reminders"], 0);
            let (_, moved) = advance(&app, &admin, 24 * 3600 + 60).await;
            assert_eq!(moved["council_reminders"], 1);
            assert_eq!(reminders().await, 1);
            // Several schedulers on the same minute: still one.
            let runs = (0..4).map(|_| app.state.escalation.run());
            for r in futures_util::future::join_all(runs).await {
                assert_eq!(r.expect("run").council_reminders, 0);
            }
            let (_, moved) = advance(&app, &admin, 3600).await;
            assert_eq!(moved["council_reminders"], 0, "once a day");
            let (_, moved) = advance(&app, &admin, 23 * 3600).await;
            assert_eq!(moved["council_reminders"], 1);
            let (_, thread) =
                staff_get(&app, &second, &format!("/api/v1/staff/council/{id}")).await;
            assert_eq!(thread["referrals"][0]["reminders"], 2);
            assert_eq!(thread["referrals"][0]["overdue"], true);
            assert_eq!(reminders().await, 2);

            // Answered: no more reminders.
            let (s, _) = staff_post(
                &app,
                &second,
                &format!("/api/v1/staff/council/{id}/answer"),
                json!({"text": "در جلسه بعد بررسی می‌شود"}),
            )
            .await;
            assert_eq!(s, StatusCode::NO_CONTENT);
            let (_, moved) = advance(&app, &admin, 3 * 24 * 3600).await;
            assert_eq!(moved["council_reminders"], 0);
            assert_eq!(reminders().await, 2);
        },
    )
    .await;
}
