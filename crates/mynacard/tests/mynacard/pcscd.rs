//! Through a real pcscd + vpcd started by the test itself, with OpenSC as an independent client.

use std::process::Command;
use std::time::Duration;

use mynacard::card::{MynaCard, PinStatus};
use mynacard::testing::{Pcscd, VPCD_READER};
use mynacard::vpcd::VpcdCard;
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
    let pcscd = pcscd();
    let ctx = PcscContext::establish().unwrap();
    let mut slot = pcscd.slot();
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
    let pcscd = pcscd();
    let ctx = PcscContext::establish().unwrap();
    let mut slot = pcscd.slot();
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
    let pcscd = pcscd();
    let ctx = PcscContext::establish().unwrap();
    let mut slot = pcscd.slot();
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

/// `opensc-tool` as a second, independent PC/SC client sending raw APDUs to reader 0. Returns (ran, output).
fn second_client(apdus: &[String]) -> (bool, String) {
    let mut cmd = Command::new("opensc-tool");
    cmd.args(["--reader", "0"]);
    for a in apdus {
        cmd.args(["--send-apdu", a]);
    }
    let out = cmd
        .output()
        .expect("opensc-tool (Debian package opensc) must be installed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// SELECT the JPKI AP, SELECT the auth key, [VERIFY `pin`,] SIGN a digest: what a program would do to sign with
/// a card a patient left on the reader.
fn sign_apdus(pin: Option<&str>) -> Vec<String> {
    let mut select_ap = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
    select_ap.extend_from_slice(&mynacard::card::JPKI_AID);
    let mut apdus = vec![colon_hex(&select_ap)];
    if let Some(pin) = pin {
        apdus.push("00:A4:02:0C:02:00:18".to_owned());
        let mut verify = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
        verify.extend_from_slice(pin.as_bytes());
        apdus.push(colon_hex(&verify));
    }
    apdus.push("00:A4:02:0C:02:00:17".to_owned());
    let mut sign = vec![0x80, 0x2A, 0x00, 0x80, 0x33];
    sign.extend_from_slice(&mynacard::card::SHA256_DIGEST_INFO_PREFIX);
    sign.extend_from_slice(&[0xAB; 32]);
    sign.push(0x00);
    apdus.push(colon_hex(&sign));
    apdus
}

/// The status word opensc-tool printed for the last APDU it sent.
fn last_sw(log: &str) -> Option<String> {
    log.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("Received (SW1=0x"))
        .map(|rest| {
            rest.replace(", SW2=0x", "")
                .chars()
                .take(4)
                .collect::<String>()
                .to_ascii_uppercase()
        })
}

#[test]
fn after_a_pin_reception_no_other_program_can_sign_with_the_patients_card() {
    use mynacard::reception_port::{CardPort, PcscSource, PersonaCheckCodes};
    use reception::CardReader;

    let pcscd = pcscd();
    let ctx = PcscContext::establish().unwrap();
    let mut slot = pcscd.slot();
    insert(&mut slot, &ctx, "p01-yamada-hanako");

    // Control: the second client can sign when it knows the PIN, so a refusal below means something.
    let (ok, log) = second_client(&sign_apdus(Some("1234")));
    assert!(ok, "opensc-tool could not talk to the card: {log}");
    assert_eq!(last_sw(&log).as_deref(), Some("9000"), "{log}");
    // A client without the PIN is refused.
    let (_, log) = second_client(&sign_apdus(None));
    assert_eq!(last_sw(&log).as_deref(), Some("6982"), "{log}");

    // The reception: certificate, PIN, signature, as the flow runs them.
    let mut port = CardPort::new(PcscSource::new(VPCD_READER).unwrap(), PersonaCheckCodes);
    port.read_auth_cert().unwrap();
    assert_eq!(
        port.verify_pin(&reception::Pin::new("1234".into())).unwrap(),
        reception::model::PinVerdict::Ok
    );
    // Between the PIN and the signature the card is ours alone: another program cannot even connect.
    let (ok, log) = second_client(&sign_apdus(None));
    assert!(
        !ok || last_sw(&log).is_none(),
        "a second client reached the card while the PIN was verified: {log}"
    );
    port.sign_challenge(b"challenge").unwrap();

    // The reception is over and the card still lies on the reader: the key is locked again.
    let (ok, log) = second_client(&sign_apdus(None));
    assert!(ok, "after the signature the card should be free again: {log}");
    assert_eq!(
        last_sw(&log).as_deref(),
        Some("6982"),
        "another program signed with the patient's key after the reception: {log}"
    );
    assert_eq!(port.presence().unwrap(), reception::ports::Presence::Present);
}

#[test]
fn the_private_daemon_has_its_own_socket_and_vpcd_listens_only_on_a_loopback_of_its_own() {
    use std::os::unix::fs::PermissionsExt;

    let pcscd = pcscd();
    let daemon = pcscd.daemon();
    let sock = daemon.socket();
    assert_eq!(
        std::env::var_os("PCSCLITE_CSOCK_NAME").as_deref(),
        Some(sock.as_os_str()),
        "this process's PC/SC client talks to the private daemon"
    );
    assert_ne!(sock, std::path::Path::new("/run/pcscd/pcscd.comm"));
    let mode = std::fs::metadata(sock.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "the socket's folder is private");

    let pid = std::fs::read_to_string(sock.parent().unwrap().join("pcscd.pid"))
        .unwrap()
        .trim()
        .to_owned();
    // vpcd's port, as seen from inside the daemon's network namespace …
    let tcp = std::fs::read_to_string(format!("/proc/{pid}/net/tcp")).unwrap();
    let listening = |table: &str| {
        table
            .lines()
            .skip(1)
            .any(|l| l.split_whitespace().nth(1).is_some_and(|a| a.ends_with(":8C7B")) && l.contains(" 0A "))
    };
    assert!(listening(&tcp), "vpcd listens in the daemon's namespace: {tcp}");
    // … whose only network interface is its loopback: no host on any network can reach it.
    let dev = std::fs::read_to_string(format!("/proc/{pid}/net/dev")).unwrap();
    let interfaces: Vec<&str> = dev
        .lines()
        .skip(2)
        .filter_map(|l| l.split(':').next().map(str::trim))
        .collect();
    assert_eq!(interfaces, ["lo"], "{dev}");
    let ns = |p: &str| std::fs::read_link(format!("/proc/{p}/ns/net")).unwrap();
    assert_ne!(
        ns(&pid),
        ns("self"),
        "the daemon is not in this machine's network namespace"
    );
}

/// The collision the private daemon removes: a system pcscd (with its vpcd on 0.0.0.0:35963) running while the
/// tests — or the app — run. Uses the running one, or starts one on the system socket for the test.
#[test]
fn a_system_pcscd_holding_the_vpcd_port_does_not_disturb_the_private_daemon() {
    let system_socket = std::path::Path::new("/run/pcscd/pcscd.comm");
    let system = (!system_socket.exists()).then(|| {
        let child = Command::new("/usr/sbin/pcscd")
            .arg("--foreground")
            .env_remove("PCSCLITE_CSOCK_NAME")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the system pcscd");
        StopOnDrop(child)
    });
    let port_taken = || std::net::TcpStream::connect(("127.0.0.1", mynacard::vpcd::DEFAULT_PORT)).is_ok();
    let mut waited = 0;
    while !port_taken() && waited < 200 {
        std::thread::park_timeout(Duration::from_millis(25));
        waited += 1;
    }
    assert!(port_taken(), "the system pcscd's vpcd holds 127.0.0.1:35963");

    let pcscd = pcscd();
    let ctx = PcscContext::establish().unwrap();
    let mut slot = pcscd.slot();
    insert(&mut slot, &ctx, "p02-sato-kenji");
    let mut card = MynaCard::new(ctx.connect(VPCD_READER).unwrap());
    assert_eq!(card.read_auth_cert().unwrap().serial_u64(), Some(0x1002));
    drop(card);
    slot.remove();
    drop(system);
}

struct StopOnDrop(std::process::Child);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let _ = self.0.wait();
    }
}
