//! Uketsuke beside a real 資格確認端末 (#16 §1): the レセコン's side of the 端末's 連携フォルダ, and a mock 端末 that
//! plays the other side on one machine.
//!
//! - **一件照会** ([`FolderPort`]): a 記号番号 query is written as `OQSsiquc01req_<id>.xml` into the request folder
//!   (atomically: a dot-prefixed temp name, then a rename, so the 端末 never reads half a request), in the
//!   encoding the 端末 is set to; the answer is awaited as `OQSsiquc01res_<id>.xml` in the result folder, read
//!   only under that final name (a temp file being written is never opened), parsed, and removed (the 端末
//!   consumes requests, the requester consumes results — domain.md §3 "Files exchanged"). The wait ends at
//!   the flow's query deadline or at a [`Canceller`] (照会キャンセル); the request is then withdrawn if the
//!   端末 has not taken it, and a result that arrives later is removed unread at the next exchange.
//! - **The certified reader's results** ([`FaceResultWatcher`]): every `OQSsiquc01res_face_*.xml` that appears
//!   in the face folder is parsed and handed on once per run (the app's store makes it once ever).
//! - **Waiting** is on inotify (the `notify` crate) plus a rescan every [`RESCAN`], so a share where inotify
//!   says nothing (SMB/CIFS) still works, only slower.
//! - **The mock 端末** ([`MockTerminal`]): answers request files with a responder (the mock OQS over HTTP in
//!   the tests), with faults (slow, malformed, half-written first), and drops face results as the certified
//!   reader would.
//!
//! Deliberately not here: the card-based query (the certified reader's, not ours), password-ZIP files, and
//! batch (`OQSmuquc…`) files. Nothing here has a My Number field; answers are checked like every file we pass on.

use crate::client::{classify, number_request, QueryError};
use crate::derived::fmt_timestamp;
use crate::files::{write_atomic, FileError, FACE_RESULT_PREFIX, REQUEST_PREFIX, RESULT_PREFIX};
use crate::reception_port::{query_failure, response_from_msg, WallClock};
use crate::xml::{Charset, XmlMsg};
use chrono::NaiveDateTime;
use notify::Watcher;
use reception::model::{
    CertQuery, CertRef, EligibilityError, EligibilityResponse, NumberQuery, Registration,
};
use reception::OnlineEligibility;
use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// How often a folder is listed again when no change notice came (shares without inotify, a folder created
/// after the watch started).
pub const RESCAN: Duration = Duration::from_millis(250);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A monotonic stopwatch for I/O deadlines and the measured latency — not flow time (the flow's clock is
/// the `Clock` port; its own query deadline runs there independently).
#[derive(Clone, Copy)]
struct Stopwatch(std::time::Instant);

impl Stopwatch {
    #[allow(clippy::disallowed_methods)] // an I/O deadline, not a reception rule
    fn start() -> Self {
        Stopwatch(std::time::Instant::now())
    }
    fn elapsed(self) -> Duration {
        self.0.elapsed()
    }
}

/// The 端末's folders as the clinic set them up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folders {
    /// Where `OQSsiquc01req_*.xml` go (the 端末 reads them).
    pub requests: PathBuf,
    /// Where `OQSsiquc01res_*.xml` come back.
    pub results: PathBuf,
    /// The 端末's file encoding (its 文字コード setting).
    pub charset: Charset,
}

/// How the last exchange with the 端末 went (for the status panel).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Exchange {
    /// Clinic time when it ended.
    pub at: NaiveDateTime,
    /// From writing the request to reading the answer (or giving up).
    pub latency_ms: u64,
    /// What happened.
    pub outcome: ExchangeOutcome,
    /// The error, when there was one (a path and the system's message; never patient data).
    pub detail: Option<String>,
}

/// The end of one exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeOutcome {
    /// A result file was read.
    Answered,
    /// No result before the deadline.
    TimedOut,
    /// 照会キャンセル.
    Cancelled,
    /// The request could not be written or the result could not be read / parsed.
    Failed,
}

/// The state of one folder, checked now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FolderCheck {
    /// The path.
    pub path: PathBuf,
    /// Exists, is a folder, and a probe file could be created in it.
    pub writable: bool,
    /// Why not, when it is not.
    pub problem: Option<String>,
}

