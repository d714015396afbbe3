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
            Self::Conflict { .. } => Msg::ErrConflict,
            Self::RateLimited => Msg::ErrRateLimited,
            Self::Internal => Msg::ErrInternal,
        };
        msg.text(lang)
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
