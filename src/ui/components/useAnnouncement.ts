// What a live region says, at a pace a screen reader can follow: the visible status changes every
// step, and announcing each would talk over everything else. A change of `key` (e.g. running →
// done) is said at once; other changes of `text` at most once per `everyMs`, the latest winning.

import { useEffect, useRef, useState } from 'react';

export function useAnnouncement(text: string, key: string, everyMs = 5000): string {
  const [said, setSaid] = useState(text);
  const last = useRef({ key, at: 0 });
  useEffect(() => {
    const now = Date.now();
    const wait = last.current.key !== key ? 0 : Math.max(0, last.current.at + everyMs - now);
    const t = setTimeout(() => {
      last.current = { key, at: Date.now() };
      setSaid(text);
    }, wait);
    return () => clearTimeout(t);
  }, [text, key, everyMs]);
  return said;
}
