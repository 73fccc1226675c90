//! The 資格確認端末 file interface that レセコン/電子カルテ poll (domain.md §3 "Files exchanged").
//!
//! - After each reception: `OQSsiquc01res_face_<YYYYMMDDHHMMSS>.xml` in the face output folder.
//! - Individual query: an external system drops `OQSsiquc01req_<id>.xml`; we answer `OQSsiquc01res_<id>.xml`
//!   beside it and remove the request (the terminal consumes requests).
//!
//! Every file is written atomically: a dot-prefixed temp file in the same folder (pollers matching
//! `OQSsiquc01res_*` never see it), flushed, then renamed. The XML model has no My Number field, so none can be
//! written. Deliberately not here: password-ZIP encryption (`encrypt.conf`), batch (`OQSmuquc…`) files.

use crate::client::QueryError;
use crate::codes::{SegmentOfResult, SimulatedCode};
use crate::derived::fmt_timestamp;
use crate::xml::{Charset, XmlMsg};
use chrono::{Duration, NaiveDateTime};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// Prefix of face-reader result files.
pub const FACE_RESULT_PREFIX: &str = "OQSsiquc01res_face_";
/// Prefix of individual query request files.
pub const REQUEST_PREFIX: &str = "OQSsiquc01req_";
/// Prefix of individual query result files.
pub const RESULT_PREFIX: &str = "OQSsiquc01res_";

/// File-interface failures.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot serialise result: {0}")]
    Xml(#[from] crate::xml::XmlError),
    #[error("a value looks like a My Number (12 digits): the file is not written")]
    MyNumberLike,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |source| FileError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes `bytes` to `dir/name` atomically: a temp file with an unpredictable name in `dir`, created new
/// (O_EXCL, so a planted symlink is never followed) with mode 0600, synced, then renamed over `name` (a
/// symlink at `name` is replaced, not followed). A reader of `dir` sees the whole file or none (#13 §8).
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, FileError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let target = dir.join(name);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io_err(dir))?;
    tmp.write_all(bytes).map_err(io_err(tmp.path()))?;
    tmp.as_file().sync_all().map_err(io_err(&target))?;
    tmp.persist(&target).map_err(|e| FileError::Io {
        path: target.clone(),
        source: e.error,
    })?;
    Ok(target)
}

/// Does any value of `msg` look like a My Number? Tags break digit runs, so checking the whole text is checking
/// one text node at a time.
fn looks_like_my_number(msg: &XmlMsg) -> Result<bool, FileError> {
    let text = msg.to_bytes(Charset::Utf8)?;
    Ok(reception::privacy::contains_twelve_digit_run(
        &String::from_utf8_lossy(&text),
    ))
}

/// Writes a face result for a reception finished at `at`. If a file for that second exists already (two
/// receptions within one second), the next free second is used so the name keeps the real pattern.
pub fn write_face_result(
    dir: &Path,
    msg: &XmlMsg,
    charset: Charset,
    at: NaiveDateTime,
) -> Result<PathBuf, FileError> {
    // Nothing that looks like a My Number leaves for the レセコン (#13 §8).
    if looks_like_my_number(msg)? {
        return Err(FileError::MyNumberLike);
    }
    let bytes = msg.to_bytes(charset)?;
    let mut stamp = at;
    let name = loop {
        let name = format!("{FACE_RESULT_PREFIX}{}.xml", fmt_timestamp(stamp));
        if !dir.join(&name).exists() {
            break name;
        }
        stamp += Duration::seconds(1);
    };
    write_atomic(dir, &name, &bytes)
}

