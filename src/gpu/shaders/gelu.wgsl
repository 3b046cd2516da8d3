// GELU, tanh approximation (GPT-2's "gelu_new"), forward and backward, one invocation per element
// (llm.c's gelu_forward / gelu_backward). CPU reference: geluForward / geluBackward in
// src/models/cpu/ops.ts.

const WG: u32 = 256u;
const GELU_SCALE: f32 = 0.7978845608028654; // √(2/π)

struct Params {
  N: u32,
  accumulate: u32, // gelu_backward: 1: dinp += result; 0: dinp = result
}

@group(0) @binding(0) var<uniform> p: Params;

// tanh with its argument clamped: some tanh implementations overflow through exp for large |x|,
// and |x| > 10 is ±1 in f32 anyway.
fn tanh_arg(x: f32) -> f32 {
  return tanh(clamp(GELU_SCALE * (x + 0.044715 * x * x * x), -10.0, 10.0));
}

@group(0) @binding(1) var<storage, read_write> out: array<f32>; // (N)
@group(0) @binding(2) var<storage, read> inp: array<f32>; // (N)

@compute @workgroup_size(WG)
fn gelu_forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.N) { return; }
  let x = inp[i];
  out[i] = 0.5 * x * (1.0 + tanh_arg(x));
}

@group(0) @binding(1) var<storage, read_write> dinp: array<f32>; // (N)
@group(0) @binding(2) var<storage, read> inpB: array<f32>; // (N) the forward's input
@group(0) @binding(3) var<storage, read> dout: array<f32>; // (N)

@compute @workgroup_size(WG)
fn gelu_backward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.N) { return; }
  let x = inpB[i];
  let t = tanh_arg(x);
  let sech2 = 1.0 - t * t; // sech² = 1 − tanh², no cosh overflow
  let localGrad = 0.5 * (1.0 + t) + x * 0.5 * sech2 * GELU_SCALE * (1.0 + 3.0 * 0.044715 * x * x);
  var d = localGrad * dout[i];
  if (p.accumulate == 1u) { d += dinp[i]; }
  dinp[i] = d;
}
