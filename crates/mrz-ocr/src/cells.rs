//! One rectified MRZ line cut into its cells, each made into features.
//!
//! The line comes level and roughly cropped (a margin of paper around it is
//! fine). Ink and paper are told apart by Otsu's threshold; the text band
//! is the run of rows holding ink; OCR-B's fixed pitch gives the cells: of
//! the pitches and offsets that put `count` cells over the ink, the one
//! whose boundaries cross the least ink wins. Each cell gives a coarse
//! picture of the whole cell (where the ink sits: `<` is low and small)
//! and one of its ink alone, scaled to fill the grid (its shape).

use image::GrayImage;

/// Columns and rows of the whole-cell grid.
const CELL: (usize, usize) = (10, 16);
/// Columns and rows of the ink's own grid.
const SHAPE: (usize, usize) = (10, 14);

/// Features a cell gives.
pub const FEATURES: usize = CELL.0 * CELL.1 + SHAPE.0 * SHAPE.1 + 5;

/// Why a line cannot be cut.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CutError {
    /// Too small to hold `count` symbols.
    #[error("the line is too small to read ({width}×{height} px for {count} symbols)")]
    TooSmall {
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
        /// Symbols asked for.
        count: usize,
    },
    /// No ink, or no contrast between ink and paper.
    #[error("there is no printed line here")]
    NoInk,
}

/// A line cut: each cell's features, in order, and where the cells are.
#[derive(Debug, Clone)]
pub struct Cut {
    /// [`FEATURES`] values for each cell.
    pub features: Vec<Vec<f32>>,
    /// The first cell's left edge, in pixels.
    pub offset: f32,
    /// The pitch, in pixels.
    pub pitch: f32,
    /// The text band's top and bottom rows.
    pub band: (u32, u32),
}

/// Cuts `line` into `count` cells (30, 36 or 44 for an MRZ; any count
/// from 1 works).
pub fn cut(line: &GrayImage, count: usize) -> Result<Cut, CutError> {
    let (width, height) = line.dimensions();
    if count == 0 || (width as usize) < count * 4 || height < 6 {
        return Err(CutError::TooSmall { width, height, count });
    }
    let (w, h) = (width as usize, height as usize);
    let threshold = otsu(line);
    // Ink as 0 (paper) to 1 (ink), stretched between the two classes' means.
    let (mut paper_sum, mut paper_n, mut ink_sum, mut ink_n) = (0f64, 0f64, 0f64, 0f64);
    for p in line.pixels() {
        let v = f64::from(p.0[0]);
        if p.0[0] > threshold {
            (paper_sum, paper_n) = (paper_sum + v, paper_n + 1.0);
        } else {
            (ink_sum, ink_n) = (ink_sum + v, ink_n + 1.0);
        }
    }
    if paper_n == 0.0 || ink_n == 0.0 {
        return Err(CutError::NoInk);
    }
    let (paper, ink) = ((paper_sum / paper_n) as f32, (ink_sum / ink_n) as f32);
    if paper - ink < 12.0 {
        return Err(CutError::NoInk);
    }
    let inkmap: Vec<f32> =
        line.pixels().map(|p| ((paper - f32::from(p.0[0])) / (paper - ink)).clamp(0.0, 1.0)).collect();
    let mask: Vec<bool> = line.pixels().map(|p| p.0[0] <= threshold).collect();

    // The band: rows whose ink is a fair share of the busiest row's.
    let rows: Vec<usize> = (0..h).map(|y| mask[y * w..(y + 1) * w].iter().filter(|m| **m).count()).collect();
    let busiest = rows.iter().copied().max().unwrap_or(0);
    if busiest < count {
        return Err(CutError::NoInk);
    }
    // The run of busy rows nearest the middle: the line itself, not the
    // edge of the line above or below that a strip may take in.
    let busy = |y: usize| rows[y] * 4 >= busiest;
    let middle = h / 2;
    let Some(seed) = (0..h).filter(|y| busy(*y)).min_by_key(|y| y.abs_diff(middle)) else {
        return Err(CutError::NoInk);
    };
    let (mut top, mut bottom) = (seed, seed);
    while top > 0 && busy(top - 1) {
        top -= 1;
    }
    while bottom + 1 < h && busy(bottom + 1) {
        bottom += 1;
    }
    // A little above and below: glyphs reach past the busy rows.
    let reach = ((bottom - top + 1) as f32 * 0.12).ceil() as usize;
    let (top, bottom) = (top.saturating_sub(reach), (bottom + reach).min(h - 1));
    // Ink in the reach that belongs to a neighbour stays out of the cells:
    // its rows are those beyond an empty one.
    let top = (top..seed).rev().find(|y| rows[*y] == 0).map_or(top, |y| y + 1);
    let bottom = (seed..=bottom).find(|y| rows[*y] == 0).map_or(bottom, |y| y.saturating_sub(1).max(seed));

    // Columns with ink within the band, by the thresholded ink (noise on
    // the paper stays below the threshold).
    let floor = ((bottom - top + 1) as f32 * 0.08).max(1.0) as usize;
    let inked: Vec<bool> = (0..w).map(|x| (top..=bottom).filter(|y| mask[y * w + x]).count() >= floor).collect();
    let (Some(left), Some(right)) = (inked.iter().position(|i| *i), inked.iter().rposition(|i| *i)) else {
        return Err(CutError::NoInk);
    };
    let span = (right - left + 1) as f32;
    if span < count as f32 * 2.0 {
        return Err(CutError::NoInk);
    }
    let (offset, pitch, bend) = fit_pitch(&inked, left, right, count);
    let mut features = Vec::with_capacity(count);
    for i in 0..count {
        // Cell i's centre at offset + pitch/2 + i·pitch + bend·i²; its
        // width the spacing there.
        let k = i as f32;
        let centre = offset + 0.5 * pitch + k * pitch + bend * k * k;
        let width = pitch + 2.0 * bend * k;
        let x0 = centre - 0.5 * width;
        features.push(cell_features(&inkmap, w, (x0, x0 + width), (top as f32, bottom as f32 + 1.0)));
    }
    Ok(Cut { features, offset, pitch, band: (top as u32, bottom as u32) })
}

