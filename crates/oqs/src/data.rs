//! Eligibility data of the mock OQS service (`assets/eligibility/*.toml`) and the 保険者番号 check digit.
//!
//! One TOML file per person. Person-level keys (snake_case) are service metadata; each `[[qualification]]`
//! table uses the XML element names of `ResultOfQualificationConfirmation` verbatim, so a record reads like the
//! result it produces. `revocation.toml` lists revoked certificate serials. See `assets/eligibility/README.md`.
//! Deliberately not here: any My Number (records have no such field), request handling (see `mock`).

use crate::codes::QualificationValidity;
use crate::xml::ResultOfQualificationConfirmation;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One person known to the mock service.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonRecord {
    /// Persona id = file stem (e.g. `p01-yamada-hanako`).
    pub id: String,
    /// 利用者証明用電子証明書 serial of the person's card; absent for people reachable only by 記号番号.
    #[serde(default)]
    pub cert_serial: Option<u64>,
    /// 保険証利用登録 done. An unregistered card gets `SIM-E01` until it is registered.
    #[serde(default = "default_true")]
    pub registered: bool,
    /// Insurer data not linked yet: answers 該当資格なし (4) whatever the qualifications say.
    #[serde(default)]
    pub pending: bool,
    /// 紐付け誤り調査中: medical-information viewing is suspended (consents forced to 0).
    #[serde(default)]
    pub suspended: bool,
    /// 資格有効性 returned for this person (1 unless the story says otherwise).
    #[serde(default = "default_validity")]
    pub validity: QualificationValidity,
    /// The eligibility entries returned in `ResultList` (two for 複数該当).
    #[serde(default, rename = "qualification")]
    pub qualifications: Vec<ResultOfQualificationConfirmation>,
}

fn default_true() -> bool {
    true
}

fn default_validity() -> QualificationValidity {
    QualificationValidity::Valid
}

/// `revocation.toml`: serials of revoked certificates (失効).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationList {
    #[serde(default)]
    pub serials: Vec<u64>,
}

/// All records of a data folder.
#[derive(Debug, Clone, Default)]
pub struct Eligibility {
    pub people: BTreeMap<String, PersonRecord>,
    pub revoked: Vec<u64>,
}

/// Why the data folder could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("invalid TOML in {path}: {message}")]
    Toml { path: PathBuf, message: String },
    #[error("{path}: record id {id:?} does not match the file name")]
    IdMismatch { path: PathBuf, id: String },
    #[error("{id}: invalid InsurerNumber {number:?} (length or check digit)")]
    InsurerNumber { id: String, number: String },
    #[error("certificate serial {serial} is used by both {first} and {second}")]
    DuplicateSerial {
        serial: u64,
        first: String,
        second: String,
    },
}

impl Eligibility {
    /// Loads every `*.toml` of `dir` (`revocation.toml` is the revocation list) and validates the records.
    pub fn load_dir(dir: &Path) -> Result<Self, DataError> {
        let mut out = Eligibility::default();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|source| DataError::Io {
                path: dir.to_owned(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|source| DataError::Io {
                path: path.clone(),
                source,
            })?;
            let toml_err = |e: toml::de::Error| DataError::Toml {
                path: path.clone(),
                message: e.to_string(),
            };
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            if stem == "revocation" {
                let list: RevocationList = toml::from_str(&text).map_err(toml_err)?;
                out.revoked.extend(list.serials);
                continue;
            }
            let rec: PersonRecord = toml::from_str(&text).map_err(toml_err)?;
            if rec.id != stem {
                return Err(DataError::IdMismatch { path, id: rec.id });
            }
            out.insert(rec)?;
        }
        Ok(out)
    }

    /// Adds one record after validating its insurer numbers and certificate serial.
    pub fn insert(&mut self, rec: PersonRecord) -> Result<(), DataError> {
        for q in &rec.qualifications {
            if let Some(n) = &q.insurer_number {
                if !insurer_number_is_valid(n) {
                    return Err(DataError::InsurerNumber {
                        id: rec.id.clone(),
                        number: n.clone(),
                    });
                }
            }
        }
        if let Some(serial) = rec.cert_serial {
            if let Some(other) = self.people.values().find(|p| p.cert_serial == Some(serial)) {
                return Err(DataError::DuplicateSerial {
                    serial,
                    first: other.id.clone(),
                    second: rec.id.clone(),
                });
            }
        }
        self.people.insert(rec.id.clone(), rec);
        Ok(())
    }

    /// The person whose card carries certificate `serial`.
    pub fn by_serial(&self, serial: u64) -> Option<&PersonRecord> {
        self.people.values().find(|p| p.cert_serial == Some(serial))
    }
}

/// 保険者番号 check: 8 digits (法別番号 2 + 都道府県 2 + 保険者別 3 + 検証番号 1) or 6 digits (国保: 4 + 1 + check).
/// Surrounding spaces are ignored because 6-digit 国保 numbers arrive right-aligned and space-padded.
pub fn insurer_number_is_valid(raw: &str) -> bool {
    let n = raw.trim();
    if !(n.len() == 8 || n.len() == 6) || !n.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (body, check) = n.split_at(n.len() - 1);
    Some(check_digit(body)) == check.bytes().next().map(|b| b - b'0')
}

/// Check digit over `body` (ASCII digits): weights 2,1,2,… from the right, sum the digits of each product,
/// check = (10 − sum mod 10) mod 10. Non-digits count as 0 (callers validate digits first).
pub fn check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b.wrapping_sub(b'0') % 10);
            let p = if i % 2 == 0 { d * 2 } else { d };
            p / 10 + p % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_insurer_number_passes_and_a_changed_digit_fails() {
        assert!(insurer_number_is_valid("06133946"));
        assert!(!insurer_number_is_valid("06133947"));
        assert!(!insurer_number_is_valid("0613394"));
        assert!(!insurer_number_is_valid("0613394a"));
    }

    #[test]
    fn padded_six_digit_kokuho_numbers_are_checked_after_trimming() {
        let body = "13999";
        let n = format!("  {body}{}", check_digit(body));
        assert!(insurer_number_is_valid(&n));
    }
}
