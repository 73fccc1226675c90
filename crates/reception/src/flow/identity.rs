//! Identity: 顔認証, 暗証番号 (3 tries, then locked; S000 2-23), the smartphone path, and the 保険証利用登録
//! check and offer that follow a confirmed identity.

use super::*;

pub(super) fn on_choose_method(tx: &mut Tx, m: Method) {
    let allowed = matches!(tx.st.phase, Phase::MethodChoice | Phase::FaceFailed(_));
    if !allowed || !tx.st.method_options().contains(&m) {
        return;
    }
    match m {
        Method::Face => {
            tx.go(Phase::FaceCapture);
            tx.call(Call::MatchFace);
        }
        Method::Pin => {
            let tries_left = tx.st.session.pin_tries_left.unwrap_or(0);
            tx.go(Phase::PinEntry { tries_left });
            if tx.st.operator == Operator::Proxy {
                tx.note(Notice::ProxyOperation);
            }
        }
        // Not offered by `method_options`: 目視 is a staff switch, smartphone starts at the waiting screen.
        Method::Visual | Method::Smartphone => {}
    }
}

pub(super) fn on_pin_entered(tx: &mut Tx, pin: Pin) {
    match tx.st.phase {
        Phase::PinEntry { .. } => {
            // A malformed PIN never reaches the card, so it costs no try.
            if pin.check_format().is_err() {
                tx.st.validation.clear();
                tx.note(Notice::PinFormat);
                return;
            }
            tx.go(Phase::PinVerifying);
            tx.call(Call::VerifyPin { pin });
        }
        Phase::SmartphonePin { .. } => {
            if pin.check_format().is_err() {
                tx.note(Notice::PinFormat);
                return;
            }
            tx.go(Phase::SmartphoneHold(PhonePlatform::Android));
            tx.call(Call::ReadSmartphone {
                platform: PhonePlatform::Android,
                pin: Some(pin),
            });
        }
        Phase::WaitingForCard
        | Phase::ReadingCard
        | Phase::CertWarning(_)
        | Phase::MethodChoice
        | Phase::FaceCapture
        | Phase::FaceFailed(_)
        | Phase::PinVerifying
        | Phase::Signing
        | Phase::VisualCheck
        | Phase::SmartphonePlatform
        | Phase::SmartphoneHold(_)
        | Phase::CheckingRegistration
        | Phase::RegistrationOffer
        | Phase::Registering
        | Phase::ConsentMode
        | Phase::ConsentItem(_)
        | Phase::LimitConsent
        | Phase::PrescriptionForm
        | Phase::Querying { .. }
        | Phase::LookingUpPrevious
        | Phase::Completed { .. }
        | Phase::RemoveCard
        | Phase::Error(_)
        | Phase::Fallback(_) => {} // `pin` is dropped (and zeroized) here.
    }
}

pub(super) fn pin_locked(tx: &mut Tx) {
    tx.st.session.pin_tries_left = Some(0);
    if let Some(c) = tx.st.session.card.as_mut() {
        c.pin_tries_left = Some(0);
    }
    // A locked PIN leaves face and 目視 (S000 2-23).
    tx.go(Phase::MethodChoice);
    tx.note(Notice::PinLocked);
}

pub(super) fn on_pin_verified(tx: &mut Tx, r: Result<PinVerdict, CardError>) {
    if tx.st.phase != Phase::PinVerifying {
        return;
    }
    match r {
        Ok(PinVerdict::Ok) => {
            tx.st.session.pin_tries_left = Some(rules::pin_tries());
            let serial = tx
                .st
                .session
                .card
                .as_ref()
                .map(|c| c.cert.serial.clone())
                .unwrap_or_default();
            // The challenge only has to be fresh per reception; the service checks the signature.
            let challenge = format!("uketsuke:{serial}:{}", tx.now.format("%Y%m%d%H%M%S")).into_bytes();
            tx.go(Phase::Signing);
            tx.call(Call::SignChallenge { challenge });
        }
        Ok(PinVerdict::Wrong { tries_left: 0 }) | Ok(PinVerdict::Locked) => pin_locked(tx),
        Ok(PinVerdict::Wrong { tries_left }) => {
            tx.st.session.pin_tries_left = Some(tries_left);
            tx.go(Phase::PinEntry { tries_left });
            tx.note(Notice::PinWrong { tries_left });
        }
        Err(e) => card_error(tx, e),
    }
}

pub(super) fn on_signed(tx: &mut Tx, r: Result<PossessionProof, CardError>) {
    if tx.st.phase != Phase::Signing {
        return;
    }
    match r {
        Ok(proof) => {
            tx.st.session.proof = Some(proof);
            identity_confirmed(tx, Method::Pin);
        }
        Err(e) => card_error(tx, e),
    }
}

pub(super) fn on_face(tx: &mut Tx, r: Result<FaceVerdict, FaceError>) {
    if tx.st.phase != Phase::FaceCapture {
        return;
    }
    match r {
        Ok(FaceVerdict::Match { .. }) => identity_confirmed(tx, Method::Face),
        Ok(FaceVerdict::NoMatch { .. }) => tx.go(Phase::FaceFailed(FaceFailure::NoMatch)),
        Ok(FaceVerdict::NoFace) => tx.go(Phase::FaceFailed(FaceFailure::NoFace)),
        Err(FaceError::CardRemoved) => tx.reset_to_waiting(),
        Err(FaceError::PhotoUnavailable | FaceError::Camera(_)) => {
            tx.go(Phase::FaceFailed(FaceFailure::DeviceError))
        }
    }
}

