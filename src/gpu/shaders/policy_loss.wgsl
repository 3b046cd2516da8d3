// The elementwise policy loss per completion token (docs/DESIGN.md §5): clipped surrogate (dual-clip for
// A < 0), KL-Cov's |logπ − logπ_old| penalty, KL to the reference and the entropy bonus, giving the
// coefficients dL/dlogπ and dL/dH the backward starts from. Batch-level choices (aggregation weight,
// top-entropy mask, Clip-Cov / KL-Cov selection) arrive per token in `tokenIn`.
// TS reference: policyLossToken (src/rl/policyLoss.ts); the KL term is lib/kl.wgsl.

// #include kl
// #include ppo_clip

override WG: u32; // invocations per workgroup, from the TS wrapper
// The clip flags' values, CLIPPED_LOW and CLIPPED_HIGH of src/models/engine.ts (0 = neither).
override CLIPPED_LOW: f32;
override CLIPPED_HIGH: f32;

struct Params {
  N: u32,
  clip: u32, // 1 = PPO clip (vanilla, clip-cov); 0 = none (kl-cov)
  epsLow: f32,
  epsHigh: f32,
  hasDualClip: u32,
  dualClip: f32, // c, for A < 0
  klCoef: f32, // β
  klEstimator: u32, // KL_K1, KL_K2 or KL_K3 (lib/kl.wgsl)
  entropyCoef: f32, // α
  klCovCoef: f32, // k
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dLogprobs: array<f32>; // (N) dL/dlogπ
@group(0) @binding(2) var<storage, read_write> dEntropy: array<f32>; // (N) dL/dH
@group(0) @binding(3) var<storage, read_write> terms: array<vec4f>; // (N) [loss, pg, kl, clip flag]
@group(0) @binding(4) var<storage, read> logprobs: array<f32>; // (N) logπ
@group(0) @binding(5) var<storage, read> oldLogprobs: array<f32>; // (N) logπ_old
@group(0) @binding(6) var<storage, read> refLogprobs: array<f32>; // (N) logπ_ref
@group(0) @binding(7) var<storage, read> entropy: array<f32>; // (N) H
@group(0) @binding(8) var<storage, read> tokenIn: array<vec4f>; // (N) [advantage, weight w, pgActive, klCovSelected]

// Tokens of weight 0 are not loss tokens: every output is 0 (their log-probs may be anything).
@compute @workgroup_size(WG)
fn policy_loss_forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.N) { return; }
  let x = tokenIn[i];
  let A = x.x;
  let w = x.y;
  if (w == 0.0) {
    dLogprobs[i] = 0.0;
    dEntropy[i] = 0.0;
    terms[i] = vec4f(0.0);
    return;
  }
  let logRatio = logprobs[i] - oldLogprobs[i];
  let ratio = exp(logRatio);
  var pg = -A * ratio;
  var dPg = -A * ratio; // d(−ρA)/dlogπ
  if (p.clip == 1u) {
    let clipped = ppo_clipped(A, ratio, p.epsLow, p.epsHigh);
    if (clipped > pg) {
      pg = clipped; // the clipped branch is constant in logπ
      dPg = 0.0;
    }
    if (p.hasDualClip == 1u && A < 0.0 && -A * p.dualClip < pg) {
      pg = -A * p.dualClip;
      dPg = 0.0;
    }
  } else if (x.w != 0.0) {
    pg += p.klCovCoef * abs(logRatio);
    dPg += p.klCovCoef * sign(logRatio);
  }
  let kl = kl_estimate(p.klEstimator, logprobs[i], refLogprobs[i]);
  let pgActive = x.z;
  var flag = 0.0;
  if (A < 0.0 && ratio < 1.0 - p.epsLow) { flag = CLIPPED_LOW; }
  if (A > 0.0 && ratio > 1.0 + p.epsHigh) { flag = CLIPPED_HIGH; }
  dLogprobs[i] = w * (pgActive * dPg + p.klCoef * kl.y);
  dEntropy[i] = -p.entropyCoef * w;
  terms[i] = vec4f(w * (pgActive * pg + p.klCoef * kl.x - p.entropyCoef * entropy[i]), pg, kl.x, flag);
}
