//! Timers: which ones each screen arms (patient inactivity, watchdog on port calls, the query deadline and
//! its 処理中 polls, how long results stay) and what each does when it fires.

use super::*;

/// Timers a phase wants while it is shown: patient inactivity on reader screens, a watchdog on port
/// calls, the eligibility deadline (plus the poll delay after 処理中), and how long results stay.
pub(super) fn timers_for(phase: &Phase, s: &SiteSettings, card_in_reader: bool) -> Vec<(TimerId, u32)> {
    match phase {
        Phase::WaitingForCard | Phase::Fallback(_) | Phase::RemoveCard => Vec::new(),
        Phase::Completed { .. } => {
            if card_in_reader {
                vec![(TimerId::CompletedDisplay, s.completed_secs)]
            } else {
                Vec::new()
            }
        }
        Phase::Error(_) => vec![(TimerId::ErrorDisplay, s.error_secs)],
        Phase::Querying { waiting_poll, .. } => {
            let mut v = vec![(TimerId::QueryTimeout, s.query_timeout_secs)];
            if *waiting_poll {
                v.push((TimerId::QueryPoll, s.poll_secs));
            }
            v
        }
        Phase::ReadingCard
        | Phase::FaceCapture
        | Phase::PinVerifying
        | Phase::Signing
        | Phase::SmartphoneHold(_)
        | Phase::CheckingRegistration
        | Phase::Registering
        | Phase::LookingUpPrevious => vec![(TimerId::Watchdog, s.watchdog_secs)],
        Phase::CertWarning(_)
        | Phase::MethodChoice
        | Phase::FaceFailed(_)
        | Phase::PinEntry { .. }
        | Phase::VisualCheck
        | Phase::SmartphonePlatform
        | Phase::SmartphonePin { .. }
        | Phase::RegistrationOffer
        | Phase::ConsentMode
        | Phase::ConsentItem(_)
        | Phase::LimitConsent
        | Phase::PrescriptionForm => vec![(TimerId::Idle, s.idle_secs)],
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
        tx.st.timer_seq = tx.st.timer_seq.wrapping_add(1);
        let seq = tx.st.timer_seq;
        tx.st.timers.push(ArmedTimer { id, seq });
        tx.fx.push(Effect::StartTimer { id, seq, after_secs });
    }
}

pub(super) fn on_timer(tx: &mut Tx, id: TimerId, seq: u32) {
    let armed = ArmedTimer { id, seq };
    if !tx.st.timers.contains(&armed) {
        return; // stale: disarmed, or a newer timer of this id replaced it
    }
    tx.st.timers.retain(|t| *t != armed);
    // Armed timers always belong to the current phase (`timers_for`), so the phase and the id decide.
    match (tx.st.phase.clone(), id) {
        (Phase::Error(code), TimerId::ErrorDisplay) => tx.open_fallback(code.problem()),
        (Phase::Completed { .. }, TimerId::CompletedDisplay) => tx.go(Phase::RemoveCard),
        (
            Phase::Querying {
                started,
                polls,
                waiting_poll: true,
                query,
            },
            TimerId::QueryPoll,
        ) => {
            tx.go(Phase::Querying {
                started,
                polls,
                waiting_poll: false,
                query: query.clone(),
            });
            resend_query(tx, query);
        }
        (Phase::Querying { .. }, TimerId::QueryTimeout) => {
            let offline_ok = tx.st.session.document.as_ref().is_some_and(|(_, ok)| *ok);
            communication_failed(tx, ErrorCode::QueryTimeout, offline_ok);
        }
        (Phase::LookingUpPrevious, TimerId::Watchdog) => tx.error(ErrorCode::StoreFailed),
        (
            Phase::ReadingCard
            | Phase::FaceCapture
            | Phase::PinVerifying
            | Phase::Signing
            | Phase::SmartphoneHold(_)
            | Phase::CheckingRegistration
            | Phase::Registering,
            TimerId::Watchdog,
        ) => tx.error(ErrorCode::ReaderFailure),
        // Idle: never leave a patient screen hanging; declining never blocks (domain.md §2(b) 2).
        (Phase::CertWarning(_), TimerId::Idle) => after_card_ok(tx),
        (Phase::PinEntry { .. }, TimerId::Idle) => tx.go(Phase::MethodChoice),
        (Phase::MethodChoice | Phase::FaceFailed(_) | Phase::VisualCheck, TimerId::Idle) => {
            tx.open_fallback(Some(ProblemKind::IdentityNotConfirmed))
        }
        (Phase::SmartphonePlatform | Phase::SmartphonePin { .. }, TimerId::Idle) => tx.reset_to_waiting(),
        (Phase::RegistrationOffer, TimerId::Idle) => tx.error(ErrorCode::RegistrationDeclined),
        (Phase::ConsentMode | Phase::ConsentItem(_), TimerId::Idle) => after_items(tx),
        (Phase::LimitConsent, TimerId::Idle) => after_limit(tx),
        (Phase::PrescriptionForm, TimerId::Idle) => start_cert_query(tx),
        // A timer the phase does not arm cannot be armed here (`timers_for`); nothing to do.
        (_, TimerId::Idle)
        | (_, TimerId::QueryTimeout)
        | (_, TimerId::QueryPoll)
        | (_, TimerId::ErrorDisplay)
        | (_, TimerId::CompletedDisplay)
        | (_, TimerId::Watchdog) => {}
    }
}
