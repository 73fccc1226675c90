//! The record types the store keeps: what a completed reception is made of, and what the desk reads back.
//!
//! Plain data with serde. The domain facts reception already decides have one home, in `reception`: the
//! 申立書 ([`Declaration`]), an accepted paper document ([`AcceptedDocument`] with its [`DocumentKind`] and
//! [`GroupSetting`]), [`Sex`], [`Relationship`] and [`InsuranceType`] are reception's types, re-exported here,
//! and the store only adds their SQL text codes (one table per type, below). The types declared here are the
//! store's own record (visits, snapshots, consents, payments, the audit log). Deliberately absent: any field for the 12-digit My Number (個人番号), PINs, 照合番号B, face
//! frames or embeddings, and card photos. The type system is the first guard; the schema (no such columns,
//! STRICT tables, no BLOB columns) and the text guard in `codec` are the second and third.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::codec::text_code;

pub use reception::model::{
    Operator, PrescriptionForm, QualificationValidity, Relationship, SpecificDisease,
};
pub use reception::paper::{
    AcceptedDocument, Declaration, DocumentKind, GroupSetting, InsuranceType, Sex, VisitKind, VoidReason,
};
pub use reception::validate::Numbers;

// The stored text codes of reception's types. They are the codes the schema's CHECKs list (unchanged since
// v1, when the store still had its own copies of these enums), so existing files read back as before.
text_code!(Sex { Male => "male", Female => "female", Unstated => "unset" });
text_code!(Relationship { Insured => "insured", Dependant => "dependant" });
text_code!(InsuranceType { Employee => "employee", National => "national", LateElderly => "late_elderly", Other => "other" });
text_code!(DocumentKind {
    QualificationCertificate => "qualification_certificate",
    Notice => "eligibility_notice",
    PortalPdf => "portal_pdf",
    LegacyCard => "legacy_insurance_card",
});
text_code!(GroupSetting { SchoolTrip => "school_trip", Nursery => "nursery" });

/// Which database file a record belongs to. 練習 (training) and live data live in separate files; the file
/// records its mode and refuses to be opened (or written) as the other one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Live,
    Training,
}
text_code!(Mode { Live => "live", Training => "training" });

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(crate::codec::TextCode::code(self))
    }
}

/// Internal patient id (the clinic's own number, never an insurance or My Number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "store/")]
pub struct PatientId(pub i64);

/// Row id of a visit (one reception).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "store/")]
pub struct VisitId(pub i64);

/// Row id of a refund task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RefundTaskId(pub i64);

/// A patient as the desk knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPatient {
    /// 氏名 as registered.
    pub name: String,
    /// カナ氏名; half- or full-width as received (search normalises both).
    pub name_kana: String,
    /// 通称名 etc., if any.
    pub name_other: Option<String>,
    pub birthdate: NaiveDate,
    pub sex: Sex,
}

/// A stored patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "store/")]
pub struct Patient {
    pub id: PatientId,
    pub name: String,
    pub name_kana: String,
    pub name_other: Option<String>,
    pub birthdate: NaiveDate,
    pub sex: Sex,
}

/// Who the reception is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatientRef {
    /// A patient already in this file.
    Existing(PatientId),
    /// Always create a new patient.
    New(NewPatient),
    /// Reuse the patient with the same name, kana, birthdate and sex, else create one (the usual card case:
    /// the desk only knows the OQS identity fields).
    MatchOrCreate(NewPatient),
}

/// How identity was confirmed at the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "store/")]
#[serde(rename_all = "snake_case")]
pub enum IdentityMethod {
    /// 顔認証 — face matching against the chip photo.
    Face,
    /// 暗証番号 — 4-digit PIN (the PIN itself is never stored).
    Pin,
    /// 目視確認 — staff visual identity check.
    StaffVisual,
    /// No card identity check (paper document, 申立書, 10割).
    NoCard,
}
text_code!(IdentityMethod { Face => "face", Pin => "pin", StaffVisual => "staff_visual", NoCard => "no_card" });

// 本人 / 代理人 / 職員補助 is reception's `Operator`, stored under the column `presenter`.
text_code!(Operator { Patient => "patient", Proxy => "proxy", StaffAssisted => "staff_assisted" });

// 初診 / 再診 is reception's decision (`Basis::visit_kind`).
text_code!(VisitKind { First => "first", Return => "return" });

