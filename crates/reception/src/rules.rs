//! The dated rules table: every date or number the reception flow depends on, each with its source.
//!
//! Purpose: one place that a reviewer can hold against the seed FAQs (`S000` = `seeds/000_*.txt`, etc.)
//! and domain.md. Code elsewhere asks this module (`RULES`, the accessor functions) instead of writing
//! a date or a count inline; the rule-table tests pin each row to its source.
//!
//! Deliberately not here: UI timings (idle timeouts, poll intervals). They are our own design, not
//! published rules, so they live in [`crate::SiteSettings`]. Site switches (temporary rule on/off,
//! prescription question on/off, legacy 限度額 screen) are also settings; only their dates live here.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

/// Identifier of one row of the rules table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RuleId {
    /// Last day a legacy 健康保険証 may be used (経過措置の最終日).
    LegacyCardLastDay,
    /// Last day of the MHLW temporary rule (事務連絡 2025-11-12) for expired cards / お知らせ alone.
    TemporaryRuleLastDay,
    /// Renewal alert shown this many months before the 利用者証明用電子証明書 expires.
    CertWarningMonthsBefore,
    /// Grace period: months after expiry during which the card works for eligibility only.
    CertGraceMonthsAfter,
    /// Consecutive wrong PIN entries that lock the 利用者証明用 PIN.
    PinTries,
    /// Hours a consent given at the reader stays valid.
    ConsentValidityHours,
    /// Maximum validity of a 資格確認書 in years from 交付年月日.
    QualificationCertificateMaxYears,
    /// Business days (low end) before a new member's data is usable online.
    DataReflectionMinBusinessDays,
    /// Business days (high end) before a new member's data is usable online.
    DataReflectionMaxBusinessDays,
    /// The 限度額 consent screen was removed from readers on this day.
    LimitConsentScreenRemoved,
    /// 顔認証マイナンバーカード (no PIN) available from this day.
    FaceOnlyCardsFrom,
    /// Smartphone マイナ保険証 usable at equipped facilities from this day.
    SmartphoneFrom,
}

/// A row whose value is a calendar day. Asking for a day is typed: a count row cannot be read as a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateRule {
    /// [`RuleId::LegacyCardLastDay`].
    LegacyCardLastDay,
    /// [`RuleId::TemporaryRuleLastDay`].
    TemporaryRuleLastDay,
    /// [`RuleId::LimitConsentScreenRemoved`].
    LimitConsentScreenRemoved,
    /// [`RuleId::FaceOnlyCardsFrom`].
    FaceOnlyCardsFrom,
    /// [`RuleId::SmartphoneFrom`].
    SmartphoneFrom,
}

/// A row whose value is a count (months, tries, hours, years, business days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountRule {
    /// [`RuleId::CertWarningMonthsBefore`].
    CertWarningMonthsBefore,
    /// [`RuleId::CertGraceMonthsAfter`].
    CertGraceMonthsAfter,
    /// [`RuleId::PinTries`].
    PinTries,
    /// [`RuleId::ConsentValidityHours`].
    ConsentValidityHours,
    /// [`RuleId::QualificationCertificateMaxYears`].
    QualificationCertificateMaxYears,
    /// [`RuleId::DataReflectionMinBusinessDays`].
    DataReflectionMinBusinessDays,
    /// [`RuleId::DataReflectionMaxBusinessDays`].
    DataReflectionMaxBusinessDays,
}

impl RuleId {
    /// Every row, in table order.
    pub const ALL: [RuleId; 12] = [
        RuleId::LegacyCardLastDay,
        RuleId::TemporaryRuleLastDay,
        RuleId::CertWarningMonthsBefore,
        RuleId::CertGraceMonthsAfter,
        RuleId::PinTries,
        RuleId::ConsentValidityHours,
        RuleId::QualificationCertificateMaxYears,
        RuleId::DataReflectionMinBusinessDays,
        RuleId::DataReflectionMaxBusinessDays,
        RuleId::LimitConsentScreenRemoved,
        RuleId::FaceOnlyCardsFrom,
        RuleId::SmartphoneFrom,
    ];
}

