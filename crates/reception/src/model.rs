//! Plain, serde-friendly data the flow and the ports exchange.
//!
//! These are crate-local on purpose: the leaf crates (mynacard, oqs, store, face) do not depend on
//! `reception`, so the lead's adapters map their types onto these. Keep them simple.
//!
//! Deliberately absent: any field that could hold a My Number (個人番号), a PIN, a face frame or a
//! card photo. The card photo exists only inside the driver between two port calls.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Physical card kind, as the card adapter determines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardKind {
    /// Normal マイナンバーカード with a 4-digit PIN.
    Normal,
    /// 顔認証マイナンバーカード: no PIN; face or 目視 only (domain.md §1, FACECARD).
    FaceOnly,
}

/// What the card adapter reads from the JPKI 利用者証明用電子証明書.
///
/// Whether the card is registered for insurance use (保険証利用登録) is NOT on the card: it is a
/// property of the national system, asked through `OnlineEligibility::registration_status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    /// Certificate serial number (hex string); the reference the eligibility service is queried with.
    pub serial: String,
    /// First valid day.
    pub not_before: NaiveDate,
    /// Last valid day (the adapter converts the X.509 notAfter instant to the clinic-local day).
    pub not_after: NaiveDate,
    /// Card kind.
    pub kind: CardKind,
}

/// Result of reading a card: certificate plus PIN tries left (None on face-only cards).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardSummary {
    /// The auth certificate.
    pub cert: CertInfo,
    /// PIN tries left as the card reports them (0 = locked); None if the card has no PIN.
    pub pin_tries_left: Option<u8>,
}

/// Card port failures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CardError {
    /// The card left the reader mid-operation.
    #[error("card removed")]
    Removed,
    /// Card present but unreadable (reader code 001 in the field).
    #[error("card unreadable")]
    Unreadable,
    /// A card that is not a マイナンバーカード (reader code 002).
    #[error("not a My Number card")]
    NotMyNumberCard,
    /// Reader hardware / driver failure.
    #[error("reader failure: {0}")]
    Reader(String),
}

/// Outcome of a PIN VERIFY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PinVerdict {
    /// Correct; the card resets its counter.
    Ok,
    /// Wrong; tries left after this attempt.
    Wrong {
        /// Remaining tries (0 means now locked).
        tries_left: u8,
    },
    /// Already locked.
    Locked,
}

/// Smartphone platform (スマホ搭載).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum PhonePlatform {
    /// iPhone: Face ID / Touch ID on the phone itself.
    IPhone,
    /// Android: 4-digit スマホ用利用者証明用電子証明書 PIN entered on the reader.
    Android,
}

/// What the phone presents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneCertInfo {
    /// Smartphone certificate serial.
    pub serial: String,
    /// Last valid day of the phone certificate.
    pub not_after: NaiveDate,
    /// Last valid day of the linked physical card's 利用者証明用 certificate. The phone certificate
    /// cannot outlive it; the adapter fills it from the phone certificate's linkage (or equal to
    /// `not_after` when the two are bound). Refused when past, with no grace (PORTAL-SMAPHO).
    pub card_cert_not_after: NaiveDate,
}

/// Outcome of holding a phone to the smartphone reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneReadOutcome {
    /// Certificate read (and unlocked).
    Read(PhoneCertInfo),
    /// Android PIN wrong.
    WrongPin {
        /// Remaining tries.
        tries_left: u8,
    },
    /// Phone PIN locked.
    Locked,
}

/// Face port verdict. Frames never leave the matcher.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum FaceVerdict {
    /// Same person.
    Match {
        /// Similarity score (matcher-specific scale).
        score: f32,
    },
    /// Different person or too unsure.
    NoMatch {
        /// Similarity score.
        score: f32,
    },
    /// No face in front of the camera.
    NoFace,
}

/// Face port failures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum FaceError {
    /// The card photo could not be read (card gone).
    #[error("card removed")]
    CardRemoved,
    /// The card photo could not be read or decoded.
    #[error("card photo unavailable")]
    PhotoUnavailable,
    /// Camera failure.
    #[error("camera failure: {0}")]
    Camera(String),
}

