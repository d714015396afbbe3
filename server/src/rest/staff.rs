//! API v1, the back office (`/api/v1/staff/…`), for other municipal systems
//! and field apps, and the provider's inbound-SMS webhook. The same
//! services as the staff pages; every route checks the staff session (a
//! bearer token from `POST /api/v1/staff/session`, or the cookie) and the
//! services check the role.

use super::{ApiJson, ApiMultipart, ApiQuery, CodePath, ComplaintCreated};
use crate::{
    auth::{
        session,
        staff::{active, STAFF_SESSION_TTL},
    },
    error::{ApiError, ApiLang, ErrorBody},
    services::intake::{read_multipart, Submission, MAX_COMPLAINT_BYTES, MAX_PHOTOS},
    web::{client_addr, AppState},
};
use app::{
    api::{
        forms::{
            typed_page, ActionForm, AuditQuery, CartableQuery, NamedGrants, PasswordForm,
            ReportQuery,
        },
        ports::Viewer,
        staff::{
            AuditEntry, CallerComplaint, CartablePage, Holiday, ReportCard, StaffComplaint,
            StaffUser, StaffViewer, UnitOption,
        },
    },
    error::AppError,
    model::{Grant, Role},
};
use axum::{
    extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Request, State},
    http::{header, request::Parts, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post, put},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/session",
            post(create_session).delete(super::citizen::delete_session),
        )
        .route("/staff/password", post(change_password))
        .route("/staff/sessions/revoke", post(revoke_sessions))
        .route("/staff/me", get(me))
        .route("/staff/cartable", get(cartable))
        .route("/staff/dispatch", get(dispatch))
        .route("/staff/verify", get(verify))
        .route("/staff/inspection", get(inspection))
        .route("/admin/clock", post(advance_clock))
        .route("/admin/holidays", get(holidays).put(replace_holidays))
        .route(
            "/staff/complaints",
            post(intake).layer(DefaultBodyLimit::max(MAX_COMPLAINT_BYTES)),
        )
        .route("/staff/complaints/{tracking_code}", get(complaint))
        .route(
            "/staff/complaints/{tracking_code}/actions",
            post(act).layer(DefaultBodyLimit::max(MAX_COMPLAINT_BYTES)),
        )
        .route("/staff/callers/{phone}/complaints", get(caller))
        .route("/staff/audit", get(audit))
        .route("/staff/report-card", get(report_card))
        .route("/staff/units", get(units))
        .route("/staff/users", get(users).post(create_user))
        .route("/staff/users/{id}/grants", put(set_grants))
        .route("/staff/users/{id}/password-reset", post(reset_password))
        .route("/staff/users/{id}/disable", post(disable))
        .route("/staff/users/{id}/enable", post(enable))
        .route("/sms/inbound", post(sms_inbound))
}

/// The signed-in staff member; the JSON 401 without a session, 403 for a
/// citizen's session.
pub struct Staff(pub StaffViewer);

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        match parts.extensions.get::<StaffViewer>() {
            Some(who) => Ok(Self(who.clone())),
            None if parts.extensions.get::<Viewer>().is_some() => {
                Err(ApiError(AppError::Forbidden))
            }
            None => Err(ApiError(AppError::Unauthorized)),
        }
    }
}

/// The client's address as the audit log records it.
fn client(parts_or_headers: &Parts) -> String {
    client_addr(parts_or_headers).to_string()
}

#[derive(Deserialize, ToSchema)]
pub(super) struct StaffCredentials {
    username: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct StaffSessionCreated {
    /// Send as `Authorization: Bearer …`.
    token: String,
    expires_at: i64,
    /// Only `POST /api/v1/staff/password` is allowed until it is changed.
    must_change_password: bool,
}

#[utoipa::path(post, path = "/api/v1/staff/session", request_body = StaffCredentials,
    responses((status = 201, body = StaffSessionCreated),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody, description = "wrong username or password"),
        (status = 429, body = ErrorBody, description = "too many attempts for the account or the address"),
        (status = 500, body = ErrorBody)))]
