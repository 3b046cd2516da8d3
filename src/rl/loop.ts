// RunLoop: start / pause / resume / single step / stop around Trainer.step, for the CLI and the
// page's worker. Steps run one at a time. Pause and stop take effect at the next safe point inside
// the step in progress (before its next phase, Trainer.step's `shouldStop`): the step is abandoned
// with the trainer exactly as before it, and redone on resume. An error in a step (e.g. the user's
// reward code, or divergence) pauses the loop with the error reported.

import type { MetricsRow } from './metrics';
import { StepStopped, type StepPhase, type StepReport, type Trainer } from './trainer';

export type RunLoopState = 'idle' | 'running' | 'paused' | 'stopped' | 'done';

export interface RunLoopHandlers {
  /** After each completed step, with the loop at rest between steps (awaited: a snapshot fits here). */
  onReport: (report: StepReport) => unknown;
  /** The final evaluation row, once, when the run reaches its last step. */
  onFinal?: (row: MetricsRow) => unknown;
  onState?: (state: RunLoopState) => void;
  /** A phase of the step in progress begins (Trainer.step's `onPhase`). */
  onPhase?: (step: number, phase: StepPhase, detail: string) => void;
  onError?: (error: unknown) => void;
}

/**
 * Resolves in a new task, so the host runs what is queued between steps (a worker's messages, such as
 * Pause; timers in Node). A message to itself rather than setTimeout(0), which browsers stretch to 4 ms
 * once timeouts nest, as a loop of steps does.
 */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

export class RunLoop {
  private state_: RunLoopState = 'idle';
  private running: Promise<void> | null = null;
  private total: number;

  constructor(
    readonly trainer: Trainer,
    private readonly handlers: RunLoopHandlers,
    /** Steps to run in all; the config's `steps` by default. */
    totalSteps: number = trainer.config.steps,
  ) {
    this.total = totalSteps;
  }

  get state(): RunLoopState {
    return this.state_;
  }

  get totalSteps(): number {
    return this.total;
  }

  /** Whether a step is in progress (a pause asked for has not come to rest yet). */
  get busy(): boolean {
    return this.running !== null;
  }

  /**
   * Changes the step budget. A finished run given more steps becomes paused again, its final
   * evaluation row dropped (the step row at that step measures the same weights).
   */
  setTotalSteps(n: number): void {
    this.total = n;
    if (this.state_ === 'done' && n > this.trainer.stepIndex) {
      this.trainer.reopen();
      this.setState('paused');
    }
  }

  /** Runs steps until paused, stopped, failed or done; resolves when the loop has come to rest. */
  start(): Promise<void> {
    if (this.state_ === 'stopped' || this.state_ === 'done') return Promise.resolve();
    if (this.running) {
      // a pause that has not taken effect yet (the step has not reached a safe point) is withdrawn
      if (this.state_ === 'paused') this.setState('running');
      return this.running;
    }
    this.setState('running');
    this.running = this.runSteps().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** The step in progress stops at its next safe point; no new one starts. */
  pause(): void {
    if (this.state_ === 'running') this.setState('paused');
  }

  resume(): Promise<void> {
    return this.start();
  }

  /** One step while not running (idle or paused). Returns null when the run cannot step or was stopped. */
  async singleStep(): Promise<StepReport | null> {
    if (this.running || this.state_ === 'stopped' || this.state_ === 'done') return null;
    let done: () => void = () => undefined;
    this.running = new Promise<void>((r) => (done = r));
    try {
      const report = await this.guardedStep(() => this.state_ === 'stopped');
      if (report && this.state === 'idle') this.setState('paused');
      return report;
    } finally {
      this.running = null;
      done();
    }
  }

  /** Ends the run for good at the next safe point. */
  stop(): void {
    if (this.state_ !== 'done') this.setState('stopped');
  }

  private async runSteps(): Promise<void> {
    while (this.state_ === 'running') {
      const report = await this.guardedStep(() => this.state_ !== 'running');
      if (!report) return;
      await nextTask();
    }
  }

  /** One step and its report; finishes the run at the last step; pauses on error; null when stopped. */
  private async guardedStep(shouldStop: () => boolean): Promise<StepReport | null> {
    if (this.trainer.stepIndex >= this.total) {
      await this.finish();
      return null;
    }
    const step = this.trainer.stepIndex;
    try {
      const report = await this.trainer.step({
        shouldStop,
        onPhase: (phase, detail) => this.handlers.onPhase?.(step, phase, detail),
      });
      await this.handlers.onReport(report);
      if (this.trainer.stepIndex >= this.total) await this.finish();
      return report;
    } catch (e) {
      if (e instanceof StepStopped) return null;
      if (this.state_ !== 'stopped') this.setState('paused');
      this.handlers.onError?.(e);
      return null;
    }
  }

  private async finish(): Promise<void> {
    const row = await this.trainer.finalEvaluation();
    await this.handlers.onFinal?.(row);
    this.setState('done');
  }

  private setState(s: RunLoopState): void {
    if (s === this.state_) return;
    this.state_ = s;
    this.handlers.onState?.(s);
  }
}
