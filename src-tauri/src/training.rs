//! Training mode's side of the world: the virtual card slot (served to the real pcscd through vpcd), the
//! camera input the trainer picks, and the persona list the trainer panel shows.
//!
//! Deliberately not here: anything the reception flow decides. Placing a card here only connects the virtual
//! card to vpcd; the flow learns about it the way it learns about a real card, from the PC/SC monitor.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use mynacard::vpcd::VpcdCard;
use mynacard::{Persona, VirtualCard};
use serde::{Deserialize, Serialize};

use crate::commands::{OqsFault, ReaderFault};
use crate::error::{Code, Key, UiError, UiResult};
use crate::reader::Pcscd;

/// What the camera sees in training (同一人物 / 別人 / 顔なし / webcam).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum CameraInput {
    /// The card holder (a different photo of the same person where the test set has one).
    #[default]
    Same,
    /// Somebody else.
    Other,
    /// Nobody (a cat, a cup of coffee).
    Noface,
    /// The real webcam through the page (the live path; in tests WebKit's mock camera).
    Webcam,
}

/// A persona as the trainer panel lists it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct PersonaRow {
    /// File stem, e.g. `p01-yamada-hanako`.
    pub id: String,
    /// 氏名.
    pub name: String,
    /// カナ.
    pub kana: String,
    /// 生年月日.
    pub birthdate: NaiveDate,
    /// normal / face_only / smartphone.
    pub kind: &'static str,
    /// The 利用者証明用 PIN the trainee playing the patient types (none on a face-only card). Training
    /// data of a fictional person, never a real one.
    pub pin: Option<String>,
    /// Who this person is and what they teach, in both languages (`assets/cards/stories.toml`).
    pub story: reception::training::Text,
}

/// The training assets (stories, eligibility data, test-set faces, scenarios).
///
/// Installed (the .deb of `scripts/package-deb.sh`): `<prefix>/share/uketsuke/assets` next to the binary's
/// `<prefix>/bin`; else the source tree the binary was built from.
pub fn assets_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        std::env::current_exe()
            .ok()
            .and_then(|exe| {
                exe.parent()?
                    .parent()
                    .map(|prefix| prefix.join("share/uketsuke/assets"))
            })
            .filter(|d| d.join("cards").join("stories.toml").is_file())
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("assets"))
    })
    .clone()
}

/// The persona stories (`assets/cards/stories.toml`: `[<id>] ja = …, en = …`); empty when unreadable.
pub fn stories() -> std::collections::BTreeMap<String, reception::training::Text> {
    std::fs::read_to_string(assets_dir().join("cards").join("stories.toml"))
        .ok()
        .and_then(|t| toml::from_str(&t).ok())
        .unwrap_or_default()
}

/// Every persona, in file order.
pub fn personas() -> Vec<PersonaRow> {
    let stories = stories();
    Persona::builtin_ids()
        .filter_map(|id| Persona::builtin(id).ok())
        .map(|p| PersonaRow {
            kind: match p.card_kind {
                mynacard::CardKind::Normal => "normal",
                mynacard::CardKind::FaceOnly => "face_only",
                mynacard::CardKind::Smartphone => "smartphone",
            },
            story: stories.get(&p.id).cloned().unwrap_or_default(),
            pin: p.pin.value.clone(),
            id: p.id,
            name: p.name,
            kana: p.kana,
            birthdate: p.birth_date,
        })
        .collect()
}

/// What the trainer has in force, whoever set it (the trainer's chips, a scenario, a fault that ended):
/// the panel shows this, never its own memory of the last click.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct TrainerState {
    /// The persona whose card lies on the virtual reader.
    pub card: Option<String>,
    /// What the camera sees.
    pub camera: CameraInput,
    /// The eligibility-service fault.
    pub oqs_fault: OqsFault,
    /// The reader fault.
    pub reader_fault: ReaderFault,
}

