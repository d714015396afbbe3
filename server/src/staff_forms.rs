//! The back office's plain HTML forms (they all work without JavaScript):
//! sign-in and out, password, operator intake, the staff actions, and the
//! admin's account forms; and [`gate`], which sends anonymous visitors of a
//! staff page to the sign-in page and a member whose password must change
//! to the password page. Same pattern as `forms`: a typed form from
//! `app::api::forms`, the same services as the API, a 303 on success, and
//! on refusal the page again through `web::refused` with everything typed.

use crate::{
    auth::{
        session,
        staff::{active, require, StaffSession, STAFF_SESSION_TTL},
    },
    forms::{read_form, tracking_code},
    services::intake::{read_multipart, Submission, MAX_COMPLAINT_BYTES},
    web::{client_addr, refused, render_page, see_other, staff_signed_in, AppState},
};
use app::{
    api::{
        council::{CouncilForm, CouncilReplyForm},
        feedback::FeedbackAnswerForm,
        forms::{
            ActionForm, AuditQuery, ClockForm, HolidaysForm, PasswordForm, ReportForm, ReportQuery,
            StaffDone, StaffSigninForm, UserForm,
        },
        safe_next,
        settings::{
            CategoryForm, DistrictsUpload, QuestionForm, RoutingForm, UnitsForm, WorkWeekForm,
        },
        staff::{Desk, StaffViewer},
    },
    error::{AppError, BadRequest},
};
use axum::{
    extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State},
    http::{header, request::Parts, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use leptos::prelude::provide_context;

/// The back office's form routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/signin", post(signin))
        .route("/staff/signout", post(signout))
        .route("/staff/signout-all", post(signout_all))
        .route("/staff/password", post(password))
        .route(
            "/staff/intake",
            post(intake).layer(DefaultBodyLimit::max(MAX_COMPLAINT_BYTES)),
        )
        .route(
            "/staff/complaints/{code}/action",
            post(act).layer(DefaultBodyLimit::max(MAX_COMPLAINT_BYTES)),
        )
        .route("/staff/admin/users", post(create_user))
        .route("/staff/admin/users/{id}/{what}", post(change_user))
        .route("/staff/audit.csv", get(audit_csv))
        .route("/staff/report-card.csv", get(report_card_csv))
        .route("/staff/admin/clock", post(advance_clock))
        .route("/staff/admin/holidays", post(replace_holidays))
        .route("/staff/admin/categories", post(create_category))
        .route("/staff/admin/categories/{code}", post(change_category))
        .route(
            "/staff/admin/categories/{code}/questions",
            post(add_question),
        )
        .route(
            "/staff/admin/categories/{code}/questions/{id}/remove",
            post(remove_question),
        )
        .route("/staff/admin/routing", post(replace_routing))
        .route("/staff/admin/work-week", post(save_week))
        .route("/staff/admin/units", post(save_units))
        .route(
            "/staff/admin/districts",
            post(import_districts).layer(DefaultBodyLimit::max(
                crate::rest::MAX_GEOJSON_BYTES + 64 * 1024,
            )),
        )
        .route("/staff/council", post(council_refer))
        .route("/staff/council/{id}/{what}", post(council_reply))
        .route("/staff/feedback/{code}/answer", post(answer_feedback))
}

/// Staff pages need a staff session: anonymous visitors go to sign-in (and
/// back), and a member whose password must be changed goes to the password
/// page first. Only page views (GET) are gated here; every form handler and
/// API route checks the session and the role itself.
pub async fn gate(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let page = req.method() == Method::GET || req.method() == Method::HEAD;
    if !page || !(path == "/staff" || path.starts_with("/staff/")) || path == "/staff/signin" {
        return next.run(req).await;
    }
    match req.extensions().get::<StaffViewer>() {
        None => {
            let here = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/staff");
            see_other(&format!("/staff/signin?next={}", encode(here)))
        }
        Some(who) if who.must_change_password && path != "/staff/password" => {
            see_other("/staff/password")
        }
        Some(_) => next.run(req).await,
    }
}

