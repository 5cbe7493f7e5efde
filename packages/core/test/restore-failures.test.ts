import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlobDecoderFactory, fromHex, toHex } from '../src/format/index';
import {
  type BackupSource,
  backup,
  initRepository,
  openRepository,
  type RestoreEvent,
  restore,
  walkTree,
} from '../src/index';
import { fsSource, fsTarget, localTransport, nativeCrypto, workerBlobDecoder } from '../src/node/index';
import { memSource, prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };
let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kluis-restore-fail-'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

/** Every file under `dir` (relative paths), temporary ones included. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

const decoders: [string, BlobDecoderFactory | undefined][] = [
  ['on the calling thread', undefined],
  ['by worker threads writing files', workerBlobDecoder({ threads: 1, inlineBytes: 0 })],
];

describe.each(decoders)('a restore that fails midway (blobs opened %s)', (label, decoder) => {
  it('leaves no partial file under a real name, keeps an existing file, and names what it left out', async () => {
    const dir = join(base, label.replaceAll(' ', '-'));
    const src = join(dir, 'src');
    await mkdir(join(src, 'sub'), { recursive: true });
    const big = prng(10_000_000, 3); // more than one 8 MiB read: written piece by piece
    await writeFile(join(src, 'big.bin'), big);
    for (let i = 0; i < 5; i++)
      await writeFile(join(src, 'sub', `f${i}.txt`), `small file ${i}\n`.repeat(100));
    const root = join(dir, 'repo');
    const t = localTransport({ root });
    const repo = await initRepository(t, {
      password: 'pw',
      crypto: nativeCrypto,
      scrypt: SCRYPT,
      packSize: 1 << 20,
    });
    const { snapshot } = await backup(repo, fsSource([src]));
    // Damage the pack holding the big file's last chunk: its first pieces read and write fine.
    let last: string | undefined;
    for await (const { node } of walkTree(repo, snapshot.tree))
      if (node.name === 'big.bin') last = node.content!.at(-1);
    const loc = repo.blobs.index.get(fromHex(last!))!;
    const pack = toHex(loc.pack);
    const fh = await open(join(root, 'data', pack.slice(0, 2), pack), 'r+');
    await fh.write(new Uint8Array([0xff]), 0, 1, loc.offset + 20);
    await fh.close();
    await repo.close();

    const out = join(dir, 'out');
    await mkdir(join(out, 'src'), { recursive: true });
    await writeFile(join(out, 'src', 'big.bin'), 'the old big.bin\n');
    const reader = await openRepository(t, {
      password: 'pw',
      crypto: nativeCrypto,
      ...(decoder ? { decoder } : {}),
    });
    const events: RestoreEvent[] = [];
    try {
      const e = await restore(reader, 'latest', fsTarget(out), { onEvent: (ev) => events.push(ev) }).catch(
        (x: unknown) => x,
      );
      expect(e).toMatchObject({ code: 'INTEGRITY' });
    } finally {
      await reader.close();
    }
    const notRestored = events.flatMap((ev) => (ev.type === 'not-restored' ? [ev.path] : []));
    expect(notRestored).toContain('src/big.bin');
    // The file being written when the restore stopped: its old content, untouched.
    expect(await readFile(join(out, 'src', 'big.bin'), 'utf8')).toBe('the old big.bin\n');
    // No temporary file is left, and every file under its real name is complete.
    const left = await filesUnder(out);
    expect(left.filter((f) => basename(f).startsWith('.kluis-restore-'))).toEqual([]);
    for (const f of left.filter((f) => f !== join('src', 'big.bin')))
      expect(await readFile(join(out, f))).toEqual(await readFile(join(dir, f)));
  }, 60_000);
});

/** `memSource` with the given mtime for entries of that name. */
function withTimes(source: BackupSource, times: Record<string, number>): BackupSource {
  const fix = <T extends { name: string; mtime: number }>(e: T): T =>
    e.name in times ? { ...e, mtime: times[e.name]! } : e;
  return {
    ...source,
    roots: async () => (await source.roots()).map(fix),
    list: async (path) => (await source.list(path)).map(fix),
  };
}

