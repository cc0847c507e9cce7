//! X.509 certificates and CRLs, as far as passive authentication needs
//! them: names, serial, validity, the key, the extensions that decide a
//! path (key usage, basic constraints, key identifiers), the signature.

use super::key::{self, PublicKey};
use super::{PkiError, oid_text};
use crate::tlv::{self, Tlv};

/// An instant in UTC to the second, as certificates, CRLs and signing
/// times give it: ordered, and printed as `2026-11-24 12:00:00 UTC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl Time {
    /// The instant at this date and time of day (UTC), if there is one.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let last = days_in_month(year, month)?;
        ((1..=last).contains(&day) && hour < 24 && minute < 60 && second < 61).then_some(Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// The instant `seconds` after 1970-01-01 00:00:00 UTC (years 1970–9999).
    pub fn from_unix(seconds: i64) -> Option<Self> {
        let t = jiff::tz::TimeZone::UTC.to_datetime(jiff::Timestamp::from_second(seconds).ok()?);
        let small = |v: i8| u8::try_from(v).ok();
        Self::new(
            u16::try_from(t.year()).ok().filter(|y| *y >= 1970)?,
            small(t.month())?,
            small(t.day())?,
            small(t.hour())?,
            small(t.minute())?,
            small(t.second())?,
        )
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// As the number YYYYMMDDHHMMSS (how the trust store keeps it).
    pub fn compact(self) -> u64 {
        let Self { year, month, day, hour, minute, second } = self;
        [u64::from(year), u64::from(month), u64::from(day), u64::from(hour), u64::from(minute), u64::from(second)]
            .into_iter()
            .fold(0, |n, part| n * 100 + part)
    }

    /// From the number YYYYMMDDHHMMSS, if it is a real instant.
    pub fn from_compact(n: u64) -> Option<Self> {
        let part = |divisor: u64, modulo: u64| u8::try_from(n / divisor % modulo).ok();
        Self::new(
            u16::try_from(n / 10u64.pow(10)).ok()?,
            part(10u64.pow(8), 100)?,
            part(10u64.pow(6), 100)?,
            part(10u64.pow(4), 100)?,
            part(100, 100)?,
            part(1, 100)?,
        )
    }

    /// Its date as `2026-11-24`.
    pub fn date(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::fmt::Display for Time {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:02}:{:02}:{:02} UTC", self.date(), self.hour, self.minute, self.second)
    }
}

fn days_in_month(year: u16, month: u8) -> Option<u8> {
    let date = jiff::civil::Date::new(i16::try_from(year).ok()?, i8::try_from(month).ok()?, 1).ok()?;
    u8::try_from(date.days_in_month()).ok()
}

/// A distinguished name: its encoding (compared as is) and the parts
/// people read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Name {
    /// DER.
    pub raw: Vec<u8>,
    /// (attribute OID text or short name, value) in order.
    pub parts: Vec<(String, String)>,
}

impl Name {
    pub(crate) fn parse(tlv: &Tlv<'_>) -> Result<Self, PkiError> {
        let bad = |_| PkiError::Malformed("name");
        let mut parts = Vec::new();
        let mut rdns = tlv.children();
        while !rdns.is_empty() {
            let mut set = rdns.expect(0x31).map_err(bad)?.children();
            while !set.is_empty() {
                let mut atv = set.expect(0x30).map_err(bad)?.children();
                let oid = atv.expect(0x06).map_err(bad)?.value;
                let value = atv.next_tlv().map_err(bad)?;
                let text = match value.tag {
                    // BMPString: UTF-16BE.
                    0x1E => char::decode_utf16(
                        value.value.chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])),
                    )
                    .map(|c| c.unwrap_or('\u{FFFD}'))
                    .collect(),
                    _ => String::from_utf8_lossy(value.value).into_owned(),
                };
                let short = match oid {
                    [0x55, 0x04, 0x03] => "CN".to_string(),
                    [0x55, 0x04, 0x06] => "C".to_string(),
                    [0x55, 0x04, 0x0A] => "O".to_string(),
                    [0x55, 0x04, 0x0B] => "OU".to_string(),
                    [0x55, 0x04, 0x05] => "serialNumber".to_string(),
                    _ => oid_text(oid),
                };
                parts.push((short, text));
            }
        }
        Ok(Self { raw: tlv.raw.to_vec(), parts })
    }

    /// The value of a part ("C", "CN", …).
    pub fn get(&self, short: &str) -> Option<&str> {
        self.parts.iter().find(|(k, _)| k == short).map(|(_, v)| v.as_str())
    }

    /// The country (C), upper case.
    pub fn country(&self) -> Option<String> {
        self.get("C").map(|c| c.trim().to_uppercase())
    }

    /// Whether two names are the same: equal encodings, or the same
    /// attributes compared case-insensitively without surrounding spaces
    /// (issuers re-encode names between string types).
    pub fn same_as(&self, other: &Name) -> bool {
        self.raw == other.raw
            || (self.parts.len() == other.parts.len()
                && self
                    .parts
                    .iter()
                    .zip(&other.parts)
                    .all(|((ka, va), (kb, vb))| ka == kb && va.trim().to_lowercase() == vb.trim().to_lowercase()))
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text: Vec<String> = self.parts.iter().rev().map(|(k, v)| format!("{k}={v}")).collect();
        f.write_str(&text.join(", "))
    }
}

