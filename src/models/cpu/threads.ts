// The CPU engine on every core: a pool of workers that share the model's memory (SharedArrayBuffer)
// and split the ops' jobs (parallel.ts: the rows of a product, the (batch, head) pairs of attention,
// the elements of GELU). The calling thread posts a job in a small shared control block, cut into a
// few chunks per thread; every thread, the caller included, takes chunks until none is left, and the
// caller waits for the chunks still in hand. The workers never copy a tensor. Taking chunks rather than
// fixed shares keeps a late or descheduled worker (a busy machine, a slow wake-up) from holding the
// caller up: whoever is running does the work. Jobs over arrays that are not shared, or too small to
// pay for the hand-off, run on the calling thread. Workers are spawned by the host (Node's worker_threads in the CLI, Web Workers in the page),
// which hands in `spawn`; the worker's code is the kernels' own source, so both sides run one copy.
//
// Atomics.wait blocks, which a browser allows in a worker but not on the page's main thread: the
// page's training worker (and Node) can use a pool, the main thread cannot (threadsAvailable says).

import type { FloatArray } from '../params';
import { GEMM_ROWS } from './gemm';
import { ATTENTION_BACKWARD, ATTENTION_FORWARD, GELU_BACKWARD, GELU_FORWARD } from './ops';
import type { KernelArg, KernelPool, RangeKernel } from './parallel';

/** A spawned worker: what the pool needs of Node's Worker and the browser's alike. */
export interface PoolWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/**
 * Starts a worker running `body` (plain JS). `body` calls `listen(handler)` for its messages; the
 * host defines `listen` in a prelude (Node: parentPort.on('message'); browser: self.onmessage).
 */
export type SpawnWorker = (body: string) => PoolWorker;

/**
 * Jobs below this many multiply-adds' worth stay on the calling thread: waking a sleeping worker costs
 * ~0.1 ms, about what such a job takes alone.
 */
export const MIN_PARALLEL_MACS = 1 << 17;

/** The kernels a pool runs; a job names one by its index here. */
const KERNELS: RangeKernel[] = [GEMM_ROWS, ATTENTION_FORWARD, ATTENTION_BACKWARD, GELU_FORWARD, GELU_BACKWARD];

/** Chunks per thread a job is cut into: enough to even out threads that start late or run slow. */
const CHUNKS_PER_THREAD = 8;

/**
 * How long a thread spins on the control block before it sleeps: jobs often come back to back, and a
 * spinning worker joins one within microseconds. Short, because on a busy machine a spinning thread
 * takes the core from one with work to do.
 */
const SPIN_MS = 0.05;

// control block (Int32): the job's sequence number, its claim word and chunk count (claimChunk), the
// chunks done, the workers started, a worker failed
const SEQ = 0;
const CLAIM = 1;
const CHUNKS = 2;
const DONE = 3;
const READY = 4;
const FAILED = 5;
const CTRL_FIELDS = 6;
const STOP = -1;
// the claim word: the job's tag (its sequence number, 23 bits) above the chunks left (8 bits)
const LEFT_BITS = 8;
const TAG_MASK = 0x7fffff;
// the job (Float64): the kernel's index, the argument count, then per argument its kind and two values
const MAX_ARGS = 16;
const JOB_FIELDS = 2 + 3 * MAX_ARGS;
const NUMBER = 0; // value
const INT = 1; // value, an int32: read back as one, so kernels index with small integers, not doubles
const ARRAY = 2; // buffer id, offset in elements
const NULL = 3;
const FLAG = 4; // 0 or 1

/** Whether this thread may block in Atomics.wait on shared memory (not on a browser's main thread). */
export function threadsAvailable(): boolean {
  // the workers wait with Atomics.waitAsync (ES2024; Chrome 87, Node 16)
  const waitAsync = (Atomics as { waitAsync?: unknown }).waitAsync;
  if (typeof SharedArrayBuffer === 'undefined' || typeof waitAsync !== 'function') return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // returns "not-equal" where allowed
    return true;
  } catch {
    return false;
  }
}

/** A Float32Array over fresh shared memory, as the model allocates it when a pool is installed. */
export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

/**
 * The units [u0, u1) of part p of [r0, r1) split into `parts`: near-equal whole granules per part, the
 * remainder in the last (trailing parts may be empty).
 */
export function partRange(r0: number, r1: number, parts: number, p: number, granule: number): [number, number] {
  const per = Math.ceil((r1 - r0) / parts / granule) * granule;
  return [Math.min(r1, r0 + p * per), Math.min(r1, r0 + (p + 1) * per)];
}

/**
 * Takes a chunk of the job tagged `tag`: its index, or −1 when none is left or that job is over.
 * claim = [claim word, chunk count] (the control block's CLAIM and CHUNKS). The tag in the word keeps
 * a worker that woke late from taking a chunk of the next job with the last one's description; a
 * chunk taken holds its job open (the caller waits for it), so the count read after is that job's.
 */
