//! Checking a card's 利用者証明用電子証明書 against the test CA, as the mock OQS service does.
//!
//! Checks: DER parses, issuer = CA subject, RSA PKCS#1 v1.5 SHA-256 signature by the CA key, and the validity
//! window at the query date. The window (renewal alert before expiry, post-expiry grace, domain.md §1) is
//! reception's [`rules::cert_status`], so the mock and the reception flow cannot disagree on a day (month ends
//! especially). Revocation and the serial → person mapping are the caller's (`mock`) because they are data, not
//! cryptography.
//! Deliberately not here: OCSP/CRL formats, proof of key possession (a signed challenge), other algorithms.

use chrono::NaiveDate;
use reception::rules::{self, CertStatus};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

/// sha256WithRSAEncryption.
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";

/// The trusted CA (test-ca.crt.pem).
#[derive(Debug, Clone)]
pub struct TrustAnchor {
    subject_der: Vec<u8>,
    key: RsaPublicKey,
}

/// Why a certificate was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("certificate is not valid DER: {0}")]
    Malformed(String),
    #[error("certificate was not issued by the trusted CA")]
    UnknownIssuer,
    #[error("unsupported signature algorithm {0}")]
    UnsupportedAlgorithm(String),
    #[error("certificate signature does not verify")]
    BadSignature,
    #[error("certificate not yet valid")]
    NotYetValid,
    /// Past the grace window of [`rules::cert_status`].
    #[error("certificate expired and its grace period is over")]
    Expired,
    #[error("serial number longer than 64 bits")]
    SerialTooLong,
}

/// A certificate that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCert {
    pub serial: u64,
    /// First valid day (JST).
    pub not_before: NaiveDate,
    /// Last valid day (JST).
    pub not_after: NaiveDate,
    /// Where the query date falls: `Valid`, `ExpiresSoon` or `Grace` — never `Expired` or `NotYetValid`,
    /// which [`TrustAnchor::check`] returns as errors.
    pub status: CertStatus,
}

/// Why the trust anchor could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("invalid CA certificate: {0}")]
pub struct AnchorError(String);

impl TrustAnchor {
    /// From the CA certificate in PEM.
    pub fn from_pem(pem: &[u8]) -> Result<Self, AnchorError> {
        let (_, pem) = x509_parser::pem::parse_x509_pem(pem).map_err(|e| AnchorError(e.to_string()))?;
        Self::from_der(&pem.contents)
    }

    /// From the CA certificate in DER.
    pub fn from_der(der: &[u8]) -> Result<Self, AnchorError> {
        let (_, ca) = X509Certificate::from_der(der).map_err(|e| AnchorError(e.to_string()))?;
        let key = RsaPublicKey::from_public_key_der(ca.tbs_certificate.subject_pki.raw)
            .map_err(|e| AnchorError(e.to_string()))?;
        Ok(TrustAnchor {
            subject_der: ca.subject().as_raw().to_vec(),
            key,
        })
    }

    /// Checks `der` at `on` (the QualificationConfirmationDate). Dates are compared in JST.
    pub fn check(&self, der: &[u8], on: NaiveDate) -> Result<CheckedCert, CertError> {
        let (_, cert) = X509Certificate::from_der(der).map_err(|e| CertError::Malformed(e.to_string()))?;
        if cert.issuer().as_raw() != self.subject_der.as_slice() {
            return Err(CertError::UnknownIssuer);
        }
        let alg = cert.signature_algorithm.algorithm.to_id_string();
        if alg != SHA256_WITH_RSA {
            return Err(CertError::UnsupportedAlgorithm(alg));
        }
        let digest = Sha256::digest(cert.tbs_certificate.as_ref());
        self.key
            .verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &cert.signature_value.data)
            .map_err(|_| CertError::BadSignature)?;

        let raw_serial = cert.tbs_certificate.raw_serial();
        // DER integers may carry a leading 0x00; anything beyond 8 significant bytes is not one of ours.
        let significant: Vec<u8> = raw_serial.iter().copied().skip_while(|b| *b == 0).collect();
        if significant.len() > 8 {
            return Err(CertError::SerialTooLong);
        }
        let serial = significant.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));

        let jst_date = |t: x509_parser::time::ASN1Time| {
            chrono::DateTime::from_timestamp(t.timestamp() + 9 * 3600, 0).map(|d| d.date_naive())
        };
        let not_before = jst_date(cert.validity().not_before).ok_or(CertError::NotYetValid)?;
        let not_after = jst_date(cert.validity().not_after).ok_or(CertError::Expired)?;
        let status = match rules::cert_status(not_before, not_after, on) {
            CertStatus::NotYetValid => return Err(CertError::NotYetValid),
            CertStatus::Expired => return Err(CertError::Expired),
            usable @ (CertStatus::Valid | CertStatus::ExpiresSoon { .. } | CertStatus::Grace { .. }) => {
                usable
            }
        };
        Ok(CheckedCert {
            serial,
            not_before,
            not_after,
            status,
        })
    }
}
