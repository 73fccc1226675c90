//! Tauri commands: each decodes its typed arguments, forwards to the driver thread or the trainer, and maps
//! the error. A command that needs an `if` about reception rules is a bug: the rule belongs in `reception`.
//! The argument structs below are the request bodies the page sends (see [`crate::contract`]).

use chrono::NaiveDate;
use reception::UserInput;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::app::App;
use crate::cmd;
use crate::config::Settings;
use crate::contract::{Args, Reply, SavedFile};
use crate::error::{Code, UiError};
use crate::training::CameraInput;

/// What the UI needs to know about the app.
#[derive(Debug, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
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
    pub today: NaiveDate,
    /// What the face camera is now: `webcam` means the reader page must capture and post `face_frame`s.
    pub camera: CameraInput,
    /// Whether the calling window's WebKit inspector can open, as read back from WebKit when the window was made
    /// (`null` before that). Never `true` in live mode (#13 §2).
    pub inspector: Option<bool>,
    /// Whether the reader can read a card now (always `true` in training). Live pushes changes as `reader-ready`;
    /// this is the value a window starts from, so the patient's screen is right before the first push arrives.
    pub reader_ready: bool,
}

/// `send`: one person's action.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct SendArgs {
    /// What was done.
    pub event: UserInput,
}

/// `declaration_pdf`: the 申立書 form the console shows.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct DeclarationPdfArgs {
    /// The form as typed (validated by the shell as the flow validates a submission).
    pub entry: reception::paper::DeclarationEntry,
}

/// `saved_file_action`: 開く or 印刷 of a PDF the app saved (the path a `SavedFile` answer named).
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct SavedFileActionArgs {
    /// The file.
    pub path: std::path::PathBuf,
    /// 開く or 印刷.
    pub action: crate::desktop::FileAction,
}

/// `face_frame`: a JPEG from the page's camera.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct FaceFrameArgs {
    /// The JPEG, base64.
    pub jpeg_base64: String,
}

/// `face_camera_failed`: why the camera did not open.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct FaceCameraFailedArgs {
    /// The browser's reason (e.g. `NotAllowedError: …`), for the log.
    pub reason: String,
}

/// Which receptions 本日の受付 lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum TodayFilter {
    /// Every reception of the day.
    #[default]
    All,
    /// Those with an open task (today: a refund after 10割).
    Pending,
    /// Those completed through a fallback path.
    Fallback,
    /// Those with an open refund task.
    Refund,
}

/// `today_list`.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/", optional_fields)]
pub struct TodayListArgs {
    /// Which receptions (default: all).
    pub filter: Option<TodayFilter>,
}

/// `patient_search`: at least one of the two, else nothing is found.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/", optional_fields)]
pub struct PatientSearchArgs {
    /// カナ prefix (any width, hiragana or katakana).
    pub kana: Option<String>,
    /// 生年月日.
    pub birthdate: Option<NaiveDate>,
}

/// `last_eligibility`.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct LastEligibilityArgs {
    /// The patient (from `patient_search`).
    pub patient_id: store::PatientId,
}

/// The CSV encoding of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum CsvEncoding {
    /// UTF-8 with a BOM (Excel).
    Utf8bom,
    /// Shift_JIS (older レセコン).
    Sjis,
}

/// `export_csv`.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct ExportCsvArgs {
    /// The day.
    pub date: NaiveDate,
    /// The file's encoding.
    pub encoding: CsvEncoding,
}

/// `settings_set`.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct SettingsSetArgs {
    /// The settings to save.
    pub settings: Settings,
    /// The staff confirmed a change of `mode` (練習 ↔ 本番); it takes effect at the next start.
    #[serde(default)]
    #[ts(optional)]
    pub confirm_mode_change: Option<bool>,
}

/// `trainer_place_card`.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct PlaceCardArgs {
    /// Persona id, e.g. `p01-yamada-hanako`.
    pub persona: String,
}

/// `trainer_camera`.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct TrainerCameraArgs {
    /// What the camera sees.
    pub input: CameraInput,
}

/// The eligibility-service faults the trainer injects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum OqsFault {
    /// No fault (clears every fault).
    #[default]
    None,
    /// Answers after 3 s.
    Latency,
    /// Answers after 6 s: longer than a patient waits calmly, so staff practise 照会キャンセル
    /// (the client's own timeout, 10 s by default, is longer still).
    LatencyLong,
    /// Never answers.
    Timeout,
    /// HTTP 500.
    Http500,
    /// Answers XML that does not parse.
    Malformed,
    /// 処理中 (SegmentOfResult 2).
    Processing,
    /// 異常終了 (SegmentOfResult 9).
    Error,
    /// Connection refused.
    Refused,
}

/// `trainer_oqs_fault`.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct OqsFaultArgs {
    /// The fault.
    pub fault: OqsFault,
}

/// The reader faults the trainer injects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum ReaderFault {
    /// No fault (pcscd running again).
    #[default]
    None,
    /// pcscd stopped.
    PcscdStopped,
    /// The card is pulled during the next read.
    CardPulled,
}

