//! BER-TLV as the LDS uses it: tags of one to three bytes, definite lengths
//! of up to four bytes. Bytes from a chip are never trusted: every read is
//! bounded, and malformed input is an error, never a panic.

/// A tag: its bytes, big-endian in a u32 (`0x5F1F`, `0x7F61`, `0x61`).
pub type Tag = u32;

/// Why bytes are not TLV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    /// The input ends inside a tag, length or value.
    #[error("the data ends in the middle of a field")]
    Truncated,
    /// A tag of more than three bytes, or an indefinite or over-long length.
    #[error("the data has a field encoding the LDS does not use")]
    Unsupported,
    /// A different tag than the one expected.
    #[error("expected field {expected:X}, found {found:X}")]
    Unexpected {
        /// What was expected.
        expected: Tag,
        /// What was there.
        found: Tag,
    },
}

/// One TLV: its tag, whether it is constructed, and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag.
    pub tag: Tag,
    /// The value bytes.
    pub value: &'a [u8],
    /// The whole encoding (tag, length and value).
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Whether the value holds further TLVs (bit 6 of the first tag byte).
    pub fn constructed(&self) -> bool {
        let first = self.raw.first().copied().unwrap_or(0);
        first & 0x20 != 0
    }

    /// The TLVs inside a constructed value.
    pub fn children(&self) -> Reader<'a> {
        Reader::new(self.value)
    }
}

/// Reads a tag at the start of `bytes`: (tag, its length in bytes).
fn tag(bytes: &[u8]) -> Result<(Tag, usize), TlvError> {
    let first = *bytes.first().ok_or(TlvError::Truncated)?;
    if first & 0x1F != 0x1F {
        return Ok((Tag::from(first), 1));
    }
    let mut tag = Tag::from(first);
    for (i, b) in bytes.iter().enumerate().skip(1) {
        if i > 2 {
            return Err(TlvError::Unsupported);
        }
        tag = (tag << 8) | Tag::from(*b);
        if b & 0x80 == 0 {
            return Ok((tag, i + 1));
        }
    }
    Err(TlvError::Truncated)
}

/// Reads a length at the start of `bytes`: (length, its size in bytes).
pub fn length(bytes: &[u8]) -> Result<(usize, usize), TlvError> {
    let first = *bytes.first().ok_or(TlvError::Truncated)?;
    match first {
        0..=0x7F => Ok((usize::from(first), 1)),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7F);
            let len_bytes = bytes.get(1..1 + n).ok_or(TlvError::Truncated)?;
            let len = len_bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            Ok((len, 1 + n))
        }
        _ => Err(TlvError::Unsupported),
    }
}

/// How many bytes the whole TLV at the start of `bytes` takes, once its tag
/// and length are there (for reading a file whose size its header tells).
pub fn total_length(bytes: &[u8]) -> Result<usize, TlvError> {
    let (_, tag_len) = tag(bytes)?;
    let (len, len_len) = length(&bytes[tag_len..])?;
    tag_len.checked_add(len_len).and_then(|n| n.checked_add(len)).ok_or(TlvError::Unsupported)
}

/// Reads TLVs one after another.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Over `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next TLV.
    pub fn next_tlv(&mut self) -> Result<Tlv<'a>, TlvError> {
        let (t, tag_len) = tag(self.rest)?;
        let (len, len_len) = length(&self.rest[tag_len..])?;
        let start = tag_len + len_len;
        let end = start.checked_add(len).ok_or(TlvError::Unsupported)?;
        let raw = self.rest.get(..end).ok_or(TlvError::Truncated)?;
        let tlv = Tlv { tag: t, value: &raw[start..], raw };
        self.rest = &self.rest[end..];
        Ok(tlv)
    }

    /// The next TLV, which must have tag `expected`.
    pub fn expect(&mut self, expected: Tag) -> Result<Tlv<'a>, TlvError> {
        let tlv = self.next_tlv()?;
        if tlv.tag != expected {
            return Err(TlvError::Unexpected { expected, found: tlv.tag });
        }
        Ok(tlv)
    }

    /// The first TLV with tag `wanted` among the rest.
    pub fn find(mut self, wanted: Tag) -> Result<Option<Tlv<'a>>, TlvError> {
        while !self.is_empty() {
            let tlv = self.next_tlv()?;
            if tlv.tag == wanted {
                return Ok(Some(tlv));
            }
        }
        Ok(None)
    }
}

/// Parses exactly one TLV covering all of `bytes` (trailing bytes allowed:
/// chips pad files).
pub fn parse(bytes: &[u8]) -> Result<Tlv<'_>, TlvError> {
    Reader::new(bytes).next_tlv()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_lengths() {
        let ef_com = hex::decode("60145F0104303130365F36063034303030305C026175").unwrap();
        let com = parse(&ef_com).unwrap();
        assert_eq!((com.tag, com.value.len(), com.constructed()), (0x60, 0x14, true));
        let mut inner = com.children();
        assert_eq!(inner.expect(0x5F01).unwrap().value, b"0106");
        assert_eq!(inner.expect(0x5F36).unwrap().value, b"040000");
        assert_eq!(inner.expect(0x5C).unwrap().value, &[0x61, 0x75]);
        assert!(inner.is_empty());
        assert_eq!(total_length(&[0x75, 0x82, 0x3A, 0xE3]), Ok(4 + 0x3AE3));
        assert_eq!(length(&[0x81, 0x80]), Ok((128, 2)));
        assert_eq!(tag(&[0x7F, 0x61]), Ok((0x7F61, 2)));
    }

    #[test]
    fn malformed_is_an_error_never_a_panic() {
        for bad in [
            &[][..],
            &[0x60],
            &[0x60, 0x05, 1, 2],
            &[0x5F],
            &[0x60, 0x85, 1, 1, 1, 1, 1],
            &[0x60, 0x82, 0x01],
            &[0x1F, 0xFF, 0xFF, 0xFF, 0x01],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let mut state = 1u64;
        for _ in 0..100_000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            let len = (state >> 59) as usize;
            let bytes: Vec<u8> = (0..len).map(|i| (state >> ((i * 7) % 56)) as u8).collect();
            if let Ok(tlv) = parse(&bytes) {
                let mut r = tlv.children();
                while r.next_tlv().is_ok() && !r.is_empty() {}
            }
            let _ = total_length(&bytes);
        }
    }
}
