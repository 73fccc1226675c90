//! Card operations the app uses: read the 利用者証明用電子証明書 (and its CA), PIN tries left, VERIFY, sign, read
//! the token EF, and read the card front (券面事項: face photo, birth date, sex, name and address) from the 券面AP
//! with 照合番号B — the only 券面AP file this crate reads.
//!
//! Every operation runs in one transaction and through the `Guarded` allow-list. Certificates and the front EF are
//! read with the fewest APDUs the card allows: a header read, then one extended READ BINARY for the rest, falling
//! back to 256-byte chunks if the reader refuses extended APDUs. Deliberately not here: the 署名用 certificate and
//! password, the 券面事項入力補助AP, and anything about the My Number.

use chrono::{DateTime, Duration, NaiveDateTime};
use sha2::{Digest, Sha256};

use crate::apdu::{Command, StatusWord};
use crate::guard::Guarded;
use crate::pin::{CheckCodeB, Pin};
use crate::tlv;
use crate::transport::{in_transaction, send, CardError, Transport};

/// 公的個人認証AP (JPKI AP).
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// 券面事項確認AP (券面AP) — holds the face photo.
pub const KENKAKU_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];

/// JPKI EF ids.
pub mod ef {
    pub const AUTH_CERT: u16 = 0x000A;
    pub const AUTH_CA_CERT: u16 = 0x000B;
    pub const TOKEN: u16 = 0x0006;
    pub const AUTH_KEY: u16 = 0x0017;
    pub const AUTH_PIN: u16 = 0x0018;
    /// 券面AP front (券面事項) EF.
    pub const FRONT: u16 = 0x0002;
    /// 券面AP 照合番号B.
    pub const CHECK_CODE_B: u16 = 0x0012;
}

/// SHA-256 DigestInfo prefix (RFC 8017 §9.2).
pub const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    0x04, 0x20,
];

/// Parsed facts of the 利用者証明用電子証明書 the reception rules need. Times are JST wall time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthCert {
    pub der: Vec<u8>,
    /// Serial number, big-endian bytes without leading zeros.
    pub serial: Vec<u8>,
    pub subject: String,
    pub issuer: String,
    pub not_before: NaiveDateTime,
    pub not_after: NaiveDateTime,
}

impl AuthCert {
    pub fn parse(der: &[u8]) -> Result<Self, CardError> {
        let (_, cert) =
            x509_parser::parse_x509_certificate(der).map_err(|e| CardError::Cert(e.to_string()))?;
        let jst = |t: &x509_parser::time::ASN1Time| -> Result<NaiveDateTime, CardError> {
            DateTime::from_timestamp(t.timestamp(), 0)
                .map(|utc| utc.naive_utc() + Duration::hours(9))
                .ok_or_else(|| CardError::Cert("time out of range".into()))
        };
        let raw = cert.raw_serial();
        let first = raw.iter().position(|b| *b != 0).unwrap_or(raw.len());
        Ok(AuthCert {
            der: der.to_vec(),
            serial: raw.get(first..).unwrap_or_default().to_vec(),
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            not_before: jst(&cert.validity().not_before)?,
            not_after: jst(&cert.validity().not_after)?,
        })
    }

    /// The serial as an integer when it fits (test certificates: 0x1000 + persona number).
    pub fn serial_u64(&self) -> Option<u64> {
        (self.serial.len() <= 8).then(|| self.serial.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b)))
    }
    pub fn serial_hex(&self) -> String {
        hex::encode_upper(&self.serial)
    }

    /// The subject public key (SubjectPublicKeyInfo DER), to verify signatures made by the card.
    pub fn public_key_der(&self) -> Result<Vec<u8>, CardError> {
        let (_, cert) =
            x509_parser::parse_x509_certificate(&self.der).map_err(|e| CardError::Cert(e.to_string()))?;
        Ok(cert.public_key().raw.to_vec())
    }
}

/// Auth PIN state, read without consuming a try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinStatus {
    TriesLeft(u8),
    Locked,
    /// No auth PIN on this card (the virtual face-only card: the PIN EF is absent).
    NotSet,
}

