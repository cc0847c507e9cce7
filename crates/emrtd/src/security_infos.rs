//! SecurityInfos (BSI TR-03110, ICAO 9303-11 §9.2) as EF.CardAccess and
//! DG14 carry them — which PACE, Chip Authentication and Active
//! Authentication a chip offers — and DG15's Active Authentication key.

use crate::lds::LdsError;
use crate::tlv::{self, Reader};

/// BSI's arc 0.4.0.127.0.7.2.2 in DER.
const BSI: [u8; 7] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02];
/// id-icao-mrtd-security-aaProtocolObject, 2.23.136.1.1.5.
const AA_PROTOCOL: [u8; 6] = [0x67, 0x81, 0x08, 0x01, 0x01, 0x05];

/// How PACE maps the nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapping {
    /// Generic mapping.
    Generic,
    /// Integrated mapping.
    Integrated,
    /// Chip authentication mapping.
    ChipAuthentication,
}

/// Key agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// Diffie-Hellman.
    Dh,
    /// Elliptic-curve Diffie-Hellman.
    Ecdh,
}

/// Secure-messaging cipher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    /// 3DES-CBC with retail MAC.
    Tdes,
    /// AES-128.
    Aes128,
    /// AES-192.
    Aes192,
    /// AES-256.
    Aes256,
}

fn cipher(n: u8) -> Option<Cipher> {
    Some(match n {
        1 => Cipher::Tdes,
        2 => Cipher::Aes128,
        3 => Cipher::Aes192,
        4 => Cipher::Aes256,
        _ => return None,
    })
}

/// One SecurityInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityInfo {
    /// PACEInfo: a PACE variant the chip offers.
    Pace {
        /// Mapping.
        mapping: Mapping,
        /// Key agreement.
        agreement: Agreement,
        /// Cipher.
        cipher: Cipher,
        /// Version (2).
        version: u32,
        /// Standardized domain parameter id, when given.
        parameter_id: Option<u32>,
    },
    /// ChipAuthenticationInfo.
    ChipAuthentication {
        /// Key agreement.
        agreement: Agreement,
        /// Cipher.
        cipher: Cipher,
        /// Version.
        version: u32,
        /// Key id, when the chip has several.
        key_id: Option<u32>,
    },
    /// ChipAuthenticationPublicKeyInfo: the key CA uses (vouched for by the
    /// SOD through DG14's hash).
    ChipAuthenticationPublicKey {
        /// Key agreement.
        agreement: Agreement,
        /// The SubjectPublicKeyInfo, DER, as stored.
        public_key: Vec<u8>,
        /// Key id, when the chip has several.
        key_id: Option<u32>,
    },
    /// TerminalAuthenticationInfo (EAC; not used here).
    TerminalAuthentication,
    /// ActiveAuthenticationInfo: which signature AA answers with.
    ActiveAuthentication {
        /// The signature algorithm's OID, DER content.
        signature_algorithm: Vec<u8>,
    },
    /// Anything else, by OID (DER content).
    Other(Vec<u8>),
}

fn integer(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 5 {
        return None;
    }
    let v = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    u32::try_from(v).ok()
}

/// Parses a SET OF SecurityInfo (EF.CardAccess; DG14 inside its 6E).
pub fn parse(bytes: &[u8]) -> Result<Vec<SecurityInfo>, LdsError> {
    let bad = || LdsError::Structure("SecurityInfos");
    let mut top = tlv::parse(bytes)?;
    if top.tag == 0x6E {
        top = top.children().expect(0x31)?;
    }
    if top.tag != 0x31 {
        return Err(bad());
    }
    let mut infos = Vec::new();
    let mut set = top.children();
    while !set.is_empty() {
        let mut info: Reader<'_> = set.expect(0x30)?.children();
        let oid = info.expect(0x06)?.value;
        let required = if info.is_empty() { None } else { Some(info.next_tlv()?) };
        let optional = if info.is_empty() { None } else { Some(info.next_tlv()?) };
        let int = |t: Option<tlv::Tlv<'_>>| t.filter(|t| t.tag == 0x02).and_then(|t| integer(t.value));
        let parsed = match oid {
            [b0, b1, b2, b3, b4, b5, b6, kind, rest @ ..] if [*b0, *b1, *b2, *b3, *b4, *b5, *b6] == BSI => {
                match (*kind, rest) {
                    // id-PACE: 4; .1 DH-GM .2 ECDH-GM .3 DH-IM .4 ECDH-IM .6 ECDH-CAM
                    (4, [variant, c]) => {
                        let (mapping, agreement) = match variant {
                            1 => (Mapping::Generic, Agreement::Dh),
                            2 => (Mapping::Generic, Agreement::Ecdh),
                            3 => (Mapping::Integrated, Agreement::Dh),
                            4 => (Mapping::Integrated, Agreement::Ecdh),
                            6 => (Mapping::ChipAuthentication, Agreement::Ecdh),
                            _ => return Err(bad()),
                        };
                        SecurityInfo::Pace {
                            mapping,
                            agreement,
                            cipher: cipher(*c).ok_or_else(bad)?,
                            version: int(required).ok_or_else(bad)?,
                            parameter_id: int(optional),
                        }
                    }
                    // id-PK: 1; .1 DH .2 ECDH
                    (1, [a]) => SecurityInfo::ChipAuthenticationPublicKey {
                        agreement: if *a == 1 { Agreement::Dh } else { Agreement::Ecdh },
                        public_key: required.filter(|t| t.tag == 0x30).ok_or_else(bad)?.raw.to_vec(),
                        key_id: int(optional),
                    },
                    // id-CA: 3; .1 DH .2 ECDH, then the cipher
                    (3, [a, c]) => SecurityInfo::ChipAuthentication {
                        agreement: if *a == 1 { Agreement::Dh } else { Agreement::Ecdh },
                        cipher: cipher(*c).ok_or_else(bad)?,
                        version: int(required).ok_or_else(bad)?,
                        key_id: int(optional),
                    },
                    (2, _) => SecurityInfo::TerminalAuthentication,
                    _ => SecurityInfo::Other(oid.to_vec()),
                }
            }
            o if o == AA_PROTOCOL => SecurityInfo::ActiveAuthentication {
                signature_algorithm: optional.filter(|t| t.tag == 0x06).map(|t| t.value.to_vec()).unwrap_or_default(),
            },
            _ => SecurityInfo::Other(oid.to_vec()),
        };
        infos.push(parsed);
    }
    Ok(infos)
}

