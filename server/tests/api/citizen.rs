//! The citizen loop after filing: phone sign-in (expiry, lockout, resend
//! limits), "my complaints", nearby suggestions and "me too", rating and
//! objecting, through the API and through the plain HTML forms.

use crate::helpers::{on_each_backend, TestApp};
use reqwest::{header, multipart::Form, StatusCode};
use serde_json::{json, Value};

/// Azadi Square, inside district 1 of the demo city.
const AZADI: (f64, f64) = (36.2575, 49.974);

/// Files a pothole at (lat, lon), signed in when `token` is given.
async fn file(app: &TestApp, token: Option<&str>, lat: f64, lon: f64) -> String {
    let form = Form::new()
        .text("category", "asphalt-repair")
        .text("description", "چاله عمیق وسط خیابان، کنار ایستگاه اتوبوس")
        .text("lat", lat.to_string())
        .text("lon", lon.to_string());
    let mut req = app
        .client
        .post(app.url("/api/v1/complaints"))
        .header("Idempotency-Key", format!("k-{}", rand::random::<u64>()))
        .multipart(form);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("request");
    assert_eq!(res.status(), StatusCode::CREATED, "{}", app.backend);
    let body: Value = res.json().await.expect("json");
    body["tracking_code"].as_str().expect("code").to_owned()
}

async fn post_json(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut req = app.client.post(app.url(path)).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn public(app: &TestApp, code: &str) -> Value {
    app.get(&format!("/api/v1/complaints/{code}"))
        .await
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn one_time_codes_expire_lock_out_and_limit_resends() {
    on_each_backend(|app| async move {
        let phone = "09121110001";
        // Any common format, any digits: normalised before it is sent.
        let (status, _) = post_json(&app, "/api/v1/auth/otp", None, json!({ "phone": "+98 912 111 ۰۰۰۱" })).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{}", app.backend);
        assert_eq!(app.sms.count_to(phone), 1);
        let code = app.sms.last_code(phone);
        assert_eq!(code.len(), 6);
        assert!(app.sms.sent.lock().expect("lock").iter().all(|s| s.template == "pasokh-otp"));

        // Resend: not within a minute.
        let (status, body) = post_json(&app, "/api/v1/auth/otp", None, json!({ "phone": phone })).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["code"], "rate_limited");
        assert_eq!(app.sms.count_to(phone), 1, "nothing sent");

        // A bad number is a translated 422.
        let (status, body) = post_json(&app, "/api/v1/auth/otp", None, json!({ "phone": "12345" })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["field"], "phone");
        assert!(body["message"].as_str().unwrap_or_default().contains("۰۹۱۲"));

        // Four wrong guesses are refused one by one; the fifth locks.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..4 {
            let (status, body) = post_json(&app, "/api/v1/auth/session", None, json!({ "phone": phone, "code": wrong })).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(body["reason"], "wrong");
        }
        let (status, _) = post_json(&app, "/api/v1/auth/session", None, json!({ "phone": phone, "code": wrong })).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "locked after five");
        // Locked: even the right code and a new code are refused.
        let (status, _) = post_json(&app, "/api/v1/auth/session", None, json!({ "phone": phone, "code": code })).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        app.execute("UPDATE otp_challenge SET sent_at = sent_at - 120").await;
        let (status, _) = post_json(&app, "/api/v1/auth/otp", None, json!({ "phone": phone })).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(app.sms.count_to(phone), 1);

        // Expiry: a code older than two minutes is refused.
        let other = "09121110002";
        let (status, _) = post_json(&app, "/api/v1/auth/otp", None, json!({ "phone": other })).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        app.execute("UPDATE otp_challenge SET expires_at = expires_at - 121, sent_at = sent_at - 121 WHERE phone = '09121110002'").await;
        let (status, body) = post_json(&app, "/api/v1/auth/session", None, json!({ "phone": other, "code": app.sms.last_code(other) })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["reason"], "expired");

        // A fresh code works once, typed in Persian digits; then it is spent.
        let (status, _) = post_json(&app, "/api/v1/auth/otp", None, json!({ "phone": other })).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let fresh = app.sms.last_code(other);
        let (status, body) = post_json(&app, "/api/v1/auth/session", None, json!({ "phone": other, "code": app::model::digits::to_persian(&fresh) })).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(body["token"].as_str().map(str::len), Some(64));
        let (status, _) = post_json(&app, "/api/v1/auth/session", None, json!({ "phone": other, "code": fresh })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a code signs in once");

        // At most five codes an hour.
        for _ in 0..3 {
            app.execute("UPDATE otp_challenge SET sent_at = sent_at - 61 WHERE phone = '09121110002'").await;
            let (status, _) = post_json(&app, "/api/v1/auth/otp", None, json!({ "phone": other })).await;
            assert_eq!(status, StatusCode::ACCEPTED);
        }
        app.execute("UPDATE otp_challenge SET sent_at = sent_at - 61 WHERE phone = '09121110002'").await;
        let (status, _) = post_json(&app, "/api/v1/auth/otp", None, json!({ "phone": other })).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "sixth code in an hour");
        assert_eq!(app.sms.count_to(other), 5);
        // Only hashes are stored.
        assert_eq!(app.count("otp_challenge").await, 2);
    })
    .await;
}

