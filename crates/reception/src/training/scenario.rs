//! The scenario model and the built-in curriculum (`assets/scenarios/*.toml`, embedded with
//! `include_str!` so neither the app nor the tests read files).
//!
//! A scenario pins its own "today", names a persona (or "none" for a paper-only patient), lists what
//! the patient brings and the faults in play, tells a short story in Japanese, and lists the
//! **expected staff decisions**, each with the rule that makes it right (seed file + question,
//! domain.md section, or a `rules.rs` row) and graded alternatives.
//! Deliberately not here: scoring (`score`), running the flow (`sim`), any file access.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{ConsentMode, PhonePlatform};
use crate::paper::{Basis, Billing, DocumentKind, GroupSetting};
use crate::rules::{self, RuleId};
use crate::training::decision::StaffDecision;
use crate::training::personas;
use crate::training::{Lang, Text};

/// A fault in play (what the simulated world does wrong).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Fault {
    /// The eligibility service never answers in time (registration check and queries).
    OqsTimeout,
    /// The eligibility service cannot be reached (通信障害).
    OqsOutage,
    /// Queries answer 処理中 (SegmentOfResult 2) every time.
    OqsProcessing,
    /// Queries answer 異常終了 (SegmentOfResult 9).
    OqsError,
    /// The card's chip cannot be read (worn card, broken IC).
    CardUnreadable,
    /// The reader does not answer (pcscd stopped, cable out).
    ReaderStopped,
    /// 停電: reader and network both down.
    PowerOutage,
    /// Face authentication never matches.
    FaceNoMatch,
    /// Face authentication fails once, then matches.
    FaceNoMatchOnce,
    /// The camera fails.
    CameraError,
    /// The certificate query returns another person's data (mis-linkage).
    OtherPersonsData,
}

/// A paper document the patient brings, with the fields staff key in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroughtDocument {
    /// 資格確認書 / 保険証 / お知らせ / マイナポータル PDF.
    pub kind: DocumentKind,
    /// 保険者番号.
    pub insurer_number: String,
    /// 記号.
    #[serde(default)]
    pub symbol: String,
    /// 番号.
    pub number: String,
    /// 枝番.
    #[serde(default)]
    pub branch: String,
    /// 生年月日 (YYYY-MM-DD).
    pub birthdate: String,
    /// 氏名 as printed.
    #[serde(default)]
    pub name: String,
    /// 保険者名称 as printed.
    #[serde(default)]
    pub insurer_name: String,
    /// 交付年月日 (資格確認書).
    #[serde(default)]
    pub issued_on: String,
    /// 有効期限 (資格確認書, or a printed one on a 保険証; empty = none printed).
    #[serde(default)]
    pub valid_until: String,
    /// 家族（被扶養者）.
    #[serde(default)]
    pub dependant: bool,
    /// 一部負担金の割合 printed on a 資格確認書 (ages 70–74) or shown on a 高齢受給者証 with a 保険証, percent.
    #[serde(default)]
    pub copay_percent: Option<u8>,
    /// 限度区分 printed on a 資格確認書 (任意記載事項).
    #[serde(default)]
    pub limit_class: Option<String>,
    /// School trip / nursery setting, when a teacher or nursery worker presents it.
    #[serde(default)]
    pub group: Option<GroupSetting>,
    /// 付き添い name (group only).
    #[serde(default)]
    pub chaperone: String,
}

/// What the patient brings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Brings {
    /// The physical マイナンバーカード.
    #[serde(default)]
    pub card: bool,
    /// A smartphone with the マイナ保険証 (platform).
    #[serde(default)]
    pub phone: Option<PhonePlatform>,
    /// Paper or on-screen documents.
    #[serde(default)]
    pub documents: Vec<BroughtDocument>,
}

/// How the simulated patient behaves on the reader (never scored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientScript {
    /// Consent choice on the reader.
    #[serde(default = "default_consent")]
    pub consent: ConsentMode,
    /// PINs typed, in order; empty = the persona's PIN.
    #[serde(default)]
    pub pins: Vec<String>,
    /// A 再診 patient: the clinic has stored eligibility from an earlier visit.
    #[serde(default)]
    pub previous_visit: bool,
}

fn national_temporary_rule() -> bool {
    true
}

fn default_consent() -> ConsentMode {
    ConsentMode::Comprehensive
}

impl Default for PatientScript {
    fn default() -> Self {
        PatientScript {
            consent: default_consent(),
            pins: Vec::new(),
            previous_visit: false,
        }
    }
}

/// An alternative decision with its own explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    /// The decision.
    pub decision: StaffDecision,
    /// Why it is acceptable / wrong here.
    pub why: Text,
}

