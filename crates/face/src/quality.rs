//! 品質チェック — quality gates a camera frame must pass before it is matched.
//!
//! Matching a bad frame gives a low score that looks like "another person"; the gates turn such
//! frames into explainable outcomes instead ("顔が検出できません", "正面を向いてください", …), so the
//! patient can correct themselves and the staff console shows why nothing happens yet.
//! Pose is judged from the 5 landmarks only (no 3-D head model): roll from the eye line, yaw from how
//! far the nose sits off the eye midpoint, pitch from the eye–nose vs nose–mouth proportions.
//! Deliberately not here: liveness / presentation-attack detection (a photo of the cardholder passes
//! these gates; see face.md §5).

use crate::detect::DetectedFace;

/// Why a frame was not used for matching. Each has a stable code and texts for the UI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QualityIssue {
    /// 顔なし — no face detected at all.
    NoFace,
    /// More than one face of similar size in view.
    MultipleFaces,
    /// A face-like region, but the detector is not confident.
    LowConfidence,
    /// The face is too small (too far from the camera) for a reliable embedding.
    FaceTooSmall,
    /// The head is tilted sideways (roll).
    HeadTilted,
    /// The face is turned left/right or up/down.
    NotFrontal,
    /// The face region is blurred (motion or focus).
    Blurry,
}

impl QualityIssue {
    /// Every issue, for UIs that list them.
    pub const ALL: [QualityIssue; 7] = [
        QualityIssue::NoFace,
        QualityIssue::MultipleFaces,
        QualityIssue::LowConfidence,
        QualityIssue::FaceTooSmall,
        QualityIssue::HeadTilted,
        QualityIssue::NotFrontal,
        QualityIssue::Blurry,
    ];

    /// Stable machine code (for the UI's lookup and the log).
    pub fn code(self) -> &'static str {
        match self {
            QualityIssue::NoFace => "face.no_face",
            QualityIssue::MultipleFaces => "face.multiple_faces",
            QualityIssue::LowConfidence => "face.low_confidence",
            QualityIssue::FaceTooSmall => "face.too_small",
            QualityIssue::HeadTilted => "face.head_tilted",
            QualityIssue::NotFrontal => "face.not_frontal",
            QualityIssue::Blurry => "face.blurry",
        }
    }

    /// Guidance shown to the patient, in Japanese.
    pub fn message_ja(self) -> &'static str {
        match self {
            QualityIssue::NoFace => "顔が検出できません。カメラに顔を向けてください",
            QualityIssue::MultipleFaces => "複数の顔が映っています。お一人でカメラに映ってください",
            QualityIssue::LowConfidence => "顔がはっきり映っていません。明るい所でカメラを見てください",
            QualityIssue::FaceTooSmall => "顔が小さすぎます。カメラに近づいてください",
            QualityIssue::HeadTilted => "顔が傾いています。まっすぐにしてください",
            QualityIssue::NotFrontal => "正面を向いてください",
            QualityIssue::Blurry => "画像がぶれています。動かずにカメラを見てください",
        }
    }

    /// Guidance in English.
    pub fn message_en(self) -> &'static str {
        match self {
            QualityIssue::NoFace => "No face detected. Please face the camera.",
            QualityIssue::MultipleFaces => {
                "More than one face in view. Please stand alone in front of the camera."
            }
            QualityIssue::LowConfidence => {
                "Your face is not clearly visible. Please look at the camera in good light."
            }
            QualityIssue::FaceTooSmall => "Your face is too small. Please come closer to the camera.",
            QualityIssue::HeadTilted => "Your head is tilted. Please hold it straight.",
            QualityIssue::NotFrontal => "Please look straight at the camera.",
            QualityIssue::Blurry => "The image is blurred. Please hold still.",
        }
    }
}

