//! The simulated camera of demo mode, frame by frame as the camera thread
//! makes them: the guidance first says what is wrong (the person is still
//! walking up), then nothing, and auto-capture takes the picture once the
//! good frames have lasted; the stream itself delivers frames at its rate.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use std::time::Duration;

use iced::futures::StreamExt;
use mitid_assist::camera::{self, DEMO_FPS, DemoPerson, Event, Source};
use mitid_face::quality::{AutoCapture, Finding};
use mitid_face::{Rgb, models};

mod common;

fn engine() -> Option<std::sync::Arc<mitid_face::Engine>> {
    common::face_models().map(|dir| camera::engine(&dir).unwrap())
}

#[test]
fn the_demo_person_steps_up_and_is_captured_by_itself() {
    let Some(engine) = engine() else { return };
    let picture = image::load_from_memory(include_bytes!("../assets/demo/camera-person-a.jpg")).unwrap().to_rgb8();
    let mut auto = AutoCapture::new(Duration::from_millis(800));
    let period = Duration::from_secs(1) / DEMO_FPS;
    let mut captured_at = None;
    for n in 0..(3 * u64::from(DEMO_FPS)) {
        let frame = camera::demo_frame(&picture, n);
        let rgb = Rgb { width: frame.width(), height: frame.height(), pixels: frame.into_raw() };
        let (faces, findings) = camera::analyse(&engine, &rgb).unwrap();
        if n < u64::from(DEMO_FPS) {
            // Walking up: small and to the side.
            assert!(
                findings.contains(&Finding::TooSmall) || findings.contains(&Finding::OffCentre),
                "{n}: {findings:?}"
            );
        } else {
            assert_eq!(findings, [], "frame {n}");
            assert_eq!(faces.len(), 1);
        }
        if auto.frame(period * n as u32, findings.is_empty()) && captured_at.is_none() {
            captured_at = Some(n);
        }
    }
    // One second of walking up, then 0.8 s of good frames (12 periods of
    // 1/15 s, give or take a nanosecond's rounding).
    let first_good = u64::from(DEMO_FPS);
    assert!(matches!(captured_at, Some(n) if (first_good + 12..=first_good + 13).contains(&n)), "{captured_at:?}");
}

#[test]
fn the_stream_delivers_analysed_frames_in_order() {
    let Some(_) = engine() else { return };
    let frames: Vec<Event> = iced::futures::executor::block_on(
        camera::stream(Source::Demo(DemoPerson::Stranger, Default::default()), models::default_dir())
            .take(5)
            .collect::<Vec<_>>(),
    );
    let numbers: Vec<u64> = frames
        .iter()
        .map(|e| match e {
            Event::Frame(f) => {
                assert_eq!((f.image.width, f.image.height), (640, 480));
                f.number
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
}

#[test]
fn the_trainers_camera_faults_reach_the_demo_stream_and_it_comes_back() {
    use mitid_core::lesson::{CameraSetup, Devices, FaultKind};
    let Some(_) = engine() else { return };
    let devices = Devices::default();
    devices.change(|s| s.apply(FaultKind::CameraLost));
    let mut stream = Box::pin(camera::stream(Source::Demo(DemoPerson::Holder, devices.clone()), models::default_dir()));
    let first = iced::futures::executor::block_on(stream.next());
    assert!(matches!(first, Some(Event::Unavailable(mitid_camera::CameraError::Gone))), "{first:?}");
    // Plugged back in, with the light gone: frames again, dark ones.
    devices.change(|s| {
        s.camera_problem = None;
        s.camera = CameraSetup::Dark;
    });
    let next = iced::futures::executor::block_on(stream.next());
    let Some(Event::Frame(frame)) = next else { panic!("{next:?}") };
    let mean = frame.image.pixels.iter().map(|p| f64::from(*p)).sum::<f64>() / frame.image.pixels.len() as f64;
    assert!(mean < 20.0, "a dark picture: mean {mean}");
    // Taken by another program: said once the frames already on their way
    // (the channel holds two) have come.
    devices.change(|s| s.apply(FaultKind::CameraBusy));
    let busy = iced::futures::executor::block_on(
        stream.by_ref().take(4).filter(|e| std::future::ready(!matches!(e, Event::Frame(_)))).next(),
    );
    assert!(matches!(busy, Some(Event::Unavailable(mitid_camera::CameraError::Busy))), "{busy:?}");
}

#[test]
fn without_the_models_the_camera_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let first = iced::futures::executor::block_on(
        camera::stream(Source::Demo(DemoPerson::Holder, Default::default()), dir.path().to_owned())
            .take(1)
            .collect::<Vec<_>>(),
    );
    match first.as_slice() {
        [Event::Failed(why @ camera::Problem::Models(_))] => assert!(
            why.text().starts_with(
                "The face comparison cannot start: its models are missing or damaged. Ask IT to run the set-up again."
            ),
            "{why:?}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_webcam_stream_says_when_there_is_no_camera() {
    let Some(_) = engine() else { return };
    // The real backend (V4L2 here): with no video device, the first word
    // is what to do; with one, the cameras come first.
    let devices = std::fs::read_dir("/dev")
        .map(|d| d.filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().starts_with("video")).count())
        .unwrap_or(0);
    let source = Source::Webcam { camera: Some("Logitech C920".into()), size: Some((1280, 720)) };
    let first =
        iced::futures::executor::block_on(camera::stream(source, models::default_dir()).take(1).collect::<Vec<_>>());
    match first.as_slice() {
        [Event::Unavailable(error)] if devices == 0 => {
            assert_eq!(*error, mitid_camera::CameraError::NoCamera);
            let why = camera::error_text(error);
            assert!(why.starts_with("No camera found. Plug in a webcam: the picture starts by itself."), "{why}")
        }
        [Event::Cameras(names)] if devices > 0 => assert!(!names.is_empty()),
        other => panic!("{devices} video devices, yet {other:?}"),
    }
}
