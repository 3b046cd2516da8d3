// The CPU engine on every core: a pool of workers that share the model's memory
// (SharedArrayBuffer) and split each large matrix product by rows (gemm.ts). The calling thread
// posts a job in a small shared control block, computes the first share itself, and sleeps in
// Atomics.wait until the workers have done theirs; the workers never copy a tensor. Products of
// arrays that are not shared, or too small to pay for the hand-off, run on the calling thread.
// Workers are spawned by the host (Node's worker_threads in the CLI, Web Workers in the page), which
// hands in `spawn`; the worker's code is gemmRows' own source, so both sides run one kernel.
//
// Atomics.wait blocks, which a browser allows in a worker but not on the page's main thread: the
// page's training worker (and Node) can use a pool, the main thread cannot (threadsAvailable says).

import type { FloatArray } from '../params';
import { gemmRows, store4, type GemmArgs, type GemmPool } from './gemm';

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

/** Products below this many multiply-adds stay on the calling thread (the hand-off costs ~0.05 ms). */
export const MIN_PARALLEL_MACS = 1 << 17;

// control block (Int32): the job's sequence number, workers still busy, workers started, then the job
const SEQ = 0;
const BUSY = 1;
const READY = 2;
const JOB = 3;
const JOB_FIELDS = 16; // out, A, B, bias (buffer id, offset) ×4, M, N, K, sAm, sAk, sBk, sBn, accumulate
const STOP = -1;

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

/** The rows [m0, m1) of part p of M rows split into `parts` (whole 4-row tiles per part but the last). */
export function partRows(M: number, parts: number, p: number): [number, number] {
  const per = Math.ceil(M / parts / 4) * 4;
  return [Math.min(M, p * per), Math.min(M, (p + 1) * per)];
}

// The worker: waits for a job (Atomics.waitAsync, so buffer messages still arrive), computes its part.
const WORKER_BODY = `
${store4.toString()}
${gemmRows.toString()}
${partRows.toString()}
const buffers = [];
const arrivals = new Map();
let ctrl = null;
let index = 0;
let parts = 1;
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
    ctrl = new Int32Array(msg.ctrl);
    index = msg.index;
    parts = msg.parts;
    let seq = 0;
    Atomics.add(ctrl, ${READY}, 1);
    for (;;) {
      const w = Atomics.waitAsync(ctrl, ${SEQ}, seq);
      if (w.async) await w.value;
      seq = Atomics.load(ctrl, ${SEQ});
      if (seq === ${STOP}) return;
      const j = ctrl.slice(${JOB}, ${JOB + JOB_FIELDS});
      const view = async (id, off) => (id < 0 ? null : (await buffer(id)).subarray(off));
      const out = await view(j[0], j[1]);
      const A = await view(j[2], j[3]);
      const B = await view(j[4], j[5]);
      const bias = await view(j[6], j[7]);
      const [m0, m1] = ${partRows.name}(j[8], parts, index);
      if (m0 < m1) ${gemmRows.name}(out, A, B, bias, m0, m1, j[9], j[10], j[11], j[12], j[13], j[14], j[15] === 1);
      if (Atomics.sub(ctrl, ${BUSY}, 1) === 1) Atomics.notify(ctrl, ${BUSY});
    }
  }
});
`;

export class ThreadPool implements GemmPool {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(4 * (JOB + JOB_FIELDS)));
  private readonly workers: PoolWorker[] = [];
  // A buffer is sent to the workers once; when this thread lets go of it (an engine disposed, its
  // activations regrown), the workers are told to drop their copy, so runs in one page do not pile up.
  private readonly ids = new WeakMap<SharedArrayBuffer, number>();
  private nextId = 0;
  private readonly released = new FinalizationRegistry<number>((id) => {
    for (const w of this.workers) w.postMessage({ type: 'drop', id });
  });
  private seq = 0;
  /** Products split across threads, and run on the calling thread (for tests and the bench). */
  readonly counts = { parallel: 0, local: 0 };

  /** `threads` in all, the calling thread included (so threads − 1 workers). */
  constructor(
    readonly threads: number,
    spawn: SpawnWorker,
  ) {
    if (!Number.isInteger(threads) || threads < 2) throw new Error(`a thread pool needs ≥ 2 threads, got ${threads}`);
    for (let i = 1; i < threads; i++) {
      const w = spawn(WORKER_BODY);
      w.postMessage({ type: 'init', ctrl: this.ctrl.buffer, index: i, parts: threads });
      this.workers.push(w);
    }
  }

  /** Resolves once every worker has started (products run on the calling thread until then). */
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

  tryGemm(...args: GemmArgs): boolean {
    const [out, A, B, bias, M, N, K, sAm, sAk, sBk, sBn, accumulate] = args;
    const operands = bias === null ? [out, A, B] : [out, A, B, bias];
    const shareable = operands.every((a) => a instanceof Float32Array && a.buffer instanceof SharedArrayBuffer);
    // Until every worker has started, products stay here: a worker that has not started yet may
    // need this thread's event loop, which Atomics.wait would block (a nested worker in Chrome).
    const ready = Atomics.load(this.ctrl, READY) === this.workers.length;
    if (!shareable || !ready || M < 8 || M * N * K < MIN_PARALLEL_MACS) {
      this.counts.local++;
      return false;
    }
    const c = this.ctrl;
    const at = (a: FloatArray | null): [number, number] => (a === null ? [-1, 0] : [this.id(a), a.byteOffset / 4]);
    c.set([...at(out), ...at(A), ...at(B), ...at(bias), M, N, K, sAm, sAk, sBk, sBn, accumulate ? 1 : 0], JOB);
    Atomics.store(c, BUSY, this.workers.length);
    this.seq = this.seq === 0x7fffffff ? 1 : this.seq + 1;
    Atomics.store(c, SEQ, this.seq);
    Atomics.notify(c, SEQ);
    const [m0, m1] = partRows(M, this.threads, 0);
    gemmRows(out, A, B, bias, m0, m1, N, K, sAm, sAk, sBk, sBn, accumulate);
    for (let busy = Atomics.load(c, BUSY); busy !== 0; busy = Atomics.load(c, BUSY)) Atomics.wait(c, BUSY, busy);
    this.counts.parallel++;
    return true;
  }

  /** Ends the workers (they finish the job in hand first: none is in flight between products). */
  dispose(): void {
    Atomics.store(this.ctrl, SEQ, STOP);
    Atomics.notify(this.ctrl, SEQ);
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
