//! `EligibilityPort` — the reception flow's `OnlineEligibility` port (オンライン資格確認) over [`OqsClient`].
//!
//! Maps `reception::model` requests onto `XmlMsg` queries and the answers back onto the flow's plain types:
//!
//! - **Failures.** `QueryError::Timeout` → `Timeout`; `ConnectionRefused` / `Unavailable` / `HttpStatus` →
//!   `Unavailable`; `Malformed` → `Malformed`. For queries, 処理中 and 異常終了 are *answers*, not failures:
//!   `Processing` → `Ok(segment Processing)` (the flow polls), `Error{code}` → `Ok(segment Error{code})`.
//!   A per-person error (`ProcessingResultStatus` 2, e.g. `SIM-E02` revoked) also becomes `segment Error{code}`
//!   so its code survives; the flow has no finer slot for it.
//! - **Answers.** 資格有効性 1–6 map one to one; 4 (該当資格なし / 資格情報なし) arrives without a record. The
//!   record is the first `ResultOfQualificationConfirmation`; 負担割合 comes from [`derived::burden_share`] at
//!   the confirmation date; `SIM-W03` marks suspended medical-information viewing. A normal answer without a
//!   readable 資格有効性, or with a result lacking 保険者番号 / 番号 / 生年月日, is `Malformed`.
//! - **Consent** (domain.md §2(b)): 診療・お薬 → Pharmacists + Diagnosis, 手術 → Operation, 健診 →
//!   SpecificHealthCheckups; 限度額 (and 特定疾病, which has no screen) = 1 unless the legacy screen said no.
//!   With `medical_info_allowed == false` (grace certificate, or nothing agreed) every medical flag is sent as
//!   0; a grace query without a consent record still sends 限度額 = 1 (card checks always do).
//! - **Registration.** The mock has no status call: `registration_status` sends a card query *without*
//!   consent (the mock records nothing for it) and reads `SIM-E01` (and `SIM-E06`, card unknown) as
//!   `NotRegistered`; any other answer means the card is registered and the real query reports the rest.
//!   A live OQS would need its own status call here. `register` posts `/oqs/registration`.
//! - **Certificate bytes.** The port gets only the serial; the DER comes from a lookup the app fills from the
//!   card adapter. A missing DER is `Malformed("certificate not read")` and nothing is sent: it is not a
//!   communication failure (which would let the flow accept a document offline), and the flow shows
//!   it as an unreadable answer.
//! - **File interface.** After every `query_by_certificate` answer with segment Normal, the answer is written
//!   as `OQSsiquc01res_face_<YYYYMMDDHHMMSS>.xml` into the configured folder and charset, at the time the
//!   clock closure gives. A write failure is logged (tracing) and never fails the reception.
//!
//! Deliberately not here: retries and polling (the flow decides), the possession proof (our request format
//! has no element for it and the mock does not check it), 記号番号 限度額 consent (the flow's `NumberQuery`
//! has no verbal-consent field, so it is sent as 0), and any My Number — nothing here has a field for one.

use crate::client::{CardQuery, OqsClient, QueryError};
use crate::codes::{
    ConsentFlag, LimitConsentFlag, PersonalFamilyClassification, PrescriptionIssueSelect,
    ProcessingResultStatus, SimulatedCode,
};
use crate::derived::{burden_share, parse_timestamp, parse_yyyymmdd};
use crate::files::write_face_result;
use crate::xml::{Charset, ConsentSelection, ResultOfQualificationConfirmation, XmlMsg};
use chrono::{NaiveDate, NaiveDateTime};
use reception::model::{
    CertQuery, CertRef, ConsentRecord, EligibilityError, EligibilityRecord, EligibilityResponse, NumberQuery,
    PrescriptionForm, QualificationValidity, Registration, Relationship, ReturnedConsent, Segment,
};
use reception::OnlineEligibility;
use std::path::{Path, PathBuf};

