//! The eligibility query (by certificate or by a document's numbers), its answers and failures, and
//! completing a reception: the record that is saved, in one call.

use super::*;

/// Ask the service about the patient the reader identified.
pub(super) fn start_cert_query(tx: &mut Tx, c: Consented) {
    let sent = CertQuery {
        cert: c.who.cert_ref(),
        proof: c.who.proof().cloned(),
        consent: c.consent,
        prescription: c.prescription,
        medical_info_allowed: !c.who.grace() && c.consent.is_some_and(|c| c.any_medical()),
        date: tx.today(),
    };
    tx.go(Phase::Querying {
        started: tx.now,
        polls: 0,
        waiting_poll: false,
        query: PendingQuery::Cert {
            sent: sent.clone(),
            who: c,
        },
    });
    tx.call(Call::QueryByCertificate(sent));
}

/// Ask the service by a presented document's numbers; `known` is what the reader knew of the patient.
pub(super) fn start_number_query(tx: &mut Tx, document: Presented, known: Known) {
    let n = &document.document.numbers;
    let sent = NumberQuery {
        insurer_number: n.insurer_number.clone(),
        symbol: n.symbol.clone(),
        number: n.number.clone(),
        branch: n.branch.clone(),
        birthdate: n.birthdate,
        date: tx.today(),
        limit_consent: document.document.limit_consent,
    };
    tx.go(Phase::Querying {
        started: tx.now,
        polls: 0,
        waiting_poll: false,
        query: PendingQuery::Numbers {
            sent: sent.clone(),
            document: Box::new(document),
            known,
        },
    });
    tx.call(Call::QueryByNumbers(sent));
}

/// Ask the same question again (after 処理中).
pub(super) fn resend_query(tx: &mut Tx, query: &PendingQuery) {
    match query {
        PendingQuery::Cert { sent, .. } => tx.call(Call::QueryByCertificate(sent.clone())),
        PendingQuery::Numbers { sent, .. } => tx.call(Call::QueryByNumbers(sent.clone())),
    }
}

pub(super) fn on_answer(tx: &mut Tx, r: Result<EligibilityResponse, EligibilityError>) {
    let Phase::Querying {
        started,
        polls,
        waiting_poll: false,
        query,
    } = tx.st.phase.clone()
    else {
        return;
    };
    match r {
        Ok(resp) => match resp.segment {
            Segment::Normal => on_validity(tx, resp, &query),
            Segment::Processing => {
                if polls.saturating_add(1) >= tx.st.settings.max_polls {
                    communication_failed(tx, ErrorCode::ServiceProcessing);
                } else {
                    tx.go(Phase::Querying {
                        started,
                        polls: polls.saturating_add(1),
                        waiting_poll: true,
                        query,
                    });
                }
            }
            Segment::Error { .. } => communication_failed(tx, ErrorCode::ServiceError),
        },
        Err(EligibilityError::Timeout) => communication_failed(tx, ErrorCode::QueryTimeout),
        Err(EligibilityError::Unavailable) => communication_failed(tx, ErrorCode::ServiceUnavailable),
        Err(EligibilityError::Malformed(_)) => communication_failed(tx, ErrorCode::MalformedResponse),
        Err(EligibilityError::CertifiedReaderOnly) => {
            communication_failed(tx, ErrorCode::CertifiedReaderOnly)
        }
    }
}

/// The service could not answer the query on screen. Card + お知らせ stands on its own then (S000 2-19);
/// otherwise error.
pub(super) fn communication_failed(tx: &mut Tx, code: ErrorCode) {
    let so_far = tx.st.phase.so_far();
    let standing = so_far
        .document
        .as_ref()
        .filter(|d| d.stands_offline)
        .map(|d| d.document.kind);
    match standing {
        Some(kind) => {
            // Accepted on the document alone, recorded as such, with a task to check its numbers once the
            // service answers again (#12 §1).
            let record = reception_record(tx, &so_far, Basis::Document(kind), Billing::NormalShare, None);
            finish(
                tx,
                so_far,
                None,
                ReceptionRecord {
                    recheck_online: true,
                    ..record
                },
            );
            tx.note(Notice::AcceptedOffline);
        }
        None => tx.fail(code, so_far),
    }
}

