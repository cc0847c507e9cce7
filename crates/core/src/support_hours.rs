//! When MitID Support is open.
//!
//! Mon–Fri 08–20, weekends and public holidays 10–16, 24 and 31 December
//! 10–14, all in Europe/Copenhagen; the first rule that matches a day wins, in
//! the order 24/31 Dec, holiday, weekend, weekday. Configured exceptions
//! (closures, extended hours) override all of them. Opening windows are
//! half-open: open at 08:00:00, closed at 20:00:00.
//!
//! Everything here is a pure function of its inputs: there is no clock inside.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::holidays::{HolidayKind, HolidayRules, holiday_on};

/// Europe/Copenhagen, embedded at build time so the app never depends on the
/// machine's time-zone database.
pub const COPENHAGEN: TimeZone = jiff::tz::get!("Europe/Copenhagen");

/// How far ahead `next_change` looks before giving up (a configuration that
/// closes Support for longer than this has no next change).
const HORIZON_DAYS: i32 = 800;

/// Minutes after local midnight, 0..=1440 (1440 is the next midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MinuteOfDay(u16);

impl MinuteOfDay {
    /// `hour:minute`, with 24:00 allowed as the end of a day.
    pub const fn hm(hour: u16, minute: u16) -> Option<Self> {
        let m = hour * 60 + minute;
        if minute < 60 && m <= 1440 { Some(Self(m)) } else { None }
    }

    /// Hours part, 0..=24.
    pub fn hour(self) -> u16 {
        self.0 / 60
    }

    /// Minutes part, 0..=59.
    pub fn minute(self) -> u16 {
        self.0 % 60
    }

    /// The instant this minute of `date` is in `tz`.
    fn on(self, date: Date, tz: &TimeZone) -> Option<Timestamp> {
        let (date, minute) = if self.0 == 1440 { (date.tomorrow().ok()?, 0) } else { (date, self.0) };
        let dt = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
        tz.to_timestamp(dt).ok()
    }
}

impl fmt::Display for MinuteOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

/// An opening window within one local day: `[open, close)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// Opening minute.
    pub open: MinuteOfDay,
    /// Closing minute (exclusive), after `open`.
    pub close: MinuteOfDay,
}

const fn window(open_h: u16, close_h: u16) -> DayHours {
    DayHours::Open(Window { open: MinuteOfDay(open_h * 60), close: MinuteOfDay(close_h * 60) })
}

/// A day's hours: closed all day, or one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DayHours {
    /// Closed all day.
    Closed,
    /// Open in this window.
    Open(Window),
}

#[cfg(feature = "openapi")]
crate::string_schema!(DayHours, "HH:MM-HH:MM, or closed", "^(closed|[0-2]?[0-9]:[0-5][0-9]-[0-2]?[0-9]:[0-5][0-9])$");

/// Why a text is not a day's hours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("«{0}» is not opening hours: write HH:MM-HH:MM (e.g. 08:00-20:00) or closed")]
pub struct BadHours(String);

impl FromStr for DayHours {
    type Err = BadHours;

    fn from_str(s: &str) -> Result<Self, BadHours> {
        let bad = || BadHours(s.to_owned());
        let t = s.trim();
        if t.eq_ignore_ascii_case("closed") {
            return Ok(Self::Closed);
        }
        let (a, b) = t.split_once('-').ok_or_else(bad)?;
        let parse = |x: &str| -> Option<MinuteOfDay> {
            let (h, m) = x.trim().split_once(':')?;
            if h.is_empty() || h.len() > 2 || m.len() != 2 {
                return None;
            }
            MinuteOfDay::hm(h.parse().ok()?, m.parse().ok()?)
        };
        let (open, close) = (parse(a).ok_or_else(bad)?, parse(b).ok_or_else(bad)?);
        if open >= close {
            return Err(bad());
        }
        Ok(Self::Open(Window { open, close }))
    }
}

impl TryFrom<String> for DayHours {
    type Error = BadHours;
    fn try_from(s: String) -> Result<Self, BadHours> {
        s.parse()
    }
}

impl From<DayHours> for String {
    fn from(h: DayHours) -> String {
        h.to_string()
    }
}

impl fmt::Display for DayHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closed => f.write_str("closed"),
            Self::Open(w) => write!(f, "{}-{}", w.open, w.close),
        }
    }
}