#[tokio::test]
async fn the_hourly_ceiling_across_numbers_brakes_but_never_shuts_sign_in() {
    on_each_backend(|app| async move {
        // As if 1000 codes had gone out this hour to other numbers (the
        // test configuration's ceiling is 1000).
        app.execute(&format!(
            "INSERT INTO otp_challenge (phone, code_hash, sent_at, expires_at, attempts, \
             window_start, sends, locked_until, used) VALUES ('09129999999', 'x', {now}, {now}, \
             0, {now}, 1000, 0, 0)",
            now = server::now()
        ))
        .await;
        // Over the ceiling every address gets three codes an hour, not none.
        for i in 0..3 {
            let (status, _) = post_json(
                &app,
                "/api/v1/auth/otp",
                None,
                json!({ "phone": format!("0912111006{i}") }),
            )
            .await;
            assert_eq!(status, StatusCode::ACCEPTED, "braked, not shut: {i}");
        }
        let (status, body) = post_json(
            &app,
            "/api/v1/auth/otp",
            None,
            json!({ "phone": "09121110069" }),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "the fourth from one address"
        );
        assert_eq!(body["code"], "rate_limited");
        assert_eq!(app.sms.count_to("09121110069"), 0);
    })
    .await;
}

#[tokio::test]
async fn a_failing_sms_provider_is_an_error_not_a_silent_success() {
    on_each_backend(|app| async move {
        *app.sms.fail_with.lock().expect("lock") = Some(418);
        let (status, body) = post_json(
            &app,
            "/api/v1/auth/otp",
            None,
            json!({ "phone": "09121110003" }),
        )
        .await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["code"], "internal");
    })
    .await;
}

#[tokio::test]
async fn my_complaints_list_what_i_filed() {
    on_each_backend(|app| async move {
        let me = app.sign_in("09121110010").await;
        let mine = file(&app, Some(&me), AZADI.0, AZADI.1).await;
        let _anonymous = file(&app, None, AZADI.0, AZADI.1).await;
        let res = app
            .client
            .get(app.url("/api/v1/me/complaints"))
            .bearer_auth(&me)
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::OK);
        let list: Value = res.json().await.expect("json");
        let codes: Vec<&str> = list
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c["tracking_code"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(codes, vec![mine.as_str()], "{}", app.backend);
        // Anonymous callers get 401, not someone's list.
        assert_eq!(
            app.get("/api/v1/me/complaints").await.status(),
            StatusCode::UNAUTHORIZED
        );
        // The page: with the cookie it lists the code; without, it sends to sign-in.
        let res = app
            .client
            .get(app.url("/me"))
            .header(header::COOKIE, format!("pasokh_session={me}"))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.expect("body");
        assert!(html.contains(&app::model::digits::to_persian(&mine)));
        let res = app.get("/me").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok()),
            Some("/signin?next=/me")
        );
    })
    .await;
}

