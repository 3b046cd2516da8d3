// The page's one zustand store, made of slices (zustand's slices pattern): the config the sidebar
// edits, the live training run, view settings, and the runs list (runsSlice.ts). Components read
// it with selectors so each re-renders only for what it uses.

import { createStore, useStore as useZustand, type StoreApi } from 'zustand';
import { createConfigSlice, type ConfigSlice } from './configSlice';
import { createTrainingSlice, type ConnectTraining, type TrainingSlice } from './trainingSlice';
import { createViewSlice, type ViewSlice } from './viewSlice';
import { createRunsSlice, type RunsSlice } from './runsSlice';
import { createGroupsSlice, type GroupsSlice, type SpawnTraining } from './groupsSlice';
import { TrainingWorkerClient } from '../worker/client';

export type Store = ConfigSlice & TrainingSlice & ViewSlice & RunsSlice & GroupsSlice;

/** `spawn` makes one worker per seed of a run group; by default a channel from `connect` that ignores terminate. */
export function makeStore(
  connect: ConnectTraining,
  spawn: SpawnTraining = (onEvent, onCrash) => ({ ...connect(onEvent, onCrash), terminate: () => undefined }),
): StoreApi<Store> {
  return createStore<Store>()((...a) => ({
    ...createConfigSlice(...a),
    ...createTrainingSlice(connect)(...a),
    ...createViewSlice(...a),
    ...createRunsSlice(...a),
    ...createGroupsSlice(spawn)(...a),
  }));
}

/** The page's store; the worker starts with the first command. */
export const store = makeStore(
  (onEvent, onCrash) => new TrainingWorkerClient(onEvent, onCrash),
  (onEvent, onCrash) => new TrainingWorkerClient(onEvent, onCrash),
);

export function useStore<T>(selector: (s: Store) => T): T {
  return useZustand(store, selector);
}
