//! Staff sign-in at the desk's window, on real parts: the server on
//! PostgreSQL taking sign-ins from the test OpenID provider, the sign-in's
//! refresh token in the kernel keyring, the browser's part played by the
//! provider's test script. The header shows who signed in; what their roles
//! do not reach cannot be chosen; a withdrawn sign-in is refused on the
//! next call and asked for again while the screen keeps what was typed.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

mod common;
#[path = "../crates/server/tests/support/mod.rs"]
mod site;

use std::sync::Arc;

use iced_test::Simulator;
use mitid_assist::app::{App, DeskSource, Message, Options};
use mitid_assist::screen::callers;
use mitid_assist::screen::sign_in::{self, Opened, Phase};
use mitid_core::SimulatedClock;
use mitid_core::config::{Language, ThemePreference, UiState};
use mitid_core::keys::KeyStoreKind;
use mitid_core::roles::Operation;
use mitid_core::store::StoreError;

/// The desk's window on the shared service at `link`.
fn window(
    data_dir: &std::path::Path,
    link: &mitid_core::config::ServerLink,
    config: &mitid_core::desk::DeskConfig,
) -> App {
    App::new(Options {
        demo: false,
        clock: Arc::new(SimulatedClock::starting_at(common::local("2026-11-24T10:00"))),
        hours: Default::default(),
        data_dir: None,
        state: UiState::default(),
        language: Language::En,
        theme: ThemePreference::Light,
        config_error: None,
        started: None,
        desk: DeskSource::Open {
            data_dir: data_dir.to_owned(),
            demo: false,
            config: config.clone(),
            server: Some(link.clone()),
        },
        face: Default::default(),
        trainer: None,
    })
}

fn shows(app: &App, label: &str) -> bool {
    Simulator::with_settings(common::settings(), app.view()).find(label).is_ok()
}

#[test]
fn staff_sign_in_at_the_window_shows_who_and_asks_again_when_withdrawn() {
    if !common::kernel_keyring() {
        return;
    }
    let Some(admin) = site::cluster() else { return };
    // Access tokens of a second: every call refreshes, so a withdrawn
    // account is refused on the next one.
    let Some(provider) = common::TestProvider::start(1) else { return };
    let db = site::Database::new(&admin);
    let server = site::Server::start(
        &db,
        &format!("[clock]\nsimulated = \"2026-11-24T09:00:00Z\"\n{}", provider.server_config()),
    );
    let _texts = common::serial();
    let dir = tempfile::tempdir().unwrap();
    let link = site::desk_config(&server);
    let config = mitid_core::desk::DeskConfig {
        agent: Some("desk-9".into()),
        key_store: KeyStoreKind::Kernel,
        ..Default::default()
    };
    let mut app = window(dir.path(), &link, &config);
    let site = sign_in::Site {
        server: link,
        desk: "desk-9".into(),
        data_dir: dir.path().to_owned(),
        keyring: KeyStoreKind::Kernel,
        browser: false,
    };

    // Nobody signed in: the window asks for it, and nothing else works.
    let opened = sign_in::connect(&site).unwrap();
    let Opened::SignIn(provider_info, false) = &opened else { panic!("{opened:?}") };
    let provider_info = provider_info.clone();
    let _ = app.update(Message::SignIn(sign_in::Message::Opened(Ok(opened.clone()))));
    assert!(shows(&app, "Sign in"), "the panel offers to sign in");
    assert!(!app.sign_in().allows(Operation::ReadCallers));

    // The browser goes to the provider; the person signs in there.
    let started = sign_in::begin(&provider_info).unwrap();
    let _ = app.update(Message::SignIn(sign_in::Message::Began(Ok(started.clone()))));
    assert_eq!(app.sign_in().phase(), &Phase::Waiting { url: started.url.clone() });
    assert!(shows(&app, &started.url), "the address is shown for a browser that did not open");
    let url = started.url.clone();
    let browser = std::thread::spawn(move || common::TestProvider::follow(&url, "agent"));
    let finished = sign_in::finish(&site, provider_info.clone(), &started, std::time::Duration::from_secs(60));
    assert!(browser.join().unwrap().status.success());
    let Ok(Opened::Ready(handle, Some(_))) = &finished else { panic!("{finished:?}") };
    let handle = handle.clone();
    let _ = app.update(Message::SignIn(sign_in::Message::Finished(started.url.clone(), finished)));
    let who = app.sign_in().who().unwrap();
    assert_eq!((who.name.as_deref(), who.subject.as_str()), (Some("Anna Agent"), "agent"));
    assert!(shows(&app, "Anna Agent") && shows(&app, "phone agent"), "the header says who");
    assert!(app.sign_in().allows(Operation::IssuePcode) && !app.sign_in().allows(Operation::ReadAudit));
    // Audit is for supervisors and auditors: its button sends nothing.
    {
        let mut ui = Simulator::with_settings(common::settings(), app.view());
        ui.click("Audit").unwrap();
        assert!(ui.into_messages().next().is_none(), "a phone agent cannot open the audit log");
    }
    // Work is recorded under the person, at this desk.
    let id = handle
        .run_blocking(|desk| {
            desk.add_caller(mitid_core::caller::CallerDetails {
                given_name: "Ida".into(),
                family_name: "Olsen".into(),
                ..Default::default()
            })
        })
        .unwrap();
    assert!(id > 0);
    assert_eq!(
        db.sql("SELECT agent || ' ' || agent_name || ' ' || desk FROM audit WHERE action = 'caller.create'"),
        "agent Anna Agent desk-9"
    );

    // The window opened again signs in from the keyring, without the browser.
    let mut again = window(dir.path(), &site.server, &config);
    let kept = sign_in::connect(&site).unwrap();
    let Opened::Ready(kept_handle, Some(_)) = &kept else { panic!("{kept:?}") };
    let kept_handle = kept_handle.clone();
    let _ = again.update(Message::SignIn(sign_in::Message::Opened(Ok(kept))));
    assert_eq!(again.sign_in().phase(), &Phase::Signed);

    // Typed, not yet searched.
    let _ = app.update(Message::Callers(callers::Message::Query("Olse".into())));
    // The account is withdrawn at the provider: the next call is refused,
    // and the window asks for a sign-in again, keeping what was typed.
    provider.disable("agent");
    let refused = handle.run_blocking(|desk| desk.search("olsen", 5));
    assert!(matches!(refused, Err(StoreError::SignInNeeded(_))), "{refused:?}");
    let _ = app.update(Message::Tick);
    assert_eq!(app.sign_in().phase(), &Phase::Needed { expired: true });
    assert!(shows(&app, "Sign in again"));
    assert_eq!(app.callers().query(), "Olse", "the screen keeps its input");
    // The window that signed in from the keyring asks again too.
    assert!(matches!(kept_handle.run_blocking(|desk| desk.search("olsen", 5)), Err(StoreError::SignInNeeded(_))));
    let _ = again.update(Message::Tick);
    assert_eq!(again.sign_in().phase(), &Phase::Needed { expired: true });
}
