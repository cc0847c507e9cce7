//! Trainer mode's lessons: TOML files saying what a lesson teaches (its
//! title and goal in English and Danish), the clock it runs on, the
//! callers it preloads, what the demo reader and camera hold, how the
//! shared service behaves, and the faults it makes happen — at a time, or
//! at a step of the trainee's work. A file that cannot be used is refused
//! with the line and the reason, so a trainer can fix it before class.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::caller::CallerDetails;

mod devices;
mod run;

pub use devices::{CameraProblem, ChipFault, DeviceState, Devices};
pub use run::{Entry, EntryKind, Happening, Log, Run, elapsed};

/// A lesson's texts in the app's two languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    /// English.
    pub en: String,
    /// Danish.
    pub da: String,
}

impl Texts {
    /// In `language` (`da` or anything else for English).
    pub fn get(&self, language: &str) -> &str {
        if language == "da" { &self.da } else { &self.en }
    }
}

/// The lesson's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonClock {
    /// Where it starts (RFC 3339, e.g. `2026-11-24T10:00:00+01:00`).
    pub start: Timestamp,
    /// How fast it runs (1 = real time).
    #[serde(default = "one")]
    pub speed: f64,
    /// Where it jumps, and when.
    #[serde(default)]
    pub jumps: Vec<Jump>,
}

/// The clock set to `to`, `after` the lesson's start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jump {
    /// How long after the start (`90s`, `2m`, `1h`).
    #[serde(with = "duration_text")]
    pub after: Option<SignedDuration>,
    /// The time it jumps to (RFC 3339).
    pub to: Timestamp,
}

fn one() -> f64 {
    1.0
}

/// How the lesson's made-up caller stands with P-codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodeSetup {
    /// None yet.
    None,
    /// One usable code.
    Active,
    /// One locked by three wrong entries.
    Locked,
    /// One past its 60 days.
    Expired,
}

/// A caller the lesson preloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonCaller {
    /// Their details, as an agent would enter them.
    #[serde(flatten)]
    pub details: CallerDetails,
    /// Their P-code, if any.
    #[serde(default = "no_code")]
    pub pcode: CodeSetup,
}

fn no_code() -> CodeSetup {
    CodeSetup::None
}

impl LessonCaller {
    /// What to search the directory for to find them.
    pub fn query(&self) -> String {
        format!("{} {}", self.details.given_name, self.details.family_name)
    }

    /// Whether they are among these hits (of [`Self::query`]): the same
    /// name and date of birth.
    pub fn is_among(&self, hits: &[crate::store::Hit]) -> bool {
        let (query, birth) = (self.query(), self.details.birth_date.map(|b| b.to_string()));
        hits.iter().any(|hit| hit.name == query.trim() && hit.birth_date.as_deref() == birth.as_deref())
    }
}

/// When a lesson's expired P-code was issued, for it to have expired a day
/// before `now`.
pub fn expired_code_issued_at(now: Timestamp) -> Timestamp {
    now - crate::pcode::VALIDITY - SignedDuration::from_hours(24)
}

/// A code that is not `code`, to enter until a locked caller's code locks.
pub fn wrong_code(code: &crate::pcode::PCode) -> Result<crate::pcode::PCode, crate::pcode::MalformedPCode> {
    if code.digits() == "11111111" { "22222222" } else { "11111111" }.parse()
}

/// What lies on the demo reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReaderSetup {
    /// Nothing.
    Empty,
    /// A genuine specimen passport (TD3, BAC/PACE by MRZ).
    Passport,
    /// A genuine specimen ID card (TD1, PACE by CAN).
    IdCard,
    /// A clone: its data copied, its chip key not the one the issuer signed.
    Clone,
    /// A genuine passport past its expiry date.
    Expired,
    /// The lesson's own document (its `[document]`).
    Own,
}

