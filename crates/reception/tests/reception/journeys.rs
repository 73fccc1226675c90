//! Journeys through the driver with fake ports: one per branch of the flow. Each asserts the screens
//! visited, the effects issued and what would be stored, and snapshots the trace with insta.

use reception::flow::{AuditKind, FaceFailure};
use reception::model::*;
use reception::paper::*;
use reception::rules::CertStatus;
use reception::*;

use crate::fakes::*;
use crate::paper_docs::{certificate, numbers};

/// Snapshot the trace under the calling test's name.
macro_rules! trace {
    ($h:expr) => {
        insta::assert_snapshot!($h.trace_text())
    };
}

fn face_to_query(h: &mut H) {
    h.send(Event::CardPlaced).send(Event::ChooseMethod(Method::Face));
}

// ---------- the happy paths ----------

#[test]
fn face_match_with_comprehensive_consent_completes_and_saves_once() {
    let mut h = H::default();
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    expect_phases(
        &h,
        &[
            "WaitingForCard",
            "ReadingCard",
            "MethodChoice",
            "FaceCapture",
            "CheckingRegistration",
            "ConsentMode",
            "Querying",
            "Completed",
        ],
    );
    assert_eq!(h.issued("QueryByCertificate"), 1);
    let r = h.only_saved();
    assert_eq!(r.basis, Basis::OnlineCard);
    assert_eq!(r.method, Some(Method::Face));
    assert!(r.medical_info_available, "consented, valid certificate");
    let c = r.consent.expect("consent stored");
    assert!(c.treatment_and_medicine && c.surgery && c.health_checkup);
    assert_eq!(c.valid_until, dt(2025, 6, 11, 10, 0), "24 h validity");
    assert!(h.snap().consent_valid);
    assert_eq!(
        h.snap()
            .eligibility
            .as_ref()
            .map(|e| e.record.insurer_number.as_str()),
        Some("06133946")
    );
    h.fire();
    assert_eq!(h.screen(), Screen::RemoveCard);
    h.send(Event::CardRemoved);
    assert_eq!(h.screen(), Screen::WaitingForCard);
    trace!(h);
}

#[test]
fn correct_pin_is_verified_then_signs_a_challenge_sent_with_the_query() {
    let mut h = H::default();
    h.send(Event::CardPlaced).send(Event::ChooseMethod(Method::Pin));
    assert_eq!(
        h.screen(),
        Screen::PinEntry {
            tries_left: 3,
            proxy: false
        }
    );
    h.pin("4711")
        .send(Event::ChooseConsentMode(ConsentMode::DeclineAll));
    assert_eq!(
        h.effects()
            .iter()
            .filter(|e| ["VerifyPin", "SignChallenge"].contains(e))
            .count(),
        2
    );
    let q = &h.d.ports().elig.cert_queries[0];
    assert!(q.proof.is_some(), "PIN path proves possession");
    assert!(
        !q.medical_info_allowed,
        "declined consent: no medical information"
    );
    assert_eq!(h.only_saved().method, Some(Method::Pin));
    trace!(h);
}

#[test]
fn one_wrong_pin_shows_tries_left_then_the_right_pin_completes() {
    let mut h = H::default();
    h.send(Event::CardPlaced)
        .send(Event::ChooseMethod(Method::Pin))
        .pin("0000");
    assert_eq!(
        h.screen(),
        Screen::PinEntry {
            tries_left: 2,
            proxy: false
        }
    );
    assert!(h.snap().notices.contains(&Notice::PinWrong { tries_left: 2 }));
    h.pin("4711")
        .send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert!(matches!(h.screen(), Screen::Completed { .. }));
    assert_eq!(h.d.ports().card.tries_left, 3, "a correct PIN resets the counter");
    trace!(h);
}

#[test]
fn malformed_pin_costs_no_try_and_never_reaches_the_card() {
    let mut h = H::default();
    h.send(Event::CardPlaced)
        .send(Event::ChooseMethod(Method::Pin))
        .pin("12a");
    assert_eq!(h.d.ports().card.pins_seen, 0);
    assert!(h.snap().notices.contains(&Notice::PinFormat));
    assert_eq!(
        h.screen(),
        Screen::PinEntry {
            tries_left: 3,
            proxy: false
        }
    );
    trace!(h);
}

#[test]
fn three_wrong_pins_lock_and_leave_only_face_and_visual_check() {
    let mut h = H::default();
    h.send(Event::CardPlaced).send(Event::ChooseMethod(Method::Pin));
    h.pin("0000").pin("1111").pin("2222");
    assert_eq!(h.screen(), Screen::MethodChoice);
    assert_eq!(
        h.snap().methods,
        vec![Method::Face],
        "PIN hidden once locked (S000 2-23)"
    );
    assert!(h.snap().notices.contains(&Notice::PinLocked));
    h.send(Event::ChooseMethod(Method::Pin));
    assert_eq!(
        h.screen(),
        Screen::MethodChoice,
        "PIN cannot be chosen when locked"
    );
    h.staff(StaffAction::SetVisualMode(true));
    assert_eq!(h.screen(), Screen::VisualCheck, "目視 stays available");
    trace!(h);
}

#[test]
fn card_already_locked_offers_face_and_completes_by_face() {
    let mut h = H::with(|p| p.card.tries_left = 0);
    h.send(Event::CardPlaced);
    assert_eq!(h.snap().methods, vec![Method::Face]);
    h.send(Event::ChooseMethod(Method::Face))
        .send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(h.only_saved().method, Some(Method::Face));
    trace!(h);
}

#[test]
fn face_only_card_hides_the_pin_and_never_reads_pin_tries() {
    let mut h = H::with(|p| {
        if let Ok(c) = p.card.cert.as_mut() {
            c.kind = CardKind::FaceOnly;
        }
    });
    h.send(Event::CardPlaced);
    assert_eq!(h.snap().methods, vec![Method::Face]);
    h.send(Event::ChooseMethod(Method::Pin));
    assert_eq!(h.screen(), Screen::MethodChoice);
    h.send(Event::ChooseMethod(Method::Face))
        .send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert!(matches!(h.screen(), Screen::Completed { .. }));
    trace!(h);
}

#[test]
fn face_no_match_can_be_retried_and_then_matches() {
    let mut h = H::with(|p| p.face.verdicts.push_back(Ok(FaceVerdict::NoMatch { score: 0.2 })));
    face_to_query(&mut h);
    assert_eq!(
        h.screen(),
        Screen::FaceFailed {
            reason: FaceFailure::NoMatch
        }
    );
    h.send(Event::RetryFace)
        .send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(h.issued("MatchFace"), 2);
    assert_eq!(h.only_saved().method, Some(Method::Face));
    trace!(h);
}

#[test]
fn no_face_detected_switches_to_pin() {
    let mut h = H::with(|p| p.face.verdicts.push_back(Ok(FaceVerdict::NoFace)));
    face_to_query(&mut h);
    assert_eq!(
        h.screen(),
        Screen::FaceFailed {
            reason: FaceFailure::NoFace
        }
    );
    assert_eq!(
        h.snap().methods,
        vec![Method::Face, Method::Pin],
        "the failed-face screen offers the PIN directly"
    );
    h.send(Event::ChooseMethod(Method::Pin))
        .pin("4711")
        .send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(h.only_saved().method, Some(Method::Pin));
    trace!(h);
}

