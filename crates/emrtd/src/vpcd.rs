//! Puts the simulated chip behind pcscd's virtual reader (the vpcd driver
//! of vsmartcard): we connect to the driver's TCP port as the "card" and
//! answer its messages — a 2-byte big-endian length, then either a 1-byte
//! control (0 power off, 1 power on, 2 reset, 4 get ATR) or a command APDU,
//! answered with the response APDU. Any PC/SC client then sees the chip
//! in "Virtual PCD 00 00".

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::sim::SimChip;
use crate::transport::{Transport, TransportError};

/// The ATR of an ISO 14443-4 card with no historical bytes, as PC/SC
/// readers report contactless cards.
pub const ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

fn read_message(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    quick_ack(stream);
    let mut len = [0u8; 2];
    stream.read_exact(&mut len)?;
    let mut payload = vec![0u8; usize::from(u16::from_be_bytes(len))];
    quick_ack(stream);
    stream.read_exact(&mut payload)?;
    Ok(payload)
}

/// The vpcd driver sends a message's length and its payload in two writes
/// with Nagle's algorithm on, so the payload waits for our ACK of the
/// length — which Linux delays by up to 40 ms, per APDU. Acknowledging at
/// once (the kernel drops back to delayed ACKs by itself, so it is asked
/// before every read) takes the round trip from ≈ 45 ms to well under one.
#[cfg(target_os = "linux")]
fn quick_ack(stream: &TcpStream) {
    use std::os::linux::net::TcpStreamExt;
    let _ = stream.set_quickack(true);
}

#[cfg(not(target_os = "linux"))]
fn quick_ack(_: &TcpStream) {}

/// Length and payload in one write, so they leave as one segment.
fn write_message(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len()).map_err(|_| io::Error::other("response too long for vpcd"))?;
    let mut message = Vec::with_capacity(2 + payload.len());
    message.extend_from_slice(&len.to_be_bytes());
    message.extend_from_slice(payload);
    stream.write_all(&message)
}

/// Serves `chip` to vpcd at `addr` until `stop` is set or vpcd goes away.
/// A lost card (a fault) drops the connection — the card leaves the
/// reader — and comes back after `reinsert`.
pub fn serve(chip: &mut SimChip, addr: SocketAddr, stop: &AtomicBool, reinsert: Duration) -> io::Result<()> {
    while !stop.load(Ordering::Relaxed) {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_millis(500)))?;
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let message = match read_message(&mut stream) {
                Ok(m) => m,
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => continue,
                Err(e) => return Err(e),
            };
            match message.as_slice() {
                [0] => {}
                [1] | [2] => {
                    let _ = chip.reconnect();
                }
                [4] => write_message(&mut stream, &ATR)?,
                [_] => {}
                apdu => match chip.transmit(apdu) {
                    Ok(response) => write_message(&mut stream, &response)?,
                    Err(TransportError::CardLost) => break,
                    Err(e) => return Err(io::Error::other(e.to_string())),
                },
            }
        }
        drop(stream);
        std::thread::sleep(reinsert);
        let _ = chip.reconnect();
    }
    Ok(())
}
