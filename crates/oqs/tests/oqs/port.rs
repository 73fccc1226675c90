//! `EligibilityPort` (the reception flow's `OnlineEligibility`) against the real mock over HTTP on 127.0.0.1:
//! answers per persona, consent in and out, registration, the face result file, and every fault's mapping.

use crate::support::*;
use chrono::Duration;
use oqs::codes::{ConsentFlag, LimitConsentFlag};
use oqs::reception_port::{EligibilityPort, CERT_NOT_READ};
use oqs::xml::{Charset, XmlMsg};
use oqs::{Fault, FaultRule, MockOqs};
use reception::model::{
    CertQuery, CertRef, ConsentRecord, EligibilityError, EligibilityRecord, EligibilityResponse, NumberQuery,
    PrescriptionForm, QualificationValidity, Registration, Relationship, Segment,
};
use reception::OnlineEligibility;
use std::collections::HashMap;
use std::path::Path;

// The driver runs the port on its own thread.
const _: fn() = || {
    fn send<T: Send>() {}
    send::<EligibilityPort>();
};

/// Serial as the card adapter reports it: hex.
fn serial_hex(persona: &str) -> String {
    format!("{:X}", serial_of(persona))
}

fn cert_ref(persona: &str) -> CertRef {
    CertRef::Card {
        serial: serial_hex(persona),
    }
}

/// A port whose certificate lookup knows `personas` (as if their cards had been read).
fn port(mock: &MockOqs, personas: &[&str]) -> EligibilityPort {
    let known: HashMap<String, Vec<u8>> = personas
        .iter()
        .map(|p| (serial_hex(p), persona_cert(p)))
        .collect();
    EligibilityPort::new(
        client(mock),
        Box::new(move |serial| known.get(serial).cloned()),
        Box::new(now),
    )
}

fn consent(treatment: bool, surgery: bool, checkup: bool) -> ConsentRecord {
    ConsentRecord {
        mode: reception::model::ConsentMode::Individual,
        treatment_and_medicine: treatment,
        surgery,
        health_checkup: checkup,
        limit_info: true,
        given_at: now(),
        valid_until: now() + Duration::hours(24),
    }
}

fn cert_query(persona: &str, consent: Option<ConsentRecord>) -> CertQuery {
    CertQuery {
        cert: cert_ref(persona),
        proof: None,
        consent,
        prescription: Some(PrescriptionForm::Electronic),
        medical_info_allowed: consent.is_some_and(|c| c.any_medical()),
        date: today(),
    }
}

fn everyone(fault: Fault) -> FaultRule {
    FaultRule {
        fault,
        person: None,
        count: None,
    }
}

/// Full consent query for `persona`; the answer must be 正常終了.
fn answer(persona: &str) -> EligibilityResponse {
    let mock = start_mock();
    let resp = port(&mock, &[persona])
        .query_by_certificate(&cert_query(persona, Some(consent(true, true, true))))
        .unwrap();
    assert_eq!(resp.segment, Segment::Normal, "{persona}");
    resp
}

fn record(persona: &str) -> EligibilityRecord {
    answer(persona).record.unwrap()
}

