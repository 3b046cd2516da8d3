// The policy loss's batch-level token selection on the device (docs/DESIGN.md §5): the top-entropy
// mask, KL-Cov's tokens of largest cov_t and Clip-Cov's random subset, written into the lanes of the
// policy-loss kernel's per-token inputs (tokenIn: [advantage, weight, pgActive, klCovSelected]), which
// the host fills with pgActive = 1 and klCovSelected = 0 on loss tokens. How many to choose comes from
// the host, which knows the mask. TS reference: planPolicyLoss (src/rl/policyLoss.ts).

// #include rng
// #include ppo_clip

override WG: u32; // invocations per workgroup of rank_select, from the TS wrapper
override DRAW_WG: u32; // clip_cov_select's one invocation (1), from the TS wrapper
override CLIP_COV_STREAM: u32; // src/models/engine.ts CLIP_COV_STREAM
const KEEP_TOP: u32 = 0u; // rank_select: pgActive = 0 outside the top k (the top-entropy mask)
const MARK_TOP: u32 = 1u; // rank_select: klCovSelected = 1 inside the top k (KL-Cov)

struct Params {
  N: u32,
  k: u32, // tokens to choose
  mode: u32, // rank_select: KEEP_TOP or MARK_TOP
  seed: u32, // clip_cov_select: the draw's seed
  lb: f32, // clip_cov_select: candidates have lb < cov_t < ub
  ub: f32,
  epsLow: f32, // clip_cov_select: tokens PPO's clip already holds are no candidates
  epsHigh: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> tokenIn: array<vec4f>; // (N) [A, w, pgActive, klCovSelected]
@group(0) @binding(2) var<storage, read> values: array<f32>; // (N) H (top-entropy) or cov_t (KL-Cov, Clip-Cov)
@group(0) @binding(3) var<storage, read> mask: array<u32>; // (N) 1 = loss token
@group(0) @binding(4) var<storage, read> logprobs: array<f32>; // (N) logπ
@group(0) @binding(5) var<storage, read> oldLogprobs: array<f32>; // (N) logπ_old
@group(0) @binding(6) var<storage, read_write> candidates: array<u32>; // (N) scratch: Clip-Cov's candidates

// A loss token's rank among the loss tokens by value, largest first, ties to the lower index (the
// order of the TS reference's sort); the count stops at k, which is all either mode needs to know.
@compute @workgroup_size(WG)
fn rank_select(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.N || mask[i] == 0u) { return; }
  let v = values[i];
  var rank = 0u;
  for (var j = 0u; j < p.N && rank < p.k; j++) {
    let u = values[j];
    if (mask[j] != 0u && (u > v || (u == v && j < i))) { rank++; }
  }
  if (p.mode == KEEP_TOP && rank >= p.k) { tokenIn[i].z = 0.0; }
  if (p.mode == MARK_TOP && rank < p.k) { tokenIn[i].w = 1.0; }
}

// Clip-Cov, in one invocation because the draw is sequential: the candidates in index order, then
// Rng.shuffle's Fisher–Yates on CLIP_COV_STREAM (src/models/rng.ts: j = int(i + 1) for i = m−1 … 1),
// and the first min(k, m) lose the PG term.
@compute @workgroup_size(DRAW_WG)
fn clip_cov_select() {
  var m = 0u;
  for (var i = 0u; i < p.N; i++) {
    if (mask[i] == 0u) { continue; }
    let A = tokenIn[i].x;
    let ratio = exp(logprobs[i] - oldLogprobs[i]);
    let clipped = ppo_clipped(A, ratio, p.epsLow, p.epsHigh) > -A * ratio; // clippedByOrigin
    let c = values[i];
    if (!clipped && c > p.lb && c < p.ub) {
      candidates[m] = i;
      m++;
    }
  }
  var counter = 0u;
  for (var i = m; i > 1u; i--) {
    let j = rand_below(p.seed, CLIP_COV_STREAM, counter, i);
    counter++;
    let t = candidates[i - 1u];
    candidates[i - 1u] = candidates[j];
    candidates[j] = t;
  }
  for (var j = 0u; j < min(p.k, m); j++) { tokenIn[candidates[j]].z = 0.0; }
}
