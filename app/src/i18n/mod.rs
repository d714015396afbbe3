//! All UI text goes through [`Msg`]: one enum of message keys, and one
//! exhaustive `match` per language (`fa.rs`, `en.rs`). The compiler refuses a
//! key that a language lacks, which is the guarantee we wanted from
//! leptos_i18n, without its experimental islands mode or ICU data in the wasm.
//! Text is rendered on the server; islands receive ready strings as props, so
//! the catalogue costs the browser nothing.

mod en;
mod fa;
pub mod jalali;

use serde::{Deserialize, Serialize};

/// The two languages. Persian first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Fa,
    En,
}

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "pasokh_lang";

impl Lang {
    /// BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fa => "fa",
            Lang::En => "en",
        }
    }

    /// Writing direction for `<html dir>`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Fa => "rtl",
            Lang::En => "ltr",
        }
    }

    /// Parses a tag as found in a cookie or URL; anything else is `None`.
    pub fn parse(tag: &str) -> Option<Self> {
        match tag.trim() {
            "fa" => Some(Lang::Fa),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language from a `Cookie` header value, Persian when absent.
    pub fn from_cookie_header(header: &str) -> Self {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Lang::parse(value))
            .unwrap_or_default()
    }

    /// The other language, for the switch.
    pub fn other(self) -> Self {
        match self {
            Lang::Fa => Lang::En,
            Lang::En => Lang::Fa,
        }
    }

    /// Renders Latin digits in this language's digits.
    pub fn digits(self, s: &str) -> String {
        match self {
            Lang::Fa => crate::model::digits::to_persian(s),
            Lang::En => s.to_owned(),
        }
    }
}

