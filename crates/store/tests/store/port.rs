//! The reception flow's `Store` port: what the flow hands over is what the desk reads back, patients are
//! found again whichever way their kana was written, and 再診 look-ups find only the right person.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use reception::flow::{AuditEvent, AuditKind};
use reception::model::{
    ConsentMode, ConsentRecord, EligibilityRecord, Method, Operator, PatientLookup, PrescriptionForm,
    QualificationValidity, Relationship, ReturnedConsent,
};
use reception::paper::{
    AcceptedDocument, Basis, Billing, Declaration, DocumentKind, GroupSetting, InsuranceType, ProblemKind,
    ReceptionRecord, RefundTask as RxRefundTask, Sex,
};
use reception::rules::CertStatus;
use reception::validate::Numbers;
use reception::Store as _;

use crate::common::{both, date, fresh, time};
use store::reception_port::{StorePort, AMOUNT_NOT_YET_BILLED_YEN, UNIDENTIFIED_NAME};
use store::{
    ConsentScope, EligibilityReference, Fallback, IdentityMethod, Mode, Outcome, PatientId, ReceptionFilter,
    RefundRoute, Store, StoredReception, TaskStatus, VisitKind,
};

fn port() -> StorePort {
    StorePort::new(fresh(Mode::Live))
}

/// What OQS returns for the sample patient: half-width kana, 性別1 = 女.
fn oqs_answer() -> EligibilityRecord {
    EligibilityRecord {
        insurer_number: "06133946".into(),
        insurer_name: "見本健康保険組合".into(),
        symbol: Some("000".into()),
        number: "0012345".into(),
        branch: Some("01".into()),
        name: "見本 花子".into(),
        name_kana: "ﾐﾎﾝ ﾊﾅｺ".into(),
        birthdate: date(1988, 4, 2),
        sex: Sex::Female,
        relationship: Some(Relationship::Dependant),
        copay_percent: Some(30),
        valid_from: Some(date(2020, 4, 1)),
        valid_until: Some(date(2030, 3, 31)),
        consent: ReturnedConsent::default(),
        medical_viewing_suspended: false,
        elderly: None,
        limit: None,
        specific_diseases: Vec::new(),
    }
}

/// A record with nothing established yet; each test fills in its path.
fn bare(at: NaiveDateTime, basis: Basis, billing: Billing) -> ReceptionRecord {
    ReceptionRecord {
        completed_at: at,
        basis,
        billing,
        operator: Operator::Patient,
        method: None,
        cert_serial: None,
        cert_status: None,
        consent: None,
        prescription: None,
        medical_info_available: false,
        validity: None,
        eligibility: None,
        confirmed_on: None,
        document: None,
        declaration: None,
        problem: None,
        refund_task: None,
        recheck_online: false,
    }
}

/// マイナ保険証 + PIN, 個別 consent (診療・お薬 and 健診), electronic prescription.
fn card_with_pin(at: NaiveDateTime) -> ReceptionRecord {
    ReceptionRecord {
        method: Some(Method::Pin),
        cert_serial: Some("0A1B2C".into()),
        cert_status: Some(CertStatus::Valid),
        consent: Some(ConsentRecord {
            mode: ConsentMode::Individual,
            treatment_and_medicine: true,
            surgery: false,
            health_checkup: true,
            limit_info: true,
            given_at: at - Duration::minutes(1),
            valid_until: at - Duration::minutes(1) + Duration::hours(24),
        }),
        prescription: Some(PrescriptionForm::Electronic),
        medical_info_available: true,
        validity: Some(QualificationValidity::Valid),
        eligibility: Some(oqs_answer()),
        confirmed_on: Some(at.date()),
        ..bare(at, Basis::OnlineCard, Billing::NormalShare)
    }
}

fn numbers() -> Numbers {
    Numbers {
        insurer_number: "06133946".into(),
        symbol: Some("000".into()),
        number: "0012345".into(),
        branch: Some("01".into()),
        birthdate: date(1988, 4, 2),
    }
}

fn qualification_certificate() -> AcceptedDocument {
    AcceptedDocument {
        valid_until: Some(date(2030, 11, 30)),
        issued_on: Some(date(2025, 8, 18)),
        relationship: Some(Relationship::Dependant),
        name: Some("見本 花子".into()),
        insurer_name: Some("見本健康保険組合".into()),
        ..AcceptedDocument::new(DocumentKind::QualificationCertificate, numbers())
    }
}

fn declaration(day: NaiveDate) -> Declaration {
    Declaration {
        visit_date: day,
        filled_on: day,
        name: "見本 花子".into(),
        name_kana: "ミホン ハナコ".into(),
        birthdate: date(1988, 4, 2),
        sex: Sex::Female,
        address: "東京都千代田区見本町1-2-3".into(),
        phone: Some("090-0000-0000".into()),
        insurance_type: InsuranceType::Employee,
        insurer_name: Some("見本健康保険組合".into()),
        insurer_number: Some("06133946".into()),
        symbol: None,
        number: None,
        branch: None,
        employer: Some("見本商事株式会社".into()),
        relationship: Relationship::Dependant,
        staff_note: Some("停電のため申立書".into()),
        copay_percent: Some(30),
    }
}

fn saved(p: &mut StorePort, r: &ReceptionRecord) -> StoredReception {
    p.save_reception(r).unwrap();
    let visit = p.last_visit().unwrap();
    p.db().reception(visit).unwrap().unwrap()
}

fn patient_count(p: &StorePort, birthdate: NaiveDate) -> usize {
    p.db().find_patients(None, Some(birthdate)).unwrap().len()
}

