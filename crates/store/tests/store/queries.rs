//! The desk's queries answer what the desk asks.

use crate::common::*;
use store::*;

fn with_outcome(mut r: CompletedReception, outcome: Outcome) -> CompletedReception {
    r.visit.outcome = outcome;
    if outcome != Outcome::FullPayment {
        r.full_payment = None;
    }
    r
}

both! {
fn the_day_list_shows_that_days_receptions_in_time_order_and_filters_by_outcome_and_open_task() {
    let mut s = fresh(Mode::Live);
    let day = date(2026, 1, 13);
    s.save_completed_reception(&full_reception(Mode::Live, "pay", time(2026, 1, 13, 11, 0)))
        .unwrap();
    s.save_completed_reception(&confirmed(
        Mode::Live,
        "ok",
        time(2026, 1, 13, 9, 0),
        PatientRef::New(patient()),
    ))
    .unwrap();
    s.save_completed_reception(&with_outcome(
        full_reception(Mode::Live, "decl", time(2026, 1, 13, 10, 0)),
        Outcome::Declaration,
    ))
    .unwrap();
    s.save_completed_reception(&confirmed(
        Mode::Live,
        "late-night",
        time(2026, 1, 13, 23, 59),
        PatientRef::New(patient()),
    ))
    .unwrap();
    s.save_completed_reception(&confirmed(
        Mode::Live,
        "next-day",
        time(2026, 1, 14, 0, 0),
        PatientRef::New(patient()),
    ))
    .unwrap();
    s.save_completed_reception(&confirmed(
        Mode::Live,
        "day-before",
        time(2026, 1, 12, 23, 59),
        PatientRef::New(patient()),
    ))
    .unwrap();

    let all = s.receptions_on(day, &ReceptionFilter::default()).unwrap();
    let ids: Vec<&str> = all.iter().map(|r| r.session_id.as_str()).collect();
    assert_eq!(ids, ["ok", "decl", "pay", "late-night"]);
    let pay = &all[2];
    assert!(pay.refund_open);
    assert_eq!(pay.insurer_number.as_deref(), Some("06133946"));
    assert_eq!(pay.consent_expires_at, Some(time(2026, 1, 14, 11, 0)));

    let filter = ReceptionFilter {
        outcomes: vec![Outcome::Declaration, Outcome::FullPayment],
        pending_task_only: false,
    };
    let ids: Vec<String> = s
        .receptions_on(day, &filter)
        .unwrap()
        .into_iter()
        .map(|r| r.session_id)
        .collect();
    assert_eq!(ids, ["decl", "pay"]);

    let pending = ReceptionFilter {
        outcomes: vec![],
        pending_task_only: true,
    };
    assert_eq!(s.receptions_on(day, &pending).unwrap().len(), 1);
    let task = s.open_refund_tasks().unwrap()[0].id;
    s.complete_refund_task(task, time(2026, 1, 20, 9, 0), "会計", None)
        .unwrap();
    assert!(
        s.receptions_on(day, &pending).unwrap().is_empty(),
        "a done task is no longer pending"
    );
}
}

both! {
fn patient_search_matches_kana_in_any_width_and_birthdate() {
    let mut s = fresh(Mode::Live);
    s.save_completed_reception(&confirmed(
        Mode::Live,
        "a",
        time(2026, 1, 5, 9, 0),
        PatientRef::New(patient()),
    ))
    .unwrap();
    let other = NewPatient {
        name: "見本 次郎".into(),
        name_kana: "ミホン ジロウ".into(),
        name_other: None,
        birthdate: date(1975, 12, 24),
        sex: Sex::Male,
    };
    s.save_completed_reception(&confirmed(
        Mode::Live,
        "b",
        time(2026, 1, 5, 9, 5),
        PatientRef::New(other),
    ))
    .unwrap();
    let names = |v: Vec<Patient>| v.into_iter().map(|p| p.name).collect::<Vec<_>>();

    assert_eq!(
        names(s.find_patients(Some("みほん"), None).unwrap()),
        ["見本 次郎", "見本 花子"]
    );
    assert_eq!(
        names(s.find_patients(Some("ﾐﾎﾝ ﾊ"), None).unwrap()),
        ["見本 花子"]
    );
    assert_eq!(
        names(s.find_patients(Some("ミホンジ"), None).unwrap()),
        ["見本 次郎"]
    );
    assert_eq!(
        names(s.find_patients(None, Some(date(1975, 12, 24))).unwrap()),
        ["見本 次郎"]
    );
    assert_eq!(
        names(s.find_patients(Some("みほん"), Some(date(1988, 4, 2))).unwrap()),
        ["見本 花子"]
    );
    assert!(s.find_patients(Some("やまだ"), None).unwrap().is_empty());
    assert!(
        s.find_patients(None, None).unwrap().is_empty(),
        "an empty search never lists every patient"
    );
}
}