/// Thresholds of the gates. Defaults follow face.md §5 and were checked on the bundled test set:
/// - inter-eye distance 30 px rather than face.md's "about 40": SFace's template puts the eyes
///   35 px apart, so 30 px is still near-native resolution, and the test set's 204×244 portrait
///   (33 px) must pass as a training still;
/// - sharpness 40: the test portraits measure 270–3700 (card-sized crops ≥ 100); a Gaussian blur of
///   σ = 6 px on a 137-px-eye-distance face measures 23, σ = 4 measures 63.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QualityGates {
    /// Minimum detector score (YuNet, 0..1).
    pub min_score: f32,
    /// Minimum distance between the eye landmarks, in frame pixels.
    pub min_inter_eye_px: f32,
    /// Maximum roll (eye line vs horizontal), degrees.
    pub max_roll_deg: f32,
    /// Maximum horizontal offset of the nose from the eye midpoint, as a fraction of the
    /// inter-eye distance (≈ 0 when frontal, ≈ 0.5 at a strong turn).
    pub max_yaw_ratio: f32,
    /// Allowed range of (eye-line→nose) / (nose→mouth-line) distance (≈ 1 when frontal).
    pub pitch_ratio: (f32, f32),
    /// Minimum variance of the Laplacian on the aligned grey crop.
    pub min_sharpness: f32,
    /// A second face counts when its box area is at least this fraction of the main face's.
    pub other_face_area_ratio: f32,
}

impl Default for QualityGates {
    fn default() -> Self {
        QualityGates {
            min_score: 0.9,
            min_inter_eye_px: 30.0,
            max_roll_deg: 20.0,
            max_yaw_ratio: 0.25,
            pitch_ratio: (0.5, 2.0),
            min_sharpness: 40.0,
            other_face_area_ratio: 0.25,
        }
    }
}

/// Rough head pose from the 5 landmarks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoseEstimate {
    pub roll_deg: f32,
    pub yaw_ratio: f32,
    pub pitch_ratio: f32,
}

impl PoseEstimate {
    pub fn from_face(face: &DetectedFace) -> PoseEstimate {
        let [le, re, nose, lm, rm] = face.landmarks;
        let (ex, ey) = (re[0] - le[0], re[1] - le[1]);
        let d2 = (ex * ex + ey * ey).max(f32::EPSILON);
        let d = d2.sqrt();
        let eye_mid = [(le[0] + re[0]) / 2.0, (le[1] + re[1]) / 2.0];
        let mouth_mid = [(lm[0] + rm[0]) / 2.0, (lm[1] + rm[1]) / 2.0];
        // Work in the face's own frame: x along the eye line, y perpendicular (downwards).
        let along = |p: [f32; 2]| ((p[0] - eye_mid[0]) * ex + (p[1] - eye_mid[1]) * ey) / d;
        let across = |p: [f32; 2]| (-(p[0] - eye_mid[0]) * ey + (p[1] - eye_mid[1]) * ex) / d;
        let nose_down = across(nose);
        let mouth_down = across(mouth_mid);
        let nose_to_mouth = mouth_down - nose_down;
        PoseEstimate {
            roll_deg: ey.atan2(ex).to_degrees(),
            yaw_ratio: along(nose) / d,
            pitch_ratio: if nose_to_mouth > f32::EPSILON {
                nose_down / nose_to_mouth
            } else {
                f32::INFINITY
            },
        }
    }
}

