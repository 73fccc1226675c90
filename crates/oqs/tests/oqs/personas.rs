//! The persona facts the headless training runner keeps in `reception::training::personas` (the reception
//! crate depends on no leaf crate) equal the assets the app plays: the card files (`assets/cards/`, read by
//! mynacard) and the mock OQS eligibility (`assets/eligibility/`, read by this crate and reduced with its own
//! derivations). The assets are the truth.

use chrono::NaiveDate;
use mynacard::Persona;
use oqs::codes::{InsuredCardClassification, PersonalFamilyClassification, Sex};
use oqs::data::Eligibility;
use oqs::derived::{burden_share, kana_full_width, parse_yyyymmdd};
use oqs::mock::repo_assets_dir;
use reception::model::{CardKind, QualificationValidity, Relationship};
use reception::paper::InsuranceType;
use reception::training::personas::{PersonaFacts, PERSONAS};

fn eligibility() -> Eligibility {
    Eligibility::load_dir(&repo_assets_dir().join("eligibility")).unwrap()
}

/// Days the certificate window is compared on: ordinary ones, month ends and a leap day.
fn days() -> Vec<NaiveDate> {
    [
        (2025, 11, 30),
        (2025, 12, 31),
        (2026, 1, 31),
        (2026, 3, 31),
        (2026, 4, 1),
        (2028, 2, 29),
    ]
    .iter()
    .map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
    .collect()
}

/// The insurance type a 保険者番号 names: 6 digits 国保, 法別番号 39 後期高齢者, 12 医療扶助 (公費), the
/// employee schemes (協会けんぽ 01, 組合 06, 共済 31–34, …) otherwise.
fn insurance_type(insurer_number: &str) -> InsuranceType {
    match (insurer_number.len(), insurer_number.get(..2)) {
        (6, _) => InsuranceType::National,
        (8, Some("39")) => InsuranceType::LateElderly,
        (8, Some("12")) => InsuranceType::Other,
        _ => InsuranceType::Employee,
    }
}

fn check_card(p: &PersonaFacts, card: &Persona) -> Vec<String> {
    let mut drift = Vec::new();
    let mut differ = |what: &str, ours: String, asset: String| {
        if ours != asset {
            drift.push(format!(
                "{} {what}: personas.rs {ours:?}, assets/cards {asset:?}",
                p.id
            ));
        }
    };
    differ("name", p.name.into(), card.name.clone());
    differ("kana", p.kana.into(), card.kana.clone());
    differ(
        "birthdate",
        p.birthdate.into(),
        card.birth_date.format("%Y-%m-%d").to_string(),
    );
    let sex = match card.sex {
        mynacard::persona::Sex::Male => reception::paper::Sex::Male,
        mynacard::persona::Sex::Female => reception::paper::Sex::Female,
    };
    differ("sex", format!("{:?}", p.sex), format!("{sex:?}"));
    // The reception port reads a smartphone-kind virtual card as an ordinary card with a PIN.
    let kind = match card.card_kind {
        mynacard::CardKind::FaceOnly => CardKind::FaceOnly,
        mynacard::CardKind::Normal | mynacard::CardKind::Smartphone => CardKind::Normal,
    };
    differ("card kind", format!("{:?}", p.kind), format!("{kind:?}"));
    differ("PIN", p.pin.into(), card.pin.value.clone().unwrap_or_default());
    // A card without a PIN reports no tries (the port's PinStatus::NotSet → 0).
    let tries = if card.pin.value.is_some() {
        card.pin.tries_left
    } else {
        0
    };
    differ("PIN tries", p.tries.to_string(), tries.to_string());
    differ("cert serial", p.cert_serial(), format!("{:X}", card.cert.serial));
    for day in days() {
        differ(
            &format!("certificate window on {day}"),
            format!("{:?}", p.cert.dates(day)),
            format!("{:?}", card.cert_validity(day).unwrap()),
        );
    }
    differ(
        "保険証利用登録",
        p.registered.to_string(),
        card.registered_for_insurance.to_string(),
    );
    drift
}

