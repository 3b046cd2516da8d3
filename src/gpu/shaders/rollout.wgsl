// A whole rollout in one dispatch: one workgroup per row runs every position of that row's
// generation (docs/DESIGN.md §2). Rows are independent (each has its own prompt, KV cache and random
// stream), so a row needs nothing from another, and every intermediate of a decode step (the residual
// stream, q|k|v, the attention output, the MLP's hidden layer, the logits) lives in workgroup memory;
// only the KV cache and the tokens go to storage. A decode step at these widths is mostly launch
// cost on any GPU, so one launch per rollout, not one per op and position, is what makes it fast.
//
// At position pos the row's input token is its prompt token while pos < promptLen, else the token it
// sampled at pos; it runs the GPT-2 block stack on that one token (appending k, v to the cache), and
// from the last prompt position on, ln_f + the tied LM head and sample_row draw the token at pos + 1
// with u = uniform_at(seed, row, pos + 1). A row stops at <eos> or after maxNewTokens; the slots after
// it keep the filler the caller wrote (<eos>).
// CPU reference: CpuEngine.generate (src/models/cpu/engine.ts): GPT.decode (src/models/cpu/model.ts)
// per position, then sampleToken (src/models/cpu/sampling.ts).

// #include gelu
// #include rng
// #include sample_row

override WG: u32; // invocations per workgroup, from the TS wrapper
override C: u32; // nEmbd
override NH: u32; // heads
override V: u32; // vocabulary
override TMAX: u32; // context length: the cache length and the row stride of `tokens`
override NLAYER: u32;

const LN_EPS: f32 = 1e-5; // layernorm.wgsl's EPS

