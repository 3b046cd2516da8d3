// The bias gradient of a linear layer: dbias (N) += column sums of dout (M,N). Two entry points, the
// wrapper (matmul.ts) choosing by the number of rows M. CPU reference: the dbias part of
// matmulBackward in src/models/cpu/ops.ts.

// #include reduce

override WG: u32; // invocations per workgroup, from the TS wrapper

struct Params { M: u32, N: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dbias: array<f32>; // (N)
@group(0) @binding(2) var<storage, read> dout: array<f32>; // (M,N)

// Many rows: one workgroup per column, its rows tree-reduced in workgroup memory (keeps a GPU busy
// when the columns are few and the rows many).
@compute @workgroup_size(WG)
fn matmul_backward_bias(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = wid.x;
  var s = 0.0;
  for (var m = lid; m < p.M; m += WG) { s += dout[m * p.N + n]; }
  s = workgroup_sum(lid, s);
  if (lid == 0u) { dbias[n] += s; }
}

// Few rows: one invocation per column sums the whole column, with no workgroup memory or barriers
// (on a CPU adapter, SwiftShader, those are emulated and cost more than the short column; on a GPU
// neighbouring invocations read neighbouring addresses, so each row is one coalesced read).
@compute @workgroup_size(WG)
fn matmul_backward_bias_cols(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= p.N) { return; }
  var s = 0.0;
  for (var m = 0u; m < p.M; m++) { s += dout[m * p.N + n]; }
  dbias[n] += s;
}
