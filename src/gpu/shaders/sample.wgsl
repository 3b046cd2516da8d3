// Token sampling for generation, one workgroup per row: greedy argmax at temperature 0 (lowest index
// on ties), otherwise the inverse CDF of exp((z − max)/τ) over the top-k logits (all when topK = 0)
// with u = uniform_at(seed, row, position) — the counter-based RNG shared with the CPU engine, so both
// draw the same token from the same logits. Rows stop at <eos> and then write <pad>.
// CPU reference: sampleToken (src/models/cpu/sampling.ts).

// #include rng

override WG: u32; // invocations per workgroup, from the TS wrapper
const NONE: u32 = 0xffffffffu;

struct Params {
  rows: u32,
  V: u32,
  Tmax: u32, // row stride of `tokens`
  pos: u32, // the position whose logits these are; the sampled token goes to pos + 1
  temperature: f32, // τ; 0 = greedy
  topK: u32, // 0 = full vocabulary
  seed: u32,
  eosId: i32,
  padId: i32,
  maxNewTokens: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> tokens: array<i32>; // (rows, Tmax) prompt, then samples
@group(0) @binding(2) var<storage, read_write> done: array<u32>; // (rows) 1 once <eos> was sampled
@group(0) @binding(3) var<storage, read> logits: array<f32>; // (rows, V) at position pos
@group(0) @binding(4) var<storage, read> promptLen: array<u32>; // (rows)

var<workgroup> s_val: array<f32, WG>;
var<workgroup> s_idx: array<u32, WG>;
var<workgroup> s_kth: vec2u; // (value bits, index) of the k-th largest logit

fn better(v: f32, i: u32, w: f32, j: u32) -> bool {
  return v > w || (v == w && i < j);
}

@compute @workgroup_size(WG)
fn sample_tokens(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let r = wid.x;
  let lid = lid3.x;
  if (r >= p.rows) { return; }
  let np = p.pos + 1u;
  let plen = promptLen[r];
  // Prompt positions are already in `tokens`; nothing is written past the context.
  if (np < plen || np >= p.Tmax) { return; }
  let base = r * p.V;

  // The row's max and its lowest index (argmax), tree-reduced.
  var bv = -3.4e38;
  var bi = NONE;
  for (var j = lid; j < p.V; j += WG) {
    let z = logits[base + j];
    if (better(z, j, bv, bi)) {
      bv = z;
      bi = j;
    }
  }
  s_val[lid] = bv;
  s_idx[lid] = bi;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s && better(s_val[lid + s], s_idx[lid + s], s_val[lid], s_idx[lid])) {
      s_val[lid] = s_val[lid + s];
      s_idx[lid] = s_idx[lid + s];
    }
    workgroupBarrier();
  }
  let m = s_val[0];
  let argmax = s_idx[0];

  // Top-k: the logit of rank k−1 (rank = larger logits + equal logits at lower index) is the cut.
  let useTopK = p.topK > 0u && p.topK < p.V;
  if (useTopK) {
    for (var j = lid; j < p.V; j += WG) {
      let z = logits[base + j];
      var rank = 0u;
      for (var i = 0u; i < p.V; i++) {
        if (better(logits[base + i], i, z, j)) { rank++; }
      }
      if (rank == p.topK - 1u) { s_kth = vec2u(bitcast<u32>(z), j); }
    }
  }
  workgroupBarrier();
  if (lid != 0u) { return; }

  var token = i32(p.padId);
  if (done[r] == 0u && np - plen < p.maxNewTokens) {
    if (p.temperature == 0.0) {
      token = i32(argmax);
    } else {
      let kv = bitcast<f32>(s_kth.x);
      let ki = s_kth.y;
      var total = 0.0;
      for (var j = 0u; j < p.V; j++) {
        let z = logits[base + j];
        if (!useTopK || better(z, j, kv, ki) || j == ki) { total += exp((z - m) / p.temperature); }
      }
      let goal = uniform_at(p.seed, r, np) * total;
      var cum = 0.0;
      var pick = NONE;
      var last = 0u;
      for (var j = 0u; j < p.V; j++) {
        let z = logits[base + j];
        if (useTopK && !(better(z, j, kv, ki) || j == ki)) { continue; }
        cum += exp((z - m) / p.temperature);
        last = j;
        if (pick == NONE && cum > goal) { pick = j; }
      }
      if (pick == NONE) { pick = last; } // rounding left the goal past the last weight
      token = i32(pick);
    }
    if (token == p.eosId) { done[r] = 1u; }
  }
  tokens[r * p.Tmax + np] = token;
}
