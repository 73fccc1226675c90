//! Training scenarios in the app (issue #8): the recording of staff decisions, scoring and the kept run, the
//! certificate rule and PDF, and the scenario commands through Tauri's mock runtime in training mode (the
//! real `App`: pcscd + vpcd, the mock OQS on 127.0.0.1, a SQLite file in a temp dir).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use reception::paper::{PaperDocument, PaperRefusal, QualificationCertificateEntry};
use reception::training::{self, DocumentUse, Grade, StaffDecision};
use reception::validate::NumberEntry;
use reception::{SiteSettings, StaffAction, State, UserInput};
use serde_json::{json, Value};
use uketsuke::config::{Mode, Settings};

mod common;
use common::{call, mock_app, MockApp};
use uketsuke::scenario::{certificate_lines, trainee_name, Recording};

const PAPER: &str = "s26-qualification-cert-valid";

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

/// The 資格確認書 of scenario s26, keyed in as the staff console does.
fn s26_certificate() -> StaffAction {
    StaffAction::PresentPaper(Box::new(PaperDocument::QualificationCertificate(
        QualificationCertificateEntry {
            numbers: NumberEntry {
                insurer_number: "01139997".into(),
                symbol: "31010101".into(),
                number: "101".into(),
                branch: "00".into(),
                birthdate: "1954-11-03".into(),
                limit_consent: false,
            },
            name: "近藤 幸子".into(),
            issued_on: "2025-12-02".into(),
            valid_until: "2029-11-02".into(),
            insurer_name: "全国健康保険協会　模擬支部".into(),
            ..Default::default()
        },
    )))
}

fn staff(action: &StaffAction) -> Value {
    json!({"kind": "Staff", "value": serde_json::to_value(action).unwrap()})
}

fn input(action: &StaffAction) -> UserInput {
    serde_json::from_value(staff(action)).unwrap()
}

fn waiting() -> State {
    State::new(SiteSettings::default())
}

#[test]
fn playing_a_scenarios_expected_decision_scores_100_and_keeps_the_run_with_its_time() {
    let start = at(2025, 12, 10, 10, 0);
    let mut rec = Recording::new(training::load(PAPER).unwrap(), " 研修 太郎 ", start).unwrap();
    let made = rec.observe(&input(&s26_certificate()), &waiting());
    assert_eq!(
        made,
        Some(StaffDecision::AcceptDocument(
            DocumentUse::QualificationCertificate
        ))
    );
    let played = at(2026, 12, 3, 14, 2);
    let (view, run) = rec.finish(start + TimeDelta::seconds(95), played).unwrap();
    assert_eq!(view.debrief.score_percent, 100);
    assert!(view.debrief.passed);
    assert_eq!(view.labels.len(), view.debrief.items.len());
    assert_eq!(view.labels[0].expected.ja, "資格確認書で受付");
    assert_eq!(
        (run.trainee.as_str(), run.scenario_id.as_str()),
        ("研修 太郎", PAPER)
    );
    assert_eq!((run.score_percent, run.elapsed_secs), (100, 95));
    assert_eq!(
        run.finished_at, played,
        "kept at the real time, not the scenario's"
    );
    let decisions: Vec<StaffDecision> = serde_json::from_str(&run.decisions_json).unwrap();
    assert_eq!(decisions, rec.decisions);
    let debrief: Value = serde_json::from_str(&run.debrief_json).unwrap();
    assert_eq!(debrief["score_percent"], json!(100));
    assert_eq!(
        debrief["labels"][0]["done"]["en"],
        json!("accept the qualification certificate")
    );
}

#[test]
fn a_wrong_refusal_is_graded_wrong_and_names_the_rule_that_was_broken() {
    let start = at(2025, 12, 10, 10, 0);
    let mut rec = Recording::new(training::load(PAPER).unwrap(), "研修 太郎", start).unwrap();
    rec.observe(
        &input(&StaffAction::RefuseDocument(PaperRefusal::LegacyCardAbolished)),
        &waiting(),
    );
    let (view, run) = rec
        .finish(start + TimeDelta::seconds(30), at(2026, 12, 3, 14, 0))
        .unwrap();
    assert_eq!(view.debrief.score_percent, 0);
    assert!(!run.passed());
    let item = &view.debrief.items[0];
    assert_eq!(item.grade, Grade::Wrong);
    assert!(item.source.contains("S001"), "cites the seed: {}", item.source);
    assert_eq!(
        view.labels[0].done.ja,
        "書類を受け付けない（健康保険証は使用期限後）"
    );
}

