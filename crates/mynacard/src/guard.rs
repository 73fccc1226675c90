//! Outgoing-APDU privacy allow-list (architecture.md §Privacy; domain.md §5(b)).
//!
//! `Guarded` wraps every transport. Before a command is transmitted it must match the allow-list, given the DF/EF
//! the guard has seen selected:
//! - SELECT of the JPKI AP or the 券面AP (券面事項確認AP) by AID;
//! - JPKI AP: SELECT/READ of the auth certificate `000A`, its CA `000B` and the token EF `0006`; SELECT of the
//!   auth PIN `0018` and VERIFY on it (status query or PIN); SELECT of the auth key `0017` and SIGN with it;
//! - 券面AP: SELECT of 照合番号B `0012` and VERIFY on it; SELECT/READ of the front EF `0002` (face photo).
//!
//! Everything else is refused and never reaches the card — above all any SELECT of the 券面事項入力補助AP (holds
//! the My Number), any VERIFY of 照合番号A and the My Number image EF `0005` of the 券面AP. This module is the
//! only place (with its tests) that names the forbidden AID. Deliberately not here: a way to disable the guard.

use crate::apdu::{ins, Command, Response, StatusWord};
use crate::card::{ef, JPKI_AID, KENKAKU_AID};
use crate::transport::{CardError, Transport, TxBody};

/// 券面事項入力補助AP — holds the My Number. Never selected by this app.
const KENHOJO_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// JPKI EFs that may be read (auth cert, auth CA cert, token info). The allowed EF ids are `card::ef`'s, the
/// ones the card layer selects, so the allow-list cannot drift from what the app actually sends.
const JPKI_READABLE: [u16; 3] = [ef::AUTH_CERT, ef::AUTH_CA_CERT, ef::TOKEN];
/// 券面AP 照合番号A — forbidden (named only here, like the forbidden AID).
const KENKAKU_CHECK_CODE_A: u16 = 0x0013;
/// 券面AP My Number image EF — forbidden (named only here).
const KENKAKU_MY_NUMBER_IMAGE: u16 = 0x0005;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Df {
    Jpki,
    Kenkaku,
}

/// What the guard believes is selected. Unknown (after a failed SELECT) means "nothing", which refuses more.
#[derive(Debug, Clone, Copy, Default)]
struct Selection {
    df: Option<Df>,
    ef: Option<u16>,
}

