//! face — offline face verification (顔認証) of the person at the counter against the My Number
//! card's face photo (券面AP DF27, JPEG 2000).
//!
//! Pipeline (design and measurements in `shared/docs/face.md`): decode → YuNet 2023mar detection with
//! 5 landmarks → quality gates → similarity-transform alignment to 112×112 → SFace 2021dec 128-d
//! embedding → cosine against the card photo's embedding → a verdict over consecutive good frames.
//! Inference runs in pure Rust with tract-onnx; both models are compiled into the binary and checked
//! against their SHA-256 when loaded. Nothing is fetched at build or run time.
//!
//! Privacy: frames, crops and embeddings exist only in memory, are wiped on drop, and have no
//! serialisation; nothing here touches the file system.
//!
//! Deliberately not here: camera capture, the reception flow's `FaceMatcher` port (the app adapts
//! [`Verifier`] to it), liveness detection, and any persistence.
//!
//! ```no_run
//! use face::{CameraFrame, FaceModels, Verifier, VerifyConfig, Step};
//! # fn demo(card_jp2: &[u8], jpeg: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! let models = FaceModels::load()?; // once per app
//! let mut verifier = Verifier::new(models.enroll_card_photo(card_jp2)?, VerifyConfig::default());
//! match verifier.submit(&models, CameraFrame::Encoded(jpeg))? {
//!     Step::NeedMore(report) => { /* show report.quality's message, send the next frame */ }
//!     Step::Finished(_, conclusion) => { /* verdict with score and threshold */ }
//! }
//! # Ok(()) }
//! ```

mod detect;
mod error;
mod onnx;
mod pixels;
mod quality;
mod recognize;
mod verify;

pub use detect::{DetectedFace, FaceBox, Landmarks};
pub use error::{CardPhotoError, FrameError, ImageError, ModelError};
pub use pixels::{CameraFrame, RgbImage};
pub use quality::{PoseEstimate, QualityGates, QualityIssue};
pub use recognize::{Embedding, EMBEDDING_LEN};
pub use verify::{
    verify_frames, CardReference, Conclusion, Decision, FaceModels, FrameAnalysis, FrameReport, GoodFace,
    Step, Verdict, Verifier, VerifyConfig, DEFAULT_THRESHOLD,
};
