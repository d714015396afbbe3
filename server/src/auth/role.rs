//! Roles (DESIGN.md "Roles"). Every route and server function checks the role
//! on the server.

/// What a signed-in person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
            .find(|r| r.as_str() == s)
    }
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
