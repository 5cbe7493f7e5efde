import { parseArgs } from 'node:util';
import { KluisError } from '@kluis/core';
import { backupCommand, backupOptions, init, initOptions } from './commands/backup';
import { configCommand, configOptions } from './commands/config';
import { demo, demoOptions } from './commands/demo';
import { diff, diffOptions } from './commands/diff';
import { dump, dumpOptions } from './commands/dump';
import { find, findOptions } from './commands/find';
import { key, keyOptions } from './commands/keys';
import {
  checkCommand,
  checkOptions,
  forget,
  forgetOptions,
  pruneCommand,
  pruneOptions,
} from './commands/maintenance';
import { restoreCommand, restoreOptions } from './commands/restore';
import { ls, lsOptions, snapshots, snapshotsOptions } from './commands/snapshots';
import { stats, statsOptions } from './commands/stats';
import { tag, tagOptions } from './commands/tag';
import { type Context, createContext, GLOBAL_OPTIONS } from './context';
import type { EarlyKdf } from './early-kdf';
import { EXIT, exitCodeOf, UsageError } from './errors';
import type { Io } from './io';
import { redact } from './repository-url';

type Options = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
interface Command {
  usage: string;
  summary: string;
  options: Options;
  /** How many positional arguments the command takes (`max` omitted: any number). */
  args: { min: number; max?: number; what?: string };
  /** Value of a string option given bare (last, or followed by another option): `--fit-quota`. */
  bare?: Record<string, string>;
  run: (ctx: Context) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  init: {
    usage: 'init [--scrypt-n N]',
    summary: 'create a new encrypted repository',
    args: { min: 0, max: 0 },
    options: initOptions,
    run: init,
  },
  backup: {
    usage:
      'backup PATH... | --files-from F | --stdin [--stdin-filename NAME] | --stdin-from-command [--stdin-filename NAME] -- CMD ARG... [--tag T] [--exclude P] [--exclude-file F] [--one-file-system] [--dry-run] [--host H] [--parent ID] [--force]',
    summary: 'back up files and directories (only changes travel), or standard input',
    args: { min: 0, what: 'at least one PATH' },
    options: backupOptions,
    run: backupCommand,
  },
  snapshots: {
    usage: 'snapshots [--host H] [--tag T]',
    summary: 'list snapshots',
    args: { min: 0, max: 0 },
    options: snapshotsOptions,
    run: snapshots,
  },
  ls: {
    usage: 'ls SNAPSHOT [PATH]',
    summary: 'list the files in a snapshot',
    args: { min: 0, max: 2, what: 'SNAPSHOT and optionally a PATH' },
    options: lsOptions,
    run: ls,
  },
  find: {
    usage: 'find PATTERN... [--snapshot ID] [--host H] [--tag T] [--ignore-case]',
    summary: 'find files by name or path pattern in every snapshot',
    args: { min: 1, what: 'at least one PATTERN' },
    options: findOptions,
    run: find,
  },
  dump: {
    usage: 'dump SNAPSHOT PATH',
    summary: "write a file's bytes, or a directory as tar, to standard output",
    args: { min: 2, max: 2, what: 'a SNAPSHOT and a PATH' },
    options: dumpOptions,
    run: dump,
  },
  restore: {
    usage: 'restore SNAPSHOT|latest --target DIR [--include P] [--verify]',
    summary: 'restore a snapshot into a directory',
    args: { min: 0, max: 1, what: 'one SNAPSHOT' },
    options: restoreOptions,
    run: restoreCommand,
  },
  diff: {
    usage: 'diff SNAPSHOT SNAPSHOT',
    summary: 'show what changed between two snapshots',
    args: { min: 0, max: 2, what: 'two SNAPSHOTs' },
    options: diffOptions,
    run: diff,
  },
  forget: {
    usage:
      'forget ID... | forget [--policy P | --keep-within 7d --keep-last N --keep-daily N ...] [--fit-quota SIZE|account [--protect-days D]] [--dry-run] [--prune [prune options]]',
    summary:
      'remove the snapshots named, or those a retention policy does not keep (with reasons); without flags, the stored policy',
    args: { min: 0 },
    bare: { 'fit-quota': 'account' },
    options: forgetOptions,
    run: forget,
  },
  prune: {
    usage: 'prune [--dry-run] [--grace-hours H] [--max-unused 5%] [--max-repack-size SIZE]',
    summary: 'free space no snapshot uses, repacking partly used packs (two-phase, lock-free)',
    args: { min: 0, max: 0 },
    options: pruneOptions,
    run: pruneCommand,
  },
  tag: {
    usage: 'tag --add T | --remove T | --set T SNAPSHOT...',
    summary: 'add, remove or replace the tags of snapshots',
    args: { min: 1, what: 'at least one SNAPSHOT' },
    options: tagOptions,
    run: tag,
  },
  config: {
    usage: 'config set retention POLICY | config get retention | config unset retention',
    summary: 'the retention policy forget applies without flags, stored for this repository',
    args: { min: 2, max: 3, what: 'set retention POLICY, get retention or unset retention' },
    options: configOptions,
    run: configCommand,
  },
  check: {
    usage: 'check [--read-data]',
    summary: 'verify the repository (and every byte with --read-data)',
    args: { min: 0, max: 0 },
    options: checkOptions,
    run: checkCommand,
  },
  key: {
    usage: 'key list|add|remove ID|passwd [--label L] [--new-password-file F] [--scrypt-n N]',
    summary: 'manage the passwords (key slots) of a repository',
    args: { min: 0, max: 2, what: 'list, add, remove ID or passwd' },
    options: keyOptions,
    run: key,
  },
  stats: {
    usage: 'stats',
    summary: 'sizes, deduplication and compression',
    args: { min: 0, max: 0 },
    options: statsOptions,
    run: stats,
  },
  demo: {
    usage: 'demo [--keep] [--size MiB]',
    summary: 'a real encrypted backup and restore on a local repository',
    args: { min: 0, max: 0 },
    options: demoOptions,
    run: demo,
  },
};

