//! 業務コード — the OQS code tables used in `XmlMsg` (OQSCD002–OQSCD017, shared/docs/domain.md §2–§3).
//!
//! Every code is an enum with an `Unknown(String)` arm: code tables have changed before (the 2024-12 欠番), so
//! a value we do not know is kept verbatim and round-trips unchanged instead of failing the whole message.
//! Serialised as the code string (leading zeros preserved), so the same types serve XML and the TOML data.
//! Deliberately not here: Japanese display labels beyond a short `label()`; UI wording lives in the app.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares a code enum: `Variant = "code" => "label"`, plus `Unknown(String)`, string serde, `code()` and
/// `label()`. Parsing trims surrounding whitespace because real files pad some fields.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value outside the known table, kept exactly as received.
            Unknown(String),
        }

        impl $name {
            /// Every known variant, in table order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant,)+];

            /// Parses a code; unknown values become `Unknown` (never an error).
            pub fn from_code(raw: &str) -> Self {
                match raw.trim() {
                    $($code => $name::$variant,)+
                    _ => $name::Unknown(raw.to_owned()),
                }
            }

            /// The code as written in the XML.
            pub fn code(&self) -> &str {
                match self {
                    $($name::$variant => $code,)+
                    $name::Unknown(raw) => raw.as_str(),
                }
            }

            /// Short Japanese label from the code table (`"不明"` for unknown values).
            pub fn label(&self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                    $name::Unknown(_) => "不明",
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Ok($name::from_code(&raw))
            }
        }
    };
}

code_enum! {
    /// 照会区分 (OQSCD002) — what the patient presented.
    ReferenceClassification {
        MyNumberCard = "1" => "マイナンバーカード",
        InsuranceCardInfo = "2" => "被保険者証情報",
    }
}

code_enum! {
    /// 処理結果区分 (OQSCD003) — outcome of the whole message.
    SegmentOfResult {
        Normal = "1" => "正常終了",
        Processing = "2" => "処理中",
        Abnormal = "9" => "異常終了",
    }
}

code_enum! {
    /// 処理結果状況 (OQSCD004) — outcome for one person.
    ProcessingResultStatus {
        Normal = "1" => "正常終了",
        Error = "2" => "エラー",
    }
}

code_enum! {
    /// 文字コード識別 (OQSCD005). The table conflicts between sources (0/1 vs 1/2); we write 0 = UTF-8 and
    /// 1 = Shift_JIS (MYCLINIC + a sample file) and, on read, trust the XML declaration, not this field.
    CharacterCodeIdentifier {
        Utf8 = "0" => "UTF-8",
        ShiftJis = "1" => "Shift_JIS",
    }
}

code_enum! {
    /// 資格有効性 (OQSCD006) as written in the XML. This is the wire code only; what each value means to
    /// reception is [`reception::model::QualificationValidity`], reached through the `TryFrom` / `From` pair
    /// below (the only mapping between the two). Kept as its own type because the wire must carry an
    /// unknown code verbatim, which the domain enum deliberately cannot.
    QualificationValidity {
        Valid = "1" => "有効",
        Invalid = "2" => "無効",
        InvalidNewerExists = "3" => "無効（新しい資格あり）",
        NoMatch = "4" => "該当資格なし",
        MultipleMatches = "5" => "複数該当",
        ValidUnregistered = "6" => "有効（未登録）",
    }
}

/// A 資格有効性 code outside the known table: the answer cannot be interpreted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown QualificationValidity {0:?}")]
pub struct UnknownValidity(pub String);

impl TryFrom<&QualificationValidity> for reception::model::QualificationValidity {
    type Error = UnknownValidity;

