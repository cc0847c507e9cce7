//! Finding the MRZ in a frame: its 2 or 3 lines, their angle, their
//! perspective — or, when there is none to read, what is wrong.
//!
//! The MRZ is the one place on a document where 30 to 44 characters of the
//! same height stand in an unbroken row (a space is a `<` there), two or
//! three such rows one under the other, as long as each other and starting
//! at the same place. So: the frame is made into ink and paper by a local
//! threshold (light and shade differ across a page); the ink's connected
//! pieces that could be characters are kept; the text's direction is the
//! commonest direction from a piece to its nearest neighbour (all the text
//! on a page shares it, at any angle); along that direction pieces of the
//! same height with a small gap are chained into rows; rows at least 15
//! characters long are lines, and 2 or 3 lines of the right shape are the
//! MRZ. Each line's own centre and height are fitted along it, so a page
//! seen in perspective gives each line its own quadrilateral, which
//! [`rectify`] samples back into a level strip for [`crate::cells`].
//! Which end is the start (a document held upside down) is left to the
//! reader, which reads both ways and keeps the surer.

use image::GrayImage;

use crate::geometry::{Point, Quad, warp};

/// OCR-B's pitch, in capital heights (2.54 mm a character, 10 to the inch).
pub const PITCH: f32 = 1.045;
/// The least capital height, in pixels, the reader reads reliably.
pub const LEAST_HEIGHT: f32 = 8.0;
/// The capital height lines are rectified to, at most and at least: the
/// range the model is trained on.
const READ_HEIGHT: (f32, f32) = (9.0, 26.0);

/// What stands between the frame and a reading, said to the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Guidance {
    /// No MRZ lines in the picture.
    #[error("no MRZ in the picture: hold the page with the two or three lines of letters and <<< under the camera")]
    NoMrz,
    /// The characters are too small to read.
    #[error("too far away: bring the document closer to the camera")]
    TooFar,
    /// The lines do not fit in the picture.
    #[error("too close: move the document further from the camera")]
    TooClose,
    /// Part of the lines is outside the picture.
    #[error("the lines are cut off at the edge: move the document to the middle of the picture")]
    CutOff,
    /// The characters are blurred.
    #[error("blurred: hold the document a little further away, or steady")]
    Blurred,
    /// A reflection washes out part of the lines.
    #[error("glare on the lines: tilt the document a little away from the light")]
    Glare,
    /// The frames do not agree (the document is moving).
    #[error("hold still")]
    HoldStill,
}

/// One MRZ line as found in the frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Its corners (a margin of paper round the characters), as it reads.
    pub quad: Quad,
    /// The capital height, in pixels, at its middle.
    pub char_height: f32,
    /// The characters it seems to hold, from its length (±1).
    pub symbols: f32,
}

/// The MRZ as found: its lines, top first, as the text reads in the
/// frame's own orientation (which may be upside down).
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// 2 or 3 lines.
    pub lines: Vec<Line>,
    /// The text's direction, in degrees from the frame's x axis
    /// (clockwise, as y points down), in −90 to 90.
    pub angle: f32,
    /// The mean capital height, in pixels.
    pub char_height: f32,
}

/// A piece of ink that could be a character.
#[derive(Debug, Clone, Copy)]
struct Piece {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
    n: u32,
    sx: f64,
    sy: f64,
    /// Extents along the text (u) and across it (v), once the angle is known.
    u0: f32,
    u1: f32,
    v0: f32,
    v1: f32,
}

impl Piece {
    fn centre(&self) -> Point {
        Point::new((self.sx / f64::from(self.n)) as f32, (self.sy / f64::from(self.n)) as f32)
    }
    fn size(&self) -> u32 {
        (self.x1 - self.x0 + 1).max(self.y1 - self.y0 + 1)
    }
    fn height(&self) -> f32 {
        self.v1 - self.v0
    }
    fn vc(&self) -> f32 {
        (self.v0 + self.v1) * 0.5
    }
    fn uc(&self) -> f32 {
        (self.u0 + self.u1) * 0.5
    }
}

