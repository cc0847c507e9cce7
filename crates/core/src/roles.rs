//! Who may do what on the shared service: the staff roles, and which of
//! them each operation needs. The server enforces it; a desk hides or
//! disables what the signed-in person may not do, from the same table.

use serde::{Deserialize, Serialize};

/// A staff role, as the service's configuration maps the identity
/// provider's groups to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Callers, contacts, issuing P-codes.
    PhoneAgent,
    /// Counter cases; reading callers.
    CounterStaff,
    /// Revoking any code, merging and deleting callers, reading the audit log.
    Supervisor,
    /// Reading and exporting the audit log, nothing else.
    Auditor,
    /// The trust store and the service's settings.
    Admin,
    /// A training service only: never production data.
    Trainer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] =
        [Role::PhoneAgent, Role::CounterStaff, Role::Supervisor, Role::Auditor, Role::Admin, Role::Trainer];

    /// Its name in configuration and on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Role::PhoneAgent => "phone_agent",
            Role::CounterStaff => "counter_staff",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::Trainer => "trainer",
        }
    }

    /// From its name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// What an operation of the service is, for deciding who may do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Who one is, the hours, the clock: anyone signed in.
    Session,
    /// Reading callers: search, a card, contacts, codes.
    ReadCallers,
    /// Adding or changing a caller.
    WriteCallers,
    /// Logging a contact.
    LogContact,
    /// Issuing a P-code.
    IssuePcode,
    /// Revoking a P-code.
    RevokePcode,
    /// Merging or deleting callers.
    MergeOrDelete,
    /// Redeeming a code as the citizen's app does, from a desk (training
    /// and tests; the MitID side has its own API).
    DeskRedemption,
    /// Counter cases.
    Cases,
    /// Reading and checking the audit log.
    ReadAudit,
    /// Reading the site's trust store (every desk verifies chips with it).
    ReadTrust,
    /// Importing into the site's trust store.
    WriteTrust,
    /// Setting a training service's clock.
    SetClock,
    /// A trainee's desk telling its class where it is, and fetching the
    /// faults sent to it.
    ClassReport,
    /// Following a class's desks and sending them faults.
    ClassRun,
}

impl Operation {
    /// The roles that may do it (any one of them suffices).
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Operation::Session | Operation::ReadTrust => &Role::ALL,
            Operation::ReadCallers => &[PhoneAgent, CounterStaff, Supervisor, Trainer],
            Operation::WriteCallers | Operation::LogContact => &[PhoneAgent, CounterStaff, Supervisor, Trainer],
            Operation::IssuePcode => &[PhoneAgent, Trainer],
            Operation::RevokePcode => &[PhoneAgent, Supervisor, Trainer],
            Operation::MergeOrDelete => &[Supervisor, Trainer],
            Operation::DeskRedemption | Operation::SetClock | Operation::ClassRun => &[Trainer],
            Operation::ClassReport => &[PhoneAgent, CounterStaff, Supervisor, Trainer],
            Operation::Cases => &[CounterStaff, Trainer],
            Operation::ReadAudit => &[Supervisor, Auditor, Trainer],
            Operation::WriteTrust => &[Admin],
        }
    }

    /// Whether someone holding `held` may do it.
    pub fn allowed(self, held: &[Role]) -> bool {
        self.roles().iter().any(|r| held.contains(r))
    }

    /// What to tell someone who may not: the roles that may, in words.
    pub fn needs(self) -> String {
        let names: Vec<&str> = self.roles().iter().filter(|r| **r != Role::Trainer).map(|r| r.name()).collect();
        match names.as_slice() {
            [] => "the trainer role (on a training service)".into(),
            [one] => format!("the {one} role"),
            [rest @ .., last] => format!("one of the roles {} or {last}", rest.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_its_operations_and_says_what_is_needed() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.name()), Some(role));
        }
        assert!(Operation::IssuePcode.allowed(&[Role::PhoneAgent]));
        assert!(!Operation::IssuePcode.allowed(&[Role::CounterStaff, Role::Auditor]));
        assert!(Operation::ReadAudit.allowed(&[Role::Auditor]));
        assert!(!Operation::ReadCallers.allowed(&[Role::Auditor]), "an auditor reads the log only");
        assert!(!Operation::WriteTrust.allowed(&[]));
        assert_eq!(Operation::WriteTrust.needs(), "the admin role");
        assert_eq!(Operation::MergeOrDelete.needs(), "the supervisor role");
        assert_eq!(Operation::ReadAudit.needs(), "one of the roles supervisor or auditor");
        assert_eq!(Operation::SetClock.needs(), "the trainer role (on a training service)");
        assert!(Operation::ClassReport.allowed(&[Role::CounterStaff]), "a trainee's desk is in the class");
        assert!(!Operation::ClassRun.allowed(&[Role::PhoneAgent, Role::Supervisor]), "only the trainer runs it");
        assert!(!Operation::ClassReport.allowed(&[Role::Auditor]));
    }
}
