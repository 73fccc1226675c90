//! Ports: the operations the driver needs from the outside world, as object-safe traits.
//!
//! Adapters live elsewhere (mynacard, face, oqs, store, the Tauri shell); this crate only names the
//! operations, in its own plain types, so it depends on no I/O crate. Every call may block; the app
//! runs each on a worker while the driver keeps going.
//! Deliberately not here: connection setup, configuration, retries (the flow decides retries).

use chrono::NaiveDateTime;

use crate::flow::AuditEvent;
use crate::model::{
    CardError, CertInfo, CertQuery, CertRef, EligibilityError, EligibilityResponse, FaceError, FaceVerdict,
    NumberQuery, PatientLookup, PhonePlatform, PhoneReadOutcome, PinVerdict, Registration, StoreError,
    StoredEligibility,
};
use crate::paper::ReceptionRecord;
use crate::paper::VoidReason;
use crate::pin::Pin;
use crate::snapshot::Snapshot;

/// Card presence in the reader slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// No card.
    Absent,
    /// A card is present.
    Present,
}

/// JPEG 2000 card-face photo bytes from the 券面AP. In memory only: no `Clone`, no serde, redacted
/// `Debug`, wiped on drop. It goes from `CardReader` straight to `FaceMatcher` inside the driver.
#[derive(zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub struct CardPhoto(pub Vec<u8>);

impl std::fmt::Debug for CardPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CardPhoto({} bytes)", self.0.len())
    }
}

/// The card reader (and the smartphone reader beside it).
pub trait CardReader {
    /// Is a card in the slot?
    fn presence(&mut self) -> Result<Presence, CardError>;
    /// Read the 利用者証明用電子証明書 (serial, validity, card kind).
    fn read_auth_cert(&mut self) -> Result<CertInfo, CardError>;
    /// PIN tries left (0 = locked). Not called for face-only cards.
    fn pin_tries_left(&mut self) -> Result<u8, CardError>;
    /// VERIFY the auth PIN.
    fn verify_pin(&mut self, pin: &Pin) -> Result<PinVerdict, CardError>;
    /// Sign a challenge with the auth key (after a successful VERIFY).
    fn sign_challenge(&mut self, challenge: &[u8]) -> Result<Vec<u8>, CardError>;
    /// Read the card-face photo (JPEG 2000) for face matching.
    fn read_card_photo(&mut self) -> Result<CardPhoto, CardError>;
    /// Read a smartphone held to the smartphone reader (Android: with its PIN).
    fn read_smartphone(
        &mut self,
        platform: PhonePlatform,
        pin: Option<&Pin>,
    ) -> Result<PhoneReadOutcome, CardError>;
}

/// Face verification: capture frames itself, compare with the card photo, keep nothing.
pub trait FaceMatcher {
    /// Capture and compare.
    fn verify(&mut self, card_photo: &CardPhoto) -> Result<FaceVerdict, FaceError>;
}

/// オンライン資格確認.
pub trait OnlineEligibility {
    /// 保険証利用登録 status of the certificate.
    fn registration_status(&mut self, cert: &CertRef) -> Result<Registration, EligibilityError>;
    /// Register the certificate for insurance use.
    fn register(&mut self, cert: &CertRef) -> Result<Registration, EligibilityError>;
    /// Query by certificate with the consent choices (照会区分 1).
    fn query_by_certificate(&mut self, q: &CertQuery) -> Result<EligibilityResponse, EligibilityError>;
    /// Query by 保険者番号・記号・番号・枝番・生年月日 (照会区分 2).
    fn query_by_numbers(&mut self, q: &NumberQuery) -> Result<EligibilityResponse, EligibilityError>;
}

/// The clock (the one place that reads real time is its live adapter).
pub trait Clock {
    /// Clinic-local wall time.
    fn now(&self) -> NaiveDateTime;
}

/// Persistent record of receptions.
pub trait Store {
    /// Save one completed reception atomically (consent, eligibility, declaration, refund task…).
    fn save_reception(&mut self, record: &ReceptionRecord) -> Result<(), StoreError>;
    /// Last stored eligibility for a 再診 patient, with its confirmation date.
    fn last_eligibility(&mut self, who: &PatientLookup) -> Result<Option<StoredEligibility>, StoreError>;
    /// Append an audit line.
    fn audit(&mut self, event: &AuditEvent) -> Result<(), StoreError>;
    /// Mark the reception this store saved last as voided at `at`, for `reason`; it stays in the record.
    fn void_last_reception(&mut self, reason: VoidReason, at: NaiveDateTime) -> Result<(), StoreError>;
}

/// Where snapshots go (Tauri event emit, a recording sink in tests).
pub trait SnapshotSink {
    /// Publish the current view.
    fn publish(&mut self, snapshot: &Snapshot);
}

/// The ports a call needs (see `driver::perform`); the app gives each worker a view of just its own.
pub trait Adapters {
    /// Card reader.
    fn card(&mut self) -> &mut dyn CardReader;
    /// Face matcher.
    fn face(&mut self) -> &mut dyn FaceMatcher;
    /// Eligibility service.
    fn eligibility(&mut self) -> &mut dyn OnlineEligibility;
    /// Store.
    fn store(&mut self) -> &mut dyn Store;
}

/// All ports together, for the inline `Driver`: the adapters plus the clock and the snapshot sink.
pub trait Ports: Adapters {
    /// Clock.
    fn clock(&self) -> &dyn Clock;
    /// Snapshot sink.
    fn sink(&mut self) -> &mut dyn SnapshotSink;
}
