use mynacard::apdu::{Command, Response, StatusWord};
use mynacard::{card, tlv};
use proptest::prelude::*;

proptest! {
    #[test]
    fn command_parser_never_panics_and_reencodes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(cmd) = Command::parse(&bytes) {
            let again = cmd.to_bytes().unwrap();
            prop_assert_eq!(Command::parse(&again).unwrap(), cmd);
        }
    }

    #[test]
    fn response_and_status_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), sw in any::<u16>()) {
        if let Ok(r) = Response::parse(&bytes) {
            prop_assert_eq!(r.to_bytes(), bytes);
        }
        prop_assert_eq!(StatusWord::from_u16(sw).to_u16(), sw);
    }

    #[test]
    fn tlv_and_der_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = tlv::parse_all(&bytes);
        let _ = tlv::total_len_from_header(&bytes);
        let _ = card::photo_from_front_ef(&bytes);
        let _ = card::CardFront::parse(&bytes);
        let _ = card::AuthCert::parse(&bytes);
    }

    #[test]
    fn virtual_card_answers_arbitrary_apdus_with_a_status_word(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut vc = mynacard::VirtualCard::builtin("p01-yamada-hanako", crate::today(), None).unwrap();
        let out = vc.process(&bytes);
        prop_assert!(out.len() >= 2);
    }
}
