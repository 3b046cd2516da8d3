// The project's one RNG on the GPU: mirrors src/models/rng.ts (hash32 = lowbias32, uniformAt).
// Included by the kernels that sample (`// #include rng`).

fn hash32(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

// Uniform in [0,1) from (seed, stream, counter); 24 bits, as uniformAt.
fn uniform_at(seed: u32, stream: u32, counter: u32) -> f32 {
  let h = hash32(hash32(hash32(seed) ^ stream) ^ counter);
  return f32(h >> 8u) / 16777216.0;
}
