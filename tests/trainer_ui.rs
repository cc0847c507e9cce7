//! Trainer mode, headless (iced_test, tiny-skia): the whole app in demo
//! mode on a real SQLite desk in a scratch folder, its own tasks run here
//! as the window would run them (desk work, chip reads on the simulated
//! reader, face comparisons), so every shipped lesson runs from its start
//! to its end with its faults firing at their moments; and the trainer's
//! panel — clock, each fault kind, reset, the log and its export.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod common;
#[path = "../crates/server/tests/support/mod.rs"]
mod site;

use std::collections::VecDeque;
use std::sync::Arc;

use common::serial;
use iced::futures::StreamExt;
use iced_test::Simulator;
use jiff::Timestamp;
use mitid_assist::app::{App, DeskSource, Message, Options, TrainerSetup};
use mitid_assist::screen::ScreenId;
use mitid_assist::screen::enrollment::{self, Step};
use mitid_assist::screen::trainer::{self, Restore};
use mitid_core::config::{Language, ThemePreference, UiState};
use mitid_core::lesson::{EntryKind, FaultKind};
use mitid_core::{Clock, SimulatedClock};

struct Class {
    app: App,
    rt: tokio::runtime::Runtime,
    clock: Arc<SimulatedClock>,
    dir: tempfile::TempDir,
}

