//! Counter enrollment: MRZ → chip → face → hand-over, one step at a time
//! (the wizard of iced's `tour`). Each step is a module of its own with
//! its `Message`, `Event`, `update` and `view`; this one routes between
//! them, keeps the case, and draws the step bar.
//!
//! The state is split by lifetime: what belongs to the desk (the readers
//! and the reader chosen, the webcam, the score bands, demo settings) stays
//! from person to person; what belongs to the person at the desk (the MRZ,
//! the chip's files and photo, the pictures, the hand-over, the case) is
//! one value, dropped whole when the case ends — so a field added to it
//! cannot outlive the person by being forgotten in a list. Every answer
//! from a worker carries the case it was started for, and an answer for a
//! case that has ended never reaches the next person's screen.

mod case;
pub mod chip;
pub mod face;
pub mod handover;
pub mod mrz;
mod report;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use iced::widget::{Space, button, column, container, row, text};
use iced::{Alignment, Length, Task};
use jiff::civil::Date;
use mitid_core::mrz_entry::{Credentials, DocumentKind};
use mitid_emrtd::session::{Document, Secret};

pub use case::{CaseAnswer, CaseRequest, CaseTag, Reply};
pub use mrz::{CAN, DateKey, DatePick, LINES, Mode, Month, MrzStep, NUMBER, Part, Which, problem_text};
pub use report::{failure_text, long_date};

use case::late;

use self::face::FaceStep;
use self::handover::HandoverStep;
use crate::chip_read::Source;
use crate::fl;
use crate::theme;
use crate::widget::Element;

/// A step of an enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Step {
    /// Read the machine-readable zone.
    #[default]
    Mrz,
    /// Read and verify the chip.
    Chip,
    /// Capture and compare the face.
    Face,
    /// Hand over to the citizen.
    Handover,
}

impl Step {
    /// In order.
    pub const ALL: [Step; 4] = [Step::Mrz, Step::Chip, Step::Face, Step::Handover];

    fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The step after this one.
    pub fn next(self) -> Option<Step> {
        Self::ALL.get(self.index() + 1).copied()
    }

    /// The step before this one.
    pub fn previous(self) -> Option<Step> {
        self.index().checked_sub(1).map(|i| Self::ALL[i])
    }

    /// Its name, as the step bar shows it.
    pub fn title(self) -> String {
        match self {
            Step::Mrz => fl!("step-mrz"),
            Step::Chip => fl!("step-chip"),
            Step::Face => fl!("step-face"),
            Step::Handover => fl!("step-handover"),
        }
    }

    fn body(self) -> String {
        match self {
            Step::Mrz => fl!("step-mrz-body"),
            Step::Chip => fl!("step-chip-body"),
            Step::Face => fl!("step-face-body"),
            Step::Handover => fl!("step-handover-body"),
        }
    }
}

/// What stays at the desk from person to person.
#[derive(Debug, Default)]
struct DeskPart {
    demo: bool,
    readers: chip::Readers,
    camera: face::Camera,
    face_models: std::path::PathBuf,
    /// The demo devices (demo mode).
    devices: mitid_core::lesson::Devices,
    /// The last tag given to a person.
    tags: u64,
}

/// Everything of the person at the desk, dropped whole when their case
/// ends (each part zeroes its personal data as it drops; a read under way
/// stops).
#[derive(Debug, Default)]
struct Person {
    tag: CaseTag,
    step: Step,
    mrz: MrzStep,
    /// What opens the chip, once the MRZ step is done.
    credentials: Option<Credentials>,
    chip: chip::ChipStep,
    face: FaceStep,
    handover: HandoverStep,
    /// The case in the desk's records, once opened.
    case: Option<i64>,
    /// Why a change to the case could not be written.
    case_error: Option<String>,
}

/// The screen's state.
#[derive(Debug, Default)]
pub struct Enrollment {
    desk: DeskPart,
    person: Person,
}

