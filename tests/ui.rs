//! Headless UI flows through the real app state and views, rendered by
//! iced_test (ICED_TEST_BACKEND=tiny-skia in CI): navigation, language
//! switching, the status bar and keyboard use.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod common;

use std::sync::{Arc, Mutex, MutexGuard};

use iced::Theme;
use iced::keyboard::{Key, Modifiers, key::Named};
use iced_test::Simulator;
use iced_test::core::Settings;
use jiff::Timestamp;
use mitid_assist::app::{App, Message, Options};
use mitid_assist::screen::ScreenId;
use mitid_assist::screen::enrollment::mrz::Message as MrzMessage;
use mitid_assist::screen::enrollment::{Message as EnrollmentMessage, Mode, Reply, Step};
use mitid_assist::theme;
use mitid_core::config::{Language, ThemePreference, UiState};
use mitid_core::support_hours::{Exception, HoursConfig};
use mitid_core::{SimulatedClock, SupportHours};

/// The texts live in one process-wide loader, so tests that switch language
/// must not run at the same time.
static LANGUAGE: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    LANGUAGE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn local(s: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    mitid_core::support_hours::COPENHAGEN.to_timestamp(dt).unwrap()
}

struct Harness {
    app: App,
    clock: Arc<SimulatedClock>,
}

impl Harness {
    fn new(at: &str, language: Language, demo: bool) -> Self {
        Self::with_hours(at, language, demo, SupportHours::default())
    }

    fn with_hours(at: &str, language: Language, demo: bool, hours: SupportHours) -> Self {
        let clock = Arc::new(SimulatedClock::starting_at(local(at)));
        let app = App::new(Options {
            demo,
            clock: clock.clone(),
            hours,
            data_dir: None,
            state: UiState::default(),
            language,
            theme: ThemePreference::Light,
            config_error: None,
            started: None,
            desk: mitid_assist::app::DeskSource::None,
            face: Default::default(),
            trainer: None,
        });
        Self { app, clock }
    }

    fn ui(&self) -> Simulator<'_, Message> {
        let settings = Settings {
            fonts: theme::FONT_FILES.iter().map(|f| std::borrow::Cow::Borrowed(*f)).collect(),
            default_font: theme::REGULAR,
            ..Settings::default()
        };
        Simulator::with_settings(settings, self.app.view())
    }

    /// Clicks the widget showing `label` and feeds what it sent to the app.
    fn click(&mut self, label: &str) {
        let messages: Vec<Message> = {
            let mut ui = self.ui();
            ui.click(label).unwrap_or_else(|e| panic!("no «{label}» to click: {e}"));
            ui.into_messages().collect()
        };
        assert!(!messages.is_empty(), "clicking «{label}» sent nothing");
        for message in messages {
            let _ = self.app.update(message);
        }
    }

    /// Whether the widget showing `label` is there but sends nothing.
    fn click_does_nothing(&mut self, label: &str) -> bool {
        let mut ui = self.ui();
        ui.click(label).unwrap_or_else(|e| panic!("no «{label}»: {e}"));
        ui.into_messages().next().is_none()
    }

    fn shows(&self, label: &str) -> bool {
        self.ui().find(label).is_ok()
    }

    fn key(&mut self, key: Key, modifiers: Modifiers) {
        let _ = self.app.update(Message::Key(key, modifiers));
    }

    fn set_time(&mut self, at: &str) {
        self.clock.set(local(at));
        let _ = self.app.update(Message::Tick);
    }
}

/// Whether two rendered frames differ (the first is written as a PNG, the
/// second compared with it).
fn differ(a: &iced_test::simulator::Snapshot, b: &iced_test::simulator::Snapshot) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("first.png");
    assert!(a.matches_image(&path).unwrap(), "the first frame is written");
    !b.matches_image(&path).unwrap()
}

