//! `mrz read` through the binary, on the real specimens in
//! ../shared/testdata/mrz (read from there) and on pictures that hold no
//! MRZ or are no picture at all.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod common;

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_mitid-assist");

fn mrz_read(files: &[&std::path::Path]) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(BIN).args(["mrz", "read", "--json"]).args(files).output().unwrap();
    (out.status.code(), serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{out:?}")))
}

#[test]
fn the_mrz_of_a_specimen_is_read_with_its_checks_and_what_is_not_an_mrz_is_said_so() {
    let Some(dir) = common::shared("mrz") else { return };
    let specimen = dir.join("pe_100_pass-uto.jpg");
    let (code, v) = mrz_read(&[&specimen]);
    assert_eq!(code, Some(0), "{v}");
    let one = &v["images"][0];
    assert_eq!(one["file"].as_str(), specimen.to_str());
    assert_eq!(
        one["lines"],
        serde_json::json!([
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
        ])
    );
    assert_eq!(one["format"].as_str(), Some("TD3"));
    assert_eq!(one["accepted"].as_bool(), Some(true));
    let fields: Vec<&str> = one["checks"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["document_number", "date_of_birth", "expiry", "personal_number", "composite"]);
    assert!(one["checks"].as_array().unwrap().iter().all(|c| c["ok"] == true));
    assert!(one["ms"].as_f64().unwrap() > 0.0);

    // The Spanish specimen prints wrong check digits: read, said, not sure.
    let spanish = dir.join("pe_0_id-esp.png");
    // A blank picture has no MRZ; a text file is no picture. Each is said
    // so, the specimen beside them is still read, and the end is 1.
    let scratch = tempfile::tempdir().unwrap();
    let blank = scratch.path().join("blank.png");
    image::GrayImage::from_pixel(640, 480, image::Luma([180])).save(&blank).unwrap();
    let text = scratch.path().join("notes.txt");
    std::fs::write(&text, "not a picture").unwrap();
    let (code, v) = mrz_read(&[&spanish, &blank, &text, &specimen]);
    assert_eq!(code, Some(1), "{v}");
    let images = v["images"].as_array().unwrap();
    assert_eq!(images.len(), 4);
    assert_eq!(images[0]["format"].as_str(), Some("TD1"));
    assert_eq!(images[0]["accepted"].as_bool(), Some(false));
    assert!(images[0]["checks"].as_array().unwrap().iter().any(|c| c["ok"] == false), "{}", images[0]);
    assert!(images[1]["lines"].is_null());
    assert_eq!(images[1]["accepted"].as_bool(), Some(false));
    assert!(images[1]["guidance"].as_str().unwrap().contains("no MRZ"));
    assert!(images[2]["error"].as_str().unwrap().contains("not a picture"));
    assert_eq!(images[3]["accepted"].as_bool(), Some(true));
}