/// What the screen's widgets, and the answers to its work, say.
#[derive(Debug, Clone)]
pub enum Message {
    /// To the previous step.
    Back,
    /// To the next step.
    Next,
    /// Drop everything of this person and begin again.
    StartOver,
    /// For the MRZ step.
    Mrz(mrz::Message),
    /// For the chip step.
    Chip(chip::Message),
    /// For the face step.
    Face(face::Message),
    /// For the hand-over checklist.
    Handover(handover::Message),
    /// The answer to work started for a person's case.
    Reply(CaseTag, Reply),
}

impl PartialEq for Message {
    /// For the focus ring: the buttons' messages compare.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Back, Self::Back) | (Self::Next, Self::Next) | (Self::StartOver, Self::StartOver) => true,
            (Self::Mrz(a), Self::Mrz(b)) => a == b,
            (Self::Chip(a), Self::Chip(b)) => a == b,
            (Self::Face(a), Self::Face(b)) => a.same_target(b),
            (Self::Handover(a), Self::Handover(b)) => a == b,
            _ => false,
        }
    }
}

/// What the screen tells the app.
#[derive(Debug, Clone)]
pub enum Event {
    /// Several at once.
    Batch(Vec<Event>),
    /// Work on a case in the desk's records (off the UI thread); the
    /// answer comes back as [`Reply::Case`] with the tag.
    Case(CaseTag, CaseRequest),
    /// List the readers (off the UI thread) and send back
    /// [`chip::Message::Readers`].
    ListReaders,
    /// The agent chose this reader: remember it for next time.
    RememberReader(String),
    /// The agent chose a webcam or its size: remember it.
    RememberCamera,
    /// Put the keyboard focus on this target (one of [`Enrollment::focusables`]).
    Focus(Message),
    /// Compare the chip photo with a picture taken (off the UI thread),
    /// sending back [`Reply::Compared`] with the tag.
    CompareFace {
        /// Whose.
        case: CaseTag,
        /// The chip's photo.
        chip: Arc<mitid_face::Rgb>,
        /// The picture taken.
        frame: Arc<crate::camera::Frame>,
        /// The models' folder.
        models: std::path::PathBuf,
        /// Where the bands meet.
        thresholds: mitid_face::Thresholds,
    },
    /// Read the chip (off the UI thread), sending [`Reply::Report`]s with
    /// the tag.
    Read {
        /// Whose.
        case: CaseTag,
        /// Where from.
        source: Source,
        /// What opens it.
        secret: Secret,
        /// Set to stop.
        cancel: Arc<AtomicBool>,
    },
}

impl Enrollment {
    /// In demo mode, the simulated reader and its specimens are offered.
    pub fn new(demo: bool) -> Self {
        let desk = DeskPart { demo, face_models: mitid_face::models::default_dir(), ..DeskPart::default() };
        Self { desk, person: Person::default() }
    }

    /// Why no reader can be used, in words, while none can.
    pub fn readers_problem(&self) -> Option<String> {
        self.desk.readers.error.as_ref().map(crate::chip_read::transport_text)
    }

    /// The specimen on the demo reader.
    pub fn specimen(&self) -> crate::chip_read::Specimen {
        self.desk.readers.specimen
    }

    /// Works with these demo devices (the trainer's panel changes them).
    pub fn with_devices(mut self, devices: mitid_core::lesson::Devices) -> Self {
        self.desk.devices = devices;
        self
    }

    /// The case id, once opened.
    pub fn case(&self) -> Option<i64> {
        self.person.case
    }

    /// The tag the person at the desk's work carries.
    pub fn tag(&self) -> CaseTag {
        self.person.tag
    }

    /// Drops everything of the person — the MRZ, the keys, the chip's
    /// files and photo, the pictures, each zeroed as it goes — and stops a
    /// read; what belongs to the desk stays. Returns the closing of the
    /// case, if one is open, with `outcome` ("started over", "app closed").
    pub fn forget(&mut self, outcome: &'static str) -> Option<Event> {
        self.desk.tags += 1;
        let next = Person { tag: CaseTag(self.desk.tags), ..Person::default() };
        let gone = std::mem::replace(&mut self.person, next);
        gone.case.map(|id| Event::Case(gone.tag, CaseRequest::Close { id, outcome }))
    }

