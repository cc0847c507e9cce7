//! The MRZ step: the document's data typed (dates picked year and month
//! first, as the MitID app asks, or typed as digits part by part), the
//! lines a swipe reader types or a person pastes, or an ID card's CAN —
//! checked as they come, an expired document flagged.

use iced::widget::{button, column, container, operation, pick_list, row, text, text_editor, text_input};
use iced::{Alignment, Length, Task};
use jiff::civil::Date;
use mitid_core::mrz_entry::{self, Credentials, DocumentKind, EntryField, Problem, Typed};
use zeroize::Zeroize;

use crate::fl;
use crate::theme;
use crate::widget::Element;

/// The document number field (focused when typing is chosen).
pub const NUMBER: &str = "mrz-number";
/// The CAN field.
pub const CAN: &str = "mrz-can";
/// The MRZ lines field.
pub const LINES: &str = "mrz-lines";

/// How the document's data comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Typed fields.
    #[default]
    Typed,
    /// MRZ lines from a swipe reader, OCR or pasted.
    Lines,
    /// The CAN of an ID card.
    Can,
}

impl Mode {
    /// The field typing starts in.
    fn field(self) -> &'static str {
        match self {
            Mode::Typed => NUMBER,
            Mode::Lines => LINES,
            Mode::Can => CAN,
        }
    }
}

/// A month, shown by name in the language of the moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month(pub i8);

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = fl!("month-names");
        let name = names.split(',').nth(usize::try_from(self.0 - 1).unwrap_or(0)).unwrap_or("?").trim().to_owned();
        write!(f, "{name}")
    }
}

/// A date being picked: year and month first, then the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DatePick {
    /// The year.
    pub year: Option<i16>,
    /// The month.
    pub month: Option<i8>,
    /// The day.
    pub day: Option<i8>,
}

impl DatePick {
    /// The date, once whole and real.
    pub fn date(&self) -> Option<Date> {
        Date::new(self.year?, self.month?, self.day?).ok()
    }

    fn days(&self) -> Vec<i8> {
        match (self.year, self.month) {
            (Some(y), Some(m)) => {
                let last = Date::new(y, m, 1).map(|d| d.days_in_month()).unwrap_or(31);
                (1..=last).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// Which date a picker sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Date of birth.
    Birth,
    /// Date of expiry.
    Expiry,
}

/// A part of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The year.
    Year,
    /// The month.
    Month,
    /// The day.
    Day,
}

/// A key pressed on the date part that has the keyboard focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateKey {
    /// A digit: years take four, months and days one or two.
    Digit(u8),
    /// One up.
    Up,
    /// One down.
    Down,
    /// Empty the part.
    Clear,
}

/// The date parts in the order the keyboard walks them.
const DATE_PARTS: [(Which, Part); 6] = [
    (Which::Birth, Part::Year),
    (Which::Birth, Part::Month),
    (Which::Birth, Part::Day),
    (Which::Expiry, Part::Year),
    (Which::Expiry, Part::Month),
    (Which::Expiry, Part::Day),
];

/// The years a date can be picked in.
fn years(which: Which, today: Date) -> std::ops::RangeInclusive<i16> {
    let this_year = today.year();
    match which {
        Which::Birth => this_year - 120..=this_year,
        Which::Expiry => this_year - 10..=this_year + 12,
    }
}

/// The MRZ step's state (its text is zeroed when dropped; the lines
/// field's buffer belongs to the editor widget and is only emptied).
#[derive(Debug, Default)]
pub struct MrzStep {
    mode: Mode,
    kind: DocumentKind,
    number: String,
    birth: DatePick,
    expiry: DatePick,
    lines: text_editor::Content,
    can: String,
    /// Digits typed so far on a date part (a year takes four).
    typing: Option<(Which, Part, String)>,
}

impl Drop for MrzStep {
    fn drop(&mut self) {
        self.number.zeroize();
        self.can.zeroize();
        self.typing = None;
        self.birth = DatePick::default();
        self.expiry = DatePick::default();
        self.lines = text_editor::Content::new();
    }
}

impl MrzStep {
    /// What the entered data gives: what opens the chip, or the problems.
    pub fn check(&self, today: Date) -> Result<Credentials, Vec<Problem>> {
        match self.mode {
            Mode::Typed => mrz_entry::check_typed(&Typed {
                kind: self.kind,
                number: self.number.clone(),
                birth: self.birth.date(),
                expiry: self.expiry.date(),
            }),
            Mode::Lines => mrz_entry::check_lines(&self.lines.text(), today),
            Mode::Can => mrz_entry::check_can(&self.can),
        }
    }

