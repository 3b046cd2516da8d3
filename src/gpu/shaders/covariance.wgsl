// Per-token centred product of advantage and log-prob over the valid tokens, and its batch mean:
// cov_t = (A_t − mean A)·(logπ_t − mean logπ), the statistic Clip-Cov / KL-Cov select on and the
// `cov` metric. One workgroup; sums tree-reduced in workgroup memory in a fixed order (deterministic).
// TS reference: tokenCovariance (src/rl/policyLoss.ts).

const WG: u32 = 256u;

struct Params { N: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> cov: array<f32>; // (N) cov_t; 0 where mask = 0
@group(0) @binding(2) var<storage, read_write> meanCov: array<f32>; // (1) mean cov_t over valid tokens
@group(0) @binding(3) var<storage, read> logprobs: array<f32>; // (N) logπ
@group(0) @binding(4) var<storage, read> advantages: array<f32>; // (N) A
@group(0) @binding(5) var<storage, read> mask: array<u32>; // (N) 1 = valid token

var<workgroup> s_a: array<f32, WG>;
var<workgroup> s_l: array<f32, WG>;
var<workgroup> s_n: array<u32, WG>;

fn reduce(lid: u32) {
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      s_a[lid] += s_a[lid + s];
      s_l[lid] += s_l[lid + s];
      s_n[lid] += s_n[lid + s];
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WG)
fn covariance_forward(@builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  var sa = 0.0;
  var sl = 0.0;
  var n = 0u;
  for (var i = lid; i < p.N; i += WG) {
    if (mask[i] != 0u) {
      sa += advantages[i];
      sl += logprobs[i];
      n += 1u;
    }
  }
  s_a[lid] = sa;
  s_l[lid] = sl;
  s_n[lid] = n;
  reduce(lid);
  let count = f32(max(s_n[0], 1u));
  let meanA = s_a[0] / count;
  let meanL = s_l[0] / count;
  workgroupBarrier();
  var sc = 0.0;
  for (var i = lid; i < p.N; i += WG) {
    var c = 0.0;
    if (mask[i] != 0u) { c = (advantages[i] - meanA) * (logprobs[i] - meanL); }
    cov[i] = c;
    sc += c;
  }
  s_a[lid] = sc;
  s_l[lid] = 0.0;
  s_n[lid] = 0u;
  reduce(lid);
  if (lid == 0u) { meanCov[0] = s_a[0] / count; }
}