/// Outcome of a VERIFY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyOutcome {
    Ok,
    Wrong {
        tries_left: u8,
    },
    /// Blocked: the wrong attempt that used the last try, or any attempt after it.
    Locked,
}

/// Outcome of a PIN-protected signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOutcome {
    Signed(Vec<u8>),
    Refused(VerifyOutcome),
}

/// Outcome of the photo read with 照合番号B.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoOutcome {
    /// The JPEG 2000 face photo (DF27).
    Photo(Vec<u8>),
    Refused(VerifyOutcome),
}

/// Name or address as the card front carries it: a real card stores PNG images of the printed lines, the virtual
/// card stores UTF-8 text. Told apart by the PNG signature, not by guessing from the card kind.
#[derive(Clone, PartialEq, Eq)]
pub enum FrontText {
    Text(String),
    Png(Vec<u8>),
}

/// The PNG file signature (ISO/IEC 15948 §5.2).
pub const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

impl FrontText {
    /// Classify one DF25/DF26 value; `None` when it is empty or neither a PNG nor UTF-8 text.
    fn from_value(value: &[u8]) -> Option<FrontText> {
        if value.starts_with(&PNG_SIGNATURE) {
            return Some(FrontText::Png(value.to_vec()));
        }
        let text = std::str::from_utf8(value).ok()?.trim_end_matches(['\0', ' ']);
        (!text.is_empty()).then(|| FrontText::Text(text.to_owned()))
    }
}

// Debug shows the kind and size only: the front is personal data and must never end up in a log by accident.
impl std::fmt::Debug for FrontText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrontText::Text(t) => write!(f, "Text({} chars)", t.chars().count()),
            FrontText::Png(b) => write!(f, "Png({} bytes)", b.len()),
        }
    }
}

/// 券面事項 — what the card front shows, for the staff's 目視確認: parsed from the front EF `0002` only.
/// Fields other than the photo are optional because a card may lack them; nothing here is the My Number.
#[derive(Clone, PartialEq, Eq)]
pub struct CardFront {
    /// The JPEG 2000 face photo (DF27).
    pub photo: Vec<u8>,
    /// 生年月日 as the card writes it (DF22, e.g. `19900101`).
    pub birth_date: Option<String>,
    /// 性別 as the card writes it (DF23: `1` male, `2` female).
    pub sex: Option<String>,
    /// 氏名 (DF25).
    pub name: Option<FrontText>,
    /// 住所 (DF26).
    pub address: Option<FrontText>,
}

impl std::fmt::Debug for CardFront {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let len = |o: &Option<String>| o.as_ref().map(|s| s.chars().count());
        f.debug_struct("CardFront")
            .field("photo_bytes", &self.photo.len())
            .field("birth_date_chars", &len(&self.birth_date))
            .field("sex_chars", &len(&self.sex))
            .field("name", &self.name)
            .field("address", &self.address)
            .finish()
    }
}

impl CardFront {
    /// Parse the front EF `FF 20 82 HH LL { … }`. The photo is required (no photo → [`CardError::NoPhoto`]); the
    /// other records are taken when present and readable.
    pub fn parse(ef: &[u8]) -> Result<CardFront, CardError> {
        let (outer, _) = tlv::parse(ef)?;
        let records = tlv::parse_all(outer.value)?;
        let get = |tag: u32| records.iter().find(|r| r.tag == tag).map(|r| r.value);
        let text = |tag: u32| {
            get(tag)
                .and_then(|v| std::str::from_utf8(v).ok())
                .map(|s| s.trim_end_matches(['\0', ' ']).to_owned())
                .filter(|s| !s.is_empty())
        };
        Ok(CardFront {
            photo: get(0xDF27).ok_or(CardError::NoPhoto)?.to_vec(),
            birth_date: text(0xDF22),
            sex: text(0xDF23),
            name: get(0xDF25).and_then(FrontText::from_value),
            address: get(0xDF26).and_then(FrontText::from_value),
        })
    }
}

/// Outcome of the front read with 照合番号B.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontOutcome {
    Front(CardFront),
    Refused(VerifyOutcome),
}

