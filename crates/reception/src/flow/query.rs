//! The eligibility query (by certificate or by a document's numbers), its answers and failures, and
//! completing a reception: the record that is saved, in one call.

use super::*;

pub(super) fn start_cert_query(tx: &mut Tx) {
    let Some(cert) = cert_ref(&tx.st.session) else {
        tx.error(ErrorCode::CardUnreadable);
        return;
    };
    let grace = matches!(tx.st.session.cert_status, Some(CertStatus::Grace { .. }));
    let consent = tx.st.session.consent;
    let q = CertQuery {
        cert,
        proof: tx.st.session.proof.clone(),
        consent,
        prescription: tx.st.session.prescription,
        medical_info_allowed: !grace && consent.is_some_and(|c| c.any_medical()),
        date: tx.today(),
    };
    tx.go(Phase::Querying {
        started: tx.now,
        polls: 0,
        waiting_poll: false,
        query: PendingQuery::Cert(q.clone()),
    });
    tx.call(Call::QueryByCertificate(q));
}

pub(super) fn start_number_query(tx: &mut Tx, doc: AcceptedDocument, accept_offline: bool) {
    let n = &doc.numbers;
    let q = NumberQuery {
        insurer_number: n.insurer_number.clone(),
        symbol: n.symbol.clone(),
        number: n.number.clone(),
        branch: n.branch.clone(),
        birthdate: n.birthdate,
        date: tx.today(),
    };
    tx.st.session.document = Some((doc, accept_offline));
    tx.go(Phase::Querying {
        started: tx.now,
        polls: 0,
        waiting_poll: false,
        query: PendingQuery::Numbers(q.clone()),
    });
    tx.call(Call::QueryByNumbers(q));
}

/// Ask the same question again (after 処理中).
pub(super) fn resend_query(tx: &mut Tx, query: PendingQuery) {
    match query {
        PendingQuery::Cert(q) => tx.call(Call::QueryByCertificate(q)),
        PendingQuery::Numbers(q) => tx.call(Call::QueryByNumbers(q)),
    }
}

pub(super) fn on_answer(tx: &mut Tx, r: Result<EligibilityResponse, EligibilityError>) {
    let Phase::Querying {
        started,
        polls,
        waiting_poll: false,
        ref query,
    } = tx.st.phase
    else {
        return;
    };
    let query = query.clone();
    let numbers = matches!(query, PendingQuery::Numbers(_));
    let offline_ok = tx.st.session.document.as_ref().is_some_and(|(_, ok)| *ok);
    match r {
        Ok(resp) => match resp.segment {
            Segment::Normal => on_validity(tx, resp, numbers),
            Segment::Processing => {
                if polls.saturating_add(1) >= tx.st.settings.max_polls {
                    communication_failed(tx, ErrorCode::ServiceProcessing, offline_ok);
                } else {
                    tx.go(Phase::Querying {
                        started,
                        polls: polls.saturating_add(1),
                        waiting_poll: true,
                        query,
                    });
                }
            }
            Segment::Error { .. } => communication_failed(tx, ErrorCode::ServiceError, offline_ok),
        },
        Err(EligibilityError::Timeout) => communication_failed(tx, ErrorCode::QueryTimeout, offline_ok),
        Err(EligibilityError::Unavailable) => {
            communication_failed(tx, ErrorCode::ServiceUnavailable, offline_ok)
        }
        Err(EligibilityError::Malformed(_)) => {
            communication_failed(tx, ErrorCode::MalformedResponse, offline_ok)
        }
    }
}

/// The service could not answer. Card + お知らせ stands on its own then (S000 2-19); otherwise error.
pub(super) fn communication_failed(tx: &mut Tx, code: ErrorCode, offline_ok: bool) {
    if offline_ok {
        if let Some((doc, _)) = tx.st.session.document.clone() {
            let kind = doc.kind;
            complete(tx, Basis::Document(kind), Billing::NormalShare, None, None, None);
            tx.note(Notice::AcceptedOffline);
            return;
        }
    }
    tx.error(code);
}

/// A normal answer: act on 資格有効性. `numbers`: the question was asked by a document's numbers.
pub(super) fn on_validity(tx: &mut Tx, resp: EligibilityResponse, numbers: bool) {
    let temporary_doc = tx
        .st
        .session
        .document
        .as_ref()
        .is_some_and(|(_, offline)| !*offline);
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
            let basis = if numbers {
                let kind = tx.st.session.document.as_ref().map(|(d, _)| d.kind);
                match kind {
                    Some(k) => Basis::OnlineNumbers(k),
                    None => Basis::OnlineNumbers(paper::DocumentKind::Notice),
                }
            } else if tx.st.session.phone.is_some() {
                Basis::OnlineSmartphone
            } else {
                Basis::OnlineCard
            };
            let suspended = record.medical_viewing_suspended;
            complete(
                tx,
                basis,
                Billing::NormalShare,
                Some(v),
                Some(record),
                Some(resp.confirmed_on),
            );
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
        QualificationValidity::Invalid => tx.error(ErrorCode::EligibilityInvalid),
        QualificationValidity::InvalidNewerExists => tx.error(ErrorCode::EligibilityInvalidNewerExists),
        QualificationValidity::NotFound => {
            tx.error(ErrorCode::NoEligibilityData);
            if tx.st.session.just_registered {
                tx.note(Notice::JustRegistered);
            }
            let (from, to) = rules::data_reflection_window(tx.today());
            tx.note(Notice::DataReflectionPending { from, to });
        }
        QualificationValidity::MultipleMatches => tx.error(ErrorCode::MultipleMatches),
    }
}

