//! The driver thread and its workers. The thread owns the reception [`Host`] and never blocks on a port:
//! every port call goes to the worker of its lane (card, face, eligibility, store — one thread each, so the
//! calls of one port stay in order) and comes back as an `Event::Answer`. Meanwhile the thread keeps
//! taking user inputs, card events and timer fires, so 照会キャンセル, a pulled card or the query deadline act
//! at once while a call hangs; the flow drops the late answer by its sequence number.
//!
//! A snapshot is published after every change and, while a call is awaited, whenever its elapsed seconds
//! tick (the thread wakes at least twice a second then). Staff reads do not come here: they use the ports
//! through [`Lanes`] directly and never queue behind a reception.
//! Deliberately not here: any reception rule (those live in `reception`).

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use reception::flow::Lane;
use reception::training::decision::StaffDecision;
use reception::{
    Adapters, CardReader, Clock, Event, FaceMatcher, Host, Job, OnlineEligibility, SiteSettings, Snapshot,
    SnapshotSink, Store, UserInput,
};

use crate::app::Wiring;
use crate::error::{Code, UiError, UiResult};
use crate::face_port::FacePort;

/// A message to the driver thread.
pub enum Msg {
    /// A person's action; the reply carries the snapshot right after it (not after the work it starts).
    Input(UserInput, Sender<Snapshot>),
    /// An event from the reader (card placed / removed).
    Reader(Event),
    /// A worker's answer to a port call.
    Answer(Event),
    /// Ask for the current snapshot.
    Snapshot(Sender<Snapshot>),
    /// Start over (waiting for a card) with these site settings; the reply carries the fresh snapshot.
    Reset(SiteSettings, Sender<Snapshot>),
    /// Install (or remove) the observer of staff decisions the flow accepted.
    Recorder(Option<Recorder>),
    /// Install what to call when the flow gives up on an eligibility call still running (its deadline, 照会キャンセル,
    /// the next patient): the adapter can stop waiting (the 端末's folders, #16 §1).
    OnAbandoned(AbandonHook),
    /// Stop the thread.
    Stop,
}

/// Sees each staff decision the flow *accepted*, judged on the state before it (training scoring). An
/// input the flow refused is never shown to it.
pub type Recorder = Box<dyn FnMut(StaffDecision) + Send>;

/// Called once for each eligibility call the flow stopped waiting for while it still runs.
pub type AbandonHook = Box<dyn FnMut() + Send>;

/// The reception's ports, shared with the workers: staff commands use them directly (today's list, the
/// card photo for 目視) and so never wait behind the driver thread.
pub struct Lanes<C, E, S, F = FacePort> {
    /// Card reader.
    pub card: Arc<Mutex<C>>,
    /// Face matcher.
    pub face: Arc<Mutex<F>>,
    /// Eligibility service.
    pub eligibility: Arc<Mutex<E>>,
    /// Store.
    pub store: Arc<Mutex<S>>,
}

/// The same ports, type-erased, for the workers.
struct Erased {
    card: Arc<Mutex<dyn CardReader + Send>>,
    face: Arc<Mutex<dyn FaceMatcher + Send>>,
    eligibility: Arc<Mutex<dyn OnlineEligibility + Send>>,
    store: Arc<Mutex<dyn Store + Send>>,
}

fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What one job sees: one port locked at a time, taken when first asked for and let go when the job asks
/// for another (the face job reads the card photo, lets the card go, then matches), or when it ends.
struct JobPorts<'a> {
    ports: &'a Erased,
    card: Option<MutexGuard<'a, dyn CardReader + Send + 'static>>,
    face: Option<MutexGuard<'a, dyn FaceMatcher + Send + 'static>>,
    eligibility: Option<MutexGuard<'a, dyn OnlineEligibility + Send + 'static>>,
    store: Option<MutexGuard<'a, dyn Store + Send + 'static>>,
}

impl<'a> JobPorts<'a> {
    fn new(ports: &'a Erased) -> Self {
        JobPorts {
            ports,
            card: None,
            face: None,
            eligibility: None,
            store: None,
        }
    }

    fn release(&mut self, keep: Lane) {
        if keep != Lane::Card {
            self.card = None;
        }
        if keep != Lane::Face {
            self.face = None;
        }
        if keep != Lane::Eligibility {
            self.eligibility = None;
        }
        if keep != Lane::Store {
            self.store = None;
        }
    }
}

