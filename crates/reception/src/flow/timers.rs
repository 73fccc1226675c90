//! Timers: which ones each screen arms (patient inactivity, watchdog on port calls, the query deadline and
//! its 処理中 polls, how long results stay) and what each does when it fires.

use super::*;

/// Timers a phase wants while it is shown: patient inactivity on reader screens, a watchdog on port
/// calls, the eligibility deadline (plus the poll delay after 処理中), and how long results stay.
pub(super) fn timers_for(phase: &Phase, s: &SiteSettings, card_in_reader: bool) -> Vec<(TimerId, u32)> {
    let idle = vec![(TimerId::Idle, s.idle_secs)];
    let watchdog = vec![(TimerId::Watchdog, s.watchdog_secs)];
    match phase {
        Phase::WaitingForCard | Phase::Fallback { .. } | Phase::RemoveCard(_) => Vec::new(),
        Phase::Completed { .. } => {
            if card_in_reader {
                vec![(TimerId::CompletedDisplay, s.completed_secs)]
            } else {
                Vec::new()
            }
        }
        Phase::Error { .. } => vec![(TimerId::ErrorDisplay, s.error_secs)],
        Phase::Querying { waiting_poll, .. } => {
            let mut v = vec![(TimerId::QueryTimeout, s.query_timeout_secs)];
            if *waiting_poll {
                v.push((TimerId::QueryPoll, s.poll_secs));
            }
            v
        }
        Phase::ReadingCard | Phase::LookingUpPrevious(_) => watchdog,
        Phase::Identity { step, .. } => match step {
            IdentityStep::FaceCapture | IdentityStep::PinVerifying | IdentityStep::Signing => watchdog,
            IdentityStep::CertWarning
            | IdentityStep::MethodChoice
            | IdentityStep::FaceFailed(_)
            | IdentityStep::PinEntry
            | IdentityStep::VisualCheck => idle,
        },
        Phase::Smartphone(step) => match step {
            PhoneStep::Hold(_) => watchdog,
            PhoneStep::Platform | PhoneStep::Pin { .. } => idle,
        },
        Phase::Questions { step, .. } => match step {
            Question::CheckingRegistration | Question::Registering => watchdog,
            Question::RegistrationOffer
            | Question::ConsentMode
            | Question::ConsentItem { .. }
            | Question::LimitConsent(_)
            | Question::PrescriptionForm(_) => idle,
        },
    }
}

/// A timer that keeps its due time when the phase changes but still wants it: the overall deadline of a
/// query survives its 処理中 polls. Every other timer restarts with its screen.
pub(super) fn keeps_due_time(id: TimerId) -> bool {
    match id {
        TimerId::QueryTimeout => true,
        TimerId::Idle
        | TimerId::QueryPoll
        | TimerId::ErrorDisplay
        | TimerId::CompletedDisplay
        | TimerId::Watchdog => false,
    }
}

/// Arm what the new phase wants, disarm the rest.
pub(super) fn rearm_timers(tx: &mut Tx) {
    let wanted = timers_for(&tx.st.phase, &tx.st.settings, tx.st.session.card_in_reader);
    let mut kept = Vec::new();
    for t in std::mem::take(&mut tx.st.timers) {
        let still_wanted = wanted.iter().any(|(id, _)| *id == t.id);
        if still_wanted && keeps_due_time(t.id) {
            kept.push(t);
        } else if !still_wanted {
            tx.fx.push(Effect::CancelTimer { id: t.id });
        }
        // Wanted again but restarting: the `StartTimer` below replaces it.
    }
    tx.st.timers = kept;
    for (id, after_secs) in wanted {
        if tx.st.timers.iter().any(|t| t.id == id) {
            continue;
        }
        arm(tx, id, after_secs);
    }
}

/// (Re)start timer `id` for `after_secs`, replacing the armed one of that id.
fn arm(tx: &mut Tx, id: TimerId, after_secs: u32) {
    tx.st.timers.retain(|t| t.id != id);
    tx.st.timer_seq = tx.st.timer_seq.wrapping_add(1);
    let seq = tx.st.timer_seq;
    tx.st.timers.push(ArmedTimer { id, seq });
    tx.fx.push(Effect::StartTimer { id, seq, after_secs });
}

/// A patient screen asks 「操作を続けますか」 before giving up on an idle patient, as certified readers do; the
/// staff-led 目視 screen does not.
fn asks_still_there(phase: &Phase) -> bool {
    match phase {
        Phase::Identity { step, .. } => match step {
            IdentityStep::CertWarning
            | IdentityStep::MethodChoice
            | IdentityStep::FaceFailed(_)
            | IdentityStep::PinEntry => true,
            IdentityStep::VisualCheck
            | IdentityStep::FaceCapture
            | IdentityStep::PinVerifying
            | IdentityStep::Signing => false,
        },
        Phase::Smartphone(_) | Phase::Questions { .. } => true,
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious(_)
        | Phase::Completed { .. }
        | Phase::RemoveCard(_)
        | Phase::Error { .. }
        | Phase::Fallback { .. } => false,
    }
}

