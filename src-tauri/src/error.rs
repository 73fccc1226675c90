//! Errors as the UI sees them: `{code, message}` with a closed list of codes, so pages never match on text.

use serde::Serialize;

/// The closed list of error codes a command can return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// The request itself was malformed (bad JSON, unknown persona, bad date).
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
}

/// A command error.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct UiError {
    /// Machine-readable code.
    pub code: Code,
    /// Human-readable message (shown as is).
    pub message: String,
}

impl UiError {
    /// An error with a code and a message.
    pub fn new(code: Code, message: impl std::fmt::Display) -> Self {
        UiError {
            code,
            message: message.to_string(),
        }
    }
}

/// Result of a command.
pub type UiResult<T> = Result<T, UiError>;
