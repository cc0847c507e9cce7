use std::path::PathBuf;

use super::*;
use crate::mrz::Format;

fn testdata() -> Option<PathBuf> {
    crate::test_support::lds_dir()
}

fn read(dir: &std::path::Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn bsi_2008_reference_data_set() {
    let Some(root) = testdata() else { return };
    let dir = root.join("bsi2008");
    let com = parse_com(&read(&dir, "EF_COM.bin")).unwrap();
    // This EF.COM lists DG1, DG2, DG3 and DG14 (tags 61 75 63 6E), and so
    // does the SOD, though the set also has DG4 and DG15 files.
    assert_eq!(com.lds_version, "0107");
    assert_eq!(com.data_groups, [1, 2, 3, 14].map(DataGroup));
    let mrz = parse_dg1(&read(&dir, "Datagroup1.bin")).unwrap();
    assert_eq!(mrz.format, Format::Td3);
    assert!(!mrz.document_number.is_empty() && !mrz.primary_name.is_empty());
    let sod = parse_sod(&read(&dir, "EF_SOD.bin")).unwrap();
    let listed: Vec<u8> = sod.hashes.iter().map(|(dg, _)| dg.0).collect();
    assert_eq!((listed, sod.algorithm), (vec![1, 2, 3, 14], HashAlgorithm::Sha1));
    assert_eq!(sod.check(DataGroup(15), &read(&dir, "Datagroup15.bin")), HashVerdict::NotListed);
    for (dg, file) in [(1, "Datagroup1.bin"), (2, "Datagroup2.bin"), (3, "Datagroup3.bin"), (14, "Datagroup14.bin")] {
        let raw = read(&dir, file);
        assert_eq!(sod.check(DataGroup(dg), &raw), HashVerdict::Match, "DG{dg}");
        // One changed byte is caught.
        let mut altered = raw.clone();
        let last = altered.len() - 1;
        altered[last] ^= 0x01;
        assert_eq!(sod.check(DataGroup(dg), &altered), HashVerdict::Mismatch, "DG{dg} altered");
    }
    assert_eq!(sod.check(DataGroup(11), b"x"), HashVerdict::NotListed);
}

#[test]
fn loes_2006_sample_set() {
    let Some(root) = testdata() else { return };
    let dir = root.join("loes2006");
    let com = parse_com(&read(&dir, "ef011E.bin")).unwrap();
    assert!(com.data_groups.contains(&DataGroup(1)) && com.data_groups.contains(&DataGroup(2)));
    let mrz = parse_dg1(&read(&dir, "ef0101.bin")).unwrap();
    assert!(!mrz.document_number.is_empty());
    let sod = parse_sod(&read(&dir, "ef011D.bin")).unwrap();
    for (dg, file) in [(1, "ef0101.bin"), (2, "ef0102.bin"), (15, "ef010F.bin")] {
        assert_eq!(sod.check(DataGroup(dg), &read(&dir, file)), HashVerdict::Match, "DG{dg}");
    }
}

#[test]
fn every_file_under_testdata_survives_every_parser() {
    let Some(root) = testdata() else { return };
    let mut files = 0;
    for set in std::fs::read_dir(&root).unwrap() {
        for file in std::fs::read_dir(set.unwrap().path()).unwrap() {
            let bytes = std::fs::read(file.unwrap().path()).unwrap();
            let _ = parse_com(&bytes);
            let _ = parse_dg1(&bytes);
            let _ = parse_sod(&bytes);
            // Truncated at every length: still no panic.
            for cut in (0..bytes.len()).step_by(97) {
                let _ = parse_sod(&bytes[..cut]);
                let _ = parse_dg1(&bytes[..cut]);
            }
            files += 1;
        }
    }
    assert!(files >= 17, "{files} files");
}

#[test]
fn dg11_and_dg12_text_fields() {
    // DG11: tag list, full name, other names in an A0 group, place of birth.
    let dg11 = [
        &[0x6B, 0x2F, 0x5C, 0x04, 0x5F, 0x0E, 0x5F, 0x11][..],
        &[0x5F, 0x0E, 0x0E],
        b"ERIKSSON<<ANNA",
        &[0xA0, 0x0A, 0x02, 0x01, 0x01, 0x5F, 0x0F, 0x04],
        b"ANNE",
        &[0x5F, 0x11, 0x09],
        b"ZENITH<UT",
    ]
    .concat();
    let fields = parse_text_dg(&dg11).unwrap();
    let pairs: Vec<(&str, &str)> = fields.iter().map(|f| (f.name, f.value.as_str())).collect();
    assert_eq!(pairs, [("full name", "ERIKSSON  ANNA"), ("place of birth", "ZENITH UT"), ("other name", "ANNE")]);
    let dg12 = [&[0x6C, 0x0F, 0x5F, 0x19, 0x09][..], b"UTOPIA<MI", &[0x5F, 0x26, 0x00]].concat();
    let fields = parse_text_dg(&dg12).unwrap();
    assert_eq!(fields[0].name, "issuing authority");
    assert!(parse_text_dg(&dg11[..20]).is_err());
    assert!(parse_text_dg(&[0x61, 0x00]).is_err());
}
