//! The persona facts a training scenario needs, copied from the assets the app plays (card files in
//! `assets/cards/`, eligibility in `assets/eligibility/`; the lead's table is `notes/personas.md`).
//!
//! Kept here as plain data so the headless runner needs neither the mynacard nor the oqs crate (the
//! reception crate depends on no leaf crate). The assets are the truth: the oqs test binary
//! (`crates/oqs/tests/oqs/personas.rs`) checks every fact here against both, and a reception test checks
//! every scenario names a known persona.
//! Deliberately not here: photos, keys, My Numbers (none exist anywhere).

use chrono::NaiveDate;

use crate::model::{CardKind, QualificationValidity, Relationship};
use crate::paper::{InsuranceType, Sex};
use crate::rules::add_months;

/// Certificate validity relative to the scenario's "today", as the card files give it (`[cert]`
/// `not_before` / `not_after`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertSpan {
    /// Issued 2 years ago, expires in 3 years (`today-2y` … `today+3y`).
    Normal,
    /// Issued 5 years ago, expires this many months from today (`today-5y` … `today+Nm`).
    ExpiresInMonths(i64),
    /// Issued 5 years ago, expired this many months ago (`today-5y` … `today-Nm`).
    ExpiredMonthsAgo(i64),
}

impl CertSpan {
    /// (not_before, not_after) on `today`.
    pub fn dates(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            CertSpan::Normal => (add_months(today, -24), add_months(today, 36)),
            CertSpan::ExpiresInMonths(m) => (add_months(today, -60), add_months(today, m)),
            CertSpan::ExpiredMonthsAgo(m) => (add_months(today, -60), add_months(today, -m)),
        }
    }
}

/// One persona, as far as the reception flow can see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonaFacts {
    /// Persona id (file stem).
    pub id: &'static str,
    /// 氏名.
    pub name: &'static str,
    /// フリガナ (full-width, for the 申立書).
    pub kana: &'static str,
    /// 生年月日 (YYYY-MM-DD).
    pub birthdate: &'static str,
    /// 性別.
    pub sex: Sex,
    /// Card kind.
    pub kind: CardKind,
    /// PIN the patient knows (test personas only).
    pub pin: &'static str,
    /// PIN tries left on the card.
    pub tries: u8,
    /// Certificate validity.
    pub cert: CertSpan,
    /// 保険証利用登録 done.
    pub registered: bool,
    /// What a certificate query answers.
    pub validity: QualificationValidity,
    /// 保険者番号.
    pub insurer_number: &'static str,
    /// 保険者名称.
    pub insurer_name: &'static str,
    /// 記号 (empty for 後期高齢者).
    pub symbol: &'static str,
    /// 番号.
    pub number: &'static str,
    /// 本人 / 家族.
    pub relationship: Relationship,
    /// 負担割合 in percent.
    pub copay_percent: u8,
    /// Medical-information viewing suspended (mis-link investigation, S003 Q3).
    pub suspended: bool,
    /// Insurance type (for the 申立書).
    pub insurance: InsuranceType,
}

impl PersonaFacts {
    /// Certificate serial as personas.md fixes it: 0x1000 + NN, as hex.
    pub fn cert_serial(&self) -> String {
        let nn: u32 = self.id.get(1..3).and_then(|s| s.parse().ok()).unwrap_or(0);
        format!("{:X}", 0x1000 + nn)
    }
}

const KENPO: &str = "うけつけ商事健康保険組合（模擬）";
const KYOKAI: &str = "全国健康保険協会　模擬支部";

macro_rules! persona {
    ($id:expr, $name:expr, $kana:expr, $birth:expr, $sex:ident, $kind:ident, $pin:expr, $tries:expr,
     $cert:expr, $reg:expr, $val:ident, $ins:expr, $insname:expr, $sym:expr, $num:expr, $rel:ident,
     $copay:expr, $susp:expr, $itype:ident) => {
        PersonaFacts {
            id: $id,
            name: $name,
            kana: $kana,
            birthdate: $birth,
            sex: Sex::$sex,
            kind: CardKind::$kind,
            pin: $pin,
            tries: $tries,
            cert: $cert,
            registered: $reg,
            validity: QualificationValidity::$val,
            insurer_number: $ins,
            insurer_name: $insname,
            symbol: $sym,
            number: $num,
            relationship: Relationship::$rel,
            copay_percent: $copay,
            suspended: $susp,
            insurance: InsuranceType::$itype,
        }
    };
}

