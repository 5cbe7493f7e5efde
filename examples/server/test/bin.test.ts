import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'kluis-server.js');

describe('the kluis-server command', () => {
  it('stops following the access log, and fails nothing, when its reader goes away (log tail -f | head)', {
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kluis-server-pipe-'));
    try {
      // ~3,000 entries: far more than a pipe holds, so writing meets the closed pipe.
      const entries = Array.from({ length: 3000 }, (_, i) =>
        JSON.stringify({
          time: new Date(1_800_000_000_000 + i * 1000).toISOString(),
          event: 'access',
          user: `u${i}`,
        }),
      );
      writeFileSync(join(dir, 'access.log'), `${entries.join('\n')}\n`);
      const child = spawn(process.execPath, [bin, 'log', 'tail', '-n', '3000', '-f', '--data', dir]);
      let err = '';
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
      });
      let first = '';
      child.stdout.once('data', (b: Buffer) => {
        first = b.toString();
        child.stdout.destroy(); // the reader is gone, as `head` is after its lines
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(first.startsWith('{"time":')).toBe(true);
      expect(err).toBe('');
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
