// What the page took from its link: the controls to hide, warnings about settings it could not
// read, and reward code waiting for the person's consent. Composed into the runs slice
// (runsSlice.ts), so the store stays the four slices src/ui/store/index.ts composes.

import type { StateCreator } from 'zustand';
import type { Store } from '../store';
import { parseSeeds } from '../store/groupsSlice';
import { SEEDS_FIELD, describeRange } from '../../rl/configTable';
import { acceptCode, hiddenControls, SEEDS_PARAM, urlToConfig, type PendingCode } from './query';

export interface UrlSlice {
  /** Reward code from a link, shown but not run until accepted. */
  pendingCode: PendingCode | null;
  /** Control names from `hide=` (RunConfig field names, or section names the sidebar knows). */
  hiddenControls: string[];
  urlWarnings: string[];
  /** Loads a link's config into the sidebar. */
  applyUrl(href: string): void;
  /** The person read the code and pressed the button: it becomes the config's reward code. */
  acceptPendingCode(): void;
  rejectPendingCode(): void;
  dismissUrlWarnings(): void;
}

export const createUrlSlice: StateCreator<Store, [], [], UrlSlice> = (set, get) => ({
  pendingCode: null,
  hiddenControls: [],
  urlWarnings: [],
  applyUrl(href) {
    const { config, warnings, pendingCode } = urlToConfig(href);
    get().replaceConfig(config);
    const given = URL.canParse(href) ? new URL(href).searchParams.get(SEEDS_PARAM) : null;
    const seeds = parseSeeds(given);
    if (given !== null && seeds === null) {
      warnings.push(`seeds: must be ${describeRange(SEEDS_FIELD)}, got ${given}; using ${SEEDS_FIELD.default}`);
    }
    set({
      pendingCode,
      urlWarnings: warnings,
      hiddenControls: hiddenControls(href),
      seeds: seeds ?? SEEDS_FIELD.default,
    });
  },
  acceptPendingCode() {
    const { pendingCode, config } = get();
    if (!pendingCode) return;
    try {
      get().replaceConfig(acceptCode(config, pendingCode));
    } catch (e) {
      set({
        urlWarnings: [...get().urlWarnings, `the link's reward code could not be applied: ${(e as Error).message}`],
      });
    }
    set({ pendingCode: null });
  },
  rejectPendingCode() {
    set({ pendingCode: null });
  },
  dismissUrlWarnings() {
    set({ urlWarnings: [] });
  },
});