both! {
fn a_card_reception_with_pin_and_consent_shows_in_the_day_list_with_outcome_consent_expiry_and_copay() {
    let mut p = port();
    let at = time(2026, 2, 3, 9, 15);
    let stored = saved(&mut p, &card_with_pin(at));
    assert_eq!(
        stored.patient.sex,
        Sex::Female,
        "the answer's 性別 is the patient's (no more 未設定)"
    );

    let day = p
        .db()
        .receptions_on(at.date(), &ReceptionFilter::default())
        .unwrap();
    assert_eq!(day.len(), 1);
    let line = &day[0];
    assert_eq!(line.outcome, Outcome::Confirmed);
    assert_eq!(line.fallback, None);
    assert_eq!(line.identity, IdentityMethod::Pin);
    assert_eq!(line.presenter, Operator::Patient);
    assert_eq!(
        line.kind,
        VisitKind::First,
        "a patient new to this file is a 初診"
    );
    assert_eq!(line.copay_percent, Some(30));
    assert_eq!(line.insurer_number.as_deref(), Some("06133946"));
    assert_eq!(line.consent_expires_at, Some(time(2026, 2, 4, 9, 14)));
    assert!(!line.refund_open);
    assert_eq!(line.name, "見本 花子");

    let consent = stored.consent.unwrap();
    assert_eq!(consent.given_at, time(2026, 2, 3, 9, 14));
    assert_eq!(consent.scope, ConsentScope::Individual);
    assert!(consent.medical_and_drugs && !consent.surgery && consent.checkups);
    assert_eq!(consent.prescription_format, Some(PrescriptionForm::Electronic));
    let e = stored.eligibility.unwrap();
    assert_eq!(e.validity, Some(QualificationValidity::Valid));
    assert_eq!(e.reference, EligibilityReference::Card);
    assert_eq!(e.confirmation_date, at.date());
    assert_eq!(e.card_symbol.as_deref(), Some("000"));
    assert_eq!(e.branch_number.as_deref(), Some("01"));
    assert_eq!(e.valid_until, Some(date(2030, 3, 31)));
    assert!(stored.documents.is_empty() && stored.declaration.is_none() && stored.full_payment.is_none());
    let completed = &stored.audit[0];
    assert_eq!(completed.action, "reception.completed");
    assert!(completed.detail.as_deref().unwrap().contains("basis=online_card"));
}
}

both! {
fn the_consent_scope_is_what_the_patient_chose_not_what_the_answers_add_up_to() {
    let mut p = port();
    let at = time(2026, 2, 3, 9, 15);
    let mut r = card_with_pin(at);
    if let Some(c) = r.consent.as_mut() {
        c.surgery = true;
    }
    // Item by item, yes to all three: still 個別 (reception's ConsentMode, #11 §3).
    assert_eq!(saved(&mut p, &r).consent.unwrap().scope, ConsentScope::Individual);
    if let Some(c) = r.consent.as_mut() {
        c.mode = ConsentMode::Comprehensive;
    }
    assert_eq!(
        saved(&mut p, &r).consent.unwrap().scope,
        ConsentScope::Comprehensive
    );
}
}

both! {
fn a_document_accepted_offline_keeps_its_printed_facts_and_opens_a_recheck_task() {
    let mut p = port();
    let at = time(2026, 2, 3, 11, 0);
    let doc = AcceptedDocument {
        sex: Some(Sex::Female),
        insured_person_name: Some("見本 一郎".into()),
        recognized_on: Some(date(2025, 4, 1)),
        copay_percent: Some(20),
        limit_class: Some("一般".into()),
        ..qualification_certificate()
    };
    let r = ReceptionRecord {
        document: Some(doc.clone()),
        recheck_online: true,
        ..bare(
            at,
            Basis::Document(DocumentKind::QualificationCertificate),
            Billing::NormalShare,
        )
    };
    let stored = saved(&mut p, &r);
    assert_eq!(stored.visit.outcome, Outcome::PaperDocument);
    assert_eq!(
        stored.documents,
        vec![doc],
        "sex, share, 限度区分 and names come back as printed"
    );
    assert!(
        !stored.documents[0].with_card,
        "a 資格確認書 alone is not recorded with the card"
    );
    let day = p
        .db()
        .receptions_on(at.date(), &ReceptionFilter::default())
        .unwrap();
    assert_eq!(day.len(), 1);
    assert!(day[0].recheck_open && !day[0].refund_open);
    assert_eq!(day[0].copay_percent, Some(20), "the printed share, not a default");
    let pending = p
        .db()
        .receptions_on(
            at.date(),
            &ReceptionFilter {
                pending_task_only: true,
                ..ReceptionFilter::default()
            },
        )
        .unwrap();
    assert_eq!(pending.len(), 1, "an open re-check counts as a pending task");
    // The same document confirmed online opens no re-check.
    let online = ReceptionRecord {
        recheck_online: false,
        ..r
    };
    saved(&mut p, &online);
    let day = p
        .db()
        .receptions_on(at.date(), &ReceptionFilter::default())
        .unwrap();
    assert_eq!(day.iter().filter(|s| s.recheck_open).count(), 1);
}
}

