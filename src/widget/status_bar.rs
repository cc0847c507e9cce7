//! The support-status line and the texts it is made of.

use iced::widget::{Space, container, row, text};
use iced::{Alignment, Length};
use jiff::Timestamp;
use jiff::civil::{DateTime, Weekday};
use mitid_core::holidays::HolidayKind;
use mitid_core::support_hours::{DayKind, RelativeDay, SupportHours, SupportStatus};

use crate::fl;
use crate::theme;
use crate::widget::Element;

/// "20:00", "tomorrow 08:00", "Monday 08:00" or "2 January 10:00": when
/// `next` happens, seen from `now`, in Copenhagen time.
pub fn when(hours: &SupportHours, next: Timestamp, now: Timestamp) -> String {
    let next_local = hours.local(next);
    let time = clock_time(next_local);
    match RelativeDay::of(next_local.date(), hours.local(now).date()) {
        RelativeDay::Today => fl!("when-today", time = time),
        RelativeDay::Tomorrow => fl!("when-tomorrow", time = time),
        RelativeDay::ThisWeek(day) => fl!("when-weekday", weekday = weekday(day), time = time),
        RelativeDay::Later(date) => fl!("when-date", day = date.day(), month = month(date.month()), time = time),
    }
}

/// "08:00".
pub fn clock_time(local: DateTime) -> String {
    format!("{:02}:{:02}", local.hour(), local.minute())
}

fn weekday(day: Weekday) -> String {
    match day {
        Weekday::Monday => fl!("weekday-monday"),
        Weekday::Tuesday => fl!("weekday-tuesday"),
        Weekday::Wednesday => fl!("weekday-wednesday"),
        Weekday::Thursday => fl!("weekday-thursday"),
        Weekday::Friday => fl!("weekday-friday"),
        Weekday::Saturday => fl!("weekday-saturday"),
        Weekday::Sunday => fl!("weekday-sunday"),
    }
}

fn month(month: i8) -> String {
    match month {
        1 => fl!("month-1"),
        2 => fl!("month-2"),
        3 => fl!("month-3"),
        4 => fl!("month-4"),
        5 => fl!("month-5"),
        6 => fl!("month-6"),
        7 => fl!("month-7"),
        8 => fl!("month-8"),
        9 => fl!("month-9"),
        10 => fl!("month-10"),
        11 => fl!("month-11"),
        _ => fl!("month-12"),
    }
}

/// The translated name of a holiday.
pub fn holiday_name(kind: HolidayKind) -> String {
    match kind {
        HolidayKind::NewYearsDay => fl!("holiday-new-years-day"),
        HolidayKind::MaundyThursday => fl!("holiday-maundy-thursday"),
        HolidayKind::GoodFriday => fl!("holiday-good-friday"),
        HolidayKind::EasterSunday => fl!("holiday-easter-sunday"),
        HolidayKind::EasterMonday => fl!("holiday-easter-monday"),
        HolidayKind::GreatPrayerDay => fl!("holiday-great-prayer-day"),
        HolidayKind::AscensionDay => fl!("holiday-ascension-day"),
        HolidayKind::Whitsunday => fl!("holiday-whitsunday"),
        HolidayKind::WhitMonday => fl!("holiday-whit-monday"),
        HolidayKind::ConstitutionDay => fl!("holiday-constitution-day"),
        HolidayKind::ChristmasDay => fl!("holiday-christmas-day"),
        HolidayKind::BoxingDay => fl!("holiday-boxing-day"),
    }
}

/// "Open — closes 20:00" or "Closed — opens Monday 08:00".
pub fn headline(hours: &SupportHours, status: &SupportStatus) -> String {
    match (status.open, status.next_change) {
        (true, Some(next)) => fl!("status-open", when = when(hours, next, status.at)),
        (false, Some(next)) => fl!("status-closed", when = when(hours, next, status.at)),
        // Open with no end in the horizon cannot come from a real
        // configuration (a window always ends), closed with no opening can.
        (true, None) => fl!("status-open", when = "—"),
        (false, None) => fl!("status-closed-indefinitely"),
    }
}

/// The name of the day when it is special: a holiday, 24 or 31 December.
pub fn special_day(status: &SupportStatus) -> Option<String> {
    match (status.day.kind, status.day.holiday) {
        (_, Some(kind)) => Some(holiday_name(kind)),
        (DayKind::Dec24, None) => Some(fl!("day-dec24")),
        (DayKind::Dec31, None) => Some(fl!("day-dec31")),
        _ => None,
    }
}

/// The shared service's connection in words: connected (and what waits
/// to be sent), reconnecting (the first half minute), unreachable since.
pub fn connection_text(hours: &SupportHours, connection: mitid_remote::Status, now: Timestamp) -> String {
    let link = match connection.link {
        mitid_remote::Link::Connected => fl!("service-connected"),
        mitid_remote::Link::Unreachable(since) if now.duration_since(since) < jiff::SignedDuration::from_secs(30) => {
            fl!("service-reconnecting")
        }
        mitid_remote::Link::Unreachable(since) => {
            fl!("service-unreachable", since = clock_time(hours.local(since)))
        }
    };
    match connection.waiting {
        0 => link,
        n => format!("{link} · {}", fl!("service-waiting", count = u64::try_from(n).unwrap_or(u64::MAX))),
    }
}

/// The bar along the bottom of the window.
pub fn view<'a, Message: 'a>(
    hours: &SupportHours,
    status: &SupportStatus,
    demo: bool,
    connection: Option<mitid_remote::Status>,
) -> Element<'a, Message> {
    let mut line = row![
        container(Space::new().width(12).height(12)).style(theme::status_dot(status.open)),
        text(fl!("status-support")).font(theme::MEDIUM),
        text(headline(hours, status)).font(theme::BOLD),
    ]
    .spacing(10)
    .align_y(Alignment::Center);
    if let Some(day) = special_day(status) {
        line = line.push(text(format!("· {day}")));
    }
    if let Some(note) = status.day.exception.as_deref().filter(|n| !n.is_empty()) {
        line = line.push(text(format!("· {}", fl!("status-special-hours", note = note.to_owned()))));
    }
    if let Some(connection) = connection {
        line = line.push(text(format!("· {}", connection_text(hours, connection, status.at))));
    }
    let time = clock_time(hours.local(status.at));
    let clock = if demo { fl!("demo-clock", time = time) } else { fl!("status-local-time", time = time) };
    line = line.push(Space::new().width(Length::Fill)).push(text(clock).size(14));
    container(line).padding([8, 16]).width(Length::Fill).style(theme::status_bar).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mitid_remote::{Link, Status};

    #[test]
    fn the_connection_reads_connected_reconnecting_then_unreachable_since() {
        // The library's own tests never leave English.
        crate::i18n::set_language(mitid_core::config::Language::En);
        let hours = SupportHours::default();
        let since: Timestamp = "2026-11-24T09:42:00Z".parse().expect("an instant");
        let connected = Status { link: Link::Connected, waiting: 0, sign_in_needed: false };
        assert_eq!(connection_text(&hours, connected, since), "Shared service: connected");
        let away = Status { link: Link::Unreachable(since), waiting: 2, sign_in_needed: false };
        assert_eq!(
            connection_text(&hours, away, since + jiff::SignedDuration::from_secs(5)),
            "Shared service: reconnecting… · 2 records waiting to be sent"
        );
        assert_eq!(
            connection_text(&hours, away, since + jiff::SignedDuration::from_mins(3)),
            "Shared service unreachable since 10:42 · 2 records waiting to be sent"
        );
    }
}
