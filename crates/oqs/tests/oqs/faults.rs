//! Every injected fault reaches the client as its typed outcome within the configured timeouts.
//! Timers are bounded (client total timeout 800 ms); nothing here measures time.

use crate::support::*;
use oqs::{Fault, FaultRule, QueryError};

fn everyone(fault: Fault) -> FaultRule {
    FaultRule {
        fault,
        person: None,
        count: None,
    }
}

#[test]
fn latency_still_answers_normally() {
    let mock = start_mock();
    mock.inject(everyone(Fault::Latency { millis: 50 }));
    let msg = client(&mock)
        .query_by_card(&card_query("p01-yamada-hanako"))
        .unwrap();
    assert!(msg.first_result().is_some());
}

#[test]
fn a_service_that_never_answers_gives_timeout() {
    let mock = start_mock();
    mock.inject(everyone(Fault::Timeout));
    assert_eq!(
        client(&mock).query_by_card(&card_query("p01-yamada-hanako")),
        Err(QueryError::Timeout)
    );
}

#[test]
fn a_timeout_is_not_retried() {
    // Only the next request hangs; a retry would have succeeded, so Timeout proves there was none.
    let mock = start_mock();
    mock.inject(FaultRule {
        count: Some(1),
        ..everyone(Fault::Timeout)
    });
    let client = client(&mock);
    assert_eq!(
        client.query_by_card(&card_query("p01-yamada-hanako")),
        Err(QueryError::Timeout)
    );
    assert!(
        client.query_by_card(&card_query("p01-yamada-hanako")).is_ok(),
        "the rule was used up"
    );
}

#[test]
fn http_500_gives_http_status_and_is_not_retried() {
    let mock = start_mock();
    mock.inject(FaultRule {
        count: Some(1),
        ..everyone(Fault::Http500)
    });
    assert_eq!(
        client(&mock).query_by_card(&card_query("p01-yamada-hanako")),
        Err(QueryError::HttpStatus(500))
    );
    assert!(mock.faults().is_empty());
}

#[test]
fn a_stopped_service_refuses_connections_and_answers_again_after_resume() {
    let mock = start_mock();
    let client = client(&mock);
    mock.stop_listening().unwrap();
    assert_eq!(
        client.query_by_card(&card_query("p01-yamada-hanako")),
        Err(QueryError::ConnectionRefused)
    );
    mock.resume_listening().unwrap();
    assert!(client.query_by_card(&card_query("p01-yamada-hanako")).is_ok());
}

#[test]
fn malformed_xml_gives_malformed() {
    let mock = start_mock();
    mock.inject(everyone(Fault::Malformed));
    let got = client(&mock).query_by_card(&card_query("p01-yamada-hanako"));
    assert!(matches!(got, Err(QueryError::Malformed(_))), "{got:?}");
}

#[test]
fn segment_of_result_2_gives_processing_and_9_gives_error() {
    let mock = start_mock();
    let client = client(&mock);
    mock.inject(FaultRule {
        count: Some(1),
        ..everyone(Fault::Processing)
    });
    let got = client.query_by_card(&card_query("p01-yamada-hanako"));
    assert!(
        matches!(&got, Err(QueryError::Processing { code, .. }) if code == "SIM-P01"),
        "{got:?}"
    );
    mock.inject(FaultRule {
        count: Some(1),
        ..everyone(Fault::Error)
    });
    let got = client.query_by_card(&card_query("p01-yamada-hanako"));
    assert!(
        matches!(&got, Err(QueryError::Error { code, .. }) if code == "SIM-X01"),
        "{got:?}"
    );
}

#[test]
fn a_per_person_fault_hits_only_that_person_and_a_failed_answer_records_no_consent() {
    let mock = start_mock();
    let client = client(&mock);
    mock.inject(FaultRule {
        person: Some("p02-sato-kenji".into()),
        ..everyone(Fault::Http500)
    });
    assert!(client.query_by_card(&card_query("p01-yamada-hanako")).is_ok());
    assert_eq!(
        client.query_by_card(&card_query("p02-sato-kenji")),
        Err(QueryError::HttpStatus(500))
    );
    assert!(mock.consent("p02-sato-kenji").is_none());
    assert!(mock.consent("p01-yamada-hanako").is_some());
}

#[test]
fn the_admin_api_injects_lists_and_clears_faults_and_stops_the_query_port() {
    let mock = start_mock();
    let client = client(&mock);
    let admin = mock.admin_url();
    ureq::post(format!("{admin}/admin/faults"))
        .header(oqs::mock::ADMIN_TOKEN_HEADER, mock.admin_token())
        .header("Content-Type", "application/json")
        .send(
            serde_json::to_vec(
                &serde_json::json!({"fault": {"kind": "error"}, "person": "p01-yamada-hanako", "count": 2}),
            )
            .unwrap()
            .as_slice(),
        )
        .unwrap();
    let listed = ureq::get(format!("{admin}/admin/faults"))
        .header(oqs::mock::ADMIN_TOKEN_HEADER, mock.admin_token())
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed[0]["fault"]["kind"], "error");
    assert_eq!(listed[0]["count"], 2);
    assert!(matches!(
        client.query_by_card(&card_query("p01-yamada-hanako")),
        Err(QueryError::Error { .. })
    ));
    ureq::delete(format!("{admin}/admin/faults"))
        .header(oqs::mock::ADMIN_TOKEN_HEADER, mock.admin_token())
        .call()
        .unwrap();
    assert!(client.query_by_card(&card_query("p01-yamada-hanako")).is_ok());

    ureq::post(format!("{admin}/admin/stop"))
        .header(oqs::mock::ADMIN_TOKEN_HEADER, mock.admin_token())
        .send_empty()
        .unwrap();
    assert_eq!(
        client.query_by_card(&card_query("p01-yamada-hanako")),
        Err(QueryError::ConnectionRefused)
    );
    ureq::post(format!("{admin}/admin/resume"))
        .header(oqs::mock::ADMIN_TOKEN_HEADER, mock.admin_token())
        .send_empty()
        .unwrap();
    assert!(client.query_by_card(&card_query("p01-yamada-hanako")).is_ok());
}

