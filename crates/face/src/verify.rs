//! 顔認証 — verifying the person at the counter against the card's face photo.
//!
//! [`FaceModels`] is loaded once and kept by the app. A reception creates a [`Verifier`] from the
//! card photo ([`FaceModels::enroll_card_photo`]) and feeds it camera frames; it answers after
//! `frames_required` consecutive frames that pass the quality gates, with the lowest cosine of that
//! run as the score (one lucky frame cannot carry a match). A frame that fails a gate resets the
//! run. Once decided, the card reference is wiped and further frames are refused.
//! Frame pixels, aligned crops and frame embeddings are dropped (and wiped) before `submit` returns;
//! only the per-frame scores (plain numbers) are kept until the verdict.
//! Deliberately not here: camera access, timeouts (time is the caller's), persistence of anything.

use crate::detect::{DetectedFace, Detector, FaceBox};
use crate::error::{CardPhotoError, FrameError, ModelError};
use crate::onnx::{SFACE, YUNET};
use crate::pixels::{CameraFrame, RgbImage};
use crate::quality::{self, QualityGates, QualityIssue};
use crate::recognize::{AlignedFace, Embedding, Recognizer};

/// Default decision threshold on the cosine (face.md §5: between OpenCV's 0.363 and 0.48, inside the
/// measured gap 0.283–0.605). Recalibrate on consented pilot data.
pub const DEFAULT_THRESHOLD: f32 = 0.42;

/// The two models, loaded and optimised once. Keep one per app (it is `Send + Sync`).
pub struct FaceModels {
    detector: Detector,
    recognizer: Recognizer,
}

/// A frame (or photo) that passed the geometric gates, with its embedding.
#[derive(Debug)]
pub struct GoodFace {
    pub face: DetectedFace,
    pub sharpness: f32,
    pub embedding: Embedding,
}

/// The result of analysing one image.
#[derive(Debug)]
pub enum FrameAnalysis {
    Good(Box<GoodFace>),
    /// The image failed a gate; `face` is the face the gate looked at, if any (for an overlay).
    Rejected {
        issue: QualityIssue,
        face: Option<DetectedFace>,
    },
}

impl FaceModels {
    /// Verifies the embedded models' SHA-256, folds their quantized weights and optimises them.
    /// Also prepares the detector for a 200×250 card photo and a 640×480 frame.
    pub fn load() -> Result<FaceModels, ModelError> {
        let models = FaceModels {
            detector: Detector::load(YUNET)?,
            recognizer: Recognizer::load(SFACE)?,
        };
        models.prepare_frame_size(200, 250)?;
        models.prepare_frame_size(640, 480)?;
        Ok(models)
    }

    /// Builds the detector plan for another camera resolution ahead of the first frame.
    pub fn prepare_frame_size(&self, width: usize, height: usize) -> Result<(), ModelError> {
        self.detector.prepare(width, height)
    }

    /// All faces the detector finds (score ≥ 0.6), best first.
    pub fn detect(&self, img: &RgbImage) -> Result<Vec<DetectedFace>, ModelError> {
        self.detector.detect(img)
    }

    /// Aligns `face` and computes its embedding, without any quality gate.
    pub fn embed(&self, img: &RgbImage, face: &DetectedFace) -> Result<Embedding, ModelError> {
        let aligned = align(img, face)?;
        self.recognizer.embed(&aligned)
    }

    /// Detection, all quality gates, alignment and embedding of one image.
    pub fn analyze(&self, img: &RgbImage, gates: &QualityGates) -> Result<FrameAnalysis, ModelError> {
        let faces = self.detector.detect(img)?;
        let face = match quality::select_face(&faces, gates) {
            Ok(face) => face.clone(),
            Err((issue, face)) => {
                return Ok(FrameAnalysis::Rejected {
                    issue,
                    face: face.cloned(),
                });
            }
        };
        let aligned = align(img, &face)?;
        let sharpness = aligned.sharpness();
        if sharpness < gates.min_sharpness {
            return Ok(FrameAnalysis::Rejected {
                issue: QualityIssue::Blurry,
                face: Some(face),
            });
        }
        let embedding = self.recognizer.embed(&aligned)?;
        Ok(FrameAnalysis::Good(Box::new(GoodFace {
            face,
            sharpness,
            embedding,
        })))
    }

