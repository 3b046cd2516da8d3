// LayerNorm over the last dimension (eps 1e-5, weight and bias), forward and backward (llm.c's
// layernorm_forward / layernorm_backward). Rows are independent: one invocation per row sums it
// serially, with no workgroup memory and no barriers (on a CPU adapter, SwiftShader, those are
// emulated and cost more than the row of C ≤ a few hundred they would split). The parameter gradients
// sum over rows, which would race across rows (WGSL has no float atomics), so a second kernel owns
// one column (or one vec4 of columns) per invocation and loops over the rows; beyond
// LAYERNORM_COLUMN_MAX_ROWS rows (layernorm.ts) a workgroup per column tree-reduces them instead, so a
// GPU stays busy when columns are few and rows many.
// `*_vec4` entries read rows as vec4s (the wrapper uses them when C % 4 = 0); the others take any C.
// CPU reference: layernormForward / layernormBackward in src/models/cpu/ops.ts.

// #include reduce
// #include vec4

override WG: u32; // invocations per workgroup, from the TS wrapper
const EPS: f32 = 1e-5;

struct Params {
  BT: u32,
  C: u32,
  accumulate: u32, // layernorm_backward_input: 1: dinp += result; 0: dinp = result
}

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read_write> out: array<f32>; // (BT,C)
@group(0) @binding(2) var<storage, read_write> mean: array<f32>; // (BT)
@group(0) @binding(3) var<storage, read_write> rstd: array<f32>; // (BT)
@group(0) @binding(4) var<storage, read> inp: array<f32>; // (BT,C)
@group(0) @binding(5) var<storage, read> weight: array<f32>; // (C)
@group(0) @binding(6) var<storage, read> bias: array<f32>; // (C)
@group(0) @binding(1) var<storage, read_write> out4: array<vec4f>; // (BT,C/4)
@group(0) @binding(4) var<storage, read> inp4: array<vec4f>; // (BT,C/4)
@group(0) @binding(5) var<storage, read> weight4: array<vec4f>; // (C/4)
@group(0) @binding(6) var<storage, read> bias4: array<vec4f>; // (C/4)

// Two passes (mean, then squared deviations) as the CPU reference does: no cancellation.
@compute @workgroup_size(WG)
fn layernorm_forward_vec4(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= p.BT) { return; }
  let C4 = p.C / 4u;
  let base = r * C4;
  var s = vec4f(0.0);
  for (var c = 0u; c < C4; c++) { s += inp4[base + c]; }
  let m = hsum(s) / f32(p.C);
  var v = vec4f(0.0);
  for (var c = 0u; c < C4; c++) {
    let d = inp4[base + c] - m;
    v += d * d;
  }
  let rs = 1.0 / sqrt(hsum(v) / f32(p.C) + EPS);
  for (var c = 0u; c < C4; c++) { out4[base + c] = (inp4[base + c] - m) * rs * weight4[c] + bias4[c]; }
  mean[r] = m;
  rstd[r] = rs;
}

@compute @workgroup_size(WG)
fn layernorm_forward(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= p.BT) { return; }
  let base = r * p.C;
  var s = 0.0;
  for (var c = 0u; c < p.C; c++) { s += inp[base + c]; }
  let m = s / f32(p.C);
  var v = 0.0;
  for (var c = 0u; c < p.C; c++) {
    let d = inp[base + c] - m;
    v += d * d;
  }
  let rs = 1.0 / sqrt(v / f32(p.C) + EPS);
  for (var c = 0u; c < p.C; c++) { out[base + c] = (inp[base + c] - m) * rs * weight[c] + bias[c]; }
  mean[r] = m;
  rstd[r] = rs;
}

@group(0) @binding(1) var<storage, read_write> dinp: array<f32>; // (BT,C)
@group(0) @binding(2) var<storage, read> dout: array<f32>; // (BT,C)
@group(0) @binding(3) var<storage, read> inpB: array<f32>; // (BT,C) the forward's input
@group(0) @binding(4) var<storage, read> weightB: array<f32>; // (C)
@group(0) @binding(5) var<storage, read> meanB: array<f32>; // (BT)
@group(0) @binding(6) var<storage, read> rstdB: array<f32>; // (BT)
@group(0) @binding(1) var<storage, read_write> dinp4: array<vec4f>; // (BT,C/4)
@group(0) @binding(2) var<storage, read> dout4: array<vec4f>; // (BT,C/4)
@group(0) @binding(3) var<storage, read> inpB4: array<vec4f>; // (BT,C/4)
@group(0) @binding(4) var<storage, read> weightB4: array<vec4f>; // (C/4)

