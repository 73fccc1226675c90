//! Building the app: settings, mode, the driver thread with its ports, the trainer, the embedded mock OQS,
//! and the staff queries the console makes. `App` is the Tauri-managed state the commands use.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use chrono::NaiveDate;
use mynacard::reception_port::{
    CardPort, CardSource, CertBook, CheckCodeSource, NoCheckCodes, PersonaCheckCodes,
};
use mynacard::{CardError, PcscContext, Transport};
use reception::paper::{DeclarationEntry, ReceptionRecord};
use reception::{Clock as _, SnapshotSink};
use serde::Serialize;

use crate::clock::SystemClock;
use crate::commands::{CsvEncoding, OqsFault, TodayFilter};
use crate::config::{Encoding, Mode, Paths, Settings};
use crate::error::{Code, Key, UiError, UiResult};
use crate::face_port::{Camera, FacePort, SharedModels, WebcamFeed};
use crate::reader::{Pcscd, VPCD_READER};
use crate::session::Session;
use crate::training::Trainer;

/// A PC/SC source that (re)connects to the daemon on demand, so a restarted pcscd is picked up.
pub struct LazyPcsc {
    reader: String,
    ctx: Option<PcscContext>,
}

impl LazyPcsc {
    fn ctx(&mut self) -> Result<&PcscContext, CardError> {
        if self.ctx.is_none() {
            self.ctx = Some(PcscContext::establish()?);
        }
        self.ctx
            .as_ref()
            .ok_or_else(|| CardError::Service("no PC/SC context".into()))
    }
    fn reset_on_service_error<T>(&mut self, r: Result<T, CardError>) -> Result<T, CardError> {
        if matches!(r, Err(CardError::Service(_))) {
            self.ctx = None;
        }
        r
    }

    /// `f` on the context; if that fails for any reason but the card itself (absent, removed, reset), once more
    /// on a fresh context: a context from before a pcscd restart answers with errors of its own
    /// (invalid handle, no service) and must not fail the next patient's card read.
    fn on_fresh_context<T>(
        &mut self,
        f: impl Fn(&PcscContext) -> Result<T, CardError>,
    ) -> Result<T, CardError> {
        let first = self.ctx().and_then(&f);
        if matches!(
            first,
            Ok(_) | Err(CardError::NoCard | CardError::Removed | CardError::Reset)
        ) {
            return first;
        }
        self.ctx = None;
        let again = self.ctx().and_then(&f);
        self.reset_on_service_error(again)
    }
}

impl CardSource for LazyPcsc {
    fn present(&mut self) -> Result<bool, CardError> {
        let reader = self.reader.clone();
        self.on_fresh_context(|c| c.card_present(&reader))
            .map(|a| a.is_some())
    }
    fn connect(&mut self) -> Result<Box<dyn Transport + Send>, CardError> {
        let reader = self.reader.clone();
        self.on_fresh_context(|c| c.connect(&reader))
            .map(|t| Box::new(t) as Box<dyn Transport + Send>)
    }
}

