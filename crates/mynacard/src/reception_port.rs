//! The `reception::CardReader` port on top of this crate: the reception flow talks to a real reader (or the
//! virtual card behind pcscd) through this adapter.
//!
//! One exclusive connection is kept from the certificate read until the signature (or until the card leaves), so
//! the auth PIN verified by one effect is still verified when the next effect signs — and no other program can
//! use it meanwhile; after the signature the connection is dropped, which resets the card. The adapter never
//! keeps a PIN between effects.
//! 照合番号B (needed to read the chip photo for face matching) comes from a [`CheckCodeSource`]: in training
//! it is the persona's; with a real card in live mode there is none yet, and the face method reports the
//! photo as unavailable (the patient uses the PIN or staff 目視 instead).
//! Deliberately not here: any reception rule (expiry windows, which method is offered).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use reception::model::{
    CardError as PortError, CardKind as PortKind, CertInfo, PhoneCertInfo, PhonePlatform, PhoneReadOutcome,
    PinVerdict,
};
use reception::ports::{CardPhoto, Presence};
use sha2::{Digest, Sha256};

use crate::apdu::StatusWord;
use crate::card::{
    CardFront, FrontOutcome, MynaCard, PhotoOutcome, PinStatus, SignOutcome, TokenKind, VerifyOutcome,
};
use crate::pin::CheckCodeB;
use crate::transport::{CardError, Transport};

/// Where the adapter gets a connection to "the card in the reader".
pub trait CardSource: Send {
    /// Is a card present?
    fn present(&mut self) -> Result<bool, CardError>;
    /// Open a connection to the card now present.
    fn connect(&mut self) -> Result<Box<dyn Transport + Send>, CardError>;
}

/// Looks up 照合番号B for a certificate serial (hex). Training: the persona's; live: none.
pub trait CheckCodeSource: Send {
    /// The code, if known.
    fn check_code(&self, cert_serial_hex: &str) -> Option<CheckCodeB>;
}

impl<T: CheckCodeSource + ?Sized> CheckCodeSource for Box<T> {
    fn check_code(&self, cert_serial_hex: &str) -> Option<CheckCodeB> {
        (**self).check_code(cert_serial_hex)
    }
}

/// No 照合番号B source (live mode with a real card).
pub struct NoCheckCodes;

impl CheckCodeSource for NoCheckCodes {
    fn check_code(&self, _: &str) -> Option<CheckCodeB> {
        None
    }
}

/// The persona cards shipped in `assets/cards/` (training).
pub struct PersonaCheckCodes;

impl CheckCodeSource for PersonaCheckCodes {
    fn check_code(&self, serial: &str) -> Option<CheckCodeB> {
        let wanted = u64::from_str_radix(serial.trim_start_matches("0x"), 16).ok()?;
        crate::Persona::builtin_ids()
            .filter_map(|id| crate::Persona::builtin(id).ok())
            .find(|p| p.cert.serial == wanted)
            .and_then(|p| {
                CheckCodeB::from_parts(
                    p.birth_date,
                    p.check_code_b.card_expiry_year,
                    &p.check_code_b.security_code,
                )
                .ok()
            })
    }
}

/// A reader slot in this process holding at most one virtual card (headless training, tests): place and pull
/// cards with [`InProcessSlot::place`] / [`InProcessSlot::pull`]; a pulled card answers like a removed one.
#[derive(Clone, Default)]
pub struct InProcessSlot(Arc<Mutex<Option<crate::VirtualCard>>>);

impl InProcessSlot {
    /// Put `card` in the slot (replacing any card there).
    pub fn place(&self, card: crate::VirtualCard) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(card);
    }
    /// Take the card out.
    pub fn pull(&self) -> Option<crate::VirtualCard> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

struct SlotTransport(InProcessSlot);

impl Transport for SlotTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        match self.0 .0.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            Some(card) => Ok(card.process(command)),
            None => Err(CardError::Removed),
        }
    }
    fn transaction(&mut self, body: crate::transport::TxBody<'_>) -> Result<(), CardError> {
        body(self)
    }
}

impl CardSource for InProcessSlot {
    fn present(&mut self) -> Result<bool, CardError> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).is_some())
    }
    fn connect(&mut self) -> Result<Box<dyn Transport + Send>, CardError> {
        if self.0.lock().unwrap_or_else(|p| p.into_inner()).is_none() {
            return Err(CardError::NoCard);
        }
        Ok(Box::new(SlotTransport(self.clone())))
    }
}

/// PC/SC reader by name (a real USB reader, or vpcd's "Virtual PCD 00 00").
#[cfg(feature = "pcsc")]
pub struct PcscSource {
    ctx: crate::PcscContext,
    reader: String,
}

