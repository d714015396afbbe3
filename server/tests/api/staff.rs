//! The back office over HTTP: the authorization matrix of every staff route
//! (generated from one table), each workflow path through the API, staff
//! sign-in rules under parallel requests, the SMS outbox (retries, a
//! restart), the 137 reply convention, and escaping on staff pages.

use crate::{
    helpers::{on_each_backend, TestApp, TEST_STAFF_PASSWORD},
    rest::{complaint_form, jpeg},
};
use reqwest::{multipart::Form, Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;

const MARKUP: &str = "\"'><h1>hi</h1></textarea><script>alert(1)</script>";

/// A citizen's pothole at Azadi Square (district 1 → civil works).
pub(crate) async fn citizen_files(app: &TestApp, token: Option<&str>, description: &str) -> String {
    let mut req = app
        .client
        .post(app.url("/api/v1/complaints"))
        .header("Idempotency-Key", format!("k-{}", rand::random::<u64>()))
        .multipart(complaint_form(description));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("file");
    assert_eq!(res.status(), StatusCode::CREATED, "{}", app.backend);
    res.json::<Value>().await.expect("json")["tracking_code"]
        .as_str()
        .expect("code")
        .to_owned()
}

/// Sends `body` (JSON, when given) to `path` by `method` as the staff member
/// of bearer `token`; the status and the JSON answer.
pub(crate) async fn staff_send(
    app: &TestApp,
    method: Method,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

/// POSTs `body` as JSON to `path` as the staff member of bearer `token`.
pub(crate) async fn staff_post(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    staff_send(app, Method::POST, token, path, Some(body)).await
}

/// A complaint by address only: routing cannot place it (dispatch).
async fn unplaced(app: &TestApp) -> String {
    let form = Form::new()
        .text("category", "alley-cleaning")
        .text("description", "کوچه سوم پر از زباله است")
        .text("address", "خیابان شهدا، کوچه سوم");
    let res = app
        .client
        .post(app.url("/api/v1/complaints"))
        .header("Idempotency-Key", format!("k-{}", rand::random::<u64>()))
        .multipart(form)
        .send()
        .await
        .expect("file");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], "submitted");
    body["tracking_code"].as_str().expect("code").to_owned()
}

pub(crate) async fn staff_get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

