// Workgroup tree reductions: every invocation of the workgroup passes its value and gets the result
// back. The tree sums in a fixed order, so a result is the same on every run (no float atomics).
// The including shader declares WG (its workgroup size, a power of two) and calls these from uniform
// control flow, every invocation with its local_invocation_index `lid`. The scratch is free again on
// return, so calls may follow each other.

var<workgroup> reduce_f32: array<f32, WG>;
var<workgroup> reduce_vec2: array<vec2f, WG>;

fn workgroup_sum(lid: u32, x: f32) -> f32 {
  reduce_f32[lid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { reduce_f32[lid] += reduce_f32[lid + s]; }
    workgroupBarrier();
  }
  let r = reduce_f32[0];
  workgroupBarrier();
  return r;
}

// Two sums at once (one tree, half the barriers of two calls).
fn workgroup_sum2(lid: u32, x: vec2f) -> vec2f {
  reduce_vec2[lid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { reduce_vec2[lid] += reduce_vec2[lid + s]; }
    workgroupBarrier();
  }
  let r = reduce_vec2[0];
  workgroupBarrier();
  return r;
}

fn workgroup_max(lid: u32, x: f32) -> f32 {
  reduce_f32[lid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { reduce_f32[lid] = max(reduce_f32[lid], reduce_f32[lid + s]); }
    workgroupBarrier();
  }
  let r = reduce_f32[0];
  workgroupBarrier();
  return r;
}
