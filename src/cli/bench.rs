//! `mitid-assist bench …`: the speed figures, measured on real files.

use std::time::{Duration, Instant};

use clap::Subcommand;
use jiff::Timestamp;
use mitid_core::pcode::CodeKey;
use mitid_core::store::Store;
use mitid_core::support_hours::COPENHAGEN;
use mitid_core::synthetic::{self, Rng};
use mitid_emrtd::file::FileId;

use super::{CliError, Context, Outcome};

/// What to measure.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Search latency on the data dir's database (fill it first with
    /// `caller generate`): names typed letter by letter, whole names,
    /// phones, e-mail addresses, misspelt names.
    Search {
        /// How many searches.
        #[arg(long, default_value_t = 3000)]
        queries: usize,
    },
    /// Issue + redeem throughput on a fresh database in a scratch folder.
    Pcodes {
        /// How many issue + redeem pairs.
        #[arg(long, default_value_t = 3000)]
        pairs: usize,
    },
    /// A full chip read (COM, SOD, DG1, a 20 KB DG2, DG11, DG14, DG15) on
    /// the simulated chip under a link model: APDUs and time against the
    /// fewest the chip allows, beside a fixed 223-byte-chunk reader.
    Chip {
        /// Link rate, kbit/s.
        #[arg(long, default_value_t = 424.0)]
        kbit_s: f64,
        /// Turnaround per APDU, ms.
        #[arg(long, default_value_t = 5.0)]
        per_apdu_ms: f64,
    },
    /// Trust: passive authentication of generated documents (P-256 and
    /// brainpoolP512r1 signers), RSA-4096 verification, importing the
    /// German master list, Active and Chip Authentication.
    Trust {
        /// Runs of each measurement.
        #[arg(long, default_value_t = 20)]
        runs: u32,
    },
    /// Faces: detection on a 640×480 frame (and at half size, as the live
    /// guidance may run), the guidance checks, one face description, and a
    /// webcam frame (YUYV, MJPEG) decoded and analysed as the live picture
    /// is. The frame is PHOTO (any photo with one face) scaled to 640×480.
    Face {
        /// A photo with one face.
        photo: std::path::PathBuf,
        /// Runs of each measurement.
        #[arg(long, default_value_t = 30)]
        runs: u32,
    },
}

/// Milliseconds per run of `f`, over `runs` runs.
fn per_run(runs: u32, mut f: impl FnMut()) -> f64 {
    let started = Instant::now();
    for _ in 0..runs {
        f();
    }
    started.elapsed().as_secs_f64() * 1000.0 / f64::from(runs.max(1))
}

