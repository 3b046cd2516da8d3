// Adaptive entropy coefficient (docs/DESIGN.md §5): raise α by δ while the mean token entropy is under the
// target, lower it by δ otherwise, clamped to [0, α_max]. A bang-bang controller, as in SAC-style
// target-entropy tuning reduced to its simplest form.

export interface EntropyControl {
  entropyTarget: number;
  entropyCoefDelta: number; // δ
  entropyCoefMax: number; // α_max
}

export function nextEntropyCoef(coef: number, meanEntropy: number, c: EntropyControl): number {
  const next = meanEntropy < c.entropyTarget ? coef + c.entropyCoefDelta : coef - c.entropyCoefDelta;
  return Math.min(c.entropyCoefMax, Math.max(0, next));
}