#[test]
fn navigation_reaches_every_screen() {
    let _guard = serial();
    let mut h = Harness::new("2026-11-24T10:00", Language::En, false);
    assert_eq!(h.app.current(), ScreenId::Callers);
    assert!(h.shows("Callers & P-codes"));
    h.click("Counter enrollment");
    assert_eq!(h.app.current(), ScreenId::Enrollment);
    assert!(h.shows("Step 1 of 4"));
    // The chip step needs what opens the chip: an ID card's CAN here.
    h.click("ID card number (CAN)");
    let _ = h.app.update(Message::Enrollment(EnrollmentMessage::Mrz(MrzMessage::Can("123456".into()))));
    h.click("Read the chip");
    // Face capture waits for the chip to be read.
    assert!(h.click_does_nothing("Continue to face capture"));
    let tag = h.app.enrollment().tag();
    let _ = h.app.update(Message::Enrollment(EnrollmentMessage::Reply(tag, Reply::Report(common::demo_read()))));
    h.click("Continue to face capture");
    assert_eq!(h.app.enrollment().step(), Step::Face);
    assert!(h.shows("Step 3 of 4"));
    h.click("Audit");
    assert_eq!(h.app.current(), ScreenId::Audit);
    assert!(h.shows("Check the whole log"));
    // Coming back keeps the enrollment where it was.
    h.click("Counter enrollment");
    assert_eq!(h.app.enrollment().step(), Step::Face);
    h.click("Back");
    assert_eq!(h.app.enrollment().step(), Step::Chip);
}

#[test]
fn language_switches_at_run_time() {
    let _guard = serial();
    let mut h = Harness::new("2026-11-24T10:00", Language::En, false);
    assert!(h.shows("Counter enrollment"));
    h.click("Dansk");
    assert_eq!(h.app.language(), Language::Da);
    assert!(h.shows("Oprettelse ved skranken"), "navigation in Danish");
    assert!(h.shows("Åben — lukker 20:00"), "status bar in Danish");
    assert!(!h.shows("Counter enrollment"));
    h.click("English");
    assert_eq!(h.app.language(), Language::En);
    assert!(h.shows("Open — closes 20:00"));
}

#[test]
fn status_bar_follows_the_clock() {
    let _guard = serial();
    // Tuesday shortly before closing.
    let mut h = Harness::new("2026-11-24T19:59:30", Language::En, false);
    assert!(h.shows("Open — closes 20:00"));
    assert!(h.shows("P-codes may be issued now: MitID Support is open until 20:00."));
    // The app asks to be woken exactly at the boundary.
    assert_eq!(h.app.next_wake(), local("2026-11-24T20:00"));
    h.set_time("2026-11-24T20:00:00");
    assert!(!h.app.status().open);
    assert!(h.shows("Closed — opens tomorrow 08:00"));
    // Friday night: opens Saturday at 10 — "tomorrow"; Saturday after 16: Sunday.
    h.set_time("2026-11-27T21:00");
    assert!(h.shows("Closed — opens tomorrow 10:00"));
    h.set_time("2026-11-28T16:00");
    assert!(h.shows("Closed — opens tomorrow 10:00"));
    h.set_time("2026-11-29T16:30");
    assert!(h.shows("Closed — opens tomorrow 08:00"));
    // Early morning the same day.
    h.set_time("2026-11-30T07:15");
    assert!(h.shows("Closed — opens 08:00"));
    assert_eq!(h.app.next_wake(), local("2026-11-30T07:16"), "the clock on screen still ticks per minute");
}

#[test]
fn status_bar_names_holidays_and_special_days() {
    let _guard = serial();
    let mut h = Harness::new("2027-03-28T12:00", Language::En, false);
    assert!(h.shows("Open — closes 16:00"));
    assert!(h.shows("· Easter Sunday"));
    h.set_time("2026-12-24T13:00");
    assert!(h.shows("Open — closes 14:00"));
    assert!(h.shows("· Christmas Eve"));
    // Maundy Thursday evening, in Danish: the next opening is on a weekday name.
    let mut da = Harness::new("2026-04-02T17:00", Language::Da, false);
    assert!(da.shows("· Skærtorsdag"));
    assert!(da.shows("Lukket — åbner i morgen 10:00"));
    da.set_time("2026-04-01T20:30");
    assert!(da.shows("Lukket — åbner i morgen 10:00"));
    da.set_time("2026-12-24T14:00");
    assert!(da.shows("Lukket — åbner i morgen 10:00"));
}

