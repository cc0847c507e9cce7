//! Counter enrollment: MRZ → chip → face → hand-over, one step at a time
//! (the wizard of iced's `tour`). The MRZ step takes typed fields (dates
//! picked year and month first, as the MitID app asks), the lines a swipe
//! reader types or a person pastes, or an ID card's CAN, checks them as
//! they come and flags an expired document; the later steps come in their
//! own issues.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use iced::widget::{
    Space, button, column, container, operation, pick_list, progress_bar, row, text, text_editor, text_input,
};
use iced::{Alignment, Length, Task};
use jiff::civil::Date;
use mitid_core::mrz_entry::{self, Credentials, DocumentKind, EntryField, Problem, Typed};
use mitid_emrtd::pki::passive::{Outcome, Step as PaStep};
use mitid_emrtd::pki::verdict::{ChipCheck, Verdict};
use mitid_emrtd::session::{Document, Secret, Stage};
use zeroize::Zeroize;

use super::face_step::{self, FaceStep};
use crate::chip_read::{self, ReaderStatus, Report, Source, Specimen};
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

fn field_name(field: EntryField) -> String {
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

/// The chip's photo as an image the window can draw, and its pixels for
/// the face comparison.
fn photo(document: &Document) -> Option<(iced::widget::image::Handle, Arc<mitid_face::Rgb>)> {
    let rgb = document.face().ok()?;
    // Both copies are zeroed when dropped.
    Some((crate::widget::face_handle(&rgb), Arc::new(rgb)))
}

/// A date with its month by name and its year whole — "12 August 1974" —
/// so that no one reads 12.08.74 as another day or century.
pub fn long_date(date: Date) -> String {
    format!("{} {} {}", date.day(), Month(date.month()), date.year())
}

/// An MRZ date as [`long_date`] writes it, or as it stands when it is no
/// real date (an unknown day is written `<<`).
fn mrz_date(date: Option<Date>, yymmdd: &str) -> String {
    date.map_or_else(|| yymmdd.to_owned(), long_date)
}

/// The chip's DG1 beside what was entered, a row per field; a row that
/// differs is marked. With a CAN nothing else was entered.
fn compare_table<'a>(chip: &mitid_emrtd::mrz::Mrz, entered: Option<&Credentials>, today: Date) -> Element<'a, Message> {
    use mitid_emrtd::mrz::{birth_date, expiry_date};
    let (key, lines) = match entered {
        Some(Credentials::Mrz { key, mrz, .. }) => (Some(key), mrz.as_deref()),
        _ => (None, None),
    };
    let name = |m: &mitid_emrtd::mrz::Mrz| format!("{} {}", m.secondary_names, m.primary_name).trim().to_owned();
    let mut rows: Vec<(String, String, Option<String>)> = vec![
        (field_name(EntryField::Number), chip.document_number.clone(), key.map(|k| k.document_number.clone())),
        (
            field_name(EntryField::Birth),
            mrz_date(chip.birth(today), &chip.birth_date),
            key.map(|k| mrz_date(birth_date(&k.birth_date, today), &k.birth_date)),
        ),
        (
            field_name(EntryField::Expiry),
            mrz_date(chip.expiry(), &chip.expiry_date),
            key.map(|k| mrz_date(expiry_date(&k.expiry_date), &k.expiry_date)),
        ),
    ];
    let capital = |s: String| {
        let mut c = s.chars();
        c.next().map_or_else(String::new, |first| first.to_uppercase().chain(c).collect())
    };
    rows.extend([
        (capital(fl!("result-field-name")), name(chip), lines.map(name)),
        (capital(fl!("result-field-nationality")), chip.nationality.clone(), lines.map(|m| m.nationality.clone())),
        (capital(fl!("result-field-sex")), chip.sex.to_string(), lines.map(|m| m.sex.to_string())),
    ]);
    let cell = |s: String| text(s).size(14).width(Length::FillPortion(2));
    let mut table = column![
        row![
            text("").width(Length::FillPortion(2)),
            cell(fl!("result-on-chip")).font(theme::MEDIUM),
            cell(fl!("result-entered")).font(theme::MEDIUM),
        ]
        .spacing(8)
    ]
    .spacing(2);
    for (label, on_chip, typed) in rows {
        let differs = typed.as_ref().is_some_and(|t| *t != on_chip);
        let line = row![cell(label), cell(on_chip), cell(typed.unwrap_or_else(|| "—".to_owned()))].spacing(8);
        let style: fn(&iced::Theme) -> container::Style =
            if differs { theme::problem_banner } else { |_: &iced::Theme| container::Style::default() };
        table = table.push(container(line).padding([2, 4]).style(style));
    }
    table.into()
}

/// "DG1, DG2, DG14".
fn groups(numbers: &[u8]) -> String {
    numbers.iter().map(|n| format!("DG{n}")).collect::<Vec<_>>().join(", ")
}

/// A translated sentence for why passive authentication failed.
pub fn failure_text(failure: &mitid_emrtd::pki::passive::Failure) -> String {
    use mitid_emrtd::pki::passive::Failure as F;
    match failure {
        F::SodUnreadable(_) => fl!("pa-sod-unreadable"),
        F::SignerCertificateMissing => fl!("pa-signer-missing"),
        F::SodSignature(_) => fl!("pa-sod-signature"),
        F::UnknownCsca { country: Some(country), .. } => fl!("pa-unknown-csca-of", country = country.clone()),
        F::UnknownCsca { country: None, .. } => fl!("pa-unknown-csca"),
        F::CscaSignature(_) => fl!("pa-csca-signature"),
        F::NotACa => fl!("pa-not-a-ca"),
        F::SignerKeyUsage => fl!("pa-signer-usage"),
        F::SignerExpired(t) => fl!("pa-signer-expired", date = t.date()),
        F::SignerNotYetValid(t) => fl!("pa-signer-not-yet", date = t.date()),
        F::SignedOutsideValidity(t) => fl!("pa-signed-outside", date = t.date()),
        F::CscaNotValid(t) => fl!("pa-csca-not-valid", date = t.date()),
        F::Revoked => fl!("pa-revoked"),
        F::CrlSignature(_) => fl!("pa-crl-signature"),
        F::HashMismatch(dgs) => fl!("pa-hash-mismatch", groups = groups(dgs)),
        F::NotListed(dgs) => fl!("pa-not-listed", groups = groups(dgs)),
    }
}

/// One result line: passed, failed or skipped.
fn result_line(result: &str, step: String, detail: String) -> String {
    match result {
        "passed" => fl!("result-step-passed", step = step, detail = detail),
        "failed" => fl!("result-step-failed", step = step, detail = detail),
        _ => fl!("result-step-skipped", step = step, detail = detail),
    }
}

/// A field's name inside a sentence (the labels start with a capital).
fn in_sentence(field: EntryField) -> String {
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

/// A step of an enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Step {
    /// Read the machine-readable zone.
    #[default]
    Mrz,
    /// Read and verify the chip.
    Chip,
    /// Capture and compare the face.
    Face,
    /// Hand over to the citizen.
    Handover,
}

impl Step {
    /// In order.
    pub const ALL: [Step; 4] = [Step::Mrz, Step::Chip, Step::Face, Step::Handover];

    fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The step after this one.
    pub fn next(self) -> Option<Step> {
        Self::ALL.get(self.index() + 1).copied()
    }

    /// The step before this one.
    pub fn previous(self) -> Option<Step> {
        self.index().checked_sub(1).map(|i| Self::ALL[i])
    }

    fn title(self) -> String {
        match self {
            Step::Mrz => fl!("step-mrz"),
            Step::Chip => fl!("step-chip"),
            Step::Face => fl!("step-face"),
            Step::Handover => fl!("step-handover"),
        }
    }

    fn body(self) -> String {
        match self {
            Step::Mrz => fl!("step-mrz-body"),
            Step::Chip => fl!("step-chip-body"),
            Step::Face => fl!("step-face-body"),
            Step::Handover => fl!("step-handover-body"),
        }
    }
}

/// The screen's state.
#[derive(Debug, Default)]
pub struct Enrollment {
    step: Step,
    mrz: MrzStep,
    /// What opens the chip, once the MRZ step is done (kept for the case,
    /// dropped when it closes).
    credentials: Option<Credentials>,
    chip: ChipStep,
    demo: bool,
    /// The case in the desk's records, once opened.
    case: Option<i64>,
    /// The reader last chosen (remembered between runs).
    preferred: Option<String>,
    /// The face step.
    face: FaceStep,
    /// The hand-over checklist.
    handover: super::handover_step::HandoverStep,
    /// The face models' folder.
    face_models: std::path::PathBuf,
}

/// A read under way.
#[derive(Debug)]
struct Reading {
    stage: Option<Stage>,
    cancel: Arc<AtomicBool>,
}

/// The chip step's state.
#[derive(Debug)]
struct ChipStep {
    readers: Vec<ReaderStatus>,
    reader: Option<String>,
    specimen: Specimen,
    reading: Option<Reading>,
    document: Option<Box<Document>>,
    /// The chip's photo, decoded once.
    photo: Option<iced::widget::image::Handle>,
    /// Its pixels, for the face comparison.
    face: Option<Arc<mitid_face::Rgb>>,
    error: Option<String>,
    /// Why no reader can be used (goes when one is back).
    readers_error: Option<String>,
    /// What an export did.
    notice: Option<String>,
}

impl Default for ChipStep {
    fn default() -> Self {
        Self {
            readers: Vec::new(),
            reader: None,
            specimen: Specimen::Passport,
            reading: None,
            document: None,
            photo: None,
            face: None,
            error: None,
            readers_error: None,
            notice: None,
        }
    }
}

/// What the screen's widgets say.
#[derive(Debug, Clone)]
pub enum Message {
    /// To the previous step.
    Back,
    /// To the next step.
    Next,
    /// Drop everything of this person and begin again.
    StartOver,
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
    /// The readers found and their cards (listed, or as they changed), or
    /// why none.
    Readers(Result<Vec<ReaderStatus>, String>),
    /// Look for readers again.
    RefreshReaders,
    /// Read with this reader.
    Reader(String),
    /// Put this specimen on the demo reader.
    Specimen(Specimen),
    /// Read the chip.
    Read,
    /// Stop the read.
    Cancel,
    /// How the read goes.
    Report(Report),
    /// Ask where to export the chip's files.
    Export,
    /// Export into this folder (None: the dialog was cancelled or is missing).
    ExportTo(Option<std::path::PathBuf>),
    /// For the face step.
    Face(face_step::Message),
    /// For the hand-over checklist.
    Handover(super::handover_step::Message),
    /// The case was opened with this id.
    CaseOpened(i64),
    /// A case change was written.
    CaseWritten,
    /// A case change could not be written; the text says why.
    CaseFailed(String),
}

impl PartialEq for Message {
    /// For the focus ring: the buttons' messages compare.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Back, Self::Back) | (Self::Next, Self::Next) | (Self::StartOver, Self::StartOver) => true,
            (Self::Mode(a), Self::Mode(b)) => a == b,
            (Self::Kind(a), Self::Kind(b)) => a == b,
            (Self::Face(a), Self::Face(b)) => a.same_target(b),
            (Self::Handover(a), Self::Handover(b)) => a == b,
            (Self::DatePart(a, p), Self::DatePart(b, q)) => a == b && p == q,
            (Self::Read, Self::Read) | (Self::Cancel, Self::Cancel) | (Self::RefreshReaders, Self::RefreshReaders) => {
                true
            }
            _ => false,
        }
    }
}