/// Percent-encodes a same-site path for a query parameter.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The staff member of a form post, or (boxed: a response is large) the
/// sign-in page.
fn member(parts: &Parts) -> Result<StaffViewer, Box<Response>> {
    staff_signed_in(parts).map_err(|_| Box::new(see_other("/staff/signin")))
}

/// A multipart form `F` with its photos, or why it could not be read.
async fn read_multipart_form<F: serde::de::DeserializeOwned + Default>(
    state: &AppState,
    req: Request,
    max_photos: usize,
) -> (Parts, Result<(F, Vec<bytes::Bytes>), (F, AppError)>) {
    let (parts, body) = req.into_parts();
    let again = Request::from_parts(parts.clone(), body);
    let read = match Multipart::from_request(again, state).await {
        Ok(multipart) => read_multipart(multipart, max_photos).await,
        Err(_) => Err((F::default(), BadRequest::NotMultipart.into())),
    };
    (parts, read)
}

/// The session cookie for a new staff session.
fn session_cookie(state: &AppState, session: &StaffSession) -> String {
    session::set_cookie(
        &session.token,
        STAFF_SESSION_TTL,
        state.config.secure_cookies(),
    )
}

/// `POST /staff/signin` (username, password, next).
async fn signin(State(state): State<AppState>, req: Request) -> Response {
    let (parts, form) = read_form::<StaffSigninForm>(req).await;
    let result = match &form {
        Ok(f) => {
            state
                .staff_accounts
                .sign_in(&f.username, &f.password, client_addr(&parts))
                .await
        }
        Err(e) => Err(*e),
    };
    let mut form = form.unwrap_or_default();
    match result {
        Ok(session) => {
            let next = if session.must_change_password {
                "/staff/password"
            } else {
                match safe_next(Some(&form.next)) {
                    "/" => "/staff",
                    next => next,
                }
            };
            session::with_cookie(see_other(next), &session_cookie(&state, &session))
        }
        Err(error) => {
            // Never echo a password back into the page.
            form.password.clear();
            refused(&state, parts, "/staff/signin", form, error).await
        }
    }
}

/// `POST /staff/signout`: ends this session.
async fn signout(State(state): State<AppState>, req: Request) -> Response {
    let secure = state.config.secure_cookies();
    if let Some(token) = session::token(req.headers(), secure) {
        if let Err(e) = state.accounts.sign_out(token).await {
            tracing::warn!(error = %e, "staff sign-out");
        }
    }
    session::with_cookie(see_other("/staff/signin"), &session::clear_cookie(secure))
}

/// `POST /staff/signout-all`: ends every session of this member.
async fn signout_all(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let who = match member(&parts) {
        Ok(who) => who,
        Err(r) => return *r,
    };
    let secure = state.config.secure_cookies();
    match state
        .staff_accounts
        .sign_out_everywhere(&who, client_addr(&parts))
        .await
    {
        Ok(()) => session::with_cookie(
            see_other(&format!(
                "/staff/signin?done={}",
                StaffDone::SignedOutElsewhere.as_str()
            )),
            &session::clear_cookie(secure),
        ),
        Err(error) => refused(&state, parts, "/staff", (), error).await,
    }
}

/// `POST /staff/password` (current, new, confirm).
async fn password(State(state): State<AppState>, req: Request) -> Response {
    let (parts, form) = read_form::<PasswordForm>(req).await;
    let who = match member(&parts) {
        Ok(who) => who,
        Err(r) => return *r,
    };
    let token = session::token(&parts.headers, state.config.secure_cookies())
        .unwrap_or_default()
        .to_owned();
    let result = match &form {
        Ok(f) => {
            state
                .staff_accounts
                .change_password(&who, &token, f, client_addr(&parts))
                .await
        }
        Err(e) => Err(*e),
    };
    match result {
        Ok(()) => see_other(&format!(
            "/staff/password?done={}",
            StaffDone::PasswordChanged.as_str()
        )),
        // Nothing typed is shown again: every field is a password.
        Err(error) => {
            refused(
                &state,
                parts,
                "/staff/password",
                PasswordForm::default(),
                error,
            )
            .await
        }
    }
}

