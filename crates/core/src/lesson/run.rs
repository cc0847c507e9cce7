//! A lesson being run: what is still to happen (faults and clock jumps,
//! at a time or at a step of the trainee's work), and the log of what did
//! happen, for the debriefing. It reads no clock: it is told how much
//! lesson time has passed, so the same lesson runs the same way for every
//! trainee (and in tests, without waiting).

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::{FaultKind, Lesson, Step};

/// What comes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Happening {
    /// A fault fires.
    Fault(FaultKind),
    /// The clock jumps to this instant.
    Jump(Timestamp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    /// When this much lesson time has passed.
    At(SignedDuration),
    /// When the trainee reaches the step, and this long after.
    Step(Step, SignedDuration),
}

/// What kind of thing a log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// The lesson was loaded or reset.
    Lesson,
    /// The clock was set, moved on or sped up.
    Clock,
    /// A fault fired.
    Fault,
    /// The trainee reached a step.
    Step,
    /// What the trainee chose.
    Action,
    /// What the app said.
    Said,
}

impl EntryKind {
    /// Its name in the exported log.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Lesson => "lesson",
            EntryKind::Clock => "clock",
            EntryKind::Fault => "fault",
            EntryKind::Step => "step",
            EntryKind::Action => "action",
            EntryKind::Said => "said",
        }
    }
}

/// One line of the lesson log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Lesson time passed when it happened.
    #[serde(serialize_with = "seconds")]
    pub ran: SignedDuration,
    /// What the lesson's clock read.
    pub at: Timestamp,
    /// What kind.
    pub kind: EntryKind,
    /// What, in words (made-up people only: this is demo mode).
    pub what: String,
}

fn seconds<S: serde::Serializer>(d: &SignedDuration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(d.as_secs())
}

/// What happened in a lesson, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Log {
    entries: Vec<Entry>,
}

/// How many entries a log keeps (a lesson is an hour or two; this is days).
const LOG_LIMIT: usize = 20_000;

impl Log {
    /// Adds an entry (the oldest goes once the log is very long).
    pub fn push(&mut self, ran: SignedDuration, at: Timestamp, kind: EntryKind, what: impl Into<String>) {
        if self.entries.len() >= LOG_LIMIT {
            self.entries.remove(0);
        }
        self.entries.push(Entry { ran, at, kind, what: what.into() });
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The last entry of a kind.
    pub fn last(&self, kind: EntryKind) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.kind == kind)
    }

    /// For the debriefing: a Markdown table under the lesson's title,
    /// with its clock times in `zone`.
    pub fn to_markdown(&self, title: &str, zone: &jiff::tz::TimeZone) -> String {
        let mut out = format!("# {}\n\n| + | clock | what | |\n|---|---|---|---|\n", cell(title));
        for e in &self.entries {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                elapsed(e.ran),
                zone.to_datetime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.kind.name(),
                cell(&e.what)
            ));
        }
        out
    }

    /// For a spreadsheet: `elapsed_s,clock,kind,what` (RFC 4180 quoting).
    pub fn to_csv(&self, zone: &jiff::tz::TimeZone) -> String {
        let mut out = String::from("elapsed_s,clock,kind,what\r\n");
        for e in &self.entries {
            out.push_str(&format!(
                "{},{},{},{}\r\n",
                e.ran.as_secs(),
                zone.to_datetime(e.at).strftime("%Y-%m-%dT%H:%M:%S"),
                e.kind.name(),
                csv_field(&e.what)
            ));
        }
        out
    }
}

