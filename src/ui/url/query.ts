// The run config in the page's query string, so a link opens the same setup (docs/DESIGN.md §7), like
// TensorFlow Playground's state.ts: only fields that differ from the defaults, each under its
// RunConfig name (`?task=sort&lr=0.003`), the reward shape as `reward=correctness,length-linear*0.5(target:12)`,
// `hide=lr,reward` naming controls to hide for teaching. Reading never throws: a bad value falls
// back to its default with a warning. Custom reward code in a link is returned as pending, never
// put in the config, so nothing runs before the person has seen it.

import { parseRunConfig, REWARD_COMPONENTS, RunConfigSchema, type RewardTerm, type RunConfig } from '../../rl/config';

export const HIDE_PARAM = 'hide';
/** The training backend (auto, cpu, webgpu): a setting of the page, not of the run. */
export const BACKEND_PARAM = 'backend';
/** The run group's seed count: a page setting beside the config (src/ui/store/groupsSlice.ts). */
export const SEEDS_PARAM = 'seeds';

/** Settings of the page that travel in the link beside the run config. */
export interface PageSettings {
  backend?: string; // 'auto' (the default) is left out of the link
  seeds?: number; // 1 (the default) is left out of the link
}

/** Reward code a link carried, waiting for the person to read it and accept it. */
export interface PendingCode {
  code: string;
  /** The link's whole reward shape (with its `user-code` terms), or null when the link kept the default. */
  reward: RewardTerm[] | null;
}

export interface UrlConfig {
  config: RunConfig;
  warnings: string[];
  pendingCode: PendingCode | null;
}

type Key = keyof RunConfig;

const DEFAULTS: RunConfig = parseRunConfig({});
const KEYS = Object.keys(DEFAULTS) as Key[];

// ---- reward terms: `component[*weight][(name:value;name:value)]`, comma separated ----

function formatTerm(t: RewardTerm): string {
  const params = Object.entries(t.params)
    .map(([k, v]) => `${k}:${v}`)
    .join(';');
  return `${t.component}${t.weight === 1 ? '' : `*${t.weight}`}${params ? `(${params})` : ''}`;
}

export function formatReward(terms: readonly RewardTerm[]): string {
  return terms.map(formatTerm).join(',');
}

const TERM_RE = /^([a-z-]+)(?:\*([^(]+))?(?:\((.*)\))?$/;

/** Throws with the offending term named. */
export function parseReward(text: string): RewardTerm[] {
  return text.split(',').map((raw) => {
    const m = TERM_RE.exec(raw.trim());
    if (!m) throw new Error(`cannot read reward term "${raw}"`);
    const [, component, w, p] = m;
    if (!(REWARD_COMPONENTS as readonly string[]).includes(component)) {
      throw new Error(`unknown reward component "${component}"`);
    }
    const weight = w === undefined ? 1 : Number(w);
    if (!Number.isFinite(weight)) throw new Error(`reward term "${raw}" has weight "${w}", not a number`);
    const params: Record<string, number> = {};
    for (const kv of p ? p.split(';') : []) {
      const [k, v, ...rest] = kv.split(':');
      const x = Number(v);
      if (!k || v === undefined || v.trim() === '' || rest.length || !Number.isFinite(x)) {
        throw new Error(`reward term "${raw}" has parameter "${kv}", not name:number`);
      }
      params[k] = x;
    }
    return { component: component as RewardTerm['component'], weight, params };
  });
}

// ---- one field ⇄ one string ----

function formatValue(key: Key, v: RunConfig[Key]): string {
  if (key === 'reward') return formatReward(v as RewardTerm[]);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (v === null) return 'none';
  return String(v);
}

function parseValue(key: Key, s: string): unknown {
  const d = DEFAULTS[key];
  if (key === 'reward') return parseReward(s);
  if (key === 'dualClip') return s === 'none' || s === '' ? null : toNumber(s);
  if (typeof d === 'boolean') {
    if (s === '1' || s === 'true') return true;
    if (s === '0' || s === 'false') return false;
    throw new Error(`"${s}" is not 1/0`);
  }
  if (typeof d === 'number') return toNumber(s);
  return s;
}

function toNumber(s: string): number {
  const x = Number(s);
  if (s.trim() === '' || !Number.isFinite(x)) throw new Error(`"${s}" is not a number`);
  return x;
}

// Characters the query may carry raw (RFC 3986 allows them in a query); keeps reward terms readable.
const enc = (s: string) =>
  encodeURIComponent(s)
    .replace(/%(2C|3A|3B|2F|40)/g, (m) => decodeURIComponent(m))
    .replace(/%20/g, '+');

/** `key=value&…` (no leading `?`) for the fields that differ from the defaults, then `seeds=`, `hide=` and `backend=`. */
export function configToQuery(config: RunConfig, hide: readonly string[] = [], page: PageSettings = {}): string {
  const parts: string[] = [];
  for (const k of KEYS) {
    if (JSON.stringify(config[k]) === JSON.stringify(DEFAULTS[k])) continue;
    parts.push(`${k}=${enc(formatValue(k, config[k]))}`);
  }
  if (page.seeds !== undefined && page.seeds !== 1) parts.push(`${SEEDS_PARAM}=${page.seeds}`);
  if (hide.length) parts.push(`${HIDE_PARAM}=${enc(hide.join(','))}`);
  if (page.backend !== undefined && page.backend !== 'auto') parts.push(`${BACKEND_PARAM}=${enc(page.backend)}`);
  return parts.join('&');
}

/** `backend=` of a link, or null when absent or not one of `choices`. */
export function backendParam<C extends string>(url: string | URL, choices: readonly C[]): C | null {
  const v = paramsOf(url).get(BACKEND_PARAM);
  return v !== null && (choices as readonly string[]).includes(v) ? (v as C) : null;
}

/** `base` with its query replaced by the config's (path and hash kept). */
export function configToUrl(
  config: RunConfig,
  base: string,
  hide: readonly string[] = [],
  page: PageSettings = {},
): string {
  const u = new URL(base);
  const q = configToQuery(config, hide, page);
  return `${u.origin}${u.pathname}${q ? `?${q}` : ''}${u.hash}`;
}

const paramsOf = (url: string | URL | URLSearchParams): URLSearchParams =>
  url instanceof URLSearchParams ? url : new URL(String(url), 'http://localhost').searchParams;

/** The control names of `hide=` (comma separated, trimmed, no repeats). */
export function hiddenControls(url: string | URL | URLSearchParams): string[] {
  const names = paramsOf(url)
    .getAll(HIDE_PARAM)
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...new Set(names)];
}