/// `POST /staff/intake` (multipart): an operator files for a caller.
async fn intake(State(state): State<AppState>, req: Request) -> Response {
    let (parts, read) =
        read_multipart_form::<ReportForm>(&state, req, crate::services::intake::MAX_PHOTOS).await;
    let who = match member(&parts) {
        Ok(who) => who,
        Err(r) => return *r,
    };
    let submission = match read {
        Ok((form, photos)) => Submission { form, photos },
        Err((form, error)) => return refused(&state, parts, "/staff/intake", form, error).await,
    };
    let key = submission.form.idempotency_key.trim().to_owned();
    let key = Some(key.as_str()).filter(|k| (1..=128).contains(&k.len()));
    let client = client_addr(&parts).to_string();
    match state.workflow.intake(&who, &submission, key, &client).await {
        Ok((filed, sms)) => see_other(&format!(
            "/staff/intake?filed={}{}",
            filed.tracking_code,
            if sms { "&sms=1" } else { "" }
        )),
        Err(error) => refused(&state, parts, "/staff/intake", submission.form, error).await,
    }
}

/// `POST /staff/complaints/{code}/action` (multipart: the action's fields
/// and, to resolve, an optional proof-of-fix photo).
async fn act(State(state): State<AppState>, Path(raw): Path<String>, req: Request) -> Response {
    let Ok(code) = tracking_code(&raw) else {
        return see_other("/staff/cartable");
    };
    let (parts, read) = read_multipart_form::<ActionForm>(&state, req, 1).await;
    let who = match member(&parts) {
        Ok(who) => who,
        Err(r) => return *r,
    };
    let page = format!("/staff/complaints/{code}");
    let (form, mut photos) = match read {
        Ok(read) => read,
        Err((form, error)) => return refused(&state, parts, &page, form, error).await,
    };
    let result = async {
        let input = form.parse()?;
        let client = client_addr(&parts).to_string();
        state
            .workflow
            .act(&who, &code, &input, photos.pop(), &client)
            .await
    }
    .await;
    match result {
        Ok(_) => see_other(&format!("{page}?done={}", StaffDone::Acted.as_str())),
        Err(error) => refused(&state, parts, &page, form, error).await,
    }
}

/// `POST /staff/admin/clock` (training mode): moves the simulated clock and
/// runs the scheduler, then back to the users page.
async fn advance_clock(State(state): State<AppState>, req: Request) -> Response {
    let page = "/staff/admin/users";
    let state = &state;
    staff_form(
        state,
        req,
        page,
        StaffDone::ClockMoved,
        |who, f: ClockForm, client| async move {
            // Who may move it is checked before what was typed (403, not 422).
            require(&who, &[app::model::Role::Admin])?;
            let secs = f.parse()?;
            state
                .escalation
                .advance_clock(&who, secs, &client)
                .await
                .map(|_| ())
        },
    )
    .await
}

/// The common end of a back-office form: `F` read, the signed-in member,
/// then `act` with the member, the form and the client's address; a 303
/// to `page?done=…` when it succeeds, else `page` again with the refusal
/// and everything typed.
async fn staff_form<F, Fut>(
    state: &AppState,
    req: Request,
    page: &str,
    done: StaffDone,
    act: impl FnOnce(StaffViewer, F, String) -> Fut,
) -> Response
where
    F: serde::de::DeserializeOwned + Default + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    let (parts, form) = read_form::<F>(req).await;
    let who = match member(&parts) {
        Ok(who) => who,
        Err(r) => return *r,
    };
    let client = client_addr(&parts).to_string();
    let result = match form.clone() {
        Ok(f) => act(who, f, client).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => see_other(&format!("{page}?done={}", done.as_str())),
        Err(error) => refused(state, parts, page, form.unwrap_or_default(), error).await,
    }
}

