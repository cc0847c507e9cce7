//! Agreement across frames: what a live camera offers.
//!
//! Each frame's cells (every symbol's probability at every position) are
//! kept for the last few frames of the same document held still; their
//! mean, position by position, is decided on as one frame is. The reading
//! is offered only when that decision is sure **and** enough frames read
//! exactly the same lines on their own — the names included, which no
//! check digit covers. A document that moves, or another one, starts
//! the count again.

use std::collections::VecDeque;

use crate::alphabet::COUNT;
use crate::decide::{Reading, decide};
use crate::find::Guidance;
use crate::geometry::Point;
use crate::read::{Cells, Seen};

/// Frames kept.
pub const WINDOW: usize = 6;
/// Frames that must read the same lines on their own.
pub const AGREE: usize = 3;

/// Where a live reading stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Nothing to read yet: what to tell the person holding the document.
    Looking(Guidance),
    /// Lines found and being read: how many frames agree so far, and what
    /// stands in the way, if anything is known.
    Reading {
        /// Frames that read the same lines as the frames together.
        agreeing: usize,
        /// Frames needed.
        needed: usize,
        /// What the latest frame says is wrong.
        guidance: Option<Guidance>,
    },
    /// A reading to offer.
    Sure(Reading),
}

#[derive(Debug, Clone)]
struct Frame {
    cells: Cells,
    lines: Vec<String>,
}

/// The last frames of one document.
#[derive(Debug, Clone, Default)]
pub struct Tracker {
    frames: VecDeque<Frame>,
    /// Where the MRZ was last seen, and its capital height.
    at: Option<(Point, f32)>,
}

impl Tracker {
    /// Nothing seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every frame (a new document, or the step left).
    pub fn reset(&mut self) {
        self.frames.clear();
        self.at = None;
    }

    /// Takes the next frame's reading.
    pub fn push(&mut self, seen: &Seen) -> Progress {
        let Some(found) = &seen.found else {
            // A frame without the MRZ does not undo the frames before it:
            // one dropped frame is not a new document.
            return Progress::Looking(seen.guidance.unwrap_or(Guidance::NoMrz));
        };
        let corners: Vec<Point> = found.lines.iter().flat_map(|l| l.quad).collect();
        let n = corners.len().max(1) as f32;
        let centre =
            Point::new(corners.iter().map(|p| p.x).sum::<f32>() / n, corners.iter().map(|p| p.y).sum::<f32>() / n);
        let moved = self.at.is_some_and(|(was, height)| was.distance(centre) > 0.6 * height.max(found.char_height));
        self.at = Some((centre, found.char_height));
        if moved {
            self.frames.clear();
        }
        let (Some(cells), Some(reading)) = (&seen.cells, &seen.reading) else {
            return self.progress(if moved { Some(Guidance::HoldStill) } else { seen.guidance });
        };
        let shape = |c: &Cells| c.iter().map(Vec::len).collect::<Vec<_>>();
        if self.frames.front().is_some_and(|f| shape(&f.cells) != shape(cells)) {
            self.frames.clear();
        }
        self.frames.push_back(Frame { cells: cells.clone(), lines: reading.lines.clone() });
        while self.frames.len() > WINDOW {
            self.frames.pop_front();
        }
        let guidance = if moved { Some(Guidance::HoldStill) } else { seen.guidance };
        self.progress(guidance)
    }

    fn progress(&self, guidance: Option<Guidance>) -> Progress {
        let Some(first) = self.frames.front() else {
            return Progress::Looking(guidance.unwrap_or(Guidance::NoMrz));
        };
        let k = self.frames.len() as f32;
        let mean: Cells = first
            .cells
            .iter()
            .enumerate()
            .map(|(l, line)| {
                (0..line.len())
                    .map(|c| {
                        let mut p = [0f32; COUNT];
                        for frame in &self.frames {
                            for (a, b) in p.iter_mut().zip(&frame.cells[l][c]) {
                                *a += b / k;
                            }
                        }
                        p
                    })
                    .collect()
            })
            .collect();
        let together = decide(&mean);
        let agreeing = self.frames.iter().filter(|f| f.lines == together.lines).count();
        if together.accepted && agreeing >= AGREE {
            return Progress::Sure(together);
        }
        // Frames that disagree with each other: the document is moving or
        // the picture changes.
        let guidance = guidance
            .or((self.frames.len() >= AGREE && agreeing * 2 < self.frames.len()).then_some(Guidance::HoldStill));
        Progress::Reading { agreeing, needed: AGREE, guidance }
    }
}