impl Selection {
    /// Decide whether `cmd` may be transmitted.
    fn check(&self, cmd: &Command) -> Result<(), &'static str> {
        match (cmd.cla, cmd.ins) {
            (0x00, ins::SELECT) => self.check_select(cmd),
            (0x00, ins::READ_BINARY) => self.check_read(cmd),
            (0x00, ins::VERIFY) => self.check_verify(cmd),
            (0x80, ins::SIGN) => {
                if cmd.p1 == 0x00
                    && cmd.p2 == 0x80
                    && self.df == Some(Df::Jpki)
                    && self.ef == Some(ef::AUTH_KEY)
                {
                    Ok(())
                } else {
                    Err("SIGN is allowed only with the selected JPKI auth key (80 2A 00 80)")
                }
            }
            _ => Err("instruction not on the allow-list"),
        }
    }

    fn check_select(&self, cmd: &Command) -> Result<(), &'static str> {
        // Only the forms the card layer sends (`apdu::Command::select_df` / `select_ef`): P2 = 0C, no FCI. A
        // variant P2 (first/next occurrence, FCP, FMD) could select something else than the AID names.
        if cmd.p2 != 0x0C {
            return Err("SELECT with a P2 not on the allow-list (only 0C)");
        }
        match cmd.p1 {
            0x04 => {
                if cmd.data == KENHOJO_AID {
                    Err("SELECT of the 券面事項入力補助AP (My Number) is forbidden")
                } else if cmd.data == JPKI_AID || cmd.data == KENKAKU_AID {
                    Ok(())
                } else {
                    Err("SELECT of an application not on the allow-list")
                }
            }
            0x02 => {
                let fid = fid_of(&cmd.data).ok_or("SELECT EF needs a 2-byte file id")?;
                match (self.df, fid) {
                    (Some(Df::Jpki), f) if JPKI_READABLE.contains(&f) => Ok(()),
                    (Some(Df::Jpki), ef::AUTH_PIN | ef::AUTH_KEY) => Ok(()),
                    (Some(Df::Kenkaku), ef::FRONT | ef::CHECK_CODE_B) => Ok(()),
                    (Some(Df::Kenkaku), KENKAKU_CHECK_CODE_A) => {
                        Err("照合番号A (券面AP EF 0013) is forbidden")
                    }
                    (Some(Df::Kenkaku), KENKAKU_MY_NUMBER_IMAGE) => {
                        Err("the My Number image EF 0005 of the 券面AP is forbidden")
                    }
                    (None, _) => Err("SELECT EF before an allowed application is selected"),
                    _ => Err("EF not on the allow-list"),
                }
            }
            _ => Err("SELECT form not on the allow-list"),
        }
    }

    fn check_read(&self, cmd: &Command) -> Result<(), &'static str> {
        // Only the selected EF at a 15-bit offset (P1 < 80), as `apdu::Command::read_binary` sends it. The
        // short-EF-identifier form (P1 = 100xxxxx) reads an EF without a SELECT, and P1 with the reserved bits
        // set (E2 …) reads who knows what: neither is needed, both are refused.
        if cmd.p1 & 0x80 != 0 {
            return Err("READ BINARY by short EF id or with reserved P1 bits is not on the allow-list");
        }
        match (self.df, self.ef) {
            (Some(Df::Jpki), Some(f)) if JPKI_READABLE.contains(&f) => Ok(()),
            (Some(Df::Kenkaku), Some(ef::FRONT)) => Ok(()),
            (Some(Df::Kenkaku), Some(KENKAKU_MY_NUMBER_IMAGE)) => {
                Err("the My Number image EF 0005 of the 券面AP is forbidden")
            }
            _ => Err("READ BINARY of an EF not on the allow-list"),
        }
    }

    fn check_verify(&self, cmd: &Command) -> Result<(), &'static str> {
        if cmd.p1 != 0x00 {
            return Err("VERIFY form not on the allow-list");
        }
        // Only P2 = 80, the selected PIN EF (`apdu::Command::verify`). P2 = 80|EF names a PIN without a
        // SELECT, and the variants with reserved bits (F2, B8 …) alias the allowed ones: all refused.
        if cmd.p2 != 0x80 {
            return Err("VERIFY with a P2 not on the allow-list (only 80, the selected EF)");
        }
        match (self.df, self.ef) {
            (Some(Df::Jpki), Some(ef::AUTH_PIN)) => Ok(()),
            (Some(Df::Kenkaku), Some(ef::CHECK_CODE_B)) => Ok(()),
            (Some(Df::Kenkaku), Some(KENKAKU_CHECK_CODE_A)) => Err("VERIFY of 照合番号A is forbidden"),
            _ => Err("VERIFY of a PIN not on the allow-list"),
        }
    }

    /// Track the selection from what the card answered.
    fn observe(&mut self, cmd: &Command, resp: &Response) {
        if cmd.cla != 0x00 || cmd.ins != ins::SELECT {
            return;
        }
        let ok = resp.sw == StatusWord::Ok;
        match cmd.p1 {
            0x04 => {
                self.ef = None;
                self.df = match ok {
                    true if cmd.data == JPKI_AID => Some(Df::Jpki),
                    true if cmd.data == KENKAKU_AID => Some(Df::Kenkaku),
                    _ => None,
                };
            }
            _ => self.ef = if ok { fid_of(&cmd.data) } else { None },
        }
    }
}

fn fid_of(data: &[u8]) -> Option<u16> {
    match data {
        [hi, lo] => Some(u16::from_be_bytes([*hi, *lo])),
        _ => None,
    }
}

/// Check one raw command against the selection and forward it; shared by `Guarded` and its in-transaction view.
fn guarded_transmit(
    sel: &mut Selection,
    inner: &mut dyn Transport,
    raw: &[u8],
) -> Result<Vec<u8>, CardError> {
    let cmd = Command::parse(raw).map_err(|_| CardError::Refused {
        command: format!("{} bytes", raw.len()),
        reason: "unparsable command APDU",
    })?;
    if let Err(reason) = sel.check(&cmd) {
        tracing::warn!(apdu = %crate::apdu::trace(&cmd), reason, "APDU refused by the privacy allow-list");
        return Err(CardError::Refused {
            command: crate::apdu::trace(&cmd),
            reason,
        });
    }
    let out = inner.transmit(raw);
    match &out {
        Ok(bytes) => match Response::parse(bytes) {
            Ok(resp) => sel.observe(&cmd, &resp),
            Err(_) => *sel = Selection::default(),
        },
        Err(_) => *sel = Selection::default(),
    }
    out
}

/// A transport wrapped in the privacy allow-list. All card operations in this crate use it.
pub struct Guarded<T> {
    inner: T,
    sel: Selection,
}

