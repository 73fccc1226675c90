//! The scenario world the app builds at start, played through Tauri's mock runtime in training mode (the real
//! `App`: pcscd + vpcd with the virtual card, the face models on the training camera, the mock OQS on
//! 127.0.0.1, a SQLite file in a temp dir):
//! - a 再診 scenario seeds one earlier reception of its persona, found by the kana + birthdate look-up, once
//!   however often the scenario is started, and its expected decisions score 100 %;
//! - "another person's data" (紐付け誤り) shows a different persona's record on the card query, is no longer
//!   listed as unplayed, and its expected decisions score 100 %.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Waiting for the app's driver and card-monitor threads is I/O polling, not flow logic (flow time is the
// pinned clinic clock).
#![allow(clippy::disallowed_methods)]

use chrono::NaiveDate;
use reception::model::PatientLookup;
use reception::paper::{DocumentKind, PaperDocument};
use reception::training;
use reception::validate::NumberEntry;
use reception::{StaffAction, Store as _};
use serde_json::{json, Value};
use uketsuke::config::{Mode, Settings};

mod common;
use common::{call, mock_app, MockApp};
use reception::training::World;
use uketsuke::scenario::unplayed;

const RETURN_VISIT: &str = "s18-outage-return-visit";
const OTHER_PERSON: &str = "s23-other-persons-data";
const TRAINEE: &str = "研修 花子";

struct Fixture {
    dir: tempfile::TempDir,
    app: MockApp,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        mode: Mode::Training,
        ..Settings::default()
    };
    let app = mock_app(dir.path(), settings);
    Fixture { dir, app }
}

fn send(f: &Fixture, event: Value) -> Value {
    call(&f.app, "send", json!({ "event": event })).unwrap()
}

fn staff(f: &Fixture, action: &StaffAction) -> Value {
    send(
        f,
        json!({"kind": "Staff", "value": serde_json::to_value(action).unwrap()}),
    )
}

/// The screen's id: `"MethodChoice"` or the key of `{"Fallback": {…}}`.
fn screen_id(snap: &Value) -> String {
    match &snap["screen"] {
        Value::String(s) => s.clone(),
        Value::Object(m) => m.keys().next().cloned().unwrap_or_default(),
        other => other.to_string(),
    }
}

