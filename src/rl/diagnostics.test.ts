// Each diagnostic rule on synthetic runs: a healthy run trips nothing; a run that crosses a rule's
// threshold for the rule's window trips it at the first step of the stretch; a hair short of the
// threshold, or one step short of the window, does not. Thresholds are read from the rule table.
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from './config';
import { diagnose, DIAGNOSTIC_RULES, firstWindow, formatDiagnostics, type DiagnosticId } from './diagnostics';
import type { MetricsRow } from './metrics';

const config = parseRunConfig({ groupSize: 8, temperature: 1, maxNewTokens: 16, lr: 1e-3 });
const t = (id: DiagnosticId) => DIAGNOSTIC_RULES.find((r) => r.id === id)!.thresholds;

const HEALTHY: Partial<MetricsRow> = {
  reward: 0.5,
  frac_reward_zero_std: 0.2,
  'completions/clipped_ratio': 0,
  entropy: 1,
  kl: 0.01,
  grad_norm: 0.5,
  policy_loss: 0.01,
};

/**
 * A run of `n` steps: healthy values, overridden per step by `at(step)`; evaluation at step 0 and
 * every 10 steps (accuracy `acc(step)`, 0.3 by default), and a final evaluation row at step n.
 */
function run(
  n: number,
  at: (step: number) => Partial<MetricsRow> = () => ({}),
  acc: (step: number) => number = () => 0.3,
): MetricsRow[] {
  const rows: MetricsRow[] = [];
  for (let s = 0; s < n; s++) {
    const row = { step: s, ...HEALTHY, ...at(s) } as MetricsRow;
    if (s % 10 === 0) row.accuracy = acc(s);
    rows.push(row);
  }
  rows.push({ step: n, accuracy: acc(n) } as MetricsRow);
  return rows;
}

const ids = (rows: MetricsRow[], c = config) => diagnose(rows, c).map((d) => `${d.id}@${d.step}`);
const during = (from: number, len: number, v: Partial<MetricsRow>) => (s: number) =>
  s >= from && s < from + len ? v : {};

describe('diagnose', () => {
  it('a healthy run trips no rule', () => {
    expect(diagnose(run(60), config)).toEqual([]);
    expect(formatDiagnostics([])).toBe('diagnose: no failure pattern found\n');
  });

  it('firstWindow: the first window whose mean (or other aggregate) crosses, and its first row that crosses alone', () => {
    const rows = [0, 1, 1, 0, 1, 1, 1, 1].map((v, step) => ({ step, kl: v }) as MetricsRow);
    expect(firstWindow(rows, 'kl', 3, (v) => v === 1)).toEqual({ start: 4, end: 7, first: 4 });
    expect(firstWindow(rows, 'kl', 3, (v) => v >= 0.6)).toEqual({ start: 0, end: 3, first: 1 }); // mean 2/3
    expect(firstWindow(rows, 'kl', 5, (v) => v >= 0.8)).toEqual({ start: 1, end: 6, first: 1 });
    expect(
      firstWindow(
        rows,
        'kl',
        3,
        (v) => v >= 0.5,
        (vs) => Math.min(...vs),
      ),
    ).toEqual({ start: 4, end: 7, first: 4 });
    expect(firstWindow(rows, 'kl', 3, (v) => v > 1)).toBeNull();
    // a run shorter than the window is one window
    expect(firstWindow(rows.slice(1, 3), 'kl', 5, (v) => v === 1)).toEqual({ start: 0, end: 2, first: 0 });
  });
});

describe('divergence', () => {
  it('a NaN grad_norm at step 7 is an error at step 7, also after a JSON round trip (NaN → null)', () => {
    const rows = run(20, (s) => (s >= 7 ? { grad_norm: NaN, policy_loss: NaN } : {}));
    for (const r of [rows, JSON.parse(JSON.stringify(rows)) as MetricsRow[]]) {
      const [d] = diagnose(r, config);
      expect(d.id).toBe('divergence');
      expect(d.severity).toBe('error');
      expect(d.step).toBe(7);
      expect(d.message).toMatch(/^Divergence: .* at step 7/);
      expect(d.message).toMatch(/Lower lr \(now 0\.001\)/);
    }
  });

  it('grad_norm above gradNormFactor × its early median (0.5) for the window trips; just below, or one step short, does not', () => {
    const { gradNormFactor, window } = t('divergence');
    expect(ids(run(30, during(12, window, { grad_norm: gradNormFactor * 0.5 + 0.01 })))).toEqual(['divergence@12']);
    expect(ids(run(30, during(12, window, { grad_norm: gradNormFactor * 0.5 - 0.01 })))).toEqual([]);
    // one spike the run recovers from (as a reverse-long run showed: 3.97 once, early median 0.2) is not divergence
    expect(ids(run(30, during(12, window - 1, { grad_norm: 100 })))).toEqual([]);
  });

  it('a small early grad_norm does not make a modest later one an explosion (gradNormFloor)', () => {
    const { gradNormFloor } = t('divergence');
    const rows = run(30, (s) => ({ grad_norm: s < 10 ? 0.01 : 0.9 * gradNormFloor }));
    expect(ids(rows)).toEqual([]);
  });
});

