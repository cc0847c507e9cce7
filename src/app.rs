//! The root of the UI: holds the screens and routes messages to them, draws
//! the frame around them (header, banners, status bar), keeps the support
//! status current and remembers the window.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use iced::keyboard::{self, Key, Modifiers, key::Named};
use iced::widget::text::Wrapping;
use iced::widget::{Space, button, column, container, row, scrollable, text};
use iced::{Alignment, Length, Point, Size, Subscription, Task, Theme, event, window};
use jiff::{SignedDuration, Timestamp};
use mitid_core::Clock;
use mitid_core::config::{Language, ThemePreference, UiState, WindowGeometry};
use mitid_core::support_hours::{SupportHours, SupportStatus};
use mitid_emrtd::transport::TransportError;

use crate::screen::{ScreenId, audit, callers, citizen, enrollment, sign_in, trainer, trust};
use crate::service::DeskHandle;
use crate::widget::{Element, status_bar};
use crate::{fl, i18n, theme};

/// Everything the app is started with.
#[derive(Debug, Clone)]
pub struct Options {
    /// Demo mode for trainers.
    pub demo: bool,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// MitID Support's hours.
    pub hours: SupportHours,
    /// Where remembered state is written; `None` remembers nothing (tests).
    pub data_dir: Option<PathBuf>,
    /// What was remembered from the last run.
    pub state: UiState,
    /// The language to use when the user has not chosen one.
    pub language: Language,
    /// The theme to use when the user has not chosen one.
    pub theme: ThemePreference,
    /// Why the configuration file was not used, if it was not.
    pub config_error: Option<String>,
    /// When the process started, to log how long the first frame took.
    pub started: Option<std::time::Instant>,
    /// Where the caller register comes from.
    pub desk: DeskSource,
    /// Face comparison: the score bands, the models.
    pub face: mitid_core::config::FaceConfig,
    /// Trainer mode: lessons, the trainer's panel and the clock it moves
    /// (demo mode only).
    pub trainer: Option<TrainerSetup>,
}

/// What trainer mode starts with.
#[derive(Debug, Clone)]
pub struct TrainerSetup {
    /// The lesson's clock, which the panel sets, moves and speeds up.
    pub clock: Arc<mitid_core::SimulatedClock>,
    /// The clock was set on the command line: the first lesson keeps it.
    pub keep_clock: bool,
    /// The trainer's own lessons (`lessons/` in the data folder).
    pub lessons_dir: Option<PathBuf>,
    /// Where lesson logs are exported.
    pub log_dir: Option<PathBuf>,
    /// The lesson to start with (its id), else the first.
    pub lesson: Option<String>,
    /// Open the panel's window at start.
    pub open_panel: bool,
}

/// Where the app gets its desk (caller register, P-codes, audit log).
#[derive(Debug, Clone)]
pub enum DeskSource {
    /// No desk (UI tests of screens that do not need one).
    None,
    /// An open desk (tests).
    Ready(DeskHandle),
    /// Open this at start-up, off the UI thread (the keyring may take a
    /// while, or ask the user to unlock it).
    Open {
        /// The data dir with desk.sqlite.
        data_dir: PathBuf,
        /// Demo mode (the key is a file then).
        demo: bool,
        /// The desk configuration.
        config: mitid_core::desk::DeskConfig,
        /// The site's shared service, when the desk works with one.
        server: Option<mitid_core::config::ServerLink>,
    },
}

/// The desk as the app has it.
#[derive(Debug, Clone)]
enum DeskState {
    /// Not opened (yet).
    Opening,
    /// Ready.
    Ready(DeskHandle),
    /// Could not be opened; the text says why (translated where possible).
    Unavailable(String),
    /// Waits for someone to sign in to the shared service.
    SignIn,
}

/// The app's state.
#[derive(Debug)]
pub struct App {
    options: Options,
    current: ScreenId,
    callers: callers::Callers,
    enrollment: enrollment::Enrollment,
    audit: audit::Audit,
    trust: trust::Trust,
    status: SupportStatus,
    /// The shared service's connection and outbox, when the desk uses one.
    connection: Option<mitid_remote::Status>,
    /// Who is signed in to the shared service, where staff sign in.
    sign_in: sign_in::SignIn,
    language: Language,
    theme: ThemePreference,
    geometry: WindowGeometry,
    geometry_dirty: bool,
    focus: Option<usize>,
    first_frame_seen: bool,
    desk: DeskState,
    /// Frames drawn while a chip is read (and the one showing its result).
    read_frames: Option<FrameWatch>,
    /// The first camera frame's time and how many came, until a picture.
    camera_frames: Option<(std::time::Duration, u32)>,
    /// The citizen's screen.
    citizen: citizen::Citizen,
    /// The agent's window, once opened.
    main_window: Option<window::Id>,
    /// The window turned to the citizen, while open.
    citizen_window: Option<window::Id>,
    /// The demo devices (what the trainer makes go wrong).
    devices: mitid_core::lesson::Devices,
    /// The trainer's panel, in trainer mode.
    trainer: Option<trainer::Trainer>,
    /// The panel's window, while open.
    trainer_window: Option<window::Id>,
    /// When the first lesson was ready, once it was (for the log).
    lesson_ready_logged: bool,
    /// When the lesson was last started or reset, until the window has
    /// drawn it (for the log).
    reset_at: Option<std::time::Instant>,
    /// Steps of a lesson the trainee reached that no state shows (the
    /// read reaching the photo), until the lesson hears of them.
    reached: Vec<mitid_core::lesson::Step>,
    /// In a class: the class's lesson as last heard, so a change of it
    /// starts it here once.
    class_lesson: Option<String>,
    /// A report to the class is on its way: the next waits for its answer
    /// (a slow or absent service never piles them up).
    class_asking: bool,
}

/// Frame times while a chip is read: the UI must stay responsive.
#[derive(Debug, Default)]
struct FrameWatch {
    last: Option<std::time::Instant>,
    count: u32,
    longest_ms: f64,
    /// The read has ended: log once the result is drawn, and stop.
    ended: bool,
    /// Frames since the end.
    after_end: u32,
}

/// What can happen in the app.
#[derive(Debug, Clone)]
pub enum Message {
    /// Show a screen.
    Navigate(ScreenId),
    /// For the callers screen.
    Callers(callers::Message),
    /// For the enrollment screen.
    Enrollment(enrollment::Message),
    /// For the audit screen.
    Audit(audit::Message),
    /// For the trust screen.
    Trust(trust::Message),
    /// Time to look at the clock again.
    Tick,
    /// Switch to the other language.
    ToggleLanguage,
    /// Next theme: system → light → dark.
    CycleTheme,
    /// A key nobody else handled.
    Key(Key, Modifiers),
    /// A key nobody else handled, in this window.
    KeyIn(window::Id, Key, Modifiers),
    /// A window moved.
    Moved(window::Id, Point),
    /// A window was resized.
    Resized(window::Id, Size),
    /// For the citizen's screen.
    Citizen(citizen::Message),
    /// Open the citizen's window, or close it.
    ToggleCitizenWindow,
    /// A window has opened.
    Opened(window::Id),
    /// The user closes the window.
    CloseRequested(window::Id),
    /// Write the remembered state now.
    SaveState,
    /// A save finished (errors are logged, never fatal).
    Saved,
    /// The window is being drawn for the first time.
    FirstFrame,
    /// A frame was drawn while a chip is being read.
    ReadFrame(std::time::Instant),
    /// The desk was opened, or why not.
    DeskOpened(Result<DeskHandle, String>),
    /// For the sign-in to the shared service.
    SignIn(sign_in::Message),
    /// Try opening the desk again.
    RetryDesk,
    /// Ask the shared service whether it is there (and deliver the outbox).
    Ping,
    /// The shared service answered, or not.
    Pinged,
    /// Remember where the window is and stop.
    Quit(Option<Point>),
    /// For the trainer's panel.
    Trainer(trainer::Message),
    /// Open the trainer's panel, or close it.
    ToggleTrainerWindow,
    /// A frame was drawn after a lesson's reset.
    ResetDrawn(std::time::Instant),
    /// The lesson's callers are in the directory (how many were added),
    /// or why not.
    LessonPreloaded(Result<usize, String>),
    /// Time for a desk of a class to tell the class where it is.
    ClassTick,
    /// The class answered: its lesson, clock and faults for this desk,
    /// and (for the panel, while open) its desks; or why not.
    ClassHeard(Result<mitid_core::api::ClassOrders, String>, Option<Result<mitid_core::api::ClassView, String>>),
    /// A fault was sent to the class (to how many desks), or why not.
    ClassSent(mitid_core::lesson::FaultKind, Result<u64, String>),
    /// The class's clock was set, or why not.
    ClassClockSet(Result<(), String>),
}

/// What a screen is for, as the shared service's roles see it.
fn screen_operation(screen: ScreenId) -> mitid_core::roles::Operation {
    use mitid_core::roles::Operation;
    match screen {
        ScreenId::Callers => Operation::ReadCallers,
        ScreenId::Enrollment => Operation::Cases,
        ScreenId::Audit => Operation::ReadAudit,
        ScreenId::Trust => Operation::ReadTrust,
    }
}

/// How often a desk of a class tells the class where it is.
const CLASS_EVERY: Duration = Duration::from_secs(2);

/// How many header buttons come before a screen's own in the Tab order.
const HEADER_FOCUSABLES: usize = ScreenId::ALL.len() + 4;