    /// How the data comes in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether nothing has been entered yet in the chosen way.
    fn untouched(&self) -> bool {
        match self.mode {
            Mode::Typed => {
                self.number.trim().is_empty() && self.birth == DatePick::default() && self.expiry == DatePick::default()
            }
            Mode::Lines => self.lines.text().trim().is_empty(),
            Mode::Can => self.can.trim().is_empty(),
        }
    }
}

pub(super) fn field_name(field: EntryField) -> String {
    match field {
        EntryField::Number => fl!("mrz-field-number"),
        EntryField::Birth => fl!("mrz-field-birth"),
        EntryField::Expiry => fl!("mrz-field-expiry"),
        EntryField::Lines => fl!("mrz-field-lines"),
        EntryField::PersonalNumber => fl!("mrz-field-personal"),
        EntryField::Composite => fl!("mrz-field-composite"),
        EntryField::Can => fl!("mrz-field-can"),
    }
}

/// A field's name inside a sentence (the labels start with a capital).
pub(super) fn in_sentence(field: EntryField) -> String {
    let name = field_name(field);
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| first.to_lowercase().chain(chars).collect())
}

/// A translated sentence for a problem with what was entered.
pub fn problem_text(problem: &Problem) -> String {
    match problem {
        Problem::Missing(field) => fl!("mrz-missing", field = field_name(*field)),
        Problem::NumberCharacters => fl!("mrz-number-characters"),
        Problem::CheckDigit(EntryField::Composite) => fl!("mrz-check-composite"),
        Problem::CheckDigit(field) => fl!("mrz-check-digit", field = in_sentence(*field)),
        Problem::Shape(found) => fl!("mrz-shape", found = found.clone()),
        Problem::Character { line, position, character } => {
            let (line, position) = (*line as u64, *position as u64);
            fl!("mrz-character", line = line, position = position, character = character.to_string())
        }
        Problem::DocumentCode(code) => fl!("mrz-document-code", code = code.clone()),
        Problem::Visa => fl!("mrz-visa"),
        Problem::NotADate(field) => fl!("mrz-not-a-date", field = in_sentence(*field)),
        Problem::CanDigits => fl!("mrz-can-digits"),
    }
}

/// What the step's widgets say.
#[derive(Debug, Clone)]
pub enum Message {
    /// How the document's data comes in.
    Mode(Mode),
    /// Passport or ID card.
    Kind(DocumentKind),
    /// The document number as typed.
    Number(String),
    /// A date's year.
    Year(Which, i16),
    /// A date's month.
    Month(Which, Month),
    /// A date's day.
    Day(Which, i8),
    /// The keyboard is on this date part (Enter moves on to the next).
    DatePart(Which, Part),
    /// A key on the date part that has the keyboard focus.
    DateKey(Which, Part, DateKey),
    /// Enter in the document number field.
    NumberSubmitted,
    /// An edit in the MRZ lines.
    Lines(text_editor::Action),
    /// The CAN as typed.
    Can(String),
    /// Enter at the end (a swipe reader's, or in the CAN field): go on.
    Submit,
}

impl PartialEq for Message {
    /// For the focus ring: the buttons' messages compare.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Mode(a), Self::Mode(b)) => a == b,
            (Self::Kind(a), Self::Kind(b)) => a == b,
            (Self::DatePart(a, p), Self::DatePart(b, q)) => a == b && p == q,
            _ => false,
        }
    }
}

