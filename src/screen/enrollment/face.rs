//! The face step of counter enrollment: the live picture with the capture
//! guidance in words, the picture taken by itself once the person has held
//! still in a good position (or by the agent at any time), then the chip
//! photo and the live one side by side, aligned, with the similarity in a
//! band — and the agent's decision, which goes into the case. Images stay
//! in memory; only the score, the thresholds and the decision are recorded.

use std::sync::Arc;
use std::time::Duration;

use iced::widget::{button, column, container, image, pick_list, progress_bar, row, text};
use iced::{Alignment, Length};
use mitid_face::quality::{AutoCapture, Finding};
use mitid_face::{Band, Engine, Rgb, Thresholds};

use crate::camera::{self, DemoPerson, Frame, Opened};
use crate::fl;
use crate::theme;
use crate::widget::{Element, face_handle as handle};

/// What the agent decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The person is the document's holder.
    Same,
    /// The person is not.
    NotSame,
}

impl Decision {
    /// The decision's name in the records.
    pub fn name(self) -> &'static str {
        match self {
            Decision::Same => "same person",
            Decision::NotSame => "not the same person",
        }
    }
}

/// The comparison of the chip photo with the picture taken.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Cosine similarity of the two descriptions.
    pub score: f32,
    /// Its band.
    pub band: Band,
    /// The chip's face, aligned (112×112).
    pub chip: image::Handle,
    /// The live face, aligned.
    pub live: image::Handle,
}

/// Who stands before the demo camera, by name.
impl std::fmt::Display for DemoPerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            DemoPerson::Holder => fl!("face-demo-holder"),
            DemoPerson::Stranger => fl!("face-demo-stranger"),
        })
    }
}

/// The webcam and picture size chosen (remembered between runs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct WebcamChoice {
    /// The camera's name.
    pub camera: Option<String>,
    /// The picture size.
    pub size: Option<(u32, u32)>,
}

/// A picture size in a picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size(pub u32, pub u32);

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} × {}", self.0, self.1)
    }
}

/// What the step keeps for the desk, person after person: the camera
/// chosen and open, the cameras connected, who the demo camera shows, the
/// score bands.
#[derive(Debug)]
pub struct Camera {
    /// Who the demo camera shows.
    pub person: DemoPerson,
    /// The webcam chosen.
    pub webcam: WebcamChoice,
    /// The webcam open now.
    opened: Option<Opened>,
    /// The cameras connected.
    cameras: Vec<String>,
    /// Where the bands meet.
    pub thresholds: Thresholds,
}

impl Default for Camera {
    fn default() -> Self {
        Self {
            person: DemoPerson::Holder,
            webcam: WebcamChoice::default(),
            opened: None,
            cameras: Vec::new(),
            thresholds: Thresholds::default(),
        }
    }
}

impl Camera {
    /// The camera in use, else the one chosen.
    fn current(&self) -> Option<String> {
        self.opened.as_ref().map(|o| o.camera.clone()).or_else(|| self.webcam.camera.clone())
    }
}

/// The step's state for the person at the desk: the live picture, the one
/// taken, the comparison and the decision — all of it dropped with them.
#[derive(Debug)]
pub struct FaceStep {
    live: Option<Arc<Frame>>,
    auto: AutoCapture,
    captured: Option<Arc<Frame>>,
    comparing: bool,
    comparison: Option<Comparison>,
    decision: Option<Decision>,
    error: Option<camera::Problem>,
}

impl Default for FaceStep {
    fn default() -> Self {
        Self {
            live: None,
            auto: AutoCapture::new(Duration::from_millis(800)),
            captured: None,
            comparing: false,
            comparison: None,
            decision: None,
            error: None,
        }
    }
}

/// What the step's widgets (and its camera) say.
#[derive(Debug, Clone)]
pub enum Message {
    /// From the camera.
    Camera(camera::Event),
    /// Put this person before the demo camera.
    Person(DemoPerson),
    /// Take the picture now.
    Capture,
    /// Take it again.
    Retake,
    /// The comparison, or why it failed.
    Compared(Result<Comparison, camera::Problem>),
    /// The agent's decision.
    Decide(Decision),
    /// Use this webcam.
    ChooseCamera(String),
    /// At this size.
    Size(Size),
    /// The next camera connected (the camera button).
    NextCamera,
    /// The next size the camera offers (the size button).
    NextSize,
}

impl Message {
    /// Whether two messages are the same focus target (a button).
    pub fn same_target(&self, other: &Message) -> bool {
        match (self, other) {
            (Message::Decide(a), Message::Decide(b)) => a == b,
            (Message::Capture, Message::Capture)
            | (Message::Retake, Message::Retake)
            | (Message::NextCamera, Message::NextCamera)
            | (Message::NextSize, Message::NextSize) => true,
            _ => false,
        }
    }
}

