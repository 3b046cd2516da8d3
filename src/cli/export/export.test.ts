// `export` end to end for every preset and both frameworks: the files, their Python compiling, the
// GRPOConfig keywords and Hydra keys against TRL's and verl's own field lists (fixtures/), the
// parquet read back, the README listing every field, and the exported rewards giving the numbers
// the TypeScript gives (`cli reward`, TRL's batch call, verl's compute_score and batch call).

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpointFile } from '../../models/checkpoint-fs';
import { Rng } from '../../models/rng';
import { parseRunConfig, RunConfigSchema, type RewardTerm, type RunConfig } from '../../rl/config';
import { PRESETS } from '../../rl/presets';
import { userRewardArgument } from '../../rl/rewards/sandbox';
import { scoreGroup } from '../../rl/rewards/shape';
import { runToJson } from '../../rl/runFile';
import { getTask } from '../../rl/tasks/index';
import { taskTokenizer } from '../../rl/trainer';
import { cli, tempDir } from '../testing';
import {
  TRAINING_ARGUMENTS_FIELDS,
  TRL_BASE_CONFIG_FIELDS,
  TRL_GRPO_CONFIG_FIELDS,
  TRL_LOSS_TYPES,
  TRL_SCALE_REWARDS,
} from './fixtures/trlFields';
import {
  VERL_ADV_ESTIMATORS,
  VERL_CONFIG_KEYS,
  VERL_KL_TYPES,
  VERL_LOSS_AGG_MODES,
  VERL_POLICY_LOSS_MODES,
} from './fixtures/verlKeys';
import { TRL_MAPPING, VERL_MAPPING, type ExportOptions } from '../../rl/export/mapping';
import { answerFor, completionLength, REWARD_STREAM, scoreOne } from '../../rl/export/shape';
import { completionOf, KINDS, PYTHON, pythonJsonLines } from './testing';
import { trlKwargs } from '../../rl/export/trl';
import { verlOverrides } from '../../rl/export/verl';

const tmp = tempDir();
afterAll(() => tmp.remove());

async function exportTo(framework: 'trl' | 'verl', source: string[], name: string, extra: string[] = []) {
  const out = tmp.path(`${name}-${framework}`);
  const r = await cli('export', ...source, '--to', framework, '--out', out, ...extra);
  expect(r.stderr).toContain('export wrote');
  expect(r.code).toBe(0);
  return out;
}

const HF: ExportOptions = { model: 'Qwen/Qwen2.5-0.5B-Instruct', policy: false };
const GRPO_FIELDS = new Set<string>([
  ...TRL_GRPO_CONFIG_FIELDS,
  ...TRL_BASE_CONFIG_FIELDS,
  ...TRAINING_ARGUMENTS_FIELDS,
]);
const VERL_KEYS = new Set<string>(VERL_CONFIG_KEYS);

/** Configs that reach every enum value and edge of the mapping (on top of the presets). */
function variants(): RunConfig[] {
  const out: RunConfig[] = [];
  const advantages = ['grpo', 'rloo', 'reinforce++', 'reinforce++-baseline'] as const;
  const scales = ['group', 'batch', 'none'] as const;
  const aggs = ['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum', 'seq-mean-token-sum-norm'] as const;
  const losses = ['vanilla', 'clip-cov', 'kl-cov'] as const;
  const kls = ['k1', 'k2', 'k3'] as const;
  let i = 0;
  for (const advantage of advantages)
    for (const scaleRewards of scales)
      for (const lossAgg of aggs) {
        i++;
        out.push(
          parseRunConfig({
            name: `variant-${i}`,
            advantage,
            scaleRewards,
            lossAgg,
            policyLoss: losses[i % 3],
            klEstimator: kls[i % 3],
            klCoef: i % 2 ? 0.01 : 0,
            dualClip: [null, 3, 1.1][i % 3],
            temperature: i % 5 === 0 ? 0 : 0.9,
            topK: i % 4,
            lambdaPos: i % 3 === 0 ? 0.1 : 1,
            lambdaNeg: i % 4 === 0 ? 0 : 1,
            entropyCoef: i % 2 ? 0.01 : 0,
            adaptiveEntropy: i % 6 === 0,
            topEntropyQuantile: i % 2 ? 0.2 : 1,
            maskTruncatedCompletions: i % 2 === 0,
            dynamicSampling: i % 3 === 0,
            gradClip: i % 7 === 0 ? 0 : 1,
            promptsPerStep: 6,
            miniBatches: 1 + (i % 4),
          }),
        );
      }
  return out;
}