/// Finds the MRZ in `frame`.
pub fn find(frame: &GrayImage) -> Result<Found, Guidance> {
    let (w, h) = frame.dimensions();
    if w < 16 || h < 16 {
        return Err(Guidance::NoMrz);
    }
    let ink = threshold(frame);
    let (labels, mut pieces) = components(&ink, w, h);
    // Pieces that could be characters (or several run together by blur).
    let keep: Vec<bool> = pieces
        .iter()
        .map(|p| {
            let (pw, ph) = (p.x1 - p.x0 + 1, p.y1 - p.y0 + 1);
            let fill = p.n as f32 / (pw * ph) as f32;
            p.n >= 8 && pw.min(ph) >= 3 && p.size() <= h / 4 && fill >= 0.08
        })
        .collect();
    let Some(angle) = text_angle(&pieces, &keep, w, h) else {
        return Err(Guidance::NoMrz);
    };
    let (cos, sin) = (angle.to_radians().cos(), angle.to_radians().sin());
    project(&labels, w, &mut pieces, &keep, cos, sin);
    let chosen: Vec<usize> = (0..pieces.len()).filter(|i| keep[*i]).collect();
    let rows = merge(&pieces, chain(&pieces, &chosen));
    let lines: Vec<Fitted> =
        rows.iter().filter_map(|row| fit(&pieces, row)).filter(|l| l.u1 - l.u0 >= 15.0 * PITCH * l.h.0).collect();
    let to_frame = |u: f32, v: f32| Point::new(u * cos - v * sin, u * sin + v * cos);
    let near_edge =
        |p: Point, margin: f32| p.x < margin || p.y < margin || p.x > w as f32 - margin || p.y > h as f32 - margin;
    let Some(group) = group(&lines) else {
        // Long rows touching the edge are an MRZ partly outside.
        let cut = lines.iter().any(|l| {
            let ends = [to_frame(l.u0, l.centre(l.u0)), to_frame(l.u1, l.centre(l.u1))];
            ends.iter().any(|p| near_edge(*p, l.height(l.u0).max(l.height(l.u1))))
        });
        return Err(if cut { Guidance::CutOff } else { Guidance::NoMrz });
    };
    let group = perspective(group);
    let char_height = group.iter().map(|l| l.height((l.u0 + l.u1) * 0.5)).sum::<f32>() / group.len() as f32;
    if char_height < LEAST_HEIGHT {
        return Err(Guidance::TooFar);
    }
    let mut out = Vec::with_capacity(group.len());
    let mut cut_off = false;
    for l in &group {
        let (h0, h1) = (l.height(l.u0), l.height(l.u1));
        let (a, b) = (l.u0 - 0.6 * h0, l.u1 + 0.6 * h1);
        let quad = [
            to_frame(a, l.centre(a) - 0.9 * h0),
            to_frame(b, l.centre(b) - 0.9 * h1),
            to_frame(b, l.centre(b) + 0.9 * h1),
            to_frame(a, l.centre(a) + 0.9 * h0),
        ];
        // The first or last character at the very edge: more may be beyond.
        let ends = [to_frame(l.u0, l.centre(l.u0)), to_frame(l.u1, l.centre(l.u1))];
        cut_off |= ends.iter().any(|p| near_edge(*p, 0.5 * h0.max(h1) + 1.0));
        let mid = (l.u0 + l.u1) * 0.5;
        out.push(Line { quad, char_height: l.height(mid), symbols: (l.u1 - l.u0) / (PITCH * l.height(mid)) + 0.3 });
    }
    if cut_off {
        let longest = if group.len() == 3 { 30.0 } else { 44.0 };
        let needed = longest * PITCH * char_height;
        return Err(if needed > 0.92 * w.max(h) as f32 { Guidance::TooClose } else { Guidance::CutOff });
    }
    Ok(Found { lines: out, angle, char_height })
}

