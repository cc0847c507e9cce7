//! The enrollment case in the desk's records, and the answers to work
//! started for a person: each carries that person's tag, so an answer for a
//! case that has ended never reaches the next person's screen.

use super::face;
use crate::chip_read::Report;

/// Which person's case an answer belongs to: the screen numbers the people
/// at the desk in turn, and work started for one carries their number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaseTag(pub(super) u64);

/// An answer to work started for a case.
#[derive(Debug, Clone)]
pub enum Reply {
    /// How the read goes.
    Report(Report),
    /// The face comparison, or why it failed.
    Compared(Result<face::Comparison, crate::camera::Problem>),
    /// What the desk's records did.
    Case(CaseAnswer),
}

/// What a change to the case in the desk's records did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseAnswer {
    /// The case was opened with this id.
    Opened(i64),
    /// The change was written.
    Written,
    /// It could not be written; the text says why.
    Failed(String),
}

/// Work on the enrollment case, done with the desk.
#[derive(Debug, Clone)]
pub enum CaseRequest {
    /// Open a case.
    Open,
    /// Record a step's result.
    Record {
        /// The case.
        id: i64,
        /// "chip", "face", "handover".
        step: &'static str,
        /// The verdict.
        verdict: String,
        /// Hashes, fingerprints, reasons — no personal data.
        detail: String,
    },
    /// Close the case.
    Close {
        /// The case.
        id: i64,
        /// How it ended.
        outcome: &'static str,
    },
}

impl CaseRequest {
    /// Does the work (blocking) and says how it went.
    pub fn perform(self, desk: &mut dyn mitid_core::service::DeskService) -> CaseAnswer {
        let result = match self {
            CaseRequest::Open => {
                return desk.open_case().map_or_else(|e| CaseAnswer::Failed(e.to_string()), CaseAnswer::Opened);
            }
            CaseRequest::Record { id, step, verdict, detail } => desk.record_case_step(id, step, &verdict, &detail),
            CaseRequest::Close { id, outcome } => desk.close_case(id, outcome),
        };
        result.map_or_else(|e| CaseAnswer::Failed(e.to_string()), |()| CaseAnswer::Written)
    }
}

/// An answer for a case that has ended: never shown to the next person. A
/// case that opened only after its person had gone is closed at once; a
/// change that could not be written is logged (the reason names no one).
pub(super) fn late(tag: CaseTag, reply: Reply) -> Option<super::Event> {
    match reply {
        Reply::Case(CaseAnswer::Opened(id)) => {
            Some(super::Event::Case(tag, CaseRequest::Close { id, outcome: "ended before it opened" }))
        }
        Reply::Case(CaseAnswer::Failed(why)) => {
            tracing::warn!(reason = %why, "a change to an ended case could not be written");
            None
        }
        _ => None,
    }
}