/// What the step asks of the screen.
#[derive(Debug, Clone)]
pub enum Event {
    /// Compare the chip photo with this frame (off the UI thread).
    Compare(Arc<Frame>),
    /// The agent decided; record it.
    Decided {
        /// Same or not.
        decision: Decision,
        /// The comparison's score.
        score: f32,
        /// Its band.
        band: Band,
    },
    /// The agent chose a webcam or size: remember it.
    Remember(WebcamChoice),
}

/// A translated hint for a finding.
pub fn finding_text(finding: Finding) -> String {
    match finding {
        Finding::NoFace => fl!("face-no-face"),
        Finding::SeveralFaces => fl!("face-several"),
        Finding::TooSmall => fl!("face-too-small"),
        Finding::TooClose => fl!("face-too-close"),
        Finding::OffCentre => fl!("face-off-centre"),
        Finding::Tilted => fl!("face-tilted"),
        Finding::Turned => fl!("face-turned"),
        Finding::Dark => fl!("face-dark"),
        Finding::Bright => fl!("face-bright"),
        Finding::UnevenLight => fl!("face-uneven"),
        Finding::Blurred => fl!("face-blurred"),
        Finding::EyesHidden => fl!("face-eyes"),
    }
}

/// Compares the chip photo with the frame taken (blocking: run it off the
/// UI thread).
pub fn compare(
    engine: &Engine,
    chip: &Rgb,
    frame: &Frame,
    thresholds: Thresholds,
) -> Result<Comparison, camera::Problem> {
    use camera::Problem;
    let chip_faces = engine.detect(chip).map_err(|e| Problem::Failed(e.to_string()))?;
    let [chip_face] = chip_faces.as_slice() else {
        return Err(Problem::ChipNoFace);
    };
    let [live_face] = frame.faces.as_slice() else {
        return Err(Problem::NoFace);
    };
    let a = engine.embed(chip, chip_face).map_err(|e| Problem::Failed(e.to_string()))?;
    let b = engine.embed(&frame.image, live_face).map_err(|e| Problem::Failed(e.to_string()))?;
    let score = a.similarity(&b);
    let crop = |image: &Rgb, face: &mitid_face::Face| {
        mitid_face::align::crop(image, &face.landmarks).map(|c| handle(&c)).ok_or(Problem::NoFace)
    };
    Ok(Comparison {
        score,
        band: thresholds.band(score),
        chip: crop(chip, chip_face)?,
        live: crop(&frame.image, live_face)?,
    })
}

impl FaceStep {
    /// What the step says is wrong, in words: the camera's or the
    /// comparison's problem, or a weak match.
    pub fn said(&self) -> Option<String> {
        match (&self.error, &self.comparison) {
            (Some(error), _) => Some(error.text()),
            (None, Some(c)) if c.band == Band::Weak => Some(fl!("face-band-weak")),
            _ => None,
        }
    }

    /// Whether the camera should run: until a picture is taken.
    pub fn wants_camera(&self) -> bool {
        self.captured.is_none()
    }

    /// The agent's decision, once made.
    pub fn decision(&self) -> Option<Decision> {
        self.decision
    }

    /// The buttons Tab moves through, as the messages they send.
    pub fn focusables(&self, camera: &Camera) -> Vec<Message> {
        if self.comparison.is_some() {
            return vec![Message::Decide(Decision::Same), Message::Decide(Decision::NotSame), Message::Retake];
        }
        if self.comparing || self.captured.is_some() {
            return Vec::new();
        }
        let mut targets = Vec::new();
        if self.live.is_some() {
            targets.push(Message::Capture);
        }
        // In the order drawn: the camera, then its size.
        if camera.cameras.len() > 1 {
            targets.push(Message::NextCamera);
        }
        if camera.opened.as_ref().is_some_and(|o| o.sizes.len() > 1) {
            targets.push(Message::NextSize);
        }
        targets
    }

    /// When the last frame was taken (camera time).
    pub fn last_frame_at(&self) -> Duration {
        self.live.as_ref().map_or(Duration::ZERO, |f| f.at)
    }

    /// The live picture, while the camera runs.
    pub fn preview(&self) -> Option<&image::Handle> {
        self.live.as_ref().filter(|_| self.captured.is_none()).map(|f| &f.preview)
    }

    /// The live picture as in a mirror (for the person), while the camera
    /// runs.
    pub fn mirrored(&self) -> Option<&image::Handle> {
        self.live.as_ref().filter(|_| self.captured.is_none()).map(|f| &f.mirrored)
    }

    /// Which way the person should step to be centred, while the camera
    /// runs and they are off to a side.
    pub fn sideways(&self) -> Option<mitid_face::quality::Step> {
        let frame = self.live.as_ref().filter(|_| self.captured.is_none())?;
        mitid_face::quality::sideways(frame.image.width, &frame.faces, &mitid_face::quality::Limits::default())
    }

