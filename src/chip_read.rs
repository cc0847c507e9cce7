//! Reading a document off the UI thread: a real PC/SC reader, or in demo
//! mode a simulated one with specimen documents, paced like a real chip.
//! Progress comes back as messages; a flag cancels between APDUs.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use iced::futures::SinkExt;
use iced::futures::channel::mpsc;
use mitid_core::lesson::{ChipFault, DeviceState, Devices};
use mitid_emrtd::file::FileId;
use mitid_emrtd::pki::x509::Time;
use mitid_emrtd::reader::{ReadError, Reader};
use mitid_emrtd::session::{self, Document, Secret, SessionError, Stage, Trust};
use mitid_emrtd::sim::document::{self, DocumentSpec, Scenario};
use mitid_emrtd::sim::{Faults, Quirks, SimChip, Timing};
use mitid_emrtd::transport::{Transport, TransportError};

use crate::fl;

/// The photo on the demo documents' chips (assets/demo/README.md).
pub const DEMO_CHIP_FACE: &[u8] = include_bytes!("../assets/demo/chip-person-a.jpg");

/// The simulated reader's name (demo mode).
pub const DEMO_READER: &str = "Demo reader (simulated)";

/// A specimen document on the demo reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Specimen {
    /// A passport with PACE, genuine.
    Passport,
    /// An ID card (TD1) with PACE, opened with its CAN or its MRZ.
    IdCard,
    /// An older passport with BAC only.
    BacOnly,
    /// A passport whose chip is slow (106 kbit/s).
    Slow,
    /// A passport that drops off the reader in the middle of the photo.
    Flaky,
    /// A genuine passport that expired in April 2024.
    Expired,
    /// One of the ways verification fails.
    Failing(Scenario),
    /// The lesson's own document (its MRZ and photo).
    Lesson,
}

impl Specimen {
    /// Every specimen, in the order trainers pick them.
    pub const ALL: [Specimen; 12] = [
        Specimen::Passport,
        Specimen::IdCard,
        Specimen::BacOnly,
        Specimen::Slow,
        Specimen::Flaky,
        Specimen::Expired,
        Specimen::Failing(Scenario::ExpiredSigner),
        Specimen::Failing(Scenario::AlteredDg1),
        Specimen::Failing(Scenario::AlteredDg2),
        Specimen::Failing(Scenario::BadSodSignature),
        Specimen::Failing(Scenario::UnknownCsca),
        Specimen::Failing(Scenario::Clone),
    ];

    /// The specimens to pick from: every one, and the lesson's own
    /// document when it has one.
    pub fn offered(lesson_has_one: bool) -> Vec<Specimen> {
        let mut all = Self::ALL.to_vec();
        if lesson_has_one {
            all.insert(0, Specimen::Lesson);
        }
        all
    }
}

impl std::fmt::Display for Specimen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            Self::Passport => fl!("specimen-passport"),
            Self::IdCard => fl!("specimen-id-card"),
            Self::BacOnly => fl!("specimen-bac-only"),
            Self::Slow => fl!("specimen-slow"),
            Self::Flaky => fl!("specimen-flaky"),
            Self::Expired => fl!("specimen-expired"),
            Self::Failing(Scenario::ExpiredSigner) => fl!("specimen-expired-signer"),
            Self::Failing(Scenario::AlteredDg1) => fl!("specimen-altered-dg1"),
            Self::Failing(Scenario::AlteredDg2) => fl!("specimen-altered-dg2"),
            Self::Failing(Scenario::BadSodSignature) => fl!("specimen-bad-signature"),
            Self::Failing(Scenario::UnknownCsca) => fl!("specimen-unknown-csca"),
            Self::Failing(Scenario::Clone) => fl!("specimen-clone"),
            Self::Failing(Scenario::Genuine) => fl!("specimen-passport"),
            Self::Lesson => fl!("specimen-lesson"),
        };
        f.write_str(&text)
    }
}

/// Where to read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A PC/SC reader by name.
    Pcsc(String),
    /// The demo reader with this specimen on it.
    Demo(Specimen),
}

/// What a read reports.
#[derive(Debug, Clone)]
pub enum Report {
    /// How far it is.
    Stage(Stage),
    /// Done: the document, or why not (translated where it is shown, see
    /// [`error_text`]).
    Done(Result<Box<Document>, SessionError>),
}