#[test]
fn camera_failure_offers_retry_or_switch() {
    let mut h = H::with(|p| p.face.verdicts.push_back(Err(FaceError::Camera("usb".into()))));
    face_to_query(&mut h);
    assert_eq!(
        h.screen(),
        Screen::FaceFailed {
            reason: FaceFailure::DeviceError
        }
    );
    trace!(h);
}

#[test]
fn visual_check_succeeds_returns_to_unattended_and_keeps_the_pin_counter() {
    let mut h = H::with(|p| p.card.tries_left = 1);
    h.send(Event::CardPlaced).staff(StaffAction::SetVisualMode(true));
    assert_eq!(h.snap().mode, ReaderMode::VisualCheck);
    h.staff(StaffAction::VisualCheckResult(true));
    assert_eq!(
        h.snap().mode,
        ReaderMode::Unattended,
        "mode returns to 無人運転 after use"
    );
    assert_eq!(h.screen(), Screen::ConsentMode);
    assert!(
        h.snap().notices.contains(&Notice::ModeReturnedToUnattended),
        "staff still see that the reader went back to 無人運転 on the next screen"
    );
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(h.only_saved().method, Some(Method::Visual));
    assert_eq!(
        h.d.ports().card.tries_left,
        1,
        "目視 does not reset the PIN counter"
    );
    assert_eq!(h.d.state().pin_tries_left(), Some(1));
    let audits: Vec<_> = h.d.ports().store.audits.iter().map(|a| a.kind.clone()).collect();
    assert!(audits.contains(&AuditKind::VisualCheck(true)));
    trace!(h);
}

#[test]
fn staff_visual_mode_before_the_card_serves_a_child_in_the_waiting_room() {
    let mut h = H::default();
    h.staff(StaffAction::SetVisualMode(true))
        .staff(StaffAction::SetOperator(Operator::Proxy));
    h.send(Event::CardPlaced);
    assert_eq!(
        h.screen(),
        Screen::VisualCheck,
        "mode set before the card: straight to 目視 (S000 2-21)"
    );
    h.staff(StaffAction::VisualCheckResult(true))
        .send(Event::ChooseConsentMode(ConsentMode::DeclineAll));
    let r = h.only_saved();
    assert_eq!((r.method, r.operator), (Some(Method::Visual), Operator::Proxy));
    trace!(h);
}

#[test]
fn visual_check_rejection_leaves_only_a_qualification_certificate_or_10_wari() {
    let mut h = H::default();
    h.send(Event::CardPlaced)
        .staff(StaffAction::SetVisualMode(true))
        .staff(StaffAction::VisualCheckResult(false));
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::IdentityRejected
        }
    );
    h.fire();
    // Staff judged the card is not the patient's: no retry, no card + お知らせ, no 再診 history, no 申立書
    // from that card (#12 §4); a 資格確認書 stays possible through 書類入力.
    let f = h.snap().fallback.clone().expect("fallback");
    assert_eq!(f.problem, Some(ProblemKind::IdentityRejected));
    assert_eq!(f.steps, vec![FallbackStep::FullCharge]);
    assert!(h.snap().staff_actions.contains(&StaffActionKind::PresentPaper));
    h.staff(StaffAction::SubmitDeclaration(Box::new(declaration())));
    assert!(h.saved().is_empty(), "no 申立書 after a 目視 rejection");
    trace!(h);
}

#[test]
fn proxy_parent_enters_the_childs_pin_and_is_recorded_as_proxy() {
    let mut h = H::default();
    h.send(Event::CardPlaced)
        .staff(StaffAction::SetOperator(Operator::Proxy))
        .send(Event::ChooseMethod(Method::Pin));
    assert_eq!(
        h.screen(),
        Screen::PinEntry {
            tries_left: 3,
            proxy: true
        }
    );
    assert!(h.snap().notices.contains(&Notice::ProxyOperation));
    h.pin("4711")
        .send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(h.only_saved().operator, Operator::Proxy);
    trace!(h);
}

#[test]
fn staff_assisted_operation_is_recorded_as_metadata() {
    let mut h = H::default();
    h.staff(StaffAction::SetOperator(Operator::StaffAssisted));
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(h.only_saved().operator, Operator::StaffAssisted);
    trace!(h);
}

// ---------- certificate checks ----------

#[test]
fn certificate_expiring_within_3_months_warns_then_continues() {
    let mut h = H::with(|p| {
        if let Ok(c) = p.card.cert.as_mut() {
            c.not_after = day(2025, 8, 1);
        }
    });
    h.send(Event::CardPlaced);
    assert!(matches!(
        h.screen(),
        Screen::CertWarning {
            status: CertStatus::ExpiresSoon { .. }
        }
    ));
    h.send(Event::Continue)
        .send(Event::ChooseMethod(Method::Face))
        .send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert!(
        h.only_saved().medical_info_available,
        "still valid: medical info allowed"
    );
    trace!(h);
}

#[test]
fn certificate_in_grace_period_skips_consent_and_shares_eligibility_only() {
    let mut h = H::with(|p| {
        if let Ok(c) = p.card.cert.as_mut() {
            c.not_after = day(2025, 5, 1);
        }
    });
    h.send(Event::CardPlaced);
    assert!(matches!(
        h.screen(),
        Screen::CertWarning {
            status: CertStatus::Grace { .. }
        }
    ));
    h.send(Event::Continue).send(Event::ChooseMethod(Method::Face));
    assert!(
        !h.phases().contains(&"ConsentMode".to_owned()),
        "consent skipped (S000 2-25)"
    );
    let q = &h.d.ports().elig.cert_queries[0];
    assert!(q.consent.is_none() && !q.medical_info_allowed);
    let r = h.only_saved();
    assert!(!r.medical_info_available);
    assert_eq!(r.consent, None);
    trace!(h);
}

#[test]
fn certificate_expired_over_3_months_is_refused_and_routed_to_a_certificate_or_the_declaration() {
    let mut h = H::with(|p| {
        if let Ok(c) = p.card.cert.as_mut() {
            c.not_after = day(2025, 1, 31);
        }
    });
    h.send(Event::CardPlaced);
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::CertExpired
        }
    );
    h.fire();
    // Not usable as マイナ保険証 (S000 2-25): a 資格確認書 (書類入力) or the 申立書, never 再診 history (#12 §4).
    let f = h.snap().fallback.clone().expect("fallback");
    assert_eq!(f.problem, Some(ProblemKind::CardNotUsable));
    assert_eq!(f.steps, vec![FallbackStep::Declaration, FallbackStep::FullCharge]);
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::Declaration
        }
    );
    assert_eq!(h.issued("MatchFace") + h.issued("VerifyPin"), 0);
    trace!(h);
}

#[test]
fn unreadable_card_shows_its_error_then_the_fallback_as_device_failure() {
    let mut h = H::with(|p| p.card.cert = Err(CardError::Unreadable));
    h.send(Event::CardPlaced);
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::CardUnreadable
        }
    );
    h.fire();
    let f = h.snap().fallback.clone().expect("fallback");
    assert_eq!(f.problem, Some(ProblemKind::DeviceFailure));
    trace!(h);
}

