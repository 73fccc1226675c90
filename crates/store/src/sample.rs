//! Deterministic sample receptions: reception `i` of a made-up clinic is always the same value.
//!
//! Test and bench support only, behind the `sample` feature: used by the crash-safety test (a killed writer
//! and the checker regenerate the same receptions), the privacy scan and the benchmark fill. The app never
//! links it. Names, insurers and numbers are obviously fake; there is no My Number
//! anywhere, and no number here has 12 digits.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::db::Store;
use crate::error::StoreError;
use crate::model::{
    AcceptedDocument, AuditEntry, CompletedReception, Consent, ConsentFlag, ConsentFlags, ConsentScope,
    Declaration, DocumentKind, EligibilityReference, EligibilitySnapshot, Fallback, FullPayment,
    IdentityMethod, InsuranceType, Mode, NewPatient, Numbers, Operator, Outcome, PatientRef,
    PrescriptionForm, QualificationValidity, RefundRoute, Relationship, Sex, Visit, VisitId, VisitKind,
};

const FAMILY: [(&str, &str); 12] = [
    ("試験", "ｼｹﾝ"),
    ("見本", "ﾐﾎﾝ"),
    ("練習", "ﾚﾝｼｭｳ"),
    ("仮名", "ｶﾒｲ"),
    ("模擬", "ﾓｷﾞ"),
    ("例示", "ﾚｲｼﾞ"),
    ("架空", "ｶｸｳ"),
    ("想定", "ｿｳﾃｲ"),
    ("検証", "ｹﾝｼｮｳ"),
    ("標本", "ﾋｮｳﾎﾝ"),
    ("雛形", "ﾋﾅｶﾞﾀ"),
    ("草案", "ｿｳｱﾝ"),
];
const GIVEN: [(&str, &str); 8] = [
    ("太郎", "ﾀﾛｳ"),
    ("花子", "ﾊﾅｺ"),
    ("次郎", "ｼﾞﾛｳ"),
    ("桜", "ｻｸﾗ"),
    ("健", "ｹﾝ"),
    ("陽菜", "ﾋﾅ"),
    ("翔", "ｼｮｳ"),
    ("結衣", "ﾕｲ"),
];

/// A made-up clinic: how many patients, how many receptions a day, from which day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleClinic {
    pub mode: Mode,
    pub patients: u64,
    pub visits_per_day: u64,
    pub first_day: NaiveDate,
}