/**
 * The config a link describes. Unknown parameters and values that do not parse or validate (a number
 * outside its range in src/rl/configTable.ts included) are dropped with a warning (the default stays). Custom reward code comes back as `pendingCode`; the
 * returned config has no code and no `user-code` term until the person accepts it.
 */
export function urlToConfig(url: string | URL | URLSearchParams): UrlConfig {
  const warnings: string[] = [];
  const given: Partial<Record<Key, unknown>> = {};
  let params: URLSearchParams;
  try {
    params = paramsOf(url);
  } catch {
    return {
      config: DEFAULTS,
      warnings: [`the link "${String(url)}" is not a URL; using the defaults`],
      pendingCode: null,
    };
  }
  for (const [name, value] of params) {
    if (name === HIDE_PARAM || name === BACKEND_PARAM || name === SEEDS_PARAM) continue;
    if (!(KEYS as string[]).includes(name)) {
      warnings.push(`ignored unknown setting "${name}"`);
      continue;
    }
    const key = name as Key;
    try {
      given[key] = parseValue(key, value);
    } catch (e) {
      warnings.push(`${key}: ${(e as Error).message}; using the default`);
    }
  }

  let pendingCode: PendingCode | null = null;
  const code = typeof given.userRewardCode === 'string' ? given.userRewardCode : '';
  delete given.userRewardCode;
  const reward = given.reward as RewardTerm[] | undefined;
  const userTerms = reward?.filter((t) => t.component === 'user-code') ?? [];
  if (reward && userTerms.length) {
    const rest = reward.filter((t) => t.component !== 'user-code');
    if (rest.length) given.reward = rest;
    else delete given.reward;
  }
  if (code.trim() !== '') pendingCode = { code, reward: reward ?? null };
  else if (userTerms.length) warnings.push('reward: a user-code term came without its code; dropped it');

  // Validate the whole config; drop each field an issue names and try again.
  for (;;) {
    const r = RunConfigSchema.safeParse({ ...DEFAULTS, ...given });
    if (r.success) return { config: r.data, warnings, pendingCode };
    const culprits = new Set(r.error.issues.map((i) => i.path[0] as Key).filter((k) => k in given));
    if (culprits.size === 0) {
      // A rule across fields that a link value breaks against a default (e.g. clipCovLb=10 against
      // the default clipCovUb): drop the first link value whose default clears the rule.
      const msg = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      const issue = r.error.issues[0].path.join('.');
      const fix = (Object.keys(given) as Key[]).find((k) => {
        const rest: Partial<Record<Key, unknown>> = { ...given };
        delete rest[k];
        const again = RunConfigSchema.safeParse({ ...DEFAULTS, ...rest });
        return again.success || !again.error.issues.some((i) => i.path.join('.') === issue);
      });
      if (fix === undefined) {
        warnings.push(`the link's settings do not fit together (${msg}); using the defaults`);
        return { config: DEFAULTS, warnings, pendingCode };
      }
      warnings.push(`${String(fix)}: does not fit the other settings (${msg}); using the default`);
      delete given[fix];
      continue;
    }
    for (const i of r.error.issues) {
      const k = i.path[0] as Key;
      if (culprits.has(k)) warnings.push(`${String(k)}: ${i.message}; using the default`);
    }
    for (const k of culprits) delete given[k];
  }
}

/** The config with the accepted code and the link's reward shape (which may use it). */
export function acceptCode(config: RunConfig, pending: PendingCode): RunConfig {
  return parseRunConfig({ ...config, userRewardCode: pending.code, reward: pending.reward ?? config.reward });
}

/** What the address bar should hold: the config, and a pending code still waiting (so a reload keeps it). */
export function shareableConfig(config: RunConfig, pending: PendingCode | null): RunConfig {
  if (!pending) return config;
  try {
    return acceptCode(config, pending);
  } catch {
    return config; // the link's reward no longer fits (e.g. edited meanwhile): share what is set
  }
}
