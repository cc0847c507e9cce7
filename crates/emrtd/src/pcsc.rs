//! The PC/SC transport: a real contactless reader through pcscd (or the
//! Windows/macOS smart-card service), with errors a person can act on.

use std::ffi::CString;
use std::time::Duration;

use pcsc::{Card, Context, Disposition, Error, Protocols, ReaderState, Scope, ShareMode, State};

use crate::transport::{Transport, TransportError};

fn map(error: Error) -> TransportError {
    match error {
        // A broken line to the service is the service gone.
        Error::NoService | Error::ServiceStopped | Error::CommError => TransportError::ServiceNotRunning,
        Error::NoReadersAvailable | Error::UnknownReader | Error::ReaderUnavailable => TransportError::NoReader,
        Error::NoSmartcard => TransportError::NoCard,
        Error::RemovedCard | Error::ResetCard | Error::UnpoweredCard | Error::UnresponsiveCard => {
            TransportError::CardLost
        }
        Error::Timeout => TransportError::Timeout,
        other => TransportError::Other(other.to_string()),
    }
}

/// The readers the smart-card service knows.
pub fn readers() -> Result<Vec<String>, TransportError> {
    let ctx = Context::establish(Scope::User).map_err(map)?;
    let names = ctx.list_readers_owned().map_err(map)?;
    Ok(names.iter().map(|n| n.to_string_lossy().into_owned()).collect())
}

/// A reader, and whether a card (a document) is on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderStatus {
    /// The reader's name.
    pub name: String,
    /// A card is present.
    pub card: bool,
}

impl ReaderStatus {
    /// What the service last reported of a reader.
    fn of(state: &ReaderState) -> Self {
        Self { name: state.name().to_string_lossy().into_owned(), card: state.event_state().contains(State::PRESENT) }
    }
}

/// The readers the smart-card service knows, each with whether a card is
/// on it, as of now.
pub fn statuses() -> Result<Vec<ReaderStatus>, TransportError> {
    let ctx = Context::establish(Scope::User).map_err(map)?;
    let names = match ctx.list_readers_owned() {
        Ok(names) => names,
        Err(Error::NoReadersAvailable) => return Ok(Vec::new()),
        Err(e) => return Err(map(e)),
    };
    let mut states: Vec<ReaderState> = names.into_iter().map(|n| ReaderState::new(n, State::UNAWARE)).collect();
    if !states.is_empty() {
        ctx.get_status_change(Duration::ZERO, &mut states).map_err(map)?;
    }
    Ok(states.iter().map(ReaderStatus::of).collect())
}

/// Follows the readers live: calls `on_change` with the readers and their
/// cards at the start and each time a reader is plugged in or out, a card
/// is placed or taken away, or the service stops or comes back (as an
/// error). It waits in the service's own change notification (PC/SC
/// "PnP" and per-reader states), waking every `poll` only to ask
/// `keep_going` whether anyone still listens, and returns when not.
pub fn watch(
    poll: Duration,
    keep_going: impl Fn() -> bool,
    mut on_change: impl FnMut(Result<Vec<ReaderStatus>, TransportError>),
) {
    let mut last: Option<Result<Vec<ReaderStatus>, TransportError>> = None;
    let mut report = |now: Result<Vec<ReaderStatus>, TransportError>| {
        if last.as_ref() != Some(&now) {
            on_change(now.clone());
            last = Some(now);
        }
    };
    while keep_going() {
        let ctx = match Context::establish(Scope::User) {
            Ok(ctx) => ctx,
            Err(e) => {
                report(Err(map(e)));
                std::thread::sleep(poll);
                continue;
            }
        };
        // One context for as long as the service runs: list, then wait.
        // The PnP entry lives across listings: it carries the reader count
        // the service compares with (fresh, it would report a change at
        // once, every time).
        let mut states = vec![ReaderState::new(pcsc::PNP_NOTIFICATION().to_owned(), State::UNAWARE)];
        'listed: while keep_going() {
            let names = match ctx.list_readers_owned() {
                Ok(names) => names,
                Err(Error::NoReadersAvailable) => Vec::new(),
                Err(e) => {
                    report(Err(map(e)));
                    std::thread::sleep(poll);
                    break 'listed;
                }
            };
            if names.is_empty() {
                report(Ok(Vec::new()));
            }
            states.truncate(1);
            states.extend(names.into_iter().map(|name| ReaderState::new(name, State::UNAWARE)));
            loop {
                match ctx.get_status_change(poll, &mut states) {
                    Ok(()) => {}
                    Err(Error::Timeout) => {
                        if keep_going() {
                            continue;
                        }
                        return;
                    }
                    Err(e) => {
                        report(Err(map(e)));
                        std::thread::sleep(poll);
                        break 'listed;
                    }
                }
                let plugged = states[0].event_state().contains(State::CHANGED);
                let gone = states[1..].iter().any(|s| s.event_state().intersects(State::UNKNOWN | State::IGNORE));
                for state in &mut states {
                    state.sync_current_state();
                }
                if plugged || gone {
                    // Readers came or went: list them again.
                    continue 'listed;
                }
                let now = states[1..].iter().map(ReaderStatus::of).collect();
                report(Ok(now));
                if !keep_going() {
                    return;
                }
            }
        }
    }
}

