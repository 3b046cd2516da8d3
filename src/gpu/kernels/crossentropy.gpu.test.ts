// crossentropy.wgsl: the mean −log p over target positions and the SFT coefficients, against the
// CPU reference (logprobEntropyForward → mean) and meanNllCoefficients (src/models/engine.ts).
import { describe, expect, test } from 'vitest';
import { logprobEntropyForward } from '../../models/cpu/ops';
import { meanNllCoefficients } from '../../models/engine';
import { Rng } from '../../models/rng';
import { allClose, randomArray, testRuntime } from '../testing';
import { crossentropyForward } from './crossentropy';

describe('cross-entropy kernel', () => {
  test.each([
    [1, 5],
    [37, 11],
    [300, 7],
  ])('BT=%i V=%i: loss = mean −log p over targets ≠ -1 (rtol 1e-5), dLogprobs = -1/N on targets', async (BT, V) => {
    const rt = await testRuntime();
    const rng = new Rng(BT);
    const logits = randomArray(BT * V, BT + V, 4); // (BT,V)
    const targets = new Int32Array(BT); // (BT), about a third ignored
    for (let i = 0; i < BT; i++) targets[i] = BT > 1 && rng.next() < 0.3 ? -1 : rng.int(V);
    const lp = new Float32Array(BT);
    logprobEntropyForward(lp, new Float32Array(BT), new Float32Array(BT * V), logits, targets, BT, V);
    let sum = 0;
    let n = 0;
    for (let i = 0; i < BT; i++) if (targets[i] >= 0) ((sum -= lp[i]), n++);
    const want = sum / n;
    const coef = meanNllCoefficients({ B: 1, T: BT, tokens: new Int32Array(BT), targets });

    const loss = rt.buffer(4);
    const dLp = rt.buffer(BT * 4);
    const rec = rt.recorder();
    crossentropyForward(rec, loss, dLp, rt.upload(lp), rt.upload(targets), BT);
    rec.submit();
    const [gLoss, gD] = (
      await rt.read([
        { buffer: loss, count: 1 },
        { buffer: dLp, count: BT },
      ])
    ).map((b) => new Float32Array(b));
    expect(Math.abs(gLoss[0] - want) / want).toBeLessThan(1e-5);
    expect(allClose(gD, coef.dLogprobs, 1e-6, 0).ok).toBe(true);
  });
});
