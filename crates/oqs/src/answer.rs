//! How the mock OQS service answers a query: the pure part (no I/O, no clock, no faults).
//!
//! Given the service state, a request `XmlMsg` and "now", produce the result `XmlMsg` and, for card queries,
//! the consent record to store. The HTTP layer (`mock`) decides whether a fault replaces the answer and only
//! then commits the consent, as a real service that crashed would not have recorded it.
//! Deliberately not here: sockets, fault injection, time sources.

use crate::codes::*;
use crate::data::{Eligibility, PersonRecord};
use crate::derived::{fmt_date, fmt_timestamp, parse_yyyymmdd};
use crate::trust::{CertError, TrustAnchor};
use crate::xml::*;
use base64::Engine;
use chrono::{NaiveDate, NaiveDateTime};
use reception::rules::{self, CertStatus};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Consent choices recorded for a person (the flags as sent, and when).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsentRecord {
    pub selection: ConsentSelection,
    /// `ConsTime`.
    pub time: NaiveDateTime,
}

impl ConsentRecord {
    /// `*AvailableTime`: when the consent stops being valid ([`rules::consent_valid_until`], PORTAL-FAQ14).
    pub fn available_until(&self) -> NaiveDateTime {
        rules::consent_valid_until(self.time)
    }

    /// Does the consent still apply at `now`? ([`rules::consent_is_valid`])
    pub fn applies_at(&self, now: NaiveDateTime) -> bool {
        rules::consent_is_valid(self.time, now)
    }
}

/// Mutable state of the mock service.
#[derive(Debug, Clone, Default)]
pub struct ServiceState {
    pub data: Eligibility,
    pub revoked: BTreeSet<u64>,
    pub consents: HashMap<String, ConsentRecord>,
}

impl ServiceState {
    pub fn new(data: Eligibility) -> Self {
        let revoked = data.revoked.iter().copied().collect();
        ServiceState {
            data,
            revoked,
            consents: HashMap::new(),
        }
    }
}

/// An answer before fault injection.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The person the query resolved to, for per-person faults.
    pub person: Option<String>,
    pub msg: XmlMsg,
    /// Consent to store if the answer is delivered.
    pub consent: Option<(String, ConsentRecord)>,
    /// 保険証利用登録 to apply if the answer is delivered.
    pub register: Option<String>,
}

/// Header of every answer, echoing the request's identifiers.
fn answer_header(req: &XmlMsg, now: NaiveDateTime) -> MessageHeader {
    MessageHeader {
        process_execution_time: Some(fmt_timestamp(now)),
        qualification_confirmation_date: Some(
            req.header
                .qualification_confirmation_date
                .clone()
                .unwrap_or_else(|| fmt_date(now.date())),
        ),
        medical_institution_code: req.header.medical_institution_code.clone(),
        arbitrary_file_identifier: req.header.arbitrary_file_identifier.clone(),
        reference_classification: req.header.reference_classification.clone(),
        segment_of_result: Some(SegmentOfResult::Normal),
        error_code: None,
        error_message: None,
        character_code_identifier: Some(CharacterCodeIdentifier::Utf8),
    }
}

/// A per-person error answer (処理結果状況 2) with a simulated code.
fn person_error(req: &XmlMsg, now: NaiveDateTime, code: SimulatedCode) -> XmlMsg {
    XmlMsg {
        header: answer_header(req, now),
        body: MessageBody {
            processing_result_status: Some(ProcessingResultStatus::Error),
            processing_result_message: Some(code.label().to_owned()),
            processing_result_code: Some(code.code().to_owned()),
            ..Default::default()
        },
    }
}

fn plain(req: &XmlMsg, msg: XmlMsg) -> Prepared {
    let _ = req;
    Prepared {
        person: None,
        msg,
        consent: None,
        register: None,
    }
}

/// Answers an unparseable request body.
pub fn answer_unreadable(now: NaiveDateTime) -> Prepared {
    let req = XmlMsg::default();
    plain(&req, person_error(&req, now, SimulatedCode::BadRequest))
}

