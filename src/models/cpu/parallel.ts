// How the CPU engine's ops reach a thread pool (threads.ts). An op that can be cut into independent
// units (the rows of a product, the (batch, head) pairs of attention, the elements of GELU) hands a
// RangeKernel and its arguments to parallelFor, which splits the units across the installed pool, or
// runs them all on this thread. A unit is the same code and the same arithmetic whichever thread
// computes it, and no unit reads what another writes, so results never depend on the thread count.

import type { FloatArray } from '../params';

/** What a kernel takes: arrays (shared with the workers when split), numbers, flags. */
export type KernelArg = FloatArray | null | number | boolean;

/**
 * A function over the units [r0, r1) of a job, which it reads from args[rangeAt] and
 * args[rangeAt + 1]. The pool sends the source of `fn` and `helpers` (the functions it calls) to its
 * workers, so they must be self-contained: no imports, no module state, no nested functions. A pool
 * runs the kernels it lists (KERNELS in threads.ts); it leaves any other to the calling thread.
 */
export interface RangeKernel<A extends KernelArg[] = KernelArg[]> {
  // a method signature, so any kernel is a RangeKernel<KernelArg[]> (the pool's view of it)
  fn(...args: A): void;
  rangeAt: number;
  /** Chunks are whole multiples of this many units (but the last): 4 for a product's row tiles. */
  granule: number;
  helpers: ((...args: never[]) => unknown)[];
}

export function rangeKernel<A extends KernelArg[]>(
  fn: (...args: A) => void,
  rangeAt: number,
  granule: number,
  helpers: ((...args: never[]) => unknown)[] = [],
): RangeKernel<A> {
  return { fn, rangeAt, granule, helpers };
}

/** Splits a job across threads, or says no (returns false) and leaves it to the caller. */
export interface KernelPool {
  tryRun<A extends KernelArg[]>(kernel: RangeKernel<A>, args: A, work: number): boolean;
}

let pool: KernelPool | null = null;

/** Installs (or with null removes) the pool every later op may use. */
export function setThreadPool(p: KernelPool | null): void {
  pool = p;
}

export function threadPool(): KernelPool | null {
  return pool;
}

/**
 * Runs `kernel` over the units args[rangeAt]…args[rangeAt + 1] − 1, on the pool when it takes the job.
 * `work` is the job's cost in multiply-adds' worth (a tanh or exp counts ~30), so the pool can leave
 * small jobs here where the hand-off would cost more than it saves.
 */
export function parallelFor<A extends KernelArg[]>(kernel: RangeKernel<A>, args: A, work: number): void {
  if (pool?.tryRun(kernel, args, work)) return;
  kernel.fn(...args);
}
