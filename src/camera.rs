//! The camera for the face step, on a thread of its own: frames come with
//! what the capture guidance says of them (the face found at half size,
//! the checks on the full frame), delivered as a stream the screen
//! subscribes to, so the window never waits for the camera or the models.
//!
//! Demo mode (and the tests) use a simulated camera playing
//! `assets/demo/`: the person steps up — off to the side and small at
//! first — then stands still in the middle, with the slight movement of a
//! real picture. Otherwise a webcam through `mitid_camera` (nokhwa): the
//! one chosen before, at the size chosen before; when it is missing, busy
//! or unplugged the stream says why and tries again every two seconds, so
//! plugging it in (or closing the video call) brings the picture back.

use std::sync::Arc;
use std::time::{Duration, Instant};

use iced::futures::SinkExt;
use iced::futures::channel::mpsc;
use image::{Rgb as Px, RgbImage, imageops};
use mitid_face::quality::{self, Finding, Limits};
use mitid_face::{Engine, Face, Rgb};

/// The demo camera's frame rate.
pub const DEMO_FPS: u32 = 15;

/// Who stands before the demo camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DemoPerson {
    /// The demo documents' holder.
    Holder,
    /// Someone else.
    Stranger,
}

/// Where frames come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// The simulated camera with this person (and the trainer's faults).
    Demo(DemoPerson, mitid_core::lesson::Devices),
    /// A webcam: the one with this name (else the first), at this size
    /// (else the default).
    Webcam {
        /// The camera's name, as chosen before.
        camera: Option<String>,
        /// The picture size chosen.
        size: Option<(u32, u32)>,
    },
}

/// The webcam in use and what else there is to choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The camera's name.
    pub camera: String,
    /// The picture size in use.
    pub size: (u32, u32),
    /// Frames a second it was asked for.
    pub fps: u32,
    /// The sizes it offers, largest first.
    pub sizes: Vec<(u32, u32)>,
}

/// A frame and what the guidance says of it.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The picture.
    pub image: Arc<Rgb>,
    /// The faces in it, in its pixels.
    pub faces: Vec<Face>,
    /// What to put right (empty: good).
    pub findings: Vec<Finding>,
    /// Its number since the camera started.
    pub number: u64,
    /// When it was taken, since the camera started.
    pub at: Duration,
    /// The picture ready to draw.
    pub preview: iced::widget::image::Handle,
    /// The same as in a mirror, for the person's own screen.
    pub mirrored: iced::widget::image::Handle,
}

impl Frame {
    /// A frame with its picture made ready to draw, straight and mirrored
    /// — on the camera's thread, so the window only shows it.
    pub fn new(image: Rgb, faces: Vec<Face>, findings: Vec<Finding>, number: u64, at: Duration) -> Self {
        let preview = crate::widget::face_handle(&image);
        let mirrored = crate::widget::mirrored_face_handle(&image);
        Self { image: Arc::new(image), faces, findings, number, at, preview, mirrored }
    }
}

/// Frame `number`, taken `at`, with what the guidance says of it.
fn analysed(engine: &Engine, image: Rgb, number: u64, at: Duration) -> Event {
    match analyse(engine, &image) {
        Ok((faces, findings)) => Event::Frame(Arc::new(Frame::new(image, faces, findings, number, at))),
        Err(why) => Event::Failed(why),
    }
}

/// Why the camera or the face comparison cannot go on, kept as it
/// happened and put in words when drawn (so a language switch puts a
/// message already on screen in the new language, and tests match on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The webcam cannot be used now.
    Camera(mitid_camera::CameraError),
    /// The face models are missing or damaged (the loader's detail).
    Models(String),
    /// Detection or description failed (its detail).
    Failed(String),
    /// No single face on the chip's photo.
    ChipNoFace,
    /// No single face in the picture taken.
    NoFace,
    /// The demo camera's pictures do not decode.
    DemoDamaged,
}

