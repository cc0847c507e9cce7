//! The webcam path end to end through the real stack — nokhwa, v4l, the
//! V4L2 ioctls, mmap'd buffers — with no camera hardware: the binary runs
//! with `tests/support/fake_v4l.c` preloaded, a V4L2 device in user space
//! (/dev/video42, YUYV 640×480 and 320×240 at 30 fps) that can also be
//! told to be busy, forbidden, or unplugged mid-stream (and plugged back).
//! `camera list` and `camera check` run the very stream the face step
//! watches.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_mitid-assist");

mod common;

/// The binary with the fake camera in `mode` ("ok", "busy", "denied",
/// "unplug"), its data in `data`.
fn run(mode: &str, data: &Path, args: &[&str]) -> Output {
    showing(None, mode, data, args)
}

/// The same, the fake's 640×480 frames showing `picture` (YUYV bytes)
/// when one is given.
fn showing(picture: Option<&Path>, mode: &str, data: &Path, args: &[&str]) -> Output {
    let mut command = Command::new("timeout");
    command
        .arg("60")
        .arg(BIN)
        .arg("--data-dir")
        .arg(data)
        .arg("--config")
        .arg(data.join("absent.toml"))
        .args(["camera"])
        .args(args)
        .env("LD_PRELOAD", common::fake_camera())
        .env("FAKE_V4L_MODE", mode)
        .env("LANG", "en_US.UTF-8");
    if let Some(picture) = picture {
        command.env("FAKE_V4L_PICTURE", picture);
    }
    command.output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{out:?}"))
}

