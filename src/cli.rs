//! The command line: the window by default, and commands for IT staff,
//! trainers and scripts. With `--json` a command prints exactly one JSON
//! document on stdout; messages for people go to stderr.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use jiff::Timestamp;
use mitid_core::config::{Config, ConfigError, Paths};
use mitid_core::holidays::{self, HolidayRules};
use mitid_core::support_hours::SupportHours;
use mitid_core::{Clock, SimulatedClock, SystemClock};
use serde_json::json;

/// Exit code for a usage or configuration problem.
pub const EXIT_USAGE: u8 = 2;

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
    /// Use this data folder (state, logs) instead of the platform's.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use this configuration file instead of the platform's.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
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
    /// No place for files could be found.
    #[error("{0}")]
    Paths(std::io::Error),
    /// The configuration file is broken.
    #[error(transparent)]
    Config(#[from] ConfigError),
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
}

impl Cli {
    /// Resolves files, configuration and clock. A broken configuration is
    /// returned beside the defaults, so the window can still open and say
    /// what is wrong; commands refuse it instead.
    pub fn context(&self) -> Result<Context, CliError> {
        if self.clock.is_some() && !self.demo {
            return Err(CliError::ClockOutsideDemo);
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
        Ok(Context { paths, config, config_error, hours, clock })
    }
}

/// Runs a command; returns what to print on stdout.
pub fn run(command: &Command, context: Context) -> Result<String, CliError> {
    if let Some(error) = context.config_error {
        return Err(error.into());
    }
    Ok(match command {
        Command::Holidays { year, json } => holidays_output(*year, context.hours.holiday_rules(), *json),
        Command::Hours { at, json } => hours_output(&context.hours, at.unwrap_or_else(|| context.clock.now()), *json),
    })
}

/// The `holidays` command's output.
pub fn holidays_output(year: i16, rules: HolidayRules, json: bool) -> String {
    let days = holidays::holidays(year, rules);
    if json {
        let list: Vec<_> =
            days.iter().map(|h| json!({"date": h.date.to_string(), "name": h.kind.danish_name()})).collect();
        return serde_json::Value::Array(list).to_string() + "\n";
    }
    days.iter().map(|h| format!("{}  {}  {}\n", h.date, h.date.strftime("%a"), h.kind.danish_name())).collect()
}

/// An instant as RFC 3339 with Copenhagen's offset at that instant.
fn rfc3339(hours: &SupportHours, at: Timestamp) -> String {
    at.display_with_offset(hours.time_zone().to_offset(at)).to_string()
}

/// The `hours` command's output.
pub fn hours_output(hours: &SupportHours, at: Timestamp, json: bool) -> String {
    let status = hours.status(at);
    let day = &status.day;
    if json {
        let value = json!({
            "open": status.open,
            "day_kind": day.kind,
            "window": day.window.map(|(start, end)| json!({"start": rfc3339(hours, start), "end": rfc3339(hours, end)})),
            "next_change": status.next_change.map(|t| rfc3339(hours, t)),
            "at": rfc3339(hours, at),
            "date": day.date.to_string(),
            "holiday": day.holiday.map(|h| h.danish_name()),
            "exception": day.exception.as_deref(),
        });
        return value.to_string() + "\n";
    }
    let kind = serde_json::to_value(day.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let mut out = format!(
        "MitID Support is {} at {} (Europe/Copenhagen).\n",
        if status.open { "OPEN" } else { "CLOSED" },
        hours.local(at).strftime("%Y-%m-%d %H:%M:%S")
    );
    out += &format!("Day: {} {}", day.date, kind);
    if let Some(h) = day.holiday {
        out += &format!(" ({})", h.danish_name());
    }
    if let Some(note) = &day.exception {
        out += &format!(" — special hours: {note}");
    }
    out += &format!("\nHours that day: {}\n", day.hours);
    match status.next_change {
        Some(t) => {
            out += &format!(
                "{} {}\n",
                if status.open { "Closes" } else { "Opens" },
                hours.local(t).strftime("%A %Y-%m-%d %H:%M")
            )
        }
        None => out += "No opening is planned.\n",
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_json_has_the_promised_shape() {
        let h = SupportHours::default();
        let at: Timestamp = "2027-03-28T09:00:00Z".parse().unwrap();
        let v: serde_json::Value = serde_json::from_str(&hours_output(&h, at, true)).unwrap();
        assert_eq!(v["open"], true);
        assert_eq!(v["day_kind"], "holiday");
        assert_eq!(v["holiday"], "Påskedag");
        assert_eq!(v["window"]["start"], "2027-03-28T10:00:00+02:00");
        assert_eq!(v["window"]["end"], "2027-03-28T16:00:00+02:00");
        assert_eq!(v["next_change"], "2027-03-28T16:00:00+02:00");
        let closed: Timestamp = "2026-12-24T13:00:00Z".parse().unwrap();
        let v: serde_json::Value = serde_json::from_str(&hours_output(&h, closed, true)).unwrap();
        assert_eq!((v["open"].as_bool(), v["day_kind"].as_str()), (Some(false), Some("dec24")));
        assert_eq!(v["next_change"], "2026-12-25T10:00:00+01:00");
    }

    #[test]
    fn holidays_json_lists_dates_and_names() {
        let v: serde_json::Value = serde_json::from_str(&holidays_output(2026, HolidayRules::default(), true)).unwrap();
        let list = v.as_array().unwrap();
        assert_eq!(list.len(), 10);
        assert_eq!(list[1], json!({"date": "2026-04-02", "name": "Skærtorsdag"}));
        assert!(holidays_output(2026, HolidayRules::default(), false).contains("2026-04-02  Thu  Skærtorsdag\n"));
    }

    #[test]
    fn clock_needs_demo() {
        let cli = Cli::try_parse_from(["mitid-assist", "--clock", "2026-01-01T10:00:00Z", "hours"]).unwrap();
        assert!(matches!(cli.context(), Err(CliError::ClockOutsideDemo)));
        assert!(Cli::try_parse_from(["mitid-assist", "hours", "--at", "2026-01-01 10:00"]).is_err());
    }
}