fn face_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_card_query_with_consent_answers_valid_3割_with_the_chosen_flags_and_writes_a_face_file() {
    let mock = start_mock();
    let dir = tempfile::tempdir().unwrap();
    let mut port = port(&mock, &["p01-yamada-hanako"]).with_face_output(dir.path(), Charset::ShiftJis);
    let resp = port
        .query_by_certificate(&cert_query("p01-yamada-hanako", Some(consent(true, false, true))))
        .unwrap();

    assert_eq!(resp.segment, Segment::Normal);
    assert_eq!(resp.validity, Some(QualificationValidity::Valid));
    assert_eq!(resp.confirmed_on, today());
    let r = resp.record.unwrap();
    assert_eq!(r.copay_percent, Some(30));
    assert_eq!(r.relationship, Some(Relationship::Insured));
    assert_eq!(
        (
            r.insurer_number.as_str(),
            r.symbol.as_deref(),
            r.number.as_str(),
            r.branch.as_deref()
        ),
        ("06139919", Some("1001"), "1001", Some("00"))
    );
    assert_eq!(r.name, "山田 花子");
    assert_eq!(r.birthdate, chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap());
    assert_eq!(
        r.sex,
        reception::paper::Sex::Female,
        "Sex1 = 2 reaches the record (the desk showed 未設定 for every card reception)"
    );
    assert!(r.consent.treatment_and_medicine && !r.consent.surgery && r.consent.health_checkup);
    assert_eq!(r.consent.given_at, Some(now()));
    assert_eq!(r.consent.valid_until, Some(now() + Duration::hours(24)));
    assert!(!r.medical_viewing_suspended);

    // What the service recorded is what the patient chose (domain.md §2(b) 4).
    let sent = mock.consent("p01-yamada-hanako").unwrap().selection;
    assert_eq!(sent.pharmacists_info_cons_flg, Some(ConsentFlag::Consented));
    assert_eq!(sent.diagnosis_info_cons_flg, Some(ConsentFlag::Consented));
    assert_eq!(sent.operation_info_cons_flg, Some(ConsentFlag::NotConsented));
    assert_eq!(
        sent.specific_health_checkups_info_cons_flg,
        Some(ConsentFlag::Consented)
    );
    assert_eq!(
        sent.limit_application_certificate_related_cons_flg,
        Some(LimitConsentFlag::Consented)
    );

    assert_eq!(
        face_files(dir.path()),
        vec!["OQSsiquc01res_face_20260302101530.xml"]
    );
    let written = port.last_face_file().unwrap();
    let back = XmlMsg::from_bytes(&std::fs::read(written).unwrap()).unwrap();
    assert_eq!(back.charset, Charset::ShiftJis);
    let first = back.msg.first_result().unwrap();
    assert_eq!(first.insured_identification_number.as_deref(), Some("1001"));
    assert_eq!(first.operation_info_cons_flg, Some(ConsentFlag::NotConsented));
    assert_eq!(first.diagnosis_info_cons_flg, Some(ConsentFlag::Consented));
}

#[test]
fn copay_share_follows_late_elderly_preschool_and_elderly_recipient_records() {
    let p11 = record("p11-kato-tomiko");
    assert_eq!(p11.copay_percent, Some(10), "後期高齢者 1割");
    assert_eq!(p11.relationship, None, "後期高齢者 have no 本人/家族");
    let p09 = record("p09-kobayashi-yuto");
    assert_eq!(p09.copay_percent, Some(20), "未就学 2割");
    assert_eq!(p09.relationship, Some(Relationship::Dependant));
    assert_eq!(
        record("p12-yoshimura-kazuo").copay_percent,
        Some(20),
        "高齢受給者 2割"
    );
}

#[test]
fn a_superseded_eligibility_is_validity_3_with_its_old_record() {
    let resp = answer("p14-yamamoto-daichi");
    assert_eq!(resp.validity, Some(QualificationValidity::InvalidNewerExists));
    assert_eq!(
        resp.record.unwrap().valid_until,
        chrono::NaiveDate::from_ymd_opt(2025, 10, 31)
    );
}

#[test]
fn pending_insurer_data_is_not_found_without_a_record() {
    // The shape the flow shows as 資格情報なし.
    let resp = answer("p15-mori-aoi");
    assert_eq!(resp.validity, Some(QualificationValidity::NotFound));
    assert_eq!(resp.record, None);
}