/// `POST /staff/feedback/{code}/answer`: a 1888 item answered from the desk.
async fn answer_feedback(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let page = "/staff/feedback";
    let Ok(code) = tracking_code(&raw) else {
        return see_other(page);
    };
    let done = StaffDone::FeedbackAnswered;
    let state = &state;
    staff_form(
        state,
        req,
        page,
        done,
        |who, f: FeedbackAnswerForm, client| async move {
            state
                .services
                .feedback
                .answer(&who, &code, &f, &client)
                .await
        },
    )
    .await
}

/// The configuration page, where its forms come back to.
const SETTINGS_PAGE: &str = "/staff/admin/settings";

/// `POST /staff/admin/holidays`: the whole list from the admin page.
async fn replace_holidays(State(state): State<AppState>, req: Request) -> Response {
    let page = SETTINGS_PAGE;
    let state = &state;
    staff_form(state, req, page, StaffDone::HolidaysSaved, |who, f: HolidaysForm, client| async move {
        state.calendars.replace(&who, &f, &client).await
    })
    .await
}

/// The users page again with a one-time password shown once.
async fn show_password(
    state: &AppState,
    mut parts: Parts,
    issued: app::api::forms::IssuedPassword,
) -> Response {
    parts.uri = http::Uri::from_static("/staff/admin/users");
    parts.method = Method::GET;
    let mut response = render_page(state, parts, move || provide_context(issued.clone())).await;
    // The password is in this page: never store it anywhere.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// The users page's form: urlencoded, with the unit roles' multiple selects
/// sent as repeated fields, joined here with `,` (a plain form reader
/// refuses repeated fields).
async fn read_user_form(req: Request) -> (Parts, Result<UserForm, AppError>) {
    let (parts, body) = req.into_parts();
    let read = async {
        let bytes = axum::body::to_bytes(body, 64 * 1024)
            .await
            .map_err(|_| AppError::TooLarge)?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::from(BadRequest::UnreadableForm))?;
        let mut fields: Vec<(String, String)> = Vec::new();
        for (name, value) in pairs {
            match fields.iter_mut().find(|(n, _)| *n == name) {
                Some((_, joined)) if name == "unit_staff" || name == "unit_manager" => {
                    joined.push(',');
                    joined.push_str(&value);
                }
                Some(_) => return Err(BadRequest::RepeatedField.into()),
                None => fields.push((name, value)),
            }
        }
        Ok(crate::services::intake::form_from(fields))
    }
    .await;
    (parts, read)
}

/// `POST /staff/admin/users`: an admin creates an account.
async fn create_user(State(state): State<AppState>, req: Request) -> Response {
    let (parts, form) = read_user_form(req).await;
    let who = match member(&parts) {
        Ok(who) => who,
        Err(r) => return *r,
    };
    let result = match &form {
        Ok(f) => {
            state
                .staff_accounts
                .create_user(
                    &who,
                    &f.username,
                    &f.display_name,
                    &f.grants(),
                    client_addr(&parts),
                )
                .await
        }
        Err(e) => Err(*e),
    };
    match result {
        Ok((_, issued)) => show_password(&state, parts, issued).await,
        Err(error) => {
            refused(
                &state,
                parts,
                "/staff/admin/users",
                form.unwrap_or_default(),
                error,
            )
            .await
        }
    }
}