    /// Decodes the card's JPEG 2000 face photo and embeds its single face.
    ///
    /// The card photo is the reference, not a live capture: only "exactly one face" is required
    /// (it is small, 200×250, and already frontal by regulation).
    pub fn enroll_card_photo(&self, jpeg2000: &[u8]) -> Result<CardReference, CardPhotoError> {
        let img = RgbImage::from_jpeg2000(jpeg2000)?;
        self.enroll_card_image(&img)
    }

    /// As [`FaceModels::enroll_card_photo`], for an already decoded card photo.
    pub fn enroll_card_image(&self, img: &RgbImage) -> Result<CardReference, CardPhotoError> {
        let faces = self.detector.detect(img)?;
        let lenient = QualityGates {
            min_score: 0.0,
            min_inter_eye_px: 0.0,
            max_roll_deg: 180.0,
            max_yaw_ratio: f32::INFINITY,
            pitch_ratio: (f32::NEG_INFINITY, f32::INFINITY),
            ..QualityGates::default()
        };
        let face = match quality::select_face(&faces, &lenient) {
            Ok(face) => face,
            Err((QualityIssue::MultipleFaces, _)) => return Err(CardPhotoError::MultipleFaces(faces.len())),
            Err(_) => return Err(CardPhotoError::NoFace),
        };
        Ok(CardReference {
            embedding: self.embed(img, face)?,
        })
    }
}

fn align(img: &RgbImage, face: &DetectedFace) -> Result<AlignedFace, ModelError> {
    AlignedFace::warp(img, &face.landmarks).ok_or(ModelError::Engine {
        model: "alignment",
        detail: "degenerate landmarks".into(),
    })
}

/// The card photo's embedding, ready to compare against. Wiped on drop.
#[derive(Debug)]
pub struct CardReference {
    embedding: Embedding,
}

impl CardReference {
    /// Cosine similarity between the card face and another embedding.
    pub fn similarity(&self, other: &Embedding) -> f32 {
        self.embedding.cosine(other)
    }
}

/// Settings of one verification.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VerifyConfig {
    /// Cosine at or above which the person is taken to be the cardholder.
    pub threshold: f32,
    /// Consecutive good frames needed for a verdict (2–3 recommended).
    pub frames_required: usize,
    /// Frames after which the verifier gives up if it could not decide.
    pub max_frames: usize,
    pub gates: QualityGates,
}

impl Default for VerifyConfig {
    fn default() -> Self {
        VerifyConfig {
            threshold: DEFAULT_THRESHOLD,
            frames_required: 3,
            max_frames: 30,
            gates: QualityGates::default(),
        }
    }
}

/// 照合結果 — match or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Match,
    NoMatch,
}

/// The decision with the numbers the staff console shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    pub decision: Decision,
    /// Lowest cosine over the deciding frames.
    pub score: f32,
    pub threshold: f32,
    /// How many consecutive good frames were used.
    pub frames_used: usize,
}

/// How a verification ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Conclusion {
    Decided(Verdict),
    /// No run of good frames long enough within `max_frames` (or the frames ran out).
    /// `last_issue` is the most recent gate failure, for the message to show.
    Inconclusive {
        last_issue: Option<QualityIssue>,
        frames_seen: usize,
    },
}

/// What one frame did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameReport {
    /// The frame's cosine against the card, or the gate it failed.
    pub quality: Result<f32, QualityIssue>,
    /// The face the frame was judged on, for an on-screen box.
    pub face_box: Option<FaceBox>,
    /// Current run of consecutive good frames, and how many are needed.
    pub good_frames: usize,
    pub frames_required: usize,
}

/// The verifier's answer to one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    NeedMore(FrameReport),
    Finished(FrameReport, Conclusion),
}

