// The consent step for reward code that came with a link: the code is shown, read-only, and runs
// only after the person presses "Use this code". Discarding keeps the rest of the link's setup.

import { useStore } from '../store';
import { formatReward } from './query';

export function SharedCodeGate() {
  const pending = useStore((s) => s.pendingCode);
  const accept = useStore((s) => s.acceptPendingCode);
  const reject = useStore((s) => s.rejectPendingCode);
  if (!pending) return null;
  return (
    <section className="banner warn shared-code" role="dialog" aria-modal="false" aria-labelledby="shared-code-title">
      <h2 id="shared-code-title">This link carries reward code</h2>
      <p>
        It will run on every completion once you accept it (in a sandbox: no page, network or storage access). Read it
        first.
        {pending.reward && (
          <>
            {' '}
            Reward shape of the link: <code>{formatReward(pending.reward)}</code>.
          </>
        )}
      </p>
      <pre aria-label="Shared reward code" tabIndex={0}>
        {pending.code}
      </pre>
      <div className="shared-code-actions">
        <button type="button" onClick={accept}>
          Use this code
        </button>
        <button type="button" onClick={reject}>
          Discard it
        </button>
      </div>
    </section>
  );
}
