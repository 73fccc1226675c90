//! Shared fixtures: one reception that uses every record type.

use chrono::{NaiveDate, NaiveDateTime};
use store::*;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn time(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, min, 0).unwrap()
}

pub fn patient() -> NewPatient {
    NewPatient {
        name: "見本 花子".into(),
        name_kana: "ﾐﾎﾝ ﾊﾅｺ".into(),
        name_other: Some("見本 はな".into()),
        birthdate: date(1988, 4, 2),
        sex: Sex::Female,
    }
}

pub fn eligibility(at: NaiveDateTime) -> EligibilitySnapshot {
    EligibilitySnapshot {
        confirmation_date: at.date(),
        processed_at: Some(at),
        reference: EligibilityReference::Card,
        validity: Some(QualificationValidity::Valid),
        insurer_number: "06133946".into(),
        insurer_name: Some("見本健康保険組合".into()),
        card_symbol: Some("000".into()),
        card_number: "0012345".into(),
        branch_number: Some("01".into()),
        relationship: Some(Relationship::Dependant),
        insured_name: Some("見本 太郎".into()),
        name: "見本 花子".into(),
        name_kana: "ﾐﾎﾝ ﾊﾅｺ".into(),
        sex: Sex::Female,
        birthdate: date(1988, 4, 2),
        card_classification: Some("01".into()),
        valid_from: Some(date(2020, 4, 1)),
        valid_until: Some(date(2030, 3, 31)),
        copay_percent: Some(30),
        elderly_valid_from: Some(date(2026, 1, 1)),
        elderly_valid_until: Some(date(2026, 12, 31)),
        elderly_copay_percent: Some(20),
        limit_class: Some("A03".into()),
        limit_class_name: Some("ウ".into()),
        limit_valid_from: Some(date(2025, 8, 1)),
        limit_valid_until: Some(date(2026, 7, 31)),
        preschool: false,
        reason_of_loss: None,
        result_code: Some("SIM01".into()),
        result_message: Some("電子証明書の有効期限が3か月以内です（simulated）".into()),
        specific_diseases: vec![SpecificDisease {
            category_code: "1".into(),
            category_name: "人工透析を要する慢性腎不全".into(),
            self_pay_yen: Some(10_000),
            valid_from: Some(date(2025, 4, 1)),
            valid_until: None,
        }],
    }
}

pub fn consent(at: NaiveDateTime) -> Consent {
    Consent {
        given_at: at,
        expires_at: at + chrono::Duration::hours(24),
        scope: ConsentScope::Individual,
        medical_and_drugs: true,
        surgery: false,
        checkups: true,
        flags: ConsentFlags {
            pharmacists: ConsentFlag::Yes,
            diagnosis: ConsentFlag::Yes,
            operation: ConsentFlag::No,
            checkups: ConsentFlag::Yes,
            limit: ConsentFlag::Yes,
        },
        prescription_format: Some(PrescriptionForm::Electronic),
    }
}

pub fn numbers() -> Numbers {
    Numbers {
        insurer_number: "06133946".into(),
        symbol: Some("000".into()),
        number: "0012345".into(),
        branch: Some("01".into()),
        birthdate: date(1988, 4, 2),
    }
}

pub fn certificate() -> AcceptedDocument {
    AcceptedDocument {
        valid_until: Some(date(2030, 11, 30)),
        issued_on: Some(date(2025, 8, 18)),
        relationship: Some(Relationship::Dependant),
        name: Some("見本 花子".into()),
        insurer_name: Some("見本健康保険組合".into()),
        ..AcceptedDocument::new(DocumentKind::QualificationCertificate, numbers())
    }
}

pub fn school_trip_pdf() -> AcceptedDocument {
    AcceptedDocument {
        group: Some((GroupSetting::SchoolTrip, "引率 教員".into())),
        ..AcceptedDocument::new(DocumentKind::PortalPdf, numbers())
    }
}

