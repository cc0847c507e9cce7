//! DG2, the face: the biometric templates of ISO/IEC 19794-5 (`FAC\0`
//! records in DO'5F2E) and ISO/IEC 39794-5 (a BER structure in DO'7F2E), and
//! the image inside decoded to RGB — JPEG with `image`, JPEG 2000 (JP2 or a
//! bare codestream) with `hayro-jpeg2000`, both pure Rust.

use crate::lds::LdsError;
use crate::tlv::{self, Tlv};

/// How the face image is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// JPEG (JFIF).
    Jpeg,
    /// JPEG 2000 in a JP2 container.
    Jp2,
    /// A bare JPEG 2000 codestream.
    J2k,
}

impl ImageFormat {
    /// Recognises an image by its first bytes.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(&[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) {
            Some(Self::Jp2)
        } else if bytes.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) {
            Some(Self::J2k)
        } else {
            None
        }
    }
}

/// Which standard the biometric data block follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// ISO/IEC 19794-5 (the `FAC\0` record).
    Iso19794,
    /// ISO/IEC 39794-5 (BER).
    Iso39794,
}

/// A face image as stored on the chip.
#[derive(Clone, PartialEq, Eq)]
pub struct FaceImage {
    /// The template's standard.
    pub encoding: Encoding,
    /// The image encoding.
    pub format: ImageFormat,
    /// The encoded image.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for FaceImage {
    /// No pixels: a face is biometric data and must not reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FaceImage({:?}, {:?}, {} bytes)", self.encoding, self.format, self.data.len())
    }
}