/// The value of a rule row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleValue {
    /// A calendar day (clinic-local).
    Date(NaiveDate),
    /// A count (months, tries, hours, years, days; the row says which).
    Count(u32),
}

/// One row: what, how much, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Row id.
    pub id: RuleId,
    /// The value.
    pub value: RuleValue,
    /// Seed file + question (S000 2-25) or domain.md section.
    pub source: &'static str,
    /// One-line English summary for tests and the README.
    pub summary: &'static str,
}

/// A day literal, checked when the constant is evaluated: a wrong literal fails the build, it never becomes
/// a fallback day.
const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("not a calendar day in the rules table"),
    }
}

const LEGACY_CARD_LAST_DAY: NaiveDate = date(2025, 12, 1);
const TEMPORARY_RULE_LAST_DAY: NaiveDate = date(2026, 3, 31);
const LIMIT_CONSENT_SCREEN_REMOVED: NaiveDate = date(2024, 10, 7);
const FACE_ONLY_CARDS_FROM: NaiveDate = date(2023, 12, 15);
const SMARTPHONE_FROM: NaiveDate = date(2025, 9, 19);

/// A date rule's value. Total: every [`DateRule`] has its day (the match is exhaustive).
pub const fn rule_date(id: DateRule) -> NaiveDate {
    match id {
        DateRule::LegacyCardLastDay => LEGACY_CARD_LAST_DAY,
        DateRule::TemporaryRuleLastDay => TEMPORARY_RULE_LAST_DAY,
        DateRule::LimitConsentScreenRemoved => LIMIT_CONSENT_SCREEN_REMOVED,
        DateRule::FaceOnlyCardsFrom => FACE_ONLY_CARDS_FROM,
        DateRule::SmartphoneFrom => SMARTPHONE_FROM,
    }
}

/// A count rule's value. Total: every [`CountRule`] has its number.
pub const fn rule_count(id: CountRule) -> u32 {
    match id {
        CountRule::CertWarningMonthsBefore => 3,
        CountRule::CertGraceMonthsAfter => 3,
        CountRule::PinTries => 3,
        CountRule::ConsentValidityHours => 24,
        CountRule::QualificationCertificateMaxYears => 5,
        CountRule::DataReflectionMinBusinessDays => 2,
        CountRule::DataReflectionMaxBusinessDays => 5,
    }
}