/// The date the eligibility is checked for: the request's, else today.
fn query_date(req: &XmlMsg, now: NaiveDateTime) -> NaiveDate {
    req.header
        .qualification_confirmation_date
        .as_deref()
        .and_then(parse_yyyymmdd)
        .unwrap_or(now.date())
}

/// Resolves the card certificate to a person, or the error code to answer with.
fn resolve_card<'a>(
    state: &'a ServiceState,
    anchor: &TrustAnchor,
    req: &XmlMsg,
    on: NaiveDate,
) -> Result<(&'a PersonRecord, CertStatus), SimulatedCode> {
    let b64 = req
        .body
        .card_auth_info
        .as_ref()
        .and_then(|c| c.auth_certificate.as_deref())
        .ok_or(SimulatedCode::BadRequest)?;
    let cleaned: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(cleaned.as_bytes())
        .map_err(|_| SimulatedCode::CertInvalid)?;
    let cert = anchor.check(&der, on).map_err(|e| match e {
        CertError::Expired => SimulatedCode::CertExpired,
        _ => SimulatedCode::CertInvalid,
    })?;
    if state.revoked.contains(&cert.serial) {
        return Err(SimulatedCode::CertRevoked);
    }
    let person = state
        .data
        .by_serial(cert.serial)
        .ok_or(SimulatedCode::UnknownCard)?;
    Ok((person, cert.status))
}

/// Answers a 資格確認 query (照会区分 1 by card, 2 by 記号番号).
pub fn answer_query(
    state: &ServiceState,
    anchor: &TrustAnchor,
    req: &XmlMsg,
    now: NaiveDateTime,
) -> Prepared {
    let on = query_date(req, now);
    match req.header.reference_classification {
        Some(ReferenceClassification::MyNumberCard) => answer_card(state, anchor, req, now, on),
        Some(ReferenceClassification::InsuranceCardInfo) => answer_numbers(state, req, now, on),
        _ => plain(req, person_error(req, now, SimulatedCode::BadRequest)),
    }
}

fn answer_card(
    state: &ServiceState,
    anchor: &TrustAnchor,
    req: &XmlMsg,
    now: NaiveDateTime,
    on: NaiveDate,
) -> Prepared {
    let (person, status) = match resolve_card(state, anchor, req, on) {
        Ok(found) => found,
        Err(code) => return plain(req, person_error(req, now, code)),
    };
    if !person.registered {
        let mut p = plain(req, person_error(req, now, SimulatedCode::NotRegistered));
        p.person = Some(person.id.clone());
        return p;
    }
    let selection = req
        .body
        .card_auth_info
        .as_ref()
        .and_then(|c| c.consent_selection.clone());
    // Grace-period certificates and suspended records get eligibility only (domain.md §1, §5).
    let grace = matches!(status, CertStatus::Grace { .. });
    let notice = match (status, person.suspended) {
        (CertStatus::Grace { .. }, _) => Some(SimulatedCode::CertGrace),
        (_, true) => Some(SimulatedCode::ViewingSuspended),
        (CertStatus::ExpiresSoon { .. }, false) => Some(SimulatedCode::CertExpiresSoon),
        // `resolve_card` answers Expired / NotYetValid with an error code, so only Valid gets here.
        (CertStatus::Valid | CertStatus::Expired | CertStatus::NotYetValid, false) => None,
    };
    let medical_blocked = grace || person.suspended;
    let consent = selection.as_ref().map(|s| ConsentRecord {
        selection: s.clone(),
        time: now,
    });
    let limit_ok = selection
        .as_ref()
        .and_then(|s| s.limit_application_certificate_related_cons_flg.clone())
        == Some(LimitConsentFlag::Consented);
    let medical = match (&consent, medical_blocked) {
        (Some(c), false) => Medical::Given(c),
        (Some(_), true) => Medical::Blocked,
        (None, _) => Medical::Omitted,
    };
    let disease_ok = selection.as_ref().and_then(|s| {
        s.specific_diseases_certificate_related_cons_flg
            .clone()
            .or(s.limit_application_certificate_related_cons_flg.clone())
    }) == Some(LimitConsentFlag::Consented);
    let consents = Consents {
        limit: limit_ok,
        disease: disease_ok,
        medical,
        at: now,
    };
    let (validity, results) = person_results(person, person.qualifications.iter(), on, &consents);
    let msg = XmlMsg {
        header: answer_header(req, now),
        body: MessageBody {
            processing_result_status: Some(ProcessingResultStatus::Normal),
            processing_result_code: notice.as_ref().map(|c| c.code().to_owned()),
            processing_result_message: notice.as_ref().map(|c| c.label().to_owned()),
            qualification_validity: Some(validity),
            prescription_issue_select: req.body.prescription_issue_select.clone(),
            result_list: (!results.is_empty()).then_some(ResultList { results }),
            ..Default::default()
        },
    };
    Prepared {
        person: Some(person.id.clone()),
        msg,
        consent: consent
            .filter(|_| !medical_blocked)
            .map(|c| (person.id.clone(), c)),
        register: None,
    }
}

