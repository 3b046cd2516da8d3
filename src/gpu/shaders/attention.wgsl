// Causal multi-head self-attention, forward and backward (llm.c's attention_forward /
// attention_backward). qkv rows hold q|k|v, each C = NH·hs wide; scale = 1/√hs.
// Forward: one workgroup per (b, h, query t): scores over keys t2 ≤ t, softmax, weighted sum of v.
// Backward in two kernels so every gradient element has one writer (no float atomics in WGSL):
//   per query row (b,h,t):  datt = dout·vᵀ, dpreatt = att·(datt − Σ att·datt), dq = scale·dpreatt·k
//   per key row (b,h,t2):   dk = scale·Σ_{t≥t2} dpreatt[t,t2]·q[t],  dv = Σ_{t≥t2} att[t,t2]·dout[t]
// CPU reference: attentionForward / attentionBackward in src/models/cpu/ops.ts.

const WG: u32 = 64u;
const MAX_T: u32 = 256u; // longest sequence (workgroup arrays below)
const MAX_HS: u32 = 256u; // widest head

struct Params { B: u32, T: u32, C: u32, NH: u32 }

@group(0) @binding(0) var<uniform> p: Params;

var<workgroup> rowT: array<f32, MAX_T>; // one score / probability / gradient per key
var<workgroup> rowHs: array<f32, MAX_HS>; // one head-width vector (q or dout)
var<workgroup> red: array<f32, WG>;

