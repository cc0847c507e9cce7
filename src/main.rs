//! The binary: parse the command line, then run a command or open the window.

use std::process::ExitCode;

use clap::Parser;
use mitid_assist::app::{App, DeskSource, Options, TrainerSetup};
use mitid_assist::cli::{self, Cli, EXIT_USAGE};
use mitid_assist::{i18n, logging, theme};
use mitid_core::config::UiState;

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    let context = match cli.context() {
        Ok(context) => context,
        Err(error) => return fail(&error.to_string()),
    };
    if let Some(command) = &cli.command {
        return match cli::run(command, context, cli.demo) {
            Ok(outcome) => {
                print!("{}", outcome.stdout);
                ExitCode::from(outcome.code)
            }
            Err(error) => {
                if command.json() {
                    print!("{}", error.to_json());
                }
                eprintln!("mitid-assist: {error}");
                ExitCode::from(error.exit_code())
            }
        };
    }
    // Trainer mode: the lesson's clock starts where --clock says, else
    // where the first lesson does.
    let trainer = cli.demo.then(|| TrainerSetup {
        clock: std::sync::Arc::new(mitid_core::SimulatedClock::starting_at(
            cli.clock.unwrap_or_else(jiff::Timestamp::now),
        )),
        keep_clock: cli.clock.is_some(),
        lessons_dir: Some(context.paths.data_dir.join("lessons")),
        log_dir: Some(context.paths.data_dir.join("lesson-logs")),
        lesson: cli.lesson.clone(),
        open_panel: !cli.no_panel,
    });
    run_window(cli.demo, context, trainer, started)
}

fn fail(message: &str) -> ExitCode {
    eprintln!("mitid-assist: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// Whether a display server can be reached at all; iced would otherwise
/// fail deep inside window creation.
fn display_available() -> bool {
    if !cfg!(all(unix, not(target_os = "macos"))) {
        return true;
    }
    let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    set("DISPLAY") || set("WAYLAND_DISPLAY")
}

fn run_window(
    demo: bool,
    context: cli::Context,
    trainer: Option<TrainerSetup>,
    started: std::time::Instant,
) -> ExitCode {
    if !display_available() {
        return fail(
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set); the commands work without one, see --help",
        );
    }
    if let Err(error) = std::fs::create_dir_all(&context.paths.data_dir) {
        return fail(&format!("cannot create the data folder {}: {error}", context.paths.data_dir.display()));
    }
    let log_dir = context.paths.log_dir();
    let _log_guard = logging::init(std::fs::create_dir_all(&log_dir).is_ok().then_some(log_dir.as_path()));
    tracing::info!(version = env!("CARGO_PKG_VERSION"), demo, "starting");
    if demo {
        tracing::info!("demo mode: simulated devices and clock");
    }
    if let Some(error) = &context.config_error {
        tracing::warn!(%error, "configuration not used; defaults apply");
    }
    let options = Options {
        demo,
        clock: context.clock,
        hours: context.hours,
        data_dir: Some(context.paths.data_dir.clone()),
        state: UiState::load(&context.paths.data_dir),
        language: context.config.language.or_else(i18n::desktop_language).unwrap_or(mitid_core::config::Language::En),
        theme: context.config.theme,
        config_error: context.config_error.map(|e| e.to_string()),
        started: Some(started),
        desk: DeskSource::Open {
            data_dir: context.paths.data_dir.clone(),
            demo,
            config: context.config.desk.clone(),
            server: context.server.clone(),
        },
        face: context.config.face.clone(),
        trainer,
    };
    // A daemon: the agent's window, and the citizen's when opened; closing
    // the agent's stops the app.
    let mut application = iced::daemon(move || App::boot(options.clone()), App::update, App::window_view)
        .title(App::window_title)
        .theme(App::window_theme)
        .subscription(App::subscription)
        .default_font(theme::REGULAR);
    for font in theme::FONT_FILES {
        application = application.font(font);
    }
    install_panic_hook();
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || application.run()));
    let result = match run {
        Ok(result) => result,
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            // iced panics when winit cannot reach the display server.
            if message.contains("event loop") {
                let display =
                    std::env::var("WAYLAND_DISPLAY").or_else(|_| std::env::var("DISPLAY")).unwrap_or_default();
                return fail(&format!(
                    "cannot open a window: the display server {display} did not answer (details in the log)"
                ));
            }
            return fail(&format!(
                "stopped after an internal error: {message}. The log in the data folder has details."
            ));
        }
    };
    match result {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, "the window could not be opened");
            let detail = match &error {
                iced::Error::WindowCreationFailed(inner) => format!("{error}: {inner}"),
                iced::Error::GraphicsCreationFailed(inner) => format!("{error}: {inner}"),
                iced::Error::ExecutorCreationFailed(inner) => format!("{error}: {inner}"),
            };
            fail(&detail)
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Panics go to the log (with their location, which holds no personal data)
/// instead of a backtrace on the terminal; `main` prints one line.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        tracing::error!(target: "panic", location, "{}", panic_message(info.payload()));
    }));
}