// dinp = rstd·(w·dout − mean(w·dout) − norm·mean(w·dout·norm)), norm = (inp − mean)·rstd.
@compute @workgroup_size(WG)
fn layernorm_backward_input_vec4(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= p.BT) { return; }
  let C4 = p.C / 4u;
  let base = r * C4;
  let m = meanB[r];
  let rs = rstdB[r];
  var a = vec4f(0.0);
  var b = vec4f(0.0);
  for (var c = 0u; c < C4; c++) {
    let dnorm = weightB4[c] * dout4[base + c];
    a += dnorm;
    b += dnorm * (inpB4[base + c] - m) * rs;
  }
  let ma = hsum(a) / f32(p.C);
  let mb = hsum(b) / f32(p.C);
  for (var c = 0u; c < C4; c++) {
    let norm = (inpB4[base + c] - m) * rs;
    var d = (weightB4[c] * dout4[base + c] - ma - norm * mb) * rs;
    if (p.accumulate == 1u) { d += dinp4[base + c]; }
    dinp4[base + c] = d;
  }
}

@compute @workgroup_size(WG)
fn layernorm_backward_input(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= p.BT) { return; }
  let base = r * p.C;
  let m = meanB[r];
  let rs = rstdB[r];
  var a = 0.0;
  var b = 0.0;
  for (var c = 0u; c < p.C; c++) {
    let dnorm = weightB[c] * dout[base + c];
    a += dnorm;
    b += dnorm * (inpB[base + c] - m) * rs;
  }
  let ma = a / f32(p.C);
  let mb = b / f32(p.C);
  for (var c = 0u; c < p.C; c++) {
    let norm = (inpB[base + c] - m) * rs;
    var d = (weightB[c] * dout[base + c] - ma - norm * mb) * rs;
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
@group(0) @binding(1) var<storage, read_write> dweight4: array<vec4f>; // (C/4)
@group(0) @binding(2) var<storage, read_write> dbias4: array<vec4f>; // (C/4)
@group(0) @binding(3) var<storage, read> doutP4: array<vec4f>; // (BT,C/4)
@group(0) @binding(4) var<storage, read> inpP4: array<vec4f>; // (BT,C/4)

// dweight[c] += Σ_rows dout·norm, dbias[c] += Σ_rows dout: one invocation per 4 columns.
@compute @workgroup_size(WG)
fn layernorm_backward_params_vec4(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  let C4 = p.C / 4u;
  if (c >= C4) { return; }
  var a = vec4f(0.0);
  var b = vec4f(0.0);
  for (var r = 0u; r < p.BT; r++) {
    let d = doutP4[r * C4 + c];
    a += d * (inpP4[r * C4 + c] - meanP[r]) * rstdP[r];
    b += d;
  }
  dweight4[c] += a;
  dbias4[c] += b;
}

// The same, one invocation per column.
@compute @workgroup_size(WG)
fn layernorm_backward_params(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= p.C) { return; }
  var a = 0.0;
  var b = 0.0;
  for (var r = 0u; r < p.BT; r++) {
    let d = doutP[r * p.C + c];
    a += d * (inpP[r * p.C + c] - meanP[r]) * rstdP[r];
    b += d;
  }
  dweight[c] += a;
  dbias[c] += b;
}

// The same for many rows: one workgroup per column c, its rows tree-reduced in workgroup memory.
@compute @workgroup_size(WG)
fn layernorm_backward_params_tree(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  var ab = vec2f(0.0); // (Σ dout·norm, Σ dout) over this invocation's rows
  for (var r = lid; r < p.BT; r += WG) {
    let d = doutP[r * p.C + c];
    ab += vec2f(d * (inpP[r * p.C + c] - meanP[r]) * rstdP[r], d);
  }
  ab = workgroup_sum2(lid, ab);
  if (lid == 0u) {
    dweight[c] += ab.x;
    dbias[c] += ab.y;
  }
}