/// 初診 on a 被保険者資格申立書: completed at the normal share, the declaration saved with it.
pub(super) fn complete_with_declaration(tx: &mut Tx, declaration: paper::Declaration) {
    let record = reception_record(tx, Basis::Declaration, Billing::NormalShare, None, None, None);
    finish(
        tx,
        ReceptionRecord {
            declaration: Some(declaration),
            ..record
        },
    );
}

/// Enter `Completed` and save everything in one call.
pub(super) fn complete(
    tx: &mut Tx,
    basis: Basis,
    billing: Billing,
    validity: Option<QualificationValidity>,
    eligibility: Option<EligibilityRecord>,
    confirmed_on: Option<NaiveDate>,
) {
    let record = reception_record(tx, basis, billing, validity, eligibility, confirmed_on);
    finish(tx, record);
}

pub(super) fn finish(tx: &mut Tx, record: ReceptionRecord) {
    tx.st.session.result = record
        .eligibility
        .clone()
        .map(|e| (record.validity, e, record.confirmed_on));
    tx.go(Phase::Completed {
        basis: record.basis.clone(),
        billing: record.billing,
    });
    tx.call(Call::SaveReception(Box::new(record)));
}

/// What is saved for this patient, from the session.
pub(super) fn reception_record(
    tx: &Tx,
    basis: Basis,
    billing: Billing,
    validity: Option<QualificationValidity>,
    eligibility: Option<EligibilityRecord>,
    confirmed_on: Option<NaiveDate>,
) -> ReceptionRecord {
    let s = &tx.st.session;
    let grace = matches!(s.cert_status, Some(CertStatus::Grace { .. }));
    let suspended = eligibility.as_ref().is_some_and(|e| e.medical_viewing_suspended);
    let online = matches!(basis, Basis::OnlineCard | Basis::OnlineSmartphone);
    let medical = online && !grace && !suspended && s.consent.is_some_and(|c| c.any_medical());
    let cert_serial = match (&s.phone, &s.card) {
        (Some((_, Some(info))), _) => Some(info.serial.clone()),
        (Some((_, None)), Some(c)) | (None, Some(c)) => Some(c.cert.serial.clone()),
        (Some((_, None)), None) | (None, None) => None,
    };
    let refund_task = match billing {
        Billing::FullCharge => Some(RefundTask {
            visit_on: tx.today(),
            recheck_on: rules::data_reflection_window(tx.today()).1,
            problem: s.problem,
            numbers: s.document.as_ref().map(|(d, _)| d.numbers.clone()),
        }),
        Billing::NormalShare => None,
    };
    ReceptionRecord {
        completed_at: tx.now,
        basis,
        billing,
        operator: tx.st.operator,
        method: s.method,
        cert_serial,
        cert_status: s.cert_status,
        consent: if online { s.consent } else { None },
        prescription: s.prescription,
        medical_info_available: medical,
        validity,
        eligibility,
        confirmed_on,
        document: s.document.as_ref().map(|(d, _)| d.clone()),
        declaration: None,
        problem: s.problem,
        refund_task,
    }
}

pub(super) fn on_previous(tx: &mut Tx, r: Result<Option<StoredEligibility>, StoreError>) {
    if tx.st.phase != Phase::LookingUpPrevious {
        return;
    }
    match r {
        Ok(Some(stored)) => {
            let on = stored.confirmed_on;
            complete(
                tx,
                Basis::PreviousVisit { confirmed_on: on },
                Billing::NormalShare,
                None,
                Some(stored.record),
                Some(on),
            );
        }
        Ok(None) => {
            tx.go(Phase::Fallback(FallbackStep::PreviousVisit));
            tx.note(Notice::PreviousVisitNotFound);
        }
        Err(_) => tx.error(ErrorCode::StoreFailed),
    }
}

/// A failed save is never passed over: whatever screen is up by then, it gives way to the error.
pub(super) fn on_saved(tx: &mut Tx, r: Result<(), StoreError>) {
    if r.is_err() {
        tx.error(ErrorCode::StoreFailed);
    }
}
