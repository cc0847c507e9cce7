//! Danish public holidays, computed by rule.
//!
//! Since 1 January 2024 the law (lukkeloven §2, as changed by lov nr. 214 af
//! 6.3.2023) names ten holidays: two fixed days at each end of the year and
//! eight that move with Easter. Store bededag (Easter + 26 days) was a holiday
//! up to and including 2023. Grundlovsdag is not a public holiday; whether
//! MitID Support treats it as one is a setting, so it is offered here as an
//! option rather than decided.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// One of the days the holiday calendar knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// Nytårsdag, 1 January.
    NewYearsDay,
    /// Skærtorsdag, Easter − 3.
    MaundyThursday,
    /// Langfredag, Easter − 2.
    GoodFriday,
    /// Påskedag, Easter Sunday.
    EasterSunday,
    /// 2. påskedag, Easter + 1.
    EasterMonday,
    /// Store bededag, Easter + 26; a holiday only up to 2023.
    GreatPrayerDay,
    /// Kristi himmelfartsdag, Easter + 39.
    AscensionDay,
    /// Pinsedag, Easter + 49.
    Whitsunday,
    /// 2. pinsedag, Easter + 50.
    WhitMonday,
    /// Grundlovsdag, 5 June; only when the configuration counts it.
    ConstitutionDay,
    /// Juledag, 25 December.
    ChristmasDay,
    /// 2. juledag, 26 December.
    BoxingDay,
}

impl HolidayKind {
    /// The day's Danish name, as the law and calendars write it.
    pub fn danish_name(self) -> &'static str {
        match self {
            Self::NewYearsDay => "Nytårsdag",
            Self::MaundyThursday => "Skærtorsdag",
            Self::GoodFriday => "Langfredag",
            Self::EasterSunday => "Påskedag",
            Self::EasterMonday => "2. påskedag",
            Self::GreatPrayerDay => "Store bededag",
            Self::AscensionDay => "Kristi himmelfartsdag",
            Self::Whitsunday => "Pinsedag",
            Self::WhitMonday => "2. pinsedag",
            Self::ConstitutionDay => "Grundlovsdag",
            Self::ChristmasDay => "Juledag",
            Self::BoxingDay => "2. juledag",
        }
    }

    /// A stable identifier, used as the key of the day's translated name.
    pub fn id(self) -> &'static str {
        match self {
            Self::NewYearsDay => "new-years-day",
            Self::MaundyThursday => "maundy-thursday",
            Self::GoodFriday => "good-friday",
            Self::EasterSunday => "easter-sunday",
            Self::EasterMonday => "easter-monday",
            Self::GreatPrayerDay => "great-prayer-day",
            Self::AscensionDay => "ascension-day",
            Self::Whitsunday => "whitsunday",
            Self::WhitMonday => "whit-monday",
            Self::ConstitutionDay => "constitution-day",
            Self::ChristmasDay => "christmas-day",
            Self::BoxingDay => "boxing-day",
        }
    }
}

/// A holiday on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Holiday {
    /// The calendar date (no time zone: holidays are whole local days).
    pub date: Date,
    /// Which holiday it is.
    pub kind: HolidayKind,
}

/// What the calendar counts beyond the law's list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HolidayRules {
    /// Count Grundlovsdag (5 June) as a holiday. The law does not; the default is no.
    pub constitution_day_is_holiday: bool,
}

/// The last year in which Store bededag was a public holiday.
const LAST_GREAT_PRAYER_DAY: i16 = 2023;

/// Easter Sunday in the Gregorian calendar (anonymous algorithm of
/// Meeus/Jones/Butcher), for `year` in jiff's range of years (−9999..=9999,
/// though the Gregorian rule only means something from 1583).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    // month is 3 or 4 and day 1..=31 by construction.
    Date::new(year, month as i8, day as i8).unwrap_or_else(|_| unreachable_easter(year))
}

#[cold]
fn unreachable_easter(year: i16) -> Date {
    // The algorithm always yields a date between 22 March and 25 April.
    Date::constant(year.clamp(-9999, 9999), 4, 1)
}

/// The holidays of `year` in date order.
pub fn holidays(year: i16, rules: HolidayRules) -> Vec<Holiday> {
    let easter = easter_sunday(year);
    let easter_day = i32::from(easter.day_of_year());
    let mut days: Vec<Holiday> = Vec::with_capacity(12);
    let mut push_fixed = |month: i8, day: i8, kind| {
        if let Ok(date) = Date::new(year, month, day) {
            days.push(Holiday { date, kind });
        }
    };
    push_fixed(1, 1, HolidayKind::NewYearsDay);
    push_fixed(12, 25, HolidayKind::ChristmasDay);
    push_fixed(12, 26, HolidayKind::BoxingDay);
    if rules.constitution_day_is_holiday {
        push_fixed(6, 5, HolidayKind::ConstitutionDay);
    }
    for (offset, kind) in easter_offsets(year) {
        if let Ok(date) = easter.with().day_of_year((easter_day + offset) as i16).build() {
            days.push(Holiday { date, kind });
        }
    }
    days.sort_by_key(|h| (h.date, h.kind));
    days
}

