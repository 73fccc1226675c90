//! Paper and staff-entered documents: 資格確認書, legacy 健康保険証, 資格情報のお知らせ / マイナポータル
//! PDF, school-trip / nursery mode, the 被保険者資格申立書, and the record the store receives.
//!
//! `assess` turns a presented document into a decision (accept / query online first / refuse) using
//! only the rules table and the site switch for the temporary rule; it does no I/O.
//! Deliberately not here: rendering or printing documents, and any My Number (お知らせ issued after
//! 2024-12 no longer print its last 4 digits, S003 Q5; we never ask for them).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::model::{
    ConsentRecord, EligibilityRecord, Method, Operator, PrescriptionForm, QualificationValidity, Relationship,
};
use crate::rules::{self, CertStatus};
use crate::validate::{self, Collect, Field, NumberEntry, Numbers, Problem, ValidationError};

/// Which eligibility document staff are looking at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum DocumentKind {
    /// 資格確認書.
    QualificationCertificate,
    /// Legacy 健康保険証.
    LegacyCard,
    /// 資格情報のお知らせ (or its copy).
    Notice,
    /// マイナポータル 資格情報画面 or its saved PDF / printout.
    PortalPdf,
}

/// School trip or nursery (S000 2-30, 2-31; S002 R6.3.1 事務連絡).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum GroupSetting {
    /// 修学旅行・部活動の合宿など.
    SchoolTrip,
    /// 保育所・認定こども園・幼稚園.
    Nursery,
}

/// 性別 (券面).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
    /// 未設定 / not stated.
    #[default]
    Unstated,
}

/// 資格確認書 as keyed in, with the S001 sample's fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct QualificationCertificateEntry {
    /// 保険者番号・記号・番号・枝番・生年月日.
    pub numbers: NumberEntry,
    /// 本人 / 家族（被扶養者）.
    pub dependant: bool,
    /// 氏名.
    pub name: String,
    /// 性別.
    pub sex: Option<Sex>,
    /// 認定年月日 (dependants; optional).
    pub recognized_on: String,
    /// 被保険者氏名.
    pub insured_person_name: String,
    /// 交付年月日.
    pub issued_on: String,
    /// 有効期限.
    pub valid_until: String,
    /// 保険者名称.
    pub insurer_name: String,
    /// 一部負担金の割合 in percent (70+ only, optional).
    pub copay_percent: Option<u8>,
    /// 限度区分 (任意記載事項, optional).
    pub limit_class: Option<String>,
}

/// Legacy 健康保険証 as keyed in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct LegacyCardEntry {
    /// Numbers on the card.
    pub numbers: NumberEntry,
    /// Printed 有効期限; empty when none is printed (then 2025-12-01 applies, S002 Q7).
    pub valid_until: String,
    /// 一部負担金の割合 from the 高齢受給者証 shown with the card (ages 70–74), in percent; the card itself
    /// prints none (#12 §2).
    #[serde(default)]
    pub elderly_copay_percent: Option<u8>,
}

/// A document presented at the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum PaperDocument {
    /// 資格確認書.
    QualificationCertificate(QualificationCertificateEntry),
    /// Legacy 健康保険証.
    LegacyCard(LegacyCardEntry),
    /// お知らせ or マイナポータル PDF, with or without the card (S004 Q1: alone is not enough).
    Notice {
        /// Notice or PDF.
        kind: DocumentKind,
        /// Numbers on it.
        numbers: NumberEntry,
        /// The マイナンバーカード is presented too.
        with_card: bool,
        /// 氏名 as printed on it (the card's certificate names nobody; without it an offline acceptance
        /// files an unidentified patient).
        #[serde(default)]
        name: String,
        /// 負担割合 as printed on it (domain.md §4 「資格情報のお知らせ」: 氏名, 記号, 番号, 枝番, 保険者番号, 保険者名,
        /// 負担割合); the share when the card + お知らせ stands on its own (S000 2-38), never a default.
        #[serde(default)]
        copay_percent: Option<u8>,
    },
    /// School trip / nursery: PDF or お知らせ without the child's card, chaperone required.
    Group {
        /// Setting.
        setting: GroupSetting,
        /// Notice or PDF.
        kind: DocumentKind,
        /// Numbers on it.
        numbers: NumberEntry,
        /// 付き添い (teacher / nursery staff) name.
        chaperone_name: String,
        /// 負担割合 as printed on it, when keyed.
        #[serde(default)]
        copay_percent: Option<u8>,
    },
}