/// What the reception ended with — the basis the visit is billed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "store/")]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Online eligibility confirmed (資格有効).
    Confirmed,
    /// 再診: the last recorded eligibility was used during an outage.
    HistoryUsed,
    /// A paper document (資格確認書, お知らせ, PDF, legacy 保険証) was accepted.
    PaperDocument,
    /// 被保険者資格申立書 taken.
    Declaration,
    /// 10割 — full self-payment, refund task opened.
    FullPayment,
    /// The patient left before reception completed.
    Abandoned,
}
text_code!(Outcome {
    Confirmed => "confirmed",
    HistoryUsed => "history_used",
    PaperDocument => "paper_document",
    Declaration => "declaration",
    FullPayment => "full_payment",
    Abandoned => "abandoned",
});

/// Which fallback path was used when the normal card flow could not finish (domain.md §4(b)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "store/")]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// Card + 資格情報のお知らせ.
    CardWithNotice,
    /// Card + マイナポータル 資格情報 screen or PDF.
    CardWithPortalPdf,
    /// 再診 history.
    RevisitHistory,
    /// 初診 被保険者資格申立書.
    Declaration,
    /// 10割 + refund task.
    FullPayment,
    /// 資格確認書 presented instead of a card.
    QualificationCertificate,
    /// Legacy 健康保険証 (within its transition window).
    LegacyCard,
    /// School trip / nursery: PDF or お知らせ without the child's card.
    SchoolTrip,
}
text_code!(Fallback {
    CardWithNotice => "card_with_notice",
    CardWithPortalPdf => "card_with_portal_pdf",
    RevisitHistory => "revisit_history",
    Declaration => "declaration",
    FullPayment => "full_payment",
    QualificationCertificate => "qualification_certificate",
    LegacyCard => "legacy_card",
    SchoolTrip => "school_trip",
});

/// The visit row of a reception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    /// The reception session's own id (unique; saving the same session twice is refused).
    pub session_id: String,
    /// When reception completed (JST wall time, from the caller's clock).
    pub at: NaiveDateTime,
    pub kind: VisitKind,
    pub identity: IdentityMethod,
    pub presenter: Operator,
    pub outcome: Outcome,
    pub fallback: Option<Fallback>,
    /// Staff member who handled or closed the reception.
    pub staff: Option<String>,
    pub note: Option<String>,
}

/// 照会区分 (OQS `ReferenceClassification`): what the check was keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EligibilityReference {
    /// 1 = マイナンバーカード.
    Card,
    /// 2 = 被保険者証情報 (記号・番号).
    InsuranceNumbers,
}
text_code!(EligibilityReference { Card => "card", InsuranceNumbers => "insurance_numbers" });

/// The part of an オンライン資格確認 result the desk needs later (staff view, 再診 fallback, billing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilitySnapshot {
    /// `QualificationConfirmationDate`, shown with every 再診 reuse.
    pub confirmation_date: NaiveDate,
    /// `ProcessExecutionTime`.
    pub processed_at: Option<NaiveDateTime>,
    pub reference: EligibilityReference,
    /// 資格有効性 of the answer; None when no code came with it (e.g. an answer kept from a document), which never
    /// counts as valid for a later 再診. Stored as the OQS code, or `-`.
    pub validity: Option<QualificationValidity>,
    /// 保険者番号 (trimmed).
    pub insurer_number: String,
    pub insurer_name: Option<String>,
    /// 記号 (absent e.g. for 後期高齢者).
    pub card_symbol: Option<String>,
    /// 番号.
    pub card_number: String,
    /// 枝番.
    pub branch_number: Option<String>,
    pub relationship: Option<Relationship>,
    /// 被保険者氏名（世帯主氏名）.
    pub insured_name: Option<String>,
    pub name: String,
    pub name_kana: String,
    pub sex: Sex,
    pub birthdate: NaiveDate,
    /// 被保険者証区分 code (OQSCD010), verbatim.
    pub card_classification: Option<String>,
    /// `InsuredCardValidDate`.
    pub valid_from: Option<NaiveDate>,
    /// `InsuredCardExpirationDate`.
    pub valid_until: Option<NaiveDate>,
    /// 負担割合 in percent (10/20/30), as derived by the caller from the OQS fields.
    pub copay_percent: Option<u8>,
    /// 高齢受給者証 validity.
    pub elderly_valid_from: Option<NaiveDate>,
    pub elderly_valid_until: Option<NaiveDate>,
    /// 高齢受給者証's 一部負担金の割合 in percent.
    #[serde(default)]
    pub elderly_copay_percent: Option<u8>,
    /// 限度額区分 (OQSCD012 code, e.g. "A03").
    pub limit_class: Option<String>,
    /// 限度額区分 as printed (e.g. 「ウ」).
    #[serde(default)]
    pub limit_class_name: Option<String>,
    pub limit_valid_from: Option<NaiveDate>,
    pub limit_valid_until: Option<NaiveDate>,
    /// 未就学区分.
    pub preschool: bool,
    /// 資格喪失事由 code.
    pub reason_of_loss: Option<String>,
    /// `ProcessingResultCode` / `ProcessingResultMessage`.
    pub result_code: Option<String>,
    pub result_message: Option<String>,
    /// 特定疾病療養受療証 entries of the answer.
    #[serde(default)]
    pub specific_diseases: Vec<SpecificDisease>,
}