#[test]
fn status_bar_shows_configured_closures() {
    let _guard = serial();
    let hours = SupportHours::new(HoursConfig {
        exceptions: vec![Exception {
            date: "2026-12-28".parse().unwrap(),
            until: Some("2026-12-30".parse().unwrap()),
            hours: "closed".parse().unwrap(),
            note: "System upgrade".into(),
        }],
        ..HoursConfig::default()
    })
    .unwrap();
    let h = Harness::with_hours("2026-12-28T12:00", Language::En, false, hours);
    assert!(h.shows("Closed — opens Thursday 10:00"), "31 Dec opens 10–14");
    assert!(h.shows("· Special hours: System upgrade"));
}

#[test]
fn the_agent_opens_the_citizens_screen_and_picks_its_language_by_keyboard() {
    let _guard = serial();
    let mut h = Harness::new("2026-11-24T10:00", Language::En, false);
    let none = Modifiers::empty();
    assert!(h.shows("Citizen screen") && h.shows("Citizen: English"));
    for _ in 0..7 {
        h.key(Key::Named(Named::Tab), none);
    }
    assert_eq!(h.app.focus(), Some(6), "on Citizen screen");
    h.key(Key::Named(Named::Enter), none);
    assert!(h.app.citizen_window_open());
    // The next button steps through the citizen's languages.
    h.key(Key::Named(Named::Tab), none);
    h.key(Key::Named(Named::Enter), none);
    assert_eq!(h.app.citizen_language(), mitid_core::config::CitizenLanguage::Da);
    assert!(h.shows("Citizen: Dansk"), "the button names the language spoken");
    assert!(Simulator::with_settings(common::settings(), h.app.citizen_view()).find("Velkommen").is_ok());
    // The agent's own language is untouched.
    assert_eq!(h.app.language(), Language::En);
    h.key(Key::Named(Named::Tab), Modifiers::SHIFT);
    h.key(Key::Named(Named::Enter), none);
    assert!(!h.app.citizen_window_open(), "the same button closes it");
}

#[test]
fn keyboard_moves_focus_and_chooses() {
    let _guard = serial();
    let mut h = Harness::new("2026-11-24T10:00", Language::En, false);
    let none = Modifiers::empty();
    assert_eq!(h.app.focus(), None);
    h.key(Key::Named(Named::Tab), none);
    assert_eq!(h.app.focus(), Some(0));
    h.key(Key::Named(Named::Tab), none);
    assert_eq!(h.app.focus(), Some(1), "on Counter enrollment");
    h.key(Key::Named(Named::Enter), none);
    assert_eq!(h.app.current(), ScreenId::Enrollment);
    // On the first step Tab reaches the three ways in, passport or ID card,
    // the six date parts and Next after the header's eight buttons; with
    // the CAN, the ways in and Next.
    assert_eq!(h.app.focusables().len(), 8 + 3 + 2 + 6 + 1);
    let _ = h.app.update(Message::Enrollment(EnrollmentMessage::Mrz(MrzMessage::Mode(Mode::Can))));
    let _ = h.app.update(Message::Enrollment(EnrollmentMessage::Mrz(MrzMessage::Can("123456".into()))));
    h.key(Key::Named(Named::Tab), Modifiers::SHIFT);
    assert_eq!(h.app.focus(), Some(0));
    h.key(Key::Named(Named::Tab), Modifiers::SHIFT);
    assert_eq!(h.app.focus(), Some(11), "Shift+Tab wraps to the last");
    h.key(Key::Named(Named::Enter), none);
    assert_eq!(h.app.enrollment().step(), Step::Chip);
    // The focused button is drawn with a ring: the view differs.
    let focused = h.ui().snapshot(&Theme::Light).unwrap();
    h.key(Key::Named(Named::Escape), none);
    assert_eq!(h.app.focus(), None, "Esc first drops the focus");
    let unfocused = h.ui().snapshot(&Theme::Light).unwrap();
    assert!(differ(&focused, &unfocused), "focus ring visible");
    h.key(Key::Named(Named::Escape), none);
    assert_eq!(h.app.enrollment().step(), Step::Mrz, "then goes a step back");
    h.key(Key::Character("3".into()), Modifiers::CTRL);
    assert_eq!(h.app.current(), ScreenId::Audit);
    h.key(Key::Character("4".into()), Modifiers::CTRL);
    assert_eq!(h.app.current(), ScreenId::Trust);
    h.key(Key::Character("1".into()), Modifiers::CTRL);
    assert_eq!(h.app.current(), ScreenId::Callers);
    // Space on the theme button cycles the theme: from the first button,
    // Shift+Tab wraps to the screen's own "New caller"; three more back past
    // the citizen screen's two buttons is the theme.
    h.key(Key::Named(Named::Tab), none);
    h.key(Key::Named(Named::Tab), Modifiers::SHIFT);
    assert_eq!(h.app.focus(), Some(8));
    for _ in 0..3 {
        h.key(Key::Named(Named::Tab), Modifiers::SHIFT);
    }
    assert_eq!(h.app.focus(), Some(5));
    h.key(Key::Named(Named::Space), none);
    assert_eq!(h.app.theme_preference(), ThemePreference::Dark);
    assert_eq!(h.app.theme(), Some(Theme::Dark));
}

