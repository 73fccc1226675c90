//! Secrets typed in by the patient: the 4-digit 利用者証明用 PIN and the 14-digit 照合番号B.
//!
//! The PIN is reception's [`Pin`] (re-exported here): the flow creates it from patient input and the card
//! layer sends it, so one type with one set of guarantees (zeroized on drop, redacted `Debug`, no `Clone`,
//! no `Serialize`) travels the whole way. 照合番号B is card-layer only and lives here, with the same
//! guarantees. Deliberately not here: the 署名用 password and 照合番号A (this app never uses them).

use chrono::{Datelike, NaiveDate};
use zeroize::{Zeroize, ZeroizeOnDrop};

pub use reception::pin::{Pin, PinFormatError};

/// Errors of secret input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretFormatError {
    #[error("照合番号B must be 14 digits (birth date YYMMDD + card expiry year + 4-digit security code)")]
    CheckCodeB,
}

/// 照合番号B — birth date (YYMMDD) + card expiry year (YYYY) + security code (4 digits) = 14 digits. Unlocks the
/// front (券面) EF of the 券面AP, which holds the face photo.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct CheckCodeB(String);

impl CheckCodeB {
    pub fn new(digits: &str) -> Result<Self, SecretFormatError> {
        let d = digits.trim();
        if d.len() == 14 && d.bytes().all(|b| b.is_ascii_digit()) {
            Ok(CheckCodeB(d.to_owned()))
        } else {
            Err(SecretFormatError::CheckCodeB)
        }
    }
    /// Build from its three parts as printed on the card.
    pub fn from_parts(
        birth_date: NaiveDate,
        card_expiry_year: u16,
        security_code: &str,
    ) -> Result<Self, SecretFormatError> {
        let mut s = format!(
            "{:02}{:02}{:02}{:04}{}",
            birth_date.year().rem_euclid(100),
            birth_date.month(),
            birth_date.day(),
            card_expiry_year,
            security_code.trim()
        );
        let out = CheckCodeB::new(&s);
        s.zeroize();
        out
    }
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for CheckCodeB {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckCodeB(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_secret() {
        assert!(!format!("{:?}", Pin::new("1234".into())).contains("1234"));
        let b = CheckCodeB::new("90010120311234").unwrap();
        assert!(!format!("{b:?}").contains("9001"));
    }

    #[test]
    fn malformed_secrets_are_rejected() {
        for bad in ["123", "12a4", "12345", " 1234"] {
            assert!(Pin::new(bad.into()).check_format().is_err(), "{bad:?}");
        }
        assert!(CheckCodeB::new("9001012031123").is_err());
    }

    #[test]
    fn check_code_b_is_yymmdd_expiry_year_and_code() {
        let d = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
        let b = CheckCodeB::from_parts(d, 2031, "7919").unwrap();
        assert_eq!(b.as_bytes(), b"90010120317919");
    }
}