/// splitmix64: a fixed, well-mixed hash of the index (no RNG state to share between processes).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl SampleClinic {
    /// The session id of reception `i`.
    pub fn session_id(i: u64) -> String {
        format!("S{i:09}")
    }

    /// Inverse of [`SampleClinic::session_id`].
    pub fn index_of(session_id: &str) -> Option<u64> {
        session_id.strip_prefix('S')?.parse().ok()
    }

    /// Patient number `p` (0-based) as the desk would see it.
    pub fn patient(&self, p: u64) -> NewPatient {
        let (fam, fam_kana) = FAMILY[(p % 12) as usize];
        let (giv, giv_kana) = GIVEN[((p / 12) % 8) as usize];
        let serial = p / 96;
        let birthdate = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or_default()
            + Duration::days(i64::try_from(mix(p) % 30_000).unwrap_or(0));
        NewPatient {
            name: format!("{fam} {giv}{serial}"),
            name_kana: format!("{fam_kana} {giv_kana}"),
            name_other: None,
            birthdate,
            sex: if p.is_multiple_of(2) {
                Sex::Male
            } else {
                Sex::Female
            },
        }
    }

    /// When reception `i` completed.
    pub fn time_of(&self, i: u64) -> NaiveDateTime {
        let per_day = self.visits_per_day.max(1);
        let day = self.first_day + Duration::days(i64::try_from(i / per_day).unwrap_or(0));
        // Spread the day's receptions over 08:30–17:30.
        let secs = (i % per_day) * (9 * 3600) / per_day;
        day.and_hms_opt(8, 30, 0).unwrap_or_default() + Duration::seconds(i64::try_from(secs).unwrap_or(0))
    }

    /// Which patient reception `i` is for.
    pub fn patient_of(&self, i: u64) -> u64 {
        mix(i ^ 0x5EED) % self.patients.max(1)
    }

    /// Reception `i`; its shape (outcome, documents, audit length) varies with `i`.
    pub fn reception(&self, i: u64) -> CompletedReception {
        let h = mix(i);
        let at = self.time_of(i);
        let p = self.patient_of(i);
        let patient = self.patient(p);
        let roll = h % 100;
        let (outcome, fallback, identity) = match roll {
            0..=84 => (
                Outcome::Confirmed,
                None,
                [IdentityMethod::Face, IdentityMethod::Pin][(h >> 8) as usize % 2],
            ),
            85..=89 => (
                Outcome::HistoryUsed,
                Some(Fallback::RevisitHistory),
                IdentityMethod::StaffVisual,
            ),
            90..=92 => (
                Outcome::PaperDocument,
                Some(Fallback::QualificationCertificate),
                IdentityMethod::NoCard,
            ),
            93..=95 => (
                Outcome::Declaration,
                Some(Fallback::Declaration),
                IdentityMethod::NoCard,
            ),
            96..=97 => (
                Outcome::FullPayment,
                Some(Fallback::FullPayment),
                IdentityMethod::NoCard,
            ),
            _ => (Outcome::Abandoned, None, IdentityMethod::Face),
        };
        let insurer_number = format!("{:08}", 6_100_000 + (p % 50) * 17);
        let card_number = format!("{:07}", mix(p) % 10_000_000);
        let eligibility =
            matches!(outcome, Outcome::Confirmed | Outcome::HistoryUsed).then(|| EligibilitySnapshot {
                confirmation_date: at.date(),
                processed_at: Some(at),
                reference: EligibilityReference::Card,
                validity: Some(QualificationValidity::Valid),
                insurer_number: insurer_number.clone(),
                insurer_name: Some("見本健康保険組合".into()),
                card_symbol: Some(format!("{}", 100 + p % 900)),
                card_number: card_number.clone(),
                branch_number: Some(format!("{:02}", p % 5)),
                relationship: Some(if p.is_multiple_of(3) {
                    Relationship::Dependant
                } else {
                    Relationship::Insured
                }),
                insured_name: Some(patient.name.clone()),
                name: patient.name.clone(),
                name_kana: patient.name_kana.clone(),
                sex: patient.sex,
                birthdate: patient.birthdate,
                card_classification: Some("01".into()),
                valid_from: NaiveDate::from_ymd_opt(2015, 4, 1),
                valid_until: None,
                copay_percent: Some(30),
                elderly_valid_from: None,
                elderly_valid_until: None,
                elderly_copay_percent: None,
                limit_class: h.is_multiple_of(7).then(|| "A03".to_owned()),
                limit_class_name: h.is_multiple_of(7).then(|| "ウ".to_owned()),
                limit_valid_from: None,
                limit_valid_until: None,
                preschool: false,
                reason_of_loss: None,
                result_code: None,
                result_message: None,
                specific_diseases: Vec::new(),
            });
        let consent = (outcome == Outcome::Confirmed).then(|| {
            let yes = !(h >> 12).is_multiple_of(4);
            let f = if yes { ConsentFlag::Yes } else { ConsentFlag::No };
            Consent {
                given_at: at,
                expires_at: at + Duration::hours(24),
                scope: if yes {
                    ConsentScope::Comprehensive
                } else {
                    ConsentScope::Individual
                },
                medical_and_drugs: yes,
                surgery: yes,
                checkups: yes,
                flags: ConsentFlags {
                    pharmacists: f,
                    diagnosis: f,
                    operation: f,
                    checkups: f,
                    limit: ConsentFlag::Yes,
                },
                prescription_format: Some(if h.is_multiple_of(2) {
                    PrescriptionForm::Electronic
                } else {
                    PrescriptionForm::Paper
                }),
            }
        });
        let documents = if outcome == Outcome::PaperDocument {
            (0..1 + (h >> 20) % 2)
                .map(|k| AcceptedDocument {
                    kind: if k == 0 {
                        DocumentKind::QualificationCertificate
                    } else {
                        DocumentKind::Notice
                    },
                    numbers: Numbers {
                        insurer_number: insurer_number.clone(),
                        symbol: Some(format!("{}", 100 + p % 900)),
                        number: card_number.clone(),
                        branch: Some("00".into()),
                        birthdate: patient.birthdate,
                    },
                    valid_until: NaiveDate::from_ymd_opt(2030, 11, 30),
                    issued_on: NaiveDate::from_ymd_opt(2025, 8, 18),
                    group: None,
                    relationship: Some(Relationship::Insured),
                    name: Some(patient.name.clone()),
                    insurer_name: Some("見本健康保険組合".into()),
                    with_card: false,
                    sex: None,
                    insured_person_name: None,
                    recognized_on: None,
                    copay_percent: None,
                    limit_class: None,
                    limit_consent: false,
                })
                .collect()
        } else {
            Vec::new()
        };
        let declaration = (outcome == Outcome::Declaration).then(|| Declaration {
            visit_date: at.date(),
            filled_on: at.date(),
            name: patient.name.clone(),
            name_kana: patient.name_kana.clone(),
            birthdate: patient.birthdate,
            sex: patient.sex,
            address: "東京都千代田区見本町1-2-3".into(),
            phone: Some("03-0000-0000".into()),
            insurance_type: InsuranceType::Employee,
            insurer_name: Some("見本健康保険組合".into()),
            insurer_number: Some(insurer_number.clone()),
            symbol: None,
            number: None,
            branch: None,
            employer: Some("見本商事".into()),
            relationship: Relationship::Insured,
            staff_note: None,
            copay_percent: Some(30),
        });
        let full_payment = (outcome == Outcome::FullPayment).then(|| FullPayment {
            amount_yen: 3_000 + i64::try_from(h % 20_000).unwrap_or(0),
            normal_share_yen: None,
            reason: "資格確認不可".into(),
            route: RefundRoute::ClinicRefund,
            recheck_on: Some(at.date() + Duration::days(14)),
        });
        let audit = (0..1 + (h >> 32) % 4)
            .map(|k| AuditEntry {
                at: at + Duration::seconds(i64::try_from(k).unwrap_or(0)),
                actor: if k == 0 { "reader".into() } else { "受付A".into() },
                action: [
                    "reception.completed",
                    "consent.saved",
                    "eligibility.checked",
                    "staff.note",
                ][k as usize % 4]
                    .into(),
                detail: None,
            })
            .collect();
        CompletedReception {
            mode: self.mode,
            patient: PatientRef::MatchOrCreate(patient),
            visit: Visit {
                session_id: Self::session_id(i),
                at,
                kind: if i.is_multiple_of(5) {
                    VisitKind::First
                } else {
                    VisitKind::Return
                },
                identity,
                presenter: [
                    Operator::Patient,
                    Operator::Patient,
                    Operator::Proxy,
                    Operator::StaffAssisted,
                ][(h >> 40) as usize % 4],
                outcome,
                fallback,
                staff: Some("受付A".into()),
                note: None,
            },
            eligibility,
            consent,
            documents,
            declaration,
            full_payment,
            recheck: None,
            audit,
        }
    }
}

