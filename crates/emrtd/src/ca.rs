//! Chip Authentication (ICAO 9303-11 §6.2, BSI TR-03110 CA version 1):
//! an ephemeral Diffie-Hellman of the terminal with the chip's static key
//! from DG14. Only a chip that holds the private key derives the same
//! session keys, so secure messaging restarted on them proves the chip
//! genuine — once passive authentication vouched for DG14.
//!
//! 3DES: MSE:Set KAT carries the terminal's key. AES: MSE:Set AT names the
//! protocol, then GENERAL AUTHENTICATE carries the key. Either way the new
//! keys start right after the chip's answer, with the counter at zero.

use num_bigint::BigUint;

use crate::apdu::Command;
use crate::pace::PaceCipher;
use crate::pki::PkiError;
use crate::pki::key::{self, PublicKey};
use crate::security_infos::{Agreement, Cipher, SecurityInfo};
use crate::weierstrass;

/// Why Chip Authentication could not run or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaError {
    /// DG14's key cannot be used.
    #[error("the document's Chip Authentication key cannot be used: {0}")]
    Key(PkiError),
    /// The chip refused a step.
    #[error("the chip refused Chip Authentication ({0})")]
    Refused(String),
    /// Secure messaging on the new keys failed: the chip does not hold the
    /// private key of DG14.
    #[error("the chip does not hold the key of DG14: secure messaging on the new keys failed")]
    WrongKey,
}

/// What DG14 offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The cipher of the new secure messaging.
    pub cipher: PaceCipher,
    /// The protocol OID (DER content).
    pub oid: Vec<u8>,
    /// The key id, when the chip has several keys.
    pub key_id: Option<u32>,
    /// The chip's static public key.
    pub key: PublicKey,
}

fn pace_cipher(cipher: Cipher) -> PaceCipher {
    match cipher {
        Cipher::Tdes => PaceCipher::Tdes,
        Cipher::Aes128 => PaceCipher::Aes128,
        Cipher::Aes192 => PaceCipher::Aes192,
        Cipher::Aes256 => PaceCipher::Aes256,
    }
}

/// What Chip Authentication DG14's SecurityInfos offer: a
/// ChipAuthenticationInfo and the public key with its key id (without a
/// ChipAuthenticationInfo, 3DES as ICAO says). `None` when no key.
pub fn offer(infos: &[SecurityInfo]) -> Result<Option<Offer>, CaError> {
    let keys: Vec<(&Agreement, &Vec<u8>, &Option<u32>)> = infos
        .iter()
        .filter_map(|i| match i {
            SecurityInfo::ChipAuthenticationPublicKey { agreement, public_key, key_id } => {
                Some((agreement, public_key, key_id))
            }
            _ => None,
        })
        .collect();
    let Some(&(agreement, spki, key_id)) = keys.first() else { return Ok(None) };
    let info = infos.iter().find_map(|i| match i {
        SecurityInfo::ChipAuthentication { agreement: a, cipher, key_id: k, .. }
            if a == agreement && (k.is_none() || key_id.is_none() || k == key_id) =>
        {
            Some(*cipher)
        }
        _ => None,
    });
    let cipher = info.unwrap_or(Cipher::Tdes);
    let a = if *agreement == Agreement::Dh { 1 } else { 2 };
    let c = match cipher {
        Cipher::Tdes => 1,
        Cipher::Aes128 => 2,
        Cipher::Aes192 => 3,
        Cipher::Aes256 => 4,
    };
    let oid = vec![0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, a, c];
    let key = key::parse_spki(spki).map_err(CaError::Key)?;
    Ok(Some(Offer { cipher: pace_cipher(cipher), oid, key_id: *key_id, key }))
}

/// The terminal's ephemeral key pair on the chip key's domain: (private
/// scalar or exponent, public key as sent).
pub fn ephemeral(key: &PublicKey, random: &[u8]) -> Result<(BigUint, Vec<u8>), CaError> {
    let order = match key {
        PublicKey::Ec { domain, .. } => &domain.n,
        PublicKey::Dh { group, .. } => &group.q,
        PublicKey::Rsa { .. } => return Err(CaError::Key(PkiError::KeyMismatch)),
    };
    let sk = BigUint::from_bytes_be(random) % (order - 1u8) + 1u8;
    let pk = match key {
        PublicKey::Ec { domain, .. } => {
            let (x, y) = domain.mul_point(&domain.gx, &domain.gy, &sk).ok_or(CaError::Key(PkiError::KeyMismatch))?;
            domain.encode(&x, &y)
        }
        PublicKey::Dh { group, .. } => group.encode(&group.pow(&group.g, &sk)),
        PublicKey::Rsa { .. } => unreachable!("refused above"),
    };
    Ok((sk, pk))
}

/// The shared secret with the chip's key: the x-coordinate (ECDH) or the
/// whole value (DH), the length of the field.
pub fn shared_secret(key: &PublicKey, sk: &BigUint) -> Result<Vec<u8>, CaError> {
    match key {
        PublicKey::Ec { domain, x, y } => {
            let (sx, _) = domain.mul_point(x, y, sk).ok_or(CaError::Key(PkiError::KeyMismatch))?;
            Ok(weierstrass::fixed(&sx, domain.field_len()))
        }
        PublicKey::Dh { group, y } => Ok(group.encode(&group.pow(y, sk))),
        PublicKey::Rsa { .. } => Err(CaError::Key(PkiError::KeyMismatch)),
    }
}

/// The commands that hand the chip the terminal's public key.
pub fn commands(offer: &Offer, public: &[u8]) -> Vec<Command> {
    let key_ref = offer.key_id.map(|id| {
        let bytes: Vec<u8> = id.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        crate::der::tlv(&[0x84], if bytes.is_empty() { &[0] } else { &bytes })
    });
    if offer.cipher == PaceCipher::Tdes {
        let mut data = crate::der::tlv(&[0x91], public);
        data.extend(key_ref.unwrap_or_default());
        return vec![Command::new(0x00, 0x22, 0x41, 0xA6).data(data)];
    }
    let mut set_at = crate::der::tlv(&[0x80], &offer.oid);
    set_at.extend(key_ref.unwrap_or_default());
    let general = crate::der::tlv(&[0x7C], &crate::der::tlv(&[0x80], public));
    vec![Command::new(0x00, 0x22, 0x41, 0xA4).data(set_at), Command::new(0x00, 0x86, 0x00, 0x00).data(general).le(256)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bsi_dg14_offers_ca_with_a_key_this_reader_can_use() {
        let Some(root) = crate::test_support::lds_dir() else { return };
        let dg14 = std::fs::read(root.join("bsi2008/Datagroup14.bin")).unwrap();
        let infos = crate::security_infos::parse(&dg14).unwrap();
        let offer = offer(&infos).unwrap().expect("DG14 offers CA");
        // An ephemeral key on the chip key's own (explicit) domain, and a
        // shared secret the length of the field.
        let (sk, pk) = ephemeral(&offer.key, &[0x5A; 40]).unwrap();
        let secret = shared_secret(&offer.key, &sk).unwrap();
        if let PublicKey::Ec { domain, .. } = &offer.key {
            assert!(domain.decode(&pk).is_some());
            assert_eq!(secret.len(), domain.field_len());
        }
        let commands = commands(&offer, &pk);
        assert!(!commands.is_empty());
        eprintln!("BSI 2008 CA: {:?} with a {} key", offer.cipher, offer.key.describe());
    }
}