impl Class {
    /// Demo mode opened on `lesson`, the desk open and seeded.
    fn start(lesson: &str) -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), Some(lesson))
    }

    fn start_in(dir: tempfile::TempDir, lesson: Option<&str>) -> Self {
        Self::start_on(dir, lesson, None)
    }

    /// Demo mode as a desk of the class `server` serves, named `desk`.
    fn join(server: &site::Server, desk: &str) -> Self {
        let link = mitid_core::config::ServerLink {
            url: server.url.clone(),
            fallback_urls: Vec::new(),
            ca: Some(site::ca().join("ca.pem")),
        };
        let mut class = Self::start_on(tempfile::tempdir().unwrap(), None, Some((link, desk)));
        assert!(class.app.in_class());
        class.send(Message::ClassTick);
        class
    }

    fn start_on(
        dir: tempfile::TempDir,
        lesson: Option<&str>,
        server: Option<(mitid_core::config::ServerLink, &str)>,
    ) -> Self {
        let clock = Arc::new(SimulatedClock::starting_at(Timestamp::now()));
        let options = Options {
            demo: true,
            clock: clock.clone(),
            hours: Default::default(),
            data_dir: None,
            state: UiState::default(),
            language: Language::En,
            theme: ThemePreference::Light,
            config_error: None,
            started: None,
            desk: DeskSource::Open {
                data_dir: dir.path().to_owned(),
                demo: true,
                config: mitid_core::desk::DeskConfig {
                    agent: server.as_ref().map(|(_, desk)| (*desk).to_owned()),
                    ..Default::default()
                },
                server: server.map(|(link, _)| link),
            },
            face: Default::default(),
            trainer: Some(TrainerSetup {
                clock: clock.clone(),
                keep_clock: false,
                lessons_dir: Some(dir.path().join("lessons")),
                log_dir: Some(dir.path().join("lesson-logs")),
                lesson: lesson.map(str::to_owned),
                open_panel: true,
            }),
        };
        let (app, task) = App::boot(options);
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let mut class = Self { app, rt, clock, dir };
        class.run(task);
        class
    }

    /// Runs a task as the window would: each message it brings is handled
    /// as it comes (a chip read's progress while the read goes on), and
    /// what those ask for runs next. Window and widget actions have no
    /// window here and are dropped.
    fn run(&mut self, task: iced::Task<Message>) {
        let mut pending = VecDeque::from([task]);
        while let Some(task) = pending.pop_front() {
            let Some(mut stream) = iced_runtime::task::into_stream(task) else { continue };
            let app = &mut self.app;
            self.rt.block_on(async {
                while let Some(action) = stream.next().await {
                    if let iced_runtime::Action::Output(message) = action {
                        pending.push_back(app.update(message));
                    }
                }
            });
        }
    }

    fn send(&mut self, message: Message) {
        let task = self.app.update(message);
        self.run(task);
    }

    fn panel(&mut self, message: trainer::Message) {
        self.send(Message::Trainer(message));
    }

    /// Clicks `label` in the agent's window.
    fn click(&mut self, label: &str) {
        let messages: Vec<Message> = {
            let mut ui = Simulator::with_settings(common::settings(), self.app.view());
            ui.click(label).unwrap_or_else(|e| panic!("no «{label}» to click: {e}"));
            ui.into_messages().collect()
        };
        for message in messages {
            self.send(message);
        }
    }

    /// Clicks `label` on the trainer's panel.
    fn click_panel(&mut self, label: &str) {
        let messages: Vec<Message> = {
            let mut ui = Simulator::with_settings(common::settings(), self.app.trainer_view());
            ui.click(label).unwrap_or_else(|e| panic!("no «{label}» on the panel: {e}"));
            ui.into_messages().collect()
        };
        for message in messages {
            self.send(message);
        }
    }

    fn shows(&self, label: &str) -> bool {
        Simulator::with_settings(common::settings(), self.app.view()).find(label).is_ok()
    }

    fn panel_shows(&self, label: &str) -> bool {
        Simulator::with_settings(common::settings(), self.app.trainer_view()).find(label).is_ok()
    }

    /// The lesson log, as (kind, what).
    fn log(&self) -> Vec<(EntryKind, String)> {
        let run = self.app.trainer().unwrap().run().unwrap();
        run.log.entries().iter().map(|e| (e.kind, e.what.clone())).collect()
    }

    fn logged(&self, kind: EntryKind, what: &str) -> bool {
        self.log().iter().any(|(k, w)| *k == kind && w.contains(what))
    }

    /// Finds a caller by name and opens their card.
    fn open_caller(&mut self, name: &str) {
        use mitid_assist::screen::callers::Message as C;
        self.send(Message::Navigate(ScreenId::Callers));
        self.send(Message::Callers(C::Query(name.into())));
        self.send(Message::Callers(C::OpenSelected));
        assert!(self.app.callers().card().is_some(), "{name} is in the lesson's directory");
    }

    /// To the chip step with the demo documents' CAN, and reads.
    fn read_chip(&mut self) {
        use enrollment::mrz::Message as M;
        self.send(Message::Navigate(ScreenId::Enrollment));
        self.click("ID card number (CAN)");
        self.send(Message::Enrollment(enrollment::Message::Mrz(M::Can("123456".into()))));
        self.send(Message::Enrollment(enrollment::Message::Next));
        assert_eq!(self.app.enrollment().step(), Step::Chip);
        self.send(Message::Enrollment(enrollment::Message::Chip(enrollment::chip::Message::Read)));
        assert!(!self.app.enrollment().reading(), "the read ended");
    }

    /// Feeds the face step the demo camera's frames (made and analysed as
    /// the camera thread makes them) until the picture is taken and
    /// compared.
    fn film(&mut self) {
        use mitid_assist::camera::{self, DEMO_FPS, Event as CameraEvent, Frame};
        use mitid_assist::screen::enrollment::face::Message as FaceMessage;
        let engine = camera::engine(&mitid_face::models::default_dir()).unwrap();
        let person = self.app.enrollment().face_camera().person;
        let bytes: &[u8] = match person {
            camera::DemoPerson::Holder => include_bytes!("../assets/demo/camera-person-a.jpg"),
            camera::DemoPerson::Stranger => include_bytes!("../assets/demo/camera-person-b.jpg"),
        };
        let picture = image::load_from_memory(bytes).unwrap().to_rgb8();
        let period = std::time::Duration::from_secs(1) / DEMO_FPS;
        for n in 0..(5 * u64::from(DEMO_FPS)) {
            if self.app.enrollment().camera().is_none() {
                return;
            }
            let frame = camera::demo_frame(&picture, n);
            let rgb = mitid_face::Rgb { width: frame.width(), height: frame.height(), pixels: frame.into_raw() };
            let (faces, findings) = camera::analyse(&engine, &rgb).unwrap();
            let frame = Frame::new(rgb, faces, findings, n, period * n as u32);
            self.send(Message::Enrollment(enrollment::Message::Face(FaceMessage::Camera(CameraEvent::Frame(
                Arc::new(frame),
            )))));
        }
        panic!("the picture was never taken");
    }
}

