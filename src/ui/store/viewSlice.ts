// View settings that are not part of a run: how completion tokens are coloured.

import type { StateCreator } from 'zustand';
import type { Store } from './index';

export type TokenColouring = 'entropy' | 'advantage';

export interface ViewSlice {
  tokenColouring: TokenColouring;
  setTokenColouring(c: TokenColouring): void;
}

export const createViewSlice: StateCreator<Store, [], [], ViewSlice> = (set) => ({
  tokenColouring: 'entropy',
  setTokenColouring: (tokenColouring) => set({ tokenColouring }),
});
