use mynacard::card::{
    CardFront, FrontOutcome, FrontText, MynaCard, PhotoOutcome, PinStatus, SignOutcome, TokenKind,
    VerifyOutcome,
};
use mynacard::{CardError, CheckCodeB, Persona, Pin, VirtualCard};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;

fn card(id: &str) -> MynaCard<VirtualCard> {
    MynaCard::new(VirtualCard::builtin(id, crate::today(), None).unwrap())
}

#[test]
fn reading_the_auth_cert_gives_the_persona_serial_and_dates_with_two_read_binaries() {
    let mut c = card("p05-tanaka-makoto");
    c.transport_mut().reset_stats();
    let cert = c.read_auth_cert().unwrap();
    assert_eq!(cert.serial_u64(), Some(0x1005));
    assert!(
        cert.subject.contains("1005") && cert.issuer.contains("TEST ONLY"),
        "{}",
        cert.subject
    );
    // today+2m = 2026-07-20, 23:59:59 JST
    assert_eq!(cert.not_after.to_string(), "2026-07-20 23:59:59");
    assert_eq!(
        c.transport().stats().read_binary,
        2,
        "header + one extended READ BINARY"
    );
    assert_eq!(
        c.read_auth_ca_cert().unwrap(),
        mynacard::pki::test_ca_cert_der().unwrap()
    );
}

#[test]
fn without_extended_apdus_the_cert_is_read_in_256_byte_chunks() {
    struct ShortOnly(VirtualCard);
    impl mynacard::Transport for ShortOnly {
        fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, CardError> {
            self.0.transmit(c)
        }
        fn supports_extended(&self) -> bool {
            false
        }
        fn transaction(&mut self, body: mynacard::transport::TxBody<'_>) -> Result<(), CardError> {
            body(self)
        }
    }
    let vc = VirtualCard::builtin("p01-yamada-hanako", crate::today(), None).unwrap();
    let expected = vc.auth_cert_der().to_vec();
    let mut c = MynaCard::new(ShortOnly(vc));
    assert_eq!(c.read_auth_cert().unwrap().der, expected);
    let reads = c.transport().0.stats().read_binary;
    assert_eq!(reads as usize, 1 + (expected.len() - 8).div_ceil(256));
}

#[test]
fn wrong_pin_reports_tries_left_and_the_third_wrong_pin_locks() {
    let mut c = card("p01-yamada-hanako");
    let wrong = Pin::new("0000".into());
    assert_eq!(c.pin_status().unwrap(), PinStatus::TriesLeft(3));
    assert_eq!(
        c.verify_pin(&wrong).unwrap(),
        VerifyOutcome::Wrong { tries_left: 2 }
    );
    assert_eq!(
        c.pin_status().unwrap(),
        PinStatus::TriesLeft(2),
        "status query consumes nothing"
    );
    assert_eq!(
        c.verify_pin(&wrong).unwrap(),
        VerifyOutcome::Wrong { tries_left: 1 }
    );
    assert_eq!(c.verify_pin(&wrong).unwrap(), VerifyOutcome::Locked);
    assert_eq!(c.pin_status().unwrap(), PinStatus::Locked);
    assert_eq!(
        c.verify_pin(&Pin::new("1234".into())).unwrap(),
        VerifyOutcome::Locked,
        "6984 after the block"
    );
}

#[test]
fn a_pin_that_is_not_four_digits_never_reaches_the_card_and_costs_no_try() {
    let mut c = card("p01-yamada-hanako");
    c.transport_mut().reset_stats();
    for bad in ["12", "12345", "12a4", ""] {
        assert!(matches!(
            c.verify_pin(&Pin::new(bad.into())),
            Err(CardError::PinFormat(_))
        ));
        assert!(matches!(
            c.sign_message(&Pin::new(bad.into()), b"x"),
            Err(CardError::PinFormat(_))
        ));
    }
    assert_eq!(c.transport().stats().verify, 0, "no VERIFY was sent");
    assert_eq!(c.pin_status().unwrap(), PinStatus::TriesLeft(3));
}

#[test]
fn correct_pin_resets_the_counter() {
    let mut c = card("p01-yamada-hanako");
    c.verify_pin(&Pin::new("9999".into())).unwrap();
    assert_eq!(c.verify_pin(&Pin::new("1234".into())).unwrap(), VerifyOutcome::Ok);
    assert_eq!(c.pin_status().unwrap(), PinStatus::TriesLeft(3));
}

