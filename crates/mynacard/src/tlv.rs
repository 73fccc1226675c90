//! BER-TLV reading (and minimal writing) as the My Number card writes it: multi-byte tags (`FF 20`, `DF 27`, also
//! for tag numbers below 31), short lengths and `81`/`82` long lengths, including non-minimal `82 00 xx`
//! (card-protocol.md §7.1). Used for the 券面AP front EF and for DER certificate headers.
//! Deliberately not here: a general ASN.1 model — certificates are parsed by `x509-parser`.

/// Errors of TLV parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    #[error("input ended inside a TLV")]
    Truncated,
    #[error("tag longer than 4 bytes")]
    TagTooLong,
    #[error("unsupported length encoding")]
    BadLength,
}

/// One TLV element borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag bytes as a big-endian number (e.g. `0xFF20`, `0xDF27`, `0x30`).
    pub tag: u32,
    pub value: &'a [u8],
    /// Bytes taken by tag + length (the header).
    pub header_len: usize,
}

/// Parse tag and length only; returns (tag, header length, value length). Works on a partial read (e.g. the first
/// 4–7 bytes of an EF) so the total size of a file can be learned from its header.
pub fn parse_header(input: &[u8]) -> Result<(u32, usize, usize), TlvError> {
    let first = *input.first().ok_or(TlvError::Truncated)?;
    let mut tag = u32::from(first);
    let mut pos = 1;
    if first & 0x1F == 0x1F {
        // high-tag form: continuation bytes while b8 is set
        loop {
            let b = *input.get(pos).ok_or(TlvError::Truncated)?;
            pos += 1;
            if pos > 4 {
                return Err(TlvError::TagTooLong);
            }
            tag = (tag << 8) | u32::from(b);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let l0 = *input.get(pos).ok_or(TlvError::Truncated)?;
    pos += 1;
    let len = match l0 {
        0x00..=0x7F => usize::from(l0),
        0x81..=0x83 => {
            let n = usize::from(l0 & 0x7F);
            let bytes = input.get(pos..pos + n).ok_or(TlvError::Truncated)?;
            pos += n;
            bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
        }
        _ => return Err(TlvError::BadLength),
    };
    Ok((tag, pos, len))
}

/// Parse one TLV at the start of `input`; returns it and the rest.
pub fn parse(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let (tag, header_len, len) = parse_header(input)?;
    let end = header_len.checked_add(len).ok_or(TlvError::BadLength)?;
    let value = input.get(header_len..end).ok_or(TlvError::Truncated)?;
    let rest = input.get(end..).ok_or(TlvError::Truncated)?;
    Ok((
        Tlv {
            tag,
            value,
            header_len,
        },
        rest,
    ))
}

/// Parse a sequence of TLVs filling `input` exactly.
pub fn parse_all(mut input: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (tlv, rest) = parse(input)?;
        out.push(tlv);
        input = rest;
    }
    Ok(out)
}

/// Find the first direct child with `tag` inside a constructed value.
pub fn find(value: &[u8], tag: u32) -> Result<Option<&[u8]>, TlvError> {
    Ok(parse_all(value)?
        .into_iter()
        .find(|t| t.tag == tag)
        .map(|t| t.value))
}

/// Total size of a DER/BER object from its first bytes (at least the full header).
pub fn total_len_from_header(header: &[u8]) -> Result<usize, TlvError> {
    let (_, h, len) = parse_header(header)?;
    h.checked_add(len).ok_or(TlvError::BadLength)
}

/// Encode a TLV the way the card does: short length below 128, else `82 HH LL` (even below 256).
pub fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = tag.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
    if out.is_empty() {
        out.push(0);
    }
    if value.len() < 0x80 {
        out.push(value.len() as u8);
    } else {
        out.push(0x82);
        out.extend_from_slice(&(value.len().min(0xFFFF) as u16).to_be_bytes());
    }
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_style_tags_and_lengths_parse() {
        // FF 20 82 00 06 { DF 27 03 'a' 'b' 'c' } — non-minimal 82-form length as on the card
        let ef = [0xFF, 0x20, 0x82, 0x00, 0x06, 0xDF, 0x27, 0x03, b'a', b'b', b'c'];
        let (outer, rest) = parse(&ef).unwrap();
        assert_eq!((outer.tag, outer.header_len, rest.len()), (0xFF20, 5, 0));
        assert_eq!(find(outer.value, 0xDF27).unwrap(), Some(&b"abc"[..]));
    }

    #[test]
    fn certificate_size_comes_from_its_four_byte_header() {
        assert_eq!(total_len_from_header(&[0x30, 0x82, 0x06, 0x1F]).unwrap(), 1571);
    }

    #[test]
    fn encode_round_trips_long_values() {
        let v = vec![7u8; 300];
        let e = encode(0xDF27, &v);
        assert_eq!(&e[..5], &[0xDF, 0x27, 0x82, 0x01, 0x2C]);
        assert_eq!(parse(&e).unwrap().0.value, &v[..]);
    }
}
