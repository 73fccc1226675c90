//! Training curriculum (issue #8): every scenario loads, its expected decisions score 100 % and are
//! accepted by the real flow, a wrong decision is caught naming the right rule, decisions derive from
//! the UI's input stream, and the `uketsuke-train` binary checks a decision file.

use std::collections::{HashSet, VecDeque};
use std::io::Write;
use std::process::{Command, Stdio};

use reception::model::*;
use reception::paper::{Billing, DocumentKind, ProblemKind};
use reception::rules::{rule_date, DateRule};
use reception::training::scenario::{EndBasis, BUILTIN};
use reception::training::{self, decision_of, DocumentUse, Grade, Lang, StaffDecision};
use reception::*;

use crate::fakes::*;

fn expected(s: &training::Scenario) -> Vec<StaffDecision> {
    s.expect.iter().map(|e| e.decision).collect()
}

#[test]
fn the_curriculum_has_at_least_25_scenarios_that_all_load_with_unique_ids() {
    let all = training::load_all().unwrap();
    assert!(all.len() >= 25, "only {} scenarios", all.len());
    assert_eq!(all.len(), BUILTIN.len());
    let ids: HashSet<_> = all.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids.len(), all.len(), "ids are unique");
    for s in &all {
        assert!(
            s.story_ja.chars().any(|c| ('\u{3040}'..='\u{30FF}').contains(&c)),
            "{}: story in Japanese",
            s.id
        );
        assert!(
            s.persona == "none" || s.persona_facts().is_some(),
            "{}: persona",
            s.id
        );
        if s.persona == "none" {
            assert!(!s.brings.card, "{}: a paper-only patient has no card", s.id);
        }
        assert!(
            s.expect.iter().any(|e| !e.wrong.is_empty()),
            "{}: at least one plausible wrong answer to test",
            s.id
        );
    }
}

#[test]
fn the_curriculum_covers_every_situation_the_issue_lists() {
    let all = training::load_all().unwrap();
    let has = |pred: &dyn Fn(&training::Scenario) -> bool| all.iter().any(pred);
    let expects = |s: &training::Scenario, d: StaffDecision| s.expect.iter().any(|e| e.decision == d);
    assert!(has(
        &|s| s.id.contains("pin-ordinary") && expects(s, StaffDecision::Identify(Method::Pin))
    ));
    assert!(has(
        &|s| s.id.contains("face-ordinary") && expects(s, StaffDecision::Identify(Method::Face))
    ));
    assert!(has(
        &|s| s.persona == "p02-sato-kenji" && expects(s, StaffDecision::SwitchVisualMode)
    ));
    assert!(has(&|s| expects(s, StaffDecision::SetOperator(Operator::Proxy))));
    assert!(has(&|s| expects(
        s,
        StaffDecision::SetOperator(Operator::StaffAssisted)
    )));
    assert!(has(&|s| s.persona == "p04-takahashi-yoshiko"));
    for p in ["p05-tanaka-makoto", "p06-ito-akira", "p07-watanabe-mei"] {
        assert!(has(&|s| s.persona == p), "certificate persona {p}");
    }
    assert!(has(&|s| expects(s, StaffDecision::Registration(true))));
    assert!(has(&|s| expects(
        s,
        StaffDecision::ClassifyProblem(ProblemKind::NoEligibilityData)
    )));
    assert!(has(&|s| s.persona == "p14-yamamoto-daichi"));
    assert!(has(&|s| s.persona == "p16-inoue-ken"));
    assert!(has(&|s| expects(s, StaffDecision::UsePreviousVisit)));
    assert!(has(&|s| expects(s, StaffDecision::TakeDeclaration)));
    assert!(has(&|s| expects(
        s,
        StaffDecision::AcceptDocument(DocumentUse::NoticeWithCard(DocumentKind::Notice))
    )));
    assert!(has(&|s| expects(
        s,
        StaffDecision::AcceptDocument(DocumentUse::NoticeWithCard(DocumentKind::PortalPdf))
    )));
    assert!(has(&|s| expects(
        s,
        StaffDecision::AcceptDocument(DocumentUse::Group(reception::paper::GroupSetting::SchoolTrip))
    )));
    assert!(has(&|s| expects(
        s,
        StaffDecision::AcceptDocument(DocumentUse::QualificationCertificate)
    )));
    assert!(has(&|s| expects(
        s,
        StaffDecision::RefuseDocument(reception::paper::PaperRefusal::QualificationCertificateExpired)
    )));
    assert!(has(&|s| expects(s, StaffDecision::ChargeFull)));
    assert!(has(&|s| expects(s, StaffDecision::VoidReception)));
    assert!(has(
        &|s| s.id.contains("no-face-photo") && expects(s, StaffDecision::Identify(Method::Pin))
    ));
}