/// The lesson's own document on the demo reader: its MRZ, and the photo
/// on its chip, as a trainer writes them (`[document]`). Photos are files
/// next to the lesson file, read with it ([`read`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonDocument {
    /// The MRZ, its lines one under the other (TD1 ID card or TD3
    /// passport), check digits and all.
    pub mrz: String,
    /// An ID card's CAN (six digits), to open it by CAN.
    #[serde(default)]
    pub can: Option<String>,
    /// The photo on the chip (a JPEG, JPEG 2000 or PNG file next to the
    /// lesson); a neutral portrait where there is none.
    #[serde(default)]
    pub photo: Option<String>,
    /// Whom the camera shows as the holder (a JPEG or PNG file next to
    /// the lesson); the chip photo where there is none.
    #[serde(default)]
    pub camera_photo: Option<String>,
    /// The chip photo's bytes, once read.
    #[serde(skip)]
    pub photo_bytes: Option<std::sync::Arc<[u8]>>,
    /// The camera photo's bytes, once read.
    #[serde(skip)]
    pub camera_bytes: Option<std::sync::Arc<[u8]>>,
}

impl LessonDocument {
    /// The MRZ as its lines, without the indentation and blank lines a
    /// TOML multi-line string brings.
    pub fn mrz_lines(&self) -> String {
        self.mrz.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
    }

    /// The picture the demo camera shows of the holder, if the lesson has
    /// one.
    pub fn holder_picture(&self) -> Option<&[u8]> {
        self.camera_bytes.as_deref().or(self.photo_bytes.as_deref())
    }
}

/// What the demo camera shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CameraSetup {
    /// The document's holder.
    Holder,
    /// Someone else.
    SomeoneElse,
    /// Too dark to tell.
    Dark,
    /// No camera at all.
    None,
    /// A camera another program holds.
    Busy,
}

/// How the shared service behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceSetup {
    /// Answers.
    Up,
    /// Answers slowly.
    Slow,
    /// Does not answer.
    Down,
    /// Comes and goes.
    Flapping,
}

/// Something a lesson (or the trainer, at once) makes go wrong: every
/// failure the app knows how to explain, made to happen on the demo
/// devices, the clock or the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// The document slips off the reader mid-read (and is put back).
    CardSlips,
    /// The document is taken off the reader.
    DocumentTaken,
    /// The reader is unplugged.
    ReaderUnplugged,
    /// The smart-card service (pcscd) stops.
    PcscStopped,
    /// The chip stops answering for a moment.
    ChipTimeout,
    /// The chip answers garbage.
    ChipGarbage,
    /// The chip refuses the MRZ's key, as with a mistyped MRZ.
    AccessDenied,
    /// MitID Support closes (the clock jumps to closing time).
    SupportCloses,
    /// The phone-linking SMS never arrives.
    NoSms,
    /// The camera is unplugged.
    CameraLost,
    /// Another program takes the camera.
    CameraBusy,
    /// The light goes: the picture is too dark.
    CameraDark,
    /// Someone else steps before the camera.
    SomeoneElse,
    /// The shared service stops answering.
    ServiceDown,
    /// The shared service answers, slowly.
    ServiceSlow,
    /// The shared service answers again.
    ServiceUp,
}

impl FaultKind {
    /// Every kind, in the order the trainer's panel shows them.
    pub const ALL: [FaultKind; 16] = [
        FaultKind::CardSlips,
        FaultKind::DocumentTaken,
        FaultKind::ReaderUnplugged,
        FaultKind::PcscStopped,
        FaultKind::ChipTimeout,
        FaultKind::ChipGarbage,
        FaultKind::AccessDenied,
        FaultKind::SupportCloses,
        FaultKind::NoSms,
        FaultKind::CameraLost,
        FaultKind::CameraBusy,
        FaultKind::CameraDark,
        FaultKind::SomeoneElse,
        FaultKind::ServiceDown,
        FaultKind::ServiceSlow,
        FaultKind::ServiceUp,
    ];

