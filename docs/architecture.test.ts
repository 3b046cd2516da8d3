// docs/ARCHITECTURE.md's kernel table against the code: every file a row names exists, every function
// or entry point it names is defined there, and every shader, wrapper and kernel test in src/gpu has a
// row. A kernel added, renamed or removed without its row fails here, so the table stays a map a
// reader can trust.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Row {
  line: string; // the row as written, for messages
  cpu: string;
  wrapper: string;
  wgsl: string;
  test: string;
}

/** The rows of the table whose header starts with "CPU reference". */
function kernelTable(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((l) => /^\|\s*CPU reference\s*\|/.test(l));
  if (header < 0) throw new Error('docs/ARCHITECTURE.md has no table headed "CPU reference"');
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1);
    expect(cells.length, line).toBe(4);
    const [cpu, wrapper, wgsl, test] = cells.map((c) => c.trim());
    rows.push({ line, cpu, wrapper, wgsl, test });
  }
  return rows;
}

/** The backticked spans of a cell, in order. */
const spans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
const isFile = (span: string) => /\.(ts|wgsl)$/.test(span);
/** A file span: a repository path, a shader under src/gpu/shaders, or a file in the column's folder. */
const resolve = (span: string, dir: string) =>
  span.startsWith('src/') ? span : span.endsWith('.wgsl') ? `src/gpu/shaders/${span}` : `${dir}/${span}`;

/** Each file span of a cell with the names that follow it (up to the next file). */
function filesWithNames(cell: string, dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string | undefined;
  const names: string[] = [];
  const flush = () => {
    if (current !== undefined) out.set(current, [...(out.get(current) ?? []), ...names.splice(0)]);
  };
  for (const s of spans(cell)) {
    if (isFile(s)) {
      flush();
      current = resolve(s, dir);
    } else names.push(s);
  }
  flush();
  return out;
}

/** `name[_vec4]` stands for `name` and `name_vec4`. */
const expand = (name: string) => {
  const m = /^(\w+)\[(\w+)\]$/.exec(name);
  return m ? [m[1], m[1] + m[2]] : [name];
};

function walk(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`],
  );
}

const rows = kernelTable(read('docs/ARCHITECTURE.md'));
const column = (key: 'wrapper' | 'wgsl' | 'test', dir: string) =>
  rows.map((r) => ({ row: r.line, files: filesWithNames(r[key], dir) }));

describe('docs/ARCHITECTURE.md, one RL step', () => {
  test('every function, method, class or type the walk-through names is in src/', () => {
    const doc = read('docs/ARCHITECTURE.md');
    const section = doc.slice(doc.indexOf('## One RL step'), doc.indexOf('## Kernels'));
    // `Trainer.step({ onPhase, shouldStop })` names step, `deviceRl.update` update; references.test.ts checks paths.
    const names = spans(section)
      .filter((s) => (!s.includes('/') && !s.includes(' ')) || /^[\w.]+\(/.test(s))
      .map((s) => s.split('(')[0].split('.').pop()!)
      .filter((n) => /^[A-Za-z_]\w*$/.test(n));
    expect(names.length).toBeGreaterThan(40);
    const src = walk('src')
      .filter((f) => /\.(ts|tsx|wgsl)$/.test(f))
      .map(read)
      .join('\n');
    for (const name of new Set(names)) expect(new RegExp(`\\b${name}\\b`).test(src), `${name} in src/`).toBe(true);
  });
});

describe('docs/ARCHITECTURE.md kernel table', () => {
  test('has a row per kernel family at least', () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
  });

  test('every CPU reference it names is defined in its file (src/models/cpu/ops.ts unless a path says)', () => {
    for (const { line, cpu } of rows) {
      const paths = spans(cpu).filter(isFile);
      expect(paths.length, line).toBeLessThanOrEqual(1);
      const file = paths[0] ?? 'src/models/cpu/ops.ts';
      expect(existsSync(join(root, file)), `${file} in ${line}`).toBe(true);
      const code = read(file);
      for (const name of spans(cpu).filter((s) => !isFile(s))) {
        expect(code, `${name} in ${file} (${line})`).toMatch(new RegExp(`(function|const|class) ${name}\\b`));
      }
    }
  });

  test('every wrapper file exists and exports the functions it names; WebGpuEngine members exist', () => {
    const engine = read('src/gpu/engine.ts');
    for (const { row, files } of column('wrapper', 'src/gpu/kernels')) {
      for (const [file, names] of files) {
        expect(existsSync(join(root, file)), `${file} in ${row}`).toBe(true);
        const code = read(file);
        for (const name of names) {
          const member = /^WebGpuEngine\.(\w+)/.exec(name);
          if (member) expect(engine, `${name} (${row})`).toMatch(new RegExp(`\\b${member[1]}\\b`));
          else expect(code, `${name} in ${file} (${row})`).toMatch(new RegExp(`export function ${name}\\b`));
        }
      }
    }
  });

  test('every WGSL file exists and defines the entry points and functions it names', () => {
    for (const { row, files } of column('wgsl', 'src/gpu/shaders')) {
      for (const [file, names] of files) {
        expect(existsSync(join(root, file)), `${file} in ${row}`).toBe(true);
        const code = read(file);
        for (const name of names.flatMap(expand)) expect(code, `${name} in ${file}`).toMatch(`fn ${name}(`);
      }
    }
  });

  test('every test it names exists', () => {
    for (const { row, files } of column('test', 'src/gpu/kernels')) {
      for (const file of files.keys()) expect(existsSync(join(root, file)), `${file} in ${row}`).toBe(true);
    }
  });

  test('every shader, entry point, wrapper and kernel test in src/gpu has a row', () => {
    const named = (key: 'wrapper' | 'wgsl' | 'test', dir: string) => {
      const all = new Map<string, string[]>();
      for (const { files } of column(key, dir)) {
        for (const [f, names] of files) all.set(f, [...(all.get(f) ?? []), ...names.flatMap(expand)]);
      }
      return all;
    };
    const shaders = named('wgsl', 'src/gpu/shaders');
    const wrappers = named('wrapper', 'src/gpu/kernels');
    const tests = named('test', 'src/gpu/kernels');
    const gpu = walk('src/gpu');
    for (const file of gpu.filter((f) => f.endsWith('.wgsl'))) {
      expect(shaders.has(file), `${file} has no row`).toBe(true);
      for (const m of read(file).matchAll(/@compute[^\n]*\nfn (\w+)\(/g)) {
        expect(shaders.get(file), `entry point ${m[1]} of ${file} has no row`).toContain(m[1]);
      }
    }
    for (const file of gpu.filter((f) => /^src\/gpu\/kernels\/\w+\.ts$/.test(f))) {
      expect(wrappers.has(file), `${file} has no row`).toBe(true);
    }
    for (const file of gpu.filter((f) => /^src\/gpu\/(kernels|shaders)\/.*\.gpu\.test\.ts$/.test(f))) {
      expect(tests.has(file), `${file} has no row`).toBe(true);
    }
  });
});
