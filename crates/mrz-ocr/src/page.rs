//! Synthetic camera frames of a document's data page: OCR-B MRZ lines at
//! the foot of a page with a photograph, printed fields and a background
//! pattern, the page lying on a desk — turned (any angle, or upside
//! down), seen at a slant, blurred, noisy, with glare, low contrast and
//! JPEG compression. The finder's tests and the benchmark are measured on
//! them; nothing here is needed to read a picture.

use image::GrayImage;

use crate::geometry::{Homography, Point, Quad, sample};
use crate::synth::{Font, Rng, Style, render_line};

/// How a frame is made.
#[derive(Debug, Clone, Copy)]
pub struct Shot {
    /// The MRZ's capital height in the frame, in pixels (at the page's
    /// middle; perspective makes one end larger).
    pub char_height: f32,
    /// The frame's size.
    pub frame: (u32, u32),
    /// The page's turn, in degrees (clockwise; 180 is upside down).
    pub angle: f32,
    /// How far each corner is pulled for perspective, a share of the
    /// page's size (0: seen square on).
    pub slant: f32,
    /// Gaussian blur of the frame, σ in pixels.
    pub blur: f32,
    /// Noise, a share of full scale.
    pub noise: f32,
    /// Contrast of the whole frame (1: as printed, 0.4: washed out).
    pub contrast: f32,
    /// A reflection: its centre as a share of the MRZ's length along it
    /// (0–1), its radius in capital heights, and its strength (0–255).
    pub glare: Option<(f32, f32, f32)>,
    /// JPEG quality, when the frame went through it.
    pub jpeg: Option<u8>,
    /// The printed lines' look.
    pub print: Style,
}

impl Shot {
    /// A frame as a webcam at a desk gives one, drawn from `rng`, with
    /// the MRZ at `char_height` px.
    pub fn random(char_height: f32, rng: &mut Rng) -> Self {
        let frames = [(640, 480), (1280, 720), (1280, 720), (1920, 1080)];
        let mut print = Style::random(char_height, rng);
        // The frame's own blur and noise stand in for the line's.
        print.blur = 0.0;
        print.noise = 0.0;
        print.paper = 255;
        print.ink = 0;
        Self {
            char_height,
            frame: frames[rng.below(frames.len())],
            angle: (rng.unit() * 60.0 - 30.0) + if rng.below(8) == 0 { 180.0 } else { 0.0 },
            slant: rng.unit() * 0.12,
            blur: rng.unit() * 0.08 * char_height,
            noise: rng.unit() * 0.05,
            contrast: 0.45 + rng.unit() * 0.55,
            glare: (rng.below(6) == 0).then(|| (rng.unit(), 1.0 + rng.unit() * 3.0, 60.0 + rng.unit() * 160.0)),
            jpeg: (rng.below(2) == 0).then(|| 40 + rng.below(51) as u8),
            print,
        }
    }
}

/// A frame and what is printed in it.
#[derive(Debug, Clone)]
pub struct Page {
    /// The frame.
    pub image: GrayImage,
    /// The MRZ as printed.
    pub lines: Vec<String>,
    /// Where the MRZ is in the frame (its corners as it reads).
    pub mrz: Quad,
    /// Whether every corner of the MRZ is inside the frame.
    pub whole: bool,
}

/// The page's height against its width: a passport's data page for two
/// lines of 44, a TD2 card for two of 36, an ID card for three.
fn aspect(lines: &[String]) -> f32 {
    match (lines.len(), lines.first().map_or(0, String::len)) {
        (2, 44) => 88.0 / 125.0,
        (2, _) => 74.0 / 105.0,
        _ => 54.0 / 85.6,
    }
}

