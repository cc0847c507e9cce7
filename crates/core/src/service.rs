//! The one seam between the screens and command line and the records:
//! callers, contacts, P-codes, counter cases and the audit log. A service
//! stamps the agent and the time on every change itself and enforces
//! MitID Support's hours itself, whatever the client shows; its errors are
//! typed, for the client to put in words.
//!
//! [`crate::desk::Desk`] is the embedded service (SQLite, a single desk and
//! demo mode); a desk that works with others reaches the shared service
//! through a client of its own behind the same trait. One contract test
//! suite (`crates/core/tests/contract.rs`) runs against each.

use jiff::Timestamp;

use crate::audit::AuditEntry;
use crate::caller::{Caller, CallerDetails, Channel, Contact};
use crate::pcode::{PCode, PCodeInfo, Redemption};
use crate::store::{AuditFilter, AuditReport, CaseStep, Hit, StoreError};
use crate::support_hours::SupportHours;
use crate::trust::{ImportReport, TrustStore, TrustWarning};

/// The trust store chips are verified against, as the service has it.
#[derive(Debug)]
pub struct TrustView {
    /// The CSCA certificates and CRLs.
    pub store: TrustStore,
    /// Whose they are.
    pub origin: TrustOrigin,
    /// What wants attention (CRLs getting old, lists not fetched lately).
    pub warnings: Vec<TrustWarning>,
}

/// Where a [`TrustView`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustOrigin {
    /// This desk's own store, in its data folder.
    Desk,
    /// The site's, from the shared service: `fetched` is when the desk last
    /// had it from the service; `live` whether that was just now (else the
    /// service is away and this is the desk's copy).
    Site {
        /// When the desk last had the list from the service.
        fetched: Timestamp,
        /// Whether the service answered just now.
        live: bool,
    },
}

/// A contact with a caller, as the agent logs it (the service adds when
/// and who).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewContact {
    /// Phone or counter.
    pub channel: Channel,
    /// How it ended.
    pub outcome: String,
    /// Free text.
    #[serde(default)]
    pub note: String,
}

/// The records, as every screen and command reaches them.
pub trait DeskService: Send {
    /// Who changes are recorded under.
    fn agent(&self) -> &str;

    /// Now, by the service's clock.
    fn now(&self) -> Timestamp;

    /// MitID Support's hours, as the service enforces them.
    fn hours(&self) -> &SupportHours;

    /// Callers matching what was typed (name, phone, e-mail, references),
    /// best first.
    fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError>;

    /// One caller.
    fn caller(&self, id: i64) -> Result<Option<Caller>, StoreError>;

    /// How many callers there are.
    fn caller_count(&self) -> Result<u64, StoreError>;

    /// Adds a caller; returns their id.
    fn add_caller(&mut self, details: CallerDetails) -> Result<i64, StoreError>;

    /// Adds many callers in one change (`action` names it in the audit log:
    /// "caller.import", "caller.generate").
    fn add_callers(&mut self, batch: Vec<CallerDetails>, action: &str) -> Result<Vec<i64>, StoreError>;

    /// Changes what is recorded of a caller.
    fn update_caller(&mut self, id: i64, details: CallerDetails) -> Result<(), StoreError>;

    /// Deletes a caller and everything about them.
    fn delete_caller(&mut self, id: i64) -> Result<(), StoreError>;

    /// Merges a duplicate into the caller kept.
    fn merge_callers(&mut self, into: i64, from: i64) -> Result<(), StoreError>;

    /// Logs a contact with a caller.
    fn log_contact(&mut self, caller_id: i64, contact: NewContact) -> Result<(), StoreError>;

    /// A caller's contacts, newest first.
    fn contacts(&self, caller_id: i64) -> Result<Vec<Contact>, StoreError>;

    /// Issues a P-code to a caller — only while MitID Support is open (else
    /// [`StoreError::Closed`], with when it opens; the refusal is audited).
    fn issue_pcode(&mut self, caller_id: i64) -> Result<(PCode, PCodeInfo), StoreError>;

    /// Demo mode's lessons only: gives the caller a P-code issued 61 days
    /// ago, so it has expired by now (the code itself is never shown).
    /// Refused everywhere but on a demo desk.
    fn issue_expired_pcode_for_lesson(&mut self, caller_id: i64) -> Result<PCodeInfo, StoreError> {
        let _ = caller_id;
        Err(StoreError::Refused("only a demo desk gives a lesson's callers expired P-codes".into()))
    }

    /// Redeems a code for a caller, as the citizen's MitID app would; with
    /// the attempts left afterwards.
    fn redeem_pcode(&mut self, caller_id: i64, code: &PCode) -> Result<(Redemption, u8), StoreError>;

    /// Revokes a P-code with a reason.
    fn revoke_pcode(&mut self, reference: &str, reason: &str) -> Result<PCodeInfo, StoreError>;

    /// A P-code by its reference.
    fn pcode(&self, reference: &str) -> Result<Option<PCodeInfo>, StoreError>;

    /// A caller's P-codes.
    fn pcodes(&self, caller_id: i64) -> Result<Vec<PCodeInfo>, StoreError>;

    /// Opens a counter case; returns its id.
    fn open_case(&mut self) -> Result<i64, StoreError>;

    /// Records a step of a case: its verdict and what it rests on (never
    /// personal data).
    fn record_case_step(&mut self, id: i64, step: &str, verdict: &str, detail: &str) -> Result<(), StoreError>;

    /// Closes a case with how it ended.
    fn close_case(&mut self, id: i64, outcome: &str) -> Result<(), StoreError>;

    /// A case's steps.
    fn case_steps(&self, id: i64) -> Result<Vec<CaseStep>, StoreError>;

    /// The audit log's entries that match.
    fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError>;

    /// Checks the audit log's chain.
    fn verify_audit(&self) -> Result<AuditReport, StoreError>;

    /// The trust store chips are verified against: the desk's own, or the
    /// site's (from the desk's copy while the service is away).
    fn trust(&self) -> Result<TrustView, StoreError>;

    /// Imports a CSCA master list, CSCA certificate(s) or CRL(s) (`source`
    /// names the file) into that trust store; audited.
    fn import_trust(&mut self, bytes: &[u8], source: &str) -> Result<ImportReport, StoreError>;

    /// Checks that the service can be reached (and, for a client of the
    /// shared service, delivers what waits in its outbox). The embedded
    /// service is always there.
    fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// A desk of a class tells its class where the trainee is; it gets
    /// the class's lesson and clock and the faults the trainer sent it.
    /// Only a client of a training service is in a class.
    fn class_report(&self, report: &crate::api::DeskReport) -> Result<crate::api::ClassOrders, StoreError> {
        let _ = report;
        Err(no_class())
    }

    /// Sets the class's clock, and how fast it runs (the trainer's).
    fn class_clock(&self, at: Timestamp, speed: Option<f64>) -> Result<(), StoreError> {
        let _ = (at, speed);
        Err(no_class())
    }

    /// The class's desks and where each is (the trainer's).
    fn class_view(&self) -> Result<crate::api::ClassView, StoreError> {
        Err(no_class())
    }

    /// Sends a fault to a desk of the class, or to every desk (`None`);
    /// how many it went to (the trainer's).
    fn class_fault(&self, desk: Option<&str>, fault: crate::lesson::FaultKind) -> Result<u64, StoreError> {
        let _ = (desk, fault);
        Err(no_class())
    }
}

fn no_class() -> StoreError {
    StoreError::Refused("this desk is in no class: a class is served by mitid-assist-server --demo".into())
}