both! {
fn a_return_visit_during_an_outage_reuses_the_previous_eligibility_with_its_confirmation_date() {
    let mut p = port();
    let first = saved(&mut p, &card_with_pin(time(2026, 1, 10, 9, 0)));

    // Staff type the kana full-width during the outage; OQS had sent it half-width.
    let previous = p
        .last_eligibility(&PatientLookup::KanaAndBirthdate {
            kana: "ミホン　ハナコ".into(),
            birthdate: date(1988, 4, 2),
        })
        .unwrap()
        .unwrap();
    assert_eq!(previous.confirmed_on, date(2026, 1, 10));

    let at = time(2026, 2, 3, 10, 0);
    let revisit = ReceptionRecord {
        operator: Operator::StaffAssisted,
        eligibility: Some(previous.record.clone()),
        confirmed_on: Some(previous.confirmed_on),
        problem: Some(ProblemKind::CommunicationFailure),
        ..bare(
            at,
            Basis::PreviousVisit {
                confirmed_on: previous.confirmed_on,
            },
            Billing::NormalShare,
        )
    };
    let stored = saved(&mut p, &revisit);
    assert_eq!(stored.patient.id, first.patient.id);
    assert_eq!(stored.visit.kind, VisitKind::Return);
    assert_eq!(stored.visit.outcome, Outcome::HistoryUsed);
    assert_eq!(stored.visit.fallback, Some(Fallback::RevisitHistory));
    assert_eq!(stored.visit.identity, IdentityMethod::NoCard);
    assert_eq!(stored.visit.presenter, Operator::StaffAssisted);
    let note = stored.visit.note.unwrap();
    assert!(note.contains("通信障害") && note.contains("2026-01-10"), "{note}");
    let e = stored.eligibility.unwrap();
    assert_eq!(
        e.confirmation_date,
        date(2026, 1, 10),
        "the reused answer keeps its own date"
    );
    assert_eq!(e.insurer_number, "06133946");
    assert!(stored.consent.is_none());
    assert_eq!(patient_count(&p, date(1988, 4, 2)), 1);
}
}

both! {
fn a_first_visit_declaration_is_saved_with_the_declared_patient() {
    let mut p = port();
    let at = time(2026, 2, 3, 11, 0);
    let r = ReceptionRecord {
        declaration: Some(declaration(at.date())),
        problem: Some(ProblemKind::PowerOutage),
        ..bare(at, Basis::Declaration, Billing::NormalShare)
    };
    let stored = saved(&mut p, &r);
    assert_eq!(stored.visit.kind, VisitKind::First);
    assert_eq!(stored.visit.outcome, Outcome::Declaration);
    assert_eq!(stored.visit.fallback, Some(Fallback::Declaration));
    assert_eq!(stored.patient.name_kana, "ミホン ハナコ");
    assert_eq!(stored.patient.sex, Sex::Female);
    assert_eq!(
        stored.declaration, r.declaration,
        "the 申立書 is stored as reception validated it"
    );
    assert!(stored.eligibility.is_none() && stored.full_payment.is_none());
    let day = p
        .db()
        .receptions_on(at.date(), &ReceptionFilter::default())
        .unwrap();
    assert_eq!(
        day[0].copay_percent,
        Some(30),
        "本日の受付 shows the share the 申立書 declares (#14)"
    );
}
}

both! {
fn a_card_reception_after_a_declaration_finds_the_declared_patient_although_oqs_gives_no_sex() {
    let mut p = port();
    let day = date(2026, 2, 3);
    let r = ReceptionRecord {
        declaration: Some(declaration(day)),
        ..bare(time(2026, 2, 3, 11, 0), Basis::Declaration, Billing::NormalShare)
    };
    let declared = saved(&mut p, &r);
    let card = saved(&mut p, &card_with_pin(time(2026, 2, 10, 9, 0)));
    assert_eq!(card.patient.id, declared.patient.id);
    assert_eq!(card.visit.kind, VisitKind::Return);
    assert_eq!(patient_count(&p, date(1988, 4, 2)), 1);
}
}

both! {
fn a_full_charge_reception_without_any_identity_is_saved_with_an_open_refund_task() {
    let mut p = port();
    let at = time(2026, 2, 3, 12, 0);
    let r = ReceptionRecord {
        method: Some(Method::Face),
        problem: Some(ProblemKind::NoEligibilityData),
        refund_task: Some(RxRefundTask {
            visit_on: at.date(),
            recheck_on: date(2026, 2, 8),
            problem: Some(ProblemKind::NoEligibilityData),
            numbers: None,
        }),
        ..bare(at, Basis::Unconfirmed, Billing::FullCharge)
    };
    let stored = saved(&mut p, &r);
    assert_eq!(stored.visit.outcome, Outcome::FullPayment);
    assert_eq!(stored.visit.fallback, Some(Fallback::FullPayment));
    assert_eq!(stored.patient.name, UNIDENTIFIED_NAME);
    assert!(stored.visit.note.unwrap().contains("患者未特定"));

    let tasks = p.db().open_refund_tasks().unwrap();
    assert_eq!(tasks.len(), 1);
    let task = &tasks[0];
    assert_eq!(task.status, TaskStatus::Open);
    assert_eq!(task.visit_id, stored.visit_id);
    assert_eq!(task.payment.recheck_on, Some(date(2026, 2, 8)));
    assert_eq!(task.payment.route, RefundRoute::ClinicRefund);
    assert_eq!(task.payment.amount_yen, AMOUNT_NOT_YET_BILLED_YEN);
    assert!(
        task.payment.reason.contains("資格情報なし"),
        "{}",
        task.payment.reason
    );

    let pending = ReceptionFilter {
        outcomes: vec![],
        pending_task_only: true,
    };
    let listed = p.db().receptions_on(at.date(), &pending).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].refund_open);
}
}

both! {
fn two_unidentified_receptions_are_never_merged_into_one_patient() {
    let mut p = port();
    let at = time(2026, 2, 3, 12, 0);
    let r = bare(at, Basis::Unconfirmed, Billing::FullCharge);
    let a = saved(&mut p, &r);
    let b = saved(&mut p, &r);
    assert_ne!(a.patient.id, b.patient.id);
}
}

