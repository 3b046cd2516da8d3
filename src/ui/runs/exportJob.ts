// A kept run as a TRL or verl job in one zip: the files `npm run cli -- export` writes
// (src/rl/export/files.ts builds both), under one folder named after the run and the framework.
// Loaded on demand, so the page does not carry the parquet writer, the zip writer and the Python
// rewards until someone exports.

import { strToU8, zipSync, type Zippable } from 'fflate';
import { decodeCheckpoint } from '../../models/checkpoint';
import type { RunConfig } from '../../rl/config';
import { configOfRun, exportFiles } from '../../rl/export/files';
import type { Framework } from '../../rl/export/readme';
import grpoRewardsPy from '../../rl/export/python/grpo_rewards.py?raw';

export interface JobExport {
  framework: Framework;
  run: { name: string; config: RunConfig };
  /** The folder inside the zip (and the zip's name without `.zip`). */
  folder: string;
  /** A Hugging Face model id; ignored when `policyBytes` is given. */
  model?: string;
  /** The run's policy as a .safetensors checkpoint, trained instead of a Hugging Face model. */
  policyBytes?: Uint8Array;
}

export function jobZip(job: JobExport): Uint8Array<ArrayBuffer> {
  const files = exportFiles({
    framework: job.framework,
    config: configOfRun(job.run),
    grpoRewardsPy,
    model: job.policyBytes ? undefined : job.model,
    policy: job.policyBytes ? decodeCheckpoint(job.policyBytes) : undefined,
  });
  const entries: Zippable = {};
  for (const [name, data] of Object.entries(files)) {
    // Unix modes, so unzip leaves run_verl.sh executable
    const mode = name.endsWith('.sh') ? 0o755 : 0o644;
    entries[`${job.folder}/${name}`] = [typeof data === 'string' ? strToU8(data) : data, { os: 3, attrs: mode << 16 }];
  }
  return zipSync(entries);
}