/// UTCTime or GeneralizedTime.
pub(crate) fn time(tlv: &Tlv<'_>) -> Result<Time, PkiError> {
    let bad = PkiError::Malformed("time");
    let text = std::str::from_utf8(tlv.value).map_err(|_| bad.clone())?;
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let full = match (tlv.tag, digits.len()) {
        (0x17, 12) => {
            let yy: u32 = digits[..2].parse().map_err(|_| bad.clone())?;
            format!("{}{digits}", if yy >= 50 { "19" } else { "20" })
        }
        (0x17, 10) => {
            let yy: u32 = digits[..2].parse().map_err(|_| bad.clone())?;
            format!("{}{digits}00", if yy >= 50 { "19" } else { "20" })
        }
        (0x18, 14) => digits,
        _ => return Err(bad),
    };
    let part = |range: std::ops::Range<usize>| full.get(range).and_then(|p| p.parse::<u16>().ok());
    let small = |range: std::ops::Range<usize>| part(range).and_then(|p| u8::try_from(p).ok());
    Time::new(
        part(0..4).ok_or(bad.clone())?,
        small(4..6).ok_or(bad.clone())?,
        small(6..8).ok_or(bad.clone())?,
        small(8..10).ok_or(bad.clone())?,
        small(10..12).ok_or(bad.clone())?,
        small(12..14).ok_or(bad.clone())?,
    )
    .ok_or(bad)
}

/// A certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The whole certificate, DER.
    pub raw: Vec<u8>,
    /// The signed part (TBSCertificate), DER.
    pub tbs: Vec<u8>,
    /// Serial number (INTEGER content).
    pub serial: Vec<u8>,
    /// Issuer.
    pub issuer: Name,
    /// Subject.
    pub subject: Name,
    /// Valid from.
    pub not_before: Time,
    /// Valid until.
    pub not_after: Time,
    /// SubjectPublicKeyInfo, DER.
    pub spki: Vec<u8>,
    /// The signature's AlgorithmIdentifier, DER.
    pub signature_algorithm: Vec<u8>,
    /// The signature.
    pub signature: Vec<u8>,
    /// KeyUsage bits (bit 0 = digitalSignature … as a u16 with bit 0 the
    /// most significant of the first byte), when present.
    pub key_usage: Option<u16>,
    /// BasicConstraints cA, when present.
    pub ca: Option<bool>,
    /// SubjectKeyIdentifier.
    pub subject_key_id: Option<Vec<u8>>,
    /// AuthorityKeyIdentifier's keyIdentifier.
    pub authority_key_id: Option<Vec<u8>>,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Certificate({})", self.subject)
    }
}

/// KeyUsage: digitalSignature.
pub const DIGITAL_SIGNATURE: u16 = 0x8000;
/// KeyUsage: keyCertSign.
pub const KEY_CERT_SIGN: u16 = 0x0400;
/// KeyUsage: cRLSign.
pub const CRL_SIGN: u16 = 0x0200;

