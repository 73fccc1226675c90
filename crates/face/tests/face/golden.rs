//! Golden embedding: guards the dequantization work-around and the whole numeric pipeline
//! (tract version, alignment, preprocessing) against silent drift.

use face::{FrameAnalysis, QualityGates, EMBEDDING_LEN};

use crate::{fixture, models, photo};

#[test]
fn the_embedding_of_a_reference_portrait_matches_the_committed_golden_values_within_1e_3() {
    let golden: Vec<f32> = serde_json::from_slice(&fixture("golden_person_b_2.json")).expect("golden JSON");
    assert_eq!(golden.len(), EMBEDDING_LEN);
    let FrameAnalysis::Good(good) = models()
        .analyze(&photo("person_b_2.jpg"), &QualityGates::default())
        .unwrap()
    else {
        panic!("reference portrait rejected");
    };
    let worst = good
        .embedding
        .as_slice()
        .iter()
        .zip(&golden)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(worst <= 1e-3, "largest difference {worst}");
    let norm: f32 = good
        .embedding
        .as_slice()
        .iter()
        .map(|v| v * v)
        .sum::<f32>()
        .sqrt();
    assert!((norm - 1.0).abs() < 1e-4);
}
