// GELU, tanh approximation (GPT-2's "gelu_new"), forward and backward, one invocation per element
// (llm.c's gelu_forward / gelu_backward); the math is lib/gelu.wgsl. CPU reference: geluForward /
// geluBackward in src/models/cpu/ops.ts.

// #include gelu

override WG: u32; // invocations per workgroup, from the TS wrapper

struct Params {
  N: u32,
  accumulate: u32, // gelu_backward: 1: dinp += result; 0: dinp = result
}

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read_write> out: array<f32>; // (N)
@group(0) @binding(2) var<storage, read> inp: array<f32>; // (N)

@compute @workgroup_size(WG)
fn gelu_forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.N) { return; }
  out[i] = gelu(inp[i]);
}

@group(0) @binding(1) var<storage, read_write> dinp: array<f32>; // (N)
@group(0) @binding(2) var<storage, read> inpB: array<f32>; // (N) the forward's input
@group(0) @binding(3) var<storage, read> dout: array<f32>; // (N)

@compute @workgroup_size(WG)
fn gelu_backward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.N) { return; }
  var d = gelu_grad(inpB[i]) * dout[i];
  if (p.accumulate == 1u) { d += dinp[i]; }
  dinp[i] = d;
}