both! {
fn the_last_valid_eligibility_is_the_newest_valid_one_with_its_confirmation_date() {
    let mut s = fresh(Mode::Live);
    let first = s
        .save_completed_reception(&confirmed(
            Mode::Live,
            "v1",
            time(2025, 11, 4, 9, 0),
            PatientRef::New(patient()),
        ))
        .unwrap();
    let pid = s.reception(first).unwrap().unwrap().patient.id;
    assert!(s
        .last_valid_eligibility(PatientId(pid.0 + 100))
        .unwrap()
        .is_none());

    let mut second = confirmed(
        Mode::Live,
        "v2",
        time(2025, 12, 9, 9, 0),
        PatientRef::Existing(pid),
    );
    second.eligibility.as_mut().unwrap().insurer_number = "39131234".into();
    s.save_completed_reception(&second).unwrap();
    // A later check that said 無効 is not what a 再診 is billed on.
    let mut third = confirmed(
        Mode::Live,
        "v3",
        time(2026, 1, 13, 9, 0),
        PatientRef::Existing(pid),
    );
    third.eligibility.as_mut().unwrap().validity = Some(QualificationValidity::Invalid);
    s.save_completed_reception(&third).unwrap();

    let last = s.last_valid_eligibility(pid).unwrap().unwrap();
    assert_eq!(last.snapshot.confirmation_date, date(2025, 12, 9));
    assert_eq!(last.snapshot.insurer_number, "39131234");
    assert_eq!(last.visit_at, time(2025, 12, 9, 9, 0));
}
}

both! {
fn a_consent_is_valid_for_its_recorded_window_and_not_a_second_longer() {
    let mut s = fresh(Mode::Live);
    let at = time(2026, 1, 13, 9, 0);
    let id = s
        .save_completed_reception(&confirmed(Mode::Live, "c", at, PatientRef::New(patient())))
        .unwrap();
    let pid = s.reception(id).unwrap().unwrap().patient.id;
    let just_before = at + chrono::Duration::hours(24) - chrono::Duration::seconds(1);
    let status = s.consent_status(pid, just_before).unwrap().unwrap();
    assert!(status.valid);
    assert_eq!(status.consent.expires_at, time(2026, 1, 14, 9, 0));
    assert!(
        !s.consent_status(pid, time(2026, 1, 14, 9, 0))
            .unwrap()
            .unwrap()
            .valid
    );

    // A new consent on the next visit is the one that counts.
    let later = time(2026, 1, 20, 9, 0);
    s.save_completed_reception(&confirmed(Mode::Live, "c2", later, PatientRef::Existing(pid)))
        .unwrap();
    assert!(s.consent_status(pid, later).unwrap().unwrap().valid);
    assert!(s.consent_status(PatientId(pid.0 + 50), later).unwrap().is_none());
}
}

both! {
fn open_refund_tasks_list_the_oldest_payment_first() {
    let mut s = fresh(Mode::Live);
    s.save_completed_reception(&full_reception(Mode::Live, "b", time(2026, 1, 14, 9, 0)))
        .unwrap();
    s.save_completed_reception(&full_reception(Mode::Live, "a", time(2026, 1, 13, 9, 0)))
        .unwrap();
    let tasks = s.open_refund_tasks().unwrap();
    let when: Vec<_> = tasks.iter().map(|t| t.visit_at).collect();
    assert_eq!(when, [time(2026, 1, 13, 9, 0), time(2026, 1, 14, 9, 0)]);
    assert_eq!(tasks[0].payment.amount_yen, 12_340);
    assert_eq!(tasks[0].patient_name, "見本 花子");
}
}
