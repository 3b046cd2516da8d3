// The config sidebar: task and model, algorithm, reward shape, entropy control, hyper-parameters.
// Every control maps to one RunConfig field; changes apply to the next run (Start begins a new run
// when the config differs from the running one).

import { useState, type ReactNode } from 'react';
import {
  ADVANTAGE_ESTIMATORS,
  LOSS_AGG_MODES,
  POLICY_LOSS_MODES,
  SCALE_REWARDS,
  TASK_NAMES,
  type RunConfig,
} from '../../rl/config';
import { MODEL_SIZE_NAMES, MODEL_SIZES } from '../../models/config';
import { KL_ESTIMATORS } from '../../models/engine';
import { useStore } from '../store';
import {
  ADVANTAGE_HELP,
  ALGORITHM_PARAMS,
  CLIP_COV_PARAMS,
  ENTROPY_PARAMS,
  HYPER_PARAMS,
  KL_COV_PARAMS,
  KL_ESTIMATOR_HELP,
  LOSS_AGG_HELP,
  POLICY_LOSS_HELP,
  SCALE_HELP,
  type NumberSpec,
} from './controlSpecs';
import { CheckField, NumberField, SelectField, useHidden } from './fields';
import { RewardBuilder } from './RewardBuilder';
import { TASK_HELP } from './taskHelp';

/** A collapsible group of controls; `hide=<name>` in a shared link hides it whole. */
function Section({ name, title, children }: { name: string; title: string; children: ReactNode }) {
  if (useHidden(name)) return null;
  return (
    <details className="section" open>
      <summary>{title}</summary>
      {children}
    </details>
  );
}

function Numbers({ specs }: { specs: NumberSpec[] }) {
  const config = useStore((s) => s.config);
  const setConfig = useStore((s) => s.setConfig);
  return specs.map((spec) => (
    <NumberField key={spec.key} spec={spec} value={config[spec.key]} onChange={(v) => setConfig({ [spec.key]: v })} />
  ));
}

const byKey = (specs: NumberSpec[], ...keys: NumberSpec['key'][]) => specs.filter((s) => keys.includes(s.key));

