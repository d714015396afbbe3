//! The plain HTML forms (they all work without JavaScript): filing,
//! phone sign-in and sign-out, rating, objecting and "me too". Each reads
//! its typed form from `app::api::forms`, calls the same service as the API,
//! and answers with a 303 (post/redirect/get) or, when refused, the page
//! again through `web::refused`: everything typed kept, the translated
//! reason shown, the error's status. The back office's forms are in
//! `staff_forms`, on the same pattern.

use crate::{
    auth::{otp::SESSION_TTL, session},
    services::intake::{Channel, Submission, MAX_COMPLAINT_BYTES},
    web::{client_addr, refused, render_page, see_other, signed_in, AppState},
};
use app::{
    api::{
        feedback::FeedbackForm,
        forms::{
            CodeSent, Done, ObjectionForm, RatingForm, ReportForm, SigninForm, SupportForm,
            VerifyForm,
        },
        ports::Viewer,
        safe_next,
    },
    error::{AppError, BadRequest},
    model::{text::Stars, TrackingCode},
};
use axum::{
    extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State},
    http::{request::Parts, HeaderMap, StatusCode},
    response::Response,
    routing::post,
    Form, Router,
};
use serde::de::DeserializeOwned;

/// The form routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/report",
            post(report).layer(DefaultBodyLimit::max(MAX_COMPLAINT_BYTES)),
        )
        .route("/signin", post(signin))
        .route("/signin/verify", post(verify))
        .route("/signout", post(signout))
        .route("/track/{code}/rating", post(rate))
        .route("/track/{code}/objection", post(object))
        .route("/track/{code}/support", post(support))
        .route("/feedback", post(feedback))
}

/// `POST /feedback`: files a 1888 item and goes to its page, or shows the
/// form again as typed.
async fn feedback(State(state): State<AppState>, req: Request) -> Response {
    let (parts, form) = read_form::<FeedbackForm>(req).await;
    let result = async {
        let form = form.as_ref().map_err(|e| *e)?;
        let input = form.parse()?;
        let citizen = signed_in(&parts).ok().map(|v| v.user_id);
        let key = Some(form.form_key.trim()).filter(|k| !k.is_empty());
        state.services.feedback.file(&input, citizen, key).await
    }
    .await;
    match result {
        Ok(code) => see_other(&format!("/feedback/{code}?filed=1")),
        Err(error) => refused(&state, parts, "/feedback", form.unwrap_or_default(), error).await,
    }
}

/// An urlencoded form `F`, or why it could not be read (`F::default()` then
/// stands for what was typed).
pub(crate) async fn read_form<F: DeserializeOwned + Default>(
    req: Request,
) -> (Parts, Result<F, AppError>) {
    let (parts, body) = req.into_parts();
    let again = Request::from_parts(parts.clone(), body);
    let form = match Form::<F>::from_request(again, &()).await {
        Ok(Form(form)) => Ok(form),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(AppError::TooLarge)
        }
        Err(_) => Err(BadRequest::UnreadableForm.into()),
    };
    (parts, form)
}

/// `POST /report` (multipart): files and goes to the tracking page, or
/// shows the form again as typed.
async fn report(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let again = Request::from_parts(parts.clone(), body);
    let submission = match Multipart::from_request(again, &state).await {
        Ok(multipart) => Submission::read(multipart).await,
        Err(_) => Err((ReportForm::default(), BadRequest::NotMultipart.into())),
    };
    let submission = match submission {
        Ok(submission) => submission,
        Err((form, error)) => return refused(&state, parts, "/report", form, error).await,
    };
    // The lobby kiosk's form: its own end screen, and its refusals shown
    // on its own page.
    let kiosk = submission.form.channel.trim() == Channel::Kiosk.as_str();
    let key = submission.form.idempotency_key.trim();
    let key = Some(key).filter(|k| (1..=128).contains(&k.len()));
    let filed = state
        .workflow
        .file_public(
            &submission,
            key,
            parts.extensions.get::<Viewer>().map(|v| v.user_id),
            client_addr(&parts),
            Channel::Web,
        )
        .await;
    match (filed, kiosk) {
        (Ok(filed), true) => see_other(&format!("/kiosk/done/{}", filed.tracking_code)),
        (Ok(filed), false) => see_other(&format!("/track/{}?filed=1", filed.tracking_code)),
        (Err(error), true) => refused(&state, parts, "/kiosk/report", submission.form, error).await,
        (Err(error), false) => refused(&state, parts, "/report", submission.form, error).await,
    }
}

