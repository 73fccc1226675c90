//! Scoring: a recorded decision list against a scenario's expected decisions, and the debrief the UI
//! renders (per decision: what was expected, what was done, why, and the source).
//!
//! Matching is order-insensitive (staff may reasonably do things in another order) and runs in
//! passes so an exact match always wins over an alternative: (1) exact → correct, (2) listed
//! acceptable → acceptable, (3) listed wrong, or any other decision answering the same question
//! (same [`Family`]) → wrong, naming the expected decision's rule, (4) nothing → missing.
//! Left-over decisions are wrong when the scenario forbids them or they are harmful anywhere
//! (`StaffDecision::harm_if_unexpected`), else neutral extras.
//! Points: correct 2, acceptable 1; each expected decision and each harmful extra is worth 2.
//! Deliberately not here: persistence of results, time measurement (elapsed time is an input).

use serde::Serialize;

use crate::model::{Method, Operator};
use crate::paper::{DocumentKind, GroupSetting, PaperRefusal, ProblemKind};
use crate::training::decision::{DocumentUse, StaffDecision};
use crate::training::scenario::Scenario;
use crate::training::{Lang, Text};

/// How one decision was graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum Grade {
    /// The expected decision.
    Correct,
    /// A listed acceptable alternative.
    Acceptable,
    /// Wrong: breaks the cited rule.
    Wrong,
    /// Expected but not made.
    Missing,
    /// Made, not expected, harmless (not scored).
    Extra,
}

/// One line of the debrief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct DebriefItem {
    /// What was expected (None for an extra decision).
    pub expected: Option<StaffDecision>,
    /// What the trainee did (None when missing).
    pub done: Option<StaffDecision>,
    /// Grade.
    pub grade: Grade,
    /// The rule that makes the expected decision right, or the one an extra decision broke.
    pub source: String,
    /// Explanation (of the alternative taken when there is one, else of the expected decision).
    pub why: Text,
}

/// The whole debrief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct Debrief {
    /// Scenario id.
    pub scenario_id: String,
    /// Scenario title.
    pub title: Text,
    /// Score, 0–100, rounded down (100 only when everything is correct).
    pub score_percent: u32,
    /// Points earned.
    pub points: u32,
    /// Points possible.
    pub max_points: u32,
    /// 100 %.
    pub passed: bool,
    /// Time taken, seconds (given by the caller).
    pub elapsed_secs: u64,
    /// Expected decisions in scenario order, then extra decisions in the order made.
    pub items: Vec<DebriefItem>,
}

impl Debrief {
    /// Items with a grade.
    pub fn count(&self, grade: Grade) -> usize {
        self.items.iter().filter(|i| i.grade == grade).count()
    }
}

