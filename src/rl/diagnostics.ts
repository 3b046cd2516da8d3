// Diagnostics (docs/DESIGN.md §5): the failure patterns a run's metrics show, each named with its
// usual fix. One table of rules, DIAGNOSTIC_RULES, holds every threshold; `diagnose` runs them all
// over a run's rows. A rule looks at windows of several steps (one step's rollout is noisy): the
// window's mean crossing a threshold (or, for exploding gradients, every step of it), and reports
// the first step of the first window that does.

import type { RunConfig } from './config';
import type { MetricKey, MetricsRow } from './metrics';

export type Severity = 'warning' | 'error';

export type DiagnosticId =
  'divergence' | 'no-signal' | 'truncation' | 'entropy-collapse' | 'kl-runaway' | 'reward-hacking';

export interface Diagnostic {
  id: DiagnosticId;
  severity: Severity;
  step: number; // the step it was first seen
  message: string; // the failure, the numbers that show it, and the fix
}

/** What the rules read of a run's config (to name the knob and its current value in the fix). */
export type DiagnoseConfig = Pick<
  RunConfig,
  | 'groupSize'
  | 'temperature'
  | 'maxNewTokens'
  | 'lr'
  | 'gradClip'
  | 'klCoef'
  | 'policyLoss'
  | 'entropyCoef'
  | 'maskTruncatedCompletions'
  | 'reward'
>;

/** A run's rows split by kind: rollout rows (every step) and evaluation rows (step 0, every evalEvery, the final one). */
export interface RunRows {
  steps: MetricsRow[];
  evals: MetricsRow[];
}

export interface DiagnosticRule {
  id: DiagnosticId;
  severity: Severity;
  /** Every number the rule compares against, by name. */
  thresholds: Record<string, number>;
  detect(rows: RunRows, config: DiagnoseConfig, t: Record<string, number>): { step: number; message: string } | null;
}

const pct = (x: number) => `${Math.round(100 * x)}%`;
const num = (x: number, digits = 3) => (Number.isFinite(x) ? x.toPrecision(digits) : String(x));
const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** A metric's value in a row, or undefined when the row has none; a non-number (JSON's null for NaN) reads as NaN. */
function value(row: MetricsRow, name: MetricKey): number | undefined {
  if (!(name in row)) return undefined;
  const v = row[name] as unknown;
  return typeof v === 'number' ? v : NaN;
}

export interface WindowHit {
  start: number; // index of the window's first row
  end: number; // one past its last row
  first: number; // index of the window's first row that satisfies the condition on its own: where it was first seen
}

/**
 * The first window of `window` consecutive rows (fewer when the run is shorter), all with the metric,
 * whose aggregate (the mean unless given) satisfies `holds(aggregate, start)`; null when none does.
 * Within it, `first` is the first row whose own value satisfies `holds(value, index)`.
 */
export function firstWindow(
  rows: MetricsRow[],
  name: MetricKey,
  window: number,
  holds: (v: number, index: number) => boolean,
  aggregate: (values: number[]) => number = avg,
): WindowHit | null {
  const need = Math.max(1, Math.min(window, rows.length));
  for (let start = 0; start + need <= rows.length; start++) {
    const values = rows.slice(start, start + need).map((r) => value(r, name));
    if (values.some((v) => v === undefined) || !holds(aggregate(values as number[]), start)) continue;
    // a mean past a threshold has at least one value past it; report the first
    const k = values.findIndex((v, j) => holds(v!, start + j));
    return { start, end: start + need, first: start + Math.max(k, 0) };
  }
  return null;
}

/** Mean of a metric over rows[from, to), skipping rows without it (NaN when none has it). */
function meanOver(rows: MetricsRow[], name: MetricKey, from: number, to: number): number {
  const vs = rows
    .slice(Math.max(0, from), to)
    .map((r) => value(r, name))
    .filter((v): v is number => v !== undefined);
  return vs.length > 0 ? avg(vs) : NaN;
}

/** The metrics whose non-finite value means the numbers broke. */
const MUST_BE_FINITE: readonly MetricKey[] = ['policy_loss', 'grad_norm', 'kl', 'entropy', 'reward'];

