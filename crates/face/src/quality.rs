//! Capture guidance: what is wrong with a frame for a comparison photo —
//! not exactly one face, off centre, too small or too close, tilted or
//! turned, too dark, too bright or unevenly lit, blurred, eyes hidden —
//! each a finding the screen turns into words; and when a run of good
//! frames has lasted long enough to take the picture by itself.

use std::time::Duration;

use crate::{Face, Rgb};

/// Something to put right before the picture is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Finding {
    /// No face in the frame.
    NoFace,
    /// More than one face: only the person should be in view.
    SeveralFaces,
    /// The face is too small: come closer.
    TooSmall,
    /// The face fills too much of the frame: move back.
    TooClose,
    /// The face is not in the middle.
    OffCentre,
    /// The head leans to one side.
    Tilted,
    /// The head is turned away from the camera.
    Turned,
    /// Too dark: more light.
    Dark,
    /// Too bright: less light, no light straight behind the camera.
    Bright,
    /// One side of the face much darker than the other.
    UnevenLight,
    /// Not sharp: hold still, clean the lens.
    Blurred,
    /// The eyes cannot be seen (dark glasses, hair, glare).
    EyesHidden,
}

impl Finding {
    /// The finding's name in the CLI's output.
    pub fn name(self) -> &'static str {
        match self {
            Finding::NoFace => "no_face",
            Finding::SeveralFaces => "several_faces",
            Finding::TooSmall => "too_small",
            Finding::TooClose => "too_close",
            Finding::OffCentre => "off_centre",
            Finding::Tilted => "tilted",
            Finding::Turned => "turned",
            Finding::Dark => "dark",
            Finding::Bright => "bright",
            Finding::UnevenLight => "uneven_light",
            Finding::Blurred => "blurred",
            Finding::EyesHidden => "eyes_hidden",
        }
    }
}

/// Where the checks draw their lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// The face's width as a share of the frame's, at least.
    pub min_width: f32,
    /// … and at most.
    pub max_width: f32,
    /// How far the face's centre may be from the frame's, as a share of
    /// the frame's width (and height).
    pub max_offset: f32,
    /// The eye line's slope, in degrees, at most.
    pub max_tilt: f32,
    /// The nose's sideways distance from between the eyes, as a share of
    /// the eyes' distance, at most.
    pub max_turn: f32,
    /// Mean brightness of the face (0–255), at least …
    pub min_light: f32,
    /// … and at most.
    pub max_light: f32,
    /// The brightness difference between the face's halves, at most.
    pub max_uneven: f32,
    /// Sharpness (variance of the Laplacian on the face scaled to 112
    /// pixels wide), at least.
    pub min_sharpness: f32,
    /// Contrast (standard deviation of brightness) around each eye, at least.
    pub min_eye_contrast: f32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            min_width: 0.18,
            max_width: 0.75,
            max_offset: 0.2,
            max_tilt: 12.0,
            max_turn: 0.3,
            min_light: 60.0,
            max_light: 210.0,
            max_uneven: 60.0,
            min_sharpness: 40.0,
            min_eye_contrast: 6.0,
        }
    }
}

fn luma(image: &Rgb, x: i64, y: i64) -> f32 {
    let (w, h) = (i64::from(image.width), i64::from(image.height));
    if w == 0 || h == 0 {
        return 0.0;
    }
    let (x, y) = (x.clamp(0, w - 1), y.clamp(0, h - 1));
    let i = ((y * w + x) * 3) as usize;
    match image.pixels.get(i..i + 3) {
        Some(p) => 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]),
        None => 0.0,
    }
}

