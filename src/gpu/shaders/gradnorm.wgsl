// Global gradient norm and the clip scale, in two deterministic passes (a fixed number of partial
// sums, then one workgroup sums them in a fixed order): no float atomics, same result every run.
// The scale min(1, clip/(norm+1e-6)) stays on the GPU for adamw.wgsl, so a step needs no readback.
// The first pass gives each invocation its own partial sum (a strided slice, summed serially) instead
// of tree-reducing in workgroup memory: on a CPU adapter (SwiftShader) barriers and workgroup memory
// are emulated and cost more than the loads; on a GPU the NP invocations read adjacent addresses.
// CPU reference: globalNorm / scaleInPlace (src/models/cpu/ops.ts).

const WG: u32 = 64u;
const NP: u32 = 1024u; // partial sums = invocations of the first pass
const PER: u32 = NP / WG; // partials each invocation of the second pass adds serially

struct Params { n: u32, clip: f32 }

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read_write> partials: array<f32>; // (NP) Σ g² of each slice
@group(0) @binding(2) var<storage, read> grads: array<f32>; // (n) flat gradients

// Partial i = Σ g[j]² over j = i, i + NP, i + 2NP, ...
@compute @workgroup_size(WG)
fn gradnorm_partial(@builtin(global_invocation_id) gid: vec3u) {
  var acc = 0.0;
  for (var i = gid.x; i < p.n; i += NP) {
    let g = grads[i];
    acc += g * g;
  }
  partials[gid.x] = acc;
}

@group(0) @binding(1) var<storage, read_write> stats: array<f32>; // (2) [norm, clip scale]
@group(0) @binding(2) var<storage, read> fpartials: array<f32>; // (NP)

var<workgroup> s_sum: array<f32, WG>;

// One workgroup: each invocation adds PER partials, then a tree over the WG sums.
// p.clip ≤ 0 means no clipping (scale 1).
@compute @workgroup_size(WG)
fn gradnorm_finalize(@builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  var acc = 0.0;
  for (var i = 0u; i < PER; i++) { acc += fpartials[lid * PER + i]; }
  s_sum[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { s_sum[lid] += s_sum[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let norm = sqrt(s_sum[0]);
    stats[0] = norm;
    stats[1] = select(1.0, min(1.0, p.clip / (norm + 1e-6)), p.clip > 0.0);
  }
}
