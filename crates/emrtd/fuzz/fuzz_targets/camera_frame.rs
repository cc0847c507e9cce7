//! Webcam frames (YUYV, NV12, MJPEG, grey, RGB, BGR) with any claimed size:
//! decoding never panics and never allocates beyond the size limit.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fuzz_frame::run(data);
});

mod fuzz_frame {
    include!("../../../camera/tests/support/fuzz_frame.rs");
}
