// The run configuration the sidebar edits: one RunConfig, validated on every change so the page
// never holds a config the trainer would reject.

import type { StateCreator } from 'zustand';
import { parseRunConfig, type RunConfig } from '../../rl/config';
import type { Store } from './index';

export interface ConfigSlice {
  config: RunConfig;
  /** Why the last edit was refused (zod's message naming the field), or null. */
  configError: string | null;
  setConfig(patch: Partial<RunConfig>): void;
  replaceConfig(config: RunConfig): void;
}

export const createConfigSlice: StateCreator<Store, [], [], ConfigSlice> = (set, get) => ({
  config: parseRunConfig({}),
  configError: null,
  setConfig(patch) {
    try {
      set({ config: parseRunConfig({ ...get().config, ...patch }), configError: null });
    } catch (e) {
      set({ configError: e instanceof Error ? e.message : String(e) });
    }
  },
  replaceConfig(config) {
    set({ config: parseRunConfig(config), configError: null });
  },
});