#[test]
fn persona_pin_states_are_what_the_table_says() {
    assert_eq!(card("p02-sato-kenji").pin_status().unwrap(), PinStatus::Locked);
    assert_eq!(
        card("p03-suzuki-ichiro").pin_status().unwrap(),
        PinStatus::TriesLeft(1)
    );
    assert_eq!(
        card("p04-takahashi-yoshiko").pin_status().unwrap(),
        PinStatus::NotSet
    );
    assert_eq!(
        card("p09-kobayashi-yuto")
            .verify_pin(&Pin::new("0615".into()))
            .unwrap(),
        VerifyOutcome::Ok
    );
    assert_eq!(
        card("p13-matsumoto-rin").read_token().unwrap(),
        TokenKind::AndroidPhone
    );
    assert_eq!(
        card("p01-yamada-hanako").read_token().unwrap(),
        TokenKind::MyNumberCard
    );
}

#[test]
fn signature_verifies_with_the_certificate_public_key() {
    let mut c = card("p01-yamada-hanako");
    let cert = c.read_auth_cert().unwrap();
    let SignOutcome::Signed(sig) = c.sign_message(&Pin::new("1234".into()), b"challenge").unwrap() else {
        panic!("signing refused")
    };
    assert_eq!(sig.len(), 256);
    let key = rsa::RsaPublicKey::from_public_key_der(&cert.public_key_der().unwrap()).unwrap();
    let vk = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
    vk.verify(
        b"challenge",
        &rsa::pkcs1v15::Signature::try_from(sig.as_slice()).unwrap(),
    )
    .unwrap();
    let wrong = c.sign_message(&Pin::new("0000".into()), b"x").unwrap();
    assert_eq!(
        wrong,
        SignOutcome::Refused(VerifyOutcome::Wrong { tries_left: 2 })
    );
}

#[test]
fn photo_is_read_with_check_code_b_and_is_the_persona_jp2() {
    let p = Persona::builtin("p01-yamada-hanako").unwrap();
    let mut c = card(&p.id);
    let bad = CheckCodeB::new("00000000000000").unwrap();
    assert_eq!(
        c.read_photo(&bad).unwrap(),
        PhotoOutcome::Refused(VerifyOutcome::Wrong { tries_left: 2 })
    );
    let good = CheckCodeB::from_parts(
        p.birth_date,
        p.check_code_b.card_expiry_year,
        &p.check_code_b.security_code,
    )
    .unwrap();
    match c.read_photo(&good).unwrap() {
        PhotoOutcome::Photo(jp2) => assert_eq!(jp2, p.photo_jp2().unwrap()),
        other => panic!("{other:?}"),
    }
}

fn check_code(p: &Persona) -> CheckCodeB {
    CheckCodeB::from_parts(
        p.birth_date,
        p.check_code_b.card_expiry_year,
        &p.check_code_b.security_code,
    )
    .unwrap()
}

/// Records every command APDU that reaches the virtual card (below the guard).
struct Recording(VirtualCard, Vec<Vec<u8>>);
impl mynacard::Transport for Recording {
    fn transmit(&mut self, c: &[u8]) -> Result<Vec<u8>, CardError> {
        self.1.push(c.to_vec());
        self.0.transmit(c)
    }
    fn transaction(&mut self, body: mynacard::transport::TxBody<'_>) -> Result<(), CardError> {
        body(self)
    }
}