/// The lines of `found` sampled into level strips, top line first —
/// turned round when `upside_down` — at a capital height the model reads.
pub fn rectify(frame: &GrayImage, found: &Found, upside_down: bool) -> Vec<GrayImage> {
    let mut lines: Vec<GrayImage> = found
        .lines
        .iter()
        .filter_map(|line| {
            let [a, b, c, d] = line.quad;
            let quad = if upside_down { [c, d, a, b] } else { [a, b, c, d] };
            let scale = line.char_height.clamp(READ_HEIGHT.0, READ_HEIGHT.1) / line.char_height;
            let width = (a.distance(b).max(c.distance(d)) * scale).round().max(8.0) as u32;
            let height = (a.distance(d).max(b.distance(c)) * scale).round().max(8.0) as u32;
            warp(frame, &quad, width.min(4000), height.min(400))
        })
        .collect();
    if upside_down {
        lines.reverse();
    }
    lines
}

/// Why found lines might not read: a reflection washing out part of a
/// line, or characters too blurred. `lines` are the rectified strips.
pub fn diagnose(lines: &[GrayImage]) -> Option<Guidance> {
    let mut blurred = 0;
    for line in lines {
        let (w, h) = line.dimensions();
        if w < 8 || h < 8 {
            continue;
        }
        let mut values: Vec<u8> = line.pixels().map(|p| p.0[0]).collect();
        values.sort_unstable();
        let (ink, paper) = (f32::from(values[values.len() / 50]), f32::from(values[values.len() * 9 / 10]));
        let contrast = paper - ink;
        if contrast < 20.0 {
            return Some(Guidance::Blurred);
        }
        // Glare: a stretch of two characters or more, bright and without ink,
        // inside a printed line.
        let char_height = h as f32 / 1.8;
        let window = (2.0 * PITCH * char_height).round().max(4.0) as u32;
        let (top, bottom) = ((h as f32 * 0.3) as u32, (h as f32 * 0.7) as u32);
        let margin = (0.6 * char_height) as u32 + window / 4;
        let mut x = margin;
        while x + window + margin <= w {
            let mut darkest = 255u8;
            let mut bright = 0u32;
            for y in top..bottom {
                for dx in 0..window {
                    let v = line.get_pixel(x + dx, y).0[0];
                    darkest = darkest.min(v);
                    bright += u32::from(v >= 245);
                }
            }
            let area = window * (bottom - top);
            if f32::from(darkest) > ink + 0.6 * contrast && bright * 2 > area {
                return Some(Guidance::Glare);
            }
            x += window / 2;
        }
        // Blur: how many pixels an edge takes from paper to ink.
        let mut steepest: Vec<u32> = Vec::with_capacity((w * h) as usize);
        for y in top..bottom {
            for x in 1..w {
                let (a, b) = (line.get_pixel(x - 1, y).0[0], line.get_pixel(x, y).0[0]);
                steepest.push(u32::from(a.abs_diff(b)));
            }
        }
        steepest.sort_unstable();
        let steep = steepest[steepest.len() * 98 / 100].max(1) as f32;
        if contrast / steep > 0.28 * char_height {
            blurred += 1;
        }
    }
    (blurred > 0).then_some(Guidance::Blurred)
}

/// Ink (true) where a pixel is clearly darker than its neighbourhood.
fn threshold(frame: &GrayImage) -> Vec<bool> {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    let mut integral = vec![0u64; (w + 1) * (h + 1)];
    let raw = frame.as_raw();
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += u64::from(raw[y * w + x]);
            integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row;
        }
    }
    let r = (w.min(h) / 40).clamp(6, 40);
    let mut ink = vec![false; w * h];
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let sum = integral[y1 * (w + 1) + x1] + integral[y0 * (w + 1) + x0]
                - integral[y0 * (w + 1) + x1]
                - integral[y1 * (w + 1) + x0];
            let mean = sum as f32 / ((x1 - x0) * (y1 - y0)) as f32;
            let v = f32::from(raw[y * w + x]);
            ink[y * w + x] = v + (mean * 0.12).max(10.0) < mean;
        }
    }
    ink
}

