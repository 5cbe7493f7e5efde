import { parseArgs } from 'node:util';
import { KluisError } from '@kluis/core';

/** A wrong command line: printed as one line, exit code 2. Nothing has been touched yet. */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The command whose help the message points to (`account add`), or '' for the top level. */
  readonly command: string;
  constructor(message: string, command = '') {
    super(message);
    this.command = command;
  }
}

/** One flag of a command: its `parseArgs` type, and a sentence for the help. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The flag may be repeated; its value is then a list. */
  multiple?: boolean;
  /** Placeholder of the value in the help (`N`, `FILE`). */
  arg?: string;
  help: string;
}

/** One command: `kluis-server <name> <usage>`, with its flags and positional arguments. */
export interface CommandSpec {
  name: string;
  /** Positional arguments as shown in the usage line, e.g. `NAME` or `[ACCOUNT]`. */
  args: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  /** How many positional arguments the command takes. */
  positionals: { min: number; max: number };
}

const FILE_FLAGS: Record<string, FlagSpec> = {
  config: {
    type: 'string',
    short: 'c',
    arg: 'FILE',
    help: 'read the server configuration from this JSON file',
  },
  data: {
    type: 'string',
    short: 'd',
    arg: 'DIR',
    help: 'data directory, used when no --config is given (default: $KLUIS_SERVER_DATA or ./kluis-data)',
  },
  help: { type: 'boolean', short: 'h', help: 'print this help and exit, touching nothing' },
};

const BY_FLAG: Record<string, FlagSpec> = {
  by: {
    type: 'string',
    arg: 'NAME',
    help: 'operator recorded as the author of the change (default: your OS user)',
  },
};

/** Flags every command takes: where the server's files are, and `--help`. */
export function withFileFlags(flags: Record<string, FlagSpec>, admin = false): Record<string, FlagSpec> {
  return { ...flags, ...(admin ? BY_FLAG : {}), ...FILE_FLAGS };
}

/**
 * Wraps `text` to 80 columns after a `prefix` (whose width indents every continuation line).
 */
export function wrap(text: string, prefix = ''): string {
  const indent = ' '.repeat(prefix.length);
  const lines: string[] = [];
  let line = prefix;
  let fresh = true;
  for (const word of text.split(' ').filter(Boolean)) {
    if (!fresh && line.length + 1 + word.length > 80) {
      lines.push(line);
      line = indent + word;
    } else line = fresh ? `${line}${word}` : `${line} ${word}`;
    fresh = false;
  }
  lines.push(line);
  return lines.join('\n');
}

/** The help of one command: usage line, summary and every flag with its sentence (80 columns). */
export function helpOf(spec: CommandSpec): string {
  const rows = Object.entries(spec.flags).map(([name, f]) => {
    const short = f.short ? `-${f.short}, ` : '    ';
    return [`  ${short}--${name}${f.arg ? ` ${f.arg}` : ''}`, f.help] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, help]) => wrap(help, left.padEnd(width)));
  const usage = `usage: kluis-server ${spec.name}${spec.args ? ` ${spec.args}` : ''} [options]`;
  return `${usage}\n\n${wrap(spec.summary)}\n\noptions:\n${lines.join('\n')}\n`;
}

/** Whether the arguments ask for help (before a `--` that ends the options). */
export function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

type Parsed = { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

/**
 * Parses a command's arguments strictly; every mistake becomes a {@link UsageError} with one
 * line of text (never Node's parser text).
 */
export function parseCommand(spec: CommandSpec, args: string[]): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args, options: spec.flags, allowPositionals: true, strict: true }) as Parsed;
  } catch (e) {
    throw new UsageError(parserMessage(e as Error & { code?: string }, spec), spec.name);
  }
  const { min, max } = spec.positionals;
  const n = parsed.positionals.length;
  if (n > max) {
    const stray = parsed.positionals[max];
    throw new UsageError(`unexpected argument ${JSON.stringify(stray)}`, spec.name);
  }
  if (n < min) throw new UsageError(`missing ${spec.args.split(' ')[n] ?? 'argument'}`, spec.name);
  return parsed;
}

function parserMessage(e: Error & { code?: string }, spec: CommandSpec): string {
  const option = /'(?:-\w, )?(--?[\w-]+)/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const guess = nearest(
      option.replace(/^-+/, ''),
      Object.keys(spec.flags).filter((f) => f !== 'help'),
    );
    return `unknown option ${option}${guess ? `: did you mean --${guess}?` : ''}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /does not take/.test(e.message) ? `${option} takes no value` : `${option} needs a value`;
  }
  return e.message.split('\n')[0] ?? 'invalid arguments';
}

/** Runs a value parser, turning its `INVALID_CONFIG` error into a usage error of `command`. */
export function flagValue<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (KluisError.is(e, 'INVALID_CONFIG')) throw new UsageError(e.message, command);
    throw e;
  }
}

/** The candidate closest to `word` by edit distance, when it is close enough to be a typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  const prefix = candidates.find((c) => word.length >= 2 && c.startsWith(word.toLowerCase()));
  if (prefix) return prefix;
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** Edit distance counting a swap of two neighbours as one edit (`tial` is one from `tail`). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}
