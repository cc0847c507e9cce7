use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;
use crate::lds::{self, DataGroup};
use crate::sim::{Faults, Quirks, SimChip};

fn key() -> AccessKey {
    AccessKey::new("L898902C", "690806", "940623").unwrap()
}

/// A document: EF.COM, a DG1, a DG2 of `dg2_len` bytes with a real TLV
/// header, and an SOD stand-in; contents are made up, sizes realistic.
fn document(dg2_len: usize) -> BTreeMap<FileId, Vec<u8>> {
    let mut files = BTreeMap::new();
    files.insert(FileId::Com, hex::decode("60145F0104303130365F36063034303030305C026175").unwrap());
    let mrz = b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10";
    let mut dg1 = vec![0x61, 0x5B, 0x5F, 0x1F, 0x58];
    dg1.extend_from_slice(mrz);
    files.insert(FileId::DG1, dg1);
    let body = dg2_len - 4;
    let mut dg2 = vec![0x75, 0x82, (body >> 8) as u8, body as u8];
    dg2.extend((0..body).map(|i| (i * 31 % 251) as u8));
    files.insert(FileId::DG2, dg2);
    files.insert(FileId::Sod, {
        let mut sod = vec![0x77, 0x82, 0x04, 0x00];
        sod.extend(std::iter::repeat_n(0xAB, 0x400));
        sod
    });
    files
}

fn reader(chip: SimChip) -> Reader<SimChip> {
    let mut n = 0u8;
    Reader::new(chip).with_rng(move |buf| {
        for b in buf {
            n = n.wrapping_add(97);
            *b = n;
        }
    })
}

fn read_all(r: &mut Reader<SimChip>, files: &BTreeMap<FileId, Vec<u8>>) {
    for (id, expected) in files {
        let got = r.read_file(*id, |_| {}).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(&got, expected, "file {id}");
    }
}

#[test]
fn reads_every_file_byte_for_byte_whatever_the_chip_takes() {
    let files = document(20_000);
    for quirks in [
        Quirks::default(),
        Quirks { max_le: 65_536, extended: false, ..Quirks::default() },
        Quirks { max_le: 160, extended: false, ..Quirks::default() },
        Quirks { max_le: 112, extended: false, ..Quirks::default() },
        Quirks { max_le: 1000, extended: true, ..Quirks::default() },
    ] {
        let mut r = reader(SimChip::new(files.clone(), &key()).quirks(quirks.clone()));
        r.bac(&key()).unwrap();
        read_all(&mut r, &files);
        let le = r.working_le().unwrap();
        assert!(le <= quirks.max_le, "{quirks:?}: learned {le}");
        // After learning, no APDU is wasted: reads ≈ bytes / chunk.
        let total: usize = files.values().map(Vec::len).sum();
        let chunk = if quirks.extended { quirks.max_le.min(65_536) } else { quirks.max_le.min(223) } as usize;
        let ideal = files.values().map(|f| f.len().div_ceil(chunk)).sum::<usize>() as u32;
        let reads = r.stats().apdus - 2; // GET CHALLENGE, EXTERNAL AUTHENTICATE
        // Finding the chip's limit costs a few refused probes, once; a limit
        // between two powers of two costs up to a third more reads.
        let bound = if quirks.max_le == 65_536 || !quirks.extended { ideal + 10 } else { ideal * 4 / 3 + 10 };
        assert!(reads <= bound, "{quirks:?}: {reads} reads for {total} bytes, ideal {ideal}");
    }
}

#[test]
fn access_control_comes_first_and_a_wrong_mrz_is_refused() {
    let files = document(3000);
    let mut r = reader(SimChip::new(files.clone(), &key()));
    assert_eq!(r.read_file(FileId::Com, |_| {}), Err(ReadError::AccessDenied), "6982 before BAC");
    let wrong = AccessKey::new("L898902C", "690806", "940624").unwrap();
    assert_eq!(r.bac(&wrong), Err(ReadError::AccessDenied));
    r.bac(&key()).unwrap();
    assert_eq!(r.read_file(FileId::Dg(DataGroup(5)), |_| {}), Err(ReadError::FileNotFound));
    let com = r.read_file(FileId::Com, |_| {}).unwrap();
    assert_eq!(lds::parse_com(&com).unwrap().data_groups, vec![DataGroup(1), DataGroup(2)]);
}

