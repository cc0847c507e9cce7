//! The Logical Data Structure (ICAO 9303-10): EF.COM, DG1 and the SOD's LDS
//! security object with the hash of every data group; checking the raw
//! bytes of each data group read against it. (The SOD's signature is the
//! trust step's.) Parsers of chip bytes never panic.

use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use crate::mrz::{Mrz, MrzError};
use crate::tlv::{self, TlvError};

/// Why a file from the chip cannot be read as what it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdsError {
    /// Not TLV.
    #[error("the file is not well-formed: {0}")]
    Tlv(#[from] TlvError),
    /// TLV, but not the expected structure.
    #[error("the file is not a valid {0}")]
    Structure(&'static str),
    /// DG1's MRZ does not parse.
    #[error("the MRZ stored on the chip is not valid: {0}")]
    Mrz(#[from] MrzError),
    /// A hash algorithm the LDS does not use.
    #[error("the security object uses an unknown hash algorithm")]
    HashAlgorithm,
}

/// A data group, by number (1–16), with its LDS tag and short file id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataGroup(pub u8);

impl DataGroup {
    /// The DG for an EF.COM tag list entry (0x61 → DG1, 0x75 → DG2, …).
    pub fn from_tag(tag: u8) -> Option<Self> {
        Some(Self(match tag {
            0x61 => 1,
            0x75 => 2,
            0x63 => 3,
            0x76 => 4,
            0x65 => 5,
            0x66 => 6,
            0x67 => 7,
            0x68 => 8,
            0x69 => 9,
            0x6A => 10,
            0x6B => 11,
            0x6C => 12,
            0x6D => 13,
            0x6E => 14,
            0x6F => 15,
            0x70 => 16,
            _ => return None,
        }))
    }

    /// Its file identifier (0101–0110).
    pub fn file_id(self) -> u16 {
        0x0100 + u16::from(self.0)
    }

    /// Its short file identifier (1–16).
    pub fn sfi(self) -> u8 {
        self.0
    }
}

/// EF.COM: versions and which data groups are present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Com {
    /// LDS version, e.g. "0107".
    pub lds_version: String,
    /// Unicode version, e.g. "040000".
    pub unicode_version: String,
    /// The data groups present.
    pub data_groups: Vec<DataGroup>,
}

/// Parses EF.COM.
pub fn parse_com(bytes: &[u8]) -> Result<Com, LdsError> {
    let com = tlv::parse(bytes)?;
    if com.tag != 0x60 {
        return Err(LdsError::Structure("EF.COM"));
    }
    let (mut lds_version, mut unicode_version, mut data_groups) = (String::new(), String::new(), Vec::new());
    let mut inner = com.children();
    while !inner.is_empty() {
        let t = inner.next_tlv()?;
        match t.tag {
            0x5F01 => lds_version = String::from_utf8_lossy(t.value).into_owned(),
            0x5F36 => unicode_version = String::from_utf8_lossy(t.value).into_owned(),
            0x5C => data_groups = t.value.iter().filter_map(|b| DataGroup::from_tag(*b)).collect(),
            _ => {}
        }
    }
    Ok(Com { lds_version, unicode_version, data_groups })
}

/// Parses DG1: the MRZ as stored on the chip.
pub fn parse_dg1(bytes: &[u8]) -> Result<Mrz, LdsError> {
    let dg1 = tlv::parse(bytes)?;
    if dg1.tag != 0x61 {
        return Err(LdsError::Structure("DG1"));
    }
    let mrz = dg1.children().find(0x5F1F)?.ok_or(LdsError::Structure("DG1"))?;
    let text = std::str::from_utf8(mrz.value).map_err(|_| LdsError::Structure("DG1"))?;
    Ok(Mrz::parse(text)?)
}

/// A text field of DG11 (additional personal details) or DG12 (additional
/// document details), named for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextField {
    /// Its tag, e.g. 0x5F0E.
    pub tag: u32,
    /// What it is, e.g. "full name".
    pub name: &'static str,
    /// The text (fillers `<` turned into spaces).
    pub value: String,
}

fn field_name(tag: u32) -> Option<&'static str> {
    Some(match tag {
        0x5F0E => "full name",
        0x5F0F => "other name",
        0x5F10 => "personal number",
        0x5F2B => "full date of birth",
        0x5F11 => "place of birth",
        0x5F42 => "address",
        0x5F12 => "telephone",
        0x5F13 => "profession",
        0x5F14 => "title",
        0x5F15 => "personal summary",
        0x5F18 => "custody information",
        0x5F19 => "issuing authority",
        0x5F26 => "date of issue",
        0x5F1B => "endorsements and observations",
        0x5F1C => "tax or exit requirements",
        0x5F55 => "date and time of personalization",
        0x5F56 => "personalization system serial number",
        _ => return None,
    })
}