#[test]
fn navigation_and_patient_choices_are_not_recorded_as_decisions() {
    let mut rec = Recording::new(
        training::load(PAPER).unwrap(),
        "研修 太郎",
        at(2025, 12, 10, 10, 0),
    )
    .unwrap();
    assert_eq!(rec.observe(&input(&StaffAction::NextPatient), &waiting()), None);
    assert_eq!(rec.observe(&input(&StaffAction::OpenFallback), &waiting()), None);
    let cancel: UserInput = serde_json::from_value(json!({"kind": "Cancel"})).unwrap();
    assert_eq!(rec.observe(&cancel, &waiting()), None);
    assert!(rec.decisions.is_empty());
}

#[test]
fn a_trainee_needs_a_name_of_at_most_100_characters() {
    assert_eq!(trainee_name("  研修 太郎　").unwrap(), "研修 太郎");
    assert!(trainee_name("   ").is_err());
    assert!(trainee_name(&"あ".repeat(101)).is_err());
    assert!(Recording::new(training::load(PAPER).unwrap(), "", at(2025, 12, 10, 10, 0)).is_err());
}

fn passing_run(id: i64, scenario: &str, score: u32) -> store::StoredTrainingRun {
    store::StoredTrainingRun {
        id,
        run: store::TrainingRun {
            trainee: "研修 太郎".into(),
            scenario_id: scenario.into(),
            score_percent: score,
            points: score / 50,
            max_points: 2,
            elapsed_secs: 60,
            decisions_json: "[]".into(),
            debrief_json: "{}".into(),
            finished_at: at(2025, 12, 10, 10, 1),
        },
    }
}

#[test]
fn the_certificate_needs_a_passing_run_of_every_curriculum_scenario() {
    let curriculum = training::load_all().unwrap();
    let mut runs: Vec<_> = curriculum
        .iter()
        .enumerate()
        .map(|(i, s)| passing_run(i as i64, &s.id, 100))
        .collect();
    let lines = certificate_lines(&curriculum, &runs).unwrap();
    assert_eq!(lines.len(), curriculum.len());
    assert_eq!(lines[0].scenario_id, curriculum[0].id, "curriculum order");

    // The last scenario only failed: it is named as missing, the others are not.
    let last = curriculum.last().unwrap().id.clone();
    runs.retain(|r| r.run.scenario_id != last);
    runs.push(passing_run(99, &last, 50));
    assert_eq!(certificate_lines(&curriculum, &runs).unwrap_err(), vec![last]);
}

#[test]
fn the_certificate_is_an_a4_pdf_with_an_embedded_japanese_font() {
    let curriculum = training::load_all().unwrap();
    let runs: Vec<_> = curriculum
        .iter()
        .enumerate()
        .map(|(i, s)| passing_run(i as i64, &s.id, 100))
        .collect();
    let cert = uketsuke::certificate::Certificate {
        trainee: "研修 太郎".into(),
        issued_on: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
        lines: certificate_lines(&curriculum, &runs).unwrap(),
    };
    // Kept in the target's test temp dir so a person can open it after the run.
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("training-certificate-sample.pdf");
    uketsuke::certificate::write_certificate(&cert, std::path::Path::new(uketsuke::pdf::DEFAULT_FONT), &out)
        .expect("fonts-ipafont-gothic is installed by make test");
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("/FontFile2"), "the font is embedded");
    assert!(text.contains("/MediaBox[0 0 595.27563 841.88983]"), "A4 portrait");
    assert!(bytes.len() < 1_500_000, "the font is subset");
}

// ---- The commands through the mock runtime, in training mode ----

struct Fixture {
    dir: tempfile::TempDir,
    app: MockApp,
}

fn fixture(mode: Mode) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        mode,
        // Live mode: an unreachable endpoint and no reader (nothing is queried); training ignores both.
        oqs_endpoint: "http://127.0.0.1:9/".into(),
        reader_name: "No Such Reader 00".into(),
        ..Settings::default()
    };
    let app = mock_app(dir.path(), settings);
    Fixture { dir, app }
}