#[test]
fn demo_mode_opens_ready_to_teach() {
    let _guard = serial();
    let class = Class::start_in(tempfile::tempdir().unwrap(), None);
    let trainer = class.app.trainer().expect("trainer mode");
    let run = trainer.run().expect("the first lesson is loaded");
    assert_eq!(run.lesson().lesson.id, mitid_core::lesson::SHIPPED[0].0);
    assert!(class.app.trainer_window_open(), "the panel opens with the app");
    assert!(class.app.status().open, "Support is open at the first lesson's start");
    assert!(class.panel_shows("Find the caller, check who they are, issue a P-code and read it out once."));
    assert!(class.panel_shows("Start the lesson again (F5)"));
    // The directory holds the lesson's callers.
    let mut class = class;
    class.open_caller("Søren Kierkegaard");
    // The Trust screen says which issuer verifies the demo documents.
    class.send(Message::Navigate(ScreenId::Trust));
    let demo = class.app.trust().demo_csca().expect("the demo CSCA is listed").clone();
    assert_eq!(demo.certificates, 1);
    assert!(class.shows(&format!(
        "Demo mode: besides these, the simulator's test issuer (country {}, valid until {}) is trusted. It signs the demo documents only and is never trusted outside demo mode.",
        demo.country, demo.valid_until
    )));
}

#[test]
fn weekday_pcode_issues_the_code_and_the_log_says_so() {
    let _guard = serial();
    let mut c = Class::start("weekday-pcode");
    c.open_caller("Olena Shevchenko");
    c.click("Issue P-code");
    assert!(c.logged(EntryKind::Step, "code-dialog"));
    c.send(Message::Callers(mitid_assist::screen::callers::Message::Issue));
    assert!(matches!(c.app.callers().dialog(), Some(mitid_assist::screen::callers::Dialog::Code { .. })));
    assert!(c.logged(EntryKind::Action, "issue the P-code"));
    assert!(c.logged(EntryKind::Said, "A P-code was issued and shown."));
}

#[test]
fn late_call_support_closes_while_the_code_dialog_is_open() {
    let _guard = serial();
    let mut c = Class::start("late-call");
    assert!(c.app.status().open);
    c.open_caller("Jürgen Müller");
    c.click("Issue P-code");
    // A minute on: the lesson's fault is due, Support closes.
    c.panel(trainer::Message::Advance(1));
    assert!(!c.app.status().open, "Support has closed");
    assert!(c.logged(EntryKind::Fault, "support-closes"));
    c.send(Message::Callers(mitid_assist::screen::callers::Message::Issue));
    let said = c.app.said().expect("the refusal");
    assert_eq!(said, "MitID Support is closed, so no P-code can be issued now.");
    assert!(c.logged(EntryKind::Said, "MitID Support is closed, so no P-code"));
    assert!(c.logged(EntryKind::Said, "MitID Support closes"));
}

#[test]
fn christmas_eve_jumps_to_two_minutes_before_closing() {
    let _guard = serial();
    let mut c = Class::start("christmas-eve");
    assert!(c.app.status().open);
    c.open_caller("Åse Østergaard");
    // Her code has expired: the lesson gave her one issued 61 days ago.
    let card = c.app.callers().card().unwrap();
    assert!(card.pcodes.len() == 1 && card.pcodes[0].expires_at < c.clock.now(), "{:?}", card.pcodes);
    c.panel(trainer::Message::Advance(2));
    let local = mitid_core::support_hours::COPENHAGEN.to_datetime(c.clock.now());
    assert_eq!((local.hour(), local.minute()), (13, 58), "{local}");
    assert!(c.app.status().open);
    c.panel(trainer::Message::Advance(2));
    assert!(!c.app.status().open, "Christmas Eve closes at 14:00");
    // It opens again on Christmas Day, at holiday hours.
    let opens = c.app.status().next_change.map(|at| mitid_core::support_hours::COPENHAGEN.to_datetime(at));
    assert_eq!(opens.map(|d| d.to_string()).as_deref(), Some("2026-12-25T10:00:00"));
    assert!(c.shows("P-codes cannot be issued now: MitID Support opens tomorrow 10:00."));
}

