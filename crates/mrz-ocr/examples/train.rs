//! Trains the shipped symbol model from scratch, from nothing but Debian's
//! OCR-B font:
//!
//! ```text
//! cargo run --release -p mitid-mrz-ocr --example train -- [OUT]
//! ```
//!
//! (default `assets/mrz-ocr/ocrb.model`). Lines of random MRZ symbols are
//! rendered in Debian's OCR-B (`OCRB.otf`, and its sharp-cornered cut
//! `OCRBS.otf` for a line in three) at 9–28 px a character, with the
//! spread printers' OCR-B has (narrower or wider glyphs, pitch, stroke
//! weight) and a webcam's blur, noise and contrast (seeded: the same fonts
//! give the same file); cut by the reader's own cutter; each cell labelled
//! with the symbol printed there. Prints the accuracy per cell on lines it
//! was not trained on.

use std::path::PathBuf;
use std::time::Instant;

use mitid_mrz_ocr::alphabet::{index, symbol};
use mitid_mrz_ocr::cells::cut;
use mitid_mrz_ocr::model::{Model, REJECT};
use mitid_mrz_ocr::synth::{DEBIAN_FONT, DEBIAN_SHARP_FONT, Font, Rng, Style, random_line, render_line};

const LINES: usize = 4_000;
/// Networks in the model, each from its own starting point.
const NETS: usize = 2;
const HIDDEN: usize = 48;
const EPOCHS: usize = 8;
const SEED: u64 = 0x006d_727a_5f6f_6372;

fn samples(fonts: &[Font], lines: usize, rng: &mut Rng) -> Vec<(Vec<f32>, usize, f32)> {
    let mut out = Vec::new();
    for _ in 0..lines {
        let font = &fonts[usize::from(rng.below(3) == 0) % fonts.len()];
        let len = [30, 36, 44][rng.below(3)];
        let text = random_line(rng, len);
        let height = 9.0 + rng.unit() * 19.0;
        let style = Style::random(height, rng);
        let image = render_line(font, &text, &style, rng);
        let Ok(cells) = cut(&image, len) else { continue };
        for (features, c) in cells.features.into_iter().zip(text.bytes()) {
            out.push((features, index(c).unwrap_or(0), height));
        }
        // Not a symbol: a line in four upside down, every cell of it but
        // those that look the same either way up (H, I, N, O, S, X, Z, 0,
        // 8) or like another symbol (6 and 9, M and W).
        if rng.below(4) != 0 {
            continue;
        }
        if let Ok(turned) = cut(&image::imageops::rotate180(&image), len) {
            for (f, c) in turned.features.into_iter().zip(text.bytes().rev()) {
                out.push((f, upside_down(c), height));
            }
        }
    }
    out
}

/// The label of a cell holding `c` turned upside down.
fn upside_down(c: u8) -> usize {
    let label = match c {
        b'H' | b'I' | b'N' | b'O' | b'S' | b'X' | b'Z' | b'0' | b'8' => index(c),
        b'6' => index(b'9'),
        b'9' => index(b'6'),
        b'M' => index(b'W'),
        b'W' => index(b'M'),
        _ => None,
    };
    label.unwrap_or(REJECT)
}

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "assets/mrz-ocr/ocrb.model".into()));
    let fonts = match [DEBIAN_FONT, DEBIAN_SHARP_FONT].map(|f| Font::load(f.as_ref())) {
        [Ok(regular), Ok(sharp)] => vec![regular, sharp],
        [Err(e), _] | [_, Err(e)] => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let mut rng = Rng::new(SEED);
    let started = Instant::now();
    let training = samples(&fonts, LINES, &mut rng);
    let held_out = samples(&fonts, LINES / 10, &mut rng);
    eprintln!(
        "{} cells to learn from, {} held out ({:.1} s)",
        training.len(),
        held_out.len(),
        started.elapsed().as_secs_f64()
    );
    let training: Vec<(Vec<f32>, usize)> = training.into_iter().map(|(x, l, _)| (x, l)).collect();
    let model = Model::ensemble((0..NETS).map(|_| Model::train(&training, HIDDEN, EPOCHS, &mut rng)).collect());
    eprintln!("trained ({:.1} s)", started.elapsed().as_secs_f64());
    let mut by_height = [(0usize, 0usize); 5];
    let mut confusions = std::collections::HashMap::new();
    let mut right = 0;
    for (x, label, height) in &held_out {
        let p = model.outputs(x);
        let read = (0..p.len()).max_by(|a, b| p[*a].total_cmp(&p[*b])).unwrap_or(0);
        let bucket = (((height - 9.0) / 4.0) as usize).min(4);
        by_height[bucket].1 += 1;
        if read == *label {
            right += 1;
            by_height[bucket].0 += 1;
        } else {
            *confusions.entry((*label, read)).or_insert(0usize) += 1;
        }
    }
    for (i, (r, n)) in by_height.iter().enumerate() {
        println!("{:>2}–{:>2} px: {r} of {n} cells right", 9 + 4 * i, 13 + 4 * i);
    }
    let mut confusions: Vec<_> = confusions.into_iter().collect();
    confusions.sort_by_key(|c| std::cmp::Reverse(c.1));
    let name = |i: usize| if i == REJECT { "(not a symbol)".to_owned() } else { symbol(i).to_string() };
    for ((label, read), n) in confusions.iter().take(8) {
        println!("{} read as {}: {n}", name(*label), name(*read));
    }
    println!(
        "held-out cells right: {right} of {} ({:.3} %)",
        held_out.len(),
        100.0 * right as f64 / held_out.len() as f64
    );
    if let Err(e) = std::fs::write(&out, model.to_bytes()) {
        eprintln!("cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
    println!("{}", out.display());
}