export function claimChunk(claim: Int32Array, tag: number, leftBits: number): number {
  for (;;) {
    const word = Atomics.load(claim, 0);
    const left = word & ((1 << leftBits) - 1);
    if (word >>> leftBits !== tag || left === 0) return -1;
    if (Atomics.compareExchange(claim, 0, word, word - 1) === word) return Atomics.load(claim, 1) - left;
  }
}

// The worker: waits for a job (spinning briefly, then Atomics.waitAsync, so buffer messages still
// arrive), then takes chunks of it until none is left.
const WORKER_BODY = `
${[...new Set(KERNELS.flatMap((k) => [...k.helpers, k.fn]))].map((f) => f.toString()).join('\n')}
${partRange.toString()}
${claimChunk.toString()}
const kernels = [${KERNELS.map((k) => `[${k.fn.name}, ${k.rangeAt}, ${k.granule}]`).join(', ')}];
const buffers = [];
const arrivals = new Map();
function buffer(id) {
  if (buffers[id]) return buffers[id];
  return new Promise((resolve) => arrivals.set(id, resolve));
}
listen(async (msg) => {
  if (msg.type === 'buffer') {
    buffers[msg.id] = new Float32Array(msg.sab);
    const resolve = arrivals.get(msg.id);
    if (resolve) { arrivals.delete(msg.id); resolve(buffers[msg.id]); }
  } else if (msg.type === 'drop') {
    delete buffers[msg.id];
  } else if (msg.type === 'init') {
    const ctrl = new Int32Array(msg.ctrl);
    const claim = ctrl.subarray(${CLAIM}, ${CHUNKS + 1});
    const job = new Float64Array(msg.job);
    let seq = 0;
    Atomics.add(ctrl, ${READY}, 1);
    for (;;) {
      const t0 = performance.now();
      while (Atomics.load(ctrl, ${SEQ}) === seq && performance.now() - t0 < ${SPIN_MS});
      const w = Atomics.waitAsync(ctrl, ${SEQ}, seq);
      if (w.async) await w.value;
      seq = Atomics.load(ctrl, ${SEQ});
      if (seq === ${STOP}) return;
      const tag = seq & ${TAG_MASK};
      let chunk = ${claimChunk.name}(claim, tag, ${LEFT_BITS});
      if (chunk < 0) continue;
      // the chunk in hand holds the job open: its description stays put while it is read
      const [fn, rangeAt, granule] = kernels[job[0]];
      const chunks = Atomics.load(ctrl, ${CHUNKS});
      const args = [];
      for (let i = 0, j = 2; i < job[1]; i++, j += 3) {
        const kind = job[j];
        if (kind === ${NUMBER}) args.push(job[j + 1]);
        else if (kind === ${INT}) args.push(job[j + 1] | 0);
        else if (kind === ${ARRAY}) args.push((buffers[job[j + 1]] ?? (await buffer(job[j + 1]))).subarray(job[j + 2]));
        else if (kind === ${NULL}) args.push(null);
        else args.push(job[j + 1] === 1);
      }
      const [r0, r1] = [args[rangeAt], args[rangeAt + 1]];
      for (; chunk >= 0; chunk = ${claimChunk.name}(claim, tag, ${LEFT_BITS})) {
        const [u0, u1] = ${partRange.name}(r0, r1, chunks, chunk, granule);
        try {
          args[rangeAt] = u0;
          args[rangeAt + 1] = u1;
          if (u0 < u1) fn(...args);
        } catch (e) {
          Atomics.store(ctrl, ${FAILED}, 1);
          console.error(e);
        }
        if (Atomics.add(ctrl, ${DONE}, 1) === chunks - 1) Atomics.notify(ctrl, ${DONE});
      }
    }
  }
});
`;

