// Finds a Chromium with WebGPU for the browser and e2e suites, or says exactly how to get one.
// Order: $CHROMIUM_PATH, Debian's /usr/bin/chromium, Playwright's own download.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return undefined; // Playwright's bundled Chromium, if `npx playwright install chromium` was run
}

export async function requireChromium() {
  const found = findChromium();
  if (found) return found;
  try {
    const { chromium } = await import('playwright');
    const p = chromium.executablePath();
    if (p && existsSync(p)) return p;
  } catch {
    /* fall through to the message */
  }
  console.error(
    [
      'No Chromium found for the browser (WebGPU) and e2e tests.',
      'Get one of:',
      '  Debian/Ubuntu:  sudo apt-get install chromium        (gives /usr/bin/chromium)',
      '  any OS:         npx playwright install chromium      (needs internet)',
      '  or point CHROMIUM_PATH at a Chromium/Chrome binary.',
    ].join('\n'),
  );
  process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`chromium: ${await requireChromium()}`);
}