#[test]
fn legacy_card_and_temporary_rule_scenarios_pin_the_days_around_the_rule_dates() {
    let last = rule_date(DateRule::LegacyCardLastDay);
    let temp = rule_date(DateRule::TemporaryRuleLastDay);
    let before = training::load("s28-legacy-card-before").unwrap();
    let after = training::load("s29-legacy-card-after").unwrap();
    let on_last = training::load("s31-temporary-rule-notice-alone").unwrap();
    let day_after = training::load("s32-after-temporary-rule").unwrap();
    assert!(before.today <= last);
    assert_eq!(on_last.today, temp);
    assert_eq!(day_after.today, temp.succ_opt().unwrap());
    assert_eq!(after.today, temp.succ_opt().unwrap());
    // The temporary rule is national (#12 §3): every scenario plays it on; its dates decide.
    assert!(training::load_all().unwrap().iter().all(|s| s.temporary_rule));
}

#[test]
fn every_scenario_scores_100_percent_with_its_expected_decisions() {
    for s in training::load_all().unwrap() {
        let d = training::score(&s, &expected(&s), 95);
        assert_eq!(d.score_percent, 100, "{}:\n{}", s.id, d.render(Lang::En));
        assert!(d.passed);
        assert_eq!(d.count(Grade::Correct), s.expect.len());
        assert_eq!(d.elapsed_secs, 95);
    }
}

#[test]
fn every_scenarios_expected_decisions_are_accepted_by_the_real_flow_and_end_as_declared() {
    for s in training::load_all().unwrap() {
        let report = training::run(&s, &expected(&s));
        for (d, ok) in &report.steps {
            assert!(
                ok,
                "{}: the flow ignored {:?} (ended in {})",
                s.id, d, report.final_phase
            );
        }
        let (basis, billing) = report
            .end
            .clone()
            .unwrap_or_else(|| panic!("{}: no reception completed ({})", s.id, report.final_phase));
        assert!(
            s.end.basis.matches(&basis),
            "{}: ended on {basis:?}, expected {:?}",
            s.id,
            s.end.basis
        );
        assert_eq!(billing, s.end.billing, "{}", s.id);
        // Recorded from the inputs as the app records them, the run is exactly the expected decisions.
        assert_eq!(report.recorded, expected(&s), "{}", s.id);
        assert_eq!(report.debrief(&s, 0).score_percent, 100, "{}", s.id);
    }
}

#[test]
fn a_decision_the_flow_refuses_is_not_scored_in_the_headless_run() {
    // PIN on a locked card: the method screen does not offer it, the flow refuses it.
    let s = training::load("s05-pin-locked-visual").unwrap();
    let mut decisions = vec![StaffDecision::Identify(Method::Pin)];
    decisions.extend(expected(&s));
    let r = training::run(&s, &decisions);
    assert_eq!(r.steps[0], (StaffDecision::Identify(Method::Pin), false));
    assert_eq!(r.recorded, expected(&s));
    let d = r.debrief(&s, 0);
    assert_eq!((d.score_percent, d.count(Grade::Extra)), (100, 0));
    assert_eq!(
        training::score(&s, &decisions, 0).count(Grade::Wrong),
        1,
        "scored as a list, the refused PIN attempt would be graded wrong (s05 lists it as wrong)"
    );

    // A 目視 verdict when no 目視 check is on screen (harmful if it were scored).
    let s = training::load("s01-pin-ordinary").unwrap();
    let decisions = [
        StaffDecision::ConfirmVisual(false),
        StaffDecision::Identify(Method::Pin),
        StaffDecision::ConfirmVisual(false),
    ];
    let r = training::run(&s, &decisions);
    assert!(!r.steps[0].1 && r.steps[1].1 && !r.steps[2].1, "{:?}", r.steps);
    assert_eq!(r.recorded, vec![StaffDecision::Identify(Method::Pin)]);
    let d = r.debrief(&s, 0);
    assert_eq!((d.score_percent, d.items.len()), (100, 1));
    assert!(training::score(&s, &decisions, 0).score_percent < 100);

    // Retrying the reader once a data problem has moved the wizard past that step is not scored either.
    let s = training::load("s14-no-data-after-job-change").unwrap();
    let mut decisions = expected(&s);
    let k = decisions
        .iter()
        .position(|d| matches!(d, StaffDecision::ClassifyProblem(_)))
        .unwrap();
    decisions.insert(k + 1, StaffDecision::RetryReader);
    let r = training::run(&s, &decisions);
    assert_eq!(r.steps[k + 1], (StaffDecision::RetryReader, false));
    assert_eq!(r.recorded, expected(&s));
    assert_eq!(r.debrief(&s, 0).score_percent, 100);
}

