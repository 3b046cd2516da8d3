// The entropy law fit R = −a·e^H + b and the adaptive entropy coefficient.
import { describe, expect, it } from 'vitest';
import { entropyLawNote, fitEntropyLaw } from './entropyLaw';
import { nextEntropyCoef } from './entropyControl';
import { Rng } from '../models/rng';

describe('fitEntropyLaw', () => {
  it('recovers a=0.3, b=1.1 exactly from noiseless points; ceiling −a+b = 0.8', () => {
    const pts = [0.1, 0.4, 0.8, 1.2, 1.5].map((h) => ({ entropy: h, accuracy: -0.3 * Math.exp(h) + 1.1 }));
    const f = fitEntropyLaw(pts)!;
    expect(f.a).toBeCloseTo(0.3, 10);
    expect(f.b).toBeCloseTo(1.1, 10);
    expect(f.ceiling).toBeCloseTo(0.8, 10);
    expect(f.r2).toBeCloseTo(1, 10);
  });

  it('two points give the line through them: (H=0, R=0.9), (H=ln 2, R=0.5) → a=0.4, b=1.3', () => {
    // x = e^H = 1 and 2; slope (0.5−0.9)/(2−1) = −0.4 → a = 0.4; b = 0.9 + 0.4 = 1.3
    const f = fitEntropyLaw([
      { entropy: 0, accuracy: 0.9 },
      { entropy: Math.log(2), accuracy: 0.5 },
    ])!;
    expect(f.a).toBeCloseTo(0.4, 12);
    expect(f.b).toBeCloseTo(1.3, 12);
    expect(f.ceiling).toBeCloseTo(0.9, 12);
  });

  it('with seeded noise σ=0.01 the fit stays within 0.03 of the truth', () => {
    const rng = new Rng(5);
    const pts = Array.from({ length: 60 }, (_, i) => {
      const h = 0.05 + (1.4 * i) / 59;
      return { entropy: h, accuracy: -0.2 * Math.exp(h) + 0.95 + 0.01 * rng.normal() };
    });
    const f = fitEntropyLaw(pts)!;
    expect(Math.abs(f.a - 0.2)).toBeLessThan(0.03);
    expect(Math.abs(f.b - 0.95)).toBeLessThan(0.03);
    expect(f.r2).toBeGreaterThan(0.95);
  });

  it('is null for fewer than two points or a single entropy value', () => {
    expect(fitEntropyLaw([{ entropy: 1, accuracy: 0.5 }])).toBeNull();
    expect(
      fitEntropyLaw([
        { entropy: 1, accuracy: 0.5 },
        { entropy: 1, accuracy: 0.7 },
      ]),
    ).toBeNull();
  });
});

describe('nextEntropyCoef (adaptive α)', () => {
  const c = { entropyTarget: 0.5, entropyCoefDelta: 0.01, entropyCoefMax: 0.025 };
  it('raises by δ under the target, lowers by δ above it', () => {
    expect(nextEntropyCoef(0.01, 0.3, c)).toBeCloseTo(0.02, 12);
    expect(nextEntropyCoef(0.01, 0.7, c)).toBeCloseTo(0, 12);
  });
  it('clamps to [0, α_max]', () => {
    expect(nextEntropyCoef(0.02, 0.1, c)).toBe(0.025);
    expect(nextEntropyCoef(0.005, 0.9, c)).toBe(0);
  });
});

describe('entropyLawNote', () => {
  const at = (a: number, b: number, hs: number[]) => hs.map((h) => ({ entropy: h, accuracy: -a * Math.exp(h) + b }));

  it('states the fit and its ceiling when accuracy falls as entropy rises (a > 0)', () => {
    const fit = fitEntropyLaw(at(0.25, 1, [0, 0.5, 1]));
    expect(entropyLawNote(fit, 3)).toBe('R = −0.25·e^H + 1, ceiling 0.75');
  });

  it('says why there is no curve when a ≤ 0, too few points, or one entropy', () => {
    expect(entropyLawNote(fitEntropyLaw(at(-0.1, 0.2, [0, 1])), 2)).toBe(
      'no fit shown: accuracy does not fall as entropy rises (a = -0.1 ≤ 0)',
    );
    expect(entropyLawNote(null, 1)).toBe('fit R = −a·e^H + b needs 2+ evaluations');
    expect(
      entropyLawNote(
        fitEntropyLaw([
          { entropy: 1, accuracy: 0.2 },
          { entropy: 1, accuracy: 0.4 },
        ]),
        2,
      ),
    ).toBe('no fit: the evaluations all have the same entropy');
  });
});
