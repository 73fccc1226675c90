//! Paper documents assessed on their own (the journeys cover them through the driver too).

use reception::paper::*;
use reception::validate::NumberEntry;

use crate::fakes::day;

pub fn numbers() -> NumberEntry {
    NumberEntry {
        insurer_number: "06133946".into(),
        symbol: "000".into(),
        number: "00000001".into(),
        branch: "00".into(),
        birthdate: "1980-04-01".into(),
        limit_consent: false,
    }
}

pub fn certificate(issued: &str, until: &str) -> QualificationCertificateEntry {
    QualificationCertificateEntry {
        numbers: numbers(),
        dependant: true,
        name: "健保 太郎".into(),
        sex: Some(Sex::Male),
        recognized_on: "2020-04-01".into(),
        insured_person_name: "健保 一郎".into(),
        issued_on: issued.into(),
        valid_until: until.into(),
        insurer_name: "模擬健康保険組合".into(),
        copay_percent: None,
        limit_class: None,
    }
}

#[test]
fn qualification_certificate_from_s000_1_11_is_accepted_between_issue_and_expiry() {
    let d = assess(
        &PaperDocument::QualificationCertificate(certificate("2025-12-02", "2030-11-30")),
        day(2026, 1, 5),
        false,
    );
    // Its dates pass; its membership is asked online, and it stands on its own only if the service cannot
    // answer (#12 §1).
    let PaperDecision::NeedsOnlineCheck {
        document: doc,
        accept_offline: true,
    } = d
    else {
        panic!("checked online, got {d:?}")
    };
    assert_eq!(doc.valid_until, Some(day(2030, 11, 30)));
    assert_eq!(doc.relationship, Some(reception::model::Relationship::Dependant));
}

#[test]
fn qualification_certificate_is_not_usable_before_its_issue_date_s000_1_2() {
    let d = assess(
        &PaperDocument::QualificationCertificate(certificate("2025-12-02", "2030-11-30")),
        day(2025, 11, 20),
        false,
    );
    assert_eq!(
        d,
        PaperDecision::Refuse(PaperRefusal::QualificationCertificateNotYetValid)
    );
}

#[test]
fn qualification_certificate_with_expiry_over_5_years_is_flagged_invalid_s004_q7() {
    let d = assess(
        &PaperDocument::QualificationCertificate(certificate("2025-12-02", "2030-12-03")),
        day(2026, 1, 5),
        false,
    );
    assert_eq!(
        d,
        PaperDecision::Refuse(PaperRefusal::QualificationCertificateValidityTooLong)
    );
}

#[test]
fn qualification_certificate_missing_fields_lists_them() {
    let mut c = certificate("2025-12-02", "2030-11-30");
    c.name.clear();
    c.numbers.branch = "0".into();
    let PaperDecision::Invalid(v) = assess(
        &PaperDocument::QualificationCertificate(c),
        day(2026, 1, 5),
        false,
    ) else {
        panic!("invalid")
    };
    let codes: Vec<String> = v.iter().map(|e| e.code()).collect();
    assert!(
        codes.contains(&"name.required".to_owned()) && codes.contains(&"branch.format".to_owned()),
        "{codes:?}"
    );
}

#[test]
fn legacy_card_without_printed_expiry_runs_to_2025_12_01_s002_q7() {
    let e = LegacyCardEntry {
        numbers: numbers(),
        valid_until: String::new(),
        elderly_copay_percent: None,
    };
    assert!(matches!(
        assess(&PaperDocument::LegacyCard(e.clone()), day(2025, 12, 1), false),
        PaperDecision::NeedsOnlineCheck {
            accept_offline: true,
            ..
        }
    ));
    assert_eq!(
        assess(&PaperDocument::LegacyCard(e), day(2025, 12, 2), false),
        PaperDecision::Refuse(PaperRefusal::LegacyCardAbolished)
    );
}

#[test]
fn kokuho_legacy_card_with_printed_expiry_2025_07_31_is_refused_after_it_s002_q7() {
    let e = LegacyCardEntry {
        numbers: numbers(),
        valid_until: "2025-07-31".into(),
        elderly_copay_percent: None,
    };
    assert_eq!(
        assess(&PaperDocument::LegacyCard(e), day(2025, 8, 1), false),
        PaperDecision::Refuse(PaperRefusal::LegacyCardExpired)
    );
}

#[test]
fn a_share_other_than_1_2_or_3_wari_is_a_keying_error_on_the_certificate_and_the_elderly_card() {
    let mut c = certificate("2025-12-02", "2030-11-30");
    c.copay_percent = Some(35);
    let d = assess(&PaperDocument::QualificationCertificate(c), day(2026, 1, 5), true);
    assert!(
        matches!(&d, PaperDecision::Invalid(v) if v.iter().any(|e| e.field == reception::validate::Field::CopayPercent)),
        "{d:?}"
    );
    let e = LegacyCardEntry {
        numbers: numbers(),
        valid_until: String::new(),
        elderly_copay_percent: Some(0),
    };
    assert!(matches!(
        assess(&PaperDocument::LegacyCard(e), day(2025, 11, 1), true),
        PaperDecision::Invalid(_)
    ));
}
