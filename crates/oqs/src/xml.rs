//! `XmlMsg` — the オンライン資格確認 request/result XML (shared/docs/domain.md §3) and its byte encodings.
//!
//! The element names are the real ones (MYCLINIC, OQSFUNC, ORCA-API); every element is optional so that a
//! partial or odd file still parses, unknown elements are ignored, and codes use the enums in [`crate::codes`].
//! Two things are ours, not the real schema: `CardAuthInfo` (what the reader sends about the card; the real
//! terminal↔OQS protocol is not public) and `RegistrationInfo` (保険証利用登録). Both sit in `MessageBody` and are
//! only present in requests to the mock service.
//!
//! Encodings: UTF-8 and Shift_JIS (encoding_rs `SHIFT_JIS` = Windows-31J). On write, characters Shift_JIS
//! cannot hold become ● (as the real system shows 外字); on read, text is kept exactly as received. The XML
//! declaration decides the encoding on read, because the `CharacterCodeIdentifier` tables conflict.
//! Deliberately not here: any My Number field (there is none, by design), signatures, batch (一括照会) items.

use crate::codes::*;
use serde::{Deserialize, Serialize};

/// The character the real system prints for 外字 / characters outside the target encoding.
pub const BLACK_CIRCLE: char = '●';

/// Root element `XmlMsg`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename = "XmlMsg")]
pub struct XmlMsg {
    #[serde(rename = "MessageHeader", default)]
    pub header: MessageHeader,
    #[serde(rename = "MessageBody", default)]
    pub body: MessageBody,
}

/// `MessageHeader` — processing metadata for the whole message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageHeader {
    /// `YYYYMMDDHHMMSS`
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub process_execution_time: Option<String>,
    /// `YYYYMMDD`
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub qualification_confirmation_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub medical_institution_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub arbitrary_file_identifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reference_classification: Option<ReferenceClassification>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub segment_of_result: Option<SegmentOfResult>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub character_code_identifier: Option<CharacterCodeIdentifier>,
}

/// `MessageBody` — the per-person result (or, in a request, the query).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MessageBody {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub processing_result_status: Option<ProcessingResultStatus>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub processing_result_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub processing_result_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub qualification_validity: Option<QualificationValidity>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prescription_issue_select: Option<PrescriptionIssueSelect>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub qualification_confirm_search_info: Option<QualificationConfirmSearchInfo>,
    /// Ours (mock request only): the card's 利用者証明用電子証明書 and the choices made at the reader.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub card_auth_info: Option<CardAuthInfo>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub result_list: Option<ResultList>,
}

/// `QualificationConfirmSearchInfo` — the 記号番号 query (照会区分 2), echoed back in results.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QualificationConfirmSearchInfo {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insurer_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insured_card_symbol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insured_identification_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insured_branch_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub birthdate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit_application_certificate_related_cons_flg: Option<LimitConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub arbitrary_identifier: Option<String>,
}

/// Ours: what the reader sends for a card-based query (照会区分 1) or a 保険証利用登録.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CardAuthInfo {
    /// DER of the 利用者証明用電子証明書, base64 (standard alphabet).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub auth_certificate: Option<String>,
    /// The consent choices made on the reader (flags only; the service adds the times).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub consent_selection: Option<ConsentSelection>,
}

/// Ours: consent choices as sent by the reader, using the result's flag element names.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConsentSelection {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit_application_certificate_related_cons_flg: Option<LimitConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_diseases_certificate_related_cons_flg: Option<LimitConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_health_checkups_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pharmacists_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diagnosis_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub operation_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diagnosis_name_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub infectious_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub allergy_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contraindication_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub test_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prescription_info_cons_flg: Option<ConsentFlag>,
}

/// `ResultList`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ResultList {
    #[serde(rename = "ResultOfQualificationConfirmation", default)]
    pub results: Vec<ResultOfQualificationConfirmation>,
}

