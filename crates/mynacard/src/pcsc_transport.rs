//! PC/SC transport (feature `pcsc`): list readers, wait for card insert/remove with `SCardGetStatusChange`,
//! transactions around multi-APDU sequences, removal/reset mapped to typed errors, extended APDUs.
//!
//! Deliberately not here: reader-specific escape commands and pinpad support.

use std::ffi::CString;
use std::time::Duration;

use crate::guard::Guarded;
use crate::transport::{CardError, Transport, TxBody};

/// A presence event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardEvent {
    Inserted { reader: String, atr: Vec<u8> },
    Removed { reader: String },
}

fn map_err(e: pcsc::Error) -> CardError {
    match e {
        pcsc::Error::RemovedCard | pcsc::Error::NoSmartcard => CardError::Removed,
        pcsc::Error::ResetCard => CardError::Reset,
        pcsc::Error::UnknownReader | pcsc::Error::ReaderUnavailable => CardError::NoReader(e.to_string()),
        pcsc::Error::NoService | pcsc::Error::ServiceStopped | pcsc::Error::NoReadersAvailable => {
            CardError::Service(e.to_string())
        }
        pcsc::Error::SharingViolation => {
            CardError::Comm("another program on this computer is using the card (sharing violation)".into())
        }
        other => CardError::Comm(other.to_string()),
    }
}

/// A PC/SC context (connection to pcscd).
pub struct PcscContext {
    ctx: pcsc::Context,
}

impl PcscContext {
    pub fn establish() -> Result<Self, CardError> {
        Ok(PcscContext {
            ctx: pcsc::Context::establish(pcsc::Scope::User).map_err(map_err)?,
        })
    }

    /// Reader names.
    pub fn readers(&self) -> Result<Vec<String>, CardError> {
        match self.ctx.list_readers_owned() {
            Ok(r) => Ok(r.into_iter().map(|c| c.to_string_lossy().into_owned()).collect()),
            Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
            Err(e) => Err(map_err(e)),
        }
    }

    /// Current presence and ATR of a reader's card.
    pub fn card_present(&self, reader: &str) -> Result<Option<Vec<u8>>, CardError> {
        let name = cstring(reader)?;
        let mut rs = [pcsc::ReaderState::new(name, pcsc::State::UNAWARE)];
        self.ctx
            .get_status_change(Some(Duration::ZERO), &mut rs)
            .map_err(map_err)?;
        let [r] = &rs;
        Ok(present(r).then(|| r.atr().to_vec()))
    }

    /// Wait up to `timeout` for the next insert/remove on any of `readers`. `Ok(None)` on timeout.
    pub fn wait_event(&self, readers: &[String], timeout: Duration) -> Result<Option<CardEvent>, CardError> {
        let mut rs = readers
            .iter()
            .map(|r| Ok(pcsc::ReaderState::new(cstring(r)?, pcsc::State::UNAWARE)))
            .collect::<Result<Vec<_>, CardError>>()?;
        self.ctx
            .get_status_change(Some(Duration::ZERO), &mut rs)
            .map_err(map_err)?;
        let before: Vec<bool> = rs.iter().map(present).collect();
        for r in &mut rs {
            r.sync_current_state();
        }
        match self.ctx.get_status_change(Some(timeout), &mut rs) {
            Ok(()) => {}
            Err(pcsc::Error::Timeout) => return Ok(None),
            Err(e) => return Err(map_err(e)),
        }
        for (r, was) in rs.iter().zip(before) {
            let now = present(r);
            let reader = r.name().to_string_lossy().into_owned();
            if now && !was {
                return Ok(Some(CardEvent::Inserted {
                    reader,
                    atr: r.atr().to_vec(),
                }));
            }
            if !now && was {
                return Ok(Some(CardEvent::Removed { reader }));
            }
        }
        Ok(None)
    }

    /// Wait until the reader's card presence equals `present` (event-driven, bounded by `timeout`).
    pub fn wait_presence(&self, reader: &str, want: bool, timeout: Duration) -> Result<bool, CardError> {
        let name = cstring(reader)?;
        let mut rs = [pcsc::ReaderState::new(name, pcsc::State::UNAWARE)];
        self.ctx
            .get_status_change(Some(Duration::ZERO), &mut rs)
            .map_err(map_err)?;
        let mut remaining = timeout;
        let step = Duration::from_millis(250);
        loop {
            if present(&rs[0]) == want {
                return Ok(true);
            }
            if remaining.is_zero() {
                return Ok(false);
            }
            rs[0].sync_current_state();
            let wait = remaining.min(step);
            remaining = remaining.saturating_sub(wait);
            match self.ctx.get_status_change(Some(wait), &mut rs) {
                Ok(()) | Err(pcsc::Error::Timeout) => {}
                Err(e) => return Err(map_err(e)),
            }
        }
    }

