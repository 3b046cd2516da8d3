// Matrix multiply for every linear layer, forward and backward, and the tied LM head:
//   out (M,N) = [out +] op(A) (M,K) · op(B) (K,N) [+ bias (N)]
// where op(A) reads A stored (M,K), or (K,M) when TRANS_A, and op(B) reads B stored (K,N), or
// (N,K) when TRANS_B. With those two flags one kernel covers
//   forward        out = inp·W + b            (BT,C)·(C,OC)
//   dinp           dinp = dout·Wᵀ             TRANS_B
//   dweight        dW += inpᵀ·dout            TRANS_A, accumulate
//   LM head        logits = x·wteᵀ            TRANS_B
//   LM head dwte   dwte += dlogitsᵀ·x         TRANS_A, accumulate
// Each invocation computes a RB×RB block of outputs in registers straight from global memory, with
// no workgroup memory and no barriers: on a CPU adapter (SwiftShader) barriers and workgroup memory
// are emulated and cost far more than the loads they save; on a GPU the reuse across the workgroup
// comes from the L1 cache instead (neighbouring invocations read the same A rows and adjacent B
// columns), and vec4 loads need fewer load instructions per FMA.
// Rows and columns past the edge are clamped to the last valid one for loading (so the k loop has no
// bounds checks) and skipped on store.
// Two entry points: `matmul_vec4` loads and stores vec4s, for the layouts where every row it reads is
// a whole number of vec4s (the wrapper checks: N % 4 = 0 and K % 4 = 0, or M % 4 = 0 when TRANS_A);
// `matmul` reads scalars and takes any shape.
// CPU reference: matmulForward / matmulBackward and lmHeadForward / lmHeadBackward in
// src/models/cpu/ops.ts. The bias gradient is matmul_bias.wgsl.

override WG: u32; // invocations per workgroup edge (WG×WG per workgroup), from the TS wrapper
const RB: u32 = 4u; // outputs per invocation per edge (the 4×4 register block below): a WG·RB square tile

override TRANS_A: bool = false;
override TRANS_B: bool = false;

struct Params {
  M: u32,
  N: u32,
  K: u32,
  hasBias: u32, // 1: add bias[n]
  accumulate: u32, // 1: out += result; 0: out = result
}

@group(0) @binding(0) var<uniform> p: Params;
// `matmul` views the buffers as scalars, `matmul_vec4` as vec4s (each entry point uses one set).
@group(0) @binding(1) var<storage, read_write> out: array<f32>; // (M,N)
@group(0) @binding(2) var<storage, read> a: array<f32>; // (M,K), or (K,M) when TRANS_A
@group(0) @binding(3) var<storage, read> b: array<f32>; // (K,N), or (N,K) when TRANS_B
@group(0) @binding(4) var<storage, read> bias: array<f32>; // (N); read only when hasBias = 1
@group(0) @binding(1) var<storage, read_write> out4: array<vec4<f32>>; // (M,N/4)
@group(0) @binding(2) var<storage, read> a4: array<vec4<f32>>; // (M,K/4), or (K,M/4) when TRANS_A
@group(0) @binding(3) var<storage, read> b4: array<vec4<f32>>; // (K,N/4), or (N,K/4) when TRANS_B
@group(0) @binding(4) var<storage, read> bias4: array<vec4<f32>>; // (N/4)

// Writes up to 4 outputs of row m from column n0 (those < N), adding bias and the old value as asked.
fn storeRow(m: u32, n0: u32, v: vec4<f32>) {
  if (m >= p.M) { return; }
  for (var j = 0u; j < RB; j++) {
    let n = n0 + j;
    if (n >= p.N) { return; }
    var x = v[j];
    if (p.hasBias == 1u) { x += bias[n]; }
    if (p.accumulate == 1u) { x += out[m * p.N + n]; }
    out[m * p.N + n] = x;
  }
}