#[test]
fn multiple_matches_and_medical_aid_keep_their_validity_codes() {
    let p16 = answer("p16-inoue-ken");
    assert_eq!(p16.validity, Some(QualificationValidity::MultipleMatches));
    assert_eq!(p16.record.unwrap().insurer_number, "01139997", "the first entry");
    let p17 = answer("p17-kimura-hiroshi");
    assert_eq!(p17.validity, Some(QualificationValidity::ValidUnregistered));
    assert_eq!(p17.record.unwrap().insurer_number, "12139994");
}

#[test]
fn a_suspended_record_is_flagged_and_returns_no_consent() {
    let r = record("p18-hayashi-yui");
    assert!(r.medical_viewing_suspended);
    assert!(!r.consent.treatment_and_medicine && !r.consent.surgery && !r.consent.health_checkup);
    assert_eq!(r.consent.given_at, None);
}

#[test]
fn a_grace_certificate_is_queried_for_eligibility_only_with_限度額_kept() {
    let mock = start_mock();
    let dir = tempfile::tempdir().unwrap();
    let mut port = port(&mock, &["p06-ito-akira"]).with_face_output(dir.path(), Charset::Utf8);
    let resp = port
        .query_by_certificate(&cert_query("p06-ito-akira", None))
        .unwrap();
    assert_eq!(resp.validity, Some(QualificationValidity::Valid));
    assert_eq!(resp.record.unwrap().consent, Default::default());
    assert_eq!(mock.consent("p06-ito-akira"), None, "no consent recorded");
    // The answer echoes the flags sent: 限度額 1 (card checks always), medical items 0 (domain.md §2(b) 5).
    let back = XmlMsg::from_bytes(&std::fs::read(port.last_face_file().unwrap()).unwrap()).unwrap();
    let first = back.msg.first_result().unwrap();
    assert_eq!(
        first.limit_application_certificate_related_cons_flg,
        Some(LimitConsentFlag::Consented)
    );
    assert_eq!(first.pharmacists_info_cons_flg, Some(ConsentFlag::NotConsented));
}

#[test]
fn an_unregistered_card_is_reported_then_registered_then_answers() {
    let mock = start_mock();
    let mut port = port(&mock, &["p08-nakamura-shota"]);
    let card = cert_ref("p08-nakamura-shota");
    assert_eq!(port.registration_status(&card), Ok(Registration::NotRegistered));
    assert_eq!(port.register(&card), Ok(Registration::Registered));
    assert_eq!(mock.registered("p08-nakamura-shota"), Some(true));
    assert_eq!(port.registration_status(&card), Ok(Registration::Registered));
    let resp = port
        .query_by_certificate(&cert_query("p08-nakamura-shota", Some(consent(true, true, true))))
        .unwrap();
    assert_eq!(resp.validity, Some(QualificationValidity::Valid));
}

#[test]
fn the_registration_check_records_no_consent() {
    let mock = start_mock();
    let mut port = port(&mock, &["p01-yamada-hanako"]);
    assert_eq!(
        port.registration_status(&cert_ref("p01-yamada-hanako")),
        Ok(Registration::Registered)
    );
    assert_eq!(mock.consent("p01-yamada-hanako"), None);
}

#[test]
fn a_number_query_finds_p01_by_記号番号_and_writes_no_face_file() {
    let mock = start_mock();
    let dir = tempfile::tempdir().unwrap();
    let mut port = port(&mock, &[]).with_face_output(dir.path(), Charset::Utf8);
    let q = NumberQuery {
        insurer_number: "06139919".into(),
        symbol: Some("1001".into()),
        number: "1001".into(),
        branch: Some("00".into()),
        birthdate: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        date: today(),
        limit_consent: false,
    };
    let resp = port.query_by_numbers(&q).unwrap();
    assert_eq!(resp.validity, Some(QualificationValidity::Valid));
    let r = resp.record.unwrap();
    assert_eq!(r.name, "山田 花子");
    assert_eq!(r.copay_percent, Some(30));
    let unknown = NumberQuery {
        number: "9999".into(),
        ..q
    };
    assert_eq!(
        port.query_by_numbers(&unknown).unwrap().validity,
        Some(QualificationValidity::NotFound)
    );
    assert!(face_files(dir.path()).is_empty());
}