/// Why a document is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum PaperRefusal {
    /// 資格確認書 past its 有効期限.
    QualificationCertificateExpired,
    /// 資格確認書 used before its 交付年月日 (S000 1-2).
    QualificationCertificateNotYetValid,
    /// 有効期限 more than 5 years after 交付年月日 (S004 Q7): not a genuine certificate.
    QualificationCertificateValidityTooLong,
    /// Legacy card after 2025-12-01 without the temporary rule (S000 3-1).
    LegacyCardAbolished,
    /// Legacy card past its printed expiry.
    LegacyCardExpired,
    /// お知らせ / PDF without the card (S004 Q1).
    NoticeRequiresCard,
    /// The online check by the document's numbers did not confirm eligibility.
    NotConfirmedOnline,
}

/// What to do with a presented document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaperDecision {
    /// Accept on the document alone.
    Accept(AcceptedDocument),
    /// Query by the document's numbers first. `accept_offline`: if the service cannot be reached
    /// the document stands on its own (card + お知らせ at a site that cannot check, S000 2-19).
    NeedsOnlineCheck {
        /// The document.
        document: AcceptedDocument,
        /// Accept when the service is unreachable.
        accept_offline: bool,
    },
    /// Refuse.
    Refuse(PaperRefusal),
    /// Fix the input.
    Invalid(Vec<ValidationError>),
}

/// A document that passed the checks, in typed form (stored with the reception).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedDocument {
    /// Kind.
    pub kind: DocumentKind,
    /// Validated numbers.
    pub numbers: Numbers,
    /// 有効期限 where the document has one.
    pub valid_until: Option<NaiveDate>,
    /// 交付年月日 (資格確認書).
    pub issued_on: Option<NaiveDate>,
    /// School trip / nursery setting and chaperone.
    pub group: Option<(GroupSetting, String)>,
    /// 本人 / 家族 where printed.
    pub relationship: Option<Relationship>,
    /// 氏名 where printed.
    pub name: Option<String>,
    /// 保険者名称 where printed.
    pub insurer_name: Option<String>,
    /// The マイナンバーカード was shown too (only ever true when staff said so, #12 §5).
    #[serde(default)]
    pub with_card: bool,
    /// 性別 where printed.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// 被保険者氏名 where printed (a dependant's 資格確認書).
    #[serde(default)]
    pub insured_person_name: Option<String>,
    /// 認定年月日 where printed.
    #[serde(default)]
    pub recognized_on: Option<NaiveDate>,
    /// 一部負担金の割合 in percent as printed (資格確認書) or shown (高齢受給者証); the patient's share when the
    /// document stands on its own, never a default (#12 §2).
    #[serde(default)]
    pub copay_percent: Option<u8>,
    /// 限度区分 as printed (資格確認書, 任意記載事項).
    #[serde(default)]
    pub limit_class: Option<String>,
    /// The patient agreed at the desk to the provision of 限度額・特定疾病 information (sent with the number
    /// query; not stored with the document).
    #[serde(default)]
    pub limit_consent: bool,
}

impl AcceptedDocument {
    /// A document of `kind` with `numbers` and nothing else printed or shown.
    pub fn new(kind: DocumentKind, numbers: Numbers) -> Self {
        AcceptedDocument {
            kind,
            numbers,
            valid_until: None,
            issued_on: None,
            group: None,
            relationship: None,
            name: None,
            insurer_name: None,
            with_card: false,
            sex: None,
            insured_person_name: None,
            recognized_on: None,
            copay_percent: None,
            limit_class: None,
            limit_consent: false,
        }
    }

    fn plain(kind: DocumentKind, numbers: Numbers, limit_consent: bool) -> Self {
        AcceptedDocument {
            limit_consent,
            ..AcceptedDocument::new(kind, numbers)
        }
    }
}