/// Grade `recorded` (in the order made) against `scenario`. Pure.
pub fn score(scenario: &Scenario, recorded: &[StaffDecision], elapsed_secs: u64) -> Debrief {
    let n = scenario.expect.len();
    let mut used = vec![false; recorded.len()];
    let mut slots: Vec<Option<DebriefItem>> = vec![None; n];
    let take = |used: &mut Vec<bool>, pred: &dyn Fn(&StaffDecision) -> bool| -> Option<usize> {
        let i = recorded
            .iter()
            .enumerate()
            .find(|(i, d)| !used[*i] && pred(d))
            .map(|(i, _)| i)?;
        used[i] = true;
        Some(i)
    };
    // Pass 1: exact.
    for (k, e) in scenario.expect.iter().enumerate() {
        if let Some(i) = take(&mut used, &|d| *d == e.decision) {
            slots[k] = Some(item(
                Some(e.decision),
                Some(recorded[i]),
                Grade::Correct,
                e.citation(),
                &e.why,
            ));
        }
    }
    // Pass 2: acceptable alternatives.
    for (k, e) in scenario.expect.iter().enumerate() {
        if slots[k].is_some() {
            continue;
        }
        for a in &e.acceptable {
            if let Some(i) = take(&mut used, &|d| *d == a.decision) {
                slots[k] = Some(item(
                    Some(e.decision),
                    Some(recorded[i]),
                    Grade::Acceptable,
                    e.citation(),
                    &a.why,
                ));
                break;
            }
        }
    }
    // Pass 3: listed wrong answers, then any decision answering the same question.
    for (k, e) in scenario.expect.iter().enumerate() {
        if slots[k].is_some() {
            continue;
        }
        let listed = e
            .wrong
            .iter()
            .find_map(|w| take(&mut used, &|d| *d == w.decision).map(|i| (i, &w.why)));
        let found = listed.or_else(|| {
            let fam = e.decision.family();
            // Another expectation's exact decision is not "wrong" for this one.
            let claimed = |d: &StaffDecision| scenario.expect.iter().any(|x| x.decision == *d);
            take(&mut used, &|d| d.family() == fam && !claimed(d)).map(|i| (i, &e.why))
        });
        slots[k] = Some(match found {
            Some((i, why)) => item(
                Some(e.decision),
                Some(recorded[i]),
                Grade::Wrong,
                e.citation(),
                why,
            ),
            None => item(Some(e.decision), None, Grade::Missing, e.citation(), &e.why),
        });
    }
    let mut items: Vec<DebriefItem> = slots.into_iter().flatten().collect();
    // Left-overs.
    for (i, d) in recorded.iter().enumerate() {
        if used[i] {
            continue;
        }
        // A decision the scenario lists as wrong is wrong even when the right one was made too (s19: the
        // outage classified as 資格無効 after or before the right classification); an answer a seed allows
        // is never graded wrong, even as a second answer.
        let listed_wrong = scenario
            .expect
            .iter()
            .find_map(|e| e.wrong.iter().find(|w| w.decision == *d).map(|w| (e, w)));
        let allowed = scenario
            .expect
            .iter()
            .find_map(|e| e.acceptable.iter().find(|a| a.decision == *d));
        let extra = if let Some(f) = scenario.forbidden.iter().find(|f| f.decision == *d) {
            item(None, Some(*d), Grade::Wrong, f.source.clone(), &f.why)
        } else if let Some((e, w)) = listed_wrong {
            item(None, Some(*d), Grade::Wrong, e.citation(), &w.why)
        } else if let Some(a) = allowed {
            item(None, Some(*d), Grade::Extra, String::new(), &a.why)
        } else if let Some(src) = d.harm_if_unexpected() {
            let why = Text {
                ja: "この場面では不要で、患者の負担や受付結果を変えてしまう判断です。".into(),
                en: "Not needed here, and it changes what the patient pays or which document counts.".into(),
            };
            item(None, Some(*d), Grade::Wrong, src.to_owned(), &why)
        } else {
            let why = Text {
                ja: "想定外ですが害はありません（採点対象外）。".into(),
                en: "Not expected, but harmless (not scored).".into(),
            };
            item(None, Some(*d), Grade::Extra, String::new(), &why)
        };
        items.push(extra);
    }
    let points: u32 = items
        .iter()
        .map(|i| match i.grade {
            Grade::Correct => 2,
            Grade::Acceptable => 1,
            Grade::Wrong | Grade::Missing | Grade::Extra => 0,
        })
        .sum();
    let harmful_extras = items
        .iter()
        .filter(|i| i.expected.is_none() && i.grade == Grade::Wrong)
        .count();
    let max_points = u32::try_from(2 * (n + harmful_extras)).unwrap_or(u32::MAX);
    // No expected decision and no harm done (cannot happen for a loaded scenario) counts as 100 %.
    let score_percent = (points * 100).checked_div(max_points).unwrap_or(100);
    Debrief {
        scenario_id: scenario.id.clone(),
        title: scenario.title.clone(),
        score_percent,
        points,
        max_points,
        passed: score_percent == 100,
        elapsed_secs,
        items,
    }
}

fn item(
    expected: Option<StaffDecision>,
    done: Option<StaffDecision>,
    grade: Grade,
    source: String,
    why: &Text,
) -> DebriefItem {
    DebriefItem {
        expected,
        done,
        grade,
        source,
        why: why.clone(),
    }
}

fn pick(lang: Lang, ja: &str, en: &str) -> String {
    match lang {
        Lang::Ja => ja.to_owned(),
        Lang::En => en.to_owned(),
    }
}

fn doc_kind(k: DocumentKind, lang: Lang) -> String {
    match k {
        DocumentKind::QualificationCertificate => pick(lang, "資格確認書", "qualification certificate"),
        DocumentKind::LegacyCard => pick(lang, "健康保険証", "legacy insurance card"),
        DocumentKind::Notice => pick(lang, "資格情報のお知らせ", "eligibility notice"),
        DocumentKind::PortalPdf => pick(
            lang,
            "マイナポータルの資格情報（PDF）",
            "Myna Portal eligibility PDF",
        ),
    }
}