    /// What keeps the last frame from being taken (empty: it is good),
    /// while the camera runs.
    pub fn findings(&self) -> Option<&[Finding]> {
        self.live.as_ref().filter(|_| self.captured.is_none()).map(|f| f.findings.as_slice())
    }

    /// How far the person has held still (0–1) towards the picture taking
    /// itself.
    pub fn hold(&self) -> f32 {
        self.live.as_ref().map_or(0.0, |f| self.auto.progress(f.at))
    }

    /// Whether the camera cannot give a picture now (the agent may then
    /// compare by eye).
    pub fn unavailable(&self) -> bool {
        self.error.is_some() && self.live.is_none() && self.comparison.is_none() && !self.comparing
    }

    /// Whether the picture has been taken.
    pub fn taken(&self) -> bool {
        self.captured.is_some()
    }

    /// The comparison, once made.
    pub fn comparison(&self) -> Option<&Comparison> {
        self.comparison.as_ref()
    }

    fn take(&mut self, frame: Arc<Frame>) -> Option<Event> {
        self.captured = Some(frame.clone());
        self.comparing = true;
        self.error = None;
        Some(Event::Compare(frame))
    }

    /// Handles a message; the camera's choices are the desk's.
    pub fn update(&mut self, camera: &mut Camera, message: Message) -> Option<Event> {
        match message {
            Message::Camera(camera::Event::Frame(frame)) => {
                if self.captured.is_some() {
                    return None;
                }
                self.error = None;
                let good = frame.findings.is_empty();
                let take = self.auto.frame(frame.at, good);
                self.live = Some(frame.clone());
                if take {
                    return self.take(frame);
                }
            }
            Message::Camera(camera::Event::Unavailable(error)) => {
                return self.update(camera, Message::Camera(camera::Event::Failed(camera::Problem::Camera(error))));
            }
            Message::Camera(camera::Event::Failed(why)) => {
                // No stale picture that looks live.
                self.error = Some(why);
                self.live = None;
                camera.opened = None;
            }
            Message::Camera(camera::Event::Opened(opened)) => {
                self.error = None;
                camera.opened = Some(opened);
            }
            Message::Camera(camera::Event::Cameras(names)) => camera.cameras = names,
            Message::ChooseCamera(name) => {
                if camera.webcam.camera.as_ref() != Some(&name) {
                    // Another camera has other sizes: its default first,
                    // and none offered until it is open.
                    camera.webcam = WebcamChoice { camera: Some(name), size: None };
                    camera.opened = None;
                    return Some(Event::Remember(camera.webcam.clone()));
                }
            }
            Message::NextCamera => {
                let at = camera.current().and_then(|c| camera.cameras.iter().position(|n| *n == c));
                let next = at.map_or(0, |i| (i + 1) % camera.cameras.len().max(1));
                if let Some(name) = camera.cameras.get(next).cloned() {
                    return self.update(camera, Message::ChooseCamera(name));
                }
            }
            Message::NextSize => {
                if let Some(opened) = &camera.opened {
                    let at = opened.sizes.iter().position(|s| *s == opened.size);
                    let next = at.map_or(0, |i| (i + 1) % opened.sizes.len().max(1));
                    if let Some(&(w, h)) = opened.sizes.get(next) {
                        return self.update(camera, Message::Size(Size(w, h)));
                    }
                }
            }
            Message::Size(Size(w, h)) => {
                camera.webcam.size = Some((w, h));
                return Some(Event::Remember(camera.webcam.clone()));
            }
            Message::Person(person) => {
                camera.person = person;
                self.auto = AutoCapture::new(self.auto.hold);
            }
            Message::Capture => {
                if let Some(frame) = self.live.clone()
                    && self.captured.is_none()
                {
                    return self.take(frame);
                }
            }
            Message::Retake => *self = Self::default(),
            Message::Compared(result) => {
                self.comparing = false;
                match result {
                    Ok(comparison) => self.comparison = Some(comparison),
                    Err(why) => {
                        self.error = Some(why);
                        self.captured = None;
                    }
                }
            }
            Message::Decide(decision) => {
                if let Some(c) = &self.comparison {
                    self.decision = Some(decision);
                    return Some(Event::Decided { decision, score: c.score, band: c.band });
                }
            }
        }
        None
    }

