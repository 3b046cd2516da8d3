// Residual add, one invocation per element (llm.c's residual_forward). Its backward needs no kernel:
// the engine keeps one gradient buffer for the residual stream and the branches add into it.
// CPU reference: residualForward in src/models/cpu/ops.ts.

override WG: u32; // invocations per workgroup, from the TS wrapper

struct Params { N: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>; // (N)
@group(0) @binding(2) var<storage, read> a: array<f32>; // (N)
@group(0) @binding(3) var<storage, read> b: array<f32>; // (N)

@compute @workgroup_size(WG)
fn residual_forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.N) { return; }
  out[i] = a[i] + b[i];
}
