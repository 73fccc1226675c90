//! mynacard — the My Number card (マイナンバーカード) layer of Uketsuke.
//!
//! APDU types, the JPKI AP (利用者証明用電子証明書, auth PIN, signing), the 券面AP front (photo and 券面事項), the outgoing-APDU
//! privacy allow-list, PC/SC transport, and a virtual card that can be served to pcscd through vpcd.
//! Deliberately not here: reception rules (certificate expiry policy, method choice) — see `reception`.
//! Nothing in this crate reads, stores or shows the 12-digit My Number.

pub mod apdu;
pub mod card;
pub mod guard;
#[cfg(feature = "pcsc")]
pub mod pcsc_transport;
#[cfg(feature = "pcsc")]
pub mod pcscd;
pub mod persona;
pub mod pin;
pub mod pki;
pub mod reception_port;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tlv;
pub mod transport;
pub mod virtual_card;
#[cfg(feature = "pcsc")]
pub mod vpcd;

pub use apdu::{Command, Response, StatusWord};
pub use card::{
    AuthCert, CardFront, FrontOutcome, FrontText, MynaCard, PhotoOutcome, PinStatus, SignOutcome, TokenKind,
    VerifyOutcome,
};
#[cfg(feature = "pcsc")]
pub use pcsc_transport::{CardEvent, PcscContext, PcscTransport};
pub use persona::{CardKind, Persona};
pub use pin::{CheckCodeB, Pin};
pub use transport::{CardError, Transport};
pub use virtual_card::VirtualCard;