export class ThreadPool implements KernelPool {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(4 * CTRL_FIELDS));
  private readonly claim = this.ctrl.subarray(CLAIM, CHUNKS + 1);
  private readonly job = new Float64Array(new SharedArrayBuffer(8 * JOB_FIELDS));
  private readonly workers: PoolWorker[] = [];
  // A buffer is sent to the workers once; when this thread lets go of it (an engine disposed, its
  // activations regrown), the workers are told to drop their copy, so runs in one page do not pile up.
  private readonly ids = new WeakMap<SharedArrayBuffer, number>();
  private nextId = 0;
  private readonly released = new FinalizationRegistry<number>((id) => {
    for (const w of this.workers) w.postMessage({ type: 'drop', id });
  });
  private seq = 0;
  /** Jobs split across threads, and run on the calling thread (for tests and the bench). */
  readonly counts = { parallel: 0, local: 0 };

  /** `threads` in all, the calling thread included (so threads − 1 workers). */
  constructor(
    readonly threads: number,
    spawn: SpawnWorker,
  ) {
    if (!Number.isInteger(threads) || threads < 2) throw new Error(`a thread pool needs ≥ 2 threads, got ${threads}`);
    for (let i = 1; i < threads; i++) {
      const w = spawn(WORKER_BODY);
      w.postMessage({ type: 'init', ctrl: this.ctrl.buffer, job: this.job.buffer });
      this.workers.push(w);
    }
  }

  /** Resolves once every worker has started (jobs run on the calling thread until then). */
  async started(timeoutMs = 10_000): Promise<void> {
    const t0 = Date.now();
    while (Atomics.load(this.ctrl, READY) !== this.workers.length) {
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`the CPU thread pool's workers did not start in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private id(a: FloatArray): number {
    const sab = a.buffer as SharedArrayBuffer;
    let id = this.ids.get(sab);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(sab, id);
      this.released.register(sab, id);
      for (const w of this.workers) w.postMessage({ type: 'buffer', id, sab });
    }
    return id;
  }

  tryRun<A extends KernelArg[]>(k: RangeKernel<A>, args: A, work: number): boolean {
    const kernel: RangeKernel = k;
    const index = KERNELS.indexOf(kernel);
    if (args.length > MAX_ARGS) throw new Error(`a pool job takes at most ${MAX_ARGS} arguments, got ${args.length}`);
    const [r0, r1] = [args[kernel.rangeAt] as number, args[kernel.rangeAt + 1] as number];
    const arrays = args.filter((a) => typeof a === 'object' && a !== null);
    const shareable = arrays.every((a) => a instanceof Float32Array && a.buffer instanceof SharedArrayBuffer);
    // Until every worker has started, jobs stay here: a worker that has not started yet may need
    // this thread's event loop, which Atomics.wait would block (a nested worker in Chrome).
    const ready = Atomics.load(this.ctrl, READY) === this.workers.length;
    if (index < 0 || !shareable || !ready || r1 - r0 <= kernel.granule || work < MIN_PARALLEL_MACS) {
      this.counts.local++;
      return false;
    }
    const job = this.job;
    job[0] = index;
    job[1] = args.length;
    args.forEach((a, i) => {
      const j = 2 + 3 * i;
      if (typeof a === 'number') [job[j], job[j + 1]] = [(a | 0) === a ? INT : NUMBER, a];
      else if (typeof a === 'boolean') [job[j], job[j + 1]] = [FLAG, a ? 1 : 0];
      else if (a === null) job[j] = NULL;
      else [job[j], job[j + 1], job[j + 2]] = [ARRAY, this.id(a), a.byteOffset / 4];
    });
    const most = Math.min(CHUNKS_PER_THREAD * this.threads, (1 << LEFT_BITS) - 1);
    const chunks = Math.min(Math.ceil((r1 - r0) / kernel.granule), most);
    const c = this.ctrl;
    this.seq = this.seq === 0x7fffffff ? 1 : this.seq + 1;
    const tag = this.seq & TAG_MASK;
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, CHUNKS, chunks);
    Atomics.store(c, CLAIM, (tag << LEFT_BITS) | chunks);
    Atomics.store(c, SEQ, this.seq); // publishes the job written above
    Atomics.notify(c, SEQ);
    const own = args.slice() as A;
    try {
      for (let chunk = claimChunk(this.claim, tag, LEFT_BITS); chunk >= 0;) {
        [own[kernel.rangeAt], own[kernel.rangeAt + 1]] = partRange(r0, r1, chunks, chunk, kernel.granule);
        k.fn(...own);
        Atomics.add(c, DONE, 1);
        chunk = claimChunk(this.claim, tag, LEFT_BITS);
      }
    } finally {
      // should this thread's chunk have thrown, the chunks nobody took count as done
      while (claimChunk(this.claim, tag, LEFT_BITS) >= 0) Atomics.add(c, DONE, 1);
      // the chunks the workers hold are done before the next job can be written
      const t0 = performance.now();
      while (Atomics.load(c, DONE) !== chunks && performance.now() - t0 < SPIN_MS);
      for (let done = Atomics.load(c, DONE); done !== chunks; done = Atomics.load(c, DONE)) Atomics.wait(c, DONE, done);
    }
    if (Atomics.load(c, FAILED) !== 0) throw new Error(`a worker of the CPU thread pool failed in ${k.fn.name}`);
    this.counts.parallel++;
    return true;
  }

  /** Ends the workers (they finish the chunk in hand first: none is in flight between jobs). */
  dispose(): void {
    Atomics.store(this.ctrl, SEQ, STOP);
    Atomics.notify(this.ctrl, SEQ);
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
