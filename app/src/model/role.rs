//! Roles (DESIGN.md "Roles"). Every route and server function checks the role
//! on the server; pages use the same rules to show only what is allowed.

use serde::{Deserialize, Serialize};

/// What a signed-in person may do. A person may hold several roles; the
/// unit-scoped ones ([`Role::is_unit_scoped`]) are held for one unit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Citizen,
    /// Phone and walk-in intake (اپراتور).
    Operator,
    UnitStaff,
    UnitManager,
    /// ناظر: verifies fixes with citizens.
    Supervisor,
    /// بازرس: receives second SLA breaches.
    Inspector,
    Mayor,
    CouncilMember,
    Admin,
}

impl Role {
    /// Every staff role, in the order the demo accounts are listed.
    pub const STAFF: [Role; 8] = [
        Role::Admin,
        Role::Operator,
        Role::UnitStaff,
        Role::UnitManager,
        Role::Supervisor,
        Role::Inspector,
        Role::Mayor,
        Role::CouncilMember,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Operator => "operator",
            Role::UnitStaff => "unit_staff",
            Role::UnitManager => "unit_manager",
            Role::Supervisor => "supervisor",
            Role::Inspector => "inspector",
            Role::Mayor => "mayor",
            Role::CouncilMember => "council_member",
            Role::Admin => "admin",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::STAFF
            .into_iter()
            .chain([Role::Citizen])
            .find(|r| r.as_str() == s.trim())
    }

    /// Held for one unit: its holder sees only that unit's complaints.
    pub fn is_unit_scoped(self) -> bool {
        matches!(self, Role::UnitStaff | Role::UnitManager)
    }
}

/// One role a staff member holds, for a unit when the role is unit-scoped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Grant {
    pub role: Role,
    pub unit_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::STAFF.into_iter().chain([Role::Citizen]) {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
