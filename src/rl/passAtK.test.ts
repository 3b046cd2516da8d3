// pass@k: hand cases of 1 − C(n−c,k)/C(n,k).
import { describe, expect, it } from 'vitest';
import { meanPassAtK, passAtK } from './passAtK';

describe('pass@k', () => {
  it('n=5, c=2, k=2: 1 − C(3,2)/C(5,2) = 1 − 3/10 = 0.7', () => {
    expect(passAtK(5, 2, 2)).toBeCloseTo(0.7, 12);
  });
  it('k=1 is the fraction correct: n=8, c=3 → 3/8', () => {
    expect(passAtK(8, 3, 1)).toBeCloseTo(0.375, 12);
  });
  it('n=8, c=1, k=4: 1 − C(7,4)/C(8,4) = 1 − 35/70 = 0.5', () => {
    expect(passAtK(8, 1, 4)).toBeCloseTo(0.5, 12);
  });
  it('is 0 with no correct sample and 1 when n−c < k', () => {
    expect(passAtK(8, 0, 4)).toBe(0);
    expect(passAtK(8, 5, 4)).toBe(1); // C(3,4) = 0
    expect(passAtK(4, 4, 4)).toBe(1);
  });
  it('stays finite where the binomials overflow: n=2000, c=1, k=1000 → 0.5', () => {
    // C(1999,1000)/C(2000,1000) = (2000−1000)/2000 = 0.5
    expect(passAtK(2000, 1, 1000)).toBeCloseTo(0.5, 10);
  });
  it('averages over problems: (0.7 + 0 + 1)/3', () => {
    expect(meanPassAtK([2, 0, 5], 5, 2)).toBeCloseTo(1.7 / 3, 12);
  });
  it('rejects k > n', () => {
    expect(() => passAtK(3, 1, 4)).toThrow(/1 ≤ k ≤ n/);
  });
});
