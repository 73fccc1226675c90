//! Test PKI: the committed test CA and per-persona keys, and issuance of 利用者証明用電子証明書-like
//! certificates (user-authentication certificates) for virtual cards and the mock OQS service.
//!
//! Everything here is **TEST ONLY**: the CA key is public and protects nothing. Certificates are issued at
//! run time so validity dates can follow the training day ("expires in 2 months" stays true).
//! Deliberately not here: certificate *validation* policy (expiry rules live in `reception`), CRL/OCSP.

use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use rsa::RsaPrivateKey;
use sha2::Sha256;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::asn1::{GeneralizedTime, UtcTime};
use x509_cert::der::{DateTime, Decode, DecodePem, Encode};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

/// PEM of the test "JPKI user-authentication CA" (self-signed, TEST ONLY).
pub const TEST_CA_CERT_PEM: &str = include_str!("../../../assets/pki/test-ca.crt.pem");
/// PEM (PKCS#8) of the test CA's private key. Public on purpose: it signs only test certificates.
const TEST_CA_KEY_PEM: &str = include_str!("../../../assets/pki/test-ca.key.pem");

/// Errors of the test PKI.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("bad private key: {0}")]
    Key(String),
    #[error("bad certificate: {0}")]
    Cert(String),
    #[error("date out of range for X.509: {0}")]
    Date(NaiveDate),
    #[error("certificate building failed: {0}")]
    Build(String),
}

/// The embedded persona keys, by persona id (file stem of `assets/pki/<id>.key.pem`).
const PERSONA_KEYS: &[(&str, &str)] = &[
    (
        "p01-yamada-hanako",
        include_str!("../../../assets/pki/p01-yamada-hanako.key.pem"),
    ),
    (
        "p02-sato-kenji",
        include_str!("../../../assets/pki/p02-sato-kenji.key.pem"),
    ),
    (
        "p03-suzuki-ichiro",
        include_str!("../../../assets/pki/p03-suzuki-ichiro.key.pem"),
    ),
    (
        "p04-takahashi-yoshiko",
        include_str!("../../../assets/pki/p04-takahashi-yoshiko.key.pem"),
    ),
    (
        "p05-tanaka-makoto",
        include_str!("../../../assets/pki/p05-tanaka-makoto.key.pem"),
    ),
    (
        "p06-ito-akira",
        include_str!("../../../assets/pki/p06-ito-akira.key.pem"),
    ),
    (
        "p07-watanabe-mei",
        include_str!("../../../assets/pki/p07-watanabe-mei.key.pem"),
    ),
    (
        "p08-nakamura-shota",
        include_str!("../../../assets/pki/p08-nakamura-shota.key.pem"),
    ),
    (
        "p09-kobayashi-yuto",
        include_str!("../../../assets/pki/p09-kobayashi-yuto.key.pem"),
    ),
    (
        "p10-yoshida-taro",
        include_str!("../../../assets/pki/p10-yoshida-taro.key.pem"),
    ),
    (
        "p11-kato-tomiko",
        include_str!("../../../assets/pki/p11-kato-tomiko.key.pem"),
    ),
    (
        "p12-yoshimura-kazuo",
        include_str!("../../../assets/pki/p12-yoshimura-kazuo.key.pem"),
    ),
    (
        "p13-matsumoto-rin",
        include_str!("../../../assets/pki/p13-matsumoto-rin.key.pem"),
    ),
    (
        "p14-yamamoto-daichi",
        include_str!("../../../assets/pki/p14-yamamoto-daichi.key.pem"),
    ),
    (
        "p15-mori-aoi",
        include_str!("../../../assets/pki/p15-mori-aoi.key.pem"),
    ),
    (
        "p16-inoue-ken",
        include_str!("../../../assets/pki/p16-inoue-ken.key.pem"),
    ),
    (
        "p17-kimura-hiroshi",
        include_str!("../../../assets/pki/p17-kimura-hiroshi.key.pem"),
    ),
    (
        "p18-hayashi-yui",
        include_str!("../../../assets/pki/p18-hayashi-yui.key.pem"),
    ),
    (
        "p19-shimizu-jun",
        include_str!("../../../assets/pki/p19-shimizu-jun.key.pem"),
    ),
];

/// DER of the test CA certificate.
pub fn test_ca_cert_der() -> Result<Vec<u8>, PkiError> {
    let cert = Certificate::from_pem(TEST_CA_CERT_PEM).map_err(|e| PkiError::Cert(e.to_string()))?;
    cert.to_der().map_err(|e| PkiError::Cert(e.to_string()))
}

/// The embedded PKCS#8 PEM key of a persona (`p01-yamada-hanako` …), if it exists.
pub fn persona_key_pem(persona_id: &str) -> Option<&'static str> {
    PERSONA_KEYS
        .iter()
        .find(|(id, _)| *id == persona_id)
        .map(|(_, pem)| *pem)
}

/// Ids of all personas that have an embedded key.
pub fn persona_ids() -> impl Iterator<Item = &'static str> {
    PERSONA_KEYS.iter().map(|(id, _)| *id)
}

/// Parse a PKCS#8 PEM RSA private key.
pub fn parse_private_key(pem: &str) -> Result<RsaPrivateKey, PkiError> {
    RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| PkiError::Key(e.to_string()))
}