export const DIAGNOSTIC_RULES: readonly DiagnosticRule[] = [
  {
    id: 'divergence',
    severity: 'error',
    thresholds: { baselineSteps: 5, gradNormFactor: 10, gradNormFloor: 1, window: 3 },
    detect({ steps }, c, t) {
      for (const row of steps) {
        const bad = MUST_BE_FINITE.find((m) => {
          const v = value(row, m);
          return v !== undefined && !Number.isFinite(v);
        });
        if (bad) {
          return {
            step: row.step,
            message:
              `Divergence: ${bad} is ${value(row, bad)} at step ${row.step}, so the weights are no longer numbers to trust. ` +
              `Lower lr (now ${c.lr}), keep gradClip on (now ${c.gradClip}), and make sure every reward is a finite number.`,
          };
        }
      }
      const base = steps.slice(0, t.baselineSteps).map((r) => value(r, 'grad_norm') ?? NaN);
      if (base.length < t.baselineSteps) return null;
      const median = [...base].sort((a, b) => a - b)[Math.floor(base.length / 2)];
      const limit = Math.max(t.gradNormFactor * median, t.gradNormFloor);
      const later = steps.slice(t.baselineSteps);
      // one spike that the next steps recover from is noise; every step of a window is a run coming apart
      const hit = firstWindow(
        later,
        'grad_norm',
        t.window,
        (v) => v > limit,
        (vs) => Math.min(...vs),
      );
      if (!hit) return null;
      const i = hit.first;
      const g = value(later[i], 'grad_norm')!;
      return {
        step: later[i].step,
        message:
          `Divergence: grad_norm reached ${num(g)} at step ${later[i].step}, ${num(g / median, 2)}× its early median ${num(median)}, ` +
          `and stayed above ${num(limit)} for ${t.window} steps: ` +
          `the updates are blowing up. Lower lr (now ${c.lr}) or tighten gradClip (now ${c.gradClip}).`,
      };
    },
  },
  {
    id: 'no-signal',
    severity: 'warning',
    thresholds: { zeroStdFraction: 0.8, window: 5 },
    detect({ steps }, c, t) {
      const hit = firstWindow(steps, 'frac_reward_zero_std', t.window, (v) => v >= t.zeroStdFraction);
      if (!hit) return null;
      const i = hit.first;
      const frac = meanOver(steps, 'frac_reward_zero_std', hit.start, hit.end);
      const reward = meanOver(steps, 'reward', hit.start, hit.end);
      return {
        step: steps[i].step,
        message:
          `No learning signal: from step ${steps[i].step}, ${pct(frac)} of groups gave every completion the same reward ` +
          `(mean reward ${num(reward)}), so their advantages are zero and they teach nothing. ` +
          `Raise groupSize (now ${c.groupSize}) or temperature (now ${c.temperature}), ` +
          `or add partial credit (the partial reward component) so near misses score differently.`,
      };
    },
  },
  {
    id: 'truncation',
    severity: 'warning',
    thresholds: { clippedRatio: 0.2, window: 3 },
    detect({ steps }, c, t) {
      const hit = firstWindow(steps, 'completions/clipped_ratio', t.window, (v) => v >= t.clippedRatio);
      if (!hit) return null;
      const i = hit.first;
      const ratio = meanOver(steps, 'completions/clipped_ratio', hit.start, hit.end);
      const mask = c.maskTruncatedCompletions
        ? ''
        : ', or set maskTruncatedCompletions to keep cut completions out of the loss';
      return {
        step: steps[i].step,
        message:
          `Truncation: from step ${steps[i].step}, ${pct(ratio)} of completions hit maxNewTokens (${c.maxNewTokens}) ` +
          `before <eos> and are scored cut off. Raise maxNewTokens, or penalise length ` +
          `(length-overlong or length-linear) so the policy learns to stop${mask}.`,
      };
    },
  },
  {
    id: 'entropy-collapse',
    severity: 'warning',
    thresholds: { fractionOfStart: 0.5, startSteps: 3, window: 5, minStartEntropy: 0.05 },
    detect({ steps }, c, t) {
      const start = meanOver(steps, 'entropy', 0, t.startSteps);
      if (!(start >= t.minStartEntropy)) return null;
      const hit = firstWindow(
        steps,
        'entropy',
        t.window,
        (v, k) => k >= t.startSteps && v <= t.fractionOfStart * start,
      );
      if (!hit) return null;
      const i = hit.first;
      const e = meanOver(steps, 'entropy', hit.start, hit.end);
      const fix =
        c.policyLoss === 'clip-cov'
          ? 'Clip-Cov is on: raise clipCovRatio or widen its band, or add an entropy bonus (entropyCoef, adaptiveEntropy).'
          : c.policyLoss === 'kl-cov'
            ? 'KL-Cov is on: raise klCovRatio or klCovCoef, or add an entropy bonus (entropyCoef, adaptiveEntropy).'
            : `Try Clip-Cov or KL-Cov (policyLoss clip-cov / kl-cov), or an entropy bonus (entropyCoef, now ${c.entropyCoef}, or adaptiveEntropy).`;
      return {
        step: steps[i].step,
        message:
          `Entropy collapse: token entropy averaged ${num(e)} over steps ${steps[hit.start].step}–${steps[hit.end - 1].step}, ` +
          `${pct(e / start)} of its start (${num(start)}), ` +
          `so sampling stops exploring and accuracy tends to plateau. ${fix}`,
      };
    },
  },
  {
    id: 'kl-runaway',
    severity: 'warning',
    thresholds: { kl: 1, window: 3 },
    detect({ steps }, c, t) {
      const hit = firstWindow(steps, 'kl', t.window, (v) => v >= t.kl);
      if (!hit) return null;
      const i = hit.first;
      const last = value(steps[steps.length - 1], 'kl') ?? NaN;
      return {
        step: steps[i].step,
        message:
          `KL running away: KL to the reference averaged above ${t.kl} from step ${steps[i].step} (last ${num(last)}): ` +
          `the policy drifts far from where it started. Raise the KL penalty klCoef (now ${c.klCoef}), lower lr (now ${c.lr}), ` +
          `or narrow the clip range (epsLow/epsHigh).`,
      };
    },
  },
  {
    id: 'reward-hacking',
    severity: 'warning',
    thresholds: { rewardRise: 0.1, accuracyDrop: 0.05, startSteps: 3 },
    detect({ steps, evals }, c, t) {
      // with correctness alone the reward is the gold metric, sampled: sampled up while greedy falls is not a proxy being gamed
      if (c.reward.every((x) => x.component === 'correctness')) return null;
      if (evals.length < 2 || steps.length === 0) return null;
      const a0 = value(evals[0], 'accuracy')!;
      const r0 = meanOver(steps, 'reward', 0, t.startSteps);
      for (const e of evals.slice(1)) {
        const a = value(e, 'accuracy')!;
        // the reward of the steps leading up to this evaluation
        const upTo = steps.filter((r) => r.step < e.step).length;
        const r = meanOver(steps, 'reward', upTo - t.startSteps, upTo);
        if (a <= a0 - t.accuracyDrop && r >= r0 + t.rewardRise) {
          const terms = c.reward.map((x) => x.component).join(' + ');
          return {
            step: e.step,
            message:
              `Reward hacking: by step ${e.step} the reward rose from ${num(r0)} to ${num(r)} while held-out accuracy fell ` +
              `from ${num(a0)} to ${num(a)}: the reward pays for something other than a correct answer. ` +
              `Check the reward (${terms}) against exact match: weight correctness, drop or cap the proxy term, ` +
              `or add a term that closes the loophole (format, length).`,
          };
        }
      }
      return null;
    },
  },
];

