// token_select.wgsl against planPolicyLoss (src/rl/policyLoss.ts): the top-entropy mask, KL-Cov's
// tokens and Clip-Cov's seeded draw chosen on the device equal the TypeScript plan token for token.
// Both sides see the same f32 cov_t (the TS plan widens it), so the comparison is exact. Entropies and
// log-probs sit on a coarse grid, so values tie and the tie rule (lower index first) is exercised.
import { describe, expect, test } from 'vitest';
import { Rng } from '../../models/rng';
import { parseRunConfig, type RunConfig } from '../../rl/config';
import { planPolicyLoss, planSelection, type PolicyLossInput, type PolicyLossParams } from '../../rl/policyLoss';
import { testRuntime } from '../testing';
import { packTokenInputs } from './policy_loss';
import { tokenSelect } from './token_select';

/** B rows of G-groups with completions of different lengths; values on grids so that many tie. */
function batch(B: number, T: number, seed: number): Omit<PolicyLossInput, 'params' | 'seed'> {
  const N = B * T;
  const rng = new Rng(seed, 5);
  const mask = new Uint8Array(N);
  for (let b = 0; b < B; b++) for (let t = 2; t < 2 + 1 + rng.int(T - 2); t++) mask[b * T + t] = 1;
  const grid = (step: number, lo: number, n: number) => lo + step * rng.int(n);
  const logprobs = Float32Array.from({ length: N }, () => -grid(0.25, 0.05, 12));
  const oldLogprobs = logprobs.map((l) => l + grid(0.125, -1.5, 25)); // ρ in [e^−1.5, e^1.5]: some already clipped
  const entropy = Float32Array.from({ length: N }, () => grid(0.25, 0.1, 10));
  const rowA = Array.from({ length: B }, () => grid(0.5, -1.5, 7));
  const advantages = Float32Array.from(mask, (m, i) => (m ? rowA[Math.floor(i / T)] : 0));
  return { B, T, logprobs, oldLogprobs, refLogprobs: logprobs, entropy, advantages, mask };
}

const params = (o: Partial<RunConfig>): PolicyLossParams => ({
  ...parseRunConfig({ epsLow: 0.2, epsHigh: 0.28 }),
  ...o, // ratios past the sidebar's range too: the kernel has no range of its own
  entropyCoef: 0,
  normLength: 16,
});

const CASES: [string, Partial<RunConfig>, number[]][] = [
  ['top-entropy q = 0.3', { topEntropyQuantile: 0.3 }, [1]],
  ['top-entropy q = 0.75', { topEntropyQuantile: 0.75 }, [1]],
  ['KL-Cov ratio 0.1', { policyLoss: 'kl-cov', klCovRatio: 0.1 }, [1]],
  [
    'KL-Cov ratio 0.2 with top-entropy q = 0.5',
    { policyLoss: 'kl-cov', klCovRatio: 0.2, topEntropyQuantile: 0.5 },
    [1],
  ],
  [
    'Clip-Cov ratio 0.2, cov in (0, 8)',
    { policyLoss: 'clip-cov', clipCovRatio: 0.2, clipCovLb: 0, clipCovUb: 8 },
    [1, 2, 3, 91, 123456789],
  ],
  [
    'Clip-Cov ratio 0.5, cov in (-0.25, 0.5) (fewer candidates than k)',
    { policyLoss: 'clip-cov', clipCovRatio: 0.5, clipCovLb: -0.25, clipCovUb: 0.5 },
    [7],
  ],
  [
    'Clip-Cov ratio 0.1 with top-entropy q = 0.5',
    { policyLoss: 'clip-cov', clipCovRatio: 0.1, clipCovLb: 0, clipCovUb: 8, topEntropyQuantile: 0.5 },
    [5],
  ],
];

const count = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, x) => s + (x ? 1 : 0), 0);

describe('token_select kernel', () => {
  test.each([
    [8, 12],
    [32, 16],
  ])('B=%i T=%i: every case selects the tokens planPolicyLoss selects', async (B, T) => {
    const rt = await testRuntime();
    const x = batch(B, T, B * T);
    const N = B * T;
    const tokens = count(x.mask);
    const upload = (a: Float32Array | Uint8Array) => rt.upload(a instanceof Uint8Array ? Uint32Array.from(a) : a);
    const lines: string[] = [];
    for (const [name, o, seeds] of CASES) {
      const p = params(o);
      for (const seed of seeds) {
        const input: PolicyLossInput = { ...x, params: p, seed };
        const sel = planSelection(p, x.mask, seed);
        // cov_t in f32, as the device has it; the TS plan selects on the same numbers widened.
        const cov32 = Float32Array.from(planPolicyLoss(input).cov);
        const plan = planPolicyLoss(input, Float64Array.from(cov32));
        const tokenIn = upload(packTokenInputs(x.advantages, plan.weights, x.mask, new Uint8Array(N)));
        const rec = rt.recorder();
        const bufs = {
          tokenIn,
          entropy: upload(x.entropy),
          cov: upload(cov32),
          mask: upload(x.mask),
          logprobs: upload(x.logprobs),
          oldLogprobs: upload(x.oldLogprobs),
          candidates: rt.buffer(N * 4),
        };
        tokenSelect(rec, bufs, N, sel, p);
        rec.submit();
        const got = await rt.readF32(tokenIn, N * 4);
        const lane = (l: number) => Array.from({ length: N }, (_, i) => got[i * 4 + l]);
        expect(lane(2), `${name} seed ${seed}: pgActive`).toEqual(Array.from(plan.pgActive));
        expect(lane(3), `${name} seed ${seed}: klCovSelected`).toEqual(Array.from(plan.klCovSelected));
        // The case is live: something is chosen, and (top-entropy) something is left out.
        const chosen = count(plan.selected);
        expect(chosen > 0).toBe(p.policyLoss !== 'vanilla');
        if (sel.topEntropyK !== null) expect(count(plan.pgActive)).toBeLessThan(tokens);
        lines.push(`${name} seed ${seed}: ${chosen} selected, ${count(plan.pgActive)} with the PG term`);
        for (const b of Object.values(bufs)) rt.release(b);
      }
    }
    // Ties were there to break: the top-entropy cut falls inside a run of equal entropies.
    const H = Array.from(x.entropy).filter((_, i) => x.mask[i]);
    expect(new Set(H).size).toBeLessThan(H.length);
    console.log(`token_select B=${B} T=${T}, ${tokens} loss tokens: ${lines.join('; ')}`);
  });
});
