//! The calendar commands: `holidays` and `hours`.

use jiff::Timestamp;
use mitid_core::holidays::{self, HolidayRules};
use mitid_core::support_hours::SupportHours;
use serde_json::json;

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
pub fn rfc3339(hours: &SupportHours, at: Timestamp) -> String {
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
}