/// Look a rule up. Total: every id has exactly one row, because this match is exhaustive; there is no
/// "missing" row to fall back to.
pub const fn rule(id: RuleId) -> Rule {
    use CountRule as C;
    use DateRule as D;
    use RuleValue::{Count, Date};
    let (value, source, summary) = match id {
        RuleId::LegacyCardLastDay => (
            Date(rule_date(D::LegacyCardLastDay)),
            "S000 3-1; S002 Q1/Q6; S003 Q15; S004 §2",
            "legacy 健康保険証 usable at most until 2025-12-01",
        ),
        RuleId::TemporaryRuleLastDay => (
            Date(rule_date(D::TemporaryRuleLastDay)),
            "domain.md §4 (MHLW 事務連絡 2025-11-12, TEMP-2026)",
            "temporary rule for expired cards / お知らせ alone ends 2026-03-31 (national; the site switch only overrides it)",
        ),
        RuleId::CertWarningMonthsBefore => (
            Count(rule_count(C::CertWarningMonthsBefore)),
            "S000 2-24, 2-25; S003 Q12; domain.md §1 (MHLW-50657)",
            "renewal alert from 3 months before certificate expiry",
        ),
        RuleId::CertGraceMonthsAfter => (
            Count(rule_count(C::CertGraceMonthsAfter)),
            "S000 2-25",
            "for 3 months after expiry: eligibility only, no medical information",
        ),
        RuleId::PinTries => (
            Count(rule_count(C::PinTries)),
            "S003 Q1; S000 2-23",
            "利用者証明用 PIN locks after 3 consecutive wrong entries",
        ),
        RuleId::ConsentValidityHours => (
            Count(rule_count(C::ConsentValidityHours)),
            "domain.md §2 (PORTAL-FAQ14)",
            "a consent given at the reader is valid for 24 hours",
        ),
        RuleId::QualificationCertificateMaxYears => (
            Count(rule_count(C::QualificationCertificateMaxYears)),
            "S004 Q7",
            "資格確認書 validity is at most 5 years",
        ),
        RuleId::DataReflectionMinBusinessDays => (
            Count(rule_count(C::DataReflectionMinBusinessDays)),
            "S004 Q9 (翌々営業日)",
            "new member's data usable from the 2nd business day after the insurer registers it",
        ),
        RuleId::DataReflectionMaxBusinessDays => (
            Count(rule_count(C::DataReflectionMaxBusinessDays)),
            "S003 Q14 (約3~5営業日)",
            "new member's data usable about 3-5 business days after the 資格取得届 arrives",
        ),
        RuleId::LimitConsentScreenRemoved => (
            Date(rule_date(D::LimitConsentScreenRemoved)),
            "domain.md §2 (SHAHO-0930, MHLW-GENDO)",
            "限度額 consent screen removed on 2024-10-07 (legacy switch restores it)",
        ),
        RuleId::FaceOnlyCardsFrom => (
            Date(rule_date(D::FaceOnlyCardsFrom)),
            "domain.md §1 (FACECARD); S000 2-40",
            "顔認証マイナンバーカード (no PIN) exists from 2023-12-15",
        ),
        RuleId::SmartphoneFrom => (
            Date(rule_date(D::SmartphoneFrom)),
            "S000 2-33; S001; domain.md §1 (SMAPHO-NEWS)",
            "smartphone マイナ保険証 from 2025-09 (2025-09-19)",
        ),
    };
    Rule {
        id,
        value,
        source,
        summary,
    }
}

/// The rules table, in [`RuleId::ALL`] order (built from [`rule`], so it cannot disagree with the lookups).
pub const RULES: [Rule; RuleId::ALL.len()] = {
    let mut rows = [rule(RuleId::ALL[0]); RuleId::ALL.len()];
    let mut i = 1;
    while i < rows.len() {
        rows[i] = rule(RuleId::ALL[i]);
        i += 1;
    }
    rows
};

/// 国民向けマイナンバー総合フリーダイヤル, for "another person's data is shown" (S000 2-28; S002 Q5).
pub const HOTLINE_NUMBER: &str = "0120-95-0178";
/// The voice-guidance option for that hotline (S000 2-28: 「5」を選択).
pub const HOTLINE_GUIDANCE_OPTION: u8 = 5;

/// Maximum PIN tries as `u8` (the card reports tries left as a byte).
pub fn pin_tries() -> u8 {
    u8::try_from(rule_count(CountRule::PinTries)).unwrap_or(u8::MAX)
}

// The card reports tries left in one byte; the table must fit it (checked when the crate is built).
const _: () = assert!(rule_count(CountRule::PinTries) <= u8::MAX as u32);

/// `day` shifted by `months` (clamped to month end, e.g. 05-31 − 3 months = 02-28).
pub fn add_months(day: NaiveDate, months: i64) -> NaiveDate {
    let m = Months::new(u32::try_from(months.unsigned_abs()).unwrap_or(0));
    let shifted = if months >= 0 {
        day.checked_add_months(m)
    } else {
        day.checked_sub_months(m)
    };
    shifted.unwrap_or(day)
}

/// Status of the 利用者証明用電子証明書 on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub enum CertStatus {
    /// Valid, no alert.
    Valid,
    /// Valid but expires within the warning window (S000 2-24).
    ExpiresSoon {
        /// Days until the last valid day (0 = expires today).
        days_left: i64,
    },
    /// Expired, within the grace window: eligibility only, skip consent, no medical info (S000 2-25).
    Grace {
        /// Days since the last valid day.
        days_expired: i64,
    },
    /// Expired longer than the grace window (「電子証明書が失効しています」 S000 2-25).
    Expired,
    /// Not yet valid (clock or card problem); refused like an expired one.
    NotYetValid,
}

