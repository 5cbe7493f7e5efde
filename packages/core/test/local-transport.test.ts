import { mkdir, mkdtemp, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KluisError } from '../src/index';
import { fsError } from '../src/node/_local-transport-fs';
import { type LocalTransport, localTransport } from '../src/node/index';

const id = (c: string) => c.repeat(64);
const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

async function keys(t: LocalTransport, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const { key } of t.list(prefix)) out.push(key);
  return out.sort();
}

async function files(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

describe('localTransport', () => {
  let root: string;
  let t: LocalTransport;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kluis-local-'));
    t = localTransport({ root });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('stores data/<id> in a two-character shard directory, everything else as is', async () => {
    await t.put(`data/${id('a')}`, bytes(3));
    await t.put(`index/${id('b')}`, bytes(2));
    await t.put('config', bytes(1));
    expect(await files(root)).toEqual(['config', `data/aa/${id('a')}`, `index/${id('b')}`]);
    expect(await keys(t)).toEqual(['config', `data/${id('a')}`, `index/${id('b')}`]);
    expect(t.name).toBe(`local:${root}`);
    expect((await stat(join(root, 'config'))).mode & 0o777).toBe(0o600);
  });

  it('never lists a temporary file left by a crash, and removes it when stale', async () => {
    await t.put(`data/${id('c')}`, bytes(5));
    // What a process killed between writing its temporary file and renaming it leaves behind:
    const shard = join(root, 'data', 'cc');
    await writeFile(join(shard, '.kluis-tmp-0123456789abcdef01234567'), bytes(4096));
    await writeFile(join(root, '.kluis-tmp-fedcba9876543210fedcba98'), bytes(10));
    expect(await keys(t)).toEqual([`data/${id('c')}`]);
    expect(await keys(t, 'data/')).toEqual([`data/${id('c')}`]);
    // Young temporary files may belong to a write in progress: kept by default.
    expect(await t.removeStaleTempFiles()).toEqual({ removed: 0, bytes: 0 });
    const old = new Date(Date.now() - 2 * 3_600_000);
    await utimes(join(shard, '.kluis-tmp-0123456789abcdef01234567'), old, old);
    expect(await t.removeStaleTempFiles()).toEqual({ removed: 1, bytes: 4096 });
    expect(await t.removeStaleTempFiles({ olderThanMs: 0 })).toEqual({ removed: 1, bytes: 10 });
    expect(await files(root)).toEqual([`data/cc/${id('c')}`]);
  });

  it('ignores files that no key maps to, dot directories and symbolic links', async () => {
    await t.put(`data/${id('d')}`, bytes(1));
    await writeFile(join(root, 'data', 'stray'), bytes(1));
    await mkdir(join(root, 'data', 'ee'), { recursive: true });
    await writeFile(join(root, 'data', 'ee', id('f')), bytes(1));
    await mkdir(join(root, '.trash'));
    await writeFile(join(root, '.trash', 'x'), bytes(1));
    await symlink('/etc/hostname', join(root, 'link'));
    expect(await keys(t)).toEqual([`data/${id('d')}`]);
    expect(await t.stat(`data/${id('f')}`)).toBeUndefined();
  });

  it('works on a root that does not exist yet, and creates it on the first put', async () => {
    const fresh = localTransport({ root: join(root, 'not', 'yet') });
    expect(await keys(fresh)).toEqual([]);
    expect(await fresh.stat('config')).toBeUndefined();
    await expect(fresh.get('config')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await fresh.delete('config');
    await fresh.put('config', bytes(2));
    expect(await fresh.get('config')).toEqual(bytes(2));
  });

  it('refuses a key that is also a directory of other keys, and vice versa', async () => {
    await t.put('keys/aa', bytes(1));
    await expect(t.put('keys/aa/bb', bytes(1))).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await t.put('locks/aa/bb', bytes(1));
    await expect(t.put('locks/aa', bytes(1))).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await expect(t.get('locks/aa')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await t.stat('locks/aa')).toBeUndefined();
    expect(await t.stat('keys/aa/bb')).toBeUndefined();
    await t.delete('locks/aa');
    expect(await keys(t)).toEqual(['keys/aa', 'locks/aa/bb']);
  });

  it('writes without fsync when asked, with the same results', async () => {
    const quick = localTransport({ root, fsync: false });
    await quick.put('snapshots/aa', bytes(10, 9), { ifAbsent: true });
    expect(await t.get('snapshots/aa')).toEqual(bytes(10, 9));
  });

  it('refuses an empty root', () => {
    expect(() => localTransport({ root: '' })).toThrow(TypeError);
  });
});

describe('local transport error mapping', () => {
  const sys = (code: string) => Object.assign(new Error(`${code}: failed`), { code });
  it.each([
    ['ENOENT', 'NOT_FOUND', false],
    ['EEXIST', 'ALREADY_EXISTS', false],
    ['ENOSPC', 'QUOTA', false],
    ['EDQUOT', 'QUOTA', false],
    ['EACCES', 'AUTH', false],
    ['EPERM', 'AUTH', false],
    ['EROFS', 'AUTH', false],
    ['EIO', 'UNAVAILABLE', true],
    ['EAGAIN', 'UNAVAILABLE', true],
    ['EMFILE', 'UNAVAILABLE', true],
    ['EWHATEVER', 'UNAVAILABLE', false],
  ])('%s becomes %s (retryable %s)', (errno, code, retryable) => {
    const e = fsError(sys(errno), 'cannot read data/x');
    expect(KluisError.is(e, code as 'NOT_FOUND')).toBe(true);
    expect(e.retryable).toBe(retryable);
    expect(e.message).toContain('cannot read data/x');
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('keeps KluisErrors and maps AbortError to ABORTED', () => {
    const k = new KluisError('INTEGRITY', 'x');
    expect(fsError(k, 'y')).toBe(k);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(fsError(abort, 'y').code).toBe('ABORTED');
  });
});
