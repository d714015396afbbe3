//! The report card (کارنامه ارزیابی): what each figure counts, how times are
//! classed, and the 0–20 score. The server keeps the counts as running
//! totals per unit and Tehran day; this module turns summed counts into
//! the figures the mayor reads, the same way for the page, the JSON and
//! the CSV.
//!
//! Times (to first response, to resolution) are kept as a histogram of
//! duration classes, so a median over any range is a sum of counts: the
//! reported median is the upper edge of the class that holds the middle
//! case ("half were answered within …"). Classes are 5 minutes wide under
//! an hour, an hour wide under two days, a day wide under 30 days.

use serde::{Deserialize, Serialize};

/// Seconds in the classes' units.
const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// The number of duration classes (the last one is open-ended).
pub const DURATION_CLASSES: usize = 12 + 47 + 28 + 1;

/// The duration class of `secs` (negative counts as zero).
pub fn duration_class(secs: i64) -> i64 {
    let s = secs.max(0);
    let class = if s <= HOUR {
        // (0, 5 min] → 0 … (55, 60 min] → 11; exactly 0 joins the first.
        ((s + 5 * MINUTE - 1) / (5 * MINUTE)).max(1) - 1
    } else if s <= 2 * DAY {
        // (1 h, 2 h] → 12 … (47 h, 48 h] → 58.
        12 + (s + HOUR - 1) / HOUR - 2
    } else if s <= 30 * DAY {
        // (2 d, 3 d] → 59 … (29 d, 30 d] → 86.
        59 + (s + DAY - 1) / DAY - 3
    } else {
        87
    };
    class.min(DURATION_CLASSES as i64 - 1)
}

/// The upper edge of class `class` in seconds; `None` for the open-ended
/// last class (over 30 days).
pub fn class_upper(class: i64) -> Option<i64> {
    match class {
        c if c < 0 => Some(0),
        c if c < 12 => Some((c + 1) * 5 * MINUTE),
        c if c < 59 => Some((c - 12 + 2) * HOUR),
        c if c < 87 => Some((c - 59 + 3) * DAY),
        _ => None,
    }
}

/// A counter the server keeps per unit and day (`unit_stat.metric`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Referred to the unit (by routing at filing, or by dispatch).
    Received,
    /// The unit's first action after a referral; bucket = duration class,
    /// total = seconds from the referral.
    Response,
    /// The same, when it came by the first-response deadline.
    ResponseOnTime,
    /// Marked resolved; bucket = duration class from the referral.
    Resolved,
    /// Resolved by the resolution deadline.
    ResolvedOnTime,
    /// A citizen's rating; bucket = stars, total = stars.
    Rating,
    /// The citizen objected to a resolution.
    Reopened,
    /// The supervisor's call found it not done.
    VerificationFailed,
    /// A missed deadline raised; bucket = level (1 manager, 2 inspection).
    Escalated,
    /// Thanks received through 1888.
    Thanks,
}

