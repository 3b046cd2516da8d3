// Global gradient norm and the clip scale, in two deterministic passes (a fixed number of partial
// sums, then one workgroup sums them in a fixed order): no float atomics, same result every run.
// The scale min(1, clip/(norm+1e-6)) stays on the GPU for adamw.wgsl, so a step needs no readback.
// CPU reference: globalNorm / scaleInPlace (src/models/cpu/ops.ts).

const WG: u32 = 256u;
const NP: u32 = 128u; // partial sums = workgroups of the first pass

struct Params { n: u32, clip: f32 }

@group(0) @binding(0) var<uniform> p: Params;

var<workgroup> s_sum: array<f32, WG>;

fn reduce_sum(lid: u32) -> f32 {
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { s_sum[lid] += s_sum[lid + s]; }
    workgroupBarrier();
  }
  return s_sum[0];
}

@group(0) @binding(1) var<storage, read_write> partials: array<f32>; // (NP) Σ g² of each slice
@group(0) @binding(2) var<storage, read> grads: array<f32>; // (n) flat gradients

@compute @workgroup_size(WG)
fn gradnorm_partial(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  var acc = 0.0;
  for (var i = wid.x * WG + lid; i < p.n; i += NP * WG) {
    let g = grads[i];
    acc += g * g;
  }
  s_sum[lid] = acc;
  let total = reduce_sum(lid);
  if (lid == 0u) { partials[wid.x] = total; }
}

@group(0) @binding(1) var<storage, read_write> stats: array<f32>; // (2) [norm, clip scale]
@group(0) @binding(2) var<storage, read> fpartials: array<f32>; // (NP)

// p.clip ≤ 0 means no clipping (scale 1).
@compute @workgroup_size(WG)
fn gradnorm_finalize(@builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  s_sum[lid] = select(0.0, fpartials[lid], lid < NP);
  let norm = sqrt(reduce_sum(lid));
  if (lid == 0u) {
    stats[0] = norm;
    stats[1] = select(1.0, min(1.0, p.clip / (norm + 1e-6)), p.clip > 0.0);
  }
}
