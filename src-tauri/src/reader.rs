//! The PC/SC side of the app: a monitor thread that turns card insert/remove into reception events (the pcscd
//! training mode owns is `mynacard::pcscd::Pcscd`).
//!
//! In training the virtual cards reach the flow through the real pcscd + vpcd, exactly as a real card
//! through a USB reader would, so the training path exercises the production card code.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mynacard::PcscContext;
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
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    // The reader's state now against what the flow was told, every round: a card placed before
                    // the app started is caught up with, and a change that fell between two waits (each wait
                    // compares with its own first look) is reported at the next round instead of being lost.
                    let now = match ctx.card_present(&reader) {
                        Ok(atr) => atr.is_some(),
                        Err(_) => break, // daemon gone: re-establish
                    };
                    if now != present {
                        present = now;
                        let _ = session.reader_event(if now {
                            Event::CardPlaced
                        } else {
                            Event::CardRemoved
                        });
                        continue;
                    }
                    // Woken by a change (or after 500 ms); what changed is read at the top of the loop.
                    if ctx
                        .wait_event(std::slice::from_ref(&reader), Duration::from_millis(500))
                        .is_err()
                    {
                        break;
                    }
                }
                // The daemon went away or the reader is not attached: look again shortly, not in a busy loop.
                backoff(Duration::from_millis(500));
            }
        })?;
    Ok(())
}