/// One expected decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expectation {
    /// The right decision.
    pub decision: StaffDecision,
    /// Source that makes it right: seed file + question (`S000 2-23`, `S004 Q7`) or `domain.md §N`.
    pub source: String,
    /// The `rules.rs` row, where one applies.
    #[serde(default)]
    pub rule_id: Option<RuleId>,
    /// Why (shown in the debrief).
    pub why: Text,
    /// Alternatives graded "acceptable".
    #[serde(default)]
    pub acceptable: Vec<Alternative>,
    /// Plausible wrong answers (graded wrong, naming this expectation's rule).
    #[serde(default)]
    pub wrong: Vec<Alternative>,
}

impl Expectation {
    /// The citation text: source, plus the rules-table row and its own source when given.
    pub fn citation(&self) -> String {
        match self.rule_id {
            Some(id) => {
                let r = rules::rule(id);
                format!("{} [rules.rs {:?}: {}]", self.source, id, r.source)
            }
            None => self.source.clone(),
        }
    }
}

/// A decision that is wrong in this scenario whenever it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forbidden {
    /// The decision.
    pub decision: StaffDecision,
    /// The rule it breaks.
    pub source: String,
    /// Why.
    pub why: Text,
}

/// How the basis of a completed reception is named in scenario files (variant of `paper::Basis`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndBasis {
    /// Online with the card.
    OnlineCard,
    /// Online with the smartphone.
    OnlineSmartphone,
    /// Online by a document's numbers.
    OnlineNumbers(DocumentKind),
    /// Document accepted without an online answer.
    Document(DocumentKind),
    /// 再診 history.
    PreviousVisit,
    /// 申立書.
    Declaration,
    /// 10割.
    Unconfirmed,
}

impl EndBasis {
    /// Does a flow `Basis` match?
    pub fn matches(self, basis: &Basis) -> bool {
        match (self, basis) {
            (EndBasis::OnlineCard, Basis::OnlineCard)
            | (EndBasis::OnlineSmartphone, Basis::OnlineSmartphone)
            | (EndBasis::PreviousVisit, Basis::PreviousVisit { .. })
            | (EndBasis::Declaration, Basis::Declaration)
            | (EndBasis::Unconfirmed, Basis::Unconfirmed) => true,
            (EndBasis::OnlineNumbers(a), Basis::OnlineNumbers(b))
            | (EndBasis::Document(a), Basis::Document(b)) => a == *b,
            (_, _) => false,
        }
    }
}

/// Where the expected decisions lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct End {
    /// Basis of the last completed reception.
    pub basis: EndBasis,
    /// Billing.
    pub billing: Billing,
}

/// One training scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// Id (= file stem).
    pub id: String,
    /// Title.
    pub title: Text,
    /// Persona id from personas.md, or "none" for a paper-only patient.
    pub persona: String,
    /// The pinned "today" (clinic-local date; the run starts at 10:00).
    pub today: NaiveDate,
    /// The MHLW temporary rule until 2026-03-31: on, as nationally; `false` plays a site that overrode it.
    #[serde(default = "national_temporary_rule")]
    pub temporary_rule: bool,
    /// Short patient story, in Japanese.
    pub story_ja: String,
    /// Topic tags (for the curriculum list).
    #[serde(default)]
    pub tags: Vec<String>,
    /// What the patient brings.
    #[serde(default)]
    pub brings: Brings,
    /// Faults in play.
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Patient behaviour for the headless run.
    #[serde(default)]
    pub patient: PatientScript,
    /// Expected decisions, in the order a good receptionist makes them.
    pub expect: Vec<Expectation>,
    /// Decisions that are wrong here whenever they are made.
    #[serde(default)]
    pub forbidden: Vec<Forbidden>,
    /// Where the expected decisions lead.
    pub end: End,
}

/// Why a scenario file is not usable.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Not valid TOML for the schema.
    #[error("scenario {id}: {message}")]
    Parse {
        /// File id.
        id: String,
        /// Parser message.
        message: String,
    },
    /// Parsed, but inconsistent.
    #[error("scenario {id}: {problem}")]
    Invalid {
        /// Scenario id.
        id: String,
        /// What is wrong.
        problem: String,
    },
    /// No such scenario.
    #[error("no scenario named {0}")]
    Unknown(String),
}

/// Check a source text: it cites at least one line, and every line it cites is in the index of seed lines
/// (`rules::SEED_LINES`, listed in docs/rules.md), so a scenario cannot teach from a line nobody checked.
fn check_citation(source: &str) -> Result<(), String> {
    let cites = crate::rules::citations(source);
    if cites.is_empty() {
        return Err(format!("source {source:?} cites no seed or domain.md section"));
    }
    match cites.iter().find(|c| crate::rules::seed_line(c).is_none()) {
        Some(c) => Err(format!(
            "source {source:?} cites {c:?}, which is not in the index of seed lines (rules::SEED_LINES)"
        )),
        None => Ok(()),
    }
}