#[test]
fn the_front_read_with_check_code_b_gives_photo_name_birth_date_sex_and_address() {
    let p = Persona::builtin("p01-yamada-hanako").unwrap();
    let mut c = card(&p.id);
    let FrontOutcome::Front(front) = c.read_front(&check_code(&p)).unwrap() else {
        panic!("front refused")
    };
    assert_eq!(front.name, Some(FrontText::Text("山田 花子".into())));
    assert_eq!(
        front.birth_date.as_deref(),
        Some("19900101"),
        "1990-01-01 as the card writes it"
    );
    assert_eq!(front.sex.as_deref(), Some("2"), "p01 is female: code 2");
    assert_eq!(front.address, Some(FrontText::Text(p.address.clone())));
    assert_eq!(front.photo, p.photo_jp2().unwrap());

    let male = Persona::builtin("p02-sato-kenji").unwrap();
    match card(&male.id).read_front(&check_code(&male)).unwrap() {
        FrontOutcome::Front(f) => {
            assert_eq!(f.name, Some(FrontText::Text("佐藤 健二".into())));
            assert_eq!(
                (f.birth_date.as_deref(), f.sex.as_deref()),
                (Some("19780512"), Some("1"))
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_front_is_refused_with_a_wrong_check_code_b_and_nothing_of_it_is_returned() {
    let mut c = card("p01-yamada-hanako");
    assert_eq!(
        c.read_front(&CheckCodeB::new("00000000000000").unwrap()).unwrap(),
        FrontOutcome::Refused(VerifyOutcome::Wrong { tries_left: 2 })
    );
}

#[test]
fn the_front_read_sends_only_the_front_ap_check_code_b_and_front_ef_commands() {
    let p = Persona::builtin("p01-yamada-hanako").unwrap();
    let vc = VirtualCard::builtin(&p.id, crate::today(), None).unwrap();
    let mut c = MynaCard::new(Recording(vc, Vec::new()));
    assert!(matches!(
        c.read_front(&check_code(&p)).unwrap(),
        FrontOutcome::Front(_)
    ));
    let sent = &c.transport().1;
    assert!(
        sent.len() >= 5,
        "select AP, select B, verify, select front, read: {}",
        sent.len()
    );
    let kenkaku = mynacard::card::KENKAKU_AID;
    for raw in sent {
        let cmd = mynacard::Command::parse(raw).unwrap();
        let allowed = match (cmd.cla, cmd.ins, cmd.p1, cmd.p2) {
            // SELECT by AID: only the 券面AP
            (0x00, 0xA4, 0x04, _) => cmd.data == kenkaku,
            // SELECT EF: only 照合番号B (0012) and the front EF (0002) — never 0013 (照合番号A) or 0005
            (0x00, 0xA4, 0x02, _) => cmd.data == [0x00, 0x12] || cmd.data == [0x00, 0x02],
            // VERIFY of the selected EF (照合番号B), never by short EF id
            (0x00, 0x20, 0x00, 0x80) => true,
            // READ BINARY of the selected EF (no short-EF-identifier form)
            (0x00, 0xB0, p1, _) => p1 & 0x80 == 0,
            _ => false,
        };
        assert!(allowed, "unexpected command sent: {}", hex::encode_upper(raw));
    }
    let selected_efs: Vec<_> = sent
        .iter()
        .filter_map(|r| mynacard::Command::parse(r).ok())
        .filter(|c| c.ins == 0xA4 && c.p1 == 0x02)
        .map(|c| c.data.clone())
        .collect();
    assert_eq!(selected_efs, vec![vec![0x00, 0x12], vec![0x00, 0x02]]);
}

#[test]
fn name_and_address_images_are_kept_as_png_and_debug_shows_only_sizes() {
    let png = [&mynacard::card::PNG_SIGNATURE[..], b"IHDR rest"].concat();
    let inner = [
        mynacard::tlv::encode(0xDF22, b"19900101"),
        mynacard::tlv::encode(0xDF23, b"2"),
        mynacard::tlv::encode(0xDF25, &png),
        mynacard::tlv::encode(0xDF26, &png),
        mynacard::tlv::encode(0xDF27, b"jp2 bytes"),
    ]
    .concat();
    let ef = mynacard::tlv::encode(0xFF20, &inner);
    let front = CardFront::parse(&ef).unwrap();
    assert_eq!(front.name, Some(FrontText::Png(png.clone())));
    assert_eq!(front.address, Some(FrontText::Png(png)));
    assert_eq!(front.photo, b"jp2 bytes");

    let mut c = card("p01-yamada-hanako");
    let p = c.transport().persona().clone();
    let FrontOutcome::Front(text_front) = c.read_front(&check_code(&p)).unwrap() else {
        panic!("front refused")
    };
    for debug in [format!("{front:?}"), format!("{text_front:?}")] {
        assert!(
            !debug.contains("19900101")
                && !debug.contains("山田")
                && !debug.contains("東京都")
                && !debug.contains("IHDR"),
            "{debug}"
        );
        assert!(debug.contains("photo_bytes"), "{debug}");
    }
}

#[test]
fn a_front_ef_without_a_photo_is_an_error() {
    let ef = mynacard::tlv::encode(0xFF20, &mynacard::tlv::encode(0xDF22, b"19900101"));
    assert!(matches!(CardFront::parse(&ef), Err(CardError::NoPhoto)));
}

#[test]
fn a_smartphone_has_no_front_ap() {
    let p = Persona::builtin("p13-matsumoto-rin").unwrap();
    let code = CheckCodeB::from_parts(
        p.birth_date,
        p.check_code_b.card_expiry_year,
        &p.check_code_b.security_code,
    )
    .unwrap();
    assert!(matches!(card(&p.id).read_photo(&code), Err(CardError::NoFrontAp)));
}

#[test]
fn every_forbidden_command_is_refused_before_reaching_the_virtual_card() {
    for (what, setup, forbidden) in mynacard::guard::forbidden_probes() {
        let mut g = mynacard::guard::Guarded::new(
            VirtualCard::builtin("p01-yamada-hanako", crate::today(), None).unwrap(),
        );
        for c in &setup {
            mynacard::transport::send(&mut g, c).unwrap();
        }
        let before = g.inner().stats().apdus;
        let r = mynacard::transport::send(&mut g, &forbidden);
        assert!(matches!(r, Err(CardError::Refused { .. })), "{what}: {r:?}");
        assert_eq!(g.inner().stats().apdus, before, "{what} reached the card");
    }
}

#[test]
fn pin_lock_survives_a_restart_through_the_state_file_and_reset_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.toml");
    let open = || {
        MynaCard::new(VirtualCard::builtin("p01-yamada-hanako", crate::today(), Some(state.clone())).unwrap())
    };
    let mut c = open();
    for _ in 0..3 {
        c.verify_pin(&Pin::new("0000".into())).unwrap();
    }
    drop(c);
    assert_eq!(
        open().pin_status().unwrap(),
        PinStatus::Locked,
        "lock must survive a restart"
    );
    mynacard::virtual_card::reset_pin_counter(&state, "p01-yamada-hanako").unwrap();
    assert_eq!(open().pin_status().unwrap(), PinStatus::TriesLeft(3));
}

#[test]
fn card_behaviour_follows_the_checklist() {
    use mynacard::apdu::StatusWord as Sw;
    let mut vc = VirtualCard::builtin("p01-yamada-hanako", crate::today(), None).unwrap();
    let mut sw = |hex: &str| {
        let r = vc.process(&hex::decode(hex).unwrap());
        mynacard::Response::parse(&r).unwrap().sw
    };
    assert_eq!(sw("00A4040009A0000003080000100000"), Sw::NotFound, "foreign AID");
    assert_eq!(sw("00CADF3005"), Sw::InsNotSupported);
    assert_eq!(sw("10A4040C0AD392F000260100000001"), Sw::ClaNotSupported);
    assert_eq!(sw("00A4040C0AD392F000260100000001"), Sw::Ok);
    assert_eq!(sw("00B0000004"), Sw::NoCurrentEf);
    assert_eq!(sw("00A4020C020018"), Sw::Ok);
    assert_eq!(sw("00200080"), Sw::TriesLeft(3));
    assert_eq!(sw("002000800431323334"), Sw::Ok);
    assert_eq!(sw("00A4020C020017"), Sw::Ok);
    // a DF select drops the verified state: SIGN is then refused
    assert_eq!(sw("00A4040C0AD392F000260100000001"), Sw::Ok);
    assert_eq!(sw("00A4020C020017"), Sw::Ok);
    assert_eq!(sw("802A00800401020304"), Sw::SecurityNotSatisfied);
    assert_eq!(sw("00A4020C02000A"), Sw::Ok);
    assert_eq!(sw("00B07FFF01"), Sw::OffsetOutOfRange);
    assert_eq!(sw("00A4020C02001B"), Sw::Ok);
    assert_eq!(
        sw("00200080"),
        Sw::TriesLeft(5),
        "OpenSC queries the sign PIN at bind"
    );
    vc.power_cycle();
}

#[test]
fn the_contactless_atr_is_the_real_one() {
    let vc = VirtualCard::builtin("p01-yamada-hanako", crate::today(), None).unwrap();
    assert_eq!(hex::encode_upper(vc.atr()), "3B888001000041E0B381A1003B");
}
