import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Context } from './context';
import type { EarlyKdf } from './early-kdf';
import { EXIT, exitCodeOf, hintFor, isKluisError, UsageError } from './errors';
import { GLOBAL_OPTIONS } from './global-options';
import type { Io } from './io';
import { nearest, type Options, optionLines, parseErrorToUsage, wrap } from './options';
import { redact } from './repository-url';

interface Command {
  usage: string;
  summary: string;
  /** How many positional arguments the command takes (`max` omitted: any number). */
  args: { min: number; max?: number; what?: string };
  /** Value of a string option given bare (last, or followed by another option): `--fit-quota`. */
  bare?: Record<string, string>;
  /**
   * The command's options and code, imported when the command runs (or shows its help): `kluis
   * --help`, `--version` and every other command load none of it, nor what it imports (the
   * storage SDKs, the retention library, worker threads). Start-up is measured in
   * docs/benchmarks.md and tested in test/startup.test.ts.
   */
  load: () => Promise<{ options: Options; run: (ctx: Context) => Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  init: {
    usage: 'init [options]',
    summary: 'create a new encrypted repository',
    args: { min: 0, max: 0 },
    load: () => import('./commands/backup').then((m) => ({ options: m.initOptions, run: m.init })),
  },
  backup: {
    usage: 'backup PATH... | --files-from F | --stdin | --stdin-from-command -- CMD ARG... [options]',
    summary: 'back up files and directories (only changes travel), or standard input',
    args: { min: 0, what: 'at least one PATH' },
    load: () => import('./commands/backup').then((m) => ({ options: m.backupOptions, run: m.backupCommand })),
  },
  snapshots: {
    usage: 'snapshots [options]',
    summary: 'list snapshots',
    args: { min: 0, max: 0 },
    load: () =>
      import('./commands/snapshots').then((m) => ({ options: m.snapshotsOptions, run: m.snapshots })),
  },
  ls: {
    usage: 'ls SNAPSHOT [PATH]',
    summary: 'list the files in a snapshot',
    args: { min: 0, max: 2, what: 'SNAPSHOT and optionally a PATH' },
    load: () => import('./commands/snapshots').then((m) => ({ options: m.lsOptions, run: m.ls })),
  },
  find: {
    usage: 'find PATTERN... [--snapshot ID] [--host H] [--tag T] [--ignore-case]',
    summary: 'find files by name or path pattern in every snapshot',
    args: { min: 1, what: 'at least one PATTERN' },
    load: () => import('./commands/find').then((m) => ({ options: m.findOptions, run: m.find })),
  },
  dump: {
    usage: 'dump SNAPSHOT PATH',
    summary: "write a file's bytes, or a directory as tar, to standard output",
    args: { min: 2, max: 2, what: 'a SNAPSHOT and a PATH' },
    load: () => import('./commands/dump').then((m) => ({ options: m.dumpOptions, run: m.dump })),
  },
  restore: {
    usage: 'restore SNAPSHOT|latest --target DIR [options]',
    summary: 'restore a snapshot into a directory',
    args: { min: 0, max: 1, what: 'one SNAPSHOT' },
    load: () =>
      import('./commands/restore').then((m) => ({ options: m.restoreOptions, run: m.restoreCommand })),
  },
  diff: {
    usage: 'diff SNAPSHOT SNAPSHOT',
    summary: 'show what changed between two snapshots',
    args: { min: 0, max: 2, what: 'two SNAPSHOTs' },
    load: () => import('./commands/diff').then((m) => ({ options: m.diffOptions, run: m.diff })),
  },
  forget: {
    usage: 'forget ID... [options] | forget [--policy P | --keep-… N ...] [options]',
    summary:
      'remove the snapshots named, or those a retention policy does not keep (with reasons); without flags, the stored policy',
    args: { min: 0 },
    bare: { 'fit-quota': 'account' },
    load: () => import('./commands/maintenance').then((m) => ({ options: m.forgetOptions, run: m.forget })),
  },
  prune: {
    usage: 'prune [options]',
    summary: 'free space no snapshot uses, repacking partly used packs (two-phase, lock-free)',
    args: { min: 0, max: 0 },
    load: () =>
      import('./commands/maintenance').then((m) => ({ options: m.pruneOptions, run: m.pruneCommand })),
  },
  tag: {
    usage: 'tag --add T | --remove T | --set T SNAPSHOT...',
    summary: 'add, remove or replace the tags of snapshots',
    args: { min: 1, what: 'at least one SNAPSHOT' },
    load: () => import('./commands/tag').then((m) => ({ options: m.tagOptions, run: m.tag })),
  },
  config: {
    usage: 'config set retention POLICY | config get retention | config unset retention',
    summary: 'the retention policy forget applies without flags, stored for this repository',
    args: { min: 2, max: 3, what: 'set retention POLICY, get retention or unset retention' },
    load: () => import('./commands/config').then((m) => ({ options: m.configOptions, run: m.configCommand })),
  },
  check: {
    usage: 'check [options]',
    summary: 'verify the repository (and every byte with --read-data)',
    args: { min: 0, max: 0 },
    load: () =>
      import('./commands/maintenance').then((m) => ({ options: m.checkOptions, run: m.checkCommand })),
  },
  key: {
    usage: 'key list|add|remove ID|passwd [options]',
    summary: 'manage the passwords (key slots) of a repository',
    args: { min: 0, max: 2, what: 'list, add, remove ID or passwd' },
    load: () => import('./commands/keys').then((m) => ({ options: m.keyOptions, run: m.key })),
  },
  stats: {
    usage: 'stats',
    summary: 'sizes, deduplication and compression',
    args: { min: 0, max: 0 },
    load: () => import('./commands/stats').then((m) => ({ options: m.statsOptions, run: m.stats })),
  },
  demo: {
    usage: 'demo [options]',
    summary: 'a real encrypted backup and restore on a local repository',
    args: { min: 0, max: 0 },
    load: () => import('./commands/demo').then((m) => ({ options: m.demoOptions, run: m.demo })),
  },
};

function help(): string {
  const lines = [
    'usage: kluis [options] COMMAND [command options]',
    '       kluis --version',
    '',
    'commands:',
  ];
  for (const [name, c] of Object.entries(COMMANDS)) {
    const [first, ...more] = wrap(c.summary, 80 - 13);
    lines.push(`  ${name.padEnd(10)} ${first}`, ...more.map((m) => `${' '.repeat(13)}${m}`));
  }
  lines.push('', 'options:', ...optionLines(GLOBAL_OPTIONS));
  lines.push(
    '',
    'environment: KLUIS_REPOSITORY, KLUIS_PASSWORD, KLUIS_PASSWORD_FILE,',
    '  KLUIS_HTTP_USER/KLUIS_HTTP_PASSWORD, AWS_* for s3:',
  );
  lines.push('`kluis COMMAND --help` shows the options of a command.');
  return `${lines.join('\n')}\n`;
}

/** `kluis COMMAND --help`: the synopsis, the summary, then every option with its sentence. */
export async function commandHelp(name: string): Promise<string> {
  const command = COMMANDS[name]!;
  const { options } = await command.load();
  const own = Object.keys(options).length ? ['', 'options:', ...optionLines(options)] : [];
  return `${[
    ...wrap(`usage: kluis ${command.usage}`, 80),
    ...wrap(command.summary, 80),
    ...own,
    '',
    'global options:',
    ...optionLines(GLOBAL_OPTIONS),
  ].join('\n')}\n`;
}

/** Every option `name` takes, its own and the global ones. */
export async function optionsOf(name: string): Promise<Options> {
  return { ...GLOBAL_OPTIONS, ...(await COMMANDS[name]!.load()).options };
}

/** The names of the commands, in the order help lists them. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/** `kluis --version`: this command line's version and the Node.js running it. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `kluis ${pkg.version} (Node.js ${process.versions.node})\n`;
}

/** What the entry point prepared before the CLI loaded. */
export interface MainOptions {
  /** A key derivation started early (see `startKdfEarly`). */
  early?: EarlyKdf | undefined;
}

/**
 * Runs the CLI with `argv` (without the node and script names) and returns the exit code.
 * Errors become one line on stderr (`kluis: …`), with the stack only under `--debug`.
 */
export async function main(argv: string[], io: Io, options: MainOptions = {}): Promise<number> {
  const words = argv.filter((a, i) => !a.startsWith('-') && !takesValue(argv[i - 1]));
  const name = words.find((a) => Object.hasOwn(COMMANDS, a)) ?? words[0];
  const command = name && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command && (argv.includes('--version') || argv.includes('-V'))) {
    io.stdout(version());
    return EXIT.ok;
  }
  if (!command && name) {
    const guess = nearest(name, COMMAND_NAMES);
    io.stderr(
      `kluis: unknown command ${JSON.stringify(name)}${guess ? ` (did you mean ${guess}?)` : ''}; kluis --help lists the commands\n`,
    );
    return EXIT.usage;
  }
  const flag = argv.find(
    (a) =>
      a.startsWith('-') &&
      !(a.replace(/=.*/, '').replace(/^-+/, '') in GLOBAL_OPTIONS) &&
      a !== '-r' &&
      a !== '-h',
  );
  if (!command && flag) {
    const guess = nearest(flag.replace(/^-+/, '').replace(/=.*/, ''), [
      'version',
      ...Object.keys(GLOBAL_OPTIONS),
    ]);
    io.stderr(
      `kluis: unknown option ${flag}${guess ? ` (did you mean --${guess}?)` : ''}; kluis --help lists the commands\n`,
    );
    return EXIT.usage;
  }
  if (!command) {
    io.stdout(help());
    return argv.includes('--help') || argv.includes('-h') ? EXIT.ok : EXIT.usage;
  }
  const rest = withBareValues([...argv], command.bare);
  rest.splice(rest.indexOf(name!), 1);
  // Only before `--`: what follows belongs to another command (backup --stdin-from-command -- pg_dump -h …).
  const own = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  let debug = own.includes('--debug');
  try {
    const loaded = await command.load();
    const spec = { ...GLOBAL_OPTIONS, ...loaded.options };
    if (own.includes('--help') || own.includes('-h')) {
      io.stdout(await commandHelp(name!));
      return EXIT.ok;
    }
    const { values, positionals } = (() => {
      try {
        return parseArgs({ args: rest, options: spec, allowPositionals: true, strict: true });
      } catch (e) {
        throw parseErrorToUsage(e, name!, spec);
      }
    })();
    debug = values.debug === true;
    checkArgs(name!, command.args, positionals);
    const { createContext } = await import('./context');
    const ctx = createContext(io, values, positionals, options.early);
    try {
      return await loaded.run(ctx);
    } finally {
      await ctx.dispose();
    }
  } catch (e) {
    const code = exitCodeOf(e);
    const message = e instanceof Error ? e.message : String(e);
    const hint =
      code === EXIT.usage && !message.includes('--help')
        ? ` (kluis ${name} --help shows its usage)`
        : hintFor(e, name!);
    io.stderr(`kluis: ${redact(message)}${hint}\n`);
    if (debug && e instanceof Error && e.stack) io.stderr(`${redact(e.stack)}\n`);
    else if (!isKluisError(e) && !(e instanceof UsageError) && code === EXIT.error)
      io.stderr('(run with --debug for details)\n');
    return code;
  }
}