/// What the step asks of the wizard.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Put the keyboard focus on this date part.
    Focus(Message),
    /// Put the keyboard focus on the wizard's Next.
    FocusNext,
    /// The data is complete and Enter was pressed: go on to the chip.
    Next,
}

impl MrzStep {
    /// The field typing starts in, for the way chosen.
    pub fn field(&self) -> &'static str {
        self.mode.field()
    }

    /// Whether it was entered as an ID card (chosen, or TD1 lines, or a CAN).
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// Handles a message; `today` is the local date.
    pub fn update(&mut self, message: Message, today: Date) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Mode(mode) => {
                self.mode = mode;
                return (operation::focus(mode.field()), None);
            }
            Message::Kind(kind) => self.kind = kind,
            Message::Number(number) => self.number = number.to_uppercase(),
            Message::Year(which, year) => {
                let date = self.date_mut(which);
                date.year = Some(year);
                date.day = date.day.filter(|d| date.days().contains(d));
            }
            Message::Month(which, month) => {
                let date = self.date_mut(which);
                date.month = Some(month.0);
                date.day = date.day.filter(|d| date.days().contains(d));
            }
            Message::Day(which, day) => self.date_mut(which).day = Some(day),
            Message::DatePart(which, part) => return (Task::none(), after(which, part)),
            Message::DateKey(which, part, key) => return (Task::none(), self.date_key(which, part, key, today)),
            Message::NumberSubmitted => {
                if self.check(today).is_ok() {
                    return (Task::none(), Some(Event::Next));
                }
                return (Task::none(), Some(Event::Focus(Message::DatePart(Which::Birth, Part::Year))));
            }
            Message::Lines(action) => self.lines.perform(action),
            Message::Can(can) => self.can = can.chars().filter(|c| c.is_ascii_digit() || *c == ' ').collect(),
            Message::Submit => return (Task::none(), Some(Event::Next)),
        }
        (Task::none(), None)
    }

    /// The buttons Tab moves through, as the messages they send.
    pub fn focusables(&self) -> Vec<Message> {
        let mut targets = vec![Message::Mode(Mode::Typed), Message::Mode(Mode::Lines), Message::Mode(Mode::Can)];
        if self.mode == Mode::Typed {
            targets.extend([Message::Kind(DocumentKind::Passport), Message::Kind(DocumentKind::IdCard)]);
            targets.extend(DATE_PARTS.map(|(which, part)| Message::DatePart(which, part)));
        }
        targets
    }

    /// A key on a date part: digits fill it (a month or day as soon as it
    /// is unambiguous, a year at four digits) and move on; arrows step.
    fn date_key(&mut self, which: Which, part: Part, key: DateKey, today: Date) -> Option<Event> {
        let range = years(which, today);
        let pick = *self.date_mut(which);
        let mut buffer = match self.typing.take() {
            Some((w, p, buffer)) if (w, p) == (which, part) => buffer,
            _ => String::new(),
        };
        let max: i16 = match part {
            Part::Year => *range.end(),
            Part::Month => 12,
            Part::Day => pick.days().last().map_or(0, |d| i16::from(*d)),
        };
        let current: Option<i16> = match part {
            Part::Year => pick.year,
            Part::Month => pick.month.map(i16::from),
            Part::Day => pick.day.map(i16::from),
        };
        let min = if part == Part::Year { *range.start() } else { 1 };
        if max < min {
            return None; // the day waits for the year and the month
        }
        let (value, done) = match key {
            DateKey::Clear => (None, false),
            DateKey::Up => (Some(current.map_or(if part == Part::Year { max } else { min }, |v| v + 1)), false),
            DateKey::Down => (Some(current.map_or(max, |v| v - 1)), false),
            DateKey::Digit(d) => {
                buffer.push(char::from(b'0' + d.min(9)));
                let n: i16 = buffer.parse().unwrap_or(0);
                if part == Part::Year {
                    if buffer.len() < 4 {
                        self.typing = Some((which, part, buffer));
                        return None;
                    }
                    (range.contains(&n).then_some(n), range.contains(&n))
                } else if buffer.len() >= 2 || n * 10 > max {
                    ((1..=max).contains(&n).then_some(n), (1..=max).contains(&n))
                } else {
                    // "1" may become 10, 11, 12: take it for now, and wait.
                    self.typing = Some((which, part, buffer));
                    ((n >= 1).then_some(n), false)
                }
            }
        };
        let wrapped = value.map(|v| {
            if v > max {
                min
            } else if v < min {
                max
            } else {
                v
            }
        });
        let date = self.date_mut(which);
        match part {
            Part::Year => date.year = wrapped,
            Part::Month => date.month = wrapped.and_then(|v| i8::try_from(v).ok()),
            Part::Day => date.day = wrapped.and_then(|v| i8::try_from(v).ok()),
        }
        if part != Part::Day {
            date.day = date.day.filter(|d| date.days().contains(d));
        }
        if done { after(which, part) } else { None }
    }

    fn date_mut(&mut self, which: Which) -> &mut DatePick {
        match which {
            Which::Birth => &mut self.birth,
            Which::Expiry => &mut self.expiry,
        }
    }

    /// Draws the step; `is_focused` tells the button the keyboard is on.
    pub fn view(&self, today: Date, demo: bool, is_focused: &dyn Fn(Message) -> bool) -> Element<'_, Message> {
        let mrz = self;
        let mode_button = |label: String, mode: Mode| {
            let chosen = mrz.mode == mode;
            button(text(label).font(if chosen { theme::BOLD } else { theme::REGULAR }))
                .on_press(Message::Mode(mode))
                .style(theme::nav_button(chosen, is_focused(Message::Mode(mode))))
        };
        let modes = row![
            mode_button(fl!("mrz-mode-typed"), Mode::Typed),
            mode_button(fl!("mrz-mode-lines"), Mode::Lines),
            mode_button(fl!("mrz-mode-can"), Mode::Can),
        ]
        .spacing(8);
        let input: Element<'_, Message> = match mrz.mode {
            Mode::Typed => {
                let kinds = [DocumentKind::Passport, DocumentKind::IdCard];
                let kind_button = |kind: DocumentKind| {
                    let label = match kind {
                        DocumentKind::Passport => fl!("mrz-kind-passport"),
                        DocumentKind::IdCard => fl!("mrz-kind-id-card"),
                    };
                    button(text(label))
                        .on_press(Message::Kind(kind))
                        .style(theme::nav_button(mrz.kind == kind, is_focused(Message::Kind(kind))))
                };
                // Each part takes the mouse (a list) or the keyboard (the
                // focus ring: digits, arrows).
                let framed = |which: Which, part: Part, list: Element<'static, Message>| {
                    let typing = mrz.typing.as_ref().filter(|(w, p, _)| (*w, *p) == (which, part));
                    let list: Element<'_, Message> = match typing {
                        Some((_, Part::Year, digits)) => {
                            row![list, text(format!("{digits}…")).size(14)].spacing(4).align_y(Alignment::Center).into()
                        }
                        _ => list,
                    };
                    container(list).padding(2).style(theme::focus_frame(is_focused(Message::DatePart(which, part))))
                };
                let date_row = |which: Which, pick: &DatePick| {
                    let months: Vec<Month> = (1..=12).map(Month).collect();
                    let years: Vec<i16> = match which {
                        Which::Birth => years(which, today).rev().collect(),
                        Which::Expiry => years(which, today).collect(),
                    };
                    row![
                        framed(
                            which,
                            Part::Year,
                            pick_list(years, pick.year, move |y| Message::Year(which, y))
                                .placeholder(fl!("mrz-year"))
                                .into()
                        ),
                        framed(
                            which,
                            Part::Month,
                            pick_list(months, pick.month.map(Month), move |m| Message::Month(which, m))
                                .placeholder(fl!("mrz-month"))
                                .into()
                        ),
                        framed(
                            which,
                            Part::Day,
                            pick_list(pick.days(), pick.day, move |d| Message::Day(which, d))
                                .placeholder(fl!("mrz-day"))
                                .into()
                        ),
                    ]
                    .spacing(6)
                };
                column![
                    row(kinds.map(|k| kind_button(k).into())).spacing(8),
                    text(fl!("mrz-field-number")).font(theme::MEDIUM),
                    text_input(&fl!("mrz-number-hint"), &mrz.number)
                        .id(NUMBER)
                        .on_input(Message::Number)
                        .on_submit(Message::NumberSubmitted)
                        .padding(8),
                    text(fl!("mrz-field-birth")).font(theme::MEDIUM),
                    date_row(Which::Birth, &mrz.birth),
                    text(fl!("mrz-field-expiry")).font(theme::MEDIUM),
                    date_row(Which::Expiry, &mrz.expiry),
                    text(fl!("mrz-keyboard-hint")).size(13),
                ]
                .spacing(8)
                .into()
            }
            Mode::Lines => {
                let lines_ready = mrz.check(today).is_ok();
                column![
                    text(fl!("mrz-lines-hint")),
                    text_editor(&mrz.lines)
                        .id(LINES)
                        .on_action(Message::Lines)
                        .key_binding(move |press| {
                            // A swipe reader ends with Enter: once the lines
                            // check out, Enter goes on to the chip (so does
                            // Ctrl+Enter at any time).
                            let enter = press.key == iced::keyboard::Key::Named(iced::keyboard::key::Named::Enter);
                            if enter && (lines_ready || press.modifiers.command()) {
                                return Some(text_editor::Binding::Custom(Message::Submit));
                            }
                            text_editor::Binding::from_key_press(press)
                        })
                        .font(iced::Font::MONOSPACE)
                        .wrapping(iced::widget::text::Wrapping::Glyph)
                        .height(96)
                        .placeholder("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"),
                ]
                .spacing(8)
                .into()
            }
            Mode::Can => column![
                text(fl!("mrz-can-hint")),
                text_input("123456", &mrz.can).id(CAN).on_input(Message::Can).on_submit(Message::Submit).padding(8),
            ]
            .spacing(8)
            .into(),
        };
        let feedback: Element<'_, Message> = match mrz.check(today) {
            Ok(credentials) => {
                let line = match credentials.expired(today) {
                    Some(true) => fl!("mrz-expired"),
                    Some(false) => fl!("mrz-ready"),
                    None => fl!("mrz-ready-can"),
                };
                let style: fn(&iced::Theme) -> container::Style =
                    if credentials.expired(today) == Some(true) { theme::problem_banner } else { theme::card };
                container(text(line).font(theme::MEDIUM)).padding(10).width(Length::Fill).style(style).into()
            }
            Err(problems) => {
                // Before anything is entered, no complaint.
                let silent = mrz.untouched();
                let lines: Vec<Element<'_, Message>> = if silent {
                    vec![text(fl!("mrz-waiting")).size(14).into()]
                } else {
                    problems.iter().map(|p| text(problem_text(p)).size(14).into()).collect()
                };
                column(lines).spacing(4).into()
            }
        };
        let mut page = column![modes, input, feedback].spacing(12);
        if demo {
            page = page.push(text(fl!("demo-specimens")).size(13));
        }
        page.into()
    }
}

/// Where the keyboard goes after a date part: the next part, and after
/// the last, "Read the chip".
fn after(which: Which, part: Part) -> Option<Event> {
    let at = DATE_PARTS.iter().position(|p| *p == (which, part))?;
    Some(match DATE_PARTS.get(at + 1) {
        Some((which, part)) => Event::Focus(Message::DatePart(*which, *part)),
        None => Event::FocusNext,
    })
}