/// Applies the geometric gates (everything except sharpness, which needs the aligned crop) and
/// returns the face to match, or the failed gate with the face it judged (for an on-screen box).
pub(crate) fn select_face<'f>(
    faces: &'f [DetectedFace],
    gates: &QualityGates,
) -> Result<&'f DetectedFace, (QualityIssue, Option<&'f DetectedFace>)> {
    // Faces arrive best-score first; the main face is the largest one.
    let main = faces
        .iter()
        .max_by(|a, b| (a.bbox.width * a.bbox.height).total_cmp(&(b.bbox.width * b.bbox.height)))
        .ok_or((QualityIssue::NoFace, None))?;
    let main_area = main.bbox.width * main.bbox.height;
    let others = faces
        .iter()
        .filter(|f| !std::ptr::eq(*f, main))
        .filter(|f| f.bbox.width * f.bbox.height >= gates.other_face_area_ratio * main_area)
        .count();
    if others > 0 {
        return Err((QualityIssue::MultipleFaces, None));
    }
    if main.score < gates.min_score {
        return Err((QualityIssue::LowConfidence, Some(main)));
    }
    if main.inter_eye_distance() < gates.min_inter_eye_px {
        return Err((QualityIssue::FaceTooSmall, Some(main)));
    }
    let pose = PoseEstimate::from_face(main);
    if pose.roll_deg.abs() > gates.max_roll_deg {
        return Err((QualityIssue::HeadTilted, Some(main)));
    }
    let (lo, hi) = gates.pitch_ratio;
    if pose.yaw_ratio.abs() > gates.max_yaw_ratio || !(lo..=hi).contains(&pose.pitch_ratio) {
        return Err((QualityIssue::NotFrontal, Some(main)));
    }
    Ok(main)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::FaceBox;

    fn face(landmarks: [[f32; 2]; 5], score: f32, size: f32) -> DetectedFace {
        DetectedFace {
            bbox: FaceBox {
                x: 0.0,
                y: 0.0,
                width: size,
                height: size,
            },
            landmarks,
            score,
        }
    }

    const FRONTAL: [[f32; 2]; 5] = [
        [100.0, 100.0],
        [160.0, 100.0],
        [130.0, 130.0],
        [108.0, 160.0],
        [152.0, 160.0],
    ];

    #[test]
    fn a_frontal_confident_large_face_passes_the_geometric_gates() {
        let faces = [face(FRONTAL, 0.95, 150.0)];
        assert!(select_face(&faces, &QualityGates::default()).is_ok());
    }

    #[test]
    fn each_geometric_failure_has_its_own_issue() {
        let g = QualityGates::default();
        let select_face =
            |faces: &[DetectedFace], g: &QualityGates| select_face(faces, g).map_err(|e| e.0).map(|_| ());
        assert_eq!(select_face(&[], &g), Err(QualityIssue::NoFace));
        let two = [face(FRONTAL, 0.95, 150.0), face(FRONTAL, 0.95, 120.0)];
        assert_eq!(select_face(&two, &g), Err(QualityIssue::MultipleFaces));
        assert_eq!(
            select_face(&[face(FRONTAL, 0.7, 150.0)], &g),
            Err(QualityIssue::LowConfidence)
        );
        let small = FRONTAL.map(|p| [p[0] / 3.0, p[1] / 3.0]);
        assert_eq!(
            select_face(&[face(small, 0.95, 50.0)], &g),
            Err(QualityIssue::FaceTooSmall)
        );
        let mut turned = FRONTAL;
        turned[2][0] += 25.0;
        assert_eq!(
            select_face(&[face(turned, 0.95, 150.0)], &g),
            Err(QualityIssue::NotFrontal)
        );
        // Rotate the frontal face by 35° about its eye midpoint.
        let (s, c) = 35f32.to_radians().sin_cos();
        let tilted = FRONTAL.map(|p| {
            let (x, y) = (p[0] - 130.0, p[1] - 100.0);
            [130.0 + c * x - s * y, 100.0 + s * x + c * y]
        });
        assert_eq!(
            select_face(&[face(tilted, 0.95, 150.0)], &g),
            Err(QualityIssue::HeadTilted)
        );
    }

    #[test]
    fn a_small_background_face_does_not_count_as_a_second_person() {
        let faces = [face(FRONTAL, 0.95, 150.0), face(FRONTAL, 0.95, 40.0)];
        assert!(select_face(&faces, &QualityGates::default()).is_ok());
    }

    #[test]
    fn every_issue_has_a_distinct_code_and_both_texts() {
        let codes: std::collections::HashSet<_> = QualityIssue::ALL.iter().map(|i| i.code()).collect();
        assert_eq!(codes.len(), QualityIssue::ALL.len());
        for issue in QualityIssue::ALL {
            assert!(!issue.message_ja().is_empty() && !issue.message_en().is_empty());
        }
    }
}