/// A frame of a page printed with `lines`, shot as `shot` says.
pub fn page(font: &Font, lines: &[String], shot: &Shot, rng: &mut Rng) -> Page {
    // The page at a scale where a capital is `h` px, its MRZ 88 % of its
    // width (ICAO's layouts: 76–112 mm of 86–125).
    let h = shot.char_height;
    let rendered: Vec<GrayImage> = lines.iter().map(|l| render_line(font, l, &shot.print, rng)).collect();
    let margin = h.ceil();
    let mrz_width = rendered.iter().map(|l| l.width() as f32 - 2.0 * margin).fold(0.0, f32::max);
    let pw = mrz_width / 0.88 / h;
    let ph = pw * aspect(lines);
    let (width, height) = ((pw * h).ceil() as u32, (ph * h).ceil() as u32);
    let paper = 175.0 + rng.unit() * 70.0;
    // A faint background pattern and a shade across the page.
    let (fx, fy, phase) = (0.2 + rng.unit() * 0.6, 0.2 + rng.unit() * 0.6, rng.unit() * 6.0);
    let pattern = rng.unit() * 14.0;
    let shade = (rng.unit() - 0.5) * 30.0;
    let mut doc: Vec<f32> = (0..width * height)
        .map(|i| {
            let (x, y) = ((i % width) as f32 / h, (i / width) as f32 / h);
            paper + pattern * ((x * fx + phase).sin() * (y * fy).cos()) + shade * x / pw
        })
        .collect();
    let ink_over = |doc: &mut Vec<f32>, line: &GrayImage, x0: f32, y0: f32, ink: f32| {
        for (x, y, p) in line.enumerate_pixels() {
            let (dx, dy) = (x0 as i64 + i64::from(x), y0 as i64 + i64::from(y));
            if dx < 0 || dy < 0 || dx >= i64::from(width) || dy >= i64::from(height) {
                continue;
            }
            let c = 1.0 - f32::from(p.0[0]) / 255.0;
            let at = (dy as u32 * width + dx as u32) as usize;
            doc[at] = doc[at] * (1.0 - c) + ink * c;
        }
    };
    // A photograph: a dark, uneven block on the left.
    let (px0, py0, px1, py1) = (0.06 * pw * h, 0.18 * ph * h, 0.33 * pw * h, 0.62 * ph * h);
    let tone = 40.0 + rng.unit() * 80.0;
    for y in py0 as u32..(py1 as u32).min(height) {
        for x in px0 as u32..(px1 as u32).min(width) {
            let v = tone + 40.0 * ((x as f32 * 0.05).sin() + (y as f32 * 0.07).cos()) * rng.unit();
            doc[(y * width + x) as usize] = v;
        }
    }
    // Printed fields: short words in OCR-B at other sizes, with spaces
    // (the MRZ has none).
    let ink = 20.0 + rng.unit() * 50.0;
    let fields = 4 + rng.below(5);
    for i in 0..fields {
        let words: Vec<String> = (0..1 + rng.below(3))
            .map(|_| (0..2 + rng.below(8)).map(|_| char::from(b'A' + rng.below(26) as u8)).collect())
            .collect();
        let size = h * (0.7 + rng.unit() * 0.6);
        let style = Style { char_height: size, ..Style::clean(size) };
        let text = render_line(font, &words.join(" "), &Style { paper: 255, ink: 0, ..style }, rng);
        let y = (0.12 + 0.5 * i as f32 / fields as f32) * ph * h;
        ink_over(&mut doc, &text, 0.37 * pw * h, y, ink);
    }
    // The MRZ: centred across, the last line's foot 5 % above the page's;
    // line spacing 1.6–2.6 capitals.
    let spacing = h * (1.6 + rng.unit() * 1.0);
    let left = 0.06 * pw * h - margin;
    let foot = 0.95 * ph * h;
    let top_line = foot - (lines.len() as f32 - 1.0) * spacing - 1.2 * h - margin;
    for (i, line) in rendered.iter().enumerate() {
        ink_over(&mut doc, line, left, top_line + i as f32 * spacing, ink);
    }
    let mrz_doc: Quad = {
        let (x0, x1) = (left + margin, left + margin + mrz_width);
        let (y0, y1) = (top_line + margin, top_line + margin + (lines.len() as f32 - 1.0) * spacing + 1.4 * h);
        [Point::new(x0, y0), Point::new(x1, y0), Point::new(x1, y1), Point::new(x0, y1)]
    };
    // Glare on the page, over the MRZ's lines.
    if let Some((along, radius, strength)) = shot.glare {
        let (gx, gy) = (mrz_doc[0].x + along * mrz_width, (mrz_doc[0].y + mrz_doc[3].y) * 0.5);
        let r = radius * h;
        for y in ((gy - 3.0 * r).max(0.0) as u32)..((gy + 3.0 * r).min(height as f32) as u32) {
            for x in ((gx - 3.0 * r).max(0.0) as u32)..((gx + 3.0 * r).min(width as f32) as u32) {
                let d2 = (x as f32 - gx).powi(2) + (y as f32 - gy).powi(2);
                let at = (y * width + x) as usize;
                doc[at] += strength * (-d2 / (2.0 * r * r)).exp();
            }
        }
    }

    // The page into the frame: the MRZ's middle near the frame's, turned
    // and pulled at the corners.
    let (fw, fh) = (shot.frame.0 as f32, shot.frame.1 as f32);
    let centre = Point::new((mrz_doc[0].x + mrz_doc[2].x) * 0.5, (mrz_doc[0].y + mrz_doc[2].y) * 0.5);
    let target = Point::new(fw * (0.5 + (rng.unit() - 0.5) * 0.2), fh * (0.5 + (rng.unit() - 0.5) * 0.2));
    let (sin, cos) = shot.angle.to_radians().sin_cos();
    let pull = shot.slant * pw.max(ph) * h;
    let corners = [
        Point::new(0.0, 0.0),
        Point::new(width as f32, 0.0),
        Point::new(width as f32, height as f32),
        Point::new(0.0, height as f32),
    ];
    let mut placed = corners;
    for p in &mut placed {
        let (dx, dy) = (p.x - centre.x, p.y - centre.y);
        *p = Point::new(
            target.x + dx * cos - dy * sin + (rng.unit() - 0.5) * 2.0 * pull,
            target.y + dx * sin + dy * cos + (rng.unit() - 0.5) * 2.0 * pull,
        );
    }
    let to_frame = Homography::between(&corners, &placed);
    let to_page = Homography::between(&placed, &corners);
    let doc_image = GrayImage::from_fn(width, height, |x, y| {
        image::Luma([doc[(y * width + x) as usize].round().clamp(0.0, 255.0) as u8])
    });
    let desk = 40.0 + rng.unit() * 90.0;
    let mut frame = GrayImage::new(shot.frame.0, shot.frame.1);
    if let Some(to_page) = to_page {
        for (x, y, p) in frame.enumerate_pixels_mut() {
            let at = to_page.apply(Point::new(x as f32 + 0.5, y as f32 + 0.5));
            let inside = at.x >= 0.0 && at.y >= 0.0 && at.x < width as f32 && at.y < height as f32;
            p.0[0] = if inside { sample(&doc_image, at, desk as u8) } else { desk as u8 };
        }
    }
    let mrz = to_frame.map_or(mrz_doc, |m| mrz_doc.map(|p| m.apply(p)));
    let whole = mrz.iter().all(|p| p.x >= 0.0 && p.y >= 0.0 && p.x < fw && p.y < fh);

    // The camera's part.
    if shot.blur > 0.3 {
        frame = image::imageops::blur(&frame, shot.blur);
    }
    for p in frame.pixels_mut() {
        let v = 128.0 + (f32::from(p.0[0]) - 128.0) * shot.contrast + (rng.unit() - 0.5) * 2.0 * shot.noise * 255.0;
        p.0[0] = v.round().clamp(0.0, 255.0) as u8;
    }
    if let Some(quality) = shot.jpeg {
        let mut bytes = Vec::new();
        let encoded = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality).encode_image(&frame);
        if encoded.is_ok()
            && let Ok(decoded) = image::load_from_memory(&bytes)
        {
            frame = decoded.to_luma8();
        }
    }
    Page { image: frame, lines: lines.to_vec(), mrz, whole }
}