    /// Its name in lesson files and logs.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::CardSlips => "card-slips",
            FaultKind::DocumentTaken => "document-taken",
            FaultKind::ReaderUnplugged => "reader-unplugged",
            FaultKind::PcscStopped => "pcsc-stopped",
            FaultKind::ChipTimeout => "chip-timeout",
            FaultKind::ChipGarbage => "chip-garbage",
            FaultKind::AccessDenied => "access-denied",
            FaultKind::SupportCloses => "support-closes",
            FaultKind::NoSms => "no-sms",
            FaultKind::CameraLost => "camera-lost",
            FaultKind::CameraBusy => "camera-busy",
            FaultKind::CameraDark => "camera-dark",
            FaultKind::SomeoneElse => "someone-else",
            FaultKind::ServiceDown => "service-down",
            FaultKind::ServiceSlow => "service-slow",
            FaultKind::ServiceUp => "service-up",
        }
    }
}

/// A step of the trainee's work a fault can wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// The P-code dialog opens.
    CodeDialog,
    /// The MRZ step.
    Mrz,
    /// The chip read begins.
    Chip,
    /// The chip read reaches the face (DG2).
    Dg2,
    /// The face step.
    Face,
    /// The hand-over's phone linking.
    PhoneLinking,
}

impl Step {
    /// Its name in lesson files and logs.
    pub fn name(self) -> &'static str {
        match self {
            Step::CodeDialog => "code-dialog",
            Step::Mrz => "mrz",
            Step::Chip => "chip",
            Step::Dg2 => "dg2",
            Step::Face => "face",
            Step::PhoneLinking => "phone-linking",
        }
    }
}

/// When a fault fires: `after` a time from the lesson's start, or at a
/// `step` (and `after` that step, when both are given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// What goes wrong.
    pub kind: FaultKind,
    /// At this step of the trainee's work.
    #[serde(default)]
    pub step: Option<Step>,
    /// After this long (`90s`, `2m`, `1h`): from the start, or from `step`.
    #[serde(default, with = "duration_text")]
    pub after: Option<SignedDuration>,
}

mod duration_text {
    use jiff::SignedDuration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<SignedDuration>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => s.serialize_str(&format!("{}s", d.as_secs())),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SignedDuration>, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_duration(&text)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("«{text}» is not a duration: write e.g. 90s, 2m or 1h")))
    }
}

/// `90s`, `2m`, `1h` (whole numbers).
fn parse_duration(text: &str) -> Option<SignedDuration> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    // A lesson lasts hours, not ages: larger numbers are refused, not
    // overflowed.
    let n: i64 = number.parse().ok().filter(|n| *n <= 1_000_000)?;
    match unit {
        "s" => Some(SignedDuration::from_secs(n)),
        "m" => Some(SignedDuration::from_mins(n)),
        "h" => Some(SignedDuration::from_hours(n)),
        _ => None,
    }
}

/// The lesson's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct About {
    /// A short id (the file's name without `.toml`, by custom).
    pub id: String,
    /// Its title.
    pub title: Texts,
    /// What the trainee learns.
    pub goal: Texts,
}

/// A lesson.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// What it is.
    pub lesson: About,
    /// Its clock.
    pub clock: LessonClock,
    /// Callers preloaded.
    #[serde(default)]
    pub callers: Vec<LessonCaller>,
    /// The demo reader.
    #[serde(default = "passport")]
    pub reader: ReaderSetup,
    /// The lesson's own document, for `reader = "own"`.
    #[serde(default)]
    pub document: Option<LessonDocument>,
    /// The demo camera.
    #[serde(default = "holder")]
    pub camera: CameraSetup,
    /// The shared service.
    #[serde(default = "up")]
    pub service: ServiceSetup,
    /// What goes wrong, and when.
    #[serde(default)]
    pub faults: Vec<Fault>,
}

