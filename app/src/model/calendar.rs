//! The municipality's working time: office hours on working days in Tehran,
//! a weekend, an optional short Thursday and a list of holidays (Jalali
//! dates). Service-level deadlines count in these hours: a complaint filed on
//! Wednesday evening with 8 working hours to answer is due on Saturday, not
//! on Thursday morning. Urgent categories count clock hours instead
//! ([`WorkCalendar::deadline`]).

use crate::i18n::jalali::{JalaliDate, TEHRAN_OFFSET_SECS};
use std::collections::BTreeSet;

const DAY: i64 = 86_400;

/// Days of the week, as Iranian calendars list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Weekday {
    Sat,
    Sun,
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Sat,
        Weekday::Sun,
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];

    /// The weekday of a local day number (days since 1970-01-01, a Thursday).
    fn of_day(day: i64) -> Self {
        // 1970-01-01 is a Thursday: index 5 in Saturday-first order.
        Self::ALL[(day + 5).rem_euclid(7) as usize]
    }

    /// `sat`, `sun`, … (configuration files and variables).
    pub fn parse(raw: &str) -> Option<Self> {
        let i = Self::ALL
            .iter()
            .position(|d| raw.trim().eq_ignore_ascii_case(d.as_str()))?;
        Some(Self::ALL[i])
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
        }
    }
}

/// Minutes after local midnight: `07:30` is 450.
fn parse_clock(raw: &str) -> Option<u32> {
    let (h, m) = raw.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

/// Why a calendar setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("working hours must look like 07:00-14:00, with the start before the end")]
    Hours,
    #[error("a weekend day must be one of sat, sun, mon, tue, wed, thu, fri")]
    Weekday,
    #[error("the week must keep at least one working day")]
    NoWorkingDay,
    #[error("a holiday must be a real Jalali date such as 1405/01/01")]
    Holiday,
}

/// When the municipality works. `Default` is Saturday to Thursday,
/// 07:00–14:00, Friday off, no holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    /// Office hours as minutes after local midnight, start < end.
    start_min: u32,
    end_min: u32,
    /// Thursday ends early at this minute (`Some(12 * 60)`) when set.
    thursday_end_min: Option<u32>,
    weekend: BTreeSet<Weekday>,
    /// Local day numbers (days since 1970-01-01 in Tehran) that are off.
    holidays: BTreeSet<i64>,
}

impl Default for WorkCalendar {
    fn default() -> Self {
        Self {
            start_min: 7 * 60,
            end_min: 14 * 60,
            thursday_end_min: None,
            weekend: BTreeSet::from([Weekday::Fri]),
            holidays: BTreeSet::new(),
        }
    }
}

impl WorkCalendar {
    /// A calendar from its settings: `hours` like `07:00-14:00`, `weekend`
    /// like `fri` or `thu,fri`, `thursday_until` like `12:00` (or empty),
    /// and holidays as Jalali dates in any digit script.
    pub fn parse(
        hours: &str,
        weekend: &str,
        thursday_until: &str,
        holidays: &[&str],
    ) -> Result<Self, CalendarError> {
        let (start, end) = hours.split_once('-').ok_or(CalendarError::Hours)?;
        let (start_min, end_min) = (
            parse_clock(start).ok_or(CalendarError::Hours)?,
            parse_clock(end).ok_or(CalendarError::Hours)?,
        );
        if start_min >= end_min {
            return Err(CalendarError::Hours);
        }
        let weekend = weekend
            .split(',')
            .filter(|d| !d.trim().is_empty())
            .map(|d| Weekday::parse(d).ok_or(CalendarError::Weekday))
            .collect::<Result<BTreeSet<_>, _>>()?;
        if weekend.len() == Weekday::ALL.len() {
            return Err(CalendarError::NoWorkingDay);
        }
        let thursday_end_min = match thursday_until.trim() {
            "" => None,
            t => {
                let m = parse_clock(t).ok_or(CalendarError::Hours)?;
                if m <= start_min {
                    return Err(CalendarError::Hours);
                }
                Some(m.min(end_min))
            }
        };
        let holidays = holidays
            .iter()
            .map(|h| {
                JalaliDate::parse(h)
                    .map(|d| (d.start_unix() + TEHRAN_OFFSET_SECS).div_euclid(DAY))
                    .ok_or(CalendarError::Holiday)
            })
            .collect::<Result<BTreeSet<_>, _>>()?;
        Ok(Self {
            start_min,
            end_min,
            thursday_end_min,
            weekend,
            holidays,
        })
    }

