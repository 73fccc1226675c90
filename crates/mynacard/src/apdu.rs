//! ISO/IEC 7816-4 command and response APDUs, and typed status words.
//!
//! Commands encode short (Lc/Le ≤ 255/256) or extended (up to 65535/65536) forms automatically; the parser accepts
//! every case 1–4 form in both lengths. Deliberately not here: secure messaging, chaining, GET RESPONSE (the My
//! Number card never answers `61xx`, card-protocol.md §1.1).

/// Errors of APDU parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    #[error("command APDU shorter than 4 bytes")]
    TooShort,
    #[error("malformed Lc/Le encoding")]
    BadLength,
    #[error("response APDU shorter than 2 bytes (no status word)")]
    NoStatus,
    #[error("data too long for an APDU ({0} bytes)")]
    DataTooLong(usize),
}

/// A command APDU. `le`: `None` = no response data expected; `Some(n)` with n in 1..=65536.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    pub le: Option<u32>,
}

/// A command's data is wiped when it is dropped: a VERIFY carries a PIN or 照合番号B, and no copy of it should
/// linger in freed memory (#13 §7). Every parse and build of a command goes through this type.
impl Drop for Command {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.data);
    }
}

impl std::fmt::Debug for Command {
    /// Redacts VERIFY data (PINs, 照合番号B) so a `{:?}` in a log can never leak them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", trace(self))
    }
}

/// Hex trace of a command for logs; the data of a VERIFY (INS 20) is replaced by `<redacted N bytes>`.
pub fn trace(cmd: &Command) -> String {
    let head = format!("{:02X} {:02X} {:02X} {:02X}", cmd.cla, cmd.ins, cmd.p1, cmd.p2);
    let data = if cmd.data.is_empty() {
        String::new()
    } else if cmd.ins == ins::VERIFY {
        format!(" <redacted {} bytes>", cmd.data.len())
    } else {
        format!(" {}", hex::encode_upper(&cmd.data))
    };
    let le = cmd.le.map(|le| format!(" Le={le}")).unwrap_or_default();
    format!("{head}{data}{le}")
}

/// Instruction bytes used by this crate.
pub mod ins {
    pub const SELECT: u8 = 0xA4;
    pub const READ_BINARY: u8 = 0xB0;
    pub const VERIFY: u8 = 0x20;
    /// COMPUTE DIGITAL SIGNATURE (JPKI, CLA 80).
    pub const SIGN: u8 = 0x2A;
}

impl Command {
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Command {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }
    pub fn with_data(mut self, data: &[u8]) -> Self {
        self.data = data.to_vec();
        self
    }
    pub fn with_le(mut self, le: u32) -> Self {
        self.le = Some(le);
        self
    }

    /// SELECT DF by name (AID), no response data (`00 A4 04 0C`).
    pub fn select_df(aid: &[u8]) -> Self {
        Command::new(0x00, ins::SELECT, 0x04, 0x0C).with_data(aid)
    }
    /// SELECT EF by file id under the current DF (`00 A4 02 0C`).
    pub fn select_ef(fid: u16) -> Self {
        Command::new(0x00, ins::SELECT, 0x02, 0x0C).with_data(&fid.to_be_bytes())
    }
    /// READ BINARY from the current EF at a 15-bit offset.
    pub fn read_binary(offset: u16, le: u32) -> Self {
        let [p1, p2] = (offset & 0x7FFF).to_be_bytes();
        Command::new(0x00, ins::READ_BINARY, p1, p2).with_le(le)
    }
    /// VERIFY against the selected PIN EF (`00 20 00 80`); empty data = status query (tries left).
    pub fn verify(data: &[u8]) -> Self {
        Command::new(0x00, ins::VERIFY, 0x00, 0x80).with_data(data)
    }
    /// COMPUTE DIGITAL SIGNATURE over a DigestInfo with the selected key (`80 2A 00 80 … 00`).
    pub fn sign(digest_info: &[u8]) -> Self {
        Command::new(0x80, ins::SIGN, 0x00, 0x80)
            .with_data(digest_info)
            .with_le(256)
    }

    /// True when this command needs the extended-length form.
    pub fn is_extended(&self) -> bool {
        self.data.len() > 255 || self.le.is_some_and(|le| le > 256)
    }