    /// When the screen comes into view: the keyboard goes where typing
    /// starts (the document number, the lines, the CAN).
    pub fn on_show(&self) -> Task<Message> {
        if self.person.step != Step::Mrz {
            return Task::none();
        }
        iced::widget::operation::focus(self.person.mrz.field())
    }

    /// Uses the face models in `models`, with these score bands.
    pub fn with_face(mut self, models: std::path::PathBuf, thresholds: mitid_face::Thresholds) -> Self {
        self.desk.face_models = models;
        self.desk.camera.thresholds = thresholds;
        self
    }

    /// The camera the face step watches, while it watches one.
    pub fn camera(&self) -> Option<(crate::camera::Source, std::path::PathBuf)> {
        (self.person.step == Step::Face && self.person.face.wants_camera()).then(|| {
            let camera = &self.desk.camera;
            let source = if self.desk.demo {
                crate::camera::Source::Demo(camera.person, self.desk.devices.clone())
            } else {
                crate::camera::Source::Webcam { camera: camera.webcam.camera.clone(), size: camera.webcam.size }
            };
            (source, self.desk.face_models.clone())
        })
    }

    /// Prefers this webcam and size (the ones chosen last run).
    pub fn preferring_webcam(mut self, webcam: face::WebcamChoice) -> Self {
        self.desk.camera.webcam = webcam;
        self
    }

    /// The face step.
    pub fn face(&self) -> &FaceStep {
        &self.person.face
    }

    /// The desk's camera: the webcam chosen, the bands.
    pub fn face_camera(&self) -> &face::Camera {
        &self.desk.camera
    }

    /// The hand-over step.
    pub fn handover(&self) -> &HandoverStep {
        &self.person.handover
    }

    /// The holder's nationality (ICAO code): from the chip once read, else
    /// from swiped MRZ lines.
    pub fn nationality(&self) -> Option<String> {
        match (self.document().and_then(Document::dg1), &self.person.credentials) {
            (Some(mrz), _) => Some(mrz.nationality.clone()),
            (None, Some(Credentials::Mrz { mrz: Some(mrz), .. })) => Some(mrz.nationality.clone()),
            _ => None,
        }
    }

    /// The reader chosen last (this run or the one before), to remember.
    pub fn preferred_reader(&self) -> Option<&str> {
        self.desk.readers.preferred.as_deref()
    }

    /// Prefers `reader` (the one chosen last run) when it is connected.
    pub fn preferring(mut self, reader: Option<String>) -> Self {
        self.desk.readers.preferred = reader;
        self
    }

    /// Whether the readers should be followed live: while the chip step
    /// is open.
    pub fn watches_readers(&self) -> bool {
        self.person.step == Step::Chip
    }

    /// Whether a document lies on the chosen reader.
    pub fn card_on_reader(&self) -> bool {
        self.desk.readers.card_on_chosen()
    }

    /// The document read, once read.
    pub fn document(&self) -> Option<&Document> {
        self.person.chip.document()
    }

    /// Why the last read failed.
    pub fn chip_error(&self) -> Option<&chip::Problem> {
        self.person.chip.error()
    }

    /// Why a change to the case could not be written.
    pub fn case_error(&self) -> Option<&str> {
        self.person.case_error.as_deref()
    }

    /// The reader chosen.
    pub fn reader(&self) -> Option<&str> {
        self.desk.readers.chosen.as_deref()
    }

    /// Whether a read is under way.
    pub fn reading(&self) -> bool {
        self.person.chip.reading()
    }

    /// The current step.
    pub fn step(&self) -> Step {
        self.person.step
    }

    /// The MRZ step.
    pub fn mrz(&self) -> &MrzStep {
        &self.person.mrz
    }