/// `POST /staff/admin/users/{id}/{roles|reset|disable|enable}`.
async fn change_user(
    State(state): State<AppState>,
    Path((id, what)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (parts, form) = read_user_form(req).await;
    let who = match member(&parts) {
        Ok(who) => who,
        Err(r) => return *r,
    };
    let Ok(id) = id.parse::<i64>() else {
        return refused(
            &state,
            parts,
            "/staff/admin/users",
            UserForm::default(),
            AppError::NotFound,
        )
        .await;
    };
    let client = client_addr(&parts);
    let accounts = &state.staff_accounts;
    let result = match what.as_str() {
        "roles" => match &form {
            Ok(f) => accounts.set_grants(&who, id, &f.grants(), client).await,
            Err(e) => Err(*e),
        },
        "reset" => match accounts.reset_password(&who, id, client).await {
            Ok(issued) => return show_password(&state, parts, issued).await,
            Err(e) => Err(e),
        },
        "disable" => accounts.set_disabled(&who, id, true, client).await,
        "enable" => accounts.set_disabled(&who, id, false, client).await,
        _ => Err(AppError::NotFound),
    };
    match result {
        Ok(()) => see_other(&format!(
            "/staff/admin/users?done={}",
            StaffDone::UserSaved.as_str()
        )),
        Err(error) => {
            refused(
                &state,
                parts,
                "/staff/admin/users",
                form.unwrap_or_default(),
                error,
            )
            .await
        }
    }
}

/// One CSV field, quoted when it must be (RFC 4180), and defused when a
/// spreadsheet would read it as a formula.
fn csv_field(raw: &str) -> String {
    let defused = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// A CSV download of `rows` under `head`, or the refusal as text (a
/// download link has no page to show an error on).
fn csv_download(filename: &str, head: &str, rows: Result<Vec<Vec<String>>, AppError>) -> Response {
    match rows {
        Ok(rows) => {
            let mut out = format!("{head}\n");
            for row in rows {
                let line: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
                out.push_str(&line.join(","));
                out.push('\n');
            }
            let disposition = format!("attachment; filename=\"{filename}\"");
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                out,
            )
                .into_response()
        }
        Err(error) => (error.status_code(), error.message(app::i18n::Lang::Fa)).into_response(),
    }
}

/// `GET /staff/audit.csv?…`: the filtered audit log (admins, inspectors).
async fn audit_csv(
    State(state): State<AppState>,
    Query(query): Query<AuditQuery>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let who = match member(&parts) {
        Ok(who) => who,
        Err(r) => return *r,
    };
    let rows = async {
        active(&who)?;
        let filter = query.parse(100_000)?;
        let entries = state.services.staff.audit(&who, &filter).await?;
        Ok(entries
            .into_iter()
            .map(|e| {
                vec![
                    e.id.to_string(),
                    e.at.to_string(),
                    app::i18n::jalali::date_time(e.at, app::i18n::Lang::En),
                    e.actor,
                    e.action,
                    e.target.unwrap_or_default(),
                    e.detail.unwrap_or_default(),
                    e.client.unwrap_or_default(),
                ]
            })
            .collect())
    }
    .await;
    csv_download(
        "pasokh-audit.csv",
        "id,at_utc,at_jalali,actor,action,target,detail,client",
        rows,
    )
}

/// `GET /staff/report-card.csv?from=&to=`: one line per unit, district and
/// manager, with every figure (mayor, inspectors, admins).
async fn report_card_csv(
    State(state): State<AppState>,
    Query(query): Query<ReportQuery>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let who = match member(&parts) {
        Ok(who) => who,
        Err(r) => return *r,
    };
    let rows = async {
        require(&who, Desk::ReportCard.roles())?;
        let range = query.parse(state.services.staff.today())?;
        let card = state.services.staff.report_card(&who, &range).await?;
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let ratio = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
        let mut rows = Vec::new();
        let kinds = [
            ("unit", &card.units),
            ("district", &card.districts),
            ("manager", &card.managers),
        ];
        for (kind, list) in kinds {
            for r in list {
                let f = &r.figures;
                rows.push(vec![
                    kind.to_owned(),
                    r.code.clone(),
                    r.name.fa.clone(),
                    r.name.en.clone(),
                    r.district.clone().unwrap_or_default(),
                    opt(r.rank),
                    f.score.map(|s| format!("{s:.1}")).unwrap_or_default(),
                    f.received.to_string(),
                    f.open.to_string(),
                    f.overdue.to_string(),
                    f.responses.to_string(),
                    f.responses_on_time.to_string(),
                    opt(f.median_response_s),
                    f.resolved.to_string(),
                    f.resolved_on_time.to_string(),
                    opt(f.median_resolution_s),
                    ratio(f.on_time_rate),
                    f.ratings.to_string(),
                    ratio(f.average_rating),
                    f.reopened.to_string(),
                    ratio(f.reopen_rate),
                    f.verification_failures.to_string(),
                    f.escalations_to_manager.to_string(),
                    f.escalations_to_inspection.to_string(),
                    f.thanks.to_string(),
                ]);
            }
        }
        // Credited employees: a name and the last column only.
        for e in &card.employees {
            let mut row = vec![String::new(); 25];
            row[0] = "employee".to_owned();
            row[1] = e.username.clone();
            row[2] = e.display_name.clone();
            row[3] = e.display_name.clone();
            row[24] = e.thanks.to_string();
            rows.push(row);
        }
        Ok(rows)
    }
    .await;
    csv_download(
        "pasokh-report-card.csv",
        "kind,code,name_fa,name_en,district,rank,score,received,open,overdue,responses,\
         responses_on_time,median_response_s,resolved,resolved_on_time,median_resolution_s,\
         on_time_rate,ratings,average_rating,reopened,reopen_rate,verification_failures,\
         escalations_to_manager,escalations_to_inspection,thanks",
        rows,
    )
}

/// `POST /staff/admin/units`: units added and changed.
async fn save_units(State(state): State<AppState>, req: Request) -> Response {
    let state = &state;
    let done = StaffDone::UnitsSaved;
    staff_form(
        state,
        req,
        SETTINGS_PAGE,
        done,
        |who, f: UnitsForm, client| async move {
            state.services.settings.save_units(&who, &f, &client).await
        },
    )
    .await
}

/// `POST /staff/admin/work-week`: office hours, weekend, short Thursday.
async fn save_week(State(state): State<AppState>, req: Request) -> Response {
    let state = &state;
    let done = StaffDone::WeekSaved;
    staff_form(state, req, SETTINGS_PAGE, done, |who, f: WorkWeekForm, client| async move {
        state.calendars.save_week(&who, &f, &client).await
    })
    .await
}

/// `POST /staff/admin/categories`: a new category.
async fn create_category(State(state): State<AppState>, req: Request) -> Response {
    let state = &state;
    let done = StaffDone::CategorySaved;
    staff_form(
        state,
        req,
        SETTINGS_PAGE,
        done,
        |who, f: CategoryForm, client| async move {
            let settings = &state.services.settings;
            settings
                .save_category(&who, None, &f, &client)
                .await
                .map(|_| ())
        },
    )
    .await
}

/// A form about category `code`, which comes back to the category's page;
/// a path with anything but a well-formed code goes to the configuration
/// page.
async fn category_form<F, Fut>(
    state: &AppState,
    code: &str,
    req: Request,
    done: StaffDone,
    act: impl FnOnce(StaffViewer, F, String) -> Fut,
) -> Response
where
    F: serde::de::DeserializeOwned + Default + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    if !app::model::text::is_code(code) {
        return see_other(SETTINGS_PAGE);
    }
    let page = format!("{SETTINGS_PAGE}/categories/{code}");
    staff_form(state, req, &page, done, act).await
}