/// Certificate status from its real dates. `not_after` is the last valid day.
pub fn cert_status(not_before: NaiveDate, not_after: NaiveDate, today: NaiveDate) -> CertStatus {
    let before = i64::from(rule_count(CountRule::CertWarningMonthsBefore));
    let after = i64::from(rule_count(CountRule::CertGraceMonthsAfter));
    if today < not_before {
        CertStatus::NotYetValid
    } else if today <= not_after {
        if today > add_months(not_after, -before) {
            CertStatus::ExpiresSoon {
                days_left: (not_after - today).num_days(),
            }
        } else {
            CertStatus::Valid
        }
    } else if today <= add_months(not_after, after) {
        CertStatus::Grace {
            days_expired: (today - not_after).num_days(),
        }
    } else {
        CertStatus::Expired
    }
}

/// Is a legacy 健康保険証 usable on `today` on its own (before the temporary rule)? (S000 3-1)
pub fn legacy_card_period(today: NaiveDate) -> bool {
    today <= rule_date(DateRule::LegacyCardLastDay)
}

/// Is the temporary rule in force on `today`, given the site switch? (domain.md §4, TEMP-2026)
pub fn temporary_rule_applies(enabled: bool, today: NaiveDate) -> bool {
    enabled
        && today > rule_date(DateRule::LegacyCardLastDay)
        && today <= rule_date(DateRule::TemporaryRuleLastDay)
}

/// Latest acceptable 有効期限 for a 資格確認書 issued on `issued_on` (S004 Q7: at most 5 years).
pub fn qualification_certificate_latest_expiry(issued_on: NaiveDate) -> NaiveDate {
    let years = i64::from(rule_count(CountRule::QualificationCertificateMaxYears));
    add_months(issued_on, years * 12)
}

/// When a consent given at `at` stops being valid (24 h, PORTAL-FAQ14).
pub fn consent_valid_until(at: NaiveDateTime) -> NaiveDateTime {
    at + TimeDelta::hours(i64::from(rule_count(CountRule::ConsentValidityHours)))
}

/// Is a stored consent still valid at `now`?
pub fn consent_is_valid(given_at: NaiveDateTime, now: NaiveDateTime) -> bool {
    now >= given_at && now < consent_valid_until(given_at)
}

/// Whether the pre-2024-10-07 限度額 screen may be shown: only by the legacy switch (historical training).
pub fn limit_consent_screen_shown(legacy_switch: bool, today: NaiveDate) -> bool {
    legacy_switch || today < rule_date(DateRule::LimitConsentScreenRemoved)
}

/// May a patient use the smartphone マイナ保険証 here on `today`? Only where a smartphone reader is installed,
/// and not before the national start (S000 2-33).
pub fn smartphone_available(reader_installed: bool, today: NaiveDate) -> bool {
    reader_installed && today >= rule_date(DateRule::SmartphoneFrom)
}

/// Can a 顔認証マイナンバーカード (no PIN) exist on `today`? Not before it was introduced (S000 2-40).
pub fn face_only_card_exists(today: NaiveDate) -> bool {
    today >= rule_date(DateRule::FaceOnlyCardsFrom)
}

/// Business days from `registered_on` until data is expected online (low, high), skipping weekends
/// (holidays are not modelled). Used for the 資格情報なし hint: "data may appear between … and …".
pub fn data_reflection_window(registered_on: NaiveDate) -> (NaiveDate, NaiveDate) {
    let add = |n: u32| {
        let mut d = registered_on;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().unwrap_or(d);
            if d.weekday().number_from_monday() <= 5 {
                left -= 1;
            }
        }
        d
    };
    (
        add(rule_count(CountRule::DataReflectionMinBusinessDays)),
        add(rule_count(CountRule::DataReflectionMaxBusinessDays)),
    )
}

