//! Tracking code (کد رهگیری): ten digits, the last a Damm check digit, so a code
//! read over the phone or typed on a kiosk keypad catches every single wrong
//! digit and every swap of two neighbouring digits.

use super::digits::digits_only;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Number of digits in a tracking code, check digit included.
pub const LEN: usize = 10;

/// Damm's totally anti-symmetric quasigroup of order 10.
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

fn damm(digits: &[u8]) -> u8 {
    digits
        .iter()
        .fold(0u8, |interim, &d| DAMM[interim as usize][d as usize])
}

/// Why a typed tracking code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackingCodeError {
    /// Fewer than ten digits so far.
    TooShort,
    /// More than ten digits.
    TooLong,
    /// Ten digits, but the check digit does not match: a typo.
    BadCheckDigit,
}

/// A valid tracking code, stored as its ten Latin digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingCode(String);

impl TrackingCode {
    /// Parses what a person typed: Persian, Arabic-Indic or Latin digits, with
    /// any spaces or dashes between them.
    pub fn parse(input: &str) -> Result<Self, TrackingCodeError> {
        let digits = digits_only(input);
        match digits.len() {
            n if n < LEN => Err(TrackingCodeError::TooShort),
            n if n > LEN => Err(TrackingCodeError::TooLong),
            _ => {
                let values: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
                if damm(&values) == 0 {
                    Ok(Self(digits))
                } else {
                    Err(TrackingCodeError::BadCheckDigit)
                }
            }
        }
    }

    /// Builds the code for a nine-digit serial by appending its check digit.
    /// The serial's leading digit must not be zero, so codes never lose digits
    /// when a spreadsheet reads them as numbers.
    pub fn from_serial(serial: u32) -> Option<Self> {
        if !(100_000_000..=999_999_999).contains(&serial) {
            return None;
        }
        let body = serial.to_string();
        let values: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
        let check = damm(&values);
        Some(Self(format!("{body}{check}")))
    }

    /// The ten Latin digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TrackingCode {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).map_err(|_| "invalid tracking code")
    }
}

impl From<TrackingCode> for String {
    fn from(code: TrackingCode) -> Self {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_round_trips_through_parse() {
        for serial in [100_000_000, 123_456_789, 999_999_999, 572_000_331] {
            let code = TrackingCode::from_serial(serial).expect("in range");
            assert_eq!(code.as_str().len(), LEN);
            assert_eq!(TrackingCode::parse(code.as_str()), Ok(code));
        }
    }

    #[test]
    fn known_damm_check_digit() {
        // Damm's published example: 572 → check digit 4.
        assert_eq!(damm(&[5, 7, 2]), 4);
        assert_eq!(damm(&[5, 7, 2, 4]), 0);
    }

    #[test]
    fn persian_and_arabic_digits_are_accepted() {
        let code = TrackingCode::from_serial(123_456_789).expect("in range");
        let persian = crate::model::digits::to_persian(code.as_str());
        assert_eq!(TrackingCode::parse(&persian), Ok(code.clone()));
        let arabic: String = code
            .as_str()
            .chars()
            .map(|c| char::from_u32(0x0660 + (c as u32 - '0' as u32)).unwrap_or(c))
            .collect();
        assert_eq!(TrackingCode::parse(&arabic), Ok(code.clone()));
        let spaced = format!("{} {}", &code.as_str()[..5], &code.as_str()[5..]);
        assert_eq!(TrackingCode::parse(&spaced), Ok(code));
    }

    #[test]
    fn every_single_digit_error_is_caught() {
        let code = TrackingCode::from_serial(314_159_265).expect("in range");
        let bytes = code.as_str().as_bytes().to_vec();
        for i in 0..LEN {
            for d in b'0'..=b'9' {
                if d == bytes[i] {
                    continue;
                }
                let mut typo = bytes.clone();
                typo[i] = d;
                let typo = String::from_utf8(typo).unwrap_or_default();
                assert_eq!(
                    TrackingCode::parse(&typo),
                    Err(TrackingCodeError::BadCheckDigit),
                    "{typo}"
                );
            }
        }
    }

    #[test]
    fn every_adjacent_swap_is_caught() {
        for serial in [100_000_001, 271_828_182, 987_654_321] {
            let code = TrackingCode::from_serial(serial).expect("in range");
            let bytes = code.as_str().as_bytes().to_vec();
            for i in 0..LEN - 1 {
                if bytes[i] == bytes[i + 1] {
                    continue;
                }
                let mut swapped = bytes.clone();
                swapped.swap(i, i + 1);
                let swapped = String::from_utf8(swapped).unwrap_or_default();
                assert!(TrackingCode::parse(&swapped).is_err(), "{swapped}");
            }
        }
    }

    #[test]
    fn wrong_lengths_are_named() {
        assert_eq!(TrackingCode::parse("۱۲۳"), Err(TrackingCodeError::TooShort));
        assert_eq!(TrackingCode::parse(""), Err(TrackingCodeError::TooShort));
        assert_eq!(
            TrackingCode::parse("12345678901"),
            Err(TrackingCodeError::TooLong)
        );
        assert_eq!(TrackingCode::from_serial(99_999_999), None);
    }

    proptest::proptest! {
        #[test]
        fn every_serial_gives_a_code_that_parses_in_any_script(serial in 100_000_000u32..=999_999_999) {
            let code = TrackingCode::from_serial(serial);
            proptest::prop_assert!(code.is_some());
            let code = code.unwrap_or_else(|| unreachable!());
            let persian = crate::model::digits::to_persian(code.as_str());
            let parsed = TrackingCode::parse(&persian);
            proptest::prop_assert_eq!(parsed, Ok(code));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,16}") {
            if let Ok(code) = TrackingCode::parse(&s) {
                proptest::prop_assert_eq!(code.as_str().len(), 10);
            }
        }
    }
}
