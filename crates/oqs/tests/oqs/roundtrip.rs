//! Every sample we write parses back equal, in UTF-8 and Shift_JIS; ● replaces what Shift_JIS cannot hold.

use crate::support::*;
use oqs::codes::*;
use oqs::xml::{representable, Charset, XmlMsg};

/// A result with every element filled (p03 has 限度額 and 特定疾病; add the elderly, 2025 and misc fields).
fn full_sample(mock: &oqs::MockOqs) -> XmlMsg {
    let mut msg = client(mock)
        .query_by_card(&card_query("p03-suzuki-ichiro"))
        .unwrap();
    let list = msg.body.result_list.as_mut().unwrap();
    let r = &mut list.results[0];
    r.name_of_other = Some("スズキ イチロー".into());
    r.name_of_other_kana = Some("ｽｽﾞｷ ｲﾁﾛｰ".into());
    r.sex2 = Some(Sex::Male);
    r.insured_card_expiration_date = Some("20291231".into());
    r.insured_partial_contribution_ratio = Some("030".into());
    r.preschool_classification = Some(PreschoolClassification::Unknown("".into()));
    r.reason_of_loss = Some(ReasonOfLoss::Other);
    r.elderly_recipient_certificate_info = Some(oqs::xml::ElderlyRecipientCertificateInfo {
        elderly_recipient_certificate_date: Some("20240701".into()),
        elderly_recipient_valid_start_date: Some("20240701".into()),
        elderly_recipient_valid_end_date: Some("20290630".into()),
        elderly_recipient_contribution_ratio: Some("20".into()),
    });
    r.reference_number = Some("0001".into());
    r.arbitrary_identifier = Some("ABC-123".into());
    r.insured_card_classification = Some(InsuredCardClassification::Unknown("Z9".into()));
    msg.header.error_code = Some("E-1".into());
    msg.header.error_message = Some("テスト & <escape>".into());
    msg.header.arbitrary_file_identifier = Some("file-1".into());
    msg
}

fn assert_round_trip(msg: &XmlMsg, charset: Charset) {
    let bytes = msg.to_bytes(charset).unwrap();
    let back = XmlMsg::from_bytes(&bytes).unwrap();
    assert_eq!(back.charset, charset);
    // Expected: the same message after the charset's ● substitution, with the identifier we write.
    let text = representable(&msg.to_xml_string(charset).unwrap(), charset);
    let mut expected = XmlMsg::from_xml_str(&text).unwrap();
    expected.header.character_code_identifier = Some(charset.identifier());
    assert_eq!(back.msg, expected);
}

#[test]
fn every_persona_answer_round_trips_in_utf8_and_shift_jis() {
    let mock = start_mock();
    let client = client(&mock);
    for persona in personas() {
        let msg = client.query_by_card(&card_query(persona)).unwrap();
        for charset in [Charset::Utf8, Charset::ShiftJis] {
            assert_round_trip(&msg, charset);
        }
        if !persona.starts_with("p10") {
            // Only p10's name leaves JIS X 0208, so every other answer survives Shift_JIS unchanged.
            let back = XmlMsg::from_bytes(&msg.to_bytes(Charset::ShiftJis).unwrap())
                .unwrap()
                .msg;
            assert_eq!(back.body, msg.body, "{persona}");
        }
    }
}

#[test]
fn a_sample_with_every_element_round_trips_and_utf8_is_lossless() {
    let mock = start_mock();
    let msg = full_sample(&mock);
    for charset in [Charset::Utf8, Charset::ShiftJis] {
        assert_round_trip(&msg, charset);
    }
    let back = XmlMsg::from_bytes(&msg.to_bytes(Charset::Utf8).unwrap())
        .unwrap()
        .msg;
    assert_eq!(back.body, msg.body);
    let r = back.first_result().unwrap();
    assert_eq!(
        r.insured_card_classification,
        Some(InsuredCardClassification::Unknown("Z9".into()))
    );
    assert_eq!(r.diagnosis_name_cons_flg, Some(ConsentFlag::Consented));
    assert_eq!(back.header.error_message.as_deref(), Some("テスト & <escape>"));
}

#[test]
fn requests_we_send_round_trip_too() {
    let mock = start_mock();
    let client = client(&mock);
    let card = client.card_request(&card_query("p01-yamada-hanako"));
    for charset in [Charset::Utf8, Charset::ShiftJis] {
        assert_round_trip(&card, charset);
    }
}

#[test]
fn shift_jis_output_shows_black_circle_for_yoshida_and_utf8_keeps_it() {
    let mock = start_mock();
    let msg = client(&mock)
        .query_by_card(&card_query("p10-yoshida-taro"))
        .unwrap();
    assert_eq!(
        msg.first_result().unwrap().name.as_deref(),
        Some("\u{20BB7}田 太郎")
    );
    let sjis = XmlMsg::from_bytes(&msg.to_bytes(Charset::ShiftJis).unwrap())
        .unwrap()
        .msg;
    assert_eq!(sjis.first_result().unwrap().name.as_deref(), Some("●田 太郎"));
    let utf8 = XmlMsg::from_bytes(&msg.to_bytes(Charset::Utf8).unwrap())
        .unwrap()
        .msg;
    assert_eq!(
        utf8.first_result().unwrap().name.as_deref(),
        Some("\u{20BB7}田 太郎")
    );
    // A ● received from elsewhere is kept as received.
    let again = XmlMsg::from_bytes(&sjis.to_bytes(Charset::Utf8).unwrap())
        .unwrap()
        .msg;
    assert_eq!(again.first_result().unwrap().name.as_deref(), Some("●田 太郎"));
}

#[test]
fn half_width_kana_survives_shift_jis_and_displays_full_width() {
    let mock = start_mock();
    let msg = client(&mock)
        .query_by_card(&card_query("p09-kobayashi-yuto"))
        .unwrap();
    let back = XmlMsg::from_bytes(&msg.to_bytes(Charset::ShiftJis).unwrap())
        .unwrap()
        .msg;
    let kana = back.first_result().unwrap().name_kana.clone().unwrap();
    assert_eq!(kana, "ｺﾊﾞﾔｼ ﾕｳﾄ");
    assert_eq!(oqs::derived::kana_full_width(&kana), "コバヤシ　ユウト");
}

#[test]
fn unknown_elements_are_ignored_and_codes_keep_unknown_values() {
    let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult><FutureElement>x</FutureElement></MessageHeader>
<MessageBody><QualificationValidity>7</QualificationValidity><NewBlock><A>1</A></NewBlock>
<ResultList><ResultOfQualificationConfirmation><InsurerNumber>06133946</InsurerNumber><Sex1>9</Sex1>
</ResultOfQualificationConfirmation></ResultList></MessageBody></XmlMsg>"#;
    let msg = XmlMsg::from_bytes(text.as_bytes()).unwrap().msg;
    assert_eq!(
        msg.body.qualification_validity,
        Some(QualificationValidity::Unknown("7".into()))
    );
    assert_eq!(msg.first_result().unwrap().sex1, Some(Sex::Unknown("9".into())));
    assert_eq!(
        msg.first_result().unwrap().insurer_number.as_deref(),
        Some("06133946")
    );
}