/// One seed line (or domain.md section) that a rule, a fallback route or a training scenario cites, with what
/// it says. The index of every source the app and the curriculum rely on: a scenario citing a line that is not
/// here does not load (#12 §8), and `docs/rules.md` lists them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SeedLine {
    /// The citation (`S000 2-25`, `S003 Q12`, `S004 §4(2)`, `domain.md §4`, or a whole document: `S001`).
    pub cite: &'static str,
    /// What that line says, in one English sentence.
    pub says: &'static str,
}

/// The citations in a source text, one per seed line: `"S000 2-24, 2-25; S003 Q12"` →
/// `["S000 2-24", "S000 2-25", "S003 Q12"]`. A part with no question or section cites the whole document
/// (`S001 (…)` → `S001`; `S002 (事務連絡 R6.3.1)` → `S002`, whose only unnumbered part is that notice).
pub fn citations(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in source.split(';') {
        let part = part.trim();
        let Some((doc, rest)) = part.split_once(' ') else {
            if !part.is_empty() {
                out.push(part.to_owned());
            }
            continue;
        };
        let mut without_notes = String::new();
        let mut depth = 0usize;
        let mut prev = ' ';
        for c in rest.chars() {
            match c {
                '(' if prev == ' ' || depth > 0 => depth += 1,
                ')' if depth > 0 => depth -= 1,
                _ if depth == 0 => without_notes.push(c),
                _ => {}
            }
            prev = c;
        }
        let mut found = false;
        for token in without_notes.split([' ', ',', '/', '、']) {
            if let Some(locator) = locator(token) {
                out.push(format!("{doc} {locator}"));
                found = true;
            }
        }
        if !found {
            out.push(doc.to_owned());
        }
    }
    out
}

/// `2-25`, `Q12` or `§4` / `§4(2)` from one token; anything else is not a locator.
fn locator(token: &str) -> Option<String> {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if let Some((a, b)) = token.split_once('-') {
        return (digits(a) && digits(b)).then(|| token.to_owned());
    }
    if let Some(n) = token.strip_prefix('Q') {
        return digits(n).then(|| token.to_owned());
    }
    let rest = token.strip_prefix('§')?;
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let (num, tail) = rest.split_at(end);
    if !digits(num) {
        return None;
    }
    let sub = tail
        .strip_prefix('(')
        .and_then(|t| t.split_once(')'))
        .filter(|(n, _)| digits(n))
        .map(|(n, _)| format!("({n})"))
        .unwrap_or_default();
    Some(format!("§{num}{sub}"))
}

