//! How long one support-status evaluation takes (goal: ≤ 1 µs per instant).

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use mitid_core::SupportHours;
use std::hint::black_box;

fn status(c: &mut Criterion) {
    let hours = SupportHours::default();
    let start: Timestamp = "2026-01-01T00:00:00Z".parse().expect("literal");
    // Instants spread over a year, in every kind of day and hour.
    let instants: Vec<Timestamp> = (0..4096).map(|i| start + SignedDuration::from_secs(i * 7_717 + 13)).collect();
    let mut i = 0;
    c.bench_function("status per instant (spread over a year)", |b| {
        b.iter(|| {
            i = (i + 1) % instants.len();
            black_box(hours.status(black_box(instants[i])))
        })
    });
    let friday_night: Timestamp = "2026-12-18T21:00:00Z".parse().expect("literal");
    c.bench_function("status per instant (closed, weekend ahead)", |b| {
        b.iter(|| black_box(hours.status(black_box(friday_night))))
    });
}

criterion_group!(benches, status);
criterion_main!(benches);