impl App {
    /// The app as it starts.
    pub fn new(mut options: Options) -> Self {
        let language = options.state.language.unwrap_or(options.language);
        i18n::set_language(language);
        let devices = mitid_core::lesson::Devices::default();
        // Trainer mode is demo mode's: the panel's clock is the app's.
        if !options.demo {
            options.trainer = None;
        }
        if let Some(setup) = &options.trainer {
            options.clock = setup.clock.clone();
        }
        let trainer = options
            .trainer
            .as_ref()
            .map(|setup| trainer::Trainer::new(trainer::lessons(setup.lessons_dir.as_deref()), setup.log_dir.clone()));
        let status = options.hours.status(options.clock.now());
        let mut app = Self {
            current: ScreenId::Callers,
            callers: callers::Callers::default(),
            enrollment: enrollment::Enrollment::new(options.demo)
                .with_devices(devices.clone())
                .preferring(options.state.reader.clone())
                .with_face(
                    options.face.models.clone().unwrap_or_else(mitid_face::models::default_dir),
                    mitid_face::Thresholds { strong: options.face.strong, weak: options.face.weak },
                )
                .preferring_webcam(crate::screen::enrollment::face::WebcamChoice {
                    camera: options.state.camera.clone(),
                    size: options.state.camera_size,
                }),
            audit: audit::Audit::default(),
            trust: if options.demo { trust::Trust::default().with_demo_csca() } else { trust::Trust::default() },
            status,
            connection: None,
            sign_in: match &options.desk {
                DeskSource::Open { data_dir, config, server: Some(server), .. } => {
                    sign_in::SignIn::for_site(sign_in::Site {
                        server: server.clone(),
                        desk: config.agent_id(),
                        data_dir: data_dir.clone(),
                        keyring: config.key_store,
                        browser: true,
                    })
                }
                _ => sign_in::SignIn::default(),
            },
            language,
            theme: options.state.theme.unwrap_or(options.theme),
            geometry: options.state.window,
            geometry_dirty: false,
            focus: None,
            first_frame_seen: false,
            read_frames: None,
            camera_frames: None,
            citizen: citizen::Citizen::default(),
            main_window: None,
            citizen_window: None,
            devices,
            trainer,
            trainer_window: None,
            lesson_ready_logged: false,
            reached: Vec::new(),
            reset_at: None,
            class_lesson: None,
            class_asking: false,
            desk: match &options.desk {
                DeskSource::Ready(handle) => DeskState::Ready(handle.clone()),
                DeskSource::None => DeskState::Unavailable(String::new()),
                DeskSource::Open { .. } => DeskState::Opening,
            },
            options,
        };
        if app.in_class()
            && let Some(trainer) = &mut app.trainer
        {
            trainer.join_class();
        }
        // Demo mode opens ready to teach: the first lesson loaded.
        let first = app.trainer.as_ref().and_then(|t| {
            let wanted = app.options.trainer.as_ref().and_then(|s| s.lesson.clone());
            let found = wanted.as_deref().and_then(|id| t.by_id(id));
            if let (Some(id), None) = (&wanted, &found) {
                tracing::warn!(lesson = id, "no such lesson that can be used: starting with the first");
            }
            found.or_else(|| t.first())
        });
        if let Some(lesson) = first {
            let keep = app.options.trainer.as_ref().is_some_and(|s| s.keep_clock);
            // The desk is not open yet: its callers come once it is.
            let _ = app.start_lesson(lesson, keep);
        }
        app
    }

    /// The app as it starts: the agent's window opens at its remembered
    /// place, and the desk opens off the UI thread.
    pub fn boot(options: Options) -> (Self, Task<Message>) {
        let mut app = Self::new(options);
        let (id, opened) = window::open(window_settings(app.options.state.window));
        app.main_window = Some(id);
        let mut tasks = vec![opened.map(Message::Opened), app.open_desk()];
        if app.options.trainer.as_ref().is_some_and(|s| s.open_panel) {
            tasks.push(app.update(Message::ToggleTrainerWindow));
        }
        (app, Task::batch(tasks))
    }

    fn open_desk(&self) -> Task<Message> {
        let DeskSource::Open { data_dir, demo, config, server } = self.options.desk.clone() else {
            return Task::none();
        };
        let (hours, clock) = (self.options.hours.clone(), self.options.clock.clone());
        if server.is_some() {
            return self.sign_in.open().map(Message::SignIn);
        }
        Task::perform(
            async move {
                let opened = tokio::task::spawn_blocking(move || {
                    let key_store = mitid_core::desk::Desk::key_store(&data_dir, demo, config.key_store);
                    let mut desk = mitid_core::desk::Desk::open(&data_dir, &key_store, hours, clock, &config)?;
                    if demo {
                        tracing::warn!("demo mode: the P-code key is a file in the demo data folder, not in a keyring");
                        seed_demo_callers(&mut desk)?;
                    }
                    Ok::<_, mitid_core::desk::DeskError>(desk)
                })
                .await;
                match opened {
                    Ok(Ok(desk)) => Ok(DeskHandle::new(desk)),
                    Ok(Err(error)) => Err(error.to_string()),
                    Err(error) => Err(error.to_string()),
                }
            },
            Message::DeskOpened,
        )
    }

    /// The callers screen's state.
    pub fn callers(&self) -> &callers::Callers {
        &self.callers
    }

    /// The audit screen's state.
    pub fn audit(&self) -> &audit::Audit {
        &self.audit
    }

    /// The trust screen's state.
    pub fn trust(&self) -> &trust::Trust {
        &self.trust
    }

    /// Runs desk work off the UI thread; its answer comes back as a message,
    /// or `failed` with the reason when there is no desk.
    fn desk_work(
        &self,
        work: impl FnOnce(&mut dyn mitid_core::service::DeskService) -> Message + Send + 'static,
        failed: impl FnOnce(String) -> Message + Send + 'static,
    ) -> Task<Message> {
        match &self.desk {
            DeskState::Ready(handle) => {
                Task::perform(handle.clone().run(work), move |result| result.unwrap_or_else(failed))
            }
            DeskState::Opening => Task::done(failed(fl!("desk-opening"))),
            DeskState::Unavailable(why) => Task::done(failed(fl!("desk-unavailable", detail = why.clone()))),
            DeskState::SignIn => Task::done(failed(fl!("sign-in-first"))),
        }
    }

    /// The desk is open: show the service's hours, watch its connection.
    fn desk_ready(&mut self, handle: DeskHandle) {
        tracing::info!(shared = handle.connection().is_some(), "caller register open");
        let handle = if self.options.demo { handle.simulating(self.devices.clone()) } else { handle };
        if let Some(hours) = handle.service_hours() {
            // The hours the service enforces are the ones to show.
            self.options.hours = hours.clone();
            self.refresh_status();
        }
        self.connection = handle.connection();
        self.desk = DeskState::Ready(handle);
        self.log_lesson_ready();
    }

    /// Logs, once, when demo mode is ready to teach: the window drawn, the
    /// directory open, the first lesson loaded.
    fn log_lesson_ready(&mut self) {
        if self.lesson_ready_logged || !self.first_frame_seen || !matches!(self.desk, DeskState::Ready(_)) {
            return;
        }
        if let Some(run) = self.trainer.as_ref().and_then(|t| t.run()) {
            self.lesson_ready_logged = true;
            let ms = self.options.started.map(|s| s.elapsed().as_secs_f64() * 1000.0);
            tracing::info!(lesson = run.lesson().lesson.id, ms, "first lesson ready");
        }
    }

    /// What the signed-in person may do on the Callers screen.
    fn callers_allowed(&self) -> callers::Allowed {
        use mitid_core::roles::{Operation, Role};
        let may = |operation| self.sign_in.allows(operation);
        let needs: Vec<Role> = Operation::IssuePcode.roles().iter().copied().filter(|r| *r != Role::Trainer).collect();
        callers::Allowed {
            write: may(Operation::WriteCallers),
            issue: may(Operation::IssuePcode),
            revoke: may(Operation::RevokePcode),
            merge_delete: may(Operation::MergeOrDelete),
            issue_needs: Some(sign_in::roles_text(&needs)),
        }
    }

    /// The sign-in's state.
    pub fn sign_in(&self) -> &sign_in::SignIn {
        &self.sign_in
    }