/// Assess a presented document on `today`. `temporary_rule` is the site switch (domain.md §4).
pub fn assess(doc: &PaperDocument, today: NaiveDate, temporary_rule: bool) -> PaperDecision {
    let temp = rules::temporary_rule_applies(temporary_rule, today);
    match doc {
        PaperDocument::QualificationCertificate(e) => assess_certificate(e, today),
        PaperDocument::LegacyCard(e) => {
            let mut errors = e.numbers.validate(today).err().unwrap_or_default();
            let printed = if e.valid_until.trim().is_empty() {
                None
            } else {
                match validate::date(&e.valid_until, Field::ValidUntil) {
                    Ok(d) => Some(d),
                    Err(x) => {
                        errors.push(x);
                        None
                    }
                }
            };
            if let Err(x) = copay(e.elderly_copay_percent) {
                errors.push(x);
            }
            let numbers = match e.numbers.validate(today) {
                Ok(n) if errors.is_empty() => n,
                Ok(_) | Err(_) => return PaperDecision::Invalid(errors),
            };
            let mut doc = AcceptedDocument::plain(DocumentKind::LegacyCard, numbers, e.numbers.limit_consent);
            doc.valid_until = printed;
            doc.copay_percent = e.elderly_copay_percent;
            let within_print = printed.is_none_or(|d| today <= d);
            if rules::legacy_card_period(today) {
                if within_print {
                    // Valid only while the holder has not left the insurer (S003 Q15): checked online when
                    // the service answers, accepted on its own when it cannot (#12 §1).
                    PaperDecision::NeedsOnlineCheck {
                        document: doc,
                        accept_offline: true,
                    }
                } else {
                    PaperDecision::Refuse(PaperRefusal::LegacyCardExpired)
                }
            } else if temp {
                // Temporary rule: an expired card's numbers may be checked online; normal share only if
                // eligibility is confirmed (TEMP-2026).
                PaperDecision::NeedsOnlineCheck {
                    document: doc,
                    accept_offline: false,
                }
            } else {
                PaperDecision::Refuse(PaperRefusal::LegacyCardAbolished)
            }
        }
        PaperDocument::Notice {
            kind,
            numbers,
            with_card,
            name,
            copay_percent,
        } => match (numbers.validate(today), copay(*copay_percent)) {
            (Err(mut v), share) => {
                v.extend(share.err());
                PaperDecision::Invalid(v)
            }
            (Ok(_), Err(x)) => PaperDecision::Invalid(vec![x]),
            (Ok(n), Ok(())) => {
                let doc = AcceptedDocument {
                    name: Some(name.trim().to_owned()).filter(|n| !n.is_empty()),
                    with_card: *with_card,
                    copay_percent: *copay_percent,
                    ..AcceptedDocument::plain(*kind, n, numbers.limit_consent)
                };
                if *with_card {
                    PaperDecision::NeedsOnlineCheck {
                        document: doc,
                        accept_offline: true,
                    }
                } else if temp {
                    PaperDecision::NeedsOnlineCheck {
                        document: doc,
                        accept_offline: false,
                    }
                } else {
                    PaperDecision::Refuse(PaperRefusal::NoticeRequiresCard)
                }
            }
        },
        PaperDocument::Group {
            setting,
            kind,
            numbers,
            chaperone_name,
            copay_percent,
        } => {
            let mut c = Collect::default();
            let chaperone = c.take(validate::required(chaperone_name, Field::ChaperoneName));
            if let Err(x) = copay(*copay_percent) {
                c.0.push(x);
            }
            match (numbers.validate(today), chaperone) {
                (Ok(n), Some(ch)) if c.0.is_empty() => {
                    let mut doc = AcceptedDocument::plain(*kind, n, numbers.limit_consent);
                    doc.group = Some((*setting, ch));
                    doc.copay_percent = *copay_percent;
                    PaperDecision::Accept(doc)
                }
                (Ok(_), _) => PaperDecision::Invalid(c.0),
                (Err(mut v), _) => {
                    v.extend(c.0);
                    PaperDecision::Invalid(v)
                }
            }
        }
    }
}

/// 負担割合 in percent as the desk writes it: 30 → 「3割」 (PDF, CSV, the OQS adapter's label).
pub fn share_label(percent: u8) -> String {
    format!("{}割", percent / 10)
}

