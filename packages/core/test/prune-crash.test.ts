import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, check, initRepository, openRepository, prune, type Repository } from '../src/index';
import { localTransport, nativeCrypto, nodeDeflateRaw } from '../src/node/index';
import { memSource, prng } from './helpers/trees';

const child = join(import.meta.dirname, 'fixtures', 'prune-child.ts');
let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kluis-prune-crash-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Runs a prune in a child process and SIGKILLs it before its mutating operation `at`. Returns its last line. */
export function runPruneChild(repo: string, at: number | string, options: object): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--conditions=@kluis/source', '--import', 'tsx', child, repo, String(at), JSON.stringify(options)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
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

const open = (dir: string): Promise<Repository> =>
  openRepository(localTransport({ root: dir }), {
    password: 'pw',
    crypto: nativeCrypto,
    codec: nodeDeflateRaw,
  });

/** A repository with one kept snapshot and the packs of a forgotten one marked by a first prune. */
async function withMarkedPacks(name: string): Promise<{ dir: string; marked: string[] }> {
  const dir = join(base, name);
  await initRepository(localTransport({ root: dir }), { password: 'pw', scrypt: { N: 1024, r: 8, p: 1 } });
  let repo = await open(dir);
  await backup(repo, memSource({ keep: { 'k.bin': prng(200_000, 1) } }));
  const gone = await backup(repo, memSource({ gone: { 'g.bin': prng(300_000, 2) } }));
  await repo.snapshots.remove(gone.id);
  repo = await open(dir);
  const first = await prune(repo, { graceMs: 0 });
  expect(first.marked.length).toBeGreaterThan(0);
  return { dir, marked: first.marked };
}

describe('a prune killed in its delete phase', () => {
  it('leaves packs the next prune deletes at once, not marks again', { timeout: 60_000 }, async () => {
    const { dir, marked } = await withMarkedPacks('delete-phase');
    // The first data/ delete comes after the new index is written and the old ones deleted.
    expect(await runPruneChild(dir, 'delete:data/', { graceMs: 0 })).toMatch(/^STOP data\//);
    const packs = (await readdir(join(dir, 'data'), { recursive: true })).filter((n) =>
      /[0-9a-f]{64}$/.test(n),
    );
    expect(packs.length).toBeGreaterThan(marked.length);

    const next = await prune(await open(dir), { graceMs: 0 });
    expect(next.marked).toEqual([]);
    expect(next.deleted.sort()).toEqual([...marked].sort());
    const report = await check(await open(dir), { readData: true });
    expect(report.problems).toEqual([]);
    expect(report.unindexedPacks).toEqual([]);
  });
});

/** Two files in the same pack, then only one of them kept: a prune repacks that pack. */
async function halfUsed(name: string): Promise<string> {
  const dir = join(base, name);
  await initRepository(localTransport({ root: dir }), { password: 'pw', scrypt: { N: 1024, r: 8, p: 1 } });
  const both = await backup(
    await open(dir),
    memSource({ d: { 'keep.bin': prng(200_000, 3), 'gone.bin': prng(200_000, 4) } }),
  );
  await backup(await open(dir), memSource({ d: { 'keep.bin': prng(200_000, 3) } }));
  await (await open(dir)).snapshots.remove(both.id);
  return dir;
}

const packFiles = async (dir: string) =>
  (await readdir(join(dir, 'data'), { recursive: true })).filter((n) => /[0-9a-f]{64}$/.test(n));

describe('a repacking prune killed with SIGKILL', () => {
  it('leaves a repository that passes check --read-data at every write, and the next prunes finish the job', {
    timeout: 120_000,
  }, async () => {
    const total = Number(
      (await runPruneChild(await halfUsed('repack-probe'), 0, { graceMs: 0 })).split(' ')[1],
    );
    expect(total).toBeGreaterThan(3);
    for (let at = 1; at <= total; at++) {
      const dir = await halfUsed(`repack-${at}`);
      expect(await runPruneChild(dir, at, { graceMs: 0 })).toMatch(/^STOP /);
      const report = await check(await open(dir), { readData: true });
      expect(report.problems, `check after a kill at write ${at}`).toEqual([]);
      await prune(await open(dir), { graceMs: 0 });
      await prune(await open(dir), { graceMs: 0 });
      const last = await prune(await open(dir), { graceMs: 0 });
      expect(last.marked, `nothing left to mark after a kill at write ${at}`).toEqual([]);
      expect(last.repacked).toEqual([]);
      const after = await check(await open(dir), { readData: true });
      expect(after.problems).toEqual([]);
      expect(after.unindexedPacks).toEqual([]);
      let bytes = 0;
      for (const f of await packFiles(dir)) bytes += (await stat(join(dir, 'data', f))).size;
      expect(bytes, `space freed after a kill at write ${at}`).toBeLessThan(260_000);
    }
  });
});
