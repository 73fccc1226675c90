//! The card in the slot: placed, read (certificate windows, domain.md §1(a)), removed at any point, and the
//! patient's 次へ / 戻る on the reader screens that follow.

use super::*;

pub(super) fn on_card_placed(tx: &mut Tx) {
    match tx.st.phase {
        Phase::WaitingForCard | Phase::Fallback(FallbackStep::RetryOrSwitch) => {
            let problem = tx.st.session.problem;
            let operator = tx.st.operator;
            tx.st.session = Session {
                card_in_reader: true,
                problem,
                ..Session::default()
            };
            tx.st.operator = operator;
            tx.go(Phase::ReadingCard);
            tx.call(Call::ReadCard);
        }
        Phase::ReadingCard
        | Phase::CertWarning(_)
        | Phase::MethodChoice
        | Phase::FaceCapture
        | Phase::FaceFailed(_)
        | Phase::PinEntry { .. }
        | Phase::PinVerifying
        | Phase::Signing
        | Phase::VisualCheck
        | Phase::SmartphonePlatform
        | Phase::SmartphonePin { .. }
        | Phase::SmartphoneHold(_)
        | Phase::CheckingRegistration
        | Phase::RegistrationOffer
        | Phase::Registering
        | Phase::ConsentMode
        | Phase::ConsentItem(_)
        | Phase::LimitConsent
        | Phase::PrescriptionForm
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious
        | Phase::Completed { .. }
        | Phase::RemoveCard
        | Phase::Error(_)
        | Phase::Fallback(_) => {}
    }
}

/// Card removed: anywhere in the reader flow the session is dropped unsaved (nothing half-saved);
/// staff-side fallback work continues without the card.
pub(super) fn on_card_removed(tx: &mut Tx) {
    if !tx.st.session.card_in_reader {
        return;
    }
    match tx.st.phase {
        Phase::Fallback(_) | Phase::LookingUpPrevious => tx.st.session.card_in_reader = false,
        Phase::Completed { .. } | Phase::RemoveCard => tx.reset_to_waiting(),
        Phase::Querying { .. } if tx.st.session.card.is_none() => tx.st.session.card_in_reader = false,
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::CertWarning(_)
        | Phase::MethodChoice
        | Phase::FaceCapture
        | Phase::FaceFailed(_)
        | Phase::PinEntry { .. }
        | Phase::PinVerifying
        | Phase::Signing
        | Phase::VisualCheck
        | Phase::SmartphonePlatform
        | Phase::SmartphonePin { .. }
        | Phase::SmartphoneHold(_)
        | Phase::CheckingRegistration
        | Phase::RegistrationOffer
        | Phase::Registering
        | Phase::ConsentMode
        | Phase::ConsentItem(_)
        | Phase::LimitConsent
        | Phase::PrescriptionForm
        | Phase::Querying { .. }
        | Phase::Error(_) => tx.reset_to_waiting(),
    }
}

pub(super) fn on_card_read(tx: &mut Tx, r: Result<CardSummary, CardError>) {
    if tx.st.phase != Phase::ReadingCard {
        return;
    }
    match r {
        Ok(summary) => {
            let status = rules::cert_status(summary.cert.not_before, summary.cert.not_after, tx.today());
            tx.st.session.cert_status = Some(status);
            tx.st.session.pin_tries_left = summary.pin_tries_left;
            tx.st.session.card = Some(summary);
            match status {
                CertStatus::Valid => after_card_ok(tx),
                CertStatus::ExpiresSoon { days_left } => {
                    tx.go(Phase::CertWarning(status));
                    tx.note(Notice::CertExpiresSoon { days_left });
                }
                CertStatus::Grace { .. } => {
                    tx.go(Phase::CertWarning(status));
                    tx.note(Notice::CertGraceEligibilityOnly);
                }
                CertStatus::Expired => tx.error(ErrorCode::CertExpired),
                CertStatus::NotYetValid => tx.error(ErrorCode::CertNotYetValid),
            }
        }
        Err(e) => card_error(tx, e),
    }
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
pub(super) fn after_card_ok(tx: &mut Tx) {
    match tx.st.mode {
        ReaderMode::VisualCheck => tx.go(Phase::VisualCheck),
        ReaderMode::Unattended => {
            tx.go(Phase::MethodChoice);
            if tx.st.session.pin_tries_left == Some(0) {
                tx.note(Notice::PinLocked);
            }
        }
    }
}

pub(super) fn on_continue(tx: &mut Tx) {
    match tx.st.phase {
        Phase::CertWarning(_) => after_card_ok(tx),
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::MethodChoice
        | Phase::FaceCapture
        | Phase::FaceFailed(_)
        | Phase::PinEntry { .. }
        | Phase::PinVerifying
        | Phase::Signing
        | Phase::VisualCheck
        | Phase::SmartphonePlatform
        | Phase::SmartphonePin { .. }
        | Phase::SmartphoneHold(_)
        | Phase::CheckingRegistration
        | Phase::RegistrationOffer
        | Phase::Registering
        | Phase::ConsentMode
        | Phase::ConsentItem(_)
        | Phase::LimitConsent
        | Phase::PrescriptionForm
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious
        | Phase::Completed { .. }
        | Phase::RemoveCard
        | Phase::Error(_)
        | Phase::Fallback(_) => {}
    }
}

pub(super) fn on_cancel(tx: &mut Tx) {
    match tx.st.phase {
        Phase::PinEntry { .. } | Phase::FaceFailed(_) => tx.go(Phase::MethodChoice),
        Phase::SmartphonePlatform | Phase::SmartphonePin { .. } => tx.reset_to_waiting(),
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::CertWarning(_)
        | Phase::MethodChoice
        | Phase::FaceCapture
        | Phase::PinVerifying
        | Phase::Signing
        | Phase::VisualCheck
        | Phase::SmartphoneHold(_)
        | Phase::CheckingRegistration
        | Phase::RegistrationOffer
        | Phase::Registering
        | Phase::ConsentMode
        | Phase::ConsentItem(_)
        | Phase::LimitConsent
        | Phase::PrescriptionForm
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious
        | Phase::Completed { .. }
        | Phase::RemoveCard
        | Phase::Error(_)
        | Phase::Fallback(_) => {}
    }
}
