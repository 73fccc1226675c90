//! The mock service over real HTTP on 127.0.0.1: every persona's expected answer, 記号番号 queries,
//! registration, consent recording and revocation.

use crate::support::*;
use oqs::codes::*;
use oqs::derived::{burden_share, personal_family_label};
use oqs::NumberQuery;

/// What the persona table promises for a card query with full consent.
struct Expect {
    persona: &'static str,
    status: ProcessingResultStatus,
    code: Option<SimulatedCode>,
    validity: Option<QualificationValidity>,
    results: usize,
    /// (負担割合 %, 本人/家族 label) of the first result.
    share: Option<(u8, Option<&'static str>)>,
}

fn ok(persona: &'static str, percent: u8, label: Option<&'static str>) -> Expect {
    Expect {
        persona,
        status: ProcessingResultStatus::Normal,
        code: None,
        validity: Some(QualificationValidity::Valid),
        results: 1,
        share: Some((percent, label)),
    }
}

fn expectations() -> Vec<Expect> {
    use QualificationValidity as V;
    let err = |persona, code| Expect {
        persona,
        status: ProcessingResultStatus::Error,
        code: Some(code),
        validity: None,
        results: 0,
        share: None,
    };
    vec![
        ok("p01-yamada-hanako", 30, Some("本人")),
        ok("p02-sato-kenji", 30, Some("本人")),
        ok("p03-suzuki-ichiro", 30, Some("本人")),
        ok("p04-takahashi-yoshiko", 30, Some("家族")),
        Expect {
            code: Some(SimulatedCode::CertExpiresSoon),
            ..ok("p05-tanaka-makoto", 30, Some("本人"))
        },
        Expect {
            code: Some(SimulatedCode::CertGrace),
            ..ok("p06-ito-akira", 30, Some("本人"))
        },
        err("p07-watanabe-mei", SimulatedCode::CertExpired),
        err("p08-nakamura-shota", SimulatedCode::NotRegistered),
        ok("p09-kobayashi-yuto", 20, Some("家族")),
        ok("p10-yoshida-taro", 30, Some("本人")),
        ok("p11-kato-tomiko", 10, None),
        ok("p12-yoshimura-kazuo", 20, Some("本人")),
        ok("p13-matsumoto-rin", 30, Some("本人")),
        Expect {
            validity: Some(V::InvalidNewerExists),
            ..ok("p14-yamamoto-daichi", 30, Some("本人"))
        },
        Expect {
            validity: Some(V::NoMatch),
            results: 0,
            share: None,
            ..ok("p15-mori-aoi", 30, None)
        },
        Expect {
            validity: Some(V::MultipleMatches),
            results: 2,
            ..ok("p16-inoue-ken", 30, Some("本人"))
        },
        Expect {
            validity: Some(V::ValidUnregistered),
            ..ok("p17-kimura-hiroshi", 30, None)
        },
        Expect {
            code: Some(SimulatedCode::ViewingSuspended),
            ..ok("p18-hayashi-yui", 30, Some("本人"))
        },
        Expect {
            validity: Some(V::Invalid),
            ..ok("p19-shimizu-jun", 30, Some("本人"))
        },
    ]
}

#[test]
fn every_persona_gets_the_answer_its_story_promises() {
    let mock = start_mock();
    let client = client(&mock);
    let table = expectations();
    assert_eq!(table.len(), personas().len(), "one expectation per persona");
    for e in table {
        let msg = client
            .query_by_card(&card_query(e.persona))
            .unwrap_or_else(|err| panic!("{}: {err}", e.persona));
        let body = &msg.body;
        assert_eq!(
            body.processing_result_status,
            Some(e.status.clone()),
            "{}",
            e.persona
        );
        assert_eq!(
            body.processing_result_code.as_deref(),
            e.code.as_ref().map(|c| c.code()),
            "{}",
            e.persona
        );
        assert_eq!(body.qualification_validity, e.validity, "{}", e.persona);
        assert_eq!(msg.results().len(), e.results, "{}", e.persona);
        if let (Some((percent, label)), Some(first)) = (e.share, msg.first_result()) {
            assert_eq!(
                burden_share(first, today()).percent,
                percent,
                "{} 負担割合",
                e.persona
            );
            assert_eq!(personal_family_label(first), label, "{} 本人/家族", e.persona);
        }
    }
}

#[test]
fn consent_flags_and_times_are_returned_and_recorded_with_24_hour_availability() {
    let mock = start_mock();
    let msg = client(&mock)
        .query_by_card(&card_query("p01-yamada-hanako"))
        .unwrap();
    let r = msg.first_result().unwrap();
    assert_eq!(r.pharmacists_info_cons_flg, Some(ConsentFlag::Consented));
    assert_eq!(r.pharmacists_info_cons_time.as_deref(), Some("20260302101530"));
    assert_eq!(
        r.pharmacists_info_available_time.as_deref(),
        Some("20260303101530")
    );
    assert_eq!(
        r.prescription_info_available_time.as_deref(),
        Some("20260303101530")
    );
    let recorded = mock
        .consent("p01-yamada-hanako")
        .expect("consent recorded by the service");
    assert_eq!(recorded.time, now());
    assert_eq!(
        msg.body.prescription_issue_select,
        Some(PrescriptionIssueSelect::Electronic)
    );
}

#[test]
fn declining_an_item_sets_its_flag_to_zero_without_times_and_does_not_block_the_result() {
    let mock = start_mock();
    let mut q = card_query("p02-sato-kenji");
    let mut consent = all_consent();
    consent.operation_info_cons_flg = Some(ConsentFlag::NotConsented);
    q.consent = Some(consent);
    let msg = client(&mock).query_by_card(&q).unwrap();
    let r = msg.first_result().unwrap();
    assert_eq!(
        msg.body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert_eq!(r.operation_info_cons_flg, Some(ConsentFlag::NotConsented));
    assert_eq!(r.operation_info_cons_time, None);
    assert_eq!(r.operation_info_available_time, None);
    assert_eq!(r.diagnosis_info_cons_flg, Some(ConsentFlag::Consented));
}

#[test]
fn grace_period_and_suspended_records_return_eligibility_but_no_medical_consent() {
    let mock = start_mock();
    let client = client(&mock);
    for persona in ["p06-ito-akira", "p18-hayashi-yui"] {
        let msg = client.query_by_card(&card_query(persona)).unwrap();
        let r = msg.first_result().unwrap();
        assert_eq!(
            r.pharmacists_info_cons_flg,
            Some(ConsentFlag::NotConsented),
            "{persona}"
        );
        assert_eq!(r.pharmacists_info_available_time, None, "{persona}");
        assert!(
            mock.consent(persona).is_none(),
            "{persona}: blocked consent must not be recorded"
        );
    }
}

#[test]
fn limit_and_specific_disease_details_flow_only_with_their_consent() {
    let mock = start_mock();
    let client = client(&mock);
    let with = client.query_by_card(&card_query("p03-suzuki-ichiro")).unwrap();
    let r = with.first_result().unwrap();
    let limit = r.limit_application_certificate_related_info.as_ref().unwrap();
    assert_eq!(
        limit.limit_application_certificate_classification_flag,
        Some(LimitClass::A04)
    );
    let diseases = &r
        .specific_diseases_certificate_list
        .as_ref()
        .unwrap()
        .certificates;
    assert_eq!(
        diseases[0].specific_diseases_disease_category,
        Some(SpecificDiseaseCategory::ChronicRenalFailure)
    );

    let mut q = card_query("p03-suzuki-ichiro");
    q.consent = Some(oqs::ConsentSelection {
        limit_application_certificate_related_cons_flg: Some(LimitConsentFlag::NotConsented),
        specific_diseases_certificate_related_cons_flg: Some(LimitConsentFlag::NotConsented),
        ..all_consent()
    });
    let without = client.query_by_card(&q).unwrap();
    let r = without.first_result().unwrap();
    assert_eq!(r.limit_application_certificate_related_info, None);
    assert_eq!(r.specific_diseases_certificate_list, None);
}

#[test]
fn registration_links_an_unregistered_card_and_the_next_query_finds_the_person() {
    let mock = start_mock();
    let client = client(&mock);
    let cert = persona_cert("p08-nakamura-shota");
    assert_eq!(mock.registered("p08-nakamura-shota"), Some(false));
    let reg = client.register(&cert, today()).unwrap();
    assert_eq!(
        reg.body.processing_result_code.as_deref(),
        Some(SimulatedCode::Registered.code())
    );
    assert_eq!(mock.registered("p08-nakamura-shota"), Some(true));
    let msg = client.query_by_card(&card_query("p08-nakamura-shota")).unwrap();
    assert_eq!(
        msg.body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
}

#[test]
fn pending_insurer_data_answers_no_eligibility_until_the_trainer_links_it() {
    let mock = start_mock();
    let client = client(&mock);
    let first = client.query_by_card(&card_query("p15-mori-aoi")).unwrap();
    assert_eq!(
        first.body.qualification_validity,
        Some(QualificationValidity::NoMatch)
    );
    let reg = client.register(&persona_cert("p15-mori-aoi"), today()).unwrap();
    assert_eq!(
        reg.body.processing_result_code.as_deref(),
        Some(SimulatedCode::AlreadyRegistered.code())
    );
    // The trainer panel links the data through the admin API.
    let resp = ureq::post(format!("{}/admin/persons/p15-mori-aoi/pending", mock.admin_url()))
        .header(oqs::mock::ADMIN_TOKEN_HEADER, mock.admin_token())
        .header("Content-Type", "application/json")
        .send(
            serde_json::to_vec(&serde_json::json!({"pending": false}))
                .unwrap()
                .as_slice(),
        )
        .unwrap();
    assert_eq!(resp.status().as_u16(), 204);
    let later = client.query_by_card(&card_query("p15-mori-aoi")).unwrap();
    assert_eq!(
        later.body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
}

#[test]
fn revoked_untrusted_and_unknown_certificates_are_refused_with_their_codes() {
    let mock = start_mock();
    let client = client(&mock);
    let t = today();
    let (nb, na) = (t.pred_opt().unwrap(), t.succ_opt().unwrap());
    let code_of = |der: Vec<u8>| {
        let q = oqs::CardQuery {
            auth_cert_der: der,
            ..card_query("p01-yamada-hanako")
        };
        let msg = client.query_by_card(&q).unwrap();
        assert_eq!(
            msg.body.processing_result_status,
            Some(ProcessingResultStatus::Error)
        );
        msg.body.processing_result_code.unwrap()
    };
    // 4195 is on revocation.toml.
    assert_eq!(
        code_of(cert_with("p01-yamada-hanako", 4195, nb, na)),
        SimulatedCode::CertRevoked.code()
    );
    assert_eq!(
        code_of(cert_with("p01-yamada-hanako", 0x1234, nb, na)),
        SimulatedCode::UnknownCard.code()
    );
    let mut tampered = persona_cert("p01-yamada-hanako");
    let n = tampered.len();
    tampered[n - 10] ^= 0xFF; // inside the CA signature
    assert_eq!(code_of(tampered), SimulatedCode::CertInvalid.code());
    assert_eq!(
        code_of(b"not a certificate".to_vec()),
        SimulatedCode::CertInvalid.code()
    );
    mock.revoke(serial_of("p02-sato-kenji"));
    let msg = client.query_by_card(&card_query("p02-sato-kenji")).unwrap();
    assert_eq!(
        msg.body.processing_result_code.as_deref(),
        Some(SimulatedCode::CertRevoked.code())
    );
}

fn numbers(
    insurer: &str,
    symbol: Option<&str>,
    number: &str,
    branch: Option<&str>,
    birth: (i32, u32, u32),
) -> NumberQuery {
    NumberQuery {
        insurer_number: insurer.into(),
        symbol: symbol.map(Into::into),
        number: number.into(),
        branch: branch.map(Into::into),
        birthdate: chrono::NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap(),
        date: today(),
        limit_consent: false,
    }
}

#[test]
fn numbers_query_finds_people_with_and_without_cards_and_rejects_a_wrong_birthdate() {
    let mock = start_mock();
    let client = client(&mock);
    let p01 = client
        .query_by_numbers(
            &numbers("06139919", Some("1001"), "1001", Some("00"), (1990, 1, 1)),
            true,
        )
        .unwrap();
    assert_eq!(
        p01.body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert_eq!(p01.first_result().unwrap().name.as_deref(), Some("山田 花子"));
    assert!(
        p01.body.qualification_confirm_search_info.is_some(),
        "the query is echoed"
    );

    // x01 has no card; 70–74 with a 3割 高齢受給者 ratio and 限度額 B02.
    let x01 = client
        .query_by_numbers(
            &numbers("01139997", Some("31010101"), "101", None, (1954, 11, 3)),
            true,
        )
        .unwrap();
    let r = x01.first_result().unwrap();
    assert_eq!(
        burden_share(r, today()).basis,
        oqs::derived::BurdenBasis::ElderlyRecipient
    );
    assert_eq!(
        r.limit_application_certificate_related_info
            .as_ref()
            .unwrap()
            .limit_application_certificate_classification_flag,
        Some(LimitClass::B02)
    );

    // 6-digit 国保 numbers may arrive space-padded.
    let p03 = client
        .query_by_numbers(
            &numbers("  139998", Some("模擬01"), "3003", Some("00"), (1965, 9, 30)),
            true,
        )
        .unwrap();
    assert_eq!(
        p03.body.qualification_validity,
        Some(QualificationValidity::Valid)
    );

    let wrong = client
        .query_by_numbers(
            &numbers("06139919", Some("1001"), "1001", Some("00"), (1990, 1, 2)),
            true,
        )
        .unwrap();
    assert_eq!(
        wrong.body.qualification_validity,
        Some(QualificationValidity::NoMatch)
    );
    assert!(wrong.results().is_empty());
}

#[test]
fn a_card_consent_within_24_hours_also_shows_on_a_numbers_query() {
    let mock = start_mock();
    let client = client(&mock);
    client.query_by_card(&card_query("p01-yamada-hanako")).unwrap();
    let msg = client
        .query_by_numbers(
            &numbers("06139919", Some("1001"), "1001", Some("00"), (1990, 1, 1)),
            true,
        )
        .unwrap();
    assert_eq!(
        msg.first_result().unwrap().pharmacists_info_cons_flg,
        Some(ConsentFlag::Consented)
    );
}

#[test]
fn a_shift_jis_request_gets_a_shift_jis_answer() {
    let mock = start_mock();
    let client = client(&mock);
    let req = client.number_request(
        &numbers("01139997", Some("31010010"), "10", Some("00"), (1975, 10, 10)),
        true,
    );
    let resp = ureq::post(format!("{}/oqs/qualification", mock.url()))
        .send(&req.to_bytes(oqs::Charset::ShiftJis).unwrap()[..])
        .unwrap();
    let bytes = resp.into_body().read_to_vec().unwrap();
    let decoded = oqs::XmlMsg::from_bytes(&bytes).unwrap();
    assert_eq!(decoded.charset, oqs::Charset::ShiftJis);
    assert_eq!(
        decoded.msg.header.character_code_identifier,
        Some(CharacterCodeIdentifier::ShiftJis)
    );
    // 𠮷 cannot be written in Shift_JIS: the real system shows ●.
    assert_eq!(
        decoded.msg.first_result().unwrap().name.as_deref(),
        Some("●田 太郎")
    );
}