impl Scenario {
    /// Parse one scenario file and check it.
    pub fn from_toml(file_id: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let s: Scenario = toml::from_str(text).map_err(|e| ScenarioError::Parse {
            id: file_id.to_owned(),
            message: e.to_string(),
        })?;
        let bad = |problem: String| ScenarioError::Invalid {
            id: file_id.to_owned(),
            problem,
        };
        if s.id != file_id {
            return Err(bad(format!("id {} differs from the file name", s.id)));
        }
        if s.persona != "none" && personas::persona(&s.persona).is_none() {
            return Err(bad(format!("unknown persona {}", s.persona)));
        }
        // The card must be able to exist on the scenario's day (rules table).
        if personas::persona(&s.persona).is_some_and(|p| p.kind == crate::model::CardKind::FaceOnly)
            && !crate::rules::face_only_card_exists(s.today)
        {
            return Err(bad("a 顔認証マイナンバーカード before it existed".into()));
        }
        if s.brings.phone.is_some() && !crate::rules::smartphone_available(true, s.today) {
            return Err(bad("a smartphone マイナ保険証 before it could be used".into()));
        }
        if s.expect.is_empty() {
            return Err(bad("no expected decisions".into()));
        }
        if s.story_ja.trim().is_empty() || s.title.ja.trim().is_empty() || s.title.en.trim().is_empty() {
            return Err(bad("title and story are required".into()));
        }
        for e in &s.expect {
            check_citation(&e.source).map_err(|why| bad(format!("{:?}: {why}", e.decision)))?;
            let alts = e.acceptable.iter().chain(&e.wrong);
            if let Some(a) = alts.clone().find(|a| a.decision == e.decision) {
                return Err(bad(format!(
                    "{:?} is both expected and an alternative",
                    a.decision
                )));
            }
        }
        for f in &s.forbidden {
            check_citation(&f.source).map_err(|why| bad(format!("forbidden {:?}: {why}", f.decision)))?;
            if s.expect.iter().any(|e| e.decision == f.decision) {
                return Err(bad(format!("{:?} is both expected and forbidden", f.decision)));
            }
        }
        Ok(s)
    }

    /// The title in a language.
    pub fn title_in(&self, lang: Lang) -> &str {
        self.title.get(lang)
    }

    /// The persona's facts (None for "none").
    pub fn persona_facts(&self) -> Option<&'static personas::PersonaFacts> {
        personas::persona(&self.persona)
    }

    /// Does the scenario have this fault?
    pub fn has(&self, f: Fault) -> bool {
        self.faults.contains(&f)
    }
}

macro_rules! builtin {
    ($($id:literal),* $(,)?) => {
        &[$(($id, include_str!(concat!("../../../../assets/scenarios/", $id, ".toml")))),*]
    };
}

/// The curriculum, in teaching order: (id, TOML text).
pub const BUILTIN: &[(&str, &str)] = builtin![
    "s01-pin-ordinary",
    "s02-face-ordinary",
    "s03-no-face-photo-pin",
    "s04-pin-last-try-face",
    "s05-pin-locked-visual",
    "s06-child-with-parent",
    "s07-elderly-assisted",
    "s08-face-only-card",
    "s09-smartphone-android",
    "s10-cert-expiring",
    "s11-cert-grace",
    "s12-cert-expired",
    "s13-not-registered",
    "s14-no-data-after-job-change",
    "s15-invalid-newer-exists",
    "s16-multiple-matches",
    "s17-lost-eligibility-full-charge",
    "s18-outage-return-visit",
    "s19-outage-first-visit",
    "s20-reader-stopped-return-visit",
    "s21-unreadable-card-with-notice",
    "s22-portal-pdf-processing",
    "s23-other-persons-data",
    "s24-school-trip",
    "s25-nursery",
    "s26-qualification-cert-valid",
    "s27-qualification-cert-expired",
    "s28-legacy-card-before",
    "s29-legacy-card-after",
    "s30-temporary-rule-legacy-card",
    "s31-temporary-rule-notice-alone",
    "s32-after-temporary-rule",
    "s33-qualification-cert-invalid-online",
    "s34-dialysis-specific-disease",
    "s35-visual-rejection",
    "s36-elderly-recipient-2wari",
    "s37-unregistered-card-with-certificate",
];

/// Load every built-in scenario (fails on the first broken one).
pub fn load_all() -> Result<Vec<Scenario>, ScenarioError> {
    BUILTIN
        .iter()
        .map(|(id, text)| Scenario::from_toml(id, text))
        .collect()
}

/// Load one built-in scenario by id.
pub fn load(id: &str) -> Result<Scenario, ScenarioError> {
    let (_, text) = BUILTIN
        .iter()
        .find(|(i, _)| *i == id)
        .ok_or_else(|| ScenarioError::Unknown(id.to_owned()))?;
    Scenario::from_toml(id, text)
}