/// Mean and standard deviation of brightness over a box.
fn stats(image: &Rgb, x0: f32, y0: f32, x1: f32, y1: f32) -> (f32, f32) {
    let (mut sum, mut sq, mut n) = (0f64, 0f64, 0f64);
    let step = (((x1 - x0).max(y1 - y0)) / 48.0).max(1.0);
    let mut y = y0;
    while y < y1 {
        let mut x = x0;
        while x < x1 {
            let v = f64::from(luma(image, x as i64, y as i64));
            sum += v;
            sq += v * v;
            n += 1.0;
            x += step;
        }
        y += step;
    }
    if n == 0.0 {
        return (0.0, 0.0);
    }
    let mean = sum / n;
    (mean as f32, (sq / n - mean * mean).max(0.0).sqrt() as f32)
}

/// Variance of the Laplacian over the face, resampled to 112 pixels wide
/// (so a near and a far face are judged alike).
fn sharpness(image: &Rgb, face: &Face) -> f32 {
    let side = 112usize;
    let scale = face.width / side as f32;
    let rows = ((face.height / scale) as usize).clamp(8, 256);
    let sample =
        |c: usize, r: usize| luma(image, (face.x + c as f32 * scale) as i64, (face.y + r as f32 * scale) as i64);
    let grid: Vec<f32> = (0..rows).flat_map(|r| (0..side).map(move |c| (r, c))).map(|(r, c)| sample(c, r)).collect();
    let at = |r: usize, c: usize| grid[r * side + c];
    let (mut sum, mut sq, mut n) = (0f64, 0f64, 0f64);
    for r in 1..rows - 1 {
        for c in 1..side - 1 {
            let lap = f64::from(at(r - 1, c) + at(r + 1, c) + at(r, c - 1) + at(r, c + 1) - 4.0 * at(r, c));
            sum += lap;
            sq += lap * lap;
            n += 1.0;
        }
    }
    let mean = sum / n;
    (sq / n - mean * mean) as f32
}

/// Which way a person off centre should step, as they face the camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// To their own left (they show on the left of the camera's picture).
    TheirLeft,
    /// To their own right.
    TheirRight,
}

/// Which way the one face of a frame `width` pixels wide should move to
/// be centred sideways, when it is further off than `limits` allow: the
/// camera's picture is not mirrored, so its left is the person's right.
pub fn sideways(width: u32, faces: &[Face], limits: &Limits) -> Option<Step> {
    let [face] = faces else { return None };
    let w = width as f32;
    let offset = (face.x + face.width / 2.0 - w / 2.0) / w;
    if offset < -limits.max_offset {
        Some(Step::TheirLeft)
    } else if offset > limits.max_offset {
        Some(Step::TheirRight)
    } else {
        None
    }
}

/// What is wrong with `image` for a comparison photo, given the faces found
/// in it; empty when it is good.
pub fn assess(image: &Rgb, faces: &[Face], limits: &Limits) -> Vec<Finding> {
    let face = match faces {
        [] => return vec![Finding::NoFace],
        [face] => face,
        _ => return vec![Finding::SeveralFaces],
    };
    let mut findings = Vec::new();
    let (w, h) = (image.width as f32, image.height as f32);
    let share = face.width / w;
    if share < limits.min_width {
        findings.push(Finding::TooSmall);
    } else if share > limits.max_width {
        findings.push(Finding::TooClose);
    }
    let (cx, cy) = (face.x + face.width / 2.0, face.y + face.height / 2.0);
    if ((cx - w / 2.0) / w).abs() > limits.max_offset || ((cy - h / 2.0) / h).abs() > limits.max_offset {
        findings.push(Finding::OffCentre);
    }
    let [right_eye, left_eye, nose, _, _] = face.landmarks;
    let (dx, dy) = (left_eye.0 - right_eye.0, left_eye.1 - right_eye.1);
    let eyes = (dx * dx + dy * dy).sqrt().max(1.0);
    if dy.atan2(dx).to_degrees().abs() > limits.max_tilt {
        findings.push(Finding::Tilted);
    }
    // Sideways distance of the nose from the eyes' midpoint, along the eye line.
    let mid = ((right_eye.0 + left_eye.0) / 2.0, (right_eye.1 + left_eye.1) / 2.0);
    let along = ((nose.0 - mid.0) * dx + (nose.1 - mid.1) * dy) / eyes;
    if (along / eyes).abs() > limits.max_turn {
        findings.push(Finding::Turned);
    }
    let (x0, y0, x1, y1) = (face.x, face.y, face.x + face.width, face.y + face.height);
    let (light, _) = stats(image, x0, y0, x1, y1);
    if light < limits.min_light {
        findings.push(Finding::Dark);
    } else if light > limits.max_light {
        findings.push(Finding::Bright);
    }
    let (left, _) = stats(image, x0, y0, (x0 + x1) / 2.0, y1);
    let (right, _) = stats(image, (x0 + x1) / 2.0, y0, x1, y1);
    if (left - right).abs() > limits.max_uneven {
        findings.push(Finding::UnevenLight);
    }
    if sharpness(image, face) < limits.min_sharpness {
        findings.push(Finding::Blurred);
    }
    let r = eyes * 0.25;
    let hidden = [right_eye, left_eye].iter().any(|(ex, ey)| {
        let (mean, spread) = stats(image, ex - r, ey - r, ex + r, ey + r);
        spread < limits.min_eye_contrast || mean < 25.0
    });
    if hidden && !findings.contains(&Finding::Dark) && !findings.contains(&Finding::Blurred) {
        findings.push(Finding::EyesHidden);
    }
    findings
}

