//! Property tests: random event sequences against random worlds never panic, never leak a PIN into
//! a snapshot, a trace (events and effects, `Debug`) or a stored record, and once every timer has
//! fired the flow rests in Completed / RemoveCard, a Fallback step, or waiting for the next card.

use std::collections::VecDeque;

use proptest::prelude::*;
use reception::flow::{Phase, Question};
use reception::model::*;
use reception::paper::{DocumentKind, PaperDocument, ProblemKind};
use reception::*;

use crate::fakes::*;
use crate::paper_docs::numbers;

const SECRET: &str = "7391";

#[derive(Debug, Clone)]
enum Ev {
    Place,
    Remove,
    Continue,
    Cancel,
    Face,
    PinMethod,
    Pin(bool),
    Retry,
    Phone(bool),
    Register(bool),
    Mode(u8),
    Answer(bool),
    Limit(bool),
    Prescription,
    Visual(bool),
    VisualResult(bool),
    Operator(u8),
    OpenFallback,
    Classify(u8),
    Next,
    RetryReader,
    Notice(bool),
    Previous,
    FullCharge,
    Hotline(bool),
    NextPatient,
    Wait(u16),
}

fn ev() -> impl Strategy<Value = Ev> {
    prop_oneof![
        Just(Ev::Place),
        Just(Ev::Remove),
        Just(Ev::Continue),
        Just(Ev::Cancel),
        Just(Ev::Face),
        Just(Ev::PinMethod),
        any::<bool>().prop_map(Ev::Pin),
        Just(Ev::Retry),
        any::<bool>().prop_map(Ev::Phone),
        any::<bool>().prop_map(Ev::Register),
        (0u8..3).prop_map(Ev::Mode),
        any::<bool>().prop_map(Ev::Answer),
        any::<bool>().prop_map(Ev::Limit),
        Just(Ev::Prescription),
        any::<bool>().prop_map(Ev::Visual),
        any::<bool>().prop_map(Ev::VisualResult),
        (0u8..3).prop_map(Ev::Operator),
        Just(Ev::OpenFallback),
        (0u8..8).prop_map(Ev::Classify),
        Just(Ev::Next),
        Just(Ev::RetryReader),
        any::<bool>().prop_map(Ev::Notice),
        Just(Ev::Previous),
        Just(Ev::FullCharge),
        any::<bool>().prop_map(Ev::Hotline),
        Just(Ev::NextPatient),
        (0u16..120).prop_map(Ev::Wait),
    ]
}

#[derive(Debug, Clone)]
struct World {
    kind_face_only: bool,
    cert_months: i64,
    tries: u8,
    card_error: u8,
    faces: Vec<u8>,
    registered: bool,
    answers: Vec<u8>,
    previous: bool,
    settings: (bool, bool, bool),
}

fn world() -> impl Strategy<Value = World> {
    (
        any::<bool>(),
        -8i64..30,
        0u8..4,
        0u8..6,
        prop::collection::vec(0u8..4, 0..4),
        any::<bool>(),
        prop::collection::vec(0u8..12, 0..5),
        any::<bool>(),
        (any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                kind_face_only,
                cert_months,
                tries,
                card_error,
                faces,
                registered,
                answers,
                previous,
                settings,
            )| {
                World {
                    kind_face_only,
                    cert_months,
                    tries,
                    card_error,
                    faces,
                    registered,
                    answers,
                    previous,
                    settings,
                }
            },
        )
}

fn build(w: &World) -> H {
    let mut p = ports();
    p.card.pin = SECRET.into();
    p.card.tries_left = w.tries;
    p.card.cert = match w.card_error {
        0 => Err(CardError::Unreadable),
        1 => Err(CardError::NotMyNumberCard),
        _ => Ok(CertInfo {
            serial: "CERT-0001".into(),
            not_before: day(2020, 1, 1),
            not_after: reception::rules::add_months(day(2025, 6, 10), w.cert_months),
            kind: if w.kind_face_only {
                CardKind::FaceOnly
            } else {
                CardKind::Normal
            },
        }),
    };
    p.face.verdicts = w
        .faces
        .iter()
        .map(|f| match f {
            0 => Ok(FaceVerdict::Match { score: 0.9 }),
            1 => Ok(FaceVerdict::NoMatch { score: 0.1 }),
            2 => Ok(FaceVerdict::NoFace),
            _ => Err(FaceError::Camera("x".into())),
        })
        .collect();
    p.elig.registration = if w.registered {
        Registration::Registered
    } else {
        Registration::NotRegistered
    };
    let d = day(2025, 6, 10);
    p.elig.answers = w
        .answers
        .iter()
        .map(|a| match a {
            0 => Err(EligibilityError::Timeout),
            1 => Err(EligibilityError::Unavailable),
            2 => Err(EligibilityError::Malformed("x".into())),
            3 => Ok(response(Segment::Processing, None, d)),
            4 => Ok(response(Segment::Error { code: "E".into() }, None, d)),
            5 => Ok(response(Segment::Normal, None, d)),
            n => Ok(response(
                Segment::Normal,
                QualificationValidity::from_code(n - 5),
                d,
            )),
        })
        .collect::<VecDeque<_>>();
    if w.previous {
        p.store.previous = Some(StoredEligibility {
            record: record(),
            confirmed_on: day(2025, 5, 1),
        });
    }
    let (prescription_question, legacy_limit_screen, temporary_rule) = w.settings;
    H::new(
        SiteSettings {
            prescription_question,
            legacy_limit_screen,
            temporary_rule,
            ..SiteSettings::default()
        },
        p,
    )
}

