//! The `reception::FaceMatcher` port: the face crate's verifier fed by the camera.
//!
//! Training: the "camera" is a still photo the trainer picks (same person / another person / no face), taken
//! from the persona's test-set photos, and fed as consecutive frames — or, when the trainer picks "webcam", the
//! same path as live. Live: the webcam is captured by the reader page (`getUserMedia`), which posts JPEG frames
//! to the `face_frame` command while it waits for the verdict; [`WebcamFeed`] forwards them here.
//! Frames, the card reference and embeddings live only inside `verify` and are dropped when it returns: nothing
//! here writes a frame anywhere, and frames that arrive while nobody is verifying are dropped.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use face::{CameraFrame, Conclusion, Decision, FaceModels, QualityIssue, Step, Verifier, VerifyConfig};
use reception::model::{FaceError, FaceVerdict};
use reception::ports::CardPhoto;

use crate::training::CameraInput;

/// Face models, loaded once in the background at start-up (about half a second).
pub type SharedModels = Arc<OnceLock<Result<FaceModels, String>>>;

/// What the page's camera sends: a JPEG frame, or the reason it cannot capture (no camera, permission denied).
pub enum WebcamMsg {
    /// One encoded frame.
    Jpeg(Vec<u8>),
    /// The camera failed; the face step ends at once with a device error (the patient is offered the PIN).
    Failed(String),
}

/// Where frames come from.
pub enum Camera {
    /// Training stills: the trainer's choice and the persona on the reader.
    Training {
        /// 同一人物 / 別人 / 顔なし.
        input: Arc<Mutex<CameraInput>>,
        /// Persona of the card on the reader.
        placed: Arc<Mutex<Option<String>>>,
        /// Frames from the page's webcam, used when the trainer picks [`CameraInput::Webcam`].
        webcam: Option<Receiver<WebcamMsg>>,
    },
    /// The webcam, through the page: JPEG frames posted by the reader screen (fed by [`WebcamFeed`]).
    Webcam {
        /// Encoded frames (or a failure), oldest first.
        frames: Receiver<WebcamMsg>,
    },
    /// No camera configured.
    None,
}

/// Frames the channel holds while nobody reads them; older ones are drained as stale when `verify` starts,
/// newer ones dropped, so a page that keeps posting cannot grow memory.
const WEBCAM_BACKLOG: usize = 4;

/// How long `verify` keeps taking webcam frames before it concludes from what it saw (~50 frames at the
/// page's 200 ms pace, more than the verifier's `max_frames`).
const WEBCAM_BUDGET: Duration = Duration::from_secs(10);

/// The sending side of the webcam channel, held by the app for the `face_frame` command.
#[derive(Clone)]
pub struct WebcamFeed {
    tx: SyncSender<WebcamMsg>,
}

impl WebcamFeed {
    /// A feed and the receiver to give to [`Camera::Webcam`] (or the training camera).
    pub fn channel() -> (WebcamFeed, Receiver<WebcamMsg>) {
        let (tx, rx) = std::sync::mpsc::sync_channel(WEBCAM_BACKLOG);
        (WebcamFeed { tx }, rx)
    }

    /// Forward one encoded frame; `false` when it was dropped (backlog full or no camera reader).
    pub fn push(&self, jpeg: Vec<u8>) -> bool {
        self.send(WebcamMsg::Jpeg(jpeg))
    }

    /// Report that the page cannot capture (`false` when nobody is listening or the backlog is full).
    pub fn fail(&self, reason: String) -> bool {
        self.send(WebcamMsg::Failed(reason))
    }

    fn send(&self, msg: WebcamMsg) -> bool {
        match self.tx.try_send(msg) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
        }
    }
}

/// The adapter.
pub struct FacePort {
    models: SharedModels,
    camera: Camera,
    threshold: f32,
}

impl FacePort {
    /// A port with these models, camera and match threshold.
    pub fn new(models: SharedModels, camera: Camera, threshold: f32) -> Self {
        FacePort {
            models,
            camera,
            threshold,
        }
    }
}

