//! 顔照合 — alignment to 112×112 and the SFace (2021dec) 128-d embedding.
//!
//! Alignment is OpenCV's `FaceRecognizerSF::alignCrop`: a least-squares similarity transform (rotation,
//! uniform scale, translation; no reflection) of the 5 detector landmarks onto the ArcFace template,
//! then a bilinear warp with a black border. SFace takes the RGB crop as raw 0..255 and normalises
//! internally. The embedding is L2-normalised, so the cosine is a plain dot product.
//! Deliberately not here: thresholds and decisions (see `verify`), and any way to serialise an
//! embedding — templates are never stored.

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::detect::Landmarks;
use crate::error::ModelError;
use crate::onnx::{self, EmbeddedModel, Plan};
use crate::pixels::RgbImage;

/// Side of the aligned crop SFace expects.
pub(crate) const CROP: usize = 112;
pub const EMBEDDING_LEN: usize = 128;

/// Where the 5 landmarks land in the 112×112 crop (OpenCV's ArcFace template).
const TEMPLATE: Landmarks = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
];

/// x' = a·x − b·y + tx, y' = b·x + a·y + ty.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Similarity {
    a: f32,
    b: f32,
    tx: f32,
    ty: f32,
}

impl Similarity {
    /// Least-squares fit of `src` onto the template (closed-form Umeyama for 2-D without reflection).
    pub(crate) fn fit(src: &Landmarks) -> Option<Similarity> {
        let n = src.len() as f32;
        let mean = |pts: &Landmarks| {
            let (sx, sy) = pts.iter().fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
            (sx / n, sy / n)
        };
        let ((sx, sy), (dx, dy)) = (mean(src), mean(&TEMPLATE));
        let (mut num_a, mut num_b, mut den) = (0.0, 0.0, 0.0);
        for (s, d) in src.iter().zip(&TEMPLATE) {
            let (x, y) = (s[0] - sx, s[1] - sy);
            let (u, v) = (d[0] - dx, d[1] - dy);
            num_a += x * u + y * v;
            num_b += x * v - y * u;
            den += x * x + y * y;
        }
        // Degenerate landmarks (all in one point) cannot be aligned.
        if den <= f32::EPSILON {
            return None;
        }
        let (a, b) = (num_a / den, num_b / den);
        Some(Similarity {
            a,
            b,
            tx: dx - (a * sx - b * sy),
            ty: dy - (b * sx + a * sy),
        })
    }

    /// Maps a crop coordinate back to the source image.
    fn inverse(&self, u: f32, v: f32) -> (f32, f32) {
        let det = self.a * self.a + self.b * self.b;
        let (uu, vv) = (u - self.tx, v - self.ty);
        (
            (self.a * uu + self.b * vv) / det,
            (-self.b * uu + self.a * vv) / det,
        )
    }
}

/// A 112×112 aligned face crop, planar RGB f32 0..255; wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct AlignedFace {
    planes: Vec<f32>,
}

impl AlignedFace {
    pub(crate) fn warp(img: &RgbImage, landmarks: &Landmarks) -> Option<AlignedFace> {
        let t = Similarity::fit(landmarks)?;
        let mut planes = vec![0f32; 3 * CROP * CROP];
        for v in 0..CROP {
            for u in 0..CROP {
                let (x, y) = t.inverse(u as f32, v as f32);
                let (x0, y0) = (x.floor(), y.floor());
                let (fx, fy) = (x - x0, y - y0);
                let (xi, yi) = (x0 as isize, y0 as isize);
                for c in 0..3 {
                    let val = img.sample(xi, yi, c) * (1.0 - fx) * (1.0 - fy)
                        + img.sample(xi + 1, yi, c) * fx * (1.0 - fy)
                        + img.sample(xi, yi + 1, c) * (1.0 - fx) * fy
                        + img.sample(xi + 1, yi + 1, c) * fx * fy;
                    planes[c * CROP * CROP + v * CROP + u] = val;
                }
            }
        }
        Some(AlignedFace { planes })
    }