/// What the screen tells the app.
#[derive(Debug, Clone)]
pub enum Event {
    /// Several at once.
    Batch(Vec<Event>),
    /// Work on the case in the desk's records (off the UI thread).
    Case(CaseRequest),
    /// List the readers (off the UI thread) and send back
    /// [`Message::Readers`].
    ListReaders,
    /// The agent chose this reader: remember it for next time.
    RememberReader(String),
    /// The agent chose a webcam or its size: remember it.
    RememberCamera,
    /// Put the keyboard focus on this target (one of [`Enrollment::focusables`]).
    Focus(Message),
    /// Compare the chip photo with a picture taken (off the UI thread),
    /// sending back [`face_step::Message::Compared`].
    CompareFace {
        /// The chip's photo.
        chip: Arc<mitid_face::Rgb>,
        /// The picture taken.
        frame: Arc<crate::camera::Frame>,
        /// The models' folder.
        models: std::path::PathBuf,
        /// Where the bands meet.
        thresholds: mitid_face::Thresholds,
    },
    /// Read the chip (off the UI thread), sending [`Message::Report`]s.
    Read {
        /// Where from.
        source: Source,
        /// What opens it.
        secret: Secret,
        /// Set to stop.
        cancel: Arc<AtomicBool>,
    },
}

