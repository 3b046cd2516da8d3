// KL estimators against the frozen reference policy (docs/DESIGN.md §5; Schulman's k1/k2/k3), per token,
// with their derivative in the current log-prob (the engine backpropagates from dL/dlogπ).

import type { KlEstimator } from '../models/engine';

/** value and d value / d logπ for one token. */
export function klToken(logp: number, refLogp: number, estimator: KlEstimator): { value: number; dLogp: number } {
  switch (estimator) {
    case 'k1': // logπ − logπ_ref
      return { value: logp - refLogp, dLogp: 1 };
    case 'k2': // ½(logπ − logπ_ref)²
      return { value: 0.5 * (logp - refLogp) ** 2, dLogp: logp - refLogp };
    case 'k3': {
      // exp(Δ) − Δ − 1, Δ = logπ_ref − logπ; d/dlogπ = −(exp(Δ) − 1)
      const d = refLogp - logp;
      const e = Math.exp(d);
      return { value: e - d - 1, dLogp: 1 - e };
    }
  }
}