#[test]
fn typed_dates_by_keyboard_year_month_day() {
    use mitid_assist::screen::enrollment::{Part, Which};
    let _guard = serial();
    let mut h = Harness::new("2026-11-24T10:00", Language::En, false);
    h.click("Counter enrollment");
    let ring = |h: &Harness| h.app.focus().and_then(|i| h.app.focusables().get(i).cloned());
    let _ = h.app.update(Message::Enrollment(EnrollmentMessage::Mrz(MrzMessage::Number("L898902C3".into()))));
    // Enter in the number field: the keyboard goes to the year of birth.
    let _ = h.app.update(Message::Enrollment(EnrollmentMessage::Mrz(MrzMessage::NumberSubmitted)));
    assert!(matches!(
        ring(&h),
        Some(Message::Enrollment(EnrollmentMessage::Mrz(MrzMessage::DatePart(Which::Birth, Part::Year))))
    ));
    let type_digits = |h: &mut Harness, digits: &str| {
        for d in digits.chars() {
            h.key(Key::Character(d.to_string().into()), Modifiers::default());
        }
    };
    // Ctrl+2 is the screen's shortcut, not a digit for the year.
    h.key(Key::Character("2".into()), Modifiers::CTRL);
    assert!(!h.shows("2…"));
    // 1974, 08, 12 — each part moves on by itself once it is whole.
    type_digits(&mut h, "197");
    assert!(h.shows("197…"), "the year so far is shown");
    type_digits(&mut h, "4");
    assert!(matches!(
        ring(&h),
        Some(Message::Enrollment(EnrollmentMessage::Mrz(MrzMessage::DatePart(Which::Birth, Part::Month))))
    ));
    type_digits(&mut h, "0812");
    assert!(matches!(
        ring(&h),
        Some(Message::Enrollment(EnrollmentMessage::Mrz(MrzMessage::DatePart(Which::Expiry, Part::Year))))
    ));
    // Ctrl+digit still switches screens, not the date.
    // A month of "4" is whole at once; "1" waits for a second digit.
    type_digits(&mut h, "20344");
    type_digits(&mut h, "1");
    assert!(matches!(
        ring(&h),
        Some(Message::Enrollment(EnrollmentMessage::Mrz(MrzMessage::DatePart(Which::Expiry, Part::Day))))
    ));
    // Arrows step: 1 → 2 → 1, then "15" replaces it.
    h.key(Key::Named(Named::ArrowUp), Modifiers::default());
    h.key(Key::Named(Named::ArrowDown), Modifiers::default());
    type_digits(&mut h, "15");
    assert!(matches!(ring(&h), Some(Message::Enrollment(EnrollmentMessage::Next))));
    assert!(h.shows("The data checks out. Place the document on the reader."));
    let key = |h: &Harness| match h.app.enrollment().mrz().check(jiff::civil::date(2026, 11, 24)) {
        Ok(mitid_core::mrz_entry::Credentials::Mrz { ref key, .. }) => {
            (key.birth_date.clone(), key.expiry_date.clone())
        }
        other => panic!("not ready: {other:?}"),
    };
    assert_eq!(key(&h), ("740812".to_owned(), "340415".to_owned()));
    // Enter on "Read the chip" goes on to the chip, where Enter reads.
    h.key(Key::Named(Named::Enter), Modifiers::default());
    assert_eq!(h.app.enrollment().step(), Step::Chip);
    assert!(matches!(
        ring(&h),
        Some(Message::Enrollment(EnrollmentMessage::Chip(mitid_assist::screen::enrollment::chip::Message::Read)))
    ));
}

