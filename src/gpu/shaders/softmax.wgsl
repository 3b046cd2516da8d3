// Row softmax: probs[r, :] = softmax(logits[r, :]) over V columns, max-subtracted.
// One workgroup per row; the row's max and sum are tree-reduced in workgroup memory.
// CPU reference: softmaxForward in src/models/cpu/ops.ts.

const WG: u32 = 64u;

struct Params { rows: u32, V: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> probs: array<f32>; // (rows, V)
@group(0) @binding(2) var<storage, read> logits: array<f32>; // (rows, V)

var<workgroup> scratch: array<f32, WG>;

@compute @workgroup_size(WG)
fn softmax_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  if (r >= p.rows) { return; }
  let base = r * p.V;
  var m = -3.4e38;
  for (var j = lid.x; j < p.V; j += WG) { m = max(m, logits[base + j]); }
  scratch[lid.x] = m;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid.x < s) { scratch[lid.x] = max(scratch[lid.x], scratch[lid.x + s]); }
    workgroupBarrier();
  }
  let rowMax = scratch[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var j = lid.x; j < p.V; j += WG) { sum += exp(logits[base + j] - rowMax); }
  scratch[lid.x] = sum;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid.x < s) { scratch[lid.x] += scratch[lid.x + s]; }
    workgroupBarrier();
  }
  let inv = 1.0 / scratch[0];
  for (var j = lid.x; j < p.V; j += WG) { probs[base + j] = exp(logits[base + j] - rowMax) * inv; }
}
