//! Reads the MRZ in each picture given and prints what was found, for
//! calibrating the finder and the reader (`DUMP=DIR` also writes each
//! rectified line there as PNG):
//!
//! ```text
//! cargo run --release -p mitid-mrz-ocr --example read -- IMAGE…
//! ```

use std::time::Instant;

use mitid_mrz_ocr::model::shipped;
use mitid_mrz_ocr::read_frame;

fn main() {
    let model = shipped().expect("the shipped model");
    for path in std::env::args().skip(1) {
        let image = match image::open(&path) {
            Ok(image) => image.to_luma8(),
            Err(e) => {
                println!("{path}: {e}");
                continue;
            }
        };
        let started = Instant::now();
        let seen = read_frame(&image, &model);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        println!("{path} ({}×{}, {ms:.1} ms)", image.width(), image.height());
        let found_at = Instant::now();
        let found = mitid_mrz_ocr::find(&image);
        let find_ms = found_at.elapsed().as_secs_f64() * 1000.0;
        println!("  find alone {find_ms:.1} ms");
        if let (Ok(found), Ok(dir)) = (&found, std::env::var("DUMP")) {
            let name = std::path::Path::new(&path).file_stem().map(|s| s.to_string_lossy().to_string());
            for (i, line) in mitid_mrz_ocr::find::rectify(&image, found, seen.upside_down).iter().enumerate() {
                let out = format!("{dir}/{}-{i}.png", name.as_deref().unwrap_or("line"));
                if let Err(e) = line.save(&out) {
                    println!("  cannot write {out}: {e}");
                }
            }
        }
        if let Some(found) = &seen.found {
            println!(
                "  found {} lines, angle {:.1}°, {:.1} px, upside down {}",
                found.lines.len(),
                found.angle,
                found.char_height,
                seen.upside_down
            );
        }
        if let Some(reading) = &seen.reading {
            for line in &reading.lines {
                println!("  {line}");
            }
            println!(
                "  format {:?} checks {} accepted {} {:?}",
                reading.format, reading.checks_pass, reading.accepted, reading.problem
            );
        }
        if let Some(guidance) = seen.guidance {
            println!("  guidance: {guidance}");
        }
    }
}
