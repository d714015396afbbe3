//! Iranian mobile numbers, normalised to the canonical `09xxxxxxxxx`.

use super::digits::digits_only;
use serde::{Deserialize, Serialize};

/// Why a typed phone number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// Not an Iranian mobile number (09 followed by nine digits).
    NotMobile,
}

/// A mobile number in canonical form. Deliberately not `Serialize` into public
/// views: DTOs that carry it are staff-only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PhoneNumber(String);

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

    /// The number with its middle digits hidden (`0912***6789`), for places
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
}