fn trimmed(s: &Option<String>) -> &str {
    s.as_deref().map(str::trim).unwrap_or("")
}

fn answer_numbers(state: &ServiceState, req: &XmlMsg, now: NaiveDateTime, on: NaiveDate) -> Prepared {
    let Some(info) = req.body.qualification_confirm_search_info.as_ref() else {
        return plain(req, person_error(req, now, SimulatedCode::BadRequest));
    };
    if trimmed(&info.insurer_number).is_empty() || trimmed(&info.insured_identification_number).is_empty() {
        return plain(req, person_error(req, now, SimulatedCode::BadRequest));
    }
    let matches = |q: &ResultOfQualificationConfirmation| {
        trimmed(&q.insurer_number) == trimmed(&info.insurer_number)
            && trimmed(&q.insured_card_symbol) == trimmed(&info.insured_card_symbol)
            && trimmed(&q.insured_identification_number) == trimmed(&info.insured_identification_number)
            // 枝番 is optional in the query (old cards had none); when given it must match.
            && (trimmed(&info.insured_branch_number).is_empty()
                || trimmed(&q.insured_branch_number) == trimmed(&info.insured_branch_number))
            && trimmed(&q.birthdate) == trimmed(&info.birthdate)
    };
    let found = state
        .data
        .people
        .values()
        .find_map(|p| p.qualifications.iter().find(|q| matches(q)).map(|q| (p, q)));
    let mut body = MessageBody {
        processing_result_status: Some(ProcessingResultStatus::Normal),
        qualification_confirm_search_info: Some(info.clone()),
        ..Default::default()
    };
    let person_id = match found {
        None => {
            body.qualification_validity = Some(QualificationValidity::NoMatch);
            None
        }
        Some((person, q)) => {
            // A consent given at the reader within the last 24 h still applies (PORTAL-FAQ14).
            let medical = match state.consents.get(&person.id) {
                _ if person.suspended => Medical::Blocked,
                Some(c) if c.applies_at(now) => Medical::Given(c),
                _ => Medical::Omitted,
            };
            let limit =
                info.limit_application_certificate_related_cons_flg == Some(LimitConsentFlag::Consented);
            let consents = Consents {
                limit,
                disease: limit,
                medical,
                at: now,
            };
            let (validity, results) = person_results(person, std::iter::once(q), on, &consents);
            body.qualification_validity = Some(validity);
            body.result_list = (!results.is_empty()).then_some(ResultList { results });
            Some(person.id.clone())
        }
    };
    Prepared {
        person: person_id,
        msg: XmlMsg {
            header: answer_header(req, now),
            body,
        },
        consent: None,
        register: None,
    }
}

