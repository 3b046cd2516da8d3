// The page's side of the training worker: one Worker, typed `send` and one event callback.

import type { WorkerCommand, WorkerEvent } from './protocol';

export class TrainingWorkerClient {
  private readonly worker: Worker;

  constructor(onEvent: (e: WorkerEvent) => void, onCrash: (message: string) => void) {
    this.worker = new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module', name: 'training' });
    this.worker.onmessage = (e: MessageEvent<WorkerEvent>) => onEvent(e.data);
    // A worker that fails to load or throws outside a handler reports here, not through onmessage.
    this.worker.onerror = (e) => {
      e.preventDefault();
      onCrash(e.message || 'the training worker failed to start');
    };
  }

  send(cmd: WorkerCommand): void {
    this.worker.postMessage(cmd);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
