// The run config an export or reward command works from: a preset, a config file, or a run file as
// the page exports it (src/rl/runFile.ts), whose config travels with it.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseRunConfig, type RunConfig } from '../../rl/config';
import { configOfRun } from '../../rl/export/files';
import { getPreset } from '../../rl/presets';
import { parseRunImport } from '../../rl/runFile';
import { UsageError } from '../args';

export interface ConfigSources {
  preset?: string;
  config?: string;
  run?: string;
}

export function loadRunConfig(src: ConfigSources, allowRun = true): RunConfig {
  const given = (['preset', 'config', 'run'] as const).filter((k) => src[k] !== undefined);
  const names = allowRun ? '--preset, --config or --run' : '--preset or --config';
  if (given.length !== 1) throw new UsageError(`give exactly one of ${names}`);
  if (src.preset !== undefined) {
    try {
      return getPreset(src.preset).config;
    } catch (e) {
      throw new UsageError(`--preset: ${(e as Error).message}`);
    }
  }
  const path = (src.config ?? src.run)!;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${src.config !== undefined ? '--config' : '--run'} ${path}: ${(e as Error).message}`);
  }
  if (src.run !== undefined) return configOfRun(parseRunImport(text, basename(path)));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`--config ${path}: ${(e as Error).message}`);
  }
  return parseRunConfig(json);
}