/// Identity-check method (本人確認方法).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Method {
    /// 顔認証.
    Face,
    /// 暗証番号.
    Pin,
    /// 目視確認 — staff visual identity check (staff mode only).
    Visual,
    /// Smartphone (iPhone biometrics / Android PIN).
    Smartphone,
}

/// Who operated the reader (metadata only; S000 2-21, 2-22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Operator {
    /// 本人.
    Patient,
    /// 代理人 (e.g. a parent entering the child's PIN).
    Proxy,
    /// 職員補助 (staff placing the card etc.).
    StaffAssisted,
}

/// Whether the reader is in its default unattended mode or staff 目視 mode (ONSHI-BLOG p=137).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum ReaderMode {
    /// 無人運転モード.
    Unattended,
    /// 目視確認モード; returns to unattended after one use (KYOTO-IHOU p=16047).
    VisualCheck,
}

/// Consent items asked on the reader (domain.md §2, SHINCHO), in screen order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum ConsentItem {
    /// 診療・お薬 (→ DiagnosisInfoConsFlg + PharmacistsInfoConsFlg).
    TreatmentAndMedicine,
    /// 手術 (→ OperationInfoConsFlg).
    Surgery,
    /// 健診 (→ SpecificHealthCheckupsInfoConsFlg).
    HealthCheckup,
}

impl ConsentItem {
    /// All items in screen order.
    pub const ALL: [ConsentItem; 3] = [
        ConsentItem::TreatmentAndMedicine,
        ConsentItem::Surgery,
        ConsentItem::HealthCheckup,
    ];

    /// The next item screen, if any.
    pub fn next(self) -> Option<ConsentItem> {
        match self {
            ConsentItem::TreatmentAndMedicine => Some(ConsentItem::Surgery),
            ConsentItem::Surgery => Some(ConsentItem::HealthCheckup),
            ConsentItem::HealthCheckup => None,
        }
    }
}

/// 包括同意 or item by item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum ConsentMode {
    /// 包括同意: agree to all items at once (released 2024-10-07).
    Comprehensive,
    /// 個別に選択.
    Individual,
    /// 同意しない for everything (never blocks the check).
    DeclineAll,
}

/// 処方箋の発行形態 (OQSCD017: 1 = 電子, 2 = 紙).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum PrescriptionForm {
    /// 電子処方箋.
    Electronic,
    /// 紙の処方箋.
    Paper,
}

/// Consent answers with their time and 24 h expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct ConsentRecord {
    /// How the patient answered: 包括同意, item by item, or 同意しない for all at once.
    pub mode: ConsentMode,
    /// 診療・お薬.
    pub treatment_and_medicine: bool,
    /// 手術.
    pub surgery: bool,
    /// 健診.
    pub health_checkup: bool,
    /// 限度額 (legacy screen only; otherwise always true for card checks, domain.md §2(b)).
    pub limit_info: bool,
    /// When the answers were given (ConsTime).
    pub given_at: NaiveDateTime,
    /// given_at + 24 h (AvailableTime).
    pub valid_until: NaiveDateTime,
}

impl ConsentRecord {
    /// Any medical-information item agreed?
    pub fn any_medical(&self) -> bool {
        self.treatment_and_medicine || self.surgery || self.health_checkup
    }
}

/// QualificationValidity (資格有効性, OQSCD006).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum QualificationValidity {
    /// 1 有効.
    Valid,
    /// 2 無効.
    Invalid,
    /// 3 無効（新しい資格あり）.
    InvalidNewerExists,
    /// 4 該当資格なし.
    NotFound,
    /// 5 複数該当 (医療保険 only).
    MultipleMatches,
    /// 6 有効（未登録） (医療扶助 only).
    ValidUnregistered,
}

impl QualificationValidity {
    /// The numeric code (OQSCD006).
    pub fn code(self) -> u8 {
        match self {
            Self::Valid => 1,
            Self::Invalid => 2,
            Self::InvalidNewerExists => 3,
            Self::NotFound => 4,
            Self::MultipleMatches => 5,
            Self::ValidUnregistered => 6,
        }
    }