/// 一部負担金の割合 as keyed: 1割, 2割 or 3割 when given.
fn copay(p: Option<u8>) -> Result<(), ValidationError> {
    match p {
        None | Some(10 | 20 | 30) => Ok(()),
        Some(_) => Err(ValidationError {
            field: Field::CopayPercent,
            problem: Problem::Format,
        }),
    }
}

fn all_errors(
    numbers: &NumberEntry,
    today: NaiveDate,
    mut rest: Vec<ValidationError>,
) -> Vec<ValidationError> {
    let mut v = numbers.validate(today).err().unwrap_or_default();
    rest.retain(|e| !v.contains(e));
    v.extend(rest);
    v
}

fn assess_certificate(e: &QualificationCertificateEntry, today: NaiveDate) -> PaperDecision {
    let mut c = Collect::default();
    let issued = c.take(validate::date(&e.issued_on, Field::IssuedOn));
    let until = c.take(validate::date(&e.valid_until, Field::ValidUntil));
    let name = c.take(validate::required(&e.name, Field::Name));
    let insurer_name = c.take(validate::required(&e.insurer_name, Field::InsurerName));
    let recognized_on = if e.recognized_on.trim().is_empty() {
        None
    } else {
        c.take(validate::date(&e.recognized_on, Field::Date))
    };
    if let Err(x) = copay(e.copay_percent) {
        c.0.push(x);
    }
    if let (Some(i), Some(u)) = (issued, until) {
        if u < i {
            c.push(Field::ValidUntil, Problem::Order);
        }
    }
    let numbers = e.numbers.validate(today);
    let (Ok(numbers), Some(issued), Some(until), Some(name), Some(insurer_name), true) =
        (numbers, issued, until, name, insurer_name, c.0.is_empty())
    else {
        return PaperDecision::Invalid(all_errors(&e.numbers, today, c.0));
    };
    if until > rules::qualification_certificate_latest_expiry(issued) {
        return PaperDecision::Refuse(PaperRefusal::QualificationCertificateValidityTooLong);
    }
    if today < issued {
        return PaperDecision::Refuse(PaperRefusal::QualificationCertificateNotYetValid);
    }
    if today > until {
        return PaperDecision::Refuse(PaperRefusal::QualificationCertificateExpired);
    }
    let mut doc = AcceptedDocument::plain(
        DocumentKind::QualificationCertificate,
        numbers,
        e.numbers.limit_consent,
    );
    doc.valid_until = Some(until);
    doc.issued_on = Some(issued);
    doc.relationship = Some(if e.dependant {
        Relationship::Dependant
    } else {
        Relationship::Insured
    });
    doc.name = Some(name);
    doc.insurer_name = Some(insurer_name);
    doc.sex = e.sex;
    doc.insured_person_name = Some(e.insured_person_name.trim().to_owned()).filter(|n| !n.is_empty());
    doc.recognized_on = recognized_on;
    doc.copay_percent = e.copay_percent;
    doc.limit_class = e
        .limit_class
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned);
    // The dates say nothing about today's membership (a leaver returns it, S000 1-12): the numbers are checked
    // online when the service answers; only when it cannot is the certificate accepted on its own (#12 §1).
    PaperDecision::NeedsOnlineCheck {
        document: doc,
        accept_offline: true,
    }
}

/// Kind of insurance the patient believes they hold (申立書).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum InsuranceType {
    /// 被用者保険 (協会けんぽ・健保組合・共済).
    Employee,
    /// 国民健康保険.
    National,
    /// 後期高齢者医療.
    LateElderly,
    /// Other / unknown.
    Other,
}

