//! Identity: 顔認証, 暗証番号 (3 tries, then locked; S000 2-23), the smartphone path, and the 保険証利用登録
//! check and offer that follow a confirmed identity.

use super::*;

/// The card read, if the flow is on an identity screen `steps` accepts.
fn identity_on(tx: &Tx, steps: impl Fn(IdentityStep) -> bool) -> Option<ReadCard> {
    let Phase::Identity { card, step } = &tx.st.phase else {
        return None;
    };
    steps(*step).then(|| card.clone())
}

fn go_identity(tx: &mut Tx, card: ReadCard, step: IdentityStep) {
    tx.go(Phase::Identity { card, step });
}

pub(super) fn on_choose_method(tx: &mut Tx, m: Method) {
    let Some(card) = identity_on(tx, |s| {
        matches!(s, IdentityStep::MethodChoice | IdentityStep::FaceFailed(_))
    }) else {
        return;
    };
    if !tx.st.method_options().contains(&m) {
        return;
    }
    match m {
        Method::Face => {
            go_identity(tx, card, IdentityStep::FaceCapture);
            tx.call(Call::MatchFace);
        }
        Method::Pin => {
            go_identity(tx, card, IdentityStep::PinEntry);
            if tx.st.operator == Operator::Proxy {
                tx.note(Notice::ProxyOperation);
            }
        }
        // Not offered by `method_options`: 目視 is a staff switch, smartphone starts at the waiting screen.
        Method::Visual | Method::Smartphone => {}
    }
}

/// A PIN typed on the card's PIN entry or the Android phone's. Anywhere else `pin` is dropped (and
/// zeroized).
pub(super) fn on_pin_entered(tx: &mut Tx, pin: Pin) {
    if let Some(card) = identity_on(tx, |s| s == IdentityStep::PinEntry) {
        // A malformed PIN never reaches the card, so it costs no try.
        if pin.check_format().is_err() {
            tx.st.validation.clear();
            tx.note(Notice::PinFormat);
            return;
        }
        go_identity(tx, card, IdentityStep::PinVerifying);
        tx.call(Call::VerifyPin { pin });
    } else if let Phase::Smartphone(PhoneStep::Pin { .. }) = tx.st.phase {
        if pin.check_format().is_err() {
            tx.note(Notice::PinFormat);
            return;
        }
        tx.go(Phase::Smartphone(PhoneStep::Hold(PhonePlatform::Android)));
        tx.call(Call::ReadSmartphone {
            platform: PhonePlatform::Android,
            pin: Some(pin),
        });
    }
}

/// A locked PIN leaves face and 目視 (S000 2-23).
fn pin_locked(tx: &mut Tx, mut card: ReadCard) {
    card.summary.pin_tries_left = Some(0);
    go_identity(tx, card, IdentityStep::MethodChoice);
    tx.note(Notice::PinLocked);
}

pub(super) fn on_pin_verified(tx: &mut Tx, r: Result<PinVerdict, CardError>) {
    let Some(mut card) = identity_on(tx, |s| s == IdentityStep::PinVerifying) else {
        return;
    };
    match r {
        Ok(PinVerdict::Ok) => {
            card.summary.pin_tries_left = Some(rules::pin_tries());
            // The challenge only has to be fresh per reception; the service checks the signature.
            let serial = &card.summary.cert.serial;
            let challenge = format!("uketsuke:{serial}:{}", tx.now.format("%Y%m%d%H%M%S")).into_bytes();
            go_identity(tx, card, IdentityStep::Signing);
            tx.call(Call::SignChallenge { challenge });
        }
        Ok(PinVerdict::Wrong { tries_left: 0 }) | Ok(PinVerdict::Locked) => pin_locked(tx, card),
        Ok(PinVerdict::Wrong { tries_left }) => {
            card.summary.pin_tries_left = Some(tries_left);
            go_identity(tx, card, IdentityStep::PinEntry);
            tx.note(Notice::PinWrong { tries_left });
        }
        Err(e) => card_error(tx, e),
    }
}

pub(super) fn on_signed(tx: &mut Tx, r: Result<PossessionProof, CardError>) {
    let Some(card) = identity_on(tx, |s| s == IdentityStep::Signing) else {
        return;
    };
    match r {
        Ok(proof) => identity_confirmed(
            tx,
            Holder::Card {
                card,
                check: CardCheck::Pin(proof),
            },
        ),
        Err(e) => card_error(tx, e),
    }
}

