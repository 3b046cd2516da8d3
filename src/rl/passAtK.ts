// The unbiased pass@k estimator (Chen et al. 2021, Codex): with n samples of which c are correct,
// pass@k = 1 − C(n−c, k)/C(n, k), computed as 1 − Π_{i=n−c+1}^{n} (1 − k/i) to avoid huge binomials.

export function passAtK(n: number, c: number, k: number): number {
  if (!(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k)) || k < 1 || c < 0 || c > n || k > n) {
    throw new Error(`pass@k needs integers 0 ≤ c ≤ n and 1 ≤ k ≤ n, got n=${n} c=${c} k=${k}`);
  }
  if (n - c < k) return 1; // every k-subset holds a correct sample
  let prodWrong = 1;
  for (let i = n - c + 1; i <= n; i++) prodWrong *= 1 - k / i;
  return 1 - prodWrong;
}

/** Mean pass@k over problems, each with n samples and its count of correct ones. */
export function meanPassAtK(correctCounts: readonly number[], n: number, k: number): number {
  if (correctCounts.length === 0) return 0;
  return correctCounts.reduce((s, c) => s + passAtK(n, c, k), 0) / correctCounts.length;
}
