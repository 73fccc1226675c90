//! Settings and where files live. Training is the default mode; live mode is a setting.
//!
//! Layout under the data dir (`$UKETSUKE_DATA_DIR`, else `$XDG_DATA_HOME/uketsuke`, else `~/.local/share/uketsuke`):
//! `settings.json`, `training/uketsuke.sqlite3`, `live/uketsuke.sqlite3`, `training/pin-counters.toml`,
//! `<mode>/face/` (OQSsiquc01res_face_*.xml), `<mode>/exports/`, `<mode>/documents/` (PDFs).
//! Training and live never share a file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// 練習 (virtual cards, mock OQS) or 本番 (real reader, configured OQS endpoint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Training mode (default).
    Training,
    /// Live mode.
    Live,
}

impl Mode {
    /// Folder name under the data dir.
    pub fn dir(self) -> &'static str {
        match self {
            Mode::Training => "training",
            Mode::Live => "live",
        }
    }
}

/// Result-file encoding (CharacterCodeIdentifier 0 = UTF-8, 1 = Shift_JIS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub enum Encoding {
    /// UTF-8.
    #[serde(rename = "utf8")]
    Utf8,
    /// Shift_JIS.
    #[serde(rename = "sjis")]
    ShiftJis,
}

/// Site settings the staff console edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(default)]
pub struct Settings {
    /// Mode.
    pub mode: Mode,
    /// Live OQS endpoint (training uses the embedded mock on 127.0.0.1).
    pub oqs_endpoint: String,
    /// Live PC/SC reader name (empty: the first reader that is not a vpcd slot).
    pub reader_name: String,
    /// Folder for OQSsiquc01res_face_*.xml (empty: `<data>/<mode>/face`).
    pub face_result_dir: String,
    /// Result-file encoding.
    pub encoding: Encoding,
    /// Override: do not apply the MHLW temporary rule until 2026-03-31 (事務連絡 2025-11-12). The rule is national
    /// and on by default; the console warns while this is set. (An older `temporary_rule` key is ignored, so a
    /// file saved before the rule became the default gets the default.)
    pub temporary_rule_suspended: bool,
    /// Ask 処方箋の発行形態 at check-in.
    pub prescription_question: bool,
    /// Restore the pre-2024-10-07 限度額 screen (historical training).
    pub legacy_limit_screen: bool,
    /// Face-match threshold (cosine).
    pub face_threshold: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mode: Mode::Training,
            oqs_endpoint: String::new(),
            reader_name: String::new(),
            face_result_dir: String::new(),
            encoding: Encoding::Utf8,
            temporary_rule_suspended: false,
            prescription_question: true,
            legacy_limit_screen: false,
            face_threshold: 0.42,
        }
    }
}

/// Where the app keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The data dir.
    pub root: PathBuf,
}

impl Paths {
    /// From the environment (see the module docs).
    pub fn from_env() -> Paths {
        let root = std::env::var_os("UKETSUKE_DATA_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("XDG_DATA_HOME").map(|d| PathBuf::from(d).join("uketsuke")))
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share/uketsuke")))
            .unwrap_or_else(|| PathBuf::from("uketsuke-data"));
        Paths { root }
    }

    /// `settings.json`.
    pub fn settings(&self) -> PathBuf {
        self.root.join("settings.json")
    }

    /// `<root>/<mode>`, created on demand.
    pub fn mode_dir(&self, mode: Mode) -> std::io::Result<PathBuf> {
        let d = self.root.join(mode.dir());
        std::fs::create_dir_all(&d)?;
        Ok(d)
    }
}

/// `UKETSUKE_OQS_TIMEOUT_SECS`: the OQS client's whole-request timeout per attempt, in seconds (default 10 s,
/// from `oqs::ClientConfig`). An environment override, not a setting: the e2e suite lowers it so the
/// "OQS timeout" journey does not wait 10 s; a kiosk behind a slow line may raise it. Unset, empty, zero or
/// unparsable → `None` (keep the default).
pub fn oqs_timeout_override() -> Option<std::time::Duration> {
    std::env::var("UKETSUKE_OQS_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&secs| secs > 0)
        .map(std::time::Duration::from_secs)
}

impl Settings {
    /// Load `settings.json`; a missing file gives the defaults, a broken one is an error (never silently reset).
    /// `UKETSUKE_MODE=live|training` overrides the mode (for tests and kiosk setups).
    pub fn load(paths: &Paths) -> Result<Settings, String> {
        let mut s = match std::fs::read_to_string(paths.settings()) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| format!("{} is not valid settings JSON: {e}", paths.settings().display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Settings::default(),
            Err(e) => return Err(format!("cannot read {}: {e}", paths.settings().display())),
        };
        match std::env::var("UKETSUKE_MODE").as_deref() {
            Ok("live") => s.mode = Mode::Live,
            Ok("training") => s.mode = Mode::Training,
            _ => {}
        }
        Ok(s)
    }

    /// Save atomically (temp file + rename).
    pub fn save(&self, paths: &Paths) -> std::io::Result<()> {
        std::fs::create_dir_all(&paths.root)?;
        let tmp = paths.root.join("settings.json.tmp");
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, text)?;
        std::fs::rename(tmp, paths.settings())
    }

    /// The folder for face-result files.
    pub fn face_dir(&self, paths: &Paths) -> std::io::Result<PathBuf> {
        if self.face_result_dir.is_empty() {
            Ok(paths.mode_dir(self.mode)?.join("face"))
        } else {
            Ok(Path::new(&self.face_result_dir).to_path_buf())
        }
    }

    /// The flow's site settings.
    pub fn site(&self) -> reception::SiteSettings {
        reception::SiteSettings {
            temporary_rule: !self.temporary_rule_suspended,
            prescription_question: self.prescription_question,
            legacy_limit_screen: self.legacy_limit_screen,
            training: self.mode == Mode::Training,
            ..reception::SiteSettings::default()
        }
    }
}
