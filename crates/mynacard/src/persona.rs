//! Virtual-card personas (`assets/cards/<id>.toml`), embedded in the crate so every binary and test can use them.
//!
//! A persona is a fictional person: names, birth date, sex, address (front only), card kind, PIN and tries,
//! certificate serial and validity (relative to the training day), photo, registered-for-insurance flag and the
//! parts of 照合番号B. **There is no My Number field, by design.** Deliberately not here: eligibility data
//! (the `oqs` crate's `assets/eligibility/`).

use chrono::{Months, NaiveDate};
use serde::Deserialize;

/// Errors of persona loading.
#[derive(Debug, thiserror::Error)]
pub enum PersonaError {
    #[error("unknown persona {0}")]
    Unknown(String),
    #[error("persona TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("bad date spec {0:?} (use today, today±N[dmy] or YYYY-MM-DD)")]
    DateSpec(String),
    #[error("photo {0} not embedded")]
    Photo(String),
    #[error("persona {0} has no key in assets/pki")]
    Key(String),
    #[error("certificate issuance: {0}")]
    Pki(#[from] crate::pki::PkiError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// Card kind: normal, face-only (顔認証マイナンバーカード, no PIN) or smartphone (スマホ用電子証明書).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardKind {
    Normal,
    FaceOnly,
    Smartphone,
}

#[derive(Clone, Deserialize)]
pub struct PinSpec {
    /// Absent on a face-only card.
    pub value: Option<String>,
    pub tries_left: u8,
}

impl std::fmt::Debug for PinSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PinSpec {{ value: {}, tries_left: {} }}",
            if self.value.is_some() { "***" } else { "none" },
            self.tries_left
        )
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CertSpec {
    pub serial: u64,
    /// `today`, `today+2m`, `today-1m`, `today+3y`, `today-10d` or `YYYY-MM-DD`.
    pub not_before: String,
    pub not_after: String,
}

#[derive(Clone, Deserialize)]
pub struct CheckCodeBSpec {
    pub card_expiry_year: u16,
    pub security_code: String,
}

impl std::fmt::Debug for CheckCodeBSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CheckCodeBSpec {{ card_expiry_year: {}, security_code: *** }}",
            self.card_expiry_year
        )
    }
}

/// One persona (schema of `assets/cards/<id>.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    pub id: String,
    /// 氏名
    pub name: String,
    /// カナ氏名
    pub kana: String,
    /// 生年月日 (`YYYY-MM-DD`)
    pub birth_date: NaiveDate,
    /// 性別
    pub sex: Sex,
    /// 住所 — printed on the card front only.
    pub address: String,
    pub card_kind: CardKind,
    /// Registered for use as a health insurance card (保険証利用登録).
    pub registered_for_insurance: bool,
    /// Chip photo, relative to `assets/cards/`.
    pub photo: String,
    /// A "live" photo of the same person for face matching, relative to `assets/cards/`.
    pub live_photo: String,
    pub pin: PinSpec,
    pub cert: CertSpec,
    pub check_code_b: CheckCodeBSpec,
}

macro_rules! personas {
    ($($id:literal),* $(,)?) => {
        &[$(($id, include_str!(concat!("../../../assets/cards/", $id, ".toml")))),*]
    };
}

const PERSONAS: &[(&str, &str)] = personas!(
    "p01-yamada-hanako",
    "p02-sato-kenji",
    "p03-suzuki-ichiro",
    "p04-takahashi-yoshiko",
    "p05-tanaka-makoto",
    "p06-ito-akira",
    "p07-watanabe-mei",
    "p08-nakamura-shota",
    "p09-kobayashi-yuto",
    "p10-yoshida-taro",
    "p11-kato-tomiko",
    "p12-yoshimura-kazuo",
    "p13-matsumoto-rin",
    "p14-yamamoto-daichi",
    "p15-mori-aoi",
    "p16-inoue-ken",
    "p17-kimura-hiroshi",
    "p18-hayashi-yui",
    "p19-shimizu-jun",
);

const PHOTOS: &[(&str, &[u8])] = &[
    (
        "photos/astronaut.jp2",
        include_bytes!("../../../assets/cards/photos/astronaut.jp2"),
    ),
    (
        "photos/impostor_1.jp2",
        include_bytes!("../../../assets/cards/photos/impostor_1.jp2"),
    ),
    (
        "photos/impostor_2.jp2",
        include_bytes!("../../../assets/cards/photos/impostor_2.jp2"),
    ),
    (
        "photos/person_a_1.jp2",
        include_bytes!("../../../assets/cards/photos/person_a_1.jp2"),
    ),
    (
        "photos/person_a_2.jp2",
        include_bytes!("../../../assets/cards/photos/person_a_2.jp2"),
    ),
    (
        "photos/person_b_1.jp2",
        include_bytes!("../../../assets/cards/photos/person_b_1.jp2"),
    ),
    (
        "photos/person_b_2.jp2",
        include_bytes!("../../../assets/cards/photos/person_b_2.jp2"),
    ),
];

