//! Face detection with YuNet (2023mar): the image is scaled down to fit
//! 640×640 and padded with black to a multiple of 32 on the right and
//! bottom; the network answers, for each cell of three grids (strides 8,
//! 16, 32), a class and an objectness score, a box and five landmarks,
//! decoded as OpenCV's `FaceDetectorYN` does, then overlapping boxes are
//! thinned out (non-maximum suppression). The input is BGR, 0–255.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tract_onnx::prelude::*;

use crate::{FaceError, Rgb};

/// The largest side the network is given.
pub const MAX_SIDE: u32 = 640;

/// A face found: its box and landmarks in the image's pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Face {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
    /// The person's right eye, left eye, nose tip, right and left mouth
    /// corners (the right eye is on the image's left).
    pub landmarks: [(f32, f32); 5],
    /// How sure the detector is, 0–1.
    pub score: f32,
}

impl Face {
    fn iou(&self, other: &Face) -> f32 {
        let x1 = self.x.max(other.x);
        let y1 = self.y.max(other.y);
        let x2 = (self.x + self.width).min(other.x + other.width);
        let y2 = (self.y + self.height).min(other.y + other.height);
        let inter = (x2 - x1).max(0.0) * (y2 - y1).max(0.0);
        let union = self.width * self.height + other.width * other.height - inter;
        if union <= 0.0 { 0.0 } else { inter / union }
    }
}

type Plan = Arc<TypedRunnableModel>;

/// The detector: the parsed network, and one optimised plan per padded
/// input size (a camera's frames all share one).
pub struct Detector {
    model: InferenceModel,
    plans: Mutex<HashMap<(u32, u32), Plan>>,
    /// Faces scoring below are dropped (OpenCV's default is 0.9).
    pub score_threshold: f32,
    /// Boxes overlapping a better one by more than this are dropped.
    pub nms_threshold: f32,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Detector(score ≥ {}, nms {})", self.score_threshold, self.nms_threshold)
    }
}

fn model_error(e: impl std::fmt::Display) -> FaceError {
    FaceError::Model(e.to_string())
}

/// The image the network sees: scaled by `scale`, then padded.
struct Prepared {
    scale: f32,
    width: u32,
    height: u32,
    tensor: Tensor,
}

fn prepare(image: &Rgb) -> Result<Prepared, FaceError> {
    let (w, h) = (image.width.max(1), image.height.max(1));
    if image.pixels.len() != (image.width as usize) * (image.height as usize) * 3 || image.width == 0 {
        return Err(FaceError::Image("the pixels do not match the size".into()));
    }
    // Larger images are scaled down to fit; smaller ones are left as they
    // are (the network finds faces down to about 10 pixels).
    let scale = (MAX_SIDE as f32 / w as f32).min(MAX_SIDE as f32 / h as f32).min(1.0);
    let (sw, sh) = (((w as f32 * scale).round() as u32).max(1), ((h as f32 * scale).round() as u32).max(1));
    let resized;
    let (pixels, sw, sh) = if (sw, sh) == (w, h) {
        (&image.pixels, w, h)
    } else {
        resized =
            crate::resize(image, sw, sh).ok_or_else(|| FaceError::Image("the pixels do not match the size".into()))?;
        (&resized.pixels, sw, sh)
    };
    let pad = |v: u32| v.div_ceil(32) * 32;
    let (pw, ph) = (pad(sw), pad(sh));
    let (pwu, phu) = (pw as usize, ph as usize);
    let mut data = vec![0f32; 3 * pwu * phu];
    let plane = pwu * phu;
    for y in 0..sh as usize {
        for x in 0..sw as usize {
            let i = (y * sw as usize + x) * 3;
            let o = y * pwu + x;
            // BGR planes, as OpenCV's blobFromImage gives a BGR image.
            data[o] = f32::from(pixels[i + 2]);
            data[plane + o] = f32::from(pixels[i + 1]);
            data[2 * plane + o] = f32::from(pixels[i]);
        }
    }
    let tensor = Tensor::from_shape(&[1, 3, phu, pwu], &data).map_err(model_error)?;
    Ok(Prepared { scale: sw as f32 / w as f32, width: pw, height: ph, tensor })
}

