// Mean cross-entropy loss over the positions that have a target, and the SFT loss coefficients
// dL/dlogp_t = -1/N on those positions (so an SFT step needs no upload). One workgroup: the count and
// the sum are tree-reduced in workgroup memory, in a fixed order (deterministic).
// CPU reference: the mean of −logprobs from logprobEntropyForward (src/models/cpu/ops.ts); the
// coefficients as meanNllCoefficients (src/models/engine.ts).

const WG: u32 = 256u;

struct Params { BT: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> loss: array<f32>; // (1) mean −log p over targets ≠ -1
@group(0) @binding(2) var<storage, read_write> dLogprobs: array<f32>; // (BT) -1/N on targets, else 0
@group(0) @binding(3) var<storage, read> logprobs: array<f32>; // (BT) from logprob_entropy_forward
@group(0) @binding(4) var<storage, read> targets: array<i32>; // (BT), -1 = no target

var<workgroup> s_sum: array<f32, WG>;
var<workgroup> s_cnt: array<u32, WG>;

@compute @workgroup_size(WG)
fn crossentropy_forward(@builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  var sum = 0.0;
  var cnt = 0u;
  for (var i = lid; i < p.BT; i += WG) {
    if (targets[i] >= 0) {
      sum -= logprobs[i];
      cnt += 1u;
    }
  }
  s_sum[lid] = sum;
  s_cnt[lid] = cnt;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      s_sum[lid] += s_sum[lid + s];
      s_cnt[lid] += s_cnt[lid + s];
    }
    workgroupBarrier();
  }
  let n = f32(max(s_cnt[0], 1u));
  if (lid == 0u) { loss[0] = s_sum[0] / n; }
  for (var i = lid; i < p.BT; i += WG) { dLogprobs[i] = select(0.0, -1.0 / n, targets[i] >= 0); }
}