#[test]
fn a_card_that_is_not_a_my_number_card_gets_its_own_error() {
    let mut h = H::with(|p| p.card.cert = Err(CardError::NotMyNumberCard));
    h.send(Event::CardPlaced);
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::NotMyNumberCard
        }
    );
    trace!(h);
}

// ---------- registration ----------

#[test]
fn unregistered_card_accepts_registration_then_completes() {
    let mut h = H::with(|p| p.elig.registration = Registration::NotRegistered);
    face_to_query(&mut h);
    assert_eq!(h.screen(), Screen::RegistrationOffer);
    h.send(Event::RegistrationAnswer(true))
        .send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(h.issued("Register"), 1);
    assert!(matches!(h.screen(), Screen::Completed { .. }));
    trace!(h);
}

#[test]
fn registration_then_no_eligibility_data_while_insurer_data_is_unlinked() {
    let mut h = H::with(|p| {
        p.elig.registration = Registration::NotRegistered;
        p.elig.answers.push_back(Ok(response(
            Segment::Normal,
            Some(QualificationValidity::NotFound),
            day(2025, 6, 10),
        )));
    });
    face_to_query(&mut h);
    h.send(Event::RegistrationAnswer(true))
        .send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::NoEligibilityData
        }
    );
    let n = &h.snap().notices;
    assert!(n.contains(&Notice::JustRegistered));
    // Counted from the insurer's registration, not from the visit (S004 Q9, S003 Q14).
    assert!(n.contains(&Notice::DataReflectionPending {
        min_business_days: 2,
        max_business_days: 5
    }));
    h.fire();
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::CardWithNotice
        },
        "data problem skips retry"
    );
    assert!(h.saved().is_empty());
    trace!(h);
}

#[test]
fn declining_registration_routes_to_the_fallback() {
    let mut h = H::with(|p| p.elig.registration = Registration::NotRegistered);
    face_to_query(&mut h);
    h.send(Event::RegistrationAnswer(false));
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::RegistrationDeclined
        }
    );
    trace!(h);
}

// ---------- consent ----------

#[test]
fn individual_consent_records_each_item_in_order() {
    let mut h = H::default();
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Individual));
    assert_eq!(
        h.screen(),
        Screen::ConsentItem {
            item: ConsentItem::TreatmentAndMedicine
        }
    );
    h.send(Event::AnswerConsent(true));
    assert_eq!(
        h.screen(),
        Screen::ConsentItem {
            item: ConsentItem::Surgery
        }
    );
    h.send(Event::AnswerConsent(false));
    assert_eq!(
        h.screen(),
        Screen::ConsentItem {
            item: ConsentItem::HealthCheckup
        }
    );
    h.send(Event::AnswerConsent(true));
    let c = h.only_saved().consent.expect("consent");
    assert_eq!(
        (c.treatment_and_medicine, c.surgery, c.health_checkup),
        (true, false, true)
    );
    assert!(c.limit_info, "no 限度額 screen: flag set for card checks");
    trace!(h);
}

#[test]
fn declining_everything_never_blocks_the_eligibility_check() {
    let mut h = H::default();
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::DeclineAll));
    let r = h.only_saved();
    assert_eq!(r.basis, Basis::OnlineCard);
    assert!(!r.medical_info_available);
    trace!(h);
}

#[test]
fn prescription_form_is_asked_only_when_the_site_enables_it() {
    let mut h = H::new(
        SiteSettings {
            prescription_question: true,
            ..SiteSettings::default()
        },
        ports(),
    );
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(h.screen(), Screen::PrescriptionForm);
    h.send(Event::ChoosePrescription(PrescriptionForm::Electronic));
    assert_eq!(
        h.d.ports().elig.cert_queries[0].prescription,
        Some(PrescriptionForm::Electronic)
    );
    assert_eq!(h.only_saved().prescription, Some(PrescriptionForm::Electronic));
    trace!(h);
}

#[test]
fn legacy_limit_screen_switch_restores_the_pre_2024_10_07_question() {
    let mut h = H::new(
        SiteSettings {
            legacy_limit_screen: true,
            ..SiteSettings::default()
        },
        ports(),
    );
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(h.screen(), Screen::LimitConsent);
    h.send(Event::AnswerLimit(false));
    assert!(!h.only_saved().consent.expect("consent").limit_info);
    trace!(h);
}

/// A touch that chooses nothing (a PIN key) starts the idle timer again and answers 「操作を続けますか」, so a
/// patient slowly typing a PIN is never thrown back to the method screen; on a screen without an idle timer
/// it is refused.
#[test]
fn a_touch_restarts_the_idle_timer_and_answers_still_there() {
    let mut h = H::default();
    h.send(Event::CardPlaced);
    h.send(Event::ChooseMethod(Method::Pin));
    assert!(matches!(h.screen(), Screen::PinEntry { .. }), "{:?}", h.screen());
    h.wait(50);
    assert!(
        h.d.send(Event::Activity),
        "a key press on the PIN pad is accepted"
    );
    h.wait(50);
    assert!(
        matches!(h.screen(), Screen::PinEntry { .. }),
        "still typing: {:?}",
        h.screen()
    );
    h.wait(10);
    assert!(h.snap().still_there);
    assert!(h.d.send(Event::Activity), "「続ける」");
    assert!(!h.snap().still_there);
    h.wait(59);
    assert!(matches!(h.screen(), Screen::PinEntry { .. }));
    h.wait(1);
    assert!(h.snap().still_there);
    h.wait(20);
    assert_eq!(
        h.screen(),
        Screen::MethodChoice,
        "unanswered, the PIN screen gives up"
    );
    h.d.send(Event::CardRemoved);
    assert_eq!(h.screen(), Screen::WaitingForCard);
    assert!(
        !h.d.send(Event::Activity),
        "nothing to restart on the waiting screen"
    );
}

#[test]
fn idle_on_consent_counts_as_declined_and_the_check_goes_on() {
    let mut h = H::default();
    face_to_query(&mut h);
    h.wait(59);
    assert_eq!(h.screen(), Screen::ConsentMode);
    assert!(!h.snap().still_there);
    // After 60 s the reader first asks 「操作を続けますか」 and waits 20 s more, as certified readers do.
    h.wait(1);
    assert_eq!(h.screen(), Screen::ConsentMode);
    assert!(h.snap().still_there, "操作を続けますか is asked");
    h.wait(20);
    let c = h.only_saved().consent.expect("consent");
    assert!(!c.any_medical());
    trace!(h);
}

// ---------- eligibility results ----------

fn with_answer(segment: Segment, v: Option<QualificationValidity>) -> H {
    let mut h = H::with(|p| {
        p.elig
            .answers
            .push_back(Ok(response(segment, v, day(2025, 6, 10))))
    });
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    h
}

#[test]
fn validity_2_invalid_goes_to_the_data_problem_branch() {
    let mut h = with_answer(Segment::Normal, Some(QualificationValidity::Invalid));
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::EligibilityInvalid
        }
    );
    h.fire();
    let f = h.snap().fallback.clone().expect("fallback");
    // 無効 is an answer, not an outage: a 申立書 would contradict it (#12 §4).
    assert_eq!(
        f.steps,
        vec![FallbackStep::CardWithNotice, FallbackStep::FullCharge]
    );
    assert!(h.saved().is_empty());
    trace!(h);
}