/// A card in one reader.
pub struct PcscTransport {
    ctx: Context,
    reader: CString,
    card: Option<Card>,
    /// How long `reconnect` waits for the card to come back.
    pub wait: Duration,
}

impl std::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PcscTransport({:?})", self.reader)
    }
}

impl PcscTransport {
    /// Connects to the card in `reader` (the first reader with a card when
    /// `None`).
    pub fn connect(reader: Option<&str>) -> Result<Self, TransportError> {
        let ctx = Context::establish(Scope::User).map_err(map)?;
        let names = ctx.list_readers_owned().map_err(map)?;
        if names.is_empty() {
            return Err(TransportError::NoReader);
        }
        let wanted: Vec<&CString> = match reader {
            Some(name) => names.iter().filter(|n| n.to_string_lossy() == name).collect(),
            None => names.iter().collect(),
        };
        if wanted.is_empty() {
            return Err(TransportError::NoReader);
        }
        let mut last = TransportError::NoCard;
        for name in wanted {
            match ctx.connect(name, ShareMode::Exclusive, Protocols::ANY) {
                Ok(card) => {
                    return Ok(Self { ctx, reader: name.clone(), card: Some(card), wait: Duration::from_secs(10) });
                }
                Err(e) => last = map(e),
            }
        }
        Err(last)
    }

    /// The reader's name.
    pub fn reader(&self) -> String {
        self.reader.to_string_lossy().into_owned()
    }
}

impl Transport for PcscTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let card = self.card.as_ref().ok_or(TransportError::CardLost)?;
        let mut buffer = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
        let response = card.transmit(command, &mut buffer).map_err(map)?;
        Ok(response.to_vec())
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        if let Some(card) = self.card.take() {
            let _ = card.disconnect(Disposition::LeaveCard);
        }
        // Wait for a card to be present again, then connect.
        let mut states = [ReaderState::new(self.reader.clone(), State::UNAWARE)];
        let deadline = std::time::Instant::now() + self.wait;
        loop {
            self.ctx.get_status_change(Duration::from_millis(200), &mut states).or_else(|e| match e {
                Error::Timeout => Ok(()),
                other => Err(map(other)),
            })?;
            let state = states[0].event_state();
            if state.contains(State::PRESENT) && !state.contains(State::MUTE) {
                match self.ctx.connect(&self.reader, ShareMode::Exclusive, Protocols::ANY) {
                    Ok(card) => {
                        self.card = Some(card);
                        return Ok(());
                    }
                    Err(Error::NoSmartcard | Error::RemovedCard) => {}
                    Err(e) => return Err(map(e)),
                }
            }
            if std::time::Instant::now() > deadline {
                return Err(TransportError::NoCard);
            }
            states[0].sync_current_state();
        }
    }
}
