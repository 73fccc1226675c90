//! The mock service and reception's rules table agree on every day: the certificate windows (renewal alert,
//! grace, expired) and the 24 h consent validity. Walks the pure answering logic (`oqs::answer`) rather than
//! HTTP so three years of days stay fast; the HTTP layer adds nothing date-dependent.

use crate::support::*;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use oqs::answer::{answer_query, ServiceState};
use oqs::codes::{ProcessingResultStatus, SimulatedCode};
use oqs::derived::fmt_timestamp;
use oqs::mock::{repo_assets_dir, MockConfig};
use oqs::trust::{CertError, TrustAnchor};
use oqs::{CardQuery, ClientConfig, OqsClient, XmlMsg};
use reception::rules::{self, CertStatus};
use std::sync::Arc;

const PERSONA: &str = "p01-yamada-hanako";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 2025-01-01 ..= 2027-12-31.
fn walk() -> impl Iterator<Item = NaiveDate> {
    day(2025, 1, 1)
        .iter_days()
        .take_while(|d| *d <= day(2027, 12, 31))
}

/// The mock's state and trust anchor as the embedded service loads them.
fn service() -> (ServiceState, TrustAnchor) {
    let config = MockConfig::from_assets(&repo_assets_dir(), Arc::new(now)).unwrap();
    (ServiceState::new(config.data), config.anchor)
}

/// Only the request builder is used; nothing is sent.
fn requests() -> OqsClient {
    OqsClient::new(ClientConfig::new("http://127.0.0.1:9"))
}

/// The certificate decision without its day counts, which the answer does not carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Valid,
    ExpiresSoon,
    Grace,
    Expired,
    NotYetValid,
}

impl From<CertStatus> for Decision {
    fn from(s: CertStatus) -> Self {
        match s {
            CertStatus::Valid => Decision::Valid,
            CertStatus::ExpiresSoon { .. } => Decision::ExpiresSoon,
            CertStatus::Grace { .. } => Decision::Grace,
            CertStatus::Expired => Decision::Expired,
            CertStatus::NotYetValid => Decision::NotYetValid,
        }
    }
}

/// The decision as the answer encodes it (p01 is registered and not suspended, so the code is the cert's).
fn decision_in(answer: &XmlMsg) -> Decision {
    let code = answer.body.processing_result_code.as_deref();
    let status = answer.body.processing_result_status.clone();
    match (status, code) {
        (Some(ProcessingResultStatus::Normal), None) => Decision::Valid,
        (Some(ProcessingResultStatus::Normal), Some(c)) if c == SimulatedCode::CertExpiresSoon.code() => {
            Decision::ExpiresSoon
        }
        (Some(ProcessingResultStatus::Normal), Some(c)) if c == SimulatedCode::CertGrace.code() => {
            Decision::Grace
        }
        (Some(ProcessingResultStatus::Error), Some(c)) if c == SimulatedCode::CertExpired.code() => {
            Decision::Expired
        }
        // The mock refuses a not-yet-valid certificate as an invalid one.
        (Some(ProcessingResultStatus::Error), Some(c)) if c == SimulatedCode::CertInvalid.code() => {
            Decision::NotYetValid
        }
        other => panic!("unexpected answer {other:?}"),
    }
}

#[test]
fn the_mock_and_the_rules_table_agree_on_every_certificate_day_including_month_ends() {
    let (state, anchor) = service();
    let client = requests();
    // (not_before, not_after): month ends, a leap day, a year end, and one that starts inside the walk.
    let certs = [
        (day(2020, 12, 1), day(2025, 11, 30)),
        (day(2021, 3, 1), day(2026, 2, 28)),
        (day(2020, 9, 1), day(2025, 8, 31)),
        (day(2019, 3, 1), day(2024, 2, 29)),
        (day(2022, 1, 1), day(2026, 12, 31)),
        (day(2025, 5, 31), day(2030, 5, 31)),
    ];
    for (not_before, not_after) in certs {
        let der = cert_with(PERSONA, serial_of(PERSONA), not_before, not_after);
        let mut seen = Vec::new();
        for on in walk() {
            let expected = rules::cert_status(not_before, not_after, on);
            // The trust check reads the same dates back out of the certificate (JST) and decides the same.
            match (anchor.check(&der, on), expected) {
                (Ok(c), _) => {
                    assert_eq!((c.not_before, c.not_after), (not_before, not_after));
                    assert_eq!(
                        c.status, expected,
                        "trust check, cert ending {not_after}, on {on}"
                    );
                }
                (Err(CertError::Expired), CertStatus::Expired)
                | (Err(CertError::NotYetValid), CertStatus::NotYetValid) => {}
                (Err(e), _) => panic!("trust check, cert ending {not_after}, on {on}: {e} vs {expected:?}"),
            }
            let req = client.card_request(&CardQuery {
                auth_cert_der: der.clone(),
                consent: Some(all_consent()),
                prescription: None,
                confirmation_date: on,
            });
            let answer = answer_query(&state, &anchor, &req, now()).msg;
            let decision = decision_in(&answer);
            assert_eq!(
                decision,
                Decision::from(expected),
                "answer, cert ending {not_after}, on {on}"
            );
            if seen.last() != Some(&decision) {
                seen.push(decision);
            }
        }
        // Guard against a walk that never reaches the interesting windows.
        if not_after < day(2027, 6, 1) && not_after > day(2025, 4, 1) {
            assert_eq!(
                seen,
                [
                    Decision::Valid,
                    Decision::ExpiresSoon,
                    Decision::Grace,
                    Decision::Expired
                ],
                "cert ending {not_after}"
            );
        }
    }
}