/// The pitch and offset of `count` cells over the ink from `left` to
/// `right`. OCR-B sets every glyph centred in a cell of one fixed width, so
/// the glyphs' centres (each run of inked columns between two empty ones is
/// a glyph, when it is no wider than a cell) fall on a comb: the pitch is
/// the one, between glyphs reaching past their cells (`<` does, by a
/// little: span/(count + ½)) and a glyph of no width (span/(count − 1)),
/// at which the centres agree best on their place
/// within a cell (the length of the mean of e^(2πi·centre/pitch)), and that
/// agreed place puts the comb. Where blur leaves too few single glyphs, the
/// span alone decides.
fn fit_pitch(inked: &[bool], left: usize, right: usize, count: usize) -> (f32, f32, f32) {
    let span = (right - left + 1) as f32;
    let (lo, hi) = (span / (count as f32 + 0.5), span / (count as f32 - 1.0).max(0.5));
    let mut centres = Vec::new();
    let mut x = left;
    while x <= right {
        if !inked[x] {
            x += 1;
            continue;
        }
        let start = x;
        while x <= right && inked[x] {
            x += 1;
        }
        let width = (x - start) as f32;
        if width <= 1.05 * hi {
            centres.push(start as f32 + width * 0.5);
        }
    }
    let tau = std::f32::consts::TAU;
    let agreement = |pitch: f32| -> (f32, f32) {
        let (mut re, mut im) = (0f32, 0f32);
        for c in &centres {
            let a = tau * c / pitch;
            re += a.cos();
            im += a.sin();
        }
        (re.hypot(im), im.atan2(re))
    };
    let (pitch, place) = if centres.len() * 4 >= count {
        let steps = 200;
        let mut best = (f32::MIN, lo, 0.0);
        for s in 0..=steps {
            let pitch = lo + (hi - lo) * s as f32 / steps as f32;
            let (strength, phase) = agreement(pitch);
            if strength > best.0 {
                best = (strength, pitch, phase);
            }
        }
        (best.1, best.2.rem_euclid(tau) / tau * best.1)
    } else {
        let pitch = span / (count as f32 - 0.35);
        (pitch, left as f32 + 0.325 * pitch)
    };
    let earliest = left as f32 - 0.1 * pitch;
    let mut first = earliest + (place - earliest).rem_euclid(pitch);
    let mut pitch = pitch;
    // The periodogram's peak is broad; each centre near its tooth of the
    // comb then fixes the comb by least squares (centre = first + k·pitch).
    for _ in 0..2 {
        let near: Vec<(f32, f32)> = centres
            .iter()
            .filter_map(|c| {
                let k = ((c - first) / pitch).round();
                ((c - first - k * pitch).abs() <= 0.3 * pitch && k >= 0.0 && k < count as f32).then_some((k, *c))
            })
            .collect();
        if near.len() * 2 < count {
            break;
        }
        let n = near.len() as f32;
        let (mk, mc) = (near.iter().map(|p| p.0).sum::<f32>() / n, near.iter().map(|p| p.1).sum::<f32>() / n);
        let skk: f32 = near.iter().map(|p| (p.0 - mk) * (p.0 - mk)).sum();
        if skk < 1.0 {
            break;
        }
        let slope = near.iter().map(|p| (p.0 - mk) * (p.1 - mc)).sum::<f32>() / skk;
        if !(0.8 * lo..=1.2 * hi).contains(&slope) {
            break;
        }
        pitch = slope;
        first = mc - slope * mk;
    }
    // What perspective the rectification left: the spacing changing
    // steadily along the line, centre = first + k·pitch + bend·k².
    let mut bend = 0.0;
    let near: Vec<(f64, f64)> = centres
        .iter()
        .filter_map(|c| {
            let k = ((c - first) / pitch).round();
            ((c - first - k * pitch).abs() <= 0.35 * pitch && k >= 0.0 && k < count as f32)
                .then_some((f64::from(k), f64::from(*c)))
        })
        .collect();
    if near.len() * 3 >= count * 2
        && let Some((a, b, e)) = quadratic(&near)
        && e.abs() * (count * count) as f64 / 4.0 < 0.5 * f64::from(pitch)
        && (0.8 * f64::from(lo)..=1.2 * f64::from(hi)).contains(&b)
    {
        (first, pitch, bend) = (a as f32, b as f32, e as f32);
    }
    (first - 0.5 * pitch, pitch, bend)
}

