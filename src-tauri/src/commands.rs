//! Tauri commands: each deserialises, forwards to the driver thread or the trainer, and maps the error.
//! A command that needs an `if` about reception rules is a bug: the rule belongs in `reception`.

use reception::{Snapshot, UserInput};
use serde::Serialize;
use tauri::State;

use crate::app::{App, StaffRow};
use crate::config::Settings;
use crate::error::{Code, UiError, UiResult};
use crate::training::{CameraInput, PersonaRow};

/// What the UI needs to know about the app.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    /// "training" / "live".
    pub mode: crate::config::Mode,
    /// Package version.
    pub version: &'static str,
    /// The reader the flow watches.
    pub reader_name: String,
    /// The eligibility endpoint in use.
    pub oqs_endpoint: String,
    /// Today (clinic clock).
    pub today: chrono::NaiveDate,
    /// What the face camera is now: `webcam` means the reader page must capture and post `face_frame`s.
    pub camera: CameraInput,
}

#[tauri::command]
pub fn snapshot(app: State<'_, App>) -> UiResult<Snapshot> {
    app.session.snapshot()
}

/// A person's action; answers with the snapshot right after it (the driver never waits for a port here:
/// the work it starts shows up in later snapshots).
#[tauri::command]
pub fn send(app: State<'_, App>, event: UserInput) -> UiResult<Snapshot> {
    app.session.input(event)
}

/// One webcam frame (JPEG, base64) for the face verification in progress. Only forwarded, never kept:
/// `true` when it was queued for the verifier, `false` when it was dropped (backlog full).
#[tauri::command(rename_all = "snake_case")]
pub fn face_frame(app: State<'_, App>, jpeg_base64: String) -> UiResult<bool> {
    use base64::Engine as _;
    let jpeg = base64::engine::general_purpose::STANDARD
        .decode(jpeg_base64.as_bytes())
        .map_err(|e| UiError::new(Code::InvalidInput, format!("face frame: {e}")))?;
    Ok(app.face_frame(jpeg))
}

/// The reader page could not open the camera (no device, permission denied): ends the face step at once.
#[tauri::command]
pub fn face_camera_failed(app: State<'_, App>, reason: String) -> UiResult<bool> {
    Ok(app.face_camera_failed(reason))
}

/// Staff: stop waiting for the eligibility service (the flow's 照会キャンセル; the fallbacks open at once).
#[tauri::command]
pub fn cancel_query(app: State<'_, App>) -> UiResult<Snapshot> {
    app.session
        .input(UserInput::Staff(reception::StaffAction::CancelQuery))
}

#[tauri::command]
pub fn app_info(app: State<'_, App>) -> UiResult<AppInfo> {
    Ok(app.info())
}

#[tauri::command]
pub fn today_list(app: State<'_, App>, filter: Option<String>) -> UiResult<Vec<StaffRow>> {
    app.today_list(filter.as_deref().unwrap_or("all"))
}

#[tauri::command]
pub fn patient_search(
    app: State<'_, App>,
    kana: Option<String>,
    birthdate: Option<String>,
) -> UiResult<Vec<serde_json::Value>> {
    app.patient_search(kana.as_deref(), birthdate.as_deref())
}

#[tauri::command]
pub fn export_csv(app: State<'_, App>, date: String, encoding: String) -> UiResult<serde_json::Value> {
    app.export_csv(&date, &encoding)
        .map(|p| serde_json::json!({ "path": p }))
}

#[tauri::command]
pub fn settings_get(app: State<'_, App>) -> UiResult<Settings> {
    Ok(app.settings())
}

#[tauri::command]
pub fn settings_set(app: State<'_, App>, settings: Settings) -> UiResult<Settings> {
    app.set_settings(settings)
}

#[tauri::command]
pub fn declaration_pdf(app: State<'_, App>) -> UiResult<serde_json::Value> {
    app.declaration_pdf().map(|p| serde_json::json!({ "path": p }))
}

#[tauri::command]
pub fn card_photo(app: State<'_, App>) -> UiResult<crate::photo::FrontView> {
    app.card_photo()
}

#[tauri::command]
pub fn trainer_personas(app: State<'_, App>) -> UiResult<Vec<PersonaRow>> {
    app.trainer().map(|_| crate::training::personas())
}

#[tauri::command]
pub fn trainer_place_card(app: State<'_, App>, persona: String) -> UiResult<()> {
    let today = app.today();
    app.trainer()?.place(&persona, today)
}

#[tauri::command]
pub fn trainer_remove_card(app: State<'_, App>) -> UiResult<()> {
    app.trainer()?.remove();
    Ok(())
}

#[tauri::command]
pub fn trainer_camera(app: State<'_, App>, input: CameraInput) -> UiResult<()> {
    app.trainer()?.set_camera(input);
    Ok(())
}

#[tauri::command]
pub fn trainer_oqs_fault(app: State<'_, App>, fault: String) -> UiResult<()> {
    app.oqs_fault(&fault)
}

#[tauri::command]
pub fn trainer_reader_fault(app: State<'_, App>, fault: String) -> UiResult<()> {
    let mut t = app.trainer()?;
    match fault.as_str() {
        "none" => t.restart_pcscd(),
        "pcscd_stopped" => t.stop_pcscd(),
        "card_pulled" => t.pull_after(1),
        other => Err(UiError::new(
            Code::InvalidInput,
            format!("unknown reader fault {other}"),
        )),
    }
}
