// Rendering the page skips while nobody can see it. A chart or the completions below the fold, or the
// whole page in a background tab, keeps what it last drew while rows stream in, and catches up as
// soon as it is scrolled into view or the tab is shown again. The training worker shares the
// machine's cores with this thread, so every redraw skipped is time given back to training.

import { useEffect, useRef, useState, type RefObject } from 'react';

/** How far outside the viewport an element still counts as on screen (so it is drawn before it shows). */
const MARGIN = '200px';

/**
 * Whether the element is on screen (within MARGIN of the viewport) and its tab is shown. True until
 * the first observation, and where IntersectionObserver is missing.
 */
export function useOnScreen(ref: RefObject<Element | null>): boolean {
  const [inView, setInView] = useState(true);
  const [tabShown, setTabShown] = useState(() => typeof document === 'undefined' || !document.hidden);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => setInView(entries[entries.length - 1].isIntersecting), {
      rootMargin: MARGIN,
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  useEffect(() => {
    const onChange = () => setTabShown(!document.hidden);
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  return inView && tabShown;
}

/** `value` while `live`; otherwise the value it had when last live (what an unseen view keeps). */
export function useLatestWhile<T>(value: T, live: boolean): T {
  const held = useRef(value);
  if (live) held.current = value;
  return held.current;
}