both! {
fn a_paper_qualification_certificate_reception_is_saved_with_its_document() {
    let mut p = port();
    let at = time(2026, 2, 3, 14, 0);
    let r = ReceptionRecord {
        document: Some(qualification_certificate()),
        ..bare(
            at,
            Basis::Document(DocumentKind::QualificationCertificate),
            Billing::NormalShare,
        )
    };
    let stored = saved(&mut p, &r);
    assert_eq!(stored.visit.outcome, Outcome::PaperDocument);
    assert_eq!(stored.visit.fallback, Some(Fallback::QualificationCertificate));
    assert_eq!(stored.visit.identity, IdentityMethod::NoCard);
    assert_eq!(stored.patient.name, "見本 花子");
    assert_eq!(stored.patient.birthdate, date(1988, 4, 2));
    assert_eq!(
        stored.documents,
        vec![qualification_certificate()],
        "the document is stored as reception accepted it"
    );
    assert!(stored.eligibility.is_none());
}
}

both! {
fn a_school_trip_pdf_is_saved_without_the_card_and_with_its_chaperone() {
    let mut p = port();
    let at = time(2026, 2, 3, 15, 0);
    let doc = AcceptedDocument {
        group: Some((GroupSetting::SchoolTrip, "引率 教員".into())),
        ..AcceptedDocument::new(DocumentKind::PortalPdf, numbers())
    };
    let r = ReceptionRecord {
        document: Some(doc.clone()),
        ..bare(at, Basis::Document(DocumentKind::PortalPdf), Billing::NormalShare)
    };
    let stored = saved(&mut p, &r);
    assert_eq!(stored.visit.fallback, Some(Fallback::SchoolTrip));
    assert_eq!(
        stored.documents,
        vec![doc],
        "the setting and the chaperone come back with the document"
    );
    // A PDF names nobody: the child is kept as an unidentified patient with the printed birthdate.
    assert_eq!(stored.patient.name, UNIDENTIFIED_NAME);
    assert_eq!(stored.patient.birthdate, date(1988, 4, 2));
}
}

both! {
fn a_nursery_notice_files_under_the_school_trip_fallback_and_keeps_its_nursery_setting() {
    let mut p = port();
    let at = time(2026, 2, 3, 15, 30);
    let doc = AcceptedDocument {
        group: Some((GroupSetting::Nursery, "保育士 見本".into())),
        name: Some("見本 花子".into()),
        ..AcceptedDocument::new(DocumentKind::Notice, numbers())
    };
    let r = ReceptionRecord {
        document: Some(doc.clone()),
        ..bare(at, Basis::Document(DocumentKind::Notice), Billing::NormalShare)
    };
    let stored = saved(&mut p, &r);
    assert_eq!(stored.visit.outcome, Outcome::PaperDocument);
    assert_eq!(stored.visit.fallback, Some(Fallback::SchoolTrip));
    assert_eq!(stored.documents, vec![doc]);
    assert!(stored.visit.note.unwrap().contains("保育所等"));
}
}

both! {
fn a_card_and_notice_checked_online_by_its_numbers_is_confirmed_with_the_notice_fallback() {
    let mut p = port();
    let at = time(2026, 2, 3, 16, 0);
    let doc = AcceptedDocument {
        with_card: true,
        ..AcceptedDocument::new(DocumentKind::Notice, numbers())
    };
    let r = ReceptionRecord {
        document: Some(doc),
        validity: Some(QualificationValidity::Valid),
        eligibility: Some(oqs_answer()),
        confirmed_on: Some(at.date()),
        ..bare(
            at,
            Basis::OnlineNumbers(DocumentKind::Notice),
            Billing::NormalShare,
        )
    };
    let stored = saved(&mut p, &r);
    assert_eq!(stored.visit.outcome, Outcome::Confirmed);
    assert_eq!(stored.visit.fallback, Some(Fallback::CardWithNotice));
    assert_eq!(
        stored.eligibility.unwrap().reference,
        EligibilityReference::InsuranceNumbers
    );
    assert_eq!(stored.documents[0].kind, DocumentKind::Notice);
    assert_eq!(stored.patient.name, "見本 花子");
}
}

both! {
fn saving_the_same_record_twice_makes_two_visits_of_one_patient() {
    let mut p = port();
    let r = card_with_pin(time(2026, 2, 3, 9, 15));
    let a = saved(&mut p, &r);
    let b = saved(&mut p, &r);
    assert_ne!(a.visit_id, b.visit_id);
    assert_ne!(a.visit.session_id, b.visit.session_id);
    assert_eq!(a.patient.id, b.patient.id);
    assert_eq!(patient_count(&p, date(1988, 4, 2)), 1);
}
}

#[test]
fn a_session_id_left_by_an_earlier_run_is_skipped_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    let r = card_with_pin(time(2026, 2, 3, 9, 15));
    let mut first = StorePort::new(Store::create(&path, Mode::Live).unwrap());
    first.save_reception(&r).unwrap();
    drop(first);
    // A restart in the same second starts the counter again.
    let mut second = StorePort::new(Store::open(&path, Mode::Live).unwrap());
    second.save_reception(&r).unwrap();
    assert_eq!(second.db().session_ids().unwrap().len(), 2);
}

both! {
fn last_eligibility_by_kana_and_birthdate_matches_any_kana_width_but_not_a_prefix_or_another_birthdate() {
    let mut p = port();
    saved(&mut p, &card_with_pin(time(2026, 1, 10, 9, 0)));
    let look = |p: &mut StorePort, kana: &str, birthdate| {
        p.last_eligibility(&PatientLookup::KanaAndBirthdate {
            kana: kana.into(),
            birthdate,
        })
        .unwrap()
    };
    for kana in ["ミホン ハナコ", "みほん　はなこ", "ﾐﾎﾝﾊﾅｺ"] {
        let found = look(&mut p, kana, date(1988, 4, 2)).unwrap_or_else(|| panic!("{kana} not found"));
        assert_eq!(found.record.insurer_number, "06133946");
        assert_eq!(found.record.insurer_name, "見本健康保険組合");
        assert_eq!(found.record.copay_percent, Some(30));
        assert_eq!(found.record.relationship, Some(Relationship::Dependant));
        assert_eq!(found.confirmed_on, date(2026, 1, 10));
    }
    assert_eq!(look(&mut p, "ミホン", date(1988, 4, 2)), None);
    assert_eq!(look(&mut p, "ミホン ハナコ", date(1988, 4, 3)), None);
}
}

