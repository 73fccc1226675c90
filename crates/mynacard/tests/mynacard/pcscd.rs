//! Through a real pcscd + vpcd started by the test itself, with OpenSC as an independent client.

use std::process::Command;
use std::time::Duration;

use mynacard::card::{MynaCard, PinStatus};
use mynacard::testing::{Pcscd, VPCD_READER};
use mynacard::vpcd::{VpcdCard, DEFAULT_PORT};
use mynacard::{CardError, PcscContext, VirtualCard};

const WAIT: Duration = Duration::from_secs(5);

fn pcscd() -> Pcscd {
    Pcscd::ensure().unwrap_or_else(|e| panic!("pcscd is required for these tests: {e}"))
}

fn insert(slot: &mut VpcdCard, ctx: &PcscContext, id: &str) {
    slot.insert(VirtualCard::builtin(id, crate::today(), None).unwrap())
        .unwrap();
    assert!(
        ctx.wait_presence(VPCD_READER, true, WAIT).unwrap(),
        "pcscd did not see the inserted card"
    );
}

fn opensc(args: &[&str]) -> (bool, String) {
    let out = Command::new("pkcs15-tool")
        .args(["--reader", "0"])
        .args(args)
        .env("OPENSC_DRIVER", "jpki")
        .output()
        .expect("pkcs15-tool (Debian package opensc) must be installed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn pcsc_transport_reads_the_persona_cert_and_opensc_sees_the_same_cert_and_pin_state() {
    let _pcscd = pcscd();
    let ctx = PcscContext::establish().unwrap();
    let mut slot = VpcdCard::new(DEFAULT_PORT);
    insert(&mut slot, &ctx, "p01-yamada-hanako");
    let expected = slot.card().unwrap().auth_cert_der().to_vec();

    let mut card = MynaCard::new(ctx.connect(VPCD_READER).unwrap());
    let cert = card.read_auth_cert().unwrap();
    assert_eq!(cert.der, expected);
    assert_eq!(cert.serial_u64(), Some(0x1001));
    assert_eq!(card.pin_status().unwrap(), PinStatus::TriesLeft(3));
    drop(card);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cert.der");
    let (ok, log) = opensc(&["--read-certificate", "01", "--output", path.to_str().unwrap()]);
    assert!(ok, "pkcs15-tool --read-certificate failed: {log}");
    let pem = std::fs::read_to_string(&path).unwrap();
    let der_from_opensc = Command::new("openssl")
        .args(["x509", "-outform", "der"])
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .unwrap()
        .stdout;
    assert_eq!(
        der_from_opensc, expected,
        "OpenSC read a different certificate: {pem}"
    );

    let (ok, log) = opensc(&["--verify-pin", "--auth-id", "01", "--pin", "9999"]);
    assert!(!ok, "a wrong PIN must fail in OpenSC: {log}");
    let mut card = MynaCard::new(ctx.connect(VPCD_READER).unwrap());
    assert_eq!(
        card.pin_status().unwrap(),
        PinStatus::TriesLeft(2),
        "OpenSC's wrong PIN used one try"
    );
    drop(card);
    let (ok, log) = opensc(&["--list-pins"]);
    assert!(ok && log.contains("Tries left") && log.contains('2'), "{log}");
    let (ok, log) = opensc(&["--verify-pin", "--auth-id", "01", "--pin", "1234"]);
    assert!(ok, "the right PIN must verify in OpenSC: {log}");
    assert_eq!(slot.card().unwrap().auth_pin_tries_left(), 3);

    slot.remove();
    assert!(
        ctx.wait_presence(VPCD_READER, false, WAIT).unwrap(),
        "pcscd did not see the removal"
    );
}

#[test]
fn removing_the_card_mid_read_gives_a_typed_error_not_a_panic() {
    let _pcscd = pcscd();
    let ctx = PcscContext::establish().unwrap();
    let mut slot = VpcdCard::new(DEFAULT_PORT);
    insert(&mut slot, &ctx, "p01-yamada-hanako");
    let mut card = MynaCard::new(ctx.connect(VPCD_READER).unwrap());
    // SELECT AP, SELECT EF, header read … then the card vanishes before the body read.
    slot.card().unwrap().vanish_after(3);
    let err = card.read_auth_cert().expect_err("the card vanished");
    assert!(
        matches!(err, CardError::Removed | CardError::Reset | CardError::NoCard),
        "unexpected error: {err:?}"
    );
    drop(card);
    slot.remove();
    assert!(ctx.wait_presence(VPCD_READER, false, WAIT).unwrap());
}

#[test]
fn insert_and_remove_are_reported_as_events() {
    let _pcscd = pcscd();
    let ctx = PcscContext::establish().unwrap();
    let mut slot = VpcdCard::new(DEFAULT_PORT);
    insert(&mut slot, &ctx, "p02-sato-kenji");
    let readers = vec![VPCD_READER.to_owned()];
    slot.remove();
    let ev = ctx.wait_event(&readers, WAIT).unwrap();
    assert_eq!(
        ev,
        Some(mynacard::CardEvent::Removed {
            reader: VPCD_READER.into()
        })
    );
}

/// Hardware test: put a real My Number card on a USB NFC reader (e.g. Sony RC-S300, ACS ACR1252U), then run
/// `cargo test -p mynacard -- --ignored real_card`. Reads only the auth certificate and the PIN tries left.
#[test]
#[ignore = "needs a real My Number card on a USB reader"]
fn real_card_auth_cert_and_pin_status_are_readable() {
    let ctx = PcscContext::establish().unwrap();
    let reader = ctx
        .first_reader_with_card()
        .unwrap()
        .expect("put a card on the reader");
    let mut card = MynaCard::new(ctx.connect(&reader).unwrap());
    let cert = card.read_auth_cert().unwrap();
    assert!(cert.not_after > cert.not_before);
    assert!(matches!(
        card.pin_status().unwrap(),
        PinStatus::TriesLeft(_) | PinStatus::Locked
    ));
}
