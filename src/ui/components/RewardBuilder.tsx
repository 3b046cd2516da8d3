// The reward-shape builder: a weighted sum of components, each with its params. Adding, removing
// and re-weighting terms edits `config.reward`.

import { useId } from 'react';
import { REWARD_COMPONENTS, type RewardComponentName, type RewardTerm } from '../../rl/config';
import { USER_REWARD_TEMPLATE } from '../../rl/rewards/sandbox';
import { useStore } from '../store';
import { REWARD_COMPONENT_INFO } from './controlSpecs';
import { Help } from './fields';
import { RewardCodeEditor } from '../reward-editor/RewardCodeEditor';

const defaultParams = (c: RewardComponentName) =>
  Object.fromEntries(REWARD_COMPONENT_INFO[c].params.map((p) => [p.name, p.default]));

export function RewardBuilder() {
  const reward = useStore((s) => s.config.reward);
  const userRewardCode = useStore((s) => s.config.userRewardCode);
  const setConfig = useStore((s) => s.setConfig);
  const helpBase = useId();
  // A user-code term needs code to be a valid config: start from the template.
  const update = (terms: RewardTerm[]) =>
    setConfig({
      reward: terms,
      ...(terms.some((t) => t.component === 'user-code') && !userRewardCode.trim()
        ? { userRewardCode: USER_REWARD_TEMPLATE }
        : {}),
    });
  const patch = (i: number, t: Partial<RewardTerm>) => update(reward.map((r, j) => (j === i ? { ...r, ...t } : r)));
  const unused = REWARD_COMPONENTS.filter((c) => !reward.some((t) => t.component === c));

  return (
    <div className="reward-builder">
      <p className="hint">reward = Σ weight × component</p>
      <ul aria-label="Reward terms">
        {reward.map((term, i) => {
          const info = REWARD_COMPONENT_INFO[term.component];
          const helpId = `${helpBase}-${term.component}`;
          return (
            <li key={term.component} className="reward-term">
              <div className="field-row" data-help-scope>
                <input
                  type="number"
                  step={0.1}
                  aria-label={`weight of ${term.component}`}
                  value={term.weight}
                  onChange={(e) => e.target.value !== '' && patch(i, { weight: Number(e.target.value) })}
                />
                <span className="times">×</span>
                <select
                  aria-label={`reward component ${i + 1}`}
                  aria-describedby={helpId}
                  value={term.component}
                  onChange={(e) => {
                    const c = e.target.value as RewardComponentName;
                    patch(i, { component: c, params: defaultParams(c) });
                  }}
                >
                  {[term.component, ...unused].map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
                <Help id={helpId} text={info.help} />
                <button
                  type="button"
                  className="icon"
                  aria-label={`remove ${term.component}`}
                  disabled={reward.length === 1}
                  onClick={() => update(reward.filter((_, j) => j !== i))}
                >
                  ×
                </button>
              </div>
              {info.params.map((p) => (
                <label key={p.name} className="param">
                  {p.label}
                  <input
                    type="number"
                    min={p.min}
                    max={p.max}
                    step={p.step}
                    value={term.params[p.name] ?? p.default}
                    onChange={(e) =>
                      e.target.value !== '' &&
                      patch(i, { params: { ...term.params, [p.name]: Number(e.target.value) } })
                    }
                  />
                </label>
              ))}
              {term.component === 'user-code' && <RewardCodeEditor />}
            </li>
          );
        })}
      </ul>
      {unused.length > 0 && (
        <select
          aria-label="Add reward term"
          value=""
          onChange={(e) => {
            const c = e.target.value as RewardComponentName;
            update([...reward, { component: c, weight: 1, params: defaultParams(c) }]);
          }}
        >
          <option value="">+ add a term…</option>
          {unused.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}