    /// Variance of the Laplacian of the grey crop's central part — a standard focus measure.
    /// Measured on the aligned crop, so it is comparable across image sizes and face distances.
    pub(crate) fn sharpness(&self) -> f32 {
        let plane = CROP * CROP;
        let grey = |x: usize, y: usize| {
            let i = y * CROP + x;
            0.299 * self.planes[i] + 0.587 * self.planes[plane + i] + 0.114 * self.planes[2 * plane + i]
        };
        // Eyes-to-mouth region; the crop's corners may be black border.
        let (lo, hi) = (24, 100);
        let (mut sum, mut sum_sq, mut n) = (0f64, 0f64, 0f64);
        for y in lo..hi {
            for x in lo..hi {
                let lap =
                    grey(x - 1, y) + grey(x + 1, y) + grey(x, y - 1) + grey(x, y + 1) - 4.0 * grey(x, y);
                sum += f64::from(lap);
                sum_sq += f64::from(lap) * f64::from(lap);
                n += 1.0;
            }
        }
        let mean = sum / n;
        (sum_sq / n - mean * mean) as f32
    }
}

/// A 128-d face embedding (L2-normalised). Lives only in memory and is wiped on drop; it
/// deliberately has no serialisation.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Embedding {
    values: [f32; EMBEDDING_LEN],
}

impl std::fmt::Debug for Embedding {
    // Never print the template itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Embedding(..)")
    }
}

impl Embedding {
    /// Cosine similarity in −1..=1 (dot product of unit vectors).
    pub fn cosine(&self, other: &Embedding) -> f32 {
        self.values.iter().zip(&other.values).map(|(a, b)| a * b).sum()
    }

    /// The values, for golden tests and diagnostics. Do not persist them.
    pub fn as_slice(&self) -> &[f32] {
        &self.values
    }
}

pub(crate) struct Recognizer {
    name: &'static str,
    plan: Plan,
}

impl Recognizer {
    pub(crate) fn load(model: EmbeddedModel) -> Result<Recognizer, ModelError> {
        let proto = model.proto()?;
        let plan = model.plan(&proto, [1, 3, CROP, CROP])?;
        Ok(Recognizer {
            name: model.name,
            plan,
        })
    }

    pub(crate) fn embed(&self, face: &AlignedFace) -> Result<Embedding, ModelError> {
        let outputs = onnx::run_wiping_input(&self.plan, self.name, &[1, 3, CROP, CROP], &face.planes)?;
        let raw = onnx::output_f32(&outputs, 0, self.name)?;
        let mut values = [0f32; EMBEDDING_LEN];
        if raw.len() != EMBEDDING_LEN {
            return Err(ModelError::Engine {
                model: self.name,
                detail: format!("embedding has {} values, expected {EMBEDDING_LEN}", raw.len()),
            });
        }
        values.copy_from_slice(raw);
        let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
        if !norm.is_finite() || norm <= f32::EPSILON {
            values.zeroize();
            return Err(ModelError::Engine {
                model: self.name,
                detail: "embedding has zero or non-finite norm".into(),
            });
        }
        values.iter_mut().for_each(|v| *v /= norm);
        Ok(Embedding { values })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landmarks_already_on_the_template_give_the_identity_transform() {
        let t = Similarity::fit(&TEMPLATE).unwrap();
        assert!((t.a - 1.0).abs() < 1e-4 && t.b.abs() < 1e-4);
        assert!(t.tx.abs() < 1e-3 && t.ty.abs() < 1e-3);
    }

    #[test]
    fn a_face_twice_as_large_and_shifted_maps_back_onto_the_template() {
        let src = TEMPLATE.map(|p| [2.0 * p[0] + 100.0, 2.0 * p[1] + 40.0]);
        let t = Similarity::fit(&src).unwrap();
        let (x, y) = t.inverse(TEMPLATE[2][0], TEMPLATE[2][1]);
        assert!((x - src[2][0]).abs() < 1e-2 && (y - src[2][1]).abs() < 1e-2);
    }

    #[test]
    fn collapsed_landmarks_cannot_be_aligned() {
        assert!(Similarity::fit(&[[5.0, 5.0]; 5]).is_none());
    }
}
