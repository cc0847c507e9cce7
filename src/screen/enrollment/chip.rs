//! The chip step: the readers (followed live, the one chosen last time
//! first), the read with its progress and a cancel, the result, and an
//! export of the raw files only on purpose.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use iced::widget::{button, column, container, pick_list, progress_bar, row, text};
use iced::{Alignment, Length, Task};
use jiff::civil::Date;
use mitid_core::mrz_entry::Credentials;
use mitid_emrtd::session::{Document, Secret, SessionError, Stage};
use mitid_emrtd::transport::TransportError;

use crate::chip_read::{self, ReaderStatus, Report, Source, Specimen};
use crate::fl;
use crate::theme;
use crate::widget::Element;

/// The readers as the desk has them, person after person.
#[derive(Debug)]
pub struct Readers {
    /// The readers found and whether a document lies on each.
    pub list: Vec<ReaderStatus>,
    /// The one reads go to.
    pub chosen: Option<String>,
    /// The one chosen last (this run or the one before), to remember.
    pub preferred: Option<String>,
    /// Why no reader can be used (goes when one is back).
    pub error: Option<TransportError>,
    /// The specimen on the demo reader.
    pub specimen: Specimen,
}

impl Default for Readers {
    fn default() -> Self {
        Self { list: Vec::new(), chosen: None, preferred: None, error: None, specimen: Specimen::Passport }
    }
}

impl Readers {
    /// Whether a document lies on the chosen reader.
    pub fn card_on_chosen(&self) -> bool {
        let chosen = self.chosen.as_deref();
        self.list.iter().any(|r| Some(r.name.as_str()) == chosen && r.card)
    }
}

/// A read under way.
#[derive(Debug)]
struct Reading {
    stage: Option<Stage>,
    cancel: Arc<AtomicBool>,
}

impl Drop for Reading {
    /// A read whose person has gone stops.
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// The step's state for the person at the desk: the read, the chip's
/// files and photo (zeroed when dropped), what went wrong.
#[derive(Debug, Default)]
pub struct ChipStep {
    reading: Option<Reading>,
    document: Option<Box<Document>>,
    /// The chip's photo, decoded once.
    photo: Option<iced::widget::image::Handle>,
    /// Its pixels, for the face comparison.
    face: Option<Arc<mitid_face::Rgb>>,
    error: Option<Problem>,
    /// What an export did.
    notice: Option<Notice>,
}

/// What went wrong on the step, kept as it happened and put in words when
/// drawn, so a language switch puts a message already on screen in the
/// new language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Read pressed with no reader chosen.
    NoReaderChosen,
    /// The read failed.
    Read(SessionError),
}

impl Problem {
    /// In the language of the moment.
    pub fn text(&self) -> String {
        match self {
            Problem::NoReaderChosen => fl!("chip-no-reader-chosen"),
            Problem::Read(error) => chip_read::error_text(error),
        }
    }
}

/// What an export did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Notice {
    Cancelled,
    Done { count: usize, dir: std::path::PathBuf },
    Failed(String),
}

impl Notice {
    fn text(&self) -> String {
        match self {
            Notice::Cancelled => fl!("export-cancelled"),
            Notice::Done { count, dir } => {
                let (count, path) = (*count as u64, dir.display().to_string());
                fl!("export-done", count = count, path = path)
            }
            Notice::Failed(detail) => fl!("export-failed", detail = detail.clone()),
        }
    }
}

/// What the view needs from the wizard.
#[derive(Debug)]
pub struct View<'a> {
    /// The case number, once opened.
    pub case: Option<i64>,
    /// What was entered (for the comparison with the chip).
    pub credentials: Option<&'a Credentials>,
    /// The local date.
    pub today: Date,
    /// The document drawn where it goes.
    pub shape: crate::widget::placement::Shape,
    /// Demo mode.
    pub demo: bool,
    /// The lesson brings a document of its own (demo mode).
    pub lesson_document: bool,
}

/// What the step's widgets say.
#[derive(Debug, Clone)]
pub enum Message {
    /// The readers found and their cards (listed, or as they changed), or
    /// why none.
    Readers(Result<Vec<ReaderStatus>, TransportError>),
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
    /// Ask where to export the chip's files.
    Export,
    /// Export into this folder (None: the dialog was cancelled or is missing).
    ExportTo(Option<std::path::PathBuf>),
}

impl PartialEq for Message {
    /// For the focus ring: the buttons' messages compare.
    fn eq(&self, other: &Self) -> bool {
        matches!(
            (self, other),
            (Self::Read, Self::Read) | (Self::Cancel, Self::Cancel) | (Self::RefreshReaders, Self::RefreshReaders)
        )
    }
}

