//! 顔検出 — face detection with YuNet (2023mar), giving a box, a score and 5 landmarks per face.
//!
//! Pre- and post-processing follow OpenCV's `FaceDetectorYN`, which the models were trained for:
//! BGR input with raw 0..255 values, padded to a multiple of 32; three heads at strides 8/16/32 with
//! score = √(cls·obj); greedy NMS. Large frames are shrunk so the long side is at most 640 px before
//! detection, and the coordinates are mapped back, so alignment can still sample the full frame.
//!
//! tract plans have a fixed input shape; one plan per padded size is built on first use and cached
//! (a handful of sizes occur in practice: the card photo and the camera's frame size).
//! Deliberately not here: quality decisions (see `quality`) and any tracking across frames.

use std::collections::HashMap;
use std::sync::Mutex;

use tract_onnx::pb;
use zeroize::Zeroize;

use crate::error::ModelError;
use crate::onnx::{self, EmbeddedModel, Plan};
use crate::pixels::RgbImage;

/// Long side of the image the detector sees.
const MAX_DETECT_SIDE: usize = 640;
/// The detector's largest stride; the padded input must be a multiple of it.
const PAD: usize = 32;
const STRIDES: [usize; 3] = [8, 16, 32];
/// Candidates below this are discarded before NMS (OpenCV's default is 0.9; we keep weaker
/// candidates so the quality gate can say "low confidence" rather than "no face").
pub(crate) const CANDIDATE_SCORE: f32 = 0.6;
const NMS_IOU: f32 = 0.3;
/// Bound on cached plans, so odd frame sizes cannot grow memory without limit.
const MAX_PLANS: usize = 6;

/// A face box in image pixels (top-left corner and size).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaceBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// YuNet's five landmarks, in image pixels.
///
/// Order as YuNet emits them: the eye on the image's left, the eye on the image's right, nose tip,
/// mouth corner on the image's left, mouth corner on the image's right.
pub type Landmarks = [[f32; 2]; 5];

/// One detected face.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectedFace {
    pub bbox: FaceBox,
    pub landmarks: Landmarks,
    /// Detector confidence, 0..1.
    pub score: f32,
}

impl DetectedFace {
    /// Distance between the two eye landmarks, in image pixels.
    pub fn inter_eye_distance(&self) -> f32 {
        let [l, r, ..] = self.landmarks;
        (r[0] - l[0]).hypot(r[1] - l[1])
    }

    fn area(&self) -> f32 {
        self.bbox.width * self.bbox.height
    }

    fn iou(&self, other: &DetectedFace) -> f32 {
        let (a, b) = (&self.bbox, &other.bbox);
        let ix = ((a.x + a.width).min(b.x + b.width) - a.x.max(b.x)).max(0.0);
        let iy = ((a.y + a.height).min(b.y + b.height) - a.y.max(b.y)).max(0.0);
        let inter = ix * iy;
        let union = self.area() + other.area() - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }

    fn scale(&mut self, factor: f32) {
        self.bbox.x *= factor;
        self.bbox.y *= factor;
        self.bbox.width *= factor;
        self.bbox.height *= factor;
        for p in &mut self.landmarks {
            p[0] *= factor;
            p[1] *= factor;
        }
    }
}

/// Output positions of the 12 heads, by name, so a re-export with another output order still works.
#[derive(Clone, Copy)]
struct Heads {
    cls: [usize; 3],
    obj: [usize; 3],
    bbox: [usize; 3],
    kps: [usize; 3],
}

impl Heads {
    fn from_proto(proto: &pb::ModelProto, model: &'static str) -> Result<Heads, ModelError> {
        let names: Vec<&str> = proto
            .graph
            .as_ref()
            .map(|g| g.output.iter().map(|o| o.name.as_str()).collect())
            .unwrap_or_default();
        let find = |prefix: &str| -> Result<[usize; 3], ModelError> {
            let mut idx = [0; 3];
            for (slot, stride) in idx.iter_mut().zip(STRIDES) {
                let name = format!("{prefix}_{stride}");
                *slot = names
                    .iter()
                    .position(|n| *n == name)
                    .ok_or_else(|| ModelError::Graph {
                        model,
                        detail: format!("detector output {name} missing"),
                    })?;
            }
            Ok(idx)
        };
        Ok(Heads {
            cls: find("cls")?,
            obj: find("obj")?,
            bbox: find("bbox")?,
            kps: find("kps")?,
        })
    }
}

pub(crate) struct Detector {
    model: EmbeddedModel,
    proto: pb::ModelProto,
    heads: Heads,
    plans: Mutex<HashMap<(usize, usize), Plan>>,
}

impl Detector {
    pub(crate) fn load(model: EmbeddedModel) -> Result<Detector, ModelError> {
        let proto = model.proto()?;
        let heads = Heads::from_proto(&proto, model.name)?;
        Ok(Detector {
            model,
            proto,
            heads,
            plans: Mutex::new(HashMap::new()),
        })
    }

    /// Builds (or reuses) the plan for images of this size, so the first real frame is not slow.
    pub(crate) fn prepare(&self, width: usize, height: usize) -> Result<(), ModelError> {
        let (w, h, _) = detect_size(width, height);
        self.plan_for(w.div_ceil(PAD) * PAD, h.div_ceil(PAD) * PAD)
            .map(drop)
    }