/// Work on the enrollment case, done with the desk.
#[derive(Debug, Clone)]
pub enum CaseRequest {
    /// Open a case.
    Open,
    /// Record a step's result.
    Record {
        /// The case.
        id: i64,
        /// "chip", "face", "handover".
        step: &'static str,
        /// The verdict.
        verdict: String,
        /// Hashes, fingerprints, reasons — no personal data.
        detail: String,
    },
    /// Close the case.
    Close {
        /// The case.
        id: i64,
        /// How it ended.
        outcome: &'static str,
    },
}

impl CaseRequest {
    /// Does the work (blocking) and says how it went.
    pub fn perform(self, desk: &mut mitid_core::desk::Desk) -> Message {
        let (agent, now) = (desk.agent().to_owned(), desk.now());
        let store = desk.store_mut();
        let result = match self {
            CaseRequest::Open => {
                return store
                    .open_case(&agent, now)
                    .map_or_else(|e| Message::CaseFailed(e.to_string()), Message::CaseOpened);
            }
            CaseRequest::Record { id, step, verdict, detail } => store.record_case_step(
                id,
                &agent,
                &mitid_core::store::CaseStep { at: now, step: step.into(), verdict, detail },
            ),
            CaseRequest::Close { id, outcome } => store.close_case(id, &agent, outcome, now),
        };
        result.map_or_else(|e| Message::CaseFailed(e.to_string()), |()| Message::CaseWritten)
    }
}

impl Enrollment {
    /// The case id, once opened.
    pub fn case(&self) -> Option<i64> {
        self.case
    }

    /// In demo mode, the simulated reader and its specimens are offered.
    pub fn new(demo: bool) -> Self {
        Self { demo, face_models: mitid_face::models::default_dir(), ..Self::default() }
    }

    /// Drops everything of the person — the MRZ, the keys, the chip's
    /// files and photo, each zeroed as it goes — and stops a read; the
    /// readers stay. Returns the closing of the case, if one is open,
    /// with `outcome` ("started over", "app closed").
    pub fn forget(&mut self, outcome: &'static str) -> Option<Event> {
        if let Some(reading) = &self.chip.reading {
            reading.cancel.store(true, Ordering::Relaxed);
        }
        let close = self.case.map(|id| Event::Case(CaseRequest::Close { id, outcome }));
        let readers = std::mem::take(&mut self.chip.readers);
        let reader = self.chip.reader.take();
        let preferred = self.preferred.take();
        let (models, thresholds, person, webcam) = (
            std::mem::take(&mut self.face_models),
            self.face.thresholds,
            self.face.person,
            std::mem::take(&mut self.face.webcam),
        );
        *self = Self::new(self.demo).with_face(models, thresholds);
        self.face.person = person;
        self.face.webcam = webcam;
        self.chip.readers = readers;
        self.chip.reader = reader;
        self.preferred = preferred;
        close
    }

    /// When the screen comes into view: the keyboard goes where typing
    /// starts (the document number, the lines, the CAN).
    pub fn on_show(&self) -> Task<Message> {
        if self.step != Step::Mrz {
            return Task::none();
        }
        operation::focus(self.mrz.mode.field())
    }

    /// Uses the face models in `models`, with these score bands.
    pub fn with_face(mut self, models: std::path::PathBuf, thresholds: mitid_face::Thresholds) -> Self {
        self.face_models = models;
        self.face.thresholds = thresholds;
        self
    }

    /// The camera the face step watches, while it watches one.
    pub fn camera(&self) -> Option<(crate::camera::Source, std::path::PathBuf)> {
        (self.step == Step::Face && self.face.wants_camera()).then(|| {
            let source = if self.demo {
                crate::camera::Source::Demo(self.face.person)
            } else {
                let choice = &self.face.webcam;
                crate::camera::Source::Webcam { camera: choice.camera.clone(), size: choice.size }
            };
            (source, self.face_models.clone())
        })
    }

    /// Prefers this webcam and size (the ones chosen last run).
    pub fn preferring_webcam(mut self, webcam: face_step::WebcamChoice) -> Self {
        self.face.webcam = webcam;
        self
    }

    /// The face step.
    pub fn face(&self) -> &FaceStep {
        &self.face
    }

    /// The hand-over step.
    pub fn handover(&self) -> &super::handover_step::HandoverStep {
        &self.handover
    }

    /// The holder's nationality (ICAO code): from the chip once read, else
    /// from swiped MRZ lines.
    pub fn nationality(&self) -> Option<String> {
        let chip = self.document().and_then(Document::dg1);
        match (chip, &self.credentials) {
            (Some(mrz), _) => Some(mrz.nationality.clone()),
            (None, Some(Credentials::Mrz { mrz: Some(mrz), .. })) => Some(mrz.nationality.clone()),
            _ => None,
        }
    }

    /// The reader chosen last (this run or the one before), to remember.
    pub fn preferred_reader(&self) -> Option<&str> {
        self.preferred.as_deref()
    }