#[test]
fn validity_3_invalid_with_newer_eligibility_is_an_error_with_its_own_code() {
    let h = with_answer(Segment::Normal, Some(QualificationValidity::InvalidNewerExists));
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::EligibilityInvalidNewerExists
        }
    );
    trace!(h);
}

#[test]
fn validity_4_not_found_hints_at_the_data_reflection_delay() {
    let h = with_answer(Segment::Normal, Some(QualificationValidity::NotFound));
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::NoEligibilityData
        }
    );
    assert!(h
        .snap()
        .notices
        .iter()
        .any(|n| matches!(n, Notice::DataReflectionPending { .. })));
    trace!(h);
}

#[test]
fn validity_5_multiple_matches_is_an_error() {
    let h = with_answer(Segment::Normal, Some(QualificationValidity::MultipleMatches));
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::MultipleMatches
        }
    );
    trace!(h);
}

#[test]
fn validity_6_valid_unregistered_completes_normally() {
    let h = with_answer(Segment::Normal, Some(QualificationValidity::ValidUnregistered));
    assert_eq!(
        h.only_saved().validity,
        Some(QualificationValidity::ValidUnregistered)
    );
    trace!(h);
}

#[test]
fn segment_2_processing_polls_again_and_then_completes() {
    let mut h = with_answer(Segment::Processing, None);
    assert!(matches!(h.screen(), Screen::Querying { .. }));
    assert!(h.saved().is_empty());
    h.wait(5);
    assert_eq!(
        h.d.ports().elig.cert_queries.len(),
        2,
        "asked again after the poll interval"
    );
    assert_eq!(h.only_saved().validity, Some(QualificationValidity::Valid));
    trace!(h);
}

#[test]
fn segment_2_processing_too_often_becomes_a_communication_failure() {
    let mut h = H::with(|p| {
        for _ in 0..3 {
            p.elig
                .answers
                .push_back(Ok(response(Segment::Processing, None, day(2025, 6, 10))));
        }
    });
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive))
        .fire()
        .fire();
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::ServiceProcessing
        }
    );
    h.fire();
    assert_eq!(
        h.snap().fallback.as_ref().and_then(|f| f.problem),
        Some(ProblemKind::CommunicationFailure)
    );
    trace!(h);
}

#[test]
fn segment_9_error_is_a_service_error() {
    let h = with_answer(Segment::Error { code: "E999".into() }, None);
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::ServiceError
        }
    );
    trace!(h);
}

#[test]
fn medical_viewing_suspended_is_shown_and_no_medical_info_is_offered() {
    let mut h = H::with(|p| {
        let mut r = valid_response(day(2025, 6, 10));
        if let Some(rec) = r.record.as_mut() {
            rec.medical_viewing_suspended = true;
        }
        p.elig.answers.push_back(Ok(r));
    });
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert!(h.snap().notices.contains(&Notice::MedicalViewingSuspended));
    assert!(!h.only_saved().medical_info_available);
    trace!(h);
}

// ---------- fallbacks ----------

#[test]
fn timeout_then_revisit_uses_the_last_stored_eligibility_with_its_date() {
    let mut h = H::with(|p| {
        p.elig.answers.push_back(Err(EligibilityError::Timeout));
        p.store.previous = Some(StoredEligibility {
            record: record(),
            confirmed_on: day(2025, 5, 20),
        });
    });
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive))
        .fire();
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::RetryOrSwitch
        }
    );
    h.staff(StaffAction::FallbackNext);
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::CardWithNotice
        },
        "the patient may have the お知らせ (S004 §5)"
    );
    h.staff(StaffAction::FallbackNext);
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::PreviousVisit
        },
        "no お知らせ: the 再診 history (S000 2-38)"
    );
    h.staff(StaffAction::LookupPrevious(PatientLookup::ClinicPatientId(
        "P-12".into(),
    )));
    let r = h.only_saved();
    assert_eq!(
        r.basis,
        Basis::PreviousVisit {
            confirmed_on: day(2025, 5, 20)
        }
    );
    assert_eq!(
        r.billing,
        Billing::NormalShare,
        "outage: normal share, not 10割 (S000 2-38)"
    );
    trace!(h);
}

#[test]
fn unreachable_service_first_visit_takes_a_declaration() {
    let mut h = H::with(|p| p.elig.answers.push_back(Err(EligibilityError::Unavailable)));
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive))
        .fire();
    h.staff(StaffAction::FallbackNext)
        .staff(StaffAction::FallbackNext)
        .staff(StaffAction::LookupPrevious(PatientLookup::CertSerial(
            "CERT-0001".into(),
        )));
    assert!(h.snap().notices.contains(&Notice::PreviousVisitNotFound));
    h.staff(StaffAction::FallbackNext);
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::Declaration
        }
    );
    let mut unshared = declaration();
    unshared.copay_percent = None;
    assert!(
        !h.d.send(Event::Staff(StaffAction::SubmitDeclaration(Box::new(unshared)))),
        "a 申立書 without the share is not accepted: the visit is billed at the patient's share (S000 2-38)"
    );
    assert_eq!(
        h.snap().validation.iter().map(|e| e.code()).collect::<Vec<_>>(),
        ["copay_percent.required"]
    );
    let mut decl = declaration();
    decl.name_kana = "模擬".into();
    // A submission answered with validation errors decided nothing: shown, but not accepted (training
    // must not score it, nor the corrected resubmission as a second decision).
    let accepted =
        h.d.send(Event::Staff(StaffAction::SubmitDeclaration(Box::new(decl))));
    assert!(!accepted, "an invalid 申立書 is not an accepted input");
    assert_eq!(
        h.snap().validation.iter().map(|e| e.code()).collect::<Vec<_>>(),
        ["name_kana.not_kana"]
    );
    let accepted = h.d.send(Event::Staff(StaffAction::SubmitDeclaration(Box::new(
        declaration(),
    ))));
    assert!(accepted, "the corrected 申立書 is");
    let r = h.only_saved();
    assert_eq!(r.basis, Basis::Declaration);
    assert_eq!(
        r.declaration.as_ref().map(|d| d.name_kana.as_str()),
        Some("モギ タロウ")
    );
    assert_eq!(r.declaration.as_ref().and_then(|d| d.copay_percent), Some(30));
    trace!(h);
}

pub fn declaration() -> DeclarationEntry {
    DeclarationEntry {
        visit_date: "2025-06-10".into(),
        filled_on: "2025-06-10".into(),
        name: "模擬 太郎".into(),
        name_kana: "モギ タロウ".into(),
        birthdate: "1980-04-01".into(),
        sex: Sex::Male,
        address: "東京都千代田区1-1".into(),
        phone: "03-0000-0000".into(),
        insurance_type: InsuranceType::Employee,
        insurer_name: "模擬健康保険組合".into(),
        insurer_number: "06133946".into(),
        symbol: "000".into(),
        number: "00000001".into(),
        branch: "00".into(),
        employer: "模擬商事".into(),
        dependant: false,
        declared_true: true,
        staff_note: String::new(),
        copay_percent: Some(30),
    }
}

