//! The command line: the window by default, and commands for IT staff,
//! trainers and scripts. With `--json` a command prints exactly one JSON
//! document on stdout; messages for people go to stderr.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use jiff::Timestamp;
use mitid_core::config::{Config, ConfigError, Paths};
use mitid_core::desk::DeskError;
use mitid_core::store::StoreError;
use mitid_core::support_hours::SupportHours;
use mitid_core::{Clock, SimulatedClock, SystemClock};

mod bench;
pub mod calendar;
mod camera;
mod chip;
mod desk;
mod face;
mod lesson;
mod mrz;
mod signin;
mod trust;

pub use desk::{AuditCommand, CallerCommand, PcodeCommand};

/// Exit code for a usage or configuration problem, or bad input.
pub const EXIT_USAGE: u8 = 2;
/// Exit code when a P-code is refused because MitID Support is closed.
pub const EXIT_CLOSED: u8 = 3;
/// Exit code when the command ran but the answer is "no" (a P-code not
/// accepted, an audit log that does not verify).
pub const EXIT_NO: u8 = 1;

/// mitid-assist: helps support agents and help-counter staff get people a
/// MitID with a foreign passport or ID card. Without a command it opens the
/// window.
#[derive(Debug, Parser)]
#[command(name = "mitid-assist", version, about, long_about = None)]
pub struct Cli {
    /// Demo mode for trainers: simulated devices, clock and data, in a data
    /// folder of its own.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Demo mode only: start the simulated clock at this instant
    /// (RFC 3339, e.g. 2026-12-24T13:59:00+01:00).
    #[arg(long, global = true, value_name = "RFC3339", value_parser = parse_instant)]
    pub clock: Option<Timestamp>,
    /// Demo mode only: open with this lesson (its id, as `lesson list`
    /// shows it) instead of the first.
    #[arg(long, value_name = "ID")]
    pub lesson: Option<String>,
    /// Demo mode only: do not open the trainer's panel at start (Ctrl+T
    /// opens it).
    #[arg(long)]
    pub no_panel: bool,
    /// Use this data folder (state, logs) instead of the platform's.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use this configuration file instead of the platform's.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Work with the site's shared service at this address (https://…)
    /// instead of this desk's own records; overrides `[server] url`. With
    /// --demo: join the class a training service serves
    /// (`mitid-assist-server --demo`).
    #[arg(long, global = true, value_name = "URL")]
    pub server: Option<String>,
    /// What to do; the window when absent.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the holidays of a year that MitID Support keeps holiday hours on.
    Holidays {
        /// The year, 1583–9998.
        #[arg(value_parser = clap::value_parser!(i16).range(1583..=9998))]
        year: i16,
        /// Print JSON: [{"date":"2026-04-02","name":"Skærtorsdag"}, …].
        #[arg(long)]
        json: bool,
    },
    /// Tell whether MitID Support is open, and until when.
    Hours {
        /// The instant to ask about (RFC 3339); now when absent.
        #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
        at: Option<Timestamp>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Find, add, import or make up callers.
    Caller {
        /// What to do.
        #[command(subcommand)]
        action: CallerCommand,
    },
    /// Issue, redeem and revoke P-codes.
    Pcode {
        /// What to do.
        #[command(subcommand)]
        action: PcodeCommand,
    },
    /// Check the audit log.
    Audit {
        /// What to do.
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Read passport chips, or simulate one behind pcscd's virtual reader.
    Chip {
        /// What to do.
        #[command(subcommand)]
        action: chip::ChipCommand,
    },
    /// The CSCA certificates documents are checked against: import master
    /// lists and certificates, list them.
    Trust {
        /// What to do.
        #[command(subcommand)]
        action: trust::TrustCommand,
    },
    /// The webcams: list them, check one gives a picture (for IT staff).
    Camera {
        /// What to do.
        #[command(subcommand)]
        action: camera::CameraCommand,
    },
    /// Read the MRZ in pictures, as the counter's webcam tab does (for IT
    /// staff and calibration).
    Mrz {
        /// What to do.
        #[command(subcommand)]
        action: mrz::MrzCommand,
    },
    /// Find faces in a photo, compare two (for IT staff and calibration).
    Face {
        /// What to do.
        #[command(subcommand)]
        action: face::FaceCommand,
    },
    /// Sign in to the site's shared service with the organisation's
    /// identity provider (the browser opens; the sign-in is kept in the
    /// keyring).
    Login {
        /// Print the address to open instead of opening the browser.
        #[arg(long)]
        no_browser: bool,
        /// How long to wait for the browser, in seconds.
        #[arg(long, default_value_t = 300)]
        wait: u64,
    },
    /// Say who this desk is signed in as, and with which roles.
    Whoami,
    /// Sign out: the sign-in withdrawn and forgotten on this desk.
    Logout,
    /// Trainer mode's lessons: list them, check a lesson file.
    Lesson {
        /// What to do.
        #[command(subcommand)]
        action: lesson::LessonCommand,
    },
    /// Measure search and P-code speed on the data dir's database (for IT
    /// staff sizing a desk; see packaging/bench.sh).
    Bench {
        /// What to measure.
        #[command(subcommand)]
        action: bench::BenchCommand,
    },
}

impl Command {
    /// Whether the command was asked for JSON (errors then come as JSON too).
    pub fn json(&self) -> bool {
        match self {
            Command::Holidays { json, .. } | Command::Hours { json, .. } => *json,
            Command::Caller { action } => action.json(),
            Command::Pcode { action } => action.json(),
            Command::Audit { action } => action.json(),
            Command::Chip { action } => action.json(),
            Command::Trust { action } => action.json(),
            Command::Face { action } => action.json(),
            Command::Mrz { action } => action.json(),
            Command::Camera { action } => action.json(),
            Command::Lesson { action } => action.json(),
            Command::Bench { .. } | Command::Login { .. } | Command::Whoami | Command::Logout => false,
        }
    }
}

/// What a command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// For stdout.
    pub stdout: String,
    /// The exit code.
    pub code: u8,
}

impl Outcome {
    /// Success with this output.
    pub fn ok(stdout: String) -> Self {
        Self { stdout, code: 0 }
    }
}

fn parse_instant(s: &str) -> Result<Timestamp, String> {
    s.parse::<Timestamp>().map_err(|_| {
        format!(
            "«{s}» is not an RFC 3339 time with an offset; write e.g. 2026-12-24T13:59:00+01:00 or 2026-12-24T12:59:00Z"
        )
    })
}

/// A problem that stops a command, with the exit code it ends in.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// `--clock` outside demo mode.
    #[error("--clock only works in demo mode: add --demo (the real clock cannot be changed)")]
    ClockOutsideDemo,
    /// `--lesson` or `--no-panel` outside demo mode.
    #[error("--lesson and --no-panel are for trainers: add --demo")]
    LessonOutsideDemo,
    /// The shared service cannot be used.
    #[error(transparent)]
    Service(#[from] mitid_remote::ConnectError),
    /// No place for files could be found.
    #[error("{0}")]
    Paths(std::io::Error),
    /// The configuration file is broken.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The desk (database or key) cannot be used, or refused the request.
    #[error(transparent)]
    Desk(#[from] DeskError),
    /// Input that cannot be used.
    #[error("{0}")]
    Input(String),
    /// A chip command failed; the code says how (see `cli::chip`).
    #[error("{1}")]
    Chip(u8, String),
    /// A face command failed; the code says how (see `cli::face`).
    #[error("{1}")]
    Face(u8, String),
    /// A camera command failed; the code says how (see `cli::camera`).
    #[error("{1}")]
    Camera(u8, String),
}

impl From<StoreError> for CliError {
    fn from(error: StoreError) -> Self {
        Self::Desk(DeskError::Store(error))
    }
}

impl CliError {
    /// The exit code this error ends in.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Desk(DeskError::Store(StoreError::Closed { .. })) => EXIT_CLOSED,
            Self::Chip(code, _) | Self::Face(code, _) | Self::Camera(code, _) => *code,
            _ => EXIT_USAGE,
        }
    }