/// Staff sign-in: a session for the username and password.
pub(super) async fn create_session(
    State(state): State<AppState>,
    parts: Parts,
    ApiJson(b): ApiJson<StaffCredentials>,
) -> Result<Response, ApiError> {
    let new = state
        .staff_accounts
        .sign_in(&b.username, &b.password, client_addr(&parts))
        .await?;
    let cookie = session::set_cookie(&new.token, STAFF_SESSION_TTL, state.config.secure_cookies());
    let response = (
        StatusCode::CREATED,
        Json(StaffSessionCreated {
            token: new.token,
            expires_at: new.expires_at,
            must_change_password: new.must_change_password,
        }),
    )
        .into_response();
    Ok(session::with_cookie(response, &cookie))
}

#[utoipa::path(post, path = "/api/v1/staff/password", request_body = Object,
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 500, body = ErrorBody)))]
/// `{current, new, confirm}`: a new password; the member's other sessions end.
pub(super) async fn change_password(
    State(state): State<AppState>,
    Staff(who): Staff,
    parts: Parts,
    ApiJson(form): ApiJson<PasswordForm>,
) -> Result<StatusCode, ApiError> {
    let token = session::token(&parts.headers, state.config.secure_cookies()).unwrap_or_default();
    state
        .staff_accounts
        .change_password(&who, token, &form, client_addr(&parts))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/staff/sessions/revoke", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 500, body = ErrorBody)))]
/// Sign out everywhere: every session of the member ends, this one too.
pub(super) async fn revoke_sessions(
    State(state): State<AppState>,
    Staff(who): Staff,
    parts: Parts,
) -> Result<StatusCode, ApiError> {
    state
        .staff_accounts
        .sign_out_everywhere(&who, client_addr(&parts))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub(super) struct StaffMe {
    user_id: i64,
    username: String,
    display_name: String,
    grants: Vec<Grant>,
    must_change_password: bool,
}

#[utoipa::path(get, path = "/api/v1/staff/me", security(("bearer" = [])),
    responses((status = 200, body = StaffMe), (status = 401, body = ErrorBody)))]
/// The signed-in staff member and their roles.
pub(super) async fn me(Staff(who): Staff) -> Json<StaffMe> {
    Json(StaffMe {
        user_id: who.user_id,
        username: who.username,
        display_name: who.display_name,
        grants: who.grants,
        must_change_password: who.must_change_password,
    })
}

#[utoipa::path(get, path = "/api/v1/staff/cartable", security(("bearer" = [])),
    params(("status" = Option<String>, Query), ("category" = Option<String>, Query),
        ("district" = Option<String>, Query, description = "a district code"),
        ("from" = Option<String>, Query, description = "Jalali day, 1404/09/01"),
        ("to" = Option<String>, Query, description = "Jalali day, inclusive"),
        ("mine" = Option<String>, Query, description = "1: only what is assigned to me"),
        ("page" = Option<String>, Query)),
    responses((status = 200, body = CartablePage), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "the password must be changed first"),
        (status = 422, body = ErrorBody), (status = 500, body = ErrorBody)))]
/// The caller's cartable (کارتابل): their units' open items, most overdue first.
pub(super) async fn cartable(
    State(state): State<AppState>,
    Staff(who): Staff,
    ApiQuery(q): ApiQuery<CartableQuery>,
) -> Result<Json<CartablePage>, ApiError> {
    let filter = q.parse()?;
    Ok(Json(state.services.staff.cartable(&who, &filter).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PageQuery {
    page: String,
}

#[utoipa::path(get, path = "/api/v1/staff/dispatch", security(("bearer" = [])),
    params(("page" = Option<String>, Query)),
    responses((status = 200, body = CartablePage), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 500, body = ErrorBody)))]
/// What waits for dispatch: unplaced, or returned as misrouted.
pub(super) async fn dispatch(
    State(state): State<AppState>,
    Staff(who): Staff,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<CartablePage>, ApiError> {
    let page = typed_page(&q.page)?;
    Ok(Json(state.services.staff.dispatch_queue(&who, page).await?))
}

#[utoipa::path(get, path = "/api/v1/staff/verify", security(("bearer" = [])),
    params(("page" = Option<String>, Query)),
    responses((status = 200, body = CartablePage), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 500, body = ErrorBody)))]
