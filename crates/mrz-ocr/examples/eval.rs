//! The reader's figures on synthetic frames (issue 15), side by side with
//! Tesseract 5 and the MRZ model where they are installed:
//!
//! ```text
//! cargo run --release -p mitid-mrz-ocr --example eval -- [PAGES] [SEED] [--tesseract DATADIR] [--save DIR]
//! ```
//!
//! For PAGES frames (default 2,000) of made-up documents of all five
//! layouts, 6–24 px a capital, drawn by `mitid_mrz_ocr::page`: the share
//! read exactly (every character right) by capital height, the share
//! offered as sure, false accepts (offered as sure but wrong), and the
//! time to find the MRZ in a 1280×720 frame and to read what was found.

use std::time::Instant;

use mitid_emrtd::mrz::Format;
use mitid_mrz_ocr::find::{find, rectify};
use mitid_mrz_ocr::model::shipped;
use mitid_mrz_ocr::page::{Shot, page};
use mitid_mrz_ocr::synth::{Font, Rng, random_document};
use mitid_mrz_ocr::{read_frame, read_lines};

const FORMATS: [Format; 5] = [Format::Td1, Format::Td2, Format::Td3, Format::MrvA, Format::MrvB];

fn percentile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(((values.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let pages: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let seed: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(15);
    let save = args.iter().position(|a| a == "--save").and_then(|i| args.get(i + 1)).cloned();
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
    println!(
        "find in 1280×720: median {:.1} ms, p95 {:.1} ms ({} frames); read: median {:.1} ms, p95 {:.1} ms",
        percentile(&mut find_ms, 0.5),
        percentile(&mut find_ms, 0.95),
        find_ms.len(),
        percentile(&mut read_ms, 0.5),
        percentile(&mut read_ms, 0.95)
    );
}