impl Adapters for JobPorts<'_> {
    fn card(&mut self) -> &mut dyn CardReader {
        self.release(Lane::Card);
        let ports = self.ports;
        &mut **self.card.get_or_insert_with(|| lock(&ports.card))
    }
    fn face(&mut self) -> &mut dyn FaceMatcher {
        self.release(Lane::Face);
        let ports = self.ports;
        &mut **self.face.get_or_insert_with(|| lock(&ports.face))
    }
    fn eligibility(&mut self) -> &mut dyn OnlineEligibility {
        self.release(Lane::Eligibility);
        let ports = self.ports;
        &mut **self.eligibility.get_or_insert_with(|| lock(&ports.eligibility))
    }
    fn store(&mut self) -> &mut dyn Store {
        self.release(Lane::Store);
        let ports = self.ports;
        &mut **self.store.get_or_insert_with(|| lock(&ports.store))
    }
}

/// The workers: one queue per lane.
struct Workers {
    card: Sender<Job>,
    face: Sender<Job>,
    eligibility: Sender<Job>,
    store: Sender<Job>,
}

impl Workers {
    fn start(ports: Erased, answers: Sender<Msg>) -> std::io::Result<Workers> {
        let ports = Arc::new(ports);
        let lane = |name: &str| -> std::io::Result<Sender<Job>> {
            let (tx, rx) = mpsc::channel::<Job>();
            let ports = Arc::clone(&ports);
            let answers = answers.clone();
            std::thread::Builder::new()
                .name(format!("port-{name}"))
                .spawn(move || {
                    while let Ok(job) = rx.recv() {
                        let answer = reception::perform_job(job, &mut JobPorts::new(&ports));
                        if let Some(event) = answer {
                            if answers.send(Msg::Answer(event)).is_err() {
                                return;
                            }
                        }
                    }
                })?;
            Ok(tx)
        };
        Ok(Workers {
            card: lane("card")?,
            face: lane("face")?,
            eligibility: lane("eligibility")?,
            store: lane("store")?,
        })
    }

    fn dispatch(&self, jobs: Vec<Job>) {
        for job in jobs {
            let queue = match job.lane() {
                Lane::Card => &self.card,
                Lane::Face => &self.face,
                Lane::Eligibility => &self.eligibility,
                Lane::Store => &self.store,
            };
            // A worker only stops with the app; a job sent after that has nobody to answer.
            let _ = queue.send(job);
        }
    }
}

/// Handle to the driver thread.
#[derive(Clone)]
pub struct Session {
    tx: Sender<Msg>,
}

impl Session {
    /// Start the thread and the workers with these ports; returns the handle, the shared ports and the
    /// thread.
    #[allow(clippy::type_complexity)]
    pub fn start<C, E, S, K, F>(
        settings: SiteSettings,
        wiring: Wiring<C, E, S, K, F>,
    ) -> std::io::Result<(Session, Lanes<C, E, S, F>, JoinHandle<()>)>
    where
        C: CardReader + Send + 'static,
        F: FaceMatcher + Send + 'static,
        E: OnlineEligibility + Send + 'static,
        S: Store + Send + 'static,
        K: Clock + Send + 'static,
    {
        let Wiring {
            card,
            face,
            eligibility,
            clock,
            store,
            sink,
        } = wiring;
        let lanes = Lanes {
            card: Arc::new(Mutex::new(card)),
            face: Arc::new(Mutex::new(face)),
            eligibility: Arc::new(Mutex::new(eligibility)),
            store: Arc::new(Mutex::new(store)),
        };
        let erased = Erased {
            card: lanes.card.clone(),
            face: lanes.face.clone(),
            eligibility: lanes.eligibility.clone(),
            store: lanes.store.clone(),
        };
        let (tx, rx) = mpsc::channel();
        let workers = Workers::start(erased, tx.clone())?;
        let handle = std::thread::Builder::new()
            .name("reception-driver".into())
            .spawn(move || {
                Loop {
                    host: Host::new(settings),
                    clock,
                    sink,
                    workers,
                    recorder: None,
                    on_abandoned: None,
                    abandoned: Vec::new(),
                    published: None,
                    published_at: None,
                }
                .run(rx)
            })?;
        Ok((Session { tx }, lanes, handle))
    }

    /// Send a person's action; the snapshot right after it.
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

    /// Start the reception over with `settings` and wait for the fresh snapshot.
    pub fn reset(&self, settings: SiteSettings) -> UiResult<Snapshot> {
        let (reply, rx) = mpsc::channel();
        self.post(Msg::Reset(settings, reply))?;
        rx.recv().map_err(|_| stopped())
    }

    /// Install or remove the decision observer; inputs posted after this call see the new one.
    pub fn set_recorder(&self, recorder: Option<Recorder>) -> UiResult<()> {
        self.post(Msg::Recorder(recorder))
    }

