import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type AccessLogEntry, readLogTail } from './access-log.ts';
import { type CliIo, COMMON_OPTIONS, configOf } from './cli-io.ts';

const OPTIONS = {
  ...COMMON_OPTIONS,
  lines: { type: 'string', short: 'n' },
  user: { type: 'string' },
  event: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
} as const;

/**
 * `log tail [-n N] [--user U] [--event E] [--follow]`: the last entries of the access log as
 * JSON lines; with `--follow`, keeps printing new ones until interrupted.
 *
 * @example
 * ```ts
 * await logCommand(['tail', '-n', '50', '--event', 'login-failed'], io);
 * ```
 */
export async function logCommand(args: string[], io: CliIo, signal?: AbortSignal): Promise<void> {
  const { values: v, positionals } = parseArgs({
    args,
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (positionals[0] !== 'tail')
    throw new Error('usage: kluis-server log tail [-n N] [--user U] [--event E] [-f]');
  const file = configOf(v, io.env).accessLog;
  const keep = (e: AccessLogEntry) => (!v.user || e.user === v.user) && (!v.event || e.event === v.event);
  if (!existsSync(file)) throw new Error(`no access log at ${file} yet (has the server run?)`);
  for (const e of readLogTail(file, { limit: Number(v.lines ?? 20), keep })) io.out(`${JSON.stringify(e)}\n`);
  if (v.follow) await follow(file, keep, io, signal);
}

async function follow(file: string, keep: (e: AccessLogEntry) => boolean, io: CliIo, signal?: AbortSignal) {
  let offset = statSize(file);
  let carry = '';
  const stop = signal ?? AbortSignal.any([]);
  while (!stop.aborted) {
    await new Promise((r) => setTimeout(r, 500));
    const size = statSize(file);
    if (size < offset) offset = 0; // rotated
    if (size === offset) continue;
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    closeSync(fd);
    offset = size;
    const lines = (carry + buf.toString('utf8')).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const e = JSON.parse(line) as AccessLogEntry;
        if (keep(e)) io.out(`${line}\n`);
      } catch {
        // not a log line: skip
      }
    }
  }
}

function statSize(file: string): number {
  const fd = openSync(file, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}