/// `<dir>/<stem>.<ext>`, or `<stem>-2.<ext>`, `-3`, … when that name is taken: two PDFs made within one
/// second (or under a training clock that stands still) never overwrite each other.
fn unused_path(dir: &std::path::Path, stem: &str, ext: &str) -> PathBuf {
    let first = dir.join(format!("{stem}.{ext}"));
    if !first.exists() {
        return first;
    }
    (2u32..)
        .map(|n| dir.join(format!("{stem}-{n}.{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// The store port of the app (the console prints a 申立書 from the form it shows, never from a saved
/// reception, so nothing of one patient is kept here for the next).
pub struct AppStore {
    inner: store::reception_port::StorePort,
    /// Told after each reception this desk saved or voided: the console reloads today's list once the row is
    /// there (the flow shows 受付完了 while the save is still on its way).
    changed: TodayChanged,
}

impl AppStore {
    /// The database (staff queries, training history).
    pub fn db(&self) -> &store::Store {
        self.inner.db()
    }

    /// The database for writes outside a reception (training history).
    pub fn db_mut(&mut self) -> &mut store::Store {
        self.inner.db_mut()
    }

    /// The flow's store port (the certified reader's results are saved through it, #16 §1).
    pub fn inner_mut(&mut self) -> &mut store::reception_port::StorePort {
        &mut self.inner
    }
}

impl reception::Store for AppStore {
    fn save_reception(&mut self, record: &ReceptionRecord) -> Result<(), reception::model::StoreError> {
        let saved = self.inner.save_reception(record);
        if saved.is_ok() {
            self.tell_changed();
        }
        saved
    }
    fn last_eligibility(
        &mut self,
        who: &reception::model::PatientLookup,
    ) -> Result<Option<reception::model::StoredEligibility>, reception::model::StoreError> {
        self.inner.last_eligibility(who)
    }
    fn audit(&mut self, event: &reception::flow::AuditEvent) -> Result<(), reception::model::StoreError> {
        self.inner.audit(event)
    }
    fn void_last_reception(
        &mut self,
        reason: reception::paper::VoidReason,
        at: chrono::NaiveDateTime,
    ) -> Result<(), reception::model::StoreError> {
        let voided = self.inner.void_last_reception(reason, at);
        if voided.is_ok() {
            self.tell_changed();
        }
        voided
    }
}

impl AppStore {
    fn tell_changed(&self) {
        if let Some(f) = lock(&self.changed).as_ref() {
            f();
        }
    }
}

/// The reception flow's ports, one field each. Generic so that the app, the in-process tests and the
/// benchmark wire the same struct with their own card source, eligibility service, store and clock.
pub struct Wiring<Card, Elig, Store, Clock, Face = FacePort> {
    /// Card reader.
    pub card: Card,
    /// Face matcher.
    pub face: Face,
    /// Eligibility service.
    pub eligibility: Elig,
    /// Clock.
    pub clock: Clock,
    /// Store.
    pub store: Store,
    /// Where snapshots go.
    pub sink: Box<dyn SnapshotSink + Send>,
}

impl<Card, Elig, St, Clk, Face> reception::Adapters for Wiring<Card, Elig, St, Clk, Face>
where
    Card: reception::CardReader,
    Face: reception::FaceMatcher,
    Elig: reception::OnlineEligibility,
    St: reception::Store,
    Clk: reception::Clock,
{
    fn card(&mut self) -> &mut dyn reception::CardReader {
        &mut self.card
    }
    fn face(&mut self) -> &mut dyn reception::FaceMatcher {
        &mut self.face
    }
    fn eligibility(&mut self) -> &mut dyn reception::OnlineEligibility {
        &mut self.eligibility
    }
    fn store(&mut self) -> &mut dyn reception::Store {
        &mut self.store
    }
}

impl<Card, Elig, St, Clk, Face> reception::Ports for Wiring<Card, Elig, St, Clk, Face>
where
    Card: reception::CardReader,
    Face: reception::FaceMatcher,
    Elig: reception::OnlineEligibility,
    St: reception::Store,
    Clk: reception::Clock,
{
    fn clock(&self) -> &dyn reception::Clock {
        &self.clock
    }
    fn sink(&mut self) -> &mut dyn SnapshotSink {
        self.sink.as_mut()
    }
}

/// The card port of the running app: pcscd (a real reader, or vpcd with the virtual cards).
pub type AppCard = CardPort<LazyPcsc, Box<dyn CheckCodeSource>>;
/// The eligibility port of the running app: the mock on 127.0.0.1 in training; in live the configured endpoint,
/// or the 資格確認端末's folders when they are set (#16 §1).
pub type AppEligibility = crate::terminal::LiveEligibility;

/// Every port of the running app: the card, the eligibility service, SQLite, the system clock.
pub type AppPorts = Wiring<AppCard, AppEligibility, AppStore, SystemClock>;

/// The app's ports as the workers and staff commands share them.
pub type AppLanes = crate::session::Lanes<AppCard, AppEligibility, AppStore>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A row of today's list as the staff console shows it.
pub type StaffRow = store::ReceptionSummary;

/// The card reader as the staff console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct ReaderStatus {
    /// The reader the flow watches.
    pub reader: String,
    /// What it is doing.
    pub state: ReaderState,
    /// What PC/SC said when the service is down.
    pub detail: Option<String>,
}

/// The reader's state, from the desk's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum ReaderState {
    /// The card reader service (pcscd) does not answer: no card can be read.
    ServiceDown,
    /// The service runs but the configured reader is not attached.
    NotConnected,
    /// Attached, no card on it.
    Ready,
    /// A card lies on it.
    CardPresent,
}

/// Who hears that today's list changed outside this desk's reader (the windows, once they exist).
type TodayChanged = Arc<Mutex<Option<Box<dyn Fn() + Send>>>>;

/// Everything the desk needs working, as the console's status panel shows it (#16 §2).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct DeskStatus {
    /// The running mode.
    pub mode: Mode,
    /// The app version.
    pub version: String,
    /// The card reader and pcscd.
    pub reader: ReaderStatus,
    /// How eligibility is checked.
    pub eligibility: EligibilityPath,
    /// The configured OQS endpoint (live, without the 端末), or the mock's address (training).
    pub endpoint: String,
    /// The 資格確認端末's folders, when live mode uses them.
    pub terminal: Option<TerminalStatus>,
    /// The face models.
    pub face_model: FaceModelStatus,
    /// The database file.
    pub database: DatabaseStatus,
    /// The certified reader's results taken in since start (newest last).
    pub certified_reader: Vec<crate::terminal::CertifiedReaderResult>,
    /// What to do before patients can be received here (empty: ready).
    pub todo: Vec<DeskTodo>,
}

/// How this desk checks eligibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum EligibilityPath {
    /// Training: the mock OQS on 127.0.0.1.
    TrainingMock,
    /// Live: the configured OQS endpoint over HTTPS.
    Service,
    /// Live: the 資格確認端末's 連携フォルダ.
    Terminal,
    /// Live with neither set: no online check can be made.
    NotConfigured,
}

/// The 端末's folders now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct TerminalStatus {
    /// Request folder (`OQSsiquc01req_*.xml`).
    pub request: FolderState,
    /// Result folder (`OQSsiquc01res_*.xml`).
    pub result: FolderState,
    /// The certified reader's face folder, if watched.
    pub face: Option<FolderState>,
    /// The last 一件照会 since start.
    pub last: Option<LastExchange>,
}

/// One folder, checked now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct FolderState {
    /// The path.
    pub path: String,
    /// Exists and a file can be created in it.
    pub writable: bool,
    /// Why not.
    pub problem: Option<String>,
}

/// How the last exchange through the folders went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct LastExchange {
    /// When it ended.
    pub at: chrono::NaiveDateTime,
    /// Request written to answer read (or giving up), in ms.
    #[ts(type = "number")]
    pub latency_ms: u64,
    /// `answered`, `timed_out`, `cancelled` or `failed`.
    pub outcome: String,
    /// The error, if any.
    pub detail: Option<String>,
}

/// The face models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct FaceModelStatus {
    /// `loading`, `loaded` or `failed`.
    pub state: String,
    /// How long loading took (ms), once done.
    #[ts(type = "number | null")]
    pub load_ms: Option<i64>,
    /// Why loading failed.
    pub detail: Option<String>,
}

