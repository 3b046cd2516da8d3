// Causal multi-head self-attention, forward and backward (llm.c's attention_forward /
// attention_backward). qkv rows hold q|k|v, each C = NH·hs wide; scale = 1/√hs.
// Forward: one invocation per (b, h, query t): scores over keys t2 ≤ t, softmax, weighted sum of v.
// Backward in two kernels so every gradient element has one writer (no float atomics in WGSL):
//   per query row (b,h,t):  datt = dout·vᵀ, dpreatt = att·(datt − Σ att·datt), dq = scale·dpreatt·k
//   per key row (b,h,t2):   dk = scale·Σ_{t≥t2} dpreatt[t,t2]·q[t],  dv = Σ_{t≥t2} att[t,t2]·dout[t]
// Each invocation owns a whole row and loops over the keys (or queries) serially, with no workgroup
// memory and no barriers: on a CPU adapter (SwiftShader) barriers and workgroup memory are emulated
// and cost far more than the short loops (T ≤ a few hundred) they would split; on a GPU the
// B·NH·T rows are enough invocations, and neighbouring invocations (consecutive t of one head) read
// the same k/v rows, so those come from cache. The scores are kept in the att / dpreatt rows (global
// memory) between the passes over the keys.
// Two entry points per kernel: `*_vec4` holds the row's head vectors in registers as vec4s, its width
// HS4 = hs/4 fixed when the pipeline is built (the wrapper uses it when hs % 4 = 0); the scalar one
// takes any hs and re-reads q / the probabilities from memory instead.
// CPU reference: attentionForward / attentionBackward in src/models/cpu/ops.ts.

// #include vec4

override WG: u32; // invocations per workgroup, from the TS wrapper
const MAX_HS4: u32 = 16u; // widest head of the vec4 entries, in vec4s: ATTENTION_VEC4_MAX_HEAD / 4 (attention.ts)

override HS4: u32 = 1u; // head width hs/4 (vec4 entries only)

struct Params { B: u32, T: u32, C: u32, NH: u32 }

@group(0) @binding(0) var<uniform> p: Params;

// The (b, h, t) of row r = (b·NH + h)·T + t; row r of a (B,NH,T,T) tensor starts at r·T.
fn rowCoords(r: u32) -> vec3u {
  return vec3u(r / (p.T * p.NH), (r / p.T) % p.NH, r % p.T);
}

// Index of element d of head h's q (part 0), k (1) or v (2) at row (b,t) of qkv (B,T,3C).
fn qkvIndex(b: u32, t: u32, part: u32, h: u32, d: u32) -> u32 {
  let hs = p.C / p.NH;
  return (b * p.T + t) * 3u * p.C + part * p.C + h * hs + d;
}

// The same for qkv viewed as vec4s (B,T,3C/4); d counts vec4s.
fn qkvIndex4(b: u32, t: u32, part: u32, h: u32, d: u32) -> u32 {
  let C4 = p.C / 4u;
  return (b * p.T + t) * 3u * C4 + part * C4 + h * HS4 + d;
}

@group(0) @binding(1) var<storage, read_write> out: array<f32>; // (B,T,C)
@group(0) @binding(2) var<storage, read_write> att: array<f32>; // (B,NH,T,T) softmax; 0 above the diagonal
@group(0) @binding(3) var<storage, read> inp: array<f32>; // (B,T,3C) q|k|v
@group(0) @binding(1) var<storage, read_write> out4: array<vec4f>; // (B,T,C/4)
@group(0) @binding(3) var<storage, read> inp4: array<vec4f>; // (B,T,3C/4)

// Scales att[a0 .. a0+t] (the exps) by inv = 1/Σ exp and zeroes the rest of the row (above the diagonal).
fn normalizeRow(a0: u32, t: u32, inv: f32) {
  for (var t2 = 0u; t2 <= t; t2++) { att[a0 + t2] *= inv; }
  for (var t2 = t + 1u; t2 < p.T; t2++) { att[a0 + t2] = 0.0; }
}

@compute @workgroup_size(WG)
fn attention_forward_vec4(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= p.B * p.NH * p.T) { return; }
  let c = rowCoords(r);
  let b = c.x;
  let h = c.y;
  let t = c.z;
  let a0 = r * p.T;
  let scale = 1.0 / sqrt(f32(4u * HS4));
  var q: array<vec4f, MAX_HS4>;
  for (var d = 0u; d < HS4; d++) { q[d] = inp4[qkvIndex4(b, t, 0u, h, d)]; }
  var m = -3.4e38;
  for (var t2 = 0u; t2 <= t; t2++) {
    let k0 = qkvIndex4(b, t2, 1u, h, 0u);
    var s = vec4f(0.0);
    for (var d = 0u; d < HS4; d++) { s += q[d] * inp4[k0 + d]; }
    let sc = hsum(s) * scale;
    att[a0 + t2] = sc;
    m = max(m, sc);
  }
  // exp and the unnormalised weighted sum of v in one pass; both are divided by Σ exp after it.
  var o: array<vec4f, MAX_HS4>; // zero-initialised, as WGSL does for every var
  var sum = 0.0;
  for (var t2 = 0u; t2 <= t; t2++) {
    let e = exp(att[a0 + t2] - m);
    att[a0 + t2] = e;
    sum += e;
    let v0 = qkvIndex4(b, t2, 2u, h, 0u);
    for (var d = 0u; d < HS4; d++) { o[d] += e * inp4[v0 + d]; }
  }
  let inv = 1.0 / sum;
  normalizeRow(a0, t, inv);
  let o0 = (b * p.T + t) * (p.C / 4u) + h * HS4;
  for (var d = 0u; d < HS4; d++) { out4[o0 + d] = o[d] * inv; }
}