fn problem(k: ProblemKind, lang: Lang) -> String {
    match k {
        ProblemKind::CommunicationFailure => pick(lang, "通信障害", "communication failure"),
        ProblemKind::PowerOutage => pick(lang, "停電", "power outage"),
        ProblemKind::DeviceFailure => pick(lang, "機器故障", "device failure"),
        ProblemKind::NoEligibilityData => pick(lang, "資格情報なし", "no eligibility data"),
        ProblemKind::EligibilityInvalid => pick(lang, "資格無効", "eligibility invalid"),
        ProblemKind::IdentityNotConfirmed => pick(lang, "本人確認できず", "identity not confirmed"),
        ProblemKind::CardNotUsable => pick(
            lang,
            "マイナ保険証として使えないカード",
            "card not usable as マイナ保険証",
        ),
        ProblemKind::IdentityRejected => pick(lang, "目視で本人と確認できず", "rejected at the visual check"),
    }
}

fn refusal(r: PaperRefusal, lang: Lang) -> String {
    match r {
        PaperRefusal::QualificationCertificateExpired => pick(
            lang,
            "資格確認書の有効期限切れ",
            "qualification certificate expired",
        ),
        PaperRefusal::QualificationCertificateNotYetValid => pick(
            lang,
            "資格確認書の交付日前",
            "qualification certificate not yet valid",
        ),
        PaperRefusal::QualificationCertificateValidityTooLong => pick(
            lang,
            "有効期限が5年超（真正でない）",
            "validity over 5 years (not genuine)",
        ),
        PaperRefusal::LegacyCardAbolished => {
            pick(lang, "健康保険証は使用期限後", "legacy card no longer usable")
        }
        PaperRefusal::LegacyCardExpired => pick(
            lang,
            "健康保険証の有効期限切れ",
            "legacy card past its printed expiry",
        ),
        PaperRefusal::NoticeRequiresCard => pick(
            lang,
            "お知らせ単独では不可（カードが必要）",
            "notice alone is not enough (card needed)",
        ),
        PaperRefusal::NotConfirmedOnline => pick(lang, "オンラインで資格確認できず", "not confirmed online"),
    }
}

impl StaffDecision {
    /// Short label for the debrief.
    pub fn label(self, lang: Lang) -> String {
        match self {
            StaffDecision::Identify(Method::Face) => {
                pick(lang, "顔認証へ案内", "guide to face authentication")
            }
            StaffDecision::Identify(Method::Pin) => pick(lang, "暗証番号へ案内", "guide to PIN entry"),
            StaffDecision::Identify(Method::Smartphone) => {
                pick(lang, "スマートフォンで受付", "smartphone reception")
            }
            StaffDecision::Identify(Method::Visual) => pick(lang, "目視確認", "visual check"),
            StaffDecision::RetryFace => pick(lang, "顔認証をやり直す", "retry face authentication"),
            StaffDecision::SwitchVisualMode => {
                pick(lang, "目視確認モードに切替", "switch to visual-check mode")
            }
            StaffDecision::ReturnUnattendedMode => {
                pick(lang, "無人運転モードに戻す", "return to unattended mode")
            }
            StaffDecision::ConfirmVisual(true) => pick(lang, "目視で本人と確認", "visual check: same person"),
            StaffDecision::ConfirmVisual(false) => {
                pick(lang, "目視で本人でないと判断", "visual check: not the person")
            }
            StaffDecision::SetOperator(Operator::Patient) => pick(lang, "操作者：本人", "operator: patient"),
            StaffDecision::SetOperator(Operator::Proxy) => pick(lang, "操作者：代理人", "operator: proxy"),
            StaffDecision::SetOperator(Operator::StaffAssisted) => {
                pick(lang, "操作者：職員補助", "operator: staff-assisted")
            }
            StaffDecision::ContinueAfterCertAlert => pick(
                lang,
                "電子証明書の案内をして続行",
                "acknowledge the certificate alert and continue",
            ),
            StaffDecision::Registration(true) => {
                pick(lang, "その場で保険証利用登録", "register for insurance use now")
            }
            StaffDecision::Registration(false) => {
                pick(lang, "保険証利用登録をしない", "decline registration")
            }
            StaffDecision::ClassifyProblem(k) => match lang {
                Lang::Ja => format!("原因を「{}」と分類", problem(k, lang)),
                Lang::En => format!("classify as {}", problem(k, lang)),
            },
            StaffDecision::RetryReader => pick(lang, "カードリーダーで再試行", "retry the card reader"),
            StaffDecision::AcceptDocument(u) => match (u, lang) {
                (DocumentUse::QualificationCertificate, _) | (DocumentUse::LegacyCard, _) => {
                    let k = if u == DocumentUse::LegacyCard {
                        DocumentKind::LegacyCard
                    } else {
                        DocumentKind::QualificationCertificate
                    };
                    match lang {
                        Lang::Ja => format!("{}で受付", doc_kind(k, lang)),
                        Lang::En => format!("accept the {}", doc_kind(k, lang)),
                    }
                }
                (DocumentUse::NoticeWithCard(k), Lang::Ja) => format!("カード＋{}で受付", doc_kind(k, lang)),
                (DocumentUse::NoticeWithCard(k), Lang::En) => format!("accept card + {}", doc_kind(k, lang)),
                (DocumentUse::NoticeAlone(k), Lang::Ja) => format!("{}のみで受付", doc_kind(k, lang)),
                (DocumentUse::NoticeAlone(k), Lang::En) => format!("accept the {} alone", doc_kind(k, lang)),
                (DocumentUse::Group(GroupSetting::SchoolTrip), _) => pick(
                    lang,
                    "修学旅行：PDF／お知らせで受付",
                    "school trip: accept PDF / notice",
                ),
                (DocumentUse::Group(GroupSetting::Nursery), _) => pick(
                    lang,
                    "保育所：PDF／お知らせで受付",
                    "nursery: accept PDF / notice",
                ),
            },
            StaffDecision::RefuseDocument(r) => match lang {
                Lang::Ja => format!("書類を受け付けない（{}）", refusal(r, lang)),
                Lang::En => format!("refuse the document ({})", refusal(r, lang)),
            },
            StaffDecision::UsePreviousVisit => pick(
                lang,
                "再診：前回の資格情報を使う",
                "return visit: use previous eligibility",
            ),
            StaffDecision::TakeDeclaration => pick(
                lang,
                "被保険者資格申立書を記入してもらう",
                "take a 申立書 (declaration)",
            ),
            StaffDecision::ChargeFull => pick(
                lang,
                "10割負担（後日払い戻し案内）",
                "charge 100 % (refund follow-up)",
            ),
            StaffDecision::ShowHotline => pick(
                lang,
                "マイナンバー総合フリーダイヤル 0120-95-0178 を案内",
                "show the マイナンバー総合フリーダイヤル 0120-95-0178",
            ),
            StaffDecision::VoidReception => pick(
                lang,
                "他人の情報の受付を取り消す",
                "void the reception that showed another person's data",
            ),
        }
    }
}