    /// Draws the step; `chip` is the chip's photo, `focused` tells the
    /// button the keyboard is on.
    pub fn view<'a>(
        &'a self,
        camera: &'a Camera,
        chip: Option<&'a image::Handle>,
        demo: bool,
        focused: &dyn Fn(Message) -> bool,
    ) -> Element<'a, Message> {
        let mut body = column![].spacing(10);
        if let Some(error) = &self.error {
            body =
                body.push(container(text(error.text()).font(theme::MEDIUM)).padding(10).style(theme::problem_banner));
        }
        if let Some(comparison) = &self.comparison {
            let (line, style): (String, fn(&iced::Theme) -> container::Style) = match comparison.band {
                Band::Strong => (fl!("face-band-strong"), theme::card),
                Band::Uncertain => (fl!("face-band-uncertain"), theme::card),
                Band::Weak => (fl!("face-band-weak"), theme::problem_banner),
            };
            let score = format!("{:.2}", comparison.score);
            body = body
                .push(
                    row![
                        column![text(fl!("face-chip-photo")).size(14), image(comparison.chip.clone()).width(180)]
                            .spacing(4),
                        column![text(fl!("face-live-photo")).size(14), image(comparison.live.clone()).width(180)]
                            .spacing(4),
                    ]
                    .spacing(16),
                )
                .push(container(text(line).font(theme::BOLD)).padding(10).width(Length::Fill).style(style))
                .push(text(fl!("face-score", score = score)).size(14))
                .push(text(fl!("face-agent-decides")));
            let decided = |d: Decision| self.decision == Some(d);
            body = body.push(
                row![
                    button(text(fl!("face-decide-same")))
                        .on_press(Message::Decide(Decision::Same))
                        .style(theme::nav_button(decided(Decision::Same), focused(Message::Decide(Decision::Same)),)),
                    button(text(fl!("face-decide-not-same"))).on_press(Message::Decide(Decision::NotSame)).style(
                        theme::nav_button(decided(Decision::NotSame), focused(Message::Decide(Decision::NotSame)),)
                    ),
                    button(text(fl!("face-retake")))
                        .on_press(Message::Retake)
                        .style(theme::action_button(focused(Message::Retake))),
                ]
                .spacing(8),
            );
            return body.into();
        }
        if self.comparing {
            return body.push(text(fl!("face-comparing")).font(theme::MEDIUM)).into();
        }
        let preview: Element<'_, Message> = match &self.live {
            Some(frame) => image(frame.preview.clone()).width(400).into(),
            None => text(fl!("face-camera-starting")).into(),
        };
        let guidance: Element<'_, Message> = match &self.live {
            Some(frame) if frame.findings.is_empty() => column![
                text(fl!("face-hold-still")).font(theme::MEDIUM),
                progress_bar(0.0..=1.0, self.auto.progress(frame.at)),
            ]
            .spacing(6)
            .into(),
            Some(frame) => column(frame.findings.iter().map(|f| text(finding_text(*f)).font(theme::MEDIUM).into()))
                .spacing(4)
                .into(),
            None => text("").into(),
        };
        let mut side = column![guidance, text(fl!("face-tips")).size(14)].spacing(10);
        if let Some(chip) = chip {
            side = side.push(text(fl!("face-chip-photo")).size(14)).push(image(chip.clone()).width(120));
        }
        body = body.push(row![preview, side.width(Length::Fill)].spacing(16).align_y(Alignment::Start));
        let mut controls = row![
            button(text(fl!("face-capture")))
                .on_press_maybe(self.live.as_ref().map(|_| Message::Capture))
                .style(theme::action_button(focused(Message::Capture)))
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        if demo {
            controls = controls.push(text(fl!("face-demo-camera")).font(theme::MEDIUM)).push(pick_list(
                [DemoPerson::Holder, DemoPerson::Stranger],
                Some(camera.person),
                Message::Person,
            ));
        } else {
            // The webcam and its size: each button goes on to the next
            // one (and Enter on it, from the keyboard).
            if let Some(current) = camera.current().filter(|_| !camera.cameras.is_empty()) {
                controls = controls.push(
                    button(text(fl!("face-camera", camera = current)))
                        .on_press_maybe((camera.cameras.len() > 1).then_some(Message::NextCamera))
                        .style(theme::action_button(focused(Message::NextCamera))),
                );
            }
            if let Some(opened) = &camera.opened {
                let size = Size(opened.size.0, opened.size.1).to_string();
                controls = controls.push(
                    button(text(fl!("face-camera-size", size = size)))
                        .on_press_maybe((opened.sizes.len() > 1).then_some(Message::NextSize))
                        .style(theme::action_button(focused(Message::NextSize))),
                );
            }
        }
        body.push(controls).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configuration's default bands are the face crate's: the two
    /// crates do not depend on each other, so this keeps them one.
    #[test]
    fn the_configured_default_bands_are_the_face_crates() {
        let config = mitid_core::config::FaceConfig::default();
        let face = Thresholds::default();
        assert_eq!((config.strong, config.weak), (face.strong, face.weak));
        assert_eq!(Camera::default().thresholds.strong, config.strong);
    }
}