/// Answer the reader's patient screens (consent, prescription) as the persona would, until `done` holds for
/// the snapshot; fails after about a minute (card reads go through pcscd, the first face match loads models).
fn play_patient_until(f: &Fixture, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..600 {
        let snap = call(&f.app, "snapshot", json!({})).unwrap();
        if done(&snap) {
            return snap;
        }
        let answer = match screen_id(&snap).as_str() {
            "ConsentMode" => Some(json!({"kind": "ChooseConsentMode", "value": "Comprehensive"})),
            "ConsentItem" => Some(json!({"kind": "AnswerConsent", "value": true})),
            "LimitConsent" => Some(json!({"kind": "AnswerLimit", "value": true})),
            "PrescriptionForm" => Some(json!({"kind": "ChoosePrescription", "value": "Paper"})),
            _ => None,
        };
        match answer {
            Some(a) => {
                send(f, a);
            }
            None => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
    panic!(
        "waited for {what}; last snapshot {}",
        call(&f.app, "snapshot", json!({})).unwrap()
    );
}

fn on_screen(id: &'static str) -> impl Fn(&Value) -> bool {
    move |s| screen_id(s) == id
}

/// The training database, opened next to the app's own connection.
fn training_store(f: &Fixture) -> store::reception_port::StorePort {
    let path = f.dir.path().join("training").join("uketsuke.sqlite3");
    store::reception_port::StorePort::new(store::Store::open(&path, store::Mode::Training).unwrap())
}

fn yamada() -> PatientLookup {
    PatientLookup::KanaAndBirthdate {
        kana: "ヤマダ ハナコ".into(),
        birthdate: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn only_return_visit_scenarios_with_a_persona_get_a_previous_visit_day_before_their_own() {
    let curriculum = training::load_all().unwrap();
    let seeded: Vec<_> = curriculum
        .iter()
        .filter_map(|s| World::of(s).previous_visit.map(|d| (s.id.as_str(), d, s.today)))
        .collect();
    let ids: Vec<_> = seeded.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(ids, vec![RETURN_VISIT, "s20-reader-stopped-return-visit"]);
    assert!(seeded.iter().all(|(_, d, today)| d < today));
}

#[test]
fn every_fault_of_the_curriculum_is_played_and_the_other_person_is_someone_else() {
    for s in training::load_all().unwrap() {
        assert_eq!(unplayed(&s), vec![], "{}", s.id);
    }
    let shown = |id: &str| training::world::other_person_for(id).map(|p| p.id);
    assert_eq!(shown("p01-yamada-hanako"), Some("p02-sato-kenji"));
    assert_eq!(shown("p02-sato-kenji"), Some("p01-yamada-hanako"));
    let s23 = World::of(&training::load(OTHER_PERSON).unwrap());
    assert_eq!(s23.other_person.map(|p| p.id), Some("p02-sato-kenji"));
}

#[test]
fn a_return_visit_scenario_seeds_one_previous_visit_and_its_expected_decisions_score_100() {
    let f = fixture();
    // Nothing is known about the persona before the scenario.
    assert_eq!(training_store(&f).last_eligibility(&yamada()).unwrap(), None);

    let started = call(
        &f.app,
        "scenario_start",
        json!({"trainee": TRAINEE, "id": RETURN_VISIT}),
    )
    .unwrap();
    assert_eq!(started["unplayed"], json!([]));
    let seeded = day(2025, 11, 2); // the scenario's 2025-11-30 minus 28 days
    let found = training_store(&f).last_eligibility(&yamada()).unwrap().unwrap();
    assert_eq!(found.confirmed_on, seeded);
    assert_eq!(found.record.name, "山田 花子");
    assert_eq!(found.record.insurer_number, "06139919");

    // Starting again (a trainee's second try) writes nothing more and the look-up answers the same.
    call(
        &f.app,
        "scenario_start",
        json!({"trainee": TRAINEE, "id": RETURN_VISIT}),
    )
    .unwrap();
    let mut port = training_store(&f);
    assert_eq!(
        port.db()
            .receptions_on(seeded, &Default::default())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(port.last_eligibility(&yamada()).unwrap(), Some(found));
    drop(port);

    // The expected decisions: face, classify the outage, use the previous visit.
    play_patient_until(&f, "the method choice", on_screen("MethodChoice"));
    send(&f, json!({"kind": "ChooseMethod", "value": "Face"}));
    // The service is down: the flow ends up offering the fallbacks.
    play_patient_until(&f, "the outage", |s| {
        matches!(screen_id(s).as_str(), "Error" | "Fallback")
    });
    if screen_id(&call(&f.app, "snapshot", json!({})).unwrap()) != "Fallback" {
        staff(&f, &StaffAction::OpenFallback);
    }
    staff(
        &f,
        &StaffAction::ClassifyProblem(reception::paper::ProblemKind::CommunicationFailure),
    );
    for _ in 0..8 {
        let snap = call(&f.app, "snapshot", json!({})).unwrap();
        if snap["screen"]["Fallback"]["step"] == json!("PreviousVisit") {
            break;
        }
        staff(&f, &StaffAction::FallbackNext);
    }
    staff(&f, &StaffAction::LookupPrevious(yamada()));
    let done = play_patient_until(&f, "the 再診 reception", on_screen("Completed"));
    assert_eq!(
        done["screen"]["Completed"]["basis"],
        json!({"PreviousVisit": {"confirmed_on": "2025-11-02"}}),
        "{done}"
    );

    let debrief = call(&f.app, "scenario_finish", json!({})).unwrap();
    assert_eq!(debrief["score_percent"], json!(100), "{debrief}");
}

#[test]
fn the_other_persons_data_scenario_shows_someone_elses_record_and_its_expected_decisions_score_100() {
    let f = fixture();
    let started = call(
        &f.app,
        "scenario_start",
        json!({"trainee": TRAINEE, "id": OTHER_PERSON}),
    )
    .unwrap();
    assert_eq!(started["unplayed"], json!([]));

    play_patient_until(&f, "the method choice", on_screen("MethodChoice"));
    send(&f, json!({"kind": "ChooseMethod", "value": "Face"}));
    // The card query answers with 佐藤 健二's record: the staff console shows a stranger.
    let shown = play_patient_until(&f, "the mis-linked answer", |s| !s["eligibility"].is_null());
    assert_eq!(
        shown["eligibility"]["record"]["name"],
        json!("佐藤 健二"),
        "{shown}"
    );
    assert_eq!(shown["eligibility"]["validity"], json!("Valid"), "{shown}");

    // Expected: void the reception (kept as voided; the hotline sheet opens), then her own eligibility by the
    // お知らせ's numbers (#12 §4).
    play_patient_until(&f, "the mis-linked reception saved", |s| {
        s["staff_actions"]
            .as_array()
            .is_some_and(|a| a.contains(&json!("VoidReception")))
    });
    staff(
        &f,
        &StaffAction::VoidReception(reception::paper::VoidReason::OtherPersonsData),
    );
    let voided = call(&f.app, "snapshot", json!({})).unwrap();
    assert!(!voided["hotline"].is_null(), "the hotline sheet opens: {voided}");
    staff(&f, &StaffAction::Hotline(false));
    let notice = PaperDocument::Notice {
        kind: DocumentKind::Notice,
        numbers: NumberEntry {
            insurer_number: "06139919".into(),
            symbol: "1001".into(),
            number: "1001".into(),
            branch: "00".into(),
            birthdate: "1990-01-01".into(),
            limit_consent: false,
        },
        with_card: true,
        name: String::new(),
        copay_percent: None,
    };
    staff(&f, &StaffAction::PresentPaper(Box::new(notice)));
    let done = play_patient_until(&f, "the reception by the notice", |s| {
        s["screen"]["Completed"]["basis"] == json!({"OnlineNumbers": "Notice"})
    });
    // By 記号番号 she is herself again.
    assert_eq!(
        done["eligibility"]["record"]["name"],
        json!("山田 花子"),
        "{done}"
    );

    let debrief = call(&f.app, "scenario_finish", json!({})).unwrap();
    assert_eq!(debrief["score_percent"], json!(100), "{debrief}");
}