#[test]
fn a_paper_scenario_played_through_the_commands_is_scored_kept_and_counted_towards_the_certificate() {
    let f = fixture(Mode::Training);
    let list = call(&f.app, "scenario_list", json!({})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), training::scenario::BUILTIN.len());

    let started = call(
        &f.app,
        "scenario_start",
        json!({"trainee": "研修 太郎", "id": PAPER}),
    )
    .unwrap();
    assert_eq!(started["scenario"]["id"], json!(PAPER));
    assert_eq!(started["snapshot"]["screen"], json!("WaitingForCard"));
    // The clinic clock now reads the scenario's day.
    let info = call(&f.app, "app_info", json!({})).unwrap();
    assert_eq!(info["today"], json!("2025-12-10"));

    // The trainee keys in the 資格確認書: the decision is recorded before the flow applies it.
    call(&f.app, "send", json!({"event": staff(&s26_certificate())})).unwrap();
    let debrief = call(&f.app, "scenario_finish", json!({})).unwrap();
    assert_eq!(debrief["score_percent"], json!(100), "{debrief}");
    assert_eq!(debrief["items"][0]["grade"], json!("Correct"));

    // Finishing twice is refused: nothing is running any more.
    let err = call(&f.app, "scenario_finish", json!({})).unwrap_err();
    assert_eq!(err["code"], json!("not_available"));

    // A second run, failed: a wrong refusal.
    call(
        &f.app,
        "scenario_start",
        json!({"trainee": "研修 太郎", "id": PAPER}),
    )
    .unwrap();
    let refuse = StaffAction::RefuseDocument(PaperRefusal::LegacyCardAbolished);
    call(&f.app, "send", json!({"event": staff(&refuse)})).unwrap();
    let failed = call(&f.app, "scenario_finish", json!({})).unwrap();
    assert_eq!(failed["items"][0]["grade"], json!("Wrong"));
    assert!(failed["items"][0]["source"].as_str().unwrap().contains("S001"));

    let history = call(&f.app, "training_history", json!({"trainee": "研修 太郎"})).unwrap();
    assert_eq!(history["trainees"], json!(["研修 太郎"]));
    let runs = history["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        (runs[0]["passed"].clone(), runs[1]["passed"].clone()),
        (json!(true), json!(false)),
        "oldest first: {runs:?}"
    );
    // Each run is kept at the real time it was played, not at the day the scenario pins (both runs pin
    // 2025-12-10, so that order was a coin toss and the certificate would have named a day nobody trained on).
    let real_today = uketsuke::clock::SystemClock::real_now().date().to_string();
    for run in runs {
        assert!(
            run["finished_at"].as_str().unwrap().starts_with(&real_today),
            "{run}"
        );
    }
    let remaining = history["remaining"].as_array().unwrap();
    assert_eq!(remaining.len(), training::scenario::BUILTIN.len() - 1);
    assert!(!remaining.contains(&json!(PAPER)));

    // One scenario passed is not the curriculum: no certificate, and the file says why.
    let err = call(
        &f.app,
        "training_certificate_pdf",
        json!({"trainee": "研修 太郎"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], json!("not_available"));
    assert_eq!(err["key"], json!("certificate_incomplete"));
    assert!(err["params"]["missing"]
        .as_str()
        .unwrap()
        .contains("s01-pin-ordinary"));
    let docs = f.dir.path().join("training").join("documents");
    assert!(!docs.exists() || std::fs::read_dir(docs).unwrap().next().is_none());
}