/// What the step asks of the wizard.
#[derive(Debug, Clone)]
pub enum Event {
    /// List the readers (off the UI thread).
    ListReaders,
    /// The agent chose this reader: remember it.
    RememberReader(String),
    /// Read the chip (off the UI thread).
    Read {
        /// Where from.
        source: Source,
        /// What opens it.
        secret: Secret,
        /// Set to stop.
        cancel: Arc<AtomicBool>,
    },
    /// The chip was read: record its verdict in the case.
    Done {
        /// The verdict's name.
        verdict: &'static str,
        /// What it rests on (no personal data).
        detail: String,
    },
}

/// The chip's photo as an image the window can draw, and its pixels for
/// the face comparison.
fn photo(document: &Document) -> Option<(iced::widget::image::Handle, Arc<mitid_face::Rgb>)> {
    let rgb = document.face().ok()?;
    // Both copies are zeroed when dropped.
    Some((crate::widget::face_handle(&rgb), Arc::new(rgb)))
}

impl ChipStep {
    /// The document read, once read.
    pub fn document(&self) -> Option<&Document> {
        self.document.as_deref()
    }

    /// Why the last read failed.
    pub fn error(&self) -> Option<&Problem> {
        self.error.as_ref()
    }

    /// Whether a read is under way.
    pub fn reading(&self) -> bool {
        self.reading.is_some()
    }

    /// The chip's photo, once read.
    pub fn photo(&self) -> Option<&iced::widget::image::Handle> {
        self.photo.as_ref()
    }

    /// The chip photo's pixels, for the face comparison.
    pub fn face(&self) -> Option<Arc<mitid_face::Rgb>> {
        self.face.clone()
    }