#[test]
fn nothing_works_so_10_wari_is_charged_with_a_refund_task() {
    let mut h = H::with(|p| p.card.cert = Err(CardError::Unreadable));
    h.send(Event::CardPlaced).fire();
    for _ in 0..4 {
        h.staff(StaffAction::FallbackNext);
    }
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::FullCharge
        }
    );
    h.staff(StaffAction::ConfirmFullCharge);
    let r = h.only_saved();
    assert_eq!(r.billing, Billing::FullCharge);
    let t = r.refund_task.as_ref().expect("refund task");
    assert_eq!((t.visit_on, t.recheck_on), (day(2025, 6, 10), day(2025, 6, 17)));
    assert!(h.snap().notices.contains(&Notice::RefundFollowUp));
    trace!(h);
}

#[test]
fn reader_failure_card_with_notice_is_checked_online_by_its_numbers() {
    let mut h = H::with(|p| p.card.cert = Err(CardError::Reader("usb".into())));
    h.send(Event::CardPlaced).fire().staff(StaffAction::FallbackNext);
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::CardWithNotice
        }
    );
    h.staff(StaffAction::PresentPaper(Box::new(PaperDocument::Notice {
        kind: DocumentKind::Notice,
        numbers: numbers(),
        with_card: true,
        name: " 見本 太郎 ".into(),
        copay_percent: None,
    })));
    let q = &h.d.ports().elig.number_queries[0];
    assert_eq!(
        (q.insurer_number.as_str(), q.birthdate),
        ("06133946", day(1980, 4, 1))
    );
    let r = h.only_saved();
    assert_eq!(r.basis, Basis::OnlineNumbers(DocumentKind::Notice));
    assert_eq!(r.problem, Some(ProblemKind::DeviceFailure));
    assert_eq!(
        r.document.as_ref().and_then(|d| d.name.as_deref()),
        Some("見本 太郎"),
        "the name printed on the お知らせ is kept (trimmed), so the desk files the right patient"
    );
    trace!(h);
}

/// Live beside a 資格確認端末 (#16 §1): the card is read and the face checked here, but the online check by
/// certificate is the certified reader's. The patient is told so and the desk goes on with the card + お知らせ,
/// checked by its numbers through the 端末's folders; no consent screen was shown for a query never made.
#[test]
fn beside_a_terminal_the_card_is_checked_here_and_eligibility_goes_on_by_numbers_at_the_desk() {
    let mut h = H::with(|p| p.elig.registration_failure = Some(EligibilityError::CertifiedReaderOnly));
    face_to_query(&mut h);
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::CertifiedReaderOnly
        }
    );
    assert_eq!(h.issued("QueryByCertificate"), 0);
    h.fire().staff(StaffAction::FallbackNext);
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::CardWithNotice
        }
    );
    h.staff(StaffAction::PresentPaper(Box::new(PaperDocument::Notice {
        kind: DocumentKind::Notice,
        numbers: numbers(),
        with_card: true,
        name: String::new(),
        copay_percent: None,
    })));
    let r = h.only_saved();
    assert_eq!(r.basis, Basis::OnlineNumbers(DocumentKind::Notice));
    assert_eq!(
        r.method,
        Some(Method::Face),
        "the identity check made here is kept"
    );
    assert_eq!(
        r.consent, None,
        "no consent was asked for a certificate query never made"
    );
    trace!(h);
}

#[test]
fn card_with_portal_pdf_is_accepted_on_the_document_when_the_service_is_down() {
    let mut h = H::with(|p| {
        p.card.cert = Err(CardError::Reader("usb".into()));
        p.elig.answers.push_back(Err(EligibilityError::Unavailable));
    });
    h.send(Event::CardPlaced).fire().staff(StaffAction::FallbackNext);
    h.staff(StaffAction::PresentPaper(Box::new(PaperDocument::Notice {
        kind: DocumentKind::PortalPdf,
        numbers: numbers(),
        with_card: true,
        name: String::new(),
        copay_percent: None,
    })));
    assert_eq!(h.only_saved().basis, Basis::Document(DocumentKind::PortalPdf));
    assert!(h.snap().notices.contains(&Notice::AcceptedOffline));
    trace!(h);
}

#[test]
fn invalid_keyed_numbers_show_validation_errors_and_query_nothing() {
    let mut h = H::default();
    h.staff(StaffAction::OpenFallback)
        .staff(StaffAction::FallbackNext);
    let mut n = numbers();
    n.insurer_number = "06133947".into();
    h.staff(StaffAction::PresentPaper(Box::new(PaperDocument::Notice {
        kind: DocumentKind::Notice,
        numbers: n,
        with_card: true,
        name: String::new(),
        copay_percent: None,
    })));
    assert_eq!(h.snap().validation[0].code(), "insurer_number.check_digit");
    assert_eq!(h.issued("QueryByNumbers"), 0);
    trace!(h);
}

#[test]
fn power_outage_offers_card_with_notice_then_revisit_history() {
    let mut h = H::default();
    h.staff(StaffAction::OpenFallback)
        .staff(StaffAction::ClassifyProblem(ProblemKind::PowerOutage));
    let f = h.snap().fallback.clone().expect("fallback");
    assert_eq!(
        f.steps,
        vec![
            FallbackStep::RetryOrSwitch,
            FallbackStep::CardWithNotice,
            FallbackStep::PreviousVisit,
            FallbackStep::Declaration,
            FallbackStep::FullCharge
        ],
        "an outage offers the card + お知らせ too (S004 §5, S003 Q5, S001)"
    );
    h.staff(StaffAction::FallbackNext)
        .staff(StaffAction::FallbackNext);
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::PreviousVisit
        }
    );
    trace!(h);
}

#[test]
fn line_down_card_with_notice_stands_on_its_own_with_a_task_to_recheck() {
    let mut h = H::with(|p| {
        p.elig.answers.push_back(Err(EligibilityError::Unavailable));
        p.elig.answers.push_back(Err(EligibilityError::Unavailable));
    });
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive))
        .fire();
    h.staff(StaffAction::ClassifyProblem(ProblemKind::CommunicationFailure))
        .staff(StaffAction::FallbackNext);
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::CardWithNotice
        }
    );
    let view = h.snap().fallback.clone().expect("fallback");
    assert!(
        !view.online_possible,
        "the step tells staff the お知らせ may stand on its own"
    );
    h.staff(StaffAction::PresentPaper(Box::new(PaperDocument::Notice {
        kind: DocumentKind::Notice,
        numbers: numbers(),
        with_card: true,
        name: String::new(),
        copay_percent: Some(20),
    })));
    assert_eq!(
        h.issued("QueryByNumbers"),
        1,
        "the numbers are tried: the line may be back"
    );
    let r = h.only_saved();
    assert_eq!(r.basis, Basis::Document(DocumentKind::Notice));
    assert_eq!(
        r.document.as_ref().and_then(|d| d.copay_percent),
        Some(20),
        "the share printed on the お知らせ is the one billed (#14)"
    );
    assert_eq!(
        r.billing,
        Billing::NormalShare,
        "card + お知らせ: the normal share (S001)"
    );
    assert!(r.recheck_online, "checked online once the service answers again");
    assert!(h.snap().notices.contains(&Notice::AcceptedOffline));
    trace!(h);
}

