//! Training mode's headless core (issue #8): a scenario curriculum, the staff-decision vocabulary,
//! scoring with a debrief, and a headless runner that drives the real flow with in-memory ports.
//!
//! - [`scenario`]: the scenario model and the embedded curriculum (`assets/scenarios/*.toml`).
//! - [`decision`]: [`StaffDecision`] and [`decision_of`] (UserInput + State → decision).
//! - [`score`](mod@score): [`score()`] — expected vs recorded decisions → [`Debrief`] (pure).
//! - [`world`]: [`World::of`] — the world a scenario sets up (day, card, faults, 再診 history, the
//!   mis-linked record), described once for the headless runner and the app alike.
//! - [`sim`]: run a decision list through `Driver` with fake ports that play the scenario's world.
//! - [`personas`]: the persona facts the runner needs (copied from the lead's table).
//!
//! Deliberately not here: any file or clock access (the bin `uketsuke-train` reads files; the app
//! passes the time taken), trainee history, the PDF certificate, UI texts beyond the debrief.

pub mod decision;
pub mod personas;
pub mod scenario;
pub mod score;
pub mod sim;
pub mod world;

use serde::{Deserialize, Serialize};

pub use decision::{decision_of, DocumentUse, Family, StaffDecision};
pub use scenario::{load, load_all, Fault, Scenario, ScenarioError};
pub use score::{score, Debrief, DebriefItem, Grade};
pub use sim::{run, RunReport};
pub use world::World;

/// Debrief language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    /// 日本語.
    Ja,
    /// English.
    En,
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "reception/")]
pub struct Text {
    /// 日本語.
    pub ja: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }
}
