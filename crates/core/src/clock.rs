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

/// A clock for trainers: starts at a chosen instant and runs from there at
/// a chosen speed (measured on the monotonic clock, so changes to the
/// machine's clock do not move it). It can be set, sped up, or moved on
/// while running; it also counts how much lesson time has *passed* since
/// it was started — set times are jumps and do not count, moving on does.
#[derive(Debug)]
pub struct SimulatedClock {
    state: Mutex<Anchor>,
}

#[derive(Debug, Clone, Copy)]
struct Anchor {
    /// What the clock read at `real`.
    at: Timestamp,
    /// Lesson time passed up to `real`.
    ran: SignedDuration,
    real: Instant,
    speed: f64,
}

impl Anchor {
    /// Lesson time since `real`.
    fn since(&self) -> SignedDuration {
        let real = self.real.elapsed().as_secs_f64() * self.speed;
        SignedDuration::try_from_secs_f64(real).unwrap_or(SignedDuration::MAX)
    }

    /// Re-anchored at this instant.
    fn now(&self) -> Self {
        let since = self.since();
        Self {
            at: self.at.saturating_add(since).unwrap_or(Timestamp::MAX),
            ran: self.ran.saturating_add(since),
            real: Instant::now(),
            speed: self.speed,
        }
    }
}

impl SimulatedClock {
    /// A clock that reads `start` now and runs at real speed.
    pub fn starting_at(start: Timestamp) -> Self {
        Self { state: Mutex::new(Anchor { at: start, ran: SignedDuration::ZERO, real: Instant::now(), speed: 1.0 }) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Anchor) -> T) -> T {
        let mut anchor = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut anchor)
    }

    /// Makes the clock read `at` now (a jump: no lesson time passes).
    pub fn set(&self, at: Timestamp) {
        self.with(|anchor| *anchor = Anchor { at, ..anchor.now() });
    }

    /// Reads `at` now, and starts counting lesson time from zero again.
    pub fn restart(&self, at: Timestamp, speed: f64) {
        self.with(|anchor| *anchor = Anchor { at, ran: SignedDuration::ZERO, real: Instant::now(), speed });
    }

    /// Moves the clock on by `by`, as if that much time had passed.
    pub fn advance(&self, by: SignedDuration) {
        self.with(|anchor| {
            let now = anchor.now();
            *anchor = Anchor {
                at: now.at.saturating_add(by).unwrap_or(Timestamp::MAX),
                ran: now.ran.saturating_add(by),
                ..now
            }
        });
    }

    /// Runs `speed` times real time from now on (0.1 to 100).
    pub fn set_speed(&self, speed: f64) {
        let speed = if speed.is_finite() { speed.clamp(0.1, 100.0) } else { 1.0 };
        self.with(|anchor| *anchor = Anchor { speed, ..anchor.now() });
    }

    /// How fast it runs.
    pub fn speed(&self) -> f64 {
        self.with(|anchor| anchor.speed)
    }

    /// Lesson time passed since the start (jumps do not count).
    pub fn ran(&self) -> SignedDuration {
        self.with(|anchor| anchor.ran.saturating_add(anchor.since()))
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> Timestamp {
        self.with(|anchor| anchor.at.saturating_add(anchor.since()).unwrap_or(Timestamp::MAX))
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
        assert!(clock.ran() < SignedDuration::from_secs(60), "a set time is a jump, not time passed");
    }

    #[test]
    fn simulated_clock_moves_on_and_speeds_up() {
        let start: Timestamp = "2026-11-24T18:58:00Z".parse().unwrap();
        let clock = SimulatedClock::starting_at(start);
        clock.advance(SignedDuration::from_mins(2));
        assert!(clock.now() >= start + SignedDuration::from_mins(2));
        assert!(clock.ran() >= SignedDuration::from_mins(2) && clock.ran() < SignedDuration::from_mins(3));
        clock.set_speed(60.0);
        assert_eq!(clock.speed(), 60.0);
        clock.set_speed(f64::NAN);
        assert_eq!(clock.speed(), 1.0, "nonsense is real time");
        clock.set_speed(1e9);
        assert_eq!(clock.speed(), 100.0);
        clock.restart(start, 2.0);
        assert!(clock.ran() < SignedDuration::from_secs(60));
        assert!(clock.now() >= start && clock.now() < start + SignedDuration::from_mins(2));
        assert_eq!(clock.speed(), 2.0);
    }

    #[test]
    fn system_clock_is_the_machines() {
        let before = Timestamp::now();
        let now = SystemClock.now();
        assert!(now >= before && now <= Timestamp::now());
    }
}