/// The database file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct DatabaseStatus {
    /// Its path, or the PostgreSQL server and database the desks share.
    pub path: String,
    /// The file's size with the write-ahead log, in bytes (`null` for a server).
    #[ts(type = "number | null")]
    pub bytes: Option<u64>,
    /// The newest backup (taken before a schema migration), if any.
    pub last_backup: Option<String>,
    /// The shared server answered the last time it was asked (always `true` for a file).
    pub online: bool,
    /// Receptions kept in this desk's outbox until the server answers again.
    #[ts(type = "number")]
    pub waiting: u64,
    /// Receptions the server answered but refused: kept in this desk's outbox (nothing lost), offered again
    /// when the desk starts.
    #[ts(type = "number")]
    pub held: u64,
    /// The server's answer to the oldest of them.
    pub held_reason: Option<String>,
}

/// Something to fix before patients can be received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
#[serde(rename_all = "snake_case")]
pub enum DeskTodo {
    /// pcscd does not answer.
    ReaderServiceDown,
    /// No card reader is attached (or the configured one is not).
    ReaderNotConnected,
    /// Live with neither the 端末's folders nor an endpoint.
    EligibilityNotConfigured,
    /// A 端末 folder is missing or not writable.
    TerminalFolderProblem,
    /// The face models did not load (face recognition is off; PIN and 目視 work).
    FaceModelFailed,
    /// The shared database server does not answer: receptions are kept at this desk and sent when it does.
    DatabaseOffline,
    /// The shared server refused receptions this desk kept while it was away: they stay at this desk until an
    /// administrator fixes the server and the desk starts again.
    DatabaseRefused,
}

/// The card reader `reader_name` as PC/SC sees it now.
pub fn reader_status_of(reader_name: &str) -> ReaderStatus {
    let reader = reader_name.to_owned();
    let down = |e: CardError| ReaderStatus {
        reader: reader.clone(),
        state: ReaderState::ServiceDown,
        detail: Some(e.to_string()),
    };
    let ctx = match PcscContext::establish() {
        Ok(c) => c,
        Err(e) => return down(e),
    };
    match ctx.readers() {
        Err(e) => down(e),
        Ok(list) if !list.iter().any(|r| r == &reader) => ReaderStatus {
            reader: reader.clone(),
            state: ReaderState::NotConnected,
            detail: None,
        },
        Ok(_) => match ctx.card_present(&reader) {
            Err(e) => down(e),
            Ok(atr) => ReaderStatus {
                reader: reader.clone(),
                state: if atr.is_some() {
                    ReaderState::CardPresent
                } else {
                    ReaderState::Ready
                },
                detail: None,
            },
        },
    }
}

/// This desk's name in the record: the setting, else the computer's name (#15 §2).
fn desk_name(settings: &Settings) -> String {
    let set = settings.desk_name.trim();
    if !set.is_empty() {
        return set.to_owned();
    }
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().chars().take(40).collect())
        .unwrap_or_default()
}

/// Loads the face models (the embedded ones in the app); an error is shown to the desk as it is.
pub type ModelLoader = Box<dyn FnOnce() -> Result<face::FaceModels, String> + Send>;

/// The app state the commands use.
pub struct App {
    /// The driver thread.
    pub session: Session,
    /// The ports, shared with the driver's workers (staff writes go here, not through the driver).
    pub lanes: AppLanes,
    /// Read-only connection for staff reads (today's list, search, export, training history).
    reader: Mutex<store::StoreReader>,
    paths: Paths,
    settings: Mutex<Settings>,
    clock: SystemClock,
    trainer: Option<Mutex<Trainer>>,
    mock: Option<oqs::MockOqs>,
    reader_name: String,
    oqs_url: String,
    monitor_stop: Arc<AtomicBool>,
    webcam: WebcamFeed,
    /// The trainer's camera choice (training), read without locking the trainer.
    training_camera: Option<Arc<Mutex<crate::training::CameraInput>>>,
    /// The face models, and how long they took to load (ms), for the status panel.
    models: SharedModels,
    model_load_ms: Arc<OnceLock<i64>>,
    db_path: PathBuf,
    /// The PostgreSQL server and database when the record is shared (else the file `db_path`).
    db_server: Option<String>,
    /// How to reach that server (for the listener that hears the other desks' changes).
    db_target: Option<store::PgTarget>,
    /// Live beside a 資格確認端末: the folders' side of the eligibility port.
    terminal: Option<oqs::terminal::FolderMonitor>,
    /// The certified reader's results as they were taken in.
    certified: crate::terminal::CertifiedLog,
    /// Watches the certified reader's face folder (stops when the app does).
    _face_watcher: Option<oqs::terminal::FaceResultWatcher>,
    /// Told when today's list changed outside this desk's reader (a certified reader's result).
    today_changed: TodayChanged,
}

impl App {
    /// Build everything for `settings.mode`; `sink` receives every snapshot.
    pub fn start(
        paths: Paths,
        settings: Settings,
        sink: Box<dyn SnapshotSink + Send>,
    ) -> Result<App, String> {
        Self::start_with_models(
            paths,
            settings,
            sink,
            Box::new(|| face::FaceModels::load().map_err(|e| e.to_string())),
        )
    }

