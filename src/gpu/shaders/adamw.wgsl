// AdamW over the flat parameter buffer (llm.c's gpt2_update): bias-corrected moments, decoupled
// weight decay on the elements whose bit is set in a decay mask (tensors of ≥ 2 dims), and the
// gradient scaled by the clip factor gradnorm.wgsl left on the GPU.
// CPU reference: adamwUpdate (src/models/cpu/ops.ts).

override WG: u32; // invocations per workgroup, from the TS wrapper

struct Params {
  n: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weightDecay: f32,
  bc1: f32, // 1 − beta1^t
  bc2: f32, // 1 − beta2^t
  stride: u32, // invocations in the whole dispatch (grid-stride loop)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> params: array<f32>; // (n)
@group(0) @binding(2) var<storage, read_write> m: array<f32>; // (n) first moment
@group(0) @binding(3) var<storage, read_write> v: array<f32>; // (n) second moment
@group(0) @binding(4) var<storage, read> grads: array<f32>; // (n)
@group(0) @binding(5) var<storage, read> decayBits: array<u32>; // (⌈n/32⌉) bit i%32 of word i/32: decay element i
@group(0) @binding(6) var<storage, read> stats: array<f32>; // (2) [grad norm, clip scale]

@compute @workgroup_size(WG)
fn adamw_update(@builtin(global_invocation_id) gid: vec3u) {
  // A non-finite gradient norm (all exponent bits set: Inf or NaN) takes no step at all, as the CPU
  // reference does; tested by bits because `x != x` may be folded away by the compiler.
  if ((bitcast<u32>(stats[0]) & 0x7f800000u) == 0x7f800000u) {
    return;
  }
  let scale = stats[1];
  for (var i = gid.x; i < p.n; i += p.stride) {
    let g = grads[i] * scale;
    let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
    let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    let mhat = mi / p.bc1;
    let vhat = vi / p.bc2;
    let decay = select(0.0, p.weightDecay, ((decayBits[i >> 5u] >> (i & 31u)) & 1u) == 1u);
    params[i] -= p.lr * (mhat / (sqrt(vhat) + p.eps) + decay * params[i]);
  }
}
