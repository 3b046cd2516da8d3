// Every document the code and the docs point to is in the repository: a `docs/X.md` path names a
// file of docs/, a `DESIGN.md §N` or `RESEARCH.md §N` names a section that doc has, a section sign in
// code says which document it is in (or follows one that does, as in `DESIGN.md §2, §5`), and
// nothing cites a document kept outside the repository, an issue number or a person.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function walk(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`],
  );
}

const code = ['src', 'scripts', 'e2e']
  .flatMap(walk)
  .filter((f) => /\.(ts|tsx|mjs|js|wgsl|html|css)$/.test(f))
  .concat(['eslint.config.js', 'vite.config.ts', 'vitest.config.ts', 'playwright.config.ts']);
const docs = ['README.md', ...walk('docs').filter((f) => f.endsWith('.md'))];

/** The numbers of a document's `## N.` sections. */
const sections = (doc: string) => new Set([...read(doc).matchAll(/^## (\d+)\./gm)].map((m) => m[1]));

/** Each match of `re` in the files, with where it is. */
function find(files: string[], re: RegExp): { where: string; match: RegExpMatchArray }[] {
  return files.flatMap((file) =>
    read(file)
      .split('\n')
      .flatMap((line, i) => [...line.matchAll(re)].map((match) => ({ where: `${file}:${i + 1}`, match }))),
  );
}

describe('references', () => {
  test('the numbered docs have their sections (DESIGN.md 1-10, RESEARCH.md 0-5)', () => {
    expect([...sections('docs/DESIGN.md')]).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect([...sections('docs/RESEARCH.md')]).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  test('every docs/X.md named in code or docs exists', () => {
    const hits = find([...code, ...docs], /\bdocs\/([\w-]+\.md)\b/g);
    expect(hits.length).toBeGreaterThan(50);
    for (const { where, match } of hits) expect(existsSync(join(root, 'docs', match[1])), where).toBe(true);
  });

  test('every file path the docs name under src/, scripts/, e2e/ or docs/ exists', () => {
    const hits = find(docs, /\b(?:src|scripts|e2e|docs)\/[\w./-]*\w/g).filter(({ match }) => !/[*<]/.test(match[0]));
    expect(hits.length).toBeGreaterThan(100);
    for (const { where, match } of hits) expect(existsSync(join(root, match[0])), `${where}: ${match[0]}`).toBe(true);
  });

  test('every DESIGN.md §N and RESEARCH.md §N names a section of that doc', () => {
    const cited = { DESIGN: sections('docs/DESIGN.md'), RESEARCH: sections('docs/RESEARCH.md') };
    const hits = find([...code, ...docs], /\b(DESIGN|RESEARCH)\.md ?§ ?(\d+)/g);
    expect(hits.length).toBeGreaterThan(50);
    for (const { where, match } of hits) {
      expect(cited[match[1] as 'DESIGN' | 'RESEARCH'].has(match[2]), `${where}: ${match[0]}`).toBe(true);
    }
  });

  test('a section sign in code always says which document it is in', () => {
    const bare = find(code, /(?<!\.md ?|§\d+(, | and ))§ ?\d+/g).map(({ where, match }) => `${where}: ${match[0]}`);
    expect(bare).toEqual([]);
  });

  test('nothing cites a document outside the repository, an issue number or a person', () => {
    const outside = /PAPERS\.md|UI-CONTRACT|STYLE\.md|\.\.\/shared\b|\bissue #?\d+|\bthe lead\b/gi;
    const hits = find([...code, ...docs], outside).map(({ where, match }) => `${where}: ${match[0]}`);
    expect(hits).toEqual([]);
  });
});
