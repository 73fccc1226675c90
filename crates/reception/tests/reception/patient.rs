//! `Snapshot::patient`: the page clears every per-patient form and the PIN pad when it changes. It changes
//! between two patients, and never within one reception (a staff retry of the reader included).

use reception::model::*;
use reception::*;

use crate::fakes::*;

fn patient(h: &H) -> u32 {
    h.snap().patient
}

#[test]
fn the_patient_changes_when_a_card_is_pulled_at_the_pin_pad_and_the_next_card_is_someone_else() {
    let mut h = H::default();
    h.send(Event::CardPlaced).send(Event::ChooseMethod(Method::Pin));
    assert!(matches!(h.screen(), Screen::PinEntry { .. }));
    let first = patient(&h);
    h.pin("0000");
    assert_eq!(
        h.screen(),
        Screen::PinEntry {
            tries_left: 2,
            proxy: false
        }
    );
    assert_eq!(patient(&h), first, "a wrong PIN is the same patient");

    h.send(Event::CardRemoved);
    assert_eq!(h.screen(), Screen::WaitingForCard);
    let second = patient(&h);
    assert_ne!(second, first, "the card pulled lets go of the first patient");

    h.send(Event::CardPlaced);
    assert_eq!(h.screen(), Screen::MethodChoice);
    assert_eq!(patient(&h), second, "the next card is the next patient");
    h.send(Event::ChooseMethod(Method::Pin));
    assert!(matches!(h.screen(), Screen::PinEntry { .. }));
    assert_ne!(patient(&h), first, "the PIN pad is the next patient's");
}

#[test]
fn the_patient_stays_the_same_through_one_reception_and_changes_for_the_next() {
    let mut h = H::default();
    let mut seen = Vec::new();
    h.send(Event::CardPlaced);
    seen.push(patient(&h));
    h.send(Event::ChooseMethod(Method::Face));
    seen.push(patient(&h));
    h.send(Event::ChooseConsentMode(ConsentMode::Individual));
    seen.push(patient(&h));
    h.send(Event::AnswerConsent(true))
        .send(Event::AnswerConsent(false))
        .send(Event::AnswerConsent(true));
    assert!(matches!(h.screen(), Screen::Completed { .. }));
    seen.push(patient(&h));
    h.fire();
    assert_eq!(h.screen(), Screen::RemoveCard);
    seen.push(patient(&h));
    let one = seen[0];
    assert!(
        seen.iter().all(|p| *p == one),
        "one reception, one patient: {seen:?}"
    );

    h.send(Event::CardRemoved);
    assert_eq!(h.screen(), Screen::WaitingForCard);
    assert_ne!(patient(&h), one, "the card taken ends the reception");
}

#[test]
fn a_retry_of_the_reader_is_the_same_patient_and_next_patient_is_not() {
    let mut h = H::with(|p| p.card.cert = Err(CardError::Unreadable));
    h.send(Event::CardPlaced);
    assert_eq!(
        h.screen(),
        Screen::Error {
            code: ErrorCode::CardUnreadable
        }
    );
    let one = patient(&h);
    h.staff(StaffAction::OpenFallback);
    assert_eq!(
        h.screen(),
        Screen::Fallback {
            step: FallbackStep::RetryOrSwitch
        }
    );
    // The card placed again on the retry step is the same patient, and so is the retry that sends the
    // patient back to place it again.
    h.send(Event::CardPlaced);
    assert_eq!(patient(&h), one);
    h.staff(StaffAction::OpenFallback).staff(StaffAction::RetryReader);
    assert_eq!(h.screen(), Screen::WaitingForCard);
    assert_eq!(patient(&h), one, "a retry of the reader is the same patient");

    h.send(Event::CardPlaced).staff(StaffAction::OpenFallback);
    h.staff(StaffAction::NextPatient);
    assert_eq!(h.screen(), Screen::WaitingForCard);
    assert_ne!(patient(&h), one, "次の患者へ lets go of the patient");
}

#[test]
fn a_fallback_opened_after_a_completed_reception_is_for_the_next_patient() {
    let mut h = H::default();
    h.send(Event::CardPlaced)
        .send(Event::ChooseMethod(Method::Face))
        .send(Event::ChooseConsentMode(ConsentMode::Comprehensive));
    assert!(matches!(h.screen(), Screen::Completed { .. }));
    let one = patient(&h);
    h.staff(StaffAction::OpenFallback);
    assert!(matches!(h.screen(), Screen::Fallback { .. }));
    assert_ne!(patient(&h), one);
}
