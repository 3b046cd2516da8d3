// Per-token KL estimators to the frozen reference policy (Schulman's k1/k2/k3) and their derivative
// in the current log-prob, for the loss coefficients dL/dlogπ. Elementwise.
// TS reference: klToken (src/rl/kl.ts).

const WG: u32 = 256u;
const K1: u32 = 0u; // logπ − logπ_ref
const K2: u32 = 1u; // ½(logπ − logπ_ref)²
const K3: u32 = 2u; // exp(Δ) − Δ − 1, Δ = logπ_ref − logπ

struct Params { N: u32, estimator: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> kl: array<f32>; // (N) estimator value; 0 where mask = 0
@group(0) @binding(2) var<storage, read_write> dKl: array<f32>; // (N) d kl / d logπ; 0 where mask = 0
@group(0) @binding(3) var<storage, read> logprobs: array<f32>; // (N) logπ
@group(0) @binding(4) var<storage, read> refLogprobs: array<f32>; // (N) logπ_ref
@group(0) @binding(5) var<storage, read> mask: array<u32>; // (N) 1 = valid token

@compute @workgroup_size(WG)
fn kl_forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.N) { return; }
  var value = 0.0;
  var d = 0.0;
  if (mask[i] != 0u) {
    let diff = logprobs[i] - refLogprobs[i];
    if (p.estimator == K1) {
      value = diff;
      d = 1.0;
    } else if (p.estimator == K2) {
      value = 0.5 * diff * diff;
      d = diff;
    } else {
      // Δ = −diff: value exp(Δ) − Δ − 1 (≥ 0), derivative −(exp(Δ) − 1). Near Δ = 0 the f32
      // subtraction cancels to noise (even negative), so the Taylor series Δ²/2 + Δ³/6 + Δ⁴/24 is used there.
      let delta = -diff;
      let e = exp(delta);
      if (abs(delta) < 0.05) {
        value = delta * delta * (0.5 + delta * (1.0 / 6.0 + delta / 24.0));
      } else {
        value = (e - 1.0) - delta;
      }
      d = 1.0 - e;
    }
  }
  kl[i] = value;
  dKl[i] = d;
}
