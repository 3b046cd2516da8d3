// RunLoop: start / pause / resume / single step / stop around Trainer.step, for the CLI and the
// page's worker. Steps run one at a time; pause and stop take effect between steps (a step is never
// cut in half). An error in a step (e.g. the user's reward code) pauses the loop with the error
// reported, and the failed step can be retried by resuming: the trainer changed nothing.

import type { MetricsRow } from './metrics';
import type { StepReport, Trainer } from './trainer';

export type RunLoopState = 'idle' | 'running' | 'paused' | 'stopped' | 'done';

export interface RunLoopHandlers {
  onReport: (report: StepReport) => void;
  /** The final evaluation row, once, when the run reaches its last step. */
  onFinal?: (row: MetricsRow) => void;
  onState?: (state: RunLoopState) => void;
  onError?: (error: unknown) => void;
}

export class RunLoop {
  private state_: RunLoopState = 'idle';
  private running: Promise<void> | null = null;

  constructor(
    readonly trainer: Trainer,
    private readonly handlers: RunLoopHandlers,
    /** Steps to run in all; the config's `steps` by default. */
    readonly totalSteps: number = trainer.config.steps,
  ) {}

  get state(): RunLoopState {
    return this.state_;
  }

  /** Runs steps until paused, stopped, failed or done; resolves when the loop has come to rest. */
  start(): Promise<void> {
    if (this.state_ === 'stopped' || this.state_ === 'done') return Promise.resolve();
    if (this.running) {
      // a pause that has not taken effect yet (the step is still running) is simply withdrawn
      if (this.state_ === 'paused') this.setState('running');
      return this.running;
    }
    this.setState('running');
    this.running = this.runSteps().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** The current step finishes; no new one starts. */
  pause(): void {
    if (this.state_ === 'running') this.setState('paused');
  }

  resume(): Promise<void> {
    return this.start();
  }

  /** One step while not running (idle or paused). Returns null when the run cannot step. */
  async singleStep(): Promise<StepReport | null> {
    if (this.running || this.state_ === 'stopped' || this.state_ === 'done') return null;
    const report = await this.guardedStep();
    if (report && !this.finished()) this.setState('paused');
    return report;
  }

  /** Ends the run for good after the current step. */
  stop(): void {
    if (this.state_ !== 'done') this.setState('stopped');
  }

  private async runSteps(): Promise<void> {
    while (this.state_ === 'running') {
      const report = await this.guardedStep();
      if (!report) return;
      // let the host breathe between steps (messages to a worker, timers in Node)
      await new Promise<void>((r) => setTimeout(r, 0));
    }
  }

  /** One step and its report; finishes the run at the last step; pauses on error. */
  private async guardedStep(): Promise<StepReport | null> {
    if (this.trainer.stepIndex >= this.totalSteps) {
      await this.finish();
      return null;
    }
    try {
      const report = await this.trainer.step();
      this.handlers.onReport(report);
      if (this.trainer.stepIndex >= this.totalSteps) await this.finish();
      return report;
    } catch (e) {
      this.setState('paused');
      this.handlers.onError?.(e);
      return null;
    }
  }

  private async finish(): Promise<void> {
    const row = await this.trainer.finalEvaluation();
    this.handlers.onFinal?.(row);
    this.setState('done');
  }

  private finished(): boolean {
    return this.state_ === 'done';
  }

  private setState(s: RunLoopState): void {
    if (s === this.state_) return;
    this.state_ = s;
    this.handlers.onState?.(s);
  }
}
