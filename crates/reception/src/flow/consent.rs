//! Consent (domain.md §2): 包括 or item by item, 24 h validity from the rules table, the legacy 限度額 screen,
//! 処方箋の発行形態. Declining never blocks the eligibility check.

use super::*;

/// Consent, unless the certificate is in its grace period (eligibility only, S000 2-25).
pub(super) fn start_consent(tx: &mut Tx, who: Identified) {
    if who.grace() {
        after_limit(tx, who, None);
        tx.note(Notice::CertGraceEligibilityOnly);
    } else {
        ask(tx, who, Question::ConsentMode);
    }
}

pub(super) fn on_consent_mode(tx: &mut Tx, m: ConsentMode) {
    let Some(who) = asking(tx, Question::ConsentMode) else {
        return;
    };
    match m {
        ConsentMode::Comprehensive | ConsentMode::DeclineAll => {
            let yes = matches!(m, ConsentMode::Comprehensive);
            after_items(tx, who, m, [Some(yes); 3]);
        }
        ConsentMode::Individual => ask(
            tx,
            who,
            Question::ConsentItem {
                item: ConsentItem::TreatmentAndMedicine,
                answers: [None; 3],
            },
        ),
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
    let Phase::Questions {
        who,
        step: Question::ConsentItem { item, mut answers },
    } = tx.st.phase.clone()
    else {
        return;
    };
    if let Some(slot) = answers.get_mut(item_index(item)) {
        *slot = Some(yes);
    }
    match item.next() {
        Some(item) => ask(tx, who, Question::ConsentItem { item, answers }),
        None => after_items(tx, who, ConsentMode::Individual, answers),
    }
}

/// Items answered (an unanswered one counts as declined): record them with time and 24 h expiry, then the
/// legacy 限度額 screen if switched on.
pub(super) fn after_items(tx: &mut Tx, who: Identified, mode: ConsentMode, answers: [Option<bool>; 3]) {
    let [a, b, c] = answers;
    let consent = ConsentRecord {
        mode,
        treatment_and_medicine: a.unwrap_or(false),
        surgery: b.unwrap_or(false),
        health_checkup: c.unwrap_or(false),
        limit_info: true,
        given_at: tx.now,
        valid_until: rules::consent_valid_until(tx.now),
    };
    if rules::limit_consent_screen_shown(tx.st.settings.legacy_limit_screen, tx.today()) {
        ask(tx, who, Question::LimitConsent(consent));
    } else {
        after_limit(tx, who, Some(consent));
    }
}

/// Consent recorded (None: skipped): 処方箋の発行形態 if asked, else the query goes out.
pub(super) fn after_limit(tx: &mut Tx, who: Identified, consent: Option<ConsentRecord>) {
    if tx.st.settings.prescription_question {
        ask(tx, who, Question::PrescriptionForm(consent));
    } else {
        start_cert_query(
            tx,
            Consented {
                who,
                consent,
                prescription: None,
            },
        );
    }
}

/// Legacy 限度額 screen answered.
pub(super) fn on_limit_answer(tx: &mut Tx, yes: bool) {
    if let Phase::Questions {
        who,
        step: Question::LimitConsent(mut consent),
    } = tx.st.phase.clone()
    {
        consent.limit_info = yes;
        after_limit(tx, who, Some(consent));
    }
}

/// 電子 / 紙 chosen: the query goes out.
pub(super) fn on_prescription(tx: &mut Tx, f: PrescriptionForm) {
    if let Phase::Questions {
        who,
        step: Question::PrescriptionForm(consent),
    } = tx.st.phase.clone()
    {
        start_cert_query(
            tx,
            Consented {
                who,
                consent,
                prescription: Some(f),
            },
        );
    }
}