#[test]
fn a_certificate_that_was_not_read_is_malformed_and_nothing_is_sent() {
    let mock = start_mock();
    // Stopped: had a request been sent, the answer would be Unavailable.
    mock.stop_listening().unwrap();
    let mut port = port(&mock, &[]);
    let missing = EligibilityError::Malformed(CERT_NOT_READ.into());
    let card = cert_ref("p01-yamada-hanako");
    assert_eq!(port.registration_status(&card), Err(missing.clone()));
    assert_eq!(port.register(&card), Err(missing.clone()));
    assert_eq!(
        port.query_by_certificate(&cert_query("p01-yamada-hanako", None)),
        Err(missing)
    );
}

#[test]
fn a_face_file_that_cannot_be_written_does_not_fail_the_reception() {
    let mock = start_mock();
    let blocker = tempfile::NamedTempFile::new().unwrap();
    // A regular file where the folder should be: create_dir_all fails.
    let mut port = port(&mock, &["p01-yamada-hanako"]).with_face_output(blocker.path(), Charset::Utf8);
    let resp = port
        .query_by_certificate(&cert_query("p01-yamada-hanako", Some(consent(true, true, true))))
        .unwrap();
    assert_eq!(resp.validity, Some(QualificationValidity::Valid));
    assert_eq!(port.last_face_file(), None);
}

#[test]
fn a_revoked_certificate_passes_the_registration_check_and_the_query_carries_its_code() {
    let mock = start_mock();
    mock.revoke(serial_of("p01-yamada-hanako"));
    let dir = tempfile::tempdir().unwrap();
    let mut port = port(&mock, &["p01-yamada-hanako"]).with_face_output(dir.path(), Charset::Utf8);
    assert_eq!(
        port.registration_status(&cert_ref("p01-yamada-hanako")),
        Ok(Registration::Registered)
    );
    let resp = port
        .query_by_certificate(&cert_query("p01-yamada-hanako", Some(consent(true, true, true))))
        .unwrap();
    assert_eq!(
        resp.segment,
        Segment::Error {
            code: "SIM-E02".into()
        }
    );
    assert_eq!((resp.validity, resp.record), (None, None));
    assert!(face_files(dir.path()).is_empty(), "no result file for an error");
}

/// The outcome of a full-consent p01 query while `fault` is active (and whether a face file was written).
fn under_fault(fault: Fault) -> (Result<EligibilityResponse, EligibilityError>, bool) {
    let mock = start_mock();
    mock.inject(everyone(fault));
    let dir = tempfile::tempdir().unwrap();
    let mut port = port(&mock, &["p01-yamada-hanako"]).with_face_output(dir.path(), Charset::Utf8);
    let r = port.query_by_certificate(&cert_query("p01-yamada-hanako", Some(consent(true, true, true))));
    (r, !face_files(dir.path()).is_empty())
}

#[test]
fn a_service_that_never_answers_is_a_timeout() {
    assert_eq!(
        under_fault(Fault::Timeout),
        (Err(EligibilityError::Timeout), false)
    );
}

#[test]
fn http_500_is_unavailable() {
    assert_eq!(
        under_fault(Fault::Http500),
        (Err(EligibilityError::Unavailable), false)
    );
}

#[test]
fn a_stopped_service_is_unavailable() {
    let mock = start_mock();
    mock.stop_listening().unwrap();
    let mut port = port(&mock, &["p01-yamada-hanako"]);
    assert_eq!(
        port.query_by_certificate(&cert_query("p01-yamada-hanako", None)),
        Err(EligibilityError::Unavailable)
    );
    assert_eq!(
        port.registration_status(&cert_ref("p01-yamada-hanako")),
        Err(EligibilityError::Unavailable)
    );
}

