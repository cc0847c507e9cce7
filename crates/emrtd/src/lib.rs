#![warn(missing_docs)]
//! ICAO 9303 eMRTD reading for mitid-assist.
//!
//! Protocol only: no UI, no async runtime, no file I/O of its own: the MRZ,
//! APDUs, BAC and PACE (DH and ECDH generic mapping on every standardized
//! group), secure messaging, the adaptive reader, LDS parsing, the simulated
//! chip and the transports (PC/SC, vpcd) it all runs over.

pub mod apdu;
pub mod bac;
pub mod ca;
pub(crate) mod cam;
pub mod curves;
pub mod der;
pub mod face;
pub mod file;
pub(crate) mod im;
pub mod lds;
pub(crate) mod modp;
pub mod mrz;
pub mod pace;
#[cfg(feature = "pcsc")]
pub mod pcsc;
pub mod pki;
pub mod reader;
pub mod security_infos;
pub mod session;
pub mod sim;
pub mod sm;
#[cfg(test)]
mod test_support;
pub mod tlv;
pub mod transport;
pub mod vpcd;
pub(crate) mod weierstrass;
