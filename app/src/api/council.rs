//! The council's cartable (کارتابل شورا): a council member refers a
//! complaint, a 1888 item or a free-text request to another member or to
//! the municipality (answered by the mayor's office); the receiver answers
//! or refers it on. Every referral of one subject forms a thread, which
//! everyone in it sees with its times. An unanswered referral is overdue
//! after [`COUNCIL_ANSWER_HOURS`]; the scheduler then reminds its receiver
//! (by text, where they have a phone number) once a day until it is
//! answered.

use crate::{
    api::staff::StaffViewer,
    error::{AppError, Invalid},
    model::{text::clean, TrackingCode},
};
use serde::{Deserialize, Serialize};

/// Hours a receiver has to answer before the first reminder.
pub const COUNCIL_ANSWER_HOURS: i64 = 48;
/// Hours between reminders.
pub const COUNCIL_REMIND_EVERY_HOURS: i64 = 24;
/// Shortest and longest text of a referral or an answer, in characters.
pub const COUNCIL_TEXT_MIN: usize = 5;
pub const COUNCIL_TEXT_MAX: usize = 2000;

/// What a thread is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CouncilSubject {
    /// A citizen's complaint, by its tracking code.
    Complaint,
    /// A 1888 item, by its tracking code.
    Feedback,
    /// A member's own request, in the text alone.
    Request,
}

impl CouncilSubject {
    pub const ALL: [CouncilSubject; 3] = [Self::Complaint, Self::Feedback, Self::Request];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complaint => "complaint",
            Self::Feedback => "feedback",
            Self::Request => "request",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// `POST /staff/council` and `POST /api/v1/staff/council`: a new thread.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CouncilForm {
    /// `complaint`, `feedback` or `request`.
    pub subject: String,
    /// The tracking code of the complaint or 1888 item (any digits).
    pub code: String,
    /// To whom: a council member's user id, or `municipality`.
    pub to: String,
    pub text: String,
}

/// `POST /staff/council/{id}/answer` and `…/refer` (the API's too): the
/// answer, or (refer) a note to the next receiver `to`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CouncilReplyForm {
    pub text: String,
    /// Refer only: a council member's user id, or `municipality`.
    pub to: String,
}

/// A receiver: a member, or the municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    Member(i64),
    Municipality,
}

impl Receiver {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "municipality" => Ok(Self::Municipality),
            other => crate::model::digits::to_latin(other)
                .parse()
                .map(Self::Member)
                .map_err(|_| Invalid::CouncilReceiver),
        }
    }
}

/// A council text: cleaned and within bounds.
pub fn council_text(raw: &str) -> Result<String, Invalid> {
    let text = clean(raw.trim());
    match text.chars().count() {
        n if n < COUNCIL_TEXT_MIN => Err(Invalid::CouncilTextShort),
        n if n > COUNCIL_TEXT_MAX => Err(Invalid::CouncilTextLong),
        _ => Ok(text),
    }
}

/// A checked [`CouncilForm`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouncilInput {
    pub subject: CouncilSubject,
    pub code: Option<TrackingCode>,
    pub to: Receiver,
    pub text: String,
}

impl CouncilForm {
    pub fn parse(&self) -> Result<CouncilInput, Invalid> {
        let subject = CouncilSubject::parse(&self.subject).ok_or(Invalid::CouncilSubject)?;
        let code = match subject {
            CouncilSubject::Request => None,
            _ => Some(TrackingCode::parse(&self.code).map_err(|_| Invalid::CouncilCode)?),
        };
        let to = Receiver::parse(&self.to)?;
        let text = council_text(&self.text)?;
        Ok(CouncilInput {
            subject,
            code,
            to,
            text,
        })
    }
}

/// A council member, as the "to" list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CouncilMember {
    pub user_id: i64,
    pub display_name: String,
}

/// One referral in a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CouncilReferral {
    pub id: i64,
    pub thread_id: i64,
    pub subject: CouncilSubject,
    /// The complaint's or 1888 item's tracking code.
    pub code: Option<String>,
    pub from: String,
    /// The member's name; `None` for the municipality.
    pub to: Option<String>,
    pub text: String,
    pub created_at: i64,
    /// When the first reminder is due.
    pub due_at: i64,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    /// Reminders sent so far.
    pub reminders: i64,
    /// Unanswered past `due_at` (at the time of reading).
    pub overdue: bool,
}

/// The caller's council cartable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CouncilCartable {
    /// Referrals to the caller (or, for the mayor's office, to the
    /// municipality) not yet answered, oldest first.
    pub waiting: Vec<CouncilReferral>,
    /// The caller's own referrals, newest first (the latest 100).
    pub sent: Vec<CouncilReferral>,
    /// Who may receive a referral.
    pub members: Vec<CouncilMember>,
}

/// A thread and what the caller may do in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CouncilThread {
    /// Oldest first.
    pub referrals: Vec<CouncilReferral>,
    /// The referral the caller may answer or refer on, if any.
    pub answerable: Option<i64>,
    pub members: Vec<CouncilMember>,
}

/// The council's cartable (council members and the mayor's office).
#[async_trait::async_trait]
pub trait CouncilDesk: Send + Sync {
    async fn cartable(&self, who: &StaffViewer) -> Result<CouncilCartable, AppError>;
    /// The thread holding referral `id`, if the caller is in it.
    async fn thread(&self, who: &StaffViewer, id: i64) -> Result<CouncilThread, AppError>;
    /// Starts a thread; returns the new referral's id (council members).
    async fn refer(
        &self,
        who: &StaffViewer,
        form: &CouncilForm,
        client: &str,
    ) -> Result<i64, AppError>;
    /// Answers referral `id` once (its receiver).
    async fn answer(
        &self,
        who: &StaffViewer,
        id: i64,
        form: &CouncilReplyForm,
        client: &str,
    ) -> Result<(), AppError>;
    /// Refers `id` on to another receiver in the same thread (its
    /// receiver); `id` stays open until answered. Returns the new id.
    async fn refer_on(
        &self,
        who: &StaffViewer,
        id: i64,
        form: &CouncilReplyForm,
        client: &str,
    ) -> Result<i64, AppError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_council_form_checks_subject_code_receiver_and_text() {
        let form = |subject: &str, code: &str, to: &str, text: &str| CouncilForm {
            subject: subject.into(),
            code: code.into(),
            to: to.into(),
            text: text.into(),
        };
        let ok = form(
            "request",
            "",
            "municipality",
            "  لطفاً وضعیت روشنایی پارک را بررسی کنید ",
        )
        .parse()
        .expect("valid");
        assert_eq!((ok.code, ok.to), (None, Receiver::Municipality));
        assert_eq!(
            form("request", "", "۱۲", "متن کافی").parse().map(|i| i.to),
            Ok(Receiver::Member(12))
        );
        assert_eq!(
            form("motion", "", "12", "متن کافی").parse(),
            Err(Invalid::CouncilSubject)
        );
        assert_eq!(
            form("complaint", "12", "12", "متن کافی").parse(),
            Err(Invalid::CouncilCode)
        );
        assert_eq!(
            form("request", "", "mayor", "متن کافی").parse(),
            Err(Invalid::CouncilReceiver)
        );
        assert_eq!(
            form("request", "", "12", "کم").parse(),
            Err(Invalid::CouncilTextShort)
        );
        let long = "ا".repeat(COUNCIL_TEXT_MAX + 1);
        assert_eq!(
            form("request", "", "12", &long).parse(),
            Err(Invalid::CouncilTextLong)
        );
    }
}
