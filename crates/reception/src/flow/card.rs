//! The card in the slot: placed, read (certificate windows, domain.md §1(a)), removed at any point, and the
//! patient's 次へ / 戻る on the reader screens that follow.

use super::*;

/// A card placed on the waiting screen starts a reception; placed again on the fallback's first step it
/// is the same patient's retry (the staff's problem classification stays).
pub(super) fn on_card_placed(tx: &mut Tx) {
    match tx.st.phase {
        Phase::WaitingForCard
        | Phase::Fallback {
            step: FallbackStep::RetryOrSwitch,
            ..
        } => {
            tx.st.session.card_in_reader = true;
            tx.go(Phase::ReadingCard);
            tx.call(Call::ReadCard);
        }
        Phase::ReadingCard
        | Phase::Identity { .. }
        | Phase::Smartphone(_)
        | Phase::Questions { .. }
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious(_)
        | Phase::Completed { .. }
        | Phase::RemoveCard(_)
        | Phase::Error { .. }
        | Phase::Fallback { .. } => {}
    }
}

/// Card removed: anywhere in the reader flow the session is dropped unsaved (nothing half-saved);
/// staff-side fallback work continues without the card, and so does a query by a document's numbers
/// made without the card.
pub(super) fn on_card_removed(tx: &mut Tx) {
    if !tx.st.session.card_in_reader {
        return;
    }
    match &tx.st.phase {
        Phase::Fallback { .. } | Phase::LookingUpPrevious(_) => tx.st.session.card_in_reader = false,
        Phase::Querying { .. } if tx.st.phase.card().is_none() => tx.st.session.card_in_reader = false,
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::Identity { .. }
        | Phase::Smartphone(_)
        | Phase::Questions { .. }
        | Phase::Querying { .. }
        | Phase::Completed { .. }
        | Phase::RemoveCard(_)
        | Phase::Error { .. } => tx.reset_to_waiting(),
    }
}

pub(super) fn on_card_read(tx: &mut Tx, r: Result<CardSummary, CardError>) {
    if !matches!(tx.st.phase, Phase::ReadingCard) {
        return;
    }
    match r {
        Ok(summary) => {
            let status = rules::cert_status(summary.cert.not_before, summary.cert.not_after, tx.today());
            let card = ReadCard { summary, status };
            match status {
                CertStatus::Valid => after_card_ok(tx, card),
                CertStatus::ExpiresSoon { days_left } => {
                    cert_warning(tx, card);
                    tx.note(Notice::CertExpiresSoon { days_left });
                }
                CertStatus::Grace { .. } => {
                    cert_warning(tx, card);
                    tx.note(Notice::CertGraceEligibilityOnly);
                }
                CertStatus::Expired => tx.fail(ErrorCode::CertExpired, SoFar::from(Known::Card(card))),
                CertStatus::NotYetValid => {
                    tx.fail(ErrorCode::CertNotYetValid, SoFar::from(Known::Card(card)))
                }
            }
        }
        Err(e) => card_error(tx, e),
    }
}

fn cert_warning(tx: &mut Tx, card: ReadCard) {
    tx.go(Phase::Identity {
        card,
        step: IdentityStep::CertWarning,
    });
}

pub(super) fn card_error(tx: &mut Tx, e: CardError) {
    match e {
        CardError::Removed => tx.reset_to_waiting(),
        CardError::Unreadable => tx.error(ErrorCode::CardUnreadable),
        CardError::NotMyNumberCard => tx.error(ErrorCode::NotMyNumberCard),
        CardError::Reader(_) => tx.error(ErrorCode::ReaderFailure),
    }
}

/// After a usable certificate: 目視 mode goes straight to the staff check, else method choice.
pub(super) fn after_card_ok(tx: &mut Tx, card: ReadCard) {
    match tx.st.mode {
        ReaderMode::VisualCheck => tx.go(Phase::Identity {
            card,
            step: IdentityStep::VisualCheck,
        }),
        ReaderMode::Unattended => {
            let locked = card.pin_tries_left() == Some(0);
            tx.go(Phase::Identity {
                card,
                step: IdentityStep::MethodChoice,
            });
            if locked {
                tx.note(Notice::PinLocked);
            }
        }
    }
}

/// 次へ: only the certificate alert waits for it.
pub(super) fn on_continue(tx: &mut Tx) {
    match &tx.st.phase {
        Phase::Identity { card, step } => match step {
            IdentityStep::CertWarning => {
                let card = card.clone();
                after_card_ok(tx, card);
            }
            IdentityStep::MethodChoice
            | IdentityStep::FaceCapture
            | IdentityStep::FaceFailed(_)
            | IdentityStep::PinEntry
            | IdentityStep::PinVerifying
            | IdentityStep::Signing
            | IdentityStep::VisualCheck => {}
        },
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::Smartphone(_)
        | Phase::Questions { .. }
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious(_)
        | Phase::Completed { .. }
        | Phase::RemoveCard(_)
        | Phase::Error { .. }
        | Phase::Fallback { .. } => {}
    }
}

/// 戻る: from PIN entry or a failed face check back to the method choice; the smartphone path before the
/// phone is held goes back to waiting.
pub(super) fn on_cancel(tx: &mut Tx) {
    match &tx.st.phase {
        Phase::Identity { card, step } => match step {
            IdentityStep::PinEntry | IdentityStep::FaceFailed(_) => {
                let card = card.clone();
                tx.go(Phase::Identity {
                    card,
                    step: IdentityStep::MethodChoice,
                });
            }
            IdentityStep::CertWarning
            | IdentityStep::MethodChoice
            | IdentityStep::FaceCapture
            | IdentityStep::PinVerifying
            | IdentityStep::Signing
            | IdentityStep::VisualCheck => {}
        },
        Phase::Smartphone(step) => match step {
            PhoneStep::Platform | PhoneStep::Pin { .. } => tx.reset_to_waiting(),
            PhoneStep::Hold(_) => {}
        },
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::Questions { .. }
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious(_)
        | Phase::Completed { .. }
        | Phase::RemoveCard(_)
        | Phase::Error { .. }
        | Phase::Fallback { .. } => {}
    }
}
