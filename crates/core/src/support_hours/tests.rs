use super::*;
use jiff::civil::date;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("test timestamp")
}

/// Local Copenhagen wall time → instant.
fn local(s: &str) -> Timestamp {
    let dt: DateTime = s.parse().expect("test datetime");
    COPENHAGEN.to_timestamp(dt).expect("unambiguous")
}

fn open_at(h: &SupportHours, s: &str) -> bool {
    h.status(local(s)).open
}

#[test]
fn weekday_edges() {
    let h = SupportHours::default();
    // Tuesday 24 Nov 2026.
    assert!(!open_at(&h, "2026-11-24T07:59:59"));
    assert!(open_at(&h, "2026-11-24T08:00:00"));
    assert!(open_at(&h, "2026-11-24T19:59:59"));
    assert!(!open_at(&h, "2026-11-24T20:00:00"));
    let s = h.status(local("2026-11-24T12:00"));
    assert_eq!(s.day.kind, DayKind::Weekday);
    assert_eq!(s.next_change, Some(local("2026-11-24T20:00")));
}

#[test]
fn weekend_and_holiday_edges() {
    let h = SupportHours::default();
    // Saturday 28 Nov 2026.
    assert!(!open_at(&h, "2026-11-28T09:59:59"));
    assert!(open_at(&h, "2026-11-28T10:00:00"));
    assert!(open_at(&h, "2026-11-28T15:59:59"));
    assert!(!open_at(&h, "2026-11-28T16:00:00"));
    // Kristi himmelfartsdag, a Thursday.
    let s = h.status(local("2026-05-14T15:59:59"));
    assert!(s.open);
    assert_eq!(s.day.kind, DayKind::Holiday);
    assert_eq!(s.day.holiday, Some(HolidayKind::AscensionDay));
    assert!(!open_at(&h, "2026-05-14T16:00:00"));
    assert!(!open_at(&h, "2026-05-14T09:00:00"));
}

#[test]
fn rules_md_cases() {
    let h = SupportHours::default();
    assert!(!open_at(&h, "2025-12-24T14:00"));
    assert!(open_at(&h, "2025-05-16T19:59"), "ex-Store bededag is a working day");
    assert!(!open_at(&h, "2025-04-17T09:30"), "Skærtorsdag opens at 10");
    let easter_dst = h.plan(date(2027, 3, 28));
    assert_eq!(easter_dst.kind, DayKind::Holiday);
    assert_eq!(easter_dst.holiday, Some(HolidayKind::EasterSunday));
    assert_eq!(easter_dst.window, Some((ts("2027-03-28T08:00:00Z"), ts("2027-03-28T14:00:00Z"))));
    assert_eq!(h.plan(date(2025, 10, 26)).window.map(|w| w.0), Some(ts("2025-10-26T09:00:00Z")));
    // 2028-06-05: 2. pinsedag and Grundlovsdag.
    assert_eq!(h.plan(date(2028, 6, 5)).holiday, Some(HolidayKind::WhitMonday));
}

#[test]
fn dst_change_days() {
    let h = SupportHours::default();
    // Spring forward, Sunday 29 March 2026: 10:00 CEST = 08:00Z.
    let spring = h.plan(date(2026, 3, 29));
    assert_eq!(spring.kind, DayKind::Weekend);
    assert_eq!(spring.window, Some((ts("2026-03-29T08:00:00Z"), ts("2026-03-29T14:00:00Z"))));
    assert!(!h.status(ts("2026-03-29T07:59:59Z")).open);
    assert!(h.status(ts("2026-03-29T08:00:00Z")).open);
    // Fall back, Sunday 25 October 2026: 10:00 CET = 09:00Z.
    let autumn = h.plan(date(2026, 10, 25));
    assert_eq!(autumn.window, Some((ts("2026-10-25T09:00:00Z"), ts("2026-10-25T15:00:00Z"))));
    assert!(!h.status(ts("2026-10-25T08:59:59Z")).open);
    assert!(h.status(ts("2026-10-25T14:59:59Z")).open);
    assert!(!h.status(ts("2026-10-25T15:00:00Z")).open);
    // The repeated hour 02:00–03:00 belongs to the same (closed) day.
    let repeated = h.status(ts("2026-10-25T01:30:00Z"));
    assert_eq!(repeated.day.date, date(2026, 10, 25));
    assert_eq!(repeated.next_change, Some(ts("2026-10-25T09:00:00Z")));
    // Monday after spring forward: 08:00 CEST = 06:00Z.
    assert_eq!(h.plan(date(2026, 3, 30)).window.map(|w| w.0), Some(ts("2026-03-30T06:00:00Z")));
}

