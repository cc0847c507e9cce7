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

    /// An Austrian passport's Chip Authentication as gmrtd recorded it:
    /// DG14 with an explicit brainpoolP256r1 key, the terminal's ephemeral
    /// key, and the session keys both sides moved to.
    #[test]
    fn an_austrian_passports_chip_authentication() {
        let h = |s: &str| hex::decode(s).unwrap();
        let dg14 = h(
            "6E82017E3182017A300D060804007F0007020202020101300F060A04007F000702020302020201013012060A04007F0007020204020202010202010D30820142060904007F000702020102308201333081EC06072A8648CE3D02013081E0020101302C06072A8648CE3D0101022100A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377304404207D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9042026DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B60441048BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997022100A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7020101034200041983917269AC877C0B61544C2C022000D2A5ABA723E2D80141E648B40911DC3459761F27480E4B57181A53D8FE1190EA86C939AC14363178CAFFC621F0F905C3",
        );
        let infos = crate::security_infos::parse(&dg14).unwrap();
        let offer = offer(&infos).unwrap().unwrap();
        assert_eq!(offer.cipher, PaceCipher::Aes128);
        assert_eq!(offer.oid, h("04007F00070202030202"));
        let sk = BigUint::from_bytes_be(&h("80EBAFC8A51BECD4D90BB640EE38C9FD5C12748D28AAA37096B98C4533C4F5F5"));
        let PublicKey::Ec { domain, .. } = &offer.key else { panic!("an EC key") };
        let (x, y) = domain.mul_point(&domain.gx, &domain.gy, &sk).unwrap();
        assert_eq!(
            hex::encode_upper(domain.encode(&x, &y)),
            "044827C781BE1AC7A00B351214FD783AC76D99E831A6316C8FD6DE7BD96CFA31DA06B6B57BA380789729F4A028212A768C49BF5F97D98B1DB12BEEC1A1CD324FB2"
        );
        let secret = shared_secret(&offer.key, &sk).unwrap();
        assert_eq!(hex::encode_upper(offer.cipher.kdf(&secret, 1)), "C8E27260EFD3F318D18C080CBF11C7E6");
        assert_eq!(hex::encode_upper(offer.cipher.kdf(&secret, 2)), "A942190365204A21409EB28B52BF9160");
        // AES: MSE:Set AT naming the protocol, then the key in GENERAL
        // AUTHENTICATE.
        let commands = commands(&offer, &domain.encode(&x, &y));
        assert_eq!(hex::encode_upper(commands[0].to_bytes()), "002241A40C800A04007F00070202030202");
        assert_eq!(commands[1].data[..5], [0x7C, 0x43, 0x80, 0x41, 0x04]);
    }

    /// Chip Authentication with a DH key (X9.42, the RFC 5114 2048-bit
    /// group): the terminal's secret and the chip's agree.
    #[test]
    fn dh_chip_authentication_agrees() {
        let group = crate::modp::rfc5114_2048_256();
        let chip_secret = BigUint::from_bytes_be(&[0x3C; 31]);
        let chip_public = group.pow(&group.g, &chip_secret);
        let der = crate::der::seq(&[
            &crate::der::seq(&[
                &crate::der::oid("1.2.840.10046.2.1"),
                &crate::der::seq(&[
                    &crate::der::uint(&group.p.to_bytes_be()),
                    &crate::der::uint(&group.g.to_bytes_be()),
                    &crate::der::uint(&group.q.to_bytes_be()),
                ]),
            ]),
            &crate::der::bits(&crate::der::uint(&chip_public.to_bytes_be())),
        ]);
        let key = key::parse_spki(&der).unwrap();
        assert_eq!(key.describe(), "DH 2048");
        let (sk, public) = ephemeral(&key, &[0x77; 40]).unwrap();
        let terminal = shared_secret(&key, &sk).unwrap();
        let chip = group.encode(&group.pow(&BigUint::from_bytes_be(&public), &chip_secret));
        assert_eq!(terminal, chip);
        // 3DES for a DG14 without ChipAuthenticationInfo: MSE:Set KAT.
        let offer = Offer { cipher: PaceCipher::Tdes, oid: vec![], key_id: Some(1), key };
        let commands = commands(&offer, &public);
        assert_eq!((commands.len(), commands[0].p2), (1, 0xA6));
        assert!(commands[0].data.ends_with(&[0x84, 0x01, 0x01]));
    }

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