/// Certificate serial (hex, as in `CertRef`) → DER of that 利用者証明用電子証明書, if the card adapter read it.
pub type CertLookup = Box<dyn Fn(&str) -> Option<Vec<u8>> + Send>;

/// Clinic-local wall time, for result file names and registration dates.
pub type WallClock = Box<dyn Fn() -> NaiveDateTime + Send>;

/// The message of the error returned when the lookup has no DER for a serial.
pub const CERT_NOT_READ: &str = "certificate not read";

/// Where face result files go (資格確認端末 "face output folder"), and in which encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceOutput {
    pub dir: PathBuf,
    pub charset: Charset,
}

/// The `OnlineEligibility` adapter over the OQS client.
pub struct EligibilityPort {
    client: OqsClient,
    cert_der: CertLookup,
    clock: WallClock,
    face_output: Option<FaceOutput>,
    last_face_file: Option<PathBuf>,
}

impl std::fmt::Debug for EligibilityPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EligibilityPort")
            .field("client", &self.client.config())
            .field("face_output", &self.face_output)
            .finish_non_exhaustive()
    }
}

impl EligibilityPort {
    /// A port over `client`; `cert_der` resolves serials to certificates, `clock` stamps result files.
    /// No face result files are written until [`Self::with_face_output`] names a folder.
    pub fn new(client: OqsClient, cert_der: CertLookup, clock: WallClock) -> Self {
        EligibilityPort {
            client,
            cert_der,
            clock,
            face_output: None,
            last_face_file: None,
        }
    }

    /// Writes `OQSsiquc01res_face_*.xml` into `dir` in `charset` after each normal card answer.
    pub fn with_face_output(mut self, dir: impl Into<PathBuf>, charset: Charset) -> Self {
        self.face_output = Some(FaceOutput {
            dir: dir.into(),
            charset,
        });
        self
    }

    /// The configured face output, if any.
    pub fn face_output(&self) -> Option<&FaceOutput> {
        self.face_output.as_ref()
    }

    /// The face result file written by the last successful write (for the staff view / diagnostics).
    pub fn last_face_file(&self) -> Option<&Path> {
        self.last_face_file.as_deref()
    }

    fn der_of(&self, cert: &CertRef) -> Result<Vec<u8>, EligibilityError> {
        let serial = match cert {
            CertRef::Card { serial } | CertRef::Smartphone { serial, .. } => serial,
        };
        (self.cert_der)(serial).ok_or_else(|| EligibilityError::Malformed(CERT_NOT_READ.to_owned()))
    }

    /// Writes the face result; failures are logged only — the patient's reception must go on.
    fn write_face_file(&mut self, msg: &XmlMsg) {
        let Some(out) = &self.face_output else {
            return;
        };
        match write_face_result(&out.dir, msg, out.charset, (self.clock)()) {
            Ok(path) => self.last_face_file = Some(path),
            Err(e) => tracing::warn!(error = %e, "face result file not written; reception continues"),
        }
    }

    /// Card query without consent: used only to learn the registration state.
    fn probe(&self, der: Vec<u8>) -> Result<XmlMsg, QueryError> {
        self.client.query_by_card(&CardQuery {
            auth_cert_der: der,
            consent: None,
            prescription: None,
            confirmation_date: (self.clock)().date(),
        })
    }
}

impl OnlineEligibility for EligibilityPort {
    fn registration_status(&mut self, cert: &CertRef) -> Result<Registration, EligibilityError> {
        let der = self.der_of(cert)?;
        let msg = self.probe(der).map_err(transport_error)?;
        Ok(match person_error_code(&msg) {
            Some(code) if means_unregistered(code) => Registration::NotRegistered,
            // Revoked / invalid certificates are not a registration matter: the real query reports them.
            _ => Registration::Registered,
        })
    }