/// Kind of JPKI token, from EF 0006.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// `JPKIAPICCTOKEN2` — My Number card.
    MyNumberCard,
    /// `JPKIAPICCTOKEN` — 住基カード.
    JukiCard,
    /// `JPKIAPGPSETOKEN` — Android smartphone (スマホ用電子証明書).
    AndroidPhone,
    /// `JPKIAPIOSTOKEN` — iPhone.
    IPhone,
    Other(String),
}

/// Token EF strings (first 32 bytes, ASCII padded with spaces).
pub const TOKEN_CARD: &str = "JPKIAPICCTOKEN2";
pub const TOKEN_ANDROID: &str = "JPKIAPGPSETOKEN";

/// A My Number card behind the privacy guard.
pub struct MynaCard<T: Transport> {
    t: Guarded<T>,
}

impl<T: Transport> MynaCard<T> {
    pub fn new(transport: T) -> Self {
        MynaCard {
            t: Guarded::new(transport),
        }
    }
    pub fn transport(&self) -> &T {
        self.t.inner()
    }
    /// The transport this card was made from. A `MynaCard` over a reader's connection holds it guarded
    /// ([`crate::PcscContext::connect`]), so this never reaches around the allow-list.
    pub fn transport_mut(&mut self) -> &mut T {
        self.t.inner_mut()
    }

    /// Read and parse the 利用者証明用電子証明書 (no PIN needed).
    pub fn read_auth_cert(&mut self) -> Result<AuthCert, CardError> {
        let der = in_transaction(&mut self.t, |t| {
            select_jpki(t)?;
            read_ef(t, ef::AUTH_CERT, "read auth certificate")
        })?;
        AuthCert::parse(&der)
    }

    /// Read the CA certificate of the auth certificate (DER).
    pub fn read_auth_ca_cert(&mut self) -> Result<Vec<u8>, CardError> {
        in_transaction(&mut self.t, |t| {
            select_jpki(t)?;
            read_ef(t, ef::AUTH_CA_CERT, "read auth CA certificate")
        })
    }

    /// Token kind (card / smartphone) from JPKI EF 0006.
    pub fn read_token(&mut self) -> Result<TokenKind, CardError> {
        let raw = in_transaction(&mut self.t, |t| {
            select_jpki(t)?;
            select_ef(t, ef::TOKEN, "select token EF")?;
            expect_ok(send(t, &Command::read_binary(0, 32))?, "read token EF")
        })?;
        let s = String::from_utf8_lossy(&raw)
            .trim_end_matches([' ', '\0'])
            .to_owned();
        Ok(match s.as_str() {
            TOKEN_CARD => TokenKind::MyNumberCard,
            "JPKIAPICCTOKEN" => TokenKind::JukiCard,
            TOKEN_ANDROID => TokenKind::AndroidPhone,
            "JPKIAPIOSTOKEN" => TokenKind::IPhone,
            _ => TokenKind::Other(s),
        })
    }

    /// Auth PIN tries left, without consuming one (`00 20 00 80`, case 1).
    pub fn pin_status(&mut self) -> Result<PinStatus, CardError> {
        in_transaction(&mut self.t, |t| {
            select_jpki(t)?;
            if !select_auth_pin(t)? {
                return Ok(PinStatus::NotSet);
            }
            let r = send(t, &Command::verify(&[]))?;
            match r.sw {
                StatusWord::TriesLeft(0) | StatusWord::Blocked => Ok(PinStatus::Locked),
                StatusWord::TriesLeft(n) => Ok(PinStatus::TriesLeft(n)),
                sw => Err(CardError::Status {
                    during: "PIN status",
                    sw,
                }),
            }
        })
    }

    /// VERIFY the auth PIN. A PIN that is not 4 digits is refused before the card is touched (no try used).
    pub fn verify_pin(&mut self, pin: &Pin) -> Result<VerifyOutcome, CardError> {
        pin.check_format()?;
        in_transaction(&mut self.t, |t| {
            select_jpki(t)?;
            if !select_auth_pin(t)? {
                return Err(CardError::Status {
                    during: "select auth PIN",
                    sw: StatusWord::NotFound,
                });
            }
            verify(t, pin.expose().as_bytes(), "verify auth PIN")
        })
    }