both! {
fn last_eligibility_returns_the_latest_valid_answer_and_ignores_invalid_ones() {
    let mut p = port();
    saved(&mut p, &card_with_pin(time(2026, 1, 10, 9, 0)));
    let mut newer = card_with_pin(time(2026, 1, 20, 9, 0));
    if let Some(e) = newer.eligibility.as_mut() {
        e.copay_percent = Some(20);
    }
    saved(&mut p, &newer);
    let mut invalid = card_with_pin(time(2026, 1, 30, 9, 0));
    invalid.validity = Some(QualificationValidity::Invalid);
    saved(&mut p, &invalid);

    let found = p
        .last_eligibility(&PatientLookup::KanaAndBirthdate {
            kana: "ミホンハナコ".into(),
            birthdate: date(1988, 4, 2),
        })
        .unwrap()
        .unwrap();
    assert_eq!(found.confirmed_on, date(2026, 1, 20));
    assert_eq!(found.record.copay_percent, Some(20));
}
}

both! {
fn last_eligibility_by_clinic_patient_id_uses_the_stores_patient_id() {
    let mut p = port();
    let stored = saved(&mut p, &card_with_pin(time(2026, 1, 10, 9, 0)));
    let PatientId(id) = stored.patient.id;
    let found = p
        .last_eligibility(&PatientLookup::ClinicPatientId(format!(" {id} ")))
        .unwrap();
    assert_eq!(found.map(|f| f.confirmed_on), Some(date(2026, 1, 10)));
    assert_eq!(
        p.last_eligibility(&PatientLookup::ClinicPatientId("12-AB".into()))
            .unwrap(),
        None
    );
    assert_eq!(
        p.last_eligibility(&PatientLookup::ClinicPatientId((id + 1).to_string()))
            .unwrap(),
        None
    );
    assert_eq!(
        p.last_eligibility(&PatientLookup::CertSerial("0A1B2C".into()))
            .unwrap(),
        None,
        "certificate serials are not kept"
    );
}
}

both! {
fn a_consent_expiring_before_it_was_given_is_refused_with_a_clear_error_and_nothing_is_saved() {
    let mut p = port();
    let at = time(2026, 2, 3, 9, 15);
    let mut r = card_with_pin(at);
    if let Some(c) = r.consent.as_mut() {
        c.valid_until = c.given_at;
    }
    let err = p.save_reception(&r).unwrap_err();
    assert!(err.0.contains("could not save the reception"), "{}", err.0);
    assert!(err.0.contains("consent_expiry_after_consent"), "{}", err.0);
    assert!(p.db().session_ids().unwrap().is_empty());
    assert_eq!(patient_count(&p, date(1988, 4, 2)), 0);
}
}

both! {
fn a_training_port_saves_into_its_training_file() {
    let mut p = StorePort::new(fresh(Mode::Training));
    let stored = saved(&mut p, &card_with_pin(time(2026, 2, 3, 9, 15)));
    assert_eq!(stored.mode, Mode::Training);
}
}

#[test]
fn flow_audit_events_are_appended_to_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    let mut p = StorePort::new(Store::create(&path, Mode::Live).unwrap());
    let at = time(2026, 2, 3, 9, 0);
    p.audit(&AuditEvent {
        at,
        kind: AuditKind::FallbackOpened(Some(ProblemKind::DeviceFailure)),
    })
    .unwrap();
    p.audit(&AuditEvent {
        at,
        kind: AuditKind::HotlineShown,
    })
    .unwrap();
    drop(p.into_inner());

    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows: Vec<(String, String, String, Option<String>)> = conn
        .prepare("SELECT at, actor, action, detail FROM audit_log WHERE visit_id IS NULL ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].1, "reception");
    assert_eq!(rows[0].2, "fallback.opened");
    assert_eq!(rows[0].3.as_deref(), Some("device_failure"));
    assert!(rows[0].0.starts_with("2026-02-03"));
    assert_eq!(rows[1].2, "hotline.shown");
    assert_eq!(rows[1].3, None);
}

both! {
/// 本日の受付 names the 保険者番号 of every row: from the online answer when there is one, else from the
/// paper the desk accepted, else from the 申立書 (the お知らせ accepted offline showed none before).
fn the_day_list_takes_the_insurer_number_from_the_paper_or_the_declaration_when_no_answer_came() {
    let mut p = port();
    let at = time(2026, 2, 3, 10, 0);
    let doc = AcceptedDocument {
        name: Some("見本 花子".into()),
        ..AcceptedDocument::new(DocumentKind::Notice, numbers())
    };
    saved(
        &mut p,
        &ReceptionRecord {
            document: Some(doc),
            ..bare(at, Basis::Document(DocumentKind::Notice), Billing::NormalShare)
        },
    );
    let mut decl = declaration(at.date());
    decl.insurer_number = Some("138057".into());
    decl.name = "見本 一郎".into();
    decl.name_kana = "ミホン イチロウ".into();
    saved(
        &mut p,
        &ReceptionRecord {
            declaration: Some(decl),
            ..bare(
                at + Duration::minutes(5),
                Basis::Declaration,
                Billing::NormalShare,
            )
        },
    );
    let day = p
        .db()
        .receptions_on(at.date(), &ReceptionFilter::default())
        .unwrap();
    let numbers: Vec<_> = day.iter().map(|r| r.insurer_number.clone()).collect();
    assert_eq!(
        numbers,
        vec![Some(numbers_insurer()), Some("138057".to_owned())],
        "{day:?}"
    );
}
}