    /// This calendar's holidays with `week`'s office hours, weekend and
    /// Thursday (an admin's settings over the configuration's).
    pub fn with_week(&self, week: &WorkCalendar) -> Self {
        Self {
            holidays: self.holidays.clone(),
            ..week.clone()
        }
    }

    /// The week as settings read: hours `07:00-14:00`, the weekend days,
    /// and the short Thursday's end (`12:00`) or empty.
    pub fn week_settings(&self) -> (String, Vec<Weekday>, String) {
        let clock = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        (
            format!("{}-{}", clock(self.start_min), clock(self.end_min)),
            self.weekend.iter().copied().collect(),
            self.thursday_end_min.map(clock).unwrap_or_default(),
        )
    }

    /// This calendar with `days` off as well (the holidays an admin keeps
    /// in the database, beside those of the configuration).
    pub fn with_holidays(&self, days: &[JalaliDate]) -> Self {
        let mut calendar = self.clone();
        calendar.holidays.extend(
            days.iter()
                .map(|d| (d.start_unix() + TEHRAN_OFFSET_SECS).div_euclid(DAY)),
        );
        calendar
    }

    /// Office hours of local day `day` as Unix seconds, or `None` when the
    /// day is off.
    fn window(&self, day: i64) -> Option<(i64, i64)> {
        let weekday = Weekday::of_day(day);
        if self.weekend.contains(&weekday) || self.holidays.contains(&day) {
            return None;
        }
        let end = match (weekday, self.thursday_end_min) {
            (Weekday::Thu, Some(m)) => m,
            _ => self.end_min,
        };
        let midnight = day * DAY - TEHRAN_OFFSET_SECS;
        Some((
            midnight + i64::from(self.start_min) * 60,
            midnight + i64::from(end) * 60,
        ))
    }

    fn local_day(at: i64) -> i64 {
        (at + TEHRAN_OFFSET_SECS).div_euclid(DAY)
    }

    /// The moment `secs` working seconds after `from`. Time outside office
    /// hours, at weekends and on holidays does not count; work owed at the
    /// end of a day carries to the next working day's opening.
    pub fn add_working(&self, from: i64, secs: i64) -> i64 {
        if secs <= 0 {
            return from;
        }
        let mut left = secs;
        let first = Self::local_day(from);
        // A year of holidays in a row is a configuration mistake, not a
        // reason to loop for ever: past ten years, count clock time.
        for day in first..first + 3_660 {
            if let Some((open, close)) = self.window(day) {
                let begin = open.max(from);
                if begin < close {
                    let available = close - begin;
                    if left <= available {
                        return begin + left;
                    }
                    left -= available;
                }
            }
        }
        from + secs
    }

    /// Working seconds between `from` and `to` (0 when `to` is not later).
    pub fn working_between(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0;
        for day in Self::local_day(from)..=Self::local_day(to) {
            if let Some((open, close)) = self.window(day) {
                let (a, b) = (open.max(from), close.min(to));
                if a < b {
                    total += b - a;
                }
            }
        }
        total
    }

