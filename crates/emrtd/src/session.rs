//! A whole document read, as the counter screen and `chip read` do it:
//! EF.CardAccess decides PACE (CAM, GM or IM) or BAC; EF.COM, EF.SOD and
//! every data group but the EAC-protected DG3/DG4 are read; then passive
//! authentication against the trusted CSCAs, Active Authentication (when
//! DG15 is there), Chip Authentication (when DG14 offers it, last, since it
//! re-keys), PACE-CAM's proof, and the verdict.

use std::collections::BTreeMap;

use crate::file::FileId;
use crate::lds::{self, LdsError};
use crate::mrz::{AccessKey, Mrz};
use crate::pace::{Password, Suite};
use crate::pki::passive::{self, Report};
use crate::pki::verdict::{self, ChipCheck, Verdict};
use crate::pki::x509::{Certificate, Crl, Time};
use crate::pki::{active, x509};
use crate::reader::{Progress, ReadError, Reader};
use crate::security_infos;
use crate::transport::Transport;
use jiff::civil::Date;

/// What opens the chip.
#[derive(Clone, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub enum Secret {
    /// The MRZ's access key (BAC or PACE).
    Mrz(AccessKey),
    /// The CAN (PACE only).
    Can(String),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Mrz(_) => "Secret::Mrz(..)",
            Self::Can(_) => "Secret::Can(..)",
        })
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The chip offers no PACE, so a CAN cannot open it.
    #[error("this chip does not offer PACE, so the CAN cannot open it: use the MRZ")]
    CanWithoutPace,
    /// Reading failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// EF.COM or EF.SOD is not well-formed.
    #[error("the chip's {0}")]
    Lds(LdsError),
}

/// How the chip was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Basic Access Control.
    Bac,
    /// PACE with this suite.
    Pace(Suite),
}

/// One file as read.
#[derive(Debug, Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct FileRead {
    /// Which file.
    #[zeroize(skip)]
    pub file_id: FileId,
    /// Its bytes, exactly as read (zeroed when dropped: they hold the
    /// person's data and photo).
    pub bytes: Vec<u8>,
    /// APDUs its reading took.
    pub apdus: u32,
}

/// Where a read is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Opening the chip (PACE or BAC).
    Opening,
    /// Reading a file.
    File(Progress),
    /// Checking signatures and the chip's keys.
    Checking,
}

/// What the trust checks need.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// The trusted CSCAs.
    pub certificates: Vec<Certificate>,
    /// The CRLs.
    pub crls: Vec<Crl>,
    /// Now, YYYYMMDDHHMMSS UTC.
    pub now: Time,
}

/// A document read and judged.
#[derive(Debug, Clone)]
pub struct Document {
    /// How the chip was opened.
    pub access: Access,
    /// Every file read, in order.
    pub files: Vec<FileRead>,
    /// Data groups listed in EF.COM but EAC-protected (not attempted).
    pub skipped_eac: Vec<u8>,
    /// Passive authentication.
    pub passive: Report,
    /// Active Authentication.
    pub active: ChipCheck,
    /// Chip Authentication.
    pub chip: ChipCheck,
    /// PACE-CAM's proof.
    pub pace_cam: ChipCheck,
    /// The verdict and its reason.
    pub verdict: (Verdict, String),
}

impl Document {
    /// A file's bytes, if read.
    pub fn file(&self, file_id: FileId) -> Option<&[u8]> {
        self.files.iter().find(|f| f.file_id == file_id).map(|f| f.bytes.as_slice())
    }

    /// DG1's MRZ as the chip holds it; `None` when DG1 was not read or is
    /// not well-formed.
    pub fn dg1(&self) -> Option<Mrz> {
        lds::parse_dg1(self.file(FileId::DG1)?).ok()
    }

    /// The holder's photo: DG2's first face, decoded (zeroed when dropped).
    pub fn face(&self) -> Result<crate::face::Rgb, crate::face::FaceError> {
        crate::face::first_face(self.file(FileId::DG2).unwrap_or_default())
    }

    /// Whether the document is valid on `today` by DG1's date of expiry
    /// (the day of expiry included); `None` without a readable DG1.
    pub fn valid_on(&self, today: Date) -> Option<bool> {
        Some(today <= self.dg1()?.expiry()?)
    }

