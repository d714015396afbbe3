//! Digits as people type them: Persian (۰–۹, U+06F0…), Arabic-Indic (٠–٩,
//! U+0660…) and Latin. Every numeric input is normalised to Latin before it is
//! validated or stored; every number shown in Persian is rendered in Persian digits.

/// Maps a Persian or Arabic-Indic digit to its Latin twin; other chars pass through.
pub fn to_latin_digit(c: char) -> char {
    match c {
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        _ => c,
    }
}

/// Rewrites every Persian or Arabic-Indic digit in `s` as a Latin digit.
pub fn to_latin(s: &str) -> String {
    s.chars().map(to_latin_digit).collect()
}

/// Rewrites every Latin digit in `s` as a Persian digit.
pub fn to_persian(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0x06F0 + (c as u32 - '0' as u32)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Keeps only the digits of `s` (any script), as Latin digits. Spaces, dashes
/// and the bidi marks that phones paste in are dropped.
pub fn digits_only(s: &str) -> String {
    s.chars()
        .map(to_latin_digit)
        .filter(char::is_ascii_digit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_three_scripts_normalise_to_latin() {
        assert_eq!(to_latin("۰۱۲۳۴۵۶۷۸۹"), "0123456789");
        assert_eq!(to_latin("٠١٢٣٤٥٦٧٨٩"), "0123456789");
        assert_eq!(to_latin("a1-۲-٣"), "a1-2-3");
    }

    #[test]
    fn latin_renders_as_persian() {
        assert_eq!(to_persian("1403-12-30"), "۱۴۰۳-۱۲-۳۰");
    }

    #[test]
    fn digits_only_drops_separators_and_marks() {
        assert_eq!(digits_only("\u{200E}۰۹۱۲ ۳۴۵-6789"), "09123456789");
    }

    proptest::proptest! {
        #[test]
        fn persian_and_back_is_the_identity(s in "\\PC{0,32}") {
            let latin = to_latin(&s);
            proptest::prop_assert_eq!(to_latin(&to_persian(&latin)), latin.clone());
            proptest::prop_assert!(digits_only(&s).bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
