//! The verdict on a document, from passive authentication and whatever
//! the chip proved about its key. Order matters: a key counts only when PA
//! vouched for the data group it came from (a clone can put its own key in
//! DG14/DG15, but then their hashes no longer match the signed SOD).

use super::passive::{Report, Step};

/// What Chip Authentication, Active Authentication or PACE-CAM showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChipCheck {
    /// The document offers none of them.
    NotOffered,
    /// Offered, but not run.
    NotAttempted,
    /// The chip proved it holds the private key of the public key in this
    /// data group (14 for CA and PACE-CAM, 15 for AA).
    Passed {
        /// The data group the key came from.
        key_from: u8,
    },
    /// The chip failed the proof.
    Failed(String),
}

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// PA passed, and the chip proved a PA-vouched key: a genuine chip.
    Genuine,
    /// PA passed, but nothing rules out a copy of the data on another chip.
    CloneNotExcluded,
    /// Not verified (the reason says which step and why).
    NotVerified,
}

impl Verdict {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Genuine => "genuine",
            Self::CloneNotExcluded => "clone_not_excluded",
            Self::NotVerified => "not_verified",
        }
    }
}

/// A step's JSON name.
pub fn step_name(step: Step) -> &'static str {
    match step {
        Step::SodSignature => "sod_signature",
        Step::Chain => "chain",
        Step::Revocation => "revocation",
        Step::Hashes => "hashes",
    }
}

/// Decides, with a reason people can read.
pub fn decide(pa: &Report, chip: &ChipCheck) -> (Verdict, String) {
    if !pa.passed() {
        let reason = match pa.failure() {
            Some((step, failure)) => format!("{}: {failure}", step_name(step)),
            None => "passive authentication did not pass".into(),
        };
        return (Verdict::NotVerified, reason);
    }
    match chip {
        ChipCheck::Passed { key_from } if pa.vouches_for(*key_from) => (
            Verdict::Genuine,
            format!("the data is signed by its issuer and the chip proved it holds the key in DG{key_from}"),
        ),
        ChipCheck::Passed { key_from } => {
            (Verdict::NotVerified, format!("the chip's key in DG{key_from} is not covered by the issuer's signature"))
        }
        ChipCheck::Failed(reason) => (Verdict::NotVerified, format!("chip authentication failed: {reason}")),
        ChipCheck::NotOffered => (
            Verdict::CloneNotExcluded,
            "the data is signed by its issuer; the chip offers no chip authentication, so a copy cannot be ruled out"
                .into(),
        ),
        ChipCheck::NotAttempted => (
            Verdict::CloneNotExcluded,
            "the data is signed by its issuer; chip authentication was not run, so a copy cannot be ruled out".into(),
        ),
    }
}