/// Checks `dir` the way an exchange needs it: a folder we can create files in.
pub fn check_folder(dir: &Path) -> FolderCheck {
    let problem = match std::fs::metadata(dir) {
        Err(e) => Some(e.to_string()),
        Ok(m) if !m.is_dir() => Some("not a folder".to_owned()),
        Ok(_) => tempfile::Builder::new()
            .prefix(".uketsuke-probe-")
            .tempfile_in(dir)
            .err()
            .map(|e| e.to_string()),
    };
    FolderCheck {
        path: dir.to_owned(),
        writable: problem.is_none(),
        problem,
    }
}

enum Wake {
    Changed,
    Cancel,
}

/// Whether a change notice may concern a finished file starting with `prefix`: temp files (dot-prefixed,
/// still being written) and other files wake nobody. An error or an event without paths is passed on (the
/// rescan sorts it out).
fn concerns(event: &notify::Result<notify::Event>, prefix: &str) -> bool {
    match event {
        Ok(e) if !e.paths.is_empty() => e.paths.iter().any(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        }),
        _ => true,
    }
}

/// Ends the exchange in progress at once (照会キャンセル, or the flow's deadline passed first). Cheap to clone;
/// a cancel with no exchange in progress does nothing.
#[derive(Clone, Default)]
pub struct Canceller {
    current: Arc<Mutex<Option<Sender<Wake>>>>,
}

impl Canceller {
    /// Stop waiting for the result now; returns whether an exchange was in progress.
    pub fn cancel(&self) -> bool {
        lock(&self.current)
            .as_ref()
            .is_some_and(|tx| tx.send(Wake::Cancel).is_ok())
    }
}

/// Read side of a [`FolderPort`] for the status panel: the folders and the last exchange, without waiting for
/// a query in progress.
#[derive(Clone)]
pub struct FolderMonitor {
    folders: Folders,
    last: Arc<Mutex<Option<Exchange>>>,
}

impl FolderMonitor {
    /// The configured folders.
    pub fn folders(&self) -> &Folders {
        &self.folders
    }
    /// The last exchange, if any since start.
    pub fn last_exchange(&self) -> Option<Exchange> {
        lock(&self.last).clone()
    }
}

/// The `OnlineEligibility` adapter through the 端末's folders: 記号番号 queries only.
pub struct FolderPort {
    folders: Folders,
    medical_institution_code: String,
    timeout: Duration,
    clock: WallClock,
    seq: u32,
    /// Ids of exchanges given up on whose result may still come: removed unread when seen.
    abandoned: BTreeSet<String>,
    cancel: Canceller,
    last: Arc<Mutex<Option<Exchange>>>,
    /// Change notices of the result folder (and cancels) arrive here.
    wake_tx: Sender<Wake>,
    wake_rx: Receiver<Wake>,
    /// The watch, with the (device, inode) of the folder it watches.
    watch: Option<(notify::RecommendedWatcher, (u64, u64))>,
}

impl std::fmt::Debug for FolderPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderPort")
            .field("folders", &self.folders)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Why a card query is not made here: the 端末 answers certificates only for its own certified reader.
pub const CERTIFIED_READER_ONLY: &str = "the online check by certificate is made by the certified reader";

impl FolderPort {
    /// An adapter over `folders`; `timeout` is how long one exchange may wait (the flow's query deadline),
    /// `clock` names the request files and stamps the exchanges.
    pub fn new(
        folders: Folders,
        medical_institution_code: &str,
        timeout: Duration,
        clock: WallClock,
    ) -> Self {
        let (wake_tx, wake_rx) = mpsc::channel();
        FolderPort {
            folders,
            medical_institution_code: medical_institution_code.to_owned(),
            timeout,
            clock,
            seq: 0,
            abandoned: BTreeSet::new(),
            cancel: Canceller::default(),
            last: Arc::default(),
            wake_tx,
            wake_rx,
            watch: None,
        }
    }

    /// The handle that ends the exchange in progress.
    pub fn canceller(&self) -> Canceller {
        self.cancel.clone()
    }

    /// The status panel's view.
    pub fn monitor(&self) -> FolderMonitor {
        FolderMonitor {
            folders: self.folders.clone(),
            last: Arc::clone(&self.last),
        }
    }

    /// The next request id: clinic time to the second, this process and a sequence number, so two desks (or two
    /// runs) on one 端末 never share a name.
    fn next_id(&mut self) -> String {
        self.seq = self.seq.wrapping_add(1);
        format!(
            "{}{:07}{:04}",
            fmt_timestamp((self.clock)()),
            std::process::id() % 10_000_000,
            self.seq % 10_000
        )
    }