/// Answers a 保険証利用登録 request (card certificate in `CardAuthInfo`).
pub fn answer_registration(
    state: &ServiceState,
    anchor: &TrustAnchor,
    req: &XmlMsg,
    now: NaiveDateTime,
) -> Prepared {
    let on = query_date(req, now);
    let (person, _) = match resolve_card(state, anchor, req, on) {
        Ok(found) => found,
        Err(code) => return plain(req, person_error(req, now, code)),
    };
    let code = if person.registered {
        SimulatedCode::AlreadyRegistered
    } else {
        SimulatedCode::Registered
    };
    let msg = XmlMsg {
        header: answer_header(req, now),
        body: MessageBody {
            processing_result_status: Some(ProcessingResultStatus::Normal),
            processing_result_code: Some(code.code().to_owned()),
            processing_result_message: Some(code.label().to_owned()),
            ..Default::default()
        },
    };
    Prepared {
        person: Some(person.id.clone()),
        msg,
        consent: None,
        register: Some(person.id.clone()),
    }
}

/// 紐付け誤り: turns a card query's `answer` into one showing persona `shown`'s first record instead, with
/// 資格有効性 1 and no error code, as a mis-linked card does in the field (the name and birthdate are someone
/// else's). No consent flags or 限度額 information flow with a stranger's record. The header (date, file id)
/// is kept. Returns false, leaving `answer` untouched, when `shown` is unknown or has no record.
pub fn show_other_person(state: &ServiceState, answer: &mut XmlMsg, shown: &str, now: NaiveDateTime) -> bool {
    let Some(q) = state
        .data
        .people
        .get(shown)
        .and_then(|p| p.qualifications.first())
    else {
        return false;
    };
    let consents = Consents {
        limit: false,
        disease: false,
        medical: Medical::Omitted,
        at: now,
    };
    let body = &mut answer.body;
    body.processing_result_status = Some(ProcessingResultStatus::Normal);
    body.processing_result_code = None;
    body.processing_result_message = None;
    body.qualification_validity = Some(QualificationValidity::Valid);
    body.result_list = Some(ResultList {
        results: vec![fill_result(q, &consents)],
    });
    answer.header.segment_of_result = Some(SegmentOfResult::Normal);
    answer.header.error_code = None;
    answer.header.error_message = None;
    true
}

/// What to do with the medical-information consent fields.
enum Medical<'a> {
    /// No consent step happened (generic reader, or nothing recorded): omit the fields.
    Omitted,
    /// Viewing is not allowed (grace certificate, suspended record): flags 0, no times.
    Blocked,
    Given(&'a ConsentRecord),
}

struct Consents<'a> {
    limit: bool,
    disease: bool,
    medical: Medical<'a>,
    at: NaiveDateTime,
}

/// Result entries for `person`, and the body-level 資格有効性.
fn person_results<'q>(
    person: &PersonRecord,
    quals: impl Iterator<Item = &'q ResultOfQualificationConfirmation>,
    on: NaiveDate,
    consents: &Consents<'_>,
) -> (QualificationValidity, Vec<ResultOfQualificationConfirmation>) {
    if person.pending {
        // Insurer data not linked yet: the system knows nothing (資格情報なし).
        return (QualificationValidity::NoMatch, Vec::new());
    }
    let results: Vec<_> = quals.map(|q| fill_result(q, consents)).collect();
    let all_ended = !results.is_empty()
        && results.iter().all(|r| {
            r.insured_card_expiration_date
                .as_deref()
                .and_then(parse_yyyymmdd)
                .is_some_and(|end| end < on)
        });
    let validity = match &person.validity {
        // A 有効 record whose every entry ended before the query date is 無効 on that date.
        QualificationValidity::Valid if all_ended => QualificationValidity::Invalid,
        v => v.clone(),
    };
    (validity, results)
}