/// 被保険者資格申立書 as entered.
///
/// The field list is a best-effort reconstruction (domain.md §4 "unverified"): the MHLW 様式 of
/// 保発0710第1号 was not available. Fields marked UNVERIFIED below are our guess at the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct DeclarationEntry {
    /// 受診日 (UNVERIFIED whether the form asks it separately from 記入日).
    pub visit_date: String,
    /// 記入日.
    pub filled_on: String,
    /// 氏名.
    pub name: String,
    /// フリガナ.
    pub name_kana: String,
    /// 生年月日.
    pub birthdate: String,
    /// 性別 (UNVERIFIED).
    pub sex: Sex,
    /// 住所.
    pub address: String,
    /// 電話番号 (UNVERIFIED).
    pub phone: String,
    /// 加入している保険の種類.
    pub insurance_type: InsuranceType,
    /// 保険者名 (if known).
    pub insurer_name: String,
    /// 保険者番号 (if known; validated when given).
    pub insurer_number: String,
    /// 記号 (if known).
    pub symbol: String,
    /// 番号 (if known).
    pub number: String,
    /// 枝番 (if known).
    pub branch: String,
    /// 勤務先（事業所）名, for 被用者保険 (UNVERIFIED).
    pub employer: String,
    /// 本人 / 家族.
    pub dependant: bool,
    /// 一部負担金の割合 the patient declares (required: the visit is billed at the patient's own share, not 10割,
    /// S000 2-38; S002 Q11). Never a default; the form shows the general rule by age as a hint.
    #[serde(default)]
    pub copay_percent: Option<u8>,
    /// Statement that the entries are true, signed (UNVERIFIED wording).
    pub declared_true: bool,
    /// 職員記入欄 (staff-use section, UNVERIFIED content).
    pub staff_note: String,
}

/// A validated 申立書.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    /// 受診日.
    pub visit_date: NaiveDate,
    /// 記入日.
    pub filled_on: NaiveDate,
    /// 氏名.
    pub name: String,
    /// フリガナ.
    pub name_kana: String,
    /// 生年月日.
    pub birthdate: NaiveDate,
    /// 性別.
    pub sex: Sex,
    /// 住所.
    pub address: String,
    /// 電話番号.
    pub phone: Option<String>,
    /// 保険の種類.
    pub insurance_type: InsuranceType,
    /// 保険者名.
    pub insurer_name: Option<String>,
    /// 保険者番号.
    pub insurer_number: Option<String>,
    /// 記号.
    pub symbol: Option<String>,
    /// 番号.
    pub number: Option<String>,
    /// 枝番.
    pub branch: Option<String>,
    /// 勤務先.
    pub employer: Option<String>,
    /// 本人 / 家族.
    pub relationship: Relationship,
    /// 一部負担金の割合 as declared (always given by a validated form; `None` only in declarations stored before
    /// the form asked it).
    pub copay_percent: Option<u8>,
    /// 職員記入欄.
    pub staff_note: Option<String>,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl DeclarationEntry {
    /// Validate, reporting every problem.
    pub fn validate(&self, today: NaiveDate) -> Result<Declaration, Vec<ValidationError>> {
        let mut c = Collect::default();
        let visit_date = c.take(validate::date(&self.visit_date, Field::Date));
        let filled_on = c.take(validate::date(&self.filled_on, Field::Date));
        if filled_on.is_some_and(|d| d > today) {
            c.push(Field::Date, Problem::InFuture);
        }
        let name = c.take(validate::required(&self.name, Field::Name));
        let kana = c.take(validate::kana(&self.name_kana));
        let birth = c.take(validate::birthdate(&self.birthdate, today));
        let address = c.take(validate::required(&self.address, Field::Address));
        let insurer_number = if self.insurer_number.trim().is_empty() {
            None
        } else {
            c.take(validate::insurer_number(&self.insurer_number))
        };
        let branch = c.take(validate::branch(&self.branch)).flatten();
        if self.insurance_type == InsuranceType::Employee && self.employer.trim().is_empty() {
            c.push(Field::Employer, Problem::Required);
        }
        match self.copay_percent {
            None => c.push(Field::CopayPercent, Problem::Required),
            Some(_) => {
                if let Err(x) = copay(self.copay_percent) {
                    c.0.push(x);
                }
            }
        }
        if !self.declared_true {
            c.push(Field::Declaration, Problem::Required);
        }
        match (visit_date, filled_on, name, kana, birth, address, c.0.is_empty()) {
            (
                Some(visit_date),
                Some(filled_on),
                Some(name),
                Some(name_kana),
                Some(birthdate),
                Some(address),
                true,
            ) => Ok(Declaration {
                visit_date,
                filled_on,
                name,
                name_kana,
                birthdate,
                sex: self.sex,
                address,
                phone: opt(&self.phone),
                insurance_type: self.insurance_type,
                insurer_name: opt(&self.insurer_name),
                insurer_number,
                symbol: opt(&self.symbol),
                number: opt(&self.number),
                branch,
                employer: opt(&self.employer),
                relationship: if self.dependant {
                    Relationship::Dependant
                } else {
                    Relationship::Insured
                },
                copay_percent: self.copay_percent,
                staff_note: opt(&self.staff_note),
            }),
            (_, _, _, _, _, _, _) => Err(c.0),
        }
    }
}

