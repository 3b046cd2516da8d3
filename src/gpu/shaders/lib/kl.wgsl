// KL estimators to the frozen reference policy (k1, k2, k3: docs/RESEARCH.md §0, docs/DESIGN.md §5)
// for one token, with their derivative in the current log-prob. The ids are the estimators' indices
// in KL_ESTIMATORS (src/models/engine.ts). TS reference: klToken (src/rl/kl.ts).

const KL_K1: u32 = 0u; // logπ − logπ_ref
const KL_K2: u32 = 1u; // ½(logπ − logπ_ref)²
const KL_K3: u32 = 2u; // exp(Δ) − Δ − 1, Δ = logπ_ref − logπ

// (value, d value / d logπ).
fn kl_estimate(estimator: u32, logp: f32, refLogp: f32) -> vec2f {
  let diff = logp - refLogp;
  if (estimator == KL_K1) { return vec2f(diff, 1.0); }
  if (estimator == KL_K2) { return vec2f(0.5 * diff * diff, diff); }
  let delta = -diff;
  let e = exp(delta);
  // exp(Δ) − Δ − 1 ≥ 0 cancels to noise (even negative) near Δ = 0 in f32: the Taylor series
  // Δ²/2 + Δ³/6 + Δ⁴/24 there.
  var value = (e - 1.0) - delta;
  if (abs(delta) < 0.05) { value = delta * delta * (0.5 + delta * (1.0 / 6.0 + delta / 24.0)); }
  return vec2f(value, 1.0 - e);
}
