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
    let sureness = |count: usize| -> f32 {
        cut(line, count).map_or(f32::MIN, |cut| {
            let sure: f32 =
                cut.features.iter().map(|f| model.classify(f).iter().copied().fold(0.0, f32::max).max(1e-6).ln()).sum();
            sure / count as f32
        })
    };
    if sureness(44) >= sureness(36) { 44 } else { 36 }
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
        Some((_, upside_down, lines, cells, reading)) => {
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