/// The trainer's controls.
pub struct Trainer {
    slot: VpcdCard,
    pcscd: Option<Pcscd>,
    /// PIN counters survive a restart (a locked card stays locked), per persona.
    pin_state: PathBuf,
    /// Shared with the face adapter.
    pub camera: Arc<Mutex<CameraInput>>,
    /// Persona of the card in the slot.
    pub placed: Arc<Mutex<Option<String>>>,
    /// The eligibility-service fault in force (recorded by [`crate::app::App::oqs_fault`]).
    pub oqs_fault: OqsFault,
    /// The reader fault in force.
    reader_fault: ReaderFault,
}

impl Trainer {
    /// A trainer over vpcd slot 0 of `pcscd`, the app's private daemon (owned when the app started it).
    pub fn new(pcscd: Pcscd, pin_state: PathBuf) -> Trainer {
        Trainer {
            slot: VpcdCard::private(&pcscd),
            pcscd: Some(pcscd),
            pin_state,
            camera: Arc::default(),
            placed: Arc::default(),
            oqs_fault: OqsFault::None,
            reader_fault: ReaderFault::None,
        }
    }

    /// What is in force now.
    pub fn state(&self) -> TrainerState {
        TrainerState {
            card: self.placed.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            camera: *self.camera.lock().unwrap_or_else(|p| p.into_inner()),
            oqs_fault: self.oqs_fault,
            reader_fault: self.reader_fault,
        }
    }

    /// Place `persona`'s card (issued for `today`) on the virtual reader.
    pub fn place(&mut self, persona: &str, today: NaiveDate) -> UiResult<()> {
        self.remove();
        let card = VirtualCard::builtin(persona, today, Some(self.pin_state.clone())).map_err(|e| {
            UiError::keyed(Code::InvalidInput, Key::UnknownPersona)
                .with("persona", persona)
                .with("detail", e)
        })?;
        self.slot.insert(card).map_err(|e| UiError::new(Code::Card, e))?;
        *self.placed.lock().unwrap_or_else(|p| p.into_inner()) = Some(persona.to_owned());
        Ok(())
    }

    /// Take the card off the reader.
    pub fn remove(&mut self) {
        self.slot.remove();
        *self.placed.lock().unwrap_or_else(|p| p.into_inner()) = None;
        // A pulled card's fault ends with the card.
        if self.reader_fault == ReaderFault::CardPulled {
            self.reader_fault = ReaderFault::None;
        }
    }

    /// Trainer fault "card pulled": the card vanishes after `n` more APDUs (mid-read), as if yanked.
    pub fn pull_after(&mut self, n: u64) -> UiResult<()> {
        match self.slot.card() {
            Some(mut card) => {
                card.vanish_after(n);
                self.reader_fault = ReaderFault::CardPulled;
                Ok(())
            }
            None => Err(UiError::keyed(Code::NotAvailable, Key::NoCardOnReader)),
        }
    }

    /// Trainer fault "pcscd stopped" (only when this app started pcscd).
    pub fn stop_pcscd(&mut self) -> UiResult<()> {
        match self.pcscd.as_mut() {
            Some(p) if p.owned() => {
                self.slot.remove();
                *self.placed.lock().unwrap_or_else(|p| p.into_inner()) = None;
                p.stop();
                self.reader_fault = ReaderFault::PcscdStopped;
                Ok(())
            }
            _ => Err(UiError::keyed(Code::NotAvailable, Key::PcscdNotOurs)),
        }
    }

    /// Bring pcscd back after the fault.
    pub fn restart_pcscd(&mut self) -> UiResult<()> {
        let p = match self.pcscd.take() {
            Some(mut p) if p.netns().is_none() => p.restart().map(|()| p),
            _ => Pcscd::ensure(),
        }
        .map_err(|e| UiError::new(Code::Card, e))?;
        // A restarted daemon has a new network namespace: a new slot reaches it.
        self.slot = VpcdCard::private(&p);
        self.pcscd = Some(p);
        self.reader_fault = ReaderFault::None;
        Ok(())
    }

    /// Set the camera input.
    pub fn set_camera(&self, input: CameraInput) {
        *self.camera.lock().unwrap_or_else(|p| p.into_inner()) = input;
    }
}
