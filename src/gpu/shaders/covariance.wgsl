// Per-token centred product of advantage and log-prob over the valid tokens:
// cov_t = (A_t − mean A)·(logπ_t − mean logπ), the statistic Clip-Cov / KL-Cov select on and the `cov`
// metric (docs/DESIGN.md §5). One workgroup; the sums are tree-reduced in workgroup memory in a fixed
// order (deterministic). TS reference: tokenCovariance (src/rl/policyLoss.ts).

// #include reduce

override WG: u32; // invocations of the one workgroup, from the TS wrapper

struct Params { N: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> cov: array<f32>; // (N) cov_t; 0 where mask = 0
@group(0) @binding(2) var<storage, read> logprobs: array<f32>; // (N) logπ
@group(0) @binding(3) var<storage, read> advantages: array<f32>; // (N) A
@group(0) @binding(4) var<storage, read> mask: array<u32>; // (N) 1 = valid token

@compute @workgroup_size(WG)
fn covariance_forward(@builtin(local_invocation_index) lid: u32) {
  var sums = vec2f(0.0); // (Σ A, Σ logπ) over this invocation's valid tokens
  var n = 0.0; // their count (exact in f32 below 2²⁴)
  for (var i = lid; i < p.N; i += WG) {
    if (mask[i] != 0u) {
      sums += vec2f(advantages[i], logprobs[i]);
      n += 1.0;
    }
  }
  sums = workgroup_sum2(lid, sums);
  let count = max(workgroup_sum(lid, n), 1.0);
  let meanA = sums.x / count;
  let meanL = sums.y / count;
  for (var i = lid; i < p.N; i += WG) {
    var c = 0.0;
    if (mask[i] != 0u) { c = (advantages[i] - meanA) * (logprobs[i] - meanL); }
    cov[i] = c;
  }
}