@compute @workgroup_size(WG, WG)
fn matmul(@builtin(global_invocation_id) gid: vec3u) {
  let m0 = gid.y * RB;
  let n0 = gid.x * RB;
  if (m0 >= p.M || n0 >= p.N) { return; }
  // op(A)[m][k] = a[m·sam + k·sak], op(B)[k][n] = b[k·sbk + n·sbn].
  let sam = select(p.K, 1u, TRANS_A);
  let sak = select(1u, p.M, TRANS_A);
  let sbk = select(p.N, 1u, TRANS_B);
  let sbn = select(1u, p.K, TRANS_B);
  let lane = vec4u(0u, 1u, 2u, 3u);
  let ia = min(m0 + lane, vec4u(p.M - 1u)) * sam; // (4) row starts, clamped to the last row
  let ib = min(n0 + lane, vec4u(p.N - 1u)) * sbn; // (4) column starts, clamped to the last column
  var acc0 = vec4<f32>(0.0); // row m0, columns n0..n0+3
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  var ka = 0u; // offset of depth k in a row of op(A)
  var kb = 0u; // offset of depth k in a column of op(B)
  // Four depths per iteration (fewer loop-carried updates), then the K % 4 remainder.
  let K4 = p.K & ~3u;
  var k = 0u;
  for (; k < K4; k += 4u) {
    let av0 = vec4<f32>(a[ia.x + ka], a[ia.y + ka], a[ia.z + ka], a[ia.w + ka]);
    let bv0 = vec4<f32>(b[ib.x + kb], b[ib.y + kb], b[ib.z + kb], b[ib.w + kb]);
    let ka1 = ka + sak;
    let kb1 = kb + sbk;
    let av1 = vec4<f32>(a[ia.x + ka1], a[ia.y + ka1], a[ia.z + ka1], a[ia.w + ka1]);
    let bv1 = vec4<f32>(b[ib.x + kb1], b[ib.y + kb1], b[ib.z + kb1], b[ib.w + kb1]);
    let ka2 = ka1 + sak;
    let kb2 = kb1 + sbk;
    let av2 = vec4<f32>(a[ia.x + ka2], a[ia.y + ka2], a[ia.z + ka2], a[ia.w + ka2]);
    let bv2 = vec4<f32>(b[ib.x + kb2], b[ib.y + kb2], b[ib.z + kb2], b[ib.w + kb2]);
    let ka3 = ka2 + sak;
    let kb3 = kb2 + sbk;
    let av3 = vec4<f32>(a[ia.x + ka3], a[ia.y + ka3], a[ia.z + ka3], a[ia.w + ka3]);
    let bv3 = vec4<f32>(b[ib.x + kb3], b[ib.y + kb3], b[ib.z + kb3], b[ib.w + kb3]);
    acc0 += av0.x * bv0 + av1.x * bv1 + av2.x * bv2 + av3.x * bv3;
    acc1 += av0.y * bv0 + av1.y * bv1 + av2.y * bv2 + av3.y * bv3;
    acc2 += av0.z * bv0 + av1.z * bv1 + av2.z * bv2 + av3.z * bv3;
    acc3 += av0.w * bv0 + av1.w * bv1 + av2.w * bv2 + av3.w * bv3;
    ka = ka3 + sak;
    kb = kb3 + sbk;
  }
  for (; k < p.K; k++) {
    let av = vec4<f32>(a[ia.x + ka], a[ia.y + ka], a[ia.z + ka], a[ia.w + ka]);
    let bv = vec4<f32>(b[ib.x + kb], b[ib.y + kb], b[ib.z + kb], b[ib.w + kb]);
    acc0 += av.x * bv;
    acc1 += av.y * bv;
    acc2 += av.z * bv;
    acc3 += av.w * bv;
    ka += sak;
    kb += sbk;
  }
  storeRow(m0, n0, acc0);
  storeRow(m0 + 1u, n0, acc1);
  storeRow(m0 + 2u, n0, acc2);
  storeRow(m0 + 3u, n0, acc3);
}

// Writes the 4 outputs of row m at vec4 column c (all < N since N % 4 = 0).
fn storeRow4(m: u32, c: u32, v: vec4<f32>) {
  if (m >= p.M) { return; }
  let i = m * (p.N / 4u) + c;
  var x = v;
  if (p.hasBias == 1u) { x += bias4[c]; }
  if (p.accumulate == 1u) { x += out4[i]; }
  out4[i] = x;
}