#[test]
fn a_lost_card_resumes_from_the_last_offset() {
    let files = document(20_000);
    for at in [10, 5_000, 19_000] {
        let chip = SimChip::new(files.clone(), &key())
            .quirks(Quirks { max_le: 160, extended: false, ..Quirks::default() })
            .faults(Faults { lose_card_at_byte: Some(at), ..Faults::default() });
        let mut r = reader(chip);
        r.bac(&key()).unwrap();
        let mut seen = Vec::new();
        let dg2 = r.read_file(FileId::DG2, |p| seen.push(p.done)).unwrap();
        assert_eq!(dg2, files[&FileId::DG2], "lost at {at}");
        assert_eq!(r.stats().resumed, 1);
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress never goes back");
        assert_eq!(seen.last(), Some(&20_000));
    }
}

#[test]
fn a_corrupted_mac_is_an_error_never_data() {
    let files = document(5000);
    let chip = SimChip::new(files, &key()).faults(Faults { corrupt_mac_of_response: Some(2), ..Faults::default() });
    let mut r = reader(chip);
    r.bac(&key()).unwrap();
    assert!(r.read_file(FileId::Com, |_| {}).is_ok());
    assert_eq!(r.read_file(FileId::DG1, |_| {}), Err(ReadError::SecureMessaging(SmError::Mac)));
}

#[test]
fn files_above_32767_bytes_are_read_with_the_odd_instruction() {
    let files = document(40_000);
    let mut r = reader(SimChip::new(files.clone(), &key()).quirks(Quirks {
        max_le: 4000,
        extended: true,
        ..Quirks::default()
    }));
    r.bac(&key()).unwrap();
    assert_eq!(r.read_file(FileId::DG2, |_| {}).unwrap(), files[&FileId::DG2]);
}

#[test]
fn cancel_stops_between_apdus() {
    let flag = Arc::new(AtomicBool::new(false));
    let mut r = reader(SimChip::new(document(20_000), &key()).quirks(Quirks {
        max_le: 112,
        extended: false,
        ..Quirks::default()
    }))
    .with_cancel(flag.clone());
    r.bac(&key()).unwrap();
    let result = r.read_file(FileId::DG2, |p| {
        if p.done > 1000 {
            flag.store(true, Ordering::Relaxed);
        }
    });
    assert_eq!(result, Err(ReadError::Cancelled));
}

#[test]
fn pace_with_the_mrz_or_the_can_then_reads_over_aes() {
    use crate::pace::Password;
    let files = document(20_000);
    for password in [Password::Mrz(key()), Password::Can("123456".into())] {
        let mut r = reader(
            SimChip::new(files.clone(), &key()).quirks(Quirks { require_parameter_id: true, ..Quirks::default() }),
        );
        let card_access = r.card_access().unwrap().expect("the chip offers PACE");
        assert!(
            crate::security_infos::parse(&card_access)
                .unwrap()
                .iter()
                .any(|i| matches!(i, crate::security_infos::SecurityInfo::Pace { parameter_id: Some(13), .. }))
        );
        r.pace(&password, 13).unwrap();
        read_all(&mut r, &files);
    }
    // Wrong CAN: access denied; a PACE-only chip refuses BAC.
    let mut r = reader(SimChip::new(files.clone(), &key()).quirks(Quirks { bac: false, ..Quirks::default() }));
    assert_eq!(r.pace(&Password::Can("654321".into()), 13), Err(ReadError::AccessDenied));
    assert!(r.bac(&key()).is_err());
    r.pace(&Password::Mrz(key()), 13).unwrap();
    assert_eq!(r.read_file(FileId::DG1, |_| {}).unwrap(), files[&FileId::DG1]);
    // A BAC-only chip has no EF.CardAccess.
    let mut r = reader(SimChip::new(files.clone(), &key()).quirks(Quirks { pace: false, ..Quirks::default() }));
    assert_eq!(r.card_access().unwrap(), None);
}