fn fill_result(q: &ResultOfQualificationConfirmation, c: &Consents<'_>) -> ResultOfQualificationConfirmation {
    let mut r = q.clone();
    // 限度額 and 特定疾病 information only flow with their consent flag.
    if c.limit {
        r.limit_application_certificate_related_cons_flg = Some(LimitConsentFlag::Consented);
        r.limit_application_certificate_related_cons_time = Some(fmt_timestamp(c.at));
    } else {
        r.limit_application_certificate_related_cons_flg = Some(LimitConsentFlag::NotConsented);
        r.limit_application_certificate_related_info = None;
    }
    if r.specific_diseases_certificate_list.is_some() {
        if c.disease {
            r.specific_diseases_certificate_related_cons_flg = Some(LimitConsentFlag::Consented);
            r.specific_diseases_certificate_related_cons_time = Some(fmt_timestamp(c.at));
        } else {
            r.specific_diseases_certificate_related_cons_flg = Some(LimitConsentFlag::NotConsented);
            r.specific_diseases_certificate_list = None;
        }
    }
    apply_medical(&mut r, &c.medical);
    r
}

/// Writes the ten medical-information consent triples (flag, ConsTime, AvailableTime).
fn apply_medical(r: &mut ResultOfQualificationConfirmation, m: &Medical<'_>) {
    let empty = ConsentSelection::default();
    let (sel, times) = match m {
        Medical::Omitted => return,
        Medical::Blocked => (&empty, None),
        Medical::Given(c) => (
            &c.selection,
            Some((fmt_timestamp(c.time), fmt_timestamp(c.available_until()))),
        ),
    };
    let slots = [
        (
            &sel.specific_health_checkups_info_cons_flg,
            &mut r.specific_health_checkups_info_cons_flg,
            &mut r.specific_health_checkups_info_cons_time,
            &mut r.specific_health_checkups_info_available_time,
        ),
        (
            &sel.pharmacists_info_cons_flg,
            &mut r.pharmacists_info_cons_flg,
            &mut r.pharmacists_info_cons_time,
            &mut r.pharmacists_info_available_time,
        ),
        (
            &sel.diagnosis_info_cons_flg,
            &mut r.diagnosis_info_cons_flg,
            &mut r.diagnosis_info_cons_time,
            &mut r.diagnosis_info_available_time,
        ),
        (
            &sel.operation_info_cons_flg,
            &mut r.operation_info_cons_flg,
            &mut r.operation_info_cons_time,
            &mut r.operation_info_available_time,
        ),
        (
            &sel.diagnosis_name_cons_flg,
            &mut r.diagnosis_name_cons_flg,
            &mut r.diagnosis_name_cons_time,
            &mut r.diagnosis_name_available_time,
        ),
        (
            &sel.infectious_info_cons_flg,
            &mut r.infectious_info_cons_flg,
            &mut r.infectious_info_cons_time,
            &mut r.infectious_info_available_time,
        ),
        (
            &sel.allergy_info_cons_flg,
            &mut r.allergy_info_cons_flg,
            &mut r.allergy_info_cons_time,
            &mut r.allergy_info_available_time,
        ),
        (
            &sel.contraindication_info_cons_flg,
            &mut r.contraindication_info_cons_flg,
            &mut r.contraindication_info_cons_time,
            &mut r.contraindication_info_available_time,
        ),
        (
            &sel.test_info_cons_flg,
            &mut r.test_info_cons_flg,
            &mut r.test_info_cons_time,
            &mut r.test_info_available_time,
        ),
        (
            &sel.prescription_info_cons_flg,
            &mut r.prescription_info_cons_flg,
            &mut r.prescription_info_cons_time,
            &mut r.prescription_info_available_time,
        ),
    ];
    for (chosen, flag, cons_time, available) in slots {
        let consented = *chosen == Some(ConsentFlag::Consented);
        // 「同意しない」 sets the flag to 0 and leaves the times empty (domain.md §2(b) 2).
        *flag = Some(if consented {
            ConsentFlag::Consented
        } else {
            ConsentFlag::NotConsented
        });
        match (&times, consented) {
            (Some((t, a)), true) => {
                *cons_time = Some(t.clone());
                *available = Some(a.clone());
            }
            _ => {
                *cons_time = None;
                *available = None;
            }
        }
    }
}