    /// Prefers `reader` (the one chosen last run) when it is connected.
    pub fn preferring(mut self, reader: Option<String>) -> Self {
        self.preferred = reader;
        self
    }

    /// Whether the readers should be followed live: while the chip step
    /// is open.
    pub fn watches_readers(&self) -> bool {
        self.step == Step::Chip
    }

    /// Whether a document lies on the chosen reader.
    pub fn card_on_reader(&self) -> bool {
        let chosen = self.chip.reader.as_deref();
        self.chip.readers.iter().any(|r| Some(r.name.as_str()) == chosen && r.card)
    }

    /// The document read, once read.
    pub fn document(&self) -> Option<&Document> {
        self.chip.document.as_deref()
    }

    /// Why the last read failed, translated.
    pub fn chip_error(&self) -> Option<&str> {
        self.chip.error.as_deref()
    }

    /// The reader chosen.
    pub fn reader(&self) -> Option<&str> {
        self.chip.reader.as_deref()
    }

    /// Whether a read is under way.
    pub fn reading(&self) -> bool {
        self.chip.reading.is_some()
    }

    /// The current step.
    pub fn step(&self) -> Step {
        self.step
    }

    /// The MRZ step.
    pub fn mrz(&self) -> &MrzStep {
        &self.mrz
    }