#[test]
fn retry_from_the_fallback_returns_to_method_choice_with_the_card_still_in() {
    let mut h = H::with(|p| p.face.verdicts.push_back(Ok(FaceVerdict::NoMatch { score: 0.1 })));
    face_to_query(&mut h);
    h.wait(60).wait(20); // idle, then 「操作を続けますか」 unanswered
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::RetryOrSwitch
        }
    );
    h.staff(StaffAction::RetryReader);
    assert_eq!(h.screen(), Screen::MethodChoice);
    trace!(h);
}

#[test]
fn store_failure_on_save_is_reported_as_an_error() {
    let mut h = H::with(|p| p.store.fail_save = true);
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::StoreFailed
        }
    );
    trace!(h);
}

// ---------- smartphone ----------

/// Smartphone マイナ保険証 journeys run on a day after its national start (rules table, S000 2-33).
fn smartphone_day(p: &mut FakePorts) {
    p.clock.0.set(dt(2025, 10, 1, 10, 0));
}

#[test]
fn the_smartphone_path_is_not_offered_before_its_national_start() {
    let mut h = H::default();
    h.send(Event::ChooseSmartphone);
    assert!(
        h.phases().iter().all(|p| !p.contains("Smartphone")),
        "refused on 2025-06-10"
    );
    h.send(Event::Activity);
    assert!(!h.snap().smartphone, "2025-06-10 is before 2025-09-19");
    let mut h = H::with(smartphone_day);
    h.send(Event::Activity);
    assert!(h.snap().smartphone);
}

#[test]
fn iphone_smartphone_path_completes_without_a_pin() {
    let mut h = H::with(smartphone_day);
    h.send(Event::ChooseSmartphone)
        .send(Event::ChoosePlatform(PhonePlatform::IPhone));
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    let r = h.only_saved();
    assert_eq!(
        (r.basis.clone(), r.method),
        (Basis::OnlineSmartphone, Some(Method::Smartphone))
    );
    assert_eq!(r.cert_serial.as_deref(), Some("PHONE-01"));
    trace!(h);
}

#[test]
fn android_smartphone_pin_wrong_then_right_completes() {
    let mut h = H::with(smartphone_day);
    h.send(Event::ChooseSmartphone)
        .send(Event::ChoosePlatform(PhonePlatform::Android));
    assert_eq!(h.screen(), Screen::SmartphonePin { tries_left: None });
    h.pin("9999");
    assert_eq!(h.screen(), Screen::SmartphonePin { tries_left: Some(2) });
    h.pin("4711")
        .send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(h.only_saved().basis, Basis::OnlineSmartphone);
    trace!(h);
}

#[test]
fn smartphone_is_refused_when_the_physical_cards_certificate_has_expired_even_in_grace() {
    let mut h = H::with(|p| {
        smartphone_day(p);
        if let Ok(c) = p.card.cert.as_mut() {
            c.not_after = day(2025, 9, 1);
        }
    });
    h.send(Event::ChooseSmartphone)
        .send(Event::ChoosePlatform(PhonePlatform::IPhone));
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::SmartphoneCardCertExpired
        }
    );
    assert!(h.saved().is_empty());
    trace!(h);
}

#[test]
fn smartphone_pin_lock_sends_the_patient_to_the_fallback() {
    let mut h = H::with(|p| {
        smartphone_day(p);
        p.card.phone.push_back(Ok(PhoneReadOutcome::Locked));
    });
    h.send(Event::ChooseSmartphone)
        .send(Event::ChoosePlatform(PhonePlatform::Android))
        .pin("0000");
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::SmartphonePinLocked
        }
    );
    trace!(h);
}

// ---------- card removal ----------

#[test]
fn card_removed_during_consent_returns_to_waiting_and_saves_nothing() {
    let mut h = H::default();
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Individual))
        .send(Event::CardRemoved);
    assert_eq!(h.screen(), Screen::WaitingForCard);
    assert!(h.saved().is_empty());
    assert_eq!(h.issued("QueryByCertificate"), 0);
    trace!(h);
}

#[test]
fn card_removed_during_pin_entry_returns_to_waiting() {
    let mut h = H::default();
    h.send(Event::CardPlaced)
        .send(Event::ChooseMethod(Method::Pin))
        .send(Event::CardRemoved);
    assert_eq!(h.screen(), Screen::WaitingForCard);
    assert_eq!(h.d.pending_timer(), None, "no timer left running");
    trace!(h);
}

#[test]
fn card_removed_while_reading_the_photo_returns_to_waiting() {
    let mut h = H::with(|p| p.card.photo = Err(CardError::Removed));
    face_to_query(&mut h);
    assert_eq!(h.screen(), Screen::WaitingForCard);
    assert!(h.saved().is_empty());
    trace!(h);
}

// ---------- paper documents ----------

fn present(h: &mut H, doc: PaperDocument) {
    h.staff(StaffAction::PresentPaper(Box::new(doc)));
}

fn on(date: chrono::NaiveDate, settings: SiteSettings) -> H {
    let p = ports();
    p.clock.0.set(date.and_hms_opt(9, 0, 0).unwrap());
    H::new(settings, p)
}

#[test]
fn qualification_certificate_is_checked_online_by_its_numbers_and_keeps_its_s001_fields() {
    let mut h = on(day(2026, 1, 5), SiteSettings::default());
    let mut entry = certificate("2025-12-02", "2030-11-30");
    entry.sex = Some(Sex::Female);
    entry.copay_percent = Some(20);
    entry.limit_class = Some("区ウ".into());
    present(&mut h, PaperDocument::QualificationCertificate(entry));
    // Valid only while the holder has not left the insurer (S000 1-12): asked online first (#12 §1).
    assert_eq!(h.issued("QueryByNumbers"), 1);
    let r = h.only_saved();
    assert_eq!(
        r.basis,
        Basis::OnlineNumbers(DocumentKind::QualificationCertificate)
    );
    assert!(!r.recheck_online);
    let d = r.document.as_ref().unwrap();
    assert_eq!(d.insurer_name.as_deref(), Some("模擬健康保険組合"));
    assert_eq!(
        (d.sex, d.copay_percent, d.limit_class.as_deref()),
        (Some(Sex::Female), Some(20), Some("区ウ"))
    );
    assert_eq!(d.insured_person_name.as_deref(), Some("健保 一郎"));
    assert!(
        !d.with_card,
        "a 資格確認書 alone is never recorded as shown with the card (#12 §5)"
    );
    trace!(h);
}

#[test]
fn qualification_certificate_of_someone_who_left_the_insurer_is_not_accepted_when_online_says_invalid() {
    let mut p = ports();
    p.clock.0.set(dt(2026, 1, 5, 9, 0));
    p.elig.answers.push_back(Ok(response(
        Segment::Normal,
        Some(QualificationValidity::Invalid),
        day(2026, 1, 5),
    )));
    let mut h = H::new(SiteSettings::default(), p);
    present(
        &mut h,
        PaperDocument::QualificationCertificate(certificate("2025-12-02", "2030-11-30")),
    );
    // The same screen as a card whose eligibility is invalid (S000 1-12, S003 Q15).
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::EligibilityInvalid
        }
    );
    assert!(h.saved().is_empty());
    trace!(h);
}