#[test]
fn the_fake_camera_is_listed_with_its_sizes() {
    let data = tempfile::tempdir().unwrap();
    let out = run("ok", data.path(), &["list", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v = json(&out);
    let fake = v["cameras"].as_array().unwrap().iter().find(|c| c["name"] == "Fake Camera").expect("listed");
    assert_eq!(fake["index"], 42);
    assert_eq!(fake["sizes"], serde_json::json!([[640, 480], [320, 240]]));
    let text = run("ok", data.path(), &["list"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("Fake Camera (video42): 640×480, 320×240"), "{text:?}");
}

#[test]
fn a_check_streams_decodes_and_analyses_frames_at_the_size_asked_or_remembered() {
    let Some(_) = common::face_models() else { return };
    let data = tempfile::tempdir().unwrap();
    let png = data.path().join("last.png");
    let out = run(
        "ok",
        data.path(),
        &[
            "check",
            "--camera",
            "Fake Camera",
            "--size",
            "320x240",
            "--frames",
            "12",
            "--json",
            "--out",
            png.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v = json(&out);
    assert_eq!(
        (v["camera"].as_str(), v["width"].as_u64(), v["height"].as_u64()),
        (Some("Fake Camera"), Some(320), Some(240))
    );
    assert_eq!((v["fps_asked"].as_u64(), v["frames"].as_u64()), (Some(30), Some(12)));
    assert!(v["fps"].as_f64().unwrap() > 0.0);
    // A grey ramp is no face, and the guidance says so.
    assert_eq!((v["faces"].as_u64(), v["findings"].clone()), (Some(0), serde_json::json!(["no_face"])));
    // The last frame, decoded from YUYV: grey, one step brighter a pixel
    // to the right (the fake's ramp), wrapping at 256.
    let picture = image::open(&png).unwrap().to_rgb8();
    assert_eq!(picture.dimensions(), (320, 240));
    let row: Vec<i32> = (0..320).map(|x| i32::from(picture.get_pixel(x, 0)[0])).collect();
    assert!((0..320).all(|x| {
        let p = picture.get_pixel(x, 0);
        p[0] == p[1] && p[1] == p[2]
    }));
    let steps = row.windows(2).filter(|w| (0..=2).contains(&(w[1] - w[0]))).count();
    assert!(steps >= 315, "a ramp: {row:?}");

    // The size chosen in the app (state.toml) is the one used.
    std::fs::write(data.path().join("state.toml"), "camera = \"Fake Camera\"\ncamera_size = [320, 240]\n").unwrap();
    let v = json(&run("ok", data.path(), &["check", "--frames", "3", "--json"]));
    assert_eq!((v["width"].as_u64(), v["height"].as_u64()), (Some(320), Some(240)));
    // And without a choice, the default 640×480.
    std::fs::remove_file(data.path().join("state.toml")).unwrap();
    let v = json(&run("ok", data.path(), &["check", "--frames", "3", "--json"]));
    assert_eq!((v["width"].as_u64(), v["height"].as_u64()), (Some(640), Some(480)));
}

#[test]
fn busy_forbidden_and_unplugged_cameras_say_what_to_do() {
    let Some(_) = common::face_models() else { return };
    let data = tempfile::tempdir().unwrap();
    for (mode, code, kind, says) in [
        ("busy", 11, "camera_busy", "The camera is in use by another program"),
        ("denied", 12, "camera_permission", "add the user to the \"video\" group"),
        ("unplug", 13, "camera", "The camera was disconnected. Plug it in again"),
    ] {
        let out = run(mode, data.path(), &["check", "--frames", "20", "--json"]);
        assert_eq!(out.status.code(), Some(code), "{mode}: {out:?}");
        let v = json(&out);
        assert_eq!(v["error"], kind, "{mode}");
        assert!(v["message"].as_str().unwrap().contains(says), "{mode}: {v}");
    }
}

#[test]
fn a_camera_pulled_out_and_plugged_back_in_gives_its_picture_again() {
    let Some(_) = common::face_models() else { return };
    let data = tempfile::tempdir().unwrap();
    // Gone after five frames, back by itself: the stream tries again, as
    // the face step does, and the frames come again.
    let out = run("replug", data.path(), &["check", "--frames", "12", "--wait", "30", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(json(&out)["frames"], 12);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("waiting for the camera: The camera was disconnected. Plug it in again"), "{said}");
}

#[test]
fn a_document_held_under_the_camera_is_read_live_once_frames_agree() {
    use mitid_mrz_ocr::page::{Shot, page};
    use mitid_mrz_ocr::synth::{Font, Rng, Style, random_document};
    let Ok(font) = Font::debian() else {
        assert!(std::env::var_os("CI").is_none(), "CI installs fonts-ocr-b");
        eprintln!("skipped: the OCR-B font is not installed (apt-get install fonts-ocr-b)");
        return;
    };
    // An ID card held still under the camera, its MRZ 13 px a capital in
    // the 640×480 picture (a passport's line of 44 would not fit at that).
    let mut rng = Rng::new(31);
    let truth = random_document(&mut rng, mitid_emrtd::mrz::Format::Td1);
    let shot = Shot {
        char_height: 13.0,
        frame: (640, 480),
        angle: -6.0,
        slant: 0.0,
        blur: 0.4,
        noise: 0.01,
        contrast: 0.9,
        glare: None,
        jpeg: None,
        print: Style { paper: 255, ink: 0, ..Style::clean(13.0) },
    };
    let held = page(&font, &truth, &shot, &mut rng);
    assert!(held.whole);
    let frame = held.image;
    let rgb =
        mitid_emrtd::face::Rgb { width: 640, height: 480, pixels: frame.pixels().flat_map(|p| [p.0[0]; 3]).collect() };
    let data = tempfile::tempdir().unwrap();
    let picture = data.path().join("page.yuyv");
    std::fs::write(&picture, mitid_camera::convert::to_yuyv(&rgb)).unwrap();
    let out = showing(
        Some(&picture),
        "ok",
        data.path(),
        &["mrz", "--camera", "Fake Camera", "--size", "640x480", "--wait", "30", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v = json(&out);
    assert_eq!(v["lines"], serde_json::json!(truth), "{v}");
    assert_eq!((v["accepted"].as_bool(), v["format"].as_str()), (Some(true), Some("TD1")));
    assert_eq!(v["camera"].as_str(), Some("Fake Camera"));
    assert!(v["guidance"].is_null(), "{v}");
    // Three frames at least must agree before a reading is offered.
    assert!(v["frames"].as_u64().unwrap() >= 3, "{v}");
    eprintln!("read live after {} frames, {} ms from opening the camera", v["frames"], v["ms"]);

    // The grey ramp the fake shows without a picture holds no MRZ: none
    // is offered, the wait runs out, and the end is 1.
    let out = run("ok", data.path(), &["mrz", "--camera", "Fake Camera", "--size", "320x240", "--wait", "2", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = json(&out);
    assert!(v["lines"].is_null() && v["accepted"] == false, "{v}");
}