#[test]
fn a_garbage_request_gets_a_typed_per_person_error_not_a_crash() {
    let mock = start_mock();
    let resp = ureq::post(format!("{}/oqs/qualification", mock.url()))
        .send(&b"\xff\xfe<<garbage"[..])
        .unwrap();
    let msg = oqs::XmlMsg::from_bytes(&resp.into_body().read_to_vec().unwrap())
        .unwrap()
        .msg;
    assert_eq!(msg.body.processing_result_code.as_deref(), Some("SIM-E05"));
}

/// 山田 花子's numbers as printed on her お知らせ.
fn p01_numbers() -> oqs::NumberQuery {
    oqs::NumberQuery {
        insurer_number: "06139919".into(),
        symbol: Some("1001".into()),
        number: "1001".into(),
        branch: Some("00".into()),
        birthdate: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        date: today(),
        limit_consent: false,
    }
}

#[test]
fn an_other_person_fault_shows_the_other_personas_record_for_a_card_query_but_not_by_numbers() {
    let mock = start_mock();
    let client = client(&mock);
    mock.inject(FaultRule {
        fault: Fault::OtherPerson {
            shown: "p02-sato-kenji".into(),
        },
        person: Some("p01-yamada-hanako".into()),
        count: None,
    });
    let msg = client.query_by_card(&card_query("p01-yamada-hanako")).unwrap();
    assert_eq!(
        msg.body.qualification_validity,
        Some(oqs::codes::QualificationValidity::Valid)
    );
    let shown = msg.first_result().unwrap();
    assert_eq!(shown.name.as_deref(), Some("佐藤 健二"));
    assert_eq!(shown.birthdate.as_deref(), Some("19780512"));
    // The rule stays until cleared: the next card query is mis-linked too.
    let again = client.query_by_card(&card_query("p01-yamada-hanako")).unwrap();
    assert_eq!(again.first_result().unwrap().name.as_deref(), Some("佐藤 健二"));
    // The insurer's own record is intact: by 記号番号 she is herself.
    let by_numbers = client.query_by_numbers(&p01_numbers(), false).unwrap();
    assert_eq!(
        by_numbers.first_result().unwrap().name.as_deref(),
        Some("山田 花子")
    );
    // Another card is not affected.
    let other = client.query_by_card(&card_query("p03-suzuki-ichiro")).unwrap();
    assert_eq!(other.first_result().unwrap().name.as_deref(), Some("鈴木 一郎"));
}

#[test]
fn an_other_person_fault_naming_an_unknown_persona_answers_abnormal_end() {
    let mock = start_mock();
    mock.inject(everyone(Fault::OtherPerson {
        shown: "p99-nobody".into(),
    }));
    assert!(matches!(
        client(&mock).query_by_card(&card_query("p01-yamada-hanako")),
        Err(QueryError::Error { .. })
    ));
}

#[test]
fn an_other_person_fault_is_set_through_the_admin_api_as_other_person() {
    let mock = start_mock();
    let admin = mock.admin_url();
    let rule = serde_json::json!({"fault": {"kind": "other_person", "shown": "p02-sato-kenji"}});
    ureq::post(format!("{admin}/admin/faults"))
        .header(oqs::mock::ADMIN_TOKEN_HEADER, mock.admin_token())
        .header("Content-Type", "application/json")
        .send(serde_json::to_vec(&rule).unwrap().as_slice())
        .unwrap();
    assert_eq!(
        mock.faults()[0].rule.fault,
        Fault::OtherPerson {
            shown: "p02-sato-kenji".into()
        }
    );
    let msg = client(&mock)
        .query_by_card(&card_query("p01-yamada-hanako"))
        .unwrap();
    assert_eq!(msg.first_result().unwrap().name.as_deref(), Some("佐藤 健二"));
}

/// #13 §7: any local process can reach the admin port on 127.0.0.1; without this run's token it changes nothing.
#[test]
fn the_admin_api_refuses_a_request_without_this_runs_token_and_changes_nothing() {
    let mock = start_mock();
    let admin = mock.admin_url();
    let rule = serde_json::to_vec(&serde_json::json!({"fault": {"kind": "timeout"}})).unwrap();
    for token in [
        None,
        Some("0".repeat(64)),
        Some(format!("{}x", mock.admin_token())),
    ] {
        let mut req = ureq::post(format!("{admin}/admin/faults"))
            .config()
            .http_status_as_error(false)
            .build()
            .header("Content-Type", "application/json");
        if let Some(t) = &token {
            req = req.header(oqs::mock::ADMIN_TOKEN_HEADER, t);
        }
        let resp = req.send(rule.as_slice()).unwrap();
        assert_eq!(resp.status().as_u16(), 401, "token {token:?}");
    }
    let stop = ureq::post(format!("{admin}/admin/stop"))
        .config()
        .http_status_as_error(false)
        .build()
        .send_empty()
        .unwrap();
    assert_eq!(stop.status().as_u16(), 401);
    assert!(mock.faults().is_empty(), "no fault was injected");
    assert!(
        client(&mock)
            .query_by_card(&card_query("p01-yamada-hanako"))
            .is_ok(),
        "the query port still answers"
    );
    // Health stays open (it changes nothing), and the token itself works.
    assert_eq!(
        ureq::get(format!("{admin}/admin/health"))
            .call()
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    assert_eq!(mock.admin_token().len(), 64);
}