/// `ResultOfQualificationConfirmation` — one matched eligibility (資格).
///
/// Field order follows domain.md §3. Dates are kept as the received `YYYYMMDD` strings; parse them with
/// [`crate::derived::parse_yyyymmdd`] where a date is needed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResultOfQualificationConfirmation {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insured_card_classification: Option<InsuredCardClassification>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insurer_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insurer_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insured_card_symbol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insured_identification_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insured_branch_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub personal_family_classification: Option<PersonalFamilyClassification>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insured_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name_of_other: Option<String>,
    /// Half-width katakana as sent (e.g. `ﾔﾏﾀﾞ ﾊﾅｺ`); see [`crate::derived::kana_full_width`].
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name_kana: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name_of_other_kana: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sex1: Option<Sex>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sex2: Option<Sex>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub birthdate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub post_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insured_certificate_issuance_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insured_card_valid_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insured_card_expiration_date: Option<String>,
    /// 後期高齢者 share in %, 3 digits (`010` = 1割).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub insured_partial_contribution_ratio: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub preschool_classification: Option<PreschoolClassification>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason_of_loss: Option<ReasonOfLoss>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub elderly_recipient_certificate_info: Option<ElderlyRecipientCertificateInfo>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit_application_certificate_related_cons_flg: Option<LimitConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit_application_certificate_related_cons_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit_application_certificate_related_info: Option<LimitApplicationCertificateRelatedInfo>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_diseases_certificate_related_cons_flg: Option<LimitConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_diseases_certificate_related_cons_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_diseases_certificate_list: Option<SpecificDiseasesCertificateList>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_health_checkups_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_health_checkups_info_cons_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_health_checkups_info_available_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pharmacists_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pharmacists_info_cons_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pharmacists_info_available_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diagnosis_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diagnosis_info_cons_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diagnosis_info_available_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub operation_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub operation_info_cons_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub operation_info_available_time: Option<String>,
    // 2025 additions (ORCA-API 2025-01-28). Element spelling follows domain.md's `Prefix*` list: unverified.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diagnosis_name_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diagnosis_name_cons_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diagnosis_name_available_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub infectious_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub infectious_info_cons_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub infectious_info_available_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub allergy_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub allergy_info_cons_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub allergy_info_available_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contraindication_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contraindication_info_cons_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contraindication_info_available_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub test_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub test_info_cons_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub test_info_available_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prescription_info_cons_flg: Option<ConsentFlag>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prescription_info_cons_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prescription_info_available_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reference_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub arbitrary_identifier: Option<String>,
}

/// `ElderlyRecipientCertificateInfo` — 高齢受給者証 (70–74).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ElderlyRecipientCertificateInfo {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub elderly_recipient_certificate_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub elderly_recipient_valid_start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub elderly_recipient_valid_end_date: Option<String>,
    /// Share in % (`20` = 2割).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub elderly_recipient_contribution_ratio: Option<String>,
}

/// `LimitApplicationCertificateRelatedInfo` — 限度額適用認定証 information.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LimitApplicationCertificateRelatedInfo {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit_application_certificate_classification: Option<LimitCertificateClassification>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit_application_certificate_classification_flag: Option<LimitClass>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit_application_certificate_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit_application_certificate_valid_start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit_application_certificate_valid_end_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub limit_application_certificate_long_term_date: Option<String>,
}

/// `SpecificDiseasesCertificateList` — 特定疾病療養受療証 entries.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SpecificDiseasesCertificateList {
    #[serde(rename = "SpecificDiseasesCertificateInfo", default)]
    pub certificates: Vec<SpecificDiseasesCertificateInfo>,
}

/// `SpecificDiseasesCertificateInfo`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SpecificDiseasesCertificateInfo {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_diseases_disease_category: Option<SpecificDiseaseCategory>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_diseases_certificate_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_diseases_valid_start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_diseases_valid_end_date: Option<String>,
    /// Monthly self-pay cap in yen.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub specific_diseases_self_pay: Option<String>,
}

/// Text encoding of an XML file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Charset {
    #[default]
    Utf8,
    /// Shift_JIS (written as Windows-31J, which is what Japanese Windows systems read as Shift_JIS).
    ShiftJis,
}

