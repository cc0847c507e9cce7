//! Points, quadrilaterals and the projective map between a rectangle and a
//! quadrilateral: how a line seen at an angle and in perspective is sampled
//! back into a level strip (and how a synthetic page is put into a frame).

use image::GrayImage;

/// A point in a picture, in pixels (x right, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Right.
    pub x: f32,
    /// Down.
    pub y: f32,
}

impl Point {
    /// (x, y).
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }

    /// The distance to `other`.
    pub fn distance(self, other: Self) -> f32 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

/// Four corners: top left, top right, bottom right, bottom left (as the
/// text reads).
pub type Quad = [Point; 4];

/// A projective map of the plane (a 3×3 matrix, the last entry 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography([f64; 9]);

impl Homography {
    /// The map taking each of `from` to the same corner of `to`; `None`
    /// when either is degenerate (three corners on a line).
    pub fn between(from: &Quad, to: &Quad) -> Option<Self> {
        // Eight equations a·x + b·y + c − g·x·X − h·y·X = X (and for Y).
        let mut m = [[0f64; 9]; 8];
        for (i, (p, q)) in from.iter().zip(to).enumerate() {
            let (x, y, u, v) = (f64::from(p.x), f64::from(p.y), f64::from(q.x), f64::from(q.y));
            m[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -x * u, -y * u, u];
            m[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -x * v, -y * v, v];
        }
        let solved = solve(m)?;
        let mut h = [0f64; 9];
        h[..8].copy_from_slice(&solved);
        h[8] = 1.0;
        h.iter().all(|v| v.is_finite()).then_some(Self(h))
    }

    /// Where `p` goes.
    pub fn apply(&self, p: Point) -> Point {
        let h = &self.0;
        let (x, y) = (f64::from(p.x), f64::from(p.y));
        let w = h[6] * x + h[7] * y + h[8];
        let w = if w.abs() < 1e-12 { 1e-12 } else { w };
        Point::new(((h[0] * x + h[1] * y + h[2]) / w) as f32, ((h[3] * x + h[4] * y + h[5]) / w) as f32)
    }
}

/// The unknowns of `N` linear equations, each row its `N` coefficients
/// and then its right-hand side (`W` = `N` + 1): Gauss–Jordan elimination
/// with partial pivoting; `None` when the equations do not fix them.
pub(crate) fn solve<const N: usize, const W: usize>(mut m: [[f64; W]; N]) -> Option<[f64; N]> {
    debug_assert_eq!(W, N + 1);
    for col in 0..N {
        let pivot = (col..N).max_by(|a, b| m[*a][col].abs().total_cmp(&m[*b][col].abs()))?;
        if m[pivot][col].abs() < 1e-9 {
            return None;
        }
        m.swap(col, pivot);
        let pivot_row = m[col];
        for (row, values) in m.iter_mut().enumerate() {
            if row != col {
                let f = values[col] / pivot_row[col];
                for (v, p) in values.iter_mut().zip(&pivot_row).skip(col) {
                    *v -= f * p;
                }
            }
        }
    }
    let mut out = [0f64; N];
    for (i, row) in m.iter().enumerate() {
        out[i] = row[N] / row[i];
    }
    Some(out)
}

/// The corners of a `width`×`height` rectangle, in [`Quad`] order.
pub fn rectangle(width: f32, height: f32) -> Quad {
    [Point::new(0.0, 0.0), Point::new(width, 0.0), Point::new(width, height), Point::new(0.0, height)]
}

/// `image` at `p` (bilinear), or `outside` beyond its edges.
pub fn sample(image: &GrayImage, p: Point, outside: u8) -> u8 {
    let (w, h) = image.dimensions();
    let (x, y) = (p.x - 0.5, p.y - 0.5);
    if !(x > -1.0 && y > -1.0 && x < w as f32 && y < h as f32) {
        return outside;
    }
    let (ix, iy) = (x.floor(), y.floor());
    let (fx, fy) = (x - ix, y - iy);
    let at = |dx: i64, dy: i64| -> f32 {
        let (px, py) = (ix as i64 + dx, iy as i64 + dy);
        if px < 0 || py < 0 || px >= i64::from(w) || py >= i64::from(h) {
            f32::from(outside)
        } else {
            f32::from(image.get_pixel(px as u32, py as u32).0[0])
        }
    };
    let top = at(0, 0) * (1.0 - fx) + at(1, 0) * fx;
    let bottom = at(0, 1) * (1.0 - fx) + at(1, 1) * fx;
    (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8
}

/// The part of `image` inside `quad`, straightened into a `width`×`height`
/// picture (the quad's top left at the picture's top left).
pub fn warp(image: &GrayImage, quad: &Quad, width: u32, height: u32) -> Option<GrayImage> {
    let map = Homography::between(&rectangle(width as f32, height as f32), quad)?;
    let edge = 255;
    Some(GrayImage::from_fn(width, height, |x, y| {
        image::Luma([sample(image, map.apply(Point::new(x as f32 + 0.5, y as f32 + 0.5)), edge)])
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_takes_each_corner_to_its_own() {
        let from = rectangle(200.0, 20.0);
        let to = [Point::new(10.0, 30.0), Point::new(190.0, 5.0), Point::new(200.0, 40.0), Point::new(15.0, 60.0)];
        let map = Homography::between(&from, &to).unwrap();
        for (p, q) in from.iter().zip(&to) {
            assert!(map.apply(*p).distance(*q) < 1e-3, "{p:?} → {:?}, not {q:?}", map.apply(*p));
        }
    }

    #[test]
    fn a_degenerate_quad_has_no_map() {
        let flat = [Point::new(0.0, 0.0), Point::new(1.0, 0.0), Point::new(2.0, 0.0), Point::new(3.0, 0.0)];
        assert!(Homography::between(&rectangle(10.0, 10.0), &flat).is_none());
    }

    #[test]
    fn a_straight_quad_warps_to_the_same_pixels() {
        let image = GrayImage::from_fn(40, 20, |x, y| image::Luma([(x * 5 + y) as u8]));
        let same = warp(&image, &rectangle(40.0, 20.0), 40, 20).unwrap();
        assert_eq!(same, image);
    }
}