fn numbers_insurer() -> String {
    numbers().insurer_number
}

both! {
/// A voided reception (another person's data, #12 §4) stays in the file with its reason, is marked in 本日の受付
/// and the CSV, and its eligibility is never offered for a 再診 nor its consent counted.
fn a_voided_reception_is_kept_marked_and_never_reused() {
    let mut p = port();
    let at = time(2026, 2, 3, 9, 15);
    let first = saved(&mut p, &card_with_pin(at));
    ::reception::Store::void_last_reception(
        &mut p,
        store::VoidReason::OtherPersonsData,
        at + Duration::minutes(1),
    )
    .unwrap();
    let day = p
        .db()
        .receptions_on(at.date(), &ReceptionFilter::default())
        .unwrap();
    assert_eq!(day.len(), 1, "kept, not deleted");
    assert_eq!(day[0].voided, Some(store::VoidReason::OtherPersonsData));
    assert!(p
        .last_eligibility(&PatientLookup::KanaAndBirthdate {
            kana: "ミホン ハナコ".into(),
            birthdate: date(1988, 4, 2),
        })
        .unwrap()
        .is_none());
    let csv = String::from_utf8(
        p.db()
            .export_day_csv(at.date(), store::CsvEncoding::Utf8Bom)
            .unwrap()[3..]
            .to_vec(),
    )
    .unwrap();
    assert!(
        csv.lines().nth(1).unwrap().ends_with("取消（他人の情報）"),
        "{csv}"
    );
    assert_eq!(
        p.db()
            .reception(first.visit_id)
            .unwrap()
            .unwrap()
            .audit
            .last()
            .unwrap()
            .action,
        "reception.voided"
    );
    // Voiding twice is refused by the schema, and nothing was deleted.
    assert!(
        ::reception::Store::void_last_reception(&mut p, store::VoidReason::OtherPersonsData, at).is_err()
    );
}
}

both! {
/// #16 §1: a certified reader's result file is taken once, ever: saved with its reception and the file name in
/// one transaction, listed as the certified reader's, and a second take (a restart, a second scan) writes
/// nothing. An error or 資格なし file is noted without a reception.
fn a_certified_readers_result_file_becomes_one_reception_once_and_an_error_file_none() {
    let mut p = port();
    let at = time(2026, 12, 2, 9, 30);
    let record = ReceptionRecord {
        validity: Some(QualificationValidity::Valid),
        eligibility: Some(oqs_answer()),
        confirmed_on: Some(at.date()),
        ..bare(at, Basis::OnlineCard, Billing::NormalShare)
    };
    let name = "OQSsiquc01res_face_20261202093000.xml";
    let first = p.take_terminal_result(name, at, Some(&record)).unwrap();
    assert!(matches!(first, store::TerminalTake::Taken(Some(_))), "{first:?}");
    assert_eq!(
        p.take_terminal_result(name, at, Some(&record)).unwrap(),
        store::TerminalTake::AlreadyTaken
    );
    assert_eq!(
        p.last_visit(),
        None,
        "the desk's own 取消 never reaches a certified reader's reception"
    );
    let day = p
        .db()
        .receptions_on(at.date(), &ReceptionFilter::default())
        .unwrap();
    assert_eq!(day.len(), 1, "one reception, not two");
    assert_eq!(day[0].certified_reader_file.as_deref(), Some(name));
    assert_eq!(day[0].name, "見本 花子");
    assert_eq!(day[0].copay_percent, Some(30));
    // The export names who confirmed identity, as today's list does (not the desk's 「カードなし」).
    let csv = String::from_utf8(
        p.db()
            .export_day_csv(at.date(), store::CsvEncoding::Utf8Bom)
            .unwrap()[3..]
            .to_vec(),
    )
    .unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert_eq!(row.split(',').nth(8), Some("顔認証付きカードリーダー"), "{csv}");

    let error_file = "OQSsiquc01res_face_20261202093500.xml";
    assert_eq!(
        p.take_terminal_result(error_file, at, None).unwrap(),
        store::TerminalTake::Taken(None)
    );
    assert!(p.db().terminal_result_taken(error_file).unwrap());
    assert_eq!(
        p.db()
            .receptions_on(at.date(), &ReceptionFilter::default())
            .unwrap()
            .len(),
        1
    );
    // Only the certified reader's file names are accepted as keys.
    assert!(p.take_terminal_result("../etc/passwd", at, None).is_err());
}
}

/// Found at the desk: a patient who declined every item showed 「12月4日 21:28 まで有効」 in today's 同意 column,
/// which reads as a consent given. The record keeps the declined answer; the list shows a validity only for a
/// consent to at least one item.
#[test]
fn todays_list_shows_no_consent_validity_when_every_item_was_declined() {
    let mut p = port();
    let at = time(2026, 2, 3, 9, 15);
    let mut declined = card_with_pin(at);
    if let Some(c) = declined.consent.as_mut() {
        c.mode = ConsentMode::DeclineAll;
        c.treatment_and_medicine = false;
        c.surgery = false;
        c.health_checkup = false;
    }
    p.save_reception(&declined).unwrap();
    p.save_reception(&card_with_pin(at + Duration::minutes(5)))
        .unwrap();
    let day = p
        .db()
        .receptions_on(at.date(), &ReceptionFilter::default())
        .unwrap();
    let shown: Vec<_> = day.iter().map(|r| r.consent_expires_at).collect();
    assert_eq!(
        shown,
        vec![None, Some(at + Duration::minutes(4) + Duration::hours(24))]
    );
    let kept = p.db().reception(day[0].visit_id).unwrap().unwrap();
    let consent = kept.consent.expect("the declined answer is kept");
    assert!(!consent.medical_and_drugs && !consent.surgery && !consent.checkups);
}