/// Every piece of UI text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Msg {
    AppName,
    AppTagline,
    SkipToContent,
    NavMain,
    NavHome,
    NavReport,
    NavTrack,
    NavFeedback,
    LangSwitchLabel,
    HomeTitle,
    HomeLead,
    HomeReportTitle,
    HomeReportBody,
    HomeReportAction,
    HomeTrackTitle,
    HomeTrackBody,
    HomeFeedbackTitle,
    HomeFeedbackBody,
    HomeFeedbackAction,
    HomeCallTitle,
    HomeCallBody,
    TrackCodeLabel,
    TrackCodeHint,
    TrackAction,
    TrackCodeShort,
    TrackCodeLong,
    TrackCodeInvalid,
    TrackCodeOk,
    TrackTitle,
    TrackNotFound,
    StatusReceived,
    StatusInProgress,
    StatusDone,
    StatusClosed,
    EventSubmitted,
    EventReferred,
    EventStatus,
    EventAnswer,
    EventRating,
    FieldCategory,
    FieldDistrict,
    FieldUnit,
    FieldFiledAt,
    FieldExpectedBy,
    ReportDangerCall,
    FieldSupport,
    FieldStatus,
    FieldRating,
    Timeline,
    ReportTitle,
    ReportLead,
    FieldCategoryPick,
    CategoryPlaceholder,
    FieldDescription,
    DescriptionHint,
    FieldAddress,
    AddressHint,
    LocationLegend,
    LocationHint,
    FieldLat,
    FieldLon,
    FieldPhotos,
    PhotosHint,
    AnonymousNote,
    ReportSubmit,
    FiledTitle,
    FiledBody,
    ErrDescriptionShort,
    ErrDescriptionLong,
    ErrAddressLong,
    ErrLocationMissing,
    ErrOutsideCity,
    ErrLocationInvalid,
    ErrCategoryMissing,
    ErrPhotoTooLarge,
    ErrPhotoFormat,
    ErrPhotoCorrupt,
    ErrPhotoTooMany,
    LocateMe,
    Locating,
    LocateFixed,
    LocateFailed,
    NotFoundTitle,
    NotFoundBody,
    BackHome,
    ErrorTitle,
    ErrorBody,
    FooterNote,
    TodayIs,
    ErrNotFound,
    ErrBadRequest,
    ErrUnauthorized,
    ErrForbidden,
    ErrInvalid,
    ErrConflict,
    ErrRateLimited,
    ErrInternal,
    NavSignIn,
    NavMine,
    NavSignOut,
    SigninTitle,
    SigninLead,
    FieldPhone,
    PhoneHint,
    SigninSend,
    CodeSentTo,
    FieldCode,
    CodeHint,
    SigninVerify,
    SigninResend,
    SigninOtherPhone,
    SignedInAs,
    MineTitle,
    MineEmpty,
    MineAwaitingRating,
    FeedbackTitle,
    RateLead,
    FieldStars,
    Star1,
    Star2,
    Star3,
    Star4,
    Star5,
    FieldComment,
    RateSubmit,
    ObjectTitle,
    FieldReason,
    ObjectSubmit,
    SignInToRate,
    DoneRated,
    DoneObjected,
    DoneSupported,
    DoneAlreadySupported,
    SupportAction,
    SupportLead,
    EventObjection,
    CopyCode,
    Copied,
    ReportSignedIn,
    ReportSignInLink,
    MapOpen,
    MapConfirm,
    MapHint,
    MapConfirmed,
    MapOutside,
    PhotoRemove,
    PhotoTooMany,
    PhotoFailed,
    Uploading,
    UploadFailed,
    NearbyTitle,
    NearbyLead,
    NearbySupport,
    NearbySupported,
    NearbyView,
    NearbyDistance,
    SearchPlaceholder,
    SearchNone,
    ErrAlreadyRated,
    ErrNotResolved,
    ErrNotOpen,
    ErrPhoneFormat,
    ErrCodeFormat,
    ErrCodeWrong,
    ErrCodeExpired,
    ErrStars,
    ErrReasonShort,
    ErrFeedbackLong,
    NearbyFailed,
    TakePhoto,
    PhotosTitle,
    PhotoCitizen,
    PhotoProof,
    SupportSignIn,
    NearbySignIn,
    ErrTooLarge,
    ErrMethodNotAllowed,
    ErrIdempotencyReused,
    ErrIdempotencyKeyMissing,
    ErrUsernameFormat,
    ErrPasswordShort,
    ErrPasswordLong,
    ErrPasswordMismatch,
    ErrPasswordWrong,
    ErrPasswordUnchanged,
    StaffCategoryHint,
    ErrCredentials,
    ErrActionUnknown,
    ErrNoteMissing,
    ErrNoteLong,
    ErrUnitUnknown,
    ErrAssigneeUnknown,
    ErrDuplicateUnknown,
    ErrDuplicateSelf,
    ErrDateFormat,
    ErrUsernameTaken,
    ErrPasswordChangeRequired,
    ErrAdvanceRange,
    ErrReportRange,
    ErrHolidayLine,
    HolidaysTitle,
    HolidaysLead,
    HolidaysSave,
    StaffDoneHolidaysSaved,
    ErrClockNotSimulated,
    ErrFindingOpen,
    ErrNoOpenFinding,
    SimulatedClockBanner,
    EventEscalated,
    EventEscalatedToInspection,
    Escalated,
    EscalatedToInspection,
    InspectionTitle,
    InspectionLead,
    StaffDoneClockMoved,
    StaffUrgentAlert,
    ClockTitle,
    ClockLead,
    ClockAdvance,
    ClockHour,
    ClockDay,
    ClockWeek,
    ClockMonth,
    CardTitle,
    CardLead,
    CardShow,
    CardCsv,
    CardPrint,
    CardJson,
    CardCity,
    CardUnits,
    CardDistricts,
    CardManagers,
    CardRank,
    CardName,
    CardScore,
    CardReceived,
    CardOpen,
    CardOverdue,
    CardMedianResponse,
    CardMedianResolution,
    CardOnTime,
    CardRating,
    CardReopen,
    CardVerificationFailed,
    CardEscalations,
    CardThanks,
    CardChart,
    CardFormulaTitle,
    CardFormula,
    CardMedianNote,
    CardNoData,
    CardPeriod,
    StaffActFinding,
    StaffActAnswerFinding,
    StaffActCloseFinding,
    StaffActFindingHint,
    StaffActAnswerFindingHint,
    StaffActCloseFindingHint,
    EventFinding,
    EventFindingAnswered,
    EventFindingClosed,
    FindingAwaitsAnswer,
    EventSeen,
    SeenNotActed,
    ErrGrantsMissing,
    SmsFiled,
    SmsReferred,
    SmsInProgress,
    SmsResolved,
    SmsClosed,
    SmsReopened,
    SmsInfeasible,
    SmsNotMunicipal,
    SmsDuplicate,
    // The back office (pages/staff).
    StaffAccount,
    StaffAccountState,
    StaffAccuracy,
    StaffActAccept,
    StaffActAcceptHint,
    StaffActAssign,
    StaffActAssignHint,
    StaffActDuplicateOf,
    StaffActDuplicateOfHint,
    StaffActInfeasible,
    StaffActInfeasibleHint,
    StaffActNotMunicipal,
    StaffActNotMunicipalHint,
    StaffActRefer,
    StaffActReferHint,
    StaffActResolve,
    StaffActResolveHint,
    StaffActReturn,
    StaffActReturnHint,
    StaffActVerificationFailed,
    StaffActVerificationFailedHint,
    StaffActVerify,
    StaffActVerifyHint,
    StaffActions,
    StaffActive,
    StaffActorCitizen,
    StaffActorSystem,
    StaffAll,
    StaffAssignee,
    StaffAuditAction,
    StaffAuditActor,
    StaffAuditAt,
    StaffAuditClient,
    StaffAuditCsv,
    StaffAuditDetail,
    StaffAuditTarget,
    StaffCallerHistory,
    StaffCallerNone,
    StaffCallerPhone,
    StaffCallerPhoneHint,
    StaffChannel,
    StaffChannelApi,
    StaffChannelApp,
    StaffChannelInPerson,
    StaffChannelKiosk,
    StaffChannelPhone,
    StaffChannelWeb,
    StaffChoosePerson,
    StaffChooseUnit,
    StaffCitizenPhone,
    StaffClear,
    StaffComplaintTitle,
    StaffCountsLabel,
    StaffCreateUser,
    StaffDeadline,
    StaffDeskAudit,
    StaffDeskCartable,
    StaffDeskDispatch,
    StaffDeskIntake,
    StaffDeskUsers,
    StaffDeskVerify,
    StaffDisable,
    StaffDisabled,
    StaffDispatchLead,
    StaffDisplayName,
    StaffDoneActed,
    StaffDonePasswordChanged,
    StaffDonePasswordReset,
    StaffDoneSignedOutElsewhere,
    StaffDoneUserSaved,
    StaffDuplicateOf,
    StaffDuplicates,
    StaffEnable,
    StaffFiledReadOut,
    StaffFiledSmsSent,
    StaffFilter,
    StaffFrom,
    StaffHello,
    StaffHomeTitle,
    StaffIntakeSubmit,
    StaffInternal,
    StaffIssuedOnce,
    StaffIssuedPassword,
    StaffIssuedTitle,
    StaffListEmpty,
    StaffListSeparator,
    StaffLocation,
    StaffLookup,
    StaffLookupCaller,
    StaffMine,
    StaffMustChangeBadge,
    StaffMustChangeFirst,
    StaffNavLabel,
    StaffNavLink,
    StaffNewUser,
    StaffNewUserHint,
    StaffNoActions,
    StaffNoDesks,
    StaffNoteInternal,
    StaffNoteInternalRequired,
    StaffNotePublic,
    StaffNotePublicRequired,
    StaffObjection,
    StaffOpenComplaint,
    StaffOpenMapApp,
    StaffOpenOsm,
    StaffOriginalCode,
    StaffOverdue,
    StaffPageNext,
    StaffPageOf,
    StaffPagePrev,
    StaffPagerLabel,
    StaffPassword,
    StaffPasswordConfirm,
    StaffPasswordCurrent,
    StaffPasswordHint,
    StaffPasswordNew,
    StaffPasswordSubmit,
    StaffPasswordTitle,
    StaffProofPhoto,
    StaffPublic,
    StaffResetPassword,
    StaffRoleAdmin,
    StaffRoleCitizen,
    StaffRoleCouncilMember,
    StaffRoleInspector,
    StaffRoleMayor,
    StaffRoleOperator,
    StaffRoleSupervisor,
    StaffRoleUnitManager,
    StaffRoleUnitStaff,
    StaffRoles,
    StaffSaveRoles,
    StaffSessions,
    StaffSignInFirst,
    StaffSignOutAll,
    StaffSignOutAllHint,
    StaffSignedInAs,
    StaffSigninSubmit,
    StaffSigninTitle,
    StaffStatusClosed,
    StaffStatusDuplicate,
    StaffStatusInProgress,
    StaffStatusInfeasible,
    StaffStatusNotMunicipal,
    StaffStatusReferred,
    StaffStatusReopened,
    StaffStatusResolved,
    StaffStatusReturned,
    StaffStatusSubmitted,
    StaffStatusVerified,
    StaffTo,
    StaffTotal,
    StaffUrgent,
    StaffUsername,
    StaffVerifyLead,
    StaffYourRoles,
}

