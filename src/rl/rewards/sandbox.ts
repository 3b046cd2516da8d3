// The user-code reward (docs/DESIGN.md §6): a JavaScript `reward(...)` function run in QuickJS compiled
// to WASM, not in the page's realm. The context holds only ECMAScript built-ins and the one
// argument passed per call (no DOM, network, storage, host globals); each call has a time limit
// (interrupt handler) and the runtime a memory and stack limit. Every failure — a syntax error, a
// throw, a time-out, running out of memory, a return that is not a finite number — becomes a
// RewardCodeError naming the message, the line, and the prompt/completion it happened on.

import SINGLEFILE_RELEASE_SYNC from '@jitl/quickjs-singlefile-mjs-release-sync';
import {
  newQuickJSWASMModule,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten';
import type { RewardInput } from './reward';

export const USER_REWARD_TEMPLATE = `// Return a number: this completion's reward. Runs in a sandbox (no page, network or storage),
// at most 50 ms per call.
//   prompt, completion  the task's prompt ("12+34=") and what the model wrote after it
//   answer              the reference answer ("46")
//   correct, formatOk   the task verifier's verdict (booleans); partial: its credit in [0, 1]
//   length, truncated   completion length in tokens; truncated: it hit maxNewTokens without ending
//   maxNewTokens, step  L and the RL step
//   group               { correct: [...], lengths: [...] } for the G completions of this prompt
function reward({ prompt, completion, answer, correct, formatOk, partial, length, truncated, maxNewTokens, step, group }) {
  if (!correct) return 0;
  return 1 - 0.5 * (length / maxNewTokens); // right answers earn more when short
}
`;

/** What the user's function receives: plain data only. */
export interface UserRewardArgument {
  prompt: string;
  completion: string;
  answer: string;
  correct: boolean;
  formatOk: boolean;
  partial: number;
  length: number;
  truncated: boolean;
  maxNewTokens: number;
  step: number;
  group: { correct: boolean[]; lengths: number[] };
}

export function userRewardArgument(x: RewardInput): UserRewardArgument {
  const g = x.group;
  return {
    prompt: x.problem.prompt,
    completion: x.completion,
    answer: x.problem.answer,
    correct: x.verdict.correct,
    formatOk: x.verdict.formatOk,
    partial: x.verdict.partial,
    length: g.lengths[g.index],
    truncated: g.truncated[g.index],
    maxNewTokens: g.maxNewTokens,
    step: g.step,
    group: { correct: g.verdicts.map((v) => v.correct), lengths: [...g.lengths] },
  };
}

/** A failure of the user's code, with where it happened (prompt/completion empty when loading the code). */
export class RewardCodeError extends Error {
  constructor(
    message: string,
    readonly line: number | null, // 1-based line in the user's code, when QuickJS reports one
    readonly prompt: string,
    readonly completion: string,
  ) {
    super(message);
    this.name = 'RewardCodeError';
  }
}

export interface SandboxOptions {
  timeLimitMs?: number; // per call; default 50
  /** Loading runs the code's top level once on a cold interpreter, where a busy machine alone can take 50 ms. */
  loadTimeLimitMs?: number; // default 500
  memoryLimitBytes?: number; // the runtime's heap; default 16 MiB
  maxStackBytes?: number; // default 64 KiB: deep recursion is QuickJS's "stack overflow" error (~340 calls)
  // before the host's own native stack runs out (it does first at 256 KiB, while V8 still runs the WASM unoptimised)
}

const FILE_NAME = 'reward.js'; // the name QuickJS puts in stack frames, so lines can be found
const FUNCTION_NAME = 'reward';

// One WASM module per realm; runtimes are per sandbox. The single-file variant carries the WASM
// inside its JS, so it loads the same in Node, a Vite dev server, a built page and a worker.
let quickjs: Promise<QuickJSWASMModule> | null = null;

interface DumpedError {
  name?: string;
  message?: string;
  stack?: string;
  lineNumber?: number;
}

/** A per-call time limit: QuickJS polls `check` while code runs; true interrupts it. */
class Deadline {
  private until = 0; // performance.now() after which running code is interrupted
  timedOut = false;
  constructor(readonly ms: number) {}
  start(): void {
    this.timedOut = false;
    this.until = performance.now() + this.ms;
  }
  readonly check = (): boolean => {
    if (performance.now() <= this.until) return false;
    this.timedOut = true;
    return true;
  };
}

export class UserRewardSandbox {
  private broken = false;

  private constructor(
    private readonly runtime: QuickJSRuntime,
    private readonly vm: QuickJSContext,
    private readonly fn: QuickJSHandle,
    private readonly deadline: Deadline,
  ) {}

  /** Loads the code (running its top level once, under the time limit) and finds `reward`; a RewardCodeError when either fails. */
  static async create(code: string, opts: SandboxOptions = {}): Promise<UserRewardSandbox> {
    quickjs ??= newQuickJSWASMModule(SINGLEFILE_RELEASE_SYNC);
    const runtime = (await quickjs).newRuntime();
    runtime.setMemoryLimit(opts.memoryLimitBytes ?? 16 * 1024 * 1024);
    runtime.setMaxStackSize(opts.maxStackBytes ?? 64 * 1024);
    const deadline = new Deadline(opts.timeLimitMs ?? 50);
    const loadDeadline = new Deadline(opts.loadTimeLimitMs ?? 500);
    runtime.setInterruptHandler(loadDeadline.check);
    const vm = runtime.newContext();
    const fail = (message: string, line: number | null) => {
      vm.dispose();
      runtime.dispose();
      return new RewardCodeError(message, line, '', '');
    };
    loadDeadline.start();
    const loaded = vm.evalCode(code, FILE_NAME);
    runtime.setInterruptHandler(deadline.check);
    if (loaded.error) {
      const e = describe(vm, loaded.error, loadDeadline);
      loaded.error.dispose();
      throw fail(`loading the code: ${e.message}`, e.line);
    }
    loaded.value.dispose();
    const fn = vm.getProp(vm.global, FUNCTION_NAME);
    if (vm.typeof(fn) !== 'function') {
      fn.dispose();
      throw fail(`the code must define function ${FUNCTION_NAME}({ prompt, completion, answer, correct, ... })`, null);
    }
    return new UserRewardSandbox(runtime, vm, fn, deadline);
  }

  /** The user's reward for one completion; a RewardCodeError (with this prompt and completion) on any failure. */
  call(input: RewardInput): number {
    const fail = (message: string, line: number | null) =>
      new RewardCodeError(message, line, input.problem.prompt, input.completion);
    const arg = toHandle(this.vm, userRewardArgument(input));
    if (this.broken) throw fail('the sandbox crashed earlier; load the code again', null);
    this.deadline.start();
    let result: ReturnType<QuickJSContext['callFunction']>;
    try {
      result = this.vm.callFunction(this.fn, this.vm.undefined, arg);
    } catch (e) {
      // the host itself failed inside QuickJS (e.g. its native stack): the runtime is not safe to use or free
      this.broken = true;
      throw fail(`the sandbox crashed: ${e instanceof Error ? e.message : String(e)}`, null);
    }
    arg.dispose();
    if (result.error) {
      const e = describe(this.vm, result.error, this.deadline);
      result.error.dispose();
      throw fail(e.message, e.line);
    }
    const kind = this.vm.typeof(result.value);
    const value = kind === 'number' ? this.vm.getNumber(result.value) : NaN;
    result.value.dispose();
    if (kind !== 'number') throw fail(`${FUNCTION_NAME} must return a number, got ${kind}`, null);
    if (!Number.isFinite(value)) throw fail(`${FUNCTION_NAME} must return a finite number, got ${value}`, null);
    return value;
  }

  dispose(): void {
    if (this.broken) return; // freeing a runtime left mid-call aborts the WASM module; leak it instead
    this.fn.dispose();
    this.vm.dispose();
    this.runtime.dispose();
  }
}

/** A plain-data value as a QuickJS handle (the caller disposes it). */
function toHandle(vm: QuickJSContext, v: unknown): QuickJSHandle {
  if (typeof v === 'string') return vm.newString(v);
  if (typeof v === 'number') return vm.newNumber(v);
  if (typeof v === 'boolean') return v ? vm.true : vm.false;
  if (Array.isArray(v)) {
    const arr = vm.newArray();
    v.forEach((x, i) => {
      const h = toHandle(vm, x);
      vm.setProp(arr, i, h);
      h.dispose();
    });
    return arr;
  }
  const obj = vm.newObject();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const h = toHandle(vm, x);
    vm.setProp(obj, k, h);
    h.dispose();
  }
  return obj;
}

/** The message and user-code line of a QuickJS exception; a time-out says so instead of "interrupted". */
function describe(
  vm: QuickJSContext,
  error: QuickJSHandle,
  deadline: Deadline,
): { message: string; line: number | null } {
  const dumped = vm.dump(error) as DumpedError | string;
  const e: DumpedError = typeof dumped === 'object' && dumped !== null ? dumped : { message: String(dumped) };
  const frame = new RegExp(`${FILE_NAME.replace('.', '\\.')}:(\\d+)`).exec(e.stack ?? '');
  const line = frame ? Number(frame[1]) : (e.lineNumber ?? null);
  if (deadline.timedOut) return { message: `timed out after ${deadline.ms} ms`, line };
  if (e.message === 'out of memory') return { message: 'out of memory (the sandbox has a memory limit)', line };
  return { message: e.name ? `${e.name}: ${e.message}` : String(e.message), line };
}