impl Problem {
    /// In the language of the moment.
    pub fn text(&self) -> String {
        match self {
            Problem::Camera(error) => error_text(error),
            Problem::Models(detail) => crate::fl!("face-models-missing", detail = detail.clone()),
            Problem::Failed(detail) => crate::fl!("face-failed", detail = detail.clone()),
            Problem::ChipNoFace => crate::fl!("face-chip-no-face"),
            Problem::NoFace => crate::fl!("face-no-face"),
            Problem::DemoDamaged => crate::fl!("face-failed", detail = "the demo pictures are damaged".to_owned()),
        }
    }
}

/// What the camera stream says.
#[derive(Debug, Clone)]
pub enum Event {
    /// A frame.
    Frame(Arc<Frame>),
    /// The camera cannot be used.
    Failed(Problem),
    /// The webcam cannot be used now; the stream tries again by itself.
    Unavailable(mitid_camera::CameraError),
    /// A webcam was opened.
    Opened(Opened),
    /// The cameras connected (names), when that changes.
    Cameras(Vec<String>),
}

/// What a person can do about a camera error, in their language.
pub fn error_text(error: &mitid_camera::CameraError) -> String {
    use mitid_camera::CameraError as E;
    match error {
        E::NoCamera => crate::fl!("face-camera-none"),
        E::Busy => crate::fl!("face-camera-busy"),
        E::NoPermission => crate::fl!("face-camera-permission"),
        E::Gone => crate::fl!("face-camera-gone"),
        E::NoFormat => crate::fl!("face-camera-format"),
        E::Frame(e) => crate::fl!("face-camera-failed", detail = e.to_string()),
        E::Other(detail) => crate::fl!("face-camera-failed", detail = detail.clone()),
    }
}

fn demo_picture(person: DemoPerson, devices: &mitid_core::lesson::Devices) -> Option<RgbImage> {
    // The lesson's own holder, when it brings one.
    let own = devices.get().own;
    if person == DemoPerson::Holder
        && let Some(picture) = own.as_deref().and_then(|d| d.holder_picture())
        && let Ok(image) = image::load_from_memory(picture)
    {
        return Some(camera_sized(image.to_rgb8()));
    }
    let bytes: &[u8] = match person {
        DemoPerson::Holder => include_bytes!("../assets/demo/camera-person-a.jpg"),
        DemoPerson::Stranger => include_bytes!("../assets/demo/camera-person-b.jpg"),
    };
    image::load_from_memory(bytes).ok().map(|i| i.to_rgb8())
}

/// A lesson's photo as a webcam picture, 640×480: a landscape picture
/// fills it; a portrait (a passport photo) stands in the middle, three
/// quarters of the frame high, as a person at the counter does.
fn camera_sized(photo: RgbImage) -> RgbImage {
    let (w, h) = (640u32, 480u32);
    if photo.width() >= photo.height() {
        return imageops::resize(&photo, w, h, imageops::FilterType::Triangle);
    }
    let scale = (h as f32 * 0.75 / photo.height() as f32).min(w as f32 * 0.6 / photo.width() as f32);
    let (pw, ph) = (((photo.width() as f32 * scale) as u32).max(1), ((photo.height() as f32 * scale) as u32).max(1));
    let small = imageops::resize(&photo, pw, ph, imageops::FilterType::Triangle);
    let mut frame = RgbImage::from_pixel(w, h, Px([96, 104, 112]));
    imageops::overlay(&mut frame, &small, i64::from((w - pw) / 2), i64::from(h - ph) / 2);
    frame
}

/// The simulated camera's frame `n`: for the first second the person is
/// still walking up (small, to the side), then stands in the middle,
/// moving a few pixels as people do.
pub fn demo_frame(picture: &RgbImage, n: u64) -> RgbImage {
    let (w, h) = (picture.width(), picture.height());
    let mut frame = RgbImage::from_pixel(w, h, Px([96, 104, 112]));
    let approaching = n < u64::from(DEMO_FPS);
    if approaching {
        let small = imageops::resize(picture, w / 2, h / 2, imageops::FilterType::Triangle);
        imageops::overlay(&mut frame, &small, i64::from(w) / 2 + 40 - (n as i64) * 4, i64::from(h) / 4);
    } else {
        // A slow sway of up to three pixels.
        let sway = [0i64, 1, 2, 3, 2, 1, 0, -1, -2, -3, -2, -1][(n % 12) as usize];
        imageops::overlay(&mut frame, picture, sway, sway / 2);
    }
    frame
}

