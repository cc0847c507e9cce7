//! The rectified lines of one MRZ read into a [`Reading`], and a whole
//! frame read: found, rectified both ways up, read, and said what is wrong
//! when it does not read.

use image::GrayImage;

use crate::alphabet::COUNT;
use crate::cells::{CutError, cut};
use crate::decide::{Reading, decide};
use crate::find::{Found, Guidance, diagnose, find, rectify};
use crate::model::Model;

/// Each line's cells: each symbol's probability.
pub type Cells = Vec<Vec<[f32; COUNT]>>;

/// Why the lines cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Not 2 or 3 lines.
    #[error("an MRZ has 2 or 3 lines; {0} were found")]
    Lines(usize),
    /// A line that cannot be cut into cells.
    #[error("line {line}: {error}")]
    Line {
        /// 1-based.
        line: usize,
        /// Why.
        error: CutError,
    },
}

/// How many symbols a line holds: 30 on three lines; on two, 36 or 44 —
/// whichever cut the model is surer of, cell by cell.
fn symbols(line: &GrayImage, lines: usize, model: &Model) -> usize {
    if lines == 3 {
        return 30;
    }
    let sure = |count: usize| -> f32 {
        cut(line, count)
            .map_or(f32::MIN, |cut| sureness(&vec![cut.features.iter().map(|f| model.classify(f)).collect()]))
    };
    if sure(44) >= sure(36) { 44 } else { 36 }
}

/// Each cell's probabilities in `lines` (each level, roughly cropped, top
/// line first).
pub fn read_cells(lines: &[GrayImage], model: &Model) -> Result<Cells, ReadError> {
    if !(2..=3).contains(&lines.len()) {
        return Err(ReadError::Lines(lines.len()));
    }
    let count = symbols(&lines[0], lines.len(), model);
    let mut cells = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let cut = cut(line, count).map_err(|error| ReadError::Line { line: i + 1, error })?;
        let mut read: Vec<[f32; COUNT]> = cut.features.iter().map(|f| model.classify(f)).collect();
        // A second view of the same glyphs, on another grid of pixels:
        // where the model is sure of one view only, the mean is in doubt.
        let (w, h) = line.dimensions();
        let larger = image::imageops::resize(line, w * 6 / 5, h * 6 / 5, image::imageops::FilterType::Triangle);
        if let Ok(again) = crate::cells::cut(&larger, count) {
            for (p, f) in read.iter_mut().zip(&again.features) {
                let q = model.classify(f);
                for (a, b) in p.iter_mut().zip(q) {
                    *a = (*a + b) * 0.5;
                }
            }
        }
        cells.push(read);
    }
    Ok(cells)
}

/// Reads `lines` (each level, roughly cropped, top line first).
pub fn read_lines(lines: &[GrayImage], model: &Model) -> Result<Reading, ReadError> {
    read_cells(lines, model).map(|cells| decide(&cells))
}

/// How sure the model is of `cells`: the mean log probability of each
/// cell's first choice (0 is certain).
pub fn sureness(cells: &Cells) -> f32 {
    let n: usize = cells.iter().map(Vec::len).sum();
    let sum: f32 = cells.iter().flatten().map(|p| p.iter().copied().fold(0.0, f32::max).max(1e-6).ln()).sum();
    sum / n.max(1) as f32
}

/// What one frame gave.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The MRZ's lines, when found (in the frame's orientation).
    pub found: Option<Found>,
    /// Whether it reads the other way up.
    pub upside_down: bool,
    /// Each cell's probabilities, when the lines could be cut.
    pub cells: Option<Cells>,
    /// The reading of those cells alone.
    pub reading: Option<Reading>,
    /// What to tell the agent when there is no sure reading and something
    /// can be named (no MRZ, too far, blurred, glare …).
    pub guidance: Option<Guidance>,
}