impl Detector {
    /// Parses the network (its bytes, already checked).
    pub fn new(onnx: &[u8]) -> Result<Self, FaceError> {
        let model = tract_onnx::onnx()
            .with_ignore_output_shapes(true)
            .with_ignore_value_info(true)
            .model_for_read(&mut std::io::Cursor::new(onnx))
            .map_err(model_error)?;
        Ok(Self { model, plans: Mutex::new(HashMap::new()), score_threshold: 0.8, nms_threshold: 0.3 })
    }

    fn plan(&self, width: u32, height: u32) -> Result<Plan, FaceError> {
        let mut plans = self.plans.lock().map_err(|_| FaceError::Model("a detection failed before".into()))?;
        if let Some(plan) = plans.get(&(width, height)) {
            return Ok(plan.clone());
        }
        let fact = f32::fact([1, 3, height as usize, width as usize]);
        let plan = self
            .model
            .clone()
            .with_input_fact(0, fact.into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(model_error)?;
        plans.insert((width, height), plan.clone());
        Ok(plan)
    }

    /// The faces in `image`, best first.
    pub fn detect(&self, image: &Rgb) -> Result<Vec<Face>, FaceError> {
        let prepared = prepare(image)?;
        let plan = self.plan(prepared.width, prepared.height)?;
        let outputs = plan.run(tvec!(prepared.tensor.into_tvalue())).map_err(model_error)?;
        if outputs.len() != 12 {
            return Err(FaceError::Model(format!("YuNet gave {} outputs, not 12", outputs.len())));
        }
        let view = |i: usize| outputs[i].try_as_plain_ram().and_then(|v| v.as_slice::<f32>()).map_err(model_error);
        let mut faces = Vec::new();
        for (s, stride) in [8u32, 16, 32].into_iter().enumerate() {
            let (cols, rows) = ((prepared.width / stride) as usize, (prepared.height / stride) as usize);
            let (cls, obj, bbox, kps) = (view(s)?, view(s + 3)?, view(s + 6)?, view(s + 9)?);
            let cells = rows * cols;
            if cls.len() < cells || obj.len() < cells || bbox.len() < cells * 4 || kps.len() < cells * 10 {
                return Err(FaceError::Model("YuNet's outputs are not the grid's size".into()));
            }
            let stride = stride as f32;
            for r in 0..rows {
                for c in 0..cols {
                    let i = r * cols + c;
                    let score = (cls[i].clamp(0.0, 1.0) * obj[i].clamp(0.0, 1.0)).sqrt();
                    if score < self.score_threshold {
                        continue;
                    }
                    let (cx, cy) = ((c as f32 + bbox[i * 4]) * stride, (r as f32 + bbox[i * 4 + 1]) * stride);
                    let (w, h) = (bbox[i * 4 + 2].exp() * stride, bbox[i * 4 + 3].exp() * stride);
                    let mut landmarks = [(0.0, 0.0); 5];
                    for (n, point) in landmarks.iter_mut().enumerate() {
                        *point = (
                            (kps[i * 10 + 2 * n] + c as f32) * stride / prepared.scale,
                            (kps[i * 10 + 2 * n + 1] + r as f32) * stride / prepared.scale,
                        );
                    }
                    faces.push(Face {
                        x: (cx - w / 2.0) / prepared.scale,
                        y: (cy - h / 2.0) / prepared.scale,
                        width: w / prepared.scale,
                        height: h / prepared.scale,
                        landmarks,
                        score,
                    });
                }
            }
        }
        faces.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut kept: Vec<Face> = Vec::new();
        for face in faces {
            if kept.iter().all(|k| k.iou(&face) <= self.nms_threshold) {
                kept.push(face);
            }
        }
        Ok(kept)
    }
}
