//! What staff do to a complaint (the actions of the cartable, dispatch and
//! verification screens), as one table: each action's name, the statuses it
//! starts from, where it leads, and who may take it. The server checks every
//! action against this table; pages offer only what it allows.

use super::{role::Grant, Role, Status};
use serde::{Deserialize, Serialize};

/// A staff action, by the name the API and the forms use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffAction {
    /// Dispatch (ارجاع): to a unit, with a note.
    Refer,
    /// The unit takes it on: in progress.
    Accept,
    /// A unit manager gives it to one person of the unit.
    Assign,
    /// Misrouted: back to dispatch, with the reason.
    Return,
    /// Done: an answer the citizen sees, optionally a proof-of-fix photo.
    Resolve,
    /// Cannot be done, with a reason the citizen sees.
    Infeasible,
    /// Not the municipality's business (عدم ارتباط), with a reason.
    NotMunicipal,
    /// The same problem as another complaint (its tracking code).
    DuplicateOf,
    /// The supervisor confirmed the fix with the citizen: verified, closed.
    Verify,
    /// The supervisor found it not done: reopened, back to the unit.
    VerificationFailed,
    /// An inspector's finding (بازرسی) that the unit's manager must answer;
    /// one open finding per complaint at a time.
    Finding,
    /// The unit manager's answer to the open finding.
    AnswerFinding,
    /// The inspector closes the open finding (answered or not).
    CloseFinding,
}

/// Who may take an action on a complaint: the roles, and whether a
/// unit-scoped role must hold the complaint's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actors {
    /// Dispatch: operators (the 137 centre), supervisors, admins.
    Dispatch,
    /// The complaint's unit: its staff and its manager.
    Unit,
    /// The complaint's unit manager only.
    UnitManager,
    /// The complaint's unit, or dispatch.
    UnitOrDispatch,
    /// Supervisors (ناظر).
    Supervisor,
    /// Inspectors (بازرس).
    Inspector,
}

impl StaffAction {
    pub const ALL: [StaffAction; 13] = [
        StaffAction::Refer,
        StaffAction::Accept,
        StaffAction::Assign,
        StaffAction::Return,
        StaffAction::Resolve,
        StaffAction::Infeasible,
        StaffAction::NotMunicipal,
        StaffAction::DuplicateOf,
        StaffAction::Verify,
        StaffAction::VerificationFailed,
        StaffAction::Finding,
        StaffAction::AnswerFinding,
        StaffAction::CloseFinding,
    ];

    /// The stable name in the API, the forms and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            StaffAction::Refer => "refer",
            StaffAction::Accept => "accept",
            StaffAction::Assign => "assign",
            StaffAction::Return => "return",
            StaffAction::Resolve => "resolve",
            StaffAction::Infeasible => "infeasible",
            StaffAction::NotMunicipal => "not_municipal",
            StaffAction::DuplicateOf => "duplicate_of",
            StaffAction::Verify => "verify",
            StaffAction::VerificationFailed => "verification_failed",
            StaffAction::Finding => "finding",
            StaffAction::AnswerFinding => "answer_finding",
            StaffAction::CloseFinding => "close_finding",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    /// Where the action leads; `None` when the status stays (assign, the
    /// inspection findings).
    /// Verify passes through `Verified` to `Closed`.
    pub fn to(self) -> Option<Status> {
        use Status::*;
        match self {
            StaffAction::Refer => Some(Referred),
            StaffAction::Accept => Some(InProgress),
            StaffAction::Assign => None,
            StaffAction::Return => Some(Returned),
            StaffAction::Resolve => Some(Resolved),
            StaffAction::Infeasible => Some(Infeasible),
            StaffAction::NotMunicipal => Some(NotMunicipal),
            StaffAction::DuplicateOf => Some(Duplicate),
            StaffAction::Verify => Some(Verified),
            StaffAction::VerificationFailed => Some(Reopened),
            StaffAction::Finding | StaffAction::AnswerFinding | StaffAction::CloseFinding => None,
        }
    }

    /// Whether the action applies to a complaint in `status`: the status
    /// machine allows its move (assign: while the unit works on it;
    /// inspection findings: in any status, a closed complaint included).
    pub fn applies_to(self, status: Status) -> bool {
        if self.is_finding() {
            return true;
        }
        match self.to() {
            Some(to) => status.can_move_to(to),
            None => matches!(
                status,
                Status::Referred | Status::InProgress | Status::Reopened
            ),
        }
    }

    /// Who may take it.
    pub fn actors(self) -> Actors {
        match self {
            StaffAction::Refer => Actors::Dispatch,
            StaffAction::Accept
            | StaffAction::Return
            | StaffAction::Resolve
            | StaffAction::Infeasible => Actors::Unit,
            StaffAction::Assign => Actors::UnitManager,
            StaffAction::NotMunicipal | StaffAction::DuplicateOf => Actors::UnitOrDispatch,
            StaffAction::Verify | StaffAction::VerificationFailed => Actors::Supervisor,
            StaffAction::Finding | StaffAction::CloseFinding => Actors::Inspector,
            StaffAction::AnswerFinding => Actors::UnitManager,
        }
    }

    /// One of the inspection findings' steps (they move no status).
    pub fn is_finding(self) -> bool {
        matches!(
            self,
            StaffAction::Finding | StaffAction::AnswerFinding | StaffAction::CloseFinding
        )
    }

    /// A note is required: the citizen or the next desk needs the reason.
    pub fn needs_note(self) -> bool {
        matches!(
            self,
            StaffAction::Return
                | StaffAction::Resolve
                | StaffAction::Infeasible
                | StaffAction::NotMunicipal
                | StaffAction::VerificationFailed
                | StaffAction::Finding
                | StaffAction::AnswerFinding
        )
    }