    fn try_from(code: &QualificationValidity) -> Result<Self, UnknownValidity> {
        use reception::model::QualificationValidity as Domain;
        Ok(match code {
            QualificationValidity::Valid => Domain::Valid,
            QualificationValidity::Invalid => Domain::Invalid,
            QualificationValidity::InvalidNewerExists => Domain::InvalidNewerExists,
            QualificationValidity::NoMatch => Domain::NotFound,
            QualificationValidity::MultipleMatches => Domain::MultipleMatches,
            QualificationValidity::ValidUnregistered => Domain::ValidUnregistered,
            QualificationValidity::Unknown(raw) => return Err(UnknownValidity(raw.clone())),
        })
    }
}

impl From<reception::model::QualificationValidity> for QualificationValidity {
    fn from(v: reception::model::QualificationValidity) -> Self {
        use reception::model::QualificationValidity as Domain;
        match v {
            Domain::Valid => QualificationValidity::Valid,
            Domain::Invalid => QualificationValidity::Invalid,
            Domain::InvalidNewerExists => QualificationValidity::InvalidNewerExists,
            Domain::NotFound => QualificationValidity::NoMatch,
            Domain::MultipleMatches => QualificationValidity::MultipleMatches,
            Domain::ValidUnregistered => QualificationValidity::ValidUnregistered,
        }
    }
}

code_enum! {
    /// 性別 (OQSCD007), used for `Sex1` and `Sex2`.
    Sex {
        Male = "1" => "男",
        Female = "2" => "女",
        NotSet = "3" => "未設定",
    }
}

code_enum! {
    /// 資格喪失事由 (OQSCD008).
    ReasonOfLoss {
        Death = "01" => "死亡",
        WelfareStarted = "02" => "生活保護受給開始",
        OtherInsuranceAcquired = "03" => "医療保険等の資格取得",
        Other = "99" => "その他",
    }
}

code_enum! {
    /// 本人・家族区分 (OQSCD009). Empty for 後期高齢者.
    PersonalFamilyClassification {
        Insured = "1" => "本人",
        Dependant = "2" => "家族",
    }
}

code_enum! {
    /// 被保険者証区分 (OQSCD010). Paper-card codes became 欠番 after 2024-12-02 but can still arrive.
    InsuredCardClassification {
        General = "01" => "一般",
        Retired = "02" => "退職",
        ShortTermGeneral = "03" => "短期（一般）",
        ShortTermRetired = "04" => "短期（退職）",
        QualificationCertificate = "05" => "被保険者資格証明書",
        SpecialRetired = "06" => "特例退職",
        SelfDefenseForces = "07" => "自衛官",
        MedicalAid = "A1" => "医療扶助",
    }
}

code_enum! {
    /// 限度額適用認定証区分 (OQSCD011).
    LimitCertificateClassification {
        LimitApplication = "01" => "限度額適用認定証",
        LimitAndReduction = "02" => "限度額適用・標準負担額減額認定証",
        Reduction = "03" => "標準負担額減額認定証",
    }
}

code_enum! {
    /// 限度額適用認定証適用区分 (OQSCD012): A01–A06 under 70, B01–B10 for 70+.
    LimitClass {
        A01 = "A01" => "ア",
        A02 = "A02" => "イ",
        A03 = "A03" => "ウ",
        A04 = "A04" => "エ",
        A05 = "A05" => "オ",
        A06 = "A06" => "オ（境）",
        B01 = "B01" => "現役並みⅢ",
        B02 = "B02" => "現役並みⅡ",
        B03 = "B03" => "現役並みⅠ",
        B04 = "B04" => "一般",
        B05 = "B05" => "低所得Ⅱ",
        B06 = "B06" => "低所得Ⅰ",
        B07 = "B07" => "低所得Ⅰ（老福）",
        B08 = "B08" => "低所得Ⅰ（境）",
        B09 = "B09" => "一般Ⅱ",
        B10 = "B10" => "一般Ⅰ",
    }
}

code_enum! {
    /// 特定疾病区分 (OQSCD013).
    SpecificDiseaseCategory {
        ChronicRenalFailure = "1" => "人工透析を要する慢性腎不全",
        CongenitalCoagulopathy = "2" => "先天性血液凝固因子障害",
        BloodProductHiv = "3" => "血液凝固因子製剤起因HIV",
    }
}

