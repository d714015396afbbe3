//! How `AppError` leaves the server through the API: JSON
//! `{"code", "message", "field"?, "reason"?}` with the error's status, the
//! message in the caller's language. Handlers return `Result<_, ApiError>`
//! and use `?` on anything that yields an `AppError`; extractor rejections
//! become the same JSON. Internal causes are logged here and never sent.

use app::{
    error::{AppError, BadRequest},
    i18n::Lang,
};
use axum::{
    extract::{
        rejection::{JsonRejection, PathRejection, QueryRejection},
        FromRequestParts, Request,
    },
    http::{header, request::Parts, HeaderMap, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

/// Logs an internal failure with its cause and returns the opaque error.
pub fn internal(context: &str, cause: impl std::fmt::Display) -> AppError {
    tracing::error!(%cause, "{context}");
    AppError::Internal
}

/// Extension so `?` on storage and I/O results logs the cause once.
pub trait OrInternal<T> {
    fn or_internal(self, context: &str) -> Result<T, AppError>;
}

impl<T, E: std::fmt::Display> OrInternal<T> for Result<T, E> {
    fn or_internal(self, context: &str) -> Result<T, AppError> {
        self.map_err(|e| internal(context, e))
    }
}

/// The caller's language: the language cookie, else `Accept-Language` if it
/// names English before Persian, else Persian.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    if let Some(cookie) = headers.get(header::COOKIE).and_then(|v| v.to_str().ok()) {
        if cookie.contains(app::i18n::LANG_COOKIE) {
            return Lang::from_cookie_header(cookie);
        }
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .map(|part| part.split(';').next().unwrap_or("").trim())
                .find_map(|tag| Lang::parse(tag.split('-').next().unwrap_or("")))
        })
        .unwrap_or_default()
}

/// The caller's language, as an extractor.
pub struct ApiLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ApiLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(lang_of(&parts.headers)))
    }
}

/// An error on its way out of the API. Its response carries the error, and
/// [`localize`] writes the body in the caller's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiError(pub AppError);

macro_rules! api_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                Self(e.into())
            }
        }
    )*};
}
api_error_from!(
    AppError,
    app::error::Invalid,
    BadRequest,
    app::error::Conflict
);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.0.status_code().into_response();
        response.extensions_mut().insert(self.0);
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        Self(if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            BadRequest::UnreadableJson.into()
        })
    }
}

impl From<axum::extract::rejection::FormRejection> for ApiError {
    fn from(r: axum::extract::rejection::FormRejection) -> Self {
        Self(if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            BadRequest::UnreadableForm.into()
        })
    }
}

impl From<QueryRejection> for ApiError {
    fn from(_: QueryRejection) -> Self {
        Self(BadRequest::UnreadableQuery.into())
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        Self(AppError::NotFound)
    }
}

impl From<axum::extract::multipart::MultipartRejection> for ApiError {
    fn from(_: axum::extract::multipart::MultipartRejection) -> Self {
        Self(BadRequest::NotMultipart.into())
    }
}

/// The JSON an error answers with.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine code: `invalid`, `not_found`, `bad_request`, `too_large`, …
    pub code: &'static str,
    /// Translated (Persian unless the language cookie or `Accept-Language`
    /// asks for English).
    pub message: &'static str,
    /// The field at fault, for `invalid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// Why, for `invalid`, `bad_request` and `conflict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// The JSON answer for `error` in `lang`.
pub fn json_error(error: AppError, lang: Lang) -> Response {
    let body = ErrorBody {
        code: error.code(),
        message: error.message(lang),
        field: error.field(),
        reason: error.reason(),
    };
    (error.status_code(), Json(body)).into_response()
}

/// Middleware for the API: an error response (from a handler or an
/// extractor) gets its JSON body in the caller's language; a bare 404 or
/// 405 from the router becomes the same JSON.
pub async fn localize(req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    let response = next.run(req).await;
    if let Some(error) = response.extensions().get::<AppError>().copied() {
        return json_error(error, lang);
    }
    response
}

/// The API's answer to a route it does not have.
pub async fn api_not_found() -> ApiError {
    ApiError(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn language_from_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(lang_of(&h), Lang::Fa);
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("en-US,en;q=0.9,fa;q=0.5"),
        );
        assert_eq!(lang_of(&h), Lang::En);
        h.insert(header::COOKIE, HeaderValue::from_static("pasokh_lang=fa"));
        assert_eq!(lang_of(&h), Lang::Fa);
    }
}
