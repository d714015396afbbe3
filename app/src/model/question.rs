//! A category's extra questions (an admin adds them: "how deep is the
//! pothole?", "which side of the street?") and the answers a filing gives.
//!
//! A question is typed: free text, a number, or one of a list of choices.
//! Forms name each answer `q{id}`. An answer is kept with a copy of its
//! question's label and (for a choice) the chosen option's text in both
//! languages, so a later edit of the question never changes what a citizen
//! answered.

use super::complaint::Named;
use crate::error::Invalid;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most questions one category may ask.
pub const MAX_QUESTIONS: usize = 10;
/// Most choices one question may offer.
pub const MAX_CHOICES: usize = 20;
/// Longest label or choice, in characters.
pub const MAX_LABEL_CHARS: usize = 200;
/// Longest text answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 300;

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Text,
    Number,
    Choice,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 3] = [Self::Text, Self::Number, Self::Choice];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Choice => "choice",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw.trim())
    }
}

/// A question as forms show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Question {
    pub id: i64,
    pub kind: QuestionKind,
    pub label: Named,
    /// The options of a `choice`, in order; empty otherwise.
    pub choices: Vec<Named>,
    pub required: bool,
}

impl Question {
    /// The form field that carries the answer.
    pub fn field(&self) -> String {
        format!("q{}", self.id)
    }
}

/// One answer, as stored and shown: the question's label and the answer's
/// text in both languages (the same text twice for text and numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Answer {
    pub question_id: i64,
    pub label: Named,
    pub value: Named,
}

/// The answers a filing gives to `questions`, from the form's `q{id}`
/// fields (fields for other questions are ignored: a form without script
/// shows every category's questions). A number may be typed in any digit
/// script and is kept in Latin digits; a choice is sent as its position
/// (`0`, `1`, …). An unanswered optional question gives no answer.
pub fn answers(
    questions: &[Question],
    fields: &BTreeMap<String, String>,
) -> Result<Vec<Answer>, Invalid> {
    let mut out = Vec::new();
    for q in questions {
        let raw = fields.get(&q.field()).map(|s| s.trim()).unwrap_or("");
        if raw.is_empty() {
            if q.required {
                return Err(Invalid::AnswerMissing);
            }
            continue;
        }
        let value = match q.kind {
            QuestionKind::Text => {
                if raw.chars().count() > MAX_ANSWER_CHARS {
                    return Err(Invalid::AnswerTooLong);
                }
                let text = crate::model::text::clean(raw);
                Named {
                    fa: text.clone(),
                    en: text,
                }
            }
            QuestionKind::Number => {
                let latin = super::digits::to_latin(raw).replace('٫', ".");
                let n: f64 = latin.parse().map_err(|_| Invalid::AnswerNotANumber)?;
                if !n.is_finite() || latin.len() > 20 {
                    return Err(Invalid::AnswerNotANumber);
                }
                Named {
                    fa: latin.clone(),
                    en: latin,
                }
            }
            QuestionKind::Choice => {
                let i: usize = super::digits::to_latin(raw)
                    .parse()
                    .map_err(|_| Invalid::AnswerNotAChoice)?;
                q.choices.get(i).cloned().ok_or(Invalid::AnswerNotAChoice)?
            }
        };
        out.push(Answer {
            question_id: q.id,
            label: q.label.clone(),
            value,
        });
    }
    Ok(out)
}

/// A question as an admin defines it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionSpec {
    pub kind: QuestionKind,
    pub label: Named,
    pub choices: Vec<Named>,
    pub required: bool,
}

/// A label in both languages: Persian required, English defaults to it.
pub fn label(fa: &str, en: &str, invalid: Invalid) -> Result<Named, Invalid> {
    let fa = crate::model::text::clean(fa.trim());
    let en = crate::model::text::clean(en.trim());
    if fa.is_empty() || fa.chars().count() > MAX_LABEL_CHARS || en.chars().count() > MAX_LABEL_CHARS
    {
        return Err(invalid);
    }
    let en = if en.is_empty() { fa.clone() } else { en };
    Ok(Named { fa, en })
}

