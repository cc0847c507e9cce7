//! The face commands, for IT staff and calibration: find the faces in a
//! photo with what the capture guidance would say of each, and compare two
//! photos as the counter screen does (a chip's DG2 file is a photo too).

use std::path::{Path, PathBuf};

use clap::Subcommand;
use mitid_face::{Engine, Face, Rgb, Thresholds, load_image, quality};
use serde_json::json;

use super::{CliError, Context, Outcome};

/// Exit code: an image has no face, or more than one where one is needed.
pub const EXIT_FACES: u8 = 8;
/// Exit code: the face models are missing or not the expected files.
pub const EXIT_MODEL: u8 = 9;

/// Face commands.
#[derive(Debug, Subcommand)]
pub enum FaceCommand {
    /// Find the faces in IMAGE (JPEG, PNG, JPEG 2000 or a chip's DG2) with
    /// their boxes and landmarks.
    Check {
        /// The photo.
        image: PathBuf,
        /// Use the models in this folder.
        #[arg(long, value_name = "DIR")]
        models: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Compare the one face in IMAGE_A (a chip's DG2 works) with the one in
    /// IMAGE_B: the cosine similarity of their SFace descriptions and its
    /// band (strong / uncertain / weak, as configured under [face]).
    Compare {
        /// The first photo (e.g. the chip's).
        image_a: PathBuf,
        /// The second photo (e.g. the live one).
        image_b: PathBuf,
        /// Use the models in this folder.
        #[arg(long, value_name = "DIR")]
        models: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

impl FaceCommand {
    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        match self {
            Self::Check { json, .. } | Self::Compare { json, .. } => *json,
        }
    }
}

fn engine(models: Option<&Path>, context: &Context) -> Result<Engine, CliError> {
    Engine::load(&context.face_models(models)).map_err(|e| CliError::Face(EXIT_MODEL, e.to_string()))
}

fn read(path: &Path) -> Result<Rgb, CliError> {
    let bytes = std::fs::read(path).map_err(|e| CliError::Input(format!("cannot read {}: {e}", path.display())))?;
    load_image(&bytes).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
}

fn face_json(face: &Face) -> serde_json::Value {
    let round = |v: f32| (f64::from(v) * 10.0).round() / 10.0;
    json!({
        "box": [round(face.x), round(face.y), round(face.width), round(face.height)],
        "score": (f64::from(face.score) * 1000.0).round() / 1000.0,
        "landmarks": face.landmarks.iter().map(|(x, y)| [round(*x), round(*y)]).collect::<Vec<_>>(),
    })
}

/// The one face of `image`, or why not.
fn one_face(engine: &Engine, image: &Rgb, path: &Path) -> Result<(usize, Face), CliError> {
    let faces = engine.detect(image).map_err(|e| CliError::Face(EXIT_MODEL, e.to_string()))?;
    match faces.as_slice() {
        [face] => Ok((1, *face)),
        [] => Err(CliError::Face(EXIT_FACES, format!("{}: no face found", path.display()))),
        many => Err(CliError::Face(
            EXIT_FACES,
            format!("{}: {} faces found; a comparison needs exactly one", path.display(), many.len()),
        )),
    }
}

pub(super) fn run(action: &FaceCommand, context: &Context) -> Result<Outcome, CliError> {
    match action {
        FaceCommand::Check { image, models, json } => {
            let engine = engine(models.as_deref(), context)?;
            let rgb = read(image)?;
            let faces = engine.detect(&rgb).map_err(|e| CliError::Face(EXIT_MODEL, e.to_string()))?;
            // What the capture guidance would say of it as a live photo.
            let findings: Vec<&str> =
                quality::assess(&rgb, &faces, &quality::Limits::default()).into_iter().map(|f| f.name()).collect();
            let stdout = if *json {
                json!({
                    "width": rgb.width,
                    "height": rgb.height,
                    "faces": faces.iter().map(face_json).collect::<Vec<_>>(),
                    "findings": findings,
                })
                .to_string()
                    + "\n"
            } else {
                let mut out = format!("{}: {}×{}, {} face(s)\n", image.display(), rgb.width, rgb.height, faces.len());
                for (i, f) in faces.iter().enumerate() {
                    out += &format!(
                        "  {}. at ({:.0}, {:.0}), {:.0}×{:.0} pixels, detector score {:.2}\n",
                        i + 1,
                        f.x,
                        f.y,
                        f.width,
                        f.height,
                        f.score
                    );
                }
                out += &if findings.is_empty() {
                    "  good for a comparison photo\n".to_owned()
                } else {
                    format!("  to put right: {}\n", findings.join(", "))
                };
                out
            };
            if faces.is_empty() {
                // The answer printed, and a non-zero end for scripts.
                return Ok(Outcome { stdout, code: EXIT_FACES });
            }
            Ok(Outcome::ok(stdout))
        }
        FaceCommand::Compare { image_a, image_b, models, json } => {
            let engine = engine(models.as_deref(), context)?;
            let (a, b) = (read(image_a)?, read(image_b)?);
            let (faces_a, face_a) = one_face(&engine, &a, image_a)?;
            let (faces_b, face_b) = one_face(&engine, &b, image_b)?;
            let model = |e: mitid_face::FaceError| CliError::Face(EXIT_MODEL, e.to_string());
            let score =
                engine.embed(&a, &face_a).map_err(model)?.similarity(&engine.embed(&b, &face_b).map_err(model)?);
            let thresholds = Thresholds { strong: context.config.face.strong, weak: context.config.face.weak };
            let band = thresholds.band(score);
            let rounded = (f64::from(score) * 1000.0).round() / 1000.0;
            Ok(Outcome::ok(if *json {
                json!({"faces_a": faces_a, "faces_b": faces_b, "score": rounded, "band": band.name()}).to_string()
                    + "\n"
            } else {
                format!(
                    "similarity {rounded:.3}: {} (strong from {:.2}, weak below {:.2})\n",
                    band.name(),
                    thresholds.strong,
                    thresholds.weak
                )
            }))
        }
    }
}
