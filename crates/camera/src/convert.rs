//! Camera frames to RGB: the pixel formats webcams send (YUYV, NV12,
//! MJPEG, grey, RGB/BGR), decoded here in plain Rust. Frames are outside
//! bytes: a short, torn or garbled one is an error, never a panic.

use mitid_emrtd::face::Rgb;

/// The largest side accepted (a frame claiming more is damaged).
pub const MAX_SIDE: u32 = 8192;

/// How a camera packs its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pixels {
    /// YUV 4:2:2, two bytes a pixel (the UVC default).
    Yuyv,
    /// YUV 4:2:0: a Y plane, then interleaved U/V at half size.
    Nv12,
    /// A JPEG a frame.
    Mjpeg,
    /// One grey byte a pixel.
    Gray,
    /// Three bytes a pixel, red first.
    Rgb,
    /// Three bytes a pixel, blue first.
    Bgr,
}

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Fewer bytes than the size needs.
    #[error("the frame has {got} bytes, {need} needed for its size")]
    Short {
        /// Bytes present.
        got: usize,
        /// Bytes needed.
        need: usize,
    },
    /// A size of zero, an odd width where pairs are needed, or too large.
    #[error("the frame's size {width}×{height} cannot be right")]
    Size {
        /// Claimed width.
        width: u32,
        /// Claimed height.
        height: u32,
    },
    /// The JPEG does not decode.
    #[error("the frame's JPEG does not decode: {0}")]
    Jpeg(String),
}

fn clamp(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// One pixel from Y′CbCr (BT.601, studio range), in fixed point.
fn ycbcr(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = 298 * (i32::from(y) - 16);
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    [clamp((c + 409 * e + 128) >> 8), clamp((c - 100 * d - 208 * e + 128) >> 8), clamp((c + 516 * d + 128) >> 8)]
}

fn check(width: u32, height: u32, even: bool) -> Result<usize, FrameError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE || (even && (width % 2 == 1)) {
        return Err(FrameError::Size { width, height });
    }
    Ok(width as usize * height as usize)
}

fn need(bytes: &[u8], need: usize) -> Result<(), FrameError> {
    if bytes.len() < need { Err(FrameError::Short { got: bytes.len(), need }) } else { Ok(()) }
}

/// Decodes a frame of `width`×`height` packed as `pixels` (the size is
/// ignored for MJPEG: the JPEG says its own).
pub fn decode(pixels: Pixels, bytes: &[u8], width: u32, height: u32) -> Result<Rgb, FrameError> {
    let out = match pixels {
        Pixels::Mjpeg => return mjpeg(bytes),
        Pixels::Yuyv => {
            let n = check(width, height, true)?;
            need(bytes, n * 2)?;
            let mut out = Vec::with_capacity(n * 3);
            for quad in bytes[..n * 2].chunks_exact(4) {
                out.extend(ycbcr(quad[0], quad[1], quad[3]));
                out.extend(ycbcr(quad[2], quad[1], quad[3]));
            }
            out
        }
        Pixels::Nv12 => {
            let n = check(width, height, true)?;
            if height % 2 == 1 {
                return Err(FrameError::Size { width, height });
            }
            need(bytes, n + n / 2)?;
            let (luma, chroma) = bytes.split_at(n);
            let (w, h) = (width as usize, height as usize);
            let mut out = Vec::with_capacity(n * 3);
            for row in 0..h {
                let uv = &chroma[(row / 2) * w..(row / 2) * w + w];
                for col in 0..w {
                    let pair = (col / 2) * 2;
                    out.extend(ycbcr(luma[row * w + col], uv[pair], uv[pair + 1]));
                }
            }
            out
        }
        Pixels::Gray => {
            let n = check(width, height, false)?;
            need(bytes, n)?;
            bytes[..n].iter().flat_map(|&g| [g, g, g]).collect()
        }
        Pixels::Rgb => {
            let n = check(width, height, false)?;
            need(bytes, n * 3)?;
            bytes[..n * 3].to_vec()
        }
        Pixels::Bgr => {
            let n = check(width, height, false)?;
            need(bytes, n * 3)?;
            bytes[..n * 3].chunks_exact(3).flat_map(|p| [p[2], p[1], p[0]]).collect()
        }
    };
    Ok(Rgb { width, height, pixels: out })
}

