import { UsageError } from './errors';

/**
 * One command-line option: what `parseArgs` needs to read it, and what `--help` says about it.
 * The same object drives both, so a flag can never be parsed without being documented.
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in help (`--target DIR`); string options only. */
  arg?: string;
  /** One sentence: what the option does. */
  help: string;
}

export type Options = Readonly<Record<string, OptionSpec>>;

/** Help lines are wrapped to this width, so every help fits an 80-column terminal. */
const WIDTH = 80;

/** The option lines of a help text: `  -t, --target DIR   sentence`, wrapped under its column. */
export function optionLines(options: Options): string[] {
  const heads = Object.entries(options).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;
    return `  ${o.short ? `-${o.short}, ` : '    '}${flag}`;
  });
  const column = Math.min(32, Math.max(...heads.map((h) => h.length)) + 2);
  const lines: string[] = [];
  Object.values(options).forEach((o, i) => {
    const head = heads[i]!;
    const text = o.multiple ? `${o.help} (repeatable)` : o.help;
    const wrapped = wrap(text, WIDTH - column);
    if (head.length + 2 > column) lines.push(head, ...wrapped.map((w) => ' '.repeat(column) + w));
    else lines.push(head.padEnd(column) + wrapped[0], ...wrapped.slice(1).map((w) => ' '.repeat(column) + w));
  });
  return lines;
}

/** Splits `text` into lines of at most `width` characters at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The candidate closest to `word` by edit distance, if close enough to be a likely typo. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = c.startsWith(word) || word.startsWith(c) ? 1 : distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Turns an error of `node:util`'s `parseArgs` into a one-line {@link UsageError} that names the
 * flag, suggests the nearest known one, and points at the command's help; other errors pass through.
 */
export function parseErrorToUsage(e: unknown, command: string, options: Options): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (!(e instanceof TypeError) || typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) return e;
  const flag = /'(-[^' ]*)/.exec(e.message)?.[1] ?? '';
  const help = `kluis ${command} --help lists its options`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const long = flag.replace(/^-+/, '').replace(/=.*/, '');
    const guess = flag.startsWith('--')
      ? nearest(long, Object.keys(options))
      : Object.entries(options).find(([, o]) => o.short === long.toLowerCase())?.[0];
    return new UsageError(
      `unknown option ${flag} for ${command}${guess ? ` (did you mean --${guess}?)` : ''}; ${help}`,
    );
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = /--([\w-]+)/.exec(e.message)?.[1] ?? '';
    const spec = options[name];
    return new UsageError(
      spec?.type === 'boolean'
        ? `--${name} takes no value; ${help}`
        : `--${name} needs a value (${spec?.arg ?? 'VALUE'}); ${help}`,
    );
  }
  return new UsageError(`${e.message.split('\n')[0]}; ${help}`);
}
