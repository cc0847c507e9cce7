//! The cameras of the machine the tests run on, through the real backend
//! (V4L2 on Linux): the list matches the video devices there are, and
//! with none, opening says so. Where a camera is connected, a frame is
//! read from it and has the size it was opened at.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use mitid_camera::CameraError;

/// The V4L2 device nodes (Linux).
#[cfg(target_os = "linux")]
fn video_nodes() -> usize {
    std::fs::read_dir("/dev")
        .map(|dir| dir.filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().starts_with("video")).count())
        .unwrap_or(0)
}

#[cfg(target_os = "linux")]
#[test]
fn the_cameras_listed_are_the_machines_video_devices() {
    let cameras = mitid_camera::list().unwrap();
    assert_eq!(cameras.len(), video_nodes(), "{cameras:?}");
    let mut indexes: Vec<u32> = cameras.iter().map(|c| c.index).collect();
    indexes.dedup();
    assert_eq!(indexes.len(), cameras.len(), "one entry a device");
    if cameras.is_empty() {
        eprintln!("no camera on this machine: opening one must say so");
        assert_eq!(mitid_camera::open(None, None).unwrap_err(), CameraError::NoCamera);
        // A camera chosen last run and now unplugged: the same.
        assert_eq!(mitid_camera::open(Some("Logitech C920"), Some((1280, 720))).unwrap_err(), CameraError::NoCamera);
        return;
    }
    match mitid_camera::open(None, None) {
        Ok(mut webcam) => {
            let frame = webcam.frame().unwrap();
            assert_eq!((frame.width, frame.height), (webcam.format.width, webcam.format.height));
            assert_eq!(frame.pixels.len(), frame.width as usize * frame.height as usize * 3);
        }
        // In use elsewhere or not permitted: sorted, not a raw error.
        Err(e) => assert!(matches!(e, CameraError::Busy | CameraError::NoPermission | CameraError::NoFormat), "{e}"),
    }
}
