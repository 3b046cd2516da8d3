// PPO's clipped surrogate term −A·clip(ρ, 1 − ε_low, 1 + ε_high): the policy loss takes it when it is
// the larger branch, and Clip-Cov skips the tokens where it already is (verl's clip_by_origin).
// TS references: policyLossToken and clippedByOrigin (src/rl/policyLoss.ts).

fn ppo_clipped(A: f32, ratio: f32, epsLow: f32, epsHigh: f32) -> f32 {
  return -A * min(max(ratio, 1.0 - epsLow), 1.0 + epsHigh);
}