/// Choices typed one per line, `فارسی | English` (the English part may be
/// left out); blank lines are skipped.
pub fn parse_choices(raw: &str) -> Result<Vec<Named>, Invalid> {
    let mut out = Vec::new();
    for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (fa, en) = line.split_once('|').unwrap_or((line, ""));
        out.push(label(fa, en, Invalid::ChoicesFormat)?);
        if out.len() > MAX_CHOICES {
            return Err(Invalid::ChoicesFormat);
        }
    }
    Ok(out)
}

/// Choices back as the admin's form shows them.
pub fn choices_text(choices: &[Named]) -> String {
    choices
        .iter()
        .map(|c| {
            if c.en == c.fa {
                format!("{}\n", c.fa)
            } else {
                format!("{} | {}\n", c.fa, c.en)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(fa: &str, en: &str) -> Named {
        Named {
            fa: fa.into(),
            en: en.into(),
        }
    }

    fn questions() -> Vec<Question> {
        vec![
            Question {
                id: 7,
                kind: QuestionKind::Number,
                label: named("عمق (سانتی‌متر)", "Depth (cm)"),
                choices: vec![],
                required: true,
            },
            Question {
                id: 9,
                kind: QuestionKind::Choice,
                label: named("کدام سمت خیابان؟", "Which side?"),
                choices: vec![named("شمال", "North"), named("جنوب", "South")],
                required: false,
            },
            Question {
                id: 11,
                kind: QuestionKind::Text,
                label: named("پلاک نزدیک", "Nearest number"),
                choices: vec![],
                required: false,
            },
        ]
    }

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn answers_are_checked_by_kind_and_kept_in_both_languages() {
        let got = answers(
            &questions(),
            &fields(&[("q7", " ۱۲٫۵ "), ("q9", "1"), ("q11", ""), ("q99", "x")]),
        )
        .expect("valid answers");
        assert_eq!(got.len(), 2, "the blank optional text and q99 give none");
        assert_eq!(got[0].value, named("12.5", "12.5"));
        assert_eq!(got[0].label.en, "Depth (cm)");
        assert_eq!(got[1].value, named("جنوب", "South"));
    }

    #[test]
    fn bad_answers_are_refused_by_reason() {
        let qs = questions();
        assert_eq!(answers(&qs, &fields(&[])), Err(Invalid::AnswerMissing));
        assert_eq!(
            answers(&qs, &fields(&[("q7", "deep")])),
            Err(Invalid::AnswerNotANumber)
        );
        assert_eq!(
            answers(&qs, &fields(&[("q7", "3"), ("q9", "2")])),
            Err(Invalid::AnswerNotAChoice)
        );
        assert_eq!(
            answers(&qs, &fields(&[("q7", "3"), ("q9", "south")])),
            Err(Invalid::AnswerNotAChoice)
        );
        let long = "ا".repeat(MAX_ANSWER_CHARS + 1);
        assert_eq!(
            answers(&qs, &fields(&[("q7", "3"), ("q11", &long)])),
            Err(Invalid::AnswerTooLong)
        );
    }

    #[test]
    fn choices_parse_one_per_line_with_optional_english() {
        let got = parse_choices("شمال | North\n\n  جنوب  \n").expect("two choices");
        assert_eq!(got, vec![named("شمال", "North"), named("جنوب", "جنوب")]);
        assert_eq!(parse_choices(&choices_text(&got)), Ok(got));
        assert_eq!(parse_choices("| North"), Err(Invalid::ChoicesFormat));
        let many = "x\n".repeat(MAX_CHOICES + 1);
        assert_eq!(parse_choices(&many), Err(Invalid::ChoicesFormat));
    }
}
