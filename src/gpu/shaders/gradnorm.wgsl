// Global gradient norm and the clip scale, in two deterministic passes (a fixed number of partial
// sums, then one workgroup sums them in a fixed order): no float atomics, same result every run.
// The scale min(1, clip/(norm+1e-6)) stays on the GPU for adamw.wgsl, so a step needs no readback.
// The first pass gives each invocation its own partial sum (a strided slice, summed serially) instead
// of tree-reducing in workgroup memory: on a CPU adapter (SwiftShader) barriers and workgroup memory
// are emulated and cost more than the loads; on a GPU the NP invocations read adjacent addresses.
// CPU reference: globalNorm / scaleInPlace (src/models/cpu/ops.ts).

// #include reduce

override WG: u32; // invocations per workgroup, from the TS wrapper
override NP: u32; // partial sums = invocations of the first pass (a multiple of WG), from the TS wrapper

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

// One workgroup: each invocation adds NP/WG partials serially, then a tree over the WG sums.
// p.clip ≤ 0 means no clipping (scale 1).
@compute @workgroup_size(WG)
fn gradnorm_finalize(@builtin(local_invocation_index) lid: u32) {
  let per = NP / WG;
  var acc = 0.0;
  for (var i = 0u; i < per; i++) { acc += fpartials[lid * per + i]; }
  let total = workgroup_sum(lid, acc);
  if (lid == 0u) {
    let norm = sqrt(total);
    stats[0] = norm;
    stats[1] = select(1.0, min(1.0, p.clip / (norm + 1e-6)), p.clip > 0.0);
  }
}