/// A live desk on `cluster` whose receptions wait in the outbox at `outbox` while the server is away.
fn desk_with_outbox(cluster: &store::pgtest::OwnCluster, outbox: &std::path::Path) -> StorePort {
    StorePort::new(Store::connect(&cluster.target(), Mode::Live).unwrap())
        .with_outbox(store::outbox::Outbox::open(outbox).unwrap())
        .unwrap()
}

/// #15 §2, §4: the shared server stops mid-day. The desk goes on: each reception is kept in its outbox and the
/// port says it is offline and how many wait. When the server is back, the next reception first sends what
/// waited, in order, exactly once; a reception the server committed before the desk could take it out of its
/// outbox (a crash between the two) is not sent twice.
#[test]
fn receptions_made_while_the_server_is_down_are_replayed_in_order_exactly_once() {
    let cluster = store::pgtest::OwnCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let outbox_path = dir.path().join("outbox.sqlite3");
    let mut p = desk_with_outbox(&cluster, &outbox_path);
    let at = |m: i64| {
        NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
            + Duration::minutes(m)
    };
    p.save_reception(&card_with_pin(at(0))).unwrap();
    assert!(p.online());

    cluster.stop();
    for m in 1..=3 {
        p.save_reception(&card_with_pin(at(m)))
            .expect("the desk keeps receiving while the server is away");
    }
    assert!(!p.online(), "the port knows it is offline");
    assert_eq!(p.waiting(), 3);
    assert!(p.replay().is_err(), "still away");
    assert_eq!(p.waiting(), 3);

    cluster.restart();
    // Left by a desk that stopped between the server's commit and removing it here: the server has it.
    let committed_already = store::outbox::Outbox::open(&outbox_path).unwrap();
    assert_eq!(committed_already.len().unwrap(), 3);
    p.save_reception(&card_with_pin(at(4))).unwrap();
    assert!(p.online());
    assert_eq!(p.waiting(), 0, "all sent");
    let s = Store::connect(&cluster.target(), Mode::Live).unwrap();
    let times: Vec<_> = s
        .receptions_on(at(0).date(), &ReceptionFilter::default())
        .unwrap()
        .iter()
        .map(|r| r.at)
        .collect();
    assert_eq!(times, (0..=4).map(at).collect::<Vec<_>>(), "each once, in order");
    let mut ids = s.session_ids().unwrap();
    let sent_order = ids.clone();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
    // The server's insertion order is the desk's order: the outbox went before the new one.
    let queued: Vec<_> = sent_order.iter().filter(|i| i.contains("/q-")).collect();
    assert_eq!(queued.len(), 3, "{sent_order:?}");
    assert!(
        !sent_order[4].contains("/q-"),
        "the new reception last: {sent_order:?}"
    );

    // A replay that finds its reception already on the server only takes it out of the outbox.
    let again = store::outbox::Outbox::open(&outbox_path).unwrap();
    again.push(queued[0], &card_with_pin(at(1))).unwrap();
    assert_eq!(p.replay().unwrap(), 0, "nothing sent twice");
    assert_eq!(p.waiting(), 0);
    assert_eq!(s.session_ids().unwrap().len(), 5);
}

/// 取消 of a reception that still waits in the outbox: the server gets it with its void, in one transaction (a
/// voided visit is never offered for a 再診); one sent meanwhile is voided on the server; one not voided stays
/// as it was.
#[test]
fn a_reception_voided_while_it_waits_reaches_the_server_with_its_void() {
    let cluster = store::pgtest::OwnCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let outbox_path = dir.path().join("outbox.sqlite3");
    let mut p = desk_with_outbox(&cluster, &outbox_path);
    let at = |m: i64| time(2026, 12, 2, 9, 0) + Duration::minutes(m);
    let reason = reception::paper::VoidReason::OtherPersonsData;
    cluster.stop();
    p.save_reception(&card_with_pin(at(1))).unwrap();
    p.void_last_reception(reason, at(2))
        .expect("voided where it waits");
    assert!(
        p.void_last_reception(reason, at(3)).is_err(),
        "once voided, there is nothing left to void"
    );
    p.save_reception(&card_with_pin(at(4))).unwrap();
    assert_eq!(p.waiting(), 2, "a voided reception is still sent");

    cluster.restart();
    assert_eq!(p.replay().unwrap(), 2);
    // The last one reached the server by the replay: its 取消 now voids it there.
    p.void_last_reception(reason, at(5))
        .expect("voided on the server once sent");

    let s = Store::connect(&cluster.target(), Mode::Live).unwrap();
    let rows = s
        .receptions_on(at(0).date(), &ReceptionFilter::default())
        .unwrap();
    let seen: Vec<_> = rows.iter().map(|r| (r.at, r.voided)).collect();
    assert_eq!(seen, vec![(at(1), Some(reason)), (at(4), Some(reason))]);
    let first = s.reception(rows[0].visit_id).unwrap().unwrap();
    let voided_at: Vec<_> = first
        .audit
        .iter()
        .filter(|a| a.action == "reception.voided")
        .map(|a| a.at)
        .collect();
    assert_eq!(voided_at, vec![at(2)], "the void's own time, once");
    let who = PatientLookup::KanaAndBirthdate {
        kana: "ミホン ハナコ".into(),
        birthdate: NaiveDate::from_ymd_opt(1988, 4, 2).unwrap(),
    };
    assert_eq!(
        p.last_eligibility(&who).unwrap(),
        None,
        "voided visits are never a 再診's source"
    );
    assert_eq!(s.orphan_rows().unwrap(), 0);
}

