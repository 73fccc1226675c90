//! Shared fixtures: a fixed training day, the mock on an ephemeral port, persona certificates.

use chrono::{Months, NaiveDate, NaiveDateTime};
use oqs::codes::{ConsentFlag, LimitConsentFlag};
use oqs::mock::{repo_assets_dir, MockConfig, MockOqs};
use oqs::{CardQuery, ClientConfig, ConsentSelection, OqsClient};
use std::sync::Arc;
use std::time::Duration;

/// The training day all tests run on.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

pub fn now() -> NaiveDateTime {
    today().and_hms_opt(10, 15, 30).unwrap()
}

pub fn start_mock() -> MockOqs {
    let config = MockConfig::from_assets(&repo_assets_dir(), Arc::new(now)).unwrap();
    MockOqs::start(config).unwrap()
}

/// A client with short timeouts so fault tests finish quickly.
pub fn client(mock: &MockOqs) -> OqsClient {
    let mut config = ClientConfig::new(mock.url());
    config.connect_timeout = Duration::from_millis(500);
    config.total_timeout = Duration::from_millis(800);
    OqsClient::new(config)
}

/// Cert serial of persona `pNN-…` (0x1000 + NN).
pub fn serial_of(persona: &str) -> u64 {
    0x1000 + persona[1..3].parse::<u64>().unwrap()
}

/// The persona's certificate with the validity its story asks for (personas.md).
pub fn persona_cert(persona: &str) -> Vec<u8> {
    let t = today();
    let not_before = t.checked_sub_months(Months::new(24)).unwrap();
    let not_after = match &persona[..3] {
        "p05" => t.checked_add_months(Months::new(2)).unwrap(),
        "p06" => t.checked_sub_months(Months::new(1)).unwrap(),
        "p07" => t.checked_sub_months(Months::new(5)).unwrap(),
        _ => t.checked_add_months(Months::new(36)).unwrap(),
    };
    cert_with(persona, serial_of(persona), not_before, not_after)
}

pub fn cert_with(persona: &str, serial: u64, not_before: NaiveDate, not_after: NaiveDate) -> Vec<u8> {
    let key = mynacard::pki::persona_key_pem(persona).unwrap();
    mynacard::pki::issue_auth_cert(key, serial, not_before, not_after).unwrap()
}

/// 包括同意: every medical item consented, 限度額 consented.
pub fn all_consent() -> ConsentSelection {
    let yes = || Some(ConsentFlag::Consented);
    ConsentSelection {
        limit_application_certificate_related_cons_flg: Some(LimitConsentFlag::Consented),
        specific_diseases_certificate_related_cons_flg: Some(LimitConsentFlag::Consented),
        specific_health_checkups_info_cons_flg: yes(),
        pharmacists_info_cons_flg: yes(),
        diagnosis_info_cons_flg: yes(),
        operation_info_cons_flg: yes(),
        diagnosis_name_cons_flg: yes(),
        infectious_info_cons_flg: yes(),
        allergy_info_cons_flg: yes(),
        contraindication_info_cons_flg: yes(),
        test_info_cons_flg: yes(),
        prescription_info_cons_flg: yes(),
    }
}

pub fn card_query(persona: &str) -> CardQuery {
    CardQuery {
        auth_cert_der: persona_cert(persona),
        consent: Some(all_consent()),
        prescription: Some(oqs::codes::PrescriptionIssueSelect::Electronic),
        confirmation_date: today(),
    }
}

/// Every persona id with an eligibility record and a card: the virtual cards' own list.
pub fn personas() -> Vec<&'static str> {
    mynacard::Persona::builtin_ids().collect()
}
