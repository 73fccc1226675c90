//! The schema refuses bad records with errors that name what was wrong, and a refused reception leaves no
//! trace at all.

use crate::common::*;
use store::*;

fn file_store() -> (tempfile::TempDir, std::path::PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.sqlite");
    let s = Store::create(&path, Mode::Live).unwrap();
    (dir, path, s)
}

fn count(path: &std::path::Path, table: &str) -> i64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn constraint_message(e: StoreError) -> String {
    match e {
        StoreError::Constraint(m) => m,
        other => panic!("expected a constraint error, got {other:?}"),
    }
}

#[test]
fn a_refused_reception_leaves_no_patient_visit_or_audit_row_behind() {
    let (_d, path, mut s) = file_store();
    let at = time(2026, 1, 13, 9, 0);
    let mut r = full_reception(Mode::Live, "x", at);
    // Refused by a CHECK late in the transaction, after the patient, visit, document and 申立書 rows were
    // inserted.
    r.full_payment.as_mut().unwrap().amount_yen = 0;
    let msg = constraint_message(s.save_completed_reception(&r).unwrap_err());
    assert!(msg.contains("payment_amount_positive"), "{msg}");
    for table in [
        "patients",
        "visits",
        "eligibility_snapshots",
        "consents",
        "paper_documents",
        "declarations",
        "audit_log",
    ] {
        assert_eq!(
            count(&path, table),
            0,
            "{table} must be empty after a refused reception"
        );
    }
}

both! {
fn saving_the_same_session_twice_is_refused_by_name() {
    let mut s = fresh(Mode::Live);
    let r = full_reception(Mode::Live, "dup", time(2026, 1, 13, 9, 0));
    s.save_completed_reception(&r).unwrap();
    assert!(matches!(s.save_completed_reception(&r), Err(StoreError::DuplicateSession(id)) if id == "dup"));
}
}

both! {
fn a_reception_for_an_unknown_patient_is_refused() {
    let mut s = fresh(Mode::Live);
    let r = confirmed(
        Mode::Live,
        "u",
        time(2026, 1, 13, 9, 0),
        PatientRef::Existing(PatientId(4242)),
    );
    assert!(matches!(
        s.save_completed_reception(&r),
        Err(StoreError::UnknownPatient(4242))
    ));
}
}

/// Breaks one rule of a valid reception.
type Spoil = Box<dyn Fn(&mut CompletedReception)>;

both! {
fn each_record_rule_is_named_in_the_error() {
    let at = time(2026, 1, 13, 9, 0);
    let cases: Vec<(&str, Spoil)> = vec![
        (
            "consent_expiry_after_consent",
            Box::new(move |r| r.consent.as_mut().unwrap().expires_at = at),
        ),
        (
            "payment_amount_positive",
            Box::new(|r| r.full_payment.as_mut().unwrap().amount_yen = 0),
        ),
        (
            "payment_share_within_amount",
            Box::new(|r| r.full_payment.as_mut().unwrap().normal_share_yen = Some(99_999)),
        ),
        (
            "eligibility_insurer_number_length",
            Box::new(|r| r.eligibility.as_mut().unwrap().insurer_number = "123456789".into()),
        ),
        (
            "patient_name_present",
            Box::new(|r| {
                r.patient = PatientRef::New(NewPatient {
                    name: String::new(),
                    ..patient()
                })
            }),
        ),
        (
            "eligibility_copay_percent",
            Box::new(|r| r.eligibility.as_mut().unwrap().copay_percent = Some(130)),
        ),
    ];
    for (name, spoil) in cases {
        let mut s = fresh(Mode::Live);
        let mut r = full_reception(Mode::Live, "c", at);
        spoil(&mut r);
        let msg = constraint_message(s.save_completed_reception(&r).unwrap_err());
        assert!(msg.contains(name), "expected {name} in {msg:?}");
    }
}
}