/// A queued reception the server answers but refuses (here a trigger, as a stricter server's rule would) does not
/// hold the others back: it is set aside in the outbox with the server's answer, the ones behind it are sent in
/// order, and the desk starting again offers it once more (after the server is fixed it goes through).
#[test]
fn a_reception_the_server_refuses_is_held_and_the_ones_behind_it_are_sent() {
    let cluster = store::pgtest::OwnCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let outbox_path = dir.path().join("outbox.sqlite3");
    let mut p = desk_with_outbox(&cluster, &outbox_path);
    let at = |m: i64| time(2026, 12, 2, 9, 0) + Duration::minutes(m);
    store::pgtest::refuse_visits_where(
        &cluster.target(),
        "NEW.at = '2026-12-02 09:02:00'",
        "refused by the clinic's rule",
    );
    cluster.stop();
    for m in 1..=3 {
        p.save_reception(&card_with_pin(at(m))).unwrap();
    }
    cluster.restart();
    assert_eq!(p.replay().unwrap(), 2, "the two the server takes");
    assert_eq!(p.waiting(), 0, "nothing held back behind the refused one");
    let held = p.held();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0].completed_at, at(2));
    assert!(
        held[0].error.contains("refused by the clinic's rule"),
        "{}",
        held[0].error
    );
    // The next reception is not held back either.
    p.save_reception(&card_with_pin(at(4))).unwrap();
    assert_eq!((p.waiting(), p.held().len()), (0, 1));
    let times = |s: &Store| -> Vec<NaiveDateTime> {
        s.receptions_on(at(0).date(), &ReceptionFilter::default())
            .unwrap()
            .iter()
            .map(|r| r.at)
            .collect()
    };
    let s = Store::connect(&cluster.target(), Mode::Live).unwrap();
    assert_eq!(times(&s), vec![at(1), at(3), at(4)]);

    // The server is fixed and the desk starts again: the held one is offered again, and taken.
    let mut raw = postgres::Client::connect(&cluster.target().url, postgres::NoTls).unwrap();
    raw.batch_execute("DROP TRIGGER refuse ON visits").unwrap();
    drop(p);
    let mut p = desk_with_outbox(&cluster, &outbox_path);
    assert_eq!(p.waiting(), 1);
    assert_eq!(p.replay().unwrap(), 1);
    assert_eq!((p.waiting(), p.held().len()), (0, 0));
    assert_eq!(times(&s), vec![at(1), at(2), at(3), at(4)]);
    assert_eq!(s.session_ids().unwrap().len(), 4, "each once");
}

/// An outbox written by the version before voids and held receptions (no `user_version`) opens with what waits
/// in it intact and gains the new columns; a newer outbox is refused rather than misread.
#[test]
fn an_outbox_of_the_previous_layout_keeps_what_waits_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite3");
    let record = card_with_pin(time(2026, 12, 2, 9, 1));
    {
        let old = rusqlite::Connection::open(&path).unwrap();
        old.execute_batch(
            "CREATE TABLE outbox (
                seq          INTEGER PRIMARY KEY,
                session_id   TEXT NOT NULL UNIQUE,
                completed_at TEXT NOT NULL,
                record_json  TEXT NOT NULL CHECK (json_valid(record_json))
            ) STRICT;",
        )
        .unwrap();
        old.execute(
            "INSERT INTO outbox (session_id, completed_at, record_json) VALUES ('2026-12-02T09:01:00/q-abc', \
             '2026-12-02 09:01:00', ?1)",
            [serde_json::to_string(&record).unwrap()],
        )
        .unwrap();
    }
    let outbox = store::outbox::Outbox::open(&path).unwrap();
    assert_eq!(outbox.len().unwrap(), 1);
    let q = outbox.first().unwrap().unwrap();
    assert_eq!((q.record, q.void), (record, None));
    let reason = reception::paper::VoidReason::OtherPersonsData;
    assert!(outbox.void(q.seq, reason, time(2026, 12, 2, 9, 2)).unwrap());
    assert_eq!(
        outbox.first().unwrap().unwrap().void,
        Some((reason, time(2026, 12, 2, 9, 2)))
    );
    drop(outbox);
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 9)
        .unwrap();
    let newer = store::outbox::Outbox::open(&path).unwrap_err();
    assert!(newer.to_string().contains("newer version"), "{newer}");
}

/// A server that restarted between two patients (nothing waiting): the next 再診 look-up and the next save
/// connect again by themselves instead of failing or queueing.
#[test]
fn after_a_server_restart_the_next_lookup_and_save_connect_again() {
    let cluster = store::pgtest::OwnCluster::start();
    let dir = tempfile::tempdir().unwrap();
    let mut p = desk_with_outbox(&cluster, &dir.path().join("outbox.sqlite3"));
    let at = NaiveDate::from_ymd_opt(2026, 12, 2)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    p.save_reception(&card_with_pin(at)).unwrap();
    cluster.stop();
    cluster.restart();
    let who = PatientLookup::KanaAndBirthdate {
        kana: "ミホン ハナコ".into(),
        birthdate: NaiveDate::from_ymd_opt(1988, 4, 2).unwrap(),
    };
    assert!(
        p.last_eligibility(&who).unwrap().is_some(),
        "the look-up reached the restarted server"
    );
    p.save_reception(&card_with_pin(at + Duration::minutes(1)))
        .unwrap();
    assert_eq!(p.waiting(), 0, "saved on the server, not queued");
    assert!(p.online());
    assert_eq!(p.db().session_ids().unwrap().len(), 2);
}
