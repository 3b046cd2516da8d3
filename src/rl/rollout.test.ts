// Rollout batch layout: where prompts, completions and targets land; masks and broadcasts.
import { describe, expect, it } from 'vitest';
import {
  broadcastToTokens,
  buildRolloutBatch,
  completionMask,
  completionValues,
  encodePrompt,
  selectRowValues,
  selectRows,
} from './rollout';
import { Tokenizer } from '../models/tokenizer';

const tok = Tokenizer.fromAlphabet('0123456789+='); // <pad>=0 <bos>=1 <eos>=2, '0'=3 … '9'=12, '+'=13, '='=14

describe('rollout batch', () => {
  it('encodePrompt prepends <bos>', () => {
    expect([...encodePrompt(tok, '1+2=')]).toEqual([1, 4, 13, 5, 14]);
  });

  it('rows are <bos> prompt completion[:-1]; targets are exactly the completion tokens, <eos> included', () => {
    const p0 = encodePrompt(tok, '1+2='); // 5 tokens
    const p1 = encodePrompt(tok, '9='); // 3 tokens
    const c0 = Int32Array.from([6, 2]); // "3" <eos>
    const c1 = Int32Array.from([4, 4, 4]); // "111", truncated
    const r = buildRolloutBatch([p0, p1], [c0, c1], tok.padId);
    // T = max(5 + 2 − 1, 3 + 3 − 1) = 6
    expect(r.batch.T).toBe(6);
    expect([...r.batch.tokens]).toEqual([1, 4, 13, 5, 14, 6, /* row 1 */ 1, 12, 14, 4, 4, 0]);
    expect([...r.batch.targets]).toEqual([-1, -1, -1, -1, 6, 2, /* row 1 */ -1, -1, 4, 4, 4, -1]);
    expect(r.start).toEqual([4, 2]);
    expect(r.lengths).toEqual([2, 3]);

    expect([...completionMask(r, [false, true], false)]).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0]);
    expect([...completionMask(r, [false, true], true)]).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect([...broadcastToTokens(r, [0.5, -2])]).toEqual([0, 0, 0, 0, 0.5, 0.5, 0, 0, -2, -2, -2, 0]);
    const vals = Float32Array.from({ length: 12 }, (_, i) => i);
    expect(completionValues(r, vals, 0)).toEqual([4, 5]);
    expect(completionValues(r, vals, 1)).toEqual([8, 9, 10]);

    const sub = selectRows(r, [1]);
    expect([...sub.batch.targets]).toEqual([-1, -1, 4, 4, 4, -1]);
    expect(sub.start).toEqual([2]);
    expect([...selectRowValues(vals, 6, [1, 0])]).toEqual([6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5]);
  });
});