/// `POST /staff/admin/categories/{code}`: a category changed.
async fn change_category(
    State(state): State<AppState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    let (state, code) = (&state, &code);
    let done = StaffDone::CategorySaved;
    category_form(
        state,
        code,
        req,
        done,
        |who, f: CategoryForm, client| async move {
            let settings = &state.services.settings;
            let saved = settings.save_category(&who, Some(code), &f, &client).await;
            saved.map(|_| ())
        },
    )
    .await
}

/// `POST /staff/admin/categories/{code}/questions`: a question added.
async fn add_question(
    State(state): State<AppState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    let (state, code) = (&state, &code);
    let done = StaffDone::QuestionAdded;
    category_form(
        state,
        code,
        req,
        done,
        |who, f: QuestionForm, client| async move {
            state
                .services
                .settings
                .add_question(&who, code, &f, &client)
                .await
        },
    )
    .await
}

/// `POST /staff/admin/categories/{code}/questions/{id}/remove`.
async fn remove_question(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, i64)>,
    req: Request,
) -> Response {
    let (state, code) = (&state, &code);
    let done = StaffDone::QuestionRemoved;
    // The form has no fields: the path says it all.
    type NoFields = std::collections::BTreeMap<String, String>;
    category_form(
        state,
        code,
        req,
        done,
        |who, _: NoFields, client| async move {
            let settings = &state.services.settings;
            settings.remove_question(&who, code, id, &client).await
        },
    )
    .await
}

