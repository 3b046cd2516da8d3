// Completions of the latest step, grouped by prompt: the text with each token coloured by its
// entropy or by the completion's advantage, the reward and its breakdown, the advantage, and
// whether the answer was right.

import { memo, useDeferredValue, useRef } from 'react';
import type { SampleRecord } from '../../rl/trainer';
import { useStore } from '../store';
import { useLatestWhile, useOnScreen } from './useOnScreen';
import { NEUTRAL } from '../charts/palette';
import type { TokenColouring } from '../store/viewSlice';

/** Advantages smaller than this in magnitude count as zero. */
const ZERO_ADVANTAGE = 1e-6;

/** Entropy (nats) that gets the strongest colour; ln(16) ≈ 2.8 is near-uniform over a small alphabet. */
const ENTROPY_FULL = 2;

function tokenStyle(mode: TokenColouring, entropy: number, advantage: number) {
  if (mode === 'entropy') return { background: `rgba(245, 130, 32, ${Math.min(1, entropy / ENTROPY_FULL) * 0.85})` };
  // A zero advantage (a group that agreed) teaches nothing: neutral grey, not the faint end of either side.
  if (Math.abs(advantage) < ZERO_ADVANTAGE) return { background: NEUTRAL };
  const a = 0.15 + Math.min(1, Math.abs(advantage) / 2) * 0.6;
  // Blue up, vermillion down (Okabe–Ito): apart under red–green colour blindness.
  return { background: advantage > 0 ? `rgba(0, 114, 178, ${a})` : `rgba(213, 94, 0, ${a})` };
}

const fmt = (x: number) => (Math.abs(x) >= 100 || x === 0 ? x.toFixed(0) : x.toFixed(2));

function Sample({ s, mode }: { s: SampleRecord; mode: TokenColouring }) {
  const chars = [...s.completion];
  // Character-level tokens: token i is character i; a final extra token is <eos>.
  const eos = s.tokens.length > chars.length;
  const breakdown = Object.entries(s.rewardBreakdown)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(' · ');
  return (
    <tr className={s.correct ? 'correct' : 'wrong'}>
      <td className="mark" aria-label={s.correct ? 'correct' : 'wrong'}>
        {s.correct ? '✓' : '✗'}
      </td>
      <td className="completion">
        {chars.map((c, i) => (
          <span
            key={i}
            className="tok"
            style={tokenStyle(mode, s.tokenEntropy[i] ?? 0, s.advantage)}
            title={`entropy ${fmt(s.tokenEntropy[i] ?? 0)} · log p ${fmt(s.tokenLogprob[i] ?? 0)}`}
          >
            {c}
          </span>
        ))}
        {eos && (
          <span
            className="tok eos"
            style={tokenStyle(mode, s.tokenEntropy[chars.length] ?? 0, s.advantage)}
            title="<eos>"
          >
            ⏎
          </span>
        )}
        {s.truncated && <span className="truncated"> (truncated)</span>}
      </td>
      <td className="num" title={breakdown}>
        {fmt(s.reward)}
        <div className="breakdown">{breakdown}</div>
      </td>
      <td className={`num ${s.advantage >= 0 ? 'pos' : 'neg'}`}>{fmt(s.advantage)}</td>
    </tr>
  );
}

const Groups = memo(function Groups({ samples, mode }: { samples: SampleRecord[]; mode: TokenColouring }) {
  const groups = new Map<number, SampleRecord[]>();
  for (const s of samples) groups.set(s.groupIndex, [...(groups.get(s.groupIndex) ?? []), s]);
  return [...groups.entries()].map(([g, rows]) => (
    <section key={g} className="group" aria-label={`Prompt ${rows[0].prompt}`}>
      <h3>
        <code>{rows[0].prompt}</code>{' '}
        <span className="muted">
          {rows.filter((r) => r.correct).length}/{rows.length} correct
        </span>
      </h3>
      <table>
        <thead>
          <tr>
            <th />
            <th>completion</th>
            <th>reward</th>
            <th>advantage</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s, i) => (
            <Sample key={i} s={s} mode={mode} />
          ))}
        </tbody>
      </table>
    </section>
  ));
});

export function Completions() {
  // 128 completions of coloured tokens are a large redraw at every step: while the panel is off
  // screen (or the tab hidden) it keeps the step it last showed.
  const ref = useRef<HTMLElement>(null);
  const samples = useDeferredValue(
    useLatestWhile(
      useStore((s) => s.latestSamples),
      useOnScreen(ref),
    ),
  );
  const mode = useStore((s) => s.tokenColouring);
  const setMode = useStore((s) => s.setTokenColouring);
  return (
    <section ref={ref} className="panel completions" aria-label="Completions">
      <header>
        <h2>Completions {samples.length > 0 && <span className="muted">of the latest step</span>}</h2>
        <div role="radiogroup" aria-label="Colour tokens by" className="switch">
          colour tokens by
          {(['entropy', 'advantage'] as const).map((m) => (
            <label key={m}>
              <input type="radio" name="colouring" checked={mode === m} onChange={() => setMode(m)} /> {m}
            </label>
          ))}
        </div>
      </header>
      {samples.length === 0 ? (
        <p className="muted">Press Start or Step: each step's completions appear here, grouped by prompt.</p>
      ) : (
        <div className="groups">
          <Groups samples={samples} mode={mode} />
        </div>
      )}
    </section>
  );
}