/// The still the training camera shows: `(input, persona) → image file in assets/faces/testset`.
pub fn training_still(input: CameraInput, persona: &str) -> Option<PathBuf> {
    let p = mynacard::Persona::builtin(persona).ok()?;
    let testset = crate::training::assets_dir().join("faces").join("testset");
    let file = match input {
        // `live_photo` is relative to assets/cards/.
        CameraInput::Same => return Some(crate::training::assets_dir().join("cards").join(&p.live_photo)),
        // Someone whose face is not on this card: pick a test-set person different from the card photo.
        CameraInput::Other => {
            if p.photo.contains("impostor_1") {
                "person_b_2.jpg"
            } else {
                "impostor_1.jpg"
            }
        }
        CameraInput::Noface => "chelsea.jpg",
        CameraInput::Webcam => return None,
    };
    Some(testset.join(file))
}

impl reception::FaceMatcher for FacePort {
    fn verify(&mut self, card_photo: &CardPhoto) -> Result<FaceVerdict, FaceError> {
        let models = match loaded(&self.models) {
            Some(Ok(m)) => m,
            Some(Err(e)) => return Err(FaceError::Camera(format!("face models unavailable: {e}"))),
            None => return Err(FaceError::Camera("face models are still loading".into())),
        };
        // A still (read before enrolling so a missing file fails fast) or the live channel.
        let still = match &self.camera {
            Camera::None => return Err(FaceError::Camera("no camera is configured".into())),
            Camera::Webcam { frames } => Source::Webcam(frames),
            Camera::Training {
                input,
                placed,
                webcam,
            } => {
                let input = *input.lock().unwrap_or_else(|p| p.into_inner());
                match (input, webcam) {
                    (CameraInput::Webcam, Some(frames)) => Source::Webcam(frames),
                    (CameraInput::Webcam, None) => {
                        return Err(FaceError::Camera("no webcam is wired in training".into()))
                    }
                    _ => {
                        let persona = placed.lock().unwrap_or_else(|p| p.into_inner()).clone();
                        let path = persona
                            .and_then(|p| training_still(input, &p))
                            .ok_or_else(|| FaceError::Camera("no training still for this card".into()))?;
                        Source::Still(
                            std::fs::read(&path)
                                .map_err(|e| FaceError::Camera(format!("{}: {e}", path.display())))?,
                        )
                    }
                }
            }
        };
        let card = models
            .enroll_card_photo(&card_photo.0)
            .map_err(|_| FaceError::PhotoUnavailable)?;
        let config = VerifyConfig {
            threshold: self.threshold,
            ..VerifyConfig::default()
        };
        let mut verifier = Verifier::new(card, config);
        match still {
            // A still camera shows the same picture on every frame.
            Source::Still(frame) => {
                for _ in 0..config.max_frames {
                    if let Some(v) = step(&mut verifier, models, &frame)? {
                        return Ok(v);
                    }
                }
                Ok(verdict(verifier.give_up()))
            }
            Source::Webcam(frames) => webcam(&mut verifier, models, frames),
        }
    }
}

/// Where `verify` takes its frames from this time.
enum Source<'a> {
    /// One training picture, repeated.
    Still(Vec<u8>),
    /// The page's webcam frames.
    Webcam(&'a Receiver<WebcamMsg>),
}

/// One frame into the verifier: `Some(verdict)` once it has decided (or given up by itself).
fn step(verifier: &mut Verifier, models: &FaceModels, jpeg: &[u8]) -> Result<Option<FaceVerdict>, FaceError> {
    match verifier.submit(models, CameraFrame::Encoded(jpeg)) {
        Ok(Step::NeedMore(_)) => Ok(None),
        Ok(Step::Finished(_, conclusion)) => Ok(Some(verdict(conclusion))),
        Err(e) => Err(FaceError::Camera(e.to_string())),
    }
}

/// Verify from the page's webcam: drop frames captured before the patient chose 顔認証, then take frames as
/// they arrive until the verifier decides or [`WEBCAM_BUDGET`] is spent. Each frame is dropped after use.
#[allow(clippy::disallowed_methods)] // a device I/O deadline on the driver thread, not reception flow time
fn webcam(
    verifier: &mut Verifier,
    models: &FaceModels,
    frames: &Receiver<WebcamMsg>,
) -> Result<FaceVerdict, FaceError> {
    // At most a backlog's worth: a producer still posting must not keep this loop going.
    for _ in 0..WEBCAM_BACKLOG {
        if frames.try_recv().is_err() {
            break;
        }
    }
    let deadline = std::time::Instant::now() + WEBCAM_BUDGET;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match frames.recv_timeout(left) {
            Ok(WebcamMsg::Jpeg(jpeg)) => {
                // A frame the decoder rejects (a torn blob) is skipped, not fatal: the next one will do.
                if let Ok(Some(v)) = step(verifier, models, &jpeg) {
                    return Ok(v);
                }
            }
            Ok(WebcamMsg::Failed(reason)) => return Err(FaceError::Camera(reason)),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
        }
    }
    Ok(verdict(verifier.give_up()))
}