/// A normal answer: act on 資格有効性.
pub(super) fn on_validity(tx: &mut Tx, resp: EligibilityResponse, query: &PendingQuery) {
    let temporary_doc = match query {
        PendingQuery::Cert { .. } => false,
        PendingQuery::Numbers { document, .. } => !document.stands_offline,
    };
    let Some(v) = resp.validity else {
        tx.error(ErrorCode::MalformedResponse);
        return;
    };
    match v {
        QualificationValidity::Valid | QualificationValidity::ValidUnregistered => {
            let Some(record) = resp.record else {
                tx.error(ErrorCode::MalformedResponse);
                return;
            };
            let basis = match query {
                PendingQuery::Numbers { document, .. } => Basis::OnlineNumbers(document.document.kind),
                PendingQuery::Cert { who, .. } => match who.who.holder {
                    Holder::Phone { .. } => Basis::OnlineSmartphone,
                    Holder::Card { .. } => Basis::OnlineCard,
                },
            };
            let suspended = record.medical_viewing_suspended;
            let found = Found {
                validity: Some(v),
                record,
                confirmed_on: Some(resp.confirmed_on),
            };
            complete(tx, query.so_far(), basis, Billing::NormalShare, Some(found));
            if suspended {
                tx.note(Notice::MedicalViewingSuspended);
            }
        }
        QualificationValidity::Invalid
        | QualificationValidity::InvalidNewerExists
        | QualificationValidity::NotFound
        | QualificationValidity::MultipleMatches
            if temporary_doc =>
        {
            // Temporary rule: normal share only when the online check confirms (TEMP-2026).
            tx.error(ErrorCode::Paper(PaperRefusal::NotConfirmedOnline));
        }
        v @ (QualificationValidity::Invalid
        | QualificationValidity::InvalidNewerExists
        | QualificationValidity::MultipleMatches) => {
            if let Some(code) = ErrorCode::of_validity(v) {
                tx.error(code);
            }
        }
        QualificationValidity::NotFound => {
            let just_registered = query.so_far().known.just_registered();
            tx.error(ErrorCode::NoEligibilityData);
            if just_registered {
                tx.note(Notice::JustRegistered);
            }
            tx.note(Notice::DataReflectionPending {
                min_business_days: rules::rule_count(rules::CountRule::DataReflectionMinBusinessDays),
                max_business_days: rules::rule_count(rules::CountRule::DataReflectionMaxBusinessDays),
            });
        }
    }
}

/// 初診 on a 被保険者資格申立書: completed at the normal share, the declaration saved with it.
pub(super) fn complete_with_declaration(tx: &mut Tx, so_far: SoFar, declaration: paper::Declaration) {
    let record = reception_record(tx, &so_far, Basis::Declaration, Billing::NormalShare, None);
    finish(
        tx,
        so_far,
        None,
        ReceptionRecord {
            declaration: Some(declaration),
            ..record
        },
    );
}

/// Enter `Completed` and save everything in one call.
pub(super) fn complete(tx: &mut Tx, so_far: SoFar, basis: Basis, billing: Billing, found: Option<Found>) {
    let record = reception_record(tx, &so_far, basis, billing, found.as_ref());
    finish(tx, so_far, found, record);
}

fn finish(tx: &mut Tx, so_far: SoFar, found: Option<Found>, record: ReceptionRecord) {
    tx.go(Phase::Completed {
        basis: record.basis.clone(),
        billing: record.billing,
        so_far: SoFar { found, ..so_far },
    });
    tx.call(Call::SaveReception(Box::new(record)));
}

/// What is saved for this patient: what the reception established, and how it completed.
fn reception_record(
    tx: &Tx,
    so_far: &SoFar,
    basis: Basis,
    billing: Billing,
    found: Option<&Found>,
) -> ReceptionRecord {
    let known = &so_far.known;
    let grace = matches!(known.cert_status(), Some(CertStatus::Grace { .. }));
    let suspended = found.is_some_and(|f| f.record.medical_viewing_suspended);
    let online = matches!(basis, Basis::OnlineCard | Basis::OnlineSmartphone);
    let consent = known.consent();
    let medical = online && !grace && !suspended && consent.is_some_and(|c| c.any_medical());
    let problem = tx.st.session.problem;
    let refund_task = match billing {
        Billing::FullCharge => Some(RefundTask {
            visit_on: tx.today(),
            recheck_on: rules::data_reflection_window(tx.today()).1,
            problem,
            numbers: so_far.document.as_ref().map(|d| d.document.numbers.clone()),
        }),
        Billing::NormalShare => None,
    };
    ReceptionRecord {
        completed_at: tx.now,
        basis,
        billing,
        operator: tx.st.operator,
        method: known.method(),
        cert_serial: known.cert_serial(),
        cert_status: known.cert_status(),
        consent: if online { consent } else { None },
        prescription: known.prescription(),
        medical_info_available: medical,
        validity: found.and_then(|f| f.validity),
        eligibility: found.map(|f| f.record.clone()),
        confirmed_on: found.and_then(|f| f.confirmed_on),
        document: so_far.document.as_ref().map(|d| d.document.clone()),
        declaration: None,
        problem,
        refund_task,
        recheck_online: false,
    }
}

pub(super) fn on_previous(tx: &mut Tx, r: Result<Option<StoredEligibility>, StoreError>) {
    let Phase::LookingUpPrevious(so_far) = tx.st.phase.clone() else {
        return;
    };
    match r {
        Ok(Some(stored)) => {
            let on = stored.confirmed_on;
            let found = Found {
                validity: None,
                record: stored.record,
                confirmed_on: Some(on),
            };
            complete(
                tx,
                so_far,
                Basis::PreviousVisit { confirmed_on: on },
                Billing::NormalShare,
                Some(found),
            );
        }
        Ok(None) => {
            tx.go(Phase::Fallback {
                step: FallbackStep::PreviousVisit,
                so_far,
            });
            tx.note(Notice::PreviousVisitNotFound);
        }
        Err(_) => tx.fail(ErrorCode::StoreFailed, so_far),
    }
}

/// A failed save is never passed over: whatever screen is up by then, it gives way to the error.
pub(super) fn on_saved(tx: &mut Tx, r: Result<(), StoreError>) {
    if r.is_err() {
        tx.error(ErrorCode::StoreFailed);
    }
}