/// Least squares of y = a + b·x + e·x².
fn quadratic(points: &[(f64, f64)]) -> Option<(f64, f64, f64)> {
    let mut m = [[0f64; 4]; 3];
    for (x, y) in points {
        let row = [1.0, *x, x * x];
        for i in 0..3 {
            for j in 0..3 {
                m[i][j] += row[i] * row[j];
            }
            m[i][3] += row[i] * y;
        }
    }
    let [a, b, e] = crate::geometry::solve(m)?;
    (a.is_finite() && b.is_finite() && e.is_finite()).then_some((a, b, e))
}

/// A cell's features: its whole area on a coarse grid, its ink's bounds
/// within it, and its ink alone scaled to fill a grid.
fn cell_features(inkmap: &[f32], w: usize, (x0, x1): (f32, f32), (y0, y1): (f32, f32)) -> Vec<f32> {
    let h = inkmap.len() / w;
    let mut out = Vec::with_capacity(FEATURES);
    grid(inkmap, w, h, (x0, x1), (y0, y1), CELL, &mut out);
    // The ink's bounds in the cell (rows and columns with ink).
    let (cx0, cx1) = (x0.max(0.0) as usize, (x1.ceil() as usize).min(w));
    let (cy0, cy1) = (y0.max(0.0) as usize, (y1.ceil() as usize).min(h));
    let (mut bx0, mut bx1, mut by0, mut by1, mut mass) = (usize::MAX, 0, usize::MAX, 0, 0f32);
    for y in cy0..cy1 {
        for x in cx0..cx1 {
            let v = inkmap[y * w + x];
            mass += v;
            if v > 0.5 {
                (bx0, bx1, by0, by1) = (bx0.min(x), bx1.max(x + 1), by0.min(y), by1.max(y + 1));
            }
        }
    }
    let (cw, ch) = ((x1 - x0).max(1.0), (y1 - y0).max(1.0));
    if bx0 == usize::MAX {
        // An empty cell: nothing printed there.
        out.extend([0.0, 0.0, 0.0, 0.0, 0.0]);
        out.extend(std::iter::repeat_n(0.0, SHAPE.0 * SHAPE.1));
    } else {
        out.extend([
            (bx0 as f32 - x0) / cw,
            (bx1 as f32 - x0) / cw,
            (by0 as f32 - y0) / ch,
            (by1 as f32 - y0) / ch,
            mass / (cw * ch),
        ]);
        grid(inkmap, w, h, (bx0 as f32, bx1 as f32), (by0 as f32, by1 as f32), SHAPE, &mut out);
    }
    out
}