const GENUINE: &str = "Genuine chip: the data is signed by the issuing country and the chip proved it is the original.";

#[test]
fn counter_lessons_read_the_genuine_passport_the_id_card_the_clone_and_the_expired_one() {
    let _guard = serial();
    use mitid_emrtd::pki::verdict::Verdict;
    for (lesson, verdict, says) in [
        ("counter-passport", Verdict::Genuine, GENUINE),
        ("id-card-can", Verdict::Genuine, GENUINE),
        (
            "clone",
            Verdict::NotVerified,
            "Not verified: the chip could not prove it holds the document's key — it may be a copy.",
        ),
        ("expired-document", Verdict::Genuine, "The document has expired."),
    ] {
        let mut c = Class::start(lesson);
        c.read_chip();
        let document = c.app.enrollment().document().unwrap_or_else(|| panic!("{lesson}: read"));
        assert_eq!(document.verdict.0, verdict, "{lesson}: {}", document.verdict.1);
        assert!(c.shows(says) || c.app.said().is_some_and(|s| s.contains(says)), "{lesson}: «{says}»");
        assert!(c.logged(EntryKind::Step, "chip") && c.logged(EntryKind::Step, "dg2"), "{lesson}: {:?}", c.log());
    }
}

#[test]
fn document_slips_during_the_photo_and_the_read_resumes() {
    let _guard = serial();
    let mut c = Class::start("document-slips");
    c.read_chip();
    // The lesson's fault fired at DG2; the read went on where it stopped.
    assert!(c.logged(EntryKind::Fault, "card-slips"), "{:?}", c.log());
    let document = c.app.enrollment().document().expect("read after the slip");
    assert_eq!(document.verdict.0, mitid_emrtd::pki::verdict::Verdict::Genuine);
}

#[test]
fn not_the_holder_gives_a_weak_match() {
    let _guard = serial();
    let Some(_) = common::face_models() else { return };
    let mut c = Class::start("not-the-holder");
    assert_eq!(c.app.enrollment().face_camera().person, mitid_assist::camera::DemoPerson::Stranger);
    c.read_chip();
    c.send(Message::Enrollment(enrollment::Message::Next));
    assert_eq!(c.app.enrollment().step(), Step::Face);
    c.film();
    let comparison = c.app.enrollment().face().comparison().expect("compared");
    assert_eq!(comparison.band, mitid_face::Band::Weak);
    assert!(c.logged(EntryKind::Said, "Weak match"), "{:?}", c.log());
}

#[test]
fn no_sms_comes_at_phone_linking() {
    let _guard = serial();
    let Some(_) = common::face_models() else { return };
    let mut c = Class::start("no-sms");
    c.read_chip();
    c.send(Message::Enrollment(enrollment::Message::Next));
    c.film();
    c.send(Message::Enrollment(enrollment::Message::Face(enrollment::face::Message::Decide(
        enrollment::face::Decision::Same,
    ))));
    c.send(Message::Enrollment(enrollment::Message::Next));
    assert_eq!(c.app.enrollment().step(), Step::Handover);
    assert!(c.shows("Demo phone: the SMS with the code has arrived."), "before the phone step");
    use enrollment::handover::{Item, Message as H, Status};
    c.send(Message::Enrollment(enrollment::Message::Handover(H::Mark(Item::UserId, Status::Done))));
    assert!(c.logged(EntryKind::Fault, "no-sms"), "{:?}", c.log());
    assert!(c.shows("Demo phone: no SMS has arrived. Wait a minute, then mark what happened."));
    c.click_panel("SMS arrive again");
    assert!(c.shows("Demo phone: the SMS with the code has arrived."));
}

