// `npm run bench:node`: the bench's GPU sections (src/gpu/bench/sections.ts: a matmul, b SFT step,
// c generation, d GRPO step, each against TF.js's WebGPU backend on the same adapter) in Node, through
// Dawn for Node (the npm package `webgpu`; Dawn is the WebGPU implementation inside Chrome). For a GPU
// machine with no browser, such as a headless server; `npm run bench` is the same table in Chromium.
// Prints the table to stdout and writes it to --out (markdown).
//   npm run bench:node -- [--out FILE] [--quick] [--only LETTERS]
// The package is not a dependency (51 MB of Dawn builds for five platforms): `npm install --no-save
// webgpu` first, or point WEBGPU_NODE at an unpacked copy of it (a folder with index.js and
// dist/linux-x64/dawn.node). Dawn finds the GPU through Vulkan; on a machine without one, Chromium's
// SwiftShader serves: LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
// sections.ts is imported only once the globals are set: TF.js's WebGPU backend looks for them on import.
import { GPU_SECTIONS } from '../src/gpu/bench/timing';

const USAGE =
  'usage: npm run bench:node -- [--out FILE] [--quick] [--only LETTERS]\n' +
  '  --out FILE  write the markdown table to FILE (default bench.md)\n' +
  '  --quick     fewer repetitions per measurement\n' +
  '  --only abc  run only these sections (a matmul, b SFT, c generation, d GRPO step)\n' +
  'Needs Dawn for Node: `npm install --no-save webgpu`, or WEBGPU_NODE=<folder of the unpacked package>.\n' +
  'Section e (the CPU engine against TF.js wasm) runs in the browser: npm run bench -- --only e\n';

/** The options, or the reason they are wrong. */
function parseBenchArgs(args: string[]): { out: string; quick: boolean; only: string } | { error: string } {
  const value = (flag: string): string | undefined | null => {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : (args[i + 1] ?? null);
  };
  const out = value('--out');
  if (out === null) return { error: '--out needs a file name' };
  const only = value('--only');
  if (only === null || (only !== undefined && !new RegExp(`^[${GPU_SECTIONS}]+$`).test(only)))
    return {
      error: `--only takes section letters ${GPU_SECTIONS[0]}–${GPU_SECTIONS.at(-1)}, e.g. --only cd${
        only?.includes('e') ? ' (e runs in the browser: npm run bench -- --only e)' : ''
      }`,
    };
  return { out: out ?? 'bench.md', quick: args.includes('--quick'), only: only ?? GPU_SECTIONS };
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/** Dawn for Node from WEBGPU_NODE (a folder) or the installed package; a clear error when neither is there. */
async function loadDawn(): Promise<DawnModule> {
  const from = process.env.WEBGPU_NODE;
  try {
    return (await import(from ? pathToFileURL(resolve(from, 'index.js')).href : 'webgpu')) as DawnModule;
  } catch (e) {
    const where = from ? `WEBGPU_NODE=${from} (no index.js of the package there?)` : 'the package `webgpu`';
    throw new Error(
      `cannot load Dawn for Node from ${where}: ${e instanceof Error ? e.message : String(e)}\n` +
        'install it with `npm install --no-save webgpu`, or set WEBGPU_NODE to an unpacked copy of it',
      { cause: e },
    );
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const opts = parseBenchArgs(args);
  if ('error' in opts) {
    process.stderr.write(`${opts.error}\n${USAGE}`);
    return 2;
  }
  const dawn = await loadDawn();
  // WebGPU's classes (GPUBuffer, GPUComputePassEncoder, …) as globals, as a browser has them: the
  // bench counts mapAsync and dispatches on their prototypes. TF.js's WebGPU backend registers itself
  // only where it sees a window (or a worker) with navigator.gpu.
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  if (!(await gpu.requestAdapter()))
    throw new Error(
      'Dawn found no GPU adapter: it looks for one through Vulkan, so a Vulkan loader (libvulkan1) and the ' +
        "GPU's Vulkan driver must be installed (VK_DRIVER_FILES or VK_ICD_FILENAMES can name the driver's " +
        "manifest). Without a GPU, Chromium's SwiftShader serves: LD_LIBRARY_PATH=/usr/lib/chromium " +
        'VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json',
    );
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true });
  Object.assign(globalThis, { window: globalThis });
  const { runBench } = await import('../src/gpu/bench/sections');
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const markdown = await runBench({ quick: opts.quick, only: opts.only, log });
  process.stdout.write(`${markdown}\n`);
  writeFileSync(opts.out, `${markdown}\n`);
  log(`bench table written to ${opts.out}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