#[test]
fn an_unreadable_answer_is_malformed() {
    let (r, wrote) = under_fault(Fault::Malformed);
    assert!(matches!(r, Err(EligibilityError::Malformed(_))), "{r:?}");
    assert!(!wrote);
}

#[test]
fn 処理中_is_a_processing_answer_the_flow_can_poll() {
    let (r, wrote) = under_fault(Fault::Processing);
    let resp = r.unwrap();
    assert_eq!(resp.segment, Segment::Processing);
    assert_eq!(
        (resp.validity, resp.record, resp.confirmed_on),
        (None, None, today())
    );
    assert!(!wrote, "no face file for an unfinished answer");
}

#[test]
fn 異常終了_is_an_error_answer_with_its_code() {
    let (r, wrote) = under_fault(Fault::Error);
    assert_eq!(
        r.unwrap().segment,
        Segment::Error {
            code: "SIM-X01".into()
        }
    );
    assert!(!wrote);
}

#[test]
fn a_registration_check_the_service_cannot_finish_is_unavailable() {
    let mock = start_mock();
    mock.inject(everyone(Fault::Processing));
    let mut port = port(&mock, &["p08-nakamura-shota"]);
    assert_eq!(
        port.registration_status(&cert_ref("p08-nakamura-shota")),
        Err(EligibilityError::Unavailable)
    );
}

#[test]
fn a_card_the_service_does_not_know_counts_as_not_registered() {
    let mock = start_mock();
    let unknown_serial = 0x1FFF;
    let der = cert_with(
        "p01-yamada-hanako",
        unknown_serial,
        today() - Duration::days(30),
        today() + Duration::days(365),
    );
    let mut port = EligibilityPort::new(client(&mock), Box::new(move |_| Some(der.clone())), Box::new(now));
    let card = CertRef::Card {
        serial: format!("{unknown_serial:X}"),
    };
    assert_eq!(port.registration_status(&card), Ok(Registration::NotRegistered));
    assert_eq!(port.register(&card), Ok(Registration::NotRegistered));
}

/// 限度額・特定疾病・高齢受給者 reach reception's record (#12 §2): a dialysis patient's 特定疾病 by card, and a
/// 70–74-year-old's 高齢受給者証 and 限度区分 by a number query that carries the desk's limit consent.
#[test]
fn the_record_carries_specific_disease_elderly_share_and_limit_class() {
    let mock = start_mock();
    let mut port = port(&mock, &["p03-suzuki-ichiro"]);
    let p03 = port
        .query_by_certificate(&cert_query("p03-suzuki-ichiro", Some(consent(true, true, true))))
        .unwrap()
        .record
        .unwrap();
    assert_eq!(p03.specific_diseases.len(), 1, "{p03:?}");
    let d = &p03.specific_diseases[0];
    assert_eq!(
        (d.category_code.as_str(), d.category_name.as_str(), d.self_pay_yen),
        ("1", "人工透析を要する慢性腎不全", Some(10_000))
    );
    let x01 = |limit_consent: bool| NumberQuery {
        insurer_number: "01139997".into(),
        symbol: Some("31010101".into()),
        number: "101".into(),
        branch: Some("00".into()),
        birthdate: chrono::NaiveDate::from_ymd_opt(1954, 11, 3).unwrap(),
        date: today(),
        limit_consent,
    };
    let with = port.query_by_numbers(&x01(true)).unwrap().record.unwrap();
    assert_eq!(with.elderly.as_ref().and_then(|e| e.copay_percent), Some(30));
    let limit = with.limit.expect("limit class with the patient's consent");
    assert_eq!(
        (limit.class_code.as_str(), limit.class_name.as_str()),
        ("B02", "現役並みⅡ")
    );
    let without = port.query_by_numbers(&x01(false)).unwrap().record.unwrap();
    assert_eq!(
        without.limit, None,
        "no 限度額 information without the patient's consent"
    );
}
