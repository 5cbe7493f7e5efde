import { readFile } from 'node:fs/promises';
import { type BackupEvent, backup, initRepository, type Snapshot } from '@kluis/core';
import { nodeRepositoryOptions } from '@kluis/core/node';
import { type Context, defaultHost, defaultUser, scryptFrom } from '../context';
import { EXIT } from '../errors';
import { bytes, seconds, short } from '../format';
import { warnOfMaintenance } from '../maintenance-warning';
import type { Options } from '../options';
import { readPassword } from '../password';
import { ProgressBar } from '../progress';
import { createStorage, redact } from '../repository-url';
import { scanTotals } from '../scan';
import { backupInput, backupInputOptions, type DryRunTally, dryRunTransport } from './backup-input';

const scryptN = {
  type: 'string',
  arg: 'N',
  help: 'scrypt cost for the new key slot, a power of two ≥ 1024 (default: calibrated to about 0.5 s).',
} as const;

export const initOptions = { 'scrypt-n': scryptN } as const satisfies Options;
export { scryptN };

export async function init(ctx: Context): Promise<number> {
  const password = await readPassword(ctx.io, ctx.values['password-file'] as string | undefined, true);
  const transport = await createStorage(ctx.location, ctx.io.env);
  const repo = await initRepository(transport, {
    password,
    // init writes a key slot and the config only: no blobs, so no worker threads.
    ...nodeRepositoryOptions({ threads: 0 }),
    host: defaultHost(),
    username: defaultUser(),
    ...(scryptFrom(ctx.values) ? { scrypt: scryptFrom(ctx.values)! } : {}),
  });
  const location = redact(ctx.location);
  if (ctx.json) ctx.printJson({ id: repo.config.id, location, chunker: repo.config.chunker });
  ctx.print(`created kluis repository ${short(repo.config.id)} at ${location}`);
  ctx.print('Keep the password safe: without it the data cannot be recovered.');
  return EXIT.ok;
}

export const backupOptions = {
  tag: { type: 'string', multiple: true, arg: 'T', help: 'Add this tag to the snapshot.' },
  exclude: {
    type: 'string',
    multiple: true,
    short: 'e',
    arg: 'P',
    help: 'Leave out paths matching this pattern (gitignore syntax).',
  },
  'exclude-file': {
    type: 'string',
    multiple: true,
    arg: 'F',
    help: 'Read exclude patterns from this file, one a line (# starts a comment).',
  },
  host: { type: 'string', arg: 'H', help: 'Record this host name in the snapshot (default: this machine).' },
  parent: {
    type: 'string',
    arg: 'ID',
    help: 'Compare with this snapshot to skip unchanged files (default: the latest).',
  },
  force: { type: 'boolean', help: 'Read every file again instead of trusting the parent snapshot.' },
  ...backupInputOptions,
} as const satisfies Options;

export async function backupCommand(ctx: Context): Promise<number> {
  const exclude = [...((ctx.values.exclude as string[] | undefined) ?? [])];
  for (const f of (ctx.values['exclude-file'] as string[] | undefined) ?? []) {
    exclude.push(...(await readFile(f, 'utf8')).split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#')));
  }
  // Said before anything else: a window running now makes the backup fail at its first request.
  await warnOfMaintenance(ctx);
  // Deriving the key takes a few hundred milliseconds on another thread: list the source meanwhile.
  const input = await backupInput(ctx, exclude);
  const source = input.source;
  const dryRun: DryRunTally | undefined = ctx.values['dry-run'] ? { objects: {}, bytes: {} } : undefined;
  const opening = ctx.openRepo(dryRun ? { wrap: (t) => dryRunTransport(t, dryRun) } : {});
  await input.prefetch?.(opening);
  const repo = await opening;
  const bar = new ProgressBar(ctx.io);
  const scanning = new AbortController();
  if (ctx.io.tty && !ctx.json && input.paths.length > 0)
    void scanTotals(input.paths, exclude, scanning.signal).then((t) => t && bar.setTotals(t.files, t.bytes));
  const warnings: { path: string; message: string }[] = [];
  const onEvent = (e: BackupEvent) => {
    if (e.type === 'warning') warnings.push({ path: e.path, message: e.message });
    if (!ctx.json) bar.backup(e);
    if (e.type === 'file' && ctx.verbose > 0 && !ctx.json && (ctx.verbose > 1 || e.status !== 'unchanged'))
      ctx.io.stdout(`${e.status.padEnd(9)} ${e.path} (${bytes(e.size)})\n`);
  };
  const host = (ctx.values.host as string | undefined) ?? defaultHost();
  const parent =
    ctx.values.force || input.stream ? undefined : ((ctx.values.parent as string | undefined) ?? 'latest');
  const t0 = Date.now();
  const { id, snapshot } = await backup(repo, source, {
    host,
    user: defaultUser(),
    tags: (ctx.values.tag as string[] | undefined) ?? [],
    parent,
    writer: 'kluis-cli',
    onEvent,
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
  }).finally(() => {
    scanning.abort();
    bar.stop();
  });
  const s = snapshot.summary;
  if (dryRun) return dryRunReport(ctx, snapshot, dryRun);
  if (ctx.json) ctx.printJson({ id, ...snapshot, warnings });
  if (!ctx.quiet)
    ctx.print(
      `snapshot ${short(id)} saved: ${summaryLine(snapshot, ctx.values.force === true)} in ${seconds(Date.now() - t0)}`,
    );
  if (s.errors > 0) ctx.print(`${s.errors} entries could not be read and were skipped`);
  return s.errors > 0 ? EXIT.incomplete : EXIT.ok;
}

/** A dry run's report: what the backup found, and what it would have stored. */
function dryRunReport(
  ctx: Context,
  snapshot: { summary: import('@kluis/core').SnapshotSummary },
  tally: DryRunTally,
): number {
  const s = snapshot.summary;
  const stored = Object.values(tally.bytes).reduce((a, b) => a + b, 0);
  if (ctx.json) ctx.printJson({ dryRun: true, summary: s, wouldStore: tally });
  else if (!ctx.quiet)
    ctx.print(
      `dry run: ${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnchanged} unchanged files; ${bytes(s.bytesRead)} read; ` +
        `would add ${bytes(s.bytesAdded)} (${bytes(stored)} in ${tally.objects.data ?? 0} packs and ${(tally.objects.index ?? 0) + (tally.objects.snapshots ?? 0)} other files); nothing was written`,
    );
  return s.errors > 0 ? EXIT.incomplete : EXIT.ok;
}

/**
 * What a backup did, keeping files and data apart: files are new, changed or unchanged against the
 * parent snapshot (with no parent, as after `--force`, every file is read); data is new only if the
 * repository did not hold it already, so a forced backup of unchanged files reads much and adds nothing.
 */
export function summaryLine(snapshot: Snapshot, force: boolean): string {
  const s = snapshot.summary;
  const files = s.filesNew + s.filesChanged + s.filesUnchanged;
  const against = snapshot.parent
    ? `${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnchanged} unchanged since ${short(snapshot.parent)}`
    : `all read (${force ? '--force: no parent compared' : 'no earlier snapshot of these paths'})`;
  const known = s.bytesRead - s.bytesAdded;
  return (
    `${files} file${files === 1 ? '' : 's'}, ${against}; ${bytes(s.bytesRead)} read, ${bytes(s.bytesAdded)} new data` +
    `${known > 0 ? ` (${bytes(known)} already in the repository)` : ''}, ${bytes(s.bytesStored)} stored`
  );
}