    /// Encode to bytes (short form when possible, else extended).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        if self.data.len() > 65535 {
            return Err(ApduError::DataTooLong(self.data.len()));
        }
        if self.le.is_some_and(|le| le == 0 || le > 65536) {
            return Err(ApduError::BadLength);
        }
        let n = self.data.len();
        // Sized once, so the PIN is never left behind in a buffer that grew and moved (header 4, Lc ≤ 3, Le ≤ 3).
        let mut out = Vec::with_capacity(4 + 3 + n + 3);
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if !self.is_extended() {
            if n > 0 {
                out.push(n as u8);
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                out.push(if le == 256 { 0 } else { le as u8 });
            }
        } else {
            out.push(0);
            if n > 0 {
                out.extend_from_slice(&(n as u16).to_be_bytes());
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                let v = if le == 65536 { 0u16 } else { le as u16 };
                out.extend_from_slice(&v.to_be_bytes());
            }
        }
        Ok(out)
    }

    /// Parse a command APDU (all ISO 7816-3 cases, short and extended).
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        let (header, body) = bytes.split_at_checked(4).ok_or(ApduError::TooShort)?;
        let mut cmd = Command::new(header[0], header[1], header[2], header[3]);
        match body {
            [] => {}
            // case 2 short
            [le] => cmd.le = Some(if *le == 0 { 256 } else { u32::from(*le) }),
            [0, rest @ ..] if rest.len() >= 2 => {
                // extended forms
                let (lc_or_le, after) = rest.split_at(2);
                let v = u32::from(u16::from_be_bytes([lc_or_le[0], lc_or_le[1]]));
                if after.is_empty() {
                    cmd.le = Some(if v == 0 { 65536 } else { v });
                } else {
                    let lc = v as usize;
                    if lc == 0 {
                        return Err(ApduError::BadLength);
                    }
                    let data = after.get(..lc).ok_or(ApduError::BadLength)?;
                    cmd.data = data.to_vec();
                    match after.get(lc..) {
                        Some([]) => {}
                        Some([a, b]) => {
                            let le = u32::from(u16::from_be_bytes([*a, *b]));
                            cmd.le = Some(if le == 0 { 65536 } else { le });
                        }
                        _ => return Err(ApduError::BadLength),
                    }
                }
            }
            [lc, rest @ ..] => {
                let lc = usize::from(*lc);
                if lc == 0 {
                    return Err(ApduError::BadLength);
                }
                let data = rest.get(..lc).ok_or(ApduError::BadLength)?;
                cmd.data = data.to_vec();
                match rest.get(lc..) {
                    Some([]) => {}
                    Some([le]) => cmd.le = Some(if *le == 0 { 256 } else { u32::from(*le) }),
                    _ => return Err(ApduError::BadLength),
                }
            }
        }
        Ok(cmd)
    }
}

/// A status word (SW1 SW2), typed. Callers match on variants, never on bare integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusWord {
    /// `90 00`
    Ok,
    /// `63 Cx` — verification failed / status query; x = tries left.
    TriesLeft(u8),
    /// `69 84` — referenced data (PIN) blocked (JICSAP; the card's answer after a lock-out).
    Blocked,
    /// `69 83` — ISO "authentication method blocked" (not used by the card, kept distinct).
    AuthMethodBlocked,
    /// `69 82` — security status not satisfied (PIN not verified).
    SecurityNotSatisfied,
    /// `69 86` — command not allowed, no current EF.
    NoCurrentEf,
    /// `6A 82` — file or application not found.
    NotFound,
    /// `6A 86` — incorrect P1/P2.
    WrongP1P2,
    /// `6B 00` — offset outside the EF.
    OffsetOutOfRange,
    /// `67 00` — wrong length.
    WrongLength,
    /// `6C xx` — wrong Le; xx = exact length available.
    WrongLe(u8),
    /// `6D 00` — instruction not supported.
    InsNotSupported,
    /// `6E 00` — class not supported.
    ClaNotSupported,
    /// `68 81` — logical channel not supported.
    ChannelNotSupported,
    /// Anything else.
    Unknown(u16),
}

impl StatusWord {
    pub fn from_u16(sw: u16) -> Self {
        let [sw1, sw2] = sw.to_be_bytes();
        match (sw1, sw2) {
            (0x90, 0x00) => StatusWord::Ok,
            (0x63, x) if x & 0xF0 == 0xC0 => StatusWord::TriesLeft(x & 0x0F),
            (0x69, 0x84) => StatusWord::Blocked,
            (0x69, 0x83) => StatusWord::AuthMethodBlocked,
            (0x69, 0x82) => StatusWord::SecurityNotSatisfied,
            (0x69, 0x86) => StatusWord::NoCurrentEf,
            (0x6A, 0x82) => StatusWord::NotFound,
            (0x6A, 0x86) => StatusWord::WrongP1P2,
            (0x6B, 0x00) => StatusWord::OffsetOutOfRange,
            (0x67, 0x00) => StatusWord::WrongLength,
            (0x6C, x) => StatusWord::WrongLe(x),
            (0x6D, 0x00) => StatusWord::InsNotSupported,
            (0x6E, 0x00) => StatusWord::ClaNotSupported,
            (0x68, 0x81) => StatusWord::ChannelNotSupported,
            _ => StatusWord::Unknown(sw),
        }
    }

