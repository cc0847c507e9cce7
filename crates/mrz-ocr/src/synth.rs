//! Synthetic MRZ lines: OCR-B (Debian's `fonts-ocr-b`, public domain)
//! rendered at a chosen character height, with the blur, noise and low
//! contrast a webcam gives. The model is trained on them and the tests and
//! benchmarks measure on them; nothing here is needed to read a picture.

use ab_glyph::{Font as _, FontVec, PxScale, ScaleFont as _, point};
use image::GrayImage;
use std::path::{Path, PathBuf};

use crate::alphabet::SYMBOLS;

/// Where Debian's `fonts-ocr-b` puts the font.
pub const DEBIAN_FONT: &str = "/usr/share/fonts/opentype/ocr-b/OCRB.otf";
/// Its cut with sharp corners (same package).
pub const DEBIAN_SHARP_FONT: &str = "/usr/share/fonts/opentype/ocr-b/OCRBS.otf";

/// Why the font cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// Not there or not readable.
    #[error("cannot read the OCR-B font {0}: {1} (apt-get install fonts-ocr-b)")]
    Read(PathBuf, std::io::Error),
    /// Not a font, or one without the MRZ's symbols.
    #[error("{0} is not an OCR-B font with every MRZ symbol")]
    NotOcrB(PathBuf),
}

/// The OCR-B font, loaded.
pub struct Font {
    font: FontVec,
    /// The height of a capital letter at a scale of 1 px an em.
    cap: f32,
}

impl Font {
    /// The font in `path`.
    pub fn load(path: &Path) -> Result<Self, FontError> {
        let bytes = std::fs::read(path).map_err(|e| FontError::Read(path.to_owned(), e))?;
        let font = FontVec::try_from_vec(bytes).map_err(|_| FontError::NotOcrB(path.to_owned()))?;
        if SYMBOLS.iter().any(|c| font.glyph_id(char::from(*c)).0 == 0) {
            return Err(FontError::NotOcrB(path.to_owned()));
        }
        let probe = font.glyph_id('H').with_scale_and_position(PxScale::from(100.0), point(0.0, 0.0));
        let cap = font.outline_glyph(probe).map(|g| g.px_bounds().height() / 100.0);
        match cap {
            Some(cap) if cap > 0.0 => Ok(Self { font, cap }),
            _ => Err(FontError::NotOcrB(path.to_owned())),
        }
    }

    /// Debian's, when installed.
    pub fn debian() -> Result<Self, FontError> {
        Self::load(Path::new(DEBIAN_FONT))
    }
}

/// How a line looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Height of a capital letter, in pixels.
    pub char_height: f32,
    /// Gaussian blur, σ in pixels (0: none).
    pub blur: f32,
    /// Noise, as a share of full scale (0–1).
    pub noise: f32,
    /// Paper brightness (0–255).
    pub paper: u8,
    /// Ink brightness (0–255): near the paper is low contrast.
    pub ink: u8,
    /// Where the first glyph starts, a fraction of a pixel.
    pub shift: f32,
    /// Glyph width against the font's own (printers' OCR-B runs narrower
    /// or wider).
    pub width: f32,
    /// The pitch against the font's own advance.
    pub pitch: f32,
    /// Stroke weight: −1 thin to 1 bold, 0 the font's own.
    pub weight: f32,
}

impl Style {
    /// Black on white, sharp, at `char_height` px.
    pub fn clean(char_height: f32) -> Self {
        Self {
            char_height,
            blur: 0.0,
            noise: 0.0,
            paper: 240,
            ink: 30,
            shift: 0.0,
            width: 1.0,
            pitch: 1.0,
            weight: 0.0,
        }
    }

    /// A webcam's look at `char_height` px, drawn from `rng`: some blur,
    /// some noise, contrast from good to poor.
    pub fn random(char_height: f32, rng: &mut Rng) -> Self {
        let paper = 170 + (rng.unit() * 80.0) as u8;
        let ink = (rng.unit() * 90.0) as u8;
        // Glyphs never touch: no wider than their pitch.
        let width = 0.75 + rng.unit() * 0.3;
        let weight = rng.unit() * 1.8 - 0.8;
        // Thin strokes blurred as far as thick ones would vanish.
        let blur = rng.unit() * 0.12 * char_height * (1.0 - 0.5 * (-weight).max(0.0));
        Self {
            char_height,
            blur,
            noise: rng.unit() * 0.08,
            paper,
            ink: ink.min(paper.saturating_sub(60)),
            shift: rng.unit(),
            width,
            pitch: width.max(0.95) + rng.unit() * (1.25 - width.max(0.95)),
            weight,
        }
    }
}

/// How much finer than the output a line is drawn when its stroke weight
/// is changed.
const FINE: usize = 3;