/// Resolved complaints awaiting the supervisor's call, and objections.
pub(super) async fn verify(
    State(state): State<AppState>,
    Staff(who): Staff,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<CartablePage>, ApiError> {
    let page = typed_page(&q.page)?;
    Ok(Json(state.services.staff.verify_queue(&who, page).await?))
}

#[utoipa::path(get, path = "/api/v1/staff/inspection", security(("bearer" = [])),
    params(("page" = Option<String>, Query)),
    responses((status = 200, body = CartablePage), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 500, body = ErrorBody)))]
/// Open complaints whose missed deadline went to inspection (inspectors, the mayor).
pub(super) async fn inspection(
    State(state): State<AppState>,
    Staff(who): Staff,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<CartablePage>, ApiError> {
    let page = typed_page(&q.page)?;
    Ok(Json(
        state.services.staff.inspection_queue(&who, page).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/holidays", security(("bearer" = [])),
    responses((status = 200, body = [Holiday]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
/// The holidays an admin keeps, by date (admins).
pub(super) async fn holidays(
    State(state): State<AppState>,
    Staff(who): Staff,
) -> Result<Json<Vec<Holiday>>, ApiError> {
    Ok(Json(state.services.staff.holidays(&who).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/holidays", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv",
        description = "the whole list, a line each: `1405/01/01,نوروز`"),
    responses((status = 200, body = [Holiday]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
/// Replaces the holidays (a CSV import); deadlines skip them from the next
/// filing or referral on (admins).
pub(super) async fn replace_holidays(
    State(state): State<AppState>,
    Staff(who): Staff,
    req: Request,
) -> Result<Json<Vec<Holiday>>, ApiError> {
    let (client, holidays) = text_body(req, 64 * 1024, app::error::Invalid::HolidayLine).await?;
    let form = app::api::forms::HolidaysForm { holidays };
    state.calendars.replace(&who, &form, &client).await?;
    Ok(Json(state.services.staff.holidays(&who).await?))
}

/// How far to move the training clock.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ClockAdvance {
    /// Seconds forward, 1 to 31,622,400 (366 days).
    pub advance_s: i64,
}

/// The training clock after a move, and what the scheduler then raised.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ClockMoved {
    /// Now by the simulated clock (Unix seconds).
    pub now: i64,
    /// Seconds ahead of real time.
    pub offset_s: i64,
    /// Missed deadlines flagged to unit managers by this move.
    pub escalated_to_managers: u64,
    /// Missed deadlines sent to inspection by this move.
    pub escalated_to_inspection: u64,
    /// Unanswered council referrals reminded by this move.
    pub council_reminders: u64,
}

#[utoipa::path(post, path = "/api/v1/admin/clock", security(("bearer" = [])),
    request_body = ClockAdvance,
    responses((status = 200, body = ClockMoved), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the clock is not simulated (PASOKH_CLOCK=simulated)"),
        (status = 422, body = ErrorBody)))]
/// Training mode: moves the simulated clock forward and runs the scheduler
/// at once on the new time (admins).
pub(super) async fn advance_clock(
    State(state): State<AppState>,
    Staff(who): Staff,
    req: Request,
) -> Result<Json<ClockMoved>, ApiError> {
    // Who may move it is checked before the body is read (403, not 400).
    crate::auth::staff::require(&who, &[Role::Admin])?;
    let client = client_addr_of(&req);
    let ApiJson(body) = ApiJson::<ClockAdvance>::from_request(req, &()).await?;
    let (now, raised) = state
        .escalation
        .advance_clock(&who, body.advance_s, &client)
        .await?;
    let clock = state.store.clock();
    Ok(Json(ClockMoved {
        now,
        offset_s: clock.offset_s(),
        escalated_to_managers: raised.managers,
        escalated_to_inspection: raised.inspection,
        council_reminders: raised.council_reminders,
    }))
}

#[utoipa::path(get, path = "/api/v1/staff/complaints/{tracking_code}", security(("bearer" = [])),
    params(("tracking_code" = String, Path)),
    responses((status = 200, body = StaffComplaint, description = "the full view; `citizen_phone` only for operators and supervisors"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 500, body = ErrorBody)))]
/// One complaint in full, with the actions the caller may take now.
pub(super) async fn complaint(
    State(state): State<AppState>,
    Staff(who): Staff,
    CodePath(code): CodePath,
) -> Result<Json<StaffComplaint>, ApiError> {
    Ok(Json(state.services.staff.complaint(&who, &code).await?))
}

/// A complaint filed by an operator.
#[derive(Serialize, ToSchema)]
pub(super) struct IntakeCreated {
    #[serde(flatten)]
    filed: ComplaintCreated,
    /// The code was queued to the caller's number by SMS.
    sms_queued: bool,
}

#[utoipa::path(post, path = "/api/v1/staff/complaints", security(("bearer" = [])),
    request_body(content = super::ComplaintUpload, content_type = "multipart/form-data",
        description = "the filing's fields, and `channel` (`phone` or `in_person`) and `caller_phone` (optional)"),
    params(("Idempotency-Key" = String, Header, description = "required, as for citizens' filings")),
    responses((status = 201, body = IntakeCreated), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 500, body = ErrorBody)))]
/// Operator intake: a complaint for a caller or a walk-in citizen.
pub(super) async fn intake(
    State(state): State<AppState>,
    Staff(who): Staff,
    ApiLang(lang): ApiLang,
    parts: Parts,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<Response, ApiError> {
    let key = super::idempotency_key(&parts.headers)?;
    let (form, photos) = read_multipart(multipart, MAX_PHOTOS)
        .await
        .map_err(|(_, e)| e)?;
    let submission = Submission { form, photos };
    let (filed, sms_queued) = state
        .workflow
        .intake(&who, &submission, Some(&key), &client(&parts))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(IntakeCreated {
            filed: ComplaintCreated::from(filed, lang),
            sms_queued,
        }),
    )
        .into_response())
}

