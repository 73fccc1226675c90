//! The `Transport` trait (how APDU bytes reach a card) and the crate's error type.
//!
//! Implementations: `PcscTransport` (real readers, feature `pcsc`), `VirtualCard` (in-process), and the
//! `Guarded` allow-list wrapper that every card operation goes through. Deliberately not here: any knowledge of
//! which commands are allowed (see `guard`) or what they mean (see `card`).

use crate::apdu::{self, ApduError, Command, Response, StatusWord};
use crate::tlv::TlvError;

/// Errors of the card layer. Card removal and reset are distinct variants so callers can show "card removed".
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("the card was removed")]
    Removed,
    #[error("the card was reset by another application")]
    Reset,
    #[error("no card in the reader")]
    NoCard,
    #[error("reader not found: {0}")]
    NoReader(String),
    #[error("communication with the reader failed: {0}")]
    Comm(String),
    #[error("PC/SC service unavailable: {0}")]
    Service(String),
    /// The privacy allow-list refused the command; it never reached the card.
    #[error("command refused before transmission: {reason} ({command})")]
    Refused { command: String, reason: &'static str },
    #[error("unexpected status {sw} during {during}")]
    Status { during: &'static str, sw: StatusWord },
    #[error("malformed APDU: {0}")]
    Apdu(#[from] ApduError),
    #[error("malformed card data: {0}")]
    Tlv(#[from] TlvError),
    #[error("certificate could not be parsed: {0}")]
    Cert(String),
    #[error("the card has no 券面AP (e.g. a smartphone)")]
    NoFrontAp,
    #[error("the face photo (DF27) is missing from the front EF")]
    NoPhoto,
    /// The PIN is not 4 digits; it was not sent, so no try was used.
    #[error(transparent)]
    PinFormat(#[from] crate::pin::PinFormatError),
}

/// The body of a transaction: runs with exclusive access to the card.
pub type TxBody<'a> = &'a mut dyn FnMut(&mut dyn Transport) -> Result<(), CardError>;

/// Sends raw command APDUs and returns raw response APDUs (data ‖ SW1 SW2).
pub trait Transport {
    /// Transmit one command APDU.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError>;

    /// Whether extended-length APDUs may be tried (callers fall back to short ones if the reader refuses).
    fn supports_extended(&self) -> bool {
        true
    }

    /// Run `body` with exclusive access to the card (PC/SC transaction), so a multi-APDU sequence such as
    /// SELECT → VERIFY → SIGN cannot be interleaved with another application.
    fn transaction(&mut self, body: TxBody<'_>) -> Result<(), CardError>;
}

/// A boxed transport is a transport (so adapters can hold "whatever reader is configured").
impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        (**self).transmit(command)
    }
    fn supports_extended(&self) -> bool {
        (**self).supports_extended()
    }
    fn transaction(&mut self, body: TxBody<'_>) -> Result<(), CardError> {
        (**self).transaction(body)
    }
}

/// Encode, transmit and decode one command, tracing it with VERIFY data redacted.
pub fn send(transport: &mut dyn Transport, cmd: &Command) -> Result<Response, CardError> {
    // The encoded command (a VERIFY holds the PIN) is wiped once sent.
    let bytes = zeroize::Zeroizing::new(cmd.to_bytes()?);
    let raw = transport.transmit(&bytes)?;
    let resp = Response::parse(&raw)?;
    tracing::trace!(apdu = %apdu::trace(cmd), sw = %resp.sw, len = resp.data.len(), "apdu");
    Ok(resp)
}

/// Run a closure returning a value inside a transaction (adapter over the object-safe `Transport::transaction`).
pub fn in_transaction<R>(
    transport: &mut dyn Transport,
    mut f: impl FnMut(&mut dyn Transport) -> Result<R, CardError>,
) -> Result<R, CardError> {
    let mut out = None;
    transport.transaction(&mut |t| {
        out = Some(f(t)?);
        Ok(())
    })?;
    out.ok_or_else(|| CardError::Comm("transaction body did not run".into()))
}