#[test]
fn a_plausible_wrong_decision_in_each_scenario_is_caught_and_names_the_right_rule() {
    for s in training::load_all().unwrap() {
        let (k, e) = s
            .expect
            .iter()
            .enumerate()
            .find(|(_, e)| !e.wrong.is_empty())
            .unwrap();
        let bad = e.wrong[0].decision;
        let mut decisions = expected(&s);
        decisions[k] = bad;
        let d = training::score(&s, &decisions, 0);
        assert!(
            d.score_percent < 100 && !d.passed,
            "{}: wrong decision not penalised",
            s.id
        );
        let item = d.items.iter().find(|i| i.expected == Some(e.decision)).unwrap();
        assert_eq!(item.grade, Grade::Wrong, "{}: {:?}", s.id, item);
        assert_eq!(item.done, Some(bad));
        assert_eq!(
            item.source,
            e.citation(),
            "{}: names the rule of the right decision",
            s.id
        );
        assert!(item.source.contains(&e.source));
        assert!(
            d.render(Lang::Ja).contains(&e.source),
            "{}: debrief shows the source",
            s.id
        );
    }
}

#[test]
fn a_pin_attempt_on_a_locked_card_is_wrong_and_cites_the_pin_tries_rule() {
    let s = training::load("s05-pin-locked-visual").unwrap();
    let d = training::score(
        &s,
        &[
            StaffDecision::Identify(Method::Pin),
            StaffDecision::SwitchVisualMode,
            StaffDecision::ConfirmVisual(true),
        ],
        0,
    );
    let first = &d.items[0];
    assert_eq!(first.grade, Grade::Wrong);
    assert!(
        first.source.contains("S000 2-23") && first.source.contains("PinTries"),
        "{}",
        first.source
    );
    assert_eq!(d.score_percent, 66, "2 of 3 decisions right");
}

#[test]
fn charging_100_percent_when_return_visit_history_was_possible_is_wrong_even_as_an_extra() {
    let s = training::load("s18-outage-return-visit").unwrap();
    let mut decisions = expected(&s);
    decisions.push(StaffDecision::ChargeFull);
    let d = training::score(&s, &decisions, 0);
    let extra = d.items.iter().find(|i| i.expected.is_none()).unwrap();
    assert_eq!(extra.grade, Grade::Wrong);
    assert!(extra.source.contains("S000 2-38"));
    assert!(!d.passed);
    assert_eq!(
        d.score_percent, 75,
        "6 of 8 points: three right, one harmful extra"
    );
}

#[test]
fn an_acceptable_alternative_earns_half_credit_and_a_missing_decision_none() {
    let s = training::load("s01-pin-ordinary").unwrap();
    let d = training::score(&s, &[StaffDecision::Identify(Method::Face)], 0);
    assert_eq!(d.items[0].grade, Grade::Acceptable);
    assert_eq!(d.score_percent, 50);
    let d = training::score(&s, &[], 0);
    assert_eq!(d.items[0].grade, Grade::Missing);
    assert_eq!(d.score_percent, 0);
}