/// 包括同意 or 個別 selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentScope {
    /// 包括同意 — all items at once.
    Comprehensive,
    /// 個別 — item by item.
    Individual,
}
text_code!(ConsentScope { Comprehensive => "comprehensive", Individual => "individual" });

/// Consent flag as in the OQS result (OQSCD016): 0 同意なし, 1 同意あり, 2 期限切れ, 3 取得困難.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentFlag {
    No,
    Yes,
    Expired,
    Difficult,
}

impl ConsentFlag {
    pub fn code(self) -> i64 {
        match self {
            ConsentFlag::No => 0,
            ConsentFlag::Yes => 1,
            ConsentFlag::Expired => 2,
            ConsentFlag::Difficult => 3,
        }
    }

    pub fn from_code(c: i64) -> Option<Self> {
        match c {
            0 => Some(ConsentFlag::No),
            1 => Some(ConsentFlag::Yes),
            2 => Some(ConsentFlag::Expired),
            3 => Some(ConsentFlag::Difficult),
            _ => None,
        }
    }
}

/// The result flags a consent produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentFlags {
    pub pharmacists: ConsentFlag,
    pub diagnosis: ConsentFlag,
    pub operation: ConsentFlag,
    pub checkups: ConsentFlag,
    /// 限度額 (`LimitApplicationCertificateRelatedConsFlg`).
    pub limit: ConsentFlag,
}

// Why a reception was voided is reception's `VoidReason`.
text_code!(VoidReason { OtherPersonsData => "other_persons_data" });

// 処方箋の発行形態 is reception's `PrescriptionForm`.
text_code!(PrescriptionForm { Electronic => "electronic", Paper => "paper" });

/// 同意 given at the reader: the items chosen, the flags they produced, and the validity window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// `ConsTime`.
    pub given_at: NaiveDateTime,
    /// `AvailableTime`: given_at + 24 h under today's rule (the rule lives in the reception rules table; the
    /// store only records what it was told and refuses an expiry that is not after the consent).
    pub expires_at: NaiveDateTime,
    pub scope: ConsentScope,
    /// 診療・お薬.
    pub medical_and_drugs: bool,
    /// 手術.
    pub surgery: bool,
    /// 健診.
    pub checkups: bool,
    pub flags: ConsentFlags,
    pub prescription_format: Option<PrescriptionForm>,
}

/// How the patient gets back the amount above their normal share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundRoute {
    /// The clinic refunds once eligibility is confirmed (事務連絡 R6.3.1).
    ClinicRefund,
    /// The patient claims from the insurer (療養費支給申請書).
    InsurerClaim,
}
text_code!(RefundRoute { ClinicRefund => "clinic_refund", InsurerClaim => "insurer_claim" });

/// 10割 — a full self-payment and the refund task it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FullPayment {
    /// Amount paid (yen).
    pub amount_yen: i64,
    /// What the normal share would have been, if known (yen).
    pub normal_share_yen: Option<i64>,
    pub reason: String,
    pub route: RefundRoute,
    /// When to re-check eligibility.
    pub recheck_on: Option<NaiveDate>,
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: NaiveDateTime,
    /// Staff id, `reader`, `system`…
    pub actor: String,
    /// Short machine-readable action, e.g. `consent.saved`.
    pub action: String,
    pub detail: Option<String>,
}