/// `POST /staff/admin/routing`: the whole routing table.
async fn replace_routing(State(state): State<AppState>, req: Request) -> Response {
    let state = &state;
    let done = StaffDone::RoutingSaved;
    staff_form(
        state,
        req,
        SETTINGS_PAGE,
        done,
        |who, f: RoutingForm, client| async move {
            let settings = &state.services.settings;
            settings.replace_routing(&who, &f, &client).await
        },
    )
    .await
}

/// `POST /staff/council`: a council member's new referral.
async fn council_refer(State(state): State<AppState>, req: Request) -> Response {
    let state = &state;
    let done = StaffDone::CouncilSent;
    staff_form(
        state,
        req,
        "/staff/council",
        done,
        |who, f: CouncilForm, client| async move {
            state
                .services
                .council
                .refer(&who, &f, &client)
                .await
                .map(|_| ())
        },
    )
    .await
}

/// `POST /staff/council/{id}/answer` and `POST /staff/council/{id}/refer`.
async fn council_reply(
    State(state): State<AppState>,
    Path((id, what)): Path<(i64, String)>,
    req: Request,
) -> Response {
    let page = format!("/staff/council/{id}");
    let state = &state;
    let council = &state.services.council;
    match what.as_str() {
        "answer" => {
            let done = StaffDone::CouncilAnswered;
            staff_form(
                state,
                req,
                &page,
                done,
                |who, f: CouncilReplyForm, client| async move {
                    council.answer(&who, id, &f, &client).await
                },
            )
            .await
        }
        "refer" => {
            let done = StaffDone::CouncilSent;
            staff_form(
                state,
                req,
                &page,
                done,
                |who, f: CouncilReplyForm, client| async move {
                    council.refer_on(&who, id, &f, &client).await.map(|_| ())
                },
            )
            .await
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `POST /staff/admin/districts` (multipart): the `geojson` file part.
async fn import_districts(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let who = match member(&parts) {
        Ok(who) => who,
        Err(r) => return *r,
    };
    let client = client_addr(&parts).to_string();
    let again = Request::from_parts(parts.clone(), body);
    let read = async {
        let mut multipart = Multipart::from_request(again, &state)
            .await
            .map_err(|_| AppError::from(BadRequest::NotMultipart))?;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|_| AppError::from(BadRequest::UnreadableMultipart))?
        {
            if field.name() == Some("geojson") {
                let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
                return String::from_utf8(bytes.to_vec())
                    .map_err(|_| app::error::Invalid::DistrictsFormat.into());
            }
        }
        Err(app::error::Invalid::DistrictsFormat.into())
    };
    let result = match read.await {
        Ok(geojson) => state.districts.import(&who, &geojson, &client).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => see_other(&format!(
            "{SETTINGS_PAGE}?done={}",
            StaffDone::DistrictsImported.as_str()
        )),
        // Nothing typed to keep: the file is not echoed back.
        Err(error) => refused(&state, parts, SETTINGS_PAGE, DistrictsUpload, error).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(
            encode("/staff/cartable?status=x&page=2"),
            "/staff/cartable%3Fstatus%3Dx%26page%3D2"
        );
    }
}