/// How many rows of each table one reception owns — what the crash check compares against the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PartCounts {
    pub eligibility: u64,
    pub consents: u64,
    pub documents: u64,
    pub declarations: u64,
    pub payments: u64,
    pub refund_tasks: u64,
    pub audit: u64,
}

impl PartCounts {
    /// The rows `r` must produce when saved.
    pub fn of(r: &CompletedReception) -> PartCounts {
        let n = |b: bool| u64::from(b);
        PartCounts {
            eligibility: n(r.eligibility.is_some()),
            consents: n(r.consent.is_some()),
            documents: r.documents.len() as u64,
            declarations: n(r.declaration.is_some()),
            payments: n(r.full_payment.is_some()),
            refund_tasks: n(r.full_payment.is_some()),
            audit: r.audit.len() as u64,
        }
    }
}

impl Store {
    /// How many rows of each table belong to a visit (used to prove a reception is complete, not partial).
    pub fn part_counts(&self, visit: VisitId) -> Result<PartCounts, StoreError> {
        let count = |sql: &str| -> Result<u64, StoreError> {
            let n: Option<i64> = crate::sql::Exec::value(&self.db, sql, &crate::sql::p![visit.0])?;
            Ok(n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
        };
        Ok(PartCounts {
            eligibility: count("SELECT count(*) FROM eligibility_snapshots WHERE visit_id = ?1")?,
            consents: count("SELECT count(*) FROM consents WHERE visit_id = ?1")?,
            documents: count("SELECT count(*) FROM paper_documents WHERE visit_id = ?1")?,
            declarations: count("SELECT count(*) FROM declarations WHERE visit_id = ?1")?,
            payments: count("SELECT count(*) FROM full_payments WHERE visit_id = ?1")?,
            refund_tasks: count(
                "SELECT count(*) FROM refund_tasks t JOIN full_payments p ON p.id = t.payment_id WHERE p.visit_id = ?1",
            )?,
            audit: count("SELECT count(*) FROM audit_log WHERE visit_id = ?1")?,
        })
    }
}