impl Charset {
    /// The label written in the XML declaration.
    pub fn label(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::ShiftJis => "Shift_JIS",
        }
    }

    /// The `CharacterCodeIdentifier` we write for this charset (0 / 1, see [`CharacterCodeIdentifier`]).
    pub fn identifier(self) -> CharacterCodeIdentifier {
        match self {
            Charset::Utf8 => CharacterCodeIdentifier::Utf8,
            Charset::ShiftJis => CharacterCodeIdentifier::ShiftJis,
        }
    }
}

/// Why bytes could not become an `XmlMsg` (or the reverse).
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    #[error("unsupported encoding in XML declaration: {0}")]
    UnsupportedEncoding(String),
    #[error("not a well-formed XmlMsg: {0}")]
    Parse(String),
    #[error("could not serialise XmlMsg: {0}")]
    Serialize(String),
}

/// A parsed message and the encoding it arrived in.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub msg: XmlMsg,
    pub charset: Charset,
}

impl XmlMsg {
    /// Serialises to bytes in `charset`, with a matching XML declaration and `CharacterCodeIdentifier`.
    /// Characters `charset` cannot represent are written as ●.
    pub fn to_bytes(&self, charset: Charset) -> Result<Vec<u8>, XmlError> {
        let mut msg = self.clone();
        msg.header.character_code_identifier = Some(charset.identifier());
        let text = msg.to_xml_string(charset)?;
        Ok(encode_text(&text, charset))
    }

    /// The XML text (with declaration naming `charset`) before byte encoding. No ● substitution.
    pub fn to_xml_string(&self, charset: Charset) -> Result<String, XmlError> {
        let mut body = String::new();
        let mut ser = quick_xml::se::Serializer::with_root(&mut body, Some("XmlMsg"))
            .map_err(|e| XmlError::Serialize(e.to_string()))?;
        ser.indent(' ', 2);
        self.serialize(ser)
            .map_err(|e| XmlError::Serialize(e.to_string()))?;
        Ok(format!(
            "<?xml version=\"1.0\" encoding=\"{}\" standalone=\"yes\"?>\n{body}\n",
            charset.label()
        ))
    }

    /// Parses bytes in UTF-8 or Shift_JIS (BOM, then XML declaration, then "valid UTF-8 or else Shift_JIS").
    /// Never panics; malformed byte sequences decode to U+FFFD rather than failing.
    pub fn from_bytes(bytes: &[u8]) -> Result<Decoded, XmlError> {
        let (text, charset) = decode_text(bytes)?;
        let msg = Self::from_xml_str(&text)?;
        Ok(Decoded { msg, charset })
    }

    /// Parses already-decoded XML text.
    pub fn from_xml_str(text: &str) -> Result<XmlMsg, XmlError> {
        quick_xml::de::from_str(text).map_err(|e| XmlError::Parse(e.to_string()))
    }

    /// The first result entry, if any.
    pub fn first_result(&self) -> Option<&ResultOfQualificationConfirmation> {
        self.body.result_list.as_ref().and_then(|l| l.results.first())
    }

    /// All result entries (empty when there is no `ResultList`).
    pub fn results(&self) -> &[ResultOfQualificationConfirmation] {
        self.body
            .result_list
            .as_ref()
            .map(|l| l.results.as_slice())
            .unwrap_or(&[])
    }
}

/// Encodes text; in Shift_JIS every unmappable character becomes ●.
pub fn encode_text(text: &str, charset: Charset) -> Vec<u8> {
    match charset {
        Charset::Utf8 => text.as_bytes().to_vec(),
        Charset::ShiftJis => {
            let mut encoder = encoding_rs::SHIFT_JIS.new_encoder();
            let mut out = Vec::with_capacity(text.len() + 16);
            let mut rest = text;
            let mut buf = [0u8; 1024];
            loop {
                let (result, read, written) =
                    encoder.encode_from_utf8_without_replacement(rest, &mut buf, true);
                out.extend_from_slice(buf.get(..written).unwrap_or(&[]));
                rest = rest.get(read..).unwrap_or("");
                match result {
                    encoding_rs::EncoderResult::InputEmpty => break,
                    encoding_rs::EncoderResult::OutputFull => continue,
                    // ● is 0x81 0x9C in Shift_JIS.
                    encoding_rs::EncoderResult::Unmappable(_) => out.extend_from_slice(&[0x81, 0x9C]),
                }
            }
            out
        }
    }
}