/// Answers every pending `OQSsiquc01req_<id>.xml` in `dir` with `OQSsiquc01res_<id>.xml`, using `respond` (e.g.
/// the OQS client). Failures become a result file with `SegmentOfResult` 2/9 so the external system always
/// gets an answer. The result is written in `charset`, or in the request's own encoding when `None`.
/// Returns the result files written. One call = one scan; [`RequestWatcher`] calls it periodically.
pub fn scan_requests(
    dir: &Path,
    charset: Option<Charset>,
    now: NaiveDateTime,
    respond: &mut dyn FnMut(&XmlMsg) -> Result<XmlMsg, QueryError>,
) -> Result<Vec<PathBuf>, FileError> {
    let mut requests: Vec<(PathBuf, String)> = std::fs::read_dir(dir)
        .map_err(io_err(dir))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_owned();
            let id = name
                .strip_prefix(REQUEST_PREFIX)?
                .strip_suffix(".xml")?
                .to_owned();
            Some((e.path(), id))
        })
        .collect();
    requests.sort();
    let mut written = Vec::new();
    for (path, id) in requests {
        let bytes = std::fs::read(&path).map_err(io_err(&path))?;
        let (answer, request_charset) = match XmlMsg::from_bytes(&bytes) {
            Ok(decoded) => {
                let answer = respond(&decoded.msg).unwrap_or_else(|e| failure_result(&decoded.msg, &e, now));
                (answer, decoded.charset)
            }
            Err(e) => (
                failure_result(&XmlMsg::default(), &QueryError::Malformed(e.to_string()), now),
                Charset::Utf8,
            ),
        };
        // An answer holding what looks like a My Number is not passed on: the requester gets an error result.
        let answer = if looks_like_my_number(&answer)? {
            failure_result(
                &XmlMsg::default(),
                &QueryError::Malformed(FileError::MyNumberLike.to_string()),
                now,
            )
        } else {
            answer
        };
        let out = answer.to_bytes(charset.unwrap_or(request_charset))?;
        written.push(write_atomic(dir, &format!("{RESULT_PREFIX}{id}.xml"), &out)?);
        std::fs::remove_file(&path).map_err(io_err(&path))?;
    }
    Ok(written)
}

/// The result file written when a query could not be answered.
pub fn failure_result(req: &XmlMsg, err: &QueryError, now: NaiveDateTime) -> XmlMsg {
    let mut msg = XmlMsg {
        header: req.header.clone(),
        body: Default::default(),
    };
    msg.header.process_execution_time = Some(fmt_timestamp(now));
    let (segment, code, message) = match err {
        QueryError::Processing { code, message } => {
            (SegmentOfResult::Processing, code.clone(), message.clone())
        }
        QueryError::Error { code, message } => (SegmentOfResult::Abnormal, code.clone(), message.clone()),
        other => (
            SegmentOfResult::Abnormal,
            SimulatedCode::ClientFailure.code().to_owned(),
            format!("{}: {other}", SimulatedCode::ClientFailure.label()),
        ),
    };
    msg.header.segment_of_result = Some(segment);
    msg.header.error_code = Some(code);
    msg.header.error_message = Some(message);
    msg
}

/// Answers one request message (usually [`crate::OqsClient::query`]).
pub type Responder = Box<dyn FnMut(&XmlMsg) -> Result<XmlMsg, QueryError> + Send>;

/// A polling watcher over a request folder, on its own thread. Dropping it stops the thread.
pub struct RequestWatcher {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RequestWatcher {
    /// Scans `dir` every `interval`. `now` is the clock (time is an input); scan errors are logged and retried.
    pub fn spawn(
        dir: PathBuf,
        interval: std::time::Duration,
        charset: Option<Charset>,
        now: Box<dyn Fn() -> NaiveDateTime + Send>,
        mut respond: Responder,
    ) -> Self {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || loop {
            if let Err(e) = scan_requests(&dir, charset, now(), &mut *respond) {
                tracing::warn!(error = %e, "request folder scan failed");
            }
            // Waiting on the stop channel doubles as the poll interval and lets Drop end the thread at once.
            match stopped.recv_timeout(interval) {
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                _ => break,
            }
        });
        RequestWatcher {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for RequestWatcher {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
