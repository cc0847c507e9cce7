//! The camera commands, for IT staff setting up a counter: which webcams
//! the system offers (with their picture sizes), and whether one gives a
//! picture — through the very stream the face step watches (opened,
//! decoded, analysed on its own thread), its rate measured.

use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;
use mitid_camera::CameraError;
use serde_json::json;

use super::{CliError, Context, Outcome};
use crate::camera::{Event, Source};

/// Exit code: no camera is connected.
pub const EXIT_NO_CAMERA: u8 = 10;
/// Exit code: the camera is in use by another program.
pub const EXIT_BUSY: u8 = 11;
/// Exit code: this user may not use the camera.
pub const EXIT_PERMISSION: u8 = 12;
/// Exit code: the camera failed otherwise (unplugged, no usable format…).
pub const EXIT_CAMERA: u8 = 13;

/// Camera commands.
#[derive(Debug, Subcommand)]
pub enum CameraCommand {
    /// The cameras connected, with the picture sizes each offers.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Take FRAMES pictures from a camera as the face step does and say
    /// how fast they came and what the guidance says of the last.
    Check {
        /// The camera, by name (else the one remembered, else the first).
        #[arg(long, value_name = "NAME")]
        camera: Option<String>,
        /// The picture size, as WIDTHxHEIGHT (else the default).
        #[arg(long, value_name = "WxH", value_parser = parse_size)]
        size: Option<(u32, u32)>,
        /// How many frames to take.
        #[arg(long, default_value_t = 30)]
        frames: u32,
        /// While the camera cannot be used (none, busy, unplugged), wait up
        /// to this many seconds for it, saying why on stderr — as the face
        /// step keeps trying.
        #[arg(long, value_name = "SECONDS", default_value_t = 0)]
        wait: u64,
        /// Write the last frame to this PNG file.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Use the face models in this folder.
        #[arg(long, value_name = "DIR")]
        models: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Read the MRZ of a document held under a camera, live, as the MRZ
    /// step's webcam tab does: frames read until they agree on a sure
    /// reading (the guidance meanwhile on stderr). Ends 0 with a reading,
    /// 1 when none came in time.
    Mrz {
        /// The camera, by name (else the one remembered, else the first).
        #[arg(long, value_name = "NAME")]
        camera: Option<String>,
        /// The picture size, as WIDTHxHEIGHT (else the default; 1280x720
        /// or more reads smaller print).
        #[arg(long, value_name = "WxH", value_parser = parse_size)]
        size: Option<(u32, u32)>,
        /// Give up after this many seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 60)]
        wait: u64,
        /// Print JSON: the reading as `mrz read` gives it, with the frames
        /// it took and the milliseconds to it.
        #[arg(long)]
        json: bool,
    },
}

impl CameraCommand {
    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        match self {
            Self::List { json } | Self::Check { json, .. } | Self::Mrz { json, .. } => *json,
        }
    }
}

/// A camera frame as the grey picture the MRZ reader takes.
fn grey(frame: &mitid_face::Rgb) -> image::GrayImage {
    image::GrayImage::from_fn(frame.width, frame.height, |x, y| {
        let at = ((y * frame.width + x) * 3) as usize;
        let p = frame.pixels.get(at..at + 3).unwrap_or(&[0, 0, 0]);
        let luma = (77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2])) >> 8;
        image::Luma([luma as u8])
    })
}

