//! The `reception::CardReader` adapter against the in-process virtual card: what the reception flow sees.

use mynacard::reception_port::{CardPort, InProcessSlot, NoCheckCodes, PersonaCheckCodes};
use mynacard::VirtualCard;
use reception::model::{CardError as PortError, CardKind, PhonePlatform, PhoneReadOutcome, PinVerdict};
use reception::ports::Presence;
use reception::CardReader;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};

use crate::today;

fn placed(id: &str) -> InProcessSlot {
    let slot = InProcessSlot::default();
    slot.place(VirtualCard::builtin(id, today(), None).unwrap());
    slot
}

fn pin(s: &str) -> reception::Pin {
    reception::Pin::new(s.to_owned())
}

#[test]
fn the_flow_gets_serial_dates_and_card_kind_from_the_certificate() {
    let mut port = CardPort::new(placed("p01-yamada-hanako"), NoCheckCodes);
    assert_eq!(port.presence().unwrap(), Presence::Present);
    let info = port.read_auth_cert().unwrap();
    assert_eq!(
        u64::from_str_radix(&info.serial, 16).unwrap(),
        0x1001,
        "serial is the persona's, in hex"
    );
    assert_eq!(info.kind, CardKind::Normal);
    assert!(
        info.not_before < today() && info.not_after > today(),
        "p01 has a valid certificate"
    );
    assert_eq!(port.pin_tries_left().unwrap(), 3);

    let mut face_only = CardPort::new(placed("p04-takahashi-yoshiko"), NoCheckCodes);
    assert_eq!(
        face_only.read_auth_cert().unwrap().kind,
        CardKind::FaceOnly,
        "no PIN EF → face-only card"
    );
}

#[test]
fn a_wrong_pin_costs_a_try_and_a_right_pin_lets_the_next_effect_sign() {
    let mut port = CardPort::new(placed("p01-yamada-hanako"), NoCheckCodes);
    let cert_der = {
        port.read_auth_cert().unwrap();
        VirtualCard::builtin("p01-yamada-hanako", today(), None)
            .unwrap()
            .auth_cert_der()
            .to_vec()
    };
    assert_eq!(
        port.verify_pin(&pin("9999")).unwrap(),
        PinVerdict::Wrong { tries_left: 2 }
    );
    assert_eq!(port.verify_pin(&pin("1234")).unwrap(), PinVerdict::Ok);
    // The PIN is gone (moved into the verify effect); signing relies on the verified connection.
    let challenge = b"reception challenge 2026-05-20";
    let sig = port.sign_challenge(challenge).unwrap();
    let cert = mynacard::AuthCert::parse(&cert_der).unwrap();
    let key = rsa::RsaPublicKey::from_public_key_der(&cert.public_key_der().unwrap()).unwrap();
    let digest = Sha256::digest(challenge);
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &sig)
        .expect("signature verifies with the cert key");
}

#[test]
fn signing_without_a_verified_pin_is_refused_by_the_card() {
    let mut port = CardPort::new(placed("p01-yamada-hanako"), NoCheckCodes);
    port.read_auth_cert().unwrap();
    assert!(
        port.sign_challenge(b"x").is_err(),
        "the auth key needs the PIN on this connection"
    );
}

#[test]
fn the_locked_card_reports_locked_and_zero_tries() {
    let mut port = CardPort::new(placed("p02-sato-kenji"), NoCheckCodes);
    port.read_auth_cert().unwrap();
    assert_eq!(port.pin_tries_left().unwrap(), 0);
    assert_eq!(port.verify_pin(&pin("1234")).unwrap(), PinVerdict::Locked);
}

#[test]
fn the_photo_is_read_with_the_personas_check_code_and_refused_without_one() {
    let mut port = CardPort::new(placed("p01-yamada-hanako"), PersonaCheckCodes);
    port.read_auth_cert().unwrap();
    let photo = port.read_card_photo().unwrap();
    assert_eq!(
        &photo.0[..12],
        &[0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A],
        "a JP2 file"
    );

    let mut live = CardPort::new(placed("p01-yamada-hanako"), NoCheckCodes);
    live.read_auth_cert().unwrap();
    assert_eq!(
        live.read_card_photo().unwrap_err(),
        PortError::Unreadable,
        "no 照合番号B → no photo"
    );
}

