//! A virtual My Number card that behaves like the real one at the APDU level (card-protocol.md §14), built from a
//! persona: JPKI AP with a real RSA-2048 key and a test-CA-issued auth certificate, auth PIN with a persisted try
//! counter, the 券面AP front EF with the JPEG 2000 photo behind 照合番号B, and the OpenSC-relevant quirks.
//!
//! Usable in-process as a `Transport`, or served to pcscd by `vpcd::VpcdCard`. Deliberately not here: the
//! 券面事項入力補助AP and any My Number data — the virtual card simply has none (foreign AIDs answer `6A82`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde::{Deserialize, Serialize};

use crate::apdu::{ins, Command, Response, StatusWord};
use crate::card::{ef, JPKI_AID, KENKAKU_AID, TOKEN_ANDROID, TOKEN_CARD};
use crate::persona::{CardKind, Persona, PersonaError, Sex};
use crate::tlv;
use crate::transport::{CardError, Transport, TxBody};

/// Contactless ATR a PC/SC Part 3 reader synthesises for a real My Number card.
pub const ATR_CONTACTLESS: [u8; 13] = [
    0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x41, 0xE0, 0xB3, 0x81, 0xA1, 0x00, 0x3B,
];
/// Contact 住基カード ATR (the one OpenSC's JPKI driver matches directly).
pub const ATR_JUKI_CONTACT: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

/// 住基AP and the "common" DF: answer SELECT only (card-protocol.md §9).
const OTHER_AIDS: [[u8; 10]; 2] = [
    [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01],
    [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00],
];
const SIGN_PIN_EF: u16 = 0x001B;
const SIGN_KEY_EF: u16 = 0x001A;
const SIGN_CERT_EF: u16 = 0x0001;
const SIGN_CA_EF: u16 = 0x0002;
const CHECK_B_MAX: u8 = 3;
const SIGN_PIN_MAX: u8 = 5;

/// The auth PIN's try counter: the published rule the real card implements (reception's rules table, S003 Q1).
fn auth_pin_max() -> u8 {
    reception::rules::pin_tries()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Df {
    Jpki,
    Kenkaku,
    Other,
}

/// APDU counters on the card side (for benchmarks and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardStats {
    pub apdus: u64,
    pub read_binary: u64,
    pub verify: u64,
}

/// Persisted PIN counters, per persona (`[auth_pin_tries]` and `[check_code_b_tries]` tables).
#[derive(Debug, Default, Serialize, Deserialize)]
struct StateFile {
    #[serde(default)]
    auth_pin_tries: BTreeMap<String, u8>,
    #[serde(default)]
    check_code_b_tries: BTreeMap<String, u8>,
}

impl StateFile {
    fn load(path: &Path) -> StateFile {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|s| toml::from_str(&s).ok())
            .unwrap_or_default()
    }
    fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = toml::to_string(self).map_err(std::io::Error::other)?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(tmp, path)
    }
}

/// Default state file: `$XDG_DATA_HOME/uketsuke/virtual-card-state.toml` (or `~/.local/share/…`).
pub fn default_state_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join("uketsuke").join("virtual-card-state.toml"))
}

/// Reset a persona's persisted counters to the persona's own starting values (training "reset" command).
pub fn reset_pin_counter(state_path: &Path, persona_id: &str) -> std::io::Result<()> {
    let mut st = StateFile::load(state_path);
    st.auth_pin_tries.remove(persona_id);
    st.check_code_b_tries.remove(persona_id);
    st.save(state_path)
}

/// The virtual card.
pub struct VirtualCard {
    persona: Persona,
    atr: Vec<u8>,
    auth_cert: Vec<u8>,
    ca_cert: Vec<u8>,
    key: RsaPrivateKey,
    front_ef: Vec<u8>,
    token: Vec<u8>,
    pin: Option<zeroize::Zeroizing<String>>,
    check_b: zeroize::Zeroizing<String>,
    auth_tries: u8,
    b_tries: u8,
    sign_tries: u8,
    state_path: Option<PathBuf>,
    // volatile security state (cleared by power off/on, reset and any DF select)
    df: Option<Df>,
    ef: Option<u16>,
    auth_verified: bool,
    b_verified: bool,
    stats: CardStats,
    /// Test hook: answer nothing (vpcd drops the connection) at this APDU count.
    pub(crate) vanish_at: Option<u64>,
}