#[test]
fn christmas_eve_and_new_years_eve() {
    let h = SupportHours::default();
    // Weekdays and weekends alike: 10–14, 24/31 Dec win over the weekend.
    assert_eq!(date(2022, 12, 24).weekday(), Weekday::Saturday);
    assert_eq!(date(2023, 12, 24).weekday(), Weekday::Sunday);
    assert_eq!(date(2023, 12, 31).weekday(), Weekday::Sunday);
    for day in ["2025-12-24", "2026-12-24", "2022-12-24", "2023-12-24"] {
        let d: Date = day.parse().unwrap();
        let s = h.status(local(&format!("{day}T13:59:59")));
        assert!(s.open, "{day}");
        assert_eq!(s.day.kind, DayKind::Dec24);
        assert!(!open_at(&h, &format!("{day}T14:00:00")), "{day}");
        assert!(!open_at(&h, &format!("{day}T09:59:59")), "{day}");
        assert!(open_at(&h, &format!("{day}T10:00:00")), "{day}");
        assert_eq!(h.day_kind(d).0, DayKind::Dec24);
    }
    for day in ["2025-12-31", "2022-12-31", "2023-12-31"] {
        let s = h.status(local(&format!("{day}T12:00")));
        assert!(s.open, "{day}");
        assert_eq!(s.day.kind, DayKind::Dec31);
        assert!(!open_at(&h, &format!("{day}T14:00:00")), "{day}");
    }
    // After Christmas Eve closes, Juledag opens at 10.
    let s = h.status(local("2026-12-24T14:00"));
    assert_eq!(s.next_change, Some(local("2026-12-25T10:00")));
    assert_eq!(h.plan(date(2026, 12, 25)).holiday, Some(HolidayKind::ChristmasDay));
}

#[test]
fn next_change_across_a_closed_weekend_night() {
    let h = SupportHours::default();
    // Friday 27 Nov 2026, 20:00 → Saturday 10:00.
    let s = h.status(local("2026-11-27T20:00"));
    assert!(!s.open);
    assert_eq!(s.next_change, Some(local("2026-11-28T10:00")));
    // Sunday after closing → Monday 08:00.
    let s = h.status(local("2026-11-29T23:30"));
    assert_eq!(s.next_change, Some(local("2026-11-30T08:00")));
    // Easter: Wednesday evening → Skærtorsdag 10:00; Påskedag evening → 2. påskedag 10:00.
    assert_eq!(h.status(local("2026-04-01T21:00")).next_change, Some(local("2026-04-02T10:00")));
    assert_eq!(h.status(local("2026-04-05T16:00")).next_change, Some(local("2026-04-06T10:00")));
    assert_eq!(h.status(local("2026-04-06T16:00")).next_change, Some(local("2026-04-07T08:00")));
    // The next change really is a flip.
    let mut at = local("2026-12-20T00:00");
    for _ in 0..40 {
        let s = h.status(at);
        let next = s.next_change.expect("always opens again");
        assert!(next > at);
        assert_ne!(h.status(next).open, s.open, "flip at {next}");
        let before = next - jiff::SignedDuration::from_secs(1);
        assert_eq!(h.status(before).open, s.open, "no flip before {next}");
        at = next;
    }
}