    /// [`App::start`] with the face models from `load` (run on its own thread). The app uses the embedded
    /// models; tests pass a loader that fails, to see what the desk is told when face recognition is off.
    pub fn start_with_models(
        paths: Paths,
        settings: Settings,
        sink: Box<dyn SnapshotSink + Send>,
        load: ModelLoader,
    ) -> Result<App, String> {
        let clock = SystemClock::default();
        let mode = settings.mode;
        let dir = paths
            .mode_dir(mode)
            .map_err(|e| format!("data folder {}: {e}", paths.root.display()))?;
        let db_path = dir.join("uketsuke.sqlite3");
        let store_mode = match mode {
            Mode::Training => store::Mode::Training,
            Mode::Live => store::Mode::Live,
        };
        // This PC's SQLite file, or the PostgreSQL server the desks share (#15). Staff reads get a connection
        // of their own either way: they never wait for a reception's save.
        let (db, reader, target) = match settings.database_of(mode) {
            None => {
                let db = if db_path.exists() {
                    store::Store::open(&db_path, store_mode)
                } else {
                    store::Store::create(&db_path, store_mode)
                }
                .map_err(|e| format!("database {}: {e}", db_path.display()))?;
                let reader = store::Store::open_reader(&db_path, store_mode)
                    .map_err(|e| format!("database {}: {e}", db_path.display()))?;
                (db, reader, None)
            }
            Some(url) => {
                let target = store::PgTarget {
                    url: url.to_owned(),
                    password: crate::config::database_password()?,
                };
                let db =
                    store::Store::connect(&target, store_mode).map_err(|e| format!("database {url}: {e}"))?;
                let reader = store::Store::connect_reader(&target, store_mode)
                    .map_err(|e| format!("database {url}: {e}"))?;
                (db, reader, Some(target))
            }
        };
        let server = target.is_some();
        let db_location = db.location();
        let mut db = db;
        db.set_desk(&desk_name(&settings))
            .map_err(|e| format!("desk name: {e}"))?;

        let models: SharedModels = Arc::new(OnceLock::new());
        let model_load_ms: Arc<OnceLock<i64>> = Arc::new(OnceLock::new());
        {
            let models = Arc::clone(&models);
            let took = Arc::clone(&model_load_ms);
            let clock = clock.clone();
            std::thread::Builder::new()
                .name("face-models".into())
                .spawn(move || {
                    let started = clock.now();
                    let loaded = load();
                    let _ = took.set((clock.now() - started).num_milliseconds());
                    let _ = models.set(loaded);
                })
                .map_err(|e| e.to_string())?;
        }

        let (webcam, webcam_frames) = WebcamFeed::channel();
        let (trainer, mock, reader_name, oqs_url, camera, codes): (_, _, _, _, _, Box<dyn CheckCodeSource>) =
            match mode {
                Mode::Training => {
                    let pcscd = Pcscd::ensure()?;
                    let trainer = Trainer::new(pcscd, dir.join("pin-counters.toml"));
                    let camera = Camera::Training {
                        input: Arc::clone(&trainer.camera),
                        placed: Arc::clone(&trainer.placed),
                        webcam: Some(webcam_frames),
                    };
                    let oqs_clock = clock.clone();
                    let config = oqs::MockConfig::from_assets(
                        &crate::training::assets_dir(),
                        Arc::new(move || reception::Clock::now(&oqs_clock)),
                    )
                    .map_err(|e| format!("mock OQS data: {e}"))?;
                    let mock = oqs::MockOqs::start(config).map_err(|e| format!("mock OQS: {e}"))?;
                    let url = mock.url();
                    (
                        Some(Mutex::new(trainer)),
                        Some(mock),
                        VPCD_READER.to_owned(),
                        url,
                        camera,
                        Box::new(PersonaCheckCodes),
                    )
                }
                Mode::Live => {
                    let reader = if settings.reader_name.is_empty() {
                        PcscContext::establish()
                            .and_then(|c| c.readers())
                            .ok()
                            .and_then(|r| r.into_iter().find(|n| !crate::config::is_virtual_reader(n)))
                            .unwrap_or_default()
                    } else {
                        settings.reader_name.clone()
                    };
                    (
                        None,
                        None,
                        reader,
                        settings.oqs_endpoint.clone(),
                        Camera::Webcam {
                            frames: webcam_frames,
                        },
                        Box::new(NoCheckCodes),
                    )
                }
            };

        let training_camera = trainer.as_ref().map(|t| Arc::clone(&lock(t).camera));
        let book = CertBook::default();
        let card = CardPort::new(
            LazyPcsc {
                reader: reader_name.clone(),
                ctx: None,
            },
            codes,
        )
        .with_cert_book(book.clone());
        let lookup_book = book.clone();
        let face_dir = settings.face_dir(&paths).map_err(|e| e.to_string())?;
        let charset = match settings.encoding {
            Encoding::Utf8 => oqs::Charset::Utf8,
            Encoding::ShiftJis => oqs::Charset::ShiftJis,
        };
        let file_clock = clock.clone();
        let mut client_config = oqs::ClientConfig::new(oqs_url.clone());
        // Live: https:// with a validated certificate, or no query at all (the desk's fallbacks take over).
        client_config.https_only = mode == Mode::Live;
        if let Some(total) = crate::config::oqs_timeout_override() {
            client_config.total_timeout = total;
        }
        let folders = match mode {
            Mode::Live => settings.terminal_folders(),
            Mode::Training => None,
        };
        let (eligibility, terminal, canceller) = match folders {
            Some((requests, results)) => {
                // One exchange may wait as long as the flow waits for the answer.
                let timeout = crate::config::oqs_timeout_override().unwrap_or_else(|| {
                    std::time::Duration::from_secs(settings.site().query_timeout_secs.into())
                });
                let port = oqs::terminal::FolderPort::new(
                    oqs::terminal::Folders {
                        requests,
                        results,
                        charset,
                    },
                    &client_config.medical_institution_code,
                    timeout,
                    Box::new(move || reception::Clock::now(&file_clock)),
                );
                let (monitor, canceller) = (port.monitor(), port.canceller());
                (
                    crate::terminal::LiveEligibility::Terminal(port),
                    Some(monitor),
                    Some(canceller),
                )
            }
            None => (
                crate::terminal::LiveEligibility::Service(
                    oqs::reception_port::EligibilityPort::new(
                        oqs::OqsClient::new(client_config),
                        Box::new(move |serial: &str| lock(&lookup_book).get(serial).cloned()),
                        Box::new(move || reception::Clock::now(&file_clock)),
                    )
                    .with_face_output(face_dir, charset),
                ),
                None,
                None,
            ),
        };
        let today_changed: TodayChanged = Arc::default();
        let ports: AppPorts = Wiring {
            card,
            face: FacePort::new(Arc::clone(&models), camera, settings.face_threshold),
            eligibility,
            clock: clock.clone(),
            store: AppStore {
                inner: if server {
                    // A shared server: receptions made while it is away wait in this desk's outbox (#15 §2).
                    let outbox = store::outbox::Outbox::open(&dir.join("outbox.sqlite3"))
                        .map_err(|e| format!("outbox: {e}"))?;
                    store::reception_port::StorePort::new(db)
                        .with_outbox(outbox)
                        .map_err(|e| format!("outbox: {e}"))?
                } else {
                    store::reception_port::StorePort::new(db)
                },
                changed: Arc::clone(&today_changed),
            },
            sink,
        };
        let (session, lanes, _thread) =
            Session::start(settings.site(), ports).map_err(|e| format!("reception thread: {e}"))?;
        if let Some(c) = canceller {
            // 照会キャンセル or the flow's deadline: stop waiting for the 端末's result file at once.
            session
                .on_abandoned_eligibility(Box::new(move || {
                    c.cancel();
                }))
                .map_err(|e| e.to_string())?;
        }
        let certified = crate::terminal::CertifiedLog::default();
        let face_watcher = match mode {
            Mode::Live if !settings.terminal_face_dir.trim().is_empty() => {
                let told = Arc::clone(&today_changed);
                let watch_clock = clock.clone();
                let mut import = crate::terminal::FaceImport {
                    store: Arc::clone(&lanes.store),
                    session: session.clone(),
                    log: certified.clone(),
                    changed: Arc::new(move || {
                        if let Some(f) = lock(&told).as_ref() {
                            f();
                        }
                    }),
                    now: Box::new(move || watch_clock.now()),
                };
                Some(
                    oqs::terminal::FaceResultWatcher::spawn(
                        PathBuf::from(settings.terminal_face_dir.trim()),
                        Box::new(move |file| import.take(file)),
                    )
                    .map_err(|e| format!("certified reader's result folder: {e}"))?,
                )
            }
            _ => None,
        };
        let monitor_stop = Arc::new(AtomicBool::new(false));
        if !reader_name.is_empty() {
            crate::reader::spawn_monitor(reader_name.clone(), session.clone(), Arc::clone(&monitor_stop))
                .map_err(|e| e.to_string())?;
        }
        Ok(App {
            session,
            lanes,
            reader: Mutex::new(reader),
            paths,
            settings: Mutex::new(settings),
            clock,
            trainer,
            mock,
            reader_name,
            oqs_url,
            monitor_stop,
            webcam,
            training_camera,
            models,
            model_load_ms,
            db_path,
            db_server: server.then_some(db_location),
            db_target: target,
            terminal,
            certified,
            _face_watcher: face_watcher,
            today_changed,
        })
    }

