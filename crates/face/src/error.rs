//! Error types of the face crate.
//!
//! Errors are for things that should not happen in a working installation (a corrupted model, an
//! undecodable image, an inference failure). A frame that is merely unsuitable — no face, looking
//! away, blurred — is not an error: it is a [`crate::QualityIssue`] outcome the UI explains.
//! Deliberately not here: any image bytes or embedding values in error messages.

/// Loading or running one of the bundled models failed.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The embedded model bytes do not match the pinned SHA-256 (corrupted or swapped file).
    #[error("embedded {model} model has SHA-256 {actual}, expected {expected}")]
    Checksum {
        model: &'static str,
        expected: &'static str,
        actual: String,
    },
    /// The ONNX graph is not what the loader expects (cannot fold its quantized weights).
    #[error("{model} model graph: {detail}")]
    Graph { model: &'static str, detail: String },
    /// tract refused to build or run the model.
    #[error("{model} inference: {detail}")]
    Engine { model: &'static str, detail: String },
}

/// An image (card photo or camera frame) could not be decoded.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ImageError {
    /// The JPEG 2000 card photo is malformed or uses a feature the decoder lacks.
    #[error("JPEG 2000 card photo: {0}")]
    Jpeg2000(String),
    /// A JPEG/PNG camera frame could not be decoded.
    #[error("camera frame: {0}")]
    Encoded(String),
    /// Raw pixel data whose length does not match the stated size.
    #[error("raw RGBA frame of {width}×{height} needs {expected} bytes, got {actual}")]
    RawLength {
        width: u32,
        height: u32,
        expected: usize,
        actual: usize,
    },
    /// Width or height is zero or beyond what a camera or a card photo can be.
    #[error("image size {width}×{height} is outside 16..=8192 pixels per side")]
    Dimensions { width: u32, height: u32 },
    /// A colour layout the pipeline does not handle (e.g. a 2-channel JPEG 2000 without alpha).
    #[error("unsupported colour layout: {0}")]
    Colour(String),
}

/// The card's face photo (券面AP 顔写真) cannot serve as the reference.
///
/// Any of these means face verification is impossible for this card; the reception falls back to
/// PIN or the staff visual check (目視確認).
#[derive(Debug, thiserror::Error)]
pub enum CardPhotoError {
    #[error(transparent)]
    Decode(#[from] ImageError),
    /// No face was found in the card photo.
    #[error("no face found in the card photo")]
    NoFace,
    /// More than one face was found in the card photo.
    #[error("{0} faces found in the card photo")]
    MultipleFaces(usize),
    #[error(transparent)]
    Model(#[from] ModelError),
}

impl CardPhotoError {
    /// Stable code for the UI and the log (never includes image data).
    pub fn code(&self) -> &'static str {
        match self {
            CardPhotoError::Decode(_) => "face.card_photo_undecodable",
            CardPhotoError::NoFace => "face.card_photo_no_face",
            CardPhotoError::MultipleFaces(_) => "face.card_photo_multiple_faces",
            CardPhotoError::Model(_) => "face.engine_error",
        }
    }

    /// Japanese text for the staff console.
    pub fn message_ja(&self) -> &'static str {
        match self {
            CardPhotoError::Decode(_) => {
                "カードの顔写真を読み取れません。暗証番号または目視確認に切り替えてください"
            }
            CardPhotoError::NoFace | CardPhotoError::MultipleFaces(_) => {
                "カードの顔写真で顔を確認できません。暗証番号または目視確認に切り替えてください"
            }
            CardPhotoError::Model(_) => "顔認証を実行できません。暗証番号または目視確認に切り替えてください",
        }
    }

    /// English text for the staff console.
    pub fn message_en(&self) -> &'static str {
        match self {
            CardPhotoError::Decode(_) => {
                "The card photo cannot be read. Switch to PIN or staff visual check."
            }
            CardPhotoError::NoFace | CardPhotoError::MultipleFaces(_) => {
                "No single face found in the card photo. Switch to PIN or staff visual check."
            }
            CardPhotoError::Model(_) => {
                "Face verification is unavailable. Switch to PIN or staff visual check."
            }
        }
    }
}

/// A camera frame could not be processed at all (as opposed to being of poor quality).
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error(transparent)]
    Decode(#[from] ImageError),
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The verifier already returned its verdict and has dropped the card reference.
    #[error("this verification is already decided; start a new one")]
    AlreadyDecided,
}
