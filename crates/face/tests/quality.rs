//! Capture guidance on a webcam-like frame made from the ICAO specimen
//! photo, then spoilt on purpose: too dark, too bright, unevenly lit,
//! blurred, two faces, no face, a small face, off centre, tilted, dark
//! glasses. Each must be named — and the good frame must pass.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use std::path::PathBuf;

use image::{Rgb as Px, RgbImage, imageops};
use mitid_face::quality::{Finding, Limits, assess};
use mitid_face::{Rgb, load_image};

mod common;

use common::engine;

/// The specimen photo, or `None` where ../shared is absent.
fn specimen() -> Option<RgbImage> {
    let path =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
            .join("../../../shared/testdata/lds/iso39794/ICAO_39794_5_AP_DG2_Face.jpg");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("skipped: ../shared/testdata is absent");
        return None;
    };
    let rgb = load_image(&bytes).unwrap();
    RgbImage::from_raw(rgb.width, rgb.height, rgb.pixels.clone())
}

/// A 640×480 grey frame with `photo` scaled to `height` pasted with its
/// centre at (`cx`, `cy`).
fn frame(photo: &RgbImage, height: u32, cx: i64, cy: i64) -> RgbImage {
    let width = photo.width() * height / photo.height();
    let small = imageops::resize(photo, width, height, imageops::FilterType::Triangle);
    let mut canvas = RgbImage::from_pixel(640, 480, Px([128, 128, 128]));
    imageops::overlay(&mut canvas, &small, cx - i64::from(width) / 2, cy - i64::from(height) / 2);
    canvas
}

fn findings(image: &RgbImage) -> Vec<Finding> {
    let engine = engine().unwrap();
    let rgb = Rgb { width: image.width(), height: image.height(), pixels: image.as_raw().clone() };
    let faces = engine.detect(&rgb).unwrap();
    assess(&rgb, &faces, &Limits::default())
}

fn map(image: &RgbImage, f: impl Fn(u32, u32, [u8; 3]) -> [u8; 3]) -> RgbImage {
    RgbImage::from_fn(image.width(), image.height(), |x, y| Px(f(x, y, image.get_pixel(x, y).0)))
}

/// Rotated by `degrees` about the centre (nearest pixel, grey outside).
fn rotate(image: &RgbImage, degrees: f32) -> RgbImage {
    let (s, c) = degrees.to_radians().sin_cos();
    let (cx, cy) = (image.width() as f32 / 2.0, image.height() as f32 / 2.0);
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (c * dx + s * dy + cx, -s * dx + c * dy + cy);
        if sx >= 0.0 && sy >= 0.0 && (sx as u32) < image.width() && (sy as u32) < image.height() {
            *image.get_pixel(sx as u32, sy as u32)
        } else {
            Px([128, 128, 128])
        }
    })
}

#[test]
fn a_good_frame_passes_and_each_spoilt_one_is_named() {
    let Some(_) = engine() else { return };
    let Some(photo) = specimen() else { return };
    let good = frame(&photo, 400, 320, 240);
    assert_eq!(findings(&good), [], "the good frame");

    let scale = |k: f32| move |_: u32, _: u32, p: [u8; 3]| p.map(|v| (f32::from(v) * k).min(255.0) as u8);
    assert!(findings(&map(&good, scale(0.18))).contains(&Finding::Dark));
    assert!(findings(&map(&good, |_, _, p| p.map(|v| (f32::from(v) * 0.4 + 160.0) as u8))).contains(&Finding::Bright));
    assert!(
        findings(&map(&good, |x, _, p| if x < 320 { p.map(|v| v / 4) } else { p })).contains(&Finding::UnevenLight)
    );
    assert!(findings(&imageops::blur(&good, 5.0)).contains(&Finding::Blurred));

    assert_eq!(findings(&RgbImage::from_pixel(640, 480, Px([128, 128, 128]))), [Finding::NoFace]);
    let mut two = frame(&photo, 260, 170, 240);
    imageops::overlay(&mut two, &imageops::resize(&photo, 203, 260, imageops::FilterType::Triangle), 370, 110);
    assert_eq!(findings(&two), [Finding::SeveralFaces]);
    assert!(findings(&frame(&photo, 100, 320, 240)).contains(&Finding::TooSmall));
    assert!(findings(&frame(&photo, 300, 130, 240)).contains(&Finding::OffCentre));
    assert!(findings(&rotate(&good, 25.0)).contains(&Finding::Tilted));
}

#[test]
fn dark_glasses_hide_the_eyes() {
    let Some(engine) = engine() else { return };
    let Some(photo) = specimen() else { return };
    let good = frame(&photo, 400, 320, 240);
    let rgb = Rgb { width: 640, height: 480, pixels: good.as_raw().clone() };
    let face = engine.detect(&rgb).unwrap()[0];
    // Two black lenses over the eyes the detector found.
    let mut glasses = good.clone();
    for (ex, ey) in &face.landmarks[..2] {
        let r = 22;
        for y in (*ey as i64 - r)..(*ey as i64 + r) {
            for x in (*ex as i64 - r)..(*ex as i64 + r) {
                glasses.put_pixel(x as u32, y as u32, Px([12, 12, 14]));
            }
        }
    }
    assert!(findings(&glasses).contains(&Finding::EyesHidden), "{:?}", findings(&glasses));
}

#[test]
fn a_person_off_centre_is_told_which_way_to_step() {
    use mitid_face::quality::{Step, sideways};
    let Some(engine) = engine() else { return };
    let Some(photo) = specimen() else { return };
    let faces = |image: &RgbImage| {
        let rgb = Rgb { width: image.width(), height: image.height(), pixels: image.as_raw().clone() };
        engine.detect(&rgb).unwrap()
    };
    let limits = Limits::default();
    // On the left of the camera's picture is on the person's right: they
    // step to their left; and the other way round.
    assert_eq!(sideways(640, &faces(&frame(&photo, 300, 130, 240)), &limits), Some(Step::TheirLeft));
    assert_eq!(sideways(640, &faces(&frame(&photo, 300, 510, 240)), &limits), Some(Step::TheirRight));
    assert_eq!(sideways(640, &faces(&frame(&photo, 400, 320, 240)), &limits), None, "centred");
    assert_eq!(sideways(640, &[], &limits), None, "no face, no way");
}