/// The models, waiting (bounded) for the background load: a patient who picks 顔認証 in the first seconds after
/// start-up should be verified, not failed. `None` when they are still not there after ~30 s.
/// The wait is a poll, not `OnceLock::wait`, so a loader that died without a result cannot hang the driver.
#[allow(clippy::disallowed_methods)] // I/O back-off while another thread loads files, not flow time
fn loaded(models: &SharedModels) -> Option<&Result<FaceModels, String>> {
    for _ in 0..300 {
        if let Some(m) = models.get() {
            return Some(m);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    models.get()
}

fn verdict(c: Conclusion) -> FaceVerdict {
    match c {
        Conclusion::Decided(v) => match v.decision {
            Decision::Match => FaceVerdict::Match { score: v.score },
            Decision::NoMatch => FaceVerdict::NoMatch { score: v.score },
        },
        // No run of good frames: "no face" when the camera never saw one, else a failed match (too blurry,
        // turned away…) so the patient is offered a retry or the PIN.
        Conclusion::Inconclusive {
            last_issue: None | Some(QualityIssue::NoFace),
            ..
        } => FaceVerdict::NoFace,
        Conclusion::Inconclusive { .. } => FaceVerdict::NoMatch { score: 0.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reception::FaceMatcher as _;

    fn port(frames: Receiver<WebcamMsg>) -> (FacePort, CardPhoto) {
        let models: SharedModels = Arc::new(OnceLock::new());
        let _ = models.set(FaceModels::load().map_err(|e| e.to_string()));
        let photo = mynacard::Persona::builtin("p01-yamada-hanako")
            .unwrap()
            .photo_jp2()
            .unwrap();
        (
            FacePort::new(models, Camera::Webcam { frames }, 0.42),
            CardPhoto(photo.to_vec()),
        )
    }

    #[test]
    fn webcam_frames_of_the_card_holder_match_the_card_photo() {
        let jpeg = std::fs::read(training_still(CameraInput::Same, "p01-yamada-hanako").unwrap()).unwrap();
        let (tx, rx) = std::sync::mpsc::sync_channel(WEBCAM_BACKLOG);
        // The page keeps posting until the port (and its receiver) is gone.
        let page = std::thread::spawn(move || while tx.send(WebcamMsg::Jpeg(jpeg.clone())).is_ok() {});
        let (mut port, card) = port(rx);
        let verdict = port.verify(&card).unwrap();
        drop(port);
        page.join().unwrap();
        assert!(matches!(verdict, FaceVerdict::Match { .. }), "{verdict:?}");
    }

    #[test]
    fn a_webcam_that_sends_nothing_concludes_that_no_face_was_seen() {
        let (tx, rx) = std::sync::mpsc::sync_channel::<WebcamMsg>(WEBCAM_BACKLOG);
        drop(tx);
        let (mut port, card) = port(rx);
        assert_eq!(port.verify(&card).unwrap(), FaceVerdict::NoFace);
    }

    #[test]
    fn a_camera_the_page_cannot_open_ends_the_face_step_at_once_with_a_device_error() {
        let (feed, rx) = WebcamFeed::channel();
        let (mut port, card) = port(rx);
        // The page keeps reporting until the port answers (stale messages are drained when verify starts).
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let page = std::thread::spawn({
            let done = Arc::clone(&done);
            move || {
                let (_keep, tick) = std::sync::mpsc::channel::<()>();
                let mut reached = false;
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    reached |= feed.fail("NotAllowedError: permission denied".into());
                    let _ = tick.recv_timeout(Duration::from_millis(20));
                }
                reached
            }
        });
        let err = port.verify(&card).unwrap_err();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(page.join().unwrap(), "the failure reached the port");
        assert_eq!(
            err,
            FaceError::Camera("NotAllowedError: permission denied".into())
        );
    }

    #[test]
    fn frames_beyond_the_backlog_are_dropped_not_queued() {
        let (feed, rx) = WebcamFeed::channel();
        let taken = (0..WEBCAM_BACKLOG + 3).filter(|_| feed.push(vec![0xFF])).count();
        assert_eq!(taken, WEBCAM_BACKLOG);
        assert_eq!(rx.try_iter().count(), WEBCAM_BACKLOG);
    }
}