/// The patient touched the screen: the inactivity timer starts again and 「操作を続けますか」 goes away.
/// Nothing on a screen without one.
pub(super) fn on_activity(tx: &mut Tx) {
    let idle = timers_for(&tx.st.phase, &tx.st.settings, tx.st.session.card_in_reader)
        .into_iter()
        .find(|(id, _)| *id == TimerId::Idle);
    if let Some((id, secs)) = idle {
        tx.st.still_there = false;
        arm(tx, id, secs);
    }
}

pub(super) fn on_timer(tx: &mut Tx, id: TimerId, seq: u32) {
    let armed = ArmedTimer { id, seq };
    if !tx.st.timers.contains(&armed) {
        return; // stale: disarmed, or a newer timer of this id replaced it
    }
    tx.st.timers.retain(|t| *t != armed);
    // Armed timers belong to the current phase (`timers_for`); one it does not arm is nothing to it. So
    // below, the phase decides, and the id only where a phase arms two.
    let arms_it = timers_for(&tx.st.phase, &tx.st.settings, tx.st.session.card_in_reader)
        .iter()
        .any(|(wanted, _)| *wanted == id);
    if !arms_it {
        return;
    }
    // The first time a patient screen goes idle it asks 「操作を続けますか」 and waits a little longer.
    if id == TimerId::Idle && !tx.st.still_there && asks_still_there(&tx.st.phase) {
        tx.st.still_there = true;
        let secs = tx.st.settings.idle_confirm_secs;
        arm(tx, TimerId::Idle, secs);
        return;
    }
    match tx.st.phase.clone() {
        Phase::WaitingForCard | Phase::Fallback { .. } | Phase::RemoveCard(_) => {}
        Phase::Error { code, .. } => tx.open_fallback(code.problem()),
        Phase::Completed { so_far, .. } => tx.go(Phase::RemoveCard(so_far)),
        Phase::Querying {
            started,
            polls,
            query,
            ..
        } => match id {
            TimerId::QueryPoll => {
                tx.go(Phase::Querying {
                    started,
                    polls,
                    waiting_poll: false,
                    query: query.clone(),
                });
                resend_query(tx, &query);
            }
            TimerId::QueryTimeout => communication_failed(tx, ErrorCode::QueryTimeout),
            // Not armed while querying (`timers_for`).
            TimerId::Idle | TimerId::ErrorDisplay | TimerId::CompletedDisplay | TimerId::Watchdog => {}
        },
        Phase::ReadingCard => tx.error(ErrorCode::ReaderFailure),
        Phase::LookingUpPrevious(_) => tx.error(ErrorCode::StoreFailed),
        Phase::Identity { card, step } => on_identity_timer(tx, card, step),
        Phase::Smartphone(step) => match step {
            PhoneStep::Hold(_) => tx.error(ErrorCode::ReaderFailure),
            PhoneStep::Platform | PhoneStep::Pin { .. } => tx.reset_to_waiting(),
        },
        Phase::Questions { who, step } => on_question_timer(tx, who, step),
    }
}

/// Watchdog on a card call, or the patient idle on an identity screen.
fn on_identity_timer(tx: &mut Tx, card: ReadCard, step: IdentityStep) {
    match step {
        IdentityStep::FaceCapture | IdentityStep::PinVerifying | IdentityStep::Signing => {
            tx.error(ErrorCode::ReaderFailure)
        }
        // Idle: never leave a patient screen hanging.
        IdentityStep::CertWarning => after_card_ok(tx, card),
        IdentityStep::PinEntry => tx.go(Phase::Identity {
            card,
            step: IdentityStep::MethodChoice,
        }),
        IdentityStep::MethodChoice | IdentityStep::FaceFailed(_) | IdentityStep::VisualCheck => {
            tx.open_fallback(Some(ProblemKind::IdentityNotConfirmed))
        }
    }
}

/// Watchdog on a registration call, or the patient idle on a question: declining never blocks
/// (domain.md §2(b) 2).
fn on_question_timer(tx: &mut Tx, who: Identified, step: Question) {
    match step {
        Question::CheckingRegistration | Question::Registering => tx.error(ErrorCode::ReaderFailure),
        Question::RegistrationOffer => tx.error(ErrorCode::RegistrationDeclined),
        Question::ConsentMode => after_items(tx, who, ConsentMode::DeclineAll, [None; 3]),
        Question::ConsentItem { answers, .. } => after_items(tx, who, ConsentMode::Individual, answers),
        Question::LimitConsent(consent) => after_limit(tx, who, Some(consent)),
        Question::PrescriptionForm(consent) => start_cert_query(
            tx,
            Consented {
                who,
                consent,
                prescription: None,
            },
        ),
    }
}
