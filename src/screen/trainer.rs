//! The trainer's panel, a window of its own in demo mode (never in real
//! mode): choose and reset the lesson, move the clock, make any fault
//! happen now, change what the demo reader and camera hold, see where the
//! trainee is, and follow the lesson log — shown live and exported as
//! Markdown or CSV for the debriefing.
//!
//! The panel holds the lesson being run; what its controls do to the
//! clock, the devices and the screens is the app's to carry out (the
//! panel says so as an [`Event`]).

use std::path::PathBuf;

use iced::widget::{Space, button, column, container, operation, pick_list, row, scrollable, text, text_input};
use iced::{Alignment, Length, Task};
use jiff::{SignedDuration, Timestamp};
use mitid_core::lesson::{self, EntryKind, FaultKind, Lesson, Problem, Run};

use crate::camera::DemoPerson;
use crate::chip_read::Specimen;
use crate::fl;
use crate::theme;
use crate::widget::Element;

/// Where a lesson comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Shipped with the app.
    Shipped,
    /// The trainer's own, in the data folder's `lessons/`.
    Own(PathBuf),
}

/// A lesson on the list: read, or why it cannot be used.
#[derive(Debug, Clone)]
pub struct Listed {
    /// Its id (the file's name without `.toml`).
    pub id: String,
    /// Where from.
    pub origin: Origin,
    /// The lesson, or its problems.
    pub lesson: Result<Lesson, Vec<Problem>>,
}

/// A lesson as the pick list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    index: usize,
    label: String,
}

impl std::fmt::Display for Pick {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// The shipped lessons, then the trainer's own from `dir` (a file that
/// cannot be read is listed with its problems; the others still are).
pub fn lessons(dir: Option<&std::path::Path>) -> Vec<Listed> {
    let mut listed: Vec<Listed> = lesson::SHIPPED
        .iter()
        .map(|(id, text)| Listed { id: (*id).to_owned(), origin: Origin::Shipped, lesson: lesson::parse(text) })
        .collect();
    let Some(dir) = dir else { return listed };
    let mut own: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect()
        })
        .unwrap_or_default();
    own.sort();
    for path in own {
        let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let lesson = lesson::read(&path);
        listed.push(Listed { id, origin: Origin::Own(path), lesson });
    }
    listed
}

/// How fast the lesson's clock runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speed(pub f64);

impl Eq for Speed {}

impl Speed {
    const ALL: [Speed; 5] = [Speed(1.0), Speed(2.0), Speed(5.0), Speed(10.0), Speed(60.0)];
}

impl std::fmt::Display for Speed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}×", self.0)
    }
}

/// Putting a device right again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restore {
    /// Reader plugged in, service running, document back on it.
    Reader,
    /// The camera back, the light on.
    Camera,
    /// SMS arrive again.
    Sms,
}

/// A log's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Markdown table.
    Markdown,
    /// Comma-separated values.
    Csv,
}

/// Where the trainee is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Position {
    /// The screen.
    pub screen: String,
    /// The step on it.
    pub step: String,
}

/// What the panel draws besides its own state.
#[derive(Debug, Clone)]
pub struct Context {
    /// The lesson's clock, in Copenhagen.
    pub now: jiff::civil::DateTime,
    /// Support is open.
    pub open: bool,
    /// The clock's speed.
    pub speed: f64,
    /// Where the trainee is.
    pub position: Position,
    /// What the demo reader holds.
    pub specimen: Specimen,
    /// Who stands before the demo camera.
    pub person: DemoPerson,
    /// The demo devices.
    pub devices: lesson::DeviceState,
}

