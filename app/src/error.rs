//! One error type for the whole app (DESIGN.md "AppError").
//!
//! Domain errors cross the wire with a stable code and are translated where
//! they are shown; internal errors cross only as the opaque `Internal`, their
//! cause is logged on the server and never sent.
//!
//! Every reason is an enum variant that names its message in the table that
//! declares it, so a reason without a translation does not compile (as a
//! [`Msg`] without one does not), and a misspelt reason cannot exist.

use crate::i18n::{Lang, Msg};
use serde::{Deserialize, Serialize};

/// Declares a reason enum: each variant with its wire strings and its message.
macro_rules! reasons {
    (
        $(#[$doc:meta])*
        $name:ident { $($variant:ident => $($wire:literal),+ => $msg:ident;)* }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant,)* }

        impl $name {
            /// Every variant, for tests that check each one.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The wire strings: `[field, reason]` or `[reason]`.
            pub fn wire(self) -> &'static [&'static str] {
                match self { $(Self::$variant => &[$($wire),+],)* }
            }

            /// The message a person reads.
            pub fn msg(self) -> Msg {
                match self { $(Self::$variant => Msg::$msg,)* }
            }

            /// The variant with these wire strings, if any.
            pub fn from_wire(parts: &[&str]) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.wire() == parts)
            }
        }
    };
}