    /// Does what the enrollment screen asked for, off the UI thread.
    fn enrollment_work(&mut self, event: enrollment::Event) -> Task<Message> {
        match event {
            enrollment::Event::Batch(events) => {
                Task::batch(events.into_iter().map(|event| self.enrollment_work(event)).collect::<Vec<_>>())
            }
            enrollment::Event::Case(case, request) => {
                if matches!(request, enrollment::CaseRequest::Close { .. }) {
                    // The next person chooses their own language.
                    self.citizen.forget();
                }
                let reply = move |answer| {
                    Message::Enrollment(enrollment::Message::Reply(case, enrollment::Reply::Case(answer)))
                };
                self.desk_work(
                    move |desk| reply(request.perform(desk)),
                    move |why| reply(enrollment::CaseAnswer::Failed(why)),
                )
            }
            enrollment::Event::Focus(target) => {
                if let Some(at) = self.enrollment.focusables().iter().position(|t| *t == target) {
                    self.focus = Some(HEADER_FOCUSABLES + at);
                }
                // The ring has the keyboard now, not a text field.
                iced::advanced::widget::operate(iced::advanced::widget::operation::focusable::unfocus())
            }
            enrollment::Event::CompareFace { case, chip, frame, models, thresholds } => Task::perform(
                async move {
                    tokio::task::spawn_blocking(move || {
                        crate::camera::engine(&models).and_then(|engine| {
                            crate::screen::enrollment::face::compare(&engine, &chip, &frame, thresholds)
                        })
                    })
                    .await
                    .unwrap_or_else(|e| Err(crate::camera::Problem::Failed(e.to_string())))
                },
                move |result| {
                    Message::Enrollment(enrollment::Message::Reply(case, enrollment::Reply::Compared(result)))
                },
            ),
            // The screen holds the choice; the state file is written from it.
            enrollment::Event::RememberReader(_) | enrollment::Event::RememberCamera => self.save(),
            enrollment::Event::ListReaders => {
                let demo = self.options.demo.then(|| self.devices.clone());
                Task::perform(
                    async move { tokio::task::spawn_blocking(move || crate::chip_read::readers(demo.as_ref())).await },
                    |found| {
                        let found = found.unwrap_or_else(|e| Err(TransportError::Other(e.to_string())));
                        Message::Enrollment(enrollment::Message::Chip(enrollment::chip::Message::Readers(found)))
                    },
                )
            }
            enrollment::Event::Read { case, source, secret, cancel } => {
                self.read_frames = Some(FrameWatch::default());
                let request = crate::chip_read::Request {
                    source,
                    secret,
                    desk: match &self.desk {
                        DeskState::Ready(handle) => Some(handle.clone()),
                        _ => None,
                    },
                    demo: self.options.demo,
                    devices: self.devices.clone(),
                    now: crate::chip_read::utc_time(self.options.clock.now()),
                    cancel,
                };
                Task::run(crate::chip_read::read(request), move |report| {
                    Message::Enrollment(enrollment::Message::Reply(case, enrollment::Reply::Report(report)))
                })
            }
        }
    }

    /// The agent's window's title.
    pub fn title(&self) -> String {
        if self.options.demo { format!("{} — DEMO", fl!("app-title")) } else { fl!("app-title") }
    }

    /// A window's title.
    pub fn window_title(&self, id: window::Id) -> String {
        if Some(id) == self.citizen_window {
            citizen::Citizen::title(self.citizen_language())
        } else if Some(id) == self.trainer_window {
            fl!("trainer-title")
        } else {
            self.title()
        }
    }

    /// The theme; `None` follows the desktop.
    pub fn theme(&self) -> Option<Theme> {
        theme::for_preference(self.theme)
    }

    /// A window's theme: the same in both.
    pub fn window_theme(&self, _id: window::Id) -> Option<Theme> {
        self.theme()
    }

    /// The language the citizen's screen speaks: as chosen for this
    /// person, else their nationality's.
    pub fn citizen_language(&self) -> mitid_core::config::CitizenLanguage {
        let suggested =
            self.enrollment.nationality().and_then(|code| mitid_core::config::CitizenLanguage::for_nationality(&code));
        self.citizen.language(suggested)
    }

    /// Whether the citizen's window is open.
    pub fn citizen_window_open(&self) -> bool {
        self.citizen_window.is_some()
    }

    /// The screen shown.
    pub fn current(&self) -> ScreenId {
        self.current
    }

    /// The language texts are in.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The chosen theme.
    pub fn theme_preference(&self) -> ThemePreference {
        self.theme
    }

    /// The support status on screen.
    pub fn status(&self) -> &SupportStatus {
        &self.status
    }

    /// The enrollment screen's state.
    pub fn enrollment(&self) -> &enrollment::Enrollment {
        &self.enrollment
    }

    /// The index into [`Self::focusables`] that has the keyboard focus.
    pub fn focus(&self) -> Option<usize> {
        self.focus
    }

    /// The remembered window geometry.
    pub fn geometry(&self) -> WindowGeometry {
        self.geometry
    }

    /// The instant the status bar must be redrawn next: when Support opens
    /// or closes, or the next minute for the clock it shows.
    pub fn next_wake(&self) -> Timestamp {
        let now = self.status.at;
        let into_minute = now.as_second().rem_euclid(60);
        let next_minute = Timestamp::from_second(now.as_second() - into_minute + 60).unwrap_or(Timestamp::MAX);
        self.status.next_change.map_or(next_minute, |change| change.min(next_minute))
    }

    /// Everything Tab can reach, in order, as the message Enter sends.
    pub fn focusables(&self) -> Vec<Message> {
        let mut targets: Vec<Message> = ScreenId::ALL.iter().map(|s| Message::Navigate(*s)).collect();
        targets.push(Message::ToggleLanguage);
        targets.push(Message::CycleTheme);
        targets.push(Message::ToggleCitizenWindow);
        targets.push(Message::Citizen(citizen::Message::NextLanguage(self.citizen_language())));
        match self.current {
            ScreenId::Callers => targets.extend(self.callers.focusables().into_iter().map(Message::Callers)),
            ScreenId::Enrollment => targets.extend(self.enrollment.focusables().into_iter().map(Message::Enrollment)),
            ScreenId::Audit => targets.extend(self.audit.focusables().into_iter().map(Message::Audit)),
            ScreenId::Trust => targets.extend(self.trust.focusables().into_iter().map(Message::Trust)),
        }
        targets
    }

