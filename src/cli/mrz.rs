//! The MRZ commands, for IT staff and calibration: read the MRZ in
//! pictures as the counter's webcam tab does, each on its own.
//!
//! A still picture is judged alone: `accepted` is what the reader would
//! offer as sure from that one picture (live, the camera also waits for
//! frames to agree). Nothing read is logged; the readings go to stdout
//! only.

use std::path::PathBuf;
use std::time::Instant;

use clap::Subcommand;
use mitid_emrtd::mrz::{check_digit, check_fields};
use mitid_mrz_ocr::model::{Model, shipped};
use mitid_mrz_ocr::{Seen, read_frame};
use serde_json::{Value, json};

use super::{CliError, Context, EXIT_NO, Outcome};

/// MRZ commands.
#[derive(Debug, Subcommand)]
pub enum MrzCommand {
    /// Find and read the MRZ in each IMAGE (JPEG or PNG; a scan, a photo
    /// or a saved webcam frame). Ends 0 when every image gave a reading the
    /// reader would offer as sure, 1 otherwise.
    Read {
        /// The pictures.
        #[arg(required = true)]
        images: Vec<PathBuf>,
        /// Print one JSON document: for each image its file, lines (null
        /// where no MRZ was found), format, checks, accepted and ms.
        #[arg(long)]
        json: bool,
    },
}

impl MrzCommand {
    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        match self {
            Self::Read { json, .. } => *json,
        }
    }
}

/// The reader's model, built into the program.
pub(super) fn model() -> Result<Model, CliError> {
    shipped().map_err(|e| CliError::Input(format!("the MRZ reader's model is damaged in this build: {e}")))
}

/// One image's reading as JSON.
pub(super) fn seen_json(file: &str, seen: &Seen, ms: f64) -> Value {
    let reading = seen.reading.as_ref();
    let format = reading.and_then(|r| r.format);
    let checks: Vec<Value> = match (reading, format) {
        (Some(r), Some(format)) => {
            let lines: Vec<&str> = r.lines.iter().map(String::as_str).collect();
            check_fields(format, &lines)
                .iter()
                .map(|c| {
                    // The digit the field gives (`<` over an empty one).
                    let computed = if c.data.bytes().all(|b| b == b'<') {
                        "<".to_owned()
                    } else {
                        check_digit(&c.data).map_or_else(|| "?".to_owned(), |d| d.to_string())
                    };
                    json!({"field": c.field.name(), "printed": char::from(c.printed).to_string(), "computed": computed, "ok": c.ok})
                })
                .collect()
        }
        _ => Vec::new(),
    };
    json!({
        "file": file,
        "lines": reading.map(|r| r.lines.clone()),
        "format": format.map(format_name),
        "checks": checks,
        "checks_pass": reading.is_some_and(|r| r.checks_pass),
        "problem": reading.and_then(|r| r.problem.clone()),
        "accepted": reading.is_some_and(|r| r.accepted),
        "guidance": seen.guidance.map(|g| g.to_string()),
        "upside_down": seen.upside_down,
        "ms": (ms * 10.0).round() / 10.0,
    })
}

/// ICAO's name of a layout.
pub(super) fn format_name(format: mitid_emrtd::mrz::Format) -> &'static str {
    use mitid_emrtd::mrz::Format;
    match format {
        Format::Td1 => "TD1",
        Format::Td2 => "TD2",
        Format::Td3 => "TD3",
        Format::MrvA => "MRV-A",
        Format::MrvB => "MRV-B",
    }
}

pub(super) fn run(action: &MrzCommand, _context: &Context) -> Result<Outcome, CliError> {
    let MrzCommand::Read { images, json } = action;
    let model = model()?;
    let mut results = Vec::with_capacity(images.len());
    let mut text = String::new();
    let mut all_sure = true;
    for path in images {
        let file = path.display().to_string();
        // A picture that cannot be read is said so, and the others still are.
        let picture = match std::fs::read(path) {
            Ok(bytes) => {
                image::load_from_memory(&bytes).map_err(|e| format!("{file}: not a picture that can be read ({e})"))
            }
            Err(e) => Err(format!("cannot read {file}: {e}")),
        };
        let picture = match picture {
            Ok(p) => p.to_luma8(),
            Err(message) => {
                all_sure = false;
                text += &format!("{message}\n");
                results.push(json!({"file": file, "error": message, "lines": null, "accepted": false}));
                continue;
            }
        };
        let started = Instant::now();
        let seen = read_frame(&picture, &model);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let sure = seen.reading.as_ref().is_some_and(|r| r.accepted);
        all_sure &= sure;
        results.push(seen_json(&file, &seen, ms));
        text += &format!("{file} ({ms:.0} ms):\n");
        match &seen.reading {
            Some(r) => {
                for line in &r.lines {
                    text += &format!("  {line}\n");
                }
                let format = r.format.map_or("no MRZ layout", format_name);
                text += &if r.accepted {
                    format!("  {format}, every check holds: sure\n")
                } else if let Some(problem) = &r.problem {
                    format!("  {format}, not sure: {problem}\n")
                } else {
                    format!("  {format}, the checks hold but some characters are not certain: not sure\n")
                };
            }
            None => text += "  no MRZ read\n",
        }
        if !sure && let Some(guidance) = seen.guidance {
            text += &format!("  {guidance}\n");
        }
    }
    let stdout = if *json { json!({ "images": results }).to_string() + "\n" } else { text };
    Ok(Outcome { stdout, code: if all_sure { 0 } else { EXIT_NO } })
}
