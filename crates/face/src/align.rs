//! Aligning a face for the embedding: the similarity transform (rotation,
//! uniform scale, shift — no shear, no mirror) that puts the five
//! landmarks closest, in least squares, to where SFace was trained to see
//! them in a 112×112 crop, then bilinear sampling.

use crate::Rgb;

/// The crop's side.
pub const SIZE: u32 = 112;

/// Where the eyes, nose tip and mouth corners go in the crop (the
/// ArcFace template SFace uses; the person's right eye first, on the
/// image's left).
pub const TEMPLATE: [(f32, f32); 5] =
    [(38.2946, 51.6963), (73.5318, 51.5014), (56.0252, 71.7366), (41.5493, 92.3655), (70.7299, 92.2041)];

/// `x' = a·x − b·y + tx`, `y' = b·x + a·y + ty`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Scale × cos(angle).
    pub a: f32,
    /// Scale × sin(angle).
    pub b: f32,
    /// Shift in x.
    pub tx: f32,
    /// Shift in y.
    pub ty: f32,
}

impl Similarity {
    /// The least-squares similarity taking `from` onto `to` (closed form);
    /// `None` when the points coincide.
    pub fn fit(from: &[(f32, f32)], to: &[(f32, f32)]) -> Option<Self> {
        let n = from.len().min(to.len());
        if n == 0 {
            return None;
        }
        let mean = |p: &[(f32, f32)]| {
            let (sx, sy) = p[..n].iter().fold((0.0, 0.0), |(x, y), q| (x + q.0, y + q.1));
            (sx / n as f32, sy / n as f32)
        };
        let (fx, fy) = mean(from);
        let (gx, gy) = mean(to);
        let (mut dot, mut cross, mut norm) = (0.0f32, 0.0f32, 0.0f32);
        for (p, q) in from[..n].iter().zip(&to[..n]) {
            let (x, y) = (p.0 - fx, p.1 - fy);
            let (u, v) = (q.0 - gx, q.1 - gy);
            dot += x * u + y * v;
            cross += x * v - y * u;
            norm += x * x + y * y;
        }
        if norm <= f32::EPSILON {
            return None;
        }
        let (a, b) = (dot / norm, cross / norm);
        Some(Self { a, b, tx: gx - (a * fx - b * fy), ty: gy - (b * fx + a * fy) })
    }

    /// Where `p` goes.
    pub fn apply(&self, p: (f32, f32)) -> (f32, f32) {
        (self.a * p.0 - self.b * p.1 + self.tx, self.b * p.0 + self.a * p.1 + self.ty)
    }

    /// The angle of rotation, in degrees.
    pub fn degrees(&self) -> f32 {
        self.b.atan2(self.a).to_degrees()
    }
}

/// The 112×112 crop with the landmarks where the template has them.
pub fn crop(image: &Rgb, landmarks: &[(f32, f32); 5]) -> Option<Rgb> {
    // Fit from the crop to the image, so each crop pixel looks up its source.
    let back = Similarity::fit(&TEMPLATE, landmarks)?;
    let mut pixels = Vec::with_capacity((SIZE * SIZE * 3) as usize);
    for y in 0..SIZE {
        for x in 0..SIZE {
            let (sx, sy) = back.apply((x as f32, y as f32));
            pixels.extend_from_slice(&bilinear(image, sx, sy));
        }
    }
    Some(Rgb { width: SIZE, height: SIZE, pixels })
}

/// The colour at a fractional position; black outside the image.
fn bilinear(image: &Rgb, x: f32, y: f32) -> [u8; 3] {
    let (w, h) = (image.width as i64, image.height as i64);
    let (x0, y0) = (x.floor() as i64, y.floor() as i64);
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let at = |px: i64, py: i64, c: usize| -> f32 {
        if px < 0 || py < 0 || px >= w || py >= h {
            return 0.0;
        }
        image.pixels.get(((py * w + px) * 3) as usize + c).map_or(0.0, |v| f32::from(*v))
    };
    let mut out = [0u8; 3];
    for (c, slot) in out.iter_mut().enumerate() {
        let top = at(x0, y0, c) * (1.0 - fx) + at(x0 + 1, y0, c) * fx;
        let bottom = at(x0, y0 + 1, c) * (1.0 - fx) + at(x0 + 1, y0 + 1, c) * fx;
        *slot = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_recovers_a_known_similarity() {
        let truth = Similarity { a: 1.5 * 0.3f32.cos(), b: 1.5 * 0.3f32.sin(), tx: 12.0, ty: -7.0 };
        let moved: Vec<(f32, f32)> = TEMPLATE.iter().map(|p| truth.apply(*p)).collect();
        let fit = Similarity::fit(&TEMPLATE, &moved).unwrap();
        for (got, want) in [(fit.a, truth.a), (fit.b, truth.b), (fit.tx, truth.tx), (fit.ty, truth.ty)] {
            assert!((got - want).abs() < 1e-3, "{fit:?} vs {truth:?}");
        }
        assert!((fit.degrees() - 0.3f32.to_degrees()).abs() < 0.01);
        assert!(Similarity::fit(&[(1.0, 1.0); 5], &TEMPLATE).is_none());
    }

    #[test]
    fn a_crop_puts_the_landmarks_on_the_template() {
        // A 200×200 image with a bright dot at each landmark, the face
        // twice the template's size and shifted: after the crop the dots
        // sit at the template's points.
        let landmarks: [(f32, f32); 5] = TEMPLATE.map(|(x, y)| (x * 1.5 + 20.0, y * 1.5 + 10.0));
        let mut pixels = vec![0u8; 200 * 200 * 3];
        for (x, y) in landmarks {
            // A 3×3 dot, so sampling between pixels still finds it.
            for dy in 0..3 {
                for dx in 0..3 {
                    let i = ((y.round() as usize + dy - 1) * 200 + x.round() as usize + dx - 1) * 3;
                    pixels[i..i + 3].copy_from_slice(&[255, 255, 255]);
                }
            }
        }
        let crop = crop(&Rgb { width: 200, height: 200, pixels }, &landmarks).unwrap();
        assert_eq!((crop.width, crop.height), (SIZE, SIZE));
        for (x, y) in TEMPLATE {
            let i = ((y.round() as usize) * SIZE as usize + x.round() as usize) * 3;
            assert!(crop.pixels[i] > 200, "no dot at ({x}, {y})");
        }
        // Away from the landmarks, black.
        assert_eq!(crop.pixels[..3], [0, 0, 0]);
        assert_eq!(crop.pixels[(20 * SIZE as usize + 20) * 3], 0);
    }
}