    /// What opens the chip, once the MRZ step is done.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.person.credentials.as_ref()
    }

    /// A record of this person's case, once it is open.
    fn record(&self, step: &'static str, verdict: String, detail: String) -> Option<Event> {
        let id = self.person.case?;
        Some(Event::Case(self.person.tag, CaseRequest::Record { id, step, verdict, detail }))
    }

    /// Handles a message of this screen; `today` is the local date.
    pub fn update(&mut self, message: Message, today: Date) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Back => {
                if let Some(step) = self.person.step.previous() {
                    self.person.step = step;
                }
            }
            Message::StartOver => return (Task::none(), self.forget("started over")),
            Message::Next => return (Task::none(), self.next(today)),
            Message::Mrz(message) => {
                let (task, event) = self.person.mrz.update(message, today);
                let event = match event {
                    Some(mrz::Event::Focus(target)) => Some(Event::Focus(Message::Mrz(target))),
                    Some(mrz::Event::FocusNext) => Some(Event::Focus(Message::Next)),
                    Some(mrz::Event::Next) => return self.update(Message::Next, today),
                    None => None,
                };
                return (task.map(Message::Mrz), event);
            }
            Message::Chip(message) => {
                let (demo, here) = (self.desk.demo, self.person.step == Step::Chip);
                let person = &mut self.person;
                let credentials = person.credentials.as_ref();
                let (task, event) = person.chip.update(&mut self.desk.readers, message, credentials, demo, here);
                return (task.map(Message::Chip), event.and_then(|e| self.chip_event(e)));
            }
            Message::Face(message) => return (Task::none(), self.face_message(message)),
            Message::Handover(message) => {
                if let Some(handover::Event::Finished { outcome, detail }) = self.person.handover.update(message) {
                    let mut events: Vec<Event> =
                        self.record("handover", outcome.to_owned(), detail).into_iter().collect();
                    // The case closes, the person's data goes: ready for the next.
                    events.extend(self.forget(outcome));
                    return (Task::none(), Some(Event::Batch(events)));
                }
            }
            Message::Reply(tag, reply) if tag != self.person.tag => return (Task::none(), late(tag, reply)),
            Message::Reply(_, Reply::Report(report)) => {
                let event = self.person.chip.report(report);
                return (Task::none(), event.and_then(|e| self.chip_event(e)));
            }
            Message::Reply(_, Reply::Compared(result)) => {
                return (Task::none(), self.face_message(face::Message::Compared(result)));
            }
            Message::Reply(_, Reply::Case(answer)) => match answer {
                CaseAnswer::Opened(id) => self.person.case = Some(id),
                CaseAnswer::Written => {}
                CaseAnswer::Failed(why) => self.person.case_error = Some(why),
            },
        }
        (Task::none(), None)
    }

    /// What the chip step asks, as the app does it.
    fn chip_event(&self, event: chip::Event) -> Option<Event> {
        match event {
            chip::Event::ListReaders => Some(Event::ListReaders),
            chip::Event::RememberReader(name) => Some(Event::RememberReader(name)),
            chip::Event::Read { source, secret, cancel } => {
                Some(Event::Read { case: self.person.tag, source, secret, cancel })
            }
            chip::Event::Done { verdict, detail } => self.record("chip", verdict.to_owned(), detail),
        }
    }

    fn face_message(&mut self, message: face::Message) -> Option<Event> {
        match self.person.face.update(&mut self.desk.camera, message)? {
            face::Event::Compare(frame) => match self.person.chip.face() {
                Some(chip) => Some(Event::CompareFace {
                    case: self.person.tag,
                    chip,
                    frame,
                    models: self.desk.face_models.clone(),
                    thresholds: self.desk.camera.thresholds,
                }),
                None => {
                    let no_face = face::Message::Compared(Err(crate::camera::Problem::ChipNoFace));
                    let _ = self.person.face.update(&mut self.desk.camera, no_face);
                    None
                }
            },
            face::Event::Remember(_) => Some(Event::RememberCamera),
            face::Event::Decided { decision, score, band } => {
                let t = self.desk.camera.thresholds;
                let detail = format!("score={score:.3} band={} strong={:.2} weak={:.2}", band.name(), t.strong, t.weak);
                self.record("face", decision.name().to_owned(), detail)
            }
        }
    }

    /// On to the next step, once this one is done.
    fn next(&mut self, today: Date) -> Option<Event> {
        if !self.ready(today) {
            return None;
        }
        if self.person.step == Step::Mrz {
            self.person.credentials = Some(self.person.mrz.check(today).ok()?);
        }
        let mut events = Vec::new();
        if self.person.step == Step::Face && self.person.face.decision().is_none() {
            // No camera: the agent compared the person with the chip
            // photo by eye.
            events.extend(self.record("face", "compared by eye".into(), "camera unavailable".into()));
        }
        let step = self.person.step.next()?;
        self.person.step = step;
        if step == Step::Chip {
            if self.person.case.is_none() {
                events.push(Event::Case(self.person.tag, CaseRequest::Open));
            }
            if self.desk.readers.list.is_empty() {
                events.push(Event::ListReaders);
            }
            // Enter reads (a placed document reads by itself).
            events.push(Event::Focus(Message::Chip(chip::Message::Read)));
        }
        (!events.is_empty()).then_some(Event::Batch(events))
    }

    /// The document the placement drawing shows: an ID card when it was
    /// entered as one (chosen, TD1 lines, or a CAN), else a passport.
    fn shape(&self) -> crate::widget::placement::Shape {
        use crate::widget::placement::Shape;
        let id_card = match &self.person.credentials {
            Some(Credentials::Can(_)) => true,
            Some(Credentials::Mrz { mrz: Some(mrz), .. }) => mrz.format == mitid_emrtd::mrz::Format::Td1,
            _ => self.person.mrz.mode() == Mode::Typed && self.person.mrz.kind() == DocumentKind::IdCard,
        };
        if id_card { Shape::IdCard } else { Shape::Passport }
    }

    /// Whether the step is done: the MRZ checks out; the chip is read.
    fn ready(&self, today: Date) -> bool {
        let person = &self.person;
        match person.step {
            Step::Mrz => person.mrz.check(today).is_ok(),
            Step::Chip => person.chip.document().is_some() && !person.chip.reading(),
            // Without a camera the agent compares by eye and goes on.
            Step::Face => person.face.decision().is_some() || (!self.desk.demo && person.face.unavailable()),
            Step::Handover => true,
        }
    }

    /// The buttons Tab moves through, as the messages they send.
    pub fn focusables(&self) -> Vec<Message> {
        let person = &self.person;
        let mut targets: Vec<Message> = match person.step {
            Step::Mrz => person.mrz.focusables().into_iter().map(Message::Mrz).collect(),
            Step::Chip => person.chip.focusables().into_iter().map(Message::Chip).collect(),
            Step::Face => person.face.focusables(&self.desk.camera).into_iter().map(Message::Face).collect(),
            Step::Handover => person.handover.focusables().into_iter().map(Message::Handover).collect(),
        };
        if person.step.previous().is_some() {
            targets.push(Message::Back);
        }
        // In the order drawn: the bottom bar is Back, Start over, Next.
        if person.chip.document().is_some() {
            targets.push(Message::StartOver);
        }
        if person.step.next().is_some() {
            targets.push(Message::Next);
        }
        if person.step == Step::Handover && person.handover.finishable() {
            targets.push(Message::Handover(handover::Message::Finish));
        }
        targets
    }

    /// Esc goes one step back.
    pub fn escape(&mut self) -> Option<Message> {
        self.person.step.previous().map(|_| Message::Back)
    }

    /// Draws the screen; `focused` is the index into [`Self::focusables`]
    /// that has the keyboard focus; `today` is the local date.
    pub fn view(&self, focused: Option<usize>, today: Date) -> Element<'_, Message> {
        let stepper = Step::ALL.iter().enumerate().fold(row![].spacing(8), |r, (i, step)| {
            let current = *step == self.person.step;
            let label =
                text(format!("{}. {}", i + 1, step.title())).font(if current { theme::BOLD } else { theme::REGULAR });
            let pill = container(label)
                .padding([6, 12])
                .style(move |t: &iced::Theme| if current { container::primary(t) } else { container::secondary(t) });
            let r = r.push(pill);
            if i + 1 < Step::ALL.len() { r.push(text("→")) } else { r }
        });
        let targets = self.focusables();
        let is_focused = |m: Message| focused.and_then(|i| targets.get(i)) == Some(&m);
        let back = button(text(fl!("step-back")))
            .on_press_maybe(self.person.step.previous().map(|_| Message::Back))
            .style(theme::action_button(is_focused(Message::Back)));
        let ready = self.ready(today);
        let person = &self.person;
        let next_label = match person.step {
            Step::Mrz => fl!("mrz-next"),
            Step::Chip => fl!("result-continue"),
            _ => fl!("step-next"),
        };
        let next = button(text(next_label))
            .on_press_maybe(person.step.next().filter(|_| ready).map(|_| Message::Next))
            .style(theme::action_button(is_focused(Message::Next)));
        let demo = self.desk.demo;
        let content: Element<'_, Message> = match person.step {
            Step::Mrz => person.mrz.view(today, demo, &|m| is_focused(Message::Mrz(m))).map(Message::Mrz),
            Step::Chip => {
                let context = chip::View {
                    case: person.case,
                    credentials: person.credentials.as_ref(),
                    today,
                    shape: self.shape(),
                    demo,
                    lesson_document: demo && self.desk.devices.get().own.is_some(),
                };
                person.chip.view(&self.desk.readers, &context, &|m| is_focused(Message::Chip(m))).map(Message::Chip)
            }
            Step::Handover => {
                let sms = self.desk.demo.then(|| self.desk.devices.get().sms_arrives);
                person.handover.view(sms, &|m| is_focused(Message::Handover(m))).map(Message::Handover)
            }
            Step::Face => person
                .face
                .view(&self.desk.camera, person.chip.photo(), demo, &|m| is_focused(Message::Face(m)))
                .map(Message::Face),
        };
        let content: Element<'_, Message> = match &person.case_error {
            Some(why) => column![
                container(text(fl!("case-not-recorded", detail = why.clone())).font(theme::MEDIUM))
                    .padding(10)
                    .width(Length::Fill)
                    .style(theme::problem_banner),
                content
            ]
            .spacing(10)
            .into(),
            None => content,
        };
        let (number, total) = ((person.step.index() + 1) as u64, Step::ALL.len() as u64);
        let body = column![
            stepper.align_y(Alignment::Center),
            container(
                column![
                    text(fl!("enrollment-step", number = number, total = total)).size(14),
                    text(person.step.title()).size(22).font(theme::BOLD),
                    text(person.step.body()).size(16),
                    content,
                ]
                .spacing(10),
            )
            .padding(16)
            .width(Length::Fill)
            .style(theme::card),
        ]
        .spacing(16);
        // The step's buttons stay in reach below however long the step is.
        let finish = Message::Handover(handover::Message::Finish);
        let next = if person.step == Step::Handover {
            button(text(fl!("handover-finish")))
                .on_press_maybe(person.handover.finishable().then_some(finish.clone()))
                .style(theme::action_button(is_focused(finish)))
        } else {
            next
        };
        let mut buttons = row![back, Space::new().width(Length::Fill)].spacing(8);
        if person.chip.document().is_some() {
            buttons = buttons.push(
                button(text(fl!("result-start-over")))
                    .on_press(Message::StartOver)
                    .style(theme::action_button(is_focused(Message::StartOver))),
            );
        }
        let buttons = container(buttons.push(next)).padding([8, 24]).max_width(868);
        column![
            iced::widget::scrollable(super::page(fl!("enrollment-title"), fl!("enrollment-intro"), body.into()))
                .height(Length::Fill),
            buttons,
        ]
        .into()
    }
}

#[cfg(test)]
mod tests;