/// `m:ss` (or `h:mm:ss`) since the start.
pub fn elapsed(d: SignedDuration) -> String {
    let s = d.as_secs().max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn csv_field(text: &str) -> String {
    // A leading = + - @ would be run as a formula by a spreadsheet.
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// A lesson being run.
#[derive(Debug, Clone)]
pub struct Run {
    lesson: Lesson,
    pending: Vec<(Due, Happening)>,
    reached: Vec<Step>,
    /// What happened.
    pub log: Log,
}

impl Run {
    /// The lesson from its start: every fault and jump still to come.
    pub fn new(lesson: Lesson) -> Self {
        let mut pending = Vec::new();
        for jump in &lesson.clock.jumps {
            pending.push((Due::At(jump.after.unwrap_or_default()), Happening::Jump(jump.to)));
        }
        for fault in &lesson.faults {
            let after = fault.after.unwrap_or_default();
            let due = match fault.step {
                Some(step) => Due::Step(step, after),
                None => Due::At(after),
            };
            pending.push((due, Happening::Fault(fault.kind)));
        }
        let mut run = Self { lesson, pending, reached: Vec::new(), log: Log::default() };
        let at = run.lesson.clock.start;
        let title = run.lesson.lesson.title.en.clone();
        run.log.push(SignedDuration::ZERO, at, EntryKind::Lesson, format!("{} ({})", title, run.lesson.lesson.id));
        run
    }

    /// The lesson.
    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// Whether the trainee has reached `step`.
    pub fn has_reached(&self, step: Step) -> bool {
        self.reached.contains(&step)
    }

    /// The trainee reached `step` (only the first time counts): what
    /// waits for it comes due now, or is timed from now.
    pub fn reached(&mut self, step: Step, ran: SignedDuration, at: Timestamp) -> Vec<Happening> {
        if self.reached.contains(&step) {
            return Vec::new();
        }
        self.reached.push(step);
        self.log.push(ran, at, EntryKind::Step, step.name());
        for (due, _) in &mut self.pending {
            if let Due::Step(waits_for, after) = *due
                && waits_for == step
            {
                *due = Due::At(ran.saturating_add(after));
            }
        }
        self.due(ran, at)
    }

    /// What has come due by `ran` (each once, in the order due), logged.
    pub fn due(&mut self, ran: SignedDuration, at: Timestamp) -> Vec<Happening> {
        let mut fired: Vec<(SignedDuration, Happening)> = Vec::new();
        self.pending.retain(|(due, happening)| match due {
            Due::At(when) if *when <= ran => {
                fired.push((*when, *happening));
                false
            }
            _ => true,
        });
        fired.sort_by_key(|(when, _)| *when);
        for (_, happening) in &fired {
            match happening {
                Happening::Fault(kind) => self.log.push(ran, at, EntryKind::Fault, kind.name()),
                Happening::Jump(to) => self.log.push(ran, *to, EntryKind::Clock, format!("jump to {to}")),
            }
        }
        fired.into_iter().map(|(_, h)| h).collect()
    }

    /// How much lesson time will have passed when the next timed thing is
    /// due (what waits for a step not yet reached is not timed).
    pub fn next_due(&self) -> Option<SignedDuration> {
        self.pending
            .iter()
            .filter_map(|(due, _)| match due {
                Due::At(when) => Some(*when),
                Due::Step(..) => None,
            })
            .min()
    }

    /// How many faults and jumps are still to come.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(faults: &str) -> Lesson {
        let text = format!(
            r#"
[lesson]
id = "t"
title = {{ en = "T", da = "T" }}
goal = {{ en = "G", da = "G" }}

[clock]
start = "2026-11-24T19:55:00+01:00"

[[clock.jumps]]
after = "10m"
to = "2026-11-25T09:00:00+01:00"
{faults}
"#
        );
        super::super::parse(&text).unwrap()
    }

    const FAULTS: &str = r#"
[[faults]]
kind = "support-closes"
step = "code-dialog"
after = "2m"

[[faults]]
kind = "card-slips"
step = "dg2"

[[faults]]
kind = "service-down"
after = "5m"
"#;

    fn secs(n: i64) -> SignedDuration {
        SignedDuration::from_secs(n)
    }

    #[test]
    fn faults_fire_at_their_time_or_step_once_and_in_order() {
        let mut run = Run::new(lesson(FAULTS));
        let at = run.lesson().clock.start;
        assert_eq!(run.next_due(), Some(secs(300)));
        assert_eq!(run.due(secs(299), at), vec![]);
        // The code dialog opens at 1:00: Support closes two minutes on.
        assert_eq!(run.reached(Step::CodeDialog, secs(60), at), vec![]);
        assert_eq!(run.next_due(), Some(secs(180)));
        assert_eq!(run.reached(Step::CodeDialog, secs(100), at), vec![], "only the first time counts");
        assert_eq!(run.due(secs(180), at), vec![Happening::Fault(FaultKind::SupportCloses)]);
        assert_eq!(run.due(secs(181), at), vec![]);
        // Reaching DG2 fires at once.
        assert_eq!(run.reached(Step::Dg2, secs(200), at), vec![Happening::Fault(FaultKind::CardSlips)]);
        // Two come due in one look: in the order they were due.
        let to: Timestamp = "2026-11-25T08:00:00Z".parse().unwrap();
        assert_eq!(run.due(secs(700), at), vec![Happening::Fault(FaultKind::ServiceDown), Happening::Jump(to)]);
        assert_eq!((run.pending(), run.next_due()), (0, None));
        let kinds: Vec<_> = run.log.entries().iter().map(|e| (e.kind, e.what.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (EntryKind::Lesson, "T (t)"),
                (EntryKind::Step, "code-dialog"),
                (EntryKind::Fault, "support-closes"),
                (EntryKind::Step, "dg2"),
                (EntryKind::Fault, "card-slips"),
                (EntryKind::Fault, "service-down"),
                (EntryKind::Clock, "jump to 2026-11-25T08:00:00Z"),
            ]
        );
    }

    #[test]
    fn a_fault_for_a_step_never_reached_never_fires() {
        let mut run = Run::new(lesson(FAULTS));
        let at = run.lesson().clock.start;
        let fired = run.due(secs(100_000), at);
        assert!(!fired.contains(&Happening::Fault(FaultKind::CardSlips)), "{fired:?}");
        assert_eq!(run.pending(), 2);
        assert!(!run.has_reached(Step::Dg2));
    }

    #[test]
    fn the_log_exports_as_markdown_and_csv_that_quote_what_they_must() {
        let mut log = Log::default();
        let at: Timestamp = "2026-11-24T18:58:00Z".parse().unwrap();
        log.push(secs(0), at, EntryKind::Lesson, "A call | at 19:58");
        log.push(secs(75), at, EntryKind::Said, "Closed, \"opens\" at 08:00,\nsee");
        log.push(secs(3725), at, EntryKind::Action, "=cmd()");
        let zone = crate::support_hours::COPENHAGEN.clone();
        let md = log.to_markdown("Lesson", &zone);
        assert!(md.starts_with("# Lesson\n"), "{md}");
        assert!(md.contains("| 0:00 | 2026-11-24 19:58:00 | lesson | A call \\| at 19:58 |"), "{md}");
        assert!(md.contains("| 1:15 |") && md.contains("| 1:02:05 |"), "{md}");
        assert_eq!(md.lines().count(), 2 + 2 + 3, "{md}");
        let csv = log.to_csv(&zone);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "elapsed_s,clock,kind,what");
        assert_eq!(lines[1], "0,2026-11-24T19:58:00,lesson,A call | at 19:58");
        assert_eq!(lines[2], "75,2026-11-24T19:58:00,said,\"Closed, \"\"opens\"\" at 08:00,\nsee\"");
        assert_eq!(lines[3], "3725,2026-11-24T19:58:00,action,'=cmd()");
        assert_eq!(log.last(EntryKind::Said).map(|e| e.ran), Some(secs(75)));
    }

    #[test]
    fn a_very_long_log_keeps_its_newest_entries() {
        let mut log = Log::default();
        let at = Timestamp::UNIX_EPOCH;
        for n in 0..(LOG_LIMIT + 5) {
            log.push(secs(n as i64), at, EntryKind::Action, "x");
        }
        assert_eq!(log.entries().len(), LOG_LIMIT);
        assert_eq!(log.entries()[0].ran, secs(5));
    }
}
