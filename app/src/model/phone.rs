//! Iranian mobile numbers, normalised to the canonical `09xxxxxxxxx`.

use super::digits::digits_only;
use serde::Deserialize;

/// Why a typed phone number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// Not an Iranian mobile number (09 followed by nine digits).
    NotMobile,
}

/// A mobile number in canonical form. Not `Serialize`: a citizen's number
/// never reaches a public view by accident; staff-only DTOs that show it
/// carry it as a plain string on purpose. Deserializing validates, so a
/// struct holding one never holds an invalid number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct PhoneNumber(String);

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(raw: String) -> Result<Self, PhoneError> {
        Self::parse(&raw)
    }
}

impl std::fmt::Display for PhoneError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not an Iranian mobile number (09 and nine digits)")
    }
}

impl PhoneNumber {
    /// Accepts `09…`, `9…`, `+989…`, `989…` and `00989…`, in any digit script,
    /// with spaces or dashes. Unknown 09xx prefixes are accepted on purpose:
    /// operators open new ranges, and the one-time code is the real check.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let digits = digits_only(input);
        let national = if let Some(rest) = digits.strip_prefix("0098") {
            rest
        } else if let Some(rest) = digits.strip_prefix("98").filter(|r| r.len() == 10) {
            rest
        } else if let Some(rest) = digits.strip_prefix('0') {
            rest
        } else {
            digits.as_str()
        };
        if national.len() == 10 && national.starts_with('9') {
            Ok(Self(format!("0{national}")))
        } else {
            Err(PhoneError::NotMobile)
        }
    }

    /// The canonical `09xxxxxxxxx` form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with its middle digits hidden (`0912***789`: the first
    /// four and the last three digits), for places
    /// where a person must recognise their own number but nobody else should
    /// learn it.
    pub fn masked(&self) -> String {
        format!("{}***{}", &self.0[..4], &self.0[8..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_common_format_normalises() {
        for input in [
            "09123456789",
            "9123456789",
            "+989123456789",
            "989123456789",
            "00989123456789",
            "۰۹۱۲ ۳۴۵ ۶۷۸۹",
            "٠٩١٢-٣٤٥-٦٧٨٩",
            "+98 912 345 6789",
        ] {
            assert_eq!(
                PhoneNumber::parse(input).map(|p| p.as_str().to_owned()),
                Ok("09123456789".to_owned()),
                "{input}"
            );
        }
    }

    #[test]
    fn landlines_and_garbage_are_refused() {
        for input in [
            "02112345678",
            "0912345678",
            "091234567890",
            "",
            "abc",
            "98912",
        ] {
            assert_eq!(
                PhoneNumber::parse(input),
                Err(PhoneError::NotMobile),
                "{input}"
            );
        }
    }

    #[test]
    fn masking_hides_the_middle() {
        let phone = PhoneNumber::parse("09123456789").expect("valid");
        assert_eq!(phone.masked(), "0912***789");
    }

    #[test]
    fn deserializing_validates() {
        let ok: Result<PhoneNumber, _> = serde_json::from_str("\"۰۹۱۲ ۳۴۵ ۶۷۸۹\"");
        assert_eq!(
            ok.map(|p| p.as_str().to_owned()).ok().as_deref(),
            Some("09123456789")
        );
        assert!(serde_json::from_str::<PhoneNumber>("\"02112345678\"").is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_script_and_separators_give_the_same_number(n in 0u32..1_000_000_000, sep in "[ -]?") {
            let national = format!("9{n:09}");
            let canonical = format!("0{national}");
            let persian = crate::model::digits::to_persian(&canonical);
            let spaced = format!("+98{sep}{}{sep}{}", &national[..3], &national[3..]);
            for input in [canonical.clone(), persian, spaced] {
                proptest::prop_assert_eq!(
                    PhoneNumber::parse(&input).map(|p| p.as_str().to_owned()),
                    Ok(canonical.clone())
                );
            }
        }

        #[test]
        fn parse_never_panics_and_only_yields_canonical_numbers(s in "\\PC{0,24}") {
            if let Ok(p) = PhoneNumber::parse(&s) {
                proptest::prop_assert!(p.as_str().len() == 11 && p.as_str().starts_with("09"));
                proptest::prop_assert!(p.as_str().bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }
}