reasons! {
    /// A field that failed validation, and why (`{"field", "reason"}`).
    Invalid {
        CategoryMissing => "category", "missing" => ErrCategoryMissing;
        CategoryUnknown => "category", "unknown" => ErrCategoryMissing;
        DescriptionTooShort => "description", "too_short" => ErrDescriptionShort;
        DescriptionTooLong => "description", "too_long" => ErrDescriptionLong;
        AddressTooLong => "address", "too_long" => ErrAddressLong;
        LocationMissing => "location", "missing" => ErrLocationMissing;
        LocationIncomplete => "location", "incomplete" => ErrLocationInvalid;
        LocationOutOfRange => "location", "out_of_range" => ErrLocationInvalid;
        LocationOutsideCity => "location", "outside_city" => ErrOutsideCity;
        LatNotANumber => "lat", "not_a_number" => ErrLocationInvalid;
        LonNotANumber => "lon", "not_a_number" => ErrLocationInvalid;
        AccuracyNotANumber => "accuracy_m", "not_a_number" => ErrLocationInvalid;
        AccuracyOutOfRange => "accuracy_m", "out_of_range" => ErrLocationInvalid;
        PhotoTooLarge => "photo", "too_large" => ErrPhotoTooLarge;
        PhotoTooManyPixels => "photo", "too_many_pixels" => ErrPhotoTooLarge;
        PhotoUnsupportedFormat => "photo", "unsupported_format" => ErrPhotoFormat;
        PhotoCorrupt => "photo", "corrupt" => ErrPhotoCorrupt;
        PhotoTooMany => "photo", "too_many" => ErrPhotoTooMany;
        PhoneFormat => "phone", "format" => ErrPhoneFormat;
        KioskPhoneBusy => "phone", "kiosk_busy" => ErrKioskPhoneBusy;
        KioskUnregistered => "channel", "not_kiosk" => ErrKioskUnregistered;
        CodeFormat => "code", "format" => ErrCodeFormat;
        CodeWrong => "code", "wrong" => ErrCodeWrong;
        CodeExpired => "code", "expired" => ErrCodeExpired;
        StarsOutOfRange => "stars", "out_of_range" => ErrStars;
        CommentTooLong => "comment", "too_long" => ErrFeedbackLong;
        ReasonTooShort => "reason", "too_short" => ErrReasonShort;
        ReasonTooLong => "reason", "too_long" => ErrFeedbackLong;
        IdempotencyKeyReused => "idempotency_key", "reused_with_other_body" => ErrIdempotencyReused;
        IdempotencyKeyFormat => "idempotency_key", "format" => ErrBadRequest;
        BboxFormat => "bbox", "format" => ErrInvalid;
        BboxRange => "bbox", "range" => ErrInvalid;
        PageRange => "page", "range" => ErrInvalid;
        StatusUnknown => "status", "unknown" => ErrInvalid;
        ChannelUnknown => "channel", "unknown" => ErrInvalid;
        UsernameFormat => "username", "format" => ErrUsernameFormat;
        CredentialsWrong => "password", "wrong" => ErrCredentials;
        PasswordTooShort => "new", "too_short" => ErrPasswordShort;
        PasswordTooLong => "new", "too_long" => ErrPasswordLong;
        PasswordMismatch => "confirm", "mismatch" => ErrPasswordMismatch;
        PasswordWrong => "current", "wrong" => ErrPasswordWrong;
        PasswordUnchanged => "new", "unchanged" => ErrPasswordUnchanged;
        ActionUnknown => "action", "unknown" => ErrActionUnknown;
        NoteMissing => "note", "missing" => ErrNoteMissing;
        NoteTooLong => "note", "too_long" => ErrNoteLong;
        UnitUnknown => "unit", "unknown" => ErrUnitUnknown;
        AssigneeUnknown => "assignee", "unknown" => ErrAssigneeUnknown;
        DuplicateUnknown => "duplicate_of", "unknown" => ErrDuplicateUnknown;
        DuplicateSelf => "duplicate_of", "not_allowed" => ErrDuplicateSelf;
        FromDate => "from", "format" => ErrDateFormat;
        ToDate => "to", "format" => ErrDateFormat;
        GrantsMissing => "roles", "missing" => ErrGrantsMissing;
        GrantUnitUnknown => "roles", "unit_unknown" => ErrUnitUnknown;
        DisplayNameTooLong => "display_name", "too_long" => ErrInvalid;
        AdvanceRange => "advance_s", "range" => ErrAdvanceRange;
        ReportRange => "to", "range" => ErrReportRange;
        FeedbackKind => "kind", "unknown" => ErrFeedbackKind;
        FeedbackTooShort => "body", "too_short" => ErrFeedbackBodyShort;
        FeedbackTooLong => "body", "too_long" => ErrFeedbackBodyLong;
        EmployeeTooLong => "employee", "too_long" => ErrEmployeeLong;
        CreditUnknown => "employee", "unknown" => ErrCreditUnknown;
        CreditNotThanks => "employee", "not_thanks" => ErrCreditNotThanks;
        HolidayLine => "holidays", "format" => ErrHolidayLine;
        AnswerMissing => "answers", "missing" => ErrAnswerMissing;
        AnswerTooLong => "answers", "too_long" => ErrAnswerTooLong;
        AnswerNotANumber => "answers", "not_a_number" => ErrAnswerNotANumber;
        AnswerNotAChoice => "answers", "not_a_choice" => ErrAnswerNotAChoice;
        CategoryCode => "code", "category_format" => ErrCategoryCode;
        CategoryIcon => "icon", "too_long" => ErrCategoryIcon;
        CategoryName => "name_fa", "format" => ErrLabel;
        CategoryGroup => "group_fa", "format" => ErrLabel;
        ResponseHours => "first_response_hours", "range" => ErrSlaHours;
        ResolutionHours => "resolution_hours", "range" => ErrSlaHours;
        NearbyRadius => "nearby_radius_m", "range" => ErrNearbyRadius;
        UnitKindUnknown => "unit_kind", "unknown" => ErrUnitKind;
        QuestionKind => "kind", "not_a_question_kind" => ErrQuestionKind;
        QuestionLabel => "label_fa", "format" => ErrLabel;
        ChoicesFormat => "choices", "format" => ErrChoices;
        QuestionsTooMany => "questions", "too_many" => ErrQuestionsTooMany;
        RoutingLine => "routing", "format" => ErrRoutingLine;
        RoutingUnknown => "routing", "unknown" => ErrRoutingUnknown;
        UnitsLine => "units", "format" => ErrUnitsLine;
        UnitsDistrict => "units", "unknown_district" => ErrUnitsDistrict;
        CouncilSubject => "subject", "unknown" => ErrCouncilSubject;
        WorkHours => "hours", "format" => ErrWorkHours;
        DistrictsFormat => "districts", "format" => ErrDistrictsFormat;
        DistrictsGeometry => "districts", "geometry" => ErrDistrictsGeometry;
        DistrictsDuplicate => "districts", "duplicate_code" => ErrDistrictsDuplicate;
        Weekend => "weekend", "no_working_day" => ErrWeekend;
        CouncilCode => "code", "council_unknown" => ErrCouncilCode;
        CouncilReceiver => "to", "unknown" => ErrCouncilReceiver;
        CouncilTextShort => "text", "too_short" => ErrCouncilTextShort;
        CouncilTextLong => "text", "too_long" => ErrCouncilTextLong;
        PushEndpoint => "endpoint", "format" => ErrPushEndpoint;
        PushKeys => "keys", "format" => ErrPushKeys;
        PushEndpointPrivate => "endpoint", "not_public" => ErrPushEndpointPrivate;
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid {}: {}", self.field(), self.reason())
    }
}

