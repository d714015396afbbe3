//! The plain HTML forms of the citizen loop (they work without JavaScript):
//! phone sign-in and sign-out, rating, objecting and "me too". Each answers
//! with a 303 back to a page, or renders the page again with the reason.
//! Also the test hooks that end-to-end tests use to act as staff.

use crate::{
    auth::{otp::SESSION_TTL, session},
    routes::render_page,
    startup::AppState,
};
use app::{
    api::ports::{SigninOutcome, Viewer},
    error::AppError,
    model::{Status, TrackingCode},
};
use axum::{
    extract::{Path, Request, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Extension, Form, Router,
};
use std::collections::HashMap;

type Fields = HashMap<String, String>;

/// The form routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/signin", post(signin))
        .route("/signin/verify", post(verify))
        .route("/signout", post(signout))
        .route("/track/{code}/rating", post(rate))
        .route("/track/{code}/objection", post(object))
        .route("/track/{code}/support", post(support))
}

pub use app::api::safe_next;

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, location.to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields.get(name).map(|s| s.trim()).unwrap_or_default()
}

/// Renders `/signin` again at the right step, with `outcome` in context
/// (whichever form posted, the page shown is `/signin`).
async fn signin_page(
    state: &AppState,
    mut parts: http::request::Parts,
    outcome: SigninOutcome,
) -> Response {
    parts.uri = http::Uri::from_static("/signin");
    render_page(
        state,
        Request::from_parts(parts, axum::body::Body::empty()),
        move || leptos::prelude::provide_context(outcome.clone()),
    )
    .await
}

/// `POST /signin` (phone): sends a code and shows the code step.
async fn signin(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let fields = read_form(&parts, body).await;
    let next = safe_next(Some(field(&fields, "next"))).to_owned();
    let typed = field(&fields, "phone").to_owned();
    let outcome = match state.accounts.request_code(&typed).await {
        Ok(phone) => SigninOutcome {
            phone: Some(phone.as_str().to_owned()),
            typed_phone: typed,
            next,
            error: None,
        },
        // A repeated request inside the resend window still shows the code
        // step, with the reason: the earlier code is on its way.
        Err(AppError::RateLimited) => SigninOutcome {
            phone: app::model::PhoneNumber::parse(&typed)
                .ok()
                .map(|p| p.as_str().to_owned()),
            typed_phone: typed,
            next,
            error: Some(AppError::RateLimited),
        },
        Err(error) => SigninOutcome {
            phone: None,
            typed_phone: typed,
            next,
            error: Some(error),
        },
    };
    signin_page(&state, parts, outcome).await
}

/// `POST /signin/verify` (phone, code): signs in and goes on to `next`.
async fn verify(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let fields = read_form(&parts, body).await;
    let next = safe_next(Some(field(&fields, "next"))).to_owned();
    let phone = field(&fields, "phone").to_owned();
    match state.accounts.verify(&phone, field(&fields, "code")).await {
        Ok(new) => {
            let cookie =
                session::set_cookie(&new.token, SESSION_TTL, state.config.secure_cookies());
            session::with_cookie(see_other(&next), &cookie)
        }
        Err(error) => {
            let outcome = SigninOutcome {
                phone: Some(phone.clone()),
                typed_phone: phone,
                next,
                error: Some(error),
            };
            signin_page(&state, parts, outcome).await
        }
    }
}

/// `POST /signout`.
async fn signout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let secure = state.config.secure_cookies();
    if let Some(token) = session::token(&headers, secure) {
        if let Err(e) = state.accounts.sign_out(token).await {
            tracing::warn!(error = %e, "sign-out");
        }
    }
    session::with_cookie(see_other("/"), &session::clear_cookie(secure))
}

async fn read_form(parts: &http::request::Parts, body: axum::body::Body) -> Fields {
    let req = Request::from_parts(parts.clone(), body);
    match <Form<Fields> as axum::extract::FromRequest<()>>::from_request(req, &()).await {
        Ok(Form(fields)) => fields,
        Err(_) => Fields::new(),
    }
}

/// Back to the complaint's page with what happened.
fn back(raw: &str, result: Result<&str, AppError>) -> Response {
    let Ok(code) = TrackingCode::parse(raw) else {
        return see_other("/track");
    };
    match result {
        Ok(done) => see_other(&format!("/track/{code}?done={done}#feedback")),
        Err(e) => see_other(&format!("/track/{code}?e={}#feedback", e.to_query())),
    }
}

fn parse_code(raw: &str) -> Result<TrackingCode, AppError> {
    TrackingCode::parse(raw).map_err(|_| AppError::NotFound)
}

/// `POST /track/{code}/rating` (stars, comment): the filer rates once.
async fn rate(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path(raw): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let code = parse_code(&raw)?;
        let viewer = viewer.ok_or(AppError::Unauthorized)?;
        let stars = app::model::digits::to_latin(field(&fields, "stars"))
            .parse::<i64>()
            .map_err(|_| AppError::invalid("stars", "out_of_range"))?;
        let comment = Some(field(&fields, "comment")).filter(|c| !c.is_empty());
        state
            .citizens
            .rate(&code, viewer.user_id, stars, comment)
            .await
            .map(|()| "rated")
    }
    .await;
    back(&raw, result)
}

/// `POST /track/{code}/objection` (reason): "not fixed" reopens it.
async fn object(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path(raw): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let code = parse_code(&raw)?;
        let viewer = viewer.ok_or(AppError::Unauthorized)?;
        state
            .citizens
            .object(&code, viewer.user_id, field(&fields, "reason"))
            .await
            .map(|()| "objected")
    }
    .await;
    back(&raw, result)
}

/// `POST /track/{code}/support`: "me too", once per signed-in citizen.
/// Without a session it goes to sign-in and back to the complaint.
async fn support(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path(raw): Path<String>,
) -> Response {
    let Some(Extension(viewer)) = viewer else {
        return match parse_code(&raw) {
            Ok(code) => see_other(&format!("/signin?next=/track/{code}")),
            Err(e) => back(&raw, Err(e)),
        };
    };
    let result = match parse_code(&raw) {
        Ok(code) => state
            .citizens
            .support(&code, viewer.user_id)
            .await
            .map(|(_, counted)| {
                if counted {
                    "supported"
                } else {
                    "already_supported"
                }
            }),
        Err(e) => Err(e),
    };
    back(&raw, result)
}

/// `/test/*`: only when `PASOKH_TEST_HOOKS` is on. End-to-end tests act as
/// the unit through these until staff screens exist; they go through the
/// same service and status machine as staff will.
pub fn test_hooks() -> Router<AppState> {
    Router::new().route("/test/complaints/{code}/status", post(test_status))
}

async fn test_status(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let result = async {
        let code = parse_code(&raw)?;
        let to = Status::parse(field(&fields, "to"))
            .ok_or_else(|| AppError::invalid("to", "unknown"))?;
        let note = Some(field(&fields, "note")).filter(|n| !n.is_empty());
        state
            .citizens
            .change_status(&code, to, note, "unit_staff")
            .await
    }
    .await;
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => crate::error::ApiError {
            error: e,
            lang: app::i18n::Lang::En,
        }
        .into_response(),
    }
}