    /// A short machine-readable name, for `{"error": …}`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ClockOutsideDemo | Self::LessonOutsideDemo => "usage",
            Self::Service(_) => "service",
            Self::Paths(_) | Self::Config(_) => "config",
            Self::Input(_) => "input",
            Self::Chip(code, _) => match *code {
                chip::EXIT_ACCESS_DENIED => "access_denied",
                chip::EXIT_NO_CARD => "no_card",
                chip::EXIT_CARD_LOST => "card_lost",
                _ => "chip",
            },
            Self::Face(code, _) => {
                if *code == face::EXIT_FACES {
                    "faces"
                } else {
                    "model"
                }
            }
            Self::Camera(code, _) => match *code {
                camera::EXIT_NO_CAMERA => "no_camera",
                camera::EXIT_BUSY => "camera_busy",
                camera::EXIT_PERMISSION => "camera_permission",
                _ => "camera",
            },
            Self::Desk(DeskError::Key(_)) => "key",
            Self::Desk(DeskError::Store(e)) => match e {
                StoreError::Closed { .. } => "closed",
                StoreError::NoCaller(_) => "unknown_caller",
                StoreError::NoPCode(_) => "unknown_pcode",
                StoreError::InvalidCaller(_) | StoreError::InvalidAt { .. } | StoreError::MalformedPCode(_) => "input",
                StoreError::TooManyActive(_) => "too_many_active",
                StoreError::AlreadyVoid(_) => "already_void",
                StoreError::SelfMerge | StoreError::BadRedemption(_) => "input",
                StoreError::NoRedemption(_) => "unknown_redemption",
                StoreError::SignInNeeded(_) => "sign_in",
                StoreError::NeedsRole { .. } => "forbidden",
                StoreError::NotAccepted { .. } => "not_accepted",
                StoreError::Unreachable(_) => "unreachable",
                _ => "database",
            },
        }
    }

    /// The error as the one JSON document a `--json` command prints.
    pub fn to_json(&self) -> String {
        let mut value = serde_json::json!({"error": self.kind(), "message": self.to_string()});
        if let Self::Desk(DeskError::Store(StoreError::Closed { next_open })) = self {
            value["next_open"] = serde_json::Value::String(next_open.clone());
        }
        value.to_string() + "\n"
    }
}