#[test]
fn every_fault_kind_can_be_injected_from_the_panel_and_is_said() {
    let _guard = serial();
    let mut c = Class::start("counter-passport");
    for (i, kind) in FaultKind::ALL.into_iter().enumerate() {
        let letter = char::from(b'A' + i as u8);
        c.click_panel(&format!("{letter} · {}", trainer::fault_text(kind)));
        assert!(c.logged(EntryKind::Fault, &format!("{} (by the trainer)", kind.name())), "{kind:?}");
    }
    // Their effects, each on the demo devices or the clock.
    let state = c.app.devices().get();
    assert!(!state.plugged && !state.pcsc_running && !state.document && state.denies && state.silent);
    assert!(!state.sms_arrives);
    assert_eq!(state.service, mitid_core::lesson::ServiceSetup::Up, "service back, last");
    assert!(!c.app.status().open, "Support closed");
    c.panel(trainer::Message::Restore(Restore::Reader));
    c.panel(trainer::Message::Restore(Restore::Camera));
    let state = c.app.devices().get();
    assert!(state.plugged && state.pcsc_running && state.document && !state.denies && !state.silent);
    assert_eq!(state.camera_problem, None);
}

#[test]
fn the_reader_faults_reach_a_read_and_are_said_in_words() {
    let _guard = serial();
    for (kind, says) in [
        (FaultKind::ReaderUnplugged, "No card reader is connected"),
        (FaultKind::PcscStopped, "smart-card service (pcscd) is not running"),
        (FaultKind::AccessDenied, "The chip refused the data"),
        (FaultKind::DocumentTaken, "There is no document on the reader"),
        (FaultKind::ChipTimeout, "The chip did not answer in time."),
        (FaultKind::ChipGarbage, "The read failed"),
    ] {
        let mut c = Class::start("counter-passport");
        c.panel(trainer::Message::Inject(kind));
        c.read_chip();
        assert!(c.app.enrollment().document().is_none(), "{kind:?}");
        let said = c.app.said().unwrap_or_default().to_lowercase();
        assert!(said.contains(&says.to_lowercase()), "{kind:?}: {said}");
    }
}

#[test]
fn the_service_down_is_said_and_nothing_typed_is_lost() {
    let _guard = serial();
    let mut c = Class::start("weekday-pcode");
    c.open_caller("Søren Kierkegaard");
    c.panel(trainer::Message::Inject(FaultKind::ServiceDown));
    use mitid_assist::screen::callers::Message as C;
    c.send(Message::Callers(C::Query("Olena".into())));
    let said = c.app.said().expect("the service's silence is said");
    assert!(said.contains("does not answer"), "{said}");
    assert_eq!(c.app.callers().query(), "Olena", "what was typed stays");
    c.panel(trainer::Message::Inject(FaultKind::ServiceUp));
    c.send(Message::Callers(C::Query("Olena".into())));
    assert!(!c.app.callers().results().is_empty());
}

#[test]
fn the_clock_is_set_moved_on_and_sped_up_from_the_panel() {
    let _guard = serial();
    let mut c = Class::start("weekday-pcode");
    let before = c.clock.now();
    c.click_panel("+10 min");
    assert!(c.clock.now().duration_since(before) >= jiff::SignedDuration::from_mins(10));
    c.panel(trainer::Message::ClockText("2026-11-28 09:59".into()));
    c.click_panel("Set the clock");
    assert_eq!(c.clock.now().duration_since(common::local("2026-11-28T09:59")).as_secs() / 60, 0);
    assert!(!c.app.status().open, "a Saturday opens at 10");
    c.panel(trainer::Message::Advance(1));
    assert!(c.app.status().open);
    c.panel(trainer::Message::Speed(trainer::Speed(10.0)));
    assert_eq!(c.clock.speed(), 10.0);
    c.panel(trainer::Message::ClockText("soon".into()));
    c.click_panel("Set the clock");
    assert!(c.panel_shows("Write the time as year-month-day hours:minutes, e.g. 2026-11-24 19:58."));
    assert!(c.logged(EntryKind::Clock, "moved on 10:00") && c.logged(EntryKind::Clock, "speed 10×"));
}

