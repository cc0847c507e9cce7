//! The frame fuzzer's corpus (crates/emrtd/fuzz/corpus/camera_frame),
//! replayed through the decoders on every test run: inputs that once
//! found new paths must still decode or fail cleanly. The MJPEG seeds (one
//! with its Huffman tables left out, as many webcams send) must decode.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use std::path::PathBuf;

use mitid_camera::convert::{Pixels, decode};

fn input(data: &[u8]) -> Option<(Pixels, u32, u32, &[u8])> {
    if data.len() < 5 {
        return None;
    }
    let pixels = match data[0] % 6 {
        0 => Pixels::Yuyv,
        1 => Pixels::Nv12,
        2 => Pixels::Mjpeg,
        3 => Pixels::Gray,
        4 => Pixels::Rgb,
        _ => Pixels::Bgr,
    };
    let width = u32::from(u16::from_le_bytes([data[1], data[2]]));
    let height = u32::from(u16::from_le_bytes([data[3], data[4]]));
    Some((pixels, width, height, &data[5..]))
}

#[test]
fn the_corpus_decodes_or_fails_cleanly() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../emrtd/fuzz/corpus/camera_frame");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let Some((pixels, width, height, bytes)) = input(&data) else { continue };
        let decoded = decode(pixels, bytes, width, height);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("mjpeg-16x8") {
            let rgb = decoded.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!((rgb.width, rgb.height), (16, 8), "{name}");
        }
        seen += 1;
    }
    assert!(seen >= 6, "the seeds are there ({seen})");
}