/// What went wrong, as staff classify it (domain.md §4(b) 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum ProblemKind {
    /// 通信障害.
    CommunicationFailure,
    /// 停電.
    PowerOutage,
    /// 機器故障 (reader / terminal).
    DeviceFailure,
    /// 資格情報なし (data not registered / not linked yet).
    NoEligibilityData,
    /// 資格無効.
    EligibilityInvalid,
    /// Identity could not be confirmed (face, PIN, 目視 all failed).
    IdentityNotConfirmed,
    /// The card is not usable as マイナ保険証: its 利用者証明用電子証明書 expired more than 3 months ago or is not
    /// yet valid (S000 2-25). The routes are a 資格確認書 (S000 1-6) or the 申立書 (S001).
    CardNotUsable,
    /// Staff judged at 目視確認 that the card is not the patient's: nothing from that card gives the normal
    /// share; a 資格確認書 or 10割 (#12 §4).
    IdentityRejected,
}

impl ProblemKind {
    /// Every problem class, in the order the wizard lists them.
    pub const ALL: [ProblemKind; 8] = [
        ProblemKind::CommunicationFailure,
        ProblemKind::PowerOutage,
        ProblemKind::DeviceFailure,
        ProblemKind::NoEligibilityData,
        ProblemKind::EligibilityInvalid,
        ProblemKind::IdentityNotConfirmed,
        ProblemKind::CardNotUsable,
        ProblemKind::IdentityRejected,
    ];

    /// Outages are billed at the normal share via 再診 history or 申立書 (S000 2-38; S002 Q11).
    pub fn is_outage(self) -> bool {
        match self {
            ProblemKind::CommunicationFailure | ProblemKind::PowerOutage | ProblemKind::DeviceFailure => true,
            ProblemKind::NoEligibilityData
            | ProblemKind::EligibilityInvalid
            | ProblemKind::IdentityNotConfirmed
            | ProblemKind::CardNotUsable
            | ProblemKind::IdentityRejected => false,
        }
    }

    /// Can the service still be queried by numbers? Not during a network outage or power cut.
    pub fn online_possible(self) -> bool {
        match self {
            ProblemKind::CommunicationFailure | ProblemKind::PowerOutage => false,
            ProblemKind::DeviceFailure
            | ProblemKind::NoEligibilityData
            | ProblemKind::EligibilityInvalid
            | ProblemKind::IdentityNotConfirmed
            | ProblemKind::CardNotUsable
            | ProblemKind::IdentityRejected => true,
        }
    }

    /// May the patient fill in a 被保険者資格申立書 for the normal share? When the マイナ保険証 cannot confirm
    /// eligibility for a reason on the clinic's or the card's side: outages (S000 2-38, S002 Q11), data not yet
    /// available or a card not usable (S001: 「マイナ保険証が使えない場合は…被保険者資格申立書…方法もあります」; S002 Q3).
    /// Not when the answer said the eligibility is invalid (the declaration would contradict it and the claim
    /// would come back), nor when identity was not confirmed or rejected.
    pub fn allows_declaration(self) -> bool {
        match self {
            ProblemKind::CommunicationFailure
            | ProblemKind::PowerOutage
            | ProblemKind::DeviceFailure
            | ProblemKind::NoEligibilityData
            | ProblemKind::CardNotUsable => true,
            ProblemKind::EligibilityInvalid
            | ProblemKind::IdentityNotConfirmed
            | ProblemKind::IdentityRejected => false,
        }
    }
}