fn reduce_max(lid: u32) -> f32 {
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn reduce_sum(lid: u32) -> f32 {
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

// Index of element d of head h's q (part 0), k (1) or v (2) at row (b,t) of qkv (B,T,3C).
fn qkvIndex(b: u32, t: u32, part: u32, h: u32, d: u32) -> u32 {
  let hs = p.C / p.NH;
  return (b * p.T + t) * 3u * p.C + part * p.C + h * hs + d;
}

// Index of att[b,h,t,t2] in (B,NH,T,T).
fn attIndex(b: u32, h: u32, t: u32, t2: u32) -> u32 {
  return ((b * p.NH + h) * p.T + t) * p.T + t2;
}

@group(0) @binding(1) var<storage, read_write> out: array<f32>; // (B,T,C)
@group(0) @binding(2) var<storage, read_write> att: array<f32>; // (B,NH,T,T) softmax; 0 above the diagonal
@group(0) @binding(3) var<storage, read> inp: array<f32>; // (B,T,3C) q|k|v

@compute @workgroup_size(WG)
fn attention_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  let t = wid.x % p.T;
  let h = (wid.x / p.T) % p.NH;
  let b = wid.x / (p.T * p.NH);
  let hs = p.C / p.NH;
  let scale = 1.0 / sqrt(f32(hs));
  for (var d = lid; d < hs; d += WG) { rowHs[d] = inp[qkvIndex(b, t, 0u, h, d)]; }
  workgroupBarrier();
  var m = -3.4e38;
  for (var t2 = lid; t2 <= t; t2 += WG) {
    var s = 0.0;
    for (var d = 0u; d < hs; d++) { s += rowHs[d] * inp[qkvIndex(b, t2, 1u, h, d)]; }
    s *= scale;
    rowT[t2] = s;
    m = max(m, s);
  }
  red[lid] = m;
  m = reduce_max(lid);
  var sum = 0.0;
  for (var t2 = lid; t2 <= t; t2 += WG) {
    let e = exp(rowT[t2] - m);
    rowT[t2] = e;
    sum += e;
  }
  red[lid] = sum;
  let inv = 1.0 / reduce_sum(lid);
  for (var t2 = lid; t2 < p.T; t2 += WG) {
    var a = 0.0;
    if (t2 <= t) {
      a = rowT[t2] * inv;
      rowT[t2] = a;
    }
    att[attIndex(b, h, t, t2)] = a;
  }
  workgroupBarrier();
  for (var d = lid; d < hs; d += WG) {
    var o = 0.0;
    for (var t2 = 0u; t2 <= t; t2++) { o += rowT[t2] * inp[qkvIndex(b, t2, 2u, h, d)]; }
    out[(b * p.T + t) * p.C + h * hs + d] = o;
  }
}

@group(0) @binding(1) var<storage, read_write> dinp: array<f32>; // (B,T,3C) dq|dk|dv; each kernel writes its part
@group(0) @binding(2) var<storage, read_write> dpreatt: array<f32>; // (B,NH,T,T) gradient of the scores
@group(0) @binding(3) var<storage, read> dout: array<f32>; // (B,T,C)
@group(0) @binding(4) var<storage, read> inpB: array<f32>; // (B,T,3C) the forward's q|k|v
@group(0) @binding(5) var<storage, read> attB: array<f32>; // (B,NH,T,T) the forward's softmax

// Per query row (b,h,t): dpreatt[b,h,t,:] and dq[b,t,h,:].
@compute @workgroup_size(WG)
fn attention_backward_query(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  let t = wid.x % p.T;
  let h = (wid.x / p.T) % p.NH;
  let b = wid.x / (p.T * p.NH);
  let hs = p.C / p.NH;
  let scale = 1.0 / sqrt(f32(hs));
  for (var d = lid; d < hs; d += WG) { rowHs[d] = dout[(b * p.T + t) * p.C + h * hs + d]; }
  workgroupBarrier();
  var s = 0.0; // Σ att·datt over this invocation's keys
  for (var t2 = lid; t2 <= t; t2 += WG) {
    var datt = 0.0;
    for (var d = 0u; d < hs; d++) { datt += rowHs[d] * inpB[qkvIndex(b, t2, 2u, h, d)]; }
    rowT[t2] = datt;
    s += attB[attIndex(b, h, t, t2)] * datt;
  }
  red[lid] = s;
  s = reduce_sum(lid);
  for (var t2 = lid; t2 < p.T; t2 += WG) {
    var g = 0.0;
    if (t2 <= t) {
      g = attB[attIndex(b, h, t, t2)] * (rowT[t2] - s);
      rowT[t2] = g;
    }
    dpreatt[attIndex(b, h, t, t2)] = g;
  }
  workgroupBarrier();
  for (var d = lid; d < hs; d += WG) {
    var dq = 0.0;
    for (var t2 = 0u; t2 <= t; t2++) { dq += rowT[t2] * inpB[qkvIndex(b, t2, 1u, h, d)]; }
    dinp[qkvIndex(b, t, 0u, h, d)] = dq * scale;
  }
}

@group(0) @binding(1) var<storage, read_write> dinpKV: array<f32>; // (B,T,3C) dq|dk|dv; writes dk, dv
@group(0) @binding(2) var<storage, read> dpreattKV: array<f32>; // (B,NH,T,T) from attention_backward_query
@group(0) @binding(3) var<storage, read> doutKV: array<f32>; // (B,T,C)
@group(0) @binding(4) var<storage, read> inpKV: array<f32>; // (B,T,3C)
@group(0) @binding(5) var<storage, read> attKV: array<f32>; // (B,NH,T,T)

// Per key row (b,h,t2): dk[b,t2,h,:] and dv[b,t2,h,:]; invocations 0..hs-1 do dk, hs..2hs-1 dv.
@compute @workgroup_size(WG)
fn attention_backward_kv(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  let t2 = wid.x % p.T;
  let h = (wid.x / p.T) % p.NH;
  let b = wid.x / (p.T * p.NH);
  let hs = p.C / p.NH;
  let scale = 1.0 / sqrt(f32(hs));
  for (var j = lid; j < 2u * hs; j += WG) {
    var g = 0.0;
    if (j < hs) {
      for (var t = t2; t < p.T; t++) { g += dpreattKV[attIndex(b, h, t, t2)] * inpKV[qkvIndex(b, t, 0u, h, j)]; }
      dinpKV[qkvIndex(b, t2, 1u, h, j)] = g * scale;
    } else {
      let d = j - hs;
      for (var t = t2; t < p.T; t++) {
        g += attKV[attIndex(b, h, t, t2)] * doutKV[(b * p.T + t) * p.C + h * hs + d];
      }
      dinpKV[qkvIndex(b, t2, 2u, h, d)] = g;
    }
  }
}