/// `trainer_reader_fault`.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct ReaderFaultArgs {
    /// The fault.
    pub fault: ReaderFault,
}

/// Async: a command that waits for the driver thread never runs on the main (GTK) thread, which must stay
/// free to deliver the snapshots the driver emits meanwhile.
#[tauri::command]
pub async fn snapshot(app: State<'_, App>) -> Reply<cmd::snapshot> {
    let session = app.session.clone();
    tauri::async_runtime::spawn_blocking(move || session.snapshot())
        .await
        .map_err(|e| UiError::new(Code::Internal, e))?
}

/// A person's action; answers with the snapshot right after it (the driver never waits for a port here:
/// the work it starts shows up in later snapshots). Async for the same reason as `snapshot`.
#[tauri::command]
pub async fn send<R: tauri::Runtime>(
    app: State<'_, App>,
    window: tauri::Window<R>,
    args: Args<cmd::send>,
) -> Reply<cmd::send> {
    let SendArgs { event } = args.get()?;
    refuse_staff_from_reader(window.label(), &event)?;
    let session = app.session.clone();
    tauri::async_runtime::spawn_blocking(move || session.input(event))
        .await
        .map_err(|e| UiError::new(Code::Internal, e))?
}

/// The patient's reader window (live mode's `reader`) sends what a patient can: the reader's own buttons. A
/// staff input from it (目視 on, a 目視 verdict, a document, 次の患者へ …) is refused and nothing changes; the
/// staff console (`staff`) and training's one window (`main`, where the trainee plays both) send both.
pub fn refuse_staff_from_reader(window: &str, event: &UserInput) -> Result<(), UiError> {
    match (window, event) {
        ("reader", UserInput::Staff(_)) => Err(UiError::keyed(Code::Forbidden, crate::error::Key::StaffOnly)),
        _ => Ok(()),
    }
}

/// The largest webcam frame accepted, as base64 text (a 4K JPEG at the page's quality is well under it).
pub const MAX_FRAME_BASE64_BYTES: usize = 8 * 1024 * 1024;
/// The largest frame side, in pixels, read from the JPEG header before anything is decoded.
pub const MAX_FRAME_SIDE: u16 = 4096;

/// Only forwarded, never kept. Refused before decoding (#13 §7): text over [`MAX_FRAME_BASE64_BYTES`], and a
/// JPEG whose header (SOF) declares a side over [`MAX_FRAME_SIDE`] or that has no frame header at all, so a
/// page cannot make the face pipeline allocate a decompression bomb.
#[tauri::command]
pub fn face_frame(app: State<'_, App>, args: Args<cmd::face_frame>) -> Reply<cmd::face_frame> {
    use crate::error::Key;
    use base64::Engine as _;
    let FaceFrameArgs { jpeg_base64 } = args.get()?;
    if jpeg_base64.len() > MAX_FRAME_BASE64_BYTES {
        return Err(UiError::keyed(Code::InvalidInput, Key::FrameTooLarge)
            .with("max", format!("{MAX_FRAME_SIDE}×{MAX_FRAME_SIDE}")));
    }
    let jpeg = base64::engine::general_purpose::STANDARD
        .decode(jpeg_base64.as_bytes())
        .map_err(|e| UiError::keyed(Code::InvalidInput, Key::FrameNotBase64).with("detail", e))?;
    match jpeg_dimensions(&jpeg) {
        None => Err(UiError::keyed(Code::InvalidInput, Key::FrameNotJpeg)),
        Some((w, h)) if w > MAX_FRAME_SIDE || h > MAX_FRAME_SIDE || w == 0 || h == 0 => {
            Err(UiError::keyed(Code::InvalidInput, Key::FrameTooLarge)
                .with("max", format!("{MAX_FRAME_SIDE}×{MAX_FRAME_SIDE}")))
        }
        Some(_) => Ok(app.face_frame(jpeg)),
    }
}

/// Width and height from a JPEG's frame header (SOF0–SOF15 except DHT/JPG/DAC), walking the marker
/// segments without decoding anything; `None` if it is not a JPEG or has no frame header before the scan.
pub fn jpeg_dimensions(jpeg: &[u8]) -> Option<(u16, u16)> {
    let rest = jpeg.strip_prefix(&[0xFF, 0xD8])?;
    let mut at = 0usize;
    loop {
        // Fill bytes (FF FF …) may precede a marker.
        while rest.get(at) == Some(&0xFF) && rest.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (&ff, &marker) = (rest.get(at)?, rest.get(at + 1)?);
        if ff != 0xFF {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([*rest.get(at + 2)?, *rest.get(at + 3)?]));
        match marker {
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let h = u16::from_be_bytes([*rest.get(at + 5)?, *rest.get(at + 6)?]);
                let w = u16::from_be_bytes([*rest.get(at + 7)?, *rest.get(at + 8)?]);
                return Some((w, h));
            }
            0xDA | 0xD9 => return None,
            _ if len < 2 => return None,
            _ => at += 2 + len,
        }
    }
}