pub(super) fn on_face(tx: &mut Tx, r: Result<FaceVerdict, FaceError>) {
    let Some(card) = identity_on(tx, |s| s == IdentityStep::FaceCapture) else {
        return;
    };
    let failed = |tx: &mut Tx, card, why| go_identity(tx, card, IdentityStep::FaceFailed(why));
    match r {
        Ok(FaceVerdict::Match { .. }) => identity_confirmed(
            tx,
            Holder::Card {
                card,
                check: CardCheck::Face,
            },
        ),
        Ok(FaceVerdict::NoMatch { .. }) => failed(tx, card, FaceFailure::NoMatch),
        Ok(FaceVerdict::NoFace) => failed(tx, card, FaceFailure::NoFace),
        Err(FaceError::CardRemoved) => tx.reset_to_waiting(),
        Err(FaceError::PhotoUnavailable | FaceError::Camera(_)) => failed(tx, card, FaceFailure::DeviceError),
    }
}

pub(super) fn on_retry_face(tx: &mut Tx) {
    if let Some(card) = identity_on(tx, |s| matches!(s, IdentityStep::FaceFailed(_))) {
        go_identity(tx, card, IdentityStep::FaceCapture);
        tx.call(Call::MatchFace);
    }
}

pub(super) fn on_phone_read(tx: &mut Tx, r: Result<PhoneReadOutcome, CardError>) {
    let Phase::Smartphone(PhoneStep::Hold(platform)) = tx.st.phase else {
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
            identity_confirmed(tx, Holder::Phone { platform, info });
        }
        Ok(PhoneReadOutcome::WrongPin { tries_left: 0 }) | Ok(PhoneReadOutcome::Locked) => {
            tx.error(ErrorCode::SmartphonePinLocked)
        }
        Ok(PhoneReadOutcome::WrongPin { tries_left }) => {
            tx.go(Phase::Smartphone(PhoneStep::Pin {
                tries_left: Some(tries_left),
            }));
            tx.note(Notice::PinWrong { tries_left });
        }
        Err(CardError::Removed) => tx.reset_to_waiting(),
        Err(CardError::Unreadable | CardError::NotMyNumberCard) => tx.error(ErrorCode::CardUnreadable),
        Err(CardError::Reader(_)) => tx.error(ErrorCode::ReaderFailure),
    }
}

/// Identity done by some method → ask the registration status.
pub(super) fn identity_confirmed(tx: &mut Tx, holder: Holder) {
    let who = Identified {
        holder,
        just_registered: false,
    };
    let cert = who.cert_ref();
    ask(tx, who, Question::CheckingRegistration);
    tx.call(Call::CheckRegistration(cert));
}

/// Show a question to the identified patient.
pub(super) fn ask(tx: &mut Tx, who: Identified, step: Question) {
    tx.go(Phase::Questions { who, step });
}

/// The identified patient, if the flow is on question `step`.
pub(super) fn asking(tx: &Tx, step: Question) -> Option<Identified> {
    let Phase::Questions { who, step: here } = &tx.st.phase else {
        return None;
    };
    (*here == step).then(|| who.clone())
}

pub(super) fn on_registration(tx: &mut Tx, r: Result<Registration, EligibilityError>, after_register: bool) {
    let expected = if after_register {
        Question::Registering
    } else {
        Question::CheckingRegistration
    };
    let Some(mut who) = asking(tx, expected) else {
        return;
    };
    match r {
        Ok(Registration::Registered) => {
            who.just_registered = after_register;
            start_consent(tx, who);
        }
        Ok(Registration::NotRegistered) => {
            if after_register {
                tx.error(ErrorCode::NoEligibilityData);
            } else {
                ask(tx, who, Question::RegistrationOffer);
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
        EligibilityError::CertifiedReaderOnly => tx.error(ErrorCode::CertifiedReaderOnly),
    }
}

/// スマートフォン on the waiting screen (only where a smartphone reader is installed).
pub(super) fn on_choose_smartphone(tx: &mut Tx) {
    if matches!(tx.st.phase, Phase::WaitingForCard)
        && rules::smartphone_available(tx.st.settings.smartphone_reader, tx.today())
    {
        tx.st.session = Session::default();
        tx.go(Phase::Smartphone(PhoneStep::Platform));
    }
}

pub(super) fn on_choose_platform(tx: &mut Tx, p: PhonePlatform) {
    if tx.st.phase != Phase::Smartphone(PhoneStep::Platform) {
        return;
    }
    match p {
        // iPhone: Face ID / Touch ID happens on the phone while it is held.
        PhonePlatform::IPhone => {
            tx.go(Phase::Smartphone(PhoneStep::Hold(p)));
            tx.call(Call::ReadSmartphone {
                platform: p,
                pin: None,
            });
        }
        PhonePlatform::Android => tx.go(Phase::Smartphone(PhoneStep::Pin { tries_left: None })),
    }
}

/// 保険証利用登録 offer answered: register, or the patient declined.
pub(super) fn on_registration_answer(tx: &mut Tx, yes: bool) {
    let Some(who) = asking(tx, Question::RegistrationOffer) else {
        return;
    };
    if !yes {
        tx.error(ErrorCode::RegistrationDeclined);
        return;
    }
    let cert = who.cert_ref();
    ask(tx, who, Question::Registering);
    tx.call(Call::Register(cert));
}