/// The 8-connected pieces of ink: a label for each pixel (0: paper; piece
/// `i` is label `i + 1`) and each piece's extent.
fn components(ink: &[bool], w: u32, h: u32) -> (Vec<u32>, Vec<Piece>) {
    let (w, h) = (w as usize, h as usize);
    let mut labels = vec![0u32; w * h];
    let mut parent: Vec<u32> = vec![0];
    fn root(parent: &mut [u32], mut a: u32) -> u32 {
        while parent[a as usize] != a {
            parent[a as usize] = parent[parent[a as usize] as usize];
            a = parent[a as usize];
        }
        a
    }
    for y in 0..h {
        for x in 0..w {
            if !ink[y * w + x] {
                continue;
            }
            let mut seen = [0u32; 4];
            if x > 0 {
                seen[0] = labels[y * w + x - 1];
            }
            if y > 0 {
                seen[1] = labels[(y - 1) * w + x];
                if x > 0 {
                    seen[2] = labels[(y - 1) * w + x - 1];
                }
                if x + 1 < w {
                    seen[3] = labels[(y - 1) * w + x + 1];
                }
            }
            let mut label = 0;
            for s in seen.into_iter().filter(|s| *s != 0) {
                let s = root(&mut parent, s);
                if label == 0 {
                    label = s;
                } else if s != label {
                    let (a, b) = (label.min(s), label.max(s));
                    parent[b as usize] = a;
                    label = a;
                }
            }
            if label == 0 {
                label = parent.len() as u32;
                parent.push(label);
            }
            labels[y * w + x] = label;
        }
    }
    // Flatten to consecutive pieces.
    let mut index = vec![0u32; parent.len()];
    let mut pieces: Vec<Piece> = Vec::new();
    for i in 1..parent.len() as u32 {
        let r = root(&mut parent, i);
        if r == i {
            pieces.push(Piece {
                x0: u32::MAX,
                y0: u32::MAX,
                x1: 0,
                y1: 0,
                n: 0,
                sx: 0.0,
                sy: 0.0,
                u0: 0.0,
                u1: 0.0,
                v0: 0.0,
                v1: 0.0,
            });
            index[i as usize] = pieces.len() as u32;
        }
    }
    for i in 1..parent.len() {
        let r = root(&mut parent, i as u32);
        index[i] = index[r as usize];
    }
    for y in 0..h {
        for x in 0..w {
            let l = labels[y * w + x];
            if l == 0 {
                continue;
            }
            let piece = index[l as usize];
            labels[y * w + x] = piece;
            let p = &mut pieces[piece as usize - 1];
            let (xu, yu) = (x as u32, y as u32);
            (p.x0, p.y0, p.x1, p.y1) = (p.x0.min(xu), p.y0.min(yu), p.x1.max(xu), p.y1.max(yu));
            p.n += 1;
            p.sx += x as f64 + 0.5;
            p.sy += y as f64 + 0.5;
        }
    }
    (labels, pieces)
}

