//! The fuzzers' corpus (crates/emrtd/fuzz/corpus), replayed through the
//! same parsers on every test run: what once found a new path in them must
//! still not make them panic. `packaging/fuzz.sh` grows the corpus.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use std::path::PathBuf;

use mitid_emrtd::apdu::{Command, Response};
use mitid_emrtd::bac::SessionKeys;
use mitid_emrtd::sm::Channel;
use mitid_emrtd::{lds, mrz, tlv};

#[path = "support/fuzz_pace.rs"]
mod fuzz_pace;
#[path = "support/fuzz_pki.rs"]
mod fuzz_pki;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
            .join("fuzz/corpus")
            .join(target);
    let mut inputs: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{} is empty", dir.display());
    inputs
}

#[test]
fn mrz_corpus() {
    let mut parsed = 0;
    for input in corpus("mrz") {
        if let Ok(text) = std::str::from_utf8(&input)
            && let Ok(m) = mrz::Mrz::parse(text)
        {
            assert!(!m.access_key().mrz_information().is_empty());
            parsed += 1;
        }
    }
    assert!(parsed >= 4, "the seed specimens parse: {parsed}");
}

#[test]
fn lds_corpus() {
    for input in corpus("lds") {
        let _ = tlv::total_length(&input);
        let _ = lds::parse_com(&input);
        let _ = lds::parse_dg1(&input);
        let _ = mitid_emrtd::face::parse_dg2(&input);
        let _ = lds::parse_text_dg(&input);
        let _ = mitid_emrtd::security_infos::parse(&input);
        let _ = mitid_emrtd::security_infos::parse_dg15(&input);
        if let Ok(sod) = lds::parse_sod(&input) {
            let _ = sod.check(lds::DataGroup(1), &input);
        }
    }
}

#[test]
fn apdu_corpus() {
    for input in corpus("apdu") {
        let _ = Response::parse(&input);
        if let Some(cmd) = Command::parse(&input) {
            assert_eq!(Command::parse(&cmd.to_bytes()), Some(cmd));
        }
    }
}

#[test]
fn secure_messaging_corpus() {
    let keys = SessionKeys { enc: [0x13; 16], mac: [0x37; 16], ssc: [0; 8] };
    let aes = Channel::aes(&[0x13; 16], &[0x37; 16]).unwrap();
    for input in corpus("secure_messaging") {
        for channel in [Channel::new(&keys), aes.clone()] {
            if let Ok(response) = Response::parse(&input) {
                let _ = channel.clone().unprotect(&response);
            }
            if let Some(cmd) = Command::parse(&input) {
                let _ = channel.clone().open_command(&cmd);
            }
        }
    }
}

#[test]
fn pace_corpus() {
    for input in corpus("pace") {
        fuzz_pace::run(&input);
    }
}

#[test]
fn pki_corpus() {
    for input in corpus("pki") {
        fuzz_pki::run(&input);
    }
}

#[test]
fn face_corpus() {
    use mitid_emrtd::face::{Encoding, FaceImage, ImageFormat, decode};
    let mut decoded = 0;
    for input in corpus("face") {
        let Some((&choice, rest)) = input.split_first() else { continue };
        let format = [ImageFormat::Jpeg, ImageFormat::Jp2, ImageFormat::J2k][usize::from(choice % 3)];
        if decode(&FaceImage { encoding: Encoding::Iso19794, format, data: rest.to_vec() }).is_ok() {
            decoded += 1;
        }
    }
    assert!(decoded >= 1, "the seed photo decodes");
}

#[test]
fn a_face_image_claiming_to_be_huge_is_refused_before_decoding() {
    use mitid_emrtd::face::{Encoding, FaceError, FaceImage, ImageFormat, decode};
    // A JPEG whose frame header says 60000×60000.
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0xEA, 0x60, 0xEA, 0x60, 0x03];
    jpeg.extend_from_slice(&[1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
    // A scan header, then the end.
    jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00]);
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    let result = decode(&FaceImage { encoding: Encoding::Iso19794, format: ImageFormat::Jpeg, data: jpeg });
    assert!(matches!(result, Err(FaceError::TooLarge(60000, 60000))), "{result:?}");
}
