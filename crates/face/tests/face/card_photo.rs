//! The JPEG 2000 card photo: decoding and detection.

use face::{CardPhotoError, RgbImage};

use crate::{fixture, models, PEOPLE};

#[test]
fn every_jpeg_2000_card_photo_decodes_to_200_by_250_with_exactly_one_confident_face() {
    for (stem, _) in PEOPLE {
        let bytes = fixture(&format!("{stem}_card.jp2"));
        assert!(bytes.len() < 5000, "{stem}: card fixture should be about 4 KB");
        let img = RgbImage::from_jpeg2000(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (200, 250), "{stem}");
        let faces = models().detect(&img).unwrap();
        assert_eq!(faces.len(), 1, "{stem}: {faces:?}");
        assert!(faces[0].score >= 0.9, "{stem}: {:?}", faces[0]);
        // The face sits in the middle of a head-and-shoulders photo.
        let centre_x = faces[0].bbox.x + faces[0].bbox.width / 2.0;
        assert!((70.0..130.0).contains(&centre_x), "{stem}: {:?}", faces[0].bbox);
    }
}

#[test]
fn a_raw_jpeg_2000_codestream_without_the_jp2_wrapper_also_decodes() {
    let jp2 = fixture("person_b_2_card.jp2");
    // The codestream starts at SOC+SIZ (FF 4F FF 51) inside the jp2c box.
    let start = jp2
        .windows(4)
        .position(|w| w == [0xFF, 0x4F, 0xFF, 0x51])
        .unwrap();
    let from_box = RgbImage::from_jpeg2000(&jp2).unwrap();
    let from_stream = RgbImage::from_jpeg2000(&jp2[start..]).unwrap();
    assert_eq!(from_box.pixels(), from_stream.pixels());
}

#[test]
fn a_truncated_card_photo_is_an_undecodable_card_photo() {
    let jp2 = fixture("person_b_2_card.jp2");
    let err = models().enroll_card_photo(&jp2[..60]).unwrap_err();
    assert!(matches!(err, CardPhotoError::Decode(_)), "{err:?}");
    assert_eq!(err.code(), "face.card_photo_undecodable");
    assert!(!err.message_ja().is_empty());
}