    fn register(&mut self, cert: &CertRef) -> Result<Registration, EligibilityError> {
        let der = self.der_of(cert)?;
        let msg = self
            .client
            .register(&der, (self.clock)().date())
            .map_err(transport_error)?;
        Ok(match person_error_code(&msg) {
            None => Registration::Registered,
            Some(code) => {
                // The flow turns this into 資格情報なし; keep the service's reason in the log.
                tracing::info!(code, "保険証利用登録 refused by the service");
                Registration::NotRegistered
            }
        })
    }

    fn query_by_certificate(&mut self, q: &CertQuery) -> Result<EligibilityResponse, EligibilityError> {
        let der = self.der_of(&q.cert)?;
        let query = CardQuery {
            auth_cert_der: der,
            consent: Some(consent_selection(q.consent.as_ref(), q.medical_info_allowed)),
            prescription: q.prescription.map(prescription),
            confirmation_date: q.date,
        };
        let msg = match self.client.query_by_card(&query) {
            Ok(msg) => msg,
            Err(e) => return query_failure(e, q.date),
        };
        let resp = response_from_msg(&msg, q.date)?;
        if resp.segment == Segment::Normal {
            self.write_face_file(&msg);
        }
        Ok(resp)
    }

    fn query_by_numbers(&mut self, q: &NumberQuery) -> Result<EligibilityResponse, EligibilityError> {
        // The desk asks the patient for the 限度額・特定疾病 consent a number query carries (domain.md §2(a)).
        match self.client.query_by_numbers(q, q.limit_consent) {
            Ok(msg) => response_from_msg(&msg, q.date),
            Err(e) => query_failure(e, q.date),
        }
    }
}

/// Simulated codes meaning "this card is not registered for insurance use".
fn means_unregistered(code: &str) -> bool {
    code == SimulatedCode::NotRegistered.code() || code == SimulatedCode::UnknownCard.code()
}

/// The per-person error code (`ProcessingResultStatus` 2), if the answer is one.
fn person_error_code(msg: &XmlMsg) -> Option<&str> {
    (msg.body.processing_result_status == Some(ProcessingResultStatus::Error))
        .then(|| msg.body.processing_result_code.as_deref().unwrap_or(""))
}

/// Transport and format failures, common to every call.
pub fn transport_error(e: QueryError) -> EligibilityError {
    match e {
        QueryError::Timeout => EligibilityError::Timeout,
        QueryError::ConnectionRefused | QueryError::Unavailable(_) | QueryError::HttpStatus(_) => {
            EligibilityError::Unavailable
        }
        QueryError::Malformed(m) => EligibilityError::Malformed(m),
        // Registration calls have no segment slot: a service that cannot answer now is unavailable.
        QueryError::Processing { .. } | QueryError::Error { .. } => EligibilityError::Unavailable,
    }
}

/// A failed query: 処理中 / 異常終了 are answers the flow acts on; the rest are port errors.
pub fn query_failure(e: QueryError, date: NaiveDate) -> Result<EligibilityResponse, EligibilityError> {
    let segment = match e {
        QueryError::Processing { .. } => Segment::Processing,
        QueryError::Error { code, .. } => Segment::Error { code },
        other => return Err(transport_error(other)),
    };
    Ok(EligibilityResponse {
        segment,
        validity: None,
        record: None,
        confirmed_on: date,
    })
}

fn prescription(p: PrescriptionForm) -> PrescriptionIssueSelect {
    match p {
        PrescriptionForm::Electronic => PrescriptionIssueSelect::Electronic,
        PrescriptionForm::Paper => PrescriptionIssueSelect::Paper,
    }
}

