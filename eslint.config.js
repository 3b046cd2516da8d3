// Layer rules for src/ (docs/ARCHITECTURE.md): the model and RL core know nothing of the device,
// the page or the command line; the device layer knows only the model; the page and the command line
// sit on top and never import each other. No policy allows `scripts`, so nothing in src/ imports it.
// Type-only and dynamic imports count like any other. The linter checks imports only; types and
// formatting are tsc's and prettier's. Vite's `?raw` shader imports do not resolve to a file, so the
// boundaries plugin cannot place them; a rule of their own keeps shader loading inside src/gpu.
import { defineConfig } from 'eslint/config';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/** @param {string} type */
const layer = (type) => ({ element: { type } });
/** @param {string[]} types */
const layers = (...types) => ({ element: { types: { anyOf: types } } });

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**'] },
  {
    files: ['src/**/*.{ts,tsx,mjs,js}'],
    languageOptions: { parser: tseslint.parser },
    plugins: { boundaries },
    settings: {
      'boundaries/elements': [
        { type: 'models', pattern: 'src/models' },
        { type: 'gpu', pattern: 'src/gpu' },
        { type: 'rl', pattern: 'src/rl' },
        { type: 'ui', pattern: 'src/ui' },
        { type: 'cli', pattern: 'src/cli' },
        { type: 'scripts', pattern: 'scripts' },
      ],
      'boundaries/files': [{ category: 'test', pattern: '**/*.test.ts' }],
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.mjs', '.js'] } },
    },
    rules: {
      // Every file under src/ belongs to a layer, so a new folder cannot sit outside the rules.
      'boundaries/no-unknown-files': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            { from: layer('models'), allow: { to: layer('models') } },
            { from: layer('gpu'), allow: { to: layers('gpu', 'models') } },
            { from: layer('rl'), allow: { to: layers('rl', 'models') } },
            { from: layer('cli'), allow: { to: layers('cli', 'models', 'rl', 'gpu') } },
            { from: layer('ui'), allow: { to: layers('ui', 'models', 'rl', 'gpu') } },
            // A kernel test checks the device against the RL formula it must reproduce.
            { from: { ...layer('gpu'), file: { categories: 'test' } }, allow: { to: layer('rl') } },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.{ts,tsx,mjs,js}'],
    ignores: ['src/gpu/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '\\.wgsl(\\?|$)', message: 'Only src/gpu loads shaders (src/gpu/wgsl.ts).' }] },
      ],
    },
  },
);