    /// From the numeric code.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Valid),
            2 => Some(Self::Invalid),
            3 => Some(Self::InvalidNewerExists),
            4 => Some(Self::NotFound),
            5 => Some(Self::MultipleMatches),
            6 => Some(Self::ValidUnregistered),
            _ => None,
        }
    }
}

/// SegmentOfResult (処理結果区分, OQSCD003).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Segment {
    /// 1 正常終了.
    Normal,
    /// 2 処理中: ask again shortly.
    Processing,
    /// 9 異常終了.
    Error {
        /// ErrorCode as sent.
        code: String,
    },
}

/// 本人・家族区分 (OQSCD009).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Relationship {
    /// 1 本人 (被保険者).
    Insured,
    /// 2 家族 (被扶養者).
    Dependant,
}

/// Consent flags as the service returns them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct ReturnedConsent {
    /// PharmacistsInfoConsFlg / DiagnosisInfoConsFlg.
    pub treatment_and_medicine: bool,
    /// OperationInfoConsFlg.
    pub surgery: bool,
    /// SpecificHealthCheckupsInfoConsFlg.
    pub health_checkup: bool,
    /// ConsTime, if any consent.
    pub given_at: Option<NaiveDateTime>,
    /// AvailableTime, if any consent.
    pub valid_until: Option<NaiveDateTime>,
}

/// One eligibility (ResultOfQualificationConfirmation), reduced to what reception needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct EligibilityRecord {
    /// 保険者番号 (8 digits, or 6 for 国保; trimmed).
    pub insurer_number: String,
    /// 保険者名称.
    pub insurer_name: String,
    /// 記号 (absent for e.g. 後期高齢者).
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番.
    pub branch: Option<String>,
    /// 氏名.
    pub name: String,
    /// 氏名カナ as received (often half-width).
    pub name_kana: String,
    /// 生年月日.
    pub birthdate: NaiveDate,
    /// 性別 as the insurer registered it (`Sex1`; `Unstated` when the answer has none).
    #[serde(default)]
    pub sex: crate::paper::Sex,
    /// 本人・家族.
    pub relationship: Option<Relationship>,
    /// 負担割合 in percent (30 = 3割), derived by the adapter (domain.md §3).
    pub copay_percent: Option<u8>,
    /// First valid day.
    pub valid_from: Option<NaiveDate>,
    /// Last valid day.
    pub valid_until: Option<NaiveDate>,
    /// Consent flags and times as returned.
    pub consent: ReturnedConsent,
    /// Medical-information viewing suspended (5-item mismatch check, S003 Q3).
    pub medical_viewing_suspended: bool,
    /// 高齢受給者証 (ages 70–74), when the answer carries one (S000 2-13, S004 §4(2)).
    #[serde(default)]
    pub elderly: Option<ElderlyRecipient>,
    /// 限度額適用認定証 information, when the answer carries one (S000 2-11, S003 Q6, S004 §4(1)).
    #[serde(default)]
    pub limit: Option<LimitCertificate>,
    /// 特定疾病療養受療証 entries (S004 §4(3)).
    #[serde(default)]
    pub specific_diseases: Vec<SpecificDisease>,
}

/// 高齢受給者証: the share it gives and its validity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct ElderlyRecipient {
    /// 一部負担金の割合 in percent (20 = 2割).
    pub copay_percent: Option<u8>,
    /// First valid day.
    pub valid_from: Option<NaiveDate>,
    /// Last valid day.
    pub valid_until: Option<NaiveDate>,
}

/// 限度額適用認定証 (its 適用区分 is what billing needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct LimitCertificate {
    /// 適用区分 code (OQSCD012, e.g. `A03`, `B02`).
    pub class_code: String,
    /// 適用区分 as printed on the certificate (e.g. 「ウ」, 「現役並みⅡ」).
    pub class_name: String,
    /// First valid day.
    pub valid_from: Option<NaiveDate>,
    /// Last valid day.
    pub valid_until: Option<NaiveDate>,
}