/// The document of the chip benchmark: generated (real 19794-5 DG2 with a
/// JPEG face, signed SOD), with the files the figure names — EF.COM, EF.SOD,
/// DG1, DG2, DG11, DG14, DG15.
fn chip_document() -> Result<(mitid_emrtd::mrz::Mrz, std::collections::BTreeMap<FileId, Vec<u8>>), CliError> {
    use mitid_emrtd::sim::document::{self, DocumentSpec, TestPki};
    let mrz = mitid_emrtd::sim::document::specimen_mrz();
    let mut doc = document::generate(&mrz, &DocumentSpec::default(), &TestPki::new())
        .map_err(|e| CliError::Input(e.to_string()))?;
    doc.files.remove(&FileId::DG12);
    Ok((mrz, doc.files))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn summary(label: &str, mut times: Vec<Duration>) -> String {
    times.sort();
    format!(
        "{label:<22} n={:<6} p50 {:>7.3} ms  p95 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms\n",
        times.len(),
        percentile(&times, 0.50),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    )
}

/// Drops the middle letter of a word (a typo the fuzzy search should forgive).
fn misspell(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mid = chars.len() / 2;
    chars.iter().enumerate().filter(|(i, _)| *i != mid).map(|(_, c)| c).collect()
}

pub(super) fn run(action: &BenchCommand, context: &Context, demo: bool) -> Result<Outcome, CliError> {
    match action {
        BenchCommand::Search { queries } => {
            let desk = super::desk::open(context, demo)?;
            let store: &dyn mitid_core::service::DeskService = desk.as_ref();
            let callers = store.caller_count()?;
            if callers == 0 {
                return Err(CliError::Input(
                    "the database has no callers: run `mitid-assist caller generate 1000000` first".into(),
                ));
            }
            // The same made-up people the generator made with seed 1, so the
            // queries find someone.
            let mut people = Rng::new(1);
            let mut pick = Rng::new(99);
            let sample: Vec<_> = (0..callers.min(200_000)).map(|_| synthetic::caller(&mut people)).collect();
            let mut by_kind: Vec<(&str, Vec<Duration>)> =
                ["typing (1-6 letters)", "whole name", "phone", "e-mail", "misspelt name"]
                    .iter()
                    .map(|k| (*k, Vec::new()))
                    .collect();
            let mut all = Vec::with_capacity(*queries);
            for i in 0..*queries {
                let person = &sample[pick.below(sample.len() as u64) as usize];
                let kind = i % by_kind.len();
                let query = match kind {
                    0 => person.family_name.chars().take(1 + pick.below(6) as usize).collect(),
                    1 => format!("{} {}", person.given_name, person.family_name),
                    2 => person
                        .phones
                        .first()
                        .map(|p| p.e164()[3..].to_owned())
                        .unwrap_or_else(|| person.family_name.clone()),
                    3 => person.email.clone().unwrap_or_else(|| person.given_name.clone()),
                    _ => misspell(&person.family_name),
                };
                let started = Instant::now();
                let hits = store.search(&query, 20)?;
                let took = started.elapsed();
                std::hint::black_box(hits);
                by_kind[kind].1.push(took);
                all.push(took);
            }
            let mut out = format!("search over {callers} callers\n");
            for (label, times) in by_kind {
                out += &summary(label, times);
            }
            out += &summary("all", all);
            Ok(Outcome::ok(out))
        }
        BenchCommand::Chip { kbit_s, per_apdu_ms } => {
            use mitid_emrtd::reader::Reader;
            use mitid_emrtd::sim::{Quirks, SimChip, Timing};
            let (mrz, files) = chip_document()?;
            let key = mrz.access_key();
            let password = mitid_emrtd::pace::Password::Mrz(key.clone());
            // PACE: the reader's and the chip's work together, in process.
            let mut pace_lines = String::new();
            for id in mitid_emrtd::curves::SERVED {
                let started = Instant::now();
                let mut runs = 0u32;
                while runs < 20 && (runs < 3 || started.elapsed().as_millis() < 500) {
                    runs += 1;
                    let chip =
                        SimChip::new(files.clone(), &key).quirks(Quirks { parameter_id: id, ..Quirks::default() });
                    let mut reader = Reader::new(chip);
                    reader.pace(&password, id).map_err(|e| CliError::Input(e.to_string()))?;
                }
                let both = started.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
                let name = mitid_emrtd::curves::by_parameter_id(id).map(|c| c.name()).unwrap_or_default();
                pace_lines += &format!(
                    "PACE-GM id {id:>2} {name}: {both:.1} ms CPU per run for reader and chip together (the reader's share is about half)\n"
                );
            }
            let bytes: usize = files.values().map(Vec::len).sum();
            let timing = Timing { kbit_s: *kbit_s, per_apdu_ms: *per_apdu_ms };
            let mut out = format!(
                "{pace_lines}full read: {} files, {bytes} bytes (DG2 {} bytes), PACE on brainpoolP256r1; link {kbit_s} kbit/s + {per_apdu_ms} ms/APDU\n",
                files.len(),
                files.get(&FileId::DG2).map_or(0, Vec::len)
            );
            for (label, quirks, max_data) in [
                ("chip with extended length", Quirks::default(), 65_536usize),
                (
                    "chip without extended length",
                    Quirks { max_le: 65_536, extended: false, ..Quirks::default() },
                    223usize,
                ),
            ] {
                // PACE: MSE:Set AT and four GENERAL AUTHENTICATE.
                let fewest = 5 + files.values().map(|f| f.len().div_ceil(max_data)).sum::<usize>();
                let minimum_ms = fewest as f64 * per_apdu_ms + (bytes * 8) as f64 / kbit_s;
                out += &format!("{label}: fewest {fewest} APDUs, link-limited minimum {minimum_ms:.0} ms\n");
                for adaptive in [true, false] {
                    let mut chip = SimChip::new(files.clone(), &key).quirks(quirks.clone());
                    chip.timing = Some(timing);
                    let mut reader = Reader::new(chip);
                    reader.pace(&password, 13).map_err(|e| CliError::Input(e.to_string()))?;
                    for id in files.keys() {
                        let result =
                            if adaptive { reader.read_file(*id, |_| {}) } else { reader.read_file_fixed(*id, 223) };
                        result.map_err(|e| CliError::Input(format!("{id}: {e}")))?;
                    }
                    let chip = reader.transport();
                    out += &format!(
                        "  {:<22} {:>4} APDUs ({:.2}x)  {:>6.0} ms ({:.2}x)\n",
                        if adaptive { "adaptive (ours)" } else { "fixed 223-byte chunks" },
                        chip.apdus,
                        f64::from(chip.apdus) / fewest as f64,
                        chip.elapsed_ms,
                        chip.elapsed_ms / minimum_ms
                    );
                }
            }
            Ok(Outcome::ok(out))
        }
        BenchCommand::Face { photo, runs } => {
            let bytes = std::fs::read(photo).map_err(|e| CliError::Input(format!("{}: {e}", photo.display())))?;
            let rgb = mitid_face::load_image(&bytes).map_err(|e| CliError::Input(e.to_string()))?;
            let engine = mitid_face::Engine::load(&mitid_face::models::default_dir())
                .map_err(|e| CliError::Input(e.to_string()))?;
            let frame = |w: u32, h: u32| {
                mitid_face::resize(&rgb, w, h)
                    .ok_or_else(|| CliError::Input("the photo's pixels do not match its size".into()))
            };
            let (full, half) = (frame(640, 480)?, frame(320, 240)?);
            let model = |e: mitid_face::FaceError| CliError::Input(e.to_string());
            // The first run builds the plan for the size: not counted.
            let faces = engine.detect(&full).map_err(model)?;
            let face = *faces.first().ok_or_else(|| CliError::Input("no face in the photo".into()))?;
            engine.detect(&half).map_err(model)?;
            let mut out = String::new();
            let detect_full = per_run(*runs, || {
                let _ = engine.detect(&full);
            });
            out += &format!("detection per 640×480 frame: {detect_full:.1} ms\n");
            let detect_half = per_run(*runs, || {
                let _ = engine.detect(&half);
            });
            out += &format!("detection per 320×240 frame: {detect_half:.1} ms\n");
            let limits = mitid_face::quality::Limits::default();
            let assess = per_run(*runs, || {
                let _ = mitid_face::quality::assess(&full, &faces, &limits);
            });
            out += &format!("guidance checks per frame: {assess:.2} ms\n");
            let embed = per_run(*runs, || {
                let _ = engine.embed(&full, &face);
            });
            out += &format!("description per face (align + SFace): {embed:.1} ms\n");
            // A webcam's frame as it arrives (YUYV or MJPEG at 640×480),
            // decoded, then what the camera thread does with it.
            let yuyv = mitid_camera::convert::to_yuyv(&full);
            let mut mjpeg = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut mjpeg, 80)
                .encode(&full.pixels, full.width, full.height, image::ExtendedColorType::Rgb8)
                .map_err(|e| CliError::Input(e.to_string()))?;
            use mitid_camera::convert::{Pixels, decode};
            let yuyv_ms = per_run(*runs, || {
                let _ = decode(Pixels::Yuyv, &yuyv, 640, 480);
            });
            let mjpeg_ms = per_run(*runs, || {
                let _ = decode(Pixels::Mjpeg, &mjpeg, 0, 0);
            });
            out += &format!("webcam frame to RGB, 640×480: YUYV {yuyv_ms:.2} ms, MJPEG {mjpeg_ms:.2} ms\n");
            let engine = std::sync::Arc::new(engine);
            let live = per_run(*runs, || {
                if let Ok(rgb) = decode(Pixels::Mjpeg, &mjpeg, 0, 0) {
                    let _ = crate::camera::analyse(&engine, &rgb);
                }
            });
            out += &format!(
                "live frame (MJPEG decode + guidance): {live:.1} ms, room for {:.0} fps on one core\n",
                1000.0 / live
            );
            Ok(Outcome::ok(out))
        }
        BenchCommand::Trust { runs } => {
            use mitid_emrtd::pki::x509::Certificate;
            use mitid_emrtd::pki::{key, masterlist, passive};
            use mitid_emrtd::sim::document::{self, DocumentSpec, Scenario, TestPki};
            let (mrz, _) = chip_document()?;
            let now = mitid_emrtd::pki::x509::Time::new(2026, 11, 24, 12, 0, 0).unwrap_or_default();
            let mut out = String::new();
            for (label, pki) in [("P-256", TestPki::new()), ("brainpoolP512r1", TestPki::brainpool512())] {
                let doc = document::generate(&mrz, &DocumentSpec::default(), &pki)
                    .map_err(|e| CliError::Input(e.to_string()))?;
                let groups = doc.data_groups();
                let sod = doc.files[&FileId::Sod].clone();
                let trusted = [Certificate::parse(pki.csca_certificate()).map_err(|e| CliError::Input(e.to_string()))?];
                let mut passed = true;
                let ms = per_run(*runs, || passed &= passive::verify(&sod, &groups, &trusted, &[], now).passed());
                out += &format!(
                    "passive authentication, {label} CSCA and signer (2 signatures, 6 data groups): {ms:.1} ms{}\n",
                    if passed { "" } else { " — FAILED" }
                );
            }
            // RSA-4096: the cost of one verification is one modular
            // exponentiation with e = 65537, whatever the key.
            let modulus: Vec<u8> = (0..512u32).map(|i| if i == 0 { 0xC3 } else { (i * 37 + 11) as u8 }).collect();
            let rsa = mitid_emrtd::der::seq(&[
                &mitid_emrtd::der::algorithm("1.2.840.113549.1.1.1"),
                &mitid_emrtd::der::bits(&mitid_emrtd::der::seq(&[
                    &mitid_emrtd::der::uint(&modulus),
                    &mitid_emrtd::der::int(65537),
                ])),
            ]);
            let rsa_key = key::parse_spki(&rsa).map_err(|e| CliError::Input(e.to_string()))?;
            let signature: Vec<u8> = (0..512u32).map(|i| (i * 91 + 5) as u8 & 0x7F).collect();
            let ms = per_run(*runs, || {
                let _ = key::verify(
                    &rsa_key,
                    key::SignatureAlgorithm::RsaPkcs1(mitid_emrtd::lds::HashAlgorithm::Sha256),
                    b"signed attributes",
                    &signature,
                );
            });
            out += &format!("RSA-4096 signature verification: {ms:.2} ms (passive authentication needs two)\n");
            let ml = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/testdata/masterlists/DE_ML_2026-05-28.ml");
            if let Ok(bytes) = std::fs::read(&ml) {
                let mut count = 0;
                let ms = per_run(*runs, || count = masterlist::parse(&bytes).map_or(0, |m| m.certificates.len()));
                out += &format!("German master list: parse and verify {count} certificates' list in {ms:.1} ms\n");
            }
            // Active and Chip Authentication against the simulated chip,
            // reader and chip together.
            let (doc, keys) = document::generate_scenario(&mrz, &DocumentSpec::default(), Scenario::Genuine)
                .map_err(|e| CliError::Input(e.to_string()))?;
            let spki = mitid_emrtd::tlv::parse(&doc.files[&FileId::DG15]).map(|t| t.value.to_vec()).unwrap_or_default();
            let infos = mitid_emrtd::security_infos::parse(&doc.files[&FileId::DG14]).unwrap_or_default();
            let offer = mitid_emrtd::ca::offer(&infos)
                .ok()
                .flatten()
                .ok_or_else(|| CliError::Input("the generated DG14 offers no CA".into()))?;
            let password = mitid_emrtd::pace::Password::Mrz(mrz.access_key());
            let (mut aa_ms, mut ca_ms, mut ok) = (0.0, 0.0, true);
            for _ in 0..*runs {
                let chip = mitid_emrtd::sim::SimChip::new(doc.files.clone(), &mrz.access_key())
                    .active_authentication_key(keys.active_authentication)
                    .chip_authentication_key(keys.chip_authentication);
                let mut reader = mitid_emrtd::reader::Reader::new(chip);
                reader.pace(&password, 13).map_err(|e| CliError::Input(e.to_string()))?;
                let started = Instant::now();
                let answer = reader.active_authentication();
                ok &= answer.is_ok_and(|(challenge, signature)| {
                    mitid_emrtd::pki::active::verify(&spki, &infos, &challenge, &signature).is_ok()
                });
                aa_ms += started.elapsed().as_secs_f64() * 1000.0;
                let started = Instant::now();
                ok &= reader.chip_authentication(&offer).is_ok();
                ca_ms += started.elapsed().as_secs_f64() * 1000.0;
            }
            let n = f64::from((*runs).max(1));
            out += &format!(
                "Active Authentication (P-256): {:.1} ms; Chip Authentication (P-256, AES): {:.1} ms — reader and chip together{}\n",
                aa_ms / n,
                ca_ms / n,
                if ok { "" } else { " — FAILED" }
            );
            Ok(Outcome::ok(out))
        }
        BenchCommand::Pcodes { pairs } => {
            let dir = tempfile_dir()?;
            let mut store = Store::open(&dir.join("bench.sqlite"))?;
            let key = CodeKey::generate().map_err(|e| CliError::Input(e.to_string()))?;
            // A Tuesday at 10:00 in Copenhagen: MitID Support is open.
            let now: Timestamp = COPENHAGEN
                .to_timestamp(jiff::civil::date(2026, 11, 24).at(10, 0, 0, 0))
                .map_err(|e| CliError::Input(e.to_string()))?;
            let mut rng = Rng::new(5);
            let batch: Vec<_> = (0..*pairs).map(|_| synthetic::caller(&mut rng)).collect();
            let ids = store.add_callers(batch, "bench", "caller.generate", now)?;
            let started = Instant::now();
            for id in &ids {
                let (code, _) = store.issue_pcode(*id, &key, 1, "bench", now)?;
                store.redeem_pcode(*id, &code, &key, now)?;
            }
            let took = started.elapsed().as_secs_f64();
            let size = std::fs::metadata(dir.join("bench.sqlite")).map(|m| m.len()).unwrap_or(0);
            let _ = std::fs::remove_dir_all(&dir);
            Ok(Outcome::ok(format!(
                "{pairs} issue + redeem pairs in {took:.2} s: {:.0} pairs/s ({:.0} transactions/s, each durable)\ndatabase: {} KiB\n",
                *pairs as f64 / took,
                2.0 * *pairs as f64 / took,
                size / 1024
            )))
        }
    }
}

fn tempfile_dir() -> Result<std::path::PathBuf, CliError> {
    let dir = std::env::temp_dir().join(format!("mitid-assist-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| CliError::Input(format!("cannot make {}: {e}", dir.display())))?;
    Ok(dir)
}
