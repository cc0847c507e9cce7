//! The rectified lines of one MRZ read into a [`Reading`].

use image::GrayImage;

use crate::cells::{CutError, cut};
use crate::decide::{Reading, decide};
use crate::model::Model;

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

/// Reads `lines` (each level, roughly cropped, top line first).
pub fn read_lines(lines: &[GrayImage], model: &Model) -> Result<Reading, ReadError> {
    if !(2..=3).contains(&lines.len()) {
        return Err(ReadError::Lines(lines.len()));
    }
    let count = symbols(&lines[0], lines.len(), model);
    let mut cells = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let cut = cut(line, count).map_err(|error| ReadError::Line { line: i + 1, error })?;
        cells.push(cut.features.iter().map(|f| model.classify(f)).collect::<Vec<_>>());
    }
    Ok(decide(&cells))
}
