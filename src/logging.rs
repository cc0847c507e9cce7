//! Logs: to stderr and to a daily file in the data dir (kept two weeks).
//! Log lines carry states, counts and ids — never a name, a document number,
//! an MRZ, a code or an image.

use std::io::IsTerminal;
use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

/// Starts logging; keep the guard alive until exit so the file is flushed.
/// When the log folder cannot be made, logs go to stderr only (and say so).
pub fn init(log_dir: Option<&Path>) -> Option<WorkerGuard> {
    // The terminal gets warnings (panics are reported there by main in one
    // line); the file gets the whole story. MITID_ASSIST_LOG overrides both.
    let filter =
        |default: &str| EnvFilter::try_from_env("MITID_ASSIST_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let stderr =
        fmt::layer().with_writer(std::io::stderr).with_target(false).with_ansi(std::io::stderr().is_terminal());
    let file = log_dir.and_then(|dir| {
        RollingFileAppender::builder()
            .rotation(Rotation::DAILY)
            .filename_prefix("mitid-assist")
            .filename_suffix("log")
            .max_log_files(14)
            .build(dir)
            .map_err(|error| {
                eprintln!(
                    "mitid-assist: logging to stderr only, the log folder {} cannot be used: {error}",
                    dir.display()
                )
            })
            .ok()
    });
    match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let _ = tracing_subscriber::registry()
                .with(stderr.with_filter(filter("error,mitid_assist=warn,mitid_core=warn,panic=off")))
                .with(fmt::layer().with_writer(writer).with_ansi(false).with_filter(filter("info")))
                .try_init();
            Some(guard)
        }
        None => {
            let _ = tracing_subscriber::registry()
                .with(stderr.with_filter(filter("error,mitid_assist=warn,mitid_core=warn,panic=off")))
                .try_init();
            None
        }
    }
}