#[cfg(feature = "pcsc")]
impl PcscSource {
    /// Use `reader` through a fresh PC/SC context.
    pub fn new(reader: impl Into<String>) -> Result<Self, CardError> {
        Ok(PcscSource {
            ctx: crate::PcscContext::establish()?,
            reader: reader.into(),
        })
    }
}

#[cfg(feature = "pcsc")]
impl CardSource for PcscSource {
    fn present(&mut self) -> Result<bool, CardError> {
        Ok(self.ctx.card_present(&self.reader)?.is_some())
    }
    fn connect(&mut self) -> Result<Box<dyn Transport + Send>, CardError> {
        Ok(Box::new(self.ctx.connect(&self.reader)?))
    }
}

/// Certificates read so far, by serial (hex) → DER. The eligibility adapter needs the DER for a query by
/// certificate, while the flow only carries the serial. A JPKI auth certificate holds no name or address.
pub type CertBook = Arc<Mutex<HashMap<String, Vec<u8>>>>;

/// The adapter.
pub struct CardPort<S: CardSource, C: CheckCodeSource> {
    source: S,
    codes: C,
    card: Option<MynaCard<Box<dyn Transport + Send>>>,
    serial: Option<String>,
    book: CertBook,
}

impl<S: CardSource, C: CheckCodeSource> CardPort<S, C> {
    /// A port reading cards from `source`, with 照合番号B from `codes`.
    pub fn new(source: S, codes: C) -> Self {
        CardPort {
            source,
            codes,
            card: None,
            serial: None,
            book: CertBook::default(),
        }
    }

    /// Share read certificates through `book` (see [`CertBook`]).
    pub fn with_cert_book(mut self, book: CertBook) -> Self {
        self.book = book;
        self
    }

    fn remember(&self, serial: &str, der: &[u8]) {
        self.book
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(serial.to_owned(), der.to_vec());
    }

    /// Forget the connection (the card left, or a new one is placed).
    pub fn disconnect(&mut self) {
        self.card = None;
        self.serial = None;
    }

    /// The card left the reader: forget its connection and its certificate (#13 §7), so nothing of a patient
    /// who has gone stays in memory for the next one.
    fn card_left(&mut self) {
        if let Some(serial) = self.serial.take() {
            self.book
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&serial);
        }
        self.disconnect();
    }

    fn card(&mut self) -> Result<&mut MynaCard<Box<dyn Transport + Send>>, PortError> {
        if self.card.is_none() {
            let t = self.source.connect().map_err(to_port)?;
            self.card = Some(MynaCard::new(t));
        }
        self.card.as_mut().ok_or(PortError::Removed)
    }

    /// Run `f` on the card; a removal or reset drops the connection so the next card gets a fresh one.
    fn with_card<T>(
        &mut self,
        f: impl FnOnce(&mut MynaCard<Box<dyn Transport + Send>>) -> Result<T, CardError>,
    ) -> Result<T, PortError> {
        let result = f(self.card()?);
        if let Err(CardError::Removed | CardError::Reset | CardError::NoCard) = &result {
            self.disconnect();
        }
        result.map_err(to_port)
    }
}

impl<S: CardSource, C: CheckCodeSource> CardPort<S, C> {
    /// 券面事項 of the card on the reader (photo, name, birth date, sex, address) for the staff's 目視確認, read
    /// with 照合番号B exactly like [`reception::CardReader::read_card_photo`]. Not part of the flow's port: only
    /// the staff console asks, on demand, and the caller must not keep or log the result.
    pub fn read_front(&mut self) -> Result<CardFront, PortError> {
        let code = self.check_code_b()?;
        match self.with_card(|c| c.read_front(&code))? {
            FrontOutcome::Front(front) => Ok(front),
            FrontOutcome::Refused(_) => Err(PortError::Unreadable),
        }
    }

    /// 照合番号B for the card on the reader, looked up by its certificate serial (read first if needed).
    fn check_code_b(&mut self) -> Result<CheckCodeB, PortError> {
        let serial = match &self.serial {
            Some(s) => s.clone(),
            None => reception::CardReader::read_auth_cert(self)?.serial,
        };
        self.codes.check_code(&serial).ok_or(PortError::Unreadable)
    }
}

/// The card layer's errors in the flow's terms (001 unreadable, 002 not a My Number card, removed, reader).
pub fn to_port(e: CardError) -> PortError {
    match e {
        CardError::Removed | CardError::Reset | CardError::NoCard => PortError::Removed,
        // The JPKI AP is missing: some other card (reader code 002).
        CardError::Status {
            sw: StatusWord::NotFound,
            during,
        } if during.contains("JPKI") => PortError::NotMyNumberCard,
        CardError::Apdu(_) | CardError::Tlv(_) | CardError::Cert(_) | CardError::Status { .. } => {
            PortError::Unreadable
        }
        CardError::NoFrontAp | CardError::NoPhoto => PortError::Unreadable,
        other @ (CardError::NoReader(_)
        | CardError::Comm(_)
        | CardError::Service(_)
        | CardError::Refused { .. }
        | CardError::PinFormat(_)) => PortError::Reader(other.to_string()),
    }
}