describe('restoring times no file system holds', () => {
  it.each(decoders)(
    'clamps them with a one-line warning instead of failing (blobs opened %s)',
    async (label, decoder) => {
      const dir = join(base, `times-${label.replaceAll(' ', '-')}`);
      const t = localTransport({ root: join(dir, 'repo') });
      const repo = await initRepository(t, { password: 'pw', crypto: nativeCrypto, scrypt: SCRYPT });
      const tree = {
        d: { huge: prng(5000, 1), tiny: prng(10, 2), old: prng(100, 3), 'very-old': prng(10, 4) },
      };
      const times = { d: 1e300, huge: 1e300, tiny: -1e300, old: -1e12, 'very-old': -8.64e15 };
      await backup(repo, withTimes(memSource(tree), times));
      await repo.close();
      const reader = await openRepository(t, {
        password: 'pw',
        crypto: nativeCrypto,
        ...(decoder ? { decoder } : {}),
      });
      const events: RestoreEvent[] = [];
      const out = join(dir, 'out');
      try {
        const r = await restore(reader, 'latest', fsTarget(out), { onEvent: (e) => events.push(e) });
        expect(r.files).toBe(4);
      } finally {
        await reader.close();
      }
      expect(await readFile(join(out, 'd', 'huge'))).toEqual(Buffer.from(tree.d.huge));
      const warnings = events
        .flatMap((e) => (e.type === 'warning' ? [`${e.path}: ${e.message}`] : []))
        .sort();
      expect(warnings).toEqual([
        'd/huge: modification time 1e+300 is outside the years 1601-9999 (damaged tree?); set to 9999-12-31T23:59:59.999Z',
        'd/tiny: modification time -1e+300 is outside the years 1601-9999 (damaged tree?); set to 1601-01-01T00:00:00.000Z',
        'd/very-old: modification time -8640000000000000 is outside the years 1601-9999 (damaged tree?); set to 1601-01-01T00:00:00.000Z',
        'd: modification time 1e+300 is outside the years 1601-9999 (damaged tree?); set to 9999-12-31T23:59:59.999Z',
      ]);
      // A time before 1970 is kept (the file system may round it to what it can hold).
      expect((await stat(join(out, 'd', 'old'))).mtimeMs).toBe(-1e12);
      // Clamped times are as late or as early as the file system allows.
      expect((await stat(join(out, 'd', 'huge'))).mtime.getUTCFullYear()).toBeGreaterThan(2100);
      expect((await stat(join(out, 'd'))).mtime.getUTCFullYear()).toBeGreaterThan(2100);
      expect((await stat(join(out, 'd', 'tiny'))).mtime.getUTCFullYear()).toBeLessThan(1970);
    },
  );
});

describe('fsTarget when the chunks of a file fail midway', () => {
  const node = (size: number) => ({
    name: 'f',
    type: 'file' as const,
    mode: 0o644,
    mtime: 0,
    size,
    content: [],
  });
  async function* failing(first: Uint8Array): AsyncGenerator<Uint8Array> {
    yield first;
    throw new Error('blob damaged');
  }

  it.each([
    ['a small file, written in place, is removed', 1000, false],
    ['a large file, written under a temporary name, leaves the old file as it was', 3 << 20, true],
  ])('%s', async (_label, size, keepsOld) => {
    const out = await mkdtemp(join(base, 'target-'));
    await writeFile(join(out, 'f'), 'old content\n');
    const t = fsTarget(out);
    await expect(t.file(['f'], node(size), failing(prng(size >> 1, 1)))).rejects.toThrow('blob damaged');
    const left = await readdir(out);
    if (keepsOld) expect(await readFile(join(out, 'f'), 'utf8')).toBe('old content\n');
    else expect(left).toEqual([]);
    expect(left.filter((f) => f.startsWith('.kluis-restore-'))).toEqual([]);
  });
});
