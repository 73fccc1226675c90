//! オンライン資格確認 (OQS) for Uketsuke: the `XmlMsg` model and its UTF-8/Shift_JIS encodings, derived values
//! (負担割合 etc.), a mock OQS HTTP service with fault injection, a blocking client with typed failures, and the
//! 資格確認端末 file interface (`OQSsiquc01res_face_*.xml` out, `OQSsiquc01req_*.xml` in).
//!
//! Module map: [`xml`] + [`codes`] (format), [`derived`] (display values), [`data`] (mock eligibility records),
//! [`trust`] (certificate checks), [`answer`] (pure answering logic), [`mock`] (HTTP + faults), [`client`],
//! [`files`], [`reception_port`] (the reception flow's `OnlineEligibility` port over the client), [`terminal`]
//! (the same port through a 資格確認端末's 連携フォルダ, the certified reader's face results, a mock 端末).
//! Deliberately not here: the reception flow itself (crates/reception) and any My Number handling — no type
//! in this crate has a My Number field.

pub mod answer;
pub mod client;
pub mod codes;
pub mod data;
pub mod derived;
pub mod files;
pub mod mock;
pub mod reception_port;
pub mod terminal;
pub mod trust;
pub mod xml;

pub use client::{CardQuery, ClientConfig, NumberQuery, OqsClient, QueryError};
pub use mock::{Clock, Fault, FaultRule, MockConfig, MockOqs};
pub use reception_port::EligibilityPort;
pub use xml::{Charset, ConsentSelection, XmlMsg};