pub(super) fn on_retry_face(tx: &mut Tx) {
    if matches!(tx.st.phase, Phase::FaceFailed(_)) {
        tx.go(Phase::FaceCapture);
        tx.call(Call::MatchFace);
    }
}

pub(super) fn on_phone_read(tx: &mut Tx, r: Result<PhoneReadOutcome, CardError>) {
    let Phase::SmartphoneHold(platform) = tx.st.phase else {
        return;
    };
    match r {
        Ok(PhoneReadOutcome::Read(info)) => {
            // No grace on the phone: an expired physical-card certificate refuses it (PORTAL-SMAPHO).
            let today = tx.today();
            if today > info.card_cert_not_after || today > info.not_after {
                tx.error(ErrorCode::SmartphoneCardCertExpired);
                return;
            }
            tx.st.session.cert_status = Some(CertStatus::Valid);
            tx.st.session.phone = Some((platform, Some(info)));
            identity_confirmed(tx, Method::Smartphone);
        }
        Ok(PhoneReadOutcome::WrongPin { tries_left: 0 }) | Ok(PhoneReadOutcome::Locked) => {
            tx.error(ErrorCode::SmartphonePinLocked)
        }
        Ok(PhoneReadOutcome::WrongPin { tries_left }) => {
            tx.go(Phase::SmartphonePin {
                tries_left: Some(tries_left),
            });
            tx.note(Notice::PinWrong { tries_left });
        }
        Err(CardError::Removed) => tx.reset_to_waiting(),
        Err(CardError::Unreadable | CardError::NotMyNumberCard) => tx.error(ErrorCode::CardUnreadable),
        Err(CardError::Reader(_)) => tx.error(ErrorCode::ReaderFailure),
    }
}

pub(super) fn cert_ref(s: &Session) -> Option<CertRef> {
    match (&s.phone, &s.card) {
        (Some((platform, Some(info))), _) => Some(CertRef::Smartphone {
            serial: info.serial.clone(),
            platform: *platform,
        }),
        (Some((_, None)), Some(c)) | (None, Some(c)) => Some(CertRef::Card {
            serial: c.cert.serial.clone(),
        }),
        (Some((_, None)), None) | (None, None) => None,
    }
}

/// Identity done by some method → ask the registration status.
pub(super) fn identity_confirmed(tx: &mut Tx, method: Method) {
    tx.st.session.method = Some(method);
    match cert_ref(&tx.st.session) {
        Some(c) => {
            tx.go(Phase::CheckingRegistration);
            tx.call(Call::CheckRegistration(c));
        }
        None => tx.error(ErrorCode::CardUnreadable),
    }
}

pub(super) fn on_registration(tx: &mut Tx, r: Result<Registration, EligibilityError>, after_register: bool) {
    let expected = if after_register {
        Phase::Registering
    } else {
        Phase::CheckingRegistration
    };
    if tx.st.phase != expected {
        return;
    }
    match r {
        Ok(Registration::Registered) => {
            tx.st.session.just_registered = after_register;
            start_consent(tx);
        }
        Ok(Registration::NotRegistered) => {
            if after_register {
                tx.error(ErrorCode::NoEligibilityData);
            } else {
                tx.go(Phase::RegistrationOffer);
            }
        }
        Err(e) => service_error(tx, e),
    }
}

pub(super) fn service_error(tx: &mut Tx, e: EligibilityError) {
    match e {
        EligibilityError::Timeout => tx.error(ErrorCode::QueryTimeout),
        EligibilityError::Unavailable => tx.error(ErrorCode::ServiceUnavailable),
        EligibilityError::Malformed(_) => tx.error(ErrorCode::MalformedResponse),
    }
}

/// スマートフォン on the waiting screen (only where a smartphone reader is installed).
pub(super) fn on_choose_smartphone(tx: &mut Tx) {
    if tx.st.phase == Phase::WaitingForCard && tx.st.settings.smartphone_reader {
        tx.st.session = Session::default();
        tx.go(Phase::SmartphonePlatform);
    }
}

pub(super) fn on_choose_platform(tx: &mut Tx, p: PhonePlatform) {
    if tx.st.phase != Phase::SmartphonePlatform {
        return;
    }
    tx.st.session.phone = Some((p, None));
    match p {
        // iPhone: Face ID / Touch ID happens on the phone while it is held.
        PhonePlatform::IPhone => {
            tx.go(Phase::SmartphoneHold(p));
            tx.call(Call::ReadSmartphone {
                platform: p,
                pin: None,
            });
        }
        PhonePlatform::Android => tx.go(Phase::SmartphonePin { tries_left: None }),
    }
}

/// 保険証利用登録 offer answered: register, or the patient declined.
pub(super) fn on_registration_answer(tx: &mut Tx, yes: bool) {
    if tx.st.phase != Phase::RegistrationOffer {
        return;
    }
    if !yes {
        tx.error(ErrorCode::RegistrationDeclined);
        return;
    }
    match cert_ref(&tx.st.session) {
        Some(c) => {
            tx.go(Phase::Registering);
            tx.call(Call::Register(c));
        }
        None => tx.error(ErrorCode::CardUnreadable),
    }
}