/// A date (or inclusive range of dates) with hours other than the rules give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exception {
    /// First day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    /// Last day, inclusive; the same as `date` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub until: Option<Date>,
    /// The hours on those days.
    pub hours: DayHours,
    /// Why, for the people who see it (no personal data).
    #[serde(default)]
    pub note: String,
}

/// MitID Support's hours, as configured (the `[support]` table of the config).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoursConfig {
    /// Monday to Friday.
    pub weekday: DayHours,
    /// Saturday and Sunday.
    pub weekend: DayHours,
    /// Public holidays.
    pub holiday: DayHours,
    /// 24 December.
    pub dec24: DayHours,
    /// 31 December.
    pub dec31: DayHours,
    /// Count Grundlovsdag as a holiday (not a public holiday by law).
    pub constitution_day_is_holiday: bool,
    /// Closures and extended hours on given dates.
    #[serde(rename = "exception", skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<Exception>,
}

impl Default for HoursConfig {
    fn default() -> Self {
        Self {
            weekday: window(8, 20),
            weekend: window(10, 16),
            holiday: window(10, 16),
            dec24: window(10, 14),
            dec31: window(10, 14),
            constitution_day_is_holiday: false,
            exceptions: Vec::new(),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursConfigError {
    /// An exception ends before it starts.
    #[error("support exception from {from} ends on {until}, before it starts")]
    Backwards {
        /// First day.
        from: Date,
        /// Last day.
        until: Date,
    },
    /// Two exceptions cover the same day.
    #[error("support exceptions overlap on {0}: each day may have one exception only")]
    Overlap(Date),
}

/// The calendar's kind of day, in order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Monday to Friday, not a holiday.
    Weekday,
    /// Saturday or Sunday, not a holiday.
    Weekend,
    /// A public holiday (or Grundlovsdag when configured).
    Holiday,
    /// 24 December.
    Dec24,
    /// 31 December.
    Dec31,
}

/// One local day's plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPlan {
    /// The local date.
    pub date: Date,
    /// Its kind by the calendar.
    pub kind: DayKind,
    /// The holiday on that date, if any (also when 24/31 Dec take precedence).
    pub holiday: Option<HolidayKind>,
    /// The note of the configured exception that sets this day's hours, if any.
    pub exception: Option<Arc<str>>,
    /// The hours that apply.
    pub hours: DayHours,
    /// The opening window as instants, when open at all.
    pub window: Option<(Timestamp, Timestamp)>,
}

/// Whether Support is open at an instant, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportStatus {
    /// The instant evaluated.
    pub at: Timestamp,
    /// Open at `at`.
    pub open: bool,
    /// The plan of the local day containing `at`.
    pub day: DayPlan,
    /// The next instant at which `open` flips; `None` if Support stays
    /// closed for the whole horizon (about two years) by configuration.
    pub next_change: Option<Timestamp>,
}

/// The support-hours engine: a validated configuration and a time zone.
#[derive(Debug, Clone)]
pub struct SupportHours {
    config: HoursConfig,
    /// Exceptions sorted by first day, with shared notes.
    exceptions: Vec<(Date, Date, DayHours, Arc<str>)>,
    tz: TimeZone,
}

impl Default for SupportHours {
    fn default() -> Self {
        Self { config: HoursConfig::default(), exceptions: Vec::new(), tz: COPENHAGEN }
    }
}

impl SupportHours {
    /// Validates `config` for Europe/Copenhagen.
    pub fn new(config: HoursConfig) -> Result<Self, HoursConfigError> {
        let mut exceptions = Vec::with_capacity(config.exceptions.len());
        for e in &config.exceptions {
            let until = e.until.unwrap_or(e.date);
            if until < e.date {
                return Err(HoursConfigError::Backwards { from: e.date, until });
            }
            exceptions.push((e.date, until, e.hours, Arc::<str>::from(e.note.as_str())));
        }
        exceptions.sort_by_key(|e| e.0);
        for pair in exceptions.windows(2) {
            if pair[1].0 <= pair[0].1 {
                return Err(HoursConfigError::Overlap(pair[1].0));
            }
        }
        Ok(Self { config, exceptions, tz: COPENHAGEN })
    }

    /// The configuration in force.
    pub fn config(&self) -> &HoursConfig {
        &self.config
    }

