//! Settings and where files live. Training is the default mode; live mode is a setting.
//!
//! Layout under the data dir (`$UKETSUKE_DATA_DIR`, else `$XDG_DATA_HOME/uketsuke`, else `~/.local/share/uketsuke`):
//! `settings.json`, `training/uketsuke.sqlite3`, `live/uketsuke.sqlite3`, `training/pin-counters.toml`,
//! `<mode>/face/` (OQSsiquc01res_face_*.xml), `<mode>/exports/`, `<mode>/documents/` (PDFs).
//! Training and live never share a file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Code, Key, UiError};

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
    /// Live beside a 資格確認端末 (#16 §1): its request folder, where `OQSsiquc01req_*.xml` go. With
    /// `terminal_result_dir` set too, live mode checks eligibility through the 端末 instead of `oqs_endpoint`.
    pub terminal_request_dir: String,
    /// The 端末's result folder, where `OQSsiquc01res_*.xml` come back.
    pub terminal_result_dir: String,
    /// The folder where the certified reader's results (`OQSsiquc01res_face_*.xml`) appear; each becomes a
    /// reception in today's list (empty: not watched).
    pub terminal_face_dir: String,
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
    /// Where live receptions are kept (#15): empty for this PC's SQLite file, or a PostgreSQL server that
    /// several desks share (`postgresql://user@host/db?sslmode=require`, no password: see
    /// [`database_password`]). Takes effect at the next start.
    pub live_database: String,
    /// The same for training (a training centre's class writes to one server).
    pub training_database: String,
    /// This desk's name in a shared record (today's list, the audit log); empty: the computer's name.
    pub desk_name: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mode: Mode::Training,
            oqs_endpoint: String::new(),
            reader_name: String::new(),
            face_result_dir: String::new(),
            terminal_request_dir: String::new(),
            terminal_result_dir: String::new(),
            terminal_face_dir: String::new(),
            encoding: Encoding::Utf8,
            temporary_rule_suspended: false,
            prescription_question: true,
            legacy_limit_screen: false,
            face_threshold: 0.42,
            live_database: String::new(),
            training_database: String::new(),
            desk_name: String::new(),
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

    /// `<root>/<mode>`, created on demand, 0700 (the root too when this creates it; #13 §8).
    pub fn mode_dir(&self, mode: Mode) -> std::io::Result<PathBuf> {
        let d = self.root.join(mode.dir());
        crate::files::new_private_dir(&self.root)?;
        crate::files::private_dir(&d)?;
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

/// The lowest face-match threshold a site may set. On the measured test set different people score at most
/// 0.283 and the same person at least 0.605, so any threshold in 0.29–0.60 separates them (face.md §1, §3):
/// below this a stranger's face may pass.
pub const FACE_THRESHOLD_MIN: f32 = 0.30;
/// The highest: above it the card holder's own face fails (same-person pairs start at 0.605, face.md).
pub const FACE_THRESHOLD_MAX: f32 = 0.60;

/// A vsmartcard / virtual reader slot name (training's virtual card), refused in live mode.
pub fn is_virtual_reader(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("virtual pcd") || n.contains("vpcd")
}

/// A folder a setting may name: absolute, an existing directory, writable (a probe file is created and
/// removed), and outside `<data>/training` and `<data>/live`.
fn folder_usable(dir: &Path, paths: &Paths) -> Result<(), String> {
    if !dir.is_absolute() {
        return Err(format!("{} is not an absolute path", dir.display()));
    }
    let real = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    if !real.is_dir() {
        return Err(format!("{} is not a folder", dir.display()));
    }
    let root = paths.root.canonicalize().unwrap_or_else(|_| paths.root.clone());
    for mode in [Mode::Training, Mode::Live] {
        if real.starts_with(root.join(mode.dir())) {
            return Err(format!("{} is inside the {} data", dir.display(), mode.dir()));
        }
    }
    tempfile::Builder::new()
        .prefix(".uketsuke-probe-")
        .tempfile_in(&real)
        .map(drop)
        .map_err(|e| format!("{} is not writable: {e}", dir.display()))
}

impl Settings {
    /// Load `settings.json`; a missing file gives the defaults, a broken one is an error (never silently reset).
    /// `UKETSUKE_MODE=live|training` overrides the mode (for tests and kiosk setups).
    pub fn load(paths: &Paths) -> Result<Settings, String> {
        let mut s = Settings::load_file(paths)?;
        match std::env::var("UKETSUKE_MODE").as_deref() {
            Ok("live") => s.mode = Mode::Live,
            Ok("training") => s.mode = Mode::Training,
            _ => {}
        }
        s.check_identity()
            .map_err(|e| format!("{}: refused: {e}", paths.settings().display()))?;
        Ok(s)
    }

    /// `settings.json` as written (defaults when missing), without `UKETSUKE_MODE` and unchecked.
    pub fn load_file(paths: &Paths) -> Result<Settings, String> {
        match std::fs::read_to_string(paths.settings()) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| format!("{} is not valid settings JSON: {e}", paths.settings().display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(format!("cannot read {}: {e}", paths.settings().display())),
        }
    }

    /// The part of [`Settings::check`] a hand-edited `settings.json` must pass before the app starts: nothing
    /// that weakens how a patient is identified (the face threshold; a virtual reader in live mode) and nothing
    /// that looks like a My Number. (An endpoint or folder not set up yet is not refused here: the app starts and
    /// says what is missing.)
    pub fn check_identity(&self) -> Result<(), UiError> {
        let bad = |key: Key, field: &str| UiError::keyed(Code::InvalidInput, key).with("field", field);
        // No setting may hold what looks like a My Number (the value is not echoed back).
        for (field, value) in [
            ("oqs_endpoint", &self.oqs_endpoint),
            ("reader_name", &self.reader_name),
            ("face_result_dir", &self.face_result_dir),
            ("terminal_request_dir", &self.terminal_request_dir),
            ("terminal_result_dir", &self.terminal_result_dir),
            ("terminal_face_dir", &self.terminal_face_dir),
        ] {
            if store::contains_twelve_digit_run(value) {
                return Err(bad(Key::MyNumberLike, field));
            }
        }
        if !(FACE_THRESHOLD_MIN..=FACE_THRESHOLD_MAX).contains(&self.face_threshold) {
            return Err(bad(Key::FaceThresholdOutOfRange, "face_threshold")
                .with("min", FACE_THRESHOLD_MIN)
                .with("max", FACE_THRESHOLD_MAX)
                .with("value", self.face_threshold));
        }
        if self.mode == Mode::Live && is_virtual_reader(&self.reader_name) {
            return Err(bad(Key::VirtualReaderInLive, "reader_name").with("value", &self.reader_name));
        }
        Ok(())
    }

    /// The PostgreSQL server of `mode`'s record, if one is set (else the SQLite file).
    pub fn database_of(&self, mode: Mode) -> Option<&str> {
        let url = match mode {
            Mode::Live => self.live_database.trim(),
            Mode::Training => self.training_database.trim(),
        };
        (!url.is_empty()).then_some(url)
    }

    /// Save atomically, 0600, in a 0700 data folder ([`crate::files::write_private`]).
    pub fn save(&self, paths: &Paths) -> std::io::Result<()> {
        crate::files::new_private_dir(&paths.root)?;
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        crate::files::write_private(&paths.settings(), text.as_bytes())
    }

    /// The folder for face-result files. A configured folder (the one a レセコン polls) is used in live mode
    /// only; training always writes to its own `<data>/training/face`, so a practice run never reaches the
    /// clinic's 会計 system (#13 §4).
    pub fn face_dir(&self, paths: &Paths) -> std::io::Result<PathBuf> {
        if self.mode == Mode::Training || self.face_result_dir.is_empty() {
            Ok(paths.mode_dir(self.mode)?.join("face"))
        } else {
            Ok(Path::new(&self.face_result_dir).to_path_buf())
        }
    }

    /// Check settings before they are saved (#13 §3): nothing is saved on a bad value, and the error names
    /// the field. Settings cannot weaken the identity checks: the face threshold stays in
    /// [`FACE_THRESHOLD_MIN`]..=[`FACE_THRESHOLD_MAX`]; a live install talks to its OQS over `https://` only
    /// and never to a virtual reader; a configured folder is absolute, exists, is writable and is not inside
    /// the data of either mode. Live needs an eligibility path: the https endpoint or both 端末 folders.
    pub fn check(&self, paths: &Paths) -> Result<(), UiError> {
        let bad = |key: Key, field: &str| UiError::keyed(Code::InvalidInput, key).with("field", field);
        self.check_identity()?;
        let request = self.terminal_request_dir.trim();
        let result = self.terminal_result_dir.trim();
        if request.is_empty() != result.is_empty() {
            let field = if request.is_empty() {
                "terminal_request_dir"
            } else {
                "terminal_result_dir"
            };
            return Err(bad(Key::TerminalFoldersIncomplete, field));
        }
        if !self.terminal_face_dir.is_empty() && self.terminal_face_dir.trim() == self.face_result_dir.trim()
        {
            // Our own face results would come back as the certified reader's receptions.
            return Err(bad(Key::FaceFolderTwice, "terminal_face_dir"));
        }
        if self.mode == Mode::Live && self.terminal_folders().is_none() {
            let endpoint = self.oqs_endpoint.trim();
            let host = endpoint
                .strip_prefix("https://")
                .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
            if host.is_none_or(|h| h.is_empty() || h.contains(char::is_whitespace)) {
                return Err(bad(Key::LiveEndpointNotHttps, "oqs_endpoint").with("value", endpoint));
            }
        }
        for (field, url, live) in [
            ("live_database", &self.live_database, true),
            ("training_database", &self.training_database, false),
        ] {
            if !url.trim().is_empty() {
                if let Some(why) = store::postgres_settings_problem(url, live) {
                    return Err(bad(Key::DatabaseNotUsable, field).with("detail", why));
                }
            }
        }
        if self.desk_name.chars().count() > 40 {
            return Err(bad(Key::DeskNameTooLong, "desk_name"));
        }
        for (field, dir) in [
            ("face_result_dir", &self.face_result_dir),
            ("terminal_request_dir", &self.terminal_request_dir),
            ("terminal_result_dir", &self.terminal_result_dir),
            ("terminal_face_dir", &self.terminal_face_dir),
        ] {
            if !dir.is_empty() {
                folder_usable(Path::new(dir), paths)
                    .map_err(|why| bad(Key::FolderNotUsable, field).with("detail", why))?;
            }
        }
        Ok(())
    }

    /// The 資格確認端末's request and result folders, when both are set (live mode then queries through them).
    pub fn terminal_folders(&self) -> Option<(PathBuf, PathBuf)> {
        let request = self.terminal_request_dir.trim();
        let result = self.terminal_result_dir.trim();
        (!request.is_empty() && !result.is_empty()).then(|| (PathBuf::from(request), PathBuf::from(result)))
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

/// The password of the database server, from `UKETSUKE_DB_PASSWORD_FILE` (a file only its owner can read; the
/// first line) or `UKETSUKE_DB_PASSWORD`: never from settings.json (#15 §1). None: the server asks for none
/// (a Unix socket with peer authentication, a client certificate).
pub fn database_password() -> Result<Option<String>, String> {
    if let Some(path) = std::env::var_os("UKETSUKE_DB_PASSWORD_FILE").filter(|p| !p.is_empty()) {
        use std::os::unix::fs::PermissionsExt as _;
        let path = PathBuf::from(path);
        let meta = std::fs::metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "{}: the password file must be readable by its owner only (chmod 600)",
                path.display()
            ));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(Some(text.lines().next().unwrap_or("").to_owned()));
    }
    Ok(std::env::var("UKETSUKE_DB_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty()))
}