/// The demo chip, paced like a real one: each exchange takes the time the
/// link model says. The trainer's faults reach it through the devices.
struct Paced {
    chip: SimChip,
    timing: Timing,
    devices: Devices,
}

/// What the demo reader cannot do now, as a transport error.
fn unavailable(state: &DeviceState) -> Option<TransportError> {
    if !state.pcsc_running {
        Some(TransportError::ServiceNotRunning)
    } else if !state.plugged {
        Some(TransportError::NoReader)
    } else if !state.document {
        Some(TransportError::NoCard)
    } else {
        None
    }
}

impl Transport for Paced {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let state = self.devices.get();
        if let Some(error) = unavailable(&state) {
            // Taken off in the middle of the read: lost, until put back.
            return Err(if error == TransportError::NoCard { TransportError::CardLost } else { error });
        }
        // The key refused where a chip refuses a wrong one: PACE's last
        // General Authenticate (not chained), BAC's External Authenticate.
        let final_authentication =
            matches!(command, [cla, 0x86, ..] if cla & 0x10 == 0) || command.get(1) == Some(&0x82);
        if state.denies && final_authentication {
            return Ok(vec![0x63, 0x00]);
        }
        // The chip is open (secure messaging): the trainer's faults are
        // for the read, not for finding out how to open it.
        let open = command.first().is_some_and(|cla| cla & 0x0C == 0x0C);
        // Silent mid-read: the files stop coming.
        if state.silent && open && command.get(1) == Some(&0xB0) {
            std::thread::sleep(Duration::from_millis(300));
            return Err(TransportError::Timeout);
        }
        let fault = if open { self.devices.take_chip_fault() } else { None };
        let response = match fault {
            None => self.chip.transmit(command)?,
            Some(ChipFault::Slip) => return Err(TransportError::CardLost),
            // Bytes that are neither data nor a status word.
            Some(ChipFault::Garbage) => vec![0x13],
        };
        let ms = self.timing.exchange_ms(command.len(), response.len());
        std::thread::sleep(Duration::from_secs_f64(ms / 1000.0));
        Ok(response)
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        std::thread::sleep(Duration::from_millis(400));
        match unavailable(&self.devices.get()) {
            Some(error) => Err(error),
            None => self.chip.reconnect(),
        }
    }
}

/// The demo ID card's MRZ (its CAN is 123456).
pub fn id_card_mrz() -> String {
    document::specimen_td1("UTO", "ERIKSSON", "ANNA MARIA", "D23145890", "740812", 'F', "340415")
}

