//! The staff console's actions: 目視, operator, the fallback wizard (domain.md §4), paper documents,
//! 照会キャンセル, the hotline sheet, the next patient.

use super::*;

pub(super) fn on_staff(tx: &mut Tx, a: StaffAction) {
    match a {
        StaffAction::SetVisualMode(on) => set_visual_mode(tx, on),
        StaffAction::VisualCheckResult(ok) => visual_check_result(tx, ok),
        StaffAction::SetOperator(op) => {
            tx.st.operator = op;
            tx.audit(AuditKind::OperatorSet(op));
        }
        StaffAction::OpenFallback => open_fallback_now(tx),
        StaffAction::ClassifyProblem(kind) => {
            if let Some((step, so_far)) = fallback_step(tx) {
                tx.st.session.problem = Some(kind);
                tx.audit(AuditKind::ProblemClassified(kind));
                // The path only moves forward: reclassifying never reopens an earlier step.
                let step = FallbackStep::first_from(step, Some(kind));
                tx.go(Phase::Fallback { step, so_far });
            }
        }
        StaffAction::FallbackNext => {
            if let Some((step, so_far)) = fallback_step(tx) {
                let step = step.next(tx.st.session.problem);
                tx.go(Phase::Fallback { step, so_far });
            }
        }
        StaffAction::RetryReader => {
            if let Some(so_far) = fallback_on(tx, FallbackStep::RetryOrSwitch) {
                retry_reader(tx, so_far);
            }
        }
        StaffAction::PresentPaper(doc) => on_paper(tx, *doc),
        StaffAction::RefuseDocument(r) => {
            if paper_allowed(&tx.st.phase) {
                tx.audit(AuditKind::DocumentRefused(r));
                tx.error(ErrorCode::Paper(r));
            }
        }
        StaffAction::LookupPrevious(l) => {
            if let Some(so_far) = fallback_on(tx, FallbackStep::PreviousVisit) {
                tx.go(Phase::LookingUpPrevious(so_far));
                tx.call(Call::LookupPrevious(l));
            }
        }
        StaffAction::SubmitDeclaration(entry) => {
            let Some(so_far) = fallback_on(tx, FallbackStep::Declaration) else {
                return;
            };
            match entry.validate(tx.today()) {
                Ok(decl) => complete_with_declaration(tx, so_far, decl),
                Err(v) => tx.invalid(v),
            }
        }
        StaffAction::ConfirmFullCharge => {
            if let Some(so_far) = fallback_on(tx, FallbackStep::FullCharge) {
                complete(tx, so_far, Basis::Unconfirmed, Billing::FullCharge, None);
                tx.note(Notice::RefundFollowUp);
            }
        }
        StaffAction::Hotline(open) => {
            if open && !tx.st.hotline_open {
                tx.audit(AuditKind::HotlineShown);
            }
            tx.st.hotline_open = open;
        }
        StaffAction::VoidReception(reason) => {
            if !tx.st.can_void() {
                return;
            }
            let (Phase::Completed { so_far, .. } | Phase::RemoveCard(so_far)) = tx.st.phase.clone() else {
                return;
            };
            tx.call(Call::VoidLastReception { reason, at: tx.now });
            tx.audit(AuditKind::ReceptionVoided(reason));
            if !tx.st.hotline_open {
                tx.audit(AuditKind::HotlineShown);
            }
            tx.st.hotline_open = true;
            // Continue with what the reader established of the person, never with the other person's data.
            let so_far = SoFar {
                known: so_far.known,
                document: None,
                found: None,
            };
            tx.open_fallback_with(None, so_far);
        }
        StaffAction::CancelQuery => {
            if let Phase::Querying { query, .. } = &tx.st.phase {
                let stands_offline = query.stands_offline();
                tx.audit(AuditKind::QueryCancelled);
                if stands_offline {
                    communication_failed(tx, ErrorCode::QueryTimeout);
                } else {
                    tx.open_fallback(Some(ProblemKind::CommunicationFailure));
                }
            }
        }
        StaffAction::NextPatient => match tx.st.phase {
            Phase::Completed { .. } | Phase::RemoveCard(_) | Phase::Fallback { .. } | Phase::Error { .. } => {
                tx.st.mode = ReaderMode::Unattended;
                tx.reset_to_waiting();
            }
            Phase::WaitingForCard
            | Phase::ReadingCard
            | Phase::Identity { .. }
            | Phase::Smartphone(_)
            | Phase::Questions { .. }
            | Phase::Querying { .. }
            | Phase::LookingUpPrevious(_) => {}
        },
    }
}

/// The wizard's step and what the reception established, if the wizard is open.
fn fallback_step(tx: &Tx) -> Option<(FallbackStep, SoFar)> {
    let Phase::Fallback { step, so_far } = &tx.st.phase else {
        return None;
    };
    Some((*step, so_far.clone()))
}

/// What the reception established, if the wizard is on `step`.
fn fallback_on(tx: &Tx, step: FallbackStep) -> Option<SoFar> {
    fallback_step(tx).and_then(|(here, so_far)| (here == step).then_some(so_far))
}

