// `npm run bench:node [-- --out FILE --quick --only LETTERS]`: builds the Node bench
// (scripts/bench-node.ts, with the WGSL and TF.js bundled in, Dawn for Node left out) into
// .bench-node/, then runs it with the arguments given. The folder is self-contained apart from Node
// and Dawn: copied to a GPU machine that has neither a browser nor node_modules, it runs as
// `WEBGPU_NODE=<unpacked webgpu package> node .bench-node/bench.mjs --only abcd`.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  root,
  configFile: false,
  publicDir: false,
  logLevel: 'warn',
  ssr: { noExternal: true, target: 'node' },
  build: {
    ssr: 'scripts/bench-node.ts',
    outDir: '.bench-node',
    emptyOutDir: true,
    target: 'node20',
    // chunks stay separate: the bench's sections are imported after the WebGPU globals are set
    rollupOptions: {
      external: ['webgpu'], // Dawn for Node: loaded at run time, from the package or WEBGPU_NODE
      output: {
        format: 'es',
        entryFileNames: 'bench.mjs',
        chunkFileNames: '[name].mjs',
        // some of TF.js's CommonJS calls require(), which an ES module does not have
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    },
  },
});
const run = spawnSync(process.execPath, ['.bench-node/bench.mjs', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