#[test]
fn demo_mode_has_a_banner_that_stays() {
    let _guard = serial();
    let mut h = Harness::new("2026-11-24T10:00", Language::En, true);
    let banner = "DEMO MODE — for training only. Reader, chips, camera, clock and backend are simulated; nothing here reaches MitID.";
    assert!(h.app.title().contains("DEMO"));
    for screen in ["Counter enrollment", "Audit", "Callers & P-codes"] {
        h.click(screen);
        assert!(h.shows(banner), "banner on {screen}");
    }
    assert!(h.shows("Simulated time 10:00"));
    // The citizen's screen says so too.
    assert!(Simulator::with_settings(common::settings(), h.app.citizen_view()).find("DEMO").is_ok());
    let normal = Harness::new("2026-11-24T10:00", Language::En, false);
    assert!(!normal.shows(banner));
    assert!(Simulator::with_settings(common::settings(), normal.app.citizen_view()).find("DEMO").is_err());
    assert!(normal.shows("10:00 in Copenhagen"));
}

#[test]
fn renders_with_the_embedded_fonts_in_both_themes() {
    let _guard = serial();
    let h = Harness::new("2026-11-24T10:00", Language::Da, false);
    let light = h.ui().snapshot(&Theme::Light).unwrap();
    let dark = h.ui().snapshot(&Theme::Dark).unwrap();
    assert!(differ(&light, &dark));
}

/// At the window's default size and at its smallest, in both languages,
/// every header button is whole inside the window (the citizen's language
/// used to be cut off at the right edge).
#[test]
fn the_header_fits_the_window() {
    let _guard = serial();
    for language in [Language::En, Language::Da] {
        let h = Harness::new("2026-11-25T10:00", language, false);
        let labels = match language {
            Language::En => {
                ["Callers & P-codes", "Trust", "Dansk", "Theme: light", "Citizen screen", "Citizen: English"]
            }
            Language::Da => ["Opkald og P-koder", "Tillid", "English", "Tema: lyst", "Borgerskærm", "Borger: English"],
        };
        let default = mitid_core::config::WindowGeometry::default();
        for (width, height) in [(default.width, default.height), mitid_core::config::WindowGeometry::MIN] {
            let settings = Settings {
                fonts: theme::FONT_FILES.iter().map(|f| std::borrow::Cow::Borrowed(*f)).collect(),
                default_font: theme::REGULAR,
                ..Settings::default()
            };
            let mut ui = Simulator::with_size(settings, (width, height), h.app.view());
            for label in labels {
                let found = ui.find(label).unwrap_or_else(|e| panic!("{language:?} {width}: no «{label}»: {e}"));
                let bounds = found.visible_bounds().expect("on screen");
                assert!(
                    bounds.x >= 0.0 && bounds.x + bounds.width <= width,
                    "{language:?} at {width}×{height}: «{label}» runs off the window: {bounds:?}"
                );
                let whole = found.bounds();
                assert!(
                    bounds.width >= whole.width - 0.5 && bounds.height >= whole.height - 0.5,
                    "«{label}» is cut off"
                );
            }
        }
    }
}

/// A dialog's shade lies over the whole window — header, status bar and
/// all: nothing under it can be clicked (it used to cover only the
/// screen's own content, so the agent could navigate away from a P-code
/// shown once).
#[test]
fn a_dialog_shades_the_whole_window() {
    let _guard = serial();
    let mut h = Harness::new("2026-11-25T10:00", Language::En, false);
    let _ = h.app.update(Message::Callers(mitid_assist::screen::callers::Message::AskIssue));
    let default = mitid_core::config::WindowGeometry::default();
    for label in ["Counter enrollment", "Dansk", "Citizen screen"] {
        let mut ui = Simulator::with_size(common::settings(), (default.width, default.height), h.app.view());
        ui.click(label).unwrap_or_else(|e| panic!("no «{label}»: {e}"));
        let sent: Vec<Message> = ui.into_messages().collect();
        assert!(sent.is_empty(), "«{label}» was clicked through the dialog's shade: {sent:?}");
    }
    // Without the dialog the same click goes through.
    let _ = h.app.update(Message::Callers(mitid_assist::screen::callers::Message::Cancel));
    let mut ui = Simulator::with_size(common::settings(), (default.width, default.height), h.app.view());
    ui.click("Counter enrollment").expect("the navigation");
    assert_eq!(ui.into_messages().count(), 1);
}
