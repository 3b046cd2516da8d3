// The kernels of a KV-cached decode step (one new position per row): the embedding of the new token,
// attention of its one query over the row's cached keys/values (appending this position's key and
// value first), and a matmul for few rows with the layer's next step fused in (bias, GELU or the
// residual add). Every row is at the same position `pos` (see src/gpu/generate.ts).
// CPU reference: encoderForward / attentionForward / matmulForward / geluForward / residualForward
// (src/models/cpu/ops.ts), at the last position.

// #include gelu
// #include reduce
// #include vec4

override WG: u32; // invocations per workgroup, from the TS wrapper
override MAX_T: u32; // longest context attention_decode's score buffer holds, from the TS wrapper

struct Params { rows: u32, C: u32, NH: u32, Tmax: u32, pos: u32 }

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read_write> x: array<f32>; // (rows, C) wte[token] + wpe[pos]
@group(0) @binding(2) var<storage, read> tokens: array<i32>; // (rows, Tmax)
@group(0) @binding(3) var<storage, read> wte: array<f32>; // (V, C)
@group(0) @binding(4) var<storage, read> wpe: array<f32>; // (Tmax, C)

@compute @workgroup_size(WG)
fn encoder_decode(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.rows * p.C) { return; }
  let r = i / p.C;
  let c = i % p.C;
  let tok = u32(max(tokens[r * p.Tmax + p.pos], 0));
  x[i] = wte[tok * p.C + c] + wpe[p.pos * p.C + c];
}

@group(0) @binding(1) var<storage, read_write> out: array<f32>; // (rows, C) attention output, heads side by side
@group(0) @binding(2) var<storage, read_write> kCache: array<f32>; // (rows, NH, Tmax, hs)
@group(0) @binding(3) var<storage, read_write> vCache: array<f32>; // (rows, NH, Tmax, hs)
@group(0) @binding(4) var<storage, read> qkv: array<f32>; // (rows, 3C) this position's q | k | v

var<workgroup> s_att: array<f32, MAX_T>;

// One workgroup per (row, head): softmax(q·k_t/√hs) over t ≤ pos, then Σ_t att_t·v_t.
@compute @workgroup_size(WG)
fn attention_decode(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x / p.NH;
  let h = wid.x % p.NH;
  if (r >= p.rows) { return; }
  let hs = p.C / p.NH;
  let C3 = 3u * p.C;
  let cacheBase = (r * p.NH + h) * p.Tmax * hs; // (t, d) of this row and head
  let qBase = r * C3 + h * hs;
  for (var d = lid; d < hs; d += WG) {
    kCache[cacheBase + p.pos * hs + d] = qkv[qBase + p.C + d];
    vCache[cacheBase + p.pos * hs + d] = qkv[qBase + 2u * p.C + d];
  }
  storageBarrier();
  let scale = 1.0 / sqrt(f32(hs));
  var m = -3.4e38;
  for (var t = lid; t <= p.pos; t += WG) {
    var s = 0.0;
    for (var d = 0u; d < hs; d++) { s += qkv[qBase + d] * kCache[cacheBase + t * hs + d]; }
    s *= scale;
    s_att[t] = s;
    m = max(m, s);
  }
  let rowMax = workgroup_max(lid, m);
  var sum = 0.0;
  for (var t = lid; t <= p.pos; t += WG) {
    let e = exp(s_att[t] - rowMax);
    s_att[t] = e;
    sum += e;
  }
  let inv = 1.0 / workgroup_sum(lid, sum);
  for (var d = lid; d < hs; d += WG) {
    var acc = 0.0;
    for (var t = 0u; t <= p.pos; t++) { acc += s_att[t] * vCache[cacheBase + t * hs + d]; }
    out[r * p.C + h * hs + d] = acc * inv;
  }
}

// out (M,N) = epilogue(a (M,K) · W + bias): one invocation per output, the row of `a` staged in
// workgroup memory, W read along n (coalesced). With M = the rows of a rollout (tens), matmul.wgsl's 32×32
// output tiles would compute mostly padding. Epilogues fuse what follows each linear layer in a block.
const EPI_BIAS: u32 = 0u; // + bias
const EPI_GELU: u32 = 1u; // GELU(· + bias)
const EPI_RESIDUAL: u32 = 2u; // res + · + bias
const EPI_NONE: u32 = 3u; // nothing (the tied LM head)
override EPILOGUE: u32 = 0u;
override TRANS_B: bool = false; // W stored (N,K) (wte for the LM head) instead of (K,N)
// A LayerNorm of each row of A fused in front (the layer's ln_1 / ln_2, or ln_f before the LM head), so
// the normalised row is never written out: LN_NONE, or its statistics in layernorm_forward's order
// (LN_SCALAR) or layernorm_forward_vec4's (LN_VEC4, K % 4 = 0), so the result is the unfused one.
const LN_NONE: u32 = 0u;
const LN_SCALAR: u32 = 1u;
const LN_VEC4: u32 = 2u;
override LN: u32 = 0u;
const LN_EPS: f32 = 1e-5; // layernorm.wgsl's EPS

