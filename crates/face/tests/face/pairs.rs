//! Accuracy on the bundled test set: same person ≥ 0.5, different people ≤ 0.35, no face → NoFace.

use face::{CardPhotoError, Embedding, FrameAnalysis, QualityGates, QualityIssue, RgbImage};

use crate::{fixture, models, photo, PEOPLE};

/// Every photo and every card of the test set, embedded: (label, identity, is_card, source stem).
fn all_embeddings() -> Vec<(String, &'static str, Embedding)> {
    let mut out = Vec::new();
    for (stem, who) in PEOPLE {
        let analysis = models()
            .analyze(&photo(&format!("{stem}.jpg")), &QualityGates::default())
            .unwrap();
        let FrameAnalysis::Good(good) = analysis else {
            panic!("{stem}: test portrait fails the default gates: {analysis:?}");
        };
        out.push((stem.to_string(), who, good.embedding.clone()));
        let card = fixture(&format!("{stem}_card.jp2"));
        let reference = models().enroll_card_photo(&card).unwrap();
        // The card reference hides its embedding; recover it through the public pipeline instead.
        let img = RgbImage::from_jpeg2000(&card).unwrap();
        let face = models().detect(&img).unwrap().remove(0);
        let embedding = models().embed(&img, &face).unwrap();
        assert!((reference.similarity(&embedding) - 1.0).abs() < 1e-4);
        out.push((format!("{stem}_card"), who, embedding));
    }
    out
}

#[test]
fn every_same_person_pair_scores_at_least_0_5_and_every_different_person_pair_at_most_0_35() {
    let all = all_embeddings();
    let (mut same, mut different) = (Vec::new(), Vec::new());
    for (i, (a, who_a, ea)) in all.iter().enumerate() {
        for (b, who_b, eb) in &all[i + 1..] {
            // A card is never compared with the photo it was cut from (that is not a real pair).
            let source = |l: &str| l.trim_end_matches("_card").to_string();
            if source(a) == source(b) {
                continue;
            }
            let score = ea.cosine(eb);
            if who_a == who_b {
                same.push((score, a.clone(), b.clone()));
            } else {
                different.push((score, a.clone(), b.clone()));
            }
        }
    }
    // person_a ×2 and person_b ×2, each with a card: 4 cross-year pairs per identity, minus none.
    assert_eq!(same.len(), 8, "{same:?}");
    assert_eq!(different.len(), 14 * 13 / 2 - same.len() - 7);
    let lowest = same.iter().map(|s| s.0).fold(f32::INFINITY, f32::min);
    let highest = different.iter().map(|s| s.0).fold(f32::NEG_INFINITY, f32::max);
    println!("same-person min {lowest:.3}, different-person max {highest:.3}");
    for (score, a, b) in &same {
        assert!(*score >= 0.5, "same person {a} vs {b} scored {score:.3}");
    }
    for (score, a, b) in &different {
        assert!(*score <= 0.35, "different people {a} vs {b} scored {score:.3}");
    }
}

#[test]
fn images_without_a_face_give_no_face() {
    for stem in ["chelsea", "coffee"] {
        let analysis = models()
            .analyze(&photo(&format!("{stem}.jpg")), &QualityGates::default())
            .unwrap();
        assert!(
            matches!(
                analysis,
                FrameAnalysis::Rejected {
                    issue: QualityIssue::NoFace,
                    face: None
                }
            ),
            "{stem}: {analysis:?}"
        );
    }
    let blank = RgbImage::from_rgb(640, 480, vec![128; 640 * 480 * 3]).unwrap();
    assert!(models().detect(&blank).unwrap().is_empty());
}

#[test]
fn a_card_photo_without_a_face_is_refused_as_no_face() {
    let err = models()
        .enroll_card_photo(&fixture("chelsea_card.jp2"))
        .unwrap_err();
    assert!(matches!(err, CardPhotoError::NoFace), "{err:?}");
    assert_eq!(err.code(), "face.card_photo_no_face");
}