    /// Handles a message; the readers are the desk's. `credentials` are
    /// what opens the chip (from the MRZ step); `here` whether the step is
    /// on screen (a document placed then is read at once).
    pub fn update(
        &mut self,
        readers: &mut Readers,
        message: Message,
        credentials: Option<&Credentials>,
        demo: bool,
        here: bool,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Readers(Ok(found)) => {
                let had_card = readers.card_on_chosen();
                let present = |name: &String| found.iter().any(|r| &r.name == name);
                if readers.chosen.as_ref().is_none_or(|r| !present(r)) {
                    // The one chosen before (this run or the last), else
                    // one with a document on it, else the first.
                    readers.chosen = readers
                        .preferred
                        .clone()
                        .filter(present)
                        .or_else(|| found.iter().find(|r| r.card).map(|r| r.name.clone()))
                        .or_else(|| found.first().map(|r| r.name.clone()));
                }
                readers.list = found;
                readers.error = None;
                // A document just placed on the chosen reader: read it, no
                // button needed (the demo reader always holds one, so there
                // the trainer presses Read).
                let placed = !had_card && readers.card_on_chosen();
                let real = readers.chosen.as_deref() != Some(chip_read::DEMO_READER);
                if placed && real && here && self.document.is_none() {
                    return self.update(readers, Message::Read, credentials, demo, here);
                }
            }
            Message::Readers(Err(why)) => {
                readers.list.clear();
                readers.chosen = None;
                readers.error = Some(why);
            }
            Message::RefreshReaders => return (Task::none(), Some(Event::ListReaders)),
            Message::Reader(name) => {
                readers.chosen = Some(name.clone());
                readers.preferred = Some(name.clone());
                return (Task::none(), Some(Event::RememberReader(name)));
            }
            Message::Specimen(specimen) => readers.specimen = specimen,
            Message::Read => {
                if self.reading.is_some() {
                    return (Task::none(), None);
                }
                let Some(reader) = readers.chosen.clone() else {
                    self.error = Some(Problem::NoReaderChosen);
                    return (Task::none(), None);
                };
                // The key is copied for the read only, as it starts.
                let secret = match credentials {
                    Some(Credentials::Mrz { key, .. }) => Secret::Mrz(key.clone()),
                    Some(Credentials::Can(can)) => Secret::Can(can.clone()),
                    None => return (Task::none(), None),
                };
                let source = if demo && reader == chip_read::DEMO_READER {
                    Source::Demo(readers.specimen)
                } else {
                    Source::Pcsc(reader)
                };
                let cancel = Arc::new(AtomicBool::new(false));
                self.reading = Some(Reading { stage: None, cancel: cancel.clone() });
                self.document = None;
                self.error = None;
                return (Task::none(), Some(Event::Read { source, secret, cancel }));
            }
            Message::Cancel => {
                if let Some(reading) = &self.reading {
                    reading.cancel.store(true, Ordering::Relaxed);
                }
            }
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
            Message::ExportTo(None) => self.notice = Some(Notice::Cancelled),
            Message::ExportTo(Some(dir)) => {
                if let Some(document) = &self.document {
                    self.notice = Some(match chip_read::export(document, &dir) {
                        Ok(count) => Notice::Done { count, dir },
                        Err(e) => Notice::Failed(e.to_string()),
                    });
                }
            }
        }
        (Task::none(), None)
    }

    /// How the read goes (a reply for this person's case).
    pub fn report(&mut self, report: Report) -> Option<Event> {
        match report {
            Report::Stage(stage) => {
                if let Some(reading) = self.reading.as_mut() {
                    reading.stage = Some(stage);
                }
                None
            }
            Report::Done(result) => {
                self.reading = None;
                match result {
                    Ok(document) => {
                        let (handle, rgb) = photo(&document).unzip();
                        self.photo = handle;
                        self.face = rgb;
                        let done = Event::Done { verdict: document.verdict.0.name(), detail: document.summary() };
                        self.document = Some(document);
                        Some(done)
                    }
                    Err(why) => {
                        self.error = Some(Problem::Read(why));
                        None
                    }
                }
            }
        }
    }

    /// The buttons Tab moves through, as the messages they send.
    pub fn focusables(&self) -> Vec<Message> {
        vec![if self.reading.is_some() { Message::Cancel } else { Message::Read }, Message::RefreshReaders]
    }

    /// Draws the step: the reading's progress, or the result, or where
    /// the document goes; the reader picker; what went wrong.
    pub fn view<'a>(
        &'a self,
        readers: &'a Readers,
        context: &View<'a>,
        is_focused: &dyn Fn(Message) -> bool,
    ) -> Element<'a, Message> {
        let chip = self;
        let mut body = column![].spacing(12);
        if let Some(id) = context.case {
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
            let result = super::report::view(document, context.credentials, context.today);
            body = body.push(match &chip.photo {
                Some(photo) => row![iced::widget::image(photo.clone()).width(260), result].spacing(16).into(),
                None => result,
            });
            body = body
                .push(button(text(fl!("export-button"))).on_press(Message::Export).style(theme::action_button(false)));
            body = body.push(text(fl!("export-warning")).size(13));
            if let Some(notice) = &chip.notice {
                body = body.push(text(notice.text()).font(theme::MEDIUM));
            }
        } else {
            let shape = context.shape;
            let illustration =
                iced::widget::canvas(crate::widget::placement::Placement { shape }).width(300).height(160);
            let mut words = column![text(fl!("chip-place"))].spacing(6);
            words = words.push(text(fl!("chip-symbol")).size(14));
            body = body.push(row![illustration, words].spacing(16).align_y(Alignment::Center));
        }
        let mut pickers = row![
            text(fl!("chip-reader")).font(theme::MEDIUM),
            pick_list(
                readers.list.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
                readers.chosen.clone(),
                Message::Reader
            )
            .width(280),
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        if context.demo && readers.chosen.as_deref() == Some(chip_read::DEMO_READER) {
            pickers = pickers.push(text(fl!("chip-specimen")).font(theme::MEDIUM)).push(pick_list(
                Specimen::offered(context.lesson_document),
                Some(readers.specimen),
                Message::Specimen,
            ));
        }
        body = body.push(pickers);
        let real_reader = readers.chosen.as_deref().is_some_and(|r| r != chip_read::DEMO_READER);
        if real_reader && chip.document.is_none() {
            let line = if readers.card_on_chosen() { fl!("chip-card-present") } else { fl!("chip-card-absent") };
            body = body.push(text(line).size(14));
        }
        if let Some(error) = &readers.error {
            body = body.push(
                container(text(chip_read::transport_text(error)).font(theme::MEDIUM))
                    .padding(10)
                    .width(Length::Fill)
                    .style(theme::problem_banner),
            );
        }
        if let Some(error) = &chip.error {
            body = body.push(
                container(column![text(error.text()).font(theme::MEDIUM), text(fl!("chip-try-again")).size(14)])
                    .padding(10)
                    .width(Length::Fill)
                    .style(theme::problem_banner),
            );
        }
        let read_label = if chip.document.is_some() { fl!("result-read-again") } else { fl!("chip-read") };
        body.push(
            row![
                button(text(read_label))
                    .on_press_maybe(readers.chosen.as_ref().map(|_| Message::Read))
                    .style(theme::action_button(is_focused(Message::Read))),
                button(text(fl!("chip-look-again")))
                    .on_press(Message::RefreshReaders)
                    .style(theme::action_button(is_focused(Message::RefreshReaders))),
            ]
            .spacing(8),
        )
        .into()
    }
}