#[tokio::test]
async fn nearby_suggestions_and_me_too_counted_once_per_person() {
    on_each_backend(|app| async move {
        let code = file(&app, None, AZADI.0, AZADI.1).await;
        let nearby = |lat: f64, lon: f64, category: &'static str| {
            let app = &app;
            async move {
                let res = app
                    .get(&format!(
                        "/api/v1/complaints/nearby?category={category}&lat={lat}&lon={lon}"
                    ))
                    .await;
                assert_eq!(res.status(), StatusCode::OK);
                res.json::<Value>().await.expect("json")
            }
        };
        // The radius is the category's own (potholes: 100 m).
        let categories: Value = app
            .get("/api/v1/categories")
            .await
            .json()
            .await
            .expect("json");
        let radius = categories
            .as_array()
            .and_then(|a| a.iter().find(|c| c["code"] == "asphalt-repair"))
            .map(|c| c["nearby_radius_m"].clone())
            .expect("category");
        // ~55 m north: offered, with its distance.
        let found = nearby(AZADI.0 + 0.0005, AZADI.1, "asphalt-repair").await;
        assert_eq!(found["radius_m"], radius);
        let item = found["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["tracking_code"] == code.as_str()))
            .cloned()
            .expect("the complaint is offered");
        let d = item["distance_m"].as_i64().unwrap_or(-1);
        assert!((50..=60).contains(&d), "distance {d}");
        // ~1 km away, or another category: not offered.
        let far = nearby(AZADI.0 + 0.009, AZADI.1, "asphalt-repair").await;
        assert!(far["items"]
            .as_array()
            .is_some_and(|a| a.iter().all(|i| i["tracking_code"] != code.as_str())));
        let other = nearby(AZADI.0, AZADI.1, "street-lighting").await;
        assert!(other["items"]
            .as_array()
            .is_some_and(|a| a.iter().all(|i| i["tracking_code"] != code.as_str())));
        // Bad input: translated 422.
        let res = app
            .get("/api/v1/complaints/nearby?category=asphalt-repair&lat=abc&lon=1")
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Me too: once per person, so only signed in.
        let path = format!("/api/v1/complaints/{code}/support");
        let (status, body) = post_json(&app, &path, None, Value::Null).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized"))
        );
        let res = app
            .client
            .post(app.url(&format!("/track/{code}/support")))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok()),
            Some(format!("/signin?next=/track/{code}").as_str()),
            "the no-JS form sends an anonymous supporter to sign in and back"
        );
        let (first, second) = (
            app.sign_in("09121110020").await,
            app.sign_in("09121110021").await,
        );
        for (who, expected_count, counted) in [
            (&first, 1, true),
            (&first, 1, false),
            (&second, 2, true),
            (&second, 2, false),
        ] {
            let (status, body) = post_json(&app, &path, Some(who), Value::Null).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(body["counted"].as_bool(), Some(counted));
            assert_eq!(body["support_count"], expected_count);
        }
        let me = first;
        assert_eq!(public(&app, &code).await["support_count"], 2);
        assert_eq!(app.count("support").await, 2);

        // Once resolved it is no longer offered, and takes no support.
        for to in ["in_progress", "resolved"] {
            assert_eq!(app.set_status(&code, to).await, StatusCode::OK);
        }
        let found = nearby(AZADI.0, AZADI.1, "asphalt-repair").await;
        assert!(found["items"]
            .as_array()
            .is_some_and(|a| a.iter().all(|i| i["tracking_code"] != code.as_str())));
        let (status, body) = post_json(&app, &path, Some(&me), Value::Null).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["reason"], "not_open");
    })
    .await;
}