    /// Connect to the card in `reader` (T=1 or T=0) in **exclusive** mode: while we hold the connection no other
    /// program on this machine can talk to the card, so none can use a PIN the patient verified for us (#13 §5).
    /// The connection resets the card when it is dropped (the `pcsc` crate disconnects with `ResetCard`), which
    /// clears every verified PIN. A card another program holds is [`CardError::Comm`] (sharing violation).
    ///
    /// The connection comes wrapped in the privacy allow-list: outside this crate a card on a reader is reachable
    /// only through [`Guarded`], never as a raw transport (#13 §5).
    pub fn connect(&self, reader: &str) -> Result<Guarded<PcscTransport>, CardError> {
        self.connect_raw(reader).map(Guarded::new)
    }

    fn connect_raw(&self, reader: &str) -> Result<PcscTransport, CardError> {
        let name = cstring(reader)?;
        let card = self
            .ctx
            .connect(&name, pcsc::ShareMode::Exclusive, pcsc::Protocols::ANY)
            .map_err(|e| match e {
                pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard => CardError::NoCard,
                other => map_err(other),
            })?;
        Ok(PcscTransport {
            card,
            buf: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
            extended: true,
        })
    }

    /// The first reader that has a card in it.
    pub fn first_reader_with_card(&self) -> Result<Option<String>, CardError> {
        for r in self.readers()? {
            if self.card_present(&r)?.is_some() {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }
}

fn present(r: &pcsc::ReaderState) -> bool {
    r.event_state().contains(pcsc::State::PRESENT) && !r.event_state().contains(pcsc::State::MUTE)
}

fn cstring(s: &str) -> Result<CString, CardError> {
    CString::new(s).map_err(|_| CardError::NoReader(s.to_owned()))
}

/// A connected card.
pub struct PcscTransport {
    card: pcsc::Card,
    buf: Vec<u8>,
    extended: bool,
}

impl PcscTransport {
    /// Disable extended APDUs (for readers that mishandle them).
    pub fn set_extended(&mut self, on: bool) {
        self.extended = on;
    }
    /// Reader name and ATR.
    pub fn status(&self) -> Result<(String, Vec<u8>), CardError> {
        let st = self.card.status2_owned().map_err(map_err)?;
        let name = st
            .reader_names()
            .first()
            .map(|c: &CString| c.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok((name, st.atr().to_vec()))
    }
}

fn transmit_on(card: &pcsc::Card, buf: &mut [u8], command: &[u8]) -> Result<Vec<u8>, CardError> {
    let resp = card.transmit(command, buf).map_err(map_err)?;
    if resp.len() < 2 {
        // No status word: vpcd (and contactless readers) answer empty when the card left mid-command, before
        // pcscd's next presence poll reports the removal.
        return Err(CardError::Removed);
    }
    Ok(resp.to_vec())
}

impl Transport for PcscTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        transmit_on(&self.card, &mut self.buf, command)
    }
    fn supports_extended(&self) -> bool {
        self.extended
    }
    fn transaction(&mut self, body: TxBody<'_>) -> Result<(), CardError> {
        let extended = self.extended;
        let tx = self.card.transaction().map_err(map_err)?;
        let mut view = TxView {
            card: &tx,
            buf: &mut self.buf,
            extended,
        };
        let out = body(&mut view);
        // Ending the transaction fails if the card went away; the body's error is the one worth reporting.
        let end = tx.end(pcsc::Disposition::LeaveCard).map_err(|(_, e)| map_err(e));
        out.and(end)
    }
}

struct TxView<'a> {
    card: &'a pcsc::Card,
    buf: &'a mut [u8],
    extended: bool,
}

impl Transport for TxView<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        transmit_on(self.card, self.buf, command)
    }
    fn supports_extended(&self) -> bool {
        self.extended
    }
    fn transaction(&mut self, body: TxBody<'_>) -> Result<(), CardError> {
        body(self)
    }
}