fn apply(h: &mut H, e: &Ev) {
    let problems = ProblemKind::ALL;
    let ops = [Operator::Patient, Operator::Proxy, Operator::StaffAssisted];
    let modes = [
        ConsentMode::Comprehensive,
        ConsentMode::Individual,
        ConsentMode::DeclineAll,
    ];
    match e {
        Ev::Place => drop(h.send(Event::CardPlaced)),
        Ev::Remove => drop(h.send(Event::CardRemoved)),
        Ev::Continue => drop(h.send(Event::Continue)),
        Ev::Cancel => drop(h.send(Event::Cancel)),
        Ev::Face => drop(h.send(Event::ChooseMethod(Method::Face))),
        Ev::PinMethod => drop(h.send(Event::ChooseMethod(Method::Pin))),
        Ev::Pin(right) => drop(h.pin(if *right { SECRET } else { "0000" })),
        Ev::Retry => drop(h.send(Event::RetryFace)),
        Ev::Phone(iphone) => {
            h.send(Event::ChooseSmartphone);
            h.send(Event::ChoosePlatform(if *iphone {
                PhonePlatform::IPhone
            } else {
                PhonePlatform::Android
            }));
        }
        Ev::Register(y) => drop(h.send(Event::RegistrationAnswer(*y))),
        Ev::Mode(m) => drop(h.send(Event::ChooseConsentMode(modes[usize::from(*m)]))),
        Ev::Answer(y) => drop(h.send(Event::AnswerConsent(*y))),
        Ev::Limit(y) => drop(h.send(Event::AnswerLimit(*y))),
        Ev::Prescription => drop(h.send(Event::ChoosePrescription(PrescriptionForm::Paper))),
        Ev::Visual(on) => drop(h.staff(StaffAction::SetVisualMode(*on))),
        Ev::VisualResult(ok) => drop(h.staff(StaffAction::VisualCheckResult(*ok))),
        Ev::Operator(o) => drop(h.staff(StaffAction::SetOperator(ops[usize::from(*o)]))),
        Ev::OpenFallback => drop(h.staff(StaffAction::OpenFallback)),
        Ev::Classify(k) => drop(h.staff(StaffAction::ClassifyProblem(problems[usize::from(*k)]))),
        Ev::Next => drop(h.staff(StaffAction::FallbackNext)),
        Ev::RetryReader => drop(h.staff(StaffAction::RetryReader)),
        Ev::Notice(with_card) => drop(h.staff(StaffAction::PresentPaper(Box::new(PaperDocument::Notice {
            kind: DocumentKind::Notice,
            numbers: numbers(),
            with_card: *with_card,
            name: String::new(),
            copay_percent: None,
        })))),
        Ev::Previous => drop(
            h.staff(StaffAction::LookupPrevious(PatientLookup::ClinicPatientId(
                "P1".into(),
            ))),
        ),
        Ev::FullCharge => drop(h.staff(StaffAction::ConfirmFullCharge)),
        Ev::Hotline(on) => drop(h.staff(StaffAction::Hotline(*on))),
        Ev::NextPatient => drop(h.staff(StaffAction::NextPatient)),
        Ev::Wait(s) => drop(h.wait(i64::from(*s))),
    }
}

