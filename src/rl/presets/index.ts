// The presets (docs/RESEARCH.md §4): each a readable config file beside this one, validated by RunConfigSchema,
// with a title, two sentences on what to watch, and the paper whose phenomenon it stages.

import { parseRunConfig, type RunConfig } from '../config';
import clipCov from './clip-cov.json';
import drGrpo from './dr-grpo.json';
import entropyCollapse from './entropy-collapse.json';
import grpoAdd from './grpo-add.json';
import klCov from './kl-cov.json';
import lengthPenalty from './length-penalty.json';
import nsr from './nsr.json';
import psr from './psr.json';
import rewardHacking from './reward-hacking.json';
import spuriousReward from './spurious-reward.json';

export interface Preset {
  name: string;
  title: string;
  description: string; // two sentences: what to watch
  paper: string;
  config: RunConfig;
}

const preset = (json: { name: string }, title: string, description: string, paper: string): Preset => ({
  name: json.name,
  title,
  description,
  paper,
  config: parseRunConfig(json),
});

export const PRESETS: readonly Preset[] = [
  preset(
    grpoAdd,
    'GRPO on addition',
    'Plain GRPO with group-normalised advantages lifts greedy held-out accuracy of an imperfect base policy within a minute. Watch accuracy climb while reward_std and frac_reward_zero_std show how many groups still carry signal.',
    'DeepSeekMath (GRPO), as in TRL GRPOTrainer',
  ),
  preset(
    drGrpo,
    'Dr. GRPO',
    'The same run without dividing advantages by the group std and with a constant-length loss normaliser (seq-mean-token-sum-norm). Compare with GRPO: easy and hard groups weigh the same, and length is no longer rewarded by the normaliser.',
    'Understanding R1-Zero-Like Training: A Critical Perspective (Dr. GRPO)',
  ),
  preset(
    entropyCollapse,
    'Entropy collapse',
    'Plain GRPO with no entropy bonus and no KL: token entropy falls to a fraction of its start while accuracy saturates. Watch cov stay positive and the fitted R = −a·e^H + b predict the ceiling the run approaches.',
    'The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models',
  ),
  preset(
    clipCov,
    'Clip-Cov',
    'The entropy-collapse run with Clip-Cov: each update detaches up to a tenth of the tokens, drawn at random among those whose covariance of log-prob and advantage lies between 1.2 and 10. Entropy stays far above the plain run with greedy accuracy close to it, but at this scale it overshoots: watch completions grow and sampled reward fall.',
    'The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models',
  ),
  preset(
    klCov,
    'KL-Cov',
    'The entropy-collapse run with KL-Cov: the tokens of highest covariance get a KL penalty to the rollout policy instead of a free gradient. Entropy stays well above the plain run at about the same accuracy.',
    'The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models',
  ),
  preset(
    lengthPenalty,
    'Length penalty (DLER truncation)',
    'Addition with a scratchpad: correct answers longer than the target length earn nothing, with batch-wise normalisation, clip-higher and dynamic sampling. Watch mean length drop as padded scratchpads disappear while accuracy holds.',
    'DLER: Doing Length pEnalty Right',
  ),
  preset(
    spuriousReward,
    'Spurious reward',
    'The reward is a coin flip, unrelated to the answer. Watch whether accuracy moves at all: at toy scale, without latent skill to elicit, expect drift rather than the gains reported for Qwen2.5-Math.',
    'Spurious Rewards: Rethinking Training Signals in RLVR',
  ),
  preset(
    psr,
    'PSR only',
    'Only positive samples are reinforced (negative advantages weigh 0). Watch pass@1 (accuracy) rise while pass@k and entropy shrink: the policy sharpens onto what it already gets right.',
    'The Surprising Effectiveness of Negative Reinforcement in LLM Reasoning',
  ),
  preset(
    nsr,
    'NSR only',
    'Only negative samples are pushed down (positive advantages weigh 0). Watch entropy hold up and pass@k improve across k, the paper says, while pass@1 moves more slowly than with PSR.',
    'The Surprising Effectiveness of Negative Reinforcement in LLM Reasoning',
  ),
  preset(
    rewardHacking,
    'Reward hacking',
    'The reward is a gameable proxy: credit for the answer appearing anywhere in the completion, while exact match stays the gold metric (accuracy). Watch reward climb as completions grow and spray digits, while accuracy stalls or falls.',
    'Scaling Laws for Reward Model Overoptimization; Correlated Proxies',
  ),
];

export function getPreset(name: string): Preset {
  const p = PRESETS.find((x) => x.name === name);
  if (!p) throw new Error(`unknown preset ${JSON.stringify(name)} (one of: ${PRESETS.map((x) => x.name).join(', ')})`);
  return p;
}