code_enum! {
    /// 未就学区分 (OQSCD015).
    PreschoolClassification {
        Preschool = "1" => "未就学該当",
    }
}

code_enum! {
    /// 閲覧同意フラグ (OQSCD016) — medical-information consent flags.
    ConsentFlag {
        NotConsented = "0" => "同意なし",
        Consented = "1" => "同意あり",
        Expired = "2" => "同意有効期限切れ",
        Difficult = "3" => "同意取得困難",
    }
}

code_enum! {
    /// 限度額情報提供同意フラグ (OQSCD001).
    LimitConsentFlag {
        NotConsented = "0" => "未同意",
        Consented = "1" => "同意",
    }
}

code_enum! {
    /// 処方箋発行形態 (OQSCD017) — the patient's prescription choice at the reader.
    PrescriptionIssueSelect {
        Electronic = "1" => "電子処方箋",
        Paper = "2" => "紙の処方箋",
    }
}

code_enum! {
    /// Simulated `ProcessingResultCode` / `ErrorCode` values of the mock service. The real code values are not
    /// public (domain.md §3 "actual code values not found"), so these are ours and labelled 模擬.
    /// `W` = supplementary on a normal result, `E` = per-person error, `P`/`X` = header-level, `I` = info.
    SimulatedCode {
        CertExpiresSoon = "SIM-W01" => "電子証明書の有効期限が3か月以内です（模擬）",
        CertGrace = "SIM-W02" => "電子証明書の有効期限切れ（猶予期間中）：資格情報のみ提供します（模擬）",
        ViewingSuspended = "SIM-W03" => "紐付け確認中のため医療情報の閲覧を停止しています（模擬）",
        NotRegistered = "SIM-E01" => "保険証利用登録がされていません（模擬）",
        CertRevoked = "SIM-E02" => "電子証明書が失効しています（模擬）",
        CertExpired = "SIM-E03" => "電子証明書の有効期限が切れています（模擬）",
        CertInvalid = "SIM-E04" => "電子証明書を検証できません（模擬）",
        BadRequest = "SIM-E05" => "照会内容が不正です（模擬）",
        UnknownCard = "SIM-E06" => "電子証明書に対応する利用者が見つかりません（模擬）",
        Processing = "SIM-P01" => "処理中です。しばらくしてから再照会してください（模擬）",
        SystemError = "SIM-X01" => "システムエラーが発生しました（模擬）",
        Registered = "SIM-I01" => "保険証利用登録が完了しました（模擬）",
        AlreadyRegistered = "SIM-I02" => "保険証利用登録済みです（模擬）",
        ClientFailure = "SIM-T01" => "資格確認端末から照会できませんでした（模擬）",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_are_kept_verbatim_and_known_codes_are_trimmed() {
        assert_eq!(
            QualificationValidity::from_code(" 3 "),
            QualificationValidity::InvalidNewerExists
        );
        let odd = InsuredCardClassification::from_code("Z9");
        assert_eq!(odd, InsuredCardClassification::Unknown("Z9".into()));
        assert_eq!(odd.code(), "Z9");
    }

    #[test]
    fn every_known_validity_code_maps_to_one_domain_value_and_back() {
        for code in QualificationValidity::KNOWN {
            let domain = reception::model::QualificationValidity::try_from(code).unwrap();
            assert_eq!(&QualificationValidity::from(domain), code);
        }
        let odd = QualificationValidity::from_code("7");
        assert_eq!(
            reception::model::QualificationValidity::try_from(&odd),
            Err(UnknownValidity("7".into()))
        );
    }

    #[test]
    fn every_known_code_parses_back_to_itself() {
        for c in LimitClass::KNOWN {
            assert_eq!(&LimitClass::from_code(c.code()), c);
        }
        assert_eq!(LimitClass::KNOWN.len(), 16);
    }
}
