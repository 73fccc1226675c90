//! Handing a saved PDF to the desktop: 開く (the desktop's PDF viewer, `xdg-open`) and 印刷 (the print spooler,
//! CUPS's `lp`, to the default printer). Only files the app wrote under its own data folder are handed over
//! ([`App::saved_file_action`](crate::app::App::saved_file_action) checks that); the programs are found on `PATH`,
//! as a clerk's desktop has them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Code, Key, UiError, UiResult};

/// What to do with a saved file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub enum FileAction {
    /// Show it in the desktop's PDF viewer (from which it can be printed too).
    Open,
    /// Send it to the default printer.
    Print,
}

/// What the desktop said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export_to = "app/")]
pub struct FileActionDone {
    /// The action taken.
    pub action: FileAction,
    /// The spooler's answer for a print (e.g. `request id is desk-3 (1 file(s))`); empty for 開く.
    pub detail: String,
}

/// The program that opens a file in the desktop's viewer.
pub const OPENER: &str = "xdg-open";
/// The program that sends a file to the default printer.
pub const PRINTER: &str = "lp";

/// How long `lp` may take to hand the job to the spooler.
const PRINT_TIMEOUT: Duration = Duration::from_secs(20);

/// The two programs the desktop offers.
#[derive(Debug, Clone)]
pub struct Programs {
    /// Opens a file in the desktop's viewer ([`OPENER`]).
    pub opener: PathBuf,
    /// Sends a file to the default printer ([`PRINTER`]).
    pub printer: PathBuf,
}

impl Default for Programs {
    /// `xdg-open` and `lp`, found on `PATH`.
    fn default() -> Self {
        Programs {
            opener: PathBuf::from(OPENER),
            printer: PathBuf::from(PRINTER),
        }
    }
}

impl Programs {
    /// Hand `path` (already checked to be the app's own file) to the desktop.
    pub fn hand_over(&self, path: &Path, action: FileAction) -> UiResult<FileActionDone> {
        match action {
            FileAction::Open => open(&self.opener, path),
            FileAction::Print => print(&self.printer, path),
        }
    }
}

fn missing(program: &Path, key: Key) -> UiError {
    UiError::keyed(Code::NotAvailable, key).with("program", program.display())
}

/// Start `program` with `args`, its output piped when `output` (else discarded); a program the desktop lacks is
/// `missing_key` with its name.
fn start(program: &Path, args: &[&std::ffi::OsStr], output: bool, missing_key: Key) -> UiResult<Child> {
    let pipe = || if output { Stdio::piped() } else { Stdio::null() };
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(pipe())
        .stderr(pipe())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => missing(program, missing_key),
            _ => UiError::new(Code::Io, e),
        })
}

fn open(opener: &Path, path: &Path) -> UiResult<FileActionDone> {
    let mut child = start(opener, &[path.as_os_str()], false, Key::OpenerMissing)?;
    // The viewer may stay open for as long as the clerk reads: reap the opener in the background.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(FileActionDone {
        action: FileAction::Open,
        detail: String::new(),
    })
}

fn print(printer: &Path, path: &Path) -> UiResult<FileActionDone> {
    let child = start(
        printer,
        &["--".as_ref(), path.as_os_str()],
        true,
        Key::PrinterMissing,
    )?;
    // `lp` only hands the job to the spooler; one that does not answer in time is left to finish (and be reaped)
    // on its own thread while the clerk gets an error.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(PRINT_TIMEOUT) {
        Ok(out) => out.map_err(|e| UiError::new(Code::Io, e))?,
        Err(_) => return Err(UiError::keyed(Code::Io, Key::PrintFailed).with("detail", "timeout")),
    };
    let said = |b: &[u8]| String::from_utf8_lossy(b).trim().to_owned();
    if out.status.success() {
        Ok(FileActionDone {
            action: FileAction::Print,
            detail: said(&out.stdout),
        })
    } else {
        Err(UiError::keyed(Code::Io, Key::PrintFailed).with("detail", said(&out.stderr)))
    }
}