impl Invalid {
    /// The field's name in forms and JSON.
    pub fn field(self) -> &'static str {
        self.wire()[0]
    }
    /// Why, as a stable machine code.
    pub fn reason(self) -> &'static str {
        self.wire()[1]
    }
}

reasons! {
    /// Why a request could not even be read.
    BadRequest {
        IdempotencyKeyMissing => "idempotency_key_missing" => ErrIdempotencyKeyMissing;
        NotMultipart => "not_multipart" => ErrBadRequest;
        UnreadableMultipart => "unreadable_multipart" => ErrBadRequest;
        UnreadableJson => "unreadable_json" => ErrBadRequest;
        UnreadableForm => "unreadable_form" => ErrBadRequest;
        UnreadableQuery => "unreadable_query" => ErrBadRequest;
        RepeatedField => "repeated_field" => ErrBadRequest;
    }
}

reasons! {
    /// Why the current state refuses the request.
    Conflict {
        AlreadyRated => "already_rated" => ErrAlreadyRated;
        NotResolved => "not_resolved" => ErrNotResolved;
        NotOpen => "not_open" => ErrNotOpen;
        Transition => "transition" => ErrConflict;
        UsernameTaken => "username_taken" => ErrUsernameTaken;
        CategoryTaken => "category_taken" => ErrCategoryTaken;
        CouncilAnswered => "council_answered" => ErrCouncilAnswered;
        PasswordChangeRequired => "password_change_required" => ErrPasswordChangeRequired;
        ClockNotSimulated => "clock_not_simulated" => ErrClockNotSimulated;
        FindingOpen => "finding_open" => ErrFindingOpen;
        NoOpenFinding => "no_open_finding" => ErrNoOpenFinding;
        FeedbackAnswered => "feedback_answered" => ErrFeedbackAnswered;
        PushSubscriptionsFull => "push_subscriptions_full" => ErrPushFull;
    }
}

macro_rules! single_reason {
    ($($name:ident),*) => {$(
        impl $name {
            /// The stable machine code.
            pub fn reason(self) -> &'static str {
                self.wire()[0]
            }
        }
    )*};
}
single_reason!(BadRequest, Conflict);

/// Everything that can go wrong, as the caller may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(into = "Wire", try_from = "Wire")]
pub enum AppError {
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("not found")]
    NotFound,
    /// The request itself is malformed (missing header, unreadable body).
    #[error("bad request: {}", .0.reason())]
    BadRequest(BadRequest),
    /// The caller is not signed in.
    #[error("unauthorized")]
    Unauthorized,
    /// The caller is signed in but their role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// A field failed validation.
    #[error("invalid {}: {}", .0.field(), .0.reason())]
    Invalid(Invalid),
    /// The request conflicts with the current state (e.g. a status transition
    /// that the state machine forbids).
    #[error("conflict: {}", .0.reason())]
    Conflict(Conflict),
    /// The body is larger than this route accepts.
    #[error("payload too large")]
    TooLarge,
    /// The route exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// Too many attempts; try again later.
    #[error("rate limited")]
    RateLimited,
    /// Something broke on our side; details are in the server log only.
    #[error("internal error")]
    Internal,
}