#[test]
fn the_front_for_visual_check_is_read_with_the_personas_check_code_and_refused_without_one() {
    let mut port = CardPort::new(placed("p02-sato-kenji"), PersonaCheckCodes);
    // No certificate read yet: the port reads it itself to find the card's 照合番号B.
    let front = port.read_front().unwrap();
    assert_eq!(front.name, Some(mynacard::FrontText::Text("佐藤 健二".into())));
    assert_eq!(front.birth_date.as_deref(), Some("19780512"));
    assert_eq!(front.sex.as_deref(), Some("1"));
    assert_eq!(
        front.photo,
        mynacard::Persona::builtin("p02-sato-kenji")
            .unwrap()
            .photo_jp2()
            .unwrap()
    );

    let mut live = CardPort::new(placed("p02-sato-kenji"), NoCheckCodes);
    assert_eq!(
        live.read_front().unwrap_err(),
        PortError::Unreadable,
        "no 照合番号B → no front"
    );
}

#[test]
fn a_card_pulled_between_effects_is_reported_as_removed() {
    let slot = placed("p01-yamada-hanako");
    let mut port = CardPort::new(slot.clone(), NoCheckCodes);
    port.read_auth_cert().unwrap();
    slot.pull();
    assert_eq!(port.verify_pin(&pin("1234")).unwrap_err(), PortError::Removed);
    assert_eq!(port.presence().unwrap(), Presence::Absent);
}

#[test]
fn an_android_phone_is_read_with_its_pin_and_an_iphone_choice_does_not_match_it() {
    let mut port = CardPort::new(placed("p13-matsumoto-rin"), NoCheckCodes);
    assert_eq!(
        port.read_smartphone(PhonePlatform::IPhone, None).unwrap_err(),
        PortError::NotMyNumberCard,
        "the phone on the reader is an Android phone"
    );
    match port
        .read_smartphone(PhonePlatform::Android, Some(&pin("0000")))
        .unwrap()
    {
        PhoneReadOutcome::WrongPin { tries_left } => assert_eq!(tries_left, 2),
        other => panic!("expected a wrong PIN, got {other:?}"),
    }
    match port
        .read_smartphone(PhonePlatform::Android, Some(&pin("1234")))
        .unwrap()
    {
        PhoneReadOutcome::Read(info) => assert!(info.not_after > today()),
        other => panic!("expected the phone certificate, got {other:?}"),
    }
}

#[test]
fn the_certificate_book_gives_the_eligibility_adapter_the_der_for_a_serial() {
    let book = mynacard::reception_port::CertBook::default();
    let mut port = CardPort::new(placed("p01-yamada-hanako"), NoCheckCodes).with_cert_book(book.clone());
    let info = port.read_auth_cert().unwrap();
    let der = book
        .lock()
        .unwrap()
        .get(&info.serial)
        .cloned()
        .expect("the read certificate is in the book");
    let expected = VirtualCard::builtin("p01-yamada-hanako", today(), None)
        .unwrap()
        .auth_cert_der()
        .to_vec();
    assert_eq!(der, expected);
}

#[test]
fn the_certificate_book_forgets_a_card_when_it_leaves_or_the_next_card_is_read() {
    let book = mynacard::reception_port::CertBook::default();
    let slot = placed("p01-yamada-hanako");
    let mut port = CardPort::new(slot.clone(), NoCheckCodes).with_cert_book(book.clone());
    let first = port.read_auth_cert().unwrap().serial;
    assert!(book.lock().unwrap().contains_key(&first));
    slot.pull();
    assert_eq!(port.presence().unwrap(), Presence::Absent);
    assert!(
        book.lock().unwrap().is_empty(),
        "the patient who left is forgotten"
    );

    // A card read right after another (no absence seen in between) replaces it in the book.
    slot.place(VirtualCard::builtin("p01-yamada-hanako", today(), None).unwrap());
    port.read_auth_cert().unwrap();
    slot.place(VirtualCard::builtin("p03-suzuki-ichiro", today(), None).unwrap());
    let second = port.read_auth_cert().unwrap().serial;
    let keys: Vec<String> = book.lock().unwrap().keys().cloned().collect();
    assert_eq!(keys, [second]);
}
