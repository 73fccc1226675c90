//! Blocking HTTP client for an OQS endpoint (the mock, or later a live one), with typed failures.
//!
//! Built on `ureq` 3 (blocking, small; no TLS unless the crate feature `tls` is on). Defaults: connect timeout
//! 3 s, total timeout 10 s per attempt. Exactly one retry, and only when the connection could not be
//! established (refused / connect failure) — never after a request may have reached the service, so a query is
//! never answered twice. No connection pooling: each query opens a fresh connection, which keeps "service
//! stopped" observable as a refused connection and costs nothing at one query per patient.
//! Deliberately not here: the reception flow's port trait (the lead implements `OnlineEligibility` on top).

use crate::codes::*;
use crate::derived::fmt_date;
use crate::xml::*;
use base64::Engine;
use chrono::NaiveDate;
use std::time::Duration;

/// Client settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// e.g. `http://127.0.0.1:40123` (no trailing slash needed).
    pub base_url: String,
    /// TCP connect timeout. Default 3 s.
    pub connect_timeout: Duration,
    /// Whole-request timeout per attempt (connect + send + wait + read). Default 10 s.
    pub total_timeout: Duration,
    /// 医療機関コード written into requests.
    pub medical_institution_code: String,
    /// Refuse any endpoint that is not `https://` (live mode; the mock on 127.0.0.1 is plain HTTP). Certificates
    /// are always validated (rustls with the Web PKI roots, feature `tls`), and redirects are never followed.
    pub https_only: bool,
}

impl ClientConfig {
    /// Defaults for `base_url`: connect 3 s, total 10 s, a fictional 医療機関コード.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            connect_timeout: Duration::from_secs(3),
            total_timeout: Duration::from_secs(10),
            medical_institution_code: "1399999999".to_owned(),
            https_only: false,
        }
    }
}

/// Every way a query can fail, as the reception flow needs to tell them apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// No answer within the total timeout (or the connect timeout).
    #[error("timed out")]
    Timeout,
    /// The service refused the connection (stopped), twice.
    #[error("connection refused")]
    ConnectionRefused,
    /// Any other transport failure (reset, DNS, TLS…).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A non-2xx HTTP status.
    #[error("HTTP status {0}")]
    HttpStatus(u16),
    /// The answer was not a readable `XmlMsg`.
    #[error("malformed answer: {0}")]
    Malformed(String),
    /// `SegmentOfResult` 2 (処理中): try again later.
    #[error("processing ({code}): {message}")]
    Processing { code: String, message: String },
    /// `SegmentOfResult` 9 (異常終了) or an unknown segment.
    #[error("error ({code}): {message}")]
    Error { code: String, message: String },
}

/// A card-based query (照会区分 1): what the reader learned.
#[derive(Debug, Clone, PartialEq)]
pub struct CardQuery {
    /// DER of the 利用者証明用電子証明書.
    pub auth_cert_der: Vec<u8>,
    /// Consent choices; `None` for a generic reader (no consent step).
    pub consent: Option<ConsentSelection>,
    pub prescription: Option<PrescriptionIssueSelect>,
    pub confirmation_date: NaiveDate,
}

/// A 記号番号 query (照会区分 2): お知らせ / 再診 / paper fallbacks. The flow's own type: the client sends
/// exactly what the flow asks, plus the one wire-only choice (verbal 限度額 consent) as a parameter.
pub use reception::model::NumberQuery;

/// The OQS client.
#[derive(Debug, Clone)]
pub struct OqsClient {
    config: ClientConfig,
    agent: ureq::Agent,
}