    /// The time zone the hours are kept in.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// Local wall-clock time of an instant.
    pub fn local(&self, at: Timestamp) -> DateTime {
        self.tz.to_datetime(at)
    }

    /// The holiday rules this configuration implies.
    pub fn holiday_rules(&self) -> HolidayRules {
        HolidayRules { constitution_day_is_holiday: self.config.constitution_day_is_holiday }
    }

    /// The calendar kind of a local date, and its holiday if any.
    pub fn day_kind(&self, date: Date) -> (DayKind, Option<HolidayKind>) {
        let holiday = holiday_on(date, self.holiday_rules());
        let kind = match (date.month(), date.day()) {
            (12, 24) => DayKind::Dec24,
            (12, 31) => DayKind::Dec31,
            _ if holiday.is_some() => DayKind::Holiday,
            _ if matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) => DayKind::Weekend,
            _ => DayKind::Weekday,
        };
        (kind, holiday)
    }

    /// The plan of one local day.
    pub fn plan(&self, date: Date) -> DayPlan {
        let (kind, holiday) = self.day_kind(date);
        let exception = self.exceptions.iter().find(|(from, until, _, _)| *from <= date && date <= *until);
        let (hours, exception) = match exception {
            Some((_, _, hours, note)) => (*hours, Some(Arc::clone(note))),
            None => (
                match kind {
                    DayKind::Weekday => self.config.weekday,
                    DayKind::Weekend => self.config.weekend,
                    DayKind::Holiday => self.config.holiday,
                    DayKind::Dec24 => self.config.dec24,
                    DayKind::Dec31 => self.config.dec31,
                },
                None,
            ),
        };
        let window = match hours {
            DayHours::Closed => None,
            DayHours::Open(w) => w.open.on(date, &self.tz).zip(w.close.on(date, &self.tz)),
        };
        DayPlan { date, kind, holiday, exception, hours, window }
    }

    /// Whether Support is open at `at`, and when that next changes.
    pub fn status(&self, at: Timestamp) -> SupportStatus {
        let date = self.tz.to_datetime(at).date();
        let day = self.plan(date);
        let open = day.window.is_some_and(|(start, end)| start <= at && at < end);
        let next_change = if open { self.closing_after(&day) } else { self.opening_after(at, &day) };
        SupportStatus { at, open, day, next_change }
    }

    /// The next instant Support opens, strictly after `at` when closed at
    /// `at`, or `at`'s own window start when already open.
    pub fn next_open(&self, at: Timestamp) -> Option<Timestamp> {
        let status = self.status(at);
        if status.open { status.day.window.map(|w| w.0) } else { status.next_change }
    }

    /// The end of the open stretch that contains `today`'s window: windows of
    /// following days that start exactly when the previous one ends join it.
    fn closing_after(&self, today: &DayPlan) -> Option<Timestamp> {
        let (_, mut end) = today.window?;
        let mut date = today.date;
        for _ in 0..HORIZON_DAYS {
            date = date.tomorrow().ok()?;
            match self.plan(date).window {
                Some((start, next_end)) if start == end => end = next_end,
                _ => return Some(end),
            }
        }
        None
    }

    fn opening_after(&self, at: Timestamp, today: &DayPlan) -> Option<Timestamp> {
        if let Some((start, _)) = today.window
            && at < start
        {
            return Some(start);
        }
        let mut date = today.date;
        for _ in 0..HORIZON_DAYS {
            date = date.tomorrow().ok()?;
            if let Some((start, _)) = self.plan(date).window
                && at < start
            {
                return Some(start);
            }
        }
        None
    }
}

/// How a later local date relates to today, for texts like "opens Monday 08:00".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelativeDay {
    /// The same date.
    Today,
    /// The next date.
    Tomorrow,
    /// Within the coming week: say the weekday.
    ThisWeek(Weekday),
    /// Further away: say the date.
    Later(Date),
}

impl RelativeDay {
    /// Where `date` stands relative to `today`.
    pub fn of(date: Date, today: Date) -> Self {
        let days = (date - today).get_days();
        match days {
            i32::MIN..=0 => Self::Today,
            1 => Self::Tomorrow,
            2..=6 => Self::ThisWeek(date.weekday()),
            _ => Self::Later(date),
        }
    }
}

#[cfg(test)]
mod tests;