fn passport() -> ReaderSetup {
    ReaderSetup::Passport
}
fn holder() -> CameraSetup {
    CameraSetup::Holder
}
fn up() -> ServiceSetup {
    ServiceSetup::Up
}

/// The lessons that come with the app (`assets/demo/lessons/`), by id.
pub const SHIPPED: &[(&str, &str)] = &[
    ("weekday-pcode", include_str!("../../../../assets/demo/lessons/weekday-pcode.toml")),
    ("late-call", include_str!("../../../../assets/demo/lessons/late-call.toml")),
    ("christmas-eve", include_str!("../../../../assets/demo/lessons/christmas-eve.toml")),
    ("counter-passport", include_str!("../../../../assets/demo/lessons/counter-passport.toml")),
    ("id-card-can", include_str!("../../../../assets/demo/lessons/id-card-can.toml")),
    ("clone", include_str!("../../../../assets/demo/lessons/clone.toml")),
    ("document-slips", include_str!("../../../../assets/demo/lessons/document-slips.toml")),
    ("not-the-holder", include_str!("../../../../assets/demo/lessons/not-the-holder.toml")),
    ("expired-document", include_str!("../../../../assets/demo/lessons/expired-document.toml")),
    ("no-sms", include_str!("../../../../assets/demo/lessons/no-sms.toml")),
];

/// Adds a lesson's callers to a desk that does not hold them yet (by
/// name and date of birth), through the desk service, each with the
/// P-code the lesson gives them: one usable, or one locked by wrong
/// entries (issued now, so Support must be open), or one that expired (on
/// a demo desk only). How many were added.
pub fn preload(desk: &mut dyn crate::service::DeskService, lesson: &Lesson) -> Result<usize, crate::store::StoreError> {
    let mut added = 0;
    for caller in &lesson.callers {
        if caller.is_among(&desk.search(&caller.query(), 20)?) {
            continue;
        }
        let id = desk.add_caller(caller.details.clone())?;
        added += 1;
        match caller.pcode {
            CodeSetup::None => {}
            CodeSetup::Expired => {
                desk.issue_expired_pcode_for_lesson(id)?;
            }
            CodeSetup::Active => {
                desk.issue_pcode(id)?;
            }
            CodeSetup::Locked => {
                let (code, _) = desk.issue_pcode(id)?;
                let wrong = wrong_code(&code)?;
                for _ in 0..crate::pcode::ATTEMPTS {
                    let (redemption, _) = desk.redeem_pcode(id, &wrong)?;
                    if redemption == crate::pcode::Redemption::Locked {
                        break;
                    }
                }
            }
        }
    }
    Ok(added)
}

/// Why a lesson file cannot be used: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct Problem {
    /// The line (1-based; 0 for the file as a whole).
    pub line: usize,
    /// What is wrong, in words.
    pub reason: String,
}

fn line_of(text: &str, offset: usize) -> usize {
    // By bytes: an offset inside a character must not panic.
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1
}