    /// One inotify watch on the result folder for the port's life (setting one up per query costs more than
    /// the query's file work), made again when the folder was replaced (a share remounted, the folder
    /// recreated: the old watch then hears nothing).
    fn ensure_watch(&mut self) {
        use std::os::unix::fs::MetadataExt;
        let Ok(meta) = std::fs::metadata(&self.folders.results) else {
            self.watch = None;
            return;
        };
        let id = (meta.dev(), meta.ino());
        if self.watch.as_ref().is_some_and(|(_, watched)| *watched == id) {
            return;
        }
        let tx = self.wake_tx.clone();
        self.watch = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
            if concerns(&e, RESULT_PREFIX) {
                let _ = tx.send(Wake::Changed);
            }
        })
        .and_then(|mut w| {
            w.watch(&self.folders.results, notify::RecursiveMode::NonRecursive)
                .map(|()| w)
        })
        .map_err(|e| tracing::debug!(error = %e, "no change notices on the result folder; rescanning only"))
        .ok()
        .map(|w| (w, id));
    }

    /// Removes results of exchanges given up on (read by nobody else: the ids are ours).
    fn sweep_abandoned(&mut self) {
        let results = &self.folders.results;
        self.abandoned.retain(|id| {
            let path = results.join(format!("{RESULT_PREFIX}{id}.xml"));
            match std::fs::remove_file(&path) {
                Ok(()) => false,
                Err(e) => e.kind() == std::io::ErrorKind::NotFound,
            }
        });
        // A bounded memory: an answer that never came after many later exchanges will not come.
        while self.abandoned.len() > 64 {
            self.abandoned.pop_first();
        }
    }

    fn record(&self, started: Stopwatch, outcome: ExchangeOutcome, detail: Option<String>) {
        *lock(&self.last) = Some(Exchange {
            at: (self.clock)(),
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            outcome,
            detail,
        });
    }

    /// One exchange: request out, result back (or the deadline, or a cancel).
    pub fn exchange(&mut self, request: &XmlMsg) -> Result<XmlMsg, QueryError> {
        self.sweep_abandoned();
        let id = self.next_id();
        let mut request = request.clone();
        request.header.arbitrary_file_identifier = Some(id.clone());
        request.header.character_code_identifier = Some(self.folders.charset.identifier());
        let started = Stopwatch::start();
        let result_name = format!("{RESULT_PREFIX}{id}.xml");
        let result_path = self.folders.results.join(&result_name);

        // Watch before writing, so an answer faster than the watch is not missed; without a watch (a share that
        // does not support it) the rescan finds it.
        self.ensure_watch();
        // Notices left from the last exchange say nothing about this one.
        while self.wake_rx.try_recv().is_ok() {}
        *lock(&self.cancel.current) = Some(self.wake_tx.clone());
        let outcome = self.send_and_wait(&request, &id, &result_path, &self.wake_rx, started);
        *lock(&self.cancel.current) = None;
        match &outcome {
            Ok(_) => self.record(started, ExchangeOutcome::Answered, None),
            Err(Ended::TimedOut) | Err(Ended::Cancelled) => {
                self.withdraw(&id);
                let outcome = if matches!(outcome, Err(Ended::TimedOut)) {
                    ExchangeOutcome::TimedOut
                } else {
                    ExchangeOutcome::Cancelled
                };
                self.record(started, outcome, None);
            }
            Err(Ended::Failed(e)) => self.record(started, ExchangeOutcome::Failed, Some(e.to_string())),
        }
        match outcome {
            Ok(msg) => classify(msg),
            Err(Ended::TimedOut | Ended::Cancelled) => Err(QueryError::Timeout),
            Err(Ended::Failed(e)) => Err(e),
        }
    }

    fn send_and_wait(
        &self,
        request: &XmlMsg,
        id: &str,
        result_path: &Path,
        rx: &Receiver<Wake>,
        started: Stopwatch,
    ) -> Result<XmlMsg, Ended> {
        let bytes = request
            .to_bytes(self.folders.charset)
            .map_err(|e| Ended::Failed(QueryError::Malformed(e.to_string())))?;
        write_atomic(
            &self.folders.requests,
            &format!("{REQUEST_PREFIX}{id}.xml"),
            &bytes,
        )
        .map_err(|e| Ended::Failed(QueryError::Unavailable(folder_error(&e))))?;
        loop {
            match std::fs::read(result_path) {
                Ok(bytes) => {
                    // Read whole (the 端末 renames a finished file into place): ours now, removed.
                    let _ = std::fs::remove_file(result_path);
                    return XmlMsg::from_bytes(&bytes)
                        .map(|d| d.msg)
                        .map_err(|e| Ended::Failed(QueryError::Malformed(e.to_string())));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Ended::Failed(QueryError::Unavailable(format!(
                        "{}: {e}",
                        result_path.display()
                    ))))
                }
            }
            if !self.folders.results.is_dir() {
                return Err(Ended::Failed(QueryError::Unavailable(format!(
                    "{}: the result folder is gone",
                    self.folders.results.display()
                ))));
            }
            let left = self.timeout.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Err(Ended::TimedOut);
            }
            match rx.recv_timeout(left.min(RESCAN)) {
                Ok(Wake::Cancel) => return Err(Ended::Cancelled),
                Ok(Wake::Changed) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err(Ended::Cancelled),
            }
        }
    }

    /// Takes our request back if the 端末 has not consumed it; otherwise its late result is swept later.
    fn withdraw(&mut self, id: &str) {
        let request = self.folders.requests.join(format!("{REQUEST_PREFIX}{id}.xml"));
        match std::fs::remove_file(&request) {
            Ok(()) => {}
            Err(_) => {
                self.abandoned.insert(id.to_owned());
            }
        }
    }
}

