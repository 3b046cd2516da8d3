// The project's one random-number generator: a counter-based hash (lowbias32, Wellons), so that
// the CPU engine and the WGSL sampling kernel (src/gpu/shaders/lib/rng.wgsl) draw the same numbers
// from (seed, stream, counter) without sharing state.

/** lowbias32: a 32-bit integer hash with good avalanche. Mirrors rng.wgsl `hash32`. */
export function hash32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** Uniform in [0,1) from (seed, stream, counter); 24 bits, exactly representable in f32. */
export function uniformAt(seed: number, stream: number, counter: number): number {
  const h = hash32(hash32(hash32(seed >>> 0) ^ (stream >>> 0)) ^ (counter >>> 0));
  return (h >>> 8) / 16777216;
}

/** A sequential stream over uniformAt, with the helpers the rest of the code needs. */
export class Rng {
  private counter = 0;
  constructor(
    readonly seed: number,
    readonly stream = 0,
  ) {}

  /** Uniform in [0,1). */
  next(): number {
    return uniformAt(this.seed, this.stream, this.counter++);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u1 = Math.max(this.next(), 1e-12);
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }

  /** A child stream, independent of this one, for a named purpose. */
  fork(stream: number): Rng {
    return new Rng(hash32(this.seed ^ Math.imul(stream + 1, 0x9e3779b9)), this.stream);
  }

  /** Position in the stream, for save/restore of a run. */
  get state(): { seed: number; stream: number; counter: number } {
    return { seed: this.seed, stream: this.stream, counter: this.counter };
  }

  static restore(s: { seed: number; stream: number; counter: number }): Rng {
    const r = new Rng(s.seed, s.stream);
    r.counter = s.counter;
    return r;
  }
}