/// JST is UTC+9 without DST; X.509 times are encoded in UTC.
fn jst_to_x509_time(date: NaiveDate, time: NaiveTime) -> Result<Time, PkiError> {
    let utc: NaiveDateTime = NaiveDateTime::new(date, time) - Duration::hours(9);
    let year = u16::try_from(utc.year()).map_err(|_| PkiError::Date(date))?;
    let dt = DateTime::new(
        year,
        utc.month() as u8,
        utc.day() as u8,
        utc.hour() as u8,
        utc.minute() as u8,
        utc.second() as u8,
    )
    .map_err(|_| PkiError::Date(date))?;
    // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    if year < 2050 {
        UtcTime::from_date_time(dt)
            .map(Time::UtcTime)
            .map_err(|_| PkiError::Date(date))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(dt)))
    }
}

/// Issue a 利用者証明用電子証明書-like X.509 v3 certificate (RSA-2048, sha256WithRSAEncryption) for the
/// subject key, signed by the committed test CA. Validity runs from 00:00:00 JST on `not_before` to
/// 23:59:59 JST on `not_after`. Deterministic for the same inputs (PKCS#1 v1.5 has no randomness).
///
/// Real JPKI authentication certificates carry no name, so the subject is only the serial in hex.
pub fn issue_auth_cert(
    subject_key_pem: &str,
    serial: u64,
    not_before: NaiveDate,
    not_after: NaiveDate,
) -> Result<Vec<u8>, PkiError> {
    let subject_key = parse_private_key(subject_key_pem)?;
    let spki_der = subject_key
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| PkiError::Key(e.to_string()))?;
    let spki =
        SubjectPublicKeyInfoOwned::from_der(spki_der.as_bytes()).map_err(|e| PkiError::Key(e.to_string()))?;

    let ca_cert = Certificate::from_pem(TEST_CA_CERT_PEM).map_err(|e| PkiError::Cert(e.to_string()))?;
    let ca_key = parse_private_key(TEST_CA_KEY_PEM)?;
    let signer = SigningKey::<Sha256>::new(ca_key);

    let midnight = NaiveTime::MIN;
    let last_second = NaiveTime::from_hms_opt(23, 59, 59).ok_or(PkiError::Date(not_after))?;
    let validity = Validity {
        not_before: jst_to_x509_time(not_before, midnight)?,
        not_after: jst_to_x509_time(not_after, last_second)?,
    };
    let subject = Name::from_str(&format!("CN={serial:X},O=Uketsuke TEST ONLY"))
        .map_err(|e| PkiError::Build(e.to_string()))?;
    // Minimal big-endian bytes (DER INTEGER has no superfluous leading zeros); serials are positive.
    let be = serial.to_be_bytes();
    let first = be.iter().position(|b| *b != 0).unwrap_or(be.len() - 1);
    let mut serial_bytes = Vec::with_capacity(9);
    if be.get(first).is_some_and(|b| b & 0x80 != 0) {
        serial_bytes.push(0);
    }
    serial_bytes.extend_from_slice(be.get(first..).unwrap_or(&[0]));
    let serial_number = SerialNumber::new(&serial_bytes).map_err(|e| PkiError::Build(e.to_string()))?;
    let profile = Profile::Leaf {
        issuer: ca_cert.tbs_certificate.subject.clone(),
        enable_key_agreement: false,
        enable_key_encipherment: false,
    };
    let builder = CertificateBuilder::new(profile, serial_number, validity, subject, spki, &signer)
        .map_err(|e| PkiError::Build(e.to_string()))?;
    let cert = builder
        .build::<rsa::pkcs1v15::Signature>()
        .map_err(|e| PkiError::Build(e.to_string()))?;
    cert.to_der().map_err(|e| PkiError::Build(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn issued_cert_signature_verifies_with_the_test_ca_public_key() {
        let key = persona_key_pem("p01-yamada-hanako").unwrap();
        let der = issue_auth_cert(key, 0x1001, d(2024, 4, 1), d(2029, 4, 1)).unwrap();
        let cert = Certificate::from_der(&der).unwrap();
        let tbs = cert.tbs_certificate.to_der().unwrap();
        let ca = Certificate::from_der(&test_ca_cert_der().unwrap()).unwrap();
        let ca_spki = ca.tbs_certificate.subject_public_key_info.to_der().unwrap();
        let ca_pub = rsa::RsaPublicKey::from_public_key_der(&ca_spki).unwrap();
        let sig = Signature::try_from(cert.signature.raw_bytes()).unwrap();
        VerifyingKey::<Sha256>::new(ca_pub).verify(&tbs, &sig).unwrap();
    }

    #[test]
    fn issuance_is_deterministic_and_dates_are_jst_bounds_in_utc() {
        let key = persona_key_pem("p05-tanaka-makoto").unwrap();
        let a = issue_auth_cert(key, 0x1005, d(2024, 4, 1), d(2029, 4, 1)).unwrap();
        let b = issue_auth_cert(key, 0x1005, d(2024, 4, 1), d(2029, 4, 1)).unwrap();
        assert_eq!(a, b, "same inputs must give the same certificate bytes");
        let (_, parsed) = x509_parser::parse_x509_certificate(&a).unwrap();
        // 2024-04-01 00:00:00 JST = 2024-03-31 15:00:00 UTC
        assert_eq!(parsed.validity().not_before.timestamp(), 1_711_897_200);
        // 2029-04-01 23:59:59 JST = 2029-04-01 14:59:59 UTC
        assert_eq!(parsed.validity().not_after.timestamp(), 1_869_749_999);
        assert_eq!(parsed.raw_serial(), &[0x10, 0x05]);
    }

    #[test]
    fn every_persona_in_the_table_has_an_embedded_key() {
        assert_eq!(persona_ids().count(), 19);
        assert!(persona_key_pem("p19-shimizu-jun").is_some());
        assert!(persona_key_pem("nobody").is_none());
    }
}