    /// VERIFY the auth PIN and sign a SHA-256 digest (as a DigestInfo) with the auth key, in one transaction.
    pub fn sign_sha256(&mut self, pin: &Pin, digest: &[u8; 32]) -> Result<SignOutcome, CardError> {
        pin.check_format()?;
        let mut digest_info = SHA256_DIGEST_INFO_PREFIX.to_vec();
        digest_info.extend_from_slice(digest);
        in_transaction(&mut self.t, |t| {
            select_jpki(t)?;
            if !select_auth_pin(t)? {
                return Err(CardError::Status {
                    during: "select auth PIN",
                    sw: StatusWord::NotFound,
                });
            }
            match verify(t, pin.expose().as_bytes(), "verify auth PIN")? {
                VerifyOutcome::Ok => {}
                refused => return Ok(SignOutcome::Refused(refused)),
            }
            select_ef(t, ef::AUTH_KEY, "select auth key")?;
            let sig = expect_ok(send(t, &Command::sign(&digest_info))?, "sign")?;
            Ok(SignOutcome::Signed(sig))
        })
    }

    /// Sign a SHA-256 digest with the auth key on a connection whose auth PIN was just verified with
    /// [`MynaCard::verify_pin`]. It does not re-select the JPKI AP (that would clear the verified state), so the
    /// caller never has to keep the PIN around between the VERIFY and the signature.
    pub fn sign_after_verify(&mut self, digest: &[u8; 32]) -> Result<SignOutcome, CardError> {
        let mut digest_info = SHA256_DIGEST_INFO_PREFIX.to_vec();
        digest_info.extend_from_slice(digest);
        in_transaction(&mut self.t, |t| {
            select_ef(t, ef::AUTH_KEY, "select auth key")?;
            // 69 82 here means the PIN was not verified on this connection: a caller bug or a card reset.
            let sig = expect_ok(send(t, &Command::sign(&digest_info))?, "sign after verify")?;
            Ok(SignOutcome::Signed(sig))
        })
    }

    /// Sign a message (hashed here with SHA-256).
    pub fn sign_message(&mut self, pin: &Pin, message: &[u8]) -> Result<SignOutcome, CardError> {
        let digest: [u8; 32] = Sha256::digest(message).into();
        self.sign_sha256(pin, &digest)
    }

    /// VERIFY 照合番号B on the 券面AP and read the JPEG 2000 face photo (DF27) from the front EF.
    pub fn read_photo(&mut self, code: &CheckCodeB) -> Result<PhotoOutcome, CardError> {
        Ok(match self.read_front(code)? {
            FrontOutcome::Front(front) => PhotoOutcome::Photo(front.photo),
            FrontOutcome::Refused(refused) => PhotoOutcome::Refused(refused),
        })
    }

    /// VERIFY 照合番号B on the 券面AP and read the front EF `0002` once: photo, birth date, sex, name, address.
    /// The same APDUs as [`MynaCard::read_photo`] — no other 券面AP file, never 照合番号A.
    pub fn read_front(&mut self, code: &CheckCodeB) -> Result<FrontOutcome, CardError> {
        let front = in_transaction(&mut self.t, |t| {
            let r = send(t, &Command::select_df(&KENKAKU_AID))?;
            match r.sw {
                StatusWord::Ok => {}
                StatusWord::NotFound => return Err(CardError::NoFrontAp),
                sw => {
                    return Err(CardError::Status {
                        during: "select 券面AP",
                        sw,
                    })
                }
            }
            select_ef(t, ef::CHECK_CODE_B, "select 照合番号B")?;
            match verify(t, code.as_bytes(), "verify 照合番号B")? {
                VerifyOutcome::Ok => {}
                refused => return Ok(Err(refused)),
            }
            Ok(Ok(read_ef(t, ef::FRONT, "read front EF")?))
        })?;
        match front {
            Err(refused) => Ok(FrontOutcome::Refused(refused)),
            Ok(bytes) => Ok(FrontOutcome::Front(CardFront::parse(&bytes)?)),
        }
    }
}

