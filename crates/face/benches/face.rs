//! Face verification timings on this machine: model load (once), per-frame detection, align+embed,
//! and a whole verification (card JP2 decode + enrol, then 3 JPEG camera frames) — reported as a
//! ratio to detection alone, the named peer. Also two verifications at once on the 2 cores.
//!
//! Run: `cargo bench -p face` (release). Prints min / median over repeats.

// A benchmark binary: panicking on a broken fixture is the right failure mode.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use face::{verify_frames, CameraFrame, Conclusion, FaceModels, RgbImage, VerifyConfig};

/// The benchmark's one clock adapter.
#[allow(clippy::disallowed_methods)] // benchmarks measure wall time; nothing else reads the clock
fn now() -> Instant {
    Instant::now()
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, f64) {
    let mut samples: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(samples[0]), ms(samples[samples.len() / 2]))
}

/// A 640×480 grey frame with the portrait at half size, JPEG-encoded like a webview capture.
fn camera_jpeg(portrait: &[u8]) -> Vec<u8> {
    let img = image::load_from_memory(portrait).unwrap().to_rgb8();
    let scaled = image::imageops::resize(
        &img,
        img.width() / 2,
        img.height() / 2,
        image::imageops::FilterType::Triangle,
    );
    let mut frame = image::RgbImage::from_pixel(640, 480, image::Rgb([120, 120, 120]));
    image::imageops::overlay(&mut frame, &scaled, 150, 10);
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&frame)
        .unwrap();
    out
}

fn main() {
    let t = now();
    let models = FaceModels::load().unwrap();
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    println!("model load (SHA-256 check, dequantize, optimise SFace + YuNet 224×256 and 640×480 plans): {load_ms:.0} ms (once)");

    let card = read("tests/face/fixtures/person_b_1_card.jp2");
    let jpeg = camera_jpeg(&read("../../assets/faces/testset/person_b_2.jpg"));
    let frame = RgbImage::from_frame(CameraFrame::Encoded(&jpeg)).unwrap();
    let card_img = RgbImage::from_jpeg2000(&card).unwrap();
    let face = models.detect(&frame).unwrap().remove(0);

    let reps = 15;
    let (dec_min, dec_med) = time(reps, || {
        RgbImage::from_frame(CameraFrame::Encoded(&jpeg)).unwrap()
    });
    println!("decode JPEG frame 640×480: min {dec_min:.1} ms, median {dec_med:.1} ms");
    let (j2k_min, j2k_med) = time(reps, || RgbImage::from_jpeg2000(&card).unwrap());
    println!("decode JP2 card 200×250: min {j2k_min:.1} ms, median {j2k_med:.1} ms");
    let (det_min, det_med) = time(reps, || models.detect(&frame).unwrap());
    println!("detect, frame 640×480: min {det_min:.1} ms, median {det_med:.1} ms");
    let (dc_min, dc_med) = time(reps, || models.detect(&card_img).unwrap());
    println!("detect, card 200×250: min {dc_min:.1} ms, median {dc_med:.1} ms");
    let (emb_min, emb_med) = time(reps, || models.embed(&frame, &face).unwrap());
    println!("align + embed: min {emb_min:.1} ms, median {emb_med:.1} ms");

    let config = VerifyConfig::default();
    let verify_once = || {
        let reference = models.enroll_card_photo(&card).unwrap();
        let frames = std::iter::repeat_n(CameraFrame::Encoded(&jpeg), config.frames_required);
        let conclusion = verify_frames(&models, reference, frames, config).unwrap();
        assert!(matches!(conclusion, Conclusion::Decided(_)));
    };
    let (ver_min, ver_med) = time(7, verify_once);
    println!(
        "whole verification (card decode+enrol, {} frames decode+detect+gates+embed): min {ver_min:.1} ms, median {ver_med:.1} ms",
        config.frames_required
    );
    println!(
        "ratio: verification/detection = {:.2} (verification {ver_min:.1} ms, detection {det_min:.1} ms)",
        ver_min / det_min
    );

    // Two receptions at once (two counters, one PC): tract runs single-threaded, so each
    // verification takes one of the two cores.
    let (par_min, _) = time(5, || {
        std::thread::scope(|s| {
            let a = s.spawn(verify_once);
            let b = s.spawn(verify_once);
            a.join().unwrap();
            b.join().unwrap();
        })
    });
    println!(
        "ratio: two parallel verifications/one = {:.2} (two at once {par_min:.1} ms, one {ver_min:.1} ms, 2 cores)",
        par_min / ver_min
    );
}