    /// What the read rests on, for the record — no personal data: the
    /// access used, a hash of the signed security object, the signer's and
    /// the CSCA's certificate fingerprints, and each check's result.
    pub fn summary(&self) -> String {
        let short = |hex: String| hex.chars().take(16).collect::<String>();
        let sod = self
            .file(FileId::Sod)
            .map(|sod| {
                short(crate::lds::HashAlgorithm::Sha256.digest(sod).iter().map(|b| format!("{b:02x}")).collect())
            })
            .unwrap_or_default();
        let access = match self.access {
            Access::Bac => "bac".to_owned(),
            Access::Pace(suite) => {
                format!(
                    "pace{}-{}",
                    if suite.cam {
                        "-cam"
                    } else if suite.im {
                        "-im"
                    } else {
                        ""
                    },
                    suite.parameter_id
                )
            }
        };
        let check = |c: &ChipCheck| match c {
            ChipCheck::Passed { .. } => "passed",
            ChipCheck::Failed(_) => "failed",
            ChipCheck::NotAttempted => "not_attempted",
            ChipCheck::NotOffered => "not_offered",
        };
        format!(
            "access={access} sod_sha256={sod} ds={} csca={} aa={} ca={} cam={}",
            self.passive.signer.as_ref().map(|c| short(c.fingerprint())).unwrap_or_default(),
            self.passive.csca.as_ref().map(|c| short(c.fingerprint())).unwrap_or_default(),
            check(&self.active),
            check(&self.chip),
            check(&self.pace_cam),
        )
    }

    /// The data groups read, number → bytes.
    pub fn data_groups(&self) -> BTreeMap<u8, Vec<u8>> {
        self.files.iter().filter_map(|f| Some((f.file_id.as_data_group()?.0, f.bytes.clone()))).collect()
    }
}

/// Opens the chip with `secret`: PACE as EF.CardAccess offers it, BAC when
/// it offers none or PACE fails for another reason than the password.
pub fn open<T: Transport>(reader: &mut Reader<T>, secret: &Secret) -> Result<Access, SessionError> {
    let offered = reader.card_access()?.and_then(|bytes| crate::pace::choose(&security_infos::parse(&bytes).ok()?));
    match (offered, secret) {
        (Some(suite), Secret::Can(can)) => {
            reader.pace_suite(&Password::Can(can.clone()), &suite)?;
            Ok(Access::Pace(suite))
        }
        (None, Secret::Can(_)) => Err(SessionError::CanWithoutPace),
        (Some(suite), Secret::Mrz(key)) => match reader.pace_suite(&Password::Mrz(key.clone()), &suite) {
            Ok(()) => Ok(Access::Pace(suite)),
            Err(ReadError::AccessDenied) => Err(ReadError::AccessDenied.into()),
            Err(_) => {
                reader.bac(key)?;
                Ok(Access::Bac)
            }
        },
        (None, Secret::Mrz(key)) => {
            reader.bac(key)?;
            Ok(Access::Bac)
        }
    }
}

/// Reads and judges the whole document.
pub fn read_document<T: Transport>(
    reader: &mut Reader<T>,
    secret: &Secret,
    trust: &Trust,
    progress: &mut dyn FnMut(Stage),
) -> Result<Document, SessionError> {
    progress(Stage::Opening);
    let access = open(reader, secret)?;
    let mut files = Vec::new();
    let mut read = |reader: &mut Reader<T>, file_id: FileId| -> Result<Vec<u8>, SessionError> {
        let before = reader.stats().apdus;
        let bytes = reader.read_file(file_id, |p| progress(Stage::File(p)))?;
        files.push(FileRead { file_id, bytes: bytes.clone(), apdus: reader.stats().apdus - before });
        Ok(bytes)
    };
    let com = lds::parse_com(&read(reader, FileId::Com)?).map_err(SessionError::Lds)?;
    read(reader, FileId::Sod)?;
    let mut skipped_eac = Vec::new();
    for dg in &com.data_groups {
        if matches!(dg.0, 3 | 4) {
            skipped_eac.push(dg.0);
            continue;
        }
        read(reader, FileId::Dg(*dg))?;
    }
    progress(Stage::Checking);
    let mut document = Document {
        access,
        files,
        skipped_eac,
        passive: passive::verify(&[], &BTreeMap::new(), &[], &[], trust.now),
        active: ChipCheck::NotOffered,
        chip: ChipCheck::NotOffered,
        pace_cam: ChipCheck::NotOffered,
        verdict: (Verdict::NotVerified, String::new()),
    };
    let groups = document.data_groups();
    let sod = document.file(FileId::Sod).unwrap_or_default().to_vec();
    document.passive = passive::verify(&sod, &groups, &trust.certificates, &trust.crls, trust.now);
    let infos = groups.get(&14).and_then(|b| security_infos::parse(b).ok()).unwrap_or_default();
    // Active Authentication only when DG15 is there (some chips answer
    // 6A88 otherwise).
    if let Some(dg15) = groups.get(&15) {
        let spki = crate::tlv::parse(dg15).map(|t| t.value.to_vec()).unwrap_or_default();
        document.active = match reader.active_authentication() {
            Ok((challenge, signature)) => match active::verify(&spki, &infos, &challenge, &signature) {
                Ok(()) => ChipCheck::Passed { key_from: 15 },
                Err(e) => ChipCheck::Failed(e.to_string()),
            },
            Err(e) => ChipCheck::Failed(format!("the chip did not answer Active Authentication: {e}")),
        };
    }
    // PACE-CAM's proof, against DG14's key.
    let offer = crate::ca::offer(&infos);
    if let Some(proof) = reader.pace_cam_data() {
        document.pace_cam = match &offer {
            Ok(Some(offer)) => match crate::cam::verify(proof, &offer.key) {
                Ok(()) => ChipCheck::Passed { key_from: 14 },
                Err(e) => ChipCheck::Failed(e.to_string()),
            },
            _ => ChipCheck::Failed("PACE-CAM ran, but DG14 has no key to check it".into()),
        };
    }
    // Chip Authentication last: it re-keys, and a failure ends the session.
    document.chip = match offer {
        Ok(Some(offer)) => match reader.chip_authentication(&offer) {
            Ok(()) => ChipCheck::Passed { key_from: 14 },
            Err(e) => ChipCheck::Failed(e.to_string()),
        },
        Ok(None) => ChipCheck::NotOffered,
        Err(e) => ChipCheck::Failed(e.to_string()),
    };
    let combined = verdict::combine(&verdict::combine(&document.pace_cam, &document.chip), &document.active);
    document.verdict = verdict::decide(&document.passive, &combined);
    Ok(document)
}

