import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { KluisError } from '@kluis/core';
import { type AccessLogEntry, readLogTail } from './access-log.ts';
import type { Command } from './cli-admin.ts';
import { type CliIo, configOf } from './cli-io.ts';
import { UsageError, withFileFlags } from './cli-usage.ts';

const EVENTS = ['access', 'denied', 'refused', 'login-failed', 'lockout', 'rejected'];

/**
 * `log tail [-n N] [--user U] [--event E] [--follow]`: the last entries of the access log as
 * JSON lines; with `--follow`, keeps printing new ones until interrupted (or until the reader of
 * standard output goes away).
 */
export const LOG_COMMANDS: Record<string, Command> = {
  tail: {
    spec: {
      name: 'log tail',
      args: '',
      summary: 'Prints the last entries of the access log as JSON lines.',
      positionals: { min: 0, max: 0 },
      flags: withFileFlags({
        lines: { type: 'string', short: 'n', arg: 'N', help: 'how many entries to print (default: 20)' },
        user: { type: 'string', arg: 'NAME', help: 'only entries of this account' },
        event: { type: 'string', arg: 'EVENT', help: `only entries of this event: ${EVENTS.join(', ')}` },
        follow: { type: 'boolean', short: 'f', help: 'keep printing new entries until interrupted' },
      }),
    },
    async run({ values: v }, io) {
      const limit = Number(v.lines ?? 20);
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new UsageError('-n: expected a whole number of entries, e.g. 50', 'log tail');
      if (v.event !== undefined && !EVENTS.includes(v.event as string))
        throw new UsageError(`--event must be one of ${EVENTS.join(', ')}`, 'log tail');
      const file = configOf({ config: v.config as string, data: v.data as string }, io.env).accessLog;
      const keep = (e: AccessLogEntry) => (!v.user || e.user === v.user) && (!v.event || e.event === v.event);
      if (!existsSync(file))
        throw new KluisError('NOT_FOUND', `no access log at ${file} yet (has the server run?)`);
      for (const e of readLogTail(file, { limit, keep })) io.out(`${JSON.stringify(e)}\n`);
      if (v.follow) await follow(file, keep, io, io.outputGone);
    },
  },
};

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
