//! Every record type comes back exactly as saved.

use crate::common::*;
use store::*;

both! {
fn a_reception_with_every_record_type_reads_back_identically() {
    let mut s = fresh(Mode::Live);
    let at = time(2026, 1, 13, 9, 5);
    let r = full_reception(Mode::Live, "sess-1", at);
    let id = s.save_completed_reception(&r).unwrap();
    let back = s.reception(id).unwrap().expect("saved reception is found");

    assert_eq!(back.mode, Mode::Live);
    let PatientRef::New(p) = &r.patient else {
        unreachable!()
    };
    assert_eq!(
        (
            &back.patient.name,
            &back.patient.name_kana,
            &back.patient.name_other,
            back.patient.birthdate,
            back.patient.sex
        ),
        (&p.name, &p.name_kana, &p.name_other, p.birthdate, p.sex)
    );
    assert_eq!(back.visit, r.visit);
    assert_eq!(back.eligibility, r.eligibility);
    assert_eq!(back.consent, r.consent);
    assert_eq!(
        back.documents, r.documents,
        "documents keep their order and every printed field"
    );
    assert_eq!(back.declaration, r.declaration);
    assert_eq!(back.full_payment, r.full_payment);
    assert_eq!(back.audit, r.audit);
    let task = back
        .refund_task
        .expect("a 10割 payment always opens a refund task");
    assert_eq!(task.status, TaskStatus::Open);
    assert_eq!(task.visit_id, id);
}
}

both! {
fn a_missing_validity_code_and_empty_optionals_survive_the_round_trip() {
    let mut s = fresh(Mode::Training);
    let at = time(2026, 2, 1, 10, 0);
    let mut r = confirmed(Mode::Training, "sess-odd", at, PatientRef::New(patient()));
    let e = r.eligibility.as_mut().unwrap();
    e.validity = None;
    e.insurer_name = None;
    e.card_symbol = None;
    e.branch_number = None;
    e.relationship = None;
    e.processed_at = None;
    e.copay_percent = None;
    r.consent.as_mut().unwrap().prescription_format = None;
    let id = s.save_completed_reception(&r).unwrap();
    let back = s.reception(id).unwrap().unwrap();
    assert_eq!(back.eligibility, r.eligibility);
    assert_eq!(back.consent, r.consent);
}
}

#[test]
fn records_serialize_to_json_and_back_for_the_ui_bridge() {
    let r = full_reception(Mode::Live, "sess-json", time(2026, 1, 13, 9, 5));
    let json = serde_json::to_string(&r).unwrap();
    let back: CompletedReception = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
}

both! {
fn match_or_create_reuses_the_same_patient_across_visits() {
    let mut s = fresh(Mode::Live);
    let a = s
        .save_completed_reception(&confirmed(
            Mode::Live,
            "a",
            time(2026, 1, 5, 9, 0),
            PatientRef::MatchOrCreate(patient()),
        ))
        .unwrap();
    // Same person, kana typed full-width this time: still the same patient.
    let mut p = patient();
    p.name_kana = "ミホン　ハナコ".into();
    let b = s
        .save_completed_reception(&confirmed(
            Mode::Live,
            "b",
            time(2026, 1, 9, 9, 0),
            PatientRef::MatchOrCreate(p),
        ))
        .unwrap();
    let pa = s.reception(a).unwrap().unwrap().patient.id;
    let pb = s.reception(b).unwrap().unwrap().patient.id;
    assert_eq!(pa, pb);
    let other = s
        .save_completed_reception(&confirmed(
            Mode::Live,
            "c",
            time(2026, 1, 9, 9, 5),
            PatientRef::MatchOrCreate(NewPatient {
                birthdate: date(1990, 1, 1),
                ..patient()
            }),
        ))
        .unwrap();
    assert_ne!(
        s.reception(other).unwrap().unwrap().patient.id,
        pa,
        "a different birthdate is a different person"
    );
}
}

both! {
fn a_completed_refund_task_records_who_closed_it_and_leaves_an_audit_entry() {
    let mut s = fresh(Mode::Live);
    let at = time(2026, 1, 13, 9, 5);
    let id = s
        .save_completed_reception(&full_reception(Mode::Live, "r", at))
        .unwrap();
    let task = s.open_refund_tasks().unwrap()[0].id;
    s.complete_refund_task(
        task,
        time(2026, 1, 27, 15, 0),
        "会計 鈴木",
        Some("差額 8,638 円 返金"),
    )
    .unwrap();
    assert!(s.open_refund_tasks().unwrap().is_empty());
    let back = s.reception(id).unwrap().unwrap();
    let t = back.refund_task.unwrap();
    assert_eq!(
        (t.status, t.done_at, t.done_by.as_deref()),
        (
            TaskStatus::Done,
            Some(time(2026, 1, 27, 15, 0)),
            Some("会計 鈴木")
        )
    );
    assert_eq!(back.audit.last().unwrap().action, "refund.done");
    assert!(matches!(
        s.complete_refund_task(task, time(2026, 1, 28, 9, 0), "会計 鈴木", None),
        Err(StoreError::NoOpenRefundTask(_))
    ));
}
}
