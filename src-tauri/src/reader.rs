//! The PC/SC side of the app: a pcscd the training mode owns, and a monitor thread that turns card
//! insert/remove into reception events.
//!
//! In training the virtual cards reach the flow through the real pcscd + vpcd, exactly as a real card
//! through a USB reader would, so the training path exercises the production card code.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mynacard::{CardEvent, PcscContext};
use reception::Event;

use crate::session::Session;

/// The vpcd slot the virtual cards use.
pub const VPCD_READER: &str = "Virtual PCD 00 00";
const PCSCD: &str = "/usr/sbin/pcscd";

fn vpcd_answers() -> bool {
    PcscContext::establish()
        .and_then(|c| c.readers())
        .is_ok_and(|r| r.iter().any(|n| n == VPCD_READER))
}

/// Wait before polling a daemon again. I/O back-off, not flow logic (flow time goes through the Clock port).
#[allow(clippy::disallowed_methods)]
fn backoff(d: Duration) {
    std::thread::sleep(d);
}

/// A pcscd started (and stoppable) by the app; `None` child when one was already running.
pub struct Pcscd {
    child: Option<Child>,
}

impl Pcscd {
    /// Use the running pcscd, or start `pcscd -f` and wait (bounded) for the vpcd readers.
    pub fn ensure() -> Result<Pcscd, String> {
        if vpcd_answers() {
            return Ok(Pcscd { child: None });
        }
        let child = Command::new(PCSCD)
            .arg("-f")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot start {PCSCD}: {e} (run `make run`, which installs pcscd and vpcd)")
            })?;
        let p = Pcscd { child: Some(child) };
        for _ in 0..200 {
            if vpcd_answers() {
                return Ok(p);
            }
            backoff(Duration::from_millis(25));
        }
        Err("pcscd started but the vpcd reader did not appear (is vsmartcard-vpcd installed?)".into())
    }

    /// Whether this app owns the daemon (and so can stop it for the "pcscd stopped" fault).
    pub fn owned(&self) -> bool {
        self.child.is_some()
    }

    /// Stop the daemon this app started (trainer fault "pcscd stopped").
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let _ = child.wait();
        }
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Watch `reader` and post CardPlaced / CardRemoved to the session until `stop` is set.
/// If pcscd goes away the monitor keeps retrying, so a restarted daemon is picked up.
pub fn spawn_monitor(reader: String, session: Session, stop: Arc<AtomicBool>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("card-monitor".into())
        .spawn(move || {
            let mut present = false;
            while !stop.load(Ordering::Relaxed) {
                let ctx = match PcscContext::establish() {
                    Ok(c) => c,
                    Err(_) => {
                        if present {
                            present = false;
                            let _ = session.reader_event(Event::CardRemoved);
                        }
                        backoff(Duration::from_millis(500));
                        continue;
                    }
                };
                // Catch up with a card that was already there (e.g. placed before the app started).
                let now = ctx.card_present(&reader).map(|a| a.is_some()).unwrap_or(false);
                if now != present {
                    present = now;
                    let _ = session.reader_event(if now {
                        Event::CardPlaced
                    } else {
                        Event::CardRemoved
                    });
                }
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    match ctx.wait_event(std::slice::from_ref(&reader), Duration::from_millis(500)) {
                        Ok(Some(CardEvent::Inserted { .. })) if !present => {
                            present = true;
                            let _ = session.reader_event(Event::CardPlaced);
                        }
                        Ok(Some(CardEvent::Removed { .. })) if present => {
                            present = false;
                            let _ = session.reader_event(Event::CardRemoved);
                        }
                        Ok(_) => {}
                        Err(_) => break, // daemon gone: re-establish
                    }
                }
            }
        })?;
    Ok(())
}