/// The reader's consent choices as the request's `ConsentSelection` (domain.md §2(b) 1, 4, 5).
///
/// Medical flags are sent only when `medical_info_allowed`; otherwise all 0. 限度額 is 1 for card checks
/// unless the legacy screen recorded "no"; 特定疾病 has no screen and follows 限度額 (both are billing
/// information, not 要配慮個人情報). The 2025 items (傷病名 …) have no confirmed UI yet and are left out.
pub fn consent_selection(consent: Option<&ConsentRecord>, medical_info_allowed: bool) -> ConsentSelection {
    let flag = |agreed: bool| {
        Some(if agreed && medical_info_allowed {
            ConsentFlag::Consented
        } else {
            ConsentFlag::NotConsented
        })
    };
    let limit = if consent.is_none_or(|c| c.limit_info) {
        LimitConsentFlag::Consented
    } else {
        LimitConsentFlag::NotConsented
    };
    let treatment = consent.is_some_and(|c| c.treatment_and_medicine);
    ConsentSelection {
        limit_application_certificate_related_cons_flg: Some(limit.clone()),
        specific_diseases_certificate_related_cons_flg: Some(limit),
        specific_health_checkups_info_cons_flg: flag(consent.is_some_and(|c| c.health_checkup)),
        pharmacists_info_cons_flg: flag(treatment),
        diagnosis_info_cons_flg: flag(treatment),
        operation_info_cons_flg: flag(consent.is_some_and(|c| c.surgery)),
        ..Default::default()
    }
}

/// Maps an answer that the client classified as 正常終了 onto the flow's response.
///
/// `fallback_date` (the query's date) is used when the answer has no readable `QualificationConfirmationDate`.
pub fn response_from_msg(
    msg: &XmlMsg,
    fallback_date: NaiveDate,
) -> Result<EligibilityResponse, EligibilityError> {
    let confirmed_on = msg
        .header
        .qualification_confirmation_date
        .as_deref()
        .and_then(parse_yyyymmdd)
        .unwrap_or(fallback_date);
    if let Some(code) = person_error_code(msg) {
        return Ok(EligibilityResponse {
            segment: Segment::Error {
                code: code.to_owned(),
            },
            validity: None,
            record: None,
            confirmed_on,
        });
    }
    let validity = match &msg.body.qualification_validity {
        Some(v) => QualificationValidity::try_from(v).map_err(|e| malformed(&e.to_string()))?,
        None => return Err(malformed("QualificationValidity missing")),
    };
    let suspended =
        msg.body.processing_result_code.as_deref() == Some(SimulatedCode::ViewingSuspended.code());
    let record = msg
        .first_result()
        .map(|r| record(r, confirmed_on, suspended))
        .transpose()?;
    Ok(EligibilityResponse {
        segment: Segment::Normal,
        validity: Some(validity),
        record,
        confirmed_on,
    })
}

fn malformed(what: &str) -> EligibilityError {
    EligibilityError::Malformed(what.to_owned())
}

