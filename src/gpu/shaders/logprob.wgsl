// Log-prob of the target token and full-vocabulary entropy per position, forward and backward.
// One workgroup per row (position); the row's max and sums are tree-reduced in workgroup memory.
// CPU reference: logprobEntropyForward / logprobEntropyBackward in src/models/cpu/ops.ts.

// #include reduce

override WG: u32; // invocations per workgroup, from the TS wrapper

struct Params { BT: u32, V: u32 }

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read_write> logprobs: array<f32>; // (BT) log p(target); 0 where target = -1
@group(0) @binding(2) var<storage, read_write> entropy: array<f32>; // (BT) H of the row; 0 where target = -1
@group(0) @binding(3) var<storage, read_write> probs: array<f32>; // (BT,V) softmax, kept for the backward
@group(0) @binding(4) var<storage, read> logits: array<f32>; // (BT,V)
@group(0) @binding(5) var<storage, read> targets: array<i32>; // (BT), -1 = no target

// H = log s − Σ_j e^{z_j−m}(z_j−m) / s with s = Σ_j e^{z_j−m}: one pass after the max, no log of probs.
@compute @workgroup_size(WG)
fn logprob_entropy_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x;
  if (r >= p.BT) { return; }
  let base = r * p.V;
  var m = -3.4e38;
  for (var j = lid; j < p.V; j += WG) { m = max(m, logits[base + j]); }
  m = workgroup_max(lid, m);
  var sum = 0.0;
  var wsum = 0.0;
  for (var j = lid; j < p.V; j += WG) {
    let d = logits[base + j] - m;
    let e = exp(d);
    sum += e;
    wsum += e * d;
  }
  let sums = workgroup_sum2(lid, vec2f(sum, wsum));
  let logSum = log(sums.x);
  let inv = 1.0 / sums.x;
  for (var j = lid; j < p.V; j += WG) { probs[base + j] = exp(logits[base + j] - m) * inv; }
  if (lid == 0u) {
    let y = targets[r];
    if (y < 0) {
      logprobs[r] = 0.0;
      entropy[r] = 0.0;
    } else {
      logprobs[r] = logits[base + u32(y)] - m - logSum;
      entropy[r] = logSum - sums.y * inv;
    }
  }
}

@group(0) @binding(1) var<storage, read_write> dlogits: array<f32>; // (BT,V) written (not accumulated)
@group(0) @binding(2) var<storage, read> bprobs: array<f32>; // (BT,V) from the forward
@group(0) @binding(3) var<storage, read> btargets: array<i32>; // (BT)
@group(0) @binding(4) var<storage, read> dLogprobs: array<f32>; // (BT) dL/dlogp_t
@group(0) @binding(5) var<storage, read> dEntropy: array<f32>; // (BT) dL/dH_t

// dlogits_j = a·(1[j=y] − p_j) − b·p_j·(log p_j + H), a = dL/dlogp, b = dL/dH; zero where target = -1.
// H is recomputed from the probs (p·log p taken as 0 where p underflowed to 0).
@compute @workgroup_size(WG)
fn logprob_entropy_backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x;
  if (r >= p.BT) { return; }
  let base = r * p.V;
  let y = btargets[r];
  if (y < 0) {
    for (var j = lid; j < p.V; j += WG) { dlogits[base + j] = 0.0; }
    return;
  }
  let a = dLogprobs[r];
  let b = dEntropy[r];
  var h = 0.0;
  for (var j = lid; j < p.V; j += WG) {
    let pj = bprobs[base + j];
    if (pj > 0.0) { h -= pj * log(pj); }
  }
  h = workgroup_sum(lid, h);
  for (var j = lid; j < p.V; j += WG) {
    let pj = bprobs[base + j];
    var g = -a * pj;
    if (j == u32(y)) { g += a; }
    if (pj > 0.0) { g -= b * pj * (log(pj) + h); }
    dlogits[base + j] = g;
  }
}