/// `POST /signin` (phone): sends a code and shows the code step.
async fn signin(State(state): State<AppState>, req: Request) -> Response {
    let (parts, form) = read_form::<SigninForm>(req).await;
    let result = match &form {
        Ok(form) => state
            .accounts
            .request_code(&form.phone, client_addr(&parts))
            .await
            .map(|phone| CodeSent {
                phone: phone.as_str().to_owned(),
                next: safe_next(Some(&form.next)).to_owned(),
            }),
        Err(e) => Err(*e),
    };
    match result {
        Ok(sent) => {
            let mut parts = parts;
            parts.uri = http::Uri::from_static("/signin");
            render_page(&state, parts, move || {
                leptos::prelude::provide_context(sent.clone())
            })
            .await
        }
        Err(error) => refused(&state, parts, "/signin", form.unwrap_or_default(), error).await,
    }
}

/// `POST /signin/verify` (phone, code): signs in and goes on to `next`.
async fn verify(State(state): State<AppState>, req: Request) -> Response {
    let (parts, form) = read_form::<VerifyForm>(req).await;
    let result = match &form {
        Ok(form) => {
            let lang = crate::error::lang_of(&parts.headers);
            state.accounts.verify(&form.phone, &form.code, lang).await
        }
        Err(e) => Err(*e),
    };
    match result {
        Ok(new) => {
            let next = form
                .as_ref()
                .map(|f| safe_next(Some(&f.next)))
                .unwrap_or("/");
            let cookie =
                session::set_cookie(&new.token, SESSION_TTL, state.config.secure_cookies());
            session::with_cookie(see_other(next), &cookie)
        }
        Err(error) => refused(&state, parts, "/signin", form.unwrap_or_default(), error).await,
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

/// The complaint a tracking-page form posts about; a malformed code is
/// answered as an unknown one.
pub(crate) fn tracking_code(raw: &str) -> Result<TrackingCode, AppError> {
    TrackingCode::parse(raw).map_err(|_| AppError::NotFound)
}

/// A tracking-page form's answer: back to the page with what happened, or
/// the page again with the form as typed and the reason.
async fn answer<F: Clone + Send + Sync + 'static>(
    state: &AppState,
    parts: Parts,
    code: &TrackingCode,
    form: F,
    result: Result<Done, AppError>,
) -> Response {
    match result {
        Ok(done) => see_other(&format!("/track/{code}?done={}#feedback", done.as_str())),
        Err(error) => refused(state, parts, &format!("/track/{code}"), form, error).await,
    }
}

/// `POST /track/{code}/rating` (stars, comment): the filer rates once.
async fn rate(State(state): State<AppState>, Path(raw): Path<String>, req: Request) -> Response {
    let Ok(code) = tracking_code(&raw) else {
        return see_other("/track");
    };
    let (parts, form) = read_form::<RatingForm>(req).await;
    let result = async {
        let form = form.as_ref().map_err(|e| *e)?;
        let viewer = signed_in(&parts)?;
        let stars = Stars::parse(&form.stars)?;
        state
            .citizens
            .rate(&code, viewer.user_id, stars, &form.comment)
            .await
            .map(|()| Done::Rated)
    }
    .await;
    answer(&state, parts, &code, form.unwrap_or_default(), result).await
}

/// `POST /track/{code}/objection` (reason): "not fixed" reopens it.
async fn object(State(state): State<AppState>, Path(raw): Path<String>, req: Request) -> Response {
    let Ok(code) = tracking_code(&raw) else {
        return see_other("/track");
    };
    let (parts, form) = read_form::<ObjectionForm>(req).await;
    let result = async {
        let form = form.as_ref().map_err(|e| *e)?;
        let viewer = signed_in(&parts)?;
        state
            .citizens
            .object(&code, viewer.user_id, &form.reason)
            .await
            .map(|()| Done::Objected)
    }
    .await;
    answer(&state, parts, &code, form.unwrap_or_default(), result).await
}

/// `POST /track/{code}/support`: "me too", once per signed-in citizen.
/// Without a session it goes to sign-in and back to the complaint.
async fn support(State(state): State<AppState>, Path(raw): Path<String>, req: Request) -> Response {
    let Ok(code) = tracking_code(&raw) else {
        return see_other("/track");
    };
    let (parts, _) = req.into_parts();
    let Ok(viewer) = signed_in(&parts) else {
        return see_other(&format!("/signin?next=/track/{code}"));
    };
    let result = state
        .citizens
        .support(&code, viewer.user_id)
        .await
        .map(|(_, counted)| {
            if counted {
                Done::Supported
            } else {
                Done::AlreadySupported
            }
        });
    answer(&state, parts, &code, SupportForm::default(), result).await
}
