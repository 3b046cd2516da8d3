// View settings that are not part of a run: how completion tokens are coloured, and which engine
// trains (Auto measures both; in the link as `backend=`).

import type { StateCreator } from 'zustand';
import type { Store } from './index';
import type { BackendChoice } from '../worker/backendProbe';

export type TokenColouring = 'entropy' | 'advantage';

export interface ViewSlice {
  tokenColouring: TokenColouring;
  setTokenColouring(c: TokenColouring): void;
  backendChoice: BackendChoice;
  setBackendChoice(c: BackendChoice): void;
}

export const createViewSlice: StateCreator<Store, [], [], ViewSlice> = (set) => ({
  tokenColouring: 'entropy',
  setTokenColouring: (tokenColouring) => set({ tokenColouring }),
  backendChoice: 'auto',
  setBackendChoice: (backendChoice) => set({ backendChoice }),
});