/// Reads live until the frames agree, or `wait` runs out.
fn read_mrz(camera: Option<&str>, size: Option<(u32, u32)>, wait: Duration, json: bool) -> Result<Outcome, CliError> {
    use mitid_mrz_ocr::{Progress, Tracker, read_frame};
    let model = super::mrz::model()?;
    let mut webcam = mitid_camera::open(camera, size).map_err(|e| camera_error(&e))?;
    let started = std::time::Instant::now();
    let mut tracker = Tracker::new();
    let (mut frames, mut said) = (0u32, None);
    loop {
        if started.elapsed() > wait {
            let message = format!("no sure reading in {} s ({frames} frames)", wait.as_secs());
            let stdout = if json {
                json!({"camera": webcam.info.name, "frames": frames, "lines": null, "accepted": false, "guidance": said.map(|g: mitid_mrz_ocr::Guidance| g.to_string()), "message": message}).to_string() + "\n"
            } else {
                format!("{message}\n")
            };
            return Ok(Outcome { stdout, code: super::EXIT_NO });
        }
        let frame = webcam.frame().map_err(|e| camera_error(&e))?;
        frames += 1;
        let seen = read_frame(&grey(&frame), &model);
        let guidance = match tracker.push(&seen) {
            Progress::Sure(reading) => {
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                let sure = mitid_mrz_ocr::Seen { reading: Some(reading), guidance: None, ..seen };
                let mut value = super::mrz::seen_json(&webcam.info.name, &sure, ms);
                value["camera"] = json!(webcam.info.name);
                value["frames"] = json!(frames);
                if let Some(object) = value.as_object_mut() {
                    object.remove("file");
                }
                let reading = sure.reading.as_ref().map(|r| r.lines.join("\n")).unwrap_or_default();
                return Ok(Outcome::ok(if json {
                    value.to_string() + "\n"
                } else {
                    format!("{reading}\nsure after {frames} frames ({ms:.0} ms)\n")
                }));
            }
            Progress::Looking(g) => Some(g),
            Progress::Reading { guidance, .. } => guidance,
        };
        // What to put right, once each time it changes, for the person at
        // the camera.
        if guidance.is_some() && guidance != said {
            if let Some(g) = guidance {
                eprintln!("{g}");
            }
            said = guidance;
        }
    }
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once(['x', 'X', '×']).ok_or_else(|| format!("«{s}» is not WIDTHxHEIGHT, e.g. 640x480"))?;
    match (w.trim().parse::<u32>(), h.trim().parse::<u32>()) {
        (Ok(w), Ok(h)) if w > 0 && h > 0 => Ok((w, h)),
        _ => Err(format!("«{s}» is not WIDTHxHEIGHT, e.g. 640x480")),
    }
}

/// The error a person can act on, with its exit code.
fn camera_error(error: &CameraError) -> CliError {
    let code = match error {
        CameraError::NoCamera => EXIT_NO_CAMERA,
        CameraError::Busy => EXIT_BUSY,
        CameraError::NoPermission => EXIT_PERMISSION,
        _ => EXIT_CAMERA,
    };
    CliError::Camera(code, crate::camera::error_text(error))
}

/// What the frames of a check came to.
#[derive(Debug, Default)]
struct Checked {
    camera: String,
    size: (u32, u32),
    fps_asked: u32,
    frames: u32,
    first: Option<Duration>,
    last: Option<std::sync::Arc<crate::camera::Frame>>,
}