#[tokio::test]
async fn only_the_filer_rates_only_when_resolved_and_only_once() {
    on_each_backend(|app| async move {
        let filer = app.sign_in("09121110030").await;
        let stranger = app.sign_in("09121110031").await;
        let code = file(&app, Some(&filer), AZADI.0, AZADI.1).await;
        let rating = format!("/api/v1/complaints/{code}/rating");
        let four = json!({ "stars": 4, "comment": "سریع رسیدگی شد" });

        let (status, body) = post_json(&app, &rating, Some(&filer), four.clone()).await;
        assert_eq!(
            (status, body["reason"].as_str()),
            (StatusCode::CONFLICT, Some("not_resolved")),
            "{}",
            app.backend
        );
        // The status machine holds: referred cannot jump to closed.
        assert_eq!(app.set_status(&code, "closed").await, StatusCode::CONFLICT);
        for to in ["in_progress", "resolved"] {
            assert_eq!(app.set_status(&code, to).await, StatusCode::OK);
        }
        let (status, _) = post_json(&app, &rating, None, four.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = post_json(&app, &rating, Some(&stranger), four.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = post_json(&app, &rating, Some(&filer), json!({ "stars": 6 })).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("stars"))
        );
        assert_eq!(app.count("rating").await, 0, "refusals change nothing");

        let (status, _) = post_json(&app, &rating, Some(&filer), four.clone()).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body) = post_json(&app, &rating, Some(&filer), json!({ "stars": 1 })).await;
        assert_eq!(
            (status, body["reason"].as_str()),
            (StatusCode::CONFLICT, Some("already_rated"))
        );

        let view = public(&app, &code).await;
        assert_eq!(view["rating"], 4);
        assert_eq!(view["status"], "done");
        let events = view["timeline"].as_array().cloned().unwrap_or_default();
        let rated = events
            .iter()
            .find(|e| e["kind"] == "rating")
            .expect("rating on the timeline");
        assert_eq!(rated["stars"], 4);
        // The comment is the citizen's own words: not on the public view.
        assert!(!view.to_string().contains("سریع رسیدگی شد"));
        assert!(events
            .iter()
            .any(|e| e["kind"] == "status" && e["note"] == "انجام شد"));
    })
    .await;
}