impl Metric {
    pub const ALL: [Metric; 10] = [
        Metric::Received,
        Metric::Response,
        Metric::ResponseOnTime,
        Metric::Resolved,
        Metric::ResolvedOnTime,
        Metric::Rating,
        Metric::Reopened,
        Metric::VerificationFailed,
        Metric::Escalated,
        Metric::Thanks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Received => "received",
            Metric::Response => "response",
            Metric::ResponseOnTime => "response_on_time",
            Metric::Resolved => "resolved",
            Metric::ResolvedOnTime => "resolved_on_time",
            Metric::Rating => "rating",
            Metric::Reopened => "reopened",
            Metric::VerificationFailed => "verification_failed",
            Metric::Escalated => "escalated",
            Metric::Thanks => "thanks",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Summed counters of one unit, or of several merged (a district, a
/// manager's units, the city).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub received: i64,
    pub response: Vec<i64>,
    pub response_on_time: i64,
    pub resolved: Vec<i64>,
    pub resolved_on_time: i64,
    pub ratings: i64,
    pub rating_stars: i64,
    pub reopened: i64,
    pub verification_failed: i64,
    pub escalated_manager: i64,
    pub escalated_inspection: i64,
    pub thanks: i64,
    /// Open now, and open past the resolution deadline now.
    pub open: i64,
    pub overdue: i64,
}

impl Default for Tally {
    fn default() -> Self {
        Self {
            received: 0,
            response: vec![0; DURATION_CLASSES],
            response_on_time: 0,
            resolved: vec![0; DURATION_CLASSES],
            resolved_on_time: 0,
            ratings: 0,
            rating_stars: 0,
            reopened: 0,
            verification_failed: 0,
            escalated_manager: 0,
            escalated_inspection: 0,
            thanks: 0,
            open: 0,
            overdue: 0,
        }
    }
}

impl Tally {
    /// Adds one stored counter row.
    pub fn add(&mut self, metric: Metric, bucket: i64, n: i64, total: i64) {
        let class = bucket.clamp(0, DURATION_CLASSES as i64 - 1) as usize;
        match metric {
            Metric::Received => self.received += n,
            Metric::Response => self.response[class] += n,
            Metric::ResponseOnTime => self.response_on_time += n,
            Metric::Resolved => self.resolved[class] += n,
            Metric::ResolvedOnTime => self.resolved_on_time += n,
            Metric::Rating => {
                self.ratings += n;
                self.rating_stars += total;
            }
            Metric::Reopened => self.reopened += n,
            Metric::VerificationFailed => self.verification_failed += n,
            Metric::Escalated if bucket >= 2 => self.escalated_inspection += n,
            Metric::Escalated => self.escalated_manager += n,
            Metric::Thanks => self.thanks += n,
        }
    }

    /// Adds another tally (a district from its units).
    pub fn merge(&mut self, other: &Tally) {
        self.received += other.received;
        for (a, b) in self.response.iter_mut().zip(&other.response) {
            *a += b;
        }
        self.response_on_time += other.response_on_time;
        for (a, b) in self.resolved.iter_mut().zip(&other.resolved) {
            *a += b;
        }
        self.resolved_on_time += other.resolved_on_time;
        self.ratings += other.ratings;
        self.rating_stars += other.rating_stars;
        self.reopened += other.reopened;
        self.verification_failed += other.verification_failed;
        self.escalated_manager += other.escalated_manager;
        self.escalated_inspection += other.escalated_inspection;
        self.thanks += other.thanks;
        self.open += other.open;
        self.overdue += other.overdue;
    }

    pub fn figures(&self) -> Figures {
        let responses: i64 = self.response.iter().sum();
        let resolved: i64 = self.resolved.iter().sum();
        let share = |part: i64, whole: i64| (whole > 0).then(|| part as f64 / whole as f64);
        let mut f = Figures {
            received: self.received,
            open: self.open,
            overdue: self.overdue,
            responses,
            responses_on_time: self.response_on_time,
            median_response_s: median_upper(&self.response),
            resolved,
            resolved_on_time: self.resolved_on_time,
            median_resolution_s: median_upper(&self.resolved),
            on_time_rate: share(self.resolved_on_time, resolved),
            ratings: self.ratings,
            average_rating: share(self.rating_stars, self.ratings),
            reopened: self.reopened,
            reopen_rate: share(self.reopened, resolved),
            verification_failures: self.verification_failed,
            escalations_to_manager: self.escalated_manager,
            escalations_to_inspection: self.escalated_inspection,
            thanks: self.thanks,
            score: None,
        };
        f.score = score(&f);
        f
    }
}

/// The upper edge of the class holding the middle case: at least half took
/// no longer. `None` with no cases, or when the middle case took over 30
/// days (shown as "> 30 days").
pub fn median_upper(classes: &[i64]) -> Option<i64> {
    let count: i64 = classes.iter().sum();
    if count == 0 {
        return None;
    }
    // The lower median: the ceil(count/2)-th case in order.
    let middle = (count + 1) / 2;
    let mut seen = 0;
    for (class, n) in classes.iter().enumerate() {
        seen += n;
        if seen >= middle {
            return class_upper(class as i64).or(Some(i64::MAX));
        }
    }
    None
}

/// The figures of one row of the card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Referred to the unit in the range.
    pub received: i64,
    /// Open now (whatever the range).
    pub open: i64,
    /// Open now and past the resolution deadline.
    pub overdue: i64,
    /// First responses in the range (the unit's first action after a referral).
    pub responses: i64,
    pub responses_on_time: i64,
    /// Half the first responses came within this many seconds (a class's
    /// upper edge; `i64::MAX` for over 30 days).
    pub median_response_s: Option<i64>,
    /// Marked resolved in the range.
    pub resolved: i64,
    pub resolved_on_time: i64,
    /// Half the resolutions came within this many seconds of the referral.
    pub median_resolution_s: Option<i64>,
    /// resolved_on_time / resolved.
    pub on_time_rate: Option<f64>,
    pub ratings: i64,
    /// 1–5.
    pub average_rating: Option<f64>,
    /// Objections that reopened a resolved complaint.
    pub reopened: i64,
    /// reopened / resolved.
    pub reopen_rate: Option<f64>,
    pub verification_failures: i64,
    pub escalations_to_manager: i64,
    pub escalations_to_inspection: i64,
    pub thanks: i64,
    /// 0–20 (see [`score`]); `None` with nothing to judge.
    pub score: Option<f64>,
}

/// The score's parts: (points, the part's value 0–1 when there is data).
/// Points add up to 20.
pub fn score_parts(f: &Figures) -> [(f64, Option<f64>); 6] {
    let share =
        |part: i64, whole: i64| (whole > 0).then(|| (part as f64 / whole as f64).clamp(0.0, 1.0));
    [
        // Resolved by the deadline.
        (6.0, f.on_time_rate),
        // First response by the deadline.
        (4.0, share(f.responses_on_time, f.responses)),
        // Citizens' ratings, 1 star = 0, 5 stars = 1.
        (
            4.0,
            f.average_rating.map(|r| ((r - 1.0) / 4.0).clamp(0.0, 1.0)),
        ),
        // Not reopened by an objection.
        (2.0, share(f.resolved - f.reopened, f.resolved)),
        // Passed the supervisor's verification call.
        (2.0, share(f.resolved - f.verification_failures, f.resolved)),
        // Received without a missed deadline being escalated.
        (
            2.0,
            share(
                f.received - f.escalations_to_manager - f.escalations_to_inspection,
                f.received,
            ),
        ),
    ]
}

/// 20 × (the points earned ÷ the points of the parts that have data),
/// rounded to one decimal; `None` when no part has data.
pub fn score(f: &Figures) -> Option<f64> {
    let (mut earned, mut possible) = (0.0, 0.0);
    for (points, value) in score_parts(f) {
        if let Some(v) = value {
            earned += points * v;
            possible += points;
        }
    }
    (possible > 0.0).then(|| (20.0 * earned / possible * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_have_the_documented_edges() {
        assert_eq!(duration_class(0), 0);
        assert_eq!(duration_class(1), 0);
        assert_eq!(duration_class(300), 0);
        assert_eq!(duration_class(301), 1);
        assert_eq!(duration_class(3600), 11);
        assert_eq!(duration_class(3601), 12);
        assert_eq!(duration_class(7200), 12);
        assert_eq!(duration_class(48 * 3600), 58);
        assert_eq!(duration_class(48 * 3600 + 1), 59);
        assert_eq!(duration_class(30 * 86_400), 86);
        assert_eq!(duration_class(30 * 86_400 + 1), 87);
        assert_eq!(duration_class(-5), 0);
        // Every class's upper edge falls in that class, and one second more
        // falls in the next.
        for c in 0..87 {
            let edge = class_upper(c).expect("a bounded class");
            assert_eq!(duration_class(edge), c, "edge of {c}");
            assert_eq!(duration_class(edge + 1), c + 1, "past the edge of {c}");
        }
        assert_eq!(class_upper(87), None);
    }

    #[test]
    fn the_median_is_the_middle_case_class_edge() {
        let mut t = Tally::default();
        assert_eq!(median_upper(&t.response), None);
        // 3 cases: 10 min, 3 h, 5 days → the middle is 3 h.
        for secs in [600, 3 * 3600, 5 * 86_400] {
            t.add(Metric::Response, duration_class(secs), 1, secs);
        }
        assert_eq!(median_upper(&t.response), Some(3 * 3600));
        // 4 cases: the lower middle (2nd).
        t.add(Metric::Response, duration_class(40 * 86_400), 1, 0);
        assert_eq!(median_upper(&t.response), Some(3 * 3600));
        let mut slow = Tally::default();
        slow.add(Metric::Resolved, duration_class(40 * 86_400), 1, 0);
        assert_eq!(median_upper(&slow.resolved), Some(i64::MAX));
    }

    #[test]
    fn the_score_weighs_the_parts_that_have_data() {
        let empty = Tally::default().figures();
        assert_eq!(empty.score, None);
        // 9 received, 9 first responses (8 on time), 5 resolved (all on
        // time), 1 reopened, no rating, no verification failure, one
        // escalation to the manager.
        let mut t = Tally {
            received: 9,
            response_on_time: 8,
            resolved_on_time: 5,
            reopened: 1,
            escalated_manager: 1,
            ..Tally::default()
        };
        t.response[0] = 9;
        t.resolved[20] = 5;
        let f = t.figures();
        // Earned: 6×1 + 4×8/9 + 2×0.8 + 2×1 + 2×8/9 = 14.93 of 16 → 18.67.
        assert_eq!(f.score, Some(18.7));
        assert_eq!(f.on_time_rate, Some(1.0));
        assert_eq!(f.reopen_rate, Some(0.2));
        // A 1-star average earns none of the 4 rating points: 14.93 of 20.
        t.ratings = 2;
        t.rating_stars = 2;
        assert_eq!(t.figures().score, Some(14.9));
    }

    #[test]
    fn merging_adds_every_counter() {
        let mut a = Tally::default();
        a.add(Metric::Escalated, 2, 3, 0);
        a.add(Metric::Rating, 4, 2, 8);
        let mut b = Tally::default();
        b.add(Metric::Escalated, 1, 1, 0);
        b.add(Metric::Resolved, 5, 2, 0);
        a.merge(&b);
        assert_eq!(a.escalated_inspection, 3);
        assert_eq!(a.escalated_manager, 1);
        assert_eq!(a.rating_stars, 8);
        assert_eq!(a.resolved[5], 2);
    }
}