#[test]
fn a_lost_card_after_pace_resumes_with_pace() {
    use crate::pace::Password;
    let files = document(20_000);
    let chip = SimChip::new(files.clone(), &key())
        .quirks(Quirks { max_le: 1000, ..Quirks::default() })
        .faults(Faults { lose_card_at_byte: Some(7_000), ..Faults::default() });
    let mut r = reader(chip);
    r.pace(&Password::Mrz(key()), 13).unwrap();
    assert_eq!(r.read_file(FileId::DG2, |_| {}).unwrap(), files[&FileId::DG2]);
    assert_eq!(r.stats().resumed, 1);
}

#[test]
fn pace_on_every_served_curve() {
    use crate::pace::Password;
    let files = document(3000);
    for id in crate::curves::SERVED {
        let chip = SimChip::new(files.clone(), &key()).quirks(Quirks { parameter_id: id, ..Quirks::default() });
        let mut r = reader(chip);
        let infos = crate::security_infos::parse(&r.card_access().unwrap().unwrap()).unwrap();
        assert_eq!(
            crate::pace::choose(&infos),
            Some(crate::pace::Suite::gm(id, crate::pace::PaceCipher::Aes128)),
            "curve {id}"
        );
        r.pace(&Password::Mrz(key()), id).unwrap_or_else(|e| panic!("curve {id}: {e}"));
        assert_eq!(r.read_file(FileId::DG1, |_| {}).unwrap(), files[&FileId::DG1], "curve {id}");
        // The chip refuses a curve it does not use.
        let other = if id == 12 { 13 } else { 12 };
        let mut r =
            reader(SimChip::new(files.clone(), &key()).quirks(Quirks { parameter_id: id, ..Quirks::default() }));
        assert!(r.pace(&Password::Mrz(key()), other).is_err(), "curve {id} asked as {other}");
    }
}

#[test]
fn pace_with_every_cipher() {
    use crate::pace::{PaceCipher, Password};
    use crate::security_infos::{Cipher, SecurityInfo};
    let files = document(3000);
    for (cipher, id, offered) in [
        (PaceCipher::Tdes, 13, Cipher::Tdes),
        (PaceCipher::Tdes, 15, Cipher::Tdes),
        (PaceCipher::Aes192, 15, Cipher::Aes192),
        (PaceCipher::Aes256, 16, Cipher::Aes256),
        (PaceCipher::Aes256, 18, Cipher::Aes256),
    ] {
        let chip = SimChip::new(files.clone(), &key()).quirks(Quirks {
            parameter_id: id,
            pace_cipher: cipher,
            ..Quirks::default()
        });
        let mut r = reader(chip);
        let infos = crate::security_infos::parse(&r.card_access().unwrap().unwrap()).unwrap();
        assert!(
            infos.iter().any(|i| matches!(i, SecurityInfo::Pace { cipher: c, .. } if *c == offered)),
            "{cipher:?} not offered in {infos:?}"
        );
        r.pace_with(&Password::Can("123456".into()), id, cipher).unwrap_or_else(|e| panic!("{cipher:?} on {id}: {e}"));
        assert_eq!(r.read_file(FileId::DG2, |_| {}).unwrap(), files[&FileId::DG2], "{cipher:?}");
        // Asking for another cipher than the chip's is refused.
        let mut r = reader(SimChip::new(files.clone(), &key()).quirks(Quirks {
            parameter_id: id,
            pace_cipher: cipher,
            ..Quirks::default()
        }));
        assert!(r.pace_with(&Password::Can("123456".into()), id, PaceCipher::Aes128).is_err());
    }
}