impl Certificate {
    /// Parses a DER certificate.
    pub fn parse(bytes: &[u8]) -> Result<Self, PkiError> {
        let bad = |_| PkiError::Malformed("certificate");
        let top = tlv::parse(bytes).map_err(bad)?;
        if top.tag != 0x30 {
            return Err(PkiError::Malformed("certificate"));
        }
        let mut parts = top.children();
        let tbs = parts.expect(0x30).map_err(bad)?;
        let signature_algorithm = parts.expect(0x30).map_err(bad)?;
        let signature = parts.expect(0x03).map_err(bad)?;
        let mut t = tbs.children();
        let mut first = t.next_tlv().map_err(bad)?;
        if first.tag == 0xA0 {
            first = t.next_tlv().map_err(bad)?; // version
        }
        if first.tag != 0x02 {
            return Err(PkiError::Malformed("certificate"));
        }
        let serial = first.value.to_vec();
        t.expect(0x30).map_err(bad)?; // signature algorithm, again
        let issuer = Name::parse(&t.expect(0x30).map_err(bad)?)?;
        let mut validity = t.expect(0x30).map_err(bad)?.children();
        let not_before = time(&validity.next_tlv().map_err(bad)?)?;
        let not_after = time(&validity.next_tlv().map_err(bad)?)?;
        let subject = Name::parse(&t.expect(0x30).map_err(bad)?)?;
        let spki = t.expect(0x30).map_err(bad)?.raw.to_vec();
        let mut cert = Self {
            raw: top.raw.to_vec(),
            tbs: tbs.raw.to_vec(),
            serial,
            issuer,
            subject,
            not_before,
            not_after,
            spki,
            signature_algorithm: signature_algorithm.raw.to_vec(),
            signature: signature.value.get(1..).unwrap_or_default().to_vec(),
            key_usage: None,
            ca: None,
            subject_key_id: None,
            authority_key_id: None,
        };
        while !t.is_empty() {
            let field = t.next_tlv().map_err(bad)?;
            if field.tag == 0xA3 {
                cert.read_extensions(&field)?;
            }
        }
        Ok(cert)
    }