#[test]
fn a_certificate_expiring_on_the_30th_of_november_is_expiring_soon_on_the_31st_of_august() {
    // The month-end case the two implementations used to disagree on.
    let (state, anchor) = service();
    let der = cert_with(PERSONA, serial_of(PERSONA), day(2020, 12, 1), day(2025, 11, 30));
    let req = requests().card_request(&CardQuery {
        auth_cert_der: der,
        consent: None,
        prescription: None,
        confirmation_date: day(2025, 8, 31),
    });
    let answer = answer_query(&state, &anchor, &req, now()).msg;
    assert_eq!(
        answer.body.processing_result_code.as_deref(),
        Some(SimulatedCode::CertExpiresSoon.code())
    );
}

/// The `*AvailableTime` values of the first result (one per consented item).
fn available_times(answer: &XmlMsg) -> Vec<Option<String>> {
    let r = answer.first_result().unwrap();
    vec![
        r.pharmacists_info_available_time.clone(),
        r.diagnosis_info_available_time.clone(),
        r.operation_info_available_time.clone(),
        r.prescription_info_available_time.clone(),
        r.specific_health_checkups_info_available_time.clone(),
    ]
}

#[test]
fn the_mock_consent_expires_exactly_when_the_rules_table_says_on_every_day() {
    let (mut state, anchor) = service();
    let client = requests();
    let der = cert_with(PERSONA, serial_of(PERSONA), day(2024, 1, 1), day(2030, 12, 31));
    let p01 = state.data.people[PERSONA].qualifications[0].clone();
    let times = |d: NaiveDate| -> [NaiveDateTime; 3] {
        [
            d.and_hms_opt(0, 0, 0).unwrap(),
            d.and_hms_opt(10, 15, 30).unwrap(),
            d.and_hms_opt(23, 59, 59).unwrap(),
        ]
    };
    for given_at in walk().flat_map(times) {
        let until = rules::consent_valid_until(given_at);
        let req = client.card_request(&CardQuery {
            auth_cert_der: der.clone(),
            consent: Some(all_consent()),
            prescription: None,
            confirmation_date: given_at.date(),
        });
        let prepared = answer_query(&state, &anchor, &req, given_at);
        let (person, record) = prepared.consent.clone().unwrap();
        assert_eq!(record.available_until(), until, "consent given at {given_at}");
        assert!(
            available_times(&prepared.msg)
                .iter()
                .all(|t| t.as_deref() == Some(fmt_timestamp(until).as_str())),
            "answer's AvailableTime, consent given at {given_at}"
        );

        // A later 記号番号 query still carries the consent exactly while the rules say it is valid.
        state.consents.insert(person, record);
        for asked_at in [until - TimeDelta::seconds(1), until] {
            let req = client.number_request(
                &oqs::NumberQuery {
                    insurer_number: p01.insurer_number.clone().unwrap(),
                    symbol: p01.insured_card_symbol.clone(),
                    number: p01.insured_identification_number.clone().unwrap(),
                    branch: p01.insured_branch_number.clone(),
                    birthdate: day(1990, 1, 1),
                    date: asked_at.date(),
                    limit_consent: false,
                },
                false,
            );
            let answer = answer_query(&state, &anchor, &req, asked_at).msg;
            let carried = available_times(&answer).iter().all(Option::is_some);
            assert_eq!(
                carried,
                rules::consent_is_valid(given_at, asked_at),
                "consent given at {given_at}, asked at {asked_at}"
            );
        }
    }
}