#[tauri::command]
pub fn face_camera_failed(
    app: State<'_, App>,
    args: Args<cmd::face_camera_failed>,
) -> Reply<cmd::face_camera_failed> {
    Ok(app.face_camera_failed(args.get()?.reason))
}

#[tauri::command]
pub fn app_info<R: tauri::Runtime>(app: State<'_, App>, webview: tauri::Webview<R>) -> Reply<cmd::app_info> {
    let mut info = app.info();
    info.inspector = crate::inspector_of(webview.label());
    Ok(info)
}

#[tauri::command]
pub fn today_list(app: State<'_, App>, args: Args<cmd::today_list>) -> Reply<cmd::today_list> {
    app.today_list(args.get()?.filter.unwrap_or_default())
}

#[tauri::command]
pub fn patient_search(app: State<'_, App>, args: Args<cmd::patient_search>) -> Reply<cmd::patient_search> {
    let PatientSearchArgs { kana, birthdate } = args.get()?;
    app.patient_search(kana.as_deref(), birthdate)
}

#[tauri::command]
pub fn last_eligibility(
    app: State<'_, App>,
    args: Args<cmd::last_eligibility>,
) -> Reply<cmd::last_eligibility> {
    app.last_eligibility(args.get()?.patient_id)
}

#[tauri::command]
pub fn export_csv(app: State<'_, App>, args: Args<cmd::export_csv>) -> Reply<cmd::export_csv> {
    let ExportCsvArgs { date, encoding } = args.get()?;
    app.export_csv(date, encoding).map(|path| SavedFile { path })
}

#[tauri::command]
pub fn settings_get(app: State<'_, App>) -> Reply<cmd::settings_get> {
    Ok(app.settings_for_console())
}

#[tauri::command]
pub fn settings_set(app: State<'_, App>, args: Args<cmd::settings_set>) -> Reply<cmd::settings_set> {
    let SettingsSetArgs {
        settings,
        confirm_mode_change,
    } = args.get()?;
    app.set_settings(settings, confirm_mode_change == Some(true))
}

#[tauri::command]
pub fn declaration_pdf(app: State<'_, App>, args: Args<cmd::declaration_pdf>) -> Reply<cmd::declaration_pdf> {
    app.declaration_pdf(&args.get()?.entry)
        .map(|path| SavedFile { path })
}

#[tauri::command]
pub fn saved_file_action(
    app: State<'_, App>,
    args: Args<cmd::saved_file_action>,
) -> Reply<cmd::saved_file_action> {
    let SavedFileActionArgs { path, action } = args.get()?;
    app.saved_file_action(&path, action)
}

#[tauri::command]
pub fn reader_status(app: State<'_, App>) -> Reply<cmd::reader_status> {
    Ok(app.reader_status())
}

#[tauri::command]
pub fn desk_status(app: State<'_, App>) -> Reply<cmd::desk_status> {
    Ok(app.desk_status())
}

#[tauri::command]
pub fn card_photo(app: State<'_, App>) -> Reply<cmd::card_photo> {
    app.card_photo()
}

#[tauri::command]
pub fn trainer_personas(app: State<'_, App>) -> Reply<cmd::trainer_personas> {
    app.trainer().map(|_| crate::training::personas())
}

#[tauri::command]
pub fn trainer_place_card(
    app: State<'_, App>,
    args: Args<cmd::trainer_place_card>,
) -> Reply<cmd::trainer_place_card> {
    let persona = args.get()?.persona;
    let today = app.today();
    app.trainer()?.place(&persona, today)
}

#[tauri::command]
pub fn trainer_state(app: State<'_, App>) -> Reply<cmd::trainer_state> {
    Ok(app.trainer()?.state())
}

#[tauri::command]
pub fn trainer_remove_card(app: State<'_, App>) -> Reply<cmd::trainer_remove_card> {
    app.trainer()?.remove();
    Ok(())
}

#[tauri::command]
pub fn trainer_camera(app: State<'_, App>, args: Args<cmd::trainer_camera>) -> Reply<cmd::trainer_camera> {
    let input = args.get()?.input;
    app.trainer()?.set_camera(input);
    Ok(())
}

#[tauri::command]
pub fn trainer_oqs_fault(
    app: State<'_, App>,
    args: Args<cmd::trainer_oqs_fault>,
) -> Reply<cmd::trainer_oqs_fault> {
    app.oqs_fault(args.get()?.fault)
}

#[tauri::command]
pub fn trainer_reader_fault(
    app: State<'_, App>,
    args: Args<cmd::trainer_reader_fault>,
) -> Reply<cmd::trainer_reader_fault> {
    let fault = args.get()?.fault;
    let mut t = app.trainer()?;
    match fault {
        ReaderFault::None => t.restart_pcscd(),
        ReaderFault::PcscdStopped => t.stop_pcscd(),
        ReaderFault::CardPulled => t.pull_after(1),
    }
}