/// `rgb` packed as a webcam sends it, YUYV (BT.601, studio range; each
/// pair of pixels shares the first one's colour): for benchmarks and for
/// test cameras. An odd last column is dropped.
pub fn to_yuyv(rgb: &Rgb) -> Vec<u8> {
    let yuv = |p: &[u8]| {
        let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
        (
            clamp(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16),
            clamp(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128),
            clamp(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128),
        )
    };
    let width = rgb.width as usize;
    let mut out = Vec::with_capacity(width / 2 * 4 * rgb.height as usize);
    for row in rgb.pixels.chunks_exact(width * 3).take(rgb.height as usize) {
        for pair in row.chunks_exact(6) {
            let (y0, u, v) = yuv(&pair[..3]);
            let (y1, _, _) = yuv(&pair[3..]);
            out.extend([y0, u, y1, v]);
        }
    }
    out
}

/// The standard luminance and chrominance Huffman tables (ITU T.81
/// Annex K.3) as one DHT segment: many webcams leave them out of their
/// MJPEG frames, and a JPEG decoder needs them.
const STANDARD_DHT: [u8; 420] = {
    const DC_L: [u8; 16] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const DC_C: [u8; 16] = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
    const AC_L: [u8; 16] = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
    const AC_C: [u8; 16] = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
    const DC_VALUES: [u8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const AC_L_VALUES: [u8; 162] = [
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71,
        0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72,
        0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37,
        0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
        0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83,
        0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3,
        0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
        0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
        0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
    ];
    const AC_C_VALUES: [u8; 162] = [
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22,
        0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1,
        0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36,
        0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
        0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a,
        0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a,
        0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba,
        0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
        0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
    ];
    // FF C4, length 418, then four tables: class/id, 16 counts, values.
    let mut out = [0u8; 420];
    out[0] = 0xff;
    out[1] = 0xc4;
    out[2] = (418 >> 8) as u8;
    out[3] = (418 & 0xff) as u8;
    let mut at = 4;
    let tables: [(u8, &[u8; 16], &[u8]); 4] = [
        (0x00, &DC_L, &DC_VALUES),
        (0x10, &AC_L, &AC_L_VALUES),
        (0x01, &DC_C, &DC_VALUES),
        (0x11, &AC_C, &AC_C_VALUES),
    ];
    let mut t = 0;
    while t < 4 {
        let (id, counts, values) = tables[t];
        out[at] = id;
        at += 1;
        let mut i = 0;
        while i < 16 {
            out[at] = counts[i];
            at += 1;
            i += 1;
        }
        let mut i = 0;
        while i < values.len() {
            out[at] = values[i];
            at += 1;
            i += 1;
        }
        t += 1;
    }
    out
};

/// Whether a JPEG carries Huffman tables before its first scan.
fn has_dht(jpeg: &[u8]) -> bool {
    let mut at = 2;
    while at + 4 <= jpeg.len() {
        if jpeg[at] != 0xff {
            return false;
        }
        let marker = jpeg[at + 1];
        if marker == 0xc4 {
            return true;
        }
        if marker == 0xda {
            return false;
        }
        let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        at += 2 + length;
    }
    false
}

/// Decodes an MJPEG frame, adding the standard Huffman tables where the
/// camera left them out.
pub fn mjpeg(bytes: &[u8]) -> Result<Rgb, FrameError> {
    if bytes.len() < 4 || bytes[..2] != [0xff, 0xd8] {
        return Err(FrameError::Jpeg("not a JPEG".into()));
    }
    let patched;
    let jpeg = if has_dht(bytes) {
        bytes
    } else {
        let mut with = Vec::with_capacity(bytes.len() + STANDARD_DHT.len());
        with.extend_from_slice(&bytes[..2]);
        with.extend_from_slice(&STANDARD_DHT);
        with.extend_from_slice(&bytes[2..]);
        patched = with;
        &patched
    };
    let mut decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(jpeg))
        .map_err(|e| FrameError::Jpeg(e.to_string()))?;
    use image::ImageDecoder;
    let (width, height) = decoder.dimensions();
    check(width, height, false)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    decoder.set_limits(limits).map_err(|e| FrameError::Jpeg(e.to_string()))?;
    let picture = image::DynamicImage::from_decoder(decoder).map_err(|e| FrameError::Jpeg(e.to_string()))?;
    let rgb = picture.to_rgb8();
    Ok(Rgb { width: rgb.width(), height: rgb.height(), pixels: rgb.into_raw() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuyv_black_white_and_red() {
        // Two pixels a quad: Y0 U Y1 V.
        let frame = [16, 128, 235, 128, 81, 90, 81, 240];
        let rgb = decode(Pixels::Yuyv, &frame, 4, 1).unwrap();
        assert_eq!(&rgb.pixels[..6], &[0, 0, 0, 255, 255, 255]);
        // BT.601 red (Y 81, Cb 90, Cr 240) comes back red.
        let red = &rgb.pixels[6..9];
        assert!(red[0] > 250 && red[1] < 5 && red[2] < 5, "{red:?}");
    }

    #[test]
    fn yuyv_round_trips_within_a_step() {
        // Pairs of equal pixels: black, white, red, green, blue, a grey.
        let colours: [[u8; 3]; 6] = [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255], [90, 120, 150]];
        let pixels: Vec<u8> = colours.iter().flat_map(|c| [*c, *c]).flatten().collect();
        let rgb = Rgb { width: 12, height: 1, pixels };
        let packed = to_yuyv(&rgb);
        assert_eq!(packed.len(), 24);
        let back = decode(Pixels::Yuyv, &packed, 12, 1).unwrap();
        for (a, b) in rgb.pixels.iter().zip(&back.pixels) {
            assert!(a.abs_diff(*b) <= 4, "{:?} → {:?}", rgb.pixels, back.pixels);
        }
    }

    #[test]
    fn nv12_shares_chroma_between_four_pixels() {
        // 2×2: Y plane, then one U/V pair.
        let frame = [16, 235, 235, 16, 128, 128];
        let rgb = decode(Pixels::Nv12, &frame, 2, 2).unwrap();
        assert_eq!(rgb.pixels, [0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0]);
    }

    #[test]
    fn grey_rgb_and_bgr() {
        assert_eq!(decode(Pixels::Gray, &[7, 9], 2, 1).unwrap().pixels, [7, 7, 7, 9, 9, 9]);
        assert_eq!(decode(Pixels::Rgb, &[1, 2, 3], 1, 1).unwrap().pixels, [1, 2, 3]);
        assert_eq!(decode(Pixels::Bgr, &[1, 2, 3], 1, 1).unwrap().pixels, [3, 2, 1]);
    }

    #[test]
    fn short_odd_and_huge_frames_are_errors() {
        assert_eq!(decode(Pixels::Yuyv, &[0; 7], 2, 2), Err(FrameError::Short { got: 7, need: 8 }));
        assert!(matches!(decode(Pixels::Yuyv, &[0; 8], 3, 1), Err(FrameError::Size { .. })));
        assert!(matches!(decode(Pixels::Nv12, &[0; 9], 2, 3), Err(FrameError::Size { .. })));
        assert!(matches!(decode(Pixels::Rgb, &[], 0, 1), Err(FrameError::Size { .. })));
        assert!(matches!(decode(Pixels::Gray, &[], 9000, 1), Err(FrameError::Size { .. })));
        assert!(matches!(decode(Pixels::Mjpeg, b"not a jpeg", 0, 0), Err(FrameError::Jpeg(_))));
        assert!(matches!(decode(Pixels::Mjpeg, &[0xff, 0xd8, 0xff, 0xda, 0, 2], 0, 0), Err(FrameError::Jpeg(_))));
    }

    fn jpeg_of(width: u32, height: u32) -> Vec<u8> {
        let picture = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 8) as u8, (y * 8) as u8, 128]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&picture).unwrap();
        out
    }

    /// The JPEG without its DHT segments, as many webcams send it.
    fn without_dht(jpeg: &[u8]) -> Vec<u8> {
        let mut out = jpeg[..2].to_vec();
        let mut at = 2;
        loop {
            let marker = jpeg[at + 1];
            if marker == 0xda {
                out.extend_from_slice(&jpeg[at..]);
                return out;
            }
            let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
            if marker != 0xc4 {
                out.extend_from_slice(&jpeg[at..at + 2 + length]);
            }
            at += 2 + length;
        }
    }

    #[test]
    fn mjpeg_with_and_without_huffman_tables() {
        let jpeg = jpeg_of(32, 16);
        let full = decode(Pixels::Mjpeg, &jpeg, 0, 0).unwrap();
        assert_eq!((full.width, full.height), (32, 16));
        let bare = without_dht(&jpeg);
        assert!(has_dht(&jpeg) && !has_dht(&bare), "the test strips the tables");
        assert!(bare.len() < jpeg.len());
        let patched = decode(Pixels::Mjpeg, &bare, 0, 0).unwrap();
        assert_eq!(patched, full, "the standard tables are the ones the encoder used");
    }

    #[test]
    fn the_standard_tables_are_one_well_formed_segment() {
        assert_eq!(STANDARD_DHT[..4], [0xff, 0xc4, 0x01, 0xa2]);
        assert_eq!(usize::from(u16::from_be_bytes([STANDARD_DHT[2], STANDARD_DHT[3]])) + 2, STANDARD_DHT.len());
    }
}