/// The commonest direction, in degrees (−90 to 90), from a piece to its
/// nearest neighbour of a like size.
fn text_angle(pieces: &[Piece], keep: &[bool], w: u32, h: u32) -> Option<f32> {
    let kept: Vec<usize> = (0..pieces.len()).filter(|i| keep[*i]).collect();
    if kept.len() < 20 {
        return None;
    }
    let mut sizes: Vec<u32> = kept.iter().map(|i| pieces[*i].size()).collect();
    sizes.sort_unstable();
    let cell = (sizes[sizes.len() / 2] * 2).max(8) as usize;
    let (gw, gh) = (w as usize / cell + 1, h as usize / cell + 1);
    let mut grid: Vec<Vec<usize>> = vec![Vec::new(); gw * gh];
    for i in &kept {
        let c = pieces[*i].centre();
        grid[(c.y as usize / cell).min(gh - 1) * gw + (c.x as usize / cell).min(gw - 1)].push(*i);
    }
    let mut histogram = [0f32; 180];
    for i in &kept {
        let p = &pieces[*i];
        let c = p.centre();
        let (gx, gy) = ((c.x as usize / cell).min(gw - 1), (c.y as usize / cell).min(gh - 1));
        let mut nearest: Option<(f32, Point)> = None;
        for ny in gy.saturating_sub(1)..(gy + 2).min(gh) {
            for nx in gx.saturating_sub(1)..(gx + 2).min(gw) {
                for j in &grid[ny * gw + nx] {
                    let q = &pieces[*j];
                    let ratio = p.size().min(q.size()) as f32 / p.size().max(q.size()) as f32;
                    if *j == *i || ratio < 0.5 {
                        continue;
                    }
                    let d = q.centre().distance(c);
                    if d < 3.0 * p.size().max(q.size()) as f32 && nearest.is_none_or(|(best, _)| d < best) {
                        nearest = Some((d, q.centre()));
                    }
                }
            }
        }
        if let Some((_, q)) = nearest {
            let degrees = (q.y - c.y).atan2(q.x - c.x).to_degrees().rem_euclid(180.0);
            histogram[(degrees as usize).min(179)] += 1.0;
        }
    }
    let smooth = |i: usize| histogram[(i + 179) % 180] + 2.0 * histogram[i] + histogram[(i + 1) % 180];
    let peak = (0..180).max_by(|a, b| smooth(*a).total_cmp(&smooth(*b)))?;
    if smooth(peak) < 12.0 {
        return None;
    }
    // The peak's centre of mass, two degrees either side.
    let (mut sum, mut weight) = (0f32, 0f32);
    for d in -2i32..=2 {
        let i = (peak as i32 + d).rem_euclid(180) as usize;
        sum += (peak as f32 + d as f32 + 0.5) * histogram[i];
        weight += histogram[i];
    }
    let degrees = sum / weight.max(1.0);
    Some(if degrees > 90.0 { degrees - 180.0 } else { degrees })
}