/** Whether `arg` is a global option that takes the next word as its value (`-r DIR`). */
function takesValue(arg: string | undefined): boolean {
  if (arg === undefined || arg.includes('=')) return false;
  const spec = Object.entries(GLOBAL_OPTIONS).find(
    ([long, o]) => arg === `--${long}` || ('short' in o && arg === `-${o.short}`),
  );
  return spec?.[1].type === 'string';
}

/** Every command rejects positionals it does not take (a stray word is a mistake, never ignored). */
function checkArgs(name: string, args: Command['args'], positionals: string[]): void {
  const n = positionals.length;
  if (args.max !== undefined && n > args.max) {
    const extra = positionals
      .slice(args.max)
      .map((p) => JSON.stringify(p))
      .join(' ');
    throw new UsageError(
      args.max === 0
        ? `${name} takes no arguments, got ${extra}`
        : `${name} takes ${args.what}; unexpected ${extra}`,
    );
  }
  if (n < args.min) throw new UsageError(`${name} needs ${args.what}`);
}

/** `--opt` given last or followed by another option becomes `--opt=<bare value>`. */
function withBareValues(argv: string[], bare: Command['bare']): string[] {
  if (!bare) return argv;
  return argv.map((a, i) => {
    const value = a.startsWith('--') ? bare[a.slice(2)] : undefined;
    const next = argv[i + 1];
    return value !== undefined && (next === undefined || next.startsWith('-')) ? `${a}=${value}` : a;
  });
}