#[test]
fn reset_starts_the_lesson_again_from_its_beginning() {
    let _guard = serial();
    let mut c = Class::start("late-call");
    c.open_caller("Jürgen Müller");
    c.click("Issue P-code");
    c.panel(trainer::Message::Advance(1));
    assert!(!c.app.status().open);
    let began = std::time::Instant::now();
    c.click_panel("Start the lesson again (F5)");
    let took = began.elapsed();
    eprintln!("lesson reset: {:.1} ms", took.as_secs_f64() * 1000.0);
    assert!(c.app.status().open, "back at 19:58");
    assert!(c.app.callers().card().is_none() && c.app.callers().dialog().is_none());
    assert_eq!(c.log().len(), 1, "a fresh log: {:?}", c.log());
    assert_eq!(c.app.trainer().unwrap().run().unwrap().pending(), 1, "the fault waits again");
}

#[test]
fn the_log_is_exported_as_markdown_and_csv() {
    let _guard = serial();
    let mut c = Class::start("weekday-pcode");
    c.open_caller("Søren Kierkegaard");
    c.click_panel("Export as Markdown");
    c.click_panel("Export as CSV");
    let dir = c.dir.path().join("lesson-logs");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let csv = files.iter().find(|p| p.extension().unwrap() == "csv").unwrap();
    let csv = std::fs::read_to_string(csv).unwrap();
    assert!(csv.starts_with("elapsed_s,clock,kind,what\r\n0,2026-11-24T10:00:00,lesson,"), "{csv}");
    assert!(csv.contains(",action,open caller"), "{csv}");
    let md = files.iter().find(|p| p.extension().unwrap() == "md").unwrap();
    assert!(std::fs::read_to_string(md).unwrap().starts_with("# A P-code call on a weekday\n"));
    assert!(
        c.panel_shows(&format!("The log was saved as {}.", files[0].display()))
            || c.panel_shows(&format!("The log was saved as {}.", files[1].display()))
    );
}

#[test]
fn a_broken_lesson_of_the_trainers_is_listed_with_its_line_and_the_app_still_opens() {
    let _guard = serial();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("lessons")).unwrap();
    std::fs::write(
        dir.path().join("lessons/mine.toml"),
        "[lesson]\nid = \"mine\"\ntitle = { en = \"Mine\", da = \"Min\" }\ngoal = { en = \"G\", da = \"G\" }\n\n[clock]\nstart = \"yesterday\"\n",
    )
    .unwrap();
    let mut c = Class::start_in(dir, Some("mine"));
    // The broken one is not started: the first shipped lesson is.
    assert_eq!(c.app.trainer().unwrap().run().unwrap().lesson().lesson.id, mitid_core::lesson::SHIPPED[0].0);
    let pick = c.app.trainer().unwrap().pick("mine").unwrap();
    c.panel(trainer::Message::Choose(pick));
    let listed = c.app.trainer().unwrap().lessons().iter().find(|l| l.id == "mine").unwrap();
    let problem = &listed.lesson.as_ref().unwrap_err()[0];
    assert_eq!(problem.line, 7, "{problem:?}");
    assert!(c.panel_shows(&format!("Line 7: {}", problem.reason)));
}

#[test]
fn the_keyboard_works_in_trainer_mode_as_it_does_for_real() {
    let _guard = serial();
    use enrollment::mrz::Message as M;
    let mut c = Class::start("counter-passport");
    c.send(Message::Navigate(ScreenId::Enrollment));
    c.send(Message::Enrollment(enrollment::Message::Mrz(M::Number("L898902C3".into()))));
    c.send(Message::Enrollment(enrollment::Message::Mrz(M::NumberSubmitted)));
    let focused = c.app.focus().and_then(|i| c.app.focusables().get(i).cloned());
    assert!(
        matches!(focused, Some(Message::Enrollment(enrollment::Message::Mrz(M::DatePart(..))))),
        "Enter in the number goes on to the dates: {focused:?}"
    );
}

