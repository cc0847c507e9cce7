//! Webcam frames (YUYV, NV12, MJPEG, grey, RGB, BGR) with any claimed size:
//! decoding never panics and never allocates beyond the size limit.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mitid_camera::convert::{Pixels, decode};

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
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
    let _ = decode(pixels, &data[5..], width, height);
});