impl std::fmt::Debug for VirtualCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualCard")
            .field("persona", &self.persona.id)
            .field("auth_tries", &self.auth_tries)
            .finish()
    }
}

impl VirtualCard {
    /// Build the card of a persona for the training day `today`. `state_path`: where PIN counters persist.
    pub fn from_persona(
        persona: &Persona,
        today: NaiveDate,
        state_path: Option<PathBuf>,
    ) -> Result<Self, PersonaError> {
        let key_pem =
            crate::pki::persona_key_pem(&persona.id).ok_or_else(|| PersonaError::Key(persona.id.clone()))?;
        let (nb, na) = persona.cert_validity(today)?;
        let auth_cert = crate::pki::issue_auth_cert(key_pem, persona.cert.serial, nb, na)?;
        let key = crate::pki::parse_private_key(key_pem)?;
        let ca_cert = crate::pki::test_ca_cert_der()?;
        let token_str = match persona.card_kind {
            CardKind::Smartphone => TOKEN_ANDROID,
            _ => TOKEN_CARD,
        };
        let mut token = format!("{token_str:<32}").into_bytes();
        token.truncate(32);
        let b = &persona.check_code_b;
        let check_b = format!(
            "{:02}{:02}{:02}{:04}{}",
            persona.birth_date.year().rem_euclid(100),
            persona.birth_date.month(),
            persona.birth_date.day(),
            b.card_expiry_year,
            b.security_code
        );
        let state = state_path.as_deref().map(StateFile::load).unwrap_or_default();
        let auth_tries = state
            .auth_pin_tries
            .get(&persona.id)
            .copied()
            .unwrap_or(persona.pin.tries_left);
        let b_tries = state
            .check_code_b_tries
            .get(&persona.id)
            .copied()
            .unwrap_or(CHECK_B_MAX);
        Ok(VirtualCard {
            front_ef: build_front_ef(persona)?,
            atr: ATR_CONTACTLESS.to_vec(),
            auth_cert,
            ca_cert,
            key,
            token,
            pin: persona.pin.value.clone().map(zeroize::Zeroizing::new),
            check_b: zeroize::Zeroizing::new(check_b),
            auth_tries: auth_tries.min(auth_pin_max()),
            b_tries: b_tries.min(CHECK_B_MAX),
            sign_tries: SIGN_PIN_MAX,
            state_path,
            df: None,
            ef: None,
            auth_verified: false,
            b_verified: false,
            stats: CardStats::default(),
            vanish_at: None,
            persona: persona.clone(),
        })
    }

    /// Shortcut: a built-in persona by id.
    pub fn builtin(id: &str, today: NaiveDate, state_path: Option<PathBuf>) -> Result<Self, PersonaError> {
        VirtualCard::from_persona(&Persona::builtin(id)?, today, state_path)
    }