enum Ended {
    TimedOut,
    Cancelled,
    Failed(QueryError),
}

/// A write failure as the desk reads it: which folder, and what the system said.
fn folder_error(e: &FileError) -> String {
    match e {
        FileError::Io { path, source } => format!("{}: {source}", path.display()),
        other => other.to_string(),
    }
}

impl OnlineEligibility for FolderPort {
    fn registration_status(&mut self, _: &CertRef) -> Result<Registration, EligibilityError> {
        Err(EligibilityError::CertifiedReaderOnly)
    }

    fn register(&mut self, _: &CertRef) -> Result<Registration, EligibilityError> {
        Err(EligibilityError::CertifiedReaderOnly)
    }

    fn query_by_certificate(&mut self, _: &CertQuery) -> Result<EligibilityResponse, EligibilityError> {
        Err(EligibilityError::CertifiedReaderOnly)
    }

    fn query_by_numbers(&mut self, q: &NumberQuery) -> Result<EligibilityResponse, EligibilityError> {
        let request = number_request(&self.medical_institution_code, q, q.limit_consent);
        match self.exchange(&request) {
            Ok(msg) => response_from_msg(&msg, q.date),
            Err(e) => query_failure(e, q.date),
        }
    }
}

/// One face result file as the certified reader left it.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceResult {
    /// File name (`OQSsiquc01res_face_<YYYYMMDDHHMMSS>.xml`): the key that makes an import happen once.
    pub name: String,
    /// The parsed message.
    pub msg: XmlMsg,
}

/// What the watcher hands on: a parsed file, or a file that could not be read as a result.
pub type FaceFile = Result<FaceResult, (String, String)>;

/// Takes one face file; returns whether it is dealt with (`false`: offer it again at the next scan).
pub type FaceSink = Box<dyn FnMut(FaceFile) -> bool + Send>;

/// Watches the face folder on its own thread; dropping it stops the thread.
pub struct FaceResultWatcher {
    stop: Option<Sender<Wake>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FaceResultWatcher {
    /// Hands every face result in `dir` to `sink`, the ones there already first (oldest name first), then each
    /// new one as it is renamed into place. A file the sink took is not offered again in this run.
    pub fn spawn(dir: PathBuf, mut sink: FaceSink) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel();
        let watch_tx = tx.clone();
        let thread = std::thread::Builder::new()
            .name("face-results".into())
            .spawn(move || {
                let mut taken = BTreeSet::new();
                let mut watcher: Option<notify::RecommendedWatcher> = None;
                loop {
                    if watcher.is_none() && dir.is_dir() {
                        let tx = watch_tx.clone();
                        watcher = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
                            if concerns(&e, FACE_RESULT_PREFIX) {
                                let _ = tx.send(Wake::Changed);
                            }
                        })
                        .and_then(|mut w| w.watch(&dir, notify::RecursiveMode::NonRecursive).map(|()| w))
                        .ok();
                    } else if watcher.is_some() && !dir.is_dir() {
                        // The folder went away (a share unmounted): watch again once it is back.
                        watcher = None;
                    }
                    for name in face_files(&dir) {
                        if taken.contains(&name) {
                            continue;
                        }
                        let path = dir.join(&name);
                        let file = match std::fs::read(&path) {
                            Ok(bytes) => XmlMsg::from_bytes(&bytes)
                                .map(|d| FaceResult {
                                    name: name.clone(),
                                    msg: d.msg,
                                })
                                .map_err(|e| (name.clone(), e.to_string())),
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                            Err(e) => Err((name.clone(), e.to_string())),
                        };
                        if sink(file) {
                            taken.insert(name);
                        }
                    }
                    match rx.recv_timeout(RESCAN * 4) {
                        Ok(Wake::Cancel) | Err(RecvTimeoutError::Disconnected) => return,
                        Ok(Wake::Changed) | Err(RecvTimeoutError::Timeout) => {}
                    }
                }
            })?;
        Ok(FaceResultWatcher {
            stop: Some(tx),
            thread: Some(thread),
        })
    }
}

