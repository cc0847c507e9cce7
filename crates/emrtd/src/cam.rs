//! PACE with Chip Authentication Mapping (ICAO 9303-11 §4.4.3.3.3 and
//! §4.4.3.5): generic mapping, and in the last step the chip also sends
//! A_IC, its chip authentication data CA_IC = SK_Map,IC · SK_IC⁻¹ mod n,
//! encrypted under KS_Enc with IV = E(KS_Enc, −1). The terminal checks
//! PK_Map,IC = CA_IC · PK_IC with the static key of DG14 (or
//! EF.CardSecurity): only the holder of SK_IC could have made CA_IC. Like
//! Chip Authentication it counts once passive authentication vouched for
//! the key's data group.

use num_bigint::BigUint;

use crate::pace::{aes_decrypt_cbc, aes_encrypt_cbc};
use crate::pki::PkiError;
use crate::pki::key::PublicKey;
use crate::weierstrass::{self, Domain};

/// What PACE-CAM leaves for the check against DG14.
#[derive(Clone, PartialEq, Eq)]
pub struct CamData {
    /// A_IC as received.
    pub encrypted: Vec<u8>,
    /// The chip's mapping public key PK_Map,IC (step 2).
    pub chip_mapping_key: Vec<u8>,
    /// KS_Enc of the session.
    pub ks_enc: Vec<u8>,
}

impl std::fmt::Debug for CamData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CamData(..)")
    }
}

/// Why PACE-CAM's chip authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CamError {
    /// The static key cannot be used.
    #[error("the document's chip authentication key cannot be used: {0}")]
    Key(PkiError),
    /// A_IC is not an encrypted, padded number.
    #[error("the chip's authentication data is malformed")]
    Malformed,
    /// CA_IC · PK_IC is not PK_Map,IC: the chip does not hold DG14's key.
    #[error("the chip does not hold the key of DG14: its PACE-CAM proof does not verify")]
    WrongKey,
}

fn iv(ks_enc: &[u8]) -> [u8; 16] {
    let mut block = [0xFF; 16];
    crate::sm::aes_block(ks_enc, &mut block, true);
    block
}

/// The chip's A_IC: CA_IC = sk_map · sk_ic⁻¹ mod n, padded (ISO 9797-1
/// method 2) and encrypted. For the simulated chip.
pub fn chip_data(domain: &Domain, sk_map: &[u8], sk_ic: &[u8], ks_enc: &[u8]) -> Option<Vec<u8>> {
    let n = &domain.n;
    let inverse = BigUint::from_bytes_be(sk_ic).modinv(n)?;
    let ca = (BigUint::from_bytes_be(sk_map) * inverse) % n;
    let mut plain = weierstrass::fixed(&ca, domain.scalar_len());
    plain.push(0x80);
    while !plain.len().is_multiple_of(16) {
        plain.push(0);
    }
    Some(aes_encrypt_cbc(ks_enc, &iv(ks_enc), &plain))
}

/// Checks PACE-CAM's proof against the chip's static public key.
pub fn verify(data: &CamData, static_key: &PublicKey) -> Result<(), CamError> {
    let PublicKey::Ec { domain, x, y } = static_key else {
        return Err(CamError::Key(PkiError::KeyMismatch));
    };
    let plain = aes_decrypt_cbc(&data.ks_enc, &iv(&data.ks_enc), &data.encrypted).ok_or(CamError::Malformed)?;
    let end = plain.iter().rposition(|b| *b == 0x80).ok_or(CamError::Malformed)?;
    if plain[end + 1..].iter().any(|b| *b != 0) || end == 0 {
        return Err(CamError::Malformed);
    }
    let ca = BigUint::from_bytes_be(&plain[..end]);
    if ca == BigUint::ZERO || ca >= domain.n {
        return Err(CamError::WrongKey);
    }
    let (mx, my) = domain.mul_point(x, y, &ca).ok_or(CamError::WrongKey)?;
    if domain.encode(&mx, &my) == data.chip_mapping_key { Ok(()) } else { Err(CamError::WrongKey) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// A German ID card's PACE-CAM answer on brainpoolP256r1 (as gmrtd
    /// recorded it): the proof verifies with the card's CAM key (key id 13)
    /// and not with its other key (key id 72).
    #[test]
    fn a_german_id_cards_proof() {
        let domain = weierstrass::brainpool_p256r1();
        let point = |x: &str, y: &str| PublicKey::Ec {
            domain: Box::new(domain.clone()),
            x: BigUint::from_bytes_be(&h(x)),
            y: BigUint::from_bytes_be(&h(y)),
        };
        let data = CamData {
            encrypted: h(
                "b3ae8830311b1d5605777f47cb4ed028346cd00105d32859de127da3d8398865358f26f08ebe410864eaf6e39f33f3f5",
            ),
            chip_mapping_key: h(
                "0476dc295c4fb14237d87318d70967e25ec45f74d6fd4aff588c90efb3d868f05b450ba6b64967227c2246dbe2905522c8086dac7f3bbe5cf3b192f0a0c2d97ee5",
            ),
            ks_enc: h("a8e85e938514ec67ae33cda3d43d3c48"),
        };
        let cam_key = point(
            "614CD88B00821A887869D0060B44A9D18789353E8CF7DFBC3F29F79327DE30B9",
            "7B1B2DDA0BE77F24AD415C327C7B7AB2E9C10B0258F5BCBF90C01825FBDFDEF7",
        );
        let other_key = point(
            "8488A2DC34B6B36D6C01A8DFBD70A874610C53B32893A1DE3B1C4BBF477EEF37",
            "61AA51DFD6B52DA43587E95386FC34FFE178D90086A7D646047C82BEBC27DA3E",
        );
        assert_eq!(verify(&data, &cam_key), Ok(()));
        assert_eq!(verify(&data, &other_key), Err(CamError::WrongKey));
        let empty = CamData { encrypted: Vec::new(), ..data.clone() };
        assert_eq!(verify(&empty, &cam_key), Err(CamError::Malformed));
    }

    /// What the simulated chip makes verifies, with its key only.
    #[test]
    fn the_simulated_chips_proof_round_trips() {
        let domain = weierstrass::nist_p256();
        let sk_ic = [0x31u8; 32];
        let sk_map = [0x52u8; 32];
        let ks_enc = [0x77u8; 16];
        let public = |sk: &[u8]| {
            let (x, y) = domain.mul_point(&domain.gx, &domain.gy, &BigUint::from_bytes_be(sk)).unwrap();
            (x, y)
        };
        let (mx, my) = public(&sk_map);
        let data = CamData {
            encrypted: chip_data(&domain, &sk_map, &sk_ic, &ks_enc).unwrap(),
            chip_mapping_key: domain.encode(&mx, &my),
            ks_enc: ks_enc.to_vec(),
        };
        let (x, y) = public(&sk_ic);
        let key = PublicKey::Ec { domain: Box::new(domain.clone()), x, y };
        assert_eq!(verify(&data, &key), Ok(()));
        let (x, y) = public(&[0x32; 32]);
        let clone = PublicKey::Ec { domain: Box::new(domain.clone()), x, y };
        assert_eq!(verify(&data, &clone), Err(CamError::WrongKey));
    }
}