@compute @workgroup_size(WG)
fn attention_forward(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= p.B * p.NH * p.T) { return; }
  let c = rowCoords(r);
  let b = c.x;
  let h = c.y;
  let t = c.z;
  let a0 = r * p.T;
  let hs = p.C / p.NH;
  let scale = 1.0 / sqrt(f32(hs));
  let q0 = qkvIndex(b, t, 0u, h, 0u);
  var m = -3.4e38;
  for (var t2 = 0u; t2 <= t; t2++) {
    let k0 = qkvIndex(b, t2, 1u, h, 0u);
    var s = 0.0;
    for (var d = 0u; d < hs; d++) { s += inp[q0 + d] * inp[k0 + d]; }
    s *= scale;
    att[a0 + t2] = s;
    m = max(m, s);
  }
  var sum = 0.0;
  for (var t2 = 0u; t2 <= t; t2++) {
    let e = exp(att[a0 + t2] - m);
    att[a0 + t2] = e;
    sum += e;
  }
  normalizeRow(a0, t, 1.0 / sum);
  for (var d = 0u; d < hs; d++) {
    var o = 0.0;
    for (var t2 = 0u; t2 <= t; t2++) { o += att[a0 + t2] * inp[qkvIndex(b, t2, 2u, h, d)]; }
    out[(b * p.T + t) * p.C + h * hs + d] = o;
  }
}

@group(0) @binding(1) var<storage, read_write> dinp: array<f32>; // (B,T,3C) dq|dk|dv; each kernel writes its part
@group(0) @binding(2) var<storage, read_write> dpreatt: array<f32>; // (B,NH,T,T) gradient of the scores
@group(0) @binding(3) var<storage, read> dout: array<f32>; // (B,T,C)
@group(0) @binding(4) var<storage, read> inpB: array<f32>; // (B,T,3C) the forward's q|k|v
@group(0) @binding(5) var<storage, read> attB: array<f32>; // (B,NH,T,T) the forward's softmax
@group(0) @binding(1) var<storage, read_write> dinp4: array<vec4f>; // (B,T,3C/4)
@group(0) @binding(3) var<storage, read> dout4: array<vec4f>; // (B,T,C/4)
@group(0) @binding(4) var<storage, read> inpB4: array<vec4f>; // (B,T,3C/4)

// Per query row (b,h,t): dpreatt[b,h,t,:] and dq[b,t,h,:].
@compute @workgroup_size(WG)
fn attention_backward_query_vec4(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= p.B * p.NH * p.T) { return; }
  let c = rowCoords(r);
  let b = c.x;
  let h = c.y;
  let t = c.z;
  let a0 = r * p.T;
  let scale = 1.0 / sqrt(f32(4u * HS4));
  var g: array<vec4f, MAX_HS4>; // dout[b,t,h,:]
  let g0 = (b * p.T + t) * (p.C / 4u) + h * HS4;
  for (var d = 0u; d < HS4; d++) { g[d] = dout4[g0 + d]; }
  var s = 0.0; // Σ att·datt
  for (var t2 = 0u; t2 <= t; t2++) {
    let v0 = qkvIndex4(b, t2, 2u, h, 0u);
    var acc = vec4f(0.0);
    for (var d = 0u; d < HS4; d++) { acc += g[d] * inpB4[v0 + d]; }
    let datt = hsum(acc);
    dpreatt[a0 + t2] = datt;
    s += attB[a0 + t2] * datt;
  }
  var dq: array<vec4f, MAX_HS4>; // zero-initialised
  for (var t2 = 0u; t2 <= t; t2++) {
    let gs = attB[a0 + t2] * (dpreatt[a0 + t2] - s);
    dpreatt[a0 + t2] = gs;
    let k0 = qkvIndex4(b, t2, 1u, h, 0u);
    for (var d = 0u; d < HS4; d++) { dq[d] += gs * inpB4[k0 + d]; }
  }
  for (var t2 = t + 1u; t2 < p.T; t2++) { dpreatt[a0 + t2] = 0.0; }
  let q0 = qkvIndex4(b, t, 0u, h, 0u);
  for (var d = 0u; d < HS4; d++) { dinp4[q0 + d] = dq[d] * scale; }
}