/// Parses DG11 (tag 6B) or DG12 (tag 6C): their text fields, in order.
/// Other names (5F0F) may sit inside an A0 group; binary fields (images of
/// the front and back, 5F1D/5F1E) are skipped.
pub fn parse_text_dg(bytes: &[u8]) -> Result<Vec<TextField>, LdsError> {
    let dg = tlv::parse(bytes)?;
    if !matches!(dg.tag, 0x6B | 0x6C) {
        return Err(LdsError::Structure("DG11/DG12"));
    }
    let mut fields = Vec::new();
    let mut stack = vec![dg.children()];
    while let Some(mut reader) = stack.pop() {
        while !reader.is_empty() {
            let t = reader.next_tlv()?;
            if t.tag == 0xA0 {
                stack.push(t.children());
            } else if let Some(name) = field_name(t.tag) {
                let value = String::from_utf8_lossy(t.value).replace('<', " ").trim().to_owned();
                fields.push(TextField { tag: t.tag, name, value });
            }
        }
    }
    Ok(fields)
}

/// A hash algorithm of the LDS security object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlgorithm {
    /// SHA-1.
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// From the DER content of its OID.
    pub fn from_oid(oid: &[u8]) -> Option<Self> {
        const NIST: [u8; 8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];
        match oid {
            [0x2B, 0x0E, 0x03, 0x02, 0x1A] => Some(Self::Sha1),
            [rest @ .., last] if rest == NIST => match last {
                1 => Some(Self::Sha256),
                2 => Some(Self::Sha384),
                3 => Some(Self::Sha512),
                4 => Some(Self::Sha224),
                _ => None,
            },
            _ => None,
        }
    }

    /// The hash of `bytes`.
    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(bytes).to_vec(),
            Self::Sha224 => Sha224::digest(bytes).to_vec(),
            Self::Sha256 => Sha256::digest(bytes).to_vec(),
            Self::Sha384 => Sha384::digest(bytes).to_vec(),
            Self::Sha512 => Sha512::digest(bytes).to_vec(),
        }
    }
}

/// The LDS security object inside EF.SOD: which hash, and each DG's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityObject {
    /// The hash algorithm.
    pub algorithm: HashAlgorithm,
    /// Data group number → hash.
    pub hashes: Vec<(DataGroup, Vec<u8>)>,
}

/// How a data group read compares with the SOD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashVerdict {
    /// The hash matches.
    Match,
    /// The hash differs: the file was altered (or read wrongly).
    Mismatch,
    /// The SOD has no hash for this data group.
    NotListed,
}

impl SecurityObject {
    /// Compares the raw bytes of a data group, exactly as read, with the SOD.
    pub fn check(&self, dg: DataGroup, raw: &[u8]) -> HashVerdict {
        match self.hashes.iter().find(|(d, _)| *d == dg) {
            None => HashVerdict::NotListed,
            Some((_, hash)) if self.algorithm.digest(raw) == *hash => HashVerdict::Match,
            Some(_) => HashVerdict::Mismatch,
        }
    }
}

/// Parses EF.SOD down to its LDS security object: ContentInfo → SignedData
/// → encapContentInfo → eContent → LDSSecurityObject.
pub fn parse_sod(bytes: &[u8]) -> Result<SecurityObject, LdsError> {
    let bad = || LdsError::Structure("EF.SOD");
    let sod = tlv::parse(bytes)?;
    if sod.tag != 0x77 {
        return Err(bad());
    }
    let content_info = sod.children().expect(0x30)?;
    let mut ci = content_info.children();
    ci.expect(0x06)?;
    let signed_data = ci.expect(0xA0)?.children().expect(0x30)?;
    let mut sd = signed_data.children();
    sd.expect(0x02)?; // version
    sd.expect(0x31)?; // digestAlgorithms
    let mut encap = sd.expect(0x30)?.children();
    encap.expect(0x06)?; // eContentType (ldsSecurityObject)
    let econtent = encap.expect(0xA0)?.children().expect(0x04)?;
    let lds = tlv::parse(econtent.value)?;
    if lds.tag != 0x30 {
        return Err(bad());
    }
    let mut lso = lds.children();
    lso.expect(0x02)?; // version
    let mut alg = lso.expect(0x30)?.children();
    let oid = alg.expect(0x06)?;
    let algorithm = HashAlgorithm::from_oid(oid.value).ok_or(LdsError::HashAlgorithm)?;
    let mut list = lso.expect(0x30)?.children();
    let mut hashes = Vec::new();
    while !list.is_empty() {
        let mut entry = list.expect(0x30)?.children();
        let number = entry.expect(0x02)?.value;
        let hash = entry.expect(0x04)?.value;
        let n = match number {
            [n @ 1..=16] => *n,
            _ => return Err(bad()),
        };
        hashes.push((DataGroup(n), hash.to_vec()));
    }
    Ok(SecurityObject { algorithm, hashes })
}

#[cfg(test)]
mod tests;