#[test]
fn a_lesson_of_the_trainers_puts_its_own_document_and_photo_on_the_reader() {
    let _guard = serial();
    let dir = tempfile::tempdir().unwrap();
    let lessons = dir.path().join("lessons");
    std::fs::create_dir_all(&lessons).unwrap();
    let photo: &[u8] = include_bytes!("../assets/demo/chip-person-a.jpg");
    std::fs::write(lessons.join("juergen.jpg"), photo).unwrap();
    std::fs::write(
        lessons.join("own-card.toml"),
        r#"reader = "own"

[lesson]
id = "own-card"
title = { en = "Jürgen's ID card", da = "Jürgens ID-kort" }
goal = { en = "Read a German ID card by its CAN.", da = "Læs et tysk ID-kort med dets CAN." }

[clock]
start = "2026-11-25T11:00:00+01:00"

[document]
mrz = """
IDD<<T220001293<<<<<<<<<<<<<<<
8503127M3101012D<<<<<<<<<<<<<4
MUELLER<<JUERGEN<<<<<<<<<<<<<<
"""
can = "123456"
photo = "juergen.jpg"
"#,
    )
    .unwrap();
    let mut c = Class::start_in(dir, Some("own-card"));
    assert_eq!(c.app.trainer().unwrap().run().unwrap().lesson().lesson.id, "own-card");
    assert_eq!(c.app.enrollment().specimen(), mitid_assist::chip_read::Specimen::Lesson, "the reader holds it");
    assert!(
        c.panel_shows("IDD<<T220001293<<<<<<<<<<<<<<<\n8503127M3101012D<<<<<<<<<<<<<4\nMUELLER<<JUERGEN<<<<<<<<<<<<<<")
    );
    c.read_chip();
    let document = c.app.enrollment().document().expect("the lesson's card read");
    assert_eq!(document.verdict.0, mitid_emrtd::pki::verdict::Verdict::Genuine, "{}", document.verdict.1);
    let dg1 = document.dg1().unwrap();
    assert_eq!((dg1.document_number.as_str(), dg1.primary_name.as_str()), ("T22000129", "MUELLER"));
    let dg2 = document.file(mitid_emrtd::file::FileId::DG2).unwrap();
    assert!(dg2.windows(photo.len()).any(|w| w == photo), "the lesson's photo is the chip's");
}

