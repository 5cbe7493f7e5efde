import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { localTransport } from '../src/node/index';

const id = (c: string) => c.repeat(64);
const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

/** Every temporary file under `root`, relative to it. */
async function temps(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.startsWith('.kluis-tmp-'))
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

/** Starts a child that writes 1 MiB of an object through openWriter, and SIGKILLs it mid-write. */
function killWriter(root: string): Promise<void> {
  const child = join(import.meta.dirname, 'fixtures', 'writer-child.ts');
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--conditions=@kluis/source', '--import', 'tsx', child, root], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('READY')) p.kill('SIGKILL');
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child: ${err}`))));
  });
}

describe('localTransport: temporary files left by killed writers', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kluis-cleanup-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('the first write removes stale temporary files, once, and keeps young ones', async () => {
    await mkdir(join(root, 'data', 'aa'), { recursive: true });
    const stale = ['.kluis-tmp-0000000000000000000000a1', 'data/aa/.kluis-tmp-0000000000000000000000a2'];
    const young = ['.kluis-tmp-0000000000000000000000b1', 'data/aa/.kluis-tmp-0000000000000000000000b2'];
    for (const f of [...stale, ...young]) await writeFile(join(root, f), bytes(1000));
    for (const f of stale) await utimes(join(root, f), hoursAgo(2), hoursAgo(2));
    const t = localTransport({ root });
    // Reads leave them alone: only a writer cleans up.
    expect(await t.stat('config')).toBeUndefined();
    expect((await temps(root)).length).toBe(4);
    await t.put(`data/${id('a')}`, bytes(3));
    expect(await temps(root)).toEqual(young.sort());
    // Once per transport: a leftover aged later is for the next process.
    await utimes(join(root, young[0]!), hoursAgo(2), hoursAgo(2));
    await t.put('config', bytes(1));
    expect(await temps(root)).toEqual(young.sort());
    // A shorter age, per option; Infinity turns the cleanup off.
    await localTransport({ root, staleTempAgeMs: Number.POSITIVE_INFINITY }).put('keys/k', bytes(1));
    expect(await temps(root)).toEqual(young.sort());
    await (await localTransport({ root, staleTempAgeMs: 0 }).openWriter()).abort();
    expect(await temps(root)).toEqual([]);
    expect(() => localTransport({ root, staleTempAgeMs: -1 })).toThrow(RangeError);
  });

  it('never takes the file of a writer in progress, however long it waits between pieces', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const writer = await localTransport({ root }).openWriter();
      await writer.write(bytes(4096, 5));
      const [temp] = await temps(root);
      // The writer has waited two hours for its next piece (its file's time says so).
      await utimes(join(root, temp!), hoursAgo(2), hoursAgo(2));
      vi.advanceTimersByTime(60_000);
      await vi.waitFor(async () => {
        expect((await stat(join(root, temp!))).mtimeMs).toBeGreaterThan(hoursAgo(1).getTime());
      });
      // Another process's cleanup, and another transport's first write, leave it alone.
      expect(await localTransport({ root }).removeStaleTempFiles()).toEqual({ removed: 0, bytes: 0 });
      await localTransport({ root }).put('config', bytes(1));
      await writer.write(bytes(10, 6));
      await writer.commit(`data/${id('c')}`);
      const got = await localTransport({ root }).get(`data/${id('c')}`);
      expect(got).toEqual(new Uint8Array([...bytes(4096, 5), ...bytes(10, 6)]));
      expect(await temps(root)).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('removes what a SIGKILLed writer left, once it is stale, on the next write', async () => {
    await killWriter(root);
    const left = await temps(root);
    expect(left).toHaveLength(1);
    expect((await stat(join(root, left[0]!))).size).toBe(1 << 20);
    // Just killed: as young as a live write, so kept.
    await localTransport({ root }).put('config', bytes(1));
    expect(await temps(root)).toEqual(left);
    // An hour later, the next write removes it; nothing else is touched.
    await utimes(join(root, left[0]!), hoursAgo(1.1), hoursAgo(1.1));
    const t = localTransport({ root });
    await t.put(`index/${id('d')}`, bytes(2));
    expect(await temps(root)).toEqual([]);
    expect(await t.get('config')).toEqual(bytes(1));
  });
});