/// `text` (one MRZ line) rendered in `style`, with a margin of about a
/// character all round.
pub fn render_line(font: &Font, text: &str, style: &Style, rng: &mut Rng) -> GrayImage {
    // A changed weight is drawn finer, thickened or thinned there, and
    // brought down to size.
    let fine = if style.weight.abs() > 0.05 { FINE } else { 1 };
    let k = fine as f32;
    let size = style.char_height / font.cap;
    let scale = PxScale { x: size * style.width * k, y: size * k };
    let advance = font.font.as_scaled(PxScale::from(size)).h_advance(font.font.glyph_id('0'));
    let pitch = advance * style.pitch * k;
    let margin = style.char_height.ceil() * k;
    let count = text.chars().count() as f32;
    let width = ((2.0 * margin + count * pitch) / k).ceil() as usize * fine;
    let height = ((2.0 * margin + style.char_height * k * 1.4) / k).ceil() as usize * fine;
    let baseline = margin + style.char_height * k * 1.2;
    // Each glyph centred in its cell, as OCR-B sets them.
    let glyph_width = |c: char| font.font.as_scaled(scale).h_advance(font.font.glyph_id(c));
    let mut coverage = vec![0f32; width * height];
    for (i, c) in text.chars().enumerate() {
        let x = margin + style.shift * k + i as f32 * pitch + (pitch - glyph_width(c)) * 0.5;
        let glyph = font.font.glyph_id(c).with_scale_and_position(scale, point(x, baseline));
        if let Some(outline) = font.font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, v| {
                let px = bounds.min.x as i64 + i64::from(gx);
                let py = bounds.min.y as i64 + i64::from(gy);
                if px >= 0 && py >= 0 && (px as usize) < width && (py as usize) < height {
                    let at = py as usize * width + px as usize;
                    coverage[at] = (coverage[at] + v).min(1.0);
                }
            });
        }
    }
    if fine > 1 {
        coverage = reweigh(&coverage, width, height, style.weight, style.char_height * k);
        coverage = shrink(&coverage, width, height, fine);
    }
    let (width, height) = ((width / fine) as u32, (height / fine) as u32);
    let (paper, ink) = (f32::from(style.paper), f32::from(style.ink));
    let mut image = GrayImage::from_fn(width, height, |x, y| {
        let c = coverage[(y * width + x) as usize];
        image::Luma([(paper - (paper - ink) * c).round() as u8])
    });
    if style.blur > 0.2 {
        image = image::imageops::blur(&image, style.blur);
    }
    if style.noise > 0.0 {
        for p in image.pixels_mut() {
            let n = (rng.unit() - 0.5) * 2.0 * style.noise * 255.0;
            p.0[0] = (f32::from(p.0[0]) + n).clamp(0.0, 255.0) as u8;
        }
    }
    image
}

/// Strokes made bolder (`weight` > 0) or thinner (< 0): the coverage
/// blurred a little and cut again at a level below or above half.
fn reweigh(coverage: &[f32], width: usize, height: usize, weight: f32, char_height: f32) -> Vec<f32> {
    // A stroke is about a seventh of a capital; each edge moves by up to
    // a third of a stroke.
    let sigma = (char_height / 20.0).max(1.0);
    let blurred = image::imageops::blur(
        &image::ImageBuffer::<image::Luma<f32>, Vec<f32>>::from_raw(width as u32, height as u32, coverage.to_vec())
            .unwrap_or_default(),
        sigma,
    );
    let level = 0.5 - 0.25 * weight;
    blurred.into_raw().into_iter().map(|c| ((c - level) / 0.2 + 0.5).clamp(0.0, 1.0)).collect()
}

/// `coverage` brought down by `k` in each direction (box mean).
fn shrink(coverage: &[f32], width: usize, height: usize, k: usize) -> Vec<f32> {
    let (w, h) = (width / k, height / k);
    let mut out = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut sum = 0.0;
            for dy in 0..k {
                for dx in 0..k {
                    sum += coverage[(y * k + dy) * width + x * k + dx];
                }
            }
            out[y * w + x] = sum / (k * k) as f32;
        }
    }
    out
}

/// A line of `len` symbols as an MRZ has them: names with fillers between,
/// numbers, and runs of `<`.
pub fn random_line(rng: &mut Rng, len: usize) -> String {
    let mut line = String::with_capacity(len);
    while line.len() < len {
        let run = 1 + rng.below(8);
        let kind = rng.below(4);
        for _ in 0..run {
            if line.len() == len {
                break;
            }
            let c = match kind {
                0 => b'<',
                1 => b'0' + rng.below(10) as u8,
                _ => b'A' + rng.below(26) as u8,
            };
            line.push(char::from(c));
        }
    }
    line
}

/// The project's seeded random source (`mitid_core::synthetic::Rng`,
/// SplitMix64), so every render can be made again from its seed, with the
/// draws a render takes.
#[derive(Debug, Clone)]
pub struct Rng(mitid_core::synthetic::Rng);

impl Rng {
    /// Seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(mitid_core::synthetic::Rng::new(seed))
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// In [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// In [0, n) (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }
}

