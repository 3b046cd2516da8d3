// What every CLI command shares: the Command shape main.ts dispatches to, injectable stdout/stderr,
// and argument parsing (node:util parseArgs) whose every failure is one clear line.

import { parseArgs } from 'node:util';

/** Where a command writes; tests pass collectors, main.ts passes the process streams. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface Command {
  name: string;
  summary: string; // one line, for the top-level --help
  help: string; // the command's --help text
  run(argv: string[], io: CliIO): Promise<void>;
}

/** A bad command line: main.ts prints the message as one line and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;
export type ParsedOptions = Record<string, string | boolean | undefined>;

/** parseArgs, strict, no positionals; adds --help. Returns null when --help was asked (help already printed). */
export function parseOptions(argv: string[], spec: OptionSpec, help: string, io: CliIO): ParsedOptions | null {
  let values: ParsedOptions;
  try {
    values = parseArgs({
      args: argv,
      options: { ...spec, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values as ParsedOptions;
  } catch (e) {
    throw new UsageError(parseErrorLine(e as Error & { code?: string }));
  }
  if (values.help) {
    io.stdout(help.endsWith('\n') ? help : `${help}\n`);
    return null;
  }
  return values;
}

/**
 * As parseOptions, for a command that also takes `count` positional arguments (e.g. two directories):
 * returns them beside the flags, or null when --help was asked.
 */
export function parseOptionsAndPositionals(
  argv: string[],
  spec: OptionSpec,
  count: number,
  help: string,
  io: CliIO,
): { values: ParsedOptions; positionals: string[] } | null {
  let parsed: { values: ParsedOptions; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...spec, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    }) as { values: ParsedOptions; positionals: string[] };
  } catch (e) {
    throw new UsageError(parseErrorLine(e as Error & { code?: string }));
  }
  if (parsed.values.help) {
    io.stdout(help.endsWith('\n') ? help : `${help}\n`);
    return null;
  }
  if (parsed.positionals.length !== count) {
    throw new UsageError(`expected ${count} arguments besides the --flags, got ${parsed.positionals.length}`);
  }
  return parsed;
}

function parseErrorLine(e: Error & { code?: string }): string {
  const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted)} (every argument is a --flag)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = quoted.split(' ')[0];
      return e.message.includes('ambiguous')
        ? `${flag} needs a value (write ${flag}=-X for a value that starts with '-')`
        : `${flag} needs a value`;
    }
    default:
      return e.message.split('\n')[0];
  }
}

export function requireString(values: ParsedOptions, name: string): string {
  const v = values[name];
  if (typeof v !== 'string') throw new UsageError(`missing required --${name}`);
  return v;
}

export function optionalString(values: ParsedOptions, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

interface NumberRule {
  integer?: boolean;
  min?: number; // inclusive
  max?: number; // inclusive
  above?: number; // exclusive lower bound
  below?: number; // exclusive upper bound
}

/** A numeric flag: absent → fallback (or an error when none), non-numeric or out of range → UsageError. */
export function numberOption(values: ParsedOptions, name: string, rule: NumberRule, fallback?: number): number {
  const raw = values[name];
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`missing required --${name}`);
    return fallback;
  }
  const text = String(raw).trim();
  const v = Number(text);
  const kind = rule.integer ? 'an integer' : 'a number';
  if (text === '' || !Number.isFinite(v) || (rule.integer && !Number.isInteger(v))) {
    throw new UsageError(`--${name} must be ${kind}, got ${JSON.stringify(raw)}`);
  }
  const bad =
    (rule.min !== undefined && v < rule.min) ||
    (rule.max !== undefined && v > rule.max) ||
    (rule.above !== undefined && v <= rule.above) ||
    (rule.below !== undefined && v >= rule.below);
  if (bad) {
    const bounds = [
      rule.min !== undefined ? `≥ ${rule.min}` : '',
      rule.above !== undefined ? `> ${rule.above}` : '',
      rule.max !== undefined ? `≤ ${rule.max}` : '',
      rule.below !== undefined ? `< ${rule.below}` : '',
    ].filter(Boolean);
    throw new UsageError(`--${name} must be ${kind} ${bounds.join(' and ')}, got ${raw}`);
  }
  return v;
}