impl Drop for FaceResultWatcher {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(Wake::Cancel);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Face result names in `dir`, sorted (their names sort by time). Temp files (dot-prefixed) never match.
fn face_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with(FACE_RESULT_PREFIX) && n.ends_with(".xml"))
        .collect();
    names.sort();
    names
}

/// How the mock 端末 answers the next request (faults are used up in order; then it answers normally).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminalFault {
    /// Wait this long before answering (a slow 端末 or a slow line behind it).
    Delay(Duration),
    /// Answer with a file that is not XML.
    Malformed,
    /// Write the first half of the answer under the temp name, wait this long, then finish and rename (what
    /// a reader must never see).
    HalfWritten(Duration),
    /// Take the request and never answer.
    Silent,
}

/// The mock 資格確認端末: answers `OQSsiquc01req_*.xml` from the request folder into the result folder with
/// `respond` (the real answer comes from the mock OQS), and drops face results as the certified reader does.
/// Dropping it stops it.
pub struct MockTerminal {
    faults: Arc<Mutex<VecDeque<TerminalFault>>>,
    answered: Arc<Mutex<Vec<String>>>,
    face_dir: PathBuf,
    charset: Charset,
    stop: Option<Sender<Wake>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Answers one request for the mock 端末 (usually the mock OQS over HTTP).
pub type TerminalResponder = Box<dyn FnMut(&XmlMsg) -> Result<XmlMsg, QueryError> + Send>;

impl MockTerminal {
    /// Starts answering `folders.requests` into `folders.results` (in `folders.charset`); face results go into
    /// `face_dir`. `now` stamps failure answers.
    pub fn start(
        folders: Folders,
        face_dir: PathBuf,
        now: Box<dyn Fn() -> NaiveDateTime + Send>,
        mut respond: TerminalResponder,
    ) -> std::io::Result<MockTerminal> {
        let faults: Arc<Mutex<VecDeque<TerminalFault>>> = Arc::default();
        let answered: Arc<Mutex<Vec<String>>> = Arc::default();
        let (tx, rx) = mpsc::channel();
        let watch_tx = tx.clone();
        let thread = {
            let faults = Arc::clone(&faults);
            let answered = Arc::clone(&answered);
            std::thread::Builder::new()
                .name("mock-terminal".into())
                .spawn(move || {
                    let watcher = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
                        if concerns(&e, REQUEST_PREFIX) {
                            let _ = watch_tx.send(Wake::Changed);
                        }
                    })
                    .and_then(|mut w| {
                        w.watch(&folders.requests, notify::RecursiveMode::NonRecursive)
                            .map(|()| w)
                    });
                    loop {
                        for (path, id) in requests(&folders.requests) {
                            let Ok(bytes) = std::fs::read(&path) else { continue };
                            // Consumed, as the 端末 does: the requester cannot withdraw it any more.
                            let _ = std::fs::remove_file(&path);
                            let fault = lock(&faults).pop_front();
                            let answer = match XmlMsg::from_bytes(&bytes) {
                                Ok(d) => respond(&d.msg)
                                    .unwrap_or_else(|e| crate::files::failure_result(&d.msg, &e, now())),
                                Err(e) => crate::files::failure_result(
                                    &XmlMsg::default(),
                                    &QueryError::Malformed(e.to_string()),
                                    now(),
                                ),
                            };
                            let mut answer = answer;
                            answer.header.character_code_identifier = Some(folders.charset.identifier());
                            let name = format!("{RESULT_PREFIX}{id}.xml");
                            let written =
                                answer_file(&folders.results, &name, &answer, folders.charset, fault, &rx);
                            match written {
                                Ok(true) => lock(&answered).push(id),
                                Ok(false) => {}
                                Err(e) => tracing::warn!(error = %e, "mock 端末: result not written"),
                            }
                        }
                        match rx.recv_timeout(RESCAN) {
                            Ok(Wake::Cancel) | Err(RecvTimeoutError::Disconnected) => break,
                            Ok(Wake::Changed) | Err(RecvTimeoutError::Timeout) => {}
                        }
                        // One listing answers every notice that came meanwhile.
                        let mut stop = false;
                        while let Ok(w) = rx.try_recv() {
                            stop |= matches!(w, Wake::Cancel);
                        }
                        if stop {
                            break;
                        }
                    }
                    drop(watcher);
                })?
        };
        Ok(MockTerminal {
            faults,
            answered,
            face_dir,
            charset: Charset::Utf8,
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    /// Face results in this encoding (the 端末's 文字コード setting).
    pub fn with_face_charset(mut self, charset: Charset) -> Self {
        self.charset = charset;
        self
    }

    /// Queue a fault for the next request.
    pub fn inject(&self, fault: TerminalFault) {
        lock(&self.faults).push_back(fault);
    }

    /// Ids answered so far (a result file written).
    pub fn answered(&self) -> Vec<String> {
        lock(&self.answered).clone()
    }

    /// The certified reader finished a reception: its result appears in the face folder (atomically).
    pub fn drop_face_result(&self, msg: &XmlMsg, at: NaiveDateTime) -> Result<PathBuf, FileError> {
        crate::files::write_face_result(&self.face_dir, msg, self.charset, at)
    }
}

impl Drop for MockTerminal {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(Wake::Cancel);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Pending requests `(path, id)`, oldest name first.
fn requests(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut v: Vec<(PathBuf, String)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let id = name
                .strip_prefix(REQUEST_PREFIX)?
                .strip_suffix(".xml")?
                .to_owned();
            Some((e.path(), id))
        })
        .collect();
    v.sort();
    v
}

/// Writes one answer as the fault says; `Ok(false)` when nothing was written (silent). A stop during a
/// delay ends it early.
fn answer_file(
    dir: &Path,
    name: &str,
    answer: &XmlMsg,
    charset: Charset,
    fault: Option<TerminalFault>,
    rx: &Receiver<Wake>,
) -> Result<bool, FileError> {
    let pause = |d: Duration| -> bool {
        // Waiting on the stop channel: a notice of our own writes must not cut the delay short.
        let started = Stopwatch::start();
        loop {
            let left = d.saturating_sub(started.elapsed());
            if left.is_zero() {
                return true;
            }
            match rx.recv_timeout(left) {
                Ok(Wake::Changed) => continue,
                Err(RecvTimeoutError::Timeout) => return true,
                Ok(Wake::Cancel) | Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
    };
    let bytes = answer.to_bytes(charset)?;
    match fault {
        None => {}
        Some(TerminalFault::Silent) => return Ok(false),
        Some(TerminalFault::Delay(d)) if !pause(d) => return Ok(false),
        Some(TerminalFault::Delay(_)) => {}
        Some(TerminalFault::Malformed) => {
            write_atomic(dir, name, b"<XmlMsg><MessageHeader><SegmentOf")?;
            return Ok(true);
        }
        Some(TerminalFault::HalfWritten(d)) => {
            // The same temp-then-rename a real writer uses, stopped half way for `d`.
            use std::io::Write;
            let mut tmp = tempfile::Builder::new()
                .prefix(&format!(".{name}."))
                .suffix(".tmp")
                .tempfile_in(dir)
                .map_err(|source| FileError::Io {
                    path: dir.to_owned(),
                    source,
                })?;
            let half = bytes.len() / 2;
            let io = |source| FileError::Io {
                path: dir.join(name),
                source,
            };
            tmp.write_all(&bytes[..half]).map_err(io)?;
            tmp.flush().map_err(io)?;
            if !pause(d) {
                return Ok(false);
            }
            tmp.write_all(&bytes[half..]).map_err(io)?;
            tmp.as_file().sync_all().map_err(io)?;
            tmp.persist(dir.join(name)).map_err(|e| io(e.error))?;
            return Ok(true);
        }
    }
    write_atomic(dir, name, &bytes)?;
    Ok(true)
}