fn grade_label(g: Grade, lang: Lang) -> String {
    match g {
        Grade::Correct => pick(lang, "○ 正解", "OK correct"),
        Grade::Acceptable => pick(lang, "△ 許容", "~  acceptable"),
        Grade::Wrong => pick(lang, "× 誤り", "X  wrong"),
        Grade::Missing => pick(lang, "－ 未実施", "-  missing"),
        Grade::Extra => pick(lang, "・ 追加", ".  extra"),
    }
}

impl Debrief {
    /// Plain-text rendering (the bin prints it; the app renders `items` itself).
    pub fn render(&self, lang: Lang) -> String {
        let mut out = String::new();
        let (m, s) = (self.elapsed_secs / 60, self.elapsed_secs % 60);
        match lang {
            Lang::Ja => {
                out.push_str(&format!("シナリオ {}「{}」\n", self.scenario_id, self.title.ja));
                out.push_str(&format!(
                    "得点: {} %（{}/{}点）  所要時間: {}分{:02}秒  {}\n",
                    self.score_percent,
                    self.points,
                    self.max_points,
                    m,
                    s,
                    if self.passed { "合格" } else { "不合格" }
                ));
            }
            Lang::En => {
                out.push_str(&format!("Scenario {} \"{}\"\n", self.scenario_id, self.title.en));
                out.push_str(&format!(
                    "Score: {} % ({}/{} points)  Time: {}m{:02}s  {}\n",
                    self.score_percent,
                    self.points,
                    self.max_points,
                    m,
                    s,
                    if self.passed { "PASSED" } else { "NOT PASSED" }
                ));
            }
        }
        let none = pick(lang, "（なし）", "(none)");
        for (n, it) in self.items.iter().enumerate() {
            let exp = it.expected.map_or_else(|| none.clone(), |d| d.label(lang));
            let done = it.done.map_or_else(|| none.clone(), |d| d.label(lang));
            out.push_str(&format!("{}. {}\n", n + 1, grade_label(it.grade, lang)));
            match lang {
                Lang::Ja => {
                    out.push_str(&format!(
                        "   期待: {exp}\n   実施: {done}\n   理由: {}\n",
                        it.why.ja
                    ));
                    if !it.source.is_empty() {
                        out.push_str(&format!("   根拠: {}\n", it.source));
                    }
                }
                Lang::En => {
                    out.push_str(&format!(
                        "   expected: {exp}\n   done: {done}\n   why: {}\n",
                        it.why.en
                    ));
                    if !it.source.is_empty() {
                        out.push_str(&format!("   source: {}\n", it.source));
                    }
                }
            }
        }
        out
    }
}
