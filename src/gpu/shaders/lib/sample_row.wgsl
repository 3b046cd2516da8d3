// Drawing one token from one row's logits for a workgroup (one invocation draws, every one gets it):
// greedy argmax at temperature 0 (lowest index on ties), otherwise the inverse CDF of exp((z − max)/τ)
// over the top-k logits (all when topK = 0) at the uniform u the caller draws (uniform_at(seed, row,
// position), the RNG shared with the CPU engine), so both engines draw the same token from the same
// logits.
// CPU reference: sampleToken (src/models/cpu/sampling.ts).
// The including shader declares a function `logit_at` (j: u32) -> f32, the row's logit j, and calls
// sample_row from uniform control flow with every invocation.

const SAMPLE_NONE: u32 = 0xffffffffu;

var<workgroup> sample_pick: u32;

// Logit (v, i) ranks above (w, j): larger, or equal at a lower index.
fn sample_better(v: f32, i: u32, w: f32, j: u32) -> bool {
  return v > w || (v == w && i < j);
}

// The token drawn from logits 0..V−1; every invocation gets it. One invocation draws: a vocabulary is
// tens of tokens, and a tree over the workgroup would cost a barrier per level.
fn sample_row(lid: u32, V: u32, temperature: f32, topK: u32, u: f32) -> u32 {
  if (lid == 0u) {
    // The max and its lowest index (argmax).
    var m = logit_at(0u);
    var argmax = 0u;
    for (var j = 1u; j < V; j++) {
      let z = logit_at(j);
      if (z > m) {
        m = z;
        argmax = j;
      }
    }
    if (temperature == 0.0) {
      sample_pick = argmax;
    } else {
      // Top-k: the logit of rank k−1 (rank = larger logits + equal logits at lower index) is the cut.
      let useTopK = topK > 0u && topK < V;
      var kv = 0.0;
      var ki = 0u;
      if (useTopK) {
        for (var j = 0u; j < V; j++) {
          let z = logit_at(j);
          var rank = 0u;
          for (var i = 0u; i < V; i++) {
            if (sample_better(logit_at(i), i, z, j)) { rank++; }
          }
          if (rank == topK - 1u) {
            kv = z;
            ki = j;
          }
        }
      }
      var total = 0.0;
      for (var j = 0u; j < V; j++) {
        let z = logit_at(j);
        if (!useTopK || sample_better(z, j, kv, ki) || j == ki) { total += exp((z - m) / temperature); }
      }
      let goal = u * total;
      var cum = 0.0;
      var pick = SAMPLE_NONE;
      var last = 0u;
      for (var j = 0u; j < V; j++) {
        let z = logit_at(j);
        if (useTopK && !(sample_better(z, j, kv, ki) || j == ki)) { continue; }
        cum += exp((z - m) / temperature);
        last = j;
        if (pick == SAMPLE_NONE && cum > goal) { pick = j; }
      }
      if (pick == SAMPLE_NONE) { pick = last; } // rounding left the goal past the last weight
      sample_pick = pick;
    }
  }
  return workgroupUniformLoad(&sample_pick);
}