@compute @workgroup_size(WG)
fn attention_backward_query(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= p.B * p.NH * p.T) { return; }
  let c = rowCoords(r);
  let b = c.x;
  let h = c.y;
  let t = c.z;
  let a0 = r * p.T;
  let hs = p.C / p.NH;
  let scale = 1.0 / sqrt(f32(hs));
  let g0 = (b * p.T + t) * p.C + h * hs;
  var s = 0.0; // Σ att·datt
  for (var t2 = 0u; t2 <= t; t2++) {
    let v0 = qkvIndex(b, t2, 2u, h, 0u);
    var datt = 0.0;
    for (var d = 0u; d < hs; d++) { datt += dout[g0 + d] * inpB[v0 + d]; }
    dpreatt[a0 + t2] = datt;
    s += attB[a0 + t2] * datt;
  }
  for (var t2 = 0u; t2 <= t; t2++) { dpreatt[a0 + t2] = attB[a0 + t2] * (dpreatt[a0 + t2] - s); }
  for (var t2 = t + 1u; t2 < p.T; t2++) { dpreatt[a0 + t2] = 0.0; }
  for (var d = 0u; d < hs; d++) {
    var dq = 0.0;
    for (var t2 = 0u; t2 <= t; t2++) { dq += dpreatt[a0 + t2] * inpB[qkvIndex(b, t2, 1u, h, d)]; }
    dinp[qkvIndex(b, t, 0u, h, d)] = dq * scale;
  }
}

@group(0) @binding(1) var<storage, read_write> dinpKV: array<f32>; // (B,T,3C) dq|dk|dv; writes dk, dv
@group(0) @binding(2) var<storage, read> dpreattKV: array<f32>; // (B,NH,T,T) from attention_backward_query
@group(0) @binding(3) var<storage, read> doutKV: array<f32>; // (B,T,C)
@group(0) @binding(4) var<storage, read> inpKV: array<f32>; // (B,T,3C)
@group(0) @binding(5) var<storage, read> attKV: array<f32>; // (B,NH,T,T)
@group(0) @binding(1) var<storage, read_write> dinpKV4: array<vec4f>; // (B,T,3C/4)
@group(0) @binding(3) var<storage, read> doutKV4: array<vec4f>; // (B,T,C/4)
@group(0) @binding(4) var<storage, read> inpKV4: array<vec4f>; // (B,T,3C/4)

// Per key row (b,h,t2): dk[b,t2,h,:] and dv[b,t2,h,:], summed over the queries t ≥ t2.
@compute @workgroup_size(WG)
fn attention_backward_kv_vec4(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= p.B * p.NH * p.T) { return; }
  let c = rowCoords(r);
  let b = c.x;
  let h = c.y;
  let t2 = c.z;
  let scale = 1.0 / sqrt(f32(4u * HS4));
  let C4 = p.C / 4u;
  var dk: array<vec4f, MAX_HS4>; // zero-initialised
  var dv: array<vec4f, MAX_HS4>;
  // att[b,h,t,t2] for t = t2, t2+1, ...: a column, T apart.
  var a = (r - t2) * p.T + t2 * p.T + t2;
  for (var t = t2; t < p.T; t++) {
    let gs = dpreattKV[a];
    let pa = attKV[a];
    let q0 = qkvIndex4(b, t, 0u, h, 0u);
    let g0 = (b * p.T + t) * C4 + h * HS4;
    for (var d = 0u; d < HS4; d++) {
      dk[d] += gs * inpKV4[q0 + d];
      dv[d] += pa * doutKV4[g0 + d];
    }
    a += p.T;
  }
  let k0 = qkvIndex4(b, t2, 1u, h, 0u);
  for (var d = 0u; d < HS4; d++) {
    dinpKV4[k0 + d] = dk[d] * scale;
    dinpKV4[k0 + C4 + d] = dv[d];
  }
}

@compute @workgroup_size(WG)
fn attention_backward_kv(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= p.B * p.NH * p.T) { return; }
  let c = rowCoords(r);
  let b = c.x;
  let h = c.y;
  let t2 = c.z;
  let hs = p.C / p.NH;
  let scale = 1.0 / sqrt(f32(hs));
  let a0 = (r - t2) * p.T + t2; // att[b,h,0,t2]; att[b,h,t,t2] = a0 + t·T
  for (var d = 0u; d < hs; d++) {
    var dk = 0.0;
    var dv = 0.0;
    for (var t = t2; t < p.T; t++) {
      dk += dpreattKV[a0 + t * p.T] * inpKV[qkvIndex(b, t, 0u, h, d)];
      dv += attKV[a0 + t * p.T] * doutKV[(b * p.T + t) * p.C + h * hs + d];
    }
    dinpKV[qkvIndex(b, t2, 1u, h, d)] = dk * scale;
    dinpKV[qkvIndex(b, t2, 2u, h, d)] = dv;
  }
}