/// One 特定疾病療養受療証.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct SpecificDisease {
    /// 特定疾病区分 code (OQSCD013: 1 透析を要する慢性腎不全, 2 血友病, 3 HIV).
    pub category_code: String,
    /// Its name.
    pub category_name: String,
    /// Monthly 自己負担限度額 in yen (10,000 or 20,000).
    pub self_pay_yen: Option<u32>,
    /// First valid day.
    pub valid_from: Option<NaiveDate>,
    /// Last valid day.
    pub valid_until: Option<NaiveDate>,
}

/// Answer of the eligibility service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityResponse {
    /// SegmentOfResult.
    pub segment: Segment,
    /// QualificationValidity (present when segment is Normal).
    pub validity: Option<QualificationValidity>,
    /// The matched eligibility (present for 1, 3, 6 and sometimes 2).
    pub record: Option<EligibilityRecord>,
    /// QualificationConfirmationDate.
    pub confirmed_on: NaiveDate,
}

/// Eligibility port failures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum EligibilityError {
    /// No answer in time.
    #[error("timeout")]
    Timeout,
    /// Service unreachable (通信障害).
    #[error("unavailable")]
    Unavailable,
    /// The answer could not be parsed.
    #[error("malformed answer: {0}")]
    Malformed(String),
    /// This adapter makes no certificate (card) query: beside a 資格確認端末 that check is its certified reader's
    /// (#16 §1). The card was read and the identity checked here; eligibility goes on at the desk.
    #[error("the online check by certificate is made by the certified reader")]
    CertifiedReaderOnly,
}

/// 保険証利用登録 status (known from the national system, not from the card).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Registration {
    /// Registered for insurance use.
    Registered,
    /// Not registered.
    NotRegistered,
}

/// Reference to the certificate a query is made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertRef {
    /// Physical card certificate serial.
    Card {
        /// Serial.
        serial: String,
    },
    /// Smartphone certificate serial.
    Smartphone {
        /// Serial.
        serial: String,
        /// Platform.
        platform: PhonePlatform,
    },
}

/// Query by certificate (照会区分 1), with the consent choices the reader collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertQuery {
    /// Certificate.
    pub cert: CertRef,
    /// Signature over `challenge` (PIN path only: the auth key needs the PIN).
    pub proof: Option<PossessionProof>,
    /// Consent answers (None = consent step skipped, e.g. grace-period certificate).
    pub consent: Option<ConsentRecord>,
    /// 処方箋の発行形態, if asked.
    pub prescription: Option<PrescriptionForm>,
    /// False during the certificate grace period: eligibility only.
    pub medical_info_allowed: bool,
    /// QualificationConfirmationDate.
    pub date: NaiveDate,
}

/// Challenge and the card's signature over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PossessionProof {
    /// The challenge bytes.
    pub challenge: Vec<u8>,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

/// Query by 保険者番号・記号・番号・枝番・生年月日 (照会区分 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberQuery {
    /// 保険者番号.
    pub insurer_number: String,
    /// 記号.
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番.
    pub branch: Option<String>,
    /// 生年月日.
    pub birthdate: NaiveDate,
    /// QualificationConfirmationDate.
    pub date: NaiveDate,
    /// The patient agreed at the desk that 限度額・特定疾病 information be provided
    /// (LimitApplicationCertificateRelatedConsFlg).
    #[serde(default)]
    pub limit_consent: bool,
}

/// How a stored eligibility is found for a 再診 patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum PatientLookup {
    /// The clinic's own patient number (診察券番号).
    ClinicPatientId(String),
    /// カナ氏名 + 生年月日.
    KanaAndBirthdate {
        /// Kana name.
        kana: String,
        /// Birthdate.
        birthdate: NaiveDate,
    },
    /// Certificate serial of the card in the reader.
    CertSerial(String),
}

/// A previously stored eligibility with the date it was confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct StoredEligibility {
    /// The eligibility.
    pub record: EligibilityRecord,
    /// QualificationConfirmationDate of that visit.
    pub confirmed_on: NaiveDate,
}

/// Store port failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("store failure: {0}")]
pub struct StoreError(pub String);