    pub fn persona(&self) -> &Persona {
        &self.persona
    }
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }
    pub fn set_atr(&mut self, atr: &[u8]) {
        self.atr = atr.to_vec();
    }
    pub fn auth_cert_der(&self) -> &[u8] {
        &self.auth_cert
    }
    pub fn auth_pin_tries_left(&self) -> u8 {
        self.auth_tries
    }
    pub fn stats(&self) -> CardStats {
        self.stats
    }
    pub fn reset_stats(&mut self) {
        self.stats = CardStats::default();
    }
    /// Test hook for "card removed mid-read": the vpcd client drops the connection instead of answering APDU `n`
    /// (counted from now).
    pub fn vanish_after(&mut self, n: u64) {
        self.vanish_at = Some(self.stats.apdus + n);
    }

    /// Power off, power on and reset all clear the volatile security state.
    pub fn power_cycle(&mut self) {
        self.df = None;
        self.ef = None;
        self.auth_verified = false;
        self.b_verified = false;
    }

    /// Process one raw command APDU and return the raw response.
    pub fn process(&mut self, raw: &[u8]) -> Vec<u8> {
        self.stats.apdus += 1;
        let resp = match Command::parse(raw) {
            Ok(cmd) => self.dispatch(&cmd),
            Err(_) => Response::status(StatusWord::WrongLength),
        };
        resp.to_bytes()
    }

    fn dispatch(&mut self, cmd: &Command) -> Response {
        if cmd.cla & 0x03 != 0 {
            return Response::status(StatusWord::ChannelNotSupported);
        }
        match (cmd.cla, cmd.ins) {
            (0x00, ins::SELECT) => self.select(cmd),
            (0x00, ins::READ_BINARY) => self.read_binary(cmd),
            (0x00, ins::VERIFY) => self.verify(cmd),
            (0x80, ins::SIGN) => self.sign(cmd),
            (0x00 | 0x80, _) => Response::status(StatusWord::InsNotSupported),
            _ => Response::status(StatusWord::ClaNotSupported),
        }
    }

    fn ef_exists(&self, df: Df, fid: u16) -> bool {
        match df {
            Df::Jpki => match fid {
                ef::AUTH_PIN => self.pin.is_some(),
                ef::AUTH_CERT | ef::AUTH_CA_CERT | ef::TOKEN | ef::AUTH_KEY => true,
                SIGN_CERT_EF | SIGN_CA_EF | SIGN_KEY_EF | SIGN_PIN_EF => true,
                _ => false,
            },
            Df::Kenkaku => matches!(fid, ef::FRONT | ef::CHECK_CODE_B),
            Df::Other => false,
        }
    }

    fn select(&mut self, cmd: &Command) -> Response {
        match cmd.p1 {
            0x04 => {
                let df = if cmd.data == JPKI_AID {
                    Some(Df::Jpki)
                } else if cmd.data == KENKAKU_AID && self.persona.card_kind != CardKind::Smartphone {
                    Some(Df::Kenkaku)
                } else if OTHER_AIDS.iter().any(|a| cmd.data == a) {
                    Some(Df::Other)
                } else {
                    None
                };
                match df {
                    Some(df) => {
                        // A DF select clears the current EF and every verified flag.
                        self.power_cycle();
                        self.df = Some(df);
                        Response::status(StatusWord::Ok)
                    }
                    None => Response::status(StatusWord::NotFound),
                }
            }
            0x02 => {
                let fid = match cmd.data.as_slice() {
                    [hi, lo] => u16::from_be_bytes([*hi, *lo]),
                    _ => return Response::status(StatusWord::WrongLength),
                };
                match self.df {
                    Some(df) if self.ef_exists(df, fid) => {
                        self.ef = Some(fid);
                        Response::status(StatusWord::Ok)
                    }
                    _ => Response::status(StatusWord::NotFound),
                }
            }
            _ => Response::status(StatusWord::WrongP1P2),
        }
    }

    /// Content of a readable EF, or the status that refuses it.
    fn ef_content(&self, df: Df, fid: u16) -> Result<&[u8], StatusWord> {
        match (df, fid) {
            (Df::Jpki, ef::AUTH_CERT) => Ok(&self.auth_cert),
            (Df::Jpki, ef::AUTH_CA_CERT | SIGN_CA_EF) => Ok(&self.ca_cert),
            (Df::Jpki, ef::TOKEN) => Ok(&self.token),
            // The signature certificate needs the signature password, which this card never accepts.
            (Df::Jpki, SIGN_CERT_EF) => Err(StatusWord::SecurityNotSatisfied),
            (Df::Kenkaku, ef::FRONT) if self.b_verified => Ok(&self.front_ef),
            (Df::Kenkaku, ef::FRONT) => Err(StatusWord::SecurityNotSatisfied),
            (d, f) if self.ef_exists(d, f) => Err(StatusWord::Unknown(0x6981)),
            _ => Err(StatusWord::NotFound),
        }
    }

    fn read_binary(&mut self, cmd: &Command) -> Response {
        self.stats.read_binary += 1;
        let Some(df) = self.df else {
            return Response::status(StatusWord::NoCurrentEf);
        };
        let (fid, offset) = if cmd.p1 & 0x80 != 0 {
            let fid = u16::from(cmd.p1 & 0x1F);
            if !self.ef_exists(df, fid) {
                return Response::status(StatusWord::NotFound);
            }
            self.ef = Some(fid);
            (fid, usize::from(cmd.p2))
        } else {
            match self.ef {
                Some(fid) => (fid, usize::from(u16::from_be_bytes([cmd.p1 & 0x7F, cmd.p2]))),
                None => return Response::status(StatusWord::NoCurrentEf),
            }
        };
        let Some(le) = cmd.le else {
            return Response::status(StatusWord::WrongLength);
        };
        match self.ef_content(df, fid) {
            Err(sw) => Response::status(sw),
            Ok(content) if offset >= content.len() => Response::status(StatusWord::OffsetOutOfRange),
            Ok(content) => {
                let end = offset.saturating_add(le as usize).min(content.len());
                Response::new(
                    content.get(offset..end).unwrap_or_default().to_vec(),
                    StatusWord::Ok,
                )
            }
        }
    }

    fn verify(&mut self, cmd: &Command) -> Response {
        self.stats.verify += 1;
        if cmd.p1 != 0 {
            return Response::status(StatusWord::WrongP1P2);
        }
        let fid = match cmd.p2 {
            0x80 => match self.ef {
                Some(f) => f,
                None => return Response::status(StatusWord::NoCurrentEf),
            },
            p2 if p2 & 0x80 != 0 => u16::from(p2 & 0x1F),
            _ => return Response::status(StatusWord::WrongP1P2),
        };
        let Some(df) = self.df else {
            return Response::status(StatusWord::NoCurrentEf);
        };
        if !self.ef_exists(df, fid) {
            return Response::status(StatusWord::NotFound);
        }
        match (df, fid) {
            (Df::Jpki, ef::AUTH_PIN) => {
                let expected = self
                    .pin
                    .as_ref()
                    .map(|p| p.as_bytes().to_vec())
                    .unwrap_or_default();
                let (sw, tries, ok) = check_secret(&cmd.data, &expected, self.auth_tries, auth_pin_max());
                if tries != self.auth_tries {
                    self.auth_tries = tries;
                    self.persist();
                }
                self.auth_verified = ok;
                Response::status(sw)
            }
            (Df::Kenkaku, ef::CHECK_CODE_B) => {
                let expected = self.check_b.as_bytes().to_vec();
                let (sw, tries, ok) = check_secret(&cmd.data, &expected, self.b_tries, CHECK_B_MAX);
                if tries != self.b_tries {
                    self.b_tries = tries;
                    self.persist();
                }
                self.b_verified = ok;
                Response::status(sw)
            }
            (Df::Jpki, SIGN_PIN_EF) => {
                // The signature password is never used by this app: status queries work (OpenSC asks at bind),
                // every attempt fails. Not persisted.
                let (sw, tries, _) = check_secret(&cmd.data, &[], self.sign_tries, SIGN_PIN_MAX);
                self.sign_tries = tries;
                Response::status(sw)
            }
            _ => Response::status(StatusWord::Unknown(0x6981)),
        }
    }

    fn sign(&mut self, cmd: &Command) -> Response {
        if cmd.p1 != 0x00 || cmd.p2 != 0x80 {
            return Response::status(StatusWord::WrongP1P2);
        }
        if self.df != Some(Df::Jpki) {
            return Response::status(StatusWord::NoCurrentEf);
        }
        match self.ef {
            Some(ef::AUTH_KEY) => {}
            Some(SIGN_KEY_EF) => return Response::status(StatusWord::SecurityNotSatisfied),
            _ => return Response::status(StatusWord::NoCurrentEf),
        }
        if !self.auth_verified || self.auth_tries == 0 {
            return Response::status(StatusWord::SecurityNotSatisfied);
        }
        if cmd.data.is_empty() || cmd.data.len() > 245 {
            return Response::status(StatusWord::WrongLength);
        }
        // EMSA-PKCS1-v1_5 type 1 over the given bytes (the host sends a DigestInfo).
        match self.key.sign(Pkcs1v15Sign::new_unprefixed(), &cmd.data) {
            Ok(sig) => Response::new(sig, StatusWord::Ok),
            Err(_) => Response::status(StatusWord::Unknown(0x6F00)),
        }
    }

    fn persist(&self) {
        let Some(path) = &self.state_path else { return };
        let mut st = StateFile::load(path);
        st.auth_pin_tries.insert(self.persona.id.clone(), self.auth_tries);
        st.check_code_b_tries
            .insert(self.persona.id.clone(), self.b_tries);
        if let Err(e) = st.save(path) {
            tracing::warn!(error = %e, path = %path.display(), "could not persist the virtual card's PIN counter");
        }
    }
}

