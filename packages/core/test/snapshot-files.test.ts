import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backup,
  dumpTar,
  fileContent,
  findFiles,
  findPath,
  globMatcher,
  initRepository,
  KluisError,
  memoryTransport,
  restore,
  streamSource,
  tagSnapshots,
} from '../src/index';
import { memSource, memTarget, prng } from './helpers/trees';

const exec = promisify(execFile);
const SCRYPT = { N: 1024, r: 8, p: 1 };
const newRepo = () => initRepository(memoryTransport(), { password: 'pw', scrypt: SCRYPT });
const concat = async (parts: AsyncIterable<Uint8Array>) => {
  const out: Uint8Array[] = [];
  for await (const p of parts) out.push(p.slice());
  return new Uint8Array(Buffer.concat(out));
};

describe('streamSource', () => {
  it('backs up a web ReadableStream as one file of the size read, restored byte for byte', async () => {
    const repo = await newRepo();
    const data = prng(300_000, 3);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < data.length; i += 9000) c.enqueue(data.slice(i, i + 9000));
        c.close();
      },
    });
    const events: string[] = [];
    const { id, snapshot } = await backup(repo, streamSource('db.sql', stream, { mtime: 1_000 }), {
      onEvent: (e) => {
        if (e.type === 'warning') events.push(e.message);
      },
    });
    expect(events).toEqual([]);
    expect(snapshot.paths).toEqual(['db.sql']);
    expect(snapshot.summary.bytesTotal).toBe(data.length);
    expect(snapshot.summary.filesNew).toBe(1);
    const node = await findPath(repo, snapshot.tree, 'db.sql');
    expect(node).toMatchObject({ type: 'file', size: data.length, mode: 0o600, mtime: 1_000 });
    expect(await concat(fileContent(repo, node!))).toEqual(data);
    const { target, root } = memTarget();
    await restore(repo, id, target);
    expect(root['db.sql']).toEqual(data);
  });

  it('takes an async generator; a failing producer fails the backup and writes no snapshot', async () => {
    const repo = await newRepo();
    async function* broken() {
      yield new Uint8Array(10);
      throw new Error('pg_dump: connection lost');
    }
    const e = await backup(repo, streamSource('x', broken())).catch((x: unknown) => x);
    expect(KluisError.is(e)).toBe(true);
    expect((e as Error).message).toContain('pg_dump: connection lost');
    expect(await repo.snapshots.list()).toEqual([]);
  });

  it('refuses a name with a slash', () => {
    expect(() => streamSource('a/b', (async function* () {})())).toThrow(TypeError);
  });
});

describe('findPath, dumpTar, findFiles', () => {
  const tree = {
    home: {
      'notes.md': new TextEncoder().encode('# notes\n'),
      db: { 'dump.SQL': prng(200_000, 1), 'old.sql': prng(10, 2) },
      link: { link: 'notes.md' },
    },
  };

  it('finds nodes by path and dumps a directory as a tar that GNU tar extracts', async () => {
    const repo = await newRepo();
    const { snapshot } = await backup(repo, memSource(tree));
    expect(await findPath(repo, snapshot.tree, '/home/db/')).toMatchObject({ type: 'dir', name: 'db' });
    expect(await findPath(repo, snapshot.tree, 'home/nope')).toBeUndefined();
    expect(await findPath(repo, snapshot.tree, 'home/notes.md/x')).toBeUndefined();
    const root = await findPath(repo, snapshot.tree, '/');
    const dir = await mkdtemp(join(tmpdir(), 'kluis-dump-'));
    try {
      await writeFile(join(dir, 'all.tar'), await concat(dumpTar(repo, root!)));
      await exec('tar', ['-xf', join(dir, 'all.tar'), '-C', dir]);
      expect(new Uint8Array(await readFile(join(dir, 'home', 'db', 'dump.SQL')))).toEqual(
        tree.home.db['dump.SQL'],
      );
      expect(await readlink(join(dir, 'home', 'link'))).toBe('notes.md');
      const db = await findPath(repo, snapshot.tree, 'home/db');
      await writeFile(join(dir, 'db.tar'), await concat(dumpTar(repo, db!)));
      const listed = (await exec('tar', ['-tf', join(dir, 'db.tar')])).stdout.trim().split('\n');
      expect(listed).toEqual(['db/', 'db/dump.SQL', 'db/old.sql']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('findFiles matches names or whole paths across snapshots, oldest first', async () => {
    const repo = await newRepo();
    const first = await backup(repo, memSource(tree), { time: new Date('2026-01-01T00:00:00Z') });
    const second = await backup(repo, memSource({ home: { 'new.sql': prng(5, 9) } }), {
      time: new Date('2026-01-02T00:00:00Z'),
    });
    const found = [];
    for await (const f of findFiles(repo, '*.sql', { ignoreCase: true })) found.push([f.snapshot.id, f.path]);
    expect(found).toEqual([
      [first.id, 'home/db/dump.SQL'],
      [first.id, 'home/db/old.sql'],
      [second.id, 'home/new.sql'],
    ]);
    const byPath = [];
    for await (const f of findFiles(repo, 'home/*/old.*')) byPath.push(f.path);
    expect(byPath).toEqual(['home/db/old.sql']);
  });
});

describe('tagSnapshots', () => {
  it('writes a new snapshot with the new tags and original, and removes the old one', async () => {
    const repo = await newRepo();
    const { id } = await backup(repo, memSource({ a: prng(10, 1) }), { tags: ['daily', 'x'] });
    const [r] = await tagSnapshots(repo, [id], { add: ['keep', 'keep'], remove: ['x'] });
    expect(r!.tags).toEqual(['daily', 'keep']);
    expect(r!.to).not.toBe(id);
    const all = await repo.snapshots.list();
    expect(all.map((s) => s.id)).toEqual([r!.to]);
    expect(all[0]!.snapshot.original).toBe(id);
    const [again] = await tagSnapshots(repo, [r!.to], { set: ['monthly'] });
    const after = await repo.snapshots.load(again!.to);
    expect(after.snapshot.tags).toEqual(['monthly']);
    expect(after.snapshot.original).toBe(id); // still the first ID
    const [same] = await tagSnapshots(repo, [again!.to], { add: ['monthly'] });
    expect(same!.to).toBe(again!.to);
  });
});

describe('globMatcher', () => {
  it('handles classes, escapes, ** and ?', () => {
    expect(globMatcher('[a-c]?.txt')('dir/b1.txt')).toBe(true);
    expect(globMatcher('[!a-c]?.txt')('dir/b1.txt')).toBe(false);
    expect(globMatcher('\\*.txt')('*.txt')).toBe(true);
    expect(globMatcher('\\*.txt')('a.txt')).toBe(false);
    expect(globMatcher('a/**/z')('a/z')).toBe(true);
    expect(globMatcher('a/**/z')('a/b/c/z')).toBe(true);
    expect(globMatcher('a/*/z')('a/b/c/z')).toBe(false);
    expect(() => globMatcher('[z-a]')).toThrow(TypeError);
  });

  it('property: a pattern of literal characters matches exactly the name it spells', () => {
    const name = fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !s.includes('/'));
    fc.assert(
      fc.property(name, name, (a, b) => {
        const quoted = a.replace(/[\\*?[\]]/g, '\\$&');
        expect(globMatcher(quoted)(`dir/${b}`)).toBe(a === b);
        expect(globMatcher('*')(`dir/${b}`)).toBe(true);
        expect(globMatcher(`${quoted}*`)(`${a}${b}`)).toBe(true);
      }),
    );
  });
});