/// Follow-up after a 10割 payment: re-check eligibility, then refund the excess (S002 R6.3.1 事務連絡)
/// or point the patient to the 療養費支給申請書 (S000 2-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundTask {
    /// Day of the 10割 visit.
    pub visit_on: NaiveDate,
    /// Re-check from this day (data reflection window high end, S003 Q14).
    pub recheck_on: NaiveDate,
    /// Why eligibility could not be confirmed.
    pub problem: Option<ProblemKind>,
    /// Keyed-in numbers if any, to re-check with.
    pub numbers: Option<Numbers>,
}

/// How eligibility was established for a completed reception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Basis {
    /// Online check with the physical card.
    OnlineCard,
    /// Online check with the smartphone.
    OnlineSmartphone,
    /// Online check by a document's numbers.
    OnlineNumbers(DocumentKind),
    /// Document accepted without an online check.
    Document(DocumentKind),
    /// 再診: eligibility from the previous visit, confirmed on that date.
    PreviousVisit {
        /// Date of the stored confirmation.
        confirmed_on: NaiveDate,
    },
    /// 初診: 被保険者資格申立書.
    Declaration,
    /// Not confirmed: 10割 with a refund task.
    Unconfirmed,
}

/// 初診 / 再診.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    /// 初診 — first visit.
    First,
    /// 再診 — return visit.
    Return,
}

impl Basis {
    /// 初診 or 再診 for a reception on this basis. `on_file`: the clinic has seen this patient before, which
    /// only the patient file knows; the basis overrides it where the fallback itself was the desk's choice.
    pub fn visit_kind(&self, on_file: bool) -> VisitKind {
        match self {
            // Only a 再診 may reuse the previous visit's eligibility (domain.md §4(b)).
            Basis::PreviousVisit { .. } => VisitKind::Return,
            // The 申立書 is the 初診 path; a 再診 during an outage uses the history instead.
            Basis::Declaration => VisitKind::First,
            Basis::OnlineCard
            | Basis::OnlineSmartphone
            | Basis::OnlineNumbers(_)
            | Basis::Document(_)
            | Basis::Unconfirmed => {
                if on_file {
                    VisitKind::Return
                } else {
                    VisitKind::First
                }
            }
        }
    }
}

/// Why staff voided a completed reception (kept with its reason, never deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum VoidReason {
    /// The answer showed another person's data (紐付け誤り, S000 2-28, S002 Q5): the patient is told about the
    /// マイナンバー総合フリーダイヤル and received on another basis.
    OtherPersonsData,
}

/// Billing consequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Billing {
    /// 自己負担分 (3割 etc.).
    NormalShare,
    /// 10割 for now.
    FullCharge,
}

/// Everything stored for one completed reception, saved atomically in one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceptionRecord {
    /// When reception completed.
    pub completed_at: NaiveDateTime,
    /// How eligibility was established.
    pub basis: Basis,
    /// Billing.
    pub billing: Billing,
    /// Who operated (本人 / 代理人 / 職員補助).
    pub operator: Operator,
    /// Identity method, when a card or phone was used.
    pub method: Option<Method>,
    /// Certificate serial (card or phone), when used.
    pub cert_serial: Option<String>,
    /// Certificate status at the time.
    pub cert_status: Option<CertStatus>,
    /// Consent answers with times (None when skipped).
    pub consent: Option<ConsentRecord>,
    /// 処方箋の発行形態, if asked.
    pub prescription: Option<PrescriptionForm>,
    /// Medical information may be shown (consent given, not in grace, not suspended).
    pub medical_info_available: bool,
    /// Validity code of the online answer, if any.
    pub validity: Option<QualificationValidity>,
    /// Eligibility (online answer or previous visit).
    pub eligibility: Option<EligibilityRecord>,
    /// QualificationConfirmationDate.
    pub confirmed_on: Option<NaiveDate>,
    /// Document presented, if any.
    pub document: Option<AcceptedDocument>,
    /// 申立書, if taken.
    pub declaration: Option<Declaration>,
    /// Staff classification of the problem that led to a fallback.
    pub problem: Option<ProblemKind>,
    /// Refund follow-up for 10割.
    pub refund_task: Option<RefundTask>,
    /// Accepted on a document alone because the eligibility service could not answer: its numbers are to be
    /// checked online once the service is back (#12 §1). Stored as an open re-check task.
    #[serde(default)]
    pub recheck_online: bool,
}
