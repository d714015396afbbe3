//! Free text as citizens and staff type it: one cleaner, and the length
//! rules of every free-text field, so the form, the API and the services
//! check the same thing.

use crate::error::Invalid;
use serde::Deserialize;

/// A code as URLs and the API carry it (a category's, a district's): 2 to
/// 40 of lowercase Latin letters, digits and `-`.
pub fn is_code(s: &str) -> bool {
    (2..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Drops control characters except newlines and trims the ends: what every
/// free-text field is stored as.
pub fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Shortest useful complaint description, in characters.
pub const DESCRIPTION_MIN: usize = 5;
/// Longest description, in characters (a long SMS page is ~700).
pub const DESCRIPTION_MAX: usize = 1000;
/// Longest free-text address, in characters.
pub const ADDRESS_MAX: usize = 300;
/// Longest rating comment or objection reason, in characters.
pub const FEEDBACK_MAX: usize = 500;
/// Shortest objection reason, in characters.
pub const OBJECTION_MIN: usize = 5;

/// `raw` cleaned, if its length in characters lies in `min..=max`.
fn bounded(
    raw: &str,
    min: usize,
    max: usize,
    short: Invalid,
    long: Invalid,
) -> Result<String, Invalid> {
    let text = clean(raw);
    let len = text.chars().count();
    if len < min {
        Err(short)
    } else if len > max {
        Err(long)
    } else {
        Ok(text)
    }
}

/// What the citizen says is wrong. Deserializing validates.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Description(String);

impl TryFrom<String> for Description {
    type Error = Invalid;
    fn try_from(raw: String) -> Result<Self, Invalid> {
        Self::parse(&raw)
    }
}

impl Description {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        bounded(
            raw,
            DESCRIPTION_MIN,
            DESCRIPTION_MAX,
            Invalid::DescriptionTooShort,
            Invalid::DescriptionTooLong,
        )
        .map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A free-text address; empty means none.
pub fn parse_address(raw: &str) -> Result<Option<String>, Invalid> {
    bounded(
        raw,
        0,
        ADDRESS_MAX,
        Invalid::AddressTooLong,
        Invalid::AddressTooLong,
    )
    .map(|a| Some(a).filter(|a| !a.is_empty()))
}

/// The filer's optional comment with a rating; empty means none.
pub fn parse_comment(raw: &str) -> Result<Option<String>, Invalid> {
    bounded(
        raw,
        0,
        FEEDBACK_MAX,
        Invalid::CommentTooLong,
        Invalid::CommentTooLong,
    )
    .map(|c| Some(c).filter(|c| !c.is_empty()))
}

/// Why the filer says the problem is not fixed. Deserializing validates.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct ObjectionReason(String);

impl TryFrom<String> for ObjectionReason {
    type Error = Invalid;
    fn try_from(raw: String) -> Result<Self, Invalid> {
        Self::parse(&raw)
    }
}

impl ObjectionReason {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        bounded(
            raw,
            OBJECTION_MIN,
            FEEDBACK_MAX,
            Invalid::ReasonTooShort,
            Invalid::ReasonTooLong,
        )
        .map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A rating of the resolution, one to five stars. Deserializing validates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "i64")]
pub struct Stars(u8);

impl TryFrom<i64> for Stars {
    type Error = Invalid;
    fn try_from(n: i64) -> Result<Self, Invalid> {
        Self::new(n)
    }
}

impl Stars {
    pub fn new(n: i64) -> Result<Self, Invalid> {
        u8::try_from(n)
            .ok()
            .filter(|n| (1..=5).contains(n))
            .map(Self)
            .ok_or(Invalid::StarsOutOfRange)
    }
    /// From a form field, in any digit script.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        crate::model::digits::to_latin(raw.trim())
            .parse::<i64>()
            .map_err(|_| Invalid::StarsOutOfRange)
            .and_then(Self::new)
    }
    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_drops_controls_but_keeps_newlines() {
        assert_eq!(clean("  چاله\u{0007} بزرگ \n دوم "), "چاله بزرگ \n دوم");
    }

    #[test]
    fn lengths_name_the_field_and_the_reason() {
        assert_eq!(Description::parse("کم"), Err(Invalid::DescriptionTooShort));
        assert_eq!(
            Description::parse(&"ا".repeat(DESCRIPTION_MAX + 1)),
            Err(Invalid::DescriptionTooLong)
        );
        assert_eq!(
            Description::parse("  چاله بزرگ\u{0000} ").map(|d| d.0),
            Ok("چاله بزرگ".to_owned())
        );
        assert_eq!(parse_address("   "), Ok(None));
        assert_eq!(
            parse_address(&"x".repeat(ADDRESS_MAX + 1)),
            Err(Invalid::AddressTooLong)
        );
        assert_eq!(ObjectionReason::parse("بد"), Err(Invalid::ReasonTooShort));
        assert_eq!(
            parse_comment(&"x".repeat(FEEDBACK_MAX + 1)),
            Err(Invalid::CommentTooLong)
        );
    }

    #[test]
    fn deserializing_validates() {
        assert!(serde_json::from_str::<Stars>("4").is_ok());
        assert!(serde_json::from_str::<Stars>("0").is_err());
        assert!(serde_json::from_str::<Description>("\"کم\"").is_err());
        assert!(serde_json::from_str::<ObjectionReason>("\"هنوز چاله هست\"").is_ok());
    }

    #[test]
    fn stars_in_any_script_from_one_to_five() {
        assert_eq!(Stars::parse("۴").map(Stars::get), Ok(4));
        for bad in ["0", "6", "", "x", "-1", "99999999999999999999"] {
            assert_eq!(Stars::parse(bad), Err(Invalid::StarsOutOfRange), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn cleaned_text_has_no_controls_but_newlines(s in "\\PC*|[\\x00-\\x1f]{0,5}") {
            let c = clean(&s);
            proptest::prop_assert!(c.chars().all(|ch| !ch.is_control() || ch == '\n'));
            proptest::prop_assert_eq!(clean(&c), c.clone(), "idempotent");
        }
    }
}
