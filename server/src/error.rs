//! How `AppError` leaves the server: JSON `{ "code", "message" }` with the
//! right status, the message in the caller's language. Internal causes are
//! logged here and never sent.

use app::{error::AppError, i18n::Lang};
use axum::{
    http::{header, HeaderMap, StatusCode},
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

/// The caller's language for an API answer: `Accept-Language` if it names
/// English before Persian, else Persian.
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

/// An error on its way out, with the language to say it in.
#[derive(Debug)]
pub struct ApiError {
    pub error: AppError,
    pub lang: Lang,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.error.status_code())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let (field, reason) = match &self.error {
            AppError::Invalid { field, reason } => (Some(field.as_str()), Some(reason.as_str())),
            AppError::Conflict { reason } | AppError::BadRequest { reason } => {
                (None, Some(reason.as_str()))
            }
            _ => (None, None),
        };
        let body = Body {
            code: self.error.code(),
            message: self.error.message(self.lang),
            field,
            reason,
        };
        (status, Json(body)).into_response()
    }
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