pub(super) fn run(action: &CameraCommand, context: &Context) -> Result<Outcome, CliError> {
    match action {
        CameraCommand::Mrz { camera, size, wait, json } => {
            let state = mitid_core::config::UiState::load(&context.paths.data_dir);
            let camera = camera.clone().or(state.camera);
            read_mrz(camera.as_deref(), size.or(state.camera_size), Duration::from_secs(*wait), *json)
        }
        CameraCommand::List { json } => {
            let cameras = mitid_camera::list().map_err(|e| camera_error(&e))?;
            let listed: Vec<_> = cameras
                .into_iter()
                .map(|c| {
                    let sizes = mitid_camera::formats(&c).map(|f| mitid_camera::sizes(&f));
                    (c, sizes)
                })
                .collect();
            let stdout = if *json {
                let cameras: Vec<serde_json::Value> = listed
                    .iter()
                    .map(|(c, sizes)| match sizes {
                        Ok(sizes) => json!({"index": c.index, "name": c.name, "sizes": sizes}),
                        Err(e) => json!({"index": c.index, "name": c.name, "error": e.to_string()}),
                    })
                    .collect();
                json!({ "cameras": cameras }).to_string() + "\n"
            } else if listed.is_empty() {
                crate::camera::error_text(&CameraError::NoCamera) + "\n"
            } else {
                let mut out = String::new();
                for (c, sizes) in &listed {
                    out += &match sizes {
                        Ok(sizes) => format!(
                            "{} (video{}): {}\n",
                            c.name,
                            c.index,
                            sizes.iter().map(|(w, h)| format!("{w}×{h}")).collect::<Vec<_>>().join(", ")
                        ),
                        Err(e) => format!("{} (video{}): {}\n", c.name, c.index, crate::camera::error_text(e)),
                    };
                }
                out
            };
            // An empty list is an answer, and a non-zero end for scripts.
            let code = if listed.is_empty() { EXIT_NO_CAMERA } else { 0 };
            Ok(Outcome { stdout, code })
        }
        CameraCommand::Check { camera, size, frames, wait, out, models, json } => {
            let waiting_until = std::time::Instant::now() + Duration::from_secs(*wait);
            let models = context.face_models(models.as_deref());
            // The app's choice (state.toml) unless one is given here.
            let state = mitid_core::config::UiState::load(&context.paths.data_dir);
            let source = Source::Webcam { camera: camera.clone().or(state.camera), size: size.or(state.camera_size) };
            let wanted = (*frames).max(2);
            let mut checked = Checked::default();
            // The stream ends when this loop drops it.
            for event in iced::futures::executor::block_on_stream(Box::pin(crate::camera::stream(source, models))) {
                match event {
                    Event::Cameras(_) => {}
                    Event::Opened(opened) => {
                        checked.camera = opened.camera;
                        checked.size = opened.size;
                        checked.fps_asked = opened.fps;
                    }
                    Event::Frame(frame) => {
                        checked.first.get_or_insert(frame.at);
                        checked.frames += 1;
                        checked.last = Some(frame);
                        if checked.frames >= wanted {
                            break;
                        }
                    }
                    Event::Unavailable(error) => {
                        if std::time::Instant::now() >= waiting_until {
                            return Err(camera_error(&error));
                        }
                        eprintln!("waiting for the camera: {}", crate::camera::error_text(&error));
                    }
                    Event::Failed(why) => return Err(CliError::Face(super::face::EXIT_MODEL, why.text())),
                }
            }
            let Some(last) = checked.last.clone() else {
                return Err(camera_error(&CameraError::Other("the stream ended".into())));
            };
            let seconds = last.at.saturating_sub(checked.first.unwrap_or_default()).as_secs_f64();
            let fps = if seconds > 0.0 { f64::from(checked.frames - 1) / seconds } else { 0.0 };
            let fps = (fps * 10.0).round() / 10.0;
            if let Some(path) = out {
                image::save_buffer(
                    path,
                    &last.image.pixels,
                    last.image.width,
                    last.image.height,
                    image::ExtendedColorType::Rgb8,
                )
                .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))?;
            }
            let findings: Vec<&str> = last.findings.iter().map(|f| f.name()).collect();
            Ok(Outcome::ok(if *json {
                json!({
                    "camera": checked.camera,
                    "width": checked.size.0,
                    "height": checked.size.1,
                    "fps_asked": checked.fps_asked,
                    "frames": checked.frames,
                    "fps": fps,
                    "faces": last.faces.len(),
                    "findings": findings,
                })
                .to_string()
                    + "\n"
            } else {
                format!(
                    "{}: {}×{} asked at {} fps; {} frames came at {fps} fps, each analysed\nlast frame: {} face(s){}\n",
                    checked.camera,
                    checked.size.0,
                    checked.size.1,
                    checked.fps_asked,
                    checked.frames,
                    last.faces.len(),
                    if findings.is_empty() {
                        String::new()
                    } else {
                        format!("; to put right: {}", findings.join(", "))
                    }
                )
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_width_by_height() {
        assert_eq!(parse_size("640x480"), Ok((640, 480)));
        assert_eq!(parse_size("1280×720"), Ok((1280, 720)));
        assert!(parse_size("640").is_err());
        assert!(parse_size("0x480").is_err());
        assert!(parse_size("axb").is_err());
    }
}