/// The language the page is being rendered in (the shell provides it).
#[cfg(feature = "ssr")]
pub fn use_lang() -> Lang {
    leptos::prelude::use_context::<Lang>().unwrap_or_default()
}

/// Shorthand: a message in the page's language.
#[cfg(feature = "ssr")]
pub fn t(msg: Msg) -> &'static str {
    msg.text(use_lang())
}

impl Msg {
    /// The text in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Fa => fa::text(self),
            Lang::En => en::text(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_header_picks_the_language() {
        assert_eq!(
            Lang::from_cookie_header("a=1; pasokh_lang=en; b=2"),
            Lang::En
        );
        assert_eq!(Lang::from_cookie_header("pasokh_lang=fa"), Lang::Fa);
        assert_eq!(Lang::from_cookie_header("pasokh_lang=de"), Lang::Fa);
        assert_eq!(Lang::from_cookie_header(""), Lang::Fa);
    }

    #[test]
    fn persian_text_is_persian() {
        // A cheap guard against an English string pasted into fa.rs.
        for msg in [
            Msg::HomeTitle,
            Msg::NotFoundTitle,
            Msg::TrackAction,
            Msg::ErrInvalid,
        ] {
            let fa = msg.text(Lang::Fa);
            assert!(
                fa.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
                "{msg:?}"
            );
            assert_ne!(fa, msg.text(Lang::En));
        }
    }
}