    /// Handles a message; in trainer mode the lesson hears what the
    /// trainee did and where they are, and what comes due of it happens.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        if self.trainer.is_none() {
            return self.handle(message);
        }
        if let Some(action) = trainee_action(&message) {
            self.note(mitid_core::lesson::EntryKind::Action, action);
        }
        let task = self.handle(message);
        let lesson = self.follow_lesson();
        Task::batch([task, lesson])
    }

    fn handle(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Navigate(screen) => {
                self.current = screen;
                tracing::info!(screen = ?screen, "screen shown");
                self.clamp_focus();
                if screen == ScreenId::Audit && matches!(self.desk, DeskState::Ready(_)) {
                    // The log moves on while other screens work: list it afresh.
                    return self.update(Message::Audit(audit::Message::Refresh));
                }
                if screen == ScreenId::Trust {
                    return self.update(Message::Trust(trust::Message::Refresh));
                }
                if screen == ScreenId::Enrollment {
                    return self.enrollment.on_show().map(Message::Enrollment);
                }
                Task::none()
            }
            Message::Callers(message) => {
                let today = self.options.hours.local(self.status.at).date();
                let (task, event) = self.callers.update(message, today);
                let task = task.map(Message::Callers);
                self.clamp_focus();
                match event {
                    Some(callers::Event::Desk(request)) => {
                        let work = self.desk_work(
                            move |desk| Message::Callers(request.perform(desk)),
                            |why| Message::Callers(callers::Message::Failed(why)),
                        );
                        Task::batch([task, work])
                    }
                    None => task,
                }
            }
            Message::DeskOpened(result) => match result {
                Ok(handle) => {
                    self.desk_ready(handle);
                    self.preload_lesson()
                }
                Err(why) => {
                    tracing::warn!(%why, "caller register could not be opened");
                    self.desk = DeskState::Unavailable(why);
                    Task::none()
                }
            },
            Message::SignIn(message) => {
                let (task, event) = self.sign_in.update(message);
                self.callers.allow(self.callers_allowed());
                let admin = sign_in::roles_text(&[mitid_core::roles::Role::Admin]);
                self.trust
                    .allow_import((!self.sign_in.allows(mitid_core::roles::Operation::WriteTrust)).then_some(admin));
                match event {
                    Some(sign_in::Event::Ready(handle)) => self.desk_ready(handle),
                    Some(sign_in::Event::Needed) => self.desk = DeskState::SignIn,
                    Some(sign_in::Event::Unavailable(why)) => {
                        tracing::warn!(%why, "caller register could not be opened");
                        self.desk = DeskState::Unavailable(why);
                    }
                    None => {}
                }
                task.map(Message::SignIn)
            }
            Message::Ping => {
                let DeskState::Ready(handle) = &self.desk else { return Task::none() };
                let handle = handle.clone();
                Task::perform(handle.run(|desk| drop(desk.ping())), |_| Message::Pinged)
            }
            Message::Pinged => {
                if let DeskState::Ready(handle) = &self.desk {
                    self.connection = handle.connection();
                }
                Task::none()
            }
            Message::ClassTick if self.class_asking => Task::none(),
            Message::ClassTick => {
                let task = self.class_tick();
                self.class_asking = matches!(self.desk, DeskState::Ready(_)) && self.in_class();
                task
            }
            Message::ClassHeard(orders, view) => {
                self.class_asking = false;
                if let (Some(view), Some(trainer)) = (view, &mut self.trainer) {
                    trainer.heard(view);
                }
                match orders {
                    Ok(orders) => self.class_heard(orders),
                    Err(why) => {
                        tracing::warn!(%why, "the class could not be reached");
                        if let Some(trainer) = &mut self.trainer {
                            trainer.heard(Err(why));
                        }
                        Task::none()
                    }
                }
            }
            Message::ClassSent(fault, result) => {
                if let Some(trainer) = &mut self.trainer {
                    trainer.sent(fault, result);
                }
                Task::none()
            }
            Message::ClassClockSet(result) => {
                if let Err(why) = result {
                    // A trainee's desk may not move the class's clock
                    // (with staff sign-in, only the trainer may).
                    tracing::info!(%why, "the class's clock stays as the class has it");
                }
                Task::none()
            }
            Message::RetryDesk => {
                self.desk = DeskState::Opening;
                self.open_desk()
            }
            Message::Enrollment(message) => {
                // The trainee's read reaching the photo, for the lesson.
                if let enrollment::Message::Reply(
                    _,
                    enrollment::Reply::Report(crate::chip_read::Report::Stage(mitid_emrtd::session::Stage::File(
                        progress,
                    ))),
                ) = &message
                    && progress.file_id == mitid_emrtd::file::FileId::DG2
                {
                    self.reached.push(mitid_core::lesson::Step::Dg2);
                }
                // What happened with a chip, for the log (never whose).
                match &message {
                    enrollment::Message::Chip(enrollment::chip::Message::Readers(Ok(found))) => {
                        tracing::info!(count = found.len(), "readers found");
                    }
                    enrollment::Message::Chip(enrollment::chip::Message::Readers(Err(_))) => {
                        tracing::info!("no readers")
                    }
                    enrollment::Message::Reply(
                        _,
                        enrollment::Reply::Report(crate::chip_read::Report::Done(Ok(document))),
                    ) => {
                        tracing::info!(verdict = document.verdict.0.name(), "chip read finished");
                        if let Some(watch) = self.read_frames.as_mut() {
                            watch.ended = true;
                        }
                    }
                    enrollment::Message::Reply(
                        _,
                        enrollment::Reply::Report(crate::chip_read::Report::Done(Err(_))),
                    ) => {
                        tracing::info!("chip read failed");
                        if let Some(watch) = self.read_frames.as_mut() {
                            watch.ended = true;
                        }
                    }
                    // The live picture's rate as the window receives it
                    // (analysis included), and the comparison's band.
                    enrollment::Message::Face(crate::screen::enrollment::face::Message::Camera(
                        crate::camera::Event::Frame(frame),
                    )) => {
                        let (first, count) = self.camera_frames.get_or_insert((frame.at, 0));
                        *count += 1;
                        if *count == 1 {
                            *first = frame.at;
                            tracing::info!("camera frames arriving");
                        }
                        if *count == 10 {
                            tracing::info!("camera preview running");
                        }
                    }
                    enrollment::Message::Reply(_, enrollment::Reply::Compared(result)) => {
                        if let Some((first, count)) = self.camera_frames.take() {
                            let seconds = self.enrollment.face().last_frame_at().saturating_sub(first).as_secs_f64();
                            let fps = if seconds > 0.0 { f64::from(count.saturating_sub(1)) / seconds } else { 0.0 };
                            tracing::info!(frames = count, fps, "camera frames while analysing");
                        }
                        match result {
                            Ok(c) => tracing::info!(band = c.band.name(), "face compared"),
                            Err(_) => tracing::info!("face comparison failed"),
                        }
                    }
                    _ => {}
                }
                self.route_enrollment(message)
            }
            Message::Trust(message) => {
                let (task, event) = self.trust.update(message);
                let task = task.map(Message::Trust);
                match event {
                    Some(trust::Event::Desk(request)) => {
                        let work = self.desk_work(
                            move |desk| Message::Trust(request.perform(desk)),
                            |why| Message::Trust(trust::Message::Failed(why)),
                        );
                        Task::batch([task, work])
                    }
                    None => task,
                }
            }
            Message::Audit(message) => {
                let (task, event) = self.audit.update(message, &self.options.hours);
                let task = task.map(Message::Audit);
                match event {
                    Some(audit::Event::Desk(request)) => {
                        let work = self.desk_work(
                            move |desk| Message::Audit(request.perform(desk)),
                            |why| Message::Audit(audit::Message::Failed(why)),
                        );
                        Task::batch([task, work])
                    }
                    None => task,
                }
            }
            Message::Tick => {
                self.refresh_status();
                // In trainer mode, the timed faults and jumps that have
                // come due.
                let (ran, at) = self.lesson_time();
                let due = self.trainer.as_mut().and_then(|t| t.run_mut()).map(|r| r.due(ran, at)).unwrap_or_default();
                let lesson: Vec<_> = due.into_iter().map(|h| self.happen(h)).collect();
                if let DeskState::Ready(handle) = &self.desk {
                    self.connection = handle.connection();
                    // The service no longer takes the sign-in: ask for a
                    // new one; every screen keeps what was typed.
                    if self.connection.is_some_and(|c| c.sign_in_needed) && self.sign_in.expired().is_some() {
                        self.desk = DeskState::SignIn;
                    }
                }
                Task::batch(lesson)
            }
            Message::ToggleLanguage => {
                let next = if self.language == Language::En { Language::Da } else { Language::En };
                self.language = next;
                i18n::set_language(next);
                tracing::info!(language = next.tag(), "language switched");
                self.save()
            }
            Message::CycleTheme => {
                self.theme = self.theme.next();
                self.save()
            }
            Message::Key(key, modifiers) => self.key(key, modifiers),
            // The citizen's window takes no keys: it may have a keyboard
            // within the citizen's reach.
            Message::KeyIn(id, key, modifiers) => {
                if Some(id) == self.citizen_window {
                    return Task::none();
                }
                if Some(id) == self.trainer_window {
                    return self.trainer_key(&key);
                }
                self.key(key, modifiers)
            }
            // Only the agent's window is remembered.
            Message::Moved(id, position) => {
                if self.is_main(id) {
                    self.geometry.x = Some(position.x);
                    self.geometry.y = Some(position.y);
                    self.geometry_dirty = true;
                }
                Task::none()
            }
            Message::Resized(id, size) => {
                if self.is_main(id) {
                    self.geometry.width = size.width;
                    self.geometry.height = size.height;
                    self.geometry_dirty = true;
                }
                Task::none()
            }
            Message::Citizen(message) => {
                // Not logged: the language may hint at the person's origin.
                self.citizen.update(message);
                Task::none()
            }
            Message::ToggleCitizenWindow => match self.citizen_window.take() {
                Some(id) => {
                    tracing::info!("citizen window closed");
                    window::close(id)
                }
                None => {
                    let (id, opened) = window::open(citizen_window_settings());
                    self.citizen_window = Some(id);
                    opened.map(Message::Opened)
                }
            },
            Message::Opened(id) => {
                if Some(id) == self.citizen_window {
                    tracing::info!("citizen window opened");
                }
                Task::none()
            }
            Message::SaveState => self.save(),
            Message::Saved => Task::none(),
            Message::ReadFrame(at) => {
                if let Some(watch) = self.read_frames.as_mut() {
                    if let Some(last) = watch.last {
                        watch.longest_ms = watch.longest_ms.max(at.duration_since(last).as_secs_f64() * 1000.0);
                    }
                    watch.last = Some(at);
                    watch.count += 1;
                    // The frame after the end draws the result; the one
                    // after that comes once it has been shown.
                    if watch.ended {
                        watch.after_end += 1;
                    }
                    if watch.after_end >= 2 {
                        tracing::info!(frames = watch.count, longest_ms = watch.longest_ms, "chip result drawn");
                        self.read_frames = None;
                    }
                }
                Task::none()
            }
            Message::FirstFrame if self.first_frame_seen => Task::none(),
            Message::FirstFrame => {
                self.first_frame_seen = true;
                // The first lesson's start is timed as "first lesson ready".
                self.reset_at = None;
                if let Some(started) = self.options.started {
                    tracing::info!(ms = started.elapsed().as_secs_f64() * 1000.0, "first frame");
                }
                self.log_lesson_ready();
                Task::none()
            }
            // Not every window manager reports moves, so ask where the
            // window is before remembering it.
            Message::CloseRequested(id) if Some(id) == self.citizen_window => self.update(Message::ToggleCitizenWindow),
            Message::CloseRequested(id) if Some(id) == self.trainer_window => self.update(Message::ToggleTrainerWindow),
            Message::CloseRequested(id) => window::position(id).map(Message::Quit),
            Message::Trainer(message) => {
                let Some(trainer) = &mut self.trainer else { return Task::none() };
                let (task, event) = trainer.update(message);
                let task = task.map(Message::Trainer);
                match event {
                    Some(event) => Task::batch([task, self.trainer_event(event)]),
                    None => task,
                }
            }
            Message::ToggleTrainerWindow => {
                if self.trainer.is_none() {
                    return Task::none();
                }
                match self.trainer_window.take() {
                    Some(id) => window::close(id),
                    None => {
                        let (id, opened) = window::open(trainer_window_settings());
                        self.trainer_window = Some(id);
                        tracing::info!("trainer's panel opened");
                        opened.map(Message::Opened)
                    }
                }
            }
            Message::ResetDrawn(at) => {
                if let Some(began) = self.reset_at.take() {
                    tracing::info!(
                        ms = at.saturating_duration_since(began).as_secs_f64() * 1000.0,
                        "lesson reset drawn"
                    );
                }
                Task::none()
            }
            Message::LessonPreloaded(result) => {
                match result {
                    Ok(added) => tracing::info!(added, "lesson's callers in the directory"),
                    Err(error) => tracing::warn!(%error, "lesson's callers not added"),
                }
                Task::none()
            }
            Message::Quit(position) => {
                if let Some(position) = position {
                    self.geometry.x = Some(position.x);
                    self.geometry.y = Some(position.y);
                }
                self.save_now();
                // The person's data goes before the window does, and an
                // open case is closed in the records first.
                match self.enrollment.forget("app closed") {
                    Some(close) => self.enrollment_work(close).chain(iced::exit()),
                    None => iced::exit(),
                }
            }
        }
    }

    /// The trainer's panel, in trainer mode.
    pub fn trainer(&self) -> Option<&trainer::Trainer> {
        self.trainer.as_ref()
    }

    /// Whether the trainer's panel has a window open.
    pub fn trainer_window_open(&self) -> bool {
        self.trainer_window.is_some()
    }

    /// The demo devices.
    pub fn devices(&self) -> &mitid_core::lesson::Devices {
        &self.devices
    }

    /// Adds to the lesson log, in trainer mode.
    fn note(&mut self, kind: mitid_core::lesson::EntryKind, what: String) {
        let (ran, at) = self.lesson_time();
        if let Some(trainer) = &mut self.trainer {
            trainer.note(ran, at, kind, what);
        }
    }

    /// Lesson time passed, and what the clock reads.
    fn lesson_time(&self) -> (SignedDuration, Timestamp) {
        match &self.options.trainer {
            Some(setup) => (setup.clock.ran(), setup.clock.now()),
            None => (SignedDuration::ZERO, self.options.clock.now()),
        }
    }

    /// Starts `lesson` afresh: its clock (unless `keep_clock`), its
    /// devices, an empty counter and a fresh callers screen; the person
    /// before is forgotten and their case closed.
    fn start_lesson(&mut self, lesson: mitid_core::lesson::Lesson, keep_clock: bool) -> Task<Message> {
        use mitid_core::lesson::{CameraSetup, ReaderSetup};
        let began = std::time::Instant::now();
        let Some(setup) = &self.options.trainer else { return Task::none() };
        let at = if keep_clock { setup.clock.now() } else { lesson.clock.start };
        setup.clock.restart(at, lesson.clock.speed);
        self.devices.change(|state| *state = mitid_core::lesson::DeviceState::for_lesson(&lesson));
        let close = match self.enrollment.forget("lesson reset") {
            Some(close) => self.enrollment_work(close),
            None => Task::none(),
        };
        let specimen = match lesson.reader {
            ReaderSetup::Passport | ReaderSetup::Empty => crate::chip_read::Specimen::Passport,
            ReaderSetup::IdCard => crate::chip_read::Specimen::IdCard,
            ReaderSetup::Clone => crate::chip_read::Specimen::Failing(mitid_emrtd::sim::document::Scenario::Clone),
            ReaderSetup::Expired => crate::chip_read::Specimen::Expired,
            ReaderSetup::Own => crate::chip_read::Specimen::Lesson,
        };
        let person = if lesson.camera == CameraSetup::SomeoneElse {
            crate::camera::DemoPerson::Stranger
        } else {
            crate::camera::DemoPerson::Holder
        };
        let devices = Task::batch([
            self.route_enrollment(enrollment::Message::Chip(enrollment::chip::Message::Specimen(specimen))),
            self.route_enrollment(enrollment::Message::Face(crate::screen::enrollment::face::Message::Person(person))),
        ]);
        self.callers = callers::Callers::default();
        self.callers.allow(self.callers_allowed());
        self.current = ScreenId::Callers;
        self.focus = None;
        self.reached.clear();
        self.refresh_status();
        let id = lesson.lesson.id.clone();
        if let Some(trainer) = &mut self.trainer {
            trainer.started(lesson);
        }
        tracing::info!(lesson = id, ms = began.elapsed().as_secs_f64() * 1000.0, "lesson started");
        self.reset_at = Some(began);
        // A class's callers are the class's (its service preloads them);
        // a lesson started afresh sets the class's clock.
        let records = if self.in_class() {
            if keep_clock { Task::none() } else { self.class_clock() }
        } else {
            self.preload_lesson()
        };
        Task::batch([close, devices, records])
    }

    /// Whether this desk is in a class: demo mode on a training service.
    pub fn in_class(&self) -> bool {
        self.options.demo && matches!(self.options.desk, DeskSource::Open { server: Some(_), .. })
    }

    /// Class work off the UI thread, never held back by the service
    /// faults the trainer simulates (the class is the trainer's line).
    fn class_work(
        &self,
        work: impl FnOnce(&mut dyn mitid_core::service::DeskService) -> Message + Send + 'static,
        failed: impl FnOnce(String) -> Message + Send + 'static,
    ) -> Task<Message> {
        match &self.desk {
            DeskState::Ready(handle) if self.in_class() => {
                Task::perform(handle.unsimulated().run(work), move |result| result.unwrap_or_else(failed))
            }
            _ => Task::none(),
        }
    }

    /// Tells the class where the trainee is; hears its lesson, clock and
    /// faults, and (while the panel is open) its desks.
    fn class_tick(&self) -> Task<Message> {
        let position = self.position();
        let run = self.trainer.as_ref().and_then(|t| t.run());
        let report = mitid_core::api::DeskReport {
            lesson: run.map(|r| r.lesson().lesson.id.clone()),
            screen: position.screen,
            step: position.step,
            last_action: run.and_then(|r| r.log.last(mitid_core::lesson::EntryKind::Action)).map(|e| e.what.clone()),
        };
        let follow = self.trainer_window.is_some();
        self.class_work(
            move |desk| {
                let orders = desk.class_report(&report).map_err(|e| e.to_string());
                let view = follow.then(|| desk.class_view().map_err(|e| e.to_string()));
                Message::ClassHeard(orders, view)
            },
            |why| Message::ClassHeard(Err(why), None),
        )
    }

    /// What the class said: its clock is the desk's, its lesson runs here,
    /// and the faults the trainer sent happen now.
    fn class_heard(&mut self, orders: mitid_core::api::ClassOrders) -> Task<Message> {
        use mitid_core::lesson::EntryKind;
        if let Some(setup) = &self.options.trainer {
            if (setup.clock.now() - orders.now).abs() > SignedDuration::from_secs(1) {
                setup.clock.set(orders.now);
            }
            if (setup.clock.speed() - orders.speed).abs() > f64::EPSILON {
                setup.clock.set_speed(orders.speed);
            }
        }
        self.refresh_status();
        let mut tasks = Vec::new();
        if orders.lesson.is_some() && orders.lesson != self.class_lesson {
            self.class_lesson.clone_from(&orders.lesson);
            let id = orders.lesson.clone().unwrap_or_default();
            let running = self.trainer.as_ref().and_then(|t| t.run()).map(|r| r.lesson().lesson.id.clone());
            match self.trainer.as_ref().and_then(|t| t.by_id(&id)) {
                Some(lesson) if running.as_deref() != Some(id.as_str()) => tasks.push(self.start_lesson(lesson, true)),
                Some(_) => {}
                None => tracing::warn!(lesson = id, "the class's lesson is not among this desk's lessons"),
            }
            self.note(EntryKind::Clock, fl!("trainer-class-joined", lesson = id));
        }
        for fault in orders.faults {
            self.note(EntryKind::Fault, format!("{} (sent to the class)", fault.name()));
            tasks.push(self.apply_fault(fault));
        }
        Task::batch(tasks)
    }

    /// In a class, the desk's clock (as the lesson or the trainer set it)
    /// becomes the class's.
    fn class_clock(&self) -> Task<Message> {
        let Some(setup) = &self.options.trainer else { return Task::none() };
        let (at, speed) = (setup.clock.now(), setup.clock.speed());
        self.class_work(
            move |desk| Message::ClassClockSet(desk.class_clock(at, Some(speed)).map_err(|e| e.to_string())),
            |why| Message::ClassClockSet(Err(why)),
        )
    }

    /// Adds the running lesson's callers to the directory (once it is
    /// open; those already there are left).
    fn preload_lesson(&self) -> Task<Message> {
        let Some(lesson) = self.trainer.as_ref().and_then(|t| t.run()).map(|r| r.lesson().clone()) else {
            return Task::none();
        };
        if lesson.callers.is_empty() || !matches!(self.desk, DeskState::Ready(_)) {
            return Task::none();
        }
        self.desk_work(
            move |desk| Message::LessonPreloaded(mitid_core::lesson::preload(desk, &lesson).map_err(|e| e.to_string())),
            |why| Message::LessonPreloaded(Err(why)),
        )
    }

    /// Does what the trainer's panel asks.
    fn trainer_event(&mut self, event: trainer::Event) -> Task<Message> {
        use mitid_core::lesson::EntryKind;
        let Some(clock) = self.options.trainer.as_ref().map(|s| s.clock.clone()) else { return Task::none() };
        match event {
            trainer::Event::Start(lesson) => self.start_lesson(*lesson, false),
            trainer::Event::Advance(by) => {
                clock.advance(by);
                self.note(EntryKind::Clock, format!("moved on {}", mitid_core::lesson::elapsed(by)));
                self.refresh_status();
                // What came due in the time skipped happens now.
                let due = self.update(Message::Tick);
                Task::batch([due, self.class_clock()])
            }
            trainer::Event::SetClock(at) => {
                clock.set(at);
                self.note(EntryKind::Clock, format!("set to {at}"));
                self.refresh_status();
                self.class_clock()
            }
            trainer::Event::Speed(speed) => {
                clock.set_speed(speed);
                self.note(EntryKind::Clock, format!("speed {speed}×"));
                self.class_clock()
            }
            trainer::Event::Inject(kind) => {
                self.note(EntryKind::Fault, format!("{} (by the trainer)", kind.name()));
                self.apply_fault(kind)
            }
            trainer::Event::SendToClass(desk, kind) => {
                let to = desk.clone().unwrap_or_else(|| "every desk".to_owned());
                self.note(EntryKind::Fault, format!("{} sent to {to} (by the trainer)", kind.name()));
                self.class_work(
                    move |desk_service| {
                        Message::ClassSent(
                            kind,
                            desk_service.class_fault(desk.as_deref(), kind).map_err(|e| e.to_string()),
                        )
                    },
                    move |why| Message::ClassSent(kind, Err(why)),
                )
            }
            trainer::Event::Specimen(specimen) => {
                self.note(EntryKind::Fault, format!("reader holds: {specimen}"));
                self.route_enrollment(enrollment::Message::Chip(enrollment::chip::Message::Specimen(specimen)))
            }
            trainer::Event::Person(person) => {
                self.note(EntryKind::Fault, format!("camera shows: {person}"));
                self.route_enrollment(enrollment::Message::Face(crate::screen::enrollment::face::Message::Person(
                    person,
                )))
            }
            trainer::Event::Restore(what) => {
                self.note(EntryKind::Fault, format!("put right: {what:?}").to_lowercase());
                match what {
                    trainer::Restore::Reader => {
                        self.devices.change(mitid_core::lesson::DeviceState::restore_reader);
                        return self.enrollment_work(enrollment::Event::ListReaders);
                    }
                    trainer::Restore::Camera => self.devices.change(mitid_core::lesson::DeviceState::restore_camera),
                    trainer::Restore::Sms => self.devices.change(|s| s.sms_arrives = true),
                }
                Task::none()
            }
        }
    }

    /// What a lesson brings about.
    fn happen(&mut self, happening: mitid_core::lesson::Happening) -> Task<Message> {
        match happening {
            mitid_core::lesson::Happening::Fault(kind) => self.apply_fault(kind),
            mitid_core::lesson::Happening::Jump(to) => {
                if let Some(setup) = &self.options.trainer {
                    setup.clock.set(to);
                }
                self.refresh_status();
                self.class_clock()
            }
        }
    }

    /// Makes a fault happen: on the devices, the clock or the screens.
    fn apply_fault(&mut self, kind: mitid_core::lesson::FaultKind) -> Task<Message> {
        use mitid_core::lesson::FaultKind;
        tracing::info!(fault = kind.name(), "demo fault");
        self.devices.change(|state| state.apply(kind));
        match kind {
            FaultKind::SupportCloses => {
                // The clock goes to the moment Support closes today.
                if let Some(setup) = &self.options.trainer {
                    let status = self.options.hours.status(setup.clock.now());
                    if status.open
                        && let Some(closes) = status.next_change
                    {
                        setup.clock.set(closes);
                    }
                }
                self.refresh_status();
                // In a class, Support closes on the class's clock.
                self.class_clock()
            }
            FaultKind::SomeoneElse => self.route_enrollment(enrollment::Message::Face(
                crate::screen::enrollment::face::Message::Person(crate::camera::DemoPerson::Stranger),
            )),
            FaultKind::DocumentTaken | FaultKind::ReaderUnplugged | FaultKind::PcscStopped => {
                self.enrollment_work(enrollment::Event::ListReaders)
            }
            _ => Task::none(),
        }
    }

    /// After each message in trainer mode: the steps the trainee has
    /// reached, what the app says now, and what comes due of it.
    fn follow_lesson(&mut self) -> Task<Message> {
        use mitid_core::lesson::Step;
        let mut steps = std::mem::take(&mut self.reached);
        if matches!(self.callers.dialog(), Some(callers::Dialog::ConfirmIssue)) && self.current == ScreenId::Callers {
            steps.push(Step::CodeDialog);
        }
        if self.current == ScreenId::Enrollment {
            match self.enrollment.step() {
                enrollment::Step::Mrz => steps.push(Step::Mrz),
                enrollment::Step::Chip if self.enrollment.reading() => steps.push(Step::Chip),
                enrollment::Step::Face => steps.push(Step::Face),
                enrollment::Step::Handover
                    if self.enrollment.handover().current()
                        == Some(crate::screen::enrollment::handover::Item::Phone) =>
                {
                    steps.push(Step::PhoneLinking)
                }
                _ => {}
            }
        }
        let (ran, at) = self.lesson_time();
        let said = self.said();
        let Some(trainer) = &mut self.trainer else { return Task::none() };
        trainer.said(ran, at, said);
        let Some(run) = trainer.run_mut() else { return Task::none() };
        let happenings: Vec<_> = steps.into_iter().flat_map(|step| run.reached(step, ran, at)).collect();
        let tasks: Vec<_> = happenings.into_iter().map(|h| self.happen(h)).collect();
        Task::batch(tasks)
    }

    /// What the app says to the trainee now (a problem, a refusal), in
    /// words, for the lesson log.
    pub fn said(&self) -> Option<String> {
        match self.current {
            ScreenId::Callers => self.callers.problem().map(str::to_owned).or_else(|| {
                matches!(self.callers.dialog(), Some(callers::Dialog::Code { .. })).then(|| fl!("trainer-said-code"))
            }),
            ScreenId::Enrollment => match self.enrollment.step() {
                enrollment::Step::Chip => {
                    self.enrollment.readers_problem().or_else(|| self.enrollment.chip_error().map(|p| p.text()))
                }
                enrollment::Step::Face => self.enrollment.face().said(),
                _ => None,
            }
            .or_else(|| self.enrollment.case_error().map(str::to_owned)),
            _ => None,
        }
    }

    /// Where the trainee is, for the panel.
    pub fn position(&self) -> trainer::Position {
        let screen = screen_name(self.current);
        let step = match self.current {
            ScreenId::Callers => match self.callers.dialog() {
                Some(callers::Dialog::ConfirmIssue) => fl!("trainer-at-confirm-issue"),
                Some(callers::Dialog::Code { .. }) => fl!("trainer-at-code"),
                Some(_) => fl!("trainer-at-dialog"),
                None if self.callers.card().is_some() => fl!("trainer-at-card"),
                None => fl!("trainer-at-search"),
            },
            ScreenId::Enrollment => self.enrollment.step().title(),
            _ => "—".to_owned(),
        };
        trainer::Position { screen, step }
    }

    /// What the trainer's panel shows besides its own state.
    fn trainer_context(&self) -> trainer::Context {
        let (now, speed) = match &self.options.trainer {
            Some(setup) => (setup.clock.now(), setup.clock.speed()),
            None => (self.options.clock.now(), 1.0),
        };
        trainer::Context {
            now: self.options.hours.local(now),
            open: self.status.open,
            speed,
            position: self.position(),
            specimen: self.enrollment.specimen(),
            person: self.enrollment.face_camera().person,
            devices: self.devices.get(),
        }
    }

    /// Draws the trainer's panel.
    pub fn trainer_view(&self) -> Element<'_, Message> {
        let Some(trainer) = &self.trainer else { return Space::new().into() };
        trainer.view(&self.trainer_context()).map(Message::Trainer)
    }

    /// A key pressed in the trainer's panel (the tests press them here).
    pub fn trainer_key(&mut self, key: &Key) -> Task<Message> {
        let context = self.trainer_context();
        let message = self.trainer.as_ref().and_then(|t| t.key(key, &context));
        message.map_or_else(Task::none, |m| self.update(Message::Trainer(m)))
    }

    /// Hands a message to the enrollment screen and does what it asks.
    fn route_enrollment(&mut self, message: enrollment::Message) -> Task<Message> {
        let today = self.options.hours.local(self.status.at).date();
        let (task, event) = self.enrollment.update(message, today);
        self.clamp_focus();
        let task = task.map(Message::Enrollment);
        let work = match event {
            None => Task::none(),
            Some(event) => self.enrollment_work(event),
        };
        Task::batch([task, work])
    }

    fn refresh_status(&mut self) {
        let status = self.options.hours.status(self.options.clock.now());
        if status.open != self.status.open {
            // Only the state, never anything about a person.
            tracing::info!(open = status.open, day_kind = ?status.day.kind, "support status: {}", if status.open { "open" } else { "closed" });
            let what = if status.open { "MitID Support opens" } else { "MitID Support closes" };
            self.note(mitid_core::lesson::EntryKind::Said, what.to_owned());
        }
        self.status = status;
    }

    fn clamp_focus(&mut self) {
        if self.focus.is_some_and(|i| i >= self.focusables().len()) {
            self.focus = None;
        }
    }

    /// A key for the date part that has the keyboard focus, if one has.
    fn date_key(&self, key: &Key) -> Option<Message> {
        let Some(Message::Enrollment(enrollment::Message::Mrz(enrollment::mrz::Message::DatePart(which, part)))) =
            self.focus.and_then(|i| self.focusables().get(i).cloned())
        else {
            return None;
        };
        let date_key = match key.as_ref() {
            Key::Character(c) => enrollment::DateKey::Digit(c.parse::<u8>().ok().filter(|d| *d <= 9)?),
            Key::Named(Named::ArrowUp) => enrollment::DateKey::Up,
            Key::Named(Named::ArrowDown) => enrollment::DateKey::Down,
            Key::Named(Named::Backspace | Named::Delete) => enrollment::DateKey::Clear,
            _ => return None,
        };
        Some(Message::Enrollment(enrollment::Message::Mrz(enrollment::mrz::Message::DateKey(which, part, date_key))))
    }

    fn key(&mut self, key: Key, modifiers: Modifiers) -> Task<Message> {
        // Digits and arrows on a date part that has the focus set the date.
        if !modifiers.command()
            && let Some(message) = self.date_key(&key)
        {
            return self.update(message);
        }
        let count = self.focusables().len();
        match key.as_ref() {
            Key::Named(Named::Tab) if count > 0 => {
                self.focus = Some(match (self.focus, modifiers.shift()) {
                    (None, false) => 0,
                    (None, true) => count - 1,
                    (Some(i), false) => (i + 1) % count,
                    (Some(i), true) => (i + count - 1) % count,
                });
                // The keyboard is in one place: a text field left by Tab
                // lets go of it (else Enter and digits would still go there).
                iced::advanced::widget::operate(iced::advanced::widget::operation::focusable::unfocus())
            }
            Key::Named(Named::Enter | Named::Space) => match self.focus.and_then(|i| self.focusables().get(i).cloned())
            {
                Some(message) => self.update(message),
                None => Task::none(),
            },
            Key::Named(Named::Escape) => {
                if self.focus.take().is_some() {
                    return Task::none();
                }
                match self.current {
                    ScreenId::Callers => self.callers.escape().map(Message::Callers),
                    ScreenId::Enrollment => self.enrollment.escape().map(Message::Enrollment),
                    ScreenId::Audit => self.audit.escape().map(Message::Audit),
                    ScreenId::Trust => self.trust.escape().map(Message::Trust),
                }
                .map_or_else(Task::none, |message| self.update(message))
            }
            Key::Named(Named::ArrowDown | Named::ArrowUp) if self.current == ScreenId::Callers => {
                let step = if key == Key::Named(Named::ArrowDown) { 1 } else { -1 };
                self.update(Message::Callers(callers::Message::Select(step)))
            }
            Key::Character("f") if modifiers.command() => {
                self.current = ScreenId::Callers;
                callers::Callers::focus_search().map(Message::Callers)
            }
            Key::Character(c) if modifiers.command() => {
                let index = match c {
                    "1" => 0,
                    "2" => 1,
                    "3" => 2,
                    "4" => 3,
                    "t" if self.trainer.is_some() => return self.update(Message::ToggleTrainerWindow),
                    "q" => {
                        let main = self.main_window;
                        return window::latest()
                            .then(move |id| main.or(id).map_or_else(|| Task::done(None), window::position))
                            .map(Message::Quit);
                    }
                    _ => return Task::none(),
                };
                self.update(Message::Navigate(ScreenId::ALL[index]))
            }
            _ => Task::none(),
        }
    }

    fn save_now(&mut self) {
        let Some(dir) = &self.options.data_dir else { return };
        if let Err(error) = self.remembered().save(dir) {
            tracing::warn!(%error, "could not remember window and preferences");
        }
        self.geometry_dirty = false;
    }

    /// Writes the remembered state off the UI thread.
    fn save(&mut self) -> Task<Message> {
        self.geometry_dirty = false;
        let Some(dir) = self.options.data_dir.clone() else { return Task::none() };
        let state = self.remembered();
        Task::perform(
            async move {
                let result = tokio::task::spawn_blocking(move || state.save(&dir)).await;
                match result {
                    Ok(Ok(())) => tracing::info!("preferences saved"),
                    Ok(Err(error)) => tracing::warn!(%error, "could not remember window and preferences"),
                    Err(error) => tracing::warn!(%error, "saving preferences stopped"),
                }
            },
            |()| Message::Saved,
        )
    }

    fn remembered(&self) -> UiState {
        UiState {
            language: Some(self.language),
            theme: Some(self.theme),
            window: self.geometry.sanitized(),
            reader: self.enrollment.preferred_reader().map(str::to_owned),
            camera: self.enrollment.face_camera().webcam.camera.clone(),
            camera_size: self.enrollment.face_camera().webcam.size,
        }
    }

    /// What the app listens to: keys, window changes, and a timer that
    /// fires exactly when the status bar changes (nothing else wakes an
    /// idle app).
    pub fn subscription(&self) -> Subscription<Message> {
        let wait = self.next_wake().duration_since(self.options.clock.now());
        // A minute at most, so a suspended machine or a changed system clock
        // is noticed soon after.
        let wait =
            Duration::try_from(wait.clamp(SignedDuration::ZERO, SignedDuration::from_secs(60))).unwrap_or_default();
        let deadline = tokio::time::Instant::now() + wait;
        let tick = Subscription::run_with(deadline, |deadline| {
            let deadline = *deadline;
            iced::futures::stream::once(async move {
                tokio::time::sleep_until(deadline).await;
                Message::Tick
            })
        });
        let events = event::listen_with(|event, status, id| match event {
            iced::Event::Keyboard(keyboard::Event::KeyPressed { key, modifiers, .. })
                if status == event::Status::Ignored =>
            {
                Some(Message::KeyIn(id, key, modifiers))
            }
            iced::Event::Window(window::Event::Moved(position)) => Some(Message::Moved(id, position)),
            iced::Event::Window(window::Event::Resized(size)) => Some(Message::Resized(id, size)),
            iced::Event::Window(window::Event::CloseRequested) => Some(Message::CloseRequested(id)),
            _ => None,
        });
        let mut subscriptions = vec![tick, events];
        if self.connection.is_some() {
            // The shared service asked after every few seconds: the status
            // bar tells when it goes and comes back, and the outbox is
            // delivered as soon as it does.
            let every = if matches!(self.connection, Some(c) if c.link != mitid_remote::Link::Connected || c.waiting > 0)
            {
                3
            } else {
                15
            };
            subscriptions.push(iced::time::every(Duration::from_secs(every)).map(|_| Message::Ping));
        }
        if self.in_class() && matches!(self.desk, DeskState::Ready(_)) {
            // A desk of a class tells where it is, and hears the trainer's
            // faults within two seconds.
            subscriptions.push(iced::time::every(CLASS_EVERY).map(|_| Message::ClassTick));
        }
        if !self.first_frame_seen {
            subscriptions.push(window::frames().map(|_| Message::FirstFrame));
        }
        if let Some(trainer) = &self.trainer
            && (self.trainer_window.is_some() || trainer.run().is_some_and(|r| r.next_due().is_some()))
        {
            // The panel's clock shows seconds, and a lesson's timed faults
            // fire on time (demo mode only: a real desk sleeps).
            subscriptions.push(iced::time::every(Duration::from_secs(1)).map(|_| Message::Tick));
        }
        if self.current == ScreenId::Enrollment && self.enrollment.watches_readers() {
            // Readers plugged in or out and documents placed, live.
            let demo = self.options.demo.then(|| self.devices.clone());
            subscriptions.push(Subscription::run_with(demo, |demo| crate::chip_read::watch(demo.clone())).map(
                |found| Message::Enrollment(enrollment::Message::Chip(enrollment::chip::Message::Readers(found))),
            ));
        }
        if self.current == ScreenId::Enrollment
            && let Some(camera) = self.enrollment.camera()
        {
            // The live picture, analysed on the camera's own thread.
            subscriptions.push(
                Subscription::run_with(camera, |(source, models)| {
                    crate::camera::stream(source.clone(), models.clone())
                })
                .map(|event| {
                    Message::Enrollment(enrollment::Message::Face(crate::screen::enrollment::face::Message::Camera(
                        event,
                    )))
                }),
            );
        }
        if self.read_frames.is_some() {
            subscriptions.push(window::frames().map(Message::ReadFrame));
        }
        if self.reset_at.is_some() && self.first_frame_seen {
            subscriptions.push(window::frames().map(Message::ResetDrawn));
        }
        if self.geometry_dirty {
            // Save a moved or resized window once it has settled.
            subscriptions.push(iced::time::every(Duration::from_secs(2)).map(|_| Message::SaveState));
        }
        Subscription::batch(subscriptions)
    }

    fn is_main(&self, id: window::Id) -> bool {
        self.main_window.is_none_or(|main| main == id)
    }

    /// Draws a window: the citizen's, or the agent's.
    pub fn window_view(&self, id: window::Id) -> Element<'_, Message> {
        if Some(id) == self.citizen_window {
            self.citizen_view()
        } else if Some(id) == self.trainer_window {
            self.trainer_view()
        } else {
            self.view()
        }
    }

    /// Draws the citizen's screen.
    pub fn citizen_view(&self) -> Element<'_, Message> {
        self.citizen
            .view(citizen::scene(&self.enrollment), self.citizen_language(), self.options.demo)
            .map(Message::Citizen)
    }

    /// Draws the agent's window.
    pub fn view(&self) -> Element<'_, Message> {
        let focused = |i: usize| self.focus == Some(i);
        let nav = ScreenId::ALL.iter().enumerate().fold(row![].spacing(4), |r, (i, screen)| {
            let label = match screen {
                ScreenId::Callers => fl!("nav-callers"),
                ScreenId::Enrollment => fl!("nav-enrollment"),
                ScreenId::Audit => fl!("nav-audit"),
                ScreenId::Trust => fl!("nav-trust"),
            };
            // What the signed-in person's roles do not reach is shown
            // but cannot be chosen.
            let allowed = self.sign_in.allows(screen_operation(*screen));
            r.push(
                button(text(label).font(theme::MEDIUM).wrapping(Wrapping::None))
                    .padding([8, 14])
                    .on_press_maybe(allowed.then_some(Message::Navigate(*screen)))
                    .style(theme::nav_button(*screen == self.current, focused(i))),
            )
        });
        let theme_label = match self.theme {
            ThemePreference::System => fl!("theme-system"),
            ThemePreference::Light => fl!("theme-light"),
            ThemePreference::Dark => fl!("theme-dark"),
        };
        let n = ScreenId::ALL.len();
        let citizen_language = self.citizen_language();
        // On a narrow window (or in a longer language) the desk's own
        // buttons go onto a second line rather than off the edge.
        let controls = row![
            button(text(fl!("switch-language")))
                .on_press(Message::ToggleLanguage)
                .style(theme::action_button(focused(n))),
            button(text(theme_label).wrapping(Wrapping::None))
                .on_press(Message::CycleTheme)
                .style(theme::action_button(focused(n + 1))),
            button(text(fl!("citizen-screen")).wrapping(Wrapping::None))
                .on_press(Message::ToggleCitizenWindow)
                .style(theme::nav_button(self.citizen_window.is_some(), focused(n + 2))),
            button(text(fl!("citizen-language", language = citizen_language.endonym())).wrapping(Wrapping::None))
                .on_press(Message::Citizen(citizen::Message::NextLanguage(citizen_language)))
                .style(theme::action_button(focused(n + 3))),
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        let mut header = row![text(fl!("app-title")).size(20).font(theme::BOLD), Space::new().width(8), nav, controls];
        if let Some(badge) = self.sign_in.badge() {
            header = header.push(badge.map(Message::SignIn));
        }
        let header = header.spacing(8).align_y(Alignment::Center).padding([10, 16]).wrap().vertical_spacing(6);

        let screen_focus = self.focus.and_then(|i| i.checked_sub(HEADER_FOCUSABLES));
        let content: Element<'_, Message> = match self.current {
            ScreenId::Callers => {
                self.callers.view(&self.options.hours, &self.status, screen_focus).map(Message::Callers)
            }
            ScreenId::Enrollment => {
                let today = self.options.hours.local(self.status.at).date();
                self.enrollment.view(screen_focus, today).map(Message::Enrollment)
            }
            ScreenId::Audit => self.audit.view(&self.options.hours, screen_focus).map(Message::Audit),
            ScreenId::Trust => self.trust.view(screen_focus).map(Message::Trust),
        };

        let mut page = column![];
        if self.options.demo {
            let mut banner = row![text(fl!("demo-banner")).font(theme::BOLD).width(Length::Fill)]
                .spacing(12)
                .align_y(Alignment::Center);
            if self.trainer.is_some() {
                banner = banner.push(
                    button(text(fl!("trainer-open-panel")).wrapping(Wrapping::None))
                        .on_press(Message::ToggleTrainerWindow)
                        .style(theme::nav_button(self.trainer_window.is_some(), false)),
                );
            }
            page = page.push(container(banner).padding([8, 16]).width(Length::Fill).style(theme::demo_banner));
        }
        page = page.push(header);
        if let Some(panel) = self.sign_in.panel() {
            page = page.push(panel.map(Message::SignIn));
        }
        if !self.sign_in.allows(screen_operation(self.current)) {
            let needed: Vec<mitid_core::roles::Role> = screen_operation(self.current)
                .roles()
                .iter()
                .copied()
                .filter(|r| *r != mitid_core::roles::Role::Trainer)
                .collect();
            let roles = sign_in::roles_text(&needed);
            page = page.push(
                container(text(fl!("nav-needs-role", roles = roles)))
                    .padding([8, 16])
                    .width(Length::Fill)
                    .style(theme::status_bar),
            );
        }
        if self.current != ScreenId::Enrollment {
            match &self.desk {
                DeskState::Opening => {
                    page = page.push(
                        container(text(fl!("desk-opening")))
                            .padding([8, 16])
                            .width(Length::Fill)
                            .style(theme::status_bar),
                    )
                }
                DeskState::Unavailable(why) if !why.is_empty() => {
                    page = page.push(
                        container(
                            row![
                                text(fl!("desk-unavailable", detail = why.clone())).width(Length::Fill),
                                button(text(fl!("desk-retry"))).on_press(Message::RetryDesk)
                            ]
                            .spacing(12)
                            .align_y(Alignment::Center),
                        )
                        .padding([8, 16])
                        .width(Length::Fill)
                        .style(theme::problem_banner),
                    )
                }
                _ => {}
            }
        }
        if let Some(error) = &self.options.config_error {
            page = page.push(
                container(text(fl!("config-warning", error = error.clone())))
                    .padding([8, 16])
                    .width(Length::Fill)
                    .style(theme::problem_banner),
            );
        }
        let hint = container(text(fl!("keyboard-hint")).size(13)).padding([0, 24]);
        // Enrollment scrolls its step itself and keeps its buttons in view.
        let body: Element<'_, Message> = if self.current == ScreenId::Enrollment {
            column![container(content).height(Length::Fill), hint].into()
        } else {
            scrollable(column![content, hint]).height(Length::Fill).into()
        };
        let page: Element<'_, Message> = page
            .push(body)
            .push(status_bar::view(&self.options.hours, &self.status, self.options.demo, self.connection))
            .into();
        // A dialog lies over the whole window, header and status bar too.
        match self.current {
            ScreenId::Callers => match self.callers.dialog_view() {
                Some(dialog) => iced::widget::stack![page, dialog.map(Message::Callers)].into(),
                None => page,
            },
            _ => page,
        }
    }
}

