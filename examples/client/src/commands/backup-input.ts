// What a backup reads (paths, --files-from, --stdin) and how (--one-file-system, --dry-run).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { type BackupSource, streamSource, type Transport } from '@kluis/core';
import { isSafeName } from '@kluis/core/format';
import { fsSource } from '@kluis/core/node';
import type { Context } from '../context';
import { UsageError } from '../errors';
import type { Options } from '../options';

export const backupInputOptions = {
  'files-from': {
    type: 'string',
    multiple: true,
    arg: 'F',
    help: 'Back up the paths listed in this file, one a line (# starts a comment; - reads standard input).',
  },
  'one-file-system': {
    type: 'boolean',
    short: 'x',
    help: 'Stay on the file system of each path: a mount point of another is recorded empty.',
  },
  stdin: { type: 'boolean', help: 'Back up standard input as one file (a database dump, say).' },
  'stdin-from-command': {
    type: 'boolean',
    help: 'Run the command after -- and back up its output; a command that fails fails the backup.',
  },
  'stdin-filename': {
    type: 'string',
    arg: 'NAME',
    help: 'The file name standard input is stored under (default: stdin).',
  },
  'dry-run': {
    type: 'boolean',
    short: 'n',
    help: 'Do the whole backup but store nothing; report what would have been stored.',
  },
} as const satisfies Options;

/** The source of a backup, and whether it compares with a parent (a stream has none). */
export interface BackupInput {
  source: BackupSource;
  /** Lists directories while the key is derived (file-system sources). */
  prefetch?: (until: Promise<unknown>) => Promise<void>;
  stream: boolean;
  /** The file-system paths backed up (none for a stream): what the progress bar's scan sizes. */
  paths: readonly string[];
}

export async function backupInput(ctx: Context, exclude: string[]): Promise<BackupInput> {
  const v = ctx.values;
  const fromCommand = v['stdin-from-command'] === true;
  if (v.stdin === true || fromCommand) {
    if (v.stdin === true && fromCommand)
      throw new UsageError('give --stdin or --stdin-from-command, not both');
    if ((!fromCommand && ctx.positionals.length > 0) || v['files-from'] !== undefined)
      throw new UsageError('backup --stdin takes no PATH and no --files-from');
    if (fromCommand && ctx.positionals.length === 0)
      throw new UsageError('backup --stdin-from-command needs the command after --, e.g. -- pg_dump shop');
    const name = (v['stdin-filename'] as string | undefined) ?? 'stdin';
    if (!isSafeName(name))
      throw new UsageError(`--stdin-filename needs a file name without "/", got ${JSON.stringify(name)}`);
    const input = fromCommand ? commandOutput(ctx.positionals) : ctx.io.stdin;
    if (!input) throw new UsageError('backup --stdin needs a standard input');
    return { source: streamSource(name, input, { mode: 0o600 }), stream: true, paths: [] };
  }
  if (v['stdin-filename'] !== undefined)
    throw new UsageError('--stdin-filename goes with --stdin or --stdin-from-command');
  const paths = [...ctx.positionals];
  for (const f of (v['files-from'] as string[] | undefined) ?? []) paths.push(...(await pathsFrom(f)));
  if (paths.length === 0)
    throw new UsageError(
      v['files-from']
        ? 'the --files-from list names no path'
        : 'backup needs at least one PATH (or --files-from F, or --stdin)',
    );
  const source = fsSource(paths, { exclude, oneFileSystem: v['one-file-system'] === true });
  return { source, prefetch: (until) => source.prefetch(until), stream: false, paths };
}

/**
 * The standard output of a command run without a shell (restic's `--stdin-from-command`). Unlike
 * a pipe, a command that fails — exits non-zero or is killed — fails the backup: no snapshot of a
 * dump cut short.
 */
async function* commandOutput(argv: string[]): AsyncGenerator<Uint8Array> {
  const [cmd, ...args] = argv as [string, ...string[]];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exit = new Promise<string | undefined>((resolve) => {
    child.on('error', (e) => resolve(e.message));
    child.on('close', (code, signal) =>
      resolve(code === 0 ? undefined : signal ? `killed by ${signal}` : `exit ${code}`),
    );
  });
  try {
    for await (const part of child.stdout) yield part as Uint8Array;
  } finally {
    if (child.exitCode === null) child.kill();
  }
  const failed = await exit;
  if (failed) throw new Error(`command ${JSON.stringify(argv.join(' '))} failed (${failed})`);
}

/** restic's `--files-from`: one path a line; empty lines and lines starting with `#` are skipped. */
async function pathsFrom(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file === '-' ? '/dev/stdin' : file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the --files-from list ${file}: ${(e as Error).message}`);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

/** What a dry run would have stored: objects and bytes by kind (`data`, `index`, `snapshots`). */
export interface DryRunTally {
  objects: Record<string, number>;
  bytes: Record<string, number>;
}

/**
 * Storage as seen by a dry run: reads pass through, writes are counted and dropped, so a backup
 * runs in full (reads, chunks, compresses and encrypts what is new) and leaves the repository as
 * it was.
 */
export function dryRunTransport(inner: Transport, tally: DryRunTally): Transport {
  const count = (key: string, size: number) => {
    const kind = key.split('/')[0]!;
    tally.objects[kind] = (tally.objects[kind] ?? 0) + 1;
    tally.bytes[kind] = (tally.bytes[kind] ?? 0) + size;
  };
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    stat: (key, o) => inner.stat(key, o),
    get: (key, o) => inner.get(key, o),
    list: (prefix, o) => inner.list(prefix, o),
    put: async (key, body) => count(key, body.length),
    delete: async () => {},
  };
}