/// The whole matrix on a generated document (real DG2, signed SOD): BAC and
/// PACE in every served group × the chunk quirks × a card lost mid-DG2 or
/// not. Every read returns the same bytes, and every hash matches the SOD.
#[test]
fn every_group_and_access_by_every_chunk_quirk_with_and_without_a_lost_card() {
    use crate::pace::Password;
    use crate::sim::document::{DocumentSpec, TestPki, generate};
    let mrz = crate::sim::document::specimen_mrz();
    let doc = generate(&mrz, &DocumentSpec::default(), &TestPki::new()).unwrap();
    let files = doc.files;
    let sod = lds::parse_sod(&files[&FileId::Sod]).unwrap();
    let dg2_start: usize = files.range(..FileId::DG2).map(|(_, f)| f.len()).sum();
    let accesses: Vec<Option<u8>> = std::iter::once(None).chain(crate::curves::SERVED.map(Some)).collect();
    for access in accesses {
        for chunk in [
            Quirks::default(),
            Quirks { max_le: 65_536, extended: false, ..Quirks::default() },
            Quirks { max_le: 100, extended: false, ..Quirks::default() },
        ] {
            for lost in [None, Some(dg2_start + 5_000)] {
                let quirks = Quirks { parameter_id: access.unwrap_or(13), ..chunk.clone() };
                let chip = SimChip::new(files.clone(), &mrz.access_key())
                    .quirks(quirks)
                    .faults(Faults { lose_card_at_byte: lost, ..Faults::default() });
                let mut r = reader(chip);
                let what = format!("{access:?} {chunk:?} lost at {lost:?}");
                match access {
                    None => r.bac(&mrz.access_key()),
                    Some(id) => r.pace(&Password::Mrz(mrz.access_key()), id),
                }
                .unwrap_or_else(|e| panic!("{what}: {e}"));
                for (id, expected) in &files {
                    let got = r.read_file(*id, |_| {}).unwrap_or_else(|e| panic!("{what}: {id}: {e}"));
                    assert_eq!(&got, expected, "{what}: file {id}");
                    if let Some(dg) = id.as_data_group() {
                        assert_eq!(sod.check(dg, &got), lds::HashVerdict::Match, "{what}: {id}");
                    }
                }
                assert_eq!(r.stats().resumed, u32::from(lost.is_some()), "{what}");
            }
        }
    }
}

/// Active Authentication against a generated document: the genuine chip's
/// answer verifies with DG15's key; a clone's (its own key) does not.
#[test]
fn active_authentication_tells_the_genuine_chip_from_a_clone() {
    use crate::sim::document::{DocumentSpec, TestPki, generate};
    let mrz = crate::sim::document::specimen_mrz();
    let doc = generate(&mrz, &DocumentSpec::default(), &TestPki::new()).unwrap();
    let spki = crate::tlv::parse(&doc.files[&FileId::DG15]).unwrap().value.to_vec();
    let infos = crate::security_infos::parse(&doc.files[&FileId::DG14]).unwrap();
    for (key, genuine) in [(doc.active_authentication_key, true), ([0x42; 32], false)] {
        let chip = SimChip::new(doc.files.clone(), &mrz.access_key()).active_authentication_key(key);
        let mut r = reader(chip);
        // Before access control the chip refuses.
        assert!(r.internal_authenticate(&[1; 8]).is_err());
        r.bac(&mrz.access_key()).unwrap();
        let challenge = [0x17, 0x2B, 0x3C, 0x4D, 0x5E, 0x6F, 0x70, 0x81];
        let signature = r.internal_authenticate(&challenge).unwrap();
        let verdict = crate::pki::active::verify(&spki, &infos, &challenge, &signature);
        assert_eq!(verdict.is_ok(), genuine, "{verdict:?}");
        // The same answer does not fit another challenge.
        assert!(crate::pki::active::verify(&spki, &infos, &[0; 8], &signature).is_err());
    }
}

/// Chip Authentication against a generated document, with AES and with
/// 3DES: the genuine chip's secure messaging restarts on the new keys and
/// every file reads the same; a chip without DG14's key fails.
#[test]
fn chip_authentication_rekeys_the_genuine_chip_and_exposes_a_clone() {
    use crate::sim::document::{DocumentSpec, TestPki, generate};
    let mrz = crate::sim::document::specimen_mrz();
    let doc = generate(&mrz, &DocumentSpec::default(), &TestPki::new()).unwrap();
    let infos = crate::security_infos::parse(&doc.files[&FileId::DG14]).unwrap();
    let aes = crate::ca::offer(&infos).unwrap().unwrap();
    assert_eq!(aes.cipher, crate::pace::PaceCipher::Aes128);
    let tdes = crate::ca::Offer { cipher: crate::pace::PaceCipher::Tdes, ..aes.clone() };
    for offer in [aes, tdes] {
        for (key, genuine) in [(doc.chip_authentication_key, true), ([0x24; 32], false)] {
            let chip = SimChip::new(doc.files.clone(), &mrz.access_key()).chip_authentication_key(key);
            let mut r = reader(chip);
            r.pace(&crate::pace::Password::Mrz(mrz.access_key()), 13).unwrap();
            let result = r.chip_authentication(&offer);
            assert_eq!(result.is_ok(), genuine, "{:?} genuine={genuine}: {result:?}", offer.cipher);
            if genuine {
                assert_eq!(r.read_file(FileId::DG1, |_| {}).unwrap(), doc.files[&FileId::DG1]);
            } else {
                assert_eq!(result, Err(ReadError::ChipAuthentication(crate::ca::CaError::WrongKey)));
            }
        }
    }
}