use CertSpan::{ExpiredMonthsAgo, ExpiresInMonths, Normal};

/// The persona table: card facts from `assets/cards/<id>.toml`, eligibility from
/// `assets/eligibility/<id>.toml` (its first `[[qualification]]`).
pub const PERSONAS: &[PersonaFacts] = &[
    persona!(
        "p01-yamada-hanako",
        "山田 花子",
        "ヤマダ ハナコ",
        "1990-01-01",
        Female,
        Normal,
        "1234",
        3,
        Normal,
        true,
        Valid,
        "06139919",
        KENPO,
        "1001",
        "1001",
        Insured,
        30,
        false,
        Employee
    ),
    persona!(
        "p02-sato-kenji",
        "佐藤 健二",
        "サトウ ケンジ",
        "1978-05-12",
        Male,
        Normal,
        "1234",
        0,
        Normal,
        true,
        Valid,
        "01139997",
        KYOKAI,
        "31010002",
        "2",
        Insured,
        30,
        false,
        Employee
    ),
    persona!(
        "p03-suzuki-ichiro",
        "鈴木 一郎",
        "スズキ イチロウ",
        "1965-09-30",
        Male,
        Normal,
        "1234",
        1,
        Normal,
        true,
        Valid,
        "139998",
        "模擬市国民健康保険",
        "模擬01",
        "3003",
        Insured,
        30,
        false,
        National
    ),
    persona!(
        "p04-takahashi-yoshiko",
        "高橋 良子",
        "タカハシ ヨシコ",
        "1971-03-03",
        Female,
        FaceOnly,
        "",
        0,
        Normal,
        true,
        Valid,
        "06139919",
        KENPO,
        "1004",
        "1004",
        Dependant,
        30,
        false,
        Employee
    ),
    persona!(
        "p05-tanaka-makoto",
        "田中 誠",
        "タナカ マコト",
        "1982-11-20",
        Male,
        Normal,
        "1234",
        3,
        ExpiresInMonths(2),
        true,
        Valid,
        "06139927",
        "みなみ精機健康保険組合（模擬）",
        "2005",
        "2005",
        Insured,
        30,
        false,
        Employee
    ),
    persona!(
        "p06-ito-akira",
        "伊藤 明",
        "イトウ アキラ",
        "1988-07-07",
        Male,
        Normal,
        "1234",
        3,
        ExpiredMonthsAgo(1),
        true,
        Valid,
        "01139997",
        KYOKAI,
        "31010006",
        "6",
        Insured,
        30,
        false,
        Employee
    ),
    persona!(
        "p07-watanabe-mei",
        "渡辺 芽衣",
        "ワタナベ メイ",
        "1995-02-14",
        Female,
        Normal,
        "1234",
        3,
        ExpiredMonthsAgo(5),
        true,
        Valid,
        "06139919",
        KENPO,
        "1007",
        "1007",
        Insured,
        30,
        false,
        Employee
    ),
    persona!(
        "p08-nakamura-shota",
        "中村 翔太",
        "ナカムラ ショウタ",
        "2000-04-01",
        Male,
        Normal,
        "1234",
        3,
        Normal,
        false,
        Valid,
        "06139927",
        "みなみ精機健康保険組合（模擬）",
        "2008",
        "2008",
        Insured,
        30,
        false,
        Employee
    ),
    persona!(
        "p09-kobayashi-yuto",
        "小林 悠斗",
        "コバヤシ ユウト",
        "2021-06-15",
        Male,
        Normal,
        "0615",
        3,
        Normal,
        true,
        Valid,
        "06139919",
        KENPO,
        "1009",
        "1009",
        Dependant,
        20,
        false,
        Employee
    ),
    persona!(
        "p10-yoshida-taro",
        "𠮷田 太郎",
        "ヨシダ タロウ",
        "1975-10-10",
        Male,
        Normal,
        "1234",
        3,
        Normal,
        true,
        Valid,
        "01139997",
        KYOKAI,
        "31010010",
        "10",
        Insured,
        30,
        false,
        Employee
    ),
    persona!(
        "p11-kato-tomiko",
        "加藤 トミ子",
        "カトウ トミコ",
        "1950-04-10",
        Female,
        Normal,
        "1234",
        3,
        Normal,
        true,
        Valid,
        "39139993",
        "模擬県後期高齢者医療広域連合",
        "",
        "39001011",
        Insured,
        10,
        false,
        LateElderly
    ),
    persona!(
        "p12-yoshimura-kazuo",
        "吉村 和夫",
        "ヨシムラ カズオ",
        "1954-06-15",
        Male,
        Normal,
        "1234",
        3,
        Normal,
        true,
        Valid,
        "139998",
        "模擬市国民健康保険",
        "模擬02",
        "3012",
        Insured,
        20,
        false,
        National
    ),
    persona!(
        "p13-matsumoto-rin",
        "松本 凛",
        "マツモト リン",
        "1998-08-08",
        Female,
        Normal,
        "1234",
        3,
        Normal,
        true,
        Valid,
        "06139927",
        "みなみ精機健康保険組合（模擬）",
        "2013",
        "2013",
        Insured,
        30,
        false,
        Employee
    ),
    persona!(
        "p14-yamamoto-daichi",
        "山本 大地",
        "ヤマモト ダイチ",
        "1985-12-01",
        Male,
        Normal,
        "1234",
        3,
        Normal,
        true,
        InvalidNewerExists,
        "06279996",
        "旧職場健康保険組合（模擬）",
        "7014",
        "7014",
        Insured,
        30,
        false,
        Employee
    ),
    persona!(
        "p15-mori-aoi",
        "森 葵",
        "モリ アオイ",
        "1993-03-21",
        Female,
        Normal,
        "1234",
        3,
        Normal,
        true,
        NotFound,
        "06139927",
        "みなみ精機健康保険組合（模擬）",
        "2015",
        "2015",
        Insured,
        30,
        false,
        Employee
    ),
    persona!(
        "p16-inoue-ken",
        "井上 健",
        "イノウエ ケン",
        "1970-01-30",
        Male,
        Normal,
        "1234",
        3,
        Normal,
        true,
        MultipleMatches,
        "01139997",
        KYOKAI,
        "31010016",
        "16",
        Insured,
        30,
        false,
        Employee
    ),
    persona!(
        "p17-kimura-hiroshi",
        "木村 博",
        "キムラ ヒロシ",
        "1960-05-05",
        Male,
        Normal,
        "1234",
        3,
        Normal,
        true,
        ValidUnregistered,
        "12139994",
        "模擬市福祉事務所（医療扶助）",
        "",
        "1234567",
        Insured,
        0,
        false,
        Other
    ),
    persona!(
        "p18-hayashi-yui",
        "林 結衣",
        "ハヤシ ユイ",
        "1991-09-09",
        Female,
        Normal,
        "1234",
        3,
        Normal,
        true,
        Valid,
        "06139919",
        KENPO,
        "1018",
        "1018",
        Insured,
        30,
        true,
        Employee
    ),
    persona!(
        "p19-shimizu-jun",
        "清水 純",
        "シミズ ジュン",
        "1980-02-29",
        Male,
        Normal,
        "1234",
        3,
        Normal,
        true,
        Invalid,
        "01139997",
        KYOKAI,
        "31010019",
        "19",
        Insured,
        30,
        false,
        Employee
    ),
];

/// Look a persona up by id.
pub fn persona(id: &str) -> Option<&'static PersonaFacts> {
    PERSONAS.iter().find(|p| p.id == id)
}
