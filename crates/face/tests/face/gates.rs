//! Quality gates on manipulated real portraits: each kind of bad frame gets its own outcome.

use face::{FrameAnalysis, QualityGates, QualityIssue, RgbImage};

use crate::{camera_frame, from_buffer, models, photo, rotate, to_buffer};

fn issue_of(img: &RgbImage) -> Option<QualityIssue> {
    match models().analyze(img, &QualityGates::default()).unwrap() {
        FrameAnalysis::Good(_) => None,
        FrameAnalysis::Rejected { issue, .. } => Some(issue),
    }
}

#[test]
fn a_well_placed_face_in_a_640_by_480_frame_passes_every_gate() {
    let portrait = to_buffer(&photo("person_b_2.jpg"));
    let frame = from_buffer(camera_frame(&[(&portrait, 0.5, 150, 10)]));
    assert_eq!(issue_of(&frame), None);
}

#[test]
fn a_strongly_blurred_face_is_rejected_as_blurry() {
    let portrait = to_buffer(&photo("person_b_2.jpg"));
    let blurred = from_buffer(image::imageops::blur(&portrait, 8.0));
    assert_eq!(issue_of(&blurred), Some(QualityIssue::Blurry));
}

#[test]
fn a_face_far_from_the_camera_is_rejected_as_too_small() {
    let portrait = to_buffer(&photo("person_b_2.jpg"));
    let frame = from_buffer(camera_frame(&[(&portrait, 0.18, 260, 160)]));
    assert_eq!(issue_of(&frame), Some(QualityIssue::FaceTooSmall));
}

#[test]
fn a_head_tilted_by_40_degrees_is_rejected_as_tilted() {
    let portrait = to_buffer(&photo("person_b_2.jpg"));
    assert_eq!(
        issue_of(&from_buffer(rotate(&portrait, 40.0))),
        Some(QualityIssue::HeadTilted)
    );
    // A slight tilt is fine: alignment removes roll.
    assert_eq!(issue_of(&from_buffer(rotate(&portrait, 10.0))), None);
}

#[test]
fn two_people_side_by_side_are_rejected_as_multiple_faces() {
    let b = to_buffer(&photo("person_b_2.jpg"));
    let a = to_buffer(&photo("person_a_2.jpg"));
    let frame = from_buffer(camera_frame(&[(&b, 0.4, 20, 50), (&a, 0.4, 340, 50)]));
    assert_eq!(issue_of(&frame), Some(QualityIssue::MultipleFaces));
}

#[test]
fn a_stricter_detector_score_gate_turns_a_good_face_into_low_confidence() {
    let gates = QualityGates {
        min_score: 0.99,
        ..QualityGates::default()
    };
    let analysis = models().analyze(&photo("person_b_2.jpg"), &gates).unwrap();
    assert!(matches!(
        analysis,
        FrameAnalysis::Rejected {
            issue: QualityIssue::LowConfidence,
            face: Some(_)
        }
    ));
}