/// PACE-CAM: the chip proves DG14's key inside PACE; a clone's proof fails
/// against DG14.
#[test]
fn pace_cam_proves_the_chip_and_exposes_a_clone() {
    use crate::sim::document::{DocumentSpec, TestPki, generate};
    let mrz = crate::sim::document::specimen_mrz();
    let doc = generate(&mrz, &DocumentSpec::default(), &TestPki::new()).unwrap();
    let infos = crate::security_infos::parse(&doc.files[&FileId::DG14]).unwrap();
    let static_key = crate::ca::offer(&infos).unwrap().unwrap().key;
    for (key, genuine) in [(doc.chip_authentication_key, true), ([0x24; 32], false)] {
        // The document's CA key is P-256: CAM on P-256.
        let quirks = Quirks { parameter_id: 12, pace_cam: true, ..Quirks::default() };
        let chip = SimChip::new(doc.files.clone(), &mrz.access_key()).chip_authentication_key(key).quirks(quirks);
        let mut r = reader(chip);
        let card_access = crate::security_infos::parse(&r.card_access().unwrap().unwrap()).unwrap();
        let suite = crate::pace::choose(&card_access).unwrap();
        assert!(suite.cam);
        r.pace_suite(&crate::pace::Password::Can("123456".into()), &suite).unwrap();
        assert_eq!(r.read_file(FileId::DG1, |_| {}).unwrap(), doc.files[&FileId::DG1]);
        let proof = r.pace_cam_data().expect("PACE-CAM leaves its proof").clone();
        assert_eq!(crate::cam::verify(&proof, &static_key).is_ok(), genuine);
        // Opened again another way, the proof of the first session is gone
        // with it (it used to stay, vouching for a session it was not of).
        // (A plain command ends the chip's secure session: 6988 first.)
        assert_eq!(r.bac(&mrz.access_key()), Err(ReadError::Chip(StatusWord::SmObjectsIncorrect)));
        r.bac(&mrz.access_key()).unwrap();
        assert_eq!(r.read_file(FileId::DG1, |_| {}).unwrap(), doc.files[&FileId::DG1]);
        assert!(r.pace_cam_data().is_none(), "a CAM proof outlived its PACE session");
    }
}

/// PACE-IM in every group the integrated mapping applies to: the reader
/// picks it from EF.CardAccess, and a wrong CAN is refused.
#[test]
fn pace_im_in_every_group_it_applies_to() {
    use crate::pace::Password;
    let files = document(3000);
    for id in crate::curves::SERVED.into_iter().filter(|id| *id != 10) {
        let quirks = Quirks { parameter_id: id, pace_im: true, ..Quirks::default() };
        let mut r = reader(SimChip::new(files.clone(), &key()).quirks(quirks.clone()));
        let infos = crate::security_infos::parse(&r.card_access().unwrap().unwrap()).unwrap();
        let suite = crate::pace::choose(&infos).unwrap();
        assert!(suite.im && !suite.cam, "{id}: {suite:?}");
        r.pace_suite(&Password::Can("123456".into()), &suite).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(r.read_file(FileId::DG1, |_| {}).unwrap(), files[&FileId::DG1], "{id}");
        let mut r = reader(SimChip::new(files.clone(), &key()).quirks(quirks));
        assert_eq!(r.pace_suite(&Password::Can("654321".into()), &suite), Err(ReadError::AccessDenied), "{id}");
    }
}
