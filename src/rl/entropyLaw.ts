// The empirical entropy–performance law of "The Entropy Mechanism of Reinforcement Learning for
// Reasoning Language Models": R = −a·e^H + b. Linear in x = e^H, so least squares is closed form:
// regress R on x, slope m = −a, intercept b. The predicted ceiling (H → 0) is R = −a + b.

export interface EntropyLawFit {
  a: number;
  b: number;
  ceiling: number; // −a + b
  r2: number; // coefficient of determination of the fit
}

/** null when there are fewer than two points with distinct entropy (the slope is undefined). */
export function fitEntropyLaw(points: readonly { entropy: number; accuracy: number }[]): EntropyLawFit | null {
  const n = points.length;
  if (n < 2) return null;
  const xs = points.map((p) => Math.exp(p.entropy));
  const ys = points.map((p) => p.accuracy);
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) ** 2;
  }
  if (sxx <= 1e-12 * Math.max(1, mx * mx)) return null;
  const slope = sxy / sxx;
  const a = -slope;
  const b = my - slope * mx;
  const r2 = syy > 0 ? (sxy * sxy) / (sxx * syy) : 1;
  return { a, b, ceiling: -a + b, r2 };
}

const short = (v: number) => String(Number(v.toPrecision(4)));

/**
 * What the chart says about the fit. The law is worth drawing only when accuracy falls as entropy
 * rises (a > 0): only then is −a + b a ceiling. Otherwise it says why there is no curve.
 */
export function entropyLawNote(fit: EntropyLawFit | null, points: number): string {
  if (!fit) {
    return points < 2 ? 'fit R = −a·e^H + b needs 2+ evaluations' : 'no fit: the evaluations all have the same entropy';
  }
  if (!(fit.a > 0)) return `no fit shown: accuracy does not fall as entropy rises (a = ${short(fit.a)} ≤ 0)`;
  return `R = −${short(fit.a)}·e^H + ${short(fit.b)}, ceiling ${short(fit.ceiling)}`;
}
