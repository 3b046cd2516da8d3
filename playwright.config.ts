import { defineConfig } from '@playwright/test';
import { findChromium } from './scripts/find-chromium.mjs';
import { chromiumArgs } from './scripts/chromium-args.mjs';

// E2E_PORT lets several checkouts run the suite side by side.
const PORT = Number(process.env.E2E_PORT ?? 4174);

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  workers: 1,
  // A test that stalls (seen once in many runs of the suite: an e2e waiting with the machine idle)
  // is run once more; Playwright reports it as flaky rather than passed, so a stall is still seen.
  retries: 1,
  reporter: [['list']],
  use: {
    // No click, download or other single action waits longer than this; whole-run waits set their own.
    actionTimeout: 60_000,
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: { executablePath: findChromium(), args: chromiumArgs },
  },
  webServer: {
    command: `npx vite preview --port ${PORT} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
