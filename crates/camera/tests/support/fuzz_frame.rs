// The body of the `camera_frame` fuzz target, shared with the corpus
// replay (the fuzz crate includes this file). The first byte picks the
// pixel format, the next four the claimed width and height (u16 each,
// little-endian), the rest is the frame.

use mitid_camera::convert::{FrameError, Pixels, decode};
use mitid_emrtd::face::Rgb;

/// Decodes one fuzz input; `None` when it is too short to be one.
pub fn run(data: &[u8]) -> Option<Result<Rgb, FrameError>> {
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
    Some(decode(pixels, &data[5..], width, height))
}