    fn read_extensions(&mut self, field: &Tlv<'_>) -> Result<(), PkiError> {
        let bad = |_| PkiError::Malformed("certificate extensions");
        let mut list = field.children().expect(0x30).map_err(bad)?.children();
        while !list.is_empty() {
            let mut ext = list.expect(0x30).map_err(bad)?.children();
            let oid = ext.expect(0x06).map_err(bad)?.value;
            let mut value = ext.next_tlv().map_err(bad)?;
            if value.tag == 0x01 {
                value = ext.next_tlv().map_err(bad)?; // critical
            }
            let inner = tlv::parse(value.value).map_err(bad)?;
            match oid {
                [0x55, 0x1D, 0x0F] => {
                    // BIT STRING: unused-bits byte, then up to two bytes.
                    let bits = inner.value;
                    let b0 = u16::from(*bits.get(1).unwrap_or(&0));
                    let b1 = u16::from(*bits.get(2).unwrap_or(&0));
                    self.key_usage = Some((b0 << 8) | b1);
                }
                [0x55, 0x1D, 0x13] => {
                    let mut bc = inner.children();
                    let ca = if bc.is_empty() { None } else { bc.next_tlv().ok() };
                    self.ca = Some(ca.is_some_and(|t| t.tag == 0x01 && t.value.first().is_some_and(|b| *b != 0)));
                }
                [0x55, 0x1D, 0x0E] => self.subject_key_id = Some(inner.value.to_vec()),
                [0x55, 0x1D, 0x23] => {
                    self.authority_key_id = inner.children().find(0x80).ok().flatten().map(|t| t.value.to_vec());
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Its public key.
    pub fn public_key(&self) -> Result<PublicKey, PkiError> {
        key::parse_spki(&self.spki)
    }

    /// Whether `issuer`'s key signed this certificate.
    pub fn verify_signed_by(&self, issuer: &PublicKey) -> Result<(), PkiError> {
        let algorithm = key::signature_algorithm(&self.signature_algorithm, None)?;
        key::verify(issuer, algorithm, &self.tbs, &self.signature)
    }

    /// Whether its issuer and subject are the same name.
    pub fn self_issued(&self) -> bool {
        self.issuer.same_as(&self.subject)
    }

    /// Whether `at` is inside the validity period.
    pub fn valid_at(&self, at: Time) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    /// SHA-256 of the DER, hex: how the trust store names it.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest as _;
        hex_string(&sha2::Sha256::digest(&self.raw))
    }
}

pub(crate) fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A certificate revocation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crl {
    /// DER.
    pub raw: Vec<u8>,
    /// The signed part.
    pub tbs: Vec<u8>,
    /// Issuer.
    pub issuer: Name,
    /// thisUpdate.
    pub this_update: Time,
    /// nextUpdate, when given.
    pub next_update: Option<Time>,
    /// Revoked serial numbers.
    pub revoked: Vec<Vec<u8>>,
    /// Signature algorithm, DER.
    pub signature_algorithm: Vec<u8>,
    /// Signature.
    pub signature: Vec<u8>,
}

impl Crl {
    /// Parses a DER CRL.
    pub fn parse(bytes: &[u8]) -> Result<Self, PkiError> {
        let bad = |_| PkiError::Malformed("CRL");
        let top = tlv::parse(bytes).map_err(bad)?;
        let mut parts = top.children();
        let tbs = parts.expect(0x30).map_err(bad)?;
        let signature_algorithm = parts.expect(0x30).map_err(bad)?;
        let signature = parts.expect(0x03).map_err(bad)?;
        let mut t = tbs.children();
        let mut field = t.next_tlv().map_err(bad)?;
        if field.tag == 0x02 {
            field = t.next_tlv().map_err(bad)?; // version
        }
        if field.tag != 0x30 {
            return Err(PkiError::Malformed("CRL"));
        }
        let issuer = Name::parse(&t.expect(0x30).map_err(bad)?)?;
        let this_update = time(&t.next_tlv().map_err(bad)?)?;
        let mut next_update = None;
        let mut revoked = Vec::new();
        while !t.is_empty() {
            let field = t.next_tlv().map_err(bad)?;
            match field.tag {
                0x17 | 0x18 => next_update = Some(time(&field)?),
                0x30 => {
                    let mut entries = field.children();
                    while !entries.is_empty() {
                        let mut entry = entries.expect(0x30).map_err(bad)?.children();
                        revoked.push(entry.expect(0x02).map_err(bad)?.value.to_vec());
                    }
                }
                _ => {}
            }
        }
        Ok(Self {
            raw: top.raw.to_vec(),
            tbs: tbs.raw.to_vec(),
            issuer,
            this_update,
            next_update,
            revoked,
            signature_algorithm: signature_algorithm.raw.to_vec(),
            signature: signature.value.get(1..).unwrap_or_default().to_vec(),
        })
    }

    /// Whether `issuer`'s key signed this CRL.
    pub fn verify_signed_by(&self, issuer: &PublicKey) -> Result<(), PkiError> {
        let algorithm = key::signature_algorithm(&self.signature_algorithm, None)?;
        key::verify(issuer, algorithm, &self.tbs, &self.signature)
    }
}

#[cfg(test)]
mod time_tests {
    use super::Time;

    #[test]
    fn instants_are_checked_ordered_and_printed() {
        let t = Time::new(2026, 11, 24, 12, 0, 5).expect("a real instant");
        assert_eq!(t.to_string(), "2026-11-24 12:00:05 UTC");
        assert_eq!(t.date(), "2026-11-24");
        assert_eq!(t.compact(), 20_261_124_120_005);
        assert_eq!(Time::from_compact(t.compact()), Some(t));
        assert!(Time::new(2024, 2, 29, 0, 0, 0).is_some());
        for (y, m, d, h) in [(2026, 2, 29, 0), (2026, 13, 1, 0), (2026, 4, 31, 0), (2026, 1, 1, 24), (2026, 0, 1, 0)] {
            assert_eq!(Time::new(y, m, d, h, 0, 0), None, "{y}-{m}-{d} {h}h");
        }
        assert!(Time::new(2025, 12, 31, 23, 59, 59) < Time::new(2026, 1, 1, 0, 0, 0));
        assert_eq!(Time::from_compact(0), None);
    }

    #[test]
    fn from_unix_seconds() {
        assert_eq!(Time::from_unix(0), Time::new(1970, 1, 1, 0, 0, 0));
        // 2026-11-24T12:00:00Z and a leap day.
        assert_eq!(Time::from_unix(1_795_521_600), Time::new(2026, 11, 24, 12, 0, 0));
        assert_eq!(Time::from_unix(951_782_400), Time::new(2000, 2, 29, 0, 0, 0));
        assert_eq!(Time::from_unix(-1), None);
    }
}