@compute @workgroup_size(WG, WG)
fn matmul_vec4(@builtin(global_invocation_id) gid: vec3u) {
  let m0 = gid.y * RB;
  let c = gid.x; // vec4 column: output columns 4c..4c+3
  let N4 = p.N / 4u;
  if (m0 >= p.M || c >= N4) { return; }
  var acc0 = vec4<f32>(0.0); // row m0, columns 4c..4c+3
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  if (TRANS_A) {
    // A (K,M), M % 4 = 0: rows m0..m0+3 of op(A) at depth k are one vec4 (all < M since m0 < M).
    let M4 = p.M / 4u;
    var ia = m0 / 4u;
    var ib = c;
    // Four depths per iteration, then the K % 4 remainder (K is any size here).
    let K4 = p.K & ~3u;
    var k = 0u;
    for (; k < K4; k += 4u) {
      let av0 = a4[ia];
      let bv0 = b4[ib];
      let av1 = a4[ia + M4];
      let bv1 = b4[ib + N4];
      let av2 = a4[ia + 2u * M4];
      let bv2 = b4[ib + 2u * N4];
      let av3 = a4[ia + 3u * M4];
      let bv3 = b4[ib + 3u * N4];
      acc0 += av0.x * bv0 + av1.x * bv1 + av2.x * bv2 + av3.x * bv3;
      acc1 += av0.y * bv0 + av1.y * bv1 + av2.y * bv2 + av3.y * bv3;
      acc2 += av0.z * bv0 + av1.z * bv1 + av2.z * bv2 + av3.z * bv3;
      acc3 += av0.w * bv0 + av1.w * bv1 + av2.w * bv2 + av3.w * bv3;
      ia += 4u * M4;
      ib += 4u * N4;
    }
    for (; k < p.K; k++) {
      let av = a4[ia];
      let bv = b4[ib];
      acc0 += av.x * bv;
      acc1 += av.y * bv;
      acc2 += av.z * bv;
      acc3 += av.w * bv;
      ia += M4;
      ib += N4;
    }
  } else {
    // A (M,K), K % 4 = 0: each step reads 4 depths of 4 rows (rows past M clamped to the last).
    let K4 = p.K / 4u;
    let ia = min(m0 + vec4u(0u, 1u, 2u, 3u), vec4u(p.M - 1u)) * K4;
    if (TRANS_B) {
      // B (N,K): output columns 4c..4c+3 are 4 rows of B, each 4 depths a vec4.
      let ib = (4u * c + vec4u(0u, 1u, 2u, 3u)) * K4;
      for (var k = 0u; k < K4; k++) {
        let a0 = a4[ia.x + k];
        let a1 = a4[ia.y + k];
        let a2 = a4[ia.z + k];
        let a3 = a4[ia.w + k];
        let b0 = b4[ib.x + k];
        let b1 = b4[ib.y + k];
        let b2 = b4[ib.z + k];
        let b3 = b4[ib.w + k];
        acc0 += vec4<f32>(dot(a0, b0), dot(a0, b1), dot(a0, b2), dot(a0, b3));
        acc1 += vec4<f32>(dot(a1, b0), dot(a1, b1), dot(a1, b2), dot(a1, b3));
        acc2 += vec4<f32>(dot(a2, b0), dot(a2, b1), dot(a2, b2), dot(a2, b3));
        acc3 += vec4<f32>(dot(a3, b0), dot(a3, b1), dot(a3, b2), dot(a3, b3));
      }
    } else {
      // B (K,N): 4 consecutive rows of B at vec4 column c.
      var ib = c;
      for (var k = 0u; k < K4; k++) {
        let a0 = a4[ia.x + k];
        let a1 = a4[ia.y + k];
        let a2 = a4[ia.z + k];
        let a3 = a4[ia.w + k];
        let b0 = b4[ib];
        let b1 = b4[ib + N4];
        let b2 = b4[ib + 2u * N4];
        let b3 = b4[ib + 3u * N4];
        acc0 += a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
        acc1 += a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
        acc2 += a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
        acc3 += a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
        ib += 4u * N4;
      }
    }
  }
  storeRow4(m0, c, acc0);
  storeRow4(m0 + 1u, c, acc1);
  storeRow4(m0 + 2u, c, acc2);
  storeRow4(m0 + 3u, c, acc3);
}
