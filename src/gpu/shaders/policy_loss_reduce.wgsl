// The sums over the loss tokens a step's loss metrics are made of (docs/DESIGN.md §5), so an update
// reads back eight numbers instead of every token's terms. One workgroup; fixed-order tree sums
// (deterministic). TS reference: reducePolicyLoss (src/rl/policyLoss.ts), which sums the same terms in f64.

// #include reduce

override WG: u32; // invocations of the one workgroup, from the TS wrapper
override CLIPPED_LOW: f32; // the clip flags of src/models/engine.ts
override CLIPPED_HIGH: f32;

struct Params { N: u32 }

@group(0) @binding(0) var<uniform> p: Params;
// (8) [Σ loss, Σ w·pgActive·pg, Σ kl, Σ cov_t, low-clipped, high-clipped, loss tokens, 0]
@group(0) @binding(1) var<storage, read_write> sums: array<f32>;
@group(0) @binding(2) var<storage, read> terms: array<vec4f>; // (N) [loss, pg, kl, clip flag] of policy_loss_forward
@group(0) @binding(3) var<storage, read> tokenIn: array<vec4f>; // (N) [A, w, pgActive, klCovSelected]
@group(0) @binding(4) var<storage, read> cov: array<f32>; // (N) cov_t
@group(0) @binding(5) var<storage, read> mask: array<u32>; // (N) 1 = loss token

@compute @workgroup_size(WG)
fn policy_loss_reduce(@builtin(local_invocation_index) lid: u32) {
  var lossPg = vec2f(0.0);
  var klCov = vec2f(0.0);
  var clipped = vec2f(0.0);
  var n = 0.0; // exact in f32 below 2²⁴
  for (var i = lid; i < p.N; i += WG) {
    if (mask[i] == 0u) { continue; }
    let t = terms[i];
    let x = tokenIn[i];
    lossPg += vec2f(t.x, x.y * x.z * t.y);
    klCov += vec2f(t.z, cov[i]);
    clipped += vec2f(select(0.0, 1.0, t.w == CLIPPED_LOW), select(0.0, 1.0, t.w == CLIPPED_HIGH));
    n += 1.0;
  }
  lossPg = workgroup_sum2(lid, lossPg);
  klCov = workgroup_sum2(lid, klCov);
  clipped = workgroup_sum2(lid, clipped);
  let count = workgroup_sum(lid, n);
  if (lid == 0u) {
    sums[0] = lossPg.x;
    sums[1] = lossPg.y;
    sums[2] = klCov.x;
    sums[3] = klCov.y;
    sums[4] = clipped.x;
    sums[5] = clipped.y;
    sums[6] = count;
    sums[7] = 0.0;
  }
}