#[test]
fn exceptions_override_the_rules() {
    let toml_text = r#"
        constitution_day_is_holiday = true
        [[exception]]
        date = "2026-12-28"
        hours = "closed"
        note = "Planned maintenance"
        [[exception]]
        date = "2026-12-29"
        until = "2026-12-30"
        hours = "07:00-22:00"
    "#;
    let config: HoursConfig = toml::from_str(toml_text).expect("parses");
    let h = SupportHours::new(config).expect("valid");
    let closed = h.status(local("2026-12-28T12:00"));
    assert!(!closed.open);
    assert_eq!(closed.day.exception.as_deref(), Some("Planned maintenance"));
    assert_eq!(closed.next_change, Some(local("2026-12-29T07:00")));
    assert!(open_at(&h, "2026-12-30T21:59"));
    assert!(!open_at(&h, "2026-12-30T22:00"));
    assert!(!open_at(&h, "2026-12-31T22:00"));
    let grundlov = h.status(local("2026-06-05T09:00"));
    assert_eq!(grundlov.day.kind, DayKind::Holiday);
    assert!(!grundlov.open);
    assert!(open_at(&SupportHours::default(), "2026-06-05T09:00"), "a weekday by default");
}

#[test]
fn a_window_to_midnight_joins_the_next_day() {
    let mut config = HoursConfig::default();
    config.exceptions.push(Exception {
        date: date(2026, 12, 1),
        until: None,
        hours: "08:00-24:00".parse().unwrap(),
        note: String::new(),
    });
    config.exceptions.push(Exception {
        date: date(2026, 12, 2),
        until: None,
        hours: "00:00-12:00".parse().unwrap(),
        note: String::new(),
    });
    let h = SupportHours::new(config).unwrap();
    assert_eq!(h.status(local("2026-12-01T09:00")).next_change, Some(local("2026-12-02T12:00")));
    assert!(open_at(&h, "2026-12-01T23:59:59"));
    assert!(open_at(&h, "2026-12-02T00:00:00"));
}

#[test]
fn bad_configurations_are_refused() {
    for bad in ["8-20", "08:00", "20:00-08:00", "08:00-08:00", "08:60-09:00", "24:01-24:30", "", "open"] {
        assert!(bad.parse::<DayHours>().is_err(), "{bad:?}");
    }
    assert_eq!("08:00-20:00".parse::<DayHours>().unwrap().to_string(), "08:00-20:00");
    let overlapping = HoursConfig {
        exceptions: vec![
            Exception {
                date: date(2026, 1, 5),
                until: Some(date(2026, 1, 9)),
                hours: DayHours::Closed,
                note: String::new(),
            },
            Exception { date: date(2026, 1, 9), until: None, hours: DayHours::Closed, note: String::new() },
        ],
        ..HoursConfig::default()
    };
    assert_eq!(SupportHours::new(overlapping).unwrap_err(), HoursConfigError::Overlap(date(2026, 1, 9)));
    let backwards = HoursConfig {
        exceptions: vec![Exception {
            date: date(2026, 1, 9),
            until: Some(date(2026, 1, 5)),
            hours: DayHours::Closed,
            note: String::new(),
        }],
        ..HoursConfig::default()
    };
    assert!(matches!(SupportHours::new(backwards), Err(HoursConfigError::Backwards { .. })));
    let all_closed = HoursConfig {
        exceptions: vec![Exception {
            date: date(2026, 1, 1),
            until: Some(date(2030, 1, 1)),
            hours: DayHours::Closed,
            note: String::new(),
        }],
        ..HoursConfig::default()
    };
    assert_eq!(SupportHours::new(all_closed).unwrap().status(local("2026-02-01T12:00")).next_change, None);
}

#[test]
fn relative_days() {
    let today = date(2026, 11, 24);
    assert_eq!(RelativeDay::of(today, today), RelativeDay::Today);
    assert_eq!(RelativeDay::of(date(2026, 11, 25), today), RelativeDay::Tomorrow);
    assert_eq!(RelativeDay::of(date(2026, 11, 30), today), RelativeDay::ThisWeek(Weekday::Monday));
    assert_eq!(RelativeDay::of(date(2026, 12, 1), today), RelativeDay::Later(date(2026, 12, 1)));
}
