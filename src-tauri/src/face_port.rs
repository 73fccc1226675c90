//! The `reception::FaceMatcher` port: the face crate's verifier fed by the camera.
//!
//! Training: the "camera" is a still photo the trainer picks (same person / another person / no face), taken
//! from the persona's test-set photos, and fed as consecutive frames. Live: a webcam capture path is not wired
//! yet, so the port answers "camera unavailable" and the flow offers the PIN or 目視.
//! Frames, the card reference and embeddings live only inside `verify` and are dropped when it returns.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use face::{CameraFrame, Conclusion, Decision, FaceModels, QualityIssue, Step, Verifier, VerifyConfig};
use reception::model::{FaceError, FaceVerdict};
use reception::ports::CardPhoto;

use crate::training::CameraInput;

/// Face models, loaded once in the background at start-up (about half a second).
pub type SharedModels = Arc<OnceLock<Result<FaceModels, String>>>;

/// Where frames come from.
pub enum Camera {
    /// Training stills: the trainer's choice and the persona on the reader.
    Training {
        /// 同一人物 / 別人 / 顔なし.
        input: Arc<Mutex<CameraInput>>,
        /// Persona of the card on the reader.
        placed: Arc<Mutex<Option<String>>>,
    },
    /// No camera configured.
    None,
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
        let frame = match &self.camera {
            Camera::None => return Err(FaceError::Camera("no camera is configured".into())),
            Camera::Training { input, placed } => {
                let input = *input.lock().unwrap_or_else(|p| p.into_inner());
                let persona = placed.lock().unwrap_or_else(|p| p.into_inner()).clone();
                let path = persona
                    .and_then(|p| training_still(input, &p))
                    .ok_or_else(|| FaceError::Camera("no training still for this card".into()))?;
                std::fs::read(&path).map_err(|e| FaceError::Camera(format!("{}: {e}", path.display())))?
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
        // A still camera shows the same picture on every frame.
        for _ in 0..config.max_frames {
            match verifier.submit(models, CameraFrame::Encoded(&frame)) {
                Ok(Step::NeedMore(_)) => continue,
                Ok(Step::Finished(_, conclusion)) => return Ok(verdict(conclusion)),
                Err(e) => return Err(FaceError::Camera(e.to_string())),
            }
        }
        Ok(verdict(verifier.give_up()))
    }
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