/// Trimmed text, `None` when absent or blank.
fn text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// One result entry reduced to what reception needs.
fn record(
    r: &ResultOfQualificationConfirmation,
    on: NaiveDate,
    suspended: bool,
) -> Result<EligibilityRecord, EligibilityError> {
    let insurer_number = text(&r.insurer_number).ok_or_else(|| malformed("InsurerNumber missing"))?;
    let number = text(&r.insured_identification_number)
        .ok_or_else(|| malformed("InsuredIdentificationNumber missing"))?;
    let birthdate = r
        .birthdate
        .as_deref()
        .and_then(parse_yyyymmdd)
        .ok_or_else(|| malformed("Birthdate missing or not YYYYMMDD"))?;
    let relationship = match &r.personal_family_classification {
        Some(PersonalFamilyClassification::Insured) => Some(Relationship::Insured),
        Some(PersonalFamilyClassification::Dependant) => Some(Relationship::Dependant),
        // Empty for 後期高齢者; an unknown code is shown as "not stated" rather than guessed.
        Some(PersonalFamilyClassification::Unknown(_)) | None => None,
    };
    let date = |s: &Option<String>| s.as_deref().and_then(parse_yyyymmdd);
    Ok(EligibilityRecord {
        insurer_number,
        insurer_name: text(&r.insurer_name).unwrap_or_default(),
        symbol: text(&r.insured_card_symbol),
        number,
        branch: text(&r.insured_branch_number),
        // `Name` is the patient; `InsuredName` may be the parent (被保険者) of a 家族 patient.
        name: text(&r.name).unwrap_or_default(),
        name_kana: r.name_kana.clone().unwrap_or_default(),
        birthdate,
        sex: match r.sex1 {
            Some(crate::codes::Sex::Male) => reception::paper::Sex::Male,
            Some(crate::codes::Sex::Female) => reception::paper::Sex::Female,
            Some(crate::codes::Sex::NotSet | crate::codes::Sex::Unknown(_)) | None => {
                reception::paper::Sex::Unstated
            }
        },
        relationship,
        copay_percent: Some(burden_share(r, on).percent),
        valid_from: date(&r.insured_card_valid_date),
        valid_until: date(&r.insured_card_expiration_date),
        consent: returned_consent(r),
        medical_viewing_suspended: suspended,
        elderly: r
            .elderly_recipient_certificate_info
            .as_ref()
            .map(|e| reception::model::ElderlyRecipient {
                copay_percent: text(&e.elderly_recipient_contribution_ratio).and_then(|p| p.parse().ok()),
                valid_from: date(&e.elderly_recipient_valid_start_date),
                valid_until: date(&e.elderly_recipient_valid_end_date),
            }),
        limit: r
            .limit_application_certificate_related_info
            .as_ref()
            .and_then(|l| {
                let class = l.limit_application_certificate_classification_flag.as_ref()?;
                Some(reception::model::LimitCertificate {
                    class_code: class.code().to_owned(),
                    class_name: class.label().to_owned(),
                    valid_from: date(&l.limit_application_certificate_valid_start_date),
                    valid_until: date(&l.limit_application_certificate_valid_end_date),
                })
            }),
        specific_diseases: r
            .specific_diseases_certificate_list
            .iter()
            .flat_map(|l| &l.certificates)
            .filter_map(|d| {
                let category = d.specific_diseases_disease_category.as_ref()?;
                Some(reception::model::SpecificDisease {
                    category_code: category.code().to_owned(),
                    category_name: category.label().to_owned(),
                    self_pay_yen: text(&d.specific_diseases_self_pay).and_then(|y| y.parse().ok()),
                    valid_from: date(&d.specific_diseases_valid_start_date),
                    valid_until: date(&d.specific_diseases_valid_end_date),
                })
            })
            .collect(),
    })
}

