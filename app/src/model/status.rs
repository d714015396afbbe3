//! The complaint's status machine. One definition, so the UI offers only the
//! actions the server will accept.

use serde::{Deserialize, Serialize};

/// Where a complaint stands in the municipality's workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Filed, not yet referred.
    Submitted,
    /// Referred (ارجاع) to a responsible unit's cartable.
    Referred,
    /// The unit has started work.
    InProgress,
    /// The unit says it is done, with a note and optionally a proof photo.
    Resolved,
    /// A supervisor (ناظر) confirmed the fix with the citizen.
    Verified,
    /// Finished.
    Closed,
    /// Misrouted: back to dispatch for re-referral.
    Returned,
    /// Same problem as another complaint, linked to it.
    Duplicate,
    /// Not the municipality's business (عدم ارتباط).
    NotMunicipal,
    /// Cannot be done (امکان رسیدگی مقدور نیست), with a reason.
    Infeasible,
    /// The citizen objected to the resolution; back to the unit.
    Reopened,
}

/// The simpler vocabulary the public sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PublicStatus {
    Received,
    InProgress,
    Done,
    Closed,
}

impl Status {
    /// Every status, in workflow order.
    pub const ALL: [Status; 11] = [
        Status::Submitted,
        Status::Referred,
        Status::InProgress,
        Status::Resolved,
        Status::Verified,
        Status::Closed,
        Status::Returned,
        Status::Duplicate,
        Status::NotMunicipal,
        Status::Infeasible,
        Status::Reopened,
    ];

    /// The stable name stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Referred => "referred",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
            Status::Verified => "verified",
            Status::Closed => "closed",
            Status::Returned => "returned",
            Status::Duplicate => "duplicate",
            Status::NotMunicipal => "not_municipal",
            Status::Infeasible => "infeasible",
            Status::Reopened => "reopened",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The statuses this one may move to.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Submitted => &[Referred, Duplicate, NotMunicipal],
            // A unit may find on arrival that it is not the city's business
            // or the same as another report.
            Referred => &[
                InProgress,
                Returned,
                Resolved,
                Infeasible,
                NotMunicipal,
                Duplicate,
            ],
            InProgress => &[Resolved, Returned, Infeasible, NotMunicipal, Duplicate],
            Resolved => &[Verified, Reopened, Closed],
            Verified => &[Closed, Reopened],
            Returned => &[Referred, NotMunicipal, Duplicate],
            Reopened => &[InProgress, Resolved, Returned, Infeasible],
            Closed | Duplicate | NotMunicipal | Infeasible => &[],
        }
    }

    /// Whether the machine allows `self → to`.
    pub fn can_move_to(self, to: Status) -> bool {
        self.next().contains(&to)
    }

    /// Whether work on the complaint is finished (no further transition).
    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }

    /// Still being worked: new reports of the same problem should join it
    /// ("me too") rather than start another.
    pub fn is_open(self) -> bool {
        use Status::*;
        matches!(
            self,
            Submitted | Referred | InProgress | Returned | Reopened
        )
    }

    /// The unit says it is fixed: the filer may rate it or object.
    pub fn awaits_verdict(self) -> bool {
        matches!(self, Status::Resolved | Status::Verified)
    }

    /// Every open status (for SQL `IN` lists built from constants).
    pub fn open_statuses() -> impl Iterator<Item = Status> {
        Self::ALL.into_iter().filter(|s| s.is_open())
    }

    /// What the public is shown.
    pub fn public(self) -> PublicStatus {
        use Status::*;
        match self {
            Submitted | Returned => PublicStatus::Received,
            Referred | InProgress | Reopened => PublicStatus::InProgress,
            Resolved | Verified => PublicStatus::Done,
            Closed | Duplicate | NotMunicipal | Infeasible => PublicStatus::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_and_awaiting_verdict_agree_with_the_public_view() {
        for st in Status::ALL {
            assert_eq!(
                st.is_open(),
                matches!(
                    st.public(),
                    PublicStatus::Received | PublicStatus::InProgress
                ),
                "{st:?}"
            );
            assert_eq!(
                st.awaits_verdict(),
                st.public() == PublicStatus::Done,
                "{st:?}"
            );
            assert!(!(st.is_open() && st.is_final()), "{st:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for st in Status::ALL {
            assert_eq!(Status::parse(st.as_str()), Some(st));
        }
        assert_eq!(Status::parse("done"), None);
    }

    #[test]
    fn main_path_is_allowed() {
        use Status::*;
        let path = [Submitted, Referred, InProgress, Resolved, Verified, Closed];
        for pair in path.windows(2) {
            assert!(
                pair[0].can_move_to(pair[1]),
                "{:?} → {:?}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn shortcuts_and_exits_from_final_states_are_refused() {
        use Status::*;
        assert!(!Submitted.can_move_to(Resolved));
        assert!(!Submitted.can_move_to(Closed));
        assert!(!Resolved.can_move_to(Submitted));
        for st in [Closed, Duplicate, NotMunicipal, Infeasible] {
            assert!(st.is_final());
            for to in Status::ALL {
                assert!(!st.can_move_to(to));
            }
        }
    }

    #[test]
    fn objection_reopens_and_returns_to_the_unit() {
        use Status::*;
        assert!(Resolved.can_move_to(Reopened));
        assert!(Reopened.can_move_to(InProgress));
        assert_eq!(Reopened.public(), PublicStatus::InProgress);
    }

    #[test]
    fn every_status_reaches_a_final_state() {
        for start in Status::ALL {
            let mut seen = vec![start];
            let mut frontier = vec![start];
            while let Some(st) = frontier.pop() {
                for &n in st.next() {
                    if !seen.contains(&n) {
                        seen.push(n);
                        frontier.push(n);
                    }
                }
            }
            assert!(seen.iter().any(|s| s.is_final()), "{start:?} is a trap");
        }
    }
}