fn leaks(text: &str) -> bool {
    text.contains(SECRET)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_sessions_never_leak_a_pin_and_always_come_to_rest(w in world(), evs in prop::collection::vec(ev(), 0..40)) {
        let mut h = build(&w);
        for e in &evs {
            apply(&mut h, e);
        }
        let mut fired = 0;
        while h.d.pending_timer().is_some() && fired < 100 {
            h.fire();
            fired += 1;
        }
        prop_assert!(h.d.pending_timer().is_none(), "timers run out");
        let phase = h.d.state().phase.clone();
        let resting = matches!(phase, Phase::WaitingForCard | Phase::Completed { .. } | Phase::RemoveCard(_) | Phase::Fallback { .. });
        prop_assert!(resting, "rests in Completed/RemoveCard/Fallback/WaitingForCard, got {:?}", phase);

        let trace = h.trace_text();
        prop_assert!(!leaks(&trace), "no PIN in events or effects");
        for s in &h.d.ports().sink.0 {
            prop_assert!(!leaks(&format!("{s:?}")), "no PIN in a snapshot");
        }
        prop_assert!(!leaks(&format!("{:?}", h.d.state())), "no PIN in the state");
        for r in h.saved() {
            prop_assert!(!leaks(&format!("{r:?}")), "no PIN in a stored record");
        }
        let typed_pin = evs.iter().any(|e| matches!(e, Ev::Pin(_)));
        if typed_pin && trace.contains("PinEntered") {
            prop_assert!(trace.contains("Pin(<redacted>)"), "PIN events are shown redacted");
        }
        // Nothing half-saved: every saved record is a finished reception.
        for r in h.saved() {
            prop_assert!(r.completed_at >= dt(2025, 6, 10, 10, 0));
        }
    }
}

/// One sample of every staff action (payload-free ones exactly, the others with a typical payload).
fn staff_samples() -> Vec<StaffAction> {
    vec![
        StaffAction::SetVisualMode(true),
        StaffAction::SetVisualMode(false),
        StaffAction::VisualCheckResult(true),
        StaffAction::VisualCheckResult(false),
        StaffAction::SetOperator(Operator::Proxy),
        StaffAction::OpenFallback,
        StaffAction::ClassifyProblem(ProblemKind::DeviceFailure),
        StaffAction::FallbackNext,
        StaffAction::RetryReader,
        StaffAction::PresentPaper(Box::new(PaperDocument::Notice {
            kind: DocumentKind::Notice,
            numbers: numbers(),
            with_card: true,
            name: String::new(),
            copay_percent: None,
        })),
        StaffAction::RefuseDocument(reception::paper::PaperRefusal::LegacyCardAbolished),
        StaffAction::LookupPrevious(PatientLookup::ClinicPatientId("P1".into())),
        StaffAction::ConfirmFullCharge,
        StaffAction::Hotline(true),
        StaffAction::CancelQuery,
        StaffAction::NextPatient,
    ]
}

/// Kinds whose sample has no payload: listed must mean accepted.
fn payload_free(a: &StaffAction) -> bool {
    matches!(
        a,
        StaffAction::OpenFallback
            | StaffAction::FallbackNext
            | StaffAction::RetryReader
            | StaffAction::ConfirmFullCharge
            | StaffAction::CancelQuery
            | StaffAction::NextPatient
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    /// The console offers exactly what the flow takes: an action `step` accepts is always listed, and a
    /// listed payload-free action is always accepted.
    #[test]
    fn the_listed_staff_actions_are_the_ones_the_flow_accepts(w in world(), evs in prop::collection::vec(ev(), 0..30)) {
        let mut h = build(&w);
        for e in &evs {
            apply(&mut h, e);
            let state = h.d.state().clone();
            let now = h.d.ports().clock.0.get();
            let listed = state.staff_actions();
            for a in staff_samples() {
                let kind = a.kind();
                let free = payload_free(&a);
                let accepted = step(&state, Event::Staff(a), now).accepted;
                if accepted {
                    prop_assert!(listed.contains(&kind), "{kind:?} accepted in {:?} but not listed", state.phase);
                }
                if free && listed.contains(&kind) {
                    prop_assert!(accepted, "{kind:?} listed in {:?} but refused", state.phase);
                }
            }
        }
    }
}

#[test]
fn the_secret_pin_reaches_the_card_port_and_only_there() {
    let mut h = H::with(|p| p.card.pin = SECRET.into());
    h.send(Event::CardPlaced)
        .send(Event::ChooseMethod(Method::Pin))
        .pin(SECRET);
    assert_eq!(h.d.ports().card.pins_seen, 1, "the card port received the PIN");
    assert!(
        matches!(
            h.d.state().phase,
            Phase::Questions {
                step: Question::ConsentMode,
                ..
            }
        ),
        "and it was the right one"
    );
    assert!(!leaks(&h.trace_text()));
}