/// The panel's widgets, and the answers to its work.
#[derive(Debug, Clone)]
pub enum Message {
    /// Choose a lesson: it starts at once.
    Choose(Pick),
    /// Start the lesson again from its beginning.
    Reset,
    /// Move the clock on by this many minutes.
    Advance(i64),
    /// The time typed.
    ClockText(String),
    /// Set the clock to the time typed.
    SetClock,
    /// Run the clock at this speed.
    Speed(Speed),
    /// Make this go wrong now.
    Inject(FaultKind),
    /// Put this specimen on the demo reader.
    Specimen(Specimen),
    /// Put this person before the demo camera.
    Person(DemoPerson),
    /// Put a device right.
    Restore(Restore),
    /// Export the log.
    Export(Format),
    /// The log was written there, or why not.
    Exported(Result<PathBuf, String>),
    /// Send the faults to this desk of the class, or to every desk.
    Target(Target),
    /// Put the cursor in the clock's field.
    FocusClock,
}

/// The clock's field, for F2.
const CLOCK_FIELD: &str = "trainer-clock";

/// Where a fault made on the panel happens, in a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Here, at this desk.
    Here,
    /// At every desk of the class.
    Every,
    /// At this desk of the class.
    Desk(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Here => f.write_str(&fl!("trainer-class-here")),
            Target::Every => f.write_str(&fl!("trainer-class-every")),
            Target::Desk(desk) => f.write_str(desk),
        }
    }
}

/// The class this desk is in, as the panel follows it.
#[derive(Debug, Clone)]
pub struct Class {
    /// The class's desks, when the trainer may see them.
    pub view: Option<mitid_core::api::ClassView>,
    /// Where faults go.
    pub target: Target,
    /// Why the class cannot be followed or reached just now.
    pub problem: Option<String>,
    /// The last fault sent to the class, and to how many desks.
    pub sent: Option<(FaultKind, u64)>,
}

impl Class {
    /// Where faults can go: here, every desk, or one of the class's.
    pub fn targets(&self) -> Vec<Target> {
        let desks = self.view.iter().flat_map(|v| v.desks.iter().map(|d| Target::Desk(d.desk.clone())));
        [Target::Here, Target::Every].into_iter().chain(desks).collect()
    }
}

/// The one after `now` in `all`, round again after the last (the first
/// when `now` is not among them).
fn after<T: PartialEq + Clone>(all: &[T], now: &T) -> Option<T> {
    let at = all.iter().position(|t| t == now).map_or(0, |i| (i + 1) % all.len());
    all.get(at).cloned()
}

/// What the panel asks of the app.
#[derive(Debug, Clone)]
pub enum Event {
    /// Start this lesson (afresh).
    Start(Box<Lesson>),
    /// Move the clock on.
    Advance(SignedDuration),
    /// Set the clock (a jump).
    SetClock(Timestamp),
    /// Run the clock at this speed.
    Speed(f64),
    /// Make this go wrong now.
    Inject(FaultKind),
    /// Make this go wrong at a desk of the class (`None`: at every desk).
    SendToClass(Option<String>, FaultKind),
    /// Put this specimen on the demo reader.
    Specimen(Specimen),
    /// Put this person before the demo camera.
    Person(DemoPerson),
    /// Put a device right.
    Restore(Restore),
}

/// The panel's state.
#[derive(Debug, Default)]
pub struct Trainer {
    lessons: Vec<Listed>,
    chosen: Option<usize>,
    run: Option<Run>,
    clock_text: String,
    clock_problem: Option<String>,
    exported: Option<Result<PathBuf, String>>,
    /// Where exported logs go.
    log_dir: Option<PathBuf>,
    /// The last thing the app said, so a change is logged once.
    said: Option<String>,
    /// The class, when this desk is in one.
    class: Option<Class>,
}

impl Trainer {
    /// The panel with these lessons; logs are exported into `log_dir`.
    pub fn new(lessons: Vec<Listed>, log_dir: Option<PathBuf>) -> Self {
        Self { lessons, log_dir, ..Self::default() }
    }

    /// The lessons listed.
    pub fn lessons(&self) -> &[Listed] {
        &self.lessons
    }

    /// The lesson being run.
    pub fn run(&self) -> Option<&Run> {
        self.run.as_ref()
    }