impl<T: Transport> Guarded<T> {
    pub fn new(inner: T) -> Self {
        Guarded {
            inner,
            sel: Selection::default(),
        }
    }
    pub fn inner(&self) -> &T {
        &self.inner
    }
    /// The unguarded transport: this crate's own (the card layer), never handed out.
    pub(crate) fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: Transport> Transport for Guarded<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        guarded_transmit(&mut self.sel, &mut self.inner, command)
    }
    fn supports_extended(&self) -> bool {
        self.inner.supports_extended()
    }
    fn transaction(&mut self, body: TxBody<'_>) -> Result<(), CardError> {
        let sel = &mut self.sel;
        self.inner.transaction(&mut |t: &mut dyn Transport| {
            let mut view = GuardedView {
                sel: &mut *sel,
                inner: t,
            };
            body(&mut view)
        })
    }
}

/// The guard as seen inside a transaction of the inner transport.
struct GuardedView<'a> {
    sel: &'a mut Selection,
    inner: &'a mut dyn Transport,
}

impl Transport for GuardedView<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
        guarded_transmit(self.sel, self.inner, command)
    }
    fn supports_extended(&self) -> bool {
        self.inner.supports_extended()
    }
    fn transaction(&mut self, body: TxBody<'_>) -> Result<(), CardError> {
        // Already exclusive: run the nested body directly.
        body(self)
    }
}

