//! 1888 (سامانه ۱۸۸۸): a citizen's criticism, suggestion or thanks about the
//! municipality, optionally naming a unit and an employee. It gets a
//! tracking code like a complaint (filed anonymously or signed in); it goes
//! to the named unit, or to the 1888 desk (operators and supervisors) when
//! none is named; someone there answers, and the answer shows on its page
//! and reaches a signed-in citizen by text. Thanks to a unit count in the
//! unit's report card; whoever answers a thanks may credit the staff
//! member it is about (picked from the unit's staff: the citizen's free-text
//! name is not matched by guess), and it then counts in that employee's
//! figures on the report card.

use crate::{
    api::staff::StaffViewer,
    error::{AppError, Invalid},
    model::{complaint::Named, text::clean, TrackingCode},
};
use serde::{Deserialize, Serialize};

/// What the citizen says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// انتقاد
    Criticism,
    /// پیشنهاد
    Suggestion,
    /// تقدیر
    Thanks,
}

impl FeedbackKind {
    pub const ALL: [FeedbackKind; 3] = [
        FeedbackKind::Criticism,
        FeedbackKind::Suggestion,
        FeedbackKind::Thanks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Criticism => "criticism",
            FeedbackKind::Suggestion => "suggestion",
            FeedbackKind::Thanks => "thanks",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// Shortest message, in characters.
pub const FEEDBACK_BODY_MIN: usize = 10;
/// Longest message, in characters.
pub const FEEDBACK_BODY_MAX: usize = 2000;
/// Longest employee name, in characters.
pub const EMPLOYEE_MAX: usize = 100;
/// Longest answer, in characters.
pub const FEEDBACK_ANSWER_MAX: usize = 2000;

/// `POST /feedback` and `POST /api/v1/feedback`. `form_key` is made when the
/// form opens: a retried post files once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FeedbackForm {
    /// `criticism`, `suggestion` or `thanks`.
    pub kind: String,
    /// A unit's code, or blank for the 1888 desk.
    pub unit: String,
    /// The employee it is about, as the citizen names them (optional).
    pub employee: String,
    pub body: String,
    pub form_key: String,
}

/// A checked [`FeedbackForm`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackInput {
    pub kind: FeedbackKind,
    pub unit: Option<String>,
    pub employee: Option<String>,
    pub body: String,
}

impl FeedbackForm {
    pub fn parse(&self) -> Result<FeedbackInput, Invalid> {
        let kind = FeedbackKind::parse(&self.kind).ok_or(Invalid::FeedbackKind)?;
        let body = clean(&self.body);
        let len = body.chars().count();
        if len < FEEDBACK_BODY_MIN {
            return Err(Invalid::FeedbackTooShort);
        }
        if len > FEEDBACK_BODY_MAX {
            return Err(Invalid::FeedbackTooLong);
        }
        let employee = Some(clean(&self.employee)).filter(|e| !e.is_empty());
        if employee
            .as_ref()
            .is_some_and(|e| e.chars().count() > EMPLOYEE_MAX)
        {
            return Err(Invalid::EmployeeTooLong);
        }
        let unit = Some(self.unit.trim().to_owned()).filter(|u| !u.is_empty());
        Ok(FeedbackInput {
            kind,
            unit,
            employee,
            body,
        })
    }
}

/// `POST /staff/feedback/{code}/answer` and its API twin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FeedbackAnswerForm {
    pub answer: String,
    /// A thanks only: the username of the staff member it credits (one of
    /// [`FeedbackView::credit_choices`]); blank credits nobody.
    pub employee: String,
    /// The item's code (the page's hidden field), so a refused answer is
    /// shown again under its own item.
    pub code: String,
}

/// A checked [`FeedbackAnswerForm`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackAnswer {
    pub answer: String,
    /// The credited staff member's username.
    pub credit: Option<String>,
}

impl FeedbackAnswerForm {
    pub fn parse(&self) -> Result<FeedbackAnswer, Invalid> {
        let answer = clean(&self.answer);
        if answer.is_empty() {
            return Err(Invalid::NoteMissing);
        }
        if answer.chars().count() > FEEDBACK_ANSWER_MAX {
            return Err(Invalid::NoteTooLong);
        }
        let credit = Some(self.employee.trim().to_owned()).filter(|e| !e.is_empty());
        Ok(FeedbackAnswer { answer, credit })
    }
}

/// A staff member a thanks may credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StaffChoice {
    pub username: String,
    pub display_name: String,
}

/// One 1888 item as its page and the desk show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FeedbackView {
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub tracking_code: TrackingCode,
    pub kind: FeedbackKind,
    /// The unit it is about; `None`: the 1888 desk.
    pub unit: Option<Named>,
    pub employee: Option<String>,
    pub body: String,
    pub created_at: i64,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
    /// On the staff desk, for an unanswered thanks: whom the answer may
    /// credit (the unit's staff; any staff member for the 1888 desk).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credit_choices: Vec<StaffChoice>,
}

/// Filing, reading and answering 1888 items.
#[async_trait::async_trait]
pub trait FeedbackDesk: Send + Sync {
    /// Files `input` (for the signed-in citizen `citizen`, if any); a second
    /// filing with the same `form_key` answers the first's code.
    async fn file(
        &self,
        input: &FeedbackInput,
        citizen: Option<i64>,
        form_key: Option<&str>,
    ) -> Result<TrackingCode, AppError>;
    /// Its public page (anyone with the code, like a complaint's).
    async fn view(&self, code: &TrackingCode) -> Result<FeedbackView, AppError>;
    /// What waits for the caller's answer, oldest first: their units'
    /// items, and the 1888 desk's for operators and supervisors.
    async fn queue(&self, who: &StaffViewer) -> Result<Vec<FeedbackView>, AppError>;
    /// Answers item `code` once (its unit's staff, or the 1888 desk); who
    /// may is checked before what was typed. A thanks may credit one of its
    /// `credit_choices`, counted once with the answer.
    async fn answer(
        &self,
        who: &StaffViewer,
        code: &TrackingCode,
        form: &FeedbackAnswerForm,
        client: &str,
    ) -> Result<(), AppError>;
}