/// Each kept piece's extents along and across the text.
fn project(labels: &[u32], w: u32, pieces: &mut [Piece], keep: &[bool], cos: f32, sin: f32) {
    for p in pieces.iter_mut() {
        (p.u0, p.u1, p.v0, p.v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    }
    let w = w as usize;
    for (at, l) in labels.iter().enumerate() {
        if *l == 0 || !keep[*l as usize - 1] {
            continue;
        }
        let (x, y) = ((at % w) as f32 + 0.5, (at / w) as f32 + 0.5);
        let (u, v) = (x * cos + y * sin, -x * sin + y * cos);
        let p = &mut pieces[*l as usize - 1];
        (p.u0, p.u1, p.v0, p.v1) = (p.u0.min(u - 0.5), p.u1.max(u + 0.5), p.v0.min(v - 0.5), p.v1.max(v + 0.5));
    }
}

/// Rows of pieces: each piece linked to the nearest one after it along the
/// text, of a like height, level with it, with a gap under a character.
fn chain(pieces: &[Piece], chosen: &[usize]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = chosen.to_vec();
    order.sort_by(|a, b| pieces[*a].u0.total_cmp(&pieces[*b].u0));
    let starts: Vec<f32> = order.iter().map(|i| pieces[*i].u0).collect();
    let mut next: Vec<Option<(usize, f32)>> = vec![None; pieces.len()];
    let mut previous: Vec<Option<(usize, f32)>> = vec![None; pieces.len()];
    for &a in &order {
        let p = &pieces[a];
        let reach = 1.0 * p.height().max(1.0);
        let from = starts.partition_point(|u| *u < p.u1 - 0.4 * p.height());
        let mut best: Option<(usize, f32)> = None;
        for &b in &order[from..] {
            let q = &pieces[b];
            if q.u0 > p.u1 + reach * 2.5 {
                break;
            }
            if b == a || q.uc() <= p.uc() {
                continue;
            }
            let tall = p.height().max(q.height());
            let gap = q.u0 - p.u1;
            let level = (q.vc() - p.vc()).abs();
            if gap > 0.9 * tall || level > 0.35 * tall || p.height().min(q.height()) < 0.35 * tall {
                continue;
            }
            let cost = gap.max(0.0) + 2.0 * level;
            if best.is_none_or(|(_, c)| cost < c) {
                best = Some((b, cost));
            }
        }
        if let Some((b, cost)) = best {
            next[a] = Some((b, cost));
            if previous[b].is_none_or(|(_, c)| cost < c) {
                previous[b] = Some((a, cost));
            }
        }
    }
    let mut rows = Vec::new();
    for &a in &order {
        // A row starts where no piece links here.
        if previous[a].is_some() {
            continue;
        }
        let mut row = vec![a];
        let mut at = a;
        while let Some((b, _)) = next[at] {
            if previous[b].map(|(p, _)| p) != Some(at) || row.len() > 400 {
                break;
            }
            row.push(b);
            at = b;
        }
        if row.len() >= 3 {
            rows.push(row);
        }
    }
    rows
}

/// A row fitted: where it starts and ends along the text, and its centre
/// and capital height as straight lines along it.
#[derive(Debug, Clone, Copy)]
struct Fitted {
    u0: f32,
    u1: f32,
    /// Centre across the text: c0 + c1·u.
    c: (f32, f32),
    /// Capital height: h0 + h1·u.
    h: (f32, f32),
    pieces: usize,
}

impl Fitted {
    fn centre(&self, u: f32) -> f32 {
        self.c.0 + self.c.1 * u
    }
    fn height(&self, u: f32) -> f32 {
        (self.h.0 + self.h.1 * u).max(1.0)
    }
    fn mid(&self) -> f32 {
        self.centre((self.u0 + self.u1) * 0.5)
    }
}

/// Least squares of y on x: (intercept, slope).
fn line_fit(points: &[(f32, f32)]) -> (f32, f32) {
    let n = points.len() as f32;
    let (mx, my) = (points.iter().map(|p| p.0).sum::<f32>() / n, points.iter().map(|p| p.1).sum::<f32>() / n);
    let sxx: f32 = points.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let sxy: f32 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = if sxx > 1e-3 { sxy / sxx } else { 0.0 };
    (my - slope * mx, slope)
}

/// Rows that continue each other joined: a run of `<` at a wide pitch
/// leaves gaps wider than a small `<` is tall, and glare can take a
/// character out; what lies on the same centre line, of a like height,
/// within two capitals of the row's end, is the same line.
fn merge(pieces: &[Piece], mut rows: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    loop {
        let fitted: Vec<Option<Fitted>> = rows.iter().map(|r| fit(pieces, r)).collect();
        let mut joined = None;
        'search: for (i, a) in fitted.iter().enumerate() {
            let Some(a) = a else { continue };
            for (j, b) in fitted.iter().enumerate() {
                let Some(b) = b else { continue };
                if i == j {
                    continue;
                }
                let cap = a.h.0.max(b.h.0);
                let gap = b.u0 - a.u1;
                let level = (a.centre(b.u0) - b.centre(b.u0)).abs();
                if gap > -0.3 * cap && gap <= 2.0 * cap && level <= 0.35 * cap && a.h.0.min(b.h.0) >= 0.4 * cap {
                    joined = Some((i, j));
                    break 'search;
                }
            }
        }
        let Some((i, j)) = joined else { return rows };
        let tail = rows[j].clone();
        rows[i].extend(tail);
        rows.remove(j);
    }
}

/// A row fitted as a line (its length still to be judged).
fn fit(pieces: &[Piece], row: &[usize]) -> Option<Fitted> {
    let mut heights: Vec<f32> = row.iter().map(|i| pieces[*i].height()).collect();
    heights.sort_by(f32::total_cmp);
    let cap = *heights.get(heights.len() * 85 / 100)?;
    let (u0, u1) = (pieces[*row.first()?].u0, pieces[*row.last()?].u1);
    let centres: Vec<(f32, f32)> = row.iter().map(|i| (pieces[*i].uc(), pieces[*i].vc())).collect();
    let h = (cap, 0.0);
    Some(Fitted { u0, u1, c: line_fit(&centres), h, pieces: row.len() })
}