/// VERIFY semantics: empty data = status; blocked → 6984; wrong → decrement + 63Cx; right → reset + 9000.
fn check_secret(given: &[u8], expected: &[u8], tries: u8, max: u8) -> (StatusWord, u8, bool) {
    if given.is_empty() {
        // Status query: keep answering 63Cx even when blocked (OpenSC's bind aborts on anything else).
        return (StatusWord::TriesLeft(tries), tries, false);
    }
    if tries == 0 {
        return (StatusWord::Blocked, 0, false);
    }
    if !expected.is_empty() && given == expected {
        (StatusWord::Ok, max, true)
    } else {
        let left = tries - 1;
        (StatusWord::TriesLeft(left), left, false)
    }
}

/// Front EF `FF 20 82 HH LL { DF21 offsets, DF22 birth date, DF23 sex, DF25 name, DF26 address, DF27 photo,
/// DF29 expiry year }`. Real cards carry PNG images of name and address; the virtual card carries UTF-8 text.
fn build_front_ef(p: &Persona) -> Result<Vec<u8>, PersonaError> {
    let sex = match p.sex {
        Sex::Male => "1",
        Sex::Female => "2",
    };
    let fields: Vec<Vec<u8>> = vec![
        tlv::encode(0xDF22, p.birth_date.format("%Y%m%d").to_string().as_bytes()),
        tlv::encode(0xDF23, sex.as_bytes()),
        tlv::encode(0xDF25, p.name.as_bytes()),
        tlv::encode(0xDF26, p.address.as_bytes()),
        tlv::encode(0xDF27, p.photo_jp2()?),
        tlv::encode(0xDF29, p.check_code_b.card_expiry_year.to_string().as_bytes()),
    ];
    // DF21: absolute offsets of the first four records (outer header 5 + DF21 TLV 11 bytes).
    let mut offsets = Vec::new();
    let mut pos = 5 + 11;
    for f in fields.iter().take(4) {
        offsets.extend_from_slice(&(pos as u16).to_be_bytes());
        pos += f.len();
    }
    let mut inner = tlv::encode(0xDF21, &offsets);
    for f in fields {
        inner.extend_from_slice(&f);
    }
    let mut out = vec![0xFF, 0x20, 0x82];
    out.extend_from_slice(&(inner.len().min(0xFFFF) as u16).to_be_bytes());
    out.extend_from_slice(&inner);
    Ok(out)
}

impl Transport for VirtualCard {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        Ok(self.process(command))
    }
    fn transaction(&mut self, body: TxBody<'_>) -> Result<(), CardError> {
        body(self)
    }
}