/// What `text` looks like after a trip through `charset` (unrepresentable characters → ●).
pub fn representable(text: &str, charset: Charset) -> String {
    match charset {
        Charset::Utf8 => text.to_owned(),
        Charset::ShiftJis => {
            let bytes = encode_text(text, charset);
            let (decoded, _, _) = encoding_rs::SHIFT_JIS.decode(&bytes);
            decoded.into_owned()
        }
    }
}

/// Decodes bytes to text and reports which charset was used.
pub fn decode_text(bytes: &[u8]) -> Result<(String, Charset), XmlError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or(&[]);
        let (text, _) = enc.decode_without_bom_handling(rest);
        let charset = if enc == encoding_rs::SHIFT_JIS {
            Charset::ShiftJis
        } else {
            Charset::Utf8
        };
        return Ok((text.into_owned(), charset));
    }
    let charset = match declared_encoding(bytes) {
        Some(label) => match encoding_rs::Encoding::for_label(label.as_bytes()) {
            Some(enc) if enc == encoding_rs::UTF_8 => Charset::Utf8,
            Some(enc) if enc == encoding_rs::SHIFT_JIS => Charset::ShiftJis,
            _ => return Err(XmlError::UnsupportedEncoding(label)),
        },
        // No declaration: a file that is valid UTF-8 is taken as UTF-8; legacy systems write Shift_JIS.
        None if std::str::from_utf8(bytes).is_ok() => Charset::Utf8,
        None => Charset::ShiftJis,
    };
    let enc = match charset {
        Charset::Utf8 => encoding_rs::UTF_8,
        Charset::ShiftJis => encoding_rs::SHIFT_JIS,
    };
    let (text, _) = enc.decode_without_bom_handling(bytes);
    Ok((text.into_owned(), charset))
}

/// The `encoding="…"` of a leading XML declaration. The declaration is ASCII in both encodings we accept.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = bytes.get(..bytes.len().min(256))?;
    let trimmed = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .and_then(|i| head.get(i..))?;
    if !trimmed.starts_with(b"<?xml") {
        return None;
    }
    let end = trimmed.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(trimmed.get(..end)?).ok()?;
    let at = decl.find("encoding")?;
    let after = decl
        .get(at + "encoding".len()..)?
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = after.get(1..)?;
    let close = value.find(quote)?;
    Some(value.get(..close)?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration_encoding_is_found_with_either_quote_style() {
        assert_eq!(
            declared_encoding(b"<?xml version='1.0' encoding='Shift_JIS'?><a/>"),
            Some("Shift_JIS".into())
        );
        assert_eq!(
            declared_encoding(b"  <?xml version=\"1.0\" encoding = \"UTF-8\"?>"),
            Some("UTF-8".into())
        );
        assert_eq!(declared_encoding(b"<XmlMsg/>"), None);
    }

    #[test]
    fn shift_jis_writes_black_circle_for_characters_outside_jis() {
        let bytes = encode_text("𠮷田", Charset::ShiftJis);
        assert_eq!(representable("𠮷田", Charset::ShiftJis), "●田");
        assert_eq!(bytes.get(..2), Some(&[0x81u8, 0x9C][..]));
    }

    #[test]
    fn an_undeclared_non_utf8_file_is_read_as_shift_jis() {
        let bytes = encode_text("<XmlMsg><MessageBody><ProcessingResultMessage>資格</ProcessingResultMessage></MessageBody></XmlMsg>", Charset::ShiftJis);
        let d = XmlMsg::from_bytes(&bytes).unwrap();
        assert_eq!(d.charset, Charset::ShiftJis);
        assert_eq!(d.msg.body.processing_result_message.as_deref(), Some("資格"));
    }
}