/// What the guidance says of `image`: faces found on a half-size copy
/// (fast), the checks on the full frame.
pub fn analyse(engine: &Engine, image: &Rgb) -> Result<(Vec<Face>, Vec<Finding>), Problem> {
    // Scaled straight from the frame's pixels (no copy per frame).
    let Some(small) = mitid_face::resize(image, image.width / 2, image.height / 2) else {
        return Err(Problem::Failed("the frame's pixels do not match its size".into()));
    };
    let faces: Vec<Face> = engine
        .detect(&small)
        .map_err(|e| Problem::Failed(e.to_string()))?
        .into_iter()
        .map(|f| Face {
            x: f.x * 2.0,
            y: f.y * 2.0,
            width: f.width * 2.0,
            height: f.height * 2.0,
            landmarks: f.landmarks.map(|(x, y)| (x * 2.0, y * 2.0)),
            score: f.score,
        })
        .collect();
    let findings = quality::assess(image, &faces, &Limits::default());
    Ok((faces, findings))
}

fn run(source: Source, models: std::path::PathBuf, mut tx: mpsc::Sender<Event>) {
    let engine = match engine(&models) {
        Ok(engine) => engine,
        Err(why) => {
            let _ = iced::futures::executor::block_on(tx.send(Event::Failed(why)));
            return;
        }
    };
    let (person, devices) = match source {
        Source::Demo(person, devices) => (person, devices),
        Source::Webcam { camera, size } => return run_webcam(&engine, camera.as_deref(), size, tx),
    };
    let Some(picture) = demo_picture(person, &devices) else {
        let _ = iced::futures::executor::block_on(tx.send(Event::Failed(Problem::DemoDamaged)));
        return;
    };
    let started = Instant::now();
    let period = Duration::from_secs(1) / DEMO_FPS;
    let mut said: Option<mitid_core::lesson::CameraProblem> = None;
    for n in 0u64.. {
        let state = devices.get();
        if let Some(problem) = state.camera_problem {
            // The trainer took the camera away: say so once, as a real
            // one would be said, and wait for it to come back.
            if said != Some(problem) {
                use mitid_core::lesson::CameraProblem as P;
                let error = match problem {
                    P::Lost => mitid_camera::CameraError::Gone,
                    P::Busy => mitid_camera::CameraError::Busy,
                    P::Missing => mitid_camera::CameraError::NoCamera,
                };
                if !send(&mut tx, Event::Unavailable(error)) {
                    return;
                }
                said = Some(problem);
            }
            if tx.is_closed() {
                return;
            }
            std::thread::sleep(period);
            continue;
        }
        said = None;
        let mut image = demo_frame(&picture, n);
        if state.camera == mitid_core::lesson::CameraSetup::Dark {
            // The light has gone: a tenth of it is left.
            image.pixels_mut().for_each(|p| p.0 = p.0.map(|c| c / 10));
        }
        let rgb = Rgb { width: image.width(), height: image.height(), pixels: image.into_raw() };
        if !send(&mut tx, analysed(&engine, rgb, n, started.elapsed())) {
            return;
        }
        // The camera's own clock: the next frame is due one period after
        // the last was due.
        let due = period * u32::try_from(n + 1).unwrap_or(u32::MAX);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
    }
}

/// How long to wait before trying a camera again.
const RETRY: Duration = Duration::from_secs(2);

/// Sends `event`; false once nobody listens. A full channel means the
/// window is behind: this event is dropped (the next frame is newer
/// anyway).
fn send(tx: &mut mpsc::Sender<Event>, event: Event) -> bool {
    match tx.try_send(event) {
        Ok(()) => true,
        Err(e) => !e.is_disconnected(),
    }
}

/// Says why the camera cannot be used — once, not every two seconds, and
/// never whose face; false once nobody listens.
fn report(
    tx: &mut mpsc::Sender<Event>,
    last: &mut Option<mitid_camera::CameraError>,
    error: mitid_camera::CameraError,
) -> bool {
    if last.as_ref() == Some(&error) {
        return !tx.is_closed();
    }
    tracing::info!(%error, "camera unavailable");
    let listening = send(tx, Event::Unavailable(error.clone()));
    *last = Some(error);
    listening
}

