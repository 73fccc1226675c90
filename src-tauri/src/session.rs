//! The driver thread: owns the reception `Driver`, serialises every input (UI clicks, card events,
//! timers) through one channel, and publishes snapshots. Nothing else touches the driver.
//!
//! Timers: the driver exposes its one pending timer as a due time; this loop waits on the channel
//! until then and fires it. Deliberately not here: any reception rule (those live in `reception`).

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use reception::{Driver, Event, Ports, SiteSettings, Snapshot, State, UserInput};

use crate::error::{Code, UiError, UiResult};

/// A message to the driver thread.
pub enum Msg {
    /// A person's action; the reply carries the snapshot after it.
    Input(UserInput, Sender<Snapshot>),
    /// An event from the reader (card placed / removed).
    Reader(Event),
    /// Ask for the current snapshot.
    Snapshot(Sender<Snapshot>),
    /// Run a closure against the ports (trainer and staff commands that need the adapters).
    WithPorts(PortsFn),
    /// Start over (waiting for a card) with these site settings; the reply carries the fresh snapshot.
    Reset(SiteSettings, Sender<Snapshot>),
    /// Install (or remove) the observer that sees every person's action before it is applied.
    Recorder(Option<Recorder>),
    /// Stop the thread.
    Stop,
}

/// A closure run on the driver thread against the ports (downcast to the concrete type).
pub type PortsFn = Box<dyn FnOnce(&mut dyn std::any::Any) + Send>;

/// Sees each `UserInput` with the state *before* it is applied (training records staff decisions).
pub type Recorder = Box<dyn FnMut(&UserInput, &State) + Send>;

/// Handle to the driver thread.
#[derive(Clone)]
pub struct Session {
    tx: Sender<Msg>,
}

impl Session {
    /// Start the thread with these ports. `poll_every` bounds how long the loop sleeps without a timer.
    pub fn start<P>(settings: SiteSettings, ports: P) -> (Session, JoinHandle<()>)
    where
        P: Ports + Send + 'static,
    {
        let (tx, rx) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("reception-driver".into())
            .spawn(move || run(Driver::new(settings, ports), rx))
            .unwrap_or_else(|e| panic!("cannot start the driver thread: {e}"));
        (Session { tx }, handle)
    }

    /// Send a person's action and wait for the resulting snapshot.
    pub fn input(&self, input: UserInput) -> UiResult<Snapshot> {
        let (reply, rx) = mpsc::channel();
        self.post(Msg::Input(input, reply))?;
        rx.recv().map_err(|_| stopped())
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> UiResult<Snapshot> {
        let (reply, rx) = mpsc::channel();
        self.post(Msg::Snapshot(reply))?;
        rx.recv().map_err(|_| stopped())
    }

    /// Post a reader event (no reply).
    pub fn reader_event(&self, event: Event) -> UiResult<()> {
        self.post(Msg::Reader(event))
    }

    /// Run `f` on the driver thread against the concrete ports type `P`, returning its result.
    pub fn with_ports<P: 'static, T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut P) -> T + Send + 'static,
    ) -> UiResult<T> {
        let (reply, rx) = mpsc::channel();
        self.post(Msg::WithPorts(Box::new(move |any| {
            if let Some(ports) = any.downcast_mut::<P>() {
                let _ = reply.send(f(ports));
            }
        })))?;
        rx.recv()
            .map_err(|_| UiError::new(Code::Internal, "ports of another type"))
    }

    /// Start the reception over with `settings` and wait for the fresh snapshot.
    pub fn reset(&self, settings: SiteSettings) -> UiResult<Snapshot> {
        let (reply, rx) = mpsc::channel();
        self.post(Msg::Reset(settings, reply))?;
        rx.recv().map_err(|_| stopped())
    }

    /// Install or remove the input observer; inputs posted after this call see the new one.
    pub fn set_recorder(&self, recorder: Option<Recorder>) -> UiResult<()> {
        self.post(Msg::Recorder(recorder))
    }

    /// Ask the thread to stop.
    pub fn stop(&self) {
        let _ = self.tx.send(Msg::Stop);
    }

    fn post(&self, msg: Msg) -> UiResult<()> {
        self.tx.send(msg).map_err(|_| stopped())
    }
}

fn stopped() -> UiError {
    UiError::new(Code::Internal, "the reception thread has stopped")
}

fn current<P: Ports>(driver: &Driver<P>) -> Snapshot {
    match driver.snapshot() {
        Some(s) => s.clone(),
        None => Snapshot::of(driver.state(), driver.ports().clock().now()),
    }
}

fn run<P: Ports + 'static>(mut driver: Driver<P>, rx: Receiver<Msg>) {
    let mut recorder: Option<Recorder> = None;
    loop {
        // Wait until the next message or the pending timer's due time, whichever is first.
        let wait = match driver.pending_timer() {
            Some(t) => {
                let left = t.due - driver.ports().clock().now();
                Duration::from_millis(left.num_milliseconds().clamp(0, 60_000) as u64)
            }
            None => Duration::from_secs(60),
        };
        match rx.recv_timeout(wait) {
            Ok(Msg::Input(input, reply)) => {
                if let Some(observe) = recorder.as_mut() {
                    observe(&input, driver.state());
                }
                driver.send(Event::from(input));
                let _ = reply.send(current(&driver));
            }
            Ok(Msg::Reader(event)) => driver.send(event),
            Ok(Msg::Snapshot(reply)) => {
                let _ = reply.send(current(&driver));
            }
            Ok(Msg::Reset(settings, reply)) => {
                driver.reset(settings);
                let _ = reply.send(current(&driver));
            }
            Ok(Msg::Recorder(r)) => recorder = r,
            Ok(Msg::WithPorts(f)) => f(driver.ports_mut() as &mut dyn std::any::Any),
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => while driver.fire_due_timer() {},
        }
    }
}
