#![warn(missing_docs)]
//! Faces for counter enrollment: find them (YuNet 2023mar), align one
//! (five landmarks onto a 112×112 template), describe it (SFace 2021dec,
//! 128 numbers) and compare two descriptions (cosine similarity), all on
//! the CPU in pure Rust with tract. The models are files fetched at set-up
//! and checked by hash ([`models`]); images stay in memory.

pub mod align;
pub mod detect;
pub mod models;
pub mod quality;

use std::path::Path;

use tract_onnx::prelude::*;

pub use detect::{Detector, Face};
pub use mitid_emrtd::face::Rgb;

/// Why faces could not be found or compared.
#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    /// A model file is not where the set-up puts it.
    #[error("the face model {0} is missing: run the set-up (packaging/start.sh) to fetch it")]
    ModelMissing(std::path::PathBuf),
    /// A model file is not the one expected.
    #[error("the face model {path} is not the expected file (its SHA-256 is {found}): run the set-up again")]
    ModelCorrupt {
        /// The file.
        path: std::path::PathBuf,
        /// Its SHA-256.
        found: String,
    },
    /// The network could not be loaded or run.
    #[error("the face model failed: {0}")]
    Model(String),
    /// The image could not be used.
    #[error("the image cannot be read: {0}")]
    Image(String),
}

/// A face's description: 128 numbers of length 1.
#[derive(Clone, PartialEq)]
pub struct Embedding(pub Vec<f32>);

impl std::fmt::Debug for Embedding {
    /// Biometric data stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Embedding({} numbers)", self.0.len())
    }
}

impl Embedding {
    /// Cosine similarity, −1 to 1 (both are of length 1).
    pub fn similarity(&self, other: &Embedding) -> f32 {
        self.0.iter().zip(&other.0).map(|(a, b)| a * b).sum()
    }
}

/// How a score reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Very likely the same person.
    Strong,
    /// Look closely.
    Uncertain,
    /// Very likely not the same person.
    Weak,
}

impl Band {
    /// The band's name in the records and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Band::Strong => "strong",
            Band::Uncertain => "uncertain",
            Band::Weak => "weak",
        }
    }
}

/// Where the bands meet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// At or above: strong.
    pub strong: f32,
    /// Below: weak.
    pub weak: f32,
}

impl Default for Thresholds {
    /// SFace's published operating point is 0.363 (cosine): the uncertain
    /// band lies around it.
    fn default() -> Self {
        Self { strong: 0.45, weak: 0.30 }
    }
}

impl Thresholds {
    /// The band of `score`.
    pub fn band(&self, score: f32) -> Band {
        if score >= self.strong {
            Band::Strong
        } else if score < self.weak {
            Band::Weak
        } else {
            Band::Uncertain
        }
    }
}

type Plan = std::sync::Arc<TypedRunnableModel>;

/// Both networks, ready.
pub struct Engine {
    /// The detector.
    pub detector: Detector,
    embedder: Plan,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Engine({:?})", self.detector)
    }
}

impl Engine {
    /// Loads both models from `dir`, each checked by its hash.
    pub fn load(dir: &Path) -> Result<Self, FaceError> {
        let yunet = models::read_verified(dir, models::YUNET)?;
        let sface = models::read_verified(dir, models::SFACE)?;
        Self::from_bytes(&yunet, &sface)
    }

    /// Loads both models from their bytes (already checked).
    pub fn from_bytes(yunet: &[u8], sface: &[u8]) -> Result<Self, FaceError> {
        let error = |e: TractError| FaceError::Model(e.to_string());
        let embedder = tract_onnx::onnx()
            .model_for_read(&mut std::io::Cursor::new(sface))
            .and_then(|m| m.with_input_fact(0, f32::fact([1, 3, 112, 112]).into()))
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(error)?;
        Ok(Self { detector: Detector::new(yunet)?, embedder })
    }

    /// The faces in `image`, best first.
    pub fn detect(&self, image: &Rgb) -> Result<Vec<Face>, FaceError> {
        self.detector.detect(image)
    }

    /// The description of `face` in `image`.
    pub fn embed(&self, image: &Rgb, face: &Face) -> Result<Embedding, FaceError> {
        let crop =
            align::crop(image, &face.landmarks).ok_or_else(|| FaceError::Image("the landmarks coincide".into()))?;
        let side = align::SIZE as usize;
        let plane = side * side;
        let mut data = vec![0f32; 3 * plane];
        for (i, px) in crop.pixels.chunks_exact(3).enumerate() {
            // RGB planes (OpenCV swaps its BGR to RGB for SFace).
            data[i] = f32::from(px[0]);
            data[plane + i] = f32::from(px[1]);
            data[2 * plane + i] = f32::from(px[2]);
        }
        let input = Tensor::from_shape(&[1, 3, side, side], &data).map_err(|e| FaceError::Model(e.to_string()))?;
        let out = self.embedder.run(tvec!(input.into_tvalue())).map_err(|e| FaceError::Model(e.to_string()))?;
        let raw = out.first().ok_or_else(|| FaceError::Model("SFace gave no output".into()))?;
        let values =
            raw.try_as_plain_ram().and_then(|v| v.as_slice::<f32>()).map_err(|e| FaceError::Model(e.to_string()))?;
        let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
        if !norm.is_finite() || norm <= f32::EPSILON {
            return Err(FaceError::Model("SFace gave an empty description".into()));
        }
        Ok(Embedding(values.iter().map(|v| v / norm).collect()))
    }
}

/// `image` scaled to `width`×`height` (bilinear), straight from its
/// pixels; `None` when its pixels do not match its size.
pub fn resize(image: &Rgb, width: u32, height: u32) -> Option<Rgb> {
    let source = image::ImageBuffer::<image::Rgb<u8>, &[u8]>::from_raw(image.width, image.height, &image.pixels[..])?;
    let scaled = image::imageops::resize(&source, width, height, image::imageops::FilterType::Triangle);
    Some(Rgb { width, height, pixels: scaled.into_raw() })
}

/// Decodes an image file's bytes: JPEG, PNG, JPEG 2000, or a chip's DG2
/// (its first face).
pub fn load_image(bytes: &[u8]) -> Result<Rgb, FaceError> {
    use mitid_emrtd::face::{self, Encoding, FaceImage, ImageFormat};
    let bad = |e: String| FaceError::Image(e);
    if bytes.first() == Some(&0x75) {
        return face::first_face(bytes).map_err(|e| bad(e.to_string()));
    }
    if let Some(format @ (ImageFormat::Jp2 | ImageFormat::J2k)) = ImageFormat::sniff(bytes) {
        let image = FaceImage { encoding: Encoding::Iso19794, format, data: bytes.to_vec() };
        return face::decode(&image).map_err(|e| bad(e.to_string()));
    }
    // A JPEG or PNG claiming a huge size is refused before its pixels are
    // allocated, as the chip's JPEG 2000 is.
    let mut reader =
        image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().map_err(|e| bad(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(face::MAX_SIDE);
    limits.max_image_height = Some(face::MAX_SIDE);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| bad(e.to_string()))?.to_rgb8();
    Ok(Rgb { width: image.width(), height: image.height(), pixels: image.into_raw() })
}
