//! Integration tests of the face crate on the bundled test set (assets/faces/testset) and
//! JPEG 2000 card fixtures (tests/face/fixtures, made by make_fixtures.py).

// Test helpers outside `#[test]` functions: a failed fixture load should panic loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::OnceLock;

use face::{FaceModels, RgbImage};

mod card_photo;
mod gates;
mod golden;
mod pairs;
mod privacy;
mod verifier;

pub fn models() -> &'static FaceModels {
    static MODELS: OnceLock<FaceModels> = OnceLock::new();
    MODELS.get_or_init(|| FaceModels::load().expect("models load"))
}

pub fn testset(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/faces/testset")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/face/fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn photo(name: &str) -> RgbImage {
    RgbImage::from_frame(face::CameraFrame::Encoded(&testset(name))).unwrap()
}

/// The test set's people: (file stem, identity).
pub const PEOPLE: [(&str, &str); 7] = [
    ("person_a_1", "a"),
    ("person_a_2", "a"),
    ("person_b_1", "b"),
    ("person_b_2", "b"),
    ("impostor_1", "obama"),
    ("impostor_2", "sunak"),
    ("astronaut", "collins"),
];

/// Converts to the `image` crate's buffer for test-time manipulation.
pub fn to_buffer(img: &RgbImage) -> image::RgbImage {
    image::RgbImage::from_raw(img.width() as u32, img.height() as u32, img.pixels().to_vec()).unwrap()
}

pub fn from_buffer(buf: image::RgbImage) -> RgbImage {
    RgbImage::from_rgb(buf.width(), buf.height(), buf.into_raw()).unwrap()
}

/// Rotates about the centre by `degrees` (bilinear, grey background), keeping the size.
pub fn rotate(img: &image::RgbImage, degrees: f32) -> image::RgbImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (s, c) = degrees.to_radians().sin_cos();
    image::RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let (dx, dy) = (x as f32 - w / 2.0, y as f32 - h / 2.0);
        let (sx, sy) = (c * dx + s * dy + w / 2.0, -s * dx + c * dy + h / 2.0);
        if sx < 0.0 || sy < 0.0 || sx >= w - 1.0 || sy >= h - 1.0 {
            return image::Rgb([128, 128, 128]);
        }
        let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
        let (fx, fy) = (sx.fract(), sy.fract());
        let p = |xx, yy| img.get_pixel(xx, yy).0.map(f32::from);
        let (a, b, cc, d) = (p(x0, y0), p(x0 + 1, y0), p(x0, y0 + 1), p(x0 + 1, y0 + 1));
        image::Rgb(std::array::from_fn(|k| {
            (a[k] * (1.0 - fx) * (1.0 - fy)
                + b[k] * fx * (1.0 - fy)
                + cc[k] * (1.0 - fx) * fy
                + d[k] * fx * fy)
                .round() as u8
        }))
    })
}

/// A 640×480 grey "camera frame" with each image scaled by its factor and pasted at (x, y).
pub fn camera_frame(parts: &[(&image::RgbImage, f32, i64, i64)]) -> image::RgbImage {
    let mut frame = image::RgbImage::from_pixel(640, 480, image::Rgb([120, 120, 120]));
    for (img, factor, x, y) in parts {
        let (w, h) = (
            (img.width() as f32 * factor) as u32,
            (img.height() as f32 * factor) as u32,
        );
        let scaled = image::imageops::resize(*img, w, h, image::imageops::FilterType::Triangle);
        image::imageops::overlay(&mut frame, &scaled, *x, *y);
    }
    frame
}
