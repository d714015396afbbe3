//! Jalali (Solar Hijri) dates in Asia/Tehran time, formatted the same way on the
//! server and in the browser. The calendar arithmetic is `jalali-rs`, which
//! follows the 33-year rule of the official calendar (1403 is a leap year).

use super::Lang;

/// Asia/Tehran is UTC+03:30 all year since daylight saving ended in 2022.
pub const TEHRAN_OFFSET_SECS: i64 = 3 * 3600 + 30 * 60;

const MONTHS_FA: [&str; 12] = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
];
const MONTHS_EN: [&str; 12] = [
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
];

/// A Jalali calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JalaliDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// Civil date (year, month, day) from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// Days since 1970-01-01 of a civil date (the inverse of `civil_from_days`).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl JalaliDate {
    /// The Jalali date of a Gregorian date.
    pub fn from_gregorian(year: i32, month: u32, day: u32) -> Self {
        let (y, m, d) = jalali_rs::gregorian_to_jalali(year, month as usize, day as i32);
        Self {
            year: y,
            month: m,
            day: d,
        }
    }

    /// The date in Tehran at a Unix time (seconds).
    pub fn at_unix(secs: i64) -> Self {
        let local = secs + TEHRAN_OFFSET_SECS;
        let (y, m, d) = civil_from_days(local.div_euclid(86_400));
        Self::from_gregorian(y, m, d)
    }

    /// `۳۰ اسفند ۱۴۰۳` or `30 Esfand 1403`.
    pub fn long(self, lang: Lang) -> String {
        let idx = (self.month.clamp(1, 12) - 1) as usize;
        let month = match lang {
            Lang::Fa => MONTHS_FA[idx],
            Lang::En => MONTHS_EN[idx],
        };
        lang.digits(&format!("{} {month} {}", self.day, self.year))
    }

    /// Parses `1404/09/11` (or `-` separated) in any digit script; `None`
    /// for anything that is not a real Jalali date.
    pub fn parse(raw: &str) -> Option<Self> {
        let latin = crate::model::digits::to_latin(raw.trim());
        let mut parts = latin
            .split(['/', '-'])
            .map(|p| p.trim().parse::<u32>().ok());
        let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
        if parts.next().is_some() || !(1300..=1500).contains(&y) || !(1..=12).contains(&m) {
            return None;
        }
        let date = Self {
            year: y as i32,
            month: m,
            day: d,
        };
        // Round trip through the Gregorian calendar: 31 Mehr or 30 Esfand
        // of a common year do not come back.
        let (gy, gm, gd) = jalali_rs::jalali_to_gregorian(date.year, m as usize, d as i32);
        (d >= 1 && Self::from_gregorian(gy, gm, gd) == date).then_some(date)
    }

    /// The Unix time of this date's midnight in Tehran.
    pub fn start_unix(self) -> i64 {
        let (gy, gm, gd) =
            jalali_rs::jalali_to_gregorian(self.year, self.month as usize, self.day as i32);
        days_from_civil(gy, gm, gd) * 86_400 - TEHRAN_OFFSET_SECS
    }

    /// `۱۴۰۳/۱۲/۳۰` or `1403/12/30`.
    pub fn short(self, lang: Lang) -> String {
        lang.digits(&format!("{}/{:02}/{:02}", self.year, self.month, self.day))
    }
}

/// Date and time in Tehran, e.g. `۱۴۰۳/۱۲/۳۰ ۱۴:۰۵`.
pub fn date_time(secs: i64, lang: Lang) -> String {
    let local = (secs + TEHRAN_OFFSET_SECS).rem_euclid(86_400);
    let date = JalaliDate::at_unix(secs).short(lang);
    let time = lang.digits(&format!("{:02}:{:02}", local / 3600, (local % 3600) / 60));
    format!("{date} {time}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_dates_parse_in_any_script_and_only_when_real() {
        let d = JalaliDate::parse("۱۴۰۴/۰۹/۱۱").expect("a date");
        assert_eq!((d.year, d.month, d.day), (1404, 9, 11));
        assert_eq!(JalaliDate::parse("1403-12-30").map(|d| d.day), Some(30));
        // 1404 is not leap: no 30 Esfand; Mehr has 30 days.
        assert_eq!(JalaliDate::parse("1404/12/30"), None);
        assert_eq!(JalaliDate::parse("1404/07/31"), None);
        assert_eq!(JalaliDate::parse("1404/13/01"), None);
        assert_eq!(JalaliDate::parse("<b>"), None);
        assert_eq!(JalaliDate::parse("1404/01/01/01"), None);
        // 1 Farvardin 1404 = 2025-03-21, midnight in Tehran = 20:30 UTC the day before.
        let nowruz = JalaliDate::parse("1404/01/01")
            .expect("Nowruz")
            .start_unix();
        assert_eq!(nowruz, 1_742_502_600);
        assert_eq!(
            JalaliDate::at_unix(nowruz),
            JalaliDate::at_unix(nowruz + 86_399)
        );
        assert_ne!(JalaliDate::at_unix(nowruz - 1), JalaliDate::at_unix(nowruz));
    }

    fn g(y: i32, m: u32, d: u32) -> (i32, u32, u32) {
        let j = JalaliDate::from_gregorian(y, m, d);
        (j.year, j.month, j.day)
    }

    #[test]
    fn leap_year_1403_and_new_year_vectors() {
        // 1403 is leap under the 33-year rule: it has an Esfand 30.
        assert_eq!(g(2025, 3, 20), (1403, 12, 30));
        assert_eq!(g(2025, 3, 21), (1404, 1, 1));
        assert_eq!(g(2026, 3, 20), (1404, 12, 29));
        assert_eq!(g(2029, 3, 20), (1408, 1, 1));
        assert_eq!(g(2026, 11, 22), (1405, 9, 1));
    }

    #[test]
    fn tehran_midnight_decides_the_day() {
        // 2025-03-20 20:29:59 UTC is 23:59:59 in Tehran, still Esfand 30…
        let before = 1_742_502_599;
        assert_eq!(
            JalaliDate::at_unix(before),
            JalaliDate {
                year: 1403,
                month: 12,
                day: 30
            }
        );
        // …and one second later it is Nowruz.
        assert_eq!(
            JalaliDate::at_unix(before + 1),
            JalaliDate {
                year: 1404,
                month: 1,
                day: 1
            }
        );
        assert_eq!(date_time(before + 1, Lang::En), "1404/01/01 00:00");
        assert_eq!(date_time(before + 1, Lang::Fa), "۱۴۰۴/۰۱/۰۱ ۰۰:۰۰");
    }

    #[test]
    fn long_form_in_both_languages() {
        let d = JalaliDate {
            year: 1403,
            month: 12,
            day: 30,
        };
        assert_eq!(d.long(Lang::Fa), "۳۰ اسفند ۱۴۰۳");
        assert_eq!(d.long(Lang::En), "30 Esfand 1403");
    }

    #[test]
    fn civil_dates_before_and_after_the_epoch() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(20_167), (2025, 3, 20));
    }
}