/// Trust material as certificates (a convenience for callers holding DER).
pub fn certificates(ders: &[Vec<u8>]) -> Vec<Certificate> {
    ders.iter().filter_map(|d| x509::Certificate::parse(d).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimChip;
    use crate::sim::document::{DocumentSpec, Scenario, TestPki, generate_scenario, specimen_mrz};

    #[test]
    fn what_a_read_holds_of_the_person_can_be_zeroed() {
        // Drop calls exactly this (ZeroizeOnDrop); here it is called by hand
        // so the result can be looked at.
        use zeroize::Zeroize;
        let mut mrz = specimen_mrz();
        let mut key = mrz.access_key();
        key.zeroize();
        assert!(key.document_number.is_empty() && key.birth_date.is_empty() && key.expiry_date.is_empty());
        mrz.zeroize();
        assert!(mrz.lines.is_empty() && mrz.primary_name.is_empty() && mrz.document_number.is_empty());
        let mut file = FileRead { file_id: FileId::DG2, bytes: vec![0xFF; 64], apdus: 1 };
        file.zeroize();
        assert!(file.bytes.is_empty());
        let mut can = Secret::Can("123456".into());
        can.zeroize();
        assert!(matches!(&can, Secret::Can(c) if c.is_empty()));
    }

    #[test]
    fn a_genuine_document_end_to_end_with_progress() {
        let mrz = specimen_mrz();
        let (doc, keys) = generate_scenario(&mrz, &DocumentSpec::default(), Scenario::Genuine).unwrap();
        let chip = SimChip::new(doc.files.clone(), &mrz.access_key())
            .active_authentication_key(keys.active_authentication)
            .chip_authentication_key(keys.chip_authentication);
        let mut reader = Reader::new(chip);
        let trust = Trust {
            certificates: certificates(&[TestPki::new().csca_certificate().to_vec()]),
            crls: Vec::new(),
            now: crate::pki::x509::Time::new(2026, 11, 24, 12, 0, 0).expect("a real instant"),
        };
        let mut stages = Vec::new();
        let read = read_document(&mut reader, &Secret::Mrz(mrz.access_key()), &trust, &mut |s| stages.push(s)).unwrap();
        assert_eq!(read.verdict.0, Verdict::Genuine, "{}", read.verdict.1);
        assert!(matches!(read.access, Access::Pace(_)));
        assert_eq!(stages.first(), Some(&Stage::Opening));
        assert_eq!(stages.last(), Some(&Stage::Checking));
        // DG2's progress ends at its size.
        let dg2 = doc.files[&FileId::DG2].len();
        assert!(stages.contains(&Stage::File(Progress {
            file_id: FileId::DG2,
            done: dg2,
            total: Some(dg2),
            lost: false
        })));
        // Valid up to its day of expiry, not after; DG1 and the face as typed.
        let expiry = read.dg1().and_then(|m| m.expiry()).expect("DG1's date of expiry");
        assert_eq!(read.valid_on(expiry), Some(true));
        assert_eq!(read.valid_on(expiry.tomorrow().expect("a day")), Some(false));
        assert_eq!(read.dg1().map(|m| m.primary_name.clone()).as_deref(), Some(mrz.primary_name.as_str()));
        assert!(read.face().is_ok_and(|face| face.width > 0));
        let summary = read.summary();
        assert!(summary.starts_with("access=pace-13 sod_sha256="), "{summary}");
        assert!(summary.ends_with("aa=passed ca=passed cam=not_offered"), "{summary}");
        assert!(!summary.contains("ERIKSSON") && !summary.contains("L898902C3"), "no personal data: {summary}");
        // A CAN on a BAC-only chip is refused with its own error.
        let chip = SimChip::new(doc.files.clone(), &mrz.access_key())
            .quirks(crate::sim::Quirks { pace: false, ..crate::sim::Quirks::default() });
        let mut reader = Reader::new(chip);
        let err = read_document(&mut reader, &Secret::Can("123456".into()), &trust, &mut |_| {}).unwrap_err();
        assert_eq!(err, SessionError::CanWithoutPace);
    }
}