struct Params {
  rowBase: u32, // the first row of this dispatch (workgroup i runs row rowBase + i)
  maxNewTokens: u32,
  temperature: f32, // τ; 0 = greedy
  topK: u32, // 0 = full vocabulary
  seed: u32,
  eosId: i32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> tokens: array<i32>; // (rows, TMAX) prompts, then samples
@group(0) @binding(2) var<storage, read> promptLen: array<u32>; // (rows)
@group(0) @binding(3) var<storage, read> w: array<f32>; // every parameter, at the offsets in `offs`
// Element offsets in `w`: wte, wpe, ln_f.weight, ln_f.bias, then per layer ln_1.weight, ln_1.bias,
// c_attn.weight, c_attn.bias, attn.c_proj.weight, attn.c_proj.bias, ln_2.weight, ln_2.bias, c_fc.weight,
// c_fc.bias, mlp.c_proj.weight, mlp.c_proj.bias (rolloutTensors in src/gpu/kernels/rollout.ts).
@group(0) @binding(4) var<storage, read> offs: array<u32>;
// (rows of this dispatch, NLAYER, 2, NH, TMAX, C/NH): keys and values
@group(0) @binding(5) var<storage, read_write> kv: array<f32>;

var<workgroup> s_x: array<f32, C>; // the residual stream
var<workgroup> s_h: array<f32, C>; // a LayerNorm's output, then the attention's (heads side by side)
var<workgroup> s_wide: array<f32, 4u * C>; // q | k | v (3C), then the MLP's hidden layer (4C)
var<workgroup> s_att: array<f32, NH * TMAX>; // (NH, TMAX) every head's scores over the cache
var<workgroup> s_logits: array<f32, V>;
var<workgroup> s_next: i32; // the token sampled at this position: the input of the next
var<workgroup> s_stop: u32; // 1 once the row sampled <eos>

fn logit_at(j: u32) -> f32 {
  return s_logits[j];
}

// s_h = LayerNorm(s_x) with the weight and bias at offsets ow, ob. Every invocation sums the row
// itself, in order (two passes: mean, then variance): C adds each instead of a tree of barriers, which
// is what a workgroup reduction costs, and every invocation gets the same statistics.
fn layernorm_row(lid: u32, ow: u32, ob: u32) {
  var s = 0.0;
  for (var c = 0u; c < C; c++) { s += s_x[c]; }
  let mean = s / f32(C);
  var v = 0.0;
  for (var c = 0u; c < C; c++) {
    let d = s_x[c] - mean;
    v += d * d;
  }
  let rstd = 1.0 / sqrt(v / f32(C) + LN_EPS);
  for (var c = lid; c < C; c += WG) { s_h[c] = (s_x[c] - mean) * rstd * w[ow + c] + w[ob + c]; }
  workgroupBarrier();
}

@compute @workgroup_size(WG)
fn decode_rollout(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = p.rowBase + wid.x;
  let plen = promptLen[r];
  // The last position whose logits are needed: the last sample's, within the context.
  let lastPos = i32(min(plen + p.maxNewTokens, TMAX)) - 2;
  if (plen == 0u || lastPos < i32(plen) - 1) { return; }
  let hs = C / NH;
  let scale = 1.0 / sqrt(f32(hs));
  let layerOffs = 4u;
  let perLayer = 12u;
  let rowCache = wid.x * NLAYER * 2u * C * TMAX;
  if (lid == 0u) { s_stop = 0u; }
  for (var pos = 0u; pos <= u32(lastPos); pos++) {
    // The embedding of this position's token.
    var tok = s_next;
    if (pos < plen) { tok = tokens[r * TMAX + pos]; }
    let t = u32(max(tok, 0));
    for (var c = lid; c < C; c += WG) { s_x[c] = w[offs[0] + t * C + c] + w[offs[1] + pos * C + c]; }
    workgroupBarrier();
    for (var l = 0u; l < NLAYER; l++) {
      let o = layerOffs + l * perLayer;
      // ln_1 → q | k | v
      layernorm_row(lid, offs[o], offs[o + 1u]);
      let qkvw = offs[o + 2u];
      let qkvb = offs[o + 3u];
      for (var n = lid; n < 3u * C; n += WG) {
        var acc = 0.0;
        for (var k = 0u; k < C; k++) { acc += s_h[k] * w[qkvw + k * 3u * C + n]; }
        s_wide[n] = acc + w[qkvb + n];
      }
      workgroupBarrier();
      // This position's key and value join the cache: (2, NH, TMAX, hs) of this layer.
      let cache = rowCache + l * 2u * C * TMAX;
      for (var c = lid; c < C; c += WG) {
        let at = (c / hs) * TMAX * hs + pos * hs + c % hs;
        kv[cache + at] = s_wide[C + c];
        kv[cache + C * TMAX + at] = s_wide[2u * C + c];
      }
      storageBarrier();
      workgroupBarrier();
      // Attention of the one query over positions 0..pos, every head at once: the scores, one per
      // (head, position); then each output (head, d) takes its head's softmax (max and sum in order,
      // by the invocation itself) over the values, into s_h.
      let n = pos + 1u;
      for (var i = lid; i < NH * n; i += WG) {
        let h = i / n;
        let j = i % n;
        let kAt = cache + h * TMAX * hs + j * hs;
        var s = 0.0;
        for (var d = 0u; d < hs; d++) { s += s_wide[h * hs + d] * kv[kAt + d]; }
        s_att[h * TMAX + j] = s * scale;
      }
      workgroupBarrier();
      for (var c = lid; c < C; c += WG) {
        let h = c / hs;
        let d = c % hs;
        let vAt = cache + C * TMAX + h * TMAX * hs + d;
        var m = -3.4e38;
        for (var j = 0u; j < n; j++) { m = max(m, s_att[h * TMAX + j]); }
        var sum = 0.0;
        var acc = 0.0;
        for (var j = 0u; j < n; j++) {
          let e = exp(s_att[h * TMAX + j] - m);
          sum += e;
          acc += e * kv[vAt + j * hs];
        }
        s_h[c] = acc / sum;
      }
      workgroupBarrier();
      // attn.c_proj + residual
      let apw = offs[o + 4u];
      let apb = offs[o + 5u];
      for (var n = lid; n < C; n += WG) {
        var acc = 0.0;
        for (var k = 0u; k < C; k++) { acc += s_h[k] * w[apw + k * C + n]; }
        s_x[n] = s_x[n] + (acc + w[apb + n]);
      }
      workgroupBarrier();
      // ln_2 → c_fc + GELU → mlp.c_proj + residual
      layernorm_row(lid, offs[o + 6u], offs[o + 7u]);
      let fcw = offs[o + 8u];
      let fcb = offs[o + 9u];
      for (var n = lid; n < 4u * C; n += WG) {
        var acc = 0.0;
        for (var k = 0u; k < C; k++) { acc += s_h[k] * w[fcw + k * 4u * C + n]; }
        s_wide[n] = gelu(acc + w[fcb + n]);
      }
      workgroupBarrier();
      let fpw = offs[o + 10u];
      let fpb = offs[o + 11u];
      for (var n = lid; n < C; n += WG) {
        var acc = 0.0;
        for (var k = 0u; k < 4u * C; k++) { acc += s_wide[k] * w[fpw + k * C + n]; }
        s_x[n] = s_x[n] + (acc + w[fpb + n]);
      }
      workgroupBarrier();
    }
    let np = pos + 1u;
    if (np < plen) { continue; } // still inside the prompt: no logits needed
    // ln_f → logits (the LM head is wte, tied) → the token at pos + 1
    layernorm_row(lid, offs[2], offs[3]);
    for (var v = lid; v < V; v += WG) {
      var acc = 0.0;
      for (var k = 0u; k < C; k++) { acc += s_h[k] * w[offs[0] + v * C + k]; }
      s_logits[v] = acc;
    }
    workgroupBarrier();
    let token = i32(sample_row(lid, V, p.temperature, p.topK, uniform_at(p.seed, r, np)));
    if (lid == 0u) {
      tokens[r * TMAX + np] = token;
      s_next = token;
      if (token == p.eosId) { s_stop = 1u; }
    }
    if (workgroupUniformLoad(&s_stop) == 1u) { break; }
  }
}
