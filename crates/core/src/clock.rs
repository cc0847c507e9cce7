//! Where "now" comes from. The app is handed a clock; only demo mode may set it.

use std::fmt::Debug;
use std::sync::Mutex;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};

/// A source of the current instant.
pub trait Clock: Send + Sync + Debug {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock for trainers: starts at a chosen instant and runs at real speed
/// from there (measured on the monotonic clock, so changes to the machine's
/// clock do not move it). Can be set again while running.
#[derive(Debug)]
pub struct SimulatedClock {
    anchor: Mutex<(Timestamp, Instant)>,
}

impl SimulatedClock {
    /// A clock that reads `start` now.
    pub fn starting_at(start: Timestamp) -> Self {
        Self { anchor: Mutex::new((start, Instant::now())) }
    }

    /// Makes the clock read `at` now.
    pub fn set(&self, at: Timestamp) {
        let mut anchor = self.anchor.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *anchor = (at, Instant::now());
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> Timestamp {
        let (start, real) = *self.anchor.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let elapsed = SignedDuration::try_from(real.elapsed()).unwrap_or(SignedDuration::MAX);
        start.saturating_add(elapsed).unwrap_or(Timestamp::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulated_clock_starts_where_told_and_runs_forward() {
        let start: Timestamp = "2027-03-28T07:59:00Z".parse().unwrap();
        let clock = SimulatedClock::starting_at(start);
        let a = clock.now();
        let b = clock.now();
        assert!(a >= start && a < start + SignedDuration::from_secs(60), "{a}");
        assert!(b >= a, "never runs backwards");
        let later: Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
        clock.set(later);
        let c = clock.now();
        assert!(c >= later && c < later + SignedDuration::from_secs(60), "{c}");
    }

    #[test]
    fn system_clock_is_the_machines() {
        let before = Timestamp::now();
        let now = SystemClock.now();
        assert!(now >= before && now <= Timestamp::now());
    }
}