#[test]
fn harmless_extra_decisions_are_listed_but_not_scored() {
    let s = training::load("s01-pin-ordinary").unwrap();
    let d = training::score(
        &s,
        &[StaffDecision::ShowHotline, StaffDecision::Identify(Method::Pin)],
        0,
    );
    assert_eq!(d.score_percent, 100);
    assert_eq!(d.count(Grade::Extra), 1);
}

#[test]
fn the_order_of_decisions_does_not_change_the_score() {
    let s = training::load("s18-outage-return-visit").unwrap();
    let mut decisions = expected(&s);
    decisions.reverse();
    assert_eq!(training::score(&s, &decisions, 0).score_percent, 100);
}

#[test]
fn a_wrong_run_through_the_flow_ends_differently_from_the_expected_one() {
    // 10割 on an outage day still "works" in the flow — which is exactly why scoring must catch it.
    let s = training::load("s18-outage-return-visit").unwrap();
    let r = training::run(
        &s,
        &[
            StaffDecision::Identify(Method::Face),
            StaffDecision::ClassifyProblem(ProblemKind::CommunicationFailure),
            StaffDecision::ChargeFull,
        ],
    );
    assert_eq!(r.end.as_ref().map(|e| e.1), Some(Billing::FullCharge));
    assert!(!s.end.basis.matches(&r.end.unwrap().0));
    assert_eq!(s.end.basis, EndBasis::PreviousVisit);
}

#[test]
fn the_world_of_a_scenario_is_described_once_from_its_faults() {
    use reception::training::world::{Camera, Service, PREVIOUS_VISIT_DAYS_BEFORE};
    use reception::training::World;
    let w = |id: &str| World::of(&training::load(id).unwrap());

    let s01 = w("s01-pin-ordinary");
    let today = training::load("s01-pin-ordinary").unwrap().today;
    assert_eq!(s01.start, today.and_hms_opt(10, 0, 0).unwrap());
    assert_eq!(s01.persona.map(|p| p.id), Some("p01-yamada-hanako"));
    assert!(s01.card && s01.phone.is_none() && !s01.reader_stopped && !s01.card_unreadable);
    assert_eq!((s01.camera, s01.service), (Camera::Holder, Service::Up));
    assert_eq!(
        (s01.other_person, s01.previous_visit, s01.temporary_rule),
        (None, None, true),
        "the temporary rule is national: on unless a scenario plays a site that overrides it"
    );

    assert_eq!(w("s05-pin-locked-visual").camera, Camera::Stranger);
    let phone = w("s09-smartphone-android");
    assert!(!phone.card && phone.phone == Some(PhonePlatform::Android));
    let outage = w("s18-outage-return-visit");
    assert_eq!(outage.service, Service::Unreachable);
    assert_eq!(
        outage.previous_visit,
        Some(outage.today() - chrono::TimeDelta::days(PREVIOUS_VISIT_DAYS_BEFORE))
    );
    assert_eq!(w("s19-outage-first-visit").service, Service::Timeout);
    assert_eq!(w("s19-outage-first-visit").previous_visit, None);
    let reader = w("s20-reader-stopped-return-visit");
    assert!(reader.reader_stopped && reader.previous_visit.is_some() && reader.service == Service::Up);
    assert!(w("s21-unreadable-card-with-notice").card_unreadable);
    assert_eq!(w("s22-portal-pdf-processing").service, Service::Processing);
    let mislinked = w("s23-other-persons-data");
    assert_eq!(mislinked.other_person.map(|p| p.id), Some("p02-sato-kenji"));
    let paper = w("s24-school-trip");
    assert!(paper.persona.is_none() && !paper.card && paper.phone.is_none());
    assert!(w("s31-temporary-rule-notice-alone").temporary_rule);

    // Only 再診 scenarios with a persona have history; only 紐付け誤り shows someone else.
    for s in training::load_all().unwrap() {
        let world = World::of(&s);
        assert_eq!(
            world.previous_visit.is_some(),
            s.patient.previous_visit,
            "{}",
            s.id
        );
        assert_eq!(
            world.other_person.is_some(),
            s.has(training::Fault::OtherPersonsData),
            "{}",
            s.id
        );
        assert!(world
            .other_person
            .is_none_or(|o| Some(o.id) != world.persona.map(|p| p.id)));
    }
}