impl From<Invalid> for AppError {
    fn from(v: Invalid) -> Self {
        Self::Invalid(v)
    }
}
impl From<BadRequest> for AppError {
    fn from(v: BadRequest) -> Self {
        Self::BadRequest(v)
    }
}
impl From<Conflict> for AppError {
    fn from(v: Conflict) -> Self {
        Self::Conflict(v)
    }
}

impl AppError {
    /// The HTTP status this error answers with.
    #[cfg(feature = "ssr")]
    pub fn status_code(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            Self::NotFound => S::NOT_FOUND,
            Self::BadRequest(_) => S::BAD_REQUEST,
            Self::Unauthorized => S::UNAUTHORIZED,
            Self::Forbidden => S::FORBIDDEN,
            Self::Invalid(_) => S::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => S::CONFLICT,
            Self::TooLarge => S::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed => S::METHOD_NOT_ALLOWED,
            Self::RateLimited => S::TOO_MANY_REQUESTS,
            Self::Internal => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code clients may branch on (`{"code": …}` in JSON bodies).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::Invalid(_) => "invalid",
            Self::Conflict(_) => "conflict",
            Self::TooLarge => "too_large",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
        }
    }

    /// The field at fault, for a validation error.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Invalid(v) => Some(v.field()),
            _ => None,
        }
    }

    /// The machine reason, where the error has one.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            Self::Invalid(v) => Some(v.reason()),
            Self::BadRequest(v) => Some(v.reason()),
            Self::Conflict(v) => Some(v.reason()),
            _ => None,
        }
    }

    /// The message a person reads, in their language.
    pub fn message(&self, lang: Lang) -> &'static str {
        let msg = match self {
            Self::NotFound => Msg::ErrNotFound,
            Self::BadRequest(v) => v.msg(),
            Self::Unauthorized => Msg::ErrUnauthorized,
            Self::Forbidden => Msg::ErrForbidden,
            Self::Invalid(v) => v.msg(),
            Self::Conflict(v) => v.msg(),
            Self::TooLarge => Msg::ErrTooLarge,
            Self::MethodNotAllowed => Msg::ErrMethodNotAllowed,
            Self::RateLimited => Msg::ErrRateLimited,
            Self::Internal => Msg::ErrInternal,
        };
        msg.text(lang)
    }
}

