//! ICAO 9303 eMRTD reading for mitid-assist.
//!
//! Protocol only: no UI, no async runtime, no file I/O of its own. This first
//! part holds the MRZ and the BAC keys derived from it; transports, secure
//! messaging, PACE, LDS parsing and the simulated chip come in their steps.

pub mod apdu;
pub mod bac;
pub mod curves;
pub mod face;
pub mod lds;
pub mod mrz;
pub mod pace;
#[cfg(feature = "pcsc")]
pub mod pcsc;
pub mod reader;
pub mod security_infos;
pub mod sim;
pub mod sm;
#[cfg(test)]
mod test_support;
pub mod tlv;
pub mod transport;
pub mod vpcd;
