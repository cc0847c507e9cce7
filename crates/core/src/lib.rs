//! Domain logic of mitid-assist: no UI, no I/O beyond the files it is told to
//! read and write.
//!
//! This first part holds the support-hours engine and its Danish holiday
//! calendar, the clock abstraction, and the app's configuration and
//! remembered state.

pub mod clock;
pub mod config;
pub mod holidays;
pub mod support_hours;

pub use clock::{Clock, SimulatedClock, SystemClock};
pub use holidays::{Holiday, HolidayKind, HolidayRules};
pub use support_hours::{DayKind, SupportHours, SupportStatus};