describe('no learning signal', () => {
  it(`frac_reward_zero_std at the threshold for the window trips at the stretch's first step and names the fix`, () => {
    const { zeroStdFraction, window } = t('no-signal');
    const d = diagnose(run(40, during(10, window, { frac_reward_zero_std: zeroStdFraction, reward: 0.05 })), config);
    expect(d.map((x) => `${x.id}@${x.step}`)).toEqual(['no-signal@10']);
    expect(d[0].message).toMatch(
      /^No learning signal: from step 10, 80% of groups gave every completion the same reward/,
    );
    expect(d[0].message).toMatch(/groupSize \(now 8\)/);
    expect(d[0].message).toMatch(/temperature \(now 1\)/);
    expect(d[0].message).toMatch(/partial credit/);
  });

  it('one step short of the window (its mean then below), or a hair under the threshold, does not trip', () => {
    const { zeroStdFraction, window } = t('no-signal');
    expect(ids(run(40, during(10, window - 1, { frac_reward_zero_std: zeroStdFraction })))).toEqual([]);
    expect(ids(run(40, during(10, 20, { frac_reward_zero_std: zeroStdFraction - 0.01 })))).toEqual([]);
  });
});

describe('truncation', () => {
  it('clipped_ratio at the threshold for the window trips and points at maxNewTokens and length penalties', () => {
    const { clippedRatio, window } = t('truncation');
    const d = diagnose(run(30, during(4, window, { 'completions/clipped_ratio': clippedRatio })), config);
    expect(d.map((x) => `${x.id}@${x.step}`)).toEqual(['truncation@4']);
    expect(d[0].message).toMatch(/^Truncation: from step 4, 20% of completions hit maxNewTokens \(16\)/);
    expect(d[0].message).toMatch(/length-overlong/);
    expect(d[0].message).toMatch(/maskTruncatedCompletions/);
    const masked = diagnose(run(30, during(4, window, { 'completions/clipped_ratio': clippedRatio })), {
      ...config,
      maskTruncatedCompletions: true,
    });
    expect(masked[0].message).not.toMatch(/maskTruncatedCompletions/);
  });

  it('a hair under the threshold does not trip', () => {
    const { clippedRatio } = t('truncation');
    expect(ids(run(30, during(4, 20, { 'completions/clipped_ratio': clippedRatio - 0.01 })))).toEqual([]);
  });
});

describe('entropy collapse', () => {
  it('entropy at fractionOfStart × its start (1.0) for the window trips and suggests Clip-Cov, KL-Cov or a bonus', () => {
    const { fractionOfStart, window } = t('entropy-collapse');
    const rows = run(40, (s) => (s >= 20 ? { entropy: fractionOfStart } : {}));
    const d = diagnose(rows, config);
    expect(d.map((x) => `${x.id}@${x.step}`)).toEqual(['entropy-collapse@20']);
    expect(d[0].message).toMatch(
      /^Entropy collapse: token entropy averaged 0\.500 over steps 20–24, 50% of its start \(1\.00\)/,
    );
    expect(d[0].message).toMatch(/Clip-Cov or KL-Cov/);
    expect(d[0].message).toMatch(/entropyCoef/);
    // one step short of the window
    expect(ids(run(40, during(20, window - 1, { entropy: fractionOfStart })))).toEqual([]);
  });

  it('noisy entropy whose window mean is under the fraction trips, though no 5 steps in a row are (0.3, 0.6, …: mean 0.45)', () => {
    const rows = run(40, (s) => (s >= 20 ? { entropy: s % 2 === 0 ? 0.3 : 0.6 } : {}));
    expect(ids(rows)).toEqual(['entropy-collapse@20']);
  });

  it('just above the fraction does not trip; with Clip-Cov already on, the fix is to strengthen it', () => {
    const { fractionOfStart } = t('entropy-collapse');
    expect(ids(run(40, (s) => (s >= 20 ? { entropy: fractionOfStart + 0.01 } : {})))).toEqual([]);
    const d = diagnose(
      run(40, (s) => (s >= 20 ? { entropy: 0.2 } : {})),
      { ...config, policyLoss: 'clip-cov' },
    );
    expect(d[0].message).toMatch(/Clip-Cov is on: raise clipCovRatio/);
  });
});