/// The Easter-relative holidays of `year`, as day offsets from Easter Sunday.
fn easter_offsets(year: i16) -> impl Iterator<Item = (i32, HolidayKind)> {
    const MOVABLE: [(i32, HolidayKind); 8] = [
        (-3, HolidayKind::MaundyThursday),
        (-2, HolidayKind::GoodFriday),
        (0, HolidayKind::EasterSunday),
        (1, HolidayKind::EasterMonday),
        (26, HolidayKind::GreatPrayerDay),
        (39, HolidayKind::AscensionDay),
        (49, HolidayKind::Whitsunday),
        (50, HolidayKind::WhitMonday),
    ];
    MOVABLE.into_iter().filter(move |(_, kind)| *kind != HolidayKind::GreatPrayerDay || year <= LAST_GREAT_PRAYER_DAY)
}

/// The holiday on `date`, if it is one. When two coincide (2. pinsedag on
/// Grundlovsdag, as in 2028) the legal holiday wins.
pub fn holiday_on(date: Date, rules: HolidayRules) -> Option<HolidayKind> {
    match (date.month(), date.day()) {
        (1, 1) => return Some(HolidayKind::NewYearsDay),
        (12, 25) => return Some(HolidayKind::ChristmasDay),
        (12, 26) => return Some(HolidayKind::BoxingDay),
        _ => {}
    }
    // Easter-relative days fall between 19 March and 14 June.
    if (3..=6).contains(&date.month()) {
        let easter = easter_sunday(date.year());
        let offset = i32::from(date.day_of_year()) - i32::from(easter.day_of_year());
        if let Some((_, kind)) = easter_offsets(date.year()).find(|(o, _)| *o == offset) {
            return Some(kind);
        }
    }
    if rules.constitution_day_is_holiday && (date.month(), date.day()) == (6, 5) {
        return Some(HolidayKind::ConstitutionDay);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn listed(year: i16) -> Vec<(String, &'static str)> {
        holidays(year, HolidayRules::default())
            .into_iter()
            .map(|h| (h.date.to_string(), h.kind.danish_name()))
            .collect()
    }

    /// RULES.md §1, "Known answers".
    #[test]
    fn known_answers_2025_to_2027() {
        let table: [(i16, [&str; 10]); 3] = [
            (
                2025,
                [
                    "2025-01-01",
                    "2025-04-17",
                    "2025-04-18",
                    "2025-04-20",
                    "2025-04-21",
                    "2025-05-29",
                    "2025-06-08",
                    "2025-06-09",
                    "2025-12-25",
                    "2025-12-26",
                ],
            ),
            (
                2026,
                [
                    "2026-01-01",
                    "2026-04-02",
                    "2026-04-03",
                    "2026-04-05",
                    "2026-04-06",
                    "2026-05-14",
                    "2026-05-24",
                    "2026-05-25",
                    "2026-12-25",
                    "2026-12-26",
                ],
            ),
            (
                2027,
                [
                    "2027-01-01",
                    "2027-03-25",
                    "2027-03-26",
                    "2027-03-28",
                    "2027-03-29",
                    "2027-05-06",
                    "2027-05-16",
                    "2027-05-17",
                    "2027-12-25",
                    "2027-12-26",
                ],
            ),
        ];
        let names = [
            "Nytårsdag",
            "Skærtorsdag",
            "Langfredag",
            "Påskedag",
            "2. påskedag",
            "Kristi himmelfartsdag",
            "Pinsedag",
            "2. pinsedag",
            "Juledag",
            "2. juledag",
        ];
        for (year, dates) in table {
            let expected: Vec<(String, &str)> = dates.iter().map(|d| d.to_string()).zip(names).collect();
            assert_eq!(listed(year), expected, "holidays of {year}");
        }
    }

    #[test]
    fn store_bededag_ends_with_2023() {
        assert_eq!(easter_sunday(2023), date(2023, 4, 9));
        // Published: Store bededag 2023 was 5 May.
        assert_eq!(holiday_on(date(2023, 5, 5), HolidayRules::default()), Some(HolidayKind::GreatPrayerDay));
        assert_eq!(holidays(2023, HolidayRules::default()).len(), 11);
        for (year, day) in
            [(2024, date(2024, 4, 26)), (2025, date(2025, 5, 16)), (2026, date(2026, 5, 1)), (2027, date(2027, 4, 23))]
        {
            assert_eq!(holiday_on(day, HolidayRules::default()), None, "{year}");
            assert_eq!(holidays(year, HolidayRules::default()).len(), 10);
        }
    }

    #[test]
    fn grundlovsdag_only_when_configured() {
        let counted = HolidayRules { constitution_day_is_holiday: true };
        assert_eq!(holiday_on(date(2026, 6, 5), HolidayRules::default()), None);
        assert_eq!(holiday_on(date(2026, 6, 5), counted), Some(HolidayKind::ConstitutionDay));
        assert_eq!(holidays(2026, counted).len(), 11);
        // 2028: 2. pinsedag and Grundlovsdag on one day — listed twice, named once.
        assert_eq!(holiday_on(date(2028, 6, 5), counted), Some(HolidayKind::WhitMonday));
        let on_day: Vec<_> = holidays(2028, counted).into_iter().filter(|h| h.date == date(2028, 6, 5)).collect();
        assert_eq!(on_day.len(), 2);
    }

    /// Easter by a different method (Gauss's, with Lichtenberg's corrections),
    /// written independently of the code under test.
    fn gauss_easter(year: i32) -> (i8, i8) {
        let k = year / 100;
        let m = 15 + (3 * k + 3) / 4 - (8 * k + 13) / 25;
        let s = 2 - (3 * k + 3) / 4;
        let a = year % 19;
        let d = (19 * a + m) % 30;
        let r = (d + a / 11) / 29;
        let og = 21 + d - r;
        let sz = 7 - (year + year / 4 + s) % 7;
        let oe = 7 - (og - sz) % 7;
        let os = og + oe; // day of March, may exceed 31
        if os > 31 { (4, (os - 31) as i8) } else { (3, os as i8) }
    }

    /// Every year 1900–2300: the list matches the rules, and `holiday_on`
    /// agrees with the list on every day of the year.
    #[test]
    fn every_year_1900_to_2300_follows_the_rules() {
        for year in 1900..=2300i16 {
            let (m, d) = gauss_easter(i32::from(year));
            let easter = date(year, m, d);
            assert_eq!(easter_sunday(year), easter, "Easter {year}");
            assert_eq!(easter.weekday(), jiff::civil::Weekday::Sunday);
            let mut expected = vec![
                (date(year, 1, 1), HolidayKind::NewYearsDay),
                (easter.checked_sub(jiff::Span::new().days(3)).unwrap(), HolidayKind::MaundyThursday),
                (easter.checked_sub(jiff::Span::new().days(2)).unwrap(), HolidayKind::GoodFriday),
                (easter, HolidayKind::EasterSunday),
                (easter.checked_add(jiff::Span::new().days(1)).unwrap(), HolidayKind::EasterMonday),
                (easter.checked_add(jiff::Span::new().days(39)).unwrap(), HolidayKind::AscensionDay),
                (easter.checked_add(jiff::Span::new().days(49)).unwrap(), HolidayKind::Whitsunday),
                (easter.checked_add(jiff::Span::new().days(50)).unwrap(), HolidayKind::WhitMonday),
                (date(year, 12, 25), HolidayKind::ChristmasDay),
                (date(year, 12, 26), HolidayKind::BoxingDay),
            ];
            if year <= 2023 {
                expected.push((easter.checked_add(jiff::Span::new().days(26)).unwrap(), HolidayKind::GreatPrayerDay));
            }
            expected.sort();
            let got: Vec<_> = holidays(year, HolidayRules::default()).into_iter().map(|h| (h.date, h.kind)).collect();
            assert_eq!(got, expected, "holidays of {year}");
            // Weekdays the rules fix.
            for (day, kind) in &expected {
                let weekday = day.weekday();
                use jiff::civil::Weekday::*;
                match kind {
                    HolidayKind::MaundyThursday | HolidayKind::AscensionDay => assert_eq!(weekday, Thursday),
                    HolidayKind::GoodFriday | HolidayKind::GreatPrayerDay => assert_eq!(weekday, Friday),
                    HolidayKind::EasterMonday | HolidayKind::WhitMonday => assert_eq!(weekday, Monday),
                    HolidayKind::EasterSunday | HolidayKind::Whitsunday => assert_eq!(weekday, Sunday),
                    _ => {}
                }
            }
            let mut day = date(year, 1, 1);
            while day.year() == year {
                let want = expected.iter().find(|(d, _)| *d == day).map(|(_, k)| *k);
                assert_eq!(holiday_on(day, HolidayRules::default()), want, "{day}");
                day = day.tomorrow().unwrap();
            }
        }
    }
}