/// The Active Authentication public key of DG15.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActiveAuthenticationKey {
    /// RSA, with its modulus size.
    Rsa {
        /// Modulus bits.
        bits: u32,
        /// The SubjectPublicKeyInfo, DER.
        spki: Vec<u8>,
    },
    /// An elliptic-curve key.
    Ec {
        /// The SubjectPublicKeyInfo, DER (curve named or explicit).
        spki: Vec<u8>,
    },
}

/// Parses DG15.
pub fn parse_dg15(bytes: &[u8]) -> Result<ActiveAuthenticationKey, LdsError> {
    const RSA: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
    const EC: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
    let bad = || LdsError::Structure("DG15");
    let dg15 = tlv::parse(bytes)?;
    if dg15.tag != 0x6F {
        return Err(bad());
    }
    let spki = dg15.children().expect(0x30)?;
    let mut parts = spki.children();
    let oid = parts.expect(0x30)?.children().expect(0x06)?.value;
    let key = parts.expect(0x03)?.value;
    if oid == RSA {
        // BIT STRING (unused-bits byte) → RSAPublicKey { n, e }.
        let rsa = tlv::parse(key.get(1..).ok_or_else(bad)?)?;
        let n = rsa.children().expect(0x02)?.value;
        let significant = n.iter().skip_while(|b| **b == 0).collect::<Vec<_>>();
        let bits =
            significant.first().map_or(0, |first| (significant.len() as u32 - 1) * 8 + (8 - first.leading_zeros()));
        return Ok(ActiveAuthenticationKey::Rsa { bits, spki: spki.raw.to_vec() });
    }
    if oid == EC {
        return Ok(ActiveAuthenticationKey::Ec { spki: spki.raw.to_vec() });
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn testdata() -> Option<std::path::PathBuf> {
        crate::test_support::lds_dir()
    }

    #[test]
    fn the_bsi_dg14_offers_chip_authentication() {
        let Some(root) = testdata() else { return };
        let infos = parse(&std::fs::read(root.join("bsi2008/Datagroup14.bin")).unwrap()).unwrap();
        assert!(
            infos.iter().any(
                |i| matches!(i, SecurityInfo::ChipAuthenticationPublicKey { public_key, .. } if public_key.len() > 50)
            ),
            "{infos:?}"
        );
        assert!(infos.iter().any(|i| matches!(
            i,
            SecurityInfo::ChipAuthentication { .. } | SecurityInfo::ChipAuthenticationPublicKey { .. }
        )));
    }

    #[test]
    fn dg15_keys() {
        let Some(root) = testdata() else { return };
        for file in ["bsi2008/Datagroup15.bin", "loes2006/ef010F.bin"] {
            match parse_dg15(&std::fs::read(root.join(file)).unwrap()).unwrap() {
                ActiveAuthenticationKey::Rsa { bits, .. } => assert!(bits >= 1024, "{file}: {bits} bits"),
                ActiveAuthenticationKey::Ec { spki } => assert!(spki.len() > 40, "{file}"),
            }
        }
    }

    #[test]
    fn a_card_access_with_pace() {
        // SET { SEQUENCE { id-PACE-ECDH-GM-AES-CBC-CMAC-128, 2, 13 (brainpoolP256r1) } }
        let card_access = [
            0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02, 0x02, 0x01,
            0x02, 0x02, 0x01, 0x0D,
        ];
        assert_eq!(
            parse(&card_access).unwrap(),
            vec![SecurityInfo::Pace {
                mapping: Mapping::Generic,
                agreement: Agreement::Ecdh,
                cipher: Cipher::Aes128,
                version: 2,
                parameter_id: Some(13),
            }]
        );
        assert!(parse(&card_access[..10]).is_err());
        assert!(parse(&[0x31, 0x00]).unwrap().is_empty());
    }
}