fn check_eligibility(p: &PersonaFacts, data: &Eligibility) -> Vec<String> {
    let mut drift = Vec::new();
    let Some(person) = data.people.get(p.id) else {
        return vec![format!("{}: no assets/eligibility file", p.id)];
    };
    let Some(q) = person.qualifications.first() else {
        return vec![format!("{}: no [[qualification]]", p.id)];
    };
    let mut differ = |what: &str, ours: String, asset: String| {
        if ours != asset {
            drift.push(format!(
                "{} {what}: personas.rs {ours:?}, assets/eligibility {asset:?}",
                p.id
            ));
        }
    };
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
    differ("Name", p.name.into(), text(&q.name));
    // The service's half-width kana, widened; the card files separate the names with an ASCII space.
    differ(
        "NameKana",
        p.kana.into(),
        kana_full_width(&text(&q.name_kana)).replace('\u{3000}', " "),
    );
    let birth = q.birthdate.as_deref().and_then(parse_yyyymmdd);
    differ(
        "Birthdate",
        p.birthdate.into(),
        birth
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    );
    let sex = match q.sex1 {
        Some(Sex::Male) => "Male",
        Some(Sex::Female) => "Female",
        _ => "?",
    };
    differ("Sex1", format!("{:?}", p.sex), sex.into());
    differ(
        "cert_serial",
        p.cert_serial(),
        person.cert_serial.map(|s| format!("{s:X}")).unwrap_or_default(),
    );
    differ(
        "registered",
        p.registered.to_string(),
        person.registered.to_string(),
    );
    differ("suspended", p.suspended.to_string(), person.suspended.to_string());
    // A pending record answers 該当資格なし whatever its qualifications say.
    let validity = if person.pending {
        QualificationValidity::NotFound
    } else {
        QualificationValidity::try_from(&person.validity).unwrap()
    };
    differ("validity", format!("{:?}", p.validity), format!("{validity:?}"));
    differ("InsurerNumber", p.insurer_number.into(), text(&q.insurer_number));
    differ("InsurerName", p.insurer_name.into(), text(&q.insurer_name));
    differ("InsuredCardSymbol", p.symbol.into(), text(&q.insured_card_symbol));
    differ(
        "InsuredIdentificationNumber",
        p.number.into(),
        text(&q.insured_identification_number),
    );
    // 後期高齢者 and 医療扶助 records leave 本人/家族 empty: the patient is the insured person.
    let relationship = match q.personal_family_classification {
        Some(PersonalFamilyClassification::Dependant) => Relationship::Dependant,
        _ => Relationship::Insured,
    };
    differ(
        "PersonalFamilyClassification",
        format!("{:?}", p.relationship),
        format!("{relationship:?}"),
    );
    // 負担割合 as the mock's answer derives it. 医療扶助 is the exception: the derivation has no 公費 rule (it
    // answers the general 3割), while the patient of a 医療扶助 record pays nothing.
    if q.insured_card_classification != Some(InsuredCardClassification::MedicalAid) {
        for day in days() {
            differ(
                &format!("負担割合 on {day}"),
                p.copay_percent.to_string(),
                burden_share(q, day).percent.to_string(),
            );
        }
    }
    differ(
        "insurance type",
        format!("{:?}", p.insurance),
        format!("{:?}", insurance_type(&text(&q.insurer_number))),
    );
    drift
}

#[test]
fn every_training_persona_matches_its_card_and_eligibility_assets() {
    let data = eligibility();
    let mut drift = Vec::new();
    for p in PERSONAS {
        match Persona::builtin(p.id) {
            Ok(card) => drift.extend(check_card(p, &card)),
            Err(e) => drift.push(format!("{}: {e}", p.id)),
        }
        drift.extend(check_eligibility(p, &data));
    }
    assert!(drift.is_empty(), "persona drift:\n{}", drift.join("\n"));
}

#[test]
fn the_training_persona_table_lists_every_card_persona_once() {
    let ours: Vec<_> = PERSONAS.iter().map(|p| p.id).collect();
    let cards: Vec<_> = Persona::builtin_ids().collect();
    assert_eq!(ours, cards);
}
