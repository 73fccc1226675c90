//! Consent (domain.md §2): 包括 or item by item, 24 h validity from the rules table, the legacy 限度額 screen,
//! 処方箋の発行形態. Declining never blocks the eligibility check.

use super::*;

/// Consent, unless the certificate is in its grace period (eligibility only, S000 2-25).
pub(super) fn start_consent(tx: &mut Tx) {
    let grace = matches!(tx.st.session.cert_status, Some(CertStatus::Grace { .. }));
    if grace {
        tx.st.session.consent = None;
        after_limit(tx);
        tx.note(Notice::CertGraceEligibilityOnly);
    } else {
        tx.go(Phase::ConsentMode);
    }
}

pub(super) fn on_consent_mode(tx: &mut Tx, m: ConsentMode) {
    if tx.st.phase != Phase::ConsentMode {
        return;
    }
    match m {
        ConsentMode::Comprehensive => {
            tx.st.session.answers = [Some(true); 3];
            after_items(tx);
        }
        ConsentMode::DeclineAll => {
            tx.st.session.answers = [Some(false); 3];
            after_items(tx);
        }
        ConsentMode::Individual => tx.go(Phase::ConsentItem(ConsentItem::TreatmentAndMedicine)),
    }
}

pub(super) fn item_index(i: ConsentItem) -> usize {
    match i {
        ConsentItem::TreatmentAndMedicine => 0,
        ConsentItem::Surgery => 1,
        ConsentItem::HealthCheckup => 2,
    }
}

pub(super) fn on_consent_item(tx: &mut Tx, yes: bool) {
    let Phase::ConsentItem(item) = tx.st.phase else {
        return;
    };
    if let Some(slot) = tx.st.session.answers.get_mut(item_index(item)) {
        *slot = Some(yes);
    }
    match item.next() {
        Some(n) => tx.go(Phase::ConsentItem(n)),
        None => after_items(tx),
    }
}

/// Items answered: record them with time and 24 h expiry, then the legacy 限度額 screen if switched on.
pub(super) fn after_items(tx: &mut Tx) {
    let [a, b, c] = tx.st.session.answers;
    tx.st.session.consent = Some(ConsentRecord {
        treatment_and_medicine: a.unwrap_or(false),
        surgery: b.unwrap_or(false),
        health_checkup: c.unwrap_or(false),
        limit_info: true,
        given_at: tx.now,
        valid_until: rules::consent_valid_until(tx.now),
    });
    if rules::limit_consent_screen_shown(tx.st.settings.legacy_limit_screen) {
        tx.go(Phase::LimitConsent);
    } else {
        after_limit(tx);
    }
}

pub(super) fn after_limit(tx: &mut Tx) {
    if let (Some(c), Some(l)) = (tx.st.session.consent.as_mut(), tx.st.session.limit_answer) {
        c.limit_info = l;
    }
    if tx.st.settings.prescription_question {
        tx.go(Phase::PrescriptionForm);
    } else {
        start_cert_query(tx);
    }
}

/// Legacy 限度額 screen answered.
pub(super) fn on_limit_answer(tx: &mut Tx, yes: bool) {
    if tx.st.phase == Phase::LimitConsent {
        tx.st.session.limit_answer = Some(yes);
        after_limit(tx);
    }
}

/// 電子 / 紙 chosen: the query goes out.
pub(super) fn on_prescription(tx: &mut Tx, f: PrescriptionForm) {
    if tx.st.phase == Phase::PrescriptionForm {
        tx.st.session.prescription = Some(f);
        start_cert_query(tx);
    }
}
