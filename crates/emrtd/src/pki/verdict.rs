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

/// One check from Chip Authentication's and Active Authentication's: a
/// failure of either wins (a genuine chip fails neither), then a pass
/// (Chip Authentication's first), then "not attempted", then "not offered".
pub fn combine(ca: &ChipCheck, aa: &ChipCheck) -> ChipCheck {
    for check in [ca, aa] {
        if matches!(check, ChipCheck::Failed(_)) {
            return check.clone();
        }
    }
    for check in [ca, aa] {
        if matches!(check, ChipCheck::Passed { .. }) {
            return check.clone();
        }
    }
    if [ca, aa].iter().any(|c| **c == ChipCheck::NotAttempted) {
        return ChipCheck::NotAttempted;
    }
    ChipCheck::NotOffered
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::pki::{active, passive, x509::Certificate};
    use crate::reader::Reader;
    use crate::sim::SimChip;
    use crate::sim::document::{DocumentSpec, Scenario, TestPki, generate_scenario};

    /// Every simulated scenario, read through the reader (PACE, every file,
    /// Active Authentication) and judged against the test CSCA, ends in its
    /// verdict for its reason.
    #[test]
    fn every_scenario_gets_its_verdict() {
        let mrz = crate::sim::document::specimen_mrz();
        let trusted = [Certificate::parse(TestPki::new().csca_certificate()).unwrap()];
        for (name, scenario) in Scenario::ALL {
            let (doc, keys) = generate_scenario(&mrz, &DocumentSpec::default(), scenario).unwrap();
            let chip = SimChip::new(doc.files.clone(), &mrz.access_key())
                .active_authentication_key(keys.active_authentication)
                .chip_authentication_key(keys.chip_authentication);
            let mut reader = Reader::new(chip);
            reader.pace(&crate::pace::Password::Mrz(mrz.access_key()), 13).unwrap();
            let mut groups = BTreeMap::new();
            for dg in [1, 2, 11, 12, 14, 15] {
                let id = crate::file::FileId::Dg(crate::lds::DataGroup(dg));
                groups.insert(dg, reader.read_file(id, |_| {}).unwrap());
            }
            let sod = reader.read_file(crate::file::FileId::Sod, |_| {}).unwrap();
            let pa = passive::verify(
                &sod,
                &groups,
                &trusted,
                &[],
                crate::pki::x509::Time::new(2026, 11, 24, 12, 0, 0).expect("a real instant"),
            );
            let challenge = [9, 8, 7, 6, 5, 4, 3, 2];
            let signature = reader.internal_authenticate(&challenge).unwrap();
            let spki = crate::tlv::parse(&groups[&15]).unwrap().value.to_vec();
            let infos = crate::security_infos::parse(&groups[&14]).unwrap();
            let aa = match active::verify(&spki, &infos, &challenge, &signature) {
                Ok(()) => ChipCheck::Passed { key_from: 15 },
                Err(e) => ChipCheck::Failed(e.to_string()),
            };
            let offer = crate::ca::offer(&infos).unwrap().unwrap();
            let ca = match reader.chip_authentication(&offer) {
                Ok(()) => ChipCheck::Passed { key_from: 14 },
                Err(e) => ChipCheck::Failed(e.to_string()),
            };
            let chip = combine(&ca, &aa);
            let (verdict, reason) = decide(&pa, &chip);
            let expected = match scenario {
                Scenario::Genuine => (Verdict::Genuine, "proved it holds the key in DG14"),
                Scenario::AlteredDg1 => (Verdict::NotVerified, "hashes: DG1 differ"),
                Scenario::AlteredDg2 => (Verdict::NotVerified, "hashes: DG2 differ"),
                Scenario::BadSodSignature => (Verdict::NotVerified, "sod_signature:"),
                Scenario::ExpiredSigner => (Verdict::NotVerified, "chain: the document signer's certificate expired"),
                Scenario::UnknownCsca => (Verdict::NotVerified, "chain: no trusted CSCA of UT"),
                Scenario::Clone => (Verdict::NotVerified, "chip authentication failed"),
            };
            assert_eq!(verdict, expected.0, "{name}: {reason}");
            assert!(reason.contains(expected.1), "{name}: {reason}");
        }
    }
}
