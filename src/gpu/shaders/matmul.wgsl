// Matrix multiply for every linear layer, forward and backward, and the tied LM head:
//   out (M,N) = [out +] op(A) (M,K) · op(B) (K,N) [+ bias (N)]
// where op(A) reads A stored (M,K), or (K,M) when TRANS_A, and op(B) reads B stored (K,N), or
// (N,K) when TRANS_B. With those two flags one kernel covers
//   forward        out = inp·W + b            (BT,C)·(C,OC)
//   dinp           dinp = dout·Wᵀ             TRANS_B
//   dweight        dW += inpᵀ·dout            TRANS_A, accumulate
//   LM head        logits = x·wteᵀ            TRANS_B
//   LM head dwte   dwte += dlogitsᵀ·x         TRANS_A, accumulate
// Each workgroup computes a TS×TS output tile from TK-deep slices of A and B staged in workgroup
// memory; each invocation keeps a RB×RB block of outputs in registers (register blocking).
// Edges that are not multiples of the tile are padded with zeros on load and skipped on store.
// CPU reference: matmulForward / matmulBackward in src/models/cpu/ops.ts.
// matmul_backward_bias: dbias (N) += column sums of dout (M,N), one workgroup per column.

const WG: u32 = 16u; // invocations per tile edge (WG×WG per workgroup)
const RB: u32 = 4u; // outputs per invocation per edge
const TS: u32 = 64u; // output tile edge = WG·RB
const TK: u32 = 16u; // depth of the staged slices
const LOADS: u32 = 4u; // TS·TK / (WG·WG) elements each invocation stages per slice

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
@group(0) @binding(1) var<storage, read_write> out: array<f32>; // (M,N)
@group(0) @binding(2) var<storage, read> a: array<f32>; // (M,K), or (K,M) when TRANS_A
@group(0) @binding(3) var<storage, read> b: array<f32>; // (K,N), or (N,K) when TRANS_B
@group(0) @binding(4) var<storage, read> bias: array<f32>; // (N); read only when hasBias = 1

var<workgroup> tileA: array<f32, TS * TK>; // [k][m] slice of op(A)
var<workgroup> tileB: array<f32, TS * TK>; // [k][n] slice of op(B)

fn loadA(m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  if (TRANS_A) { return a[k * p.M + m]; }
  return a[m * p.K + k];
}

fn loadB(k: u32, n: u32) -> f32 {
  if (k >= p.K || n >= p.N) { return 0.0; }
  if (TRANS_B) { return b[n * p.K + k]; }
  return b[k * p.N + n];
}

@compute @workgroup_size(WG, WG)
fn matmul(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wid.y * TS;
  let col0 = wid.x * TS;
  let tid = lid.y * WG + lid.x;
  var acc: array<f32, 16>; // RB×RB outputs, row-major
  for (var i = 0u; i < RB * RB; i++) { acc[i] = 0.0; }

  for (var k0 = 0u; k0 < p.K; k0 += TK) {
    // Stage the slices; consecutive invocations read consecutive addresses of the stored layout.
    for (var l = 0u; l < LOADS; l++) {
      let e = tid + l * WG * WG;
      if (TRANS_A) {
        let kk = e / TS;
        let mm = e % TS;
        tileA[kk * TS + mm] = loadA(row0 + mm, k0 + kk);
      } else {
        let mm = e / TK;
        let kk = e % TK;
        tileA[kk * TS + mm] = loadA(row0 + mm, k0 + kk);
      }
      if (TRANS_B) {
        let nn = e / TK;
        let kk = e % TK;
        tileB[kk * TS + nn] = loadB(k0 + kk, col0 + nn);
      } else {
        let kk = e / TS;
        let nn = e % TS;
        tileB[kk * TS + nn] = loadB(k0 + kk, col0 + nn);
      }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var r = 0u; r < RB; r++) {
        av[r] = tileA[kk * TS + lid.y * RB + r];
        bv[r] = tileB[kk * TS + lid.x * RB + r];
      }
      for (var r = 0u; r < RB; r++) {
        for (var c = 0u; c < RB; c++) { acc[r * RB + c] += av[r] * bv[c]; }
      }
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < RB; r++) {
    let m = row0 + lid.y * RB + r;
    if (m >= p.M) { continue; }
    for (var c = 0u; c < RB; c++) {
      let n = col0 + lid.x * RB + c;
      if (n >= p.N) { continue; }
      var v = acc[r * RB + c];
      if (p.hasBias == 1u) { v += bias[n]; }
      if (p.accumulate == 1u) { v += out[m * p.N + n]; }
      out[m * p.N + n] = v;
    }
  }
}

const WG_BIAS: u32 = 64u;

struct BiasParams { M: u32, N: u32 }

@group(0) @binding(0) var<uniform> pb: BiasParams;
@group(0) @binding(1) var<storage, read_write> dbias: array<f32>; // (N)
@group(0) @binding(2) var<storage, read> dout: array<f32>; // (M,N)

var<workgroup> partial: array<f32, WG_BIAS>;

@compute @workgroup_size(WG_BIAS)
fn matmul_backward_bias(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let n = wid.x;
  var s = 0.0;
  for (var m = lid.x; m < pb.M; m += WG_BIAS) { s += dout[m * pb.N + n]; }
  partial[lid.x] = s;
  workgroupBarrier();
  for (var h = WG_BIAS / 2u; h > 0u; h >>= 1u) {
    if (lid.x < h) { partial[lid.x] += partial[lid.x + h]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { dbias[n] += partial[0]; }
}
