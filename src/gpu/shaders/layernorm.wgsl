// LayerNorm over the last dimension (eps 1e-5, weight and bias), forward and backward (llm.c's
// layernorm_forward / layernorm_backward). Rows are independent: one workgroup per row, its sums
// tree-reduced in workgroup memory. The parameter gradients sum over rows, which would race across
// row workgroups (WGSL has no float atomics), so a second kernel owns one column per workgroup.
// CPU reference: layernormForward / layernormBackward in src/models/cpu/ops.ts.

const WG: u32 = 64u;
const EPS: f32 = 1e-5;

struct Params {
  BT: u32,
  C: u32,
  accumulate: u32, // layernorm_backward_input: 1: dinp += result; 0: dinp = result
}

@group(0) @binding(0) var<uniform> p: Params;

var<workgroup> s_a: array<f32, WG>;
var<workgroup> s_b: array<f32, WG>;

// Tree-reduces s_a and s_b (sums) together; every invocation returns both.
fn reduce_sum2(lid: u32) -> vec2f {
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      s_a[lid] += s_a[lid + s];
      s_b[lid] += s_b[lid + s];
    }
    workgroupBarrier();
  }
  let r = vec2f(s_a[0], s_b[0]);
  workgroupBarrier();
  return r;
}

@group(0) @binding(1) var<storage, read_write> out: array<f32>; // (BT,C)
@group(0) @binding(2) var<storage, read_write> mean: array<f32>; // (BT)
@group(0) @binding(3) var<storage, read_write> rstd: array<f32>; // (BT)
@group(0) @binding(4) var<storage, read> inp: array<f32>; // (BT,C)
@group(0) @binding(5) var<storage, read> weight: array<f32>; // (C)
@group(0) @binding(6) var<storage, read> bias: array<f32>; // (C)

@compute @workgroup_size(WG)
fn layernorm_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let r = wid.x;
  let lid = lid3.x;
  let base = r * p.C;
  var s = 0.0;
  for (var c = lid; c < p.C; c += WG) { s += inp[base + c]; }
  s_a[lid] = s;
  s_b[lid] = 0.0;
  let m = reduce_sum2(lid).x / f32(p.C);
  // Two passes (mean, then squared deviations) as the CPU reference does: no cancellation.
  var v = 0.0;
  for (var c = lid; c < p.C; c += WG) {
    let d = inp[base + c] - m;
    v += d * d;
  }
  s_a[lid] = v;
  let rs = 1.0 / sqrt(reduce_sum2(lid).x / f32(p.C) + EPS);
  for (var c = lid; c < p.C; c += WG) { out[base + c] = (inp[base + c] - m) * rs * weight[c] + bias[c]; }
  if (lid == 0u) {
    mean[r] = m;
    rstd[r] = rs;
  }
}

@group(0) @binding(1) var<storage, read_write> dinp: array<f32>; // (BT,C)
@group(0) @binding(2) var<storage, read> dout: array<f32>; // (BT,C)
@group(0) @binding(3) var<storage, read> inpB: array<f32>; // (BT,C) the forward's input
@group(0) @binding(4) var<storage, read> weightB: array<f32>; // (C)
@group(0) @binding(5) var<storage, read> meanB: array<f32>; // (BT)
@group(0) @binding(6) var<storage, read> rstdB: array<f32>; // (BT)

// dinp = rstd·(w·dout − mean(w·dout) − norm·mean(w·dout·norm)), norm = (inp − mean)·rstd.
@compute @workgroup_size(WG)
fn layernorm_backward_input(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let r = wid.x;
  let lid = lid3.x;
  let base = r * p.C;
  let m = meanB[r];
  let rs = rstdB[r];
  var a = 0.0;
  var b = 0.0;
  for (var c = lid; c < p.C; c += WG) {
    let dnorm = weightB[c] * dout[base + c];
    a += dnorm;
    b += dnorm * (inpB[base + c] - m) * rs;
  }
  s_a[lid] = a;
  s_b[lid] = b;
  let sums = reduce_sum2(lid) / f32(p.C);
  for (var c = lid; c < p.C; c += WG) {
    let norm = (inpB[base + c] - m) * rs;
    var d = (weightB[c] * dout[base + c] - sums.x - norm * sums.y) * rs;
    if (p.accumulate == 1u) { d += dinp[base + c]; }
    dinp[base + c] = d;
  }
}

@group(0) @binding(1) var<storage, read_write> dweight: array<f32>; // (C)
@group(0) @binding(2) var<storage, read_write> dbias: array<f32>; // (C)
@group(0) @binding(3) var<storage, read> doutP: array<f32>; // (BT,C)
@group(0) @binding(4) var<storage, read> inpP: array<f32>; // (BT,C) the forward's input
@group(0) @binding(5) var<storage, read> meanP: array<f32>; // (BT)
@group(0) @binding(6) var<storage, read> rstdP: array<f32>; // (BT)

// dweight[c] += Σ_rows dout·norm, dbias[c] += Σ_rows dout: one workgroup per column c.
@compute @workgroup_size(WG)
fn layernorm_backward_params(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let c = wid.x;
  let lid = lid3.x;
  var a = 0.0;
  var b = 0.0;
  for (var r = lid; r < p.BT; r += WG) {
    let d = doutP[r * p.C + c];
    a += d * (inpP[r * p.C + c] - meanP[r]) * rstdP[r];
    b += d;
  }
  s_a[lid] = a;
  s_b[lid] = b;
  let sums = reduce_sum2(lid);
  if (lid == 0u) {
    dweight[c] += sums.x;
    dbias[c] += sums.y;
  }
}