/// Codes a made-up document may carry (ICAO's, the specimen state's and
/// Germany's one-letter one among them).
const STATES: [&str; 16] =
    ["UTO", "DNK", "UKR", "D<<", "SWE", "POL", "ESP", "NLD", "GBR", "USA", "IND", "SYR", "ROU", "FIN", "CZE", "XXA"];

/// A made-up document's MRZ in `format`, every check digit right.
pub fn random_document(rng: &mut Rng, format: mitid_emrtd::mrz::Format) -> Vec<String> {
    use mitid_emrtd::mrz::{Format, check_digit};
    let cd = |field: &str| -> String {
        if field.bytes().all(|b| b == b'<') {
            "<".into()
        } else {
            check_digit(field).map_or_else(|| "0".into(), |d| d.to_string())
        }
    };
    // From `least` to `least + spread − 1` letters.
    let letters = |rng: &mut Rng, least: usize, spread: usize| -> String {
        let n = least + rng.below(spread);
        (0..n).map(|_| char::from(b'A' + rng.below(26) as u8)).collect()
    };
    let number = |rng: &mut Rng| -> String {
        let len = 6 + rng.below(4);
        let mut s: String = (0..len)
            .map(|_| {
                if rng.below(3) == 0 {
                    char::from(b'A' + rng.below(26) as u8)
                } else {
                    char::from(b'0' + rng.below(10) as u8)
                }
            })
            .collect();
        while s.len() < 9 {
            s.push('<');
        }
        s
    };
    let date = |rng: &mut Rng, years: (usize, usize)| -> String {
        let year = (years.0 + rng.below(years.1 - years.0)) % 100;
        format!("{year:02}{:02}{:02}", 1 + rng.below(12), 1 + rng.below(28))
    };
    let optional = |rng: &mut Rng, n: usize| -> String {
        if rng.below(2) == 0 {
            "<".repeat(n)
        } else {
            let used = 1 + rng.below(n);
            let mut s: String = (0..used).map(|_| char::from(b'0' + rng.below(10) as u8)).collect();
            s.push_str(&"<".repeat(n - used));
            s
        }
    };
    let names = |rng: &mut Rng, n: usize| -> String {
        let mut s = letters(rng, 3, 8);
        if rng.below(3) == 0 {
            s.push('<');
            s.push_str(&letters(rng, 2, 6));
        }
        s.push_str("<<");
        s.push_str(&letters(rng, 3, 7));
        if rng.below(2) == 0 {
            s.push('<');
            s.push_str(&letters(rng, 3, 6));
        }
        s.truncate(n);
        while s.len() < n {
            s.push('<');
        }
        s
    };
    let state = |rng: &mut Rng| STATES[rng.below(STATES.len())].to_owned();
    let sex = |rng: &mut Rng| ["M", "F", "X", "<"][rng.below(4)].to_owned();
    let (issuer, nationality) = (state(rng), state(rng));
    let (doc, birth, expiry) = (number(rng), date(rng, (40, 125)), date(rng, (26, 36)));
    let sex = sex(rng);
    match format {
        Format::Td1 => {
            let opt1 = optional(rng, 15);
            let l1 = format!("I<{issuer}{doc}{}{opt1}", cd(&doc));
            let opt2 = optional(rng, 11);
            let head = format!("{birth}{}{sex}{expiry}{}{nationality}{opt2}", cd(&birth), cd(&expiry));
            let composite = format!("{}{}{}{}", &l1[5..30], &head[0..7], &head[8..15], &head[18..29]);
            let l2 = format!("{head}{}", cd(&composite).replace('<', "0"));
            vec![l1, l2, names(rng, 30)]
        }
        Format::Td2 | Format::MrvB | Format::Td3 | Format::MrvA => {
            let wide = matches!(format, Format::Td3 | Format::MrvA);
            let code = if matches!(format, Format::MrvA | Format::MrvB) {
                "V<"
            } else if wide {
                "P<"
            } else {
                "I<"
            };
            let l1 = format!("{code}{issuer}{}", names(rng, if wide { 39 } else { 31 }));
            let head = format!("{doc}{}{nationality}{birth}{}{sex}{expiry}{}", cd(&doc), cd(&birth), cd(&expiry));
            let l2 = match format {
                Format::Td3 => {
                    let personal = optional(rng, 14);
                    let l = format!("{head}{personal}{}", cd(&personal));
                    let composite = format!("{}{}{}", &l[0..10], &l[13..20], &l[21..43]);
                    format!("{l}{}", cd(&composite).replace('<', "0"))
                }
                Format::Td2 => {
                    let l = format!("{head}{}", optional(rng, 7));
                    let composite = format!("{}{}{}", &l[0..10], &l[13..20], &l[21..35]);
                    format!("{l}{}", cd(&composite).replace('<', "0"))
                }
                Format::MrvA => format!("{head}{}", optional(rng, 16)),
                _ => format!("{head}{}", optional(rng, 8)),
            };
            vec![l1, l2]
        }
    }
}
