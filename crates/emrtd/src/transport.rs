//! How APDUs reach a chip: PC/SC, the simulated chip, or anything else
//! that can pass bytes along.

/// Why bytes did not reach the chip, or no answer came back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The card left the reader (moved, pulled away).
    #[error("the document was moved away from the reader")]
    CardLost,
    /// No answer in time.
    #[error("the chip did not answer in time")]
    Timeout,
    /// No card on the reader.
    #[error("no document on the reader")]
    NoCard,
    /// No reader connected.
    #[error("no card reader is connected")]
    NoReader,
    /// The PC/SC service is not running.
    #[error("the smart-card service (pcscd) is not running")]
    ServiceNotRunning,
    /// Anything else the transport reports.
    #[error("the reader reported: {0}")]
    Other(String),
}

/// Passes command APDUs to a chip and brings back its response APDUs.
pub trait Transport {
    /// Sends one command APDU (bytes) and returns the response APDU (bytes).
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// Connects to the card again after it was lost (a fresh session on the
    /// chip: access control must be done again).
    fn reconnect(&mut self) -> Result<(), TransportError>;
}