    /// A category's deadline: `hours` working hours after `from`, or clock
    /// hours for urgent categories (a fallen tree does not wait for Saturday).
    pub fn deadline(&self, from: i64, hours: i64, urgent: bool) -> i64 {
        if urgent {
            from + hours * 3600
        } else {
            self.add_working(from, hours * 3600)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix time of a Jalali date and local time in Tehran.
    fn at(date: &str, h: i64, m: i64) -> i64 {
        JalaliDate::parse(date).expect("a date").start_unix() + h * 3600 + m * 60
    }

    #[test]
    fn weekdays_follow_the_calendar() {
        // 1405/09/14 is Saturday 2026-12-05.
        let sat = WorkCalendar::local_day(at("1405/09/14", 10, 0));
        assert_eq!(Weekday::of_day(sat), Weekday::Sat);
        assert_eq!(Weekday::of_day(sat + 6), Weekday::Fri);
        assert_eq!(Weekday::of_day(0), Weekday::Thu);
    }

    #[test]
    fn hours_inside_one_day_count_as_clock_time() {
        let cal = WorkCalendar::default();
        let filed = at("1405/09/14", 9, 0);
        assert_eq!(cal.add_working(filed, 3 * 3600), at("1405/09/14", 12, 0));
    }

    #[test]
    fn evening_weekend_and_holiday_time_does_not_count() {
        // Filed Wednesday 1405/09/18 at 20:00 with 8 working hours (7 a day):
        // Thursday 07:00–14:00 gives 7, Friday is off, Saturday 08:00 is due.
        let cal = WorkCalendar::default();
        let filed = at("1405/09/18", 20, 0);
        assert_eq!(cal.add_working(filed, 8 * 3600), at("1405/09/21", 8, 0));
        // With a short Thursday (until 12:00): 5 hours there, Saturday 10:00.
        let short = WorkCalendar::parse("07:00-14:00", "fri", "12:00", &[]).expect("valid");
        assert_eq!(short.add_working(filed, 8 * 3600), at("1405/09/21", 10, 0));
        // And Saturday a holiday: Sunday 10:00.
        let holiday =
            WorkCalendar::parse("07:00-14:00", "fri", "12:00", &["۱۴۰۵/۰۹/۲۱"]).expect("valid");
        assert_eq!(
            holiday.add_working(filed, 8 * 3600),
            at("1405/09/22", 10, 0)
        );
    }

    #[test]
    fn work_owed_at_closing_time_starts_the_next_morning() {
        let cal = WorkCalendar::default();
        // Exactly the day's remaining hours ends at closing time, not later.
        assert_eq!(
            cal.add_working(at("1405/09/14", 12, 0), 2 * 3600),
            at("1405/09/14", 14, 0)
        );
        assert_eq!(
            cal.add_working(at("1405/09/14", 12, 0), 2 * 3600 + 60),
            at("1405/09/15", 7, 1)
        );
        // Before opening counts from opening.
        assert_eq!(
            cal.add_working(at("1405/09/14", 3, 0), 3600),
            at("1405/09/14", 8, 0)
        );
    }

    #[test]
    fn urgent_categories_count_clock_hours() {
        let cal = WorkCalendar::default();
        let friday_night = at("1405/09/20", 23, 0);
        assert_eq!(cal.deadline(friday_night, 2, true), friday_night + 7200);
        assert_eq!(cal.deadline(friday_night, 2, false), at("1405/09/21", 9, 0));
    }

    #[test]
    fn settings_are_checked() {
        assert_eq!(
            WorkCalendar::parse("14:00-07:00", "fri", "", &[]),
            Err(CalendarError::Hours)
        );
        assert_eq!(
            WorkCalendar::parse("7-14", "fri", "", &[]),
            Err(CalendarError::Hours)
        );
        assert_eq!(
            WorkCalendar::parse("07:00-14:00", "friday", "", &[]),
            Err(CalendarError::Weekday)
        );
        assert_eq!(
            WorkCalendar::parse("07:00-14:00", "sat,sun,mon,tue,wed,thu,fri", "", &[]),
            Err(CalendarError::NoWorkingDay)
        );
        assert_eq!(
            WorkCalendar::parse("07:00-14:00", "fri", "", &["1404/12/30"]),
            Err(CalendarError::Holiday)
        );
        assert_eq!(
            WorkCalendar::parse("07:00-14:00", "fri", "06:00", &[]),
            Err(CalendarError::Hours)
        );
        assert_eq!(
            WorkCalendar::parse("07:00-14:00", " fri ", "", &[]),
            Ok(WorkCalendar::default())
        );
    }

    #[test]
    fn adding_and_measuring_agree_everywhere() {
        // A deterministic sweep instead of random sampling: every quarter
        // hour of two weeks around Nowruz (a run of holidays) as the start,
        // against a spread of amounts. `working_between` is computed day by
        // day independently of `add_working`'s walk; the two must invert.
        let cal = WorkCalendar::parse(
            "07:30-14:30",
            "fri",
            "12:00",
            &["1405/01/01", "1405/01/02", "1405/01/03", "1405/01/04"],
        )
        .expect("valid");
        let start = at("1404/12/22", 0, 0);
        for step in 0..(14 * 24 * 4) {
            let from = start + step * 900;
            for secs in [1, 59, 3600, 7 * 3600, 7 * 3600 + 1, 30 * 3600, 200 * 3600] {
                let due = cal.add_working(from, secs);
                assert!(due > from);
                assert_eq!(cal.working_between(from, due), secs, "from {from} + {secs}");
                // The deadline falls in office hours, never in the night.
                assert!(cal.working_between(due - 1, due) == 1, "due {due}");
            }
        }
        // Holidays added later count the same as configured ones.
        let later = WorkCalendar::parse("07:30-14:30", "fri", "12:00", &[])
            .expect("valid")
            .with_holidays(
                &["1405/01/01", "1405/01/02", "1405/01/03", "1405/01/04"]
                    .map(|d| JalaliDate::parse(d).expect("date")),
            );
        assert_eq!(later, cal);
        // No working time across the four Nowruz holidays and the Friday.
        assert_eq!(
            cal.working_between(at("1405/01/01", 0, 0), at("1405/01/05", 0, 0)),
            0
        );
    }
}