/// Drive the real driver with the inputs a trainee would send and record as the app's driver thread
/// does: `decision_of` on the state before each input, kept only when the flow accepted the input.
fn record(h: &mut H, inputs: Vec<UserInput>) -> Vec<StaffDecision> {
    let mut out = Vec::new();
    for input in inputs {
        let d = decision_of(&input, h.d.state());
        if h.d.send(input.into()) {
            out.extend(d);
        }
    }
    out
}

#[test]
fn inputs_the_flow_refuses_are_not_recorded_and_accepted_ones_are() {
    let mut h = H::default();
    h.send(Event::CardPlaced);
    let decisions = record(
        &mut h,
        vec![
            UserInput::Staff(StaffAction::RetryReader), // outside the fallback: refused
            UserInput::Staff(StaffAction::VisualCheckResult(true)), // no 目視 check on screen: refused
            UserInput::Continue,                        // no certificate alert: refused
            UserInput::RetryFace,                       // no failed face check: refused
            UserInput::RegistrationAnswer(true),        // no registration offer: refused
            UserInput::Staff(StaffAction::SetVisualMode(false)), // already unattended: refused
            UserInput::Staff(StaffAction::SetOperator(Operator::Patient)), // accepted, but no change
            UserInput::Staff(StaffAction::Hotline(true)),
            UserInput::Staff(StaffAction::Hotline(true)), // already open: refused
            UserInput::Staff(StaffAction::OpenFallback),
            UserInput::Staff(StaffAction::RetryReader), // in the wizard's first step: accepted
        ],
    );
    assert_eq!(
        decisions,
        vec![StaffDecision::ShowHotline, StaffDecision::RetryReader]
    );
}

#[test]
fn decisions_derived_from_the_ui_input_stream_score_the_locked_pin_scenario_at_100_percent() {
    let mut h = H::with(|p| {
        p.card.tries_left = 0;
        p.face.verdicts = VecDeque::from([Ok(FaceVerdict::NoMatch { score: 0.1 })]);
    });
    h.send(Event::CardPlaced);
    let decisions = record(
        &mut h,
        vec![
            UserInput::ChooseMethod(Method::Pin), // not offered on a locked card: ignored, not scored
            UserInput::ChooseMethod(Method::Face),
            UserInput::Staff(StaffAction::SetVisualMode(true)),
            UserInput::Staff(StaffAction::SetVisualMode(true)), // already on: no new decision
            UserInput::Staff(StaffAction::VisualCheckResult(true)),
            UserInput::ChooseConsentMode(ConsentMode::Comprehensive), // the patient's choice
        ],
    );
    assert_eq!(
        decisions,
        vec![
            StaffDecision::Identify(Method::Face),
            StaffDecision::SwitchVisualMode,
            StaffDecision::ConfirmVisual(true),
        ]
    );
    let s = training::load("s05-pin-locked-visual").unwrap();
    assert_eq!(training::score(&s, &decisions, 0).score_percent, 100);
}

#[test]
fn fallback_actions_map_to_decisions_and_navigation_does_not() {
    let mut h = H::with(|p| p.elig.answers = VecDeque::from([Err(EligibilityError::Unavailable)]));
    h.send(Event::CardPlaced);
    let decisions = record(
        &mut h,
        vec![
            UserInput::ChooseMethod(Method::Face),
            UserInput::ChooseConsentMode(ConsentMode::Comprehensive),
            UserInput::Staff(StaffAction::OpenFallback),
            UserInput::Staff(StaffAction::ClassifyProblem(ProblemKind::CommunicationFailure)),
            UserInput::Staff(StaffAction::ConfirmFullCharge), // not the 10割 step yet: refused
            UserInput::Staff(StaffAction::FallbackNext),
            UserInput::Staff(StaffAction::FallbackNext),
            UserInput::Staff(StaffAction::FallbackNext),
            UserInput::Staff(StaffAction::FallbackNext),
            UserInput::Staff(StaffAction::ConfirmFullCharge),
            UserInput::Staff(StaffAction::Hotline(true)),
            UserInput::Staff(StaffAction::Hotline(false)),
            UserInput::Staff(StaffAction::NextPatient),
        ],
    );
    assert_eq!(
        decisions,
        vec![
            StaffDecision::Identify(Method::Face),
            StaffDecision::ClassifyProblem(ProblemKind::CommunicationFailure),
            StaffDecision::ChargeFull,
            StaffDecision::ShowHotline,
        ]
    );
}

