//! Errors as the UI sees them: `{code, key, params}` — a closed list of codes the page may branch on, and a
//! message as an i18n key (`uierror.<key>` in `ui/js/i18n/{ja,en}.js`) with its parameters, so no Rust
//! string reaches the screen as a sentence. Technical causes (an OS or library error text) travel only as the
//! `detail` parameter, shown small under the clinic-language message.

use std::collections::BTreeMap;

use serde::Serialize;

/// The closed list of error codes a command can return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// The request itself was malformed (arguments that do not decode, unknown persona, bad name).
    InvalidInput,
    /// The command does not apply now (trainer command in live mode, no card for the photo).
    NotAvailable,
    /// Card or reader failure.
    Card,
    /// Eligibility service failure.
    Eligibility,
    /// Database failure.
    Store,
    /// File system failure (export, PDF).
    Io,
    /// A bug or a stopped background thread.
    Internal,
    /// The calling window may not do this (a staff input from the patient's reader window).
    Forbidden,
}

/// What went wrong, as an i18n key: the page shows `t('uierror.' + key, params)`. The generic keys (one per
/// [`Code`]) carry the technical cause as `detail`; the others name their parameters in the doc comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// Generic [`Code::InvalidInput`] (`detail`).
    InvalidInput,
    /// Generic [`Code::NotAvailable`] (`detail`).
    NotAvailable,
    /// Generic [`Code::Card`] (`detail`).
    Card,
    /// Generic [`Code::Eligibility`] (`detail`).
    Eligibility,
    /// Generic [`Code::Store`] (`detail`).
    Store,
    /// Generic [`Code::Io`] (`detail`).
    Io,
    /// Generic [`Code::Internal`] (`detail`).
    Internal,
    /// A staff input sent from the patient's reader window.
    StaffOnly,
    /// A command's arguments did not decode (`command`, `detail`).
    InvalidArguments,
    /// A trainer or scenario command in live mode.
    TrainingOnly,
    /// The persona id is not one of the training cards (`persona`, `detail`).
    UnknownPersona,
    /// The scenario id is not in the curriculum (`id`, `detail`).
    UnknownScenario,
    /// No card is on the virtual reader (card pulled fault).
    NoCardOnReader,
    /// pcscd was started by someone else, so training cannot stop it.
    PcscdNotOurs,
    /// The webcam frame is not base64 (`detail`).
    FrameNotBase64,
    /// The webcam frame is over the size limit (`max`), refused before decoding.
    FrameTooLarge,
    /// The webcam frame has no JPEG frame header.
    FrameNotJpeg,
    /// 申立書 PDF asked for a form that does not validate yet (`count` problems).
    DeclarationIncomplete,
    /// 研修者の名前 is empty.
    TraineeNameMissing,
    /// 研修者の名前 is too long (`max`).
    TraineeNameTooLong,
    /// 終了して採点 without a running scenario.
    NoScenarioRunning,
    /// 修了証 before every scenario is passed (`count`, `missing`).
    CertificateIncomplete,
    /// Settings: the face threshold outside the safe range (`field`, `min`, `max`, `value`).
    FaceThresholdOutOfRange,
    /// Settings: a live OQS endpoint that is not `https://host…` (`field`, `value`).
    LiveEndpointNotHttps,
    /// Settings: a virtual (vpcd) reader named for live mode (`field`, `value`).
    VirtualReaderInLive,
    /// Settings: a folder that is not absolute, missing, not writable or inside the app's data (`field`, `detail`).
    FolderNotUsable,
    /// Settings: only one of the 資格確認端末's request and result folders is set (`field`: the empty one).
    TerminalFoldersIncomplete,
    /// Settings: a database server address that is not a PostgreSQL URL, holds a password, or reaches a server
    /// on the network without TLS in live mode (`field`, `detail`).
    DatabaseNotUsable,
    /// Settings: the desk name is longer than 40 characters.
    DeskNameTooLong,
    /// Settings: the certified reader's face folder is the folder this app writes its own face results to.
    FaceFolderTwice,
    /// A value that looks like a 12-digit My Number, refused and not echoed (`field`).
    MyNumberLike,
    /// Settings: the mode would change without the staff's confirmation (`from`, `to`).
    ModeChangeNeedsConfirmation,
    /// 開く / 印刷 of a path that is not a PDF this app saved.
    NotOurFile,
    /// 開く: the desktop has no file opener (`program`).
    OpenerMissing,
    /// 印刷: the print spooler's client is not installed (`program`).
    PrinterMissing,
    /// 印刷: the spooler refused the job (`detail`: what it said, e.g. no default printer).
    PrintFailed,
}

impl Key {
    /// The generic key of a code.
    pub fn of(code: Code) -> Key {
        match code {
            Code::InvalidInput => Key::InvalidInput,
            Code::NotAvailable => Key::NotAvailable,
            Code::Card => Key::Card,
            Code::Eligibility => Key::Eligibility,
            Code::Store => Key::Store,
            Code::Io => Key::Io,
            Code::Internal => Key::Internal,
            Code::Forbidden => Key::StaffOnly,
        }
    }
}

/// A command error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, ts_rs::TS)]
#[ts(export_to = "app/")]
#[error("{code:?}: {key:?} {params:?}")]
pub struct UiError {
    /// Machine-readable code.
    pub code: Code,
    /// The message, as an i18n key under `uierror.`.
    pub key: Key,
    /// The message's parameters (`{name}` in the copy).
    pub params: BTreeMap<String, String>,
}

impl UiError {
    /// A failure of `code` caused by a technical error: the code's generic message, the cause as `detail`.
    pub fn new(code: Code, detail: impl std::fmt::Display) -> Self {
        UiError::keyed(code, Key::of(code)).with("detail", detail)
    }

    /// A failure of `code` with its own message `key` (add parameters with [`UiError::with`]).
    pub fn keyed(code: Code, key: Key) -> Self {
        UiError {
            code,
            key,
            params: BTreeMap::new(),
        }
    }

    /// Add the message parameter `name`.
    pub fn with(mut self, name: &str, value: impl std::fmt::Display) -> Self {
        self.params.insert(name.to_owned(), value.to_string());
        self
    }
}

/// Result of a command.
pub type UiResult<T> = Result<T, UiError>;