function help(): string {
  const lines = [
    'usage: kluis [--repo R] [--password-file F | --password-command CMD] [-q | -v] [--json] [--debug] COMMAND [options]',
    '',
    'commands:',
  ];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push(
    '',
    'environment: KLUIS_REPOSITORY, KLUIS_PASSWORD, KLUIS_PASSWORD_FILE, AWS_* for s3:, KLUIS_HTTP_USER/KLUIS_HTTP_PASSWORD',
  );
  lines.push('`kluis COMMAND --help` shows the options of a command.');
  return `${lines.join('\n')}\n`;
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
  const name = argv.find((a) => !a.startsWith('-') && COMMANDS[a]) ?? argv.find((a) => !a.startsWith('-'));
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    io[name ? 'stderr' : 'stdout'](
      name ? `kluis: unknown command ${JSON.stringify(name)}\n${help()}` : help(),
    );
    return name ? EXIT.usage : argv.includes('--help') || argv.includes('-h') ? EXIT.ok : EXIT.usage;
  }
  const rest = withBareValues([...argv], command.bare);
  rest.splice(rest.indexOf(name!), 1);
  let debug = rest.includes('--debug');
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    debug = values.debug === true;
    if (values.help) {
      io.stdout(`usage: kluis ${command.usage}\n${command.summary}\n`);
      return EXIT.ok;
    }
    checkArgs(name!, command.args, positionals);
    const ctx = createContext(io, values, positionals, options.early);
    try {
      return await command.run(ctx);
    } finally {
      await ctx.dispose();
    }
  } catch (e) {
    const code = exitCodeOf(e) === EXIT.error && isParseError(e) ? EXIT.usage : exitCodeOf(e);
    const message = e instanceof Error ? e.message : String(e);
    io.stderr(`kluis: ${redact(message)}\n`);
    if (code === EXIT.usage) io.stderr(`usage: kluis ${command.usage}\n`);
    if (debug && e instanceof Error && e.stack) io.stderr(`${redact(e.stack)}\n`);
    else if (!KluisError.is(e) && !(e instanceof UsageError) && code === EXIT.error)
      io.stderr('(run with --debug for details)\n');
    return code;
  }
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

function isParseError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
