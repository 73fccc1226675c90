//! `Pin` — the 4-digit 利用者証明用 PIN (or the smartphone certificate PIN) while it is in flight.
//!
//! A `Pin` is created from patient input, travels inside one `Event`, is moved into exactly one
//! `Effect` for the card port, and is zeroized when dropped. It has no `Clone`, no `Serialize` and a
//! redacted `Debug`, so it cannot end up in a snapshot, a trace or the store by accident.
//! Deliberately not here: any way to read the digits except [`Pin::expose`], which adapters call.

use serde::{Deserialize, Deserializer};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A PIN held only in memory and wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Pin(String);

/// Why a typed PIN was not accepted (no digits are kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinFormatError {
    /// Not exactly 4 ASCII digits.
    #[error("PIN must be 4 digits")]
    NotFourDigits,
}

impl Pin {
    /// Wrap patient input. The input string is zeroized whatever the outcome.
    pub fn new(mut digits: String) -> Self {
        let pin = Pin(digits.clone());
        digits.zeroize();
        pin
    }

    /// 4 ASCII digits? Checked by the flow before the card is touched, so a typo costs no try.
    pub fn check_format(&self) -> Result<(), PinFormatError> {
        if self.0.len() == 4 && self.0.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            Err(PinFormatError::NotFourDigits)
        }
    }

    /// The digits, for the card adapter's VERIFY only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for Pin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Pin::new)
    }
}