/// Extract DF27 (face photo) from the front EF `FF 20 82 HH LL { … }`.
pub fn photo_from_front_ef(ef: &[u8]) -> Result<Vec<u8>, CardError> {
    let (outer, _) = tlv::parse(ef)?;
    tlv::find(outer.value, 0xDF27)?
        .map(<[u8]>::to_vec)
        .ok_or(CardError::NoPhoto)
}

fn expect_ok(r: crate::apdu::Response, during: &'static str) -> Result<Vec<u8>, CardError> {
    match r.sw {
        StatusWord::Ok => Ok(r.data),
        sw => Err(CardError::Status { during, sw }),
    }
}

fn select_jpki(t: &mut dyn Transport) -> Result<(), CardError> {
    expect_ok(send(t, &Command::select_df(&JPKI_AID))?, "select JPKI AP").map(|_| ())
}

fn select_ef(t: &mut dyn Transport, fid: u16, during: &'static str) -> Result<(), CardError> {
    expect_ok(send(t, &Command::select_ef(fid))?, during).map(|_| ())
}

/// Select the auth PIN EF; `false` when the card has none (face-only virtual card).
fn select_auth_pin(t: &mut dyn Transport) -> Result<bool, CardError> {
    let r = send(t, &Command::select_ef(ef::AUTH_PIN))?;
    match r.sw {
        StatusWord::Ok => Ok(true),
        StatusWord::NotFound => Ok(false),
        sw => Err(CardError::Status {
            during: "select auth PIN",
            sw,
        }),
    }
}

fn verify(t: &mut dyn Transport, secret: &[u8], during: &'static str) -> Result<VerifyOutcome, CardError> {
    let r = send(t, &Command::verify(secret))?;
    match r.sw {
        StatusWord::Ok => Ok(VerifyOutcome::Ok),
        StatusWord::TriesLeft(0) | StatusWord::Blocked | StatusWord::AuthMethodBlocked => {
            Ok(VerifyOutcome::Locked)
        }
        StatusWord::TriesLeft(n) => Ok(VerifyOutcome::Wrong { tries_left: n }),
        sw => Err(CardError::Status { during, sw }),
    }
}

/// Header read size: enough for `30 82 HH LL` and `FF 20 82 HH LL`.
const HEADER_LE: u32 = 8;

/// Select an EF and read it whole: header, then one extended READ BINARY (or 256-byte chunks as a fallback).
fn read_ef(t: &mut dyn Transport, fid: u16, during: &'static str) -> Result<Vec<u8>, CardError> {
    select_ef(t, fid, during)?;
    let mut data = expect_ok(send(t, &Command::read_binary(0, HEADER_LE))?, during)?;
    let total = tlv::total_len_from_header(&data)?;
    if total > 0x7FFF {
        // READ BINARY offsets are 15-bit; nothing we read is this big.
        return Err(CardError::Status {
            during,
            sw: StatusWord::WrongLength,
        });
    }
    data.truncate(total);
    if data.len() < total && t.supports_extended() {
        let remaining = (total - data.len()) as u32;
        match send(t, &Command::read_binary(data.len() as u16, remaining)) {
            Ok(r) if r.sw == StatusWord::Ok && !r.data.is_empty() => data.extend_from_slice(&r.data),
            Ok(r) => tracing::debug!(sw = %r.sw, "extended READ BINARY refused; falling back to chunks"),
            Err(e @ (CardError::Removed | CardError::Reset | CardError::NoCard)) => return Err(e),
            Err(e) => tracing::debug!(error = %e, "extended READ BINARY failed; falling back to chunks"),
        }
    }
    while data.len() < total {
        let le = (total - data.len()).min(256) as u32;
        let chunk = expect_ok(send(t, &Command::read_binary(data.len() as u16, le))?, during)?;
        if chunk.is_empty() {
            return Err(CardError::Status {
                during,
                sw: StatusWord::OffsetOutOfRange,
            });
        }
        data.extend_from_slice(&chunk);
    }
    data.truncate(total);
    Ok(data)
}