    /// Call `f` whenever today's list changed: a reception of this desk saved or voided, a certified reader's
    /// result taken in (the console reloads the list).
    pub fn on_today_changed(&self, f: Box<dyn Fn() + Send>) {
        *lock(&self.today_changed) = Some(f);
    }

    /// The reception database's writer, for writes outside a reception (a seeded previous visit, a training
    /// run); waits at most for a save in progress.
    pub fn db(&self) -> MutexGuard<'_, AppStore> {
        lock(&self.lanes.store)
    }

    /// The staff reads' own connection: answers while a reception is being saved.
    pub fn reader(&self) -> MutexGuard<'_, store::StoreReader> {
        lock(&self.reader)
    }

    /// Today on the clinic clock.
    pub fn today(&self) -> NaiveDate {
        self.clock.now().date()
    }

    /// App facts for the UI.
    pub fn info(&self) -> crate::commands::AppInfo {
        let mode = lock(&self.settings).mode;
        crate::commands::AppInfo {
            mode,
            version: env!("CARGO_PKG_VERSION"),
            reader_name: self.reader_name.clone(),
            oqs_endpoint: self.oqs_url.clone(),
            today: self.today(),
            camera: match &self.training_camera {
                Some(c) => *lock(c),
                None => crate::training::CameraInput::Webcam,
            },
            inspector: None,
            reader_ready: mode != crate::config::Mode::Live
                || matches!(
                    self.reader_status().state,
                    ReaderState::Ready | ReaderState::CardPresent
                ),
        }
    }

    /// A JPEG frame from the page's webcam, for the verification in progress (dropped when there is none).
    pub fn face_frame(&self, jpeg: Vec<u8>) -> bool {
        self.webcam.push(jpeg)
    }

    /// The page could not open the camera: end the face step now (the flow then offers the PIN).
    pub fn face_camera_failed(&self, reason: String) -> bool {
        self.webcam.fail(reason)
    }

    /// The one clock (training scenarios pin it to their day).
    pub fn clock(&self) -> &SystemClock {
        &self.clock
    }

    /// `<data>/<mode>/documents/` (PDFs), created on demand.
    pub fn documents_dir(&self) -> UiResult<PathBuf> {
        self.mode_subdir("documents")
    }

    /// `<data>/<mode>/<name>/`, created on demand.
    fn mode_subdir(&self, name: &str) -> UiResult<PathBuf> {
        let mode = lock(&self.settings).mode;
        let dir = self
            .paths
            .mode_dir(mode)
            .map_err(|e| UiError::new(Code::Io, e))?
            .join(name);
        crate::files::private_dir(&dir).map_err(|e| UiError::new(Code::Io, e))?;
        Ok(dir)
    }

    /// The trainer (training mode only).
    pub fn trainer(&self) -> UiResult<MutexGuard<'_, Trainer>> {
        self.trainer
            .as_ref()
            .map(lock)
            .ok_or_else(|| UiError::keyed(Code::NotAvailable, Key::TrainingOnly))
    }

    /// Current settings.
    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// The settings as the console edits them: the running ones, with the mode `settings.json` starts in (which
    /// `UKETSUKE_MODE` may override for this run; the running mode is `app_info`'s).
    pub fn settings_for_console(&self) -> Settings {
        let mut s = self.settings();
        s.mode = Settings::load_file(&self.paths)
            .map(|f| f.mode)
            .unwrap_or(Mode::Training);
        s
    }

    /// Save settings; the mode and the site switches take effect at the next start. A change of the mode saved
    /// in `settings.json` needs `confirm_mode_change` (the console asks); the running mode stays as it is.
    pub fn set_settings(&self, mut s: Settings, confirm_mode_change: bool) -> UiResult<Settings> {
        // Checked for live if it will start in live or runs in live now (`UKETSUKE_MODE`): the stricter rules.
        let running_mode = lock(&self.settings).mode;
        let mut strictest = s.clone();
        if running_mode == Mode::Live {
            strictest.mode = Mode::Live;
        }
        strictest.check(&self.paths)?;
        let saved_mode = Settings::load_file(&self.paths)
            .map(|f| f.mode)
            .unwrap_or(Mode::Training);
        if s.mode != saved_mode && !confirm_mode_change {
            return Err(
                UiError::keyed(Code::InvalidInput, Key::ModeChangeNeedsConfirmation)
                    .with("field", "mode")
                    .with("from", saved_mode.dir())
                    .with("to", s.mode.dir()),
            );
        }
        s.save(&self.paths).map_err(|e| UiError::new(Code::Io, e))?;
        let saved = s.clone();
        s.mode = running_mode;
        *lock(&self.settings) = s;
        Ok(saved)
    }

    /// Today's receptions.
    pub fn today_list(&self, filter: TodayFilter) -> UiResult<Vec<StaffRow>> {
        let f = match filter {
            TodayFilter::All | TodayFilter::Fallback => store::ReceptionFilter::default(),
            TodayFilter::Pending | TodayFilter::Refund => store::ReceptionFilter {
                pending_task_only: true,
                ..Default::default()
            },
        };
        let today = self.today();
        let mut rows = self
            .reader()
            .receptions_on(today, &f)
            .map_err(|e| UiError::new(Code::Store, e))?;
        if filter == TodayFilter::Fallback {
            rows.retain(|r| r.fallback.is_some());
        }
        Ok(rows)
    }

    /// Patient search by kana prefix and/or birthdate.
    pub fn patient_search(
        &self,
        kana: Option<&str>,
        birthdate: Option<NaiveDate>,
    ) -> UiResult<Vec<store::Patient>> {
        let kana = kana.map(str::trim).filter(|k| !k.is_empty()).map(str::to_owned);
        self.reader()
            .find_patients(kana.as_deref(), birthdate)
            .map_err(|e| UiError::new(Code::Store, e))
    }

    /// A patient's last valid eligibility, as the 再診 fallback would use it.
    pub fn last_eligibility(
        &self,
        patient: store::PatientId,
    ) -> UiResult<Option<reception::model::StoredEligibility>> {
        let who = reception::model::PatientLookup::ClinicPatientId(patient.0.to_string());
        reception::Store::last_eligibility(&mut *self.db(), &who).map_err(|e| UiError::new(Code::Store, e))
    }

    /// Export a day's receptions as CSV into `<data>/<mode>/exports/`.
    pub fn export_csv(&self, day: NaiveDate, encoding: CsvEncoding) -> UiResult<PathBuf> {
        let (enc, name) = match encoding {
            CsvEncoding::Utf8bom => (store::CsvEncoding::Utf8Bom, "utf8bom"),
            CsvEncoding::Sjis => (store::CsvEncoding::ShiftJis, "sjis"),
        };
        let bytes = self
            .reader()
            .export_day_csv(day, enc)
            .map_err(|e| UiError::new(Code::Store, e))?;
        let path = self
            .mode_subdir("exports")?
            .join(format!("receptions-{day}-{name}.csv"));
        crate::files::write_private(&path, &bytes).map_err(|e| UiError::new(Code::Io, e))?;
        Ok(path)
    }

    /// Print the 申立書 the console shows (`entry`, validated against the clinic day as the flow does) as a
    /// PDF into `<data>/<mode>/documents/`. The page sends the current patient's form, so the PDF can only
    /// ever name the patient at the desk.
    pub fn declaration_pdf(&self, entry: &DeclarationEntry) -> UiResult<PathBuf> {
        let d = entry.validate(self.clock.now().date()).map_err(|v| {
            UiError::keyed(Code::InvalidInput, Key::DeclarationIncomplete).with("count", v.len())
        })?;
        let stem = format!("shikaku-moushitate-{}", self.clock.now().format("%Y%m%d-%H%M%S"));
        let path = unused_path(&self.documents_dir()?, &stem, "pdf");
        crate::pdf::write_declaration(&d, std::path::Path::new(crate::pdf::DEFAULT_FONT), &path)
            .map_err(|e| UiError::new(Code::Io, e))?;
        Ok(path)
    }

    /// 開く / 印刷 of a PDF this app saved (申立書, 修了証): only a regular `.pdf` file under this mode's data
    /// folder is handed to the desktop (a path from anywhere else is refused, whatever the page sends).
    pub fn saved_file_action(
        &self,
        path: &std::path::Path,
        action: crate::desktop::FileAction,
    ) -> UiResult<crate::desktop::FileActionDone> {
        let mode = lock(&self.settings).mode;
        let root = self
            .paths
            .mode_dir(mode)
            .and_then(|d| d.canonicalize())
            .map_err(|e| UiError::new(Code::Io, e))?;
        let refused = || UiError::keyed(Code::InvalidInput, Key::NotOurFile);
        let file = path.canonicalize().map_err(|_| refused())?;
        let is_pdf = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
        if !file.starts_with(&root) || !is_pdf || !file.is_file() {
            return Err(refused());
        }
        crate::desktop::Programs::default().hand_over(&file, action)
    }

    /// What the card reader is now, for the staff console (#16 §2, the reader part of the status panel): asked
    /// of PC/SC afresh on each call (a stopped or restarted pcscd is seen at once), never through the flow.
    pub fn reader_status(&self) -> ReaderStatus {
        reader_status_of(&self.reader_name)
    }

    /// Live: tell `ready` whether the reader can read a card, every 2 s until the app stops (a window that opens
    /// later hears it too), so the patient's screen does not invite a card in vain.
    pub fn watch_readiness(&self, ready: Box<dyn Fn(bool) + Send>) -> std::io::Result<()> {
        let reader = self.reader_name.clone();
        let stop = Arc::clone(&self.monitor_stop);
        std::thread::Builder::new()
            .name("reader-readiness".into())
            .spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    ready(matches!(
                        reader_status_of(&reader).state,
                        ReaderState::Ready | ReaderState::CardPresent
                    ));
                    crate::reader::backoff(std::time::Duration::from_secs(2));
                }
            })
            .map(drop)
    }

    /// On a shared server: every 3 s, sends what waits in the outbox once the server answers again (the next
    /// reception would send it too), and tells `changed` when some was sent (today's list reloads).
    pub fn replay_outbox(&self, changed: Box<dyn Fn() + Send>) -> std::io::Result<()> {
        if self.db_server.is_none() {
            return Ok(());
        }
        let store = Arc::clone(&self.lanes.store);
        let stop = Arc::clone(&self.monitor_stop);
        std::thread::Builder::new()
            .name("outbox-replay".into())
            .spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    crate::reader::backoff(std::time::Duration::from_secs(3));
                    let mut s = lock(&store);
                    if s.inner.waiting() > 0 && matches!(s.inner.replay(), Ok(n) if n > 0) {
                        drop(s);
                        changed();
                    }
                }
            })
            .map(drop)
    }

    /// On a shared server: tells `changed` whenever any desk changed the record (today's list reloads; #15 §2),
    /// heard by LISTEN on a connection of its own; and once each time that connection is made again after the
    /// server was away (what changed meanwhile was not heard).
    pub fn watch_shared_record(&self, changed: Box<dyn Fn() + Send>) -> std::io::Result<()> {
        let Some(target) = self.db_target.clone() else {
            return Ok(());
        };
        let stop = Arc::clone(&self.monitor_stop);
        // The first connection before this returns: a change another desk commits after the desk started is
        // heard (the page reads the list once it opens).
        let mut listener = store::ChangeListener::connect(&target).ok();
        let mut heard_before = listener.is_some();
        std::thread::Builder::new()
            .name("record-changes".into())
            .spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let Some(l) = listener.as_mut() else {
                        match store::ChangeListener::connect(&target) {
                            Ok(l) => {
                                listener = Some(l);
                                if heard_before {
                                    changed();
                                }
                                heard_before = true;
                            }
                            Err(_) => crate::reader::backoff(std::time::Duration::from_secs(3)),
                        }
                        continue;
                    };
                    // A second at most, so the thread sees `stop` when the app closes.
                    match l.wait(std::time::Duration::from_secs(1)) {
                        Ok(true) => changed(),
                        Ok(false) => {}
                        Err(_) => listener = None,
                    }
                }
            })
            .map(drop)
    }

    /// The desk's status panel (#16 §2): reader, eligibility path and the 端末's folders, face models, database,
    /// version, the certified reader's results, and what to do first.
    pub fn desk_status(&self) -> DeskStatus {
        let settings = self.settings();
        let reader = self.reader_status();
        let folder = |c: oqs::terminal::FolderCheck| FolderState {
            path: c.path.display().to_string(),
            writable: c.writable,
            problem: c.problem,
        };
        let terminal = self.terminal.as_ref().map(|m| {
            let face = settings.terminal_face_dir.trim();
            TerminalStatus {
                request: folder(oqs::terminal::check_folder(&m.folders().requests)),
                result: folder(oqs::terminal::check_folder(&m.folders().results)),
                face: (!face.is_empty())
                    .then(|| folder(oqs::terminal::check_folder(std::path::Path::new(face)))),
                last: m.last_exchange().map(|x| LastExchange {
                    at: x.at,
                    latency_ms: x.latency_ms,
                    outcome: serde_json::to_value(x.outcome)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    detail: x.detail,
                }),
            }
        });
        let eligibility = match (settings.mode, &self.terminal) {
            (Mode::Training, _) => EligibilityPath::TrainingMock,
            (Mode::Live, Some(_)) => EligibilityPath::Terminal,
            (Mode::Live, None) if self.oqs_url.trim().is_empty() => EligibilityPath::NotConfigured,
            (Mode::Live, None) => EligibilityPath::Service,
        };
        let face_model = match self.models.get() {
            None => FaceModelStatus {
                state: "loading".into(),
                load_ms: None,
                detail: None,
            },
            Some(r) => FaceModelStatus {
                state: if r.is_ok() { "loaded" } else { "failed" }.into(),
                load_ms: self.model_load_ms.get().copied(),
                detail: r.as_ref().err().cloned(),
            },
        };
        let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let mut wal = self.db_path.clone().into_os_string();
        wal.push("-wal");
        let (online, waiting, held) = {
            let s = lock(&self.lanes.store);
            (s.inner.online(), s.inner.waiting(), s.inner.held())
        };
        let database = match &self.db_server {
            Some(location) => DatabaseStatus {
                path: location.clone(),
                bytes: None,
                last_backup: None,
                online,
                waiting,
                held: u64::try_from(held.len()).unwrap_or(u64::MAX),
                held_reason: held.first().map(|h| h.error.clone()),
            },
            None => DatabaseStatus {
                path: self.db_path.display().to_string(),
                bytes: Some(size(&self.db_path) + size(std::path::Path::new(&wal))),
                last_backup: store::backups_of(&self.db_path)
                    .into_iter()
                    .max()
                    .map(|p| p.display().to_string()),
                online: true,
                waiting: 0,
                held: 0,
                held_reason: None,
            },
        };
        let mut todo = Vec::new();
        match reader.state {
            ReaderState::ServiceDown => todo.push(DeskTodo::ReaderServiceDown),
            ReaderState::NotConnected => todo.push(DeskTodo::ReaderNotConnected),
            ReaderState::Ready | ReaderState::CardPresent => {}
        }
        if eligibility == EligibilityPath::NotConfigured {
            todo.push(DeskTodo::EligibilityNotConfigured);
        }
        if terminal.as_ref().is_some_and(|t| {
            !t.request.writable || !t.result.writable || t.face.as_ref().is_some_and(|f| !f.writable)
        }) {
            todo.push(DeskTodo::TerminalFolderProblem);
        }
        if face_model.state == "failed" {
            todo.push(DeskTodo::FaceModelFailed);
        }
        if !database.online {
            todo.push(DeskTodo::DatabaseOffline);
        }
        if database.held > 0 {
            todo.push(DeskTodo::DatabaseRefused);
        }
        DeskStatus {
            mode: settings.mode,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            reader,
            eligibility,
            endpoint: self.oqs_url.clone(),
            terminal,
            face_model,
            database,
            certified_reader: self.certified.lines(),
            todo,
        }
    }

    /// The card front of the card on the reader, for 目視: the chip photo as a PNG data URL and the 券面事項
    /// (name, birth date, sex, address), from the 券面AP front EF with 照合番号B. Read on demand, never stored.
    pub fn card_photo(&self) -> UiResult<crate::photo::FrontView> {
        let front = lock(&self.lanes.card)
            .read_front()
            .map_err(|e| UiError::new(Code::Card, e))?;
        let mut view = crate::photo::front_view(&front).map_err(|e| UiError::new(Code::Card, e))?;
        view.counter = self.counter_person();
        Ok(view)
    }

    /// Training: the person at the counter as the trainer's camera shows them (the still of the camera
    /// choice for the persona on the reader); nothing in live mode or with the webcam.
    fn counter_person(&self) -> Option<String> {
        let state = self.trainer().ok()?.state();
        let path = crate::face_port::training_still(state.camera, state.card.as_deref()?)?;
        std::fs::read(path)
            .ok()
            .map(|jpeg| crate::photo::jpeg_data_url(&jpeg))
    }

    /// Trainer: inject an OQS fault (or clear them with `None`).
    pub fn oqs_fault(&self, fault: OqsFault) -> UiResult<()> {
        drop(self.trainer()?); // training mode only
        let mock = self
            .mock
            .as_ref()
            .ok_or_else(|| UiError::keyed(Code::NotAvailable, Key::TrainingOnly))?;
        mock.clear_faults();
        let _ = mock.resume_listening();
        let rule = |fault| oqs::FaultRule {
            fault,
            person: None,
            count: None,
        };
        let injected = match fault {
            OqsFault::None => None,
            OqsFault::Latency => Some(oqs::Fault::Latency { millis: 3000 }),
            OqsFault::LatencyLong => Some(oqs::Fault::Latency { millis: 6000 }),
            OqsFault::Timeout => Some(oqs::Fault::Timeout),
            OqsFault::Http500 => Some(oqs::Fault::Http500),
            OqsFault::Malformed => Some(oqs::Fault::Malformed),
            OqsFault::Processing => Some(oqs::Fault::Processing),
            OqsFault::Error => Some(oqs::Fault::Error),
            OqsFault::Refused => {
                mock.stop_listening()
                    .map_err(|e| UiError::new(Code::Eligibility, e))?;
                None
            }
        };
        if let Some(f) = injected {
            mock.inject(rule(f));
        }
        self.trainer()?.oqs_fault = fault;
        Ok(())
    }

    /// Trainer: add one OQS fault rule on top of those in force (a scenario's persona-specific fault, e.g.
    /// 紐付け誤り); [`App::oqs_fault`] with `None` clears it.
    pub fn oqs_fault_rule(&self, rule: oqs::FaultRule) -> UiResult<()> {
        drop(self.trainer()?); // training mode only
        let mock = self
            .mock
            .as_ref()
            .ok_or_else(|| UiError::keyed(Code::NotAvailable, Key::TrainingOnly))?;
        mock.inject(rule);
        Ok(())
    }
}

impl App {
    /// Stop everything this app started: the card monitor, the driver thread, the virtual card on the vpcd
    /// slot and the pcscd training mode started. Called at exit; the state itself may outlive it (the snapshot
    /// sink holds an app handle), so this is explicit rather than left to `Drop`.
    pub fn shutdown(&self) {
        self.monitor_stop
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.session.stop();
        if let Some(t) = &self.trainer {
            let mut t = lock(t);
            t.remove();
            // Not owned (someone else's pcscd) is fine: then there is nothing of ours to stop.
            let _ = t.stop_pcscd();
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A sink that forwards snapshots to a closure (Tauri's emit in the app, a recorder in tests).
pub struct FnSink<F: FnMut(&reception::Snapshot) + Send>(pub F);

impl<F: FnMut(&reception::Snapshot) + Send> SnapshotSink for FnSink<F> {
    fn publish(&mut self, snapshot: &reception::Snapshot) {
        (self.0)(snapshot)
    }
}

/// Serialisable unit for commands that return nothing.
#[derive(Serialize)]
pub struct Done;