/// The JSON shape: `{"code", "field"?, "reason"?}`.
#[derive(Serialize, Deserialize)]
struct Wire {
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl From<AppError> for Wire {
    fn from(e: AppError) -> Self {
        Self {
            code: e.code().to_owned(),
            field: e.field().map(str::to_owned),
            reason: e.reason().map(str::to_owned),
        }
    }
}

impl TryFrom<Wire> for AppError {
    type Error = String;
    fn try_from(w: Wire) -> Result<Self, String> {
        let reason = w.reason.as_deref().unwrap_or_default();
        let found = match (w.code.as_str(), w.field.as_deref()) {
            ("invalid", Some(field)) => Invalid::from_wire(&[field, reason]).map(Self::Invalid),
            ("bad_request", None) => BadRequest::from_wire(&[reason]).map(Self::BadRequest),
            ("conflict", None) => Conflict::from_wire(&[reason]).map(Self::Conflict),
            ("not_found", None) => Some(Self::NotFound),
            ("unauthorized", None) => Some(Self::Unauthorized),
            ("forbidden", None) => Some(Self::Forbidden),
            ("too_large", None) => Some(Self::TooLarge),
            ("method_not_allowed", None) => Some(Self::MethodNotAllowed),
            ("rate_limited", None) => Some(Self::RateLimited),
            ("internal", None) => Some(Self::Internal),
            _ => None,
        };
        found.ok_or_else(|| format!("unknown error {:?}", w.code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each kind, with every reason of the kinds that have them.
    fn every_error() -> Vec<AppError> {
        let mut all = vec![
            AppError::NotFound,
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::TooLarge,
            AppError::MethodNotAllowed,
            AppError::RateLimited,
            AppError::Internal,
        ];
        all.extend(Invalid::ALL.iter().map(|&v| AppError::Invalid(v)));
        all.extend(BadRequest::ALL.iter().map(|&v| AppError::BadRequest(v)));
        all.extend(Conflict::ALL.iter().map(|&v| AppError::Conflict(v)));
        all
    }

    #[test]
    fn internal_errors_carry_no_detail_over_the_wire() {
        let json = serde_json::to_string(&AppError::Internal).unwrap_or_default();
        assert_eq!(json, r#"{"code":"internal"}"#);
        let invalid =
            serde_json::to_string(&AppError::Invalid(Invalid::PhoneFormat)).unwrap_or_default();
        assert_eq!(
            invalid,
            r#"{"code":"invalid","field":"phone","reason":"format"}"#
        );
    }

    #[test]
    fn every_error_survives_the_wire_and_unknown_ones_are_refused() {
        for e in every_error() {
            let json = serde_json::to_string(&e).unwrap_or_default();
            let back: Result<AppError, _> = serde_json::from_str(&json);
            assert_eq!(back.ok(), Some(e), "{json}");
        }
        for bad in [
            r#"{"code":"invalid","field":"x","reason":"<script>"}"#,
            r#"{"code":"teapot"}"#,
            r#"{"code":"conflict","reason":"nope"}"#,
        ] {
            assert!(serde_json::from_str::<AppError>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wire_strings_are_unique_and_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for e in every_error() {
            let key = (e.code(), e.field(), e.reason());
            assert!(seen.insert(key), "{key:?} twice");
            for part in [Some(e.code()), e.field(), e.reason()]
                .into_iter()
                .flatten()
            {
                assert!(
                    part.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                    "{part}"
                );
            }
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn every_error_has_its_status_and_a_message_in_both_languages() {
        use http::StatusCode as S;
        for e in every_error() {
            let status = e.status_code();
            let expected = match e {
                AppError::NotFound => S::NOT_FOUND,
                AppError::BadRequest(_) => S::BAD_REQUEST,
                AppError::Unauthorized => S::UNAUTHORIZED,
                AppError::Forbidden => S::FORBIDDEN,
                AppError::Invalid(_) => S::UNPROCESSABLE_ENTITY,
                AppError::Conflict(_) => S::CONFLICT,
                AppError::TooLarge => S::PAYLOAD_TOO_LARGE,
                AppError::MethodNotAllowed => S::METHOD_NOT_ALLOWED,
                AppError::RateLimited => S::TOO_MANY_REQUESTS,
                AppError::Internal => S::INTERNAL_SERVER_ERROR,
            };
            assert_eq!(status, expected, "{e:?}");
            assert_eq!(
                status.is_server_error(),
                e == AppError::Internal,
                "only Internal is our fault: {e:?}"
            );
            let (fa, en) = (e.message(Lang::Fa), e.message(Lang::En));
            assert!(!fa.is_empty() && !en.is_empty(), "{e:?}");
            assert_ne!(fa, en, "{e:?} is not translated");
            assert!(
                fa.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
                "{e:?}: {fa}"
            );
        }
    }

    #[test]
    fn specific_reasons_get_specific_messages() {
        let generic = AppError::Invalid(Invalid::BboxFormat).message(Lang::En);
        for v in [
            Invalid::DescriptionTooShort,
            Invalid::PhoneFormat,
            Invalid::CodeWrong,
            Invalid::LocationOutsideCity,
            Invalid::PhotoTooMany,
        ] {
            assert_ne!(AppError::Invalid(v).message(Lang::En), generic, "{v:?}");
        }
    }
}