impl Persona {
    /// Parse a persona TOML.
    pub fn from_toml(text: &str) -> Result<Self, PersonaError> {
        Ok(toml::from_str(text)?)
    }
    /// A persona shipped in `assets/cards/` (embedded at build time).
    pub fn builtin(id: &str) -> Result<Self, PersonaError> {
        let (_, text) = PERSONAS
            .iter()
            .find(|(i, _)| *i == id)
            .ok_or_else(|| PersonaError::Unknown(id.to_owned()))?;
        Persona::from_toml(text)
    }
    /// Ids of all shipped personas.
    pub fn builtin_ids() -> impl Iterator<Item = &'static str> {
        PERSONAS.iter().map(|(id, _)| *id)
    }
    /// The chip photo (JPEG 2000) bytes.
    pub fn photo_jp2(&self) -> Result<&'static [u8], PersonaError> {
        PHOTOS
            .iter()
            .find(|(p, _)| *p == self.photo)
            .map(|(_, b)| *b)
            .ok_or_else(|| PersonaError::Photo(self.photo.clone()))
    }
    /// Certificate validity for the given training day.
    pub fn cert_validity(&self, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), PersonaError> {
        Ok((
            resolve_date(&self.cert.not_before, today)?,
            resolve_date(&self.cert.not_after, today)?,
        ))
    }
}

/// Resolve `today`, `today+2m`, `today-1m`, `today+3y`, `today+10d` or an absolute `YYYY-MM-DD`.
pub fn resolve_date(spec: &str, today: NaiveDate) -> Result<NaiveDate, PersonaError> {
    let bad = || PersonaError::DateSpec(spec.to_owned());
    let s = spec.trim();
    let Some(rel) = s.strip_prefix("today") else {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad());
    };
    if rel.is_empty() {
        return Ok(today);
    }
    let (sign, rest) = rel.split_at_checked(1).ok_or_else(bad)?;
    let (num, unit) = rest
        .split_at_checked(rest.len().saturating_sub(1))
        .ok_or_else(bad)?;
    let n: u32 = num.parse().map_err(|_| bad())?;
    let months = match unit {
        "m" => Some(n),
        "y" => Some(n.checked_mul(12).ok_or_else(bad)?),
        "d" => None,
        _ => return Err(bad()),
    };
    let out = match (sign, months) {
        ("+", Some(m)) => today.checked_add_months(Months::new(m)),
        ("-", Some(m)) => today.checked_sub_months(Months::new(m)),
        ("+", None) => today.checked_add_days(chrono::Days::new(u64::from(n))),
        ("-", None) => today.checked_sub_days(chrono::Days::new(u64::from(n))),
        _ => None,
    };
    out.ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn relative_date_specs_resolve_against_the_training_day() {
        let today = d("2026-01-31");
        assert_eq!(resolve_date("today+2m", today).unwrap(), d("2026-03-31"));
        assert_eq!(resolve_date("today-1m", today).unwrap(), d("2025-12-31"));
        assert_eq!(resolve_date("today+3y", today).unwrap(), d("2029-01-31"));
        assert_eq!(resolve_date("today-10d", today).unwrap(), d("2026-01-21"));
        assert_eq!(resolve_date("2030-05-01", today).unwrap(), d("2030-05-01"));
        assert!(resolve_date("tomorrow", today).is_err() && resolve_date("today*2m", today).is_err());
    }

    #[test]
    fn all_nineteen_personas_parse_with_photo_and_key() {
        let ids: Vec<_> = Persona::builtin_ids().collect();
        assert_eq!(ids.len(), 19);
        for (n, id) in ids.iter().enumerate() {
            let p = Persona::builtin(id).unwrap();
            assert_eq!(&p.id, id);
            assert_eq!(p.cert.serial, 0x1001 + n as u64, "{id}: serial = 0x1000 + NN");
            assert!(
                p.photo_jp2().unwrap().starts_with(b"\x00\x00\x00\x0cjP  "),
                "{id}"
            );
            assert!(crate::pki::persona_key_pem(id).is_some(), "{id}");
            assert_eq!(p.pin.value.is_none(), p.card_kind == CardKind::FaceOnly, "{id}");
        }
    }

    #[test]
    fn persona_files_have_no_my_number_field() {
        for (id, text) in PERSONAS {
            let lower = text.to_lowercase();
            assert!(
                !lower.contains("my_number") && !lower.contains("mynumber") && !text.contains("個人番号"),
                "{id}"
            );
        }
        // deny_unknown_fields: a smuggled field is a parse error, not silently kept.
        let p01 = PERSONAS[0]
            .1
            .replace("card_kind", "my_number = \"123456789018\"\ncard_kind");
        assert!(Persona::from_toml(&p01).is_err());
    }
}
