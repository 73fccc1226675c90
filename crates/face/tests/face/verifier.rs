//! The verifier over consecutive frames: verdicts, resets, give-up and refusal after the verdict.

use face::{
    verify_frames, CameraFrame, Conclusion, Decision, FrameError, QualityIssue, Step, Verifier, VerifyConfig,
    DEFAULT_THRESHOLD,
};

use crate::{fixture, models, testset};

fn verifier_for(card_stem: &str) -> Verifier {
    let card = models()
        .enroll_card_photo(&fixture(&format!("{card_stem}_card.jp2")))
        .unwrap();
    Verifier::new(card, VerifyConfig::default())
}

#[test]
fn the_cardholder_is_matched_after_three_good_frames_with_score_and_threshold() {
    let live = testset("person_b_2.jpg");
    let mut verifier = verifier_for("person_b_1");
    for expected_run in 1..=2 {
        let Step::NeedMore(report) = verifier.submit(models(), CameraFrame::Encoded(&live)).unwrap() else {
            panic!("decided too early");
        };
        assert_eq!(report.good_frames, expected_run);
        assert!(report.quality.is_ok() && report.face_box.is_some());
    }
    let Step::Finished(_, Conclusion::Decided(verdict)) =
        verifier.submit(models(), CameraFrame::Encoded(&live)).unwrap()
    else {
        panic!("no verdict after three good frames");
    };
    assert_eq!(verdict.decision, Decision::Match);
    assert_eq!(verdict.threshold, DEFAULT_THRESHOLD);
    assert_eq!(verdict.frames_used, 3);
    assert!(verdict.score >= 0.5, "{verdict:?}");
}

#[test]
fn another_person_is_not_matched_and_the_score_stays_below_the_threshold() {
    let live = testset("impostor_1.jpg");
    let card = models()
        .enroll_card_photo(&fixture("person_b_1_card.jp2"))
        .unwrap();
    let frames = std::iter::repeat_n(CameraFrame::Encoded(&live), 3);
    let conclusion = verify_frames(models(), card, frames, VerifyConfig::default()).unwrap();
    let Conclusion::Decided(verdict) = conclusion else {
        panic!("{conclusion:?}")
    };
    assert_eq!(verdict.decision, Decision::NoMatch);
    assert!(verdict.score < verdict.threshold);
}

#[test]
fn a_frame_without_a_face_resets_the_run_of_good_frames() {
    let live = testset("person_a_2.jpg");
    let cat = testset("chelsea.jpg");
    let mut verifier = verifier_for("person_a_1");
    assert!(matches!(
        verifier.submit(models(), CameraFrame::Encoded(&live)).unwrap(),
        Step::NeedMore(_)
    ));
    let Step::NeedMore(report) = verifier.submit(models(), CameraFrame::Encoded(&cat)).unwrap() else {
        panic!("decided on a cat");
    };
    assert_eq!(report.quality, Err(QualityIssue::NoFace));
    assert_eq!(report.good_frames, 0);
    let Step::NeedMore(report) = verifier.submit(models(), CameraFrame::Encoded(&live)).unwrap() else {
        panic!("decided after one good frame");
    };
    assert_eq!(report.good_frames, 1);
}

#[test]
fn raw_rgba_frames_are_verified_like_jpeg_frames() {
    let decoded = image::load_from_memory(&testset("person_a_2.jpg"))
        .unwrap()
        .to_rgba8();
    let (width, height) = decoded.dimensions();
    let frame = CameraFrame::Rgba {
        width,
        height,
        pixels: decoded.as_raw(),
    };
    let card = models()
        .enroll_card_photo(&fixture("person_a_1_card.jp2"))
        .unwrap();
    let config = VerifyConfig {
        frames_required: 2,
        ..VerifyConfig::default()
    };
    let conclusion = verify_frames(models(), card, [frame, frame], config).unwrap();
    let Conclusion::Decided(verdict) = conclusion else {
        panic!("{conclusion:?}")
    };
    assert_eq!((verdict.decision, verdict.frames_used), (Decision::Match, 2));
}

#[test]
fn only_faceless_frames_end_inconclusive_with_the_reason_after_max_frames() {
    let cat = testset("chelsea.jpg");
    let card = models()
        .enroll_card_photo(&fixture("astronaut_card.jp2"))
        .unwrap();
    let config = VerifyConfig {
        max_frames: 2,
        ..VerifyConfig::default()
    };
    let mut verifier = Verifier::new(card, config);
    assert!(matches!(
        verifier.submit(models(), CameraFrame::Encoded(&cat)).unwrap(),
        Step::NeedMore(_)
    ));
    let step = verifier.submit(models(), CameraFrame::Encoded(&cat)).unwrap();
    assert_eq!(
        step,
        Step::Finished(
            face::FrameReport {
                quality: Err(QualityIssue::NoFace),
                face_box: None,
                good_frames: 0,
                frames_required: 2
            },
            Conclusion::Inconclusive {
                last_issue: Some(QualityIssue::NoFace),
                frames_seen: 2
            }
        )
    );
    // The card reference is gone: nothing more is accepted.
    let err = verifier.submit(models(), CameraFrame::Encoded(&cat)).unwrap_err();
    assert!(matches!(err, FrameError::AlreadyDecided));
}

#[test]
fn a_verifier_refuses_frames_after_its_verdict() {
    let live = testset("astronaut.jpg");
    let card = models()
        .enroll_card_photo(&fixture("astronaut_card.jp2"))
        .unwrap();
    let mut verifier = Verifier::new(
        card,
        VerifyConfig {
            frames_required: 1,
            ..VerifyConfig::default()
        },
    );
    assert!(matches!(
        verifier.submit(models(), CameraFrame::Encoded(&live)).unwrap(),
        Step::Finished(_, Conclusion::Decided(_))
    ));
    assert!(matches!(
        verifier.submit(models(), CameraFrame::Encoded(&live)),
        Err(FrameError::AlreadyDecided)
    ));
}

#[test]
fn an_undecodable_frame_is_an_error_and_does_not_count_as_a_frame() {
    let mut verifier = verifier_for("person_b_1");
    let err = verifier
        .submit(models(), CameraFrame::Encoded(b"\xFF\xD8 broken"))
        .unwrap_err();
    assert!(matches!(err, FrameError::Decode(_)));
    let live = testset("person_b_2.jpg");
    let Step::NeedMore(report) = verifier.submit(models(), CameraFrame::Encoded(&live)).unwrap() else {
        panic!()
    };
    assert_eq!(report.good_frames, 1);
}
