//! `face check` and `face compare` through the binary, on the specimen chip
//! photos in ../shared/testdata and the photos that ship with the models
//! (packaging/test.sh fetches them).

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod common;

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_mitid-assist");

fn face(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(BIN).arg("face").args(args).arg("--json").output().unwrap();
    (out.status.code(), serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{out:?}")))
}

#[test]
fn compare_a_chip_photo_with_a_photo_and_refuse_what_cannot_be_compared() {
    let Some(_) = common::face_models() else { return };
    let Some(lds) = common::shared("lds") else { return };
    let dg2 = lds.join("bsi2008/Datagroup2.bin");
    let jpeg = lds.join("iso39794/ICAO_39794_5_AP_DG2_Face.jpg");
    let other = lds.join("loes2006/ef0102.bin");
    let (code, v) = face(&["compare", dg2.to_str().unwrap(), jpeg.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert_eq!((v["faces_a"].as_u64(), v["faces_b"].as_u64(), v["band"].as_str()), (Some(1), Some(1), Some("strong")));
    let same = v["score"].as_f64().unwrap();
    let (code, v) = face(&["compare", dg2.to_str().unwrap(), other.to_str().unwrap()]);
    assert_eq!((code, v["band"].as_str()), (Some(0), Some("weak")));
    assert!(same > v["score"].as_f64().unwrap() + 0.3);

    // One face, its box and landmarks.
    let (code, v) = face(&["check", jpeg.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert_eq!((v["width"].as_u64(), v["faces"].as_array().unwrap().len()), (Some(413), 1));
    assert_eq!(v["faces"][0]["landmarks"].as_array().unwrap().len(), 5);
    // A passport photo is a good comparison photo; a holiday snap is not.
    assert_eq!(v["findings"], serde_json::json!([]));

    let snap = mitid_face::models::default_dir().parent().unwrap().join("face-photos/Male_47_1_1.jpg");
    if snap.exists() {
        let (_, v) = face(&["check", snap.to_str().unwrap()]);
        assert_eq!(v["findings"], serde_json::json!(["too_small", "off_centre"]));
    }

    // A blank picture: no face, exit 8; a text file: exit 2; no models: exit 9.
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.png");
    {
        let mut encoder = png::Encoder::new(std::fs::File::create(&blank).unwrap(), 320, 240);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header().unwrap().write_image_data(&vec![200u8; 320 * 240 * 3]).unwrap();
    }
    let (code, v) = face(&["check", blank.to_str().unwrap()]);
    assert_eq!((code, v["faces"].as_array().map(Vec::len)), (Some(8), Some(0)));
    let (code, v) = face(&["compare", blank.to_str().unwrap(), jpeg.to_str().unwrap()]);
    assert_eq!((code, v["error"].as_str()), (Some(8), Some("faces")));
    assert!(v["message"].as_str().unwrap().contains("no face found"), "{v}");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a photo").unwrap();
    let (code, v) = face(&["check", text.to_str().unwrap()]);
    assert_eq!((code, v["error"].as_str()), (Some(2), Some("input")));
    let (code, v) = face(&["check", jpeg.to_str().unwrap(), "--models", dir.path().to_str().unwrap()]);
    assert_eq!((code, v["error"].as_str()), (Some(9), Some("model")));
    assert!(v["message"].as_str().unwrap().contains("run the set-up"), "{v}");
}

#[test]
fn the_demo_passport_holder_matches_the_demo_camera_and_a_stranger_does_not() {
    let Some(_) = common::face_models() else { return };
    // Read the demo passport as the counter does, and take its DG2.
    let mitid_assist::chip_read::Report::Done(Ok(document)) = common::demo_read() else { panic!("the demo read") };
    let dir = tempfile::tempdir().unwrap();
    let dg2 = dir.path().join("DG2.bin");
    std::fs::write(&dg2, document.file(mitid_emrtd::file::FileId::DG2).unwrap()).unwrap();
    let demo =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
            .join("assets/demo");
    for (camera, band) in [("camera-person-a.jpg", "strong"), ("camera-person-b.jpg", "weak")] {
        let (code, v) = face(&["compare", dg2.to_str().unwrap(), demo.join(camera).to_str().unwrap()]);
        assert_eq!((code, v["band"].as_str()), (Some(0), Some(band)), "{camera}: {v}");
    }
}

#[test]
fn the_face_bench_reports_every_figure() {
    let Some(_) = common::face_models() else { return };
    let Some(lds) = common::shared("lds") else { return };
    let photo = lds.join("iso39794/ICAO_39794_5_AP_DG2_Face.jpg");
    let out = Command::new(BIN).args(["bench", "face"]).arg(&photo).args(["--runs", "2"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    for figure in [
        "detection per 640×480 frame: ",
        "detection per 320×240 frame: ",
        "guidance checks per frame: ",
        "description per face (align + SFace): ",
        "webcam frame to RGB, 640×480: YUYV ",
        "live frame (MJPEG decode + guidance): ",
    ] {
        let line = text.lines().find(|l| l.starts_with(figure)).unwrap_or_else(|| panic!("no «{figure}» in\n{text}"));
        let number: f64 = line[figure.len()..].split(' ').next().unwrap().parse().unwrap();
        assert!(number > 0.0, "{line}");
    }
}