/// The action's body: JSON, or multipart with the same fields and a `photo`.
async fn action_body(req: Request) -> Result<(ActionForm, Option<bytes::Bytes>), ApiError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let ApiMultipart(m) = ApiMultipart::from_request(req, &()).await?;
        let (form, mut photos) = read_multipart::<ActionForm>(m, 1)
            .await
            .map_err(|(_, e)| e)?;
        Ok((form, photos.pop()))
    } else {
        let ApiJson(form) = ApiJson::<ActionForm>::from_request(req, &()).await?;
        Ok((form, None))
    }
}

#[utoipa::path(post, path = "/api/v1/staff/complaints/{tracking_code}/actions", security(("bearer" = [])),
    params(("tracking_code" = String, Path)),
    request_body(content = ActionForm, description = "JSON, or multipart with the same fields and a `photo` (proof of fix, with `resolve`)"),
    responses((status = 200, body = StaffComplaint, description = "the complaint after the action; only `tracking_code` and `status` when the action put it out of the caller's reach (a unit returning it to dispatch)"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "the caller's roles do not allow this action on this complaint"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the status machine does not allow it now"),
        (status = 422, body = ErrorBody), (status = 500, body = ErrorBody)))]
/// Takes a staff action by name: `refer`, `accept`, `assign`, `return`,
/// `resolve`, `infeasible`, `not_municipal`, `duplicate_of`, `verify`,
/// `verification_failed`, and inspection's `finding`, `answer_finding`
/// (the unit manager) and `close_finding`.
pub(super) async fn act(
    State(state): State<AppState>,
    Staff(who): Staff,
    CodePath(code): CodePath,
    req: Request,
) -> Result<Response, ApiError> {
    let client = client_addr_of(&req);
    let (form, photo) = action_body(req).await?;
    let input = form.parse()?;
    let status = state
        .workflow
        .act(&who, &code, &input, photo, &client)
        .await?;
    match state.services.staff.complaint(&who, &code).await {
        Ok(view) => Ok(Json(view).into_response()),
        Err(AppError::Forbidden) => Ok(Json(serde_json::json!({
            "tracking_code": code.as_str(),
            "status": status,
        }))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// A text body (CSV, GeoJSON) of at most `limit` bytes, with the client's address;
/// `TooLarge` past the limit, `invalid` when it is not UTF-8.
pub(super) async fn text_body(
    req: Request,
    limit: usize,
    invalid: app::error::Invalid,
) -> Result<(String, String), AppError> {
    let client = client_addr_of(&req);
    let bytes = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| AppError::TooLarge)?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| AppError::Invalid(invalid))?;
    Ok((client, text))
}

fn client_addr_of(req: &Request) -> String {
    req.extensions()
        .get::<crate::net::ClientAddr>()
        .map(|c| c.0.to_string())
        .unwrap_or_default()
}

#[utoipa::path(get, path = "/api/v1/staff/callers/{phone}/complaints", security(("bearer" = [])),
    params(("phone" = String, Path, description = "the caller's mobile number, any format")),
    responses((status = 200, body = [CallerComplaint]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
/// A caller's earlier complaints (operators).
pub(super) async fn caller(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(phone): Path<String>,
) -> Result<Json<Vec<CallerComplaint>>, ApiError> {
    Ok(Json(
        state.services.staff.caller_history(&who, &phone).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/staff/audit", security(("bearer" = [])),
    params(("actor" = Option<String>, Query), ("action" = Option<String>, Query),
        ("target" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = [AuditEntry]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
/// The audit log, newest first (admins, inspectors).
pub(super) async fn audit(
    State(state): State<AppState>,
    Staff(who): Staff,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let filter = q.parse(app::api::forms::AUDIT_PAGE)?;
    Ok(Json(state.services.staff.audit(&who, &filter).await?))
}

#[utoipa::path(get, path = "/api/v1/staff/report-card", security(("bearer" = [])),
    params(("from" = Option<String>, Query, description = "Jalali day, `1404/07/01`; blank: the first of `to`'s month"),
        ("to" = Option<String>, Query, description = "Jalali day, included; blank: today")),
    responses((status = 200, body = ReportCard), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
/// The report card (کارنامه): per unit, district and manager, ranked by
/// score (mayor, inspectors, admins).
pub(super) async fn report_card(
    State(state): State<AppState>,
    Staff(who): Staff,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Json<ReportCard>, ApiError> {
    crate::auth::staff::require(&who, app::api::staff::Desk::ReportCard.roles())?;
    let range = q.parse(state.services.staff.today())?;
    Ok(Json(state.services.staff.report_card(&who, &range).await?))
}

#[utoipa::path(get, path = "/api/v1/staff/units", security(("bearer" = [])),
    responses((status = 200, body = [UnitOption]), (status = 401, body = ErrorBody)))]
/// Every unit (to refer to).
pub(super) async fn units(
    State(state): State<AppState>,
    Staff(who): Staff,
) -> Result<Json<Vec<UnitOption>>, ApiError> {
    active(&who)?;
    Ok(Json(state.services.staff.units().await?))
}

#[utoipa::path(get, path = "/api/v1/staff/users", security(("bearer" = [])),
    responses((status = 200, body = [StaffUser]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
/// Every staff account (admins).
pub(super) async fn users(
    State(state): State<AppState>,
    Staff(who): Staff,
) -> Result<Json<Vec<StaffUser>>, ApiError> {
    Ok(Json(state.services.staff.users(&who).await?))
}

/// A role, and the unit code for a unit-scoped one.
#[derive(Deserialize, ToSchema)]
pub(super) struct GrantBody {
    role: Role,
    #[serde(default)]
    unit: Option<String>,
}

fn named(grants: Vec<GrantBody>) -> NamedGrants {
    grants.into_iter().map(|g| (g.role, g.unit)).collect()
}

#[derive(Deserialize, ToSchema)]
pub(super) struct NewUser {
    username: String,
    #[serde(default)]
    display_name: String,
    grants: Vec<GrantBody>,
}

#[derive(Serialize, ToSchema)]
pub(super) struct IssuedPasswordDto {
    user_id: i64,
    username: String,
    /// One-time: it must be changed at the first sign-in. Shown only now.
    password: String,
}

#[utoipa::path(post, path = "/api/v1/staff/users", security(("bearer" = [])), request_body = NewUser,
    responses((status = 201, body = IssuedPasswordDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "the username is taken"),
        (status = 422, body = ErrorBody)))]
/// An admin creates a staff account.
pub(super) async fn create_user(
    State(state): State<AppState>,
    Staff(who): Staff,
    parts: Parts,
    ApiJson(b): ApiJson<NewUser>,
) -> Result<Response, ApiError> {
    let (user_id, issued) = state
        .staff_accounts
        .create_user(
            &who,
            &b.username,
            &b.display_name,
            &named(b.grants),
            client_addr(&parts),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(IssuedPasswordDto {
            user_id,
            username: issued.username,
            password: issued.password,
        }),
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
pub(super) struct GrantsBody {
    grants: Vec<GrantBody>,
}

fn user_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError(AppError::NotFound))
}

#[utoipa::path(put, path = "/api/v1/staff/users/{id}/grants", security(("bearer" = [])),
    request_body = GrantsBody, params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
/// An admin replaces an account's roles.
pub(super) async fn set_grants(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(id): Path<String>,
    parts: Parts,
    ApiJson(b): ApiJson<GrantsBody>,
) -> Result<StatusCode, ApiError> {
    state
        .staff_accounts
        .set_grants(&who, user_id(&id)?, &named(b.grants), client_addr(&parts))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/staff/users/{id}/password-reset", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = IssuedPasswordDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
/// An admin resets a password: a one-time one, every session ends.
pub(super) async fn reset_password(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(id): Path<String>,
    parts: Parts,
) -> Result<Response, ApiError> {
    let id = user_id(&id)?;
    let issued = state
        .staff_accounts
        .reset_password(&who, id, client_addr(&parts))
        .await?;
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(IssuedPasswordDto {
            user_id: id,
            username: issued.username,
            password: issued.password,
        }),
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/staff/users/{id}/disable", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
/// An admin disables an account (its sessions end).
pub(super) async fn disable(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(id): Path<String>,
    parts: Parts,
) -> Result<StatusCode, ApiError> {
    state
        .staff_accounts
        .set_disabled(&who, user_id(&id)?, true, client_addr(&parts))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/staff/users/{id}/enable", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
/// An admin enables an account again.
pub(super) async fn enable(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(id): Path<String>,
    parts: Parts,
) -> Result<StatusCode, ApiError> {
    state
        .staff_accounts
        .set_disabled(&who, user_id(&id)?, false, client_addr(&parts))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct InboundQuery {
    secret: String,
}

/// What the provider posts for a received message (Kavenegar's receive
/// webhook fields).
#[derive(Deserialize, Default, ToSchema)]
#[serde(default)]
pub(super) struct InboundSms {
    from: String,
    message: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct InboundHandled {
    /// The reply applied to a complaint.
    handled: bool,
    tracking_code: Option<String>,
}

/// Compares secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (ha, hb) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    ha.iter()
        .zip(hb.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[utoipa::path(post, path = "/api/v1/sms/inbound",
    params(("secret" = String, Query, description = "PASOKH_SMS_INBOUND_SECRET")),
    request_body(content = InboundSms, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = InboundHandled), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no inbound secret is configured")))]
/// The provider's inbound-SMS webhook: a citizen's reply `31` (satisfied)
/// closes their latest resolved complaint, `33` (not done) reopens it.
pub(super) async fn sms_inbound(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<InboundQuery>,
    super::ApiForm(sms): super::ApiForm<InboundSms>,
) -> Result<Json<InboundHandled>, ApiError> {
    let Some(secret) = &state.config.sms_inbound_secret else {
        return Err(ApiError(AppError::NotFound));
    };
    if !same_secret(&q.secret, secret.expose()) {
        return Err(ApiError(AppError::Forbidden));
    }
    let code = state.workflow.sms_reply(&sms.from, &sms.message).await?;
    Ok(Json(InboundHandled {
        handled: code.is_some(),
        tracking_code: code.map(|c| c.to_string()),
    }))
}
