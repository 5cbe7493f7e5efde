import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, check, initRepository, openRepository, restore } from '../src/index';
import { fsSource, fsTarget, localTransport, nativeCrypto, nodeDeflateRaw } from '../src/node/index';
import { prng } from './helpers/trees';

const child = join(import.meta.dirname, 'fixtures', 'crash-child.ts');
let base: string;
let src: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kluis-crash-'));
  src = join(base, 'src');
  await mkdir(join(src, 'd'), { recursive: true });
  for (let i = 0; i < 6; i++) await writeFile(join(src, 'd', `f${i}.bin`), prng(700_000, i + 1));
  await writeFile(join(src, 'notes.txt'), 'text '.repeat(10_000));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Runs the child until it stops at put `at` (or finishes), then SIGKILLs it. Returns its last line. */
function runChild(repo: string, at: number | 'snapshot', mode: 'before' | 'after'): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--conditions=@kluis/source', '--import', 'tsx', child, repo, src, String(at), mode],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('STOP')) p.kill('SIGKILL');
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(out.trim().split('\n').at(-1) ?? '');
      else reject(new Error(`child failed (${code}): ${err}`));
    });
  });
}

async function freshRepo(name: string): Promise<string> {
  const dir = join(base, name);
  await initRepository(localTransport({ root: dir }), {
    password: 'pw',
    scrypt: { N: 1024, r: 8, p: 1 },
    packSize: 1 << 20,
  });
  return dir;
}

describe('a backup killed with SIGKILL', () => {
  it('leaves a valid repository at every put, and the next backup completes reusing uploaded packs', async () => {
    const total = Number((await runChild(await freshRepo('probe'), 0, 'after')).split(' ')[1]);
    expect(total).toBeGreaterThan(5);
    // The number of index writes depends on upload order, so only puts before the last few are
    // certain to happen; the snapshot's own put is addressed by name.
    const points: [number | 'snapshot', 'before' | 'after'][] = [
      [1, 'after'],
      [3, 'before'],
      [total - 3, 'after'],
      ['snapshot', 'before'],
    ];
    for (const [at, mode] of points) {
      const dir = await freshRepo(`repo-${at}-${mode}`);
      expect(await runChild(dir, at, mode)).toBe('STOP');
      const transport = localTransport({ root: dir });
      const repo = await openRepository(transport, {
        password: 'pw',
        crypto: nativeCrypto,
        codec: nodeDeflateRaw,
      });
      const report = await check(repo, { readData: true });
      expect(report.problems, `check after kill at put ${at} (${mode})`).toEqual([]);
      const uploaded = report.unindexedPacks.length + report.packs;
      const again = await backup(repo, fsSource([src]), { host: 'crash' });
      if (uploaded > 0 && mode === 'after')
        expect(again.snapshot.summary.bytesAdded).toBeLessThan(again.snapshot.summary.bytesRead);
      const out = join(base, `out-${at}-${mode}`);
      await restore(repo, again.id, fsTarget(out), { verify: true });
      expect(await readFile(join(out, 'src', 'd', 'f3.bin'))).toEqual(Buffer.from(prng(700_000, 4)));
      // What the kill left half-written is a temporary file, never an object; cleaning it up
      // leaves the repository as it was.
      await transport.removeStaleTempFiles({ olderThanMs: 0 });
      expect(
        (
          await check(await openRepository(transport, { password: 'pw', crypto: nativeCrypto }), {
            readData: true,
          })
        ).ok,
      ).toBe(true);
    }
  }, 180_000);
});