#[test]
fn staff_refusing_a_document_is_a_decision_and_shows_the_refusal() {
    let mut h = H::default();
    let d = record(
        &mut h,
        vec![UserInput::Staff(StaffAction::RefuseDocument(
            reception::paper::PaperRefusal::LegacyCardAbolished,
        ))],
    );
    assert_eq!(
        d,
        vec![StaffDecision::RefuseDocument(
            reception::paper::PaperRefusal::LegacyCardAbolished
        )]
    );
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::Paper(reception::paper::PaperRefusal::LegacyCardAbolished)
        }
    );
}

#[test]
fn decisions_round_trip_through_the_json_the_ui_and_the_bin_use() {
    let d = StaffDecision::AcceptDocument(DocumentUse::NoticeWithCard(DocumentKind::PortalPdf));
    let json = serde_json::to_string(&d).unwrap();
    assert_eq!(
        json,
        r#"{"kind":"AcceptDocument","value":{"kind":"NoticeWithCard","value":"PortalPdf"}}"#
    );
    assert_eq!(serde_json::from_str::<StaffDecision>(&json).unwrap(), d);
    let unit: StaffDecision = serde_json::from_str(r#"{"kind":"ChargeFull"}"#).unwrap();
    assert_eq!(unit, StaffDecision::ChargeFull);
}

// ---------- the binary ----------

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_uketsuke-train"))
}

#[test]
fn the_bin_lists_every_scenario() {
    let out = bin().arg("--list").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), BUILTIN.len());
    assert!(text.contains("s05-pin-locked-visual"));
}

#[test]
fn the_bin_passes_a_correct_decision_file_and_fails_a_wrong_one_naming_the_rule() {
    let dir = std::env::temp_dir().join(format!("uketsuke-train-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.toml");
    std::fs::write(
        &good,
        r#"decisions = [
  { kind = "Identify", value = "Face" },
  { kind = "ClassifyProblem", value = "CommunicationFailure" },
  { kind = "UsePreviousVisit" },
]
"#,
    )
    .unwrap();
    let out = bin()
        .args(["--scenario", "s18-outage-return-visit", "--decisions"])
        .arg(&good)
        .args(["--seconds", "75", "--simulate"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("得点: 100 %") && text.contains("1分15秒") && text.contains("合格"),
        "{text}"
    );
    assert!(text.contains("flow end: PreviousVisit"), "{text}");

    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "decisions = [{ kind = \"Identify\", value = \"Face\" }, { kind = \"ChargeFull\" }]\n",
    )
    .unwrap();
    let out = bin()
        .args([
            "--scenario",
            "s18-outage-return-visit",
            "--lang",
            "en",
            "--decisions",
        ])
        .arg(&bad)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("NOT PASSED") && text.contains("X  wrong") && text.contains("S000 2-38"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_bin_reads_json_from_stdin_and_rejects_an_unknown_scenario() {
    let mut child = bin()
        .args([
            "--scenario",
            "s01-pin-ordinary",
            "--decisions",
            "-",
            "--lang",
            "en",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"[{"kind":"Identify","value":"Pin"}]"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout).unwrap().contains("Score: 100 %"));

    let out = bin()
        .args(["--scenario", "s99-nope", "--decisions", "-"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("s99-nope"));
}

/// A decision the scenario lists as wrong is graded wrong even when the right one was also made (s19:
/// classifying the outage as 資格無効 was graded 「追加（採点対象外）」), and a second answer that a seed allows
/// is never graded wrong.
#[test]
fn a_listed_wrong_decision_is_wrong_even_beside_the_right_one_and_an_allowed_one_never_is() {
    let s = training::load("s19-outage-first-visit").unwrap();
    let mut decisions = expected(&s);
    let wrong = StaffDecision::ClassifyProblem(ProblemKind::EligibilityInvalid);
    decisions.push(wrong);
    let d = training::score(&s, &decisions, 0);
    let item = d.items.iter().find(|i| i.done == Some(wrong)).unwrap();
    assert_eq!(item.grade, Grade::Wrong, "{item:?}");
    assert!(d.score_percent < 100);

    let mut decisions = expected(&s);
    decisions.push(StaffDecision::ClassifyProblem(ProblemKind::DeviceFailure));
    let d = training::score(&s, &decisions, 0);
    assert_eq!(d.count(Grade::Wrong), 0, "{:?}", d.items);
    assert_eq!(d.score_percent, 100);
}

/// The reader's 代理人 button is a patient input now (the reader window may send no staff input), and it is
/// still the operator decision training scores (s06, s07).
#[test]
fn the_readers_proxy_button_sets_the_operator_and_scores_as_that_decision() {
    let state = State::new(SiteSettings::default());
    assert_eq!(
        decision_of(&UserInput::SetProxy(true), &state),
        Some(StaffDecision::SetOperator(Operator::Proxy))
    );
    assert_eq!(
        decision_of(&UserInput::SetProxy(false), &state),
        None,
        "already 本人"
    );
    let s = step(
        &state,
        Event::from(UserInput::SetProxy(true)),
        chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap(),
    );
    assert!(s.accepted);
    assert_eq!(s.next.operator, Operator::Proxy);
}

/// Every scenario file in assets/scenarios is in the curriculum (a file left out is never played or tested).
#[test]
fn every_scenario_file_is_in_the_curriculum() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/scenarios");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".toml").map(str::to_owned)
        })
        .collect();
    files.sort();
    let mut listed: Vec<String> = training::load_all().unwrap().into_iter().map(|s| s.id).collect();
    listed.sort();
    assert_eq!(files, listed);
}

