//! The frame fuzzer's corpus (crates/emrtd/fuzz/corpus/camera_frame),
//! replayed through the decoders on every test run: inputs that once
//! found new paths must still decode or fail cleanly. The MJPEG seeds (one
//! with its Huffman tables left out, as many webcams send) must decode.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use std::path::PathBuf;

#[path = "support/fuzz_frame.rs"]
mod fuzz_frame;

#[test]
fn the_corpus_decodes_or_fails_cleanly() {
    let dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
            .join("../emrtd/fuzz/corpus/camera_frame");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let Some(decoded) = fuzz_frame::run(&data) else { continue };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("mjpeg-16x8") {
            let rgb = decoded.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!((rgb.width, rgb.height), (16, 8), "{name}");
        }
        seen += 1;
    }
    assert!(seen >= 6, "the seeds are there ({seen})");
}
