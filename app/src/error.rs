//! One error type for the whole app (DESIGN.md "AppError").
//!
//! Domain errors cross the wire with a stable code and are translated where they
//! are shown; internal errors cross only as the opaque `Internal`, their cause is
//! logged on the server and never sent.

use crate::i18n::{Lang, Msg};
use serde::{Deserialize, Serialize};

/// Everything that can go wrong, as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("not found")]
    NotFound,
    /// The request itself is malformed (missing header, unreadable body).
    #[error("bad request: {reason}")]
    BadRequest { reason: String },
    /// The caller is not signed in.
    #[error("unauthorized")]
    Unauthorized,
    /// The caller is signed in but their role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// A field failed validation; `reason` is a stable machine code.
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The request conflicts with the current state (e.g. a status transition
    /// that the state machine forbids).
    #[error("conflict: {reason}")]
    Conflict { reason: String },
    /// Too many attempts; try again later.
    #[error("rate limited")]
    RateLimited,
    /// Something broke on our side; details are in the server log only.
    #[error("internal error")]
    Internal,
}

impl AppError {
    /// Shorthand for a malformed request.
    pub fn bad_request(reason: &str) -> Self {
        Self::BadRequest {
            reason: reason.to_owned(),
        }
    }

    /// Shorthand for a validation error.
    pub fn invalid(field: &str, reason: &str) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            reason: reason.to_owned(),
        }
    }

    /// The HTTP status this error answers with.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::BadRequest { .. } => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::Invalid { .. } => 422,
            Self::Conflict { .. } => 409,
            Self::RateLimited => 429,
            Self::Internal => 500,
        }
    }

    /// The stable code clients may branch on (`{"code": …}` in JSON bodies).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadRequest { .. } => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::Invalid { .. } => "invalid",
            Self::Conflict { .. } => "conflict",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
        }
    }

    /// The message a person reads, in their language.
    pub fn message(&self, lang: Lang) -> &'static str {
        let msg = match self {
            Self::NotFound => Msg::ErrNotFound,
            Self::BadRequest { .. } => Msg::ErrBadRequest,
            Self::Unauthorized => Msg::ErrUnauthorized,
            Self::Forbidden => Msg::ErrForbidden,
            Self::Invalid { field, reason } => crate::i18n::invalid_msg(field, reason),
            Self::Conflict { reason } => match reason.as_str() {
                "already_rated" => Msg::ErrAlreadyRated,
                "not_resolved" => Msg::ErrNotResolved,
                "not_open" => Msg::ErrNotOpen,
                _ => Msg::ErrConflict,
            },
            Self::RateLimited => Msg::ErrRateLimited,
            Self::Internal => Msg::ErrInternal,
        };
        msg.text(lang)
    }
}

impl AppError {
    /// A compact form for a redirect's query (`?e=…`), so a plain form's
    /// handler can send the person back to the page with the reason.
    pub fn to_query(&self) -> String {
        match self {
            Self::Invalid { field, reason } => format!("invalid.{field}.{reason}"),
            Self::Conflict { reason } => format!("conflict.{reason}"),
            Self::BadRequest { reason } => format!("bad_request.{reason}"),
            other => other.code().to_owned(),
        }
    }

    /// Reads [`Self::to_query`]'s form back; anything else is `None`.
    pub fn from_query(s: &str) -> Option<Self> {
        let mut parts = s.splitn(3, '.');
        let code = parts.next()?;
        let ok = |p: &str| {
            !p.is_empty() && p.len() <= 40 && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        };
        Some(match (code, parts.next(), parts.next()) {
            ("invalid", Some(f), Some(r)) if ok(f) && ok(r) => Self::invalid(f, r),
            ("conflict", Some(r), None) if ok(r) => Self::Conflict { reason: r.into() },
            ("bad_request", Some(r), None) if ok(r) => Self::bad_request(r),
            ("not_found", None, None) => Self::NotFound,
            ("unauthorized", None, None) => Self::Unauthorized,
            ("forbidden", None, None) => Self::Forbidden,
            ("rate_limited", None, None) => Self::RateLimited,
            ("internal", None, None) => Self::Internal,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_carry_no_detail_over_the_wire() {
        let json = serde_json::to_string(&AppError::Internal).unwrap_or_default();
        assert_eq!(json, r#"{"code":"internal"}"#);
        let invalid =
            serde_json::to_string(&AppError::invalid("phone", "format")).unwrap_or_default();
        assert_eq!(
            invalid,
            r#"{"code":"invalid","field":"phone","reason":"format"}"#
        );
    }

    #[test]
    fn errors_survive_a_redirect_query() {
        for e in [
            AppError::invalid("stars", "out_of_range"),
            AppError::Conflict {
                reason: "already_rated".into(),
            },
            AppError::Forbidden,
            AppError::RateLimited,
        ] {
            assert_eq!(AppError::from_query(&e.to_query()), Some(e));
        }
        assert_eq!(AppError::from_query("invalid.x.<script>"), None);
        assert_eq!(AppError::from_query("teapot"), None);
    }

    #[test]
    fn every_error_maps_to_a_client_or_server_status() {
        for (err, status) in [
            (AppError::NotFound, 404),
            (AppError::invalid("phone", "format"), 422),
            (AppError::Internal, 500),
        ] {
            assert_eq!(err.status_code(), status);
            assert!(!err.message(Lang::Fa).is_empty());
            assert!(!err.message(Lang::En).is_empty());
        }
    }
}