export function Sidebar() {
  const config = useStore((s) => s.config);
  const configError = useStore((s) => s.configError);
  const setConfig = useStore((s) => s.setConfig);
  const set =
    <K extends keyof RunConfig>(k: K) =>
    (v: RunConfig[K]) =>
      setConfig({ [k]: v } as Partial<RunConfig>);

  // In a narrow window the sidebar sits above the charts, folded to one button (styles.css).
  const [unfolded, setUnfolded] = useState(false);

  return (
    <aside className={`sidebar${unfolded ? '' : ' folded'}`} aria-label="Configuration">
      <button
        type="button"
        className="sidebar-toggle"
        aria-expanded={unfolded}
        aria-controls="sidebar-sections"
        onClick={() => setUnfolded(!unfolded)}
      >
        Configuration: {config.task}, {config.model} model {unfolded ? '▴' : '▾'}
      </button>
      <div id="sidebar-sections" className="sidebar-sections">
        {configError && (
          <p className="config-error" role="alert">
            {configError}
          </p>
        )}
        <Section name="task" title="Task and model">
          <SelectField
            name="task"
            label="Task"
            value={config.task}
            options={TASK_NAMES}
            help="What the policy learns to do; each task has a verifier that says right or wrong."
            optionHelp={TASK_HELP}
            onChange={set('task')}
          />
          <SelectField
            name="model"
            label="Model size"
            value={config.model}
            options={MODEL_SIZE_NAMES}
            help="GPT-2 shaped transformer. Base policies are trained for 'small'."
            optionHelp={
              Object.fromEntries(
                MODEL_SIZE_NAMES.map((m) => {
                  const s = MODEL_SIZES[m];
                  return [m, `${m}: C=${s.nEmbd}, ${s.nLayer} layer(s), ${s.nHead} heads, context ${s.blockSize}.`];
                }),
              ) as Record<RunConfig['model'], string>
            }
            onChange={set('model')}
          />
          <SelectField
            name="init"
            label="Start from"
            value={config.init}
            options={['base', 'scratch'] as const}
            help="'base': a policy warmed up by supervised training on the task (imperfect, so RL has room). 'scratch': random weights; RL alone rarely finds a reward."
            onChange={set('init')}
          />
        </Section>

        <Section name="reward" title="Reward shape">
          <RewardBuilder />
        </Section>

        <Section name="algorithm" title="Algorithm">
          <SelectField
            name="advantage"
            label="Advantage estimator"
            value={config.advantage}
            options={ADVANTAGE_ESTIMATORS}
            help="How a completion's reward becomes its advantage."
            optionHelp={ADVANTAGE_HELP}
            onChange={set('advantage')}
          />
          {config.advantage === 'grpo' && (
            <SelectField
              name="scaleRewards"
              label="Scale rewards"
              value={config.scaleRewards}
              options={SCALE_REWARDS}
              help="What the group-centred reward is divided by."
              optionHelp={SCALE_HELP}
              onChange={set('scaleRewards')}
            />
          )}
          <Numbers specs={byKey(ALGORITHM_PARAMS, 'epsLow', 'epsHigh', 'ppoEpochs', 'miniBatches')} />
          <CheckField
            name="dualClip"
            label={`Dual clip${config.dualClip !== null ? ` (c = ${config.dualClip})` : ''}`}
            checked={config.dualClip !== null}
            help="For negative advantages, bound the loss at c·|A| so one stale token cannot dominate (verl's clip_ratio_c = 3). (Ye et al., Mastering Complex Control in MOBA Games with Deep RL)"
            onChange={(on) => setConfig({ dualClip: on ? 3 : null })}
          />
          <SelectField
            name="lossAgg"
            label="Loss aggregation"
            value={config.lossAgg}
            options={LOSS_AGG_MODES}
            help="How per-token losses are averaged into one number (verl names)."
            optionHelp={LOSS_AGG_HELP}
            onChange={set('lossAgg')}
          />
          <SelectField
            name="policyLoss"
            label="Policy loss"
            value={config.policyLoss}
            options={POLICY_LOSS_MODES}
            help="The surrogate objective."
            optionHelp={POLICY_LOSS_HELP}
            onChange={set('policyLoss')}
          />
          {config.policyLoss === 'clip-cov' && <Numbers specs={CLIP_COV_PARAMS} />}
          {config.policyLoss === 'kl-cov' && <Numbers specs={KL_COV_PARAMS} />}
          <Numbers specs={byKey(ALGORITHM_PARAMS, 'klCoef')} />
          {config.klCoef > 0 && (
            <SelectField
              name="klEstimator"
              label="KL estimator"
              value={config.klEstimator}
              options={KL_ESTIMATORS}
              help="How the per-token KL to the reference is estimated from samples."
              optionHelp={KL_ESTIMATOR_HELP}
              onChange={set('klEstimator')}
            />
          )}
          <Numbers specs={byKey(ALGORITHM_PARAMS, 'lambdaPos', 'lambdaNeg')} />
          <CheckField
            name="maskTruncatedCompletions"
            label="Mask truncated completions"
            checked={config.maskTruncatedCompletions}
            help="Completions cut at L get no gradient, so the model is not punished for answers it was not allowed to finish. (Yu et al., DAPO)"
            onChange={set('maskTruncatedCompletions')}
          />
          <CheckField
            name="dynamicSampling"
            label="Dynamic sampling"
            checked={config.dynamicSampling}
            help="Drop groups whose rewards are all equal (their advantage is 0) and refill with new prompts. (Yu et al., DAPO)"
            onChange={set('dynamicSampling')}
          />
        </Section>

        <Section name="entropy" title="Entropy control">
          <Numbers specs={byKey(ENTROPY_PARAMS, 'entropyCoef')} />
          <CheckField
            name="adaptiveEntropy"
            label="Adaptive α"
            checked={config.adaptiveEntropy}
            help="Move α each step to hold the mean token entropy near the target."
            onChange={set('adaptiveEntropy')}
          />
          {config.adaptiveEntropy && (
            <Numbers specs={byKey(ENTROPY_PARAMS, 'entropyTarget', 'entropyCoefDelta', 'entropyCoefMax')} />
          )}
          <Numbers specs={byKey(ENTROPY_PARAMS, 'topEntropyQuantile')} />
        </Section>

        <Section name="hyperparameters" title="Hyper-parameters">
          <Numbers specs={HYPER_PARAMS} />
        </Section>
      </div>
    </aside>
  );
}