/// A screen's name, as the navigation shows it.
fn screen_name(screen: ScreenId) -> String {
    match screen {
        ScreenId::Callers => fl!("nav-callers"),
        ScreenId::Enrollment => fl!("nav-enrollment"),
        ScreenId::Audit => fl!("nav-audit"),
        ScreenId::Trust => fl!("nav-trust"),
    }
}

/// What the trainee chose, for the lesson log: the actions that matter to
/// a lesson, by name (never what was typed).
fn trainee_action(message: &Message) -> Option<String> {
    use crate::screen::enrollment::{chip, face, handover, mrz};
    let name = match message {
        Message::Navigate(screen) => return Some(format!("open {}", screen_name(*screen))),
        Message::Callers(m) => match m {
            callers::Message::OpenSelected | callers::Message::Open(_) => "open caller",
            callers::Message::NewCaller => "new caller",
            callers::Message::Edit => "edit caller",
            callers::Message::AskIssue => "ask to issue a P-code",
            callers::Message::Issue => "issue the P-code",
            callers::Message::CloseCode => "close the code",
            callers::Message::AskRevoke(_) => "ask to revoke",
            callers::Message::Revoke => "revoke",
            callers::Message::AskDelete => "ask to delete",
            callers::Message::Delete => "delete",
            callers::Message::AskMerge => "ask to merge",
            callers::Message::Merge => "merge",
            callers::Message::LogContact => "log the contact",
            callers::Message::Cancel => "cancel",
            _ => return None,
        },
        Message::Enrollment(m) => match m {
            enrollment::Message::Back => "back",
            enrollment::Message::Next => "next",
            enrollment::Message::StartOver => "start over",
            enrollment::Message::Mrz(mrz::Message::Submit) => "use the MRZ",
            enrollment::Message::Mrz(mrz::Message::Mode(mode)) => {
                return Some(format!("MRZ by {mode:?}").to_lowercase());
            }
            enrollment::Message::Chip(chip::Message::Read) => "read the chip",
            enrollment::Message::Chip(chip::Message::Cancel) => "stop the read",
            enrollment::Message::Face(face::Message::Capture) => "take the picture",
            enrollment::Message::Face(face::Message::Retake) => "take it again",
            enrollment::Message::Face(face::Message::Decide(decision)) => {
                return Some(format!("decide: {decision:?}").to_lowercase());
            }
            enrollment::Message::Handover(handover::Message::Mark(item, status)) => {
                let status = match status {
                    handover::Status::Problem(problem) => format!("problem ({problem:?})"),
                    other => format!("{other:?}"),
                };
                return Some(format!("hand-over {}: {}", item.name(), status.to_lowercase()));
            }
            _ => return None,
        },
        _ => return None,
    };
    Some(name.to_owned())
}