describe('KL running away', () => {
  it('kl at the threshold for the window trips and names klCoef', () => {
    const { kl, window } = t('kl-runaway');
    const d = diagnose(
      run(40, (s) => (s >= 30 ? { kl: kl + (s - 30) * 0.1 } : {})),
      config,
    );
    expect(d.map((x) => `${x.id}@${x.step}`)).toEqual(['kl-runaway@30']);
    expect(d[0].message).toMatch(/^KL running away: KL to the reference averaged above 1 from step 30 \(last 1\.90\)/);
    expect(d[0].message).toMatch(/klCoef \(now 0\)/);
    expect(ids(run(40, during(30, window - 1, { kl })))).toEqual([]);
    expect(ids(run(40, (s) => (s >= 30 ? { kl: kl - 0.01 } : {})))).toEqual([]);
  });
});

describe('reward hacking', () => {
  const { rewardRise, accuracyDrop } = t('reward-hacking');
  const rising = (rise: number) => (s: number) => ({ reward: 0.5 + (s >= 15 ? rise : 0) });
  const proxy = parseRunConfig({ reward: [{ component: 'proxy-contains', weight: 1 }] });

  it('reward up by rewardRise while accuracy falls by accuracyDrop trips at that evaluation', () => {
    const d = diagnose(
      run(40, rising(rewardRise), (s) => (s >= 20 ? 0.3 - accuracyDrop : 0.3)),
      proxy,
    );
    expect(d.map((x) => `${x.id}@${x.step}`)).toEqual(['reward-hacking@20']);
    expect(d[0].message).toMatch(
      /^Reward hacking: by step 20 the reward rose from 0\.500 to 0\.600 while held-out accuracy fell from 0\.300 to 0\.250/,
    );
    expect(d[0].message).toMatch(/\(proxy-contains\)/);
  });

  it('does not trip when accuracy holds, falls less, or the reward does not rise enough', () => {
    expect(
      ids(
        run(40, rising(0.3), () => 0.3),
        proxy,
      ),
    ).toEqual([]);
    expect(
      ids(
        run(40, rising(0.3), (s) => (s >= 20 ? 0.3 - accuracyDrop + 0.01 : 0.3)),
        proxy,
      ),
    ).toEqual([]);
    expect(
      ids(
        run(40, rising(rewardRise - 0.01), (s) => (s >= 20 ? 0.1 : 0.3)),
        proxy,
      ),
    ).toEqual([]);
  });

  it('does not trip when the reward is correctness alone (sampled reward up, greedy accuracy down is no proxy)', () => {
    expect(
      ids(
        run(40, rising(0.3), (s) => (s >= 20 ? 0.1 : 0.3)),
        config,
      ),
    ).toEqual([]);
    expect(
      ids(
        run(40, rising(0.3), (s) => (s >= 20 ? 0.1 : 0.3)),
        proxy,
      ),
    ).toEqual(['reward-hacking@20']);
  });
});

describe('several findings', () => {
  it('errors come first, then warnings by the step first seen; formatDiagnostics prints one line each', () => {
    const rows = run(40, (s) => ({
      ...(s >= 5 && s < 10 ? { frac_reward_zero_std: 1 } : {}),
      ...(s >= 2 ? { 'completions/clipped_ratio': 0.5 } : {}),
      ...(s === 30 ? { grad_norm: Infinity } : {}),
    }));
    const d = diagnose(rows, config);
    expect(d.map((x) => `${x.id}@${x.step}`)).toEqual(['divergence@30', 'truncation@2', 'no-signal@5']);
    const text = formatDiagnostics(d, 'train');
    expect(text.trimEnd().split('\n')).toHaveLength(3);
    expect(text.startsWith('train: error divergence (step 30): Divergence: grad_norm is Infinity at step 30')).toBe(
      true,
    );
  });
});