/// The mean ink of each of `cols`×`rows` boxes over the area given, each
/// box sampled at 3×3 points (bilinear).
fn grid(
    inkmap: &[f32],
    w: usize,
    h: usize,
    (x0, x1): (f32, f32),
    (y0, y1): (f32, f32),
    (cols, rows): (usize, usize),
    out: &mut Vec<f32>,
) {
    let at = |x: f32, y: f32| -> f32 {
        let (x, y) = (x.clamp(0.0, (w - 1) as f32), y.clamp(0.0, (h - 1) as f32));
        let (ix, iy) = (x.floor() as usize, y.floor() as usize);
        let (jx, jy) = ((ix + 1).min(w - 1), (iy + 1).min(h - 1));
        let (fx, fy) = (x - ix as f32, y - iy as f32);
        let top = inkmap[iy * w + ix] * (1.0 - fx) + inkmap[iy * w + jx] * fx;
        let bottom = inkmap[jy * w + ix] * (1.0 - fx) + inkmap[jy * w + jx] * fx;
        top * (1.0 - fy) + bottom * fy
    };
    let (bw, bh) = ((x1 - x0) / cols as f32, (y1 - y0) / rows as f32);
    for r in 0..rows {
        for c in 0..cols {
            let mut sum = 0.0;
            for sy in 0..3 {
                for sx in 0..3 {
                    let x = x0 + (c as f32 + (sx as f32 + 0.5) / 3.0) * bw - 0.5;
                    let y = y0 + (r as f32 + (sy as f32 + 0.5) / 3.0) * bh - 0.5;
                    sum += at(x, y);
                }
            }
            out.push(sum / 9.0);
        }
    }
}

/// Otsu's threshold of `image`'s histogram: the level that best splits it
/// into two classes.
fn otsu(image: &GrayImage) -> u8 {
    let mut histogram = [0u64; 256];
    for p in image.pixels() {
        histogram[usize::from(p.0[0])] += 1;
    }
    let total: u64 = histogram.iter().sum();
    let sum: f64 = histogram.iter().enumerate().map(|(i, n)| i as f64 * *n as f64).sum();
    let (mut below, mut below_sum, mut best, mut level) = (0u64, 0f64, -1f64, 0u8);
    for (t, n) in histogram.iter().enumerate() {
        below += n;
        below_sum += t as f64 * *n as f64;
        let above = total - below;
        if below == 0 || above == 0 {
            continue;
        }
        let (m0, m1) = (below_sum / below as f64, (sum - below_sum) / above as f64);
        let between = below as f64 * above as f64 * (m0 - m1) * (m0 - m1);
        if between > best {
            (best, level) = (between, t as u8);
        }
    }
    level
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{Font, Rng, Style, render_line};

    #[test]
    fn a_clean_line_is_cut_at_its_pitch() {
        let Ok(font) = Font::debian() else {
            eprintln!("skipped: the OCR-B font is not installed (apt-get install fonts-ocr-b)");
            return;
        };
        let mut rng = Rng::new(1);
        let text = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
        let image = render_line(&font, text, &Style::clean(16.0), &mut rng);
        let cut = cut(&image, 44).unwrap();
        assert_eq!(cut.features.len(), 44);
        assert!(cut.features.iter().all(|f| f.len() == FEATURES));
        // OCR-B's advance is 0.7 of an em; a capital is about 0.67 of one.
        assert!((cut.pitch - 16.0 * 0.7 / 0.67).abs() < 1.5, "pitch {}", cut.pitch);
    }

    #[test]
    fn nothing_to_read_is_said_so() {
        let blank = GrayImage::from_pixel(400, 40, image::Luma([200]));
        assert_eq!(cut(&blank, 44).unwrap_err(), CutError::NoInk);
        let tiny = GrayImage::from_pixel(20, 4, image::Luma([200]));
        assert!(matches!(cut(&tiny, 44), Err(CutError::TooSmall { .. })));
        assert!(matches!(cut(&tiny, 0), Err(CutError::TooSmall { .. })));
    }

    #[test]
    fn any_picture_is_cut_or_refused_without_a_panic() {
        let mut rng = Rng::new(7);
        for _ in 0..300 {
            let (w, h) = (1 + rng.below(300) as u32, 1 + rng.below(60) as u32);
            let mut image = GrayImage::new(w, h);
            let dark = rng.below(4);
            for p in image.pixels_mut() {
                p.0[0] = if rng.below(4) == dark { rng.below(256) as u8 } else { 255 };
            }
            let _ = cut(&image, 1 + rng.below(50));
        }
        // A constant answer is a refusal, never a division by nothing.
        assert!(cut(&GrayImage::new(500, 30), 30).is_err());
    }
}