#[test]
fn qualification_certificate_stands_on_its_own_when_the_service_is_down_and_a_recheck_is_recorded() {
    let mut p = ports();
    p.clock.0.set(dt(2026, 1, 5, 9, 0));
    p.elig.answers.push_back(Err(EligibilityError::Unavailable));
    let mut h = H::new(SiteSettings::default(), p);
    present(
        &mut h,
        PaperDocument::QualificationCertificate(certificate("2025-12-02", "2030-11-30")),
    );
    let r = h.only_saved();
    assert_eq!(r.basis, Basis::Document(DocumentKind::QualificationCertificate));
    assert!(
        r.recheck_online,
        "accepted offline: its numbers are checked again later"
    );
    assert!(h.snap().notices.contains(&Notice::AcceptedOffline));
    trace!(h);
}

#[test]
fn expired_qualification_certificate_is_refused() {
    let mut h = on(day(2029, 4, 1), SiteSettings::default());
    present(
        &mut h,
        PaperDocument::QualificationCertificate(certificate("2024-12-02", "2029-03-31")),
    );
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::Paper(PaperRefusal::QualificationCertificateExpired)
        }
    );
    assert!(h.saved().is_empty());
    trace!(h);
}

#[test]
fn qualification_certificate_valid_over_5_years_is_flagged_invalid() {
    let mut h = on(day(2026, 1, 5), SiteSettings::default());
    present(
        &mut h,
        PaperDocument::QualificationCertificate(certificate("2025-12-02", "2031-03-31")),
    );
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::Paper(PaperRefusal::QualificationCertificateValidityTooLong)
        }
    );
    trace!(h);
}

#[test]
fn legacy_card_before_2025_12_02_is_checked_online_and_keeps_its_elderly_share() {
    let mut h = on(day(2025, 11, 30), SiteSettings::default());
    present(
        &mut h,
        PaperDocument::LegacyCard(LegacyCardEntry {
            numbers: numbers(),
            valid_until: String::new(),
            elderly_copay_percent: Some(20),
        }),
    );
    assert_eq!(h.issued("QueryByNumbers"), 1);
    let r = h.only_saved();
    assert_eq!(r.basis, Basis::OnlineNumbers(DocumentKind::LegacyCard));
    assert_eq!(r.document.as_ref().and_then(|d| d.copay_percent), Some(20));
    trace!(h);
}

#[test]
fn legacy_card_after_2025_12_01_is_refused_where_the_site_overrides_the_temporary_rule() {
    let mut h = on(
        day(2026, 1, 5),
        SiteSettings {
            temporary_rule: false,
            ..SiteSettings::default()
        },
    );
    present(
        &mut h,
        PaperDocument::LegacyCard(LegacyCardEntry {
            numbers: numbers(),
            valid_until: String::new(),
            elderly_copay_percent: None,
        }),
    );
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::Paper(PaperRefusal::LegacyCardAbolished)
        }
    );
    trace!(h);
}

#[test]
fn legacy_card_under_the_temporary_rule_is_accepted_when_the_online_check_confirms() {
    // The rule is national: on with the default settings (#12 §3).
    let mut h = on(day(2026, 1, 5), SiteSettings::default());
    present(
        &mut h,
        PaperDocument::LegacyCard(LegacyCardEntry {
            numbers: numbers(),
            valid_until: String::new(),
            elderly_copay_percent: None,
        }),
    );
    assert_eq!(h.issued("QueryByNumbers"), 1);
    assert_eq!(
        h.only_saved().basis,
        Basis::OnlineNumbers(DocumentKind::LegacyCard)
    );
    trace!(h);
}

#[test]
fn legacy_card_under_the_temporary_rule_is_refused_when_the_service_is_down() {
    let mut p = ports();
    p.clock.0.set(dt(2026, 1, 5, 9, 0));
    p.elig.answers.push_back(Err(EligibilityError::Unavailable));
    let mut h = H::new(
        SiteSettings {
            temporary_rule: true,
            ..SiteSettings::default()
        },
        p,
    );
    present(
        &mut h,
        PaperDocument::LegacyCard(LegacyCardEntry {
            numbers: numbers(),
            valid_until: String::new(),
            elderly_copay_percent: None,
        }),
    );
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::ServiceUnavailable
        }
    );
    assert!(h.saved().is_empty(), "no online confirmation, no normal share");
    trace!(h);
}

#[test]
fn legacy_card_under_the_temporary_rule_not_confirmed_online_is_refused() {
    let mut p = ports();
    p.clock.0.set(dt(2026, 1, 5, 9, 0));
    p.elig.answers.push_back(Ok(response(
        Segment::Normal,
        Some(QualificationValidity::Invalid),
        day(2026, 1, 5),
    )));
    let mut h = H::new(
        SiteSettings {
            temporary_rule: true,
            ..SiteSettings::default()
        },
        p,
    );
    present(
        &mut h,
        PaperDocument::LegacyCard(LegacyCardEntry {
            numbers: numbers(),
            valid_until: String::new(),
            elderly_copay_percent: None,
        }),
    );
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::Paper(PaperRefusal::NotConfirmedOnline)
        }
    );
    trace!(h);
}

#[test]
fn notice_alone_is_refused_where_the_site_overrides_the_temporary_rule() {
    let mut h = H::new(
        SiteSettings {
            temporary_rule: false,
            ..SiteSettings::default()
        },
        ports(),
    );
    present(
        &mut h,
        PaperDocument::Notice {
            kind: DocumentKind::Notice,
            numbers: numbers(),
            with_card: false,
            name: String::new(),
            copay_percent: None,
        },
    );
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::Paper(PaperRefusal::NoticeRequiresCard)
        }
    );
    trace!(h);
}

#[test]
fn notice_alone_under_the_temporary_rule_is_checked_online() {
    let mut h = on(
        day(2026, 2, 2),
        SiteSettings {
            temporary_rule: true,
            ..SiteSettings::default()
        },
    );
    present(
        &mut h,
        PaperDocument::Notice {
            kind: DocumentKind::Notice,
            numbers: numbers(),
            with_card: false,
            name: String::new(),
            copay_percent: None,
        },
    );
    assert_eq!(h.only_saved().basis, Basis::OnlineNumbers(DocumentKind::Notice));
    trace!(h);
}

#[test]
fn notice_alone_after_the_temporary_rule_ended_is_refused_even_with_the_switch_on() {
    let mut h = on(
        day(2026, 4, 1),
        SiteSettings {
            temporary_rule: true,
            ..SiteSettings::default()
        },
    );
    present(
        &mut h,
        PaperDocument::Notice {
            kind: DocumentKind::Notice,
            numbers: numbers(),
            with_card: false,
            name: String::new(),
            copay_percent: None,
        },
    );
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::Paper(PaperRefusal::NoticeRequiresCard)
        }
    );
    trace!(h);
}