    /// Install the hook called when the flow stops waiting for an eligibility call that still runs.
    pub fn on_abandoned_eligibility(&self, hook: AbandonHook) -> UiResult<()> {
        self.post(Msg::OnAbandoned(hook))
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

/// How long the thread sleeps with nothing due: long when idle, short while a call is awaited so the
/// elapsed seconds reach the screen.
const IDLE_WAIT: Duration = Duration::from_secs(60);
const BUSY_WAIT: Duration = Duration::from_millis(250);
/// While a call is awaited the windows hear from the driver at least this often, changed or not (the
/// promise is at least once a second; `make bench` measures the longest gap).
const HEARTBEAT_MS: i64 = 500;

struct Loop<K> {
    host: Host,
    clock: K,
    sink: Box<dyn SnapshotSink + Send>,
    workers: Workers,
    recorder: Option<Recorder>,
    on_abandoned: Option<AbandonHook>,
    /// Eligibility calls already reported abandoned (until their late answer arrives).
    abandoned: Vec<u32>,
    published: Option<Snapshot>,
    published_at: Option<chrono::NaiveDateTime>,
}

impl<K: Clock> Loop<K> {
    fn run(mut self, rx: Receiver<Msg>) {
        loop {
            match rx.recv_timeout(self.wait()) {
                Ok(Msg::Input(input, reply)) => {
                    let decision = self
                        .recorder
                        .as_ref()
                        .and_then(|_| reception::training::decision_of(&input, self.host.state()));
                    let accepted = self.handle(Event::from(input));
                    if let (true, Some(d), Some(record)) = (accepted, decision, self.recorder.as_mut()) {
                        record(d);
                    }
                    // Windows first, then the caller: the page skips a reply that a push overtook
                    // (ui/js/app.js), and every change has been pushed before its reply.
                    self.publish();
                    let _ = reply.send(self.host.snapshot(self.clock.now()));
                }
                Ok(Msg::Reader(event) | Msg::Answer(event)) => {
                    self.handle(event);
                }
                Ok(Msg::Snapshot(reply)) => {
                    let _ = reply.send(self.host.snapshot(self.clock.now()));
                }
                Ok(Msg::Reset(settings, reply)) => {
                    self.host.reset(settings);
                    self.report_abandoned();
                    self.publish();
                    let _ = reply.send(self.host.snapshot(self.clock.now()));
                }
                Ok(Msg::Recorder(r)) => self.recorder = r,
                Ok(Msg::OnAbandoned(h)) => self.on_abandoned = Some(h),
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {}
            }
            let jobs = self.host.fire_due(self.clock.now());
            self.report_abandoned();
            self.workers.dispatch(jobs);
            self.publish();
        }
    }

    /// Until the next timer, bounded by the busy / idle wait.
    fn wait(&self) -> Duration {
        let now = self.clock.now();
        let cap = if self.host.state().awaiting.is_some() {
            BUSY_WAIT
        } else {
            IDLE_WAIT
        };
        match self.host.next_timer() {
            Some(t) => {
                let left = (t.due - now).num_milliseconds().max(0);
                Duration::from_millis(u64::try_from(left).unwrap_or(0)).min(cap)
            }
            None => cap,
        }
    }

    fn handle(&mut self, event: Event) -> bool {
        let out = self.host.handle(event, self.clock.now());
        // Before the new jobs go out: the hook must reach the exchange given up on, not the next one.
        self.report_abandoned();
        self.workers.dispatch(out.jobs);
        out.accepted
    }

    /// Tell the hook about each eligibility call still in flight that the flow no longer waits for.
    fn report_abandoned(&mut self) {
        let awaiting = self.host.state().awaiting.map(|a| a.seq);
        let running: Vec<u32> = self
            .host
            .in_flight()
            .iter()
            .filter(|c| c.lane == Lane::Eligibility)
            .map(|c| c.seq)
            .collect();
        self.abandoned.retain(|s| running.contains(s));
        for seq in running {
            if Some(seq) != awaiting && !self.abandoned.contains(&seq) {
                self.abandoned.push(seq);
                if let Some(hook) = self.on_abandoned.as_mut() {
                    hook();
                }
            }
        }
    }

    /// Publish the view if it changed since the last one, or as a heartbeat while a call is awaited.
    fn publish(&mut self) {
        let now = self.clock.now();
        let snap = self.host.snapshot(now);
        let heartbeat = snap.busy.is_some()
            && self
                .published_at
                .is_none_or(|at| (now - at).num_milliseconds() >= HEARTBEAT_MS);
        if heartbeat || self.published.as_ref() != Some(&snap) {
            self.sink.publish(&snap);
            self.published = Some(snap);
            self.published_at = Some(now);
        }
    }
}
