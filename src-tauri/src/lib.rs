//! Uketsuke desktop app: the only crate that imports tauri.
//!
//! Wiring only: settings and mode ([`config`]), the driver thread ([`session`]), the ports that connect the
//! reception flow to the card, face, OQS and store crates ([`app`], [`face_port`]), training controls
//! ([`training`], [`reader`], scored scenarios in [`scenario`] with the [`certificate`]), and thin commands ([`commands`]). Reception rules live in `crates/reception`.
//! Training mode (the default) opens one window with the reader screen, the staff console and the trainer
//! panel side by side; live mode opens the reader screen and the staff console as two windows.

pub mod acl;
pub mod app;
pub mod certificate;
pub mod clock;
pub mod commands;
pub mod config;
pub mod contract;
pub mod desktop;
pub mod error;
pub mod face_port;
pub mod files;
pub mod pdf;
pub mod photo;
pub mod reader;
pub mod scenario;
pub mod session;
pub mod terminal;
pub mod training;

use tauri::webview::{PermissionKind, PermissionResponse};
use tauri::{Builder, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

use crate::app::{App, FnSink};
use crate::config::{Mode, Paths, Settings};

/// The command table: declares every command once (its name, arguments and reply) and expands to the
/// marker types in [`cmd`] (`Args<cmd::x>` / `Reply<cmd::x>` in the command signatures), the handler
/// registration in [`setup`] and the specs the page's TypeScript is generated from ([`contract_commands`]).
macro_rules! command_table {
    ($($(#[doc = $doc:literal])* $module:ident :: $name:ident ( $args:ty ) -> $reply:ty;)*) => {
        /// One marker type per command (see [`contract::Command`]); named exactly like the command.
        #[allow(non_camel_case_types)]
        pub mod cmd {
            use super::*;
            $(
                $(#[doc = $doc])*
                pub enum $name {}
                impl $crate::contract::Command for $name {
                    const NAME: &'static str = stringify!($name);
                    const DOC: &'static str = concat!($($doc, "\n"),*);
                    type Args = $args;
                    type Reply = $reply;
                }
            )*
        }

        /// Register the commands on any builder (the real Wry builder or `tauri::test::mock_builder()`).
        pub fn setup<R: Runtime>(builder: Builder<R>) -> Builder<R> {
            builder.invoke_handler(tauri::generate_handler![$($module::$name),*])
        }

        /// Every command of the table, for the TypeScript generator and the contract tests.
        pub fn contract_commands() -> Vec<contract::Spec> {
            vec![$(contract::Spec::of::<cmd::$name>()),*]
        }
    };
}

command_table! {
    /// The reception's current snapshot (afterwards snapshots arrive as `snapshot` events).
    commands::snapshot(()) -> reception::Snapshot;
    /// A person's action (reader or staff console); answers the snapshot after it.
    commands::send(commands::SendArgs) -> reception::Snapshot;
    /// One webcam frame for the face verification in progress: `true` when queued, `false` when dropped.
    commands::face_frame(commands::FaceFrameArgs) -> bool;
    /// The reader page could not open the camera: ends the face step at once.
    commands::face_camera_failed(commands::FaceCameraFailedArgs) -> bool;
    /// App facts: mode, version, reader, OQS endpoint, clinic day, camera.
    commands::app_info(()) -> commands::AppInfo;
    /// 本日の受付: today's receptions, filtered.
    commands::today_list(commands::TodayListArgs) -> Vec<app::StaffRow>;
    /// 患者検索 by カナ (prefix) and/or 生年月日.
    commands::patient_search(commands::PatientSearchArgs) -> Vec<store::Patient>;
    /// A patient's last valid eligibility (再診 history), if any.
    commands::last_eligibility(commands::LastEligibilityArgs) -> Option<reception::model::StoredEligibility>;
    /// CSV出力 of one day's receptions into the mode's exports folder.
    commands::export_csv(commands::ExportCsvArgs) -> contract::SavedFile;
    /// The site settings.
    commands::settings_get(()) -> config::Settings;
    /// Save the site settings (mode and site switches apply at the next start).
    commands::settings_set(commands::SettingsSetArgs) -> config::Settings;
    /// The current patient's 申立書 (the form on the console) as a PDF.
    commands::declaration_pdf(commands::DeclarationPdfArgs) -> contract::SavedFile;
    /// 開く / 印刷 of a PDF the app saved (the desktop's viewer, the default printer).
    commands::saved_file_action(commands::SavedFileActionArgs) -> desktop::FileActionDone;
    /// The card reader now: service down, not attached, ready, or a card on it (the console's status line).
    commands::reader_status(()) -> app::ReaderStatus;
    /// The status panel: reader, eligibility path and the 端末's folders, face models, database, version, the
    /// certified reader's results, and what to do before patients can be received.
    commands::desk_status(()) -> app::DeskStatus;
    /// The card front for 目視 (photo and 券面事項), read on demand and never stored.
    commands::card_photo(()) -> photo::FrontView;
    /// Trainer: the persona cards.
    commands::trainer_personas(()) -> Vec<training::PersonaRow>;
    /// Trainer: place a persona's card on the virtual reader.
    commands::trainer_place_card(commands::PlaceCardArgs) -> ();
    /// Trainer: what is in force now (the card on the reader, the camera, the faults), whoever set it.
    commands::trainer_state(()) -> training::TrainerState;
    /// Trainer: take the card off the reader.
    commands::trainer_remove_card(()) -> ();
    /// Trainer: what the camera sees.
    commands::trainer_camera(commands::TrainerCameraArgs) -> ();
    /// Trainer: inject an eligibility-service fault (or clear it).
    commands::trainer_oqs_fault(commands::OqsFaultArgs) -> ();
    /// Trainer: inject a reader fault (or clear it).
    commands::trainer_reader_fault(commands::ReaderFaultArgs) -> ();
    /// シナリオ研修: the curriculum.
    scenario::scenario_list(()) -> Vec<scenario::ScenarioRow>;
    /// Start a scenario for a trainee.
    scenario::scenario_start(scenario::ScenarioStartArgs) -> scenario::ScenarioStarted;
    /// 終了して採点: score the running scenario and keep the run.
    scenario::scenario_finish(()) -> scenario::DebriefView;
    /// A trainee's history (no name: only the list of trainees).
    scenario::training_history(scenario::TrainingHistoryArgs) -> scenario::History;
    /// The certificate of completion as a PDF (only when every scenario is passed).
    scenario::training_certificate_pdf(scenario::CertificateArgs) -> contract::SavedFile;
    /// The class of this training record: each trainee's runs, scores, time and weakest rules (#15 §3).
    scenario::training_class(()) -> scenario::ClassView;
    /// The class view as a CSV file.
    scenario::training_class_csv(()) -> contract::SavedFile;
}

/// Start the app state and manage it; `emit` publishes snapshots to the windows.
pub fn start_state<R: Runtime>(
    app: &tauri::AppHandle<R>,
    paths: Paths,
    settings: Settings,
) -> Result<Mode, String> {
    let handle = app.clone();
    let sink = FnSink(move |s: &reception::Snapshot| {
        let _ = handle.emit("snapshot", s);
    });
    let mode = settings.mode;
    let state = App::start(paths, settings, Box::new(sink))?;
    let told = app.clone();
    state.on_today_changed(Box::new(move || {
        let _ = told.emit("today-changed", ());
    }));
    let told = app.clone();
    state
        .replay_outbox(Box::new(move || {
            let _ = told.emit("today-changed", ());
        }))
        .map_err(|e| format!("outbox: {e}"))?;
    let told = app.clone();
    state
        .watch_shared_record(Box::new(move || {
            let _ = told.emit("today-changed", ());
        }))
        .map_err(|e| format!("shared record: {e}"))?;
    if mode == Mode::Live {
        let told = app.clone();
        state
            .watch_readiness(Box::new(move |ready| {
                let _ = told.emit("reader-ready", ready);
            }))
            .map_err(|e| format!("reader readiness: {e}"))?;
    }
    app.manage(state);
    app.manage(scenario::ScenarioControl::default());
    Ok(mode)
}

fn open_windows<R: Runtime>(app: &tauri::AppHandle<R>, mode: Mode) -> tauri::Result<()> {
    match mode {
        Mode::Training => {
            let w = WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .title("【練習モード】Uketsuke マイナ受付")
                .inner_size(1600.0, 900.0)
                .on_permission_request(allow_camera)
                .build()?;
            enable_camera(&w)?;
            record_inspector(&w)?;
        }
        // Live: no WebKit inspector in either window, whatever the build profile (#13 §2), and no context menu
        // on the patient's window (its Reload / Back / Inspect items are not the patient's).
        Mode::Live => {
            let w = WebviewWindowBuilder::new(app, "reader", WebviewUrl::App("reader.html".into()))
                .title("【本番】Uketsuke 受付（患者用）")
                .inner_size(1024.0, 768.0)
                .devtools(false)
                .on_permission_request(allow_camera)
                .build()?;
            enable_camera(&w)?;
            no_context_menu(&w)?;
            record_inspector(&w)?;
            let staff = WebviewWindowBuilder::new(app, "staff", WebviewUrl::App("staff.html".into()))
                .title("【本番】Uketsuke 職員用")
                .inner_size(1280.0, 800.0)
                .devtools(false)
                .build()?;
            record_inspector(&staff)?;
        }
    }
    Ok(())
}

/// The reader page may open the camera (顔認証) without a prompt: the patient chose 顔認証 on the screen.
/// Microphone, location and the rest keep WebKit's default (denied).
fn allow_camera<R: Runtime>(_: tauri::Webview<R>, kind: PermissionKind) -> PermissionResponse {
    match kind {
        PermissionKind::Camera => PermissionResponse::Allow,
        _ => PermissionResponse::Default,
    }
}

/// Whether each window's WebKit inspector can open (WebKit's "developer extras"), read back from WebKit once
/// the window exists, by window label.
static INSPECTOR: std::sync::Mutex<std::collections::BTreeMap<String, bool>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// What [`INSPECTOR`] read for window `label`.
pub fn inspector_of(label: &str) -> Option<bool> {
    INSPECTOR
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(label)
        .copied()
}

fn record_inspector<R: Runtime>(w: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    let label = w.label().to_owned();
    w.with_webview(move |wv| {
        #[cfg(target_os = "linux")]
        let on = {
            use webkit2gtk::{SettingsExt as _, WebViewExt as _};
            wv.inner()
                .settings()
                .is_some_and(|s| s.enables_developer_extras())
        };
        #[cfg(not(target_os = "linux"))]
        let on = {
            let _ = wv;
            cfg!(debug_assertions)
        };
        INSPECTOR
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(label, on);
    })
}

/// WebKit's context menu never opens on `w` (the signal handler reports it handled).
fn no_context_menu<R: Runtime>(w: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    w.with_webview(|wv| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::WebViewExt as _;
            wv.inner().connect_context_menu(|_, _, _, _| true);
        }
        #[cfg(not(target_os = "linux"))]
        let _ = wv;
    })
}

/// Turn on WebKitGTK's media streams (off by default) so `getUserMedia` exists. With `UKETSUKE_MOCK_CAMERA=1`
/// (the e2e harness), WebKit's built-in mock camera replaces real devices, so the webcam path is testable
/// on a machine without one.
fn enable_camera<R: Runtime>(w: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    let mock = std::env::var("UKETSUKE_MOCK_CAMERA").is_ok_and(|v| v == "1");
    w.with_webview(move |wv| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::{SettingsExt as _, WebViewExt as _};
            if let Some(settings) = wv.inner().settings() {
                settings.set_enable_media_stream(true);
                if mock {
                    settings.set_enable_mock_capture_devices(true);
                }
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (wv, mock);
    })
}

/// Stop what the app state started (virtual card, pcscd, driver thread); safe to call more than once.
pub fn shutdown<R: Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(state) = app.try_state::<App>() {
        state.shutdown();
    }
}

/// SIGTERM, SIGINT (Ctrl-C in `make run`) and SIGHUP end the app as closing it does: what the app started is
/// stopped first (its private pcscd would otherwise outlive it), then the event loop is asked to exit.
fn stop_on_signals<R: Runtime>(handle: tauri::AppHandle<R>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                eprintln!("uketsuke: signal {sig}: stopping");
                shutdown(&handle);
                // Also a daemon started before the app state existed (a signal during start-up).
                mynacard::pcscd::stop_owned_daemons();
                handle.exit(128 + sig);
            }
        })?;
    Ok(())
}

/// Run the desktop app.
pub fn run() {
    let paths = Paths::from_env();
    let settings = match Settings::load(&paths) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("uketsuke: {e}");
            std::process::exit(2);
        }
    };
    // Training's private pcscd exports its socket through PCSCLITE_CSOCK_NAME: set it now, while this is the only
    // thread, not later beside GTK's and WebKit's (setenv is not safe against a concurrent getenv).
    if settings.mode == Mode::Training {
        if let Err(e) = mynacard::pcscd::private_dir() {
            eprintln!("uketsuke: {e}");
            std::process::exit(2);
        }
    }
    let result = setup(tauri::Builder::default())
        .setup(move |app| {
            stop_on_signals(app.handle().clone())?;
            let mode = start_state(app.handle(), paths, settings).map_err(|e| {
                eprintln!("uketsuke: cannot start: {e}");
                e
            })?;
            open_windows(app.handle(), mode)?;
            Ok(())
        })
        .build(tauri::generate_context!())
        .map(|app| {
            app.run(|handle, event| {
                if let tauri::RunEvent::Exit = event {
                    shutdown(handle);
                }
            })
        });
    if let Err(e) = result {
        eprintln!("uketsuke: {e}");
        std::process::exit(1);
    }
}