fn demo_chip(specimen: Specimen, devices: Devices) -> Result<Paced, SessionError> {
    let broken = |e: String| SessionError::Read(ReadError::Transport(TransportError::Other(e)));
    let own = devices.get().own;
    let mut face = DEMO_CHIP_FACE.to_vec();
    let mut can = None;
    let mrz = match specimen {
        Specimen::Lesson => {
            let own = own.ok_or_else(|| broken("this lesson has no document of its own".into()))?;
            if let Some(photo) = own.photo_bytes.as_deref() {
                face = photo.to_vec();
            }
            can.clone_from(&own.can);
            mitid_emrtd::mrz::Mrz::parse(&own.mrz_lines()).map_err(|e| broken(e.to_string()))?
        }
        Specimen::Expired => {
            let text = document::specimen_td3("UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "740812", 'F', "240415");
            mitid_emrtd::mrz::Mrz::parse(&text).map_err(|e| broken(e.to_string()))?
        }
        Specimen::IdCard => mitid_emrtd::mrz::Mrz::parse(&id_card_mrz()).map_err(|e| broken(e.to_string()))?,
        _ => document::specimen_mrz(),
    };
    let scenario = match specimen {
        Specimen::Failing(scenario) => scenario,
        _ => Scenario::Genuine,
    };
    // A real face on the chip, so the face step has something to compare.
    let spec = DocumentSpec { face: Some(face), ..DocumentSpec::default() };
    let (doc, keys) = document::generate_scenario(&mrz, &spec, scenario).map_err(|e| broken(e.to_string()))?;
    let dg2_at: usize = doc.files.range(..FileId::DG2).map(|(_, f)| f.len()).sum::<usize>() + 8_000;
    let quirks = match specimen {
        Specimen::BacOnly => Quirks { pace: false, ..Quirks::default() },
        _ => Quirks::default(),
    };
    let faults = match specimen {
        Specimen::Flaky => Faults { lose_card_at_byte: Some(dg2_at), ..Faults::default() },
        _ => Faults::default(),
    };
    let kbit_s = if specimen == Specimen::Slow { 106.0 } else { 424.0 };
    let mut chip = SimChip::new(doc.files, &mrz.access_key());
    if let Some(can) = &can {
        chip = chip.can(can);
    }
    let chip = chip
        .quirks(quirks)
        .faults(faults)
        .active_authentication_key(keys.active_authentication)
        .chip_authentication_key(keys.chip_authentication);
    Ok(Paced { chip, timing: Timing { kbit_s, per_apdu_ms: 5.0 }, devices })
}

/// A translated sentence for why a read failed.
pub fn error_text(error: &SessionError) -> String {
    match error {
        SessionError::CanWithoutPace => fl!("chip-error-can-without-pace"),
        SessionError::Lds(e) => fl!("chip-error-unsupported", detail = e.to_string()),
        SessionError::Read(e) => match e {
            ReadError::AccessDenied => fl!("chip-error-access-denied"),
            ReadError::Cancelled => fl!("chip-error-cancelled"),
            ReadError::Unstable | ReadError::Transport(TransportError::CardLost) => fl!("chip-error-card-lost"),
            ReadError::Transport(TransportError::ServiceNotRunning) => fl!("chip-error-service"),
            ReadError::Transport(TransportError::NoReader) => fl!("chip-error-no-reader"),
            ReadError::Transport(TransportError::NoCard) => fl!("chip-error-no-card"),
            ReadError::Transport(TransportError::Timeout) => fl!("chip-error-timeout"),
            other => fl!("chip-error-other", detail = other.to_string()),
        },
    }
}

/// The translated sentence for a transport error before the read.
pub fn transport_text(error: &TransportError) -> String {
    error_text(&SessionError::Read(ReadError::Transport(error.clone())))
}

/// The trust material for a read: the desk service's trust store (the
/// desk's own, or the site's — its copy while the service is away), and
/// in demo mode the simulator's CSCA, so specimens can verify.
fn trust(desk: Option<&crate::service::DeskHandle>, demo: bool, now: Time) -> Trust {
    let store = desk.and_then(|desk| match desk.run_blocking(|desk| desk.trust()) {
        Ok(view) => Some(view.store),
        Err(error) => {
            tracing::warn!(%error, "no trust store for this read: the chip's signature cannot be traced to an issuer");
            None
        }
    });
    let mut certificates = store.as_ref().map(|s| s.certificates()).unwrap_or_default();
    if demo && let Ok(csca) = mitid_emrtd::pki::x509::Certificate::parse(document::TestPki::new().csca_certificate()) {
        certificates.push(csca);
    }
    Trust { certificates, crls: store.map(|s| s.crls()).unwrap_or_default(), now }
}

/// What a read needs besides the chip.
#[derive(Debug, Clone)]
pub struct Request {
    /// Where from.
    pub source: Source,
    /// What opens the chip.
    pub secret: Secret,
    /// The desk service (its trust store).
    pub desk: Option<crate::service::DeskHandle>,
    /// Demo mode.
    pub demo: bool,
    /// The demo devices (what the trainer makes go wrong).
    pub devices: Devices,
    /// Now.
    pub now: Time,
    /// Set to stop between APDUs.
    pub cancel: Arc<AtomicBool>,
}

fn read_blocking(request: Request, mut tx: mpsc::Sender<Report>) {
    let Request { source, secret, desk, demo, devices, now, cancel } = request;
    let trust = trust(desk.as_ref(), demo, now);
    let mut progress = |stage: Stage| {
        // Progress may be dropped when the UI is behind; the end may not.
        let _ = tx.try_send(Report::Stage(stage));
    };
    let result = match source {
        Source::Pcsc(name) => match mitid_emrtd::pcsc::PcscTransport::connect(Some(&name)) {
            Ok(transport) => {
                let mut reader = Reader::new(transport).with_cancel(cancel);
                session::read_document(&mut reader, &secret, &trust, &mut progress)
            }
            Err(e) => Err(SessionError::Read(ReadError::Transport(e))),
        },
        Source::Demo(_) if let Some(error) = unavailable(&devices.get()) => {
            Err(SessionError::Read(ReadError::Transport(error)))
        }
        Source::Demo(specimen) => match demo_chip(specimen, devices) {
            Ok(chip) => {
                let mut reader = Reader::new(chip).with_cancel(cancel);
                session::read_document(&mut reader, &secret, &trust, &mut progress)
            }
            Err(why) => Err(why),
        },
    };
    let _ = iced::futures::executor::block_on(tx.send(Report::Done(result.map(Box::new))));
}

/// Reads on a thread of its own; the stream carries progress, then the end.
pub fn read(request: Request) -> impl iced::futures::Stream<Item = Report> {
    iced::stream::channel(64, async move |tx: mpsc::Sender<Report>| {
        std::thread::spawn(move || read_blocking(request, tx));
    })
}

/// Reads here, blocking (tests): every report, the last being the end.
pub fn read_now(request: Request) -> Vec<Report> {
    let (tx, mut rx) = mpsc::channel(4096);
    read_blocking(request, tx);
    let mut reports = Vec::new();
    while let Ok(report) = rx.try_recv() {
        reports.push(report);
    }
    reports
}

/// An instant as certificates compare times.
pub fn utc_time(at: jiff::Timestamp) -> Time {
    Time::from_unix(at.as_second()).unwrap_or_default()
}

pub use mitid_emrtd::pcsc::ReaderStatus;

/// The readers as the screen shows them: in demo mode the simulated one
/// first (while plugged in, with its specimen on it unless taken off);
/// none at all is an error.
fn with_demo(
    demo: Option<&Devices>,
    found: Result<Vec<ReaderStatus>, TransportError>,
) -> Result<Vec<ReaderStatus>, TransportError> {
    let state = demo.map(Devices::get);
    if let Some(state) = &state
        && !state.pcsc_running
    {
        return Err(TransportError::ServiceNotRunning);
    }
    let mut readers = match &state {
        Some(state) if state.plugged => vec![ReaderStatus { name: DEMO_READER.to_owned(), card: state.document }],
        _ => Vec::new(),
    };
    match found {
        Ok(found) => readers.extend(found),
        // In demo mode the simulated reader is what counts: the machine's
        // own smart-card service may well not run.
        Err(e) if readers.is_empty() && state.is_none() => return Err(e),
        Err(_) => {}
    }
    if readers.is_empty() {
        return Err(TransportError::NoReader);
    }
    Ok(readers)
}

/// The PC/SC readers and their cards (in demo mode, `Some` devices, the
/// simulated one first), or why none.
pub fn readers(demo: Option<&Devices>) -> Result<Vec<ReaderStatus>, TransportError> {
    with_demo(demo, mitid_emrtd::pcsc::statuses())
}

/// Follows the readers live (plugged in or out, a document placed or taken
/// away, the service stopping or coming back) on a thread of its own,
/// until the stream is dropped.
pub fn watch(demo: Option<Devices>) -> impl iced::futures::Stream<Item = Result<Vec<ReaderStatus>, TransportError>> {
    iced::stream::channel(8, async move |tx: mpsc::Sender<Result<Vec<ReaderStatus>, TransportError>>| {
        std::thread::spawn(move || {
            let mut tx = tx;
            let open = tx.clone();
            mitid_emrtd::pcsc::watch(
                Duration::from_millis(500),
                || !open.is_closed(),
                |now| {
                    let _ = iced::futures::executor::block_on(tx.send(with_demo(demo.as_ref(), now)));
                },
            );
        });
    })
}

/// Writes the chip's files exactly as read (EF_COM.bin, EF_SOD.bin,
/// DG1.bin, …) and the photo as face.png into `dir`; returns how many
/// files. They hold personal data: the screen says so before this runs.
pub fn export(document: &Document, dir: &std::path::Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let mut written = 0;
    for file in &document.files {
        mitid_core::config::write_atomically(&dir.join(format!("{}.bin", file.file_id.stem())), &file.bytes)?;
        written += 1;
    }
    let face = document.face().ok().and_then(|rgb| mitid_emrtd::face::to_png(&rgb).ok());
    if let Some(png) = face {
        mitid_core::config::write_atomically(&dir.join("face.png"), &png)?;
        written += 1;
    }
    Ok(written)
}