describe('the mapping', () => {
  it('lists every RunConfig field, in schema order, for both frameworks', () => {
    const fields = Object.keys(RunConfigSchema.shape);
    expect(fields.length).toBe(49);
    expect(Object.keys(TRL_MAPPING)).toEqual(fields);
    expect(Object.keys(VERL_MAPPING)).toEqual(fields);
  });

  it('every GRPOConfig keyword is a field of GRPOConfig or TrainingArguments, and its enum values are TRL’s', () => {
    const fromTrainingArguments = [
      'learning_rate',
      'adam_beta1',
      'adam_beta2',
      'adam_epsilon',
      'weight_decay',
      'max_grad_norm',
      'max_steps',
      'per_device_train_batch_size',
      'gradient_accumulation_steps',
      'lr_scheduler_type',
      'seed',
      'output_dir',
      'run_name',
      'logging_steps',
      'report_to',
      'save_strategy',
    ];
    let checked = 0;
    for (const c of [...PRESETS.map((p) => p.config), ...variants()]) {
      const { kwargs } = trlKwargs(c, HF);
      for (const k of Object.keys(kwargs)) {
        expect(GRPO_FIELDS.has(k), `${c.name}: ${k}`).toBe(true);
        if (fromTrainingArguments.includes(k))
          expect((TRAINING_ARGUMENTS_FIELDS as readonly string[]).includes(k), k).toBe(true);
        checked++;
      }
      expect(TRL_LOSS_TYPES).toContain(kwargs.loss_type);
      expect(TRL_SCALE_REWARDS).toContain(kwargs.scale_rewards);
      for (const k of fromTrainingArguments.filter((x) => !['run_name', 'output_dir', 'seed'].includes(x))) {
        expect(k in kwargs, `${c.name} writes ${k}`).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(58 * 30);
  });

  it('every Hydra override key exists in verl’s generated trainer config, with verl’s enum values', () => {
    let checked = 0;
    for (const policy of [false, true]) {
      for (const c of [...PRESETS.map((p) => p.config), ...variants()]) {
        const { overrides } = verlOverrides(c, { model: 'm', policy });
        for (const k of Object.keys(overrides)) {
          expect(VERL_KEYS.has(k), `${c.name}: ${k}`).toBe(true);
          checked++;
        }
        expect(VERL_ADV_ESTIMATORS).toContain(overrides['algorithm.adv_estimator']);
        expect(VERL_POLICY_LOSS_MODES).toContain(overrides['actor_rollout_ref.actor.policy_loss.loss_mode']);
        expect(VERL_KL_TYPES).toContain(overrides['actor_rollout_ref.actor.kl_loss_type']);
        expect(VERL_LOSS_AGG_MODES).toContain(overrides['actor_rollout_ref.actor.loss_agg_mode']);
      }
    }
    expect(checked).toBeGreaterThan(2 * 58 * 40);
  });

  it('batch sizes and step counts: clip-cov (P=16, G=8, 4 minibatches, μ=2) → 32 completions per TRL step, 960 TRL steps; verl mini-batch 4 prompts', () => {
    const c = PRESETS.find((p) => p.name === 'clip-cov')!.config;
    const { kwargs } = trlKwargs(c, HF);
    expect(kwargs.per_device_train_batch_size).toBe(32);
    expect(kwargs.steps_per_generation).toBe(4);
    expect(kwargs.num_iterations).toBe(2);
    expect(kwargs.max_steps).toBe(960);
    const { overrides } = verlOverrides(c, HF);
    expect(overrides['actor_rollout_ref.actor.ppo_mini_batch_size']).toBe(4);
    expect(overrides['actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu']).toBe(32);
    expect(overrides['data.train_batch_size']).toBe(16);
    expect(overrides['actor_rollout_ref.rollout.n']).toBe(8);
    expect(overrides['trainer.total_training_steps']).toBe(120);
    expect(overrides['actor_rollout_ref.actor.policy_loss.loss_mode']).toBe('clip_cov');
  });
});

describe('export for every preset', () => {
  for (const preset of PRESETS) {
    it(`${preset.name}: TRL and verl files compile, the datasets read back, the README lists all ${Object.keys(RunConfigSchema.shape).length} fields`, async () => {
      const c = preset.config;
      const trl = await exportTo('trl', ['--preset', preset.name], preset.name);
      const verl = await exportTo('verl', ['--preset', preset.name], preset.name);
      for (const f of ['train_trl.py', 'rewards.py', 'grpo_rewards.py', 'train.jsonl', 'eval.jsonl', 'README.md'])
        expect(existsSync(join(trl, f)), f).toBe(true);
      for (const f of ['run_verl.sh', 'reward_fn.py', 'grpo_rewards.py', 'train.parquet', 'test.parquet', 'README.md'])
        expect(existsSync(join(verl, f)), f).toBe(true);

      const pyFiles = [trl, verl].flatMap((d) =>
        readdirSync(d)
          .filter((f) => f.endsWith('.py'))
          .map((f) => join(d, f)),
      );
      expect(pyFiles).toHaveLength(5); // train_trl.py, rewards.py, reward_fn.py, grpo_rewards.py twice
      const compiled = spawnSync(PYTHON, ['-m', 'py_compile', ...pyFiles], { encoding: 'utf8' });
      expect(compiled.stderr).toBe('');
      expect(compiled.status).toBe(0);
      const sh = spawnSync('bash', ['-n', join(verl, 'run_verl.sh')], { encoding: 'utf8' });
      expect(sh.status, sh.stderr).toBe(0);

      // the script's GRPOConfig(...) holds exactly the mapped keywords
      const script = readFileSync(join(trl, 'train_trl.py'), 'utf8');
      const written = [...script.matchAll(/^ {8}([a-z_0-9]+)=/gm)].map((m) => m[1]);
      expect(written).toEqual(Object.keys(trlKwargs(c, HF).kwargs));
      // run_verl.sh's overrides, once each, all known to verl
      const shell = readFileSync(join(verl, 'run_verl.sh'), 'utf8');
      const keys = [...shell.matchAll(/^ {2}"([a-z_.]+)=/gm)].map((m) => m[1]);
      expect(keys).toEqual(Object.keys(verlOverrides(c, HF).overrides));
      for (const k of keys) expect(VERL_KEYS.has(k), k).toBe(true);

      const n = c.steps * c.promptsPerStep;
      const rows = readFileSync(join(trl, 'train.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(rows).toHaveLength(n);
      expect(rows.every((r, i) => r.index === i && r.answer === answerFor(c.task, r.prompt))).toBe(true);

      const buf = readFileSync(join(verl, 'train.parquet'));
      const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      expect(Number(parquetMetadata(file).num_rows)).toBe(n);
      const objs = (await parquetReadObjects({ file })) as Record<string, any>[];
      expect(objs).toHaveLength(n);
      expect(Object.keys(objs[0]).sort()).toEqual(['ability', 'data_source', 'extra_info', 'prompt', 'reward_model']);
      objs.forEach((o, i) => {
        expect(o.data_source).toBe(`grpo-playground/${c.task}`);
        expect(o.prompt.map((m: { role: string }) => m.role)).toEqual(['system', 'user']);
        expect(o.prompt[1].content).toBe(rows[i].prompt);
        expect(o.reward_model).toEqual({ style: 'rule', ground_truth: rows[i].answer });
        expect(Number(o.extra_info.index)).toBe(i);
        expect(o.extra_info.task_prompt).toBe(rows[i].prompt);
        expect(o.extra_info.split).toBe('train');
      });
      const testBuf = readFileSync(join(verl, 'test.parquet'));
      const testFile = testBuf.buffer.slice(testBuf.byteOffset, testBuf.byteOffset + testBuf.byteLength);
      const heldOut = getTask(c.task).heldOut(c.evalPrompts, c.seed);
      const test = (await parquetReadObjects({ file: testFile })) as Record<string, any>[];
      expect(test.map((o) => o.extra_info.task_prompt)).toEqual(heldOut.map((p) => p.prompt));

      for (const readme of [join(trl, 'README.md'), join(verl, 'README.md')]) {
        const text = readFileSync(readme, 'utf8');
        for (const field of Object.keys(RunConfigSchema.shape)) expect(text, field).toContain(`| \`${field}\` |`);
        expect(text).toMatch(/\d+ settings map exactly, \d+ approximately, \d+ have no counterpart/);
      }
    });
  }
});

/** Completions of each kind for a task's prompts. */
function pairs(c: RunConfig, count: number, seed: number): { prompt: string; completion: string }[] {
  const task = getTask(c.task);
  const rng = new Rng(seed, 3);
  return Array.from({ length: count }, (_, i) => {
    const p = task.sample(rng);
    return { prompt: p.prompt, completion: completionOf(c.task, p, KINDS[i % KINDS.length], c.maxNewTokens, rng) };
  });
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9;

describe('exported rewards give the TypeScript numbers', () => {
  it('rewards.score and verl compute_score (as a group of one) equal cli reward for every preset, 60 completions each', async () => {
    for (const preset of PRESETS) {
      const c = preset.config;
      const trl = await exportTo('trl', ['--preset', preset.name], `score-${preset.name}`);
      const verl = await exportTo('verl', ['--preset', preset.name], `score-${preset.name}`);
      const cases = pairs(c, 60, 5);
      const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(trl)}); sys.path.insert(0, ${JSON.stringify(verl)})
import rewards, reward_fn
for line in sys.stdin:
    x = json.loads(line)
    v = reward_fn.compute_score("grpo-playground", x["completion"], x["answer"], {"task_prompt": x["prompt"], "index": 0})
    print(json.dumps(dict(rewards.score(x["prompt"], x["completion"]), verl=v)))
`;
      const input = cases.map((x) => ({ ...x, answer: answerFor(c.task, x.prompt) }));
      const py = pythonJsonLines(['-c', script], input) as {
        reward: number;
        components: Record<string, number>;
        verl: Record<string, number>;
      }[];
      // verl calls compute_score once per response; random terms keep drawing from one stream
      const stream = new Rng(c.seed, REWARD_STREAM);
      const t = getTask(c.task);
      for (const [i, x] of input.entries()) {
        const n = completionLength(x.completion);
        const one = scoreGroup({
          terms: c.reward,
          problem: { prompt: x.prompt, answer: x.answer },
          completions: [x.completion],
          verdicts: [t.verify({ prompt: x.prompt, answer: x.answer }, x.completion)],
          lengths: [n],
          truncated: [n >= c.maxNewTokens],
          maxNewTokens: c.maxNewTokens,
          step: 0,
          rand: () => stream.next(),
        });
        expect(close(one.rewards[0], py[i].verl.score), `verl ${preset.name} ${JSON.stringify(x)}`).toBe(true);
        for (const [k, v] of Object.entries(one.breakdown[0])) expect(close(v, py[i].verl[k])).toBe(true);
        const ts = await scoreOne(c, x.prompt, x.completion);
        expect(close(ts.reward, py[i].reward), `${preset.name} ${JSON.stringify(x)}`).toBe(true);
        expect(Object.keys(py[i].components)).toEqual(Object.keys(ts.components));
        for (const k of Object.keys(ts.components)) expect(close(ts.components[k], py[i].components[k])).toBe(true);
      }
      // the command itself prints that object
      const r = await cli(
        'reward',
        '--preset',
        preset.name,
        '--prompt',
        cases[0].prompt,
        `--completion=${cases[0].completion}`,
      );
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(await scoreOne(c, cases[0].prompt, cases[0].completion));
    }
  });

  it('TRL’s batch call (weighted reward functions) and verl’s compute_score_batch equal scoreGroup over groups, with every component and random draws in order', async () => {
    const terms: RewardTerm[] = [
      { component: 'correctness', weight: 1, params: {} },
      { component: 'length-grpo-lambda', weight: 0.5, params: { threshold: 0.3 } },
      { component: 'length-drpo', weight: 0.25, params: {} },
      { component: 'random', weight: 0.2, params: { p: 0.4 } },
      { component: 'flipped-label', weight: 0.3, params: { q: 0.3 } },
      { component: 'partial', weight: 0.1, params: {} },
      { component: 'length-overlong', weight: 0.4, params: { cache: 2 } },
    ];
    for (const task of ['add-scratch', 'countdown'] as const) {
      const c = parseRunConfig({
        name: `group-${task}`,
        task,
        reward: terms,
        groupSize: 6,
        maxNewTokens: 12,
        seed: 9,
        steps: 5,
      });
      const configPath = tmp.path(`${c.name}.json`);
      writeFileSync(configPath, JSON.stringify(c));
      const trl = await exportTo('trl', ['--config', configPath], c.name);
      const verl = await exportTo('verl', ['--config', configPath], c.name);
      expect(readFileSync(join(verl, 'run_verl.sh'), 'utf8')).toContain('"reward_model.reward_manager=batch"');
      const rows = readFileSync(join(trl, 'train.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const rng = new Rng(4, 4);
      const groups = rows.slice(0, 12).map((row) => ({
        row,
        completions: Array.from({ length: c.groupSize }, (_, i) =>
          completionOf(task, row, KINDS[(row.index + i) % KINDS.length], c.maxNewTokens, rng),
        ),
      }));
      const batch = {
        prompts: groups.flatMap((g) => g.completions.map(() => g.row.prompt)),
        completions: groups.flatMap((g) => g.completions),
        index: groups.flatMap((g) => g.completions.map(() => g.row.index)),
        answer: groups.flatMap((g) => g.completions.map(() => g.row.answer)),
      };
      const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(trl)})
import rewards, grpo_rewards
b = json.loads(sys.stdin.readline())
per_func = [f(b["prompts"], b["completions"], index=b["index"], answer=b["answer"], trainer_state=None) for f in rewards.REWARD_FUNCS]
print(json.dumps([sum(w * v[i] for w, v in zip(rewards.REWARD_WEIGHTS, per_func)) for i in range(len(b["completions"]))]))
print(json.dumps([f.__name__ for f in rewards.REWARD_FUNCS]))
# without the index column, groups are runs of one prompt (at most num_generations long); chat
# prompts count by their last user message
rewards.SHAPE.rng = grpo_rewards.Rng(rewards.SHAPE.seed, rewards.SHAPE.rng_stream)
chat = [[{"role": "system", "content": "Add."}, {"role": "user", "content": p}] for p in b["prompts"]]
per_func = [f(chat, [[{"role": "assistant", "content": c}] for c in b["completions"]], trainer_state=None) for f in rewards.REWARD_FUNCS]
print(json.dumps([sum(w * v[i] for w, v in zip(rewards.REWARD_WEIGHTS, per_func)) for i in range(len(b["completions"]))]))
sys.path.insert(0, ${JSON.stringify(verl)})
import reward_fn
infos = [{"index": i, "task_prompt": p, "split": "train", "answer": a} for i, p, a in zip(b["index"], b["prompts"], b["answer"])]
print(json.dumps(reward_fn.compute_score_batch(["x"] * len(infos), b["completions"], b["answer"], infos)))
`;
      const [trlRewards, names, chatRewards, verlRewards] = pythonJsonLines(['-c', script], [batch]) as [
        number[],
        string[],
        number[],
        number[],
      ];
      expect(names).toEqual(terms.map((t) => t.component));
      // TypeScript: the trainer's scoreGroup per group, one random stream across the batch
      const stream = new Rng(c.seed, REWARD_STREAM);
      const t = getTask(task);
      const expected = groups.flatMap((g) => {
        const lengths = g.completions.map(completionLength);
        return scoreGroup({
          terms,
          problem: { prompt: g.row.prompt, answer: g.row.answer },
          completions: g.completions,
          verdicts: g.completions.map((x) => t.verify(g.row, x)),
          lengths,
          truncated: lengths.map((n) => n >= c.maxNewTokens),
          maxNewTokens: c.maxNewTokens,
          step: 0,
          rand: () => stream.next(),
        }).rewards;
      });
      expect(trlRewards).toHaveLength(72);
      expected.forEach((e, i) => {
        expect(close(e, trlRewards[i]), `TRL ${i}: ${e} vs ${trlRewards[i]}`).toBe(true);
        expect(close(e, verlRewards[i]), `verl ${i}: ${e} vs ${verlRewards[i]}`).toBe(true);
        expect(close(e, chatRewards[i]), `chat ${i}: ${e} vs ${chatRewards[i]}`).toBe(true);
      });
      // groups matter: the same completions scored one by one give other rewards
      const alone = groups.flatMap((g) => g.completions.map((x) => ({ prompt: g.row.prompt, completion: x })));
      let differ = 0;
      for (const [i, x] of alone.entries())
        if (!close((await scoreOne(c, x.prompt, x.completion)).reward, expected[i])) differ++;
      expect(differ).toBeGreaterThan(10);
    }
  });

  it('user code gets the page’s argument object and limits through the quickjs package (a stand-in module records them)', async () => {
    const code = 'function reward({ correct, length }) { return correct ? 1 - length / 10 : 0; }';
    const c = parseRunConfig({
      name: 'user-code',
      task: 'add',
      maxNewTokens: 6,
      reward: [
        { component: 'correctness', weight: 1, params: {} },
        { component: 'user-code', weight: 0.5, params: {} },
      ],
      userRewardCode: code,
      steps: 2,
    });
    const configPath = tmp.path('user-code.json');
    writeFileSync(configPath, JSON.stringify(c));
    const trl = await exportTo('trl', ['--config', configPath], 'user-code');
    expect(readFileSync(join(trl, 'rewards.py'), 'utf8')).toContain(JSON.stringify(code));
    // The stand-in has quickjs's API (Context.eval/get/parse_json/set_*_limit, callable objects,
    // JSException); it records what it is given and answers with queued results.
    const fake = tmp.path('fake-quickjs');
    mkdirSync(fake, { recursive: true });
    writeFileSync(
      join(fake, 'quickjs.py'),
      [
        'import json',
        'class JSException(Exception): pass',
        'class StackOverflow(Exception): pass',
        'LOG = {"limits": {}, "code": [], "args": []}',
        'RESULTS = []',
        'class Object:',
        '    def __init__(self, text=None): self.text = text',
        '    def __call__(self, arg):',
        '        LOG["args"].append(json.loads(arg.text))',
        '        r = RESULTS.pop(0)',
        '        if isinstance(r, Exception): raise r',
        '        return r',
        'class Context:',
        '    def set_memory_limit(self, n): LOG["limits"]["memory"] = n',
        '    def set_max_stack_size(self, n): LOG["limits"]["stack"] = n',
        '    def set_time_limit(self, s): LOG["limits"]["time"] = s',
        '    def eval(self, code):',
        '        LOG["code"].append(code)',
        '        return "function" if code == "typeof reward" else None',
        '    def get(self, name): return Object()',
        '    def parse_json(self, text): return Object(text)',
      ].join('\n') + '\n',
    );
    const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(fake)}); sys.path.insert(0, ${JSON.stringify(trl)})
import quickjs, rewards, grpo_rewards
quickjs.RESULTS.extend([0.75, True, None, float("inf"), quickjs.JSException("InternalError: interrupted\\n    at reward (<input>:1)"), quickjs.JSException("Error: boom\\n    at reward")])
out = [rewards.score("07+45=", "52")]
for _ in range(5):
    try:
        rewards.score("07+45=", "53")
        out.append("no error")
    except grpo_rewards.RewardCodeError as e:
        out.append([str(e), e.prompt, e.completion])
print(json.dumps({"out": out, "log": quickjs.LOG}))
`;
    const [res] = pythonJsonLines(['-c', script], []) as [
      { out: unknown[]; log: { limits: Record<string, number>; code: string[]; args: unknown[] } },
    ];
    expect(res.log.limits).toEqual({ memory: 16 * 1024 * 1024, stack: 64 * 1024, time: 0.05 });
    expect(res.log.code[0]).toBe(code);
    expect(res.out[0]).toEqual({ reward: 1 + 0.5 * 0.75, components: { correctness: 1, 'user-code': 0.75 } });
    expect(res.out.slice(1)).toEqual([
      ['reward must return a number, got boolean', '07+45=', '53'],
      ['reward must return a number, got undefined', '07+45=', '53'],
      ['reward must return a finite number, got inf', '07+45=', '53'],
      ['timed out after 50 ms', '07+45=', '53'],
      ['Error: boom', '07+45=', '53'],
    ]);
    // the argument object is the page's (src/rl/rewards/sandbox.ts userRewardArgument) for a group of one
    const problem = { prompt: '07+45=', answer: '52' };
    const verdict = getTask('add').verify(problem, '52');
    const expected = userRewardArgument({
      problem,
      completion: '52',
      verdict,
      group: {
        completions: ['52'],
        verdicts: [verdict],
        lengths: [2],
        truncated: [false],
        index: 0,
        maxNewTokens: 6,
        step: 0,
      },
    });
    expect(res.log.args[0]).toEqual(expected);
    expect(res.log.args).toHaveLength(6);
  });

  it('without quickjs, a user-code shape fails naming the package (with it, the shape scores)', async () => {
    const probe = spawnSync(PYTHON, ['-c', 'import quickjs'], { encoding: 'utf8' });
    const out = tmp.path('user-code-trl');
    const r = spawnSync(PYTHON, ['-B', join(out, 'rewards.py'), '12+34=', '46'], { encoding: 'utf8' });
    if (probe.status === 0) {
      expect(JSON.parse(r.stdout)).toEqual({ reward: 1 + 0.5 * 0.8, components: { correctness: 1, 'user-code': 0.8 } });
    } else {
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('pip install quickjs');
    }
  });
});

describe('export --run', () => {
  it('takes the config of a run the page exported: its name (as renamed in the Runs list), task and settings reach the script', async () => {
    const config = parseRunConfig({
      ...PRESETS.find((p) => p.name === 'psr')!.config,
      name: 'psr',
      task: 'reverse',
      lr: 2e-4,
    });
    const path = tmp.path('run.json');
    writeFileSync(
      path,
      runToJson({ id: 'x', name: 'my run 7', createdAt: 0, config, steps: 12, status: 'done' }, [
        { step: 0, reward: 0.5 },
      ]),
    );
    const out = await exportTo('trl', ['--run', path], 'from-run');
    const script = readFileSync(join(out, 'train_trl.py'), 'utf8');
    expect(script).toContain('run_name="my run 7"');
    expect(script).toContain('learning_rate=0.0002');
    expect(script).toContain('LAMBDA_NEG = 0.0');
    const row = JSON.parse(readFileSync(join(out, 'train.jsonl'), 'utf8').split('\n')[0]);
    expect(row.answer).toBe([...row.prompt.slice(0, -1)].reverse().join(''));
    const verl = await exportTo('verl', ['--run', path], 'from-run');
    expect(readFileSync(join(verl, 'run_verl.sh'), 'utf8')).toContain(`"trainer.experiment_name='my run 7'"`);
    expect(spawnSync('bash', ['-n', join(verl, 'run_verl.sh')]).status).toBe(0);
  });
});

describe('export --policy', () => {
  it('writes the checkpoint as a Hugging Face folder whose tokenizer encodes prompts to the checkpoint’s ids and decodes completions back', async () => {
    const ckptPath = 'public/checkpoints/add-small.safetensors';
    const ckpt = readCheckpointFile(ckptPath);
    const out = await exportTo('trl', ['--preset', 'grpo-add'], 'policy', ['--policy', ckptPath]);
    const policy = join(out, 'policy');
    const config = JSON.parse(readFileSync(join(policy, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'gpt2',
      vocab_size: ckpt.vocab.length,
      n_positions: ckpt.config.blockSize,
      n_embd: ckpt.config.nEmbd,
      n_layer: ckpt.config.nLayer,
      n_head: ckpt.config.nHead,
    });
    const weights = readCheckpointFile(join(policy, 'model.safetensors')).weights;
    for (const [name, w] of ckpt.weights) expect(weights.get(name), name).toEqual(w);

    const tok = new HfTokenizer(
      JSON.parse(readFileSync(join(policy, 'tokenizer.json'), 'utf8')),
      JSON.parse(readFileSync(join(policy, 'tokenizer_config.json'), 'utf8')),
    );
    const ours = taskTokenizer(getTask('add'));
    for (const text of ['07+45=', '99+99=', '0']) {
      expect(tok.encode(text, { add_special_tokens: false }).ids).toEqual(ours.encode(text));
    }
    const ids = [...ours.encode('52'), ours.eosId, ours.padId];
    expect(tok.decode(ids, { skip_special_tokens: true })).toBe('52');
    expect(tok.encode('<bos>07+45=', { add_special_tokens: false }).ids).toEqual([
      ours.bosId,
      ...ours.encode('07+45='),
    ]);

    // the script trains the folder and feeds <bos> first; the rewards strip it again
    const compiled = spawnSync(PYTHON, ['-m', 'py_compile', join(out, 'train_trl.py'), join(out, 'rewards.py')]);
    expect(compiled.status).toBe(0);
    const script = readFileSync(join(out, 'train_trl.py'), 'utf8');
    expect(script).toContain('dataset = dataset.map(lambda row: {"prompt": rewards.BOS_TEXT + row["prompt"]})');
    expect(script).toContain('MODEL = os.path.join(HERE, "policy")');
    const [scored] = pythonJsonLines(
      [
        '-c',
        `import json, sys\nsys.path.insert(0, ${JSON.stringify(out)})\nimport rewards\nprint(json.dumps(rewards.score("<bos>07+45=", "52")))`,
      ],
      [],
    ) as { reward: number }[];
    expect(scored.reward).toBe(1);
  });

  it('refuses a checkpoint of another task’s vocabulary, and --model with --policy', async () => {
    const r = await cli(
      'export',
      '--preset',
      'grpo-add',
      '--to',
      'trl',
      '--out',
      tmp.path('bad'),
      '--policy',
      'public/checkpoints/sort-small.safetensors',
    );
    expect(r.code).toBe(1);
    const both = await cli(
      'export',
      '--preset',
      'grpo-add',
      '--to',
      'trl',
      '--out',
      tmp.path('bad'),
      '--policy',
      'x',
      '--model',
      'y',
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });
});

describe('export refuses bad input with one line and a nonzero exit, writing nothing', () => {
  it('an unknown preset, a missing --out, a bad --to, two sources, malformed or out-of-range configs, a missing file', async () => {
    const out = tmp.path('refused');
    const badJson = tmp.path('bad.json');
    writeFileSync(badJson, '{"lr": 0.001,');
    const badValues = tmp.path('bad-values.json');
    writeFileSync(badValues, JSON.stringify({ lr: -5, groupSize: 'x' }));
    const cases: [string[], number, RegExp][] = [
      [
        ['--preset', 'nope', '--to', 'trl', '--out', out],
        2,
        /^export: --preset: unknown preset "nope" \(one of: grpo-add, /,
      ],
      [['--preset', 'grpo-add', '--to', 'trl'], 2, /^export: missing required --out; see --help\n$/],
      [['--preset', 'grpo-add', '--to', 'jax', '--out', out], 2, /^export: --to must be trl or verl, got "jax"/],
      [['--preset', 'grpo-add', '--out', out], 2, /^export: missing required --to/],
      [['--to', 'verl', '--out', out], 2, /^export: give exactly one of --preset, --config or --run/],
      [['--preset', 'grpo-add', '--config', badJson, '--to', 'trl', '--out', out], 2, /^export: give exactly one of/],
      [['--config', badJson, '--to', 'trl', '--out', out], 1, /^export: --config .*bad\.json: .*JSON/],
      [['--config', badValues, '--to', 'verl', '--out', out], 1, /^export: invalid run config: groupSize: .*; lr: /],
      [['--run', badJson, '--to', 'trl', '--out', out], 1, /^export: bad\.json line 1: not valid JSON/],
      [
        ['--config', tmp.path('missing.json'), '--to', 'trl', '--out', out],
        1,
        /^export: --config .*missing\.json: ENOENT/,
      ],
      [['--preset', 'grpo-add', '--to', 'trl', '--out', out, '--bogus'], 2, /^export: unknown option --bogus/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli('export', ...args);
      const where = args.join(' ');
      expect(r.code, where).toBe(code);
      expect(r.stdout, where).toBe('');
      expect(r.stderr.trimEnd().split('\n'), where).toHaveLength(1);
      expect(r.stderr, where).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
  });
});