/// Reads a lesson file; every problem found, with its line.
pub fn parse(text: &str) -> Result<Lesson, Vec<Problem>> {
    let lesson: Lesson = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |span| line_of(text, span.start));
        vec![Problem { line, reason: e.message().trim().to_owned() }]
    })?;
    let mut problems = Vec::new();
    let line_with = |needle: &str| text.find(needle).map_or(0, |at| line_of(text, at));
    let today = crate::support_hours::COPENHAGEN.to_datetime(lesson.clock.start).date();
    for (i, caller) in lesson.callers.iter().enumerate() {
        if let Err(e) = caller.details.clone().validated(today) {
            let at = text.match_indices("[[callers]]").nth(i).map_or(0, |(at, _)| line_of(text, at));
            problems.push(Problem { line: at, reason: format!("caller {}: {e}", i + 1) });
        }
    }
    if !(0.1..=100.0).contains(&lesson.clock.speed) {
        problems.push(Problem { line: line_with("speed"), reason: "the clock's speed must be 0.1 to 100".into() });
    }
    for (i, jump) in lesson.clock.jumps.iter().enumerate() {
        if jump.after.is_none() {
            let at = text.match_indices("[[clock.jumps]]").nth(i).map_or(0, |(at, _)| line_of(text, at));
            problems.push(Problem { line: at, reason: format!("jump {}: say when (after = \"2m\")", i + 1) });
        }
    }
    for (i, fault) in lesson.faults.iter().enumerate() {
        if fault.step.is_none() && fault.after.is_none() {
            let at = text.match_indices("[[faults]]").nth(i).map_or(0, |(at, _)| line_of(text, at));
            problems.push(Problem {
                line: at,
                reason: format!("fault {}: say when — a step, a time after, or both", i + 1),
            });
        }
    }
    problems.extend(document_problems(&lesson, text));
    for (what, texts) in [("title", &lesson.lesson.title), ("goal", &lesson.lesson.goal)] {
        if texts.en.trim().is_empty() || texts.da.trim().is_empty() {
            problems.push(Problem { line: line_with(what), reason: format!("the {what} needs both en and da") });
        }
    }
    if problems.is_empty() { Ok(lesson) } else { Err(problems) }
}

/// What is wrong with the lesson's own document, as written.
fn document_problems(lesson: &Lesson, text: &str) -> Vec<Problem> {
    let line_with = |needle: &str| key_line(text, needle);
    let mut problems = Vec::new();
    let Some(document) = &lesson.document else {
        if lesson.reader == ReaderSetup::Own {
            problems.push(Problem {
                line: line_with("reader"),
                reason: "reader = \"own\" needs the lesson's [document] with its mrz".into(),
            });
        }
        return problems;
    };
    let at = text.find("[document]").map_or(0, |at| line_of(text, at));
    if lesson.reader != ReaderSetup::Own {
        problems.push(Problem {
            line: at,
            reason: "the lesson has a [document] of its own: say reader = \"own\" to put it on the demo reader".into(),
        });
    }
    if let Err(e) = mitid_emrtd::mrz::Mrz::parse(&document.mrz_lines()) {
        problems.push(Problem { line: line_with("mrz"), reason: format!("the document's mrz: {e}") });
    }
    if let Some(can) = &document.can
        && !(can.len() == 6 && can.bytes().all(|b| b.is_ascii_digit()))
    {
        problems.push(Problem { line: line_with("can"), reason: "the document's can must be six digits".into() });
    }
    for (key, name) in [("photo", &document.photo), ("camera_photo", &document.camera_photo)] {
        if let Some(name) = name
            && !plain_relative(name)
        {
            problems.push(Problem {
                line: line_with(key),
                reason: format!("{key} must name a file beside the lesson (no folder above it, no absolute path)"),
            });
        }
    }
    problems
}

/// The line where `key` is set (`key = …` at the start of a line), or 0.
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|line| line.trim_start().strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('=')))
        .map_or(0, |i| i + 1)
}

/// A path inside the lesson's folder: relative, never climbing out.
fn plain_relative(name: &str) -> bool {
    let path = std::path::Path::new(name);
    !name.is_empty() && path.components().all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// The largest picture a lesson may bring (a chip photo is ~20 KB).
const MAX_PICTURE: u64 = 4 << 20;
/// The largest lesson file (a lesson is a page or two).
const MAX_LESSON: u64 = 1 << 20;

/// Why a file a lesson needs was not read.
enum Unread {
    /// It is larger than it may be.
    TooLarge,
    /// It cannot be read.
    Failed(std::io::Error),
}

/// A file's bytes, when there are at most `most` of them.
fn read_at_most(path: &std::path::Path, most: u64) -> Result<Vec<u8>, Unread> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > most => Err(Unread::TooLarge),
        Ok(_) => std::fs::read(path).map_err(Unread::Failed),
        Err(e) => Err(Unread::Failed(e)),
    }
}