/// Commands the guard must refuse, each preceded by the (allowed) commands that set up its context.
/// Public so integration tests and benchmarks can prove refusal without naming forbidden AIDs themselves.
pub fn forbidden_probes() -> Vec<(&'static str, Vec<Command>, Command)> {
    let jpki = Command::select_df(&JPKI_AID);
    let kenkaku = Command::select_df(&KENKAKU_AID);
    vec![
        (
            "SELECT 券面事項入力補助AP",
            vec![],
            Command::select_df(&KENHOJO_AID),
        ),
        (
            "SELECT 券面事項入力補助AP with FCI",
            vec![],
            Command::new(0x00, ins::SELECT, 0x04, 0x00)
                .with_data(&KENHOJO_AID)
                .with_le(256),
        ),
        (
            "SELECT 照合番号A EF (券面AP)",
            vec![kenkaku.clone()],
            Command::select_ef(0x0013),
        ),
        (
            "VERIFY 照合番号A by P2=80|13",
            vec![kenkaku.clone()],
            Command::new(0, ins::VERIFY, 0, 0x93).with_data(b"123456789018"),
        ),
        (
            "SELECT My Number image EF 0005 (券面AP)",
            vec![kenkaku.clone()],
            Command::select_ef(0x0005),
        ),
        (
            "READ My Number image EF 0005 by SFI",
            vec![kenkaku.clone()],
            Command::new(0, ins::READ_BINARY, 0x85, 0).with_le(65536),
        ),
        (
            "READ 券面AP EF 0001 by SFI",
            vec![kenkaku.clone()],
            Command::new(0, ins::READ_BINARY, 0x81, 0).with_le(256),
        ),
        (
            "SELECT signature cert EF 0001 (JPKI)",
            vec![jpki.clone()],
            Command::select_ef(0x0001),
        ),
        (
            "SELECT sign PIN EF 001B",
            vec![jpki.clone()],
            Command::select_ef(0x001B),
        ),
        (
            "VERIFY sign PIN by P2=80|1B",
            vec![jpki.clone()],
            Command::new(0, ins::VERIFY, 0, 0x9B).with_data(b"ABC123"),
        ),
        (
            "SIGN without the auth key selected",
            vec![jpki.clone()],
            Command::sign(&[0x30; 51]),
        ),
        // Variants that alias an allowed command through reserved bits or another P2 (#13 §5).
        (
            "READ BINARY 00 B0 E2 00 (reserved P1 bits alias SFI 2 = the front EF)",
            vec![kenkaku.clone()],
            Command::new(0, ins::READ_BINARY, 0xE2, 0).with_le(256),
        ),
        (
            "READ the auth cert by SFI (80|0A) without a SELECT",
            vec![jpki.clone()],
            Command::new(0, ins::READ_BINARY, 0x8A, 0).with_le(256),
        ),
        (
            "VERIFY 00 20 00 F2 (reserved P2 bits alias 照合番号B)",
            vec![kenkaku.clone()],
            Command::new(0, ins::VERIFY, 0, 0xF2).with_data(b"900101251234"),
        ),
        (
            "VERIFY 00 20 00 B8 (reserved P2 bits alias the auth PIN)",
            vec![jpki.clone()],
            Command::new(0, ins::VERIFY, 0, 0xB8).with_data(b"1234"),
        ),
        (
            "VERIFY the auth PIN by P2=80|18 without a SELECT",
            vec![jpki.clone()],
            Command::new(0, ins::VERIFY, 0, 0x98),
        ),
        (
            "SELECT 00 A4 04 02 <JPKI AID> (next occurrence)",
            vec![],
            Command::new(0x00, ins::SELECT, 0x04, 0x02).with_data(&JPKI_AID),
        ),
        (
            "SELECT 00 A4 04 00 <JPKI AID> with FCI",
            vec![],
            Command::new(0x00, ins::SELECT, 0x04, 0x00)
                .with_data(&JPKI_AID)
                .with_le(256),
        ),
        (
            "SELECT EF 00 A4 02 04 (FCP) of the auth cert",
            vec![jpki.clone()],
            Command::new(0x00, ins::SELECT, 0x02, 0x04).with_data(&ef::AUTH_CERT.to_be_bytes()),
        ),
        (
            "READ BINARY with no EF selected",
            vec![jpki.clone()],
            Command::read_binary(0, 256),
        ),
        (
            "SELECT a foreign AID (OpenSC probe)",
            vec![],
            Command::select_df(&[0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00]),
        ),
        (
            "GET DATA",
            vec![jpki.clone()],
            Command::new(0x00, 0xCA, 0xDF, 0x30).with_le(5),
        ),
        (
            "logical channel 1",
            vec![],
            Command::new(0x01, ins::SELECT, 0x04, 0x0C).with_data(&JPKI_AID),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::send;

    /// Records every command that reaches it and answers 90 00.
    #[derive(Default)]
    struct Recorder {
        seen: Vec<Vec<u8>>,
    }
    impl Transport for Recorder {
        fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, CardError> {
            self.seen.push(command.to_vec());
            Ok(vec![0x90, 0x00])
        }
        fn transaction(&mut self, body: TxBody<'_>) -> Result<(), CardError> {
            body(self)
        }
    }

    #[test]
    fn every_forbidden_command_is_refused_and_never_reaches_the_transport() {
        for (what, setup, forbidden) in forbidden_probes() {
            let mut g = Guarded::new(Recorder::default());
            for c in &setup {
                send(&mut g, c).unwrap_or_else(|e| panic!("{what}: setup refused: {e}"));
            }
            let before = g.inner().seen.len();
            let err = send(&mut g, &forbidden).expect_err(what);
            assert!(matches!(err, CardError::Refused { .. }), "{what}: {err}");
            assert_eq!(
                g.inner().seen.len(),
                before,
                "{what}: forbidden bytes reached the transport"
            );
            let raw = forbidden.to_bytes().unwrap();
            assert!(!g.inner().seen.contains(&raw), "{what}");
        }
    }

    #[test]
    fn kenhojo_aid_never_appears_in_any_transmitted_bytes_inside_a_transaction() {
        let mut g = Guarded::new(Recorder::default());
        let r = g.transaction(&mut |t| send(t, &Command::select_df(&KENHOJO_AID)).map(|_| ()));
        assert!(matches!(r, Err(CardError::Refused { .. })));
        assert!(g.inner().seen.is_empty());
    }

    #[test]
    fn the_allowed_jpki_and_photo_sequences_pass() {
        let mut g = Guarded::new(Recorder::default());
        for c in [
            Command::select_df(&JPKI_AID),
            Command::select_ef(0x000A),
            Command::read_binary(0, 8),
            Command::select_ef(0x0018),
            Command::verify(&[]),
            Command::verify(b"1234"),
            Command::select_ef(0x0017),
            Command::sign(&[0x30; 51]),
            Command::select_df(&KENKAKU_AID),
            Command::select_ef(0x0012),
            Command::verify(b"90010120317919"),
            Command::select_ef(0x0002),
            Command::read_binary(0, 65536),
        ] {
            send(&mut g, &c).unwrap_or_else(|e| panic!("{c:?}: {e}"));
        }
        assert_eq!(g.inner().seen.len(), 13);
    }

    #[test]
    fn a_failed_select_forgets_the_selection_so_reads_are_refused() {
        struct NotFound;
        impl Transport for NotFound {
            fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, CardError> {
                Ok(vec![0x6A, 0x82])
            }
            fn transaction(&mut self, body: TxBody<'_>) -> Result<(), CardError> {
                body(self)
            }
        }
        let mut g = Guarded::new(NotFound);
        send(&mut g, &Command::select_df(&JPKI_AID)).unwrap();
        assert!(matches!(
            send(&mut g, &Command::select_ef(0x000A)),
            Err(CardError::Refused { .. })
        ));
    }
}