/// One face verification in progress (one per reception).
#[derive(Debug)]
pub struct Verifier {
    /// `None` once finished: the reference is dropped with the verdict.
    card: Option<CardReference>,
    config: VerifyConfig,
    run: Vec<f32>,
    frames_seen: usize,
    last_issue: Option<QualityIssue>,
}

impl Verifier {
    /// `frames_required` is clamped to 1..=`max_frames`.
    pub fn new(card: CardReference, config: VerifyConfig) -> Verifier {
        let mut config = config;
        config.max_frames = config.max_frames.max(1);
        config.frames_required = config.frames_required.clamp(1, config.max_frames);
        Verifier {
            card: Some(card),
            config,
            run: Vec::with_capacity(config.frames_required),
            frames_seen: 0,
            last_issue: None,
        }
    }

    pub fn config(&self) -> &VerifyConfig {
        &self.config
    }

    /// Decodes and judges one camera frame. The frame is not kept.
    pub fn submit(&mut self, models: &FaceModels, frame: CameraFrame<'_>) -> Result<Step, FrameError> {
        if self.card.is_none() {
            return Err(FrameError::AlreadyDecided);
        }
        let img = RgbImage::from_frame(frame)?;
        self.submit_image(models, &img)
    }

    /// Judges an already decoded frame (e.g. a still image in training).
    pub fn submit_image(&mut self, models: &FaceModels, img: &RgbImage) -> Result<Step, FrameError> {
        let Some(card) = &self.card else {
            return Err(FrameError::AlreadyDecided);
        };
        let analysis = models.analyze(img, &self.config.gates)?;
        self.frames_seen += 1;
        let (quality, face_box) = match analysis {
            FrameAnalysis::Good(good) => {
                // `good` (and its embedding) is dropped and wiped at the end of this arm.
                let score = card.similarity(&good.embedding);
                self.run.push(score);
                (Ok(score), Some(good.face.bbox))
            }
            FrameAnalysis::Rejected { issue, face } => {
                self.run.clear();
                self.last_issue = Some(issue);
                (Err(issue), face.map(|f| f.bbox))
            }
        };
        let report = FrameReport {
            quality,
            face_box,
            good_frames: self.run.len(),
            frames_required: self.config.frames_required,
        };
        if self.run.len() >= self.config.frames_required {
            let score = self.run.iter().copied().fold(f32::INFINITY, f32::min);
            let decision = if score >= self.config.threshold {
                Decision::Match
            } else {
                Decision::NoMatch
            };
            let verdict = Verdict {
                decision,
                score,
                threshold: self.config.threshold,
                frames_used: self.run.len(),
            };
            self.finish();
            return Ok(Step::Finished(report, Conclusion::Decided(verdict)));
        }
        if self.frames_seen >= self.config.max_frames {
            let conclusion = self.give_up();
            return Ok(Step::Finished(report, conclusion));
        }
        Ok(Step::NeedMore(report))
    }

    /// Ends the verification without a verdict (camera closed, patient left, frames ran out).
    pub fn give_up(&mut self) -> Conclusion {
        let conclusion = Conclusion::Inconclusive {
            last_issue: self.last_issue,
            frames_seen: self.frames_seen,
        };
        self.finish();
        conclusion
    }

    fn finish(&mut self) {
        // Dropping the reference wipes the card embedding (ZeroizeOnDrop).
        self.card = None;
        self.run.clear();
    }
}

/// Runs a whole verification over a sequence of frames (training stills, recorded tests).
pub fn verify_frames<'a>(
    models: &FaceModels,
    card: CardReference,
    frames: impl IntoIterator<Item = CameraFrame<'a>>,
    config: VerifyConfig,
) -> Result<Conclusion, FrameError> {
    let mut verifier = Verifier::new(card, config);
    for frame in frames {
        if let Step::Finished(_, conclusion) = verifier.submit(models, frame)? {
            return Ok(conclusion);
        }
    }
    Ok(verifier.give_up())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_models_can_be_shared_between_threads_and_the_verifier_moved_between_them() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<FaceModels>();
        send::<Verifier>();
    }
}