pub fn declaration(day: NaiveDate) -> Declaration {
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
        symbol: Some("000".into()),
        number: Some("0012345".into()),
        branch: Some("01".into()),
        employer: Some("見本商事株式会社".into()),
        relationship: Relationship::Dependant,
        staff_note: Some("券面で正字確認".into()),
        copay_percent: Some(30),
    }
}

pub fn payment(day: NaiveDate) -> FullPayment {
    FullPayment {
        amount_yen: 12_340,
        normal_share_yen: Some(3_702),
        reason: "資格情報なし・申立書不可".into(),
        route: RefundRoute::ClinicRefund,
        recheck_on: Some(day + chrono::Duration::days(14)),
    }
}

/// A reception using every record type at once (no real reception does, but every table is exercised).
pub fn full_reception(mode: Mode, session: &str, at: NaiveDateTime) -> CompletedReception {
    CompletedReception {
        mode,
        patient: PatientRef::New(patient()),
        visit: Visit {
            session_id: session.into(),
            at,
            kind: VisitKind::First,
            identity: IdentityMethod::StaffVisual,
            presenter: Operator::Proxy,
            outcome: Outcome::FullPayment,
            fallback: Some(Fallback::FullPayment),
            staff: Some("受付 佐藤".into()),
            note: Some("母親が代理で来院".into()),
        },
        eligibility: Some(eligibility(at)),
        consent: Some(consent(at)),
        documents: vec![certificate(), school_trip_pdf()],
        declaration: Some(declaration(at.date())),
        full_payment: Some(payment(at.date())),
        recheck: None,
        audit: vec![
            AuditEntry {
                at,
                actor: "reader".into(),
                action: "card.read".into(),
                detail: None,
            },
            AuditEntry {
                at,
                actor: "受付 佐藤".into(),
                action: "fallback.full_payment".into(),
                detail: Some("通信障害".into()),
            },
        ],
    }
}

/// A minimal confirmed reception for an existing or new patient.
pub fn confirmed(mode: Mode, session: &str, at: NaiveDateTime, patient: PatientRef) -> CompletedReception {
    CompletedReception {
        mode,
        patient,
        visit: Visit {
            session_id: session.into(),
            at,
            kind: VisitKind::Return,
            identity: IdentityMethod::Face,
            presenter: Operator::Patient,
            outcome: Outcome::Confirmed,
            fallback: None,
            staff: None,
            note: None,
        },
        eligibility: Some(eligibility(at)),
        consent: Some(consent(at)),
        documents: vec![],
        declaration: None,
        full_payment: None,
        recheck: None,
        audit: vec![AuditEntry {
            at,
            actor: "reader".into(),
            action: "reception.completed".into(),
            detail: None,
        }],
    }
}

// ---- Both back-ends (#15) ----
//
// A test written with `both! { fn name() { … } }` runs twice: `name::sqlite` on an in-memory SQLite database and
// `name::postgres` on a fresh database of a private PostgreSQL cluster (scripts/pg-cluster.sh, started once per
// test process in a temporary folder and stopped by a watchdog when the process ends, however it ends).
// `fresh(mode)` gives the test's store on its back-end.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

thread_local! {
    static BACKEND: std::cell::Cell<Backend> = const { std::cell::Cell::new(Backend::Sqlite) };
}

/// Runs `test` with `fresh` giving stores on `backend`.
pub fn on(backend: Backend, test: impl FnOnce()) {
    BACKEND.with(|b| b.set(backend));
    test();
}

macro_rules! both {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[test]
            fn sqlite() {
                $crate::common::on($crate::common::Backend::Sqlite, || $body)
            }
            #[test]
            fn postgres() {
                $crate::common::on($crate::common::Backend::Postgres, || $body)
            }
        }
    };
}
pub(crate) use both;

/// A new, empty store of `mode` on the test's back-end.
pub fn fresh(mode: Mode) -> Store {
    match BACKEND.with(|b| b.get()) {
        Backend::Sqlite => Store::in_memory(mode).unwrap(),
        Backend::Postgres => Store::connect(&new_pg_database(), mode).unwrap(),
    }
}

pub use store::pgtest::new_pg_database;
