// Token + position embedding (llm.c's encoder_forward / encoder_backward). The backward sums over
// every position holding a token; WGSL has no float atomics, so instead of scattering, each
// invocation owns one gradient element and scans the batch for the positions that feed it
// (deterministic, fixed summation order). CPU reference: encoderForward / encoderBackward in
// src/models/cpu/ops.ts.

override WG: u32; // invocations per workgroup, from the TS wrapper

struct Params { B: u32, T: u32, C: u32, V: u32 }

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read_write> out: array<f32>; // (B,T,C)
@group(0) @binding(2) var<storage, read> tokens: array<i32>; // (B,T)
@group(0) @binding(3) var<storage, read> wte: array<f32>; // (V,C)
@group(0) @binding(4) var<storage, read> wpe: array<f32>; // (maxT,C)

@compute @workgroup_size(WG)
fn encoder_forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.B * p.T * p.C) { return; }
  let bt = i / p.C;
  let c = i % p.C;
  let t = bt % p.T;
  out[i] = wte[u32(tokens[bt]) * p.C + c] + wpe[t * p.C + c];
}

@group(0) @binding(1) var<storage, read_write> dwte: array<f32>; // (V,C)
@group(0) @binding(2) var<storage, read> doutT: array<f32>; // (B,T,C)
@group(0) @binding(3) var<storage, read> tokensT: array<i32>; // (B,T)

// dwte[v,c] += Σ over (b,t) with tokens[b,t] = v of dout[b,t,c]; one invocation per (v,c).
@compute @workgroup_size(WG)
fn encoder_backward_wte(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.V * p.C) { return; }
  let v = i32(i / p.C);
  let c = i % p.C;
  var s = 0.0;
  var hit = false;
  for (var bt = 0u; bt < p.B * p.T; bt++) {
    if (tokensT[bt] == v) {
      s += doutT[bt * p.C + c];
      hit = true;
    }
  }
  if (hit) { dwte[i] += s; }
}

@group(0) @binding(1) var<storage, read_write> dwpe: array<f32>; // (maxT,C); rows ≥ T untouched
@group(0) @binding(2) var<storage, read> doutP: array<f32>; // (B,T,C)

// dwpe[t,c] += Σ_b dout[b,t,c]; one invocation per (t,c).
@compute @workgroup_size(WG)
fn encoder_backward_wpe(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= p.T * p.C) { return; }
  var s = 0.0;
  for (var b = 0u; b < p.B; b++) { s += doutP[b * p.T * p.C + i]; }
  dwpe[i] += s;
}