    pub fn to_u16(self) -> u16 {
        match self {
            StatusWord::Ok => 0x9000,
            StatusWord::TriesLeft(x) => 0x63C0 | u16::from(x & 0x0F),
            StatusWord::Blocked => 0x6984,
            StatusWord::AuthMethodBlocked => 0x6983,
            StatusWord::SecurityNotSatisfied => 0x6982,
            StatusWord::NoCurrentEf => 0x6986,
            StatusWord::NotFound => 0x6A82,
            StatusWord::WrongP1P2 => 0x6A86,
            StatusWord::OffsetOutOfRange => 0x6B00,
            StatusWord::WrongLength => 0x6700,
            StatusWord::WrongLe(x) => 0x6C00 | u16::from(x),
            StatusWord::InsNotSupported => 0x6D00,
            StatusWord::ClaNotSupported => 0x6E00,
            StatusWord::ChannelNotSupported => 0x6881,
            StatusWord::Unknown(sw) => sw,
        }
    }
}

impl std::fmt::Display for StatusWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04X} ({:?})", self.to_u16(), self)
    }
}

/// A response APDU: data and status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: StatusWord,
}

impl Response {
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Response { data, sw }
    }
    pub fn status(sw: StatusWord) -> Self {
        Response { data: Vec::new(), sw }
    }
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        let split = bytes.len().checked_sub(2).ok_or(ApduError::NoStatus)?;
        let (data, sw) = bytes.split_at(split);
        let sw = u16::from_be_bytes([sw[0], sw[1]]);
        Ok(Response {
            data: data.to_vec(),
            sw: StatusWord::from_u16(sw),
        })
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.data.clone();
        out.extend_from_slice(&self.sw.to_u16().to_be_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wipe of a command's data (a VERIFY's PIN) is a `Drop` impl of `Command` itself: this compiles only
    /// while that impl exists (freed memory cannot be looked at without `unsafe`, which the workspace forbids).
    #[test]
    #[allow(drop_bounds)]
    fn a_command_wipes_its_data_when_dropped() {
        fn has_own_drop<T: Drop>() {}
        has_own_drop::<Command>();
    }

    #[test]
    fn short_and_extended_commands_round_trip() {
        for cmd in [
            Command::select_df(&[0xD3, 0x92]),
            Command::read_binary(4, 1567),
            Command::read_binary(0, 256),
            Command::read_binary(0, 65536),
            Command::verify(&[]),
            Command::sign(&[0x30; 51]),
            Command::new(0, 0xB0, 0, 0).with_data(&[1; 300]).with_le(65536),
        ] {
            let bytes = cmd.to_bytes().unwrap();
            assert_eq!(Command::parse(&bytes).unwrap(), cmd, "{bytes:02X?}");
        }
    }

    #[test]
    fn extended_read_binary_encodes_as_the_real_trace() {
        // card-protocol.md §4.2: `00 B0 00 04 00 06 1F`
        assert_eq!(
            Command::read_binary(4, 0x061F).to_bytes().unwrap(),
            vec![0x00, 0xB0, 0x00, 0x04, 0x00, 0x06, 0x1F]
        );
    }

    #[test]
    fn status_words_round_trip_and_unknown_is_kept() {
        for sw in [0x9000u16, 0x63C2, 0x6984, 0x6A82, 0x6D00, 0x1234, 0x6C10] {
            assert_eq!(StatusWord::from_u16(sw).to_u16(), sw);
        }
        assert_eq!(StatusWord::from_u16(0x1234), StatusWord::Unknown(0x1234));
        assert_eq!(StatusWord::from_u16(0x63C1), StatusWord::TriesLeft(1));
    }

    #[test]
    fn verify_trace_never_shows_the_pin() {
        let t = trace(&Command::verify(b"1234"));
        assert!(!t.contains("31323334") && t.contains("redacted"), "{t}");
        assert!(!format!("{:?}", Command::verify(b"1234")).contains("3132"));
    }
}