    /// The note is the municipality's public answer (shown on the tracking
    /// page); otherwise it is internal.
    pub fn note_is_public(self) -> bool {
        matches!(
            self,
            StaffAction::Resolve | StaffAction::Infeasible | StaffAction::NotMunicipal
        )
    }

    /// Whether someone holding `grants` may take this action on a complaint
    /// of `unit` (the status is checked separately, by [`Self::applies_to`]).
    pub fn allowed(self, grants: &[Grant], unit: Option<i64>) -> bool {
        let holds = |role: Role| {
            grants
                .iter()
                .any(|g| g.role == role && (!role.is_unit_scoped() || g.unit_id == unit))
        };
        let dispatch = holds(Role::Operator) || holds(Role::Supervisor) || holds(Role::Admin);
        let unit_member = unit.is_some() && (holds(Role::UnitStaff) || holds(Role::UnitManager));
        match self.actors() {
            Actors::Dispatch => dispatch,
            Actors::Unit => unit_member,
            Actors::UnitManager => unit.is_some() && holds(Role::UnitManager),
            Actors::UnitOrDispatch => unit_member || dispatch,
            Actors::Supervisor => holds(Role::Supervisor),
            Actors::Inspector => holds(Role::Inspector),
        }
    }

    /// The actions someone holding `grants` may take now on a complaint in
    /// `status` of `unit`, in display order.
    pub fn available(grants: &[Grant], status: Status, unit: Option<i64>) -> Vec<StaffAction> {
        Self::ALL
            .into_iter()
            .filter(|a| a.applies_to(status) && a.allowed(grants, unit))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(role: Role, unit: Option<i64>) -> Grant {
        Grant {
            role,
            unit_id: unit,
        }
    }

    #[test]
    fn names_round_trip() {
        for a in StaffAction::ALL {
            assert_eq!(StaffAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(StaffAction::parse("close"), None);
    }

    #[test]
    fn unit_roles_act_only_on_their_own_units_complaints() {
        let staff = [g(Role::UnitStaff, Some(1))];
        assert!(StaffAction::Accept.allowed(&staff, Some(1)));
        assert!(!StaffAction::Accept.allowed(&staff, Some(2)));
        assert!(!StaffAction::Accept.allowed(&staff, None));
        assert!(!StaffAction::Assign.allowed(&staff, Some(1)));
        assert!(StaffAction::Assign.allowed(&[g(Role::UnitManager, Some(1))], Some(1)));
        assert!(!StaffAction::Refer.allowed(&staff, Some(1)));
        assert!(!StaffAction::Verify.allowed(&staff, Some(1)));
    }

    #[test]
    fn dispatch_and_verification_belong_to_their_desks() {
        let operator = [g(Role::Operator, None)];
        assert!(StaffAction::Refer.allowed(&operator, None));
        assert!(StaffAction::DuplicateOf.allowed(&operator, None));
        assert!(!StaffAction::Resolve.allowed(&operator, Some(1)));
        assert!(!StaffAction::Verify.allowed(&operator, Some(1)));
        let supervisor = [g(Role::Supervisor, None)];
        assert!(StaffAction::Verify.allowed(&supervisor, Some(1)));
        assert!(StaffAction::VerificationFailed.allowed(&supervisor, Some(1)));
        for role in [Role::Mayor, Role::CouncilMember, Role::Citizen] {
            for a in StaffAction::ALL {
                assert!(!a.allowed(&[g(role, None)], Some(1)), "{role:?} {a:?}");
            }
        }
        // Inspectors record and close findings, and do nothing else.
        let inspector = [g(Role::Inspector, None)];
        let theirs: Vec<_> = StaffAction::ALL
            .into_iter()
            .filter(|a| a.allowed(&inspector, Some(1)))
            .collect();
        assert_eq!(theirs, [StaffAction::Finding, StaffAction::CloseFinding]);
        // The unit's manager answers, their staff and other units do not.
        assert!(StaffAction::AnswerFinding.allowed(&[g(Role::UnitManager, Some(1))], Some(1)));
        assert!(!StaffAction::AnswerFinding.allowed(&[g(Role::UnitManager, Some(2))], Some(1)));
        assert!(!StaffAction::AnswerFinding.allowed(&[g(Role::UnitStaff, Some(1))], Some(1)));
    }

    #[test]
    fn each_action_follows_the_status_machine() {
        use Status::*;
        assert_eq!(
            StaffAction::available(&[g(Role::UnitStaff, Some(1))], Referred, Some(1)),
            vec![
                StaffAction::Accept,
                StaffAction::Return,
                StaffAction::Resolve,
                StaffAction::Infeasible,
                StaffAction::NotMunicipal,
                StaffAction::DuplicateOf
            ]
        );
        assert_eq!(
            StaffAction::available(&[g(Role::Supervisor, None)], Resolved, Some(1)),
            vec![StaffAction::Verify, StaffAction::VerificationFailed]
        );
        for a in StaffAction::ALL {
            for st in [Closed, Duplicate, NotMunicipal, Infeasible] {
                // Findings look back at finished work too.
                assert_eq!(a.applies_to(st), a.is_finding(), "{a:?} from {st:?}");
            }
        }
        assert!(StaffAction::Refer.applies_to(Returned));
        assert!(!StaffAction::Refer.applies_to(InProgress));
        assert!(StaffAction::Assign.applies_to(InProgress));
    }
}