/// Consent flags as returned. 診療・お薬 counts only when both of its flags are 1: the staff view must not
/// show more consent than was given.
fn returned_consent(r: &ResultOfQualificationConfirmation) -> ReturnedConsent {
    let yes = |f: &Option<ConsentFlag>| *f == Some(ConsentFlag::Consented);
    let treatment = yes(&r.pharmacists_info_cons_flg) && yes(&r.diagnosis_info_cons_flg);
    let surgery = yes(&r.operation_info_cons_flg);
    let checkup = yes(&r.specific_health_checkups_info_cons_flg);
    // Times of the consented items we map; the reader gives them together, so take the earliest.
    let slots = [
        (
            treatment,
            &r.pharmacists_info_cons_time,
            &r.pharmacists_info_available_time,
        ),
        (
            treatment,
            &r.diagnosis_info_cons_time,
            &r.diagnosis_info_available_time,
        ),
        (
            surgery,
            &r.operation_info_cons_time,
            &r.operation_info_available_time,
        ),
        (
            checkup,
            &r.specific_health_checkups_info_cons_time,
            &r.specific_health_checkups_info_available_time,
        ),
    ];
    let consented: Vec<_> = slots.iter().filter(|s| s.0).collect();
    let earliest = |times: Vec<&Option<String>>| {
        times
            .into_iter()
            .filter_map(|t| t.as_deref().and_then(parse_timestamp))
            .min()
    };
    let given_at = earliest(consented.iter().map(|s| s.1).collect());
    let valid_until = earliest(consented.iter().map(|s| s.2).collect());
    ReturnedConsent {
        treatment_and_medicine: treatment,
        surgery,
        health_checkup: checkup,
        given_at,
        valid_until,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 2)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    fn record_with(t: bool, s: bool, c: bool, limit: bool) -> ConsentRecord {
        ConsentRecord {
            mode: reception::model::ConsentMode::Individual,
            treatment_and_medicine: t,
            surgery: s,
            health_checkup: c,
            limit_info: limit,
            given_at: at(10),
            valid_until: reception::rules::consent_valid_until(at(10)),
        }
    }

    #[test]
    fn each_consent_item_maps_to_its_result_flags() {
        let sel = consent_selection(Some(&record_with(true, false, true, true)), true);
        assert_eq!(sel.pharmacists_info_cons_flg, Some(ConsentFlag::Consented));
        assert_eq!(sel.diagnosis_info_cons_flg, Some(ConsentFlag::Consented));
        assert_eq!(sel.operation_info_cons_flg, Some(ConsentFlag::NotConsented));
        assert_eq!(
            sel.specific_health_checkups_info_cons_flg,
            Some(ConsentFlag::Consented)
        );
        assert_eq!(
            sel.limit_application_certificate_related_cons_flg,
            Some(LimitConsentFlag::Consented)
        );
        assert_eq!(sel.allergy_info_cons_flg, None, "2025 items have no UI yet");
    }

    #[test]
    fn medical_flags_are_zero_when_medical_information_is_not_allowed() {
        let sel = consent_selection(Some(&record_with(true, true, true, true)), false);
        for f in [
            &sel.pharmacists_info_cons_flg,
            &sel.diagnosis_info_cons_flg,
            &sel.operation_info_cons_flg,
            &sel.specific_health_checkups_info_cons_flg,
        ] {
            assert_eq!(f, &Some(ConsentFlag::NotConsented));
        }
    }

    #[test]
    fn limit_consent_is_given_without_a_record_and_withheld_only_by_the_legacy_screen() {
        let grace = consent_selection(None, false);
        assert_eq!(
            grace.limit_application_certificate_related_cons_flg,
            Some(LimitConsentFlag::Consented)
        );
        assert_eq!(grace.pharmacists_info_cons_flg, Some(ConsentFlag::NotConsented));
        let legacy_no = consent_selection(Some(&record_with(true, true, true, false)), true);
        assert_eq!(
            legacy_no.limit_application_certificate_related_cons_flg,
            Some(LimitConsentFlag::NotConsented)
        );
        assert_eq!(
            legacy_no.specific_diseases_certificate_related_cons_flg,
            Some(LimitConsentFlag::NotConsented)
        );
    }

    #[test]
    fn half_of_the_treatment_pair_does_not_count_as_treatment_consent() {
        let r = ResultOfQualificationConfirmation {
            pharmacists_info_cons_flg: Some(ConsentFlag::Consented),
            pharmacists_info_cons_time: Some("20260302100000".into()),
            diagnosis_info_cons_flg: Some(ConsentFlag::NotConsented),
            ..Default::default()
        };
        assert_eq!(returned_consent(&r), ReturnedConsent::default());
    }

    #[test]
    fn an_unknown_validity_code_is_malformed() {
        let mut msg = XmlMsg::default();
        msg.body.qualification_validity = Some(crate::codes::QualificationValidity::Unknown("7".into()));
        let day = at(0).date();
        assert!(matches!(
            response_from_msg(&msg, day),
            Err(EligibilityError::Malformed(_))
        ));
        msg.body.qualification_validity = None;
        assert!(matches!(
            response_from_msg(&msg, day),
            Err(EligibilityError::Malformed(_))
        ));
    }
}