#[tokio::test]
async fn an_objection_reopens_and_the_forms_work_without_javascript() {
    on_each_backend(|app| async move {
        let filer = app.sign_in("09121110040").await;
        let cookie = format!("pasokh_session={filer}");
        let code = file(&app, Some(&filer), AZADI.0, AZADI.1).await;
        for to in ["in_progress", "resolved"] {
            assert_eq!(app.set_status(&code, to).await, StatusCode::OK);
        }
        // The page offers the filer both answers; a stranger only sign-in.
        let page = |cookie: Option<String>| {
            let app = &app;
            let code = code.clone();
            async move {
                let mut req = app.client.get(app.url(&format!("/track/{code}")));
                if let Some(c) = cookie {
                    req = req.header(header::COOKIE, c);
                }
                req.send()
                    .await
                    .expect("request")
                    .text()
                    .await
                    .expect("body")
            }
        };
        let html = page(Some(cookie.clone())).await;
        assert!(
            html.contains("data-testid=\"rating-form\"")
                && html.contains("data-testid=\"objection-form\"")
        );
        let html = page(None).await;
        assert!(!html.contains("data-testid=\"rating-form\""));
        assert!(html.contains(&format!("/signin?next=/track/{code}")));

        // Too short a reason: back to the page with the reason, nothing changed.
        let post_form = |path: String, fields: Vec<(&'static str, &'static str)>| {
            let app = &app;
            let cookie = cookie.clone();
            async move {
                app.client
                    .post(app.url(&path))
                    .header(header::COOKIE, cookie)
                    .form(&fields)
                    .send()
                    .await
                    .expect("request")
            }
        };
        let res = post_form(format!("/track/{code}/objection"), vec![("reason", "نه")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.expect("body");
        assert!(
            html.contains("بنویسید چه چیزی رفع نشده است"),
            "translated reason shown on the complaint's page"
        );
        assert!(
            html.contains(r#"data-testid="objection-form""#),
            "the form again"
        );
        assert_eq!(public(&app, &code).await["status"], "done");

        let res = post_form(
            format!("/track/{code}/objection"),
            vec![("reason", "چاله هنوز همان‌جاست")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let view = public(&app, &code).await;
        assert_eq!(view["status"], "in_progress", "reopened");
        assert!(view["timeline"]
            .as_array()
            .is_some_and(|t| t.iter().any(|e| e["kind"] == "objection")));
        assert!(
            !view.to_string().contains("چاله هنوز"),
            "the reason is not public"
        );
        assert_eq!(app.count("objection").await, 1);

        // Fixed again; now the filer rates through the form.
        assert_eq!(app.set_status(&code, "resolved").await, StatusCode::OK);
        let res = post_form(
            format!("/track/{code}/rating"),
            vec![("stars", "۵"), ("comment", "")],
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let location = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(location.contains("done=rated"), "{location}");
        assert_eq!(public(&app, &code).await["rating"], 5);
    })
    .await;
}

#[tokio::test]
async fn signing_in_with_the_html_forms_sets_a_safe_cookie() {
    on_each_backend(|app| async move {
        let phone = "09121110050";
        let res = app
            .client
            .post(app.url("/signin"))
            .form(&[("phone", "۰۹۱۲۱۱۱۰۰۵۰"), ("next", "//evil.example")])
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.expect("body");
        assert!(
            html.contains("autocomplete=\"one-time-code\""),
            "the code step"
        );
        let res = app
            .client
            .post(app.url("/signin/verify"))
            .form(&[("phone", phone), ("code", "000000"), ("next", "/me")])
            .send()
            .await
            .expect("request");
        let wrong_code_expected = app.sms.last_code(phone) != "000000";
        if wrong_code_expected {
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert!(res.text().await.expect("body").contains("کد درست نیست"));
        }
        let res = app
            .client
            .post(app.url("/signin/verify"))
            .form(&[
                ("phone", phone),
                ("code", &app.sms.last_code(phone)),
                ("next", "//evil.example"),
            ])
            .send()
            .await
            .expect("request");
        if wrong_code_expected {
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            assert_eq!(
                res.headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok()),
                Some("/"),
                "no open redirect"
            );
            let cookie = res
                .headers()
                .get(header::SET_COOKIE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            assert!(cookie.starts_with("pasokh_session="), "{cookie}");
            assert!(
                cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
                "{cookie}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn pruning_drops_expired_sessions_and_spent_challenges_only() {
    on_each_backend(|app| async move {
        let live = app.sign_in("09121110070").await;
        let now = server::now();
        app.execute(&format!(
            "INSERT INTO user_session (token_hash, user_id, created_at, expires_at) \
             SELECT 'old', user_id, 0, {} FROM user_session LIMIT 1",
            now - 1
        ))
        .await;
        app.execute(
            "INSERT INTO otp_challenge (phone, code_hash, sent_at, expires_at, attempts, \
             window_start, sends, locked_until, used) VALUES ('09121110071', 'x', 0, 120, 0, 0, 1, 0, 1)",
        )
        .await;
        assert_eq!(
            app.state.accounts.prune().await.expect("prune"),
            2,
            "{}",
            app.backend
        );
        assert_eq!(app.count("user_session").await, 1);
        // The live session still works; the fresh challenge (this hour) stays.
        let res = app
            .client
            .get(app.url("/api/v1/me/complaints"))
            .bearer_auth(&live)
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.count("otp_challenge").await, 1);
    })
    .await;
}
