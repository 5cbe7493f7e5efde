import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backup,
  check,
  forget,
  initRepository,
  openRepository,
  prune,
  type Repository,
  restore,
} from '../src/index';
import { fsTarget, localTransport, nativeCrypto, nodeDeflateRaw } from '../src/node/index';
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
function runPruneChild(repo: string, at: number | string, options: object): Promise<string> {
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
      for (let run = 1; run <= 2; run++) {
        await prune(await open(dir), { graceMs: 0 });
        const between = await check(await open(dir), { readData: true });
        expect(between.problems, `check after prune ${run} following a kill at write ${at}`).toEqual([]);
      }
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

/** Backs up `src` into `repo` in a child process (the crash-test child, never stopped). */
function runBackupChild(repo: string, src: string): Promise<void> {
  const backupChild = join(import.meta.dirname, 'fixtures', 'crash-child.ts');
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--conditions=@kluis/source', '--import', 'tsx', backupChild, repo, src, '0', 'after'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`backup failed (${code}): ${err}`))));
  });
}

describe('prune and backup in separate processes at the same time', () => {
  it('lose no blob: every kept snapshot restores byte for byte', { timeout: 120_000 }, async () => {
    const dir = join(base, 'stress');
    const src = join(base, 'stress-src');
    await mkdir(src, { recursive: true });
    await initRepository(localTransport({ root: dir }), {
      password: 'pw',
      scrypt: { N: 1024, r: 8, p: 1 },
      packSize: 1 << 16,
    });
    // Files by seed; each round rewrites two, deletes one and adds one.
    const files = new Map<string, number>();
    for (let i = 0; i < 6; i++) files.set(`f${i}.bin`, i + 1);
    const expected = new Map<string, Map<string, number>>();
    const t0 = Date.now();
    let seed = 100;
    let deleted = 0;
    let repacked = 0;
    for (let round = 0; round < 4; round++) {
      for (const [name, s] of files) await writeFile(join(src, name), prng(40_000 + (s % 7) * 5_000, s));
      const before = new Set((await (await open(dir)).snapshots.list()).map((s) => s.id));
      const [, done] = await Promise.all([
        runBackupChild(dir, src),
        runPruneChild(dir, 0, { nowMs: t0 + round * 25 * 3600_000, graceMs: 24 * 3600_000 }),
      ]);
      deleted += Number(done.split(' ')[2]);
      repacked += Number(done.split(' ')[3]);
      const now = (await (await open(dir)).snapshots.list()).map((s) => s.id);
      const added = now.filter((id) => !before.has(id));
      expect(added).toHaveLength(1);
      expected.set(added[0]!, new Map(files));
      if (expected.size > 2) {
        const oldest = [...expected.keys()][0]!;
        await forget(await open(dir), { ids: [oldest] });
        expected.delete(oldest);
      }
      const names = [...files.keys()];
      files.set(names[round % names.length]!, ++seed);
      files.set(names[(round + 2) % names.length]!, ++seed);
      files.delete(names[(round + 4) % names.length]!);
      await rm(join(src, names[(round + 4) % names.length]!));
      files.set(`new${round}.bin`, ++seed);
    }
    for (const later of [6, 7]) {
      const r = await prune(await open(dir), {
        now: new Date(t0 + later * 25 * 3600_000),
        graceMs: 24 * 3600_000,
      });
      deleted += r.deleted.length;
      repacked += r.repacked.length;
    }
    expect(deleted).toBeGreaterThan(0);
    expect(repacked).toBeGreaterThan(0);
    const repo = await open(dir);
    expect((await check(repo, { readData: true })).problems).toEqual([]);
    for (const [id, content] of expected) {
      const out = join(base, `stress-out-${id.slice(0, 8)}`);
      await restore(repo, id, fsTarget(out));
      const root = join(out, 'stress-src');
      expect((await readdir(root)).sort()).toEqual([...content.keys()].sort());
      for (const [name, s] of content)
        expect(
          Buffer.compare(await readFile(join(root, name)), Buffer.from(prng(40_000 + (s % 7) * 5_000, s))),
        ).toBe(0);
    }
  });
});