impl OqsClient {
    pub fn new(config: ClientConfig) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.total_timeout))
            .http_status_as_error(false)
            // A redirect is an answer, not a place to send the patient's query to: never followed.
            .max_redirects(0)
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .build()
            .into();
        OqsClient { config, agent }
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Card query (`POST /oqs/qualification`).
    pub fn query_by_card(&self, q: &CardQuery) -> Result<XmlMsg, QueryError> {
        self.post("/oqs/qualification", &self.card_request(q))
    }

    /// 記号番号 query (`POST /oqs/qualification`). `limit_consent`: 限度額 information consent given verbally
    /// at the desk (domain.md §2(a)).
    pub fn query_by_numbers(&self, q: &NumberQuery, limit_consent: bool) -> Result<XmlMsg, QueryError> {
        self.post("/oqs/qualification", &self.number_request(q, limit_consent))
    }

    /// 保険証利用登録 (`POST /oqs/registration`) for the card's certificate.
    pub fn register(&self, auth_cert_der: &[u8], date: NaiveDate) -> Result<XmlMsg, QueryError> {
        let q = CardQuery {
            auth_cert_der: auth_cert_der.to_vec(),
            consent: None,
            prescription: None,
            confirmation_date: date,
        };
        self.post("/oqs/registration", &self.card_request(&q))
    }

    /// Sends any request message to the qualification endpoint (used by the file interface).
    pub fn query(&self, req: &XmlMsg) -> Result<XmlMsg, QueryError> {
        self.post("/oqs/qualification", req)
    }

    /// The request message for a card query.
    pub fn card_request(&self, q: &CardQuery) -> XmlMsg {
        XmlMsg {
            header: request_header(
                &self.config.medical_institution_code,
                ReferenceClassification::MyNumberCard,
                q.confirmation_date,
            ),
            body: MessageBody {
                prescription_issue_select: q.prescription.clone(),
                card_auth_info: Some(CardAuthInfo {
                    auth_certificate: Some(
                        base64::engine::general_purpose::STANDARD.encode(&q.auth_cert_der),
                    ),
                    consent_selection: q.consent.clone(),
                }),
                ..Default::default()
            },
        }
    }

    /// The request message for a 記号番号 query (`limit_consent` as in [`OqsClient::query_by_numbers`]).
    pub fn number_request(&self, q: &NumberQuery, limit_consent: bool) -> XmlMsg {
        number_request(&self.config.medical_institution_code, q, limit_consent)
    }

    fn post(&self, path: &str, req: &XmlMsg) -> Result<XmlMsg, QueryError> {
        let body = req
            .to_bytes(Charset::Utf8)
            .map_err(|e| QueryError::Malformed(e.to_string()))?;
        let url = format!("{}{}", self.config.base_url.trim_end_matches('/'), path);
        if self.config.https_only && !url.starts_with("https://") {
            return Err(QueryError::Unavailable(
                "the eligibility service is reached over https:// only".into(),
            ));
        }
        let bytes = match self.attempt(&url, &body) {
            Err(Failure::NotConnected(_)) => self.attempt(&url, &body),
            other => other,
        }
        .map_err(Failure::into_query_error)?;
        let decoded = XmlMsg::from_bytes(&bytes).map_err(|e| QueryError::Malformed(e.to_string()))?;
        classify(decoded.msg)
    }

    fn attempt(&self, url: &str, body: &[u8]) -> Result<Vec<u8>, Failure> {
        let mut resp = self
            .agent
            .post(url)
            .header("Content-Type", "application/xml; charset=UTF-8")
            .send(body)
            .map_err(Failure::from_ureq)?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(Failure::Done(QueryError::HttpStatus(status)));
        }
        resp.body_mut()
            .with_config()
            .limit(16 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| match Failure::from_ureq(e) {
                // A body cut short after the headers arrived is a broken answer, not a connection problem.
                Failure::NotConnected(m) => Failure::Done(QueryError::Unavailable(m)),
                other => other,
            })
    }
}

/// The request message for a 記号番号 query (照会区分 2) from the clinic `medical_institution_code`: the body is
/// `QualificationConfirmSearchInfo` (domain.md §3 "Files exchanged"). The HTTP client and the 端末's request
/// files send the same message.
pub fn number_request(medical_institution_code: &str, q: &NumberQuery, limit_consent: bool) -> XmlMsg {
    XmlMsg {
        header: request_header(
            medical_institution_code,
            ReferenceClassification::InsuranceCardInfo,
            q.date,
        ),
        body: MessageBody {
            qualification_confirm_search_info: Some(QualificationConfirmSearchInfo {
                insurer_number: Some(q.insurer_number.clone()),
                insured_card_symbol: q.symbol.clone(),
                insured_identification_number: Some(q.number.clone()),
                insured_branch_number: q.branch.clone(),
                birthdate: Some(fmt_date(q.birthdate)),
                limit_application_certificate_related_cons_flg: Some(if limit_consent {
                    LimitConsentFlag::Consented
                } else {
                    LimitConsentFlag::NotConsented
                }),
                arbitrary_identifier: None,
            }),
            ..Default::default()
        },
    }
}

fn request_header(
    medical_institution_code: &str,
    class: ReferenceClassification,
    date: NaiveDate,
) -> MessageHeader {
    MessageHeader {
        qualification_confirmation_date: Some(fmt_date(date)),
        medical_institution_code: Some(medical_institution_code.to_owned()),
        reference_classification: Some(class),
        character_code_identifier: Some(CharacterCodeIdentifier::Utf8),
        ..Default::default()
    }
}

/// One attempt's failure: retry only `NotConnected`.
enum Failure {
    /// Nothing reached the service (refused, connect failed); holds whether it was a refusal.
    NotConnected(String),
    Done(QueryError),
}

impl Failure {
    fn from_ureq(e: ureq::Error) -> Self {
        match e {
            ureq::Error::Timeout(_) => Failure::Done(QueryError::Timeout),
            ureq::Error::ConnectionFailed => Failure::NotConnected("connection failed".into()),
            ureq::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => Failure::NotConnected("refused".into()),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                    Failure::Done(QueryError::Timeout)
                }
                _ => Failure::Done(QueryError::Unavailable(io.to_string())),
            },
            ureq::Error::StatusCode(code) => Failure::Done(QueryError::HttpStatus(code)),
            other => Failure::Done(QueryError::Unavailable(other.to_string())),
        }
    }

    fn into_query_error(self) -> QueryError {
        match self {
            Failure::NotConnected(m) if m == "refused" => QueryError::ConnectionRefused,
            Failure::NotConnected(m) => QueryError::Unavailable(m),
            Failure::Done(e) => e,
        }
    }
}

/// Maps the header's 処理結果区分 to a typed outcome; a normal answer is returned as is (HTTP answers and the
/// 端末's result files alike).
pub fn classify(msg: XmlMsg) -> Result<XmlMsg, QueryError> {
    let code = msg.header.error_code.clone().unwrap_or_default();
    let message = msg.header.error_message.clone().unwrap_or_default();
    match &msg.header.segment_of_result {
        Some(SegmentOfResult::Normal) => Ok(msg),
        Some(SegmentOfResult::Processing) => Err(QueryError::Processing { code, message }),
        Some(SegmentOfResult::Abnormal) | Some(SegmentOfResult::Unknown(_)) => {
            Err(QueryError::Error { code, message })
        }
        None => Err(QueryError::Malformed("SegmentOfResult missing".into())),
    }
}