#[test]
fn a_scenario_citing_a_line_that_is_not_in_the_index_of_seed_lines_does_not_load() {
    let (id, text) = BUILTIN[0];
    assert!(training::Scenario::from_toml(id, text).is_ok());
    let first = text.find("source = \"").unwrap() + "source = \"".len();
    let end = first + text[first..].find('"').unwrap();
    for (bad, named) in [
        ("S000 9-99", "S000 9-99"),
        ("S000 2-25; S003 Q99", "S003 Q99"),
        ("当院の慣習", "当院の慣習"),
    ] {
        let forged = format!("{}{bad}{}", &text[..first], &text[end..]);
        let err = training::Scenario::from_toml(id, &forged)
            .unwrap_err()
            .to_string();
        assert!(err.contains(named), "{bad}: {err}");
    }
    // The expectation's own source is what is checked, and a forbidden decision's source too.
    if let Some(at) = text.find("[[forbidden]]") {
        let first = at + text[at..].find("source = \"").unwrap() + "source = \"".len();
        let end = first + text[first..].find('"').unwrap();
        let forged = format!("{}S004 Q99{}", &text[..first], &text[end..]);
        assert!(training::Scenario::from_toml(id, &forged).is_err());
    }
}

#[test]
fn the_generic_harm_rules_cite_indexed_seed_lines_and_declining_registration_is_no_harm() {
    use reception::paper::PaperRefusal;
    use reception::rules::{citations, seed_line};
    let harmful = [
        StaffDecision::ChargeFull,
        StaffDecision::AcceptDocument(DocumentUse::QualificationCertificate),
        StaffDecision::RefuseDocument(PaperRefusal::LegacyCardAbolished),
        StaffDecision::TakeDeclaration,
        StaffDecision::ConfirmVisual(false),
    ];
    for d in harmful {
        let source = d
            .harm_if_unexpected()
            .unwrap_or_else(|| panic!("{d:?} is harmful when unexpected"));
        for c in citations(source) {
            assert!(seed_line(&c).is_some(), "{d:?} cites {c}, not in SEED_LINES");
        }
    }
    // The マイナ保険証 is optional (S000 2-9): a patient declining registration is not a staff error.
    assert_eq!(StaffDecision::Registration(false).harm_if_unexpected(), None);
    assert_eq!(StaffDecision::Registration(true).harm_if_unexpected(), None);
}