/// Sends the cameras' names when they differ from `known`; false once
/// nobody listens.
fn list_cameras(tx: &mut mpsc::Sender<Event>, known: &mut Vec<String>) -> bool {
    let names = mitid_camera::names(&mitid_camera::list().unwrap_or_default());
    if names == *known {
        return true;
    }
    known.clone_from(&names);
    send(tx, Event::Cameras(names))
}

/// The webcam loop: open, stream, and on any failure say why and try
/// again, until nobody listens.
fn run_webcam(engine: &Engine, camera: Option<&str>, size: Option<(u32, u32)>, mut tx: mpsc::Sender<Event>) {
    let started = Instant::now();
    let mut number = 0u64;
    let mut last_error: Option<mitid_camera::CameraError> = None;
    let mut known: Vec<String> = Vec::new();
    loop {
        if !list_cameras(&mut tx, &mut known) {
            return;
        }
        match mitid_camera::open(camera, size) {
            // Just after another camera or size was chosen, the stream
            // before may still hold the device for a frame: not worth a
            // "busy" on screen.
            Err(mitid_camera::CameraError::Busy) if started.elapsed() < Duration::from_secs(1) => {
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            Err(error) => {
                if !report(&mut tx, &mut last_error, error) {
                    return;
                }
            }
            Ok(mut webcam) => {
                last_error = None;
                let format = webcam.format;
                tracing::info!(width = format.width, height = format.height, fps = format.fps, "camera opened");
                let opened = Opened {
                    camera: webcam.info.name.clone(),
                    size: (format.width, format.height),
                    fps: format.fps,
                    sizes: mitid_camera::sizes(&webcam.formats),
                };
                if !send(&mut tx, Event::Opened(opened)) {
                    return;
                }
                let mut listed = Instant::now();
                loop {
                    let image = match webcam.frame() {
                        Ok(image) => image,
                        Err(error) => {
                            if !report(&mut tx, &mut last_error, error) {
                                return;
                            }
                            break;
                        }
                    };
                    let event = analysed(engine, image, number, started.elapsed());
                    number += 1;
                    if !send(&mut tx, event) {
                        return;
                    }
                    // Cameras plugged in or out while this one streams.
                    if listed.elapsed() >= RETRY {
                        listed = Instant::now();
                        if !list_cameras(&mut tx, &mut known) {
                            return;
                        }
                    }
                }
            }
        }
        // Waiting for the camera to come (back): a new try every RETRY,
        // ended soon after the step closes.
        let deadline = Instant::now() + RETRY;
        while Instant::now() < deadline {
            if tx.is_closed() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Frames from `source`, analysed with the models in `models` (loaded on
/// the camera's thread the first time), until the stream is dropped.
pub fn stream(source: Source, models: std::path::PathBuf) -> impl iced::futures::Stream<Item = Event> {
    iced::stream::channel(2, async move |tx: mpsc::Sender<Event>| {
        let spawned = std::thread::Builder::new().name("camera".into()).spawn(move || run(source, models, tx));
        if let Err(error) = spawned {
            tracing::error!(%error, "the camera thread could not start");
        }
    })
}

/// The face models in `dir`, loaded once (about a second) and shared.
pub fn engine(dir: &std::path::Path) -> Result<Arc<Engine>, Problem> {
    type Loaded = std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, Arc<Engine>>>;
    static ENGINES: std::sync::OnceLock<Loaded> = std::sync::OnceLock::new();
    let engines = ENGINES.get_or_init(Loaded::default);
    if let Some(engine) = engines.lock().ok().and_then(|e| e.get(dir).cloned()) {
        return Ok(engine);
    }
    let engine = Arc::new(Engine::load(dir).map_err(|e| Problem::Models(e.to_string()))?);
    if let Ok(mut loaded) = engines.lock() {
        loaded.insert(dir.to_owned(), engine.clone());
    }
    Ok(engine)
}
