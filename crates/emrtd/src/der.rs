//! A small DER writer: just what the simulated chip needs to build its
//! documents (data groups, certificates, the SOD's CMS SignedData).
//! Reading goes through [`crate::tlv`].

/// The length octets of a BER-TLV/DER length.
pub fn length(n: usize) -> Vec<u8> {
    match n {
        0..=0x7F => vec![n as u8],
        0x80..=0xFF => vec![0x81, n as u8],
        0x100..=0xFFFF => vec![0x82, (n >> 8) as u8, n as u8],
        _ => vec![0x83, (n >> 16) as u8, (n >> 8) as u8, n as u8],
    }
}

/// tag ‖ length ‖ value; `tag` is one or more bytes as written.
pub fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    out.extend_from_slice(&length(value.len()));
    out.extend_from_slice(value);
    out
}

/// A constructed value of `tag` holding `parts` in order.
pub fn nest(tag: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag, &parts.concat())
}

/// SEQUENCE.
pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    nest(&[0x30], parts)
}

/// SET OF, its elements sorted as DER wants.
pub fn set_of(parts: &[&[u8]]) -> Vec<u8> {
    let mut sorted = parts.to_vec();
    sorted.sort();
    nest(&[0x31], &sorted)
}

/// A context-specific constructed tag [n] (explicit tagging or an
/// implicitly tagged SEQUENCE/SET).
pub fn context(n: u8, parts: &[&[u8]]) -> Vec<u8> {
    nest(&[0xA0 | n], parts)
}

/// INTEGER of a non-negative big-endian magnitude.
pub fn uint(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len().saturating_sub(1));
    let trimmed = if bytes.is_empty() { &[0u8][..] } else { &bytes[start..] };
    let mut value = Vec::with_capacity(trimmed.len() + 1);
    if trimmed[0] & 0x80 != 0 {
        value.push(0);
    }
    value.extend_from_slice(trimmed);
    tlv(&[0x02], &value)
}

/// INTEGER.
pub fn int(n: u64) -> Vec<u8> {
    uint(&n.to_be_bytes())
}

/// The content octets of an OBJECT IDENTIFIER in dotted form.
pub fn oid_content(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().expect("OIDs here are literals")).collect();
    let mut out = Vec::new();
    let mut push = |mut v: u64| {
        let mut bytes = vec![(v & 0x7F) as u8];
        v >>= 7;
        while v > 0 {
            bytes.push(0x80 | (v & 0x7F) as u8);
            v >>= 7;
        }
        out.extend(bytes.iter().rev());
    };
    push(arcs[0] * 40 + arcs[1]);
    for arc in &arcs[2..] {
        push(*arc);
    }
    out
}

/// OBJECT IDENTIFIER.
pub fn oid(dotted: &str) -> Vec<u8> {
    tlv(&[0x06], &oid_content(dotted))
}

/// OCTET STRING.
pub fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(&[0x04], bytes)
}

/// BIT STRING of whole bytes.
pub fn bits(bytes: &[u8]) -> Vec<u8> {
    let mut value = vec![0];
    value.extend_from_slice(bytes);
    tlv(&[0x03], &value)
}

/// UTF8String.
pub fn utf8(text: &str) -> Vec<u8> {
    tlv(&[0x0C], text.as_bytes())
}

/// PrintableString.
pub fn printable(text: &str) -> Vec<u8> {
    tlv(&[0x13], text.as_bytes())
}

/// UTCTime from "YYMMDDHHMMSSZ".
pub fn utc_time(text: &str) -> Vec<u8> {
    tlv(&[0x17], text.as_bytes())
}

/// BOOLEAN TRUE.
pub fn true_() -> Vec<u8> {
    vec![0x01, 0x01, 0xFF]
}

/// NULL.
pub fn null() -> Vec<u8> {
    vec![0x05, 0x00]
}

/// AlgorithmIdentifier without parameters.
pub fn algorithm(dotted: &str) -> Vec<u8> {
    seq(&[&oid(dotted)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_der() {
        assert_eq!(oid("1.2.840.113549.1.7.2"), [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]);
        assert_eq!(oid_content("0.4.0.127.0.7.2.2.4.2.2"), crate::pace::ECDH_GM_AES_128);
        assert_eq!(int(0), [0x02, 0x01, 0x00]);
        assert_eq!(int(128), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[0, 0, 0x7F]), [0x02, 0x01, 0x7F]);
        assert_eq!(length(300), [0x82, 0x01, 0x2C]);
        assert_eq!(set_of(&[&int(2), &int(1)]), [0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]);
        let nested = seq(&[&int(1), &octets(&[0xAB; 200])]);
        let parsed = crate::tlv::parse(&nested).unwrap();
        assert_eq!(parsed.tag, 0x30);
        assert_eq!(parsed.raw.len(), nested.len());
    }
}