    /// What opens the chip, once the MRZ step is done.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// Handles a message of this screen; `today` is the local date.
    pub fn update(&mut self, message: Message, today: Date) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Back => {
                if let Some(step) = self.step.previous() {
                    self.step = step;
                }
            }
            Message::StartOver => return (Task::none(), self.forget("started over")),
            Message::Export => {
                let task = Task::perform(
                    async {
                        rfd::AsyncFileDialog::new()
                            .set_title(fl!("export-title"))
                            .pick_folder()
                            .await
                            .map(|handle| handle.path().to_owned())
                    },
                    Message::ExportTo,
                );
                return (task, None);
            }
            Message::ExportTo(None) => self.chip.notice = Some(fl!("export-cancelled")),
            Message::ExportTo(Some(dir)) => {
                if let Some(document) = &self.chip.document {
                    self.chip.notice = Some(match chip_read::export(document, &dir) {
                        Ok(count) => {
                            let (count, dir) = (count as u64, dir.display().to_string());
                            fl!("export-done", count = count, path = dir)
                        }
                        Err(e) => fl!("export-failed", detail = e.to_string()),
                    });
                }
            }
            Message::Face(message) => match self.face.update(message) {
                Some(face_step::Event::Compare(frame)) => match self.chip.face.clone() {
                    Some(chip) => {
                        let (models, thresholds) = (self.face_models.clone(), self.face.thresholds);
                        return (Task::none(), Some(Event::CompareFace { chip, frame, models, thresholds }));
                    }
                    None => {
                        let _ = self.face.update(face_step::Message::Compared(Err(fl!("face-chip-no-face"))));
                    }
                },
                Some(face_step::Event::Remember(_)) => return (Task::none(), Some(Event::RememberCamera)),
                Some(face_step::Event::Decided { decision, score, band }) => {
                    let t = self.face.thresholds;
                    let record = self.case.map(|id| {
                        Event::Case(CaseRequest::Record {
                            id,
                            step: "face",
                            verdict: decision.name().to_owned(),
                            detail: format!(
                                "score={score:.3} band={} strong={:.2} weak={:.2}",
                                band.name(),
                                t.strong,
                                t.weak
                            ),
                        })
                    });
                    return (Task::none(), record);
                }
                None => {}
            },
            Message::Handover(message) => {
                if let Some(super::handover_step::Event::Finished { outcome, detail }) = self.handover.update(message) {
                    let mut events = Vec::new();
                    if let Some(id) = self.case {
                        events.push(Event::Case(CaseRequest::Record {
                            id,
                            step: "handover",
                            verdict: outcome.to_owned(),
                            detail,
                        }));
                    }
                    // The case closes, the person's data goes: ready for the next.
                    events.extend(self.forget(outcome));
                    return (Task::none(), Some(Event::Batch(events)));
                }
            }
            Message::CaseOpened(id) => self.case = Some(id),
            Message::CaseWritten => {}
            Message::CaseFailed(why) => self.chip.error = Some(why),
            Message::Next => {
                if !self.ready(today) {
                    return (Task::none(), None);
                }
                if self.step == Step::Mrz {
                    match self.mrz.check(today) {
                        Ok(credentials) => self.credentials = Some(credentials),
                        Err(_) => return (Task::none(), None),
                    }
                }
                let mut events = Vec::new();
                if self.step == Step::Face
                    && self.face.decision().is_none()
                    && let Some(id) = self.case
                {
                    // No camera: the agent compared the person with the
                    // chip photo by eye.
                    events.push(Event::Case(CaseRequest::Record {
                        id,
                        step: "face",
                        verdict: "compared by eye".into(),
                        detail: "camera unavailable".into(),
                    }));
                }
                if let Some(step) = self.step.next() {
                    self.step = step;
                    if step == Step::Chip && self.case.is_none() {
                        events.push(Event::Case(CaseRequest::Open));
                    }
                    if step == Step::Chip && self.chip.readers.is_empty() {
                        events.push(Event::ListReaders);
                    }
                    if step == Step::Chip {
                        // Enter reads (a placed document reads by itself).
                        events.push(Event::Focus(Message::Read));
                    }
                    if !events.is_empty() {
                        return (Task::none(), Some(Event::Batch(events)));
                    }
                }
            }
            Message::Readers(found) => match found {
                Ok(readers) => {
                    let had_card = self.card_on_reader();
                    let present = |name: &String| readers.iter().any(|r| &r.name == name);
                    if self.chip.reader.as_ref().is_none_or(|r| !present(r)) {
                        // The one chosen before (this run or the last), else
                        // one with a document on it, else the first.
                        self.chip.reader = self
                            .preferred
                            .clone()
                            .filter(present)
                            .or_else(|| readers.iter().find(|r| r.card).map(|r| r.name.clone()))
                            .or_else(|| readers.first().map(|r| r.name.clone()));
                    }
                    self.chip.readers = readers;
                    self.chip.readers_error = None;
                    // A document just placed on the chosen reader: read it,
                    // no button needed (the demo reader always holds one, so
                    // there the trainer presses Read).
                    let placed = !had_card && self.card_on_reader();
                    let real = self.chip.reader.as_deref() != Some(chip_read::DEMO_READER);
                    if placed && real && self.step == Step::Chip && self.chip.document.is_none() {
                        return self.update(Message::Read, today);
                    }
                }
                Err(why) => {
                    self.chip.readers.clear();
                    self.chip.reader = None;
                    self.chip.readers_error = Some(why);
                }
            },
            Message::RefreshReaders => return (Task::none(), Some(Event::ListReaders)),
            Message::Reader(name) => {
                self.chip.reader = Some(name.clone());
                self.preferred = Some(name.clone());
                return (Task::none(), Some(Event::RememberReader(name)));
            }
            Message::Specimen(specimen) => self.chip.specimen = specimen,
            Message::Read => {
                if self.chip.reading.is_some() {
                    return (Task::none(), None);
                }
                let Some(reader) = self.chip.reader.clone() else {
                    self.chip.error = Some(fl!("chip-no-reader-chosen"));
                    return (Task::none(), None);
                };
                let secret = match &self.credentials {
                    Some(Credentials::Mrz { key, .. }) => Secret::Mrz(key.clone()),
                    Some(Credentials::Can(can)) => Secret::Can(can.clone()),
                    None => return (Task::none(), None),
                };
                let source = if self.demo && reader == chip_read::DEMO_READER {
                    Source::Demo(self.chip.specimen)
                } else {
                    Source::Pcsc(reader)
                };
                let cancel = Arc::new(AtomicBool::new(false));
                self.chip.reading = Some(Reading { stage: None, cancel: cancel.clone() });
                self.chip.document = None;
                self.chip.error = None;
                return (Task::none(), Some(Event::Read { source, secret, cancel }));
            }
            Message::Cancel => {
                if let Some(reading) = &self.chip.reading {
                    reading.cancel.store(true, Ordering::Relaxed);
                }
            }
            Message::Report(Report::Stage(stage)) => {
                if let Some(reading) = self.chip.reading.as_mut() {
                    reading.stage = Some(stage);
                }
            }
            Message::Report(Report::Done(result)) => {
                self.chip.reading = None;
                match result {
                    Ok(document) => {
                        let (handle, rgb) = photo(&document).unzip();
                        self.chip.photo = handle;
                        self.chip.face = rgb;
                        let record = self.case.map(|id| {
                            Event::Case(CaseRequest::Record {
                                id,
                                step: "chip",
                                verdict: document.verdict.0.name().to_owned(),
                                detail: document.summary(),
                            })
                        });
                        self.chip.document = Some(document);
                        return (Task::none(), record);
                    }
                    Err(why) => self.chip.error = Some(why),
                }
            }
            Message::Mode(mode) => {
                self.mrz.mode = mode;
                return (operation::focus(mode.field()), None);
            }
            Message::Kind(kind) => self.mrz.kind = kind,
            Message::Number(number) => self.mrz.number = number.to_uppercase(),
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
            Message::DatePart(which, part) => return (Task::none(), self.after(which, part)),
            Message::DateKey(which, part, key) => return (Task::none(), self.date_key(which, part, key, today)),
            Message::NumberSubmitted => {
                if self.mrz.check(today).is_ok() {
                    return self.update(Message::Next, today);
                }
                return (Task::none(), Some(Event::Focus(Message::DatePart(Which::Birth, Part::Year))));
            }
            Message::Lines(action) => self.mrz.lines.perform(action),
            Message::Can(can) => self.mrz.can = can.chars().filter(|c| c.is_ascii_digit() || *c == ' ').collect(),
        }
        (Task::none(), None)
    }

    /// The document the placement drawing shows: an ID card when it was
    /// entered as one (chosen, TD1 lines, or a CAN), else a passport.
    fn shape(&self) -> crate::widget::placement::Shape {
        use crate::widget::placement::Shape;
        let id_card = match &self.credentials {
            Some(Credentials::Can(_)) => true,
            Some(Credentials::Mrz { mrz: Some(mrz), .. }) => mrz.format == mitid_emrtd::mrz::Format::Td1,
            _ => self.mrz.mode == Mode::Typed && self.mrz.kind == DocumentKind::IdCard,
        };
        if id_card { Shape::IdCard } else { Shape::Passport }
    }

    /// Whether the step is done: the MRZ checks out; the chip is read.
    fn ready(&self, today: Date) -> bool {
        match self.step {
            Step::Mrz => self.mrz.check(today).is_ok(),
            Step::Chip => self.chip.document.is_some() && self.chip.reading.is_none(),
            // Without a camera the agent compares by eye and goes on.
            Step::Face => self.face.decision().is_some() || (!self.demo && self.face.unavailable()),
            _ => true,
        }
    }

    /// Where the keyboard goes after a date part: the next part, and after
    /// the last, "Read the chip".
    fn after(&self, which: Which, part: Part) -> Option<Event> {
        let at = DATE_PARTS.iter().position(|p| *p == (which, part))?;
        Some(Event::Focus(match DATE_PARTS.get(at + 1) {
            Some((which, part)) => Message::DatePart(*which, *part),
            None => Message::Next,
        }))
    }

    /// A key on a date part: digits fill it (a month or day as soon as it
    /// is unambiguous, a year at four digits) and move on; arrows step.
    fn date_key(&mut self, which: Which, part: Part, key: DateKey, today: Date) -> Option<Event> {
        let range = years(which, today);
        let pick = *self.date_mut(which);
        let mut buffer = match self.mrz.typing.take() {
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
                        self.mrz.typing = Some((which, part, buffer));
                        return None;
                    }
                    (range.contains(&n).then_some(n), range.contains(&n))
                } else if buffer.len() >= 2 || n * 10 > max {
                    ((1..=max).contains(&n).then_some(n), (1..=max).contains(&n))
                } else {
                    // "1" may become 10, 11, 12: take it for now, and wait.
                    self.mrz.typing = Some((which, part, buffer));
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
        if done { self.after(which, part) } else { None }
    }

    fn date_mut(&mut self, which: Which) -> &mut DatePick {
        match which {
            Which::Birth => &mut self.mrz.birth,
            Which::Expiry => &mut self.mrz.expiry,
        }
    }

    /// The buttons Tab moves through, as the messages they send.
    pub fn focusables(&self) -> Vec<Message> {
        let mut targets = Vec::new();
        if self.step == Step::Mrz {
            targets.extend([Message::Mode(Mode::Typed), Message::Mode(Mode::Lines), Message::Mode(Mode::Can)]);
            if self.mrz.mode == Mode::Typed {
                targets.extend([Message::Kind(DocumentKind::Passport), Message::Kind(DocumentKind::IdCard)]);
                targets.extend(DATE_PARTS.map(|(which, part)| Message::DatePart(which, part)));
            }
        }
        if self.step == Step::Chip {
            targets.push(if self.chip.reading.is_some() { Message::Cancel } else { Message::Read });
            targets.push(Message::RefreshReaders);
        }
        if self.step == Step::Face {
            targets.extend(self.face.focusables().into_iter().map(Message::Face));
        }
        if self.step == Step::Handover {
            targets.extend(self.handover.focusables().into_iter().map(Message::Handover));
        }
        if self.step.previous().is_some() {
            targets.push(Message::Back);
        }
        // In the order drawn: the bottom bar is Back, Start over, Next.
        if self.chip.document.is_some() {
            targets.push(Message::StartOver);
        }
        if self.step.next().is_some() {
            targets.push(Message::Next);
        }
        if self.step == Step::Handover && self.handover.finishable() {
            targets.push(Message::Handover(super::handover_step::Message::Finish));
        }
        targets
    }

    /// Esc goes one step back.
    pub fn escape(&mut self) -> Option<Message> {
        self.step.previous().map(|_| Message::Back)
    }

    fn mrz_view(&self, today: Date, is_focused: &dyn Fn(Message) -> bool) -> Element<'_, Message> {
        let mrz = &self.mrz;
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
                                return Some(text_editor::Binding::Custom(Message::Next));
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
                text_input("123456", &mrz.can).id(CAN).on_input(Message::Can).on_submit(Message::Next).padding(8),
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
        if self.demo {
            page = page.push(text(fl!("demo-specimens")).size(13));
        }
        page.into()
    }

    fn chip_view(&self, today: Date, is_focused: &dyn Fn(Message) -> bool) -> Element<'_, Message> {
        let chip = &self.chip;
        let mut body = column![].spacing(12);
        if let Some(id) = self.case {
            body = body.push(text(fl!("case-id", id = format!("E-{id}"))).size(14));
        }
        if let Some(reading) = &chip.reading {
            let (line, fraction) = match reading.stage {
                None | Some(Stage::Opening) => (fl!("chip-opening"), 0.0),
                Some(Stage::File(p)) if p.lost => {
                    (fl!("chip-lost-resuming"), p.done as f32 / p.total.unwrap_or(1).max(1) as f32)
                }
                Some(Stage::File(p)) => {
                    let file = p.file_id.name();
                    match p.total {
                        Some(total) => {
                            let (done, total_u) = (p.done as u64, total as u64);
                            (
                                fl!("chip-reading-file", file = file, done = done, total = total_u),
                                p.done as f32 / total.max(1) as f32,
                            )
                        }
                        None => (fl!("chip-reading-start", file = file), 0.0),
                    }
                }
                Some(Stage::Checking) => (fl!("chip-checking"), 1.0),
            };
            return body
                .push(text(line).font(theme::MEDIUM))
                .push(progress_bar(0.0..=1.0, fraction))
                .push(text(fl!("chip-keep-still")))
                .push(
                    button(text(fl!("chip-cancel")))
                        .on_press(Message::Cancel)
                        .style(theme::action_button(is_focused(Message::Cancel))),
                )
                .into();
        }
        if let Some(document) = &chip.document {
            let result = self.result_view(document, today);
            body = body.push(match &chip.photo {
                Some(photo) => row![iced::widget::image(photo.clone()).width(260), result].spacing(16).into(),
                None => result,
            });
            body = body
                .push(button(text(fl!("export-button"))).on_press(Message::Export).style(theme::action_button(false)));
            body = body.push(text(fl!("export-warning")).size(13));
            if let Some(notice) = &chip.notice {
                body = body.push(text(notice.clone()).font(theme::MEDIUM));
            }
        } else {
            let shape = self.shape();
            let illustration =
                iced::widget::canvas(crate::widget::placement::Placement { shape }).width(300).height(160);
            let mut words = column![text(fl!("chip-place"))].spacing(6);
            words = words.push(text(fl!("chip-symbol")).size(14));
            body = body.push(row![illustration, words].spacing(16).align_y(Alignment::Center));
        }
        let mut pickers = row![
            text(fl!("chip-reader")).font(theme::MEDIUM),
            pick_list(
                chip.readers.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
                chip.reader.clone(),
                Message::Reader
            )
            .width(280),
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        if self.demo && chip.reader.as_deref() == Some(chip_read::DEMO_READER) {
            pickers = pickers.push(text(fl!("chip-specimen")).font(theme::MEDIUM)).push(pick_list(
                Specimen::ALL,
                Some(chip.specimen),
                Message::Specimen,
            ));
        }
        body = body.push(pickers);
        let real_reader = chip.reader.as_deref().is_some_and(|r| r != chip_read::DEMO_READER);
        if real_reader && chip.document.is_none() {
            let line = if self.card_on_reader() { fl!("chip-card-present") } else { fl!("chip-card-absent") };
            body = body.push(text(line).size(14));
        }
        if let Some(error) = &chip.readers_error {
            body = body.push(
                container(text(error.clone()).font(theme::MEDIUM))
                    .padding(10)
                    .width(Length::Fill)
                    .style(theme::problem_banner),
            );
        }
        if let Some(error) = &chip.error {
            body = body.push(
                container(column![text(error.clone()).font(theme::MEDIUM), text(fl!("chip-try-again")).size(14)])
                    .padding(10)
                    .width(Length::Fill)
                    .style(theme::problem_banner),
            );
        }
        let read_label = if chip.document.is_some() { fl!("result-read-again") } else { fl!("chip-read") };
        body.push(
            row![
                button(text(read_label))
                    .on_press_maybe(chip.reader.as_ref().map(|_| Message::Read))
                    .style(theme::action_button(is_focused(Message::Read))),
                button(text(fl!("chip-look-again")))
                    .on_press(Message::RefreshReaders)
                    .style(theme::action_button(is_focused(Message::RefreshReaders))),
            ]
            .spacing(8),
        )
        .into()
    }

    fn result_view(&self, document: &Document, today: Date) -> Element<'_, Message> {
        let (verdict, _) = &document.verdict;
        let (line, style): (String, fn(&iced::Theme) -> container::Style) = match verdict {
            Verdict::Genuine => (fl!("verdict-genuine"), theme::card),
            Verdict::CloneNotExcluded => (fl!("verdict-clone-not-excluded"), theme::card),
            Verdict::NotVerified => {
                let reason = match document.passive.failure() {
                    Some((_, failure)) => failure_text(failure),
                    None => fl!("reason-chip-failed"),
                };
                (fl!("verdict-not-verified", reason = reason), theme::problem_banner)
            }
        };
        let mut body =
            column![container(text(line).font(theme::BOLD)).padding(10).width(Length::Fill).style(style)].spacing(6);
        let step_name = |step: PaStep| match step {
            PaStep::SodSignature => fl!("result-sod"),
            PaStep::Chain => fl!("result-chain"),
            PaStep::Revocation => fl!("result-revocation"),
            PaStep::Hashes => fl!("result-hashes"),
        };
        let pa = &document.passive;
        for (step, outcome) in &pa.steps {
            let (result, detail) = match (step, outcome) {
                (_, Outcome::Failed(failure)) => ("failed", failure_text(failure)),
                (PaStep::SodSignature, Outcome::Passed(_)) => {
                    let signer = pa.signer.as_ref().map(|c| c.subject.to_string()).unwrap_or_default();
                    ("passed", fl!("pa-sod-passed", signer = signer))
                }
                (PaStep::Chain, Outcome::Passed(_)) => {
                    let csca = pa.csca.as_ref().map(|c| c.subject.to_string()).unwrap_or_default();
                    ("passed", fl!("pa-chain-passed", csca = csca))
                }
                (PaStep::Revocation, Outcome::Passed(_)) => ("passed", fl!("pa-revocation-passed")),
                (PaStep::Hashes, Outcome::Passed(_)) => {
                    ("passed", fl!("pa-hashes-passed", groups = groups(&pa.matched)))
                }
                (PaStep::Revocation, Outcome::NotApplicable(_)) => ("skipped", fl!("pa-revocation-none")),
                (_, Outcome::NotApplicable(_)) => ("skipped", fl!("pa-skipped")),
            };
            body = body.push(text(result_line(result, step_name(*step), detail)).size(14));
        }
        for (name, check) in [
            (fl!("result-cam"), &document.pace_cam),
            (fl!("result-ca"), &document.chip),
            (fl!("result-aa"), &document.active),
        ] {
            match check {
                ChipCheck::Passed { .. } => {
                    body = body.push(text(result_line("passed", name, fl!("result-proved"))).size(14));
                }
                ChipCheck::Failed(_) => {
                    body = body.push(text(result_line("failed", name, fl!("reason-chip-failed"))).size(14));
                }
                _ => {}
            }
        }
        match document.valid_on(today) {
            Some(true) => body = body.push(text(fl!("result-valid")).font(theme::MEDIUM)),
            Some(false) => body = body.push(text(fl!("result-expired")).font(theme::MEDIUM)),
            None => {}
        }
        if let Some(mrz) = document.dg1() {
            let name = format!("{} {}", mrz.secondary_names, mrz.primary_name);
            body = body.push(text(fl!("result-name", name = name.trim().to_owned())));
            body = body.push(text(fl!("result-number", number = mrz.document_number.clone())));
            body = body.push(compare_table(&mrz, self.credentials.as_ref(), today));
            if let Some(Credentials::Mrz { key, mrz: entered, .. }) = &self.credentials {
                let chip_key = mrz.access_key();
                let mut differences = vec![
                    (in_sentence(EntryField::Number), chip_key.document_number != key.document_number),
                    (in_sentence(EntryField::Birth), chip_key.birth_date != key.birth_date),
                    (in_sentence(EntryField::Expiry), chip_key.expiry_date != key.expiry_date),
                ];
                // Lines swiped or pasted carry more than what opens the
                // chip: an altered chip shows here.
                if let Some(entered) = entered {
                    differences.extend([
                        (
                            fl!("result-field-name"),
                            (&entered.primary_name, &entered.secondary_names)
                                != (&mrz.primary_name, &mrz.secondary_names),
                        ),
                        (fl!("result-field-nationality"), entered.nationality != mrz.nationality),
                        (fl!("result-field-sex"), entered.sex != mrz.sex),
                    ]);
                }
                for (field, differs) in differences {
                    if differs {
                        body = body.push(
                            container(text(fl!("result-mismatch", field = field)))
                                .padding(6)
                                .style(theme::problem_banner),
                        );
                    }
                }
            }
        }
        body.into()
    }

    /// Draws the screen; `focused` is the index into [`Self::focusables`]
    /// that has the keyboard focus; `today` is the local date.
    pub fn view(&self, focused: Option<usize>, today: Date) -> Element<'_, Message> {
        let stepper = Step::ALL.iter().enumerate().fold(row![].spacing(8), |r, (i, step)| {
            let current = *step == self.step;
            let label =
                text(format!("{}. {}", i + 1, step.title())).font(if current { theme::BOLD } else { theme::REGULAR });
            let pill = container(label)
                .padding([6, 12])
                .style(move |t: &iced::Theme| if current { container::primary(t) } else { container::secondary(t) });
            let r = r.push(pill);
            if i + 1 < Step::ALL.len() { r.push(text("→")) } else { r }
        });
        let targets = self.focusables();
        let is_focused = |m: Message| focused.and_then(|i| targets.get(i)) == Some(&m);
        let back = button(text(fl!("step-back")))
            .on_press_maybe(self.step.previous().map(|_| Message::Back))
            .style(theme::action_button(is_focused(Message::Back)));
        let ready = self.ready(today);
        let next_label = match self.step {
            Step::Mrz => fl!("mrz-next"),
            Step::Chip => fl!("result-continue"),
            _ => fl!("step-next"),
        };
        let next = button(text(next_label))
            .on_press_maybe(self.step.next().filter(|_| ready).map(|_| Message::Next))
            .style(theme::action_button(is_focused(Message::Next)));
        let content: Element<'_, Message> = match self.step {
            Step::Mrz => self.mrz_view(today, &is_focused),
            Step::Chip => self.chip_view(today, &is_focused),
            Step::Handover => self.handover.view(&|m| is_focused(Message::Handover(m))).map(Message::Handover),
            Step::Face => self
                .face
                .view(self.chip.photo.as_ref(), self.demo, &|m| is_focused(Message::Face(m)))
                .map(Message::Face),
        };
        let (number, total) = ((self.step.index() + 1) as u64, Step::ALL.len() as u64);
        let body = column![
            stepper.align_y(Alignment::Center),
            container(
                column![
                    text(fl!("enrollment-step", number = number, total = total)).size(14),
                    text(self.step.title()).size(22).font(theme::BOLD),
                    text(self.step.body()).size(16),
                    content,
                ]
                .spacing(10),
            )
            .padding(16)
            .width(Length::Fill)
            .style(theme::card),
        ]
        .spacing(16);
        // The step's buttons stay in reach below however long the step is.
        let finish = Message::Handover(super::handover_step::Message::Finish);
        let next = if self.step == Step::Handover {
            button(text(fl!("handover-finish")))
                .on_press_maybe(self.handover.finishable().then_some(finish.clone()))
                .style(theme::action_button(is_focused(finish)))
        } else {
            next
        };
        let mut buttons = row![back, Space::new().width(Length::Fill)].spacing(8);
        if self.chip.document.is_some() {
            buttons = buttons.push(
                button(text(fl!("result-start-over")))
                    .on_press(Message::StartOver)
                    .style(theme::action_button(is_focused(Message::StartOver))),
            );
        }
        let buttons = container(buttons.push(next)).padding([8, 24]).max_width(868);
        column![
            iced::widget::scrollable(super::page(fl!("enrollment-title"), fl!("enrollment-intro"), body.into()))
                .height(Length::Fill),
            buttons,
        ]
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = jiff::civil::date(2026, 11, 24);

    #[test]
    fn steps_go_forward_and_back_within_bounds() {
        let mut e = Enrollment::default();
        assert_eq!(e.focusables().len(), 12, "three ways in, passport or ID card, six date parts, then Next");
        assert_eq!(e.escape(), None);
        // The MRZ step holds until it has what opens the chip.
        let _ = e.update(Message::Next, TODAY);
        assert_eq!(e.step(), Step::Mrz);
        let _ = e.update(Message::Mode(Mode::Can), TODAY);
        let _ = e.update(Message::Can("123456".into()), TODAY);
        let _ = e.update(Message::Next, TODAY);
        assert_eq!(e.step(), Step::Chip);
        // The chip step holds until the chip is read.
        let _ = e.update(Message::Next, TODAY);
        assert_eq!(e.step(), Step::Chip);
        let request = chip_read::Request {
            source: Source::Demo(Specimen::Passport),
            secret: Secret::Can("123456".into()),
            data_dir: None,
            demo: true,
            now: mitid_emrtd::pki::x509::Time::new(2026, 11, 24, 12, 0, 0).unwrap_or_default(),
            cancel: Arc::default(),
        };
        let done = chip_read::read_now(request).pop().expect("the end");
        let _ = e.update(Message::Report(done), TODAY);
        // The face step holds for a picture and a decision — unless there
        // is no camera: then the agent compares by eye and goes on.
        for expected in [Step::Face, Step::Face] {
            let _ = e.update(Message::Next, TODAY);
            assert_eq!(e.step(), expected);
        }
        let no_camera = crate::camera::Event::Failed("no camera".into());
        let _ = e.update(Message::Face(face_step::Message::Camera(no_camera)), TODAY);
        for expected in [Step::Handover, Step::Handover] {
            let _ = e.update(Message::Next, TODAY);
            assert_eq!(e.step(), expected);
        }
        // Once the chip is read, Start over is in reach on every step; on the
        // hand-over, after the current step's own buttons.
        use super::super::handover_step::{Item, Message as Handover, Status};
        assert_eq!(
            e.focusables(),
            vec![
                Message::Handover(Handover::Mark(Item::UserId, Status::Done)),
                Message::Handover(Handover::NextProblem(Item::UserId)),
                Message::Back,
                Message::StartOver
            ]
        );
        let _ = e.update(Message::Back, TODAY);
        assert_eq!(e.step(), Step::Face);
        assert_eq!(e.focusables(), vec![Message::Back, Message::StartOver, Message::Next]);
    }
}
