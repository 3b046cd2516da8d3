// The WGSL composer (src/gpu/wgsl.ts): snippets pasted in by name, once each, and every workgroup
// size an `override` the wrapper sets. Text only (Node); the GPU tests compile and run the result.
import { describe, expect, test } from 'vitest';
import { includeSnippets, SHADERS, shaderCode, SNIPPETS, type ShaderName } from './wgsl';

const count = (text: string, what: string) => text.split(what).length - 1;

describe('WGSL composition', () => {
  test('every shader composes with no #include left, and each snippet function defined once', () => {
    for (const name of Object.keys(SHADERS) as ShaderName[]) {
      const code = shaderCode(name);
      expect(code, name).not.toMatch(/^\/\/ #include/m);
      for (const fn of code.matchAll(/^fn (\w+)/gm)) expect(count(code, `fn ${fn[1]}(`), `${name}: ${fn[1]}`).toBe(1);
    }
  });

  test('shared math comes from its snippet: GELU, KL estimators, reductions, RNG, sampling, vec4 sums', () => {
    const expected: [ShaderName, string][] = [
      ['gelu', 'fn gelu_grad('],
      ['rollout', 'fn gelu('],
      ['policy_loss', 'fn kl_estimate('],
      ['covariance', 'fn workgroup_sum2('],
      ['logprob', 'fn workgroup_max('],
      ['gradnorm', 'fn workgroup_sum('],
      ['layernorm', 'fn workgroup_sum2('],
      ['matmul_bias', 'fn workgroup_sum('],
      ['rollout', 'fn uniform_at('],
      ['rollout', 'fn sample_row('],
      ['attention', 'fn hsum('],
      ['layernorm', 'fn hsum('],
    ];
    for (const [name, fn] of expected) {
      expect(SHADERS[name], `${name} does not define ${fn} itself`).not.toContain(fn);
      expect(count(shaderCode(name), fn), `${name} includes ${fn}`).toBe(1);
    }
  });

  test('a snippet asked for twice (directly and through another snippet) is pasted once', () => {
    const snippets = { a: 'fn a() {}', b: '// #include a\nfn b() { a(); }' };
    const code = includeSnippets('// #include b\n// #include a\nfn main() {}', snippets);
    expect(count(code, 'fn a()')).toBe(1);
    expect(count(code, 'fn b()')).toBe(1);
    expect(code.indexOf('fn a()')).toBeLessThan(code.indexOf('fn b()'));
  });

  test('an unknown snippet name is an error that names it', () => {
    expect(() => includeSnippets('// #include nope\n', SNIPPETS)).toThrow(/nope/);
  });

  test('every @workgroup_size names an override without a default, so the TS wrapper sets it', () => {
    for (const name of Object.keys(SHADERS) as ShaderName[]) {
      const code = shaderCode(name);
      const sizes = [...code.matchAll(/@workgroup_size\(([^)]*)\)/g)].flatMap((m) =>
        m[1].split(',').map((s) => s.trim()),
      );
      expect(sizes.length, name).toBeGreaterThan(0);
      for (const size of new Set(sizes)) {
        expect(code, `${name}: ${size}`).toMatch(new RegExp(`^override ${size}: u32;`, 'm'));
      }
    }
  });
});