    fn plan_for(&self, pw: usize, ph: usize) -> Result<Plan, ModelError> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still valid.
        let mut plans = self.plans.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(plan) = plans.get(&(pw, ph)) {
            return Ok(plan.clone());
        }
        let plan = self.model.plan(&self.proto, [1, 3, ph, pw])?;
        if plans.len() >= MAX_PLANS {
            plans.clear();
        }
        plans.insert((pw, ph), plan.clone());
        Ok(plan)
    }

    /// All faces with score ≥ [`CANDIDATE_SCORE`], best first, in the coordinates of `img`.
    pub(crate) fn detect(&self, img: &RgbImage) -> Result<Vec<DetectedFace>, ModelError> {
        let (_, _, factor) = detect_size(img.width(), img.height());
        let shrunk;
        let work = if factor < 1.0 {
            shrunk = img.scaled(factor).map_err(|e| ModelError::Engine {
                model: self.model.name,
                detail: e.to_string(),
            })?;
            &shrunk
        } else {
            img
        };
        let (w, h) = (work.width(), work.height());
        let (pw, ph) = (w.div_ceil(PAD) * PAD, h.div_ceil(PAD) * PAD);
        let plan = self.plan_for(pw, ph)?;

        // NCHW, BGR planes, raw 0..255, zero padding right and bottom.
        let mut input = vec![0f32; 3 * ph * pw];
        for (y, row) in work.pixels().chunks_exact(work.width() * 3).take(h).enumerate() {
            for (x, px) in row.chunks_exact(3).take(w).enumerate() {
                let at = y * pw + x;
                input[at] = f32::from(px[2]);
                input[ph * pw + at] = f32::from(px[1]);
                input[2 * ph * pw + at] = f32::from(px[0]);
            }
        }
        let outputs = onnx::run_wiping_input(&plan, self.model.name, &[1, 3, ph, pw], &input);
        input.zeroize();
        let outputs = outputs?;

        let mut faces = Vec::new();
        for (k, &stride) in STRIDES.iter().enumerate() {
            let get = |i: usize| onnx::output_f32(&outputs, i, self.model.name);
            let (cls, obj) = (get(self.heads.cls[k])?, get(self.heads.obj[k])?);
            let (bbox, kps) = (get(self.heads.bbox[k])?, get(self.heads.kps[k])?);
            decode_head(pw / stride, stride as f32, cls, obj, bbox, kps, &mut faces);
        }
        faces.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut kept: Vec<DetectedFace> = Vec::new();
        for face in faces {
            if kept.iter().all(|k| k.iou(&face) <= NMS_IOU) {
                kept.push(face);
            }
        }
        if factor < 1.0 {
            let back = img.width() as f32 / work.width() as f32;
            kept.iter_mut().for_each(|f| f.scale(back));
        }
        Ok(kept)
    }
}

/// Size the detector sees for an image of `width`×`height`, and the shrink factor (≤ 1).
fn detect_size(width: usize, height: usize) -> (usize, usize, f32) {
    let long = width.max(height).max(1);
    if long <= MAX_DETECT_SIDE {
        return (width, height, 1.0);
    }
    let factor = MAX_DETECT_SIDE as f32 / long as f32;
    let w = ((width as f32 * factor).round() as usize).max(1);
    let h = ((height as f32 * factor).round() as usize).max(1);
    (w, h, factor)
}

/// Decodes one stride's head: anchor-free, one prediction per grid cell.
fn decode_head(
    cols: usize,
    stride: f32,
    cls: &[f32],
    obj: &[f32],
    bbox: &[f32],
    kps: &[f32],
    out: &mut Vec<DetectedFace>,
) {
    if cols == 0 {
        return;
    }
    for (idx, (&c, &o)) in cls.iter().zip(obj).enumerate() {
        let score = (c.clamp(0.0, 1.0) * o.clamp(0.0, 1.0)).sqrt();
        if score < CANDIDATE_SCORE {
            continue;
        }
        let (Some(b), Some(k)) = (bbox.get(idx * 4..idx * 4 + 4), kps.get(idx * 10..idx * 10 + 10)) else {
            continue;
        };
        let (row, col) = ((idx / cols) as f32, (idx % cols) as f32);
        let (cx, cy) = ((col + b[0]) * stride, (row + b[1]) * stride);
        let (w, h) = (b[2].exp() * stride, b[3].exp() * stride);
        let mut landmarks = [[0f32; 2]; 5];
        for (n, p) in landmarks.iter_mut().enumerate() {
            *p = [(k[2 * n] + col) * stride, (k[2 * n + 1] + row) * stride];
        }
        out.push(DetectedFace {
            bbox: FaceBox {
                x: cx - w / 2.0,
                y: cy - h / 2.0,
                width: w,
                height: h,
            },
            landmarks,
            score,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_larger_than_640_pixels_are_shrunk_for_detection_only() {
        assert_eq!(detect_size(640, 480), (640, 480, 1.0));
        let (w, h, f) = detect_size(1280, 720);
        assert_eq!((w, h), (640, 360));
        assert!((f - 0.5).abs() < 1e-6);
    }

    #[test]
    fn a_grid_cell_prediction_decodes_to_image_coordinates() {
        // One cell (row 1, col 2) of a 4-column stride-8 grid, offsets 0.5, box exp(0)=1 stride.
        let cls = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.81];
        let obj = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        let mut bbox = vec![0.0; 7 * 4];
        bbox[24..28].copy_from_slice(&[0.5, 0.5, 0.0, 0.0]);
        let kps = vec![0.0; 7 * 10];
        let mut out = Vec::new();
        decode_head(4, 8.0, &cls, &obj, &bbox, &kps, &mut out);
        assert_eq!(out.len(), 1);
        let f = &out[0];
        assert!((f.score - 0.9).abs() < 1e-6);
        assert_eq!(
            f.bbox,
            FaceBox {
                x: 16.0,
                y: 8.0,
                width: 8.0,
                height: 8.0
            }
        );
        assert_eq!(f.landmarks[0], [16.0, 8.0]);
    }
}
