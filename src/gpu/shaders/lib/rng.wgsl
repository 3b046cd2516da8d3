// The project's one RNG on the GPU: mirrors src/models/rng.ts (hash32 = lowbias32, uniformAt).
// Included by the kernels that draw random numbers (`// #include rng`): sampling, Clip-Cov's subset.

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

// Integer in [0, n) from (seed, stream, counter), as Rng.int: ⌊u·n⌋ of uniform_at's 24 bits, in
// integer arithmetic (h = a·2¹² + b, so ⌊h·n/2²⁴⌋ = ⌊(a·n + ⌊b·n/2¹²⌋)/2¹²⌋), exact for n ≤ 2²⁰.
fn rand_below(seed: u32, stream: u32, counter: u32, n: u32) -> u32 {
  let h = hash32(hash32(hash32(seed) ^ stream) ^ counter) >> 8u;
  return ((h >> 12u) * n + (((h & 0xfffu) * n) >> 12u)) >> 12u;
}