/// Whether the picture beyond both ends of `line` (a pitch and a half
/// past its margin) is paper: no ink there against the line's own
/// contrast (`strip`, the line rectified), no reflection brighter than
/// its paper, and inside the picture.
fn clean_ends(frame: &GrayImage, line: &crate::find::Line, strip: &GrayImage) -> bool {
    use crate::geometry::{Homography, Point, rectangle, sample, warp};
    let mut values: Vec<u8> = strip.pixels().map(|p| p.0[0]).collect();
    if values.is_empty() {
        return false;
    }
    values.sort_unstable();
    let (ink, paper) = (f32::from(values[values.len() / 50]), f32::from(values[values.len() * 9 / 10]));
    let contrast = (paper - ink).max(1.0);
    let [a, b, c, d] = line.quad;
    let length = a.distance(b).max(1.0);
    let reach = 1.5 * crate::find::PITCH * line.char_height;
    let (ux, uy) = ((b.x - a.x) / length * reach, (b.y - a.y) / length * reach);
    let ahead = |p: Point, k: f32| Point::new(p.x + k * ux, p.y + k * uy);
    let (w, h) = ((reach.round() as u32).max(2), (a.distance(d).round() as u32).max(2));
    let (fw, fh) = (frame.width() as f32, frame.height() as f32);
    let inside = |p: Point| p.x >= 0.0 && p.y >= 0.0 && p.x < fw && p.y < fh;
    for quad in [[b, ahead(b, 1.0), ahead(c, 1.0), c], [ahead(a, -1.0), a, d, ahead(d, -1.0)]] {
        if !quad.iter().all(|p| inside(*p)) {
            return false;
        }
        let Some(beyond) = warp(frame, &quad, w.min(400), h.min(200)) else { return false };
        // The middle rows, where characters would be.
        let (top, bottom) = (beyond.height() * 3 / 10, (beyond.height() * 7 / 10).max(beyond.height() * 3 / 10 + 1));
        let is_dark = |x: u32, y: u32| f32::from(beyond.get_pixel(x, y).0[0]) < paper - 0.5 * contrast;
        let mut rows: Vec<u8> = Vec::new();
        let mut dark = 0usize;
        for x in 0..beyond.width() {
            let column = (top..bottom).filter(|y| is_dark(x, *y)).count();
            // A rule or the page's edge runs straight across the rows; a
            // character does not.
            if column * 10 < (bottom - top) as usize * 9 {
                dark += column;
            }
            rows.extend((top..bottom).map(|y| beyond.get_pixel(x, y).0[0]));
        }
        let mut sorted = rows.clone();
        sorted.sort_unstable();
        let median = f32::from(sorted.get(sorted.len() / 2).copied().unwrap_or(0));
        // Paper there, with ink on it: the line goes on.
        if median >= paper - 0.3 * contrast && dark * 50 >= rows.len() {
            return false;
        }
    }
    // Brighter than the line's paper, up to four pitches on: a reflection,
    // which may hide the rest of the line. (The paper by the strip's
    // middling pixels: glare on part of the strip lifts its brightest.)
    let paper = f32::from(values[values.len() * 6 / 10]);
    let far = reach * 4.0 / 1.5;
    let (fx, fy) = (ux / reach * far, uy / reach * far);
    let further = |p: Point, k: f32| Point::new(p.x + k * fx, p.y + k * fy);
    for quad in [[b, further(b, 1.0), further(c, 1.0), c], [further(a, -1.0), a, d, further(d, -1.0)]] {
        let (bw, bh) = ((far.round() as u32).clamp(2, 600), h.min(200));
        let Some(map) = Homography::between(&rectangle(bw as f32, bh as f32), &quad) else { return false };
        let (mut glare, mut all) = (0usize, 0usize);
        for y in bh * 3 / 10..(bh * 7 / 10).max(bh * 3 / 10 + 1) {
            for x in 0..bw {
                // What lies beyond the picture counts as nothing.
                let at = map.apply(Point::new(x as f32 + 0.5, y as f32 + 0.5));
                if inside(at) {
                    all += 1;
                    glare += usize::from(f32::from(sample(frame, at, 0)) > paper + (0.15 * contrast).max(12.0));
                }
            }
        }
        if glare * 5 >= all.max(1) && glare > 0 {
            return false;
        }
    }
    true
}

/// Finds and reads the MRZ in `frame`: both ways up, keeping the one the
/// model is surer of.
pub fn read_frame(frame: &GrayImage, model: &Model) -> Seen {
    let found = match find(frame) {
        Ok(found) => found,
        Err(guidance) => {
            return Seen { found: None, upside_down: false, cells: None, reading: None, guidance: Some(guidance) };
        }
    };
    let mut best: Option<(f32, bool, Vec<GrayImage>, Cells, Reading)> = None;
    for upside_down in [false, true] {
        let lines = rectify(frame, &found, upside_down);
        let Ok(cells) = read_cells(&lines, model) else { continue };
        let reading = decide(&cells);
        let sure = sureness(&cells) + if reading.checks_pass { 1.0 } else { 0.0 };
        let accepted = reading.accepted;
        if best.as_ref().is_none_or(|(s, ..)| sure > *s) {
            best = Some((sure, upside_down, lines, cells, reading));
        }
        if accepted {
            break;
        }
    }
    match best {
        Some((_, upside_down, lines, cells, mut reading)) => {
            // Ink just past a line's end (fillers too faint to be found,
            // or the line running out of the picture) is part of it: what
            // was read may be a shorter layout's lines, every check true.
            if reading.accepted && !found.lines.iter().zip(&lines).all(|(line, strip)| clean_ends(frame, line, strip)) {
                reading.accepted = false;
                let guidance = Some(Guidance::CutOff);
                return Seen { found: Some(found), upside_down, cells: Some(cells), reading: Some(reading), guidance };
            }
            // Only what can be named: the vote over frames says "hold
            // still" when frames disagree.
            let guidance = if reading.accepted { None } else { diagnose(&lines) };
            Seen { found: Some(found), upside_down, cells: Some(cells), reading: Some(reading), guidance }
        }
        None => Seen {
            found: Some(found),
            upside_down: false,
            cells: None,
            reading: None,
            guidance: Some(Guidance::Blurred),
        },
    }
}