/// The lines' heights along them from the perspective: a page seen at a
/// slant shows its far end smaller, which the spacing between the first
/// and the last line measures whatever the characters are (a line's own
/// heights would take a run of small `<` for a far end).
fn perspective(mut group: Vec<Fitted>) -> Vec<Fitted> {
    let (first, last) = (group[0], group[group.len() - 1]);
    let (a, b) = (first.u0.max(last.u0), first.u1.min(last.u1));
    let spacing = |u: f32| last.centre(u) - first.centre(u);
    let (sa, sb) = (spacing(a), spacing(b));
    if b - a <= 0.0 || sa <= 0.0 || sb <= 0.0 || (sa / sb - 1.0).abs() < 0.03 {
        return group;
    }
    let mid = (a + b) * 0.5;
    let slope = (sb - sa) / (b - a) / spacing(mid);
    for line in &mut group {
        // h(u) = cap · spacing(u) / spacing(mid).
        let cap = line.h.0;
        line.h = (cap * (1.0 - slope * mid), cap * slope);
    }
    group
}

/// The lines that make an MRZ: 3 of about 30 characters, or 2 of 36 or 44,
/// of a height, as long as each other, starting together, evenly spaced.
/// (Printers set OCR-B from 0.85 to 1.25 capitals a character, so a
/// line's length in capitals says little more than "long"; 36 or 44 is the
/// reader's to tell.)
fn group(lines: &[Fitted]) -> Option<Vec<Fitted>> {
    let mut sorted: Vec<Fitted> = lines.to_vec();
    sorted.sort_by(|a, b| a.mid().total_cmp(&b.mid()));
    let height = |l: &Fitted| l.height((l.u0 + l.u1) * 0.5);
    let symbols = |l: &Fitted| (l.u1 - l.u0) / (PITCH * height(l));
    let pair = |a: &Fitted, b: &Fitted| -> bool {
        let (ha, hb) = (height(a), height(b));
        let h = ha.max(hb);
        let (la, lb) = (a.u1 - a.u0, b.u1 - b.u0);
        let spacing = b.mid() - a.mid();
        ha.min(hb) >= 0.75 * h
            && la.min(lb) >= 0.85 * la.max(lb)
            && (a.u0 - b.u0).abs() <= 1.5 * h
            && (1.3 * h..=3.6 * h).contains(&spacing)
    };
    let mut best: Option<(f32, Vec<Fitted>)> = None;
    for i in 0..sorted.len() {
        // Three lines of 30.
        if i + 2 < sorted.len() {
            let (a, b, c) = (&sorted[i], &sorted[i + 1], &sorted[i + 2]);
            let (s1, s2) = (b.mid() - a.mid(), c.mid() - b.mid());
            let n = (symbols(a) + symbols(b) + symbols(c)) / 3.0;
            if pair(a, b) && pair(b, c) && s1.min(s2) >= 0.75 * s1.max(s2) && (20.0..=40.0).contains(&n) {
                let score = 3.0 * (a.pieces + b.pieces + c.pieces) as f32;
                if best.as_ref().is_none_or(|(s, _)| score > *s) {
                    best = Some((score, vec![*a, *b, *c]));
                }
            }
        }
        if i + 1 < sorted.len() {
            let (a, b) = (&sorted[i], &sorted[i + 1]);
            let n = (symbols(a) + symbols(b)) / 2.0;
            if pair(a, b) && (26.0..=56.0).contains(&n) {
                let score = 2.0 * (a.pieces + b.pieces) as f32;
                if best.as_ref().is_none_or(|(s, _)| score > *s) {
                    best = Some((score, vec![*a, *b]));
                }
            }
        }
    }
    best.map(|(_, g)| g)
}