#[test]
fn an_unknown_scenario_or_a_missing_name_is_invalid_input() {
    let f = fixture(Mode::Training);
    let err = call(
        &f.app,
        "scenario_start",
        json!({"trainee": "研修 太郎", "id": "s99-nope"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], json!("invalid_input"));
    let err = call(&f.app, "scenario_start", json!({"trainee": " ", "id": PAPER})).unwrap_err();
    assert_eq!(err["code"], json!("invalid_input"));
}

#[test]
fn scenarios_and_trainee_history_are_not_available_in_live_mode() {
    let f = fixture(Mode::Live);
    for (cmd, body) in [
        ("scenario_start", json!({"trainee": "研修 太郎", "id": PAPER})),
        ("scenario_finish", json!({})),
        ("training_history", json!({"trainee": "研修 太郎"})),
        ("training_certificate_pdf", json!({"trainee": "研修 太郎"})),
    ] {
        let err = call(&f.app, cmd, body).unwrap_err();
        assert_eq!(err["code"], json!("not_available"), "{cmd}: {err}");
    }
}

/// The trainee playing the patient gets what the patient knows: every persona has a story in Japanese (and
/// English) and the PIN of its card; a face-only card has none. A persona added without a story fails here.
#[test]
fn every_persona_has_a_japanese_story_and_the_pin_of_its_card() {
    let rows = uketsuke::training::personas();
    assert!(rows.len() >= 19, "{} personas", rows.len());
    let stories = uketsuke::training::stories();
    for r in &rows {
        assert!(
            r.story.ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
            "{}: a Japanese story, got {:?}",
            r.id,
            r.story.ja
        );
        assert!(!r.story.en.is_empty(), "{}: an English story", r.id);
        let card = mynacard::Persona::builtin(&r.id).unwrap();
        assert_eq!(r.pin, card.pin.value, "{}: the card's PIN", r.id);
        assert_eq!(
            r.kind == "face_only",
            r.pin.is_none(),
            "{}: face-only cards have no PIN",
            r.id
        );
    }
    assert_eq!(
        stories.len(),
        rows.len(),
        "no story for a persona that does not exist"
    );
}

/// Training leaves nothing behind: after 終了して採点 the scenario's OQS fault, its card and its pinned day are
/// gone (the last round kept s19's timeout active and 本日の受付 on 2025-11-30 for the manual practice after it).
#[test]
fn finishing_a_scenario_undoes_its_fault_card_and_clock() {
    let f = fixture(Mode::Training);
    let real = call(&f.app, "app_info", json!({})).unwrap()["today"].clone();
    call(
        &f.app,
        "scenario_start",
        json!({"trainee": "研修 太郎", "id": "s19-outage-first-visit"}),
    )
    .unwrap();
    let during = call(&f.app, "trainer_state", json!({})).unwrap();
    assert_ne!(
        during["oqs_fault"],
        json!("none"),
        "s19 breaks the line: {during}"
    );
    assert!(
        during["card"].is_string(),
        "s19 places its persona's card: {during}"
    );
    assert_ne!(call(&f.app, "app_info", json!({})).unwrap()["today"], real);

    call(&f.app, "scenario_finish", json!({})).unwrap();
    let after = call(&f.app, "trainer_state", json!({})).unwrap();
    assert_eq!(after["oqs_fault"], json!("none"), "{after}");
    assert_eq!(after["card"], json!(null), "{after}");
    assert_eq!(after["reader_fault"], json!("none"), "{after}");
    assert_eq!(call(&f.app, "app_info", json!({})).unwrap()["today"], real);
    let snap = call(&f.app, "snapshot", json!({})).unwrap();
    assert_eq!(snap["screen"], json!("WaitingForCard"));
}

/// The trainer's "card reader service stopped" fault stops the app's own private pcscd, and restoring it starts a
/// new one (in a new network namespace) that the next card reaches — the trainer's card slot follows it, and so
/// does the reception's PC/SC connection (a walk found the first card after a restart answered
/// 「カードリーダーに問題が起きました」: the app still used its context from before the restart).
#[test]
fn the_reader_service_fault_stops_the_apps_pcscd_and_the_next_card_reaches_the_restarted_one() {
    use mynacard::pcscd::{vpcd_answers, VPCD_READER};
    use mynacard::PcscContext;
    use std::time::Duration;

    let f = fixture(Mode::Training);
    let present = || {
        PcscContext::establish()
            .and_then(|c| c.wait_presence(VPCD_READER, true, Duration::from_secs(5)))
            .unwrap_or(false)
    };
    let screen = || -> String {
        let snap = call(&f.app, "snapshot", json!({})).unwrap();
        match &snap["screen"] {
            Value::String(s) => s.clone(),
            Value::Object(m) => m.keys().next().cloned().unwrap_or_default(),
            other => other.to_string(),
        }
    };
    // The screen once the flow has moved on from `from` (bounded: about 10 s).
    let after = |from: &[&str]| -> String {
        let mut now = screen();
        for _ in 0..100 {
            if !from.contains(&now.as_str()) {
                break;
            }
            std::thread::park_timeout(Duration::from_millis(100));
            now = screen();
        }
        now
    };

    // The console's reader line (#16 §2): attached and empty before any card.
    let reader_state = || call(&f.app, "reader_status", json!({})).unwrap()["state"].clone();
    assert_eq!(reader_state(), json!("ready"));
    call(
        &f.app,
        "trainer_place_card",
        json!({"persona": "p01-yamada-hanako"}),
    )
    .unwrap();
    assert!(present(), "the card reaches the app's pcscd");
    assert_eq!(reader_state(), json!("card_present"));
    assert_eq!(after(&["WaitingForCard", "ReadingCard"]), "MethodChoice");
    // The patient takes the card back; the desk waits for the next one.
    call(&f.app, "trainer_remove_card", json!({})).unwrap();
    assert_eq!(after(&["MethodChoice"]), "WaitingForCard");

    call(&f.app, "trainer_reader_fault", json!({"fault": "pcscd_stopped"})).unwrap();
    assert!(!vpcd_answers(), "the app's pcscd is stopped");
    let status = call(&f.app, "reader_status", json!({})).unwrap();
    assert_eq!(
        status["state"],
        json!("service_down"),
        "the console says the reader service is down, not 「カード待ち」 alone: {status}"
    );
    let state = call(&f.app, "trainer_state", json!({})).unwrap();
    assert_eq!(state["reader_fault"], json!("pcscd_stopped"), "{state}");
    assert_eq!(
        state["card"],
        json!(null),
        "the card went with the reader: {state}"
    );

    call(&f.app, "trainer_reader_fault", json!({"fault": "none"})).unwrap();
    assert!(vpcd_answers(), "the app's pcscd is back");
    assert_eq!(reader_state(), json!("ready"), "and so is the reader line");
    call(&f.app, "trainer_place_card", json!({"persona": "p02-sato-kenji"})).unwrap();
    assert!(present(), "the next card reaches the restarted pcscd");
    assert_eq!(
        after(&["WaitingForCard", "ReadingCard"]),
        "MethodChoice",
        "the card after the restart is read"
    );
}

/// #15 §3: the trainer's class view lists each trainee with runs, mean score, time, scenarios passed and the
/// rules they missed most; the CSV names the same; a live install has no class view.
#[test]
fn the_class_view_lists_each_trainee_with_scores_time_and_weakest_rules_and_exports_them() {
    let f = fixture(Mode::Training);
    let play = |trainee: &str, action: &StaffAction| {
        call(&f.app, "scenario_start", json!({"trainee": trainee, "id": PAPER})).unwrap();
        call(&f.app, "send", json!({"event": staff(action)})).unwrap();
        call(&f.app, "scenario_finish", json!({})).unwrap();
    };
    let refuse = StaffAction::RefuseDocument(PaperRefusal::LegacyCardAbolished);
    play("研修 太郎", &s26_certificate());
    play("研修 花子", &refuse);
    play("研修 花子", &refuse);
    let class = call(&f.app, "training_class", json!({})).unwrap();
    let trainees = class["trainees"].as_array().unwrap();
    assert_eq!(trainees.len(), 2, "{class}");
    // By name, bytewise (as SQLite and the server's COLLATE "C" order it): 太 (U+592A) before 花 (U+82B1).
    let (taro, hanako) = (&trainees[0], &trainees[1]);
    assert_eq!(hanako["trainee"], json!("研修 花子"));
    assert_eq!(
        (hanako["runs"].clone(), hanako["passed"].clone()),
        (json!(2), json!(0))
    );
    assert_eq!(hanako["mean_percent"], json!(0));
    let weakest = hanako["weakest"].as_array().unwrap();
    assert!(!weakest.is_empty(), "{hanako}");
    assert!(
        weakest[0]["source"].as_str().unwrap().contains("S001"),
        "{hanako}"
    );
    assert_eq!(weakest[0]["misses"], json!(2), "missed in both runs");
    assert_eq!(taro["trainee"], json!("研修 太郎"));
    assert_eq!(
        (taro["passed"].clone(), taro["mean_percent"].clone()),
        (json!(1), json!(100))
    );
    assert!(taro["weakest"].as_array().unwrap().is_empty());
    assert_eq!(
        taro["complete"],
        json!(false),
        "one scenario is not the curriculum"
    );

    let saved = call(&f.app, "training_class_csv", json!({})).unwrap();
    let bytes = std::fs::read(saved["path"].as_str().unwrap()).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("研修者,実施回数"));
    assert!(lines[1].starts_with("研修 太郎,1,1,"), "{text}");
    assert!(
        lines[2].starts_with("研修 花子,2,0,") && lines[2].contains("S001"),
        "{text}"
    );

    let live = fixture(Mode::Live);
    let err = call(&live.app, "training_class", json!({})).unwrap_err();
    assert_eq!(err["code"], json!("not_available"), "{err}");
}