/// Everything one reception produced, written in one transaction: all of it, or none of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedReception {
    /// Must equal the database's mode, else saving is refused.
    pub mode: Mode,
    pub patient: PatientRef,
    pub visit: Visit,
    pub eligibility: Option<EligibilitySnapshot>,
    pub consent: Option<Consent>,
    /// The documents reception accepted, as it accepted them.
    pub documents: Vec<AcceptedDocument>,
    /// The 申立書 as reception validated it (a `Declaration` exists only once the patient signed it).
    pub declaration: Option<Declaration>,
    pub full_payment: Option<FullPayment>,
    /// Accepted on a document alone while the eligibility service could not answer: why its numbers are to be
    /// checked online again; opens a re-check task (#12 §1).
    #[serde(default)]
    pub recheck: Option<String>,
    pub audit: Vec<AuditEntry>,
}

/// Open / done state of a refund task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    Done,
}
text_code!(TaskStatus { Open => "open", Done => "done" });

/// A refund task as stored, with the payment it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundTask {
    pub id: RefundTaskId,
    pub visit_id: VisitId,
    pub patient_id: PatientId,
    pub patient_name: String,
    pub visit_at: NaiveDateTime,
    pub payment: FullPayment,
    pub status: TaskStatus,
    pub done_at: Option<NaiveDateTime>,
    pub done_by: Option<String>,
    pub done_note: Option<String>,
}

/// A full reception read back (round-trip of what was saved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReception {
    pub visit_id: VisitId,
    pub mode: Mode,
    pub patient: Patient,
    pub visit: Visit,
    pub eligibility: Option<EligibilitySnapshot>,
    pub consent: Option<Consent>,
    pub documents: Vec<AcceptedDocument>,
    pub declaration: Option<Declaration>,
    pub full_payment: Option<FullPayment>,
    pub refund_task: Option<RefundTask>,
    pub audit: Vec<AuditEntry>,
}

/// One line of the desk's day list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "store/")]
pub struct ReceptionSummary {
    pub visit_id: VisitId,
    pub session_id: String,
    pub at: NaiveDateTime,
    pub patient_id: PatientId,
    pub name: String,
    pub name_kana: String,
    pub birthdate: NaiveDate,
    pub sex: Sex,
    pub kind: VisitKind,
    pub identity: IdentityMethod,
    pub presenter: Operator,
    pub outcome: Outcome,
    pub fallback: Option<Fallback>,
    pub insurer_number: Option<String>,
    pub copay_percent: Option<u8>,
    /// 限度額適用区分 as printed (from the answer, or from the 資格確認書 accepted offline).
    pub limit_class_name: Option<String>,
    /// 特定疾病 names of the answer, joined with 「・」.
    pub specific_diseases: Option<String>,
    /// Until when the patient's 同意 holds, when they consented to at least one item (a reception where every
    /// item was declined has none: the desk would read 「…まで有効」 as a consent given).
    pub consent_expires_at: Option<NaiveDateTime>,
    /// An open refund task belongs to this reception.
    pub refund_open: bool,
    /// An open re-check task (a document accepted offline) belongs to this reception.
    pub recheck_open: bool,
    /// Staff voided this reception (why); it stays listed, struck through.
    pub voided: Option<VoidReason>,
    /// Taken in from the certified reader's result file of this name (beside a 資格確認端末, #16 §1): the
    /// identity check and the online check were the certified reader's, not this desk's.
    pub certified_reader_file: Option<String>,
    /// The desk that received it, in a record shared by several desks (#15 §2).
    pub desk: Option<String>,
}

/// Filter for the day list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceptionFilter {
    /// Only these outcomes (empty = all).
    pub outcomes: Vec<Outcome>,
    /// Only receptions with an open task (a refund after 10割, or a re-check of a document accepted offline).
    pub pending_task_only: bool,
}

/// Last eligibility for a patient (再診), with the visit it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastEligibility {
    pub visit_id: VisitId,
    pub visit_at: NaiveDateTime,
    pub snapshot: EligibilitySnapshot,
}

/// Consent status of a patient at a given moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentStatus {
    pub visit_id: VisitId,
    pub consent: Consent,
    /// `now < expires_at`: medical information may be viewed.
    pub valid: bool,
}