/// What every part of the app is started with.
#[derive(Debug)]
pub struct Context {
    /// Files and folders.
    pub paths: Paths,
    /// The configuration (the defaults when the file could not be used).
    pub config: Config,
    /// Why the configuration file could not be used, if so.
    pub config_error: Option<ConfigError>,
    /// Support hours of that configuration.
    pub hours: SupportHours,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// The site's shared service, when this desk works with one (in demo
    /// mode, only the class's that `--server` names).
    pub server: Option<mitid_core::config::ServerLink>,
}

impl Context {
    /// The face models' folder: `given` on the command line, else the
    /// configured one, else the set-up's cache.
    pub fn face_models(&self, given: Option<&std::path::Path>) -> std::path::PathBuf {
        given
            .map(std::path::Path::to_owned)
            .or_else(|| self.config.face.models.clone())
            .unwrap_or_else(mitid_face::models::default_dir)
    }
}

impl Cli {
    /// Resolves files, configuration and clock. A broken configuration is
    /// returned beside the defaults, so the window can still open and say
    /// what is wrong; commands refuse it instead.
    pub fn context(&self) -> Result<Context, CliError> {
        if self.clock.is_some() && !self.demo {
            return Err(CliError::ClockOutsideDemo);
        }
        if (self.lesson.is_some() || self.no_panel) && !self.demo {
            return Err(CliError::LessonOutsideDemo);
        }
        let paths = Paths::resolve(self.config.clone(), self.data_dir.clone(), self.demo).map_err(CliError::Paths)?;
        let (config, config_error) = match Config::load(&paths.config_file) {
            Ok(config) => (config, None),
            Err(error) => (Config::default(), Some(error)),
        };
        let hours = config.support_hours().unwrap_or_default();
        let clock: Arc<dyn Clock> = match self.clock {
            Some(start) => Arc::new(SimulatedClock::starting_at(start)),
            None => Arc::new(SystemClock),
        };
        let server = match (&self.server, &config.server) {
            // Demo mode works on its own records, unless told to join a
            // class (`--server` of a training service).
            (None, _) if self.demo => None,
            // Another address than the configured one is another service:
            // the configured one's other instances are not its.
            (Some(url), configured) => Some(mitid_core::config::ServerLink {
                url: url.clone(),
                fallback_urls: configured
                    .as_ref()
                    .filter(|c| c.url == *url)
                    .map(|c| c.fallback_urls.clone())
                    .unwrap_or_default(),
                ca: configured.as_ref().and_then(|c| c.ca.clone()),
            }),
            (None, configured) => configured.clone(),
        };
        Ok(Context { paths, config, config_error, hours, clock, server })
    }
}

/// Runs a command.
pub fn run(command: &Command, context: Context, demo: bool) -> Result<Outcome, CliError> {
    if let Some(error) = context.config_error {
        return Err(error.into());
    }
    Ok(match command {
        Command::Holidays { year, json } => {
            Outcome::ok(calendar::holidays_output(*year, context.hours.holiday_rules(), *json))
        }
        Command::Hours { at, json } => match &context.server {
            // The hours the site's service enforces, by its clock.
            Some(_) => {
                let service = desk::open(&context, demo)?;
                Outcome::ok(calendar::hours_output(service.hours(), at.unwrap_or_else(|| service.now()), *json))
            }
            None => {
                Outcome::ok(calendar::hours_output(&context.hours, at.unwrap_or_else(|| context.clock.now()), *json))
            }
        },
        Command::Caller { action } => desk::caller(action, &context, demo)?,
        Command::Pcode { action } => desk::pcode(action, &context, demo)?,
        Command::Audit { action } => desk::audit(action, &context, demo)?,
        Command::Bench { action } => bench::run(action, &context, demo)?,
        Command::Chip { action } => chip::run(action, &context, demo)?,
        Command::Trust { action } => trust::run(action, &context, demo)?,
        Command::Face { action } => face::run(action, &context)?,
        Command::Mrz { action } => mrz::run(action, &context)?,
        Command::Camera { action } => camera::run(action, &context)?,
        Command::Lesson { action } => lesson::run(action, &context)?,
        Command::Login { no_browser, wait } => signin::login(&context, *no_browser, *wait)?,
        Command::Whoami => signin::whoami(&context)?,
        Command::Logout => signin::logout(&context)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_needs_demo() {
        let cli = Cli::try_parse_from(["mitid-assist", "--clock", "2026-01-01T10:00:00Z", "hours"]).unwrap();
        assert!(matches!(cli.context(), Err(CliError::ClockOutsideDemo)));
        assert!(Cli::try_parse_from(["mitid-assist", "hours", "--at", "2026-01-01 10:00"]).is_err());
    }
}