async fn status_of(app: &TestApp, token: &str, code: &str) -> String {
    let (s, body) = staff_get(app, token, &format!("/api/v1/staff/complaints/{code}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["status"].as_str().unwrap_or_default().to_owned()
}

/// Sends the outbox now (and, with `later`, as if `later` seconds passed).
async fn deliver(app: &TestApp, later: i64) -> server::notify::Delivery {
    app.state
        .outbox
        .deliver_due(server::now() + later)
        .await
        .expect("outbox")
}

/// How a request is sent.
#[derive(Clone, Copy)]
enum Body {
    None,
    Json(&'static str),
    /// Operator intake (multipart).
    Intake,
    /// An action form (multipart) for the pages' handler.
    ActionForm(&'static str),
    /// An urlencoded form.
    Form(&'static [(&'static str, &'static str)]),
}

/// One row of the matrix: a route and who may use it.
struct Route {
    method: Method,
    /// `{code}`, `{submitted}`, `{resolved}`, `{user}` are filled in.
    path: &'static str,
    body: Body,
    /// Staff usernames allowed; everyone else is refused.
    allowed: &'static [&'static str],
    /// A page or form (anonymous visitors are sent to sign-in) rather than
    /// the API (401).
    html: bool,
}

/// Every demo staff account: one per role, and `unit_staff_2` of district
/// 2's office, another unit than the complaints' (civil works).
/// The 1888 desk and the units (who answer criticism, suggestions, thanks).
const FEEDBACK_DESK: &[&str] = &[
    "operator",
    "supervisor",
    "unit_staff",
    "unit_manager",
    "unit_staff_2",
];

/// The report card's readers.
const REPORT_CARD: &[&str] = &["mayor", "inspector", "admin"];

const ALL_STAFF: &[&str] = &[
    "operator",
    "unit_staff",
    "unit_manager",
    "supervisor",
    "inspector",
    "mayor",
    "council_member",
    "admin",
    "unit_staff_2",
];
const CARTABLE: &[&str] = &[
    "unit_staff",
    "unit_manager",
    "supervisor",
    "inspector",
    "mayor",
    "admin",
    "unit_staff_2",
];
const READ_CIVIL: &[&str] = &[
    "operator",
    "unit_staff",
    "unit_manager",
    "supervisor",
    "inspector",
    "mayor",
    "admin",
];
const CIVIL_UNIT: &[&str] = &["unit_staff", "unit_manager"];
const DISPATCH: &[&str] = &["operator", "supervisor", "admin"];

fn routes() -> Vec<Route> {
    use Body::*;
    let api = |method: Method, path, body, allowed| Route {
        method,
        path,
        body,
        allowed,
        html: false,
    };
    let html = |method: Method, path, body, allowed| Route {
        method,
        path,
        body,
        allowed,
        html: true,
    };
    vec![
        api(Method::GET, "/api/v1/staff/me", None, ALL_STAFF),
        api(Method::GET, "/api/v1/staff/units", None, ALL_STAFF),
        api(Method::GET, "/api/v1/staff/cartable", None, CARTABLE),
        api(Method::GET, "/api/v1/staff/dispatch", None, DISPATCH),
        api(Method::GET, "/api/v1/staff/verify", None, &["supervisor"]),
        api(
            Method::GET,
            "/api/v1/staff/inspection",
            None,
            &["inspector", "mayor"],
        ),
        api(Method::GET, "/api/v1/admin/holidays", None, &["admin"]),
        api(
            Method::PUT,
            "/api/v1/admin/holidays",
            Json("1405/01/01,نوروز"),
            &["admin"],
        ),
        // The real clock refuses to move (409) after the role check passed.
        api(
            Method::POST,
            "/api/v1/admin/clock",
            Json(r#"{"advance_s": 60}"#),
            &["admin"],
        ),
        // An unreadable body: the role is checked first (403, not 400).
        api(
            Method::POST,
            "/api/v1/admin/clock",
            Json(r#"{"advance_s": "#),
            &["admin"],
        ),
        api(
            Method::GET,
            "/api/v1/staff/complaints/{code}",
            None,
            READ_CIVIL,
        ),
        api(
            Method::POST,
            "/api/v1/staff/complaints",
            Intake,
            &["operator"],
        ),
        api(
            Method::GET,
            "/api/v1/staff/callers/09121234567/complaints",
            None,
            &["operator"],
        ),
        api(
            Method::GET,
            "/api/v1/staff/audit",
            None,
            &["admin", "inspector"],
        ),
        api(Method::GET, "/api/v1/staff/report-card", None, REPORT_CARD),
        api(Method::GET, "/api/v1/staff/feedback", None, FEEDBACK_DESK),
        api(Method::GET, "/api/v1/staff/users", None, &["admin"]),
        api(
            Method::POST,
            "/api/v1/staff/users",
            Json(r#"{"username": "matrix.user", "grants": [{"role": "operator"}]}"#),
            &["admin"],
        ),
        api(
            Method::PUT,
            "/api/v1/staff/users/{user}/grants",
            Json(r#"{"grants": [{"role": "mayor"}]}"#),
            &["admin"],
        ),
        api(
            Method::POST,
            "/api/v1/staff/users/{user}/password-reset",
            None,
            &["admin"],
        ),
        api(
            Method::POST,
            "/api/v1/staff/users/{user}/disable",
            None,
            &["admin"],
        ),
        api(
            Method::POST,
            "/api/v1/staff/users/{user}/enable",
            None,
            &["admin"],
        ),
        // A wrong current password: allowed callers get 422, never a change.
        api(
            Method::POST,
            "/api/v1/staff/password",
            Json(
                r#"{"current": "not-the-password", "new": "another password", "confirm": "another password"}"#,
            ),
            ALL_STAFF,
        ),
        // Each action on a complaint in a state that allows it.
        api(
            Method::POST,
            "/api/v1/staff/complaints/{code}/actions",
            Json(r#"{"action": "accept"}"#),
            CIVIL_UNIT,
        ),
        api(
            Method::POST,
            "/api/v1/staff/complaints/{code}/actions",
            Json(r#"{"action": "assign", "assignee": "0"}"#),
            &["unit_manager"],
        ),
        api(
            Method::POST,
            "/api/v1/staff/complaints/{submitted}/actions",
            Json(r#"{"action": "refer", "unit": "d1-office"}"#),
            DISPATCH,
        ),
        // An inspection finding: opened, answered by the unit's manager, closed.
        api(
            Method::POST,
            "/api/v1/staff/complaints/{code}/actions",
            Json(r#"{"action": "finding", "note": "یک هفته بی‌اقدام ماند"}"#),
            &["inspector"],
        ),
        api(
            Method::POST,
            "/api/v1/staff/complaints/{code}/actions",
            Json(r#"{"action": "answer_finding", "note": "نیروی ما در مأموریت بود"}"#),
            &["unit_manager"],
        ),
        api(
            Method::POST,
            "/api/v1/staff/complaints/{code}/actions",
            Json(r#"{"action": "close_finding"}"#),
            &["inspector"],
        ),
        api(
            Method::POST,
            "/api/v1/staff/complaints/{resolved}/actions",
            Json(r#"{"action": "verify"}"#),
            &["supervisor"],
        ),
        html(Method::GET, "/staff", None, ALL_STAFF),
        html(Method::GET, "/staff/password", None, ALL_STAFF),
        html(Method::GET, "/staff/cartable", None, CARTABLE),
        html(Method::GET, "/staff/dispatch", None, DISPATCH),
        html(Method::GET, "/staff/verify", None, &["supervisor"]),
        html(
            Method::GET,
            "/staff/inspection",
            None,
            &["inspector", "mayor"],
        ),
        html(Method::GET, "/staff/intake", None, &["operator"]),
        html(Method::GET, "/staff/audit", None, &["admin", "inspector"]),
        html(Method::GET, "/staff/report-card", None, REPORT_CARD),
        html(Method::GET, "/staff/feedback", None, FEEDBACK_DESK),
        html(Method::GET, "/staff/report-card.csv", None, REPORT_CARD),
        html(
            Method::GET,
            "/staff/audit.csv",
            None,
            &["admin", "inspector"],
        ),
        html(Method::GET, "/staff/admin/users", None, &["admin"]),
        html(Method::GET, "/staff/complaints/{code}", None, READ_CIVIL),
        html(
            Method::POST,
            "/staff/complaints/{code}/action",
            ActionForm("accept"),
            CIVIL_UNIT,
        ),
        html(Method::POST, "/staff/intake", Intake, &["operator"]),
        html(
            Method::POST,
            "/staff/admin/users",
            Form(&[("username", "matrix.form"), ("operator", "on")]),
            &["admin"],
        ),
        html(
            Method::POST,
            "/staff/admin/users/{user}/reset",
            Form(&[]),
            &["admin"],
        ),
        html(
            Method::POST,
            "/staff/admin/holidays",
            Form(&[("holidays", "1405/01/01,نوروز")]),
            &["admin"],
        ),
        // The real clock refuses (the page again with 409) after the role check.
        html(
            Method::POST,
            "/staff/admin/clock",
            Form(&[("advance_s", "60")]),
            &["admin"],
        ),
        // A bad amount: the role is checked first, so others get 403, not 422.
        html(
            Method::POST,
            "/staff/admin/clock",
            Form(&[("advance_s", "0")]),
            &["admin"],
        ),
    ]
}

fn intake_form() -> Form {
    complaint_form("تماس تلفنی: چاله بزرگ جلوی مدرسه")
        .text("channel", "phone")
        .text("caller_phone", "09121234567")
        .text("idempotency_key", format!("m-{}", rand::random::<u64>()))
}

/// Sends `route` as `token` (none: anonymous) and says whether it was let
/// through: refused is 401/403 (the API), a 303 to the sign-in page or a
/// 403 page (pages and forms).
async fn let_through(
    app: &TestApp,
    route: &Route,
    path: &str,
    token: Option<&str>,
) -> (bool, StatusCode) {
    let mut req = app.client.request(route.method.clone(), app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req = match route.body {
        Body::None => req,
        Body::Json(j) => req
            .header("content-type", "application/json")
            .body(j.to_owned()),
        Body::Intake => req
            .header("Idempotency-Key", format!("m-{}", rand::random::<u64>()))
            .multipart(intake_form()),
        Body::ActionForm(action) => req.multipart(Form::new().text("action", action)),
        Body::Form(fields) => req.form(fields),
    };
    let res = req.send().await.expect("request");
    let status = res.status();
    let to_signin = status == StatusCode::SEE_OTHER
        && res
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/staff/signin"));
    let refused = matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) || to_signin;
    (!refused, status)
}

#[tokio::test]
async fn every_staff_route_lets_in_exactly_the_roles_it_names() {
    on_each_backend(|app| async move {
        let citizen = app.sign_in("09350000001").await;
        let code = citizen_files(&app, Some(&citizen), "چاله عمیق جلوی ایستگاه").await;
        let submitted = unplaced(&app).await;
        let resolved = citizen_files(&app, None, "چاله دیگری کنار پیاده‌رو").await;
        assert_eq!(app.set_status(&resolved, "resolved").await, StatusCode::OK);
        let admin = app.staff_token("admin").await;
        let res = app
            .client
            .post(app.url("/api/v1/staff/users"))
            .bearer_auth(&admin)
            .json(&json!({"username": "target.user", "grants": [{"role": "operator"}]}))
            .send()
            .await
            .expect("create");
        assert_eq!(res.status(), StatusCode::CREATED);
        let user = res.json::<Value>().await.expect("json")["user_id"].to_string();
        let mut tokens: HashMap<&str, String> = HashMap::new();
        for who in ALL_STAFF {
            tokens.insert(who, app.staff_token(who).await);
        }
        let mut checked = 0;
        for route in routes() {
            let path = route
                .path
                .replace("{code}", &code)
                .replace("{submitted}", &submitted)
                .replace("{resolved}", &resolved)
                .replace("{user}", &user);
            let (through, status) = let_through(&app, &route, &path, None).await;
            assert!(!through, "{} {path}: anonymous got {status}", route.method);
            if !route.html {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{} {path}", route.method);
            }
            let (through, status) = let_through(&app, &route, &path, Some(&citizen)).await;
            assert!(!through, "{} {path}: a citizen got {status}", route.method);
            for who in ALL_STAFF {
                let (through, status) = let_through(&app, &route, &path, Some(&tokens[who])).await;
                let expected = route.allowed.contains(who);
                assert_eq!(
                    through, expected,
                    "{} {path} as {who}: {status} ({})",
                    route.method, app.backend
                );
                assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path} as {who}");
                checked += 1;
            }
        }
        assert!(checked >= 30 * ALL_STAFF.len(), "{checked} checks");
        // The matrix changed nothing it should not: the accept went through
        // once, the verify once, the password stayed.
        assert_eq!(status_of(&app, &admin, &code).await, "in_progress");
        assert_eq!(status_of(&app, &admin, &resolved).await, "closed");
        assert_eq!(status_of(&app, &admin, &submitted).await, "referred");
    })
    .await;
}

#[tokio::test]
async fn intake_to_closed_with_texts_at_each_public_step() {
    on_each_backend(|app| async move {
        let operator = app.staff_token("operator").await;
        let res = app
            .client
            .post(app.url("/api/v1/staff/complaints"))
            .bearer_auth(&operator)
            .header("Idempotency-Key", "call-1")
            .multipart(intake_form().text("caller_phone", "۰۹۱۲ ۰۰۰ ۱۱۱۱"))
            .send()
            .await
            .expect("intake");
        // The form has caller_phone twice: refused, nothing filed.
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = app
            .client
            .post(app.url("/api/v1/staff/complaints"))
            .bearer_auth(&operator)
            .header("Idempotency-Key", "call-1")
            .multipart(
                complaint_form("تماس تلفنی: چاله بزرگ جلوی مدرسه")
                    .text("caller_phone", "۰۹۱۲ ۰۰۰ ۱۱۱۱"),
            )
            .send()
            .await
            .expect("intake");
        assert_eq!(res.status(), StatusCode::CREATED, "{}", app.backend);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["sms_queued"], true);
        assert_eq!(body["status"], "referred");
        let code = body["tracking_code"].as_str().expect("code").to_owned();
        let phone = "09120001111";
        assert_eq!(deliver(&app, 0).await.sent, 1);
        let texts = app.sms.texts_to(phone);
        assert_eq!(texts.len(), 1);
        assert!(texts[0].contains(&code), "{texts:?}");
        // Filed for the caller: their account has it, channel phone, the
        // operator on the timeline and in the audit log.
        let supervisor = app.staff_token("supervisor").await;
        let (_, full) = staff_get(
            &app,
            &supervisor,
            &format!("/api/v1/staff/complaints/{code}"),
        )
        .await;
        assert_eq!(full["channel"], "phone");
        assert_eq!(full["citizen_phone"], phone);
        assert_eq!(full["timeline"][0]["actor_role"], "operator");
        let unit = app.staff_token("unit_staff").await;
        let (_, seen) = staff_get(&app, &unit, &format!("/api/v1/staff/complaints/{code}")).await;
        assert_eq!(
            seen["citizen_phone"],
            Value::Null,
            "unit staff never see the number"
        );
        assert_eq!(
            seen["actions"],
            json!([
                "accept",
                "return",
                "resolve",
                "infeasible",
                "not_municipal",
                "duplicate_of"
            ])
        );
        // The caller's history shows it to the next operator.
        let (_, history) = staff_get(
            &app,
            &operator,
            "/api/v1/staff/callers/09120001111/complaints",
        )
        .await;
        assert_eq!(history[0]["tracking_code"], code.as_str());

        // The unit accepts (no text: the public status stays "in progress"),
        // then resolves with a proof photo taken on the phone.
        let (s, after) = app
            .act("unit_staff", &code, json!({"action": "accept"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{after}");
        assert_eq!(after["status"], "in_progress");
        assert_eq!(after["assignee"]["display_name"], "unit_staff");
        let form = Form::new()
            .text("action", "resolve")
            .text("note", "آسفالت لکه‌گیری شد.")
            .part(
                "photo",
                reqwest::multipart::Part::bytes(jpeg(800, 600)).file_name("fix.jpg"),
            );
        let res = app
            .client
            .post(app.url(&format!("/api/v1/staff/complaints/{code}/actions")))
            .bearer_auth(&unit)
            .multipart(form)
            .send()
            .await
            .expect("resolve");
        assert_eq!(res.status(), StatusCode::OK);
        let resolved: Value = res.json().await.expect("json");
        assert_eq!(resolved["status"], "resolved");
        let proof: Vec<&Value> = resolved["photos"]
            .as_array()
            .expect("photos")
            .iter()
            .filter(|p| p["kind"] == "proof")
            .collect();
        assert_eq!(proof.len(), 1);
        let photo = app.get(proof[0]["url"].as_str().expect("url")).await;
        assert_eq!(photo.status(), StatusCode::OK);
        // The supervisor calls and confirms: verified, then closed.
        let (s, verify_queue) = staff_get(&app, &supervisor, "/api/v1/staff/verify").await;
        assert_eq!(s, StatusCode::OK);
        assert!(verify_queue["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["tracking_code"] == code.as_str()));
        let (s, closed) = app
            .act(
                "supervisor",
                &code,
                json!({"action": "verify", "note": "با شهروند تماس گرفتم"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{closed}");
        assert_eq!(closed["status"], "closed");
        assert_eq!(deliver(&app, 0).await.sent, 2, "resolved and closed");
        let texts = app.sms.texts_to(phone);
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert!(
            texts[1].contains("31") || texts[1].contains("۳۱"),
            "{}",
            texts[1]
        );
        // The public sees the answer, never the internal notes or who.
        let public: Value = app
            .get(&format!("/api/v1/complaints/{code}"))
            .await
            .json()
            .await
            .expect("json");
        let public_text = public.to_string();
        assert!(public_text.contains("آسفالت لکه‌گیری شد."));
        assert!(!public_text.contains("با شهروند تماس گرفتم"));
        assert!(!public_text.contains("unit_staff") && !public_text.contains(phone));
        // Every step is in the audit log.
        let admin = app.staff_token("admin").await;
        let (_, audit) =
            staff_get(&app, &admin, &format!("/api/v1/staff/audit?target={code}")).await;
        let actions: Vec<&str> = audit
            .as_array()
            .expect("audit")
            .iter()
            .filter_map(|a| a["action"].as_str())
            .collect();
        assert_eq!(
            actions,
            ["action:verify", "action:resolve", "action:accept", "intake"]
        );
    })
    .await;
}

#[tokio::test]
async fn returned_complaints_go_back_through_dispatch() {
    on_each_backend(|app| async move {
        let code = citizen_files(&app, None, "چاله‌ای که کار ما نیست").await;
        let (s, body) = app
            .act("unit_staff", &code, json!({"action": "return"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
        assert_eq!(body["field"], "note");
        let (s, body) = app
            .act(
                "unit_staff",
                &code,
                json!({"action": "return", "note": "مربوط به منطقه ۲ است"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({"tracking_code": code, "status": "returned"}),
            "out of the unit's reach now"
        );
        // The unit no longer reads it; dispatch has it.
        let unit = app.staff_token("unit_staff").await;
        let (s, _) = staff_get(&app, &unit, &format!("/api/v1/staff/complaints/{code}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let operator = app.staff_token("operator").await;
        let (_, queue) = staff_get(&app, &operator, "/api/v1/staff/dispatch").await;
        assert!(queue["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["tracking_code"] == code.as_str() && i["status"] == "returned"));
        let (s, body) = app
            .act(
                "operator",
                &code,
                json!({"action": "refer", "unit": "no-such-unit"}),
            )
            .await;
        assert_eq!(
            (s, body["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("unit"))
        );
        let (s, body) = app
            .act(
                "operator",
                &code,
                json!({"action": "refer", "unit": "d2-office", "note": "منطقه ۲"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "referred");
        assert_eq!(body["unit"]["code"], "d2-office");
        // District 2's staff now have it in their cartable.
        let other = app.staff_token("unit_staff_2").await;
        let (_, cartable) = staff_get(&app, &other, "/api/v1/staff/cartable").await;
        assert!(cartable["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["tracking_code"] == code.as_str()));
        let kinds: Vec<&str> = body["timeline"]
            .as_array()
            .expect("timeline")
            .iter()
            .filter_map(|e| e["kind"].as_str())
            .collect();
        assert_eq!(
            kinds.iter().filter(|k| **k == "referred").count(),
            2,
            "{kinds:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn duplicates_merge_supporters_and_notifications_into_the_original() {
    on_each_backend(|app| async move {
        let (a, b, c) = ("09350000011", "09350000012", "09350000013");
        let (ta, tb, tc) = (
            app.sign_in(a).await,
            app.sign_in(b).await,
            app.sign_in(c).await,
        );
        let original = citizen_files(&app, Some(&ta), "چاله بزرگ جلوی نانوایی").await;
        let dup = citizen_files(&app, Some(&tb), "همان چاله جلوی نانوایی").await;
        let res = app
            .client
            .post(app.url(&format!("/api/v1/complaints/{dup}/support")))
            .bearer_auth(&tc)
            .send()
            .await
            .expect("support");
        assert_eq!(res.status(), StatusCode::OK);
        let (s, body) = app
            .act(
                "operator",
                &dup,
                json!({"action": "duplicate_of", "duplicate_of": dup}),
            )
            .await;
        assert_eq!(
            (s, body["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("duplicate_of"))
        );
        let (s, body) = app
            .act(
                "operator",
                &dup,
                json!({"action": "duplicate_of", "duplicate_of": original}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "duplicate");
        assert_eq!(body["duplicate_of"], original.as_str());
        let admin = app.staff_token("admin").await;
        let (_, orig) = staff_get(
            &app,
            &admin,
            &format!("/api/v1/staff/complaints/{original}"),
        )
        .await;
        assert_eq!(orig["duplicates"], json!([dup]));
        assert_eq!(
            orig["support_count"], 2,
            "the duplicate's filer and its supporter"
        );
        assert!(orig["timeline"]
            .as_array()
            .expect("timeline")
            .iter()
            .any(|e| e["kind"] == "duplicate_linked" && e["linked"] == dup.as_str()));
        deliver(&app, 0).await;
        assert_eq!(app.sms.texts_to(b).len(), 1, "told it was merged");
        assert!(app.sms.texts_to(b)[0].contains(&original));
        // The original's resolution reaches both filers.
        assert_eq!(app.set_status(&original, "resolved").await, StatusCode::OK);
        deliver(&app, 0).await;
        assert_eq!(app.sms.texts_to(a).len(), 1);
        assert_eq!(app.sms.texts_to(b).len(), 2);
        assert!(app.sms.texts_to(c).is_empty(), "supporters get no texts");
    })
    .await;
}

#[tokio::test]
async fn a_failed_verification_goes_back_to_the_unit_and_counts_against_it() {
    on_each_backend(|app| async move {
        let code = citizen_files(&app, None, "چراغ خیابان هنوز خاموش است").await;
        assert_eq!(app.set_status(&code, "resolved").await, StatusCode::OK);
        let (s, _) = app
            .act(
                "supervisor",
                &code,
                json!({"action": "verification_failed"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a note is required");
        let (s, body) = app
            .act(
                "supervisor",
                &code,
                json!({"action": "verification_failed", "note": "شهروند گفت انجام نشده"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "reopened");
        let failed: Vec<&Value> = body["timeline"]
            .as_array()
            .expect("timeline")
            .iter()
            .filter(|e| e["kind"] == "verification_failed")
            .collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0]["unit"]["fa"], "معاونت فنی و عمرانی");
        let unit = app.staff_token("unit_staff").await;
        let (_, cartable) = staff_get(&app, &unit, "/api/v1/staff/cartable?status=reopened").await;
        assert_eq!(cartable["items"][0]["tracking_code"], code.as_str());
        assert!(cartable["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .any(|c| c["status"] == "reopened" && c["count"] == 1));
    })
    .await;
}

#[tokio::test]
async fn forged_and_out_of_turn_actions_are_refused_and_change_nothing() {
    on_each_backend(|app| async move {
        let code = citizen_files(&app, None, "چاله کوچک کنار جدول").await;
        let events = app.count("complaint_event").await;
        let actions = "audit_log WHERE action LIKE 'action:%'";
        let audit = app.count(actions).await;
        for (who, body, expected) in [
            (
                "unit_staff",
                json!({"action": "verify"}),
                StatusCode::FORBIDDEN,
            ),
            (
                "unit_staff_2",
                json!({"action": "accept"}),
                StatusCode::FORBIDDEN,
            ),
            (
                "mayor",
                json!({"action": "resolve", "note": "x"}),
                StatusCode::FORBIDDEN,
            ),
            (
                "operator",
                json!({"action": "refer", "unit": "d1-office"}),
                StatusCode::CONFLICT,
            ),
            (
                "unit_staff",
                json!({"action": "close"}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "unit_staff",
                json!({"action": "resolve", "note": " "}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "unit_staff",
                json!({"action": "accept", "note": "x".repeat(2001)}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ] {
            let (s, reply) = app.act(who, &code, body.clone()).await;
            assert_eq!(s, expected, "{who} {body}: {reply}");
            assert!(
                reply["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{reply}"
            );
        }
        let (s, _) = app
            .act("unit_staff", "1234567890", json!({"action": "accept"}))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(app.count("complaint_event").await, events);
        assert_eq!(app.count(actions).await, audit);
        // Two people accepting at once: one moves it, the other is told.
        let (a, b) = tokio::join!(
            app.act("unit_staff", &code, json!({"action": "accept"})),
            app.act("unit_manager", &code, json!({"action": "accept"}))
        );
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "{}",
            app.backend
        );
        assert_eq!(app.count("complaint_event").await, events + 1);
    })
    .await;
}

#[tokio::test]
async fn parallel_password_guesses_stop_at_the_account_limit() {
    on_each_backend(|app| async move {
        let guesses = (0..20).map(|i| {
            let app = &app;
            async move {
                app.client
                    .post(app.url("/api/v1/staff/session"))
                    .json(&json!({"username": "mayor", "password": format!("wrong-{i}")}))
                    .send()
                    .await
                    .expect("request")
                    .status()
            }
        });
        let answers = futures_util::future::join_all(guesses).await;
        let wrong = answers
            .iter()
            .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
            .count();
        let held = answers
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!((wrong, held), (10, 10), "{answers:?} on {}", app.backend);
        let res = app
            .client
            .post(app.url("/api/v1/staff/session"))
            .json(&json!({"username": "mayor", "password": TEST_STAFF_PASSWORD}))
            .send()
            .await
            .expect("request");
        assert_eq!(
            res.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "held for the window"
        );
        // Another account from the same address is unaffected.
        app.staff_token("inspector").await;
        let admin = app.staff_token("admin").await;
        let (_, audit) = staff_get(&app, &admin, "/api/v1/staff/audit?actor=mayor").await;
        let failed = audit
            .as_array()
            .expect("audit")
            .iter()
            .filter(|a| a["action"] == "sign_in_failed")
            .count();
        assert_eq!(failed, 10);
    })
    .await;
}

#[tokio::test]
async fn an_admin_set_password_must_be_changed_and_sessions_can_all_end() {
    on_each_backend(|app| async move {
        let admin = app.staff_token("admin").await;
        let res = app
            .client
            .post(app.url("/api/v1/staff/users"))
            .bearer_auth(&admin)
            .json(&json!({"username": "Sara.M", "display_name": "<b>سارا</b>",
                "grants": [{"role": "unit_staff", "unit": "civil"}, {"role": "operator"}]}))
            .send()
            .await
            .expect("create");
        assert_eq!(res.status(), StatusCode::CREATED);
        let issued: Value = res.json().await.expect("json");
        let password = issued["password"].as_str().expect("password").to_owned();
        let dup = app
            .client
            .post(app.url("/api/v1/staff/users"))
            .bearer_auth(&admin)
            .json(&json!({"username": "sara.m", "grants": [{"role": "operator"}]}))
            .send()
            .await
            .expect("create");
        assert_eq!(dup.status(), StatusCode::CONFLICT);
        let sign_in = |pw: String| {
            let app = &app;
            async move {
                let res = app
                    .client
                    .post(app.url("/api/v1/staff/session"))
                    .json(&json!({"username": "sara.m", "password": pw}))
                    .send()
                    .await
                    .expect("request");
                let status = res.status();
                (status, res.json::<Value>().await.unwrap_or_default())
            }
        };
        let (s, session) = sign_in(password.clone()).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(session["must_change_password"], true);
        let token = session["token"].as_str().expect("token").to_owned();
        let (s, body) = staff_get(&app, &token, "/api/v1/staff/cartable").await;
        assert_eq!(
            (s, body["reason"].clone()),
            (StatusCode::CONFLICT, json!("password_change_required"))
        );
        let change = |current: &str, new: &str, confirm: &str| {
            let (app, token) = (&app, token.clone());
            let body = json!({"current": current, "new": new, "confirm": confirm});
            async move {
                app.client
                    .post(app.url("/api/v1/staff/password"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .expect("request")
                    .status()
            }
        };
        assert_eq!(
            change(&password, "short", "short").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            change(&password, "a new passphrase", "a new passphrasf").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            change("wrong", "a new passphrase", "a new passphrase").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            change(&password, "a new passphrase", "a new passphrase").await,
            StatusCode::NO_CONTENT
        );
        let (s, _) = staff_get(&app, &token, "/api/v1/staff/cartable").await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = sign_in(password).await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the old password is gone"
        );
        // Sign out everywhere ends both sessions.
        let (_, second) = sign_in("a new passphrase".into()).await;
        let second = second["token"].as_str().expect("token").to_owned();
        let res = app
            .client
            .post(app.url("/api/v1/staff/sessions/revoke"))
            .bearer_auth(&second)
            .send()
            .await
            .expect("revoke");
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        for t in [&token, &second] {
            assert_eq!(
                staff_get(&app, t, "/api/v1/staff/me").await.0,
                StatusCode::UNAUTHORIZED
            );
        }
        // Disabled: no sign-in. The admin's users page escapes the name.
        let id = issued["user_id"].to_string();
        let res = app
            .client
            .post(app.url(&format!("/api/v1/staff/users/{id}/disable")))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("disable");
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            sign_in("a new passphrase".into()).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let page = app.staff_text(&admin, "/staff/admin/users").await;
        assert!(page.contains("sara.m"));
        assert!(
            !page.contains("<b>سارا</b>"),
            "a display name is text, not markup"
        );
    })
    .await;
}

#[tokio::test]
async fn the_outbox_retries_a_failing_provider_and_sends_once_after_a_restart() {
    on_each_backend(|app| async move {
        let citizen = app.sign_in("09350000021").await;
        let code = citizen_files(&app, Some(&citizen), "آب‌گرفتگی جلوی پل").await;
        *app.sms.fail_with.lock().expect("lock") = Some(418);
        // The staff action succeeds although the provider refuses.
        assert_eq!(app.set_status(&code, "resolved").await, StatusCode::OK);
        let first = deliver(&app, 0).await;
        assert_eq!((first.sent, first.failed), (0, 1));
        assert_eq!(app.state.outbox.pending().await.expect("pending"), 1);
        *app.sms.fail_with.lock().expect("lock") = None;
        assert_eq!(deliver(&app, 0).await.sent, 0, "waits for its backoff");
        // A restarted process (a new pool, nothing in memory) sends it once.
        let store = server::store::Store::connect(&app.database_url, 2)
            .await
            .expect("connect");
        let sms = server::sms::from_config(&server::config::SmsConfig::Kavenegar {
            base_url: app.sms_url.clone(),
            api_key: server::config::Secret::new(crate::helpers::SMS_KEY),
            template: "pasokh-otp".into(),
        })
        .expect("sms");
        let restarted = server::notify::Outbox::new(store, sms);
        let later = server::now() + 31;
        let (x, y) = tokio::join!(
            restarted.deliver_due(later),
            app.state.outbox.deliver_due(later)
        );
        assert_eq!(
            x.expect("x").sent + y.expect("y").sent,
            1,
            "one of two senders sends it"
        );
        assert_eq!(deliver(&app, 3600).await.sent, 0);
        assert_eq!(app.sms.texts_to("09350000021").len(), 1);
        assert_eq!(app.state.outbox.pending().await.expect("pending"), 0);
    })
    .await;
}

#[tokio::test]
async fn replies_31_and_33_confirm_or_reopen_the_latest_resolved_complaint() {
    on_each_backend(|app| async move {
        let phone = "09350000031";
        let citizen = app.sign_in(phone).await;
        let code = citizen_files(&app, Some(&citizen), "تیر چراغ برق کج شده است").await;
        assert_eq!(app.set_status(&code, "resolved").await, StatusCode::OK);
        let reply = |secret: &str, from: &str, message: &str| {
            let app = &app;
            let url = app.url(&format!("/api/v1/sms/inbound?secret={secret}"));
            let form = [
                ("from", from.to_owned()),
                ("to", "10001370".to_owned()),
                ("message", message.to_owned()),
            ];
            async move {
                let res = app
                    .client
                    .post(url)
                    .form(&form)
                    .send()
                    .await
                    .expect("request");
                let status = res.status();
                (status, res.json::<Value>().await.unwrap_or_default())
            }
        };
        assert_eq!(reply("wrong", phone, "31").await.0, StatusCode::FORBIDDEN);
        let secret = "inbound-secret-for-tests";
        let (s, body) = reply(secret, "+989350000031", "۳۳").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(body, json!({"handled": true, "tracking_code": code}));
        let admin = app.staff_token("admin").await;
        assert_eq!(status_of(&app, &admin, &code).await, "reopened");
        assert_eq!(app.set_status(&code, "resolved").await, StatusCode::OK);
        let (_, body) = reply(secret, phone, " 31 ").await;
        assert_eq!(body["handled"], true);
        assert_eq!(status_of(&app, &admin, &code).await, "closed");
        let (_, body) = reply(secret, phone, "31").await;
        assert_eq!(body["handled"], false, "nothing left to confirm");
        let (_, body) = reply(secret, "09350009999", "hello").await;
        assert_eq!(body["handled"], false);
    })
    .await;
}

#[tokio::test]
async fn staff_pages_escape_what_citizens_and_staff_typed() {
    on_each_backend(|app| async move {
        let code = citizen_files(&app, None, MARKUP).await;
        let unit = app.staff_token("unit_staff").await;
        let page = |path: String| {
            let (app, unit) = (&app, unit.clone());
            async move {
                let res = app
                    .client
                    .get(app.url(&path))
                    .bearer_auth(unit)
                    .send()
                    .await
                    .expect("page");
                (res.status(), res.text().await.expect("text"))
            }
        };
        let (s, html) = page(format!("/staff/complaints/{code}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!html.contains("<script>alert(1)</script>") && !html.contains("<h1>hi</h1>"));
        // A refused action keeps the typed note, escaped, with the status.
        let res = app
            .client
            .post(app.url(&format!("/staff/complaints/{code}/action")))
            .bearer_auth(&unit)
            .multipart(Form::new().text("action", "verify").text("note", MARKUP))
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let html = res.text().await.expect("text");
        assert!(
            !html.contains("</textarea><script>"),
            "{}",
            &html[..html.len().min(400)]
        );
        // An accepted action with markup in its note shows it as text.
        let res = app
            .client
            .post(app.url(&format!("/staff/complaints/{code}/action")))
            .bearer_auth(&unit)
            .multipart(Form::new().text("action", "resolve").text("note", MARKUP))
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, html) = page(format!("/staff/complaints/{code}")).await;
        assert!(!html.contains("<script>alert(1)</script>"));
        let (s, html) = page("/staff/cartable?status=resolved".into()).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains(&code) && !html.contains("<h1>hi</h1>"));
        let (s, _) = page("/staff/cartable?from=1404/07/31".into()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "no 31 Mehr");
    })
    .await;
}

#[tokio::test]
async fn texts_are_in_the_language_the_citizen_signed_in_with() {
    on_each_backend(|app| async move {
        let phone = "09350000041";
        assert_eq!(app.request_code(phone).await, StatusCode::ACCEPTED);
        let res = app
            .client
            .post(app.url("/api/v1/auth/session"))
            .header("Accept-Language", "en-GB,en;q=0.9")
            .json(&json!({ "phone": phone, "code": app.sms.last_code(phone) }))
            .send()
            .await
            .expect("sign in");
        assert_eq!(res.status(), StatusCode::CREATED);
        let token = res.json::<Value>().await.expect("json")["token"]
            .as_str()
            .expect("token")
            .to_owned();
        let code = citizen_files(&app, Some(&token), "Pothole outside the school gate").await;
        assert_eq!(app.set_status(&code, "resolved").await, StatusCode::OK);
        deliver(&app, 0).await;
        let texts = app.sms.texts_to(phone);
        assert_eq!(texts.len(), 1);
        assert!(
            texts[0].starts_with(&format!("Request {code} is done. Reply 31")),
            "{}",
            texts[0]
        );
    })
    .await;
}

#[tokio::test]
async fn intake_takes_a_category_by_name_and_a_known_place_as_the_point() {
    on_each_backend(|app| async move {
        let operator = app.staff_token("operator").await;
        let intake = |address: &'static str, key: &'static str| {
            let (app, operator) = (&app, operator.clone());
            async move {
                let form = Form::new()
                    // As the intake page's field sends it: the name typed.
                    .text("category", "ترمیم آسفالت و چاله")
                    .text("description", "چاله بزرگ وسط میدان")
                    .text("address", address)
                    .text("channel", "in_person");
                let res = app
                    .client
                    .post(app.url("/api/v1/staff/complaints"))
                    .bearer_auth(operator)
                    .header("Idempotency-Key", key)
                    .multipart(form)
                    .send()
                    .await
                    .expect("intake");
                assert_eq!(res.status(), StatusCode::CREATED);
                res.json::<Value>().await.expect("json")
            }
        };
        let placed = intake(" میدان آزادی ", "walk-in-1").await;
        assert_eq!(placed["status"], "referred", "{placed}");
        assert_eq!(placed["sms_queued"], false);
        let unplaced = intake("کوچه‌ای بی‌نام", "walk-in-2").await;
        assert_eq!(
            unplaced["status"], "submitted",
            "an unknown address waits for dispatch"
        );
        let code = placed["tracking_code"].as_str().expect("code");
        let (_, full) =
            staff_get(&app, &operator, &format!("/api/v1/staff/complaints/{code}")).await;
        assert_eq!(full["channel"], "in_person");
        assert_eq!(full["category_code"], "asphalt-repair");
        assert_eq!(full["point"]["lat"], 36.2575);
        assert_eq!(full["citizen_phone"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn the_users_form_grants_a_unit_role_in_several_units() {
    on_each_backend(|app| async move {
        let admin = app.staff_token("admin").await;
        let body = "username=reza.k&display_name=%D8%B1%D8%B6%D8%A7&unit_staff=civil&unit_staff=d2-office&supervisor=on";
        let res = app
            .client
            .post(app.url("/staff/admin/users"))
            .bearer_auth(&admin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("create");
        assert_eq!(res.status(), StatusCode::OK);
        let page = res.text().await.expect("page");
        assert!(page.contains("data-testid=\"issued-password-value\""), "the password is shown once");
        let (_, users) = staff_get(&app, &admin, "/api/v1/staff/users").await;
        let reza = users
            .as_array()
            .expect("users")
            .iter()
            .find(|u| u["username"] == "reza.k")
            .expect("created")
            .clone();
        let mut roles: Vec<String> = reza["grants"]
            .as_array()
            .expect("grants")
            .iter()
            .map(|g| g["role"].as_str().unwrap_or_default().to_owned())
            .collect();
        roles.sort();
        assert_eq!(roles, ["supervisor", "unit_staff", "unit_staff"]);
        assert_eq!(reza["must_change_password"], true);
        // A repeated city-wide field is refused, and nothing is created.
        let res = app
            .client
            .post(app.url("/staff/admin/users"))
            .bearer_auth(&admin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("username=twice&username=again&operator=on")
            .send()
            .await
            .expect("create");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(app.count("app_user WHERE username = 'twice'").await, 0);
    })
    .await;
}