/// A decoded image, 8-bit RGB, rows top to bottom (zeroed when dropped:
/// it is usually a face).
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct Rgb {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height × 3` bytes.
    pub pixels: Vec<u8>,
}

impl std::fmt::Debug for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rgb({}x{})", self.width, self.height)
    }
}

/// Why a face image cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaceError {
    /// The decoder refused the image.
    #[error("the face image cannot be decoded: {0}")]
    Decode(String),
    /// A colour model the app does not show (CMYK and the like).
    #[error("the face image uses a colour model that cannot be shown")]
    ColourModel,
    /// Larger than any face photo (a chip's is a few hundred pixels).
    #[error("the face image claims {0}×{1} pixels, more than a face photo has")]
    TooLarge(u32, u32),
    /// DG2 itself cannot be read.
    #[error(transparent)]
    Dg2(#[from] LdsError),
}

/// The largest side a face image may have: chip photos are a few hundred
/// pixels, camera frames a few thousand; a header claiming more is refused
/// before anything is allocated for it.
pub const MAX_SIDE: u32 = 8192;

/// The first primitive value in a BER tree that is an image.
fn find_image<'a>(tlv: &Tlv<'a>, depth: u8) -> Option<&'a [u8]> {
    if ImageFormat::sniff(tlv.value).is_some() {
        return Some(tlv.value);
    }
    if depth == 0 || !tlv.constructed() {
        return None;
    }
    let mut children = tlv.children();
    while let Ok(child) = children.next_tlv() {
        if let Some(found) = find_image(&child, depth - 1) {
            return Some(found);
        }
    }
    None
}

/// The image in an ISO/IEC 19794-5 record: past the 14-byte general header,
/// the 20-byte facial header, 8 bytes a feature point and the 12-byte image
/// information.
fn iso19794_image(record: &[u8]) -> Option<&[u8]> {
    if !record.starts_with(b"FAC\0") {
        return None;
    }
    let points = usize::from(u16::from_be_bytes([*record.get(18)?, *record.get(19)?]));
    let block_len = u32::from_be_bytes(record.get(14..18)?.try_into().ok()?) as usize;
    let start = 14 + 20 + 8 * points + 12;
    let end = (14 + block_len).min(record.len());
    record.get(start..end)
}

/// The face images of DG2.
pub fn parse_dg2(bytes: &[u8]) -> Result<Vec<FaceImage>, LdsError> {
    let bad = || LdsError::Structure("DG2");
    let dg2 = tlv::parse(bytes)?;
    if dg2.tag != 0x75 {
        return Err(bad());
    }
    let group = dg2.children().expect(0x7F61)?;
    let mut faces = Vec::new();
    let mut templates = group.children();
    while !templates.is_empty() {
        let template = templates.next_tlv()?;
        if template.tag != 0x7F60 {
            continue; // the count (02) and anything else
        }
        let mut inner = template.children();
        while !inner.is_empty() {
            let block = inner.next_tlv()?;
            let (encoding, data) = match block.tag {
                0x5F2E => (Encoding::Iso19794, iso19794_image(block.value).or_else(|| find_image(&block, 8))),
                0x7F2E => (Encoding::Iso39794, find_image(&block, 12)),
                _ => continue,
            };
            let data = data.ok_or_else(bad)?;
            let format = ImageFormat::sniff(data).ok_or_else(bad)?;
            faces.push(FaceImage { encoding, format, data: data.to_vec() });
        }
    }
    if faces.is_empty() {
        return Err(bad());
    }
    Ok(faces)
}

/// The first face of DG2, decoded: the holder's photo.
pub fn first_face(dg2: &[u8]) -> Result<Rgb, FaceError> {
    // DG2 parses only with at least one face.
    let faces = parse_dg2(dg2)?;
    faces.first().map_or(Err(FaceError::Dg2(LdsError::Structure("DG2"))), decode)
}

/// Decodes a face image to RGB.
pub fn decode(face: &FaceImage) -> Result<Rgb, FaceError> {
    match face.format {
        ImageFormat::Jpeg => {
            use image::ImageDecoder;
            let decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&face.data))
                .map_err(|e| FaceError::Decode(e.to_string()))?;
            let (width, height) = decoder.dimensions();
            if width > MAX_SIDE || height > MAX_SIDE {
                return Err(FaceError::TooLarge(width, height));
            }
            let image =
                image::DynamicImage::from_decoder(decoder).map_err(|e| FaceError::Decode(e.to_string()))?.to_rgb8();
            Ok(Rgb { width: image.width(), height: image.height(), pixels: image.into_raw() })
        }
        ImageFormat::Jp2 | ImageFormat::J2k => {
            let settings = hayro_jpeg2000::DecodeSettings::default();
            let image =
                hayro_jpeg2000::Image::new(&face.data, &settings).map_err(|e| FaceError::Decode(format!("{e:?}")))?;
            let (width, height, alpha) = (image.width(), image.height(), image.has_alpha());
            if width > MAX_SIDE || height > MAX_SIDE {
                return Err(FaceError::TooLarge(width, height));
            }
            let channels = match image.color_space() {
                hayro_jpeg2000::ColorSpace::Gray => 1,
                hayro_jpeg2000::ColorSpace::RGB => 3,
                hayro_jpeg2000::ColorSpace::Icc { .. } => usize::from(image.color_space().num_channels()),
                _ => return Err(FaceError::ColourModel),
            };
            if !matches!(channels, 1 | 3) {
                return Err(FaceError::ColourModel);
            }
            let mut ctx = hayro_jpeg2000::DecoderContext::default();
            let decoded = image.decode(&mut ctx).map_err(|e| FaceError::Decode(format!("{e:?}")))?;
            let raw = decoded.data_u8();
            let stride = channels + usize::from(alpha);
            let count = (width as usize) * (height as usize);
            if raw.len() < count * stride {
                return Err(FaceError::Decode("short image data".into()));
            }
            let mut pixels = Vec::with_capacity(count * 3);
            for px in raw.chunks_exact(stride).take(count) {
                if channels == 1 {
                    pixels.extend_from_slice(&[px[0], px[0], px[0]]);
                } else {
                    pixels.extend_from_slice(&px[..3]);
                }
            }
            Ok(Rgb { width, height, pixels })
        }
    }
}

/// Encodes an RGB image as PNG (for `chip read --out`).
pub fn to_png(rgb: &Rgb) -> Result<Vec<u8>, FaceError> {
    let image = image::RgbImage::from_raw(rgb.width, rgb.height, rgb.pixels.clone())
        .ok_or_else(|| FaceError::Decode("pixel count does not match the size".into()))?;
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).map_err(|e| FaceError::Decode(e.to_string()))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn testdata() -> Option<std::path::PathBuf> {
        crate::test_support::lds_dir()
    }

    #[test]
    fn every_dg2_of_the_test_data_gives_a_face() {
        let Some(root) = testdata() else { return };
        for (file, encoding) in [
            ("bsi2008/Datagroup2.bin", Encoding::Iso19794),
            ("loes2006/ef0102.bin", Encoding::Iso19794),
            ("iso39794/ICAO_39794_5_AP_DG2_AllFields.dat", Encoding::Iso39794),
            ("iso39794/ICAO_39794_5_AP_DG2_MandFields.dat", Encoding::Iso39794),
        ] {
            let bytes = std::fs::read(root.join(file)).unwrap();
            let faces = parse_dg2(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(faces.len(), 1, "{file}");
            assert_eq!(faces[0].encoding, encoding, "{file}");
            let rgb = decode(&faces[0]).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(rgb.width >= 100 && rgb.height >= 100, "{file}: {rgb:?}");
            assert_eq!(rgb.pixels.len(), (rgb.width * rgb.height * 3) as usize);
            // A face, not a blank: the pixels vary.
            let min = rgb.pixels.iter().min().unwrap();
            let max = rgb.pixels.iter().max().unwrap();
            assert!(max - min > 100, "{file}: pixels {min}..{max}");
            let png = to_png(&rgb).unwrap();
            assert!(png.starts_with(b"\x89PNG"));
        }
    }

    #[test]
    fn a_bare_19794_record_and_a_jpeg() {
        let Some(root) = testdata() else { return };
        let record = std::fs::read(root.join("iso39794/ISO19794_5_DG2_face_record.bin")).unwrap();
        let image = iso19794_image(&record).unwrap();
        assert_eq!(ImageFormat::sniff(image), Some(ImageFormat::Jpeg));
        let rgb = decode(&FaceImage { encoding: Encoding::Iso19794, format: ImageFormat::Jpeg, data: image.to_vec() })
            .unwrap();
        assert!(rgb.width > 0 && rgb.height > 0);
        // Named .jpg, but a JP2 file: recognised by its bytes, not its name.
        let file = std::fs::read(root.join("iso39794/ICAO_39794_5_AP_DG2_Face.jpg")).unwrap();
        assert_eq!(ImageFormat::sniff(&file), Some(ImageFormat::Jp2));
        let loose = decode(&FaceImage { encoding: Encoding::Iso39794, format: ImageFormat::Jp2, data: file }).unwrap();
        let dg2 = std::fs::read(root.join("iso39794/ICAO_39794_5_AP_DG2_MandFields.dat")).unwrap();
        let stored = decode(&parse_dg2(&dg2).unwrap()[0]).unwrap();
        assert_eq!((loose.width, loose.height), (stored.width, stored.height), "the same face as in the DG2");
    }

    #[test]
    fn broken_dg2_and_images_are_errors_not_panics() {
        assert!(parse_dg2(&[]).is_err());
        assert!(parse_dg2(&[0x75, 0x03, 0x7F, 0x61, 0x00]).is_err());
        let mut state = 3u64;
        for _ in 0..2000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            let len = (state >> 54) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|i| (state >> (i % 7 * 8)) as u8).collect();
            let _ = parse_dg2(&bytes);
            bytes.splice(0..0, [0xFF, 0xD8, 0xFF]);
            let _ = decode(&FaceImage { encoding: Encoding::Iso19794, format: ImageFormat::Jpeg, data: bytes.clone() });
            bytes.splice(0..3, [0xFF, 0x4F, 0xFF, 0x51]);
            let _ = decode(&FaceImage { encoding: Encoding::Iso19794, format: ImageFormat::J2k, data: bytes });
        }
    }
}