/// Every seed line cited anywhere (rules rows, fallback routes, scenarios), in seed order.
pub const SEED_LINES: &[SeedLine] = &[
    SeedLine {
        cite: "S000 1-1",
        says: "a 資格確認書 goes to members without a マイナ保険証 on the record day",
    },
    SeedLine {
        cite: "S000 1-2",
        says: "a 資格確認書 is usable from its 交付年月日",
    },
    SeedLine {
        cite: "S000 1-6",
        says: "a 資格確認書 is for members without a card, without a registered card, or whose certificate has expired",
    },
    SeedLine {
        cite: "S000 1-10",
        says: "a 資格確認書 may still show the 旧姓 after a name change",
    },
    SeedLine {
        cite: "S000 1-12",
        says: "a 資格確認書 must be returned on leaving the insurer: it proves nothing after 資格喪失",
    },
    SeedLine {
        cite: "S000 2-2",
        says: "using the マイナ保険証 needs the insurer's number registration and the patient's 利用登録",
    },
    SeedLine {
        cite: "S000 2-4",
        says: "when eligibility cannot be confirmed, pay 10割 and claim a refund (療養費) later",
    },
    SeedLine {
        cite: "S000 2-5",
        says: "a patient checks their own 利用登録 on マイナポータル",
    },
    SeedLine {
        cite: "S000 2-8",
        says: "a 利用登録 can be cancelled through the insurer",
    },
    SeedLine {
        cite: "S000 2-9",
        says: "the マイナ保険証 is optional; a patient may decline it",
    },
    SeedLine {
        cite: "S000 2-11",
        says: "with consent, medication and checkup history are shared with the clinic",
    },
    SeedLine {
        cite: "S000 2-13",
        says: "with the マイナ保険証 the 限度額適用認定証, 高齢受給者証 and similar papers need not be brought",
    },
    SeedLine {
        cite: "S000 2-18",
        says: "the reader photographs the face for matching and does not keep the photo",
    },
    SeedLine {
        cite: "S000 2-19",
        says: "a card works only at a clinic with online eligibility checking and only once registered",
    },
    SeedLine {
        cite: "S000 2-20",
        says: "the patient places the card on the reader and confirms identity by face or PIN",
    },
    SeedLine {
        cite: "S000 2-21",
        says: "a proxy (a parent) may operate the reader for a child who cannot",
    },
    SeedLine {
        cite: "S000 2-22",
        says: "family, a helper or staff may assist in front of the patient",
    },
    SeedLine {
        cite: "S000 2-23",
        says: "a locked PIN still allows face recognition or 目視; unlocking is done at the 住民票のある市区町村の窓口",
    },
    SeedLine {
        cite: "S000 2-24",
        says: "the reader alerts from 3 months before the certificate expires; renew at the 市区町村窓口",
    },
    SeedLine {
        cite: "S000 2-25",
        says: "an expired certificate is refused as マイナ保険証, except for 3 months after expiry: eligibility only, no medical information",
    },
    SeedLine {
        cite: "S000 2-27",
        says: "after a change of insurer the new data appears only once the insurer registers it",
    },
    SeedLine {
        cite: "S000 2-28",
        says: "another person's data shown: call the マイナンバー総合フリーダイヤル 0120-95-0178 (option 5) or the insurer",
    },
    SeedLine {
        cite: "S000 2-30",
        says: "school trips: bring the マイナ保険証 or a 資格確認書, not a copy of an old card",
    },
    SeedLine {
        cite: "S000 2-31",
        says: "nurseries: the マイナ保険証 is the basis; a 資格確認書 is the alternative",
    },
    SeedLine {
        cite: "S000 2-33",
        says: "the smartphone マイナ保険証 works from 2025-09 at equipped clinics",
    },
    SeedLine {
        cite: "S000 2-37",
        says: "a lost card: report it on the 24 h hotline and use the 資格確認書 while it is reissued",
    },
    SeedLine {
        cite: "S000 2-38",
        says: "card unreadable, face and PIN both failing, or a power cut: マイナポータル on a phone, the 資格情報のお知らせ with the card, or a 申立書",
    },
    SeedLine {
        cite: "S000 2-40",
        says: "a patient without a card is seen with a 資格確認書; a face-only card exists for those who cannot set a PIN",
    },
    SeedLine {
        cite: "S000 3-1",
        says: "the legacy 健康保険証 was usable until 2025-12-01",
    },
    SeedLine {
        cite: "S001",
        says: "where the マイナ保険証 cannot be used: the お知らせ with the card, a マイナポータル PDF, or a 被保険者資格申立書 at the desk; a 資格確認書 (with an expiry, returned on leaving) for the unregistered",
    },
    SeedLine {
        cite: "S002",
        says: "(its unnumbered part, MHLW 事務連絡 R6.3.1 of 2024-03-01) MHLW 事務連絡 2024-03-01: a マイナポータル PDF or the お知らせ confirms eligibility at the normal share; with no confirmation at all, 10割 and a refund later",
    },
    SeedLine {
        cite: "S002 Q1",
        says: "the legacy card is usable only while the member does not lose eligibility",
    },
    SeedLine {
        cite: "S002 Q3",
        says: "staff must not copy or record the My Number seen on the card",
    },
    SeedLine {
        cite: "S002 Q4",
        says: "staff may assist a patient with a disability at the reader",
    },
    SeedLine {
        cite: "S002 Q5",
        says: "another person's data: the マイナンバー総合フリーダイヤル 0120-95-0178 or the insurer",
    },
    SeedLine {
        cite: "S002 Q6",
        says: "the legacy card stays usable until its own expiry, at most 2025-12-01",
    },
    SeedLine {
        cite: "S002 Q7",
        says: "a legacy card's expiry is printed on it",
    },
    SeedLine {
        cite: "S002 Q11",
        says: "card unreadable or face and PIN failing: staff 目視, the お知らせ with the card, or a 申立書",
    },
    SeedLine {
        cite: "S003 Q1",
        says: "the PIN locks after 3 consecutive wrong entries",
    },
    SeedLine {
        cite: "S003 Q5",
        says: "where the reader cannot be used: the マイナ保険証 with the 資格情報のお知らせ or the マイナポータル screen",
    },
    SeedLine {
        cite: "S003 Q6",
        says: "with the マイナ保険証 the 限度額適用認定証 is not needed when the patient consents",
    },
    SeedLine {
        cite: "S003 Q8",
        says: "without a マイナ保険証, show a 資格確認書",
    },
    SeedLine {
        cite: "S003 Q9",
        says: "the マイナ保険証 shares medical information with the clinic and prevents impersonation",
    },
    SeedLine {
        cite: "S003 Q12",
        says: "the card and its certificate have different expiry dates",
    },
    SeedLine {
        cite: "S003 Q13",
        says: "利用登録 is done at a reader, on マイナポータル or at a セブン銀行 ATM",
    },
    SeedLine {
        cite: "S003 Q14",
        says: "a new member's data is usable about 3-5 business days after the 資格取得届",
    },
    SeedLine {
        cite: "S003 Q15",
        says: "after 2024-12-02 the legacy card stays usable until its expiry, at most 2025-12-01",
    },
    SeedLine {
        cite: "S004 §1",
        says: "the move to the マイナ保険証: the legacy card ends, the 資格確認書 replaces it",
    },
    SeedLine {
        cite: "S004 §2",
        says: "which document to show when, by period (until 2025-12-01; from 2025-12-02)",
    },
    SeedLine {
        cite: "S004 §4(1)",
        says: "限度額適用認定証: not needed with the マイナ保険証 (the limit is passed online)",
    },
    SeedLine {
        cite: "S004 §4(2)",
        says: "高齢受給者証: not needed with the マイナ保険証 (the share is passed online)",
    },
    SeedLine {
        cite: "S004 §4(3)",
        says: "特定疾病療養受療証: not needed with the マイナ保険証 (the disease and its cap are passed online)",
    },
    SeedLine {
        cite: "S004 §5",
        says: "keep the 資格情報のお知らせ for when the マイナ保険証 cannot be used",
    },
    SeedLine {
        cite: "S004 Q1",
        says: "the お知らせ or the マイナポータル screen alone is not enough: show it with the card",
    },
    SeedLine {
        cite: "S004 Q4",
        says: "the お知らせ is not reissued after a name change",
    },
    SeedLine {
        cite: "S004 Q6",
        says: "a 資格確認書 is issued on request with a reason (no card, not registered, expired certificate)",
    },
    SeedLine {
        cite: "S004 Q7",
        says: "a 資格確認書 is valid at most 5 years",
    },
    SeedLine {
        cite: "S004 Q8",
        says: "the legacy card need not be returned after 2025-12-02; it is no longer usable",
    },
    SeedLine {
        cite: "S004 Q9",
        says: "a new member's マイナ保険証 works from the 2nd business day after the insurer registers them",
    },
    SeedLine {
        cite: "domain.md §1",
        says: "the reader's screens, identity methods and card kinds (MHLW reader specification)",
    },
    SeedLine {
        cite: "domain.md §2",
        says: "consent screens and their 24 h validity",
    },
    SeedLine {
        cite: "domain.md §3",
        says: "the eligibility answer and the 資格確認端末 file interface",
    },
    SeedLine {
        cite: "domain.md §4",
        says: "fallbacks when online checking fails, and the MHLW temporary rule to 2026-03-31",
    },
];

/// Is `cite` (one citation, as [`citations`] returns it) in the index?
pub fn seed_line(cite: &str) -> Option<&'static SeedLine> {
    SEED_LINES.iter().find(|l| l.cite == cite)
}