/// The settings of the trainer's panel: beside the agent's window.
pub fn trainer_window_settings() -> window::Settings {
    window::Settings {
        size: Size::new(760.0, 900.0),
        min_size: Some(Size::new(520.0, 480.0)),
        ..base_settings("mitid-assist-trainer")
    }
}

/// Gives a new demo register made-up callers to find, so trainers have
/// someone to search for.
fn seed_demo_callers(desk: &mut dyn mitid_core::service::DeskService) -> Result<(), mitid_core::store::StoreError> {
    if desk.caller_count()? > 0 {
        return Ok(());
    }
    let mut rng = mitid_core::synthetic::Rng::new(2026);
    let batch: Vec<_> = (0..400).map(|_| mitid_core::synthetic::caller(&mut rng)).collect();
    desk.add_callers(batch, "caller.generate")?;
    // The people the shipped lessons talk about, ready to be found.
    for (id, text) in mitid_core::lesson::SHIPPED {
        match mitid_core::lesson::parse(text) {
            Ok(lesson) => {
                mitid_core::lesson::preload(desk, &lesson)?;
            }
            Err(problems) => tracing::warn!(lesson = id, problems = problems.len(), "a shipped lesson cannot be read"),
        }
    }
    Ok(())
}

/// What both windows share: the app decides what a close request does, and
/// the desktop knows each by its id.
fn base_settings(application_id: &str) -> window::Settings {
    #[cfg(not(target_os = "linux"))]
    let _ = application_id;
    window::Settings {
        exit_on_close_request: false,
        #[cfg(target_os = "linux")]
        platform_specific: window::settings::PlatformSpecific {
            application_id: application_id.into(),
            override_redirect: false,
        },
        ..window::Settings::default()
    }
}

/// The settings of the citizen's window: large, for a screen of its own.
pub fn citizen_window_settings() -> window::Settings {
    window::Settings {
        size: Size::new(1100.0, 800.0),
        min_size: Some(Size::new(640.0, 480.0)),
        ..base_settings("mitid-assist-citizen")
    }
}

/// The settings of the main window, at its remembered place and size.
pub fn window_settings(geometry: WindowGeometry) -> window::Settings {
    let g = geometry.sanitized();
    window::Settings {
        size: Size::new(g.width, g.height),
        min_size: Some(Size::new(WindowGeometry::MIN.0, WindowGeometry::MIN.1)),
        position: match (g.x, g.y) {
            (Some(x), Some(y)) => window::Position::Specific(Point::new(x, y)),
            _ => window::Position::Centered,
        },
        ..base_settings("mitid-assist")
    }
}
