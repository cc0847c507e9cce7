#![warn(missing_docs)]
//! Domain logic of mitid-assist: no UI, no I/O beyond the files it is told to
//! read and write.
//!
//! The support-hours engine and its Danish holiday calendar, the clock
//! abstraction, the app's configuration and remembered state; P-codes, the
//! hash-chained audit log, name folding for search, and the embedded SQLite
//! store behind them.

pub mod api;
pub mod audit;
pub mod caller;
pub mod checkpoint;
pub mod clock;
pub mod config;
pub mod country;
pub mod desk;
pub mod fold;
pub mod holidays;
pub mod keys;
pub mod lesson;
pub mod mrz_entry;
pub mod pcode;
pub mod redemption;
pub mod roles;
pub mod service;
pub mod store;
pub mod support_hours;
pub mod synthetic;
pub mod trust;

pub use clock::{Clock, SimulatedClock, SystemClock};
pub use holidays::{Holiday, HolidayKind, HolidayRules};
pub use support_hours::{DayKind, SupportHours, SupportStatus};

/// A type that crosses the wire as a string of a given pattern, for the
/// OpenAPI document.
#[cfg(feature = "openapi")]
#[macro_export]
#[doc(hidden)]
macro_rules! string_schema {
    ($type:ty, $description:expr, $pattern:expr) => {
        impl utoipa::PartialSchema for $type {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some($description))
                    .pattern(Some($pattern))
                    .into()
            }
        }
        impl utoipa::ToSchema for $type {}
    };
}