/// 目視確認モード on or off. On: the identity screens (and the fallback's retry step with a card read and
/// still in the reader) go to the staff check; off: the staff check goes back to the method choice.
fn set_visual_mode(tx: &mut Tx, on: bool) {
    let mode = if on {
        ReaderMode::VisualCheck
    } else {
        ReaderMode::Unattended
    };
    if tx.st.mode != mode {
        tx.st.mode = mode;
        tx.audit(AuditKind::ModeChanged(mode));
    }
    let to = match &tx.st.phase {
        Phase::Identity { card, step } => {
            let to = match (step, on) {
                (IdentityStep::MethodChoice | IdentityStep::FaceFailed(_) | IdentityStep::PinEntry, true) => {
                    Some(IdentityStep::VisualCheck)
                }
                (IdentityStep::VisualCheck, false) => Some(IdentityStep::MethodChoice),
                (
                    IdentityStep::CertWarning
                    | IdentityStep::MethodChoice
                    | IdentityStep::FaceCapture
                    | IdentityStep::FaceFailed(_)
                    | IdentityStep::PinEntry
                    | IdentityStep::PinVerifying
                    | IdentityStep::Signing
                    | IdentityStep::VisualCheck,
                    _,
                ) => None,
            };
            to.map(|step| (card.clone(), step))
        }
        Phase::Fallback {
            step: FallbackStep::RetryOrSwitch,
            so_far,
        } if on && tx.st.session.card_in_reader => so_far
            .known
            .card()
            .map(|card| (card.clone(), IdentityStep::VisualCheck)),
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::Smartphone(_)
        | Phase::Questions { .. }
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious(_)
        | Phase::Completed { .. }
        | Phase::RemoveCard(_)
        | Phase::Error { .. }
        | Phase::Fallback { .. } => None,
    };
    if let Some((card, step)) = to {
        tx.go(Phase::Identity { card, step });
    }
}

fn visual_check_result(tx: &mut Tx, ok: bool) {
    let Phase::Identity {
        card,
        step: IdentityStep::VisualCheck,
    } = &tx.st.phase
    else {
        return;
    };
    let card = card.clone();
    tx.audit(AuditKind::VisualCheck(ok));
    // Back to unattended after one use, so the next patient can use face (KYOTO-IHOU p=16047).
    tx.st.mode = ReaderMode::Unattended;
    tx.audit(AuditKind::ModeChanged(ReaderMode::Unattended));
    if ok {
        // The PIN counter is NOT reset by 目視 (TBS-ITV, domain.md §1).
        identity_confirmed(
            tx,
            Holder::Card {
                card,
                check: CardCheck::Visual,
            },
        );
    } else {
        tx.error(ErrorCode::IdentityRejected);
    }
    tx.note(Notice::ModeReturnedToUnattended);
}

/// オンライン資格確認ができない: the wizard opens now. After a completed reception it starts clean, for
/// the next patient.
fn open_fallback_now(tx: &mut Tx) {
    match tx.st.phase {
        Phase::Fallback { .. } => {}
        Phase::Error { code, .. } => tx.open_fallback(code.problem()),
        Phase::Completed { .. } | Phase::RemoveCard(_) => {
            tx.next_patient();
            tx.open_fallback_with(None, SoFar::default());
        }
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::Identity { .. }
        | Phase::Smartphone(_)
        | Phase::Questions { .. }
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious(_) => tx.open_fallback(None),
    }
}

/// Step 1: a card read with a usable certificate and still in the reader goes back to the identity
/// screens; otherwise the same patient places the card again (the problem classification stays).
fn retry_reader(tx: &mut Tx, so_far: SoFar) {
    let usable = so_far.known.card().filter(|c| {
        tx.st.session.card_in_reader
            && matches!(
                c.status,
                CertStatus::Valid | CertStatus::ExpiresSoon { .. } | CertStatus::Grace { .. }
            )
    });
    match usable {
        Some(card) => after_card_ok(tx, card.clone()),
        None => {
            tx.st.session.card_in_reader = false;
            tx.st.operator = Operator::Patient;
            tx.go(Phase::WaitingForCard);
        }
    }
}

/// A paper document may be presented (or refused) at the start, on the error screen and in the wizard.
fn paper_allowed(phase: &Phase) -> bool {
    matches!(
        phase,
        Phase::WaitingForCard | Phase::Fallback { .. } | Phase::Error { .. }
    )
}

pub(super) fn on_paper(tx: &mut Tx, doc: PaperDocument) {
    if !paper_allowed(&tx.st.phase) {
        return;
    }
    if matches!(tx.st.phase, Phase::WaitingForCard) {
        tx.st.session = Session::default();
    }
    let so_far = tx.st.phase.so_far();
    match paper::assess(&doc, tx.today(), tx.st.settings.temporary_rule) {
        PaperDecision::Invalid(v) => tx.invalid(v),
        PaperDecision::Refuse(r) => {
            tx.audit(AuditKind::DocumentRefused(r));
            tx.fail(ErrorCode::Paper(r), so_far);
        }
        PaperDecision::Accept(d) => {
            let kind = d.kind;
            let so_far = SoFar {
                document: Some(Presented {
                    document: d,
                    stands_offline: true,
                }),
                ..so_far
            };
            complete(tx, so_far, Basis::Document(kind), Billing::NormalShare, None);
        }
        PaperDecision::NeedsOnlineCheck {
            document,
            accept_offline,
        } => start_number_query(
            tx,
            Presented {
                document,
                stands_offline: accept_offline,
            },
            so_far.known,
        ),
    }
}