/// Reads a lesson file and the photos its document names (beside it):
/// every problem found, with its line.
pub fn read(path: &std::path::Path) -> Result<Lesson, Vec<Problem>> {
    let whole = |reason: String| vec![Problem { line: 0, reason }];
    let bytes = read_at_most(path, MAX_LESSON).map_err(|unread| match unread {
        Unread::TooLarge => whole("the file is larger than a lesson can be (1 MiB)".into()),
        Unread::Failed(e) => whole(format!("it cannot be read: {e}")),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| whole("the file is not UTF-8 text".into()))?;
    let mut lesson = parse(&text)?;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let Some(document) = lesson.document.as_mut() else { return Ok(lesson) };
    let mut problems = Vec::new();
    let mut picture = |key: &str, name: &Option<String>| -> Option<std::sync::Arc<[u8]>> {
        let name = name.as_ref()?;
        let file = dir.join(name);
        let line = key_line(&text, key);
        let reason = match read_at_most(&file, MAX_PICTURE) {
            Ok(bytes) => match mitid_emrtd::sim::document::check_picture(&bytes) {
                Ok(_) => return Some(bytes.into()),
                Err(e) => format!("{name}: {e}"),
            },
            Err(Unread::TooLarge) => format!("{name} is larger than a photo needs to be (4 MiB)"),
            Err(Unread::Failed(e)) => format!("{name} cannot be read: {e}"),
        };
        problems.push(Problem { line, reason });
        None
    };
    document.photo_bytes = picture("photo", &document.photo.clone());
    document.camera_bytes = picture("camera_photo", &document.camera_photo.clone());
    if problems.is_empty() { Ok(lesson) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[lesson]
id = "late-call"
title = { en = "A call at 19:58", da = "Et opkald kl. 19:58" }
goal = { en = "Issue only while Support is open.", da = "Udsted kun, mens Support har åbent." }

[clock]
start = "2026-11-24T19:58:00+01:00"

[[callers]]
given_name = "Søren"
family_name = "Ærø"
pcode = "locked"

[[faults]]
kind = "support-closes"
step = "code-dialog"
after = "90s"
"#;

    #[test]
    fn every_shipped_lesson_reads_and_is_named_as_its_file() {
        assert!(SHIPPED.len() >= 8);
        for (id, text) in SHIPPED {
            let lesson = parse(text).unwrap_or_else(|p| panic!("{id}: {p:?}"));
            assert_eq!(lesson.lesson.id, *id);
        }
    }

    #[test]
    fn a_lesson_reads_with_its_callers_and_faults() {
        let lesson = parse(GOOD).unwrap();
        assert_eq!(lesson.lesson.title.get("da"), "Et opkald kl. 19:58");
        assert_eq!(lesson.callers[0].pcode, CodeSetup::Locked);
        assert_eq!(lesson.faults[0].after, Some(SignedDuration::from_secs(90)));
        let jumping = GOOD.replace(
            "[[callers]]",
            "[[clock.jumps]]\nafter = \"1m\"\nto = \"2026-11-24T20:05:00+01:00\"\n\n[[callers]]",
        );
        let jumped = parse(&jumping).unwrap();
        assert_eq!(jumped.clock.jumps[0].after, Some(SignedDuration::from_mins(1)));
        assert_eq!(
            (lesson.reader, lesson.camera, lesson.service),
            (ReaderSetup::Passport, CameraSetup::Holder, ServiceSetup::Up)
        );
    }

    #[test]
    fn a_broken_lesson_is_refused_with_its_line_and_reason() {
        let unknown = GOOD.replace("support-closes", "meteor");
        let problems = parse(&unknown).unwrap_err();
        assert_eq!(problems[0].line, 16, "{problems:?}");
        assert!(problems[0].reason.contains("meteor") || problems[0].reason.contains("variant"), "{problems:?}");
        let late = GOOD.replace("after = \"90s\"", "after = \"soon\"");
        assert_eq!(parse(&late).unwrap_err()[0].line, 18);
        let whenever = GOOD.replace("step = \"code-dialog\"\nafter = \"90s\"\n", "");
        let problems = parse(&whenever).unwrap_err();
        assert_eq!((problems[0].line, problems[0].reason.contains("say when")), (15, true), "{problems:?}");
        let nameless = GOOD.replace("given_name = \"Søren\"\nfamily_name = \"Ærø\"\n", "");
        assert_eq!(parse(&nameless).unwrap_err()[0].line, 10);
        let extra = GOOD.replace("[clock]", "[clock]\nsped = 2");
        assert!(parse(&extra).unwrap_err()[0].reason.contains("sped"));
        assert_eq!(parse("not toml [").unwrap_err().len(), 1);
        let ages = GOOD.replace("after = \"90s\"", "after = \"99999999999999999h\"");
        assert_eq!(parse(&ages).unwrap_err()[0].line, 18);
    }

    #[test]
    fn preloaded_callers_come_with_the_codes_the_lesson_gives_them_once() {
        use crate::service::DeskService;
        let dir = tempfile::tempdir().unwrap();
        let start: Timestamp = "2026-11-24T09:00:00Z".parse().unwrap();
        let clock = std::sync::Arc::new(crate::SimulatedClock::starting_at(start));
        let key = crate::keys::KeyStore::DemoFile(dir.path().join("key"));
        let mut desk = crate::desk::Desk::open(
            dir.path(),
            &key,
            crate::SupportHours::default(),
            clock,
            &crate::desk::DeskConfig::default(),
        )
        .unwrap();
        let text = GOOD.replace(
            "pcode = \"locked\"",
            "pcode = \"locked\"\n\n[[callers]]\ngiven_name = \"Åse\"\nfamily_name = \"Ødegård\"\npcode = \"active\"\n\n[[callers]]\ngiven_name = \"Jürgen\"\nfamily_name = \"Müller\"\npcode = \"expired\"",
        );
        let lesson = parse(&text).unwrap();
        assert_eq!(preload(&mut desk, &lesson).unwrap(), 3);
        assert_eq!(preload(&mut desk, &lesson).unwrap(), 0, "a caller already there is left as they are");
        let state = |desk: &mut crate::desk::Desk, name: &str| {
            let id = desk.search(name, 5).unwrap()[0].caller_id;
            desk.pcodes(id).unwrap().iter().map(|p| p.state).collect::<Vec<_>>()
        };
        assert_eq!(state(&mut desk, "Søren Ærø"), [crate::pcode::PCodeState::Locked]);
        assert_eq!(state(&mut desk, "Åse Ødegård"), [crate::pcode::PCodeState::Active]);
        let id = desk.search("Jürgen Müller", 5).unwrap()[0].caller_id;
        let expired = &desk.pcodes(id).unwrap()[0];
        assert!(expired.expires_at < desk.now(), "expired by the lesson's time: {expired:?}");
    }

    /// GOOD with a German ID card of its own on the demo reader.
    fn own_document(document: &str) -> String {
        format!("reader = \"own\"\n{GOOD}\n[document]\n{document}")
    }

    const CARD: &str = "mrz = \"\"\"\nIDD<<T220001293<<<<<<<<<<<<<<<\n8503127M3101012D<<<<<<<<<<<<<4\nMUELLER<<JUERGEN<<<<<<<<<<<<<<\n\"\"\"\ncan = \"123456\"\n";

    #[test]
    fn a_lesson_brings_its_own_document() {
        let lesson = parse(&own_document(CARD)).unwrap();
        assert_eq!(lesson.reader, ReaderSetup::Own);
        let document = lesson.document.unwrap();
        assert_eq!(document.can.as_deref(), Some("123456"));
        assert!(document.mrz.contains("MUELLER<<JUERGEN"));
        assert_eq!(document.holder_picture(), None, "no photo named, none read");
    }

    #[test]
    fn a_lesson_document_written_wrong_is_refused_at_its_line() {
        let problem = |text: &str| {
            let problems = parse(text).unwrap_err();
            assert_eq!(problems.len(), 1, "{problems:?}");
            let p = problems.into_iter().next().unwrap();
            (p.line, p.reason)
        };
        let (line, reason) = problem(&format!("reader = \"own\"\n{GOOD}"));
        assert_eq!((line, reason.contains("[document]")), (1, true), "{reason}");
        let (line, reason) = problem(&(GOOD.to_owned() + "\n[document]\n" + CARD));
        assert_eq!((line, reason.contains("reader = \"own\"")), (20, true), "{reason}");
        let broken = own_document(&CARD.replace("3101012D", "3101013D"));
        let (line, reason) = problem(&broken);
        assert_eq!((line, reason.contains("mrz")), (22, true), "{reason}");
        let (line, reason) = problem(&own_document(&CARD.replace("123456", "12345x")));
        assert_eq!((line, reason.contains("six digits")), (27, true), "{reason}");
        for path in ["../face.jpg", "/etc/passwd", ""] {
            let (line, reason) = problem(&own_document(&format!("{CARD}photo = \"{path}\"\n")));
            assert_eq!((line, reason.contains("beside the lesson")), (28, true), "{path}: {reason}");
        }
    }

    #[test]
    fn reading_a_lesson_file_reads_the_photos_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let face = include_bytes!("../../../../assets/demo/chip-person-a.jpg");
        std::fs::write(dir.path().join("juergen.jpg"), face).unwrap();
        std::fs::write(dir.path().join("notes.jpg"), b"not a picture at all").unwrap();
        let path = dir.path().join("own.toml");
        std::fs::write(&path, own_document(&format!("{CARD}photo = \"juergen.jpg\"\n"))).unwrap();
        let lesson = read(&path).unwrap();
        let document = lesson.document.unwrap();
        assert_eq!(document.photo_bytes.as_deref(), Some(&face[..]));
        assert_eq!(document.holder_picture(), Some(&face[..]), "the camera shows the chip's holder");

        std::fs::write(&path, own_document(&format!("{CARD}photo = \"juergen.jpg\"\ncamera_photo = \"notes.jpg\"\n")))
            .unwrap();
        let problems = read(&path).unwrap_err();
        assert_eq!((problems.len(), problems[0].line), (1, 29), "{problems:?}");
        assert!(problems[0].reason.starts_with("notes.jpg"), "{problems:?}");
        std::fs::write(&path, own_document(&format!("{CARD}photo = \"gone.jpg\"\n"))).unwrap();
        let problems = read(&path).unwrap_err();
        assert_eq!((problems[0].line, problems[0].reason.contains("cannot be read")), (28, true), "{problems:?}");
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        assert!(read(&path).unwrap_err()[0].reason.contains("UTF-8"));
        assert_eq!(read(&dir.path().join("none.toml")).unwrap_err()[0].line, 0);
    }

    #[test]
    fn mangled_lessons_are_refused_never_panicked_on() {
        // Every prefix, and bytes flipped through the file (as text), of
        // a lesson and of one with its own document.
        let own = own_document(CARD);
        for good in [GOOD, own.as_str()] {
            let bytes = good.as_bytes();
            for cut in 0..bytes.len() {
                let _ = parse(&String::from_utf8_lossy(&bytes[..cut]));
            }
            for at in 0..bytes.len() {
                for flip in [0x01u8, 0x20, 0x80] {
                    let mut mangled = bytes.to_vec();
                    mangled[at] ^= flip;
                    let _ = parse(&String::from_utf8_lossy(&mangled));
                }
            }
            assert!(parse(good).is_ok());
        }
    }
}
