//! The PC/SC side of the app: a monitor thread that turns card insert/remove into reception events (the pcscd
//! training mode owns is `mynacard::pcscd::Pcscd`).
//!
//! In training the virtual cards reach the flow through the real pcscd + vpcd, exactly as a real card
//! through a USB reader would, so the training path exercises the production card code.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mynacard::{CardEvent, PcscContext};
use reception::Event;

use crate::session::Session;

pub use mynacard::pcscd::{Pcscd, VPCD_READER};

/// Wait before polling a daemon again. I/O back-off, not flow logic (flow time goes through the Clock port).
#[allow(clippy::disallowed_methods)]
pub(crate) fn backoff(d: Duration) {
    std::thread::sleep(d);
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