#[test]
fn a_class_follows_its_service_and_the_trainer_sends_a_fault_to_one_desk_or_to_all() {
    let _guard = serial();
    let Some(admin) = site::cluster() else { return };
    let db = site::Database::new(&admin);
    let server = site::Server::start_args(&db, "", &["--demo", "--lesson", "late-call"]);
    let mut trainer = Class::join(&server, "desk-a");
    let mut trainee = Class::join(&server, "desk-b");

    // Each desk runs the class's lesson on the class's clock, with the
    // callers the class's service holds.
    for desk in [&trainer, &trainee] {
        assert_eq!(desk.app.trainer().unwrap().run().unwrap().lesson().lesson.id, "late-call");
        let local = mitid_core::support_hours::COPENHAGEN.to_datetime(desk.clock.now());
        assert_eq!((local.hour(), local.minute()), (19, 58), "{local}");
        assert!(desk.logged(EntryKind::Clock, "joined the class (lesson late-call)"), "{:?}", desk.log());
    }
    trainee.open_caller("Jürgen Müller");

    // The trainer's panel follows the class's desks …
    trainee.send(Message::ClassTick);
    trainer.send(Message::ClassTick);
    let class = trainer.app.trainer().unwrap().class().unwrap();
    let desks: Vec<&str> = class.view.as_ref().unwrap().desks.iter().map(|d| d.desk.as_str()).collect();
    assert_eq!(desks, ["desk-a", "desk-b"]);
    assert!(trainer.panel_shows("The class · lesson late-call"));
    let seen = &class.view.as_ref().unwrap().desks[1];
    let line =
        format!("desk-b: Callers & P-codes · a caller's card · last: open caller · {} s ago", seen.seen_seconds_ago);
    assert!(trainer.panel_shows(&line), "where the trainee is: {seen:?}");

    // … sends a fault to the trainee's desk alone …
    // (T on the panel goes through the targets: every desk, then each.)
    for _ in 0..3 {
        let task = trainer.app.trainer_key(&iced::keyboard::Key::Character("t".into()));
        trainer.run(task);
    }
    let target = &trainer.app.trainer().unwrap().class().unwrap().target;
    assert_eq!(*target, trainer::Target::Desk("desk-b".into()));
    trainer.click_panel("A · The card slips");
    assert!(trainer.panel_shows("Sent “The card slips” to one desk."));
    assert!(!trainer.logged(EntryKind::Fault, "card-slips (sent to the class)"));
    trainee.send(Message::ClassTick);
    assert!(trainee.logged(EntryKind::Fault, "card-slips (sent to the class)"), "{:?}", trainee.log());
    trainer.send(Message::ClassTick);
    assert!(!trainer.logged(EntryKind::Fault, "card-slips (sent to the class)"), "not the trainer's desk");

    // … and Support closes for every desk, on the class's clock.
    trainer.panel(trainer::Message::Target(trainer::Target::Every));
    trainer.panel(trainer::Message::Inject(FaultKind::SupportCloses));
    assert!(trainer.panel_shows("Sent “Support closes” to 2 desks."));
    for desk in [&mut trainer, &mut trainee] {
        desk.send(Message::ClassTick);
        assert!(desk.logged(EntryKind::Fault, "support-closes (sent to the class)"), "{:?}", desk.log());
        assert!(!desk.app.status().open, "Support closed at {}", desk.clock.now());
    }
    trainee.send(Message::ClassTick);
    let local = mitid_core::support_hours::COPENHAGEN.to_datetime(trainee.clock.now());
    assert_eq!(local.hour(), 20, "the class's clock moved to closing: {local}");
}

#[test]
fn the_panels_clock_and_devices_answer_the_keyboard() {
    let _guard = serial();
    use iced::keyboard::{Key, key::Named};
    let mut c = Class::start("counter-passport");
    let key = |c: &mut Class, k: Key| {
        let task = c.app.trainer_key(&k);
        c.run(task);
    };
    let char = |s: &str| Key::Character(s.into());
    let before = c.clock.now();
    key(&mut c, char("2"));
    let moved = c.clock.now().duration_since(before);
    assert!(moved >= jiff::SignedDuration::from_mins(10), "2 moves the clock on ten minutes: {moved}");
    key(&mut c, char("0"));
    assert_eq!(c.clock.speed(), 2.0, "0 runs it faster");
    key(&mut c, char("q"));
    assert_eq!(c.app.enrollment().specimen(), mitid_assist::chip_read::Specimen::IdCard, "Q: the next document");
    key(&mut c, char("w"));
    assert_eq!(c.app.enrollment().face_camera().person, mitid_assist::camera::DemoPerson::Stranger);
    key(&mut c, char("b"));
    assert!(!c.app.devices().get().document, "B takes the document off");
    key(&mut c, char("r"));
    assert!(c.app.devices().get().document, "R puts the reader right");
    key(&mut c, char("t"));
    assert!(c.app.trainer().unwrap().class().is_none(), "T does nothing outside a class");
    key(&mut c, Key::Named(Named::F5));
    assert!(!c.logged(EntryKind::Fault, "document-taken"), "F5 started the lesson afresh: {:?}", c.log());
    assert_eq!(c.app.enrollment().specimen(), mitid_assist::chip_read::Specimen::Passport);
    assert!(c.panel_shows(
        "Keys here: A–P a fault · 1, 2, 3 clock +1, +10, +60 min · 0 faster · F2 set the clock · Q the reader's document · W who the camera shows · R, U, S reader, camera, SMS back to normal · T where faults happen (in a class) · F5 start again"
    ));
}