#[test]
fn school_trip_without_the_card_requires_a_chaperone_name() {
    let mut h = H::default();
    let doc = |name: &str| PaperDocument::Group {
        setting: GroupSetting::SchoolTrip,
        kind: DocumentKind::PortalPdf,
        numbers: numbers(),
        chaperone_name: name.into(),
        copay_percent: None,
    };
    present(&mut h, doc(" "));
    assert_eq!(h.snap().validation[0].code(), "chaperone_name.required");
    assert!(h.saved().is_empty());
    present(&mut h, doc("引率 花子"));
    let r = h.only_saved();
    assert_eq!(
        r.document.as_ref().and_then(|d| d.group.clone()),
        Some((GroupSetting::SchoolTrip, "引率 花子".into()))
    );
    trace!(h);
}

#[test]
fn nursery_staff_present_a_notice_copy_for_a_child() {
    let mut h = H::default();
    present(
        &mut h,
        PaperDocument::Group {
            setting: GroupSetting::Nursery,
            kind: DocumentKind::Notice,
            numbers: numbers(),
            chaperone_name: "保育 士子".into(),
            copay_percent: None,
        },
    );
    assert_eq!(h.only_saved().basis, Basis::Document(DocumentKind::Notice));
    trace!(h);
}

// ---------- staff extras ----------

#[test]
fn hotline_sheet_for_another_persons_data_is_shown_and_audited() {
    let mut h = H::new(
        SiteSettings {
            training: true,
            ..SiteSettings::default()
        },
        ports(),
    );
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive))
        .staff(StaffAction::Hotline(true));
    assert_eq!(h.screen(), Screen::Hotline);
    let hl = h.snap().hotline.clone().expect("hotline");
    assert_eq!((hl.number, hl.guidance_option), ("0120-95-0178", 5));
    assert!(h.snap().training);
    assert!(h
        .d
        .ports()
        .store
        .audits
        .iter()
        .any(|a| a.kind == AuditKind::HotlineShown));
    h.staff(StaffAction::Hotline(false));
    assert!(matches!(h.screen(), Screen::Completed { .. }));
    trace!(h);
}

#[test]
fn consent_validity_lapses_after_24_hours_in_the_snapshot() {
    let mut h = H::default();
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive))
        .staff(StaffAction::Hotline(true));
    assert!(h.snap().consent_valid);
    h.wait(24 * 3600);
    h.staff(StaffAction::Hotline(false));
    assert!(!h.snap().consent_valid, "24 h later the consent is expired");
    trace!(h);
}

/// The 申立書 needs a classified problem that allows it (#12 §4): the wizard never reaches it before staff say
/// what went wrong, nor after an answer of 無効; after an outage it completes at the normal share.
#[test]
fn the_declaration_is_taken_only_for_a_problem_that_allows_it() {
    fn walk(h: &mut H) -> Vec<FallbackStep> {
        let mut seen = Vec::new();
        for _ in 0..6 {
            if let Screen::Fallback { step } = h.screen() {
                seen.push(step);
            }
            h.staff(StaffAction::FallbackNext);
        }
        seen
    }
    let mut h = H::default();
    h.staff(StaffAction::OpenFallback);
    assert!(
        !walk(&mut h).contains(&FallbackStep::Declaration),
        "unclassified: no 申立書 step"
    );
    h.staff(StaffAction::SubmitDeclaration(Box::new(declaration())));
    assert!(h.saved().is_empty());

    let mut h = H::default();
    h.staff(StaffAction::OpenFallback);
    h.staff(StaffAction::ClassifyProblem(ProblemKind::EligibilityInvalid));
    assert!(
        !walk(&mut h).contains(&FallbackStep::Declaration),
        "無効: no 申立書 step"
    );

    let mut h = H::default();
    h.staff(StaffAction::OpenFallback);
    h.staff(StaffAction::ClassifyProblem(ProblemKind::PowerOutage));
    while h.screen()
        != (Screen::Fallback {
            step: FallbackStep::Declaration,
        })
    {
        h.staff(StaffAction::FallbackNext);
    }
    h.staff(StaffAction::SubmitDeclaration(Box::new(declaration())));
    assert_eq!(h.only_saved().basis, Basis::Declaration);
}

/// Another person's data shown (#12 §4): staff void the reception (kept, with its reason), the hotline sheet
/// opens, and the wizard continues with the card's identity but none of the other person's data; the card +
/// お知らせ then completes the patient's own reception.
#[test]
fn another_persons_data_is_voided_and_the_patient_is_received_on_another_basis() {
    let mut h = H::default();
    face_to_query(&mut h);
    h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert_eq!(h.saved().len(), 1);
    assert!(h.snap().staff_actions.contains(&StaffActionKind::VoidReception));
    h.staff(StaffAction::VoidReception(VoidReason::OtherPersonsData));
    assert_eq!(h.voided(), vec![(0, VoidReason::OtherPersonsData)]);
    assert!(h.snap().hotline.is_some(), "the hotline sheet opens");
    let f = h.snap().fallback.clone().expect("the wizard continues");
    assert!(f.steps.contains(&FallbackStep::CardWithNotice));
    assert!(
        h.snap().eligibility.is_none(),
        "the other person's data is gone from the screen"
    );
    assert!(
        !h.snap().staff_actions.contains(&StaffActionKind::VoidReception),
        "voided once"
    );
    present(
        &mut h,
        PaperDocument::Notice {
            kind: DocumentKind::Notice,
            numbers: numbers(),
            with_card: true,
            name: "模擬 太郎".into(),
            copay_percent: None,
        },
    );
    assert_eq!(h.saved().len(), 2);
    assert_eq!(
        h.saved().last().unwrap().basis,
        Basis::OnlineNumbers(DocumentKind::Notice)
    );
}

/// #13 §7: the trace the app keeps (bounded by `TRACE_LIMIT`) names phases, events and effects only — after a
/// 申立書 it holds no name, kana, birthdate, address, phone or insurer number (the full trace, for tests, does).
#[test]
fn the_apps_trace_holds_no_personal_data_of_a_declaration() {
    let run = |mut h: H| {
        face_to_query(&mut h);
        h.send(Event::ChooseConsentMode(ConsentMode::Comprehensive))
            .fire();
        h.staff(StaffAction::FallbackNext)
            .staff(StaffAction::FallbackNext)
            .staff(StaffAction::FallbackNext);
        h.d.send(Event::Staff(StaffAction::SubmitDeclaration(Box::new(
            declaration(),
        ))));
        assert!(!h.saved().is_empty(), "the declaration completed the reception");
        h.trace_text()
    };
    let unavailable = |p: &mut FakePorts| p.elig.answers.push_back(Err(EligibilityError::Unavailable));
    let d = declaration();
    let personal = [
        d.name.clone(),
        d.name_kana.clone(),
        d.birthdate.clone(),
        d.address.clone(),
        d.phone.clone(),
        d.insurer_number.clone(),
        d.insurer_name.clone(),
        "CERT-0001".to_owned(),
    ];
    let full = run(H::with(unavailable));
    assert!(
        personal.iter().all(|p| full.contains(p.as_str())),
        "the test trace is the full one: {full}"
    );
    let kept = run(H::names_only(unavailable));
    for p in &personal {
        assert!(!kept.contains(p.as_str()), "{p} in the app's trace:\n{kept}");
    }
    assert!(
        kept.contains("Staff(SubmitDeclaration..)") && kept.contains("SaveReception"),
        "{kept}"
    );
}