    /// The lesson being run, to tell it what happened.
    pub fn run_mut(&mut self) -> Option<&mut Run> {
        self.run.as_mut()
    }

    /// The lesson with this id as the list offers it.
    pub fn pick(&self, id: &str) -> Option<Pick> {
        let index = self.lessons.iter().position(|l| l.id == id)?;
        Some(Pick { index, label: id.to_owned() })
    }

    /// The first lesson that can be used, to start with.
    pub fn first(&self) -> Option<Lesson> {
        self.lessons.iter().find_map(|l| l.lesson.as_ref().ok().cloned())
    }

    /// The lesson with this id, if it can be used.
    pub fn by_id(&self, id: &str) -> Option<Lesson> {
        self.lessons.iter().find(|l| l.id == id).and_then(|l| l.lesson.as_ref().ok().cloned())
    }

    /// This desk is in a class: the panel follows it.
    pub fn join_class(&mut self) {
        self.class = Some(Class { view: None, target: Target::Here, problem: None, sent: None });
    }

    /// The class as the panel follows it, when this desk is in one.
    pub fn class(&self) -> Option<&Class> {
        self.class.as_ref()
    }

    /// What the class said: its desks, or why they cannot be seen.
    pub fn heard(&mut self, view: Result<mitid_core::api::ClassView, String>) {
        let Some(class) = &mut self.class else { return };
        match view {
            Ok(view) => {
                // A desk gone from the class is no target any more.
                if let Target::Desk(desk) = &class.target
                    && !view.desks.iter().any(|d| &d.desk == desk)
                {
                    class.target = Target::Here;
                }
                class.view = Some(view);
                class.problem = None;
            }
            Err(why) => class.problem = Some(why),
        }
    }

    /// A fault was sent to the class (to how many desks), or why not.
    pub fn sent(&mut self, fault: FaultKind, result: Result<u64, String>) {
        let Some(class) = &mut self.class else { return };
        match result {
            Ok(count) => {
                class.sent = Some((fault, count));
                class.problem = None;
            }
            Err(why) => class.problem = Some(why),
        }
    }

    /// The app has started `lesson`: run it from the start.
    pub fn started(&mut self, lesson: Lesson) {
        self.chosen = self.lessons.iter().position(|l| l.id == lesson.lesson.id);
        self.run = Some(Run::new(lesson));
        self.said = None;
        self.exported = None;
    }

    /// Logs what the app says now, when it is new.
    pub fn said(&mut self, ran: SignedDuration, at: Timestamp, said: Option<String>) {
        if said == self.said {
            return;
        }
        if let (Some(run), Some(what)) = (&mut self.run, &said) {
            run.log.push(ran, at, EntryKind::Said, what.clone());
        }
        self.said = said;
    }

    /// Logs what happened: a change the trainer made, what the trainee
    /// did.
    pub fn note(&mut self, ran: SignedDuration, at: Timestamp, kind: EntryKind, what: String) {
        if let Some(run) = &mut self.run {
            run.log.push(ran, at, kind, what);
        }
    }