#[test]
fn raw_sql_cannot_store_an_unattested_declaration_or_a_card_less_document_without_its_setting_and_chaperone()
{
    let (_d, path, mut s) = file_store();
    s.save_completed_reception(&full_reception(Mode::Live, "a", time(2026, 1, 13, 9, 0)))
        .unwrap();
    drop(s);
    let c = rusqlite::Connection::open(&path).unwrap();
    let refused = |sql: &str| c.execute(sql, []).unwrap_err().to_string();
    let unattested = refused("UPDATE declarations SET attested = 0");
    assert!(
        unattested.contains("declaration_must_be_attested"),
        "{unattested}"
    );
    let insert = |with_card: i64, setting: &str, chaperone: &str| {
        format!(
            "INSERT INTO paper_documents (visit_id, position, kind, insurer_number, card_number, with_card,
                group_setting, chaperone)
             VALUES (1, 9, 'portal_pdf', '06133946', '0012345', {with_card}, {setting}, {chaperone})"
        )
    };
    for (with_card, setting, chaperone) in [(0, "'nursery'", "NULL"), (0, "NULL", "'引率'")] {
        let e = refused(&insert(with_card, setting, chaperone));
        assert!(e.contains("document_group_has_chaperone"), "{e}");
    }
    let with_card = refused(&insert(1, "'school_trip'", "'引率'"));
    assert!(with_card.contains("document_group_without_card"), "{with_card}");
    assert_eq!(count(&path, "paper_documents"), 2);
    // A 資格確認書 (or a notice under the temporary rule) alone is stored without the card (#12 §5).
    c.execute(&insert(0, "NULL", "NULL"), []).unwrap();
    assert_eq!(count(&path, "paper_documents"), 3);
}

#[test]
fn a_twelve_digit_number_in_any_text_field_is_refused_before_anything_is_written() {
    let (_d, path, mut s) = file_store();
    let at = time(2026, 1, 13, 9, 0);
    let mut r = full_reception(Mode::Live, "mn", at);
    r.visit.note = Some("個人番号 1234 5678 9012 を控えた".into());
    assert!(matches!(
        s.save_completed_reception(&r),
        Err(StoreError::ForbiddenNumber { field: "visit.note" })
    ));
    let mut r = full_reception(Mode::Live, "mn2", at);
    r.audit[0].detail = Some("123456789012".into());
    assert!(matches!(
        s.save_completed_reception(&r),
        Err(StoreError::ForbiddenNumber {
            field: "audit.detail"
        })
    ));
    assert_eq!(count(&path, "visits"), 0);
}

#[test]
fn the_audit_log_cannot_be_changed_or_deleted_even_with_raw_sql() {
    let (_d, path, mut s) = file_store();
    s.save_completed_reception(&full_reception(Mode::Live, "a", time(2026, 1, 13, 9, 0)))
        .unwrap();
    drop(s);
    let c = rusqlite::Connection::open(&path).unwrap();
    let upd = c
        .execute("UPDATE audit_log SET actor = 'someone else'", [])
        .unwrap_err()
        .to_string();
    assert!(upd.contains("append-only"), "{upd}");
    let del = c.execute("DELETE FROM audit_log", []).unwrap_err().to_string();
    assert!(del.contains("append-only"), "{del}");
    assert_eq!(count(&path, "audit_log"), 2);
}

#[test]
fn strict_tables_refuse_a_blob_smuggled_into_a_text_column() {
    let (_d, path, s) = file_store();
    drop(s);
    let c = rusqlite::Connection::open(&path).unwrap();
    let err = c
        .execute(
            "INSERT INTO patients (name, name_kana, birthdate, sex) VALUES (?1, 'ｱ', '2000-01-01', 'male')",
            [rusqlite::types::Value::Blob(vec![0xFF, 0xD8, 0xFF, 0xE0])],
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot store BLOB value"), "{err}");
}

#[test]
fn a_batch_with_one_bad_reception_saves_none_of_them() {
    let (_d, path, mut s) = file_store();
    let good = full_reception(Mode::Live, "good", time(2026, 1, 13, 9, 0));
    let mut bad = full_reception(Mode::Live, "bad", time(2026, 1, 13, 9, 5));
    bad.full_payment.as_mut().unwrap().amount_yen = -1;
    assert!(matches!(
        s.save_completed_receptions([&good, &bad]),
        Err(StoreError::Constraint(_))
    ));
    assert_eq!(count(&path, "visits"), 0);
    s.save_completed_receptions([good]).unwrap();
    assert_eq!(count(&path, "visits"), 1);
}