/** A run's rows by kind. */
export function splitRows(rows: MetricsRow[]): RunRows {
  return {
    steps: rows.filter((r) => 'reward' in r),
    evals: rows.filter((r) => 'accuracy' in r),
  };
}

/** Every rule's finding over a run's rows, errors first, then by the step first seen. */
export function diagnose(rows: MetricsRow[], config: DiagnoseConfig): Diagnostic[] {
  const split = splitRows(rows);
  const found: Diagnostic[] = [];
  for (const rule of DIAGNOSTIC_RULES) {
    const hit = rule.detect(split, config, rule.thresholds);
    if (hit) found.push({ id: rule.id, severity: rule.severity, ...hit });
  }
  const rank = (s: Severity) => (s === 'error' ? 0 : 1);
  return found.sort((a, b) => rank(a.severity) - rank(b.severity) || a.step - b.step);
}

/** The diagnostics as lines for a terminal, one per finding; one line saying so when there are none. */
export function formatDiagnostics(diagnostics: Diagnostic[], prefix = 'diagnose'): string {
  if (diagnostics.length === 0) return `${prefix}: no failure pattern found\n`;
  return diagnostics.map((d) => `${prefix}: ${d.severity} ${d.id} (step ${d.step}): ${d.message}\n`).join('');
}