    /// The keyboard in the panel's window (the keys are on the buttons):
    /// A–P make their fault happen, F5 starts the lesson again, 1/2/3
    /// move the clock on 1/10/60 minutes, 0 speeds it up, F2 goes to the
    /// clock's field; Q and W change what the reader and the camera hold,
    /// R, U and S put the reader, the camera and the SMS right; T (in a
    /// class) changes where faults happen.
    pub fn key(&self, key: &iced::keyboard::Key, context: &Context) -> Option<Message> {
        use iced::keyboard::{Key, key::Named};
        match key.as_ref() {
            Key::Named(Named::F5) => return Some(Message::Reset),
            Key::Named(Named::F2) => return Some(Message::FocusClock),
            _ => {}
        }
        let Key::Character(c) = key.as_ref() else { return None };
        let letter = c.chars().next()?.to_ascii_lowercase();
        match letter {
            '1' => Some(Message::Advance(1)),
            '2' => Some(Message::Advance(10)),
            '3' => Some(Message::Advance(60)),
            '0' => {
                let at = Speed::ALL.iter().position(|s| s.0 >= context.speed).map_or(0, |i| (i + 1) % Speed::ALL.len());
                Some(Message::Speed(Speed::ALL[at]))
            }
            'q' => after(&Specimen::offered(context.devices.own.is_some()), &context.specimen).map(Message::Specimen),
            'w' => Some(Message::Person(match context.person {
                DemoPerson::Holder => DemoPerson::Stranger,
                DemoPerson::Stranger => DemoPerson::Holder,
            })),
            'r' => Some(Message::Restore(Restore::Reader)),
            'u' => Some(Message::Restore(Restore::Camera)),
            's' => Some(Message::Restore(Restore::Sms)),
            't' => {
                let class = self.class.as_ref()?;
                after(&class.targets(), &class.target).map(Message::Target)
            }
            _ => {
                let index = (letter as usize).checked_sub('a' as usize)?;
                FaultKind::ALL.get(index).copied().map(Message::Inject)
            }
        }
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Choose(pick) => {
                let lesson = self.lessons.get(pick.index).and_then(|l| l.lesson.as_ref().ok()).cloned();
                match lesson {
                    Some(lesson) => (Task::none(), Some(Event::Start(Box::new(lesson)))),
                    // A lesson that cannot be used stays chosen, to show why.
                    None => {
                        self.chosen = Some(pick.index);
                        (Task::none(), None)
                    }
                }
            }
            Message::Reset => {
                let lesson = self.run.as_ref().map(|r| r.lesson().clone());
                (Task::none(), lesson.map(|l| Event::Start(Box::new(l))))
            }
            Message::Advance(minutes) => (Task::none(), Some(Event::Advance(SignedDuration::from_mins(minutes)))),
            Message::ClockText(typed) => {
                self.clock_text = typed;
                self.clock_problem = None;
                (Task::none(), None)
            }
            Message::SetClock => match parse_local(&self.clock_text) {
                Some(at) => {
                    self.clock_problem = None;
                    (Task::none(), Some(Event::SetClock(at)))
                }
                None => {
                    self.clock_problem = Some(fl!("trainer-clock-invalid"));
                    (Task::none(), None)
                }
            },
            Message::Speed(speed) => (Task::none(), Some(Event::Speed(speed.0))),
            Message::Inject(kind) => {
                let event = match self.class.as_ref().map(|c| &c.target) {
                    Some(Target::Every) => Event::SendToClass(None, kind),
                    Some(Target::Desk(desk)) => Event::SendToClass(Some(desk.clone()), kind),
                    Some(Target::Here) | None => Event::Inject(kind),
                };
                (Task::none(), Some(event))
            }
            Message::Target(target) => {
                if let Some(class) = &mut self.class {
                    class.target = target;
                }
                (Task::none(), None)
            }
            Message::FocusClock => (operation::focus(CLOCK_FIELD), None),
            Message::Specimen(specimen) => (Task::none(), Some(Event::Specimen(specimen))),
            Message::Person(person) => (Task::none(), Some(Event::Person(person))),
            Message::Restore(what) => (Task::none(), Some(Event::Restore(what))),
            Message::Export(format) => {
                let Some(run) = &self.run else { return (Task::none(), None) };
                let Some(dir) = self.log_dir.clone() else {
                    self.exported = Some(Err(fl!("trainer-export-nowhere")));
                    return (Task::none(), None);
                };
                let zone = mitid_core::support_hours::COPENHAGEN.clone();
                let title = run.lesson().lesson.title.get(crate::i18n::current().tag()).to_owned();
                let (body, ext) = match format {
                    Format::Markdown => (run.log.to_markdown(&title, &zone), "md"),
                    Format::Csv => (run.log.to_csv(&zone), "csv"),
                };
                let stamp = zone.to_datetime(Timestamp::now()).strftime("%Y%m%d-%H%M%S").to_string();
                let path = dir.join(format!("{}-{stamp}.{ext}", run.lesson().lesson.id));
                let task = Task::perform(
                    async move {
                        tokio::task::spawn_blocking(move || {
                            std::fs::create_dir_all(&dir)
                                .and_then(|()| mitid_core::config::write_atomically(&path, body.as_bytes()))
                                .map(|()| path)
                                .map_err(|e| e.to_string())
                        })
                        .await
                        .unwrap_or_else(|e| Err(e.to_string()))
                    },
                    Message::Exported,
                );
                (task, None)
            }
            Message::Exported(result) => {
                match &result {
                    Ok(_) => tracing::info!("lesson log exported"),
                    Err(error) => tracing::warn!(%error, "lesson log not exported"),
                }
                self.exported = Some(result);
                (Task::none(), None)
            }
        }
    }

    /// Draws the panel.
    pub fn view(&self, context: &Context) -> Element<'_, Message> {
        let language = crate::i18n::current().tag();
        let picks: Vec<Pick> = self
            .lessons
            .iter()
            .enumerate()
            .map(|(index, l)| Pick {
                index,
                label: match &l.lesson {
                    Ok(lesson) => lesson.lesson.title.get(language).to_owned(),
                    Err(_) => fl!("trainer-lesson-broken", id = l.id.clone()),
                },
            })
            .collect();
        let chosen = self.chosen.and_then(|i| picks.get(i).cloned());
        let mut lesson_part = column![
            text(fl!("trainer-lesson")).font(theme::BOLD),
            row![
                pick_list(picks, chosen, Message::Choose).width(Length::Fill),
                button(text(fl!("trainer-reset"))).on_press_maybe(self.run.is_some().then_some(Message::Reset)),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        ]
        .spacing(6);
        match self.chosen.and_then(|i| self.lessons.get(i)) {
            Some(Listed { lesson: Err(problems), origin, .. }) => {
                if let Origin::Own(path) = origin {
                    lesson_part = lesson_part.push(text(path.display().to_string()).size(13));
                }
                for problem in problems {
                    lesson_part = lesson_part.push(
                        container(text(fl!(
                            "trainer-lesson-problem",
                            line = problem.line.to_string(),
                            reason = problem.reason.clone()
                        )))
                        .padding(6)
                        .width(Length::Fill)
                        .style(theme::problem_banner),
                    );
                }
            }
            _ => {
                if let Some(run) = &self.run {
                    lesson_part = lesson_part.push(text(run.lesson().lesson.goal.get(language).to_owned()).size(14));
                }
            }
        }

        let state = if context.open { fl!("trainer-support-open") } else { fl!("trainer-support-closed") };
        let clock_part = column![
            text(fl!("trainer-clock")).font(theme::BOLD),
            text(format!("{} · {state}", context.now.strftime("%a %Y-%m-%d %H:%M:%S"))).size(18).font(theme::MEDIUM),
            row![
                button(text(fl!("trainer-advance", minutes = "1"))).on_press(Message::Advance(1)),
                button(text(fl!("trainer-advance", minutes = "10"))).on_press(Message::Advance(10)),
                button(text(fl!("trainer-advance", minutes = "60"))).on_press(Message::Advance(60)),
                text(fl!("trainer-speed")),
                pick_list(Speed::ALL, Some(Speed(context.speed)), Message::Speed),
            ]
            .spacing(8)
            .align_y(Alignment::Center)
            .wrap(),
            row![
                text_input(&fl!("trainer-clock-placeholder"), &self.clock_text)
                    .id(CLOCK_FIELD)
                    .on_input(Message::ClockText)
                    .on_submit(Message::SetClock)
                    .width(220),
                button(text(fl!("trainer-clock-set"))).on_press(Message::SetClock),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        ]
        .spacing(6);
        let clock_part = match &self.clock_problem {
            Some(problem) => clock_part.push(text(problem.clone()).style(text::danger)),
            None => clock_part,
        };

        let faults = FaultKind::ALL.iter().enumerate().fold(row![].spacing(6), |r, (i, kind)| {
            let letter = char::from(b'A' + u8::try_from(i).unwrap_or(0));
            r.push(button(text(format!("{letter} · {}", fault_text(*kind))).size(14)).on_press(Message::Inject(*kind)))
        });
        let mut faults_part = column![text(fl!("trainer-faults")).font(theme::BOLD)].spacing(6);
        if let Some(class) = &self.class {
            faults_part = faults_part.push(
                row![
                    text(fl!("trainer-class-target")),
                    pick_list(class.targets(), Some(class.target.clone()), Message::Target)
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
        }
        let faults_part = faults_part.push(faults.wrap().vertical_spacing(6));
        let class_part = self.class.as_ref().map(class_view);

        let d = &context.devices;
        let reader_state = if !d.pcsc_running {
            fl!("trainer-reader-service-stopped")
        } else if !d.plugged {
            fl!("trainer-reader-unplugged")
        } else if !d.document {
            fl!("trainer-reader-empty")
        } else {
            fl!("trainer-reader-ready")
        };
        let devices_part = column![
            text(fl!("trainer-devices")).font(theme::BOLD),
            row![
                text(fl!("trainer-reader-holds")),
                pick_list(Specimen::offered(d.own.is_some()), Some(context.specimen), Message::Specimen),
                text(reader_state).size(14),
                button(text(fl!("trainer-restore-reader"))).on_press(Message::Restore(Restore::Reader)),
            ]
            .spacing(8)
            .align_y(Alignment::Center)
            .wrap(),
            match &d.own {
                // The trainer reads it out, or prints it for the trainee
                // to type.
                Some(own) => Element::from(
                    column![
                        text(fl!("trainer-document-mrz")).size(14),
                        text(own.mrz_lines()).font(iced::Font::MONOSPACE).size(14),
                    ]
                    .spacing(2),
                ),
                None => Space::new().into(),
            },
            row![
                text(fl!("trainer-camera-shows")),
                pick_list([DemoPerson::Holder, DemoPerson::Stranger], Some(context.person), Message::Person),
                button(text(fl!("trainer-restore-camera"))).on_press(Message::Restore(Restore::Camera)),
                button(text(fl!("trainer-restore-sms"))).on_press(Message::Restore(Restore::Sms)),
            ]
            .spacing(8)
            .align_y(Alignment::Center)
            .wrap(),
        ]
        .spacing(6);

        let position = &context.position;
        let last = self.run.as_ref().and_then(|r| r.log.last(EntryKind::Action)).map(|e| e.what.clone());
        let trainee_part = column![
            text(fl!("trainer-trainee")).font(theme::BOLD),
            text(fl!(
                "trainer-trainee-at",
                screen = position.screen.clone(),
                step = position.step.clone(),
                action = last.unwrap_or_else(|| "—".to_owned())
            )),
        ]
        .spacing(6);

        let mut log = column![].spacing(2);
        if let Some(run) = &self.run {
            let zone = mitid_core::support_hours::COPENHAGEN.clone();
            for entry in run.log.entries().iter().rev().take(40) {
                log = log.push(
                    text(format!(
                        "{:>7}  {}  {:<6}  {}",
                        lesson::elapsed(entry.ran),
                        zone.to_datetime(entry.at).strftime("%H:%M:%S"),
                        entry.kind.name(),
                        entry.what
                    ))
                    .size(13)
                    .font(iced::Font::MONOSPACE),
                );
            }
        }
        let mut log_part = column![
            row![
                text(fl!("trainer-log")).font(theme::BOLD),
                Space::new().width(Length::Fill),
                button(text(fl!("trainer-export-markdown"))).on_press(Message::Export(Format::Markdown)),
                button(text(fl!("trainer-export-csv"))).on_press(Message::Export(Format::Csv)),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        ]
        .spacing(6);
        match &self.exported {
            Some(Ok(path)) => {
                log_part = log_part.push(text(fl!("trainer-exported", path = path.display().to_string())))
            }
            Some(Err(why)) => {
                log_part = log_part.push(text(fl!("trainer-export-failed", detail = why.clone())).style(text::danger))
            }
            None => {}
        }
        let log_part = log_part.push(
            container(scrollable(log).height(220).width(Length::Fill))
                .padding(6)
                .width(Length::Fill)
                .style(theme::card),
        );

        let body = column![
            container(text(fl!("trainer-title")).font(theme::BOLD))
                .padding([8, 16])
                .width(Length::Fill)
                .style(theme::demo_banner),
            text(fl!("trainer-keys")).size(13),
            lesson_part,
            clock_part,
            faults_part,
            devices_part,
            trainee_part,
        ]
        .push(class_part)
        .push(log_part)
        .spacing(14)
        .padding(16);
        scrollable(body).into()
    }
}

/// The class: each desk, where it is and when it last said.
fn class_view(class: &Class) -> Element<'_, Message> {
    let lesson = class.view.as_ref().and_then(|v| v.lesson.clone()).unwrap_or_else(|| "—".to_owned());
    let mut part = column![text(fl!("trainer-class", lesson = lesson)).font(theme::BOLD)].spacing(4);
    match class.view.as_ref().map(|v| v.desks.as_slice()) {
        None | Some([]) => part = part.push(text(fl!("trainer-class-empty")).size(14)),
        Some(desks) => {
            for desk in desks {
                let who = match &desk.name {
                    Some(name) => format!("{} ({name})", desk.desk),
                    None => desk.desk.clone(),
                };
                part = part.push(
                    text(fl!(
                        "trainer-class-desk",
                        desk = who,
                        screen = desk.report.screen.clone(),
                        step = desk.report.step.clone(),
                        action = desk.report.last_action.clone().unwrap_or_else(|| "—".to_owned()),
                        seconds = desk.seen_seconds_ago.to_string(),
                        waiting = desk.waiting
                    ))
                    .size(14),
                );
            }
        }
    }
    if let Some((fault, count)) = &class.sent {
        part = part.push(text(fl!("trainer-class-sent", fault = fault_text(*fault), desks = (*count))).size(14));
    }
    if let Some(problem) = &class.problem {
        part = part.push(text(fl!("trainer-class-problem", detail = problem.clone())).style(text::danger).size(14));
    }
    part.into()
}

/// A fault's name on the panel.
pub fn fault_text(kind: FaultKind) -> String {
    match kind {
        FaultKind::CardSlips => fl!("fault-card-slips"),
        FaultKind::DocumentTaken => fl!("fault-document-taken"),
        FaultKind::ReaderUnplugged => fl!("fault-reader-unplugged"),
        FaultKind::PcscStopped => fl!("fault-pcsc-stopped"),
        FaultKind::ChipTimeout => fl!("fault-chip-timeout"),
        FaultKind::ChipGarbage => fl!("fault-chip-garbage"),
        FaultKind::AccessDenied => fl!("fault-access-denied"),
        FaultKind::SupportCloses => fl!("fault-support-closes"),
        FaultKind::NoSms => fl!("fault-no-sms"),
        FaultKind::CameraLost => fl!("fault-camera-lost"),
        FaultKind::CameraBusy => fl!("fault-camera-busy"),
        FaultKind::CameraDark => fl!("fault-camera-dark"),
        FaultKind::SomeoneElse => fl!("fault-someone-else"),
        FaultKind::ServiceDown => fl!("fault-service-down"),
        FaultKind::ServiceSlow => fl!("fault-service-slow"),
        FaultKind::ServiceUp => fl!("fault-service-up"),
    }
}

/// `2026-11-24 19:58` (or with seconds, or `T`) in Copenhagen.
fn parse_local(typed: &str) -> Option<Timestamp> {
    let typed = typed.trim().replace('T', " ");
    let formats = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"];
    formats.iter().find_map(|f| {
        let dt = jiff::civil::DateTime::strptime(f, &typed).ok()?;
        mitid_core::support_hours::COPENHAGEN.to_timestamp(dt).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_time_is_read_in_copenhagen_and_nonsense_is_refused() {
        let at = parse_local("2026-11-24 19:58").unwrap();
        assert_eq!(at.to_string(), "2026-11-24T18:58:00Z");
        assert_eq!(parse_local(" 2026-11-24T19:58:30 ").unwrap().to_string(), "2026-11-24T18:58:30Z");
        assert_eq!(parse_local("tomorrow"), None);
        assert_eq!(parse_local("2026-13-40 25:00"), None);
    }

    #[test]
    fn the_panel_lists_shipped_lessons_then_the_trainers_own_with_their_problems() {
        let dir = tempfile::tempdir().unwrap();
        let (id, text) = lesson::SHIPPED[0];
        std::fs::write(dir.path().join("mine.toml"), text.replace(&format!("id = \"{id}\""), "id = \"mine\"")).unwrap();
        std::fs::write(dir.path().join("broken.toml"), "[lesson]\nid = 3\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a lesson").unwrap();
        std::fs::write(dir.path().join("binary.toml"), [0xff, 0xfe, 0x00]).unwrap();
        let listed = lessons(Some(dir.path()));
        assert_eq!(listed.len(), lesson::SHIPPED.len() + 3);
        let own: Vec<_> = listed.iter().filter(|l| l.origin != Origin::Shipped).map(|l| l.id.as_str()).collect();
        assert_eq!(own, ["binary", "broken", "mine"]);
        let broken = listed.iter().find(|l| l.id == "broken").unwrap();
        assert_eq!(broken.lesson.as_ref().unwrap_err()[0].line, 2);
        assert!(listed.iter().find(|l| l.id == "binary").unwrap().lesson.is_err());
        assert!(listed.iter().find(|l| l.id == "mine").unwrap().lesson.is_ok());
        let trainer = Trainer::new(listed, None);
        assert_eq!(trainer.first().unwrap().lesson.id, lesson::SHIPPED[0].0);
        assert!(trainer.by_id("broken").is_none() && trainer.by_id("mine").is_some());
    }

    #[test]
    fn letters_on_the_panel_make_their_faults_happen() {
        let trainer = Trainer::default();
        let context = Context {
            now: jiff::civil::date(2026, 11, 24).at(10, 0, 0, 0),
            open: true,
            speed: 1.0,
            position: Position::default(),
            specimen: Specimen::Passport,
            person: DemoPerson::Holder,
            devices: lesson::DeviceState::default(),
        };
        let key = |c: &str| trainer.key(&iced::keyboard::Key::Character(c.into()), &context);
        assert!(matches!(key("a"), Some(Message::Inject(FaultKind::CardSlips))));
        assert!(matches!(key("H"), Some(Message::Inject(FaultKind::SupportCloses))));
        assert!(matches!(key("p"), Some(Message::Inject(FaultKind::ServiceUp))));
        assert!(matches!(key("1"), Some(Message::Advance(1))) && matches!(key("3"), Some(Message::Advance(60))));
        assert!(matches!(key("0"), Some(Message::Speed(Speed(2.0)))));
        assert!(matches!(key("q"), Some(Message::Specimen(Specimen::IdCard))));
        assert!(key("t").is_none() && key("z").is_none() && key("9").is_none(), "T only in a class");
        let f5 = trainer.key(&iced::keyboard::Key::Named(iced::keyboard::key::Named::F5), &context);
        assert!(matches!(f5, Some(Message::Reset)));
    }
}
