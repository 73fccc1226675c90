//! The staff console's actions: 目視, operator, the fallback wizard (domain.md §4), paper documents,
//! 照会キャンセル, the hotline sheet, the next patient.

use super::*;

pub(super) fn on_staff(tx: &mut Tx, a: StaffAction) {
    match a {
        StaffAction::SetVisualMode(on) => {
            let mode = if on {
                ReaderMode::VisualCheck
            } else {
                ReaderMode::Unattended
            };
            if tx.st.mode != mode {
                tx.st.mode = mode;
                tx.audit(AuditKind::ModeChanged(mode));
            }
            let card_ready = tx.st.session.card_in_reader && tx.st.session.card.is_some();
            let here = &tx.st.phase;
            let to_visual = matches!(
                here,
                Phase::MethodChoice | Phase::FaceFailed(_) | Phase::PinEntry { .. }
            ) || (*here == Phase::Fallback(FallbackStep::RetryOrSwitch) && card_ready);
            if on && to_visual {
                tx.go(Phase::VisualCheck);
            } else if !on && *here == Phase::VisualCheck {
                tx.go(Phase::MethodChoice);
            }
        }
        StaffAction::VisualCheckResult(ok) => {
            if tx.st.phase != Phase::VisualCheck {
                return;
            }
            tx.audit(AuditKind::VisualCheck(ok));
            // Back to unattended after one use, so the next patient can use face (KYOTO-IHOU p=16047).
            tx.st.mode = ReaderMode::Unattended;
            tx.audit(AuditKind::ModeChanged(ReaderMode::Unattended));
            if ok {
                // The PIN counter is NOT reset by 目視 (TBS-ITV, domain.md §1).
                identity_confirmed(tx, Method::Visual);
            } else {
                tx.error(ErrorCode::IdentityRejected);
            }
            tx.note(Notice::ModeReturnedToUnattended);
        }
        StaffAction::SetOperator(op) => {
            tx.st.operator = op;
            tx.audit(AuditKind::OperatorSet(op));
        }
        StaffAction::OpenFallback => match tx.st.phase {
            Phase::Fallback(_) => {}
            Phase::Error(code) => tx.open_fallback(code.problem()),
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
            | Phase::LookingUpPrevious
            | Phase::Completed { .. }
            | Phase::RemoveCard => {
                if matches!(tx.st.phase, Phase::Completed { .. } | Phase::RemoveCard) {
                    tx.st.session = Session::default();
                }
                tx.open_fallback(None)
            }
        },
        StaffAction::ClassifyProblem(kind) => {
            if let Phase::Fallback(step) = tx.st.phase {
                tx.st.session.problem = Some(kind);
                tx.audit(AuditKind::ProblemClassified(kind));
                let s = FallbackStep::first_from(step, Some(kind));
                // Reclassifying may reopen earlier applicable steps? No: the path only moves forward.
                tx.go(Phase::Fallback(s));
            }
        }
        StaffAction::FallbackNext => {
            if let Phase::Fallback(step) = tx.st.phase {
                tx.go(Phase::Fallback(step.next(tx.st.session.problem)));
            }
        }
        StaffAction::RetryReader => {
            if tx.st.phase == Phase::Fallback(FallbackStep::RetryOrSwitch) {
                let usable = tx.st.session.card_in_reader
                    && matches!(
                        tx.st.session.cert_status,
                        Some(CertStatus::Valid | CertStatus::ExpiresSoon { .. } | CertStatus::Grace { .. })
                    );
                if usable {
                    after_card_ok(tx);
                } else {
                    let problem = tx.st.session.problem;
                    tx.reset_to_waiting();
                    tx.st.session.problem = problem;
                }
            }
        }
        StaffAction::PresentPaper(doc) => on_paper(tx, *doc),
        StaffAction::RefuseDocument(r) => {
            if matches!(
                tx.st.phase,
                Phase::WaitingForCard | Phase::Fallback(_) | Phase::Error(_)
            ) {
                tx.audit(AuditKind::DocumentRefused(r));
                tx.error(ErrorCode::Paper(r));
            }
        }
        StaffAction::LookupPrevious(l) => {
            if tx.st.phase == Phase::Fallback(FallbackStep::PreviousVisit) {
                tx.go(Phase::LookingUpPrevious);
                tx.call(Call::LookupPrevious(l));
            }
        }
        StaffAction::SubmitDeclaration(entry) => {
            if tx.st.phase != Phase::Fallback(FallbackStep::Declaration) {
                return;
            }
            match entry.validate(tx.today()) {
                Ok(decl) => complete_with_declaration(tx, decl),
                Err(v) => tx.st.validation = v,
            }
        }
        StaffAction::ConfirmFullCharge => {
            if tx.st.phase == Phase::Fallback(FallbackStep::FullCharge) {
                complete(tx, Basis::Unconfirmed, Billing::FullCharge, None, None, None);
                tx.note(Notice::RefundFollowUp);
            }
        }
        StaffAction::Hotline(open) => {
            if open && !tx.st.hotline_open {
                tx.audit(AuditKind::HotlineShown);
            }
            tx.st.hotline_open = open;
        }
        StaffAction::CancelQuery => {
            if matches!(tx.st.phase, Phase::Querying { .. }) {
                tx.audit(AuditKind::QueryCancelled);
                let offline_ok = tx.st.session.document.as_ref().is_some_and(|(_, ok)| *ok);
                if offline_ok {
                    communication_failed(tx, ErrorCode::QueryTimeout, true);
                } else {
                    tx.open_fallback(Some(ProblemKind::CommunicationFailure));
                }
            }
        }
        StaffAction::NextPatient => match tx.st.phase {
            Phase::Completed { .. } | Phase::RemoveCard | Phase::Fallback(_) | Phase::Error(_) => {
                tx.st.mode = ReaderMode::Unattended;
                tx.reset_to_waiting();
            }
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
            | Phase::LookingUpPrevious => {}
        },
    }
}

pub(super) fn on_paper(tx: &mut Tx, doc: PaperDocument) {
    let allowed = matches!(
        tx.st.phase,
        Phase::WaitingForCard | Phase::Fallback(_) | Phase::Error(_)
    );
    if !allowed {
        return;
    }
    if tx.st.phase == Phase::WaitingForCard {
        tx.st.session = Session::default();
    }
    match paper::assess(&doc, tx.today(), tx.st.settings.temporary_rule) {
        PaperDecision::Invalid(v) => tx.st.validation = v,
        PaperDecision::Refuse(r) => {
            tx.audit(AuditKind::DocumentRefused(r));
            tx.error(ErrorCode::Paper(r));
        }
        PaperDecision::Accept(d) => {
            let kind = d.kind;
            tx.st.session.document = Some((d, true));
            complete(tx, Basis::Document(kind), Billing::NormalShare, None, None, None);
        }
        PaperDecision::NeedsOnlineCheck {
            document,
            accept_offline,
        } => start_number_query(tx, document, accept_offline),
    }
}
