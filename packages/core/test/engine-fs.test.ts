import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeSnapshot } from '../src/format/index';
import { backup, check, initRepository, KluisError, openRepository, restore } from '../src/index';
import { fsSource, fsTarget, nativeCrypto, nodeDeflateRaw } from '../src/node/index';
import { localTransport } from '../src/node/local-transport';
import { prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-engine-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function makeTree(root: string) {
  await mkdir(join(root, 'sub', 'deep'), { recursive: true });
  await writeFile(join(root, 'hello.txt'), 'hello\n'.repeat(1000));
  await writeFile(join(root, 'empty'), '');
  await writeFile(join(root, 'sub', 'ünï cödé ✓ (1).txt'), 'unicode');
  await writeFile(join(root, 'sub', 'deep', 'random.bin'), prng(3_000_000, 11));
  await writeFile(join(root, 'exec.sh'), '#!/bin/sh\necho hi\n');
  await chmod(join(root, 'exec.sh'), 0o750);
  await symlink('hello.txt', join(root, 'link'));
  // A sparse file: 4 MiB hole then data.
  const fh = await import('node:fs/promises').then((m) => m.open(join(root, 'sparse.img'), 'w'));
  await fh.write(new Uint8Array([1, 2, 3]), 0, 3, 4 << 20);
  await fh.close();
  await utimes(join(root, 'hello.txt'), 1_600_000_000, 1_600_000_000.5);
}

async function listing(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(join(root, rel))).sort()) {
    const p = join(rel, name);
    const st = await lstat(join(root, p));
    if (st.isDirectory()) out.push(`${p}/ ${(st.mode & 0o777).toString(8)}`, ...(await listing(root, p)));
    else if (st.isSymbolicLink()) out.push(`${p} -> ${await readlink(join(root, p))}`);
    else
      out.push(
        `${p} ${(st.mode & 0o777).toString(8)} ${st.size} ${Math.round(st.mtimeMs)} ${(await readFile(join(root, p))).toString('base64').slice(0, 40)}`,
      );
  }
  return out;
}

async function openRepo() {
  const transport = localTransport({ root: join(dir, 'repo') });
  const repo = await initRepository(transport, {
    password: 'pw',
    scrypt: SCRYPT,
    crypto: nativeCrypto,
    codec: nodeDeflateRaw,
  });
  return { transport, repo };
}

describe('engine on real files', () => {
  it('round-trips a real tree: contents, modes, mtimes, symlinks, empty, unicode and sparse files', async () => {
    const src = join(dir, 'src');
    await makeTree(src);
    const { repo } = await openRepo();
    const { snapshot } = await backup(repo, fsSource([src]), { host: 'test' });
    expect(snapshot.summary.errors).toBe(0);
    const out = join(dir, 'out');
    const r = await restore(repo, 'latest', fsTarget(out), { verify: true });
    expect(r.verified).toBe(6);
    expect(await listing(join(out, 'src'))).toEqual(await listing(src));
    expect((await stat(join(out, 'src', 'sparse.img'))).blocks * 512).toBeLessThan(1 << 20);
    expect((await check(repo, { readData: true })).ok).toBe(true);
  });

  it('excludes with gitignore patterns', async () => {
    const src = join(dir, 'src');
    await makeTree(src);
    const { repo } = await openRepo();
    await backup(repo, fsSource([src], { exclude: ['*.bin', 'src/empty'] }));
    const out = join(dir, 'out');
    await restore(repo, 'latest', fsTarget(out));
    const names = await listing(join(out, 'src'));
    expect(names.some((n) => n.includes('random.bin'))).toBe(false);
    expect(names.some((n) => n.startsWith('empty'))).toBe(false);
    expect(names.some((n) => n.startsWith('hello.txt'))).toBe(true);
  });

  it('incremental backup of an unchanged tree reads nothing; a changed file is re-read', async () => {
    const src = join(dir, 'src');
    await makeTree(src);
    const { transport, repo } = await openRepo();
    await backup(repo, fsSource([src]), { host: 'h' });
    const again = await openRepository(transport, { password: 'pw', crypto: nativeCrypto });
    const second = await backup(again, fsSource([src]), { host: 'h', parent: 'latest' });
    expect(second.snapshot.summary.bytesRead).toBe(0);
    await writeFile(join(src, 'hello.txt'), 'changed\n');
    const third = await backup(again, fsSource([src]), { host: 'h', parent: 'latest' });
    expect(third.snapshot.summary.filesChanged).toBe(1);
    expect(third.snapshot.summary.bytesRead).toBe(8);
  });

  it('refuses hostile names in a tampered tree and writes nothing outside the target', async () => {
    const { repo } = await openRepo();
    const evil = new TextEncoder().encode(
      JSON.stringify({
        nodes: [{ name: '../evil', type: 'file', mode: 420, mtime: 0, size: 0, content: [] }],
      }),
    );
    const { id } = await repo.blobs.save('tree', evil);
    await repo.blobs.flush();
    const now = new Date().toISOString();
    const snap = {
      time: now,
      offsetMinutes: 0,
      host: '',
      user: '',
      paths: ['/x'],
      tags: [],
      tree: Buffer.from(id).toString('hex'),
      complete: true,
      writer: 'test',
      summary: {
        filesNew: 0,
        filesChanged: 0,
        filesUnchanged: 0,
        dirs: 0,
        bytesTotal: 0,
        bytesRead: 0,
        bytesAdded: 0,
        bytesStored: 0,
        blobsNew: 0,
        errors: 0,
        started: now,
        finished: now,
      },
    };
    expect(encodeSnapshot(snap).length).toBeGreaterThan(0);
    await repo.snapshots.save(snap);
    const out = join(dir, 'out', 'inner');
    const err = await restore(repo, 'latest', fsTarget(out)).catch((e: unknown) => e);
    expect(KluisError.is(err, 'INVALID_DATA')).toBe(true);
    await expect(stat(join(dir, 'out', 'evil'))).rejects.toThrow();
  });

  it('fs target refuses unsafe names and symlinks planted in the target', async () => {
    const out = join(dir, 'out');
    const outside = join(dir, 'outside');
    await mkdir(out, { recursive: true });
    await mkdir(outside);
    await symlink(outside, join(out, 'docs'));
    const t = fsTarget(out);
    const node = { name: 'x', type: 'file' as const, mode: 0o644, mtime: 0, size: 1, content: [] };
    async function* one() {
      yield new Uint8Array([1]);
    }
    await expect(t.file(['..', 'x'], node, one())).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    await expect(t.file(['docs', 'x'], node, one())).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    await expect(t.dir(['docs'], { ...node, type: 'dir' })).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    expect(await readdir(outside)).toEqual([]);
  });
});