struct MmParams { M: u32, N: u32, K: u32 }

@group(0) @binding(0) var<uniform> pm: MmParams;
@group(0) @binding(1) var<storage, read_write> mmOut: array<f32>; // (M,N)
@group(0) @binding(2) var<storage, read> mmA: array<f32>; // (M,K)
@group(0) @binding(3) var<storage, read> mmW: array<f32>; // (K,N), or (N,K) when TRANS_B
@group(0) @binding(4) var<storage, read> mmBias: array<f32>; // (N); unread for EPI_NONE
@group(0) @binding(5) var<storage, read> mmRes: array<f32>; // (M,N); read for EPI_RESIDUAL only
@group(0) @binding(6) var<storage, read> mmLnW: array<f32>; // (K) LayerNorm weight; read unless LN_NONE
@group(0) @binding(7) var<storage, read> mmLnB: array<f32>; // (K) LayerNorm bias

var<workgroup> s_row: array<f32, WG>;
var<workgroup> s_ln: vec2f; // (mean, rstd) of row m

fn vec4_at(base: u32, c: u32) -> vec4f {
  let i = base + 4u * c;
  return vec4f(mmA[i], mmA[i + 1u], mmA[i + 2u], mmA[i + 3u]);
}

// Row m's LayerNorm mean and rstd, summed in the order of layernorm.wgsl's kernels (one invocation).
fn ln_stats(m: u32) -> vec2f {
  let base = m * pm.K;
  if (LN == LN_VEC4) {
    let K4 = pm.K / 4u;
    var s = vec4f(0.0);
    for (var c = 0u; c < K4; c++) { s += vec4_at(base, c); }
    let mean = hsum(s) / f32(pm.K);
    var v = vec4f(0.0);
    for (var c = 0u; c < K4; c++) {
      let d = vec4_at(base, c) - mean;
      v += d * d;
    }
    return vec2f(mean, 1.0 / sqrt(hsum(v) / f32(pm.K) + LN_EPS));
  }
  var s = 0.0;
  for (var k = 0u; k < pm.K; k++) { s += mmA[base + k]; }
  let mean = s / f32(pm.K);
  var v = 0.0;
  for (var k = 0u; k < pm.K; k++) {
    let d = mmA[base + k] - mean;
    v += d * d;
  }
  return vec2f(mean, 1.0 / sqrt(v / f32(pm.K) + LN_EPS));
}

@compute @workgroup_size(WG)
fn matmul_decode(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  let n = wid.x * WG + lid;
  let m = wid.y;
  var acc = 0.0;
  if (LN != LN_NONE) {
    if (lid == 0u) { s_ln = ln_stats(m); }
    workgroupBarrier();
  }
  let st = s_ln;
  for (var k0 = 0u; k0 < pm.K; k0 += WG) {
    let k = k0 + lid;
    var a = 0.0;
    if (k < pm.K) {
      a = mmA[m * pm.K + k];
      if (LN != LN_NONE) { a = (a - st.x) * st.y * mmLnW[k] + mmLnB[k]; }
    }
    s_row[lid] = a;
    workgroupBarrier();
    if (n < pm.N) {
      let kEnd = min(WG, pm.K - k0);
      for (var kk = 0u; kk < kEnd; kk++) {
        let k = k0 + kk;
        var wv: f32;
        if (TRANS_B) { wv = mmW[n * pm.K + k]; } else { wv = mmW[k * pm.N + n]; }
        acc += s_row[kk] * wv;
      }
    }
    workgroupBarrier();
  }
  if (n >= pm.N) { return; }
  if (EPILOGUE == EPI_NONE) {
    mmOut[m * pm.N + n] = acc;
    return;
  }
  let v = acc + mmBias[n];
  if (EPILOGUE == EPI_GELU) {
    mmOut[m * pm.N + n] = gelu(v);
  } else if (EPILOGUE == EPI_RESIDUAL) {
    mmOut[m * pm.N + n] = mmRes[m * pm.N + n] + v;
  } else {
    mmOut[m * pm.N + n] = v;
  }
}