/// Takes the picture by itself once frames have been good for `hold`
/// without a break.
#[derive(Debug, Clone)]
pub struct AutoCapture {
    /// How long the frames must stay good.
    pub hold: Duration,
    good_since: Option<Duration>,
}

impl AutoCapture {
    /// Waits for `hold` of good frames.
    pub fn new(hold: Duration) -> Self {
        Self { hold, good_since: None }
    }

    /// A frame at `at` (time since any fixed start) was good or not;
    /// returns whether to take the picture now (then starts over).
    pub fn frame(&mut self, at: Duration, good: bool) -> bool {
        if !good {
            self.good_since = None;
            return false;
        }
        let since = *self.good_since.get_or_insert(at);
        if at.saturating_sub(since) >= self.hold {
            self.good_since = None;
            return true;
        }
        false
    }

    /// How far along the hold is, 0–1 (for a progress ring).
    pub fn progress(&self, at: Duration) -> f32 {
        self.good_since
            .map_or(0.0, |since| (at.saturating_sub(since).as_secs_f32() / self.hold.as_secs_f32().max(0.001)).min(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_input_gives_findings_not_a_panic() {
        let face = Face {
            x: f32::NAN,
            y: -1e9,
            width: 0.0,
            height: f32::INFINITY,
            landmarks: [(f32::NAN, 0.0); 5],
            score: 1.0,
        };
        let empty = Rgb { width: 0, height: 0, pixels: Vec::new() };
        let findings = assess(&empty, &[face], &Limits::default());
        assert!(!findings.is_empty());
        let short = Rgb { width: 10, height: 10, pixels: vec![1; 7] };
        assert!(!assess(&short, &[face], &Limits::default()).is_empty());
        assert_eq!(assess(&short, &[], &Limits::default()), [Finding::NoFace]);
    }

    #[test]
    fn auto_capture_needs_an_unbroken_hold() {
        let mut auto = AutoCapture::new(Duration::from_millis(800));
        let ms = Duration::from_millis;
        assert!(!auto.frame(ms(0), true));
        assert!(!auto.frame(ms(500), true));
        assert!((auto.progress(ms(400)) - 0.5).abs() < 1e-3);
        // A bad frame starts the hold again.
        assert!(!auto.frame(ms(600), false));
        assert!(!auto.frame(ms(700), true));
        assert!(!auto.frame(ms(1400), true));
        assert!(auto.frame(ms(1500), true));
        assert_eq!(auto.progress(ms(1500)), 0.0, "starts over after a picture");
    }
}
