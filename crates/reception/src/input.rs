//! `UserInput` — what a person can do at the reader or the staff console, and nothing else.
//!
//! The desktop UI sends these (as JSON) instead of raw [`Event`]s, so a page can never inject a port
//! result such as "card read OK" or "PIN verified": those only come from the driver's adapters.
//! Deliberately not here: timers, card insertion/removal (they come from the reader) and port results.

use serde::Deserialize;

use crate::flow::{Event, StaffAction};
use crate::model::{ConsentMode, Method, PhonePlatform, PrescriptionForm};
use crate::pin::Pin;

/// A person's action, as the UI sends it.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
#[serde(tag = "kind", content = "value")]
pub enum UserInput {
    /// 次へ / 確認.
    Continue,
    /// 戻る / 取消.
    Cancel,
    /// 顔認証 / 暗証番号 / 目視.
    ChooseMethod(Method),
    /// Four digits typed on the PIN pad (card or Android phone).
    PinEntered(#[ts(type = "string")] Pin),
    /// もう一度 (face).
    RetryFace,
    /// スマートフォン on the first screen.
    ChooseSmartphone,
    /// iPhone / Android.
    ChoosePlatform(PhonePlatform),
    /// 保険証利用登録 offer answered.
    RegistrationAnswer(bool),
    /// まとめて同意 / 個別に選択 / 同意しない.
    ChooseConsentMode(ConsentMode),
    /// The item on screen: 同意する (true) / 同意しない (false).
    AnswerConsent(bool),
    /// Legacy 限度額 screen answered.
    AnswerLimit(bool),
    /// 電子処方箋 / 紙の処方箋.
    ChoosePrescription(PrescriptionForm),
    /// A touch that chooses nothing (a PIN key, 「続ける」 on 「操作を続けますか」): restarts the idle timer.
    Activity,
    /// The reader's 代理人 button (a patient may say a parent operates; staff-assisted is the console's).
    SetProxy(bool),
    /// A staff-console action.
    Staff(StaffAction),
}

impl From<UserInput> for Event {
    fn from(input: UserInput) -> Self {
        match input {
            UserInput::Continue => Event::Continue,
            UserInput::Cancel => Event::Cancel,
            UserInput::ChooseMethod(m) => Event::ChooseMethod(m),
            UserInput::PinEntered(pin) => Event::PinEntered(pin),
            UserInput::RetryFace => Event::RetryFace,
            UserInput::ChooseSmartphone => Event::ChooseSmartphone,
            UserInput::ChoosePlatform(p) => Event::ChoosePlatform(p),
            UserInput::RegistrationAnswer(yes) => Event::RegistrationAnswer(yes),
            UserInput::ChooseConsentMode(mode) => Event::ChooseConsentMode(mode),
            UserInput::AnswerConsent(yes) => Event::AnswerConsent(yes),
            UserInput::AnswerLimit(yes) => Event::AnswerLimit(yes),
            UserInput::ChoosePrescription(form) => Event::ChoosePrescription(form),
            UserInput::Activity => Event::Activity,
            UserInput::SetProxy(on) => Event::SetProxy(on),
            UserInput::Staff(action) => Event::Staff(action),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_json_maps_to_the_matching_event() {
        let input: UserInput = serde_json::from_str(r#"{"kind":"ChooseMethod","value":"Pin"}"#).unwrap();
        assert!(matches!(Event::from(input), Event::ChooseMethod(Method::Pin)));
        let input: UserInput = serde_json::from_str(r#"{"kind":"Continue"}"#).unwrap();
        assert!(matches!(Event::from(input), Event::Continue));
    }

    #[test]
    fn a_pin_sent_by_the_ui_stays_redacted_in_debug_output() {
        let input: UserInput = serde_json::from_str(r#"{"kind":"PinEntered","value":"1234"}"#).unwrap();
        assert!(!format!("{input:?}").contains("1234"));
    }

    #[test]
    fn the_ui_cannot_send_a_port_result() {
        // "CardRead" is an Event but not a UserInput: a page cannot claim that a card was read.
        assert!(serde_json::from_str::<UserInput>(r#"{"kind":"CardRead","value":{"Ok":{}}}"#).is_err());
        assert!(serde_json::from_str::<UserInput>(r#"{"kind":"CardPlaced"}"#).is_err());
    }
}