fn verdict(v: VerifyOutcome) -> PinVerdict {
    match v {
        VerifyOutcome::Ok => PinVerdict::Ok,
        VerifyOutcome::Wrong { tries_left } => PinVerdict::Wrong { tries_left },
        VerifyOutcome::Locked => PinVerdict::Locked,
    }
}

fn day(t: chrono::NaiveDateTime) -> NaiveDate {
    t.date()
}

impl<S: CardSource, C: CheckCodeSource> reception::CardReader for CardPort<S, C> {
    fn presence(&mut self) -> Result<Presence, PortError> {
        match self.source.present() {
            Ok(true) => Ok(Presence::Present),
            Ok(false) => {
                self.card_left();
                Ok(Presence::Absent)
            }
            Err(e) => Err(to_port(e)),
        }
    }

    fn read_auth_cert(&mut self) -> Result<CertInfo, PortError> {
        // A new card: always start from a fresh connection, and the previous card's certificate is forgotten.
        self.card_left();
        let (cert, pin) = self.with_card(|c| Ok((c.read_auth_cert()?, c.pin_status()?)))?;
        let serial = cert.serial_hex();
        self.remember(&serial, &cert.der);
        self.serial = Some(serial.clone());
        Ok(CertInfo {
            serial,
            not_before: day(cert.not_before),
            not_after: day(cert.not_after),
            kind: match pin {
                PinStatus::NotSet => PortKind::FaceOnly,
                PinStatus::TriesLeft(_) | PinStatus::Locked => PortKind::Normal,
            },
        })
    }

    fn pin_tries_left(&mut self) -> Result<u8, PortError> {
        match self.with_card(|c| c.pin_status())? {
            PinStatus::TriesLeft(n) => Ok(n),
            PinStatus::Locked | PinStatus::NotSet => Ok(0),
        }
    }

    fn verify_pin(&mut self, pin: &reception::Pin) -> Result<PinVerdict, PortError> {
        // Wrong format never reaches the card (the flow checks it too); a malformed PIN costs no try.
        pin.check_format().map_err(|e| to_port(e.into()))?;
        self.with_card(|c| c.verify_pin(pin)).map(verdict)
    }

    fn sign_challenge(&mut self, challenge: &[u8]) -> Result<Vec<u8>, PortError> {
        let digest: [u8; 32] = Sha256::digest(challenge).into();
        let signed = self.with_card(|c| c.sign_after_verify(&digest));
        // The verified PIN served this one signature: drop the connection, which resets the card, so the key is
        // locked again before the card is left to anyone (#13 §5). A later effect reconnects (exclusively).
        self.card = None;
        match signed? {
            SignOutcome::Signed(sig) => Ok(sig),
            SignOutcome::Refused(_) => Err(PortError::Unreadable),
        }
    }

    fn read_card_photo(&mut self) -> Result<CardPhoto, PortError> {
        let code = self.check_code_b()?;
        match self.with_card(|c| c.read_photo(&code))? {
            PhotoOutcome::Photo(jp2) => Ok(CardPhoto(jp2)),
            PhotoOutcome::Refused(_) => Err(PortError::Unreadable),
        }
    }

    fn read_smartphone(
        &mut self,
        platform: PhonePlatform,
        pin: Option<&reception::Pin>,
    ) -> Result<PhoneReadOutcome, PortError> {
        self.disconnect();
        let token = self.with_card(|c| c.read_token())?;
        let matches = matches!(
            (platform, &token),
            (PhonePlatform::Android, TokenKind::AndroidPhone) | (PhonePlatform::IPhone, TokenKind::IPhone)
        );
        if !matches {
            return Err(PortError::NotMyNumberCard);
        }
        if let Some(pin) = pin {
            pin.check_format().map_err(|e| to_port(e.into()))?;
            match self.with_card(|c| c.verify_pin(pin))? {
                VerifyOutcome::Ok => {}
                VerifyOutcome::Wrong { tries_left } => return Ok(PhoneReadOutcome::WrongPin { tries_left }),
                VerifyOutcome::Locked => return Ok(PhoneReadOutcome::Locked),
            }
        }
        let cert = self.with_card(|c| c.read_auth_cert())?;
        let not_after = day(cert.not_after);
        self.remember(&cert.serial_hex(), &cert.der);
        // The virtual phone's certificate is bound to the physical card's: it cannot outlive it.
        Ok(PhoneReadOutcome::Read(PhoneCertInfo {
            serial: cert.serial_hex(),
            not_after,
            card_cert_not_after: not_after,
        }))
    }
}
