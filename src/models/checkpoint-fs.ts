// Node-only file helpers for checkpoints (kept apart from checkpoint.ts so the browser bundle never
// imports node:fs). Errors carry the file's path.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint';

export function readCheckpointFile(path: string): Checkpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CheckpointError(
      `cannot read checkpoint ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    return decodeCheckpoint(bytes);
  } catch (e) {
    if (e instanceof CheckpointError) throw new CheckpointError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Writes the file, creating its directory when needed. */
export function writeCheckpointFile(path: string, ckpt: Checkpoint): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeCheckpoint(ckpt));
}
