// One owner per run across tabs: the tab training a run holds a Web Lock named after the run id
// until it resets, moves to another run or closes (the browser releases a closed tab's locks).
// Other tabs read the held names to show the run as "running in another tab" and never offer it
// for resume. Without the Web Locks API (Node tests) every run counts as free.

const PREFIX = 'grpo-run:';

let mine: { runId: string; release: () => void } | null = null;

const locks = (): LockManager | undefined => globalThis.navigator?.locks;

/**
 * Takes the run's lock for this tab (letting go of the previous run's). Resolves false, holding
 * nothing, when another tab holds it.
 */
export async function holdRun(runId: string): Promise<boolean> {
  if (mine?.runId === runId) return true;
  releaseRun();
  const lm = locks();
  if (!lm) return true;
  return new Promise<boolean>((resolve) => {
    void lm.request(PREFIX + runId, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(false);
        return undefined;
      }
      return new Promise<void>((release) => {
        mine = { runId, release };
        resolve(true);
      });
    });
  });
}

export function releaseRun(): void {
  mine?.release();
  mine = null;
}

/** Ids of runs whose lock another tab holds now. */
export async function runsHeldElsewhere(): Promise<string[]> {
  const lm = locks();
  if (!lm) return [];
  const { held = [] } = await lm.query();
  return held
    .map((l) => l.name ?? '')
    .filter((n) => n.startsWith(PREFIX))
    .map((n) => n.slice(PREFIX.length))
    .filter((id) => id !== mine?.runId);
}
