import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backup, check, initRepository, restore } from '@kluis/core';
import { fsSource, fsTarget, localTransport, nodeRepositoryOptions } from '@kluis/core/node';
import { type Context, threadsFrom } from '../context';
import { EXIT } from '../errors';
import { bytes, seconds, short } from '../format';
import type { Options } from '../options';

export const demoOptions = {
  keep: { type: 'boolean', help: 'Keep the sample files, repository and restored copy, and print where.' },
  size: { type: 'string', arg: 'MiB', help: 'Size of the large sample file in MiB (default: 32).' },
} as const satisfies Options;

/**
 * The quick start: a real encrypted backup and restore on a local repository, no server needed.
 * Makes a sample tree, backs it up, edits one file, backs up again (only the change travels),
 * restores, and compares every byte.
 */
export async function demo(ctx: Context): Promise<number> {
  const base = await mkdtemp(join(tmpdir(), 'kluis-demo-'));
  const mib = Number(ctx.values.size ?? 32);
  const say = (s: string) => ctx.print(s);
  try {
    const src = join(base, 'documents');
    await sampleTree(src, mib);
    const transport = localTransport({ root: join(base, 'repository') });
    const password = ctx.io.env.KLUIS_PASSWORD ?? 'demo password';
    const t0 = Date.now();
    const repo = await initRepository(transport, {
      password,
      ...nodeRepositoryOptions({ threads: threadsFrom(ctx.io.env) }),
      scrypt: { N: 1 << 15, r: 8, p: 1 },
    });
    say(`1. created an encrypted repository in ${join(base, 'repository')}`);
    const first = await backup(repo, fsSource([src]), { host: 'demo' });
    const s1 = first.snapshot.summary;
    say(
      `2. first backup ${short(first.id)}: ${s1.filesNew} files, ${bytes(s1.bytesRead)} read, ${bytes(s1.bytesStored)} stored (compressed + encrypted)`,
    );
    const big = join(src, 'data', 'measurements.bin');
    const content = await readFile(big);
    content.set(Buffer.from('an edit in the middle of a large file'), content.length >>> 1);
    await writeFile(big, content);
    const second = await backup(repo, fsSource([src]), { host: 'demo', parent: 'latest' });
    const s2 = second.snapshot.summary;
    say(
      `3. edited one file, second backup ${short(second.id)}: ${s2.filesUnchanged} files unchanged (not read), ${bytes(s2.bytesRead)} read, only ${bytes(s2.bytesStored)} new data stored`,
    );
    const out = join(base, 'restored');
    const r = await restore(repo, second.id, fsTarget(out), { verify: true });
    say(
      `4. restored ${r.files} files (${bytes(r.bytes)}), every blob authenticated, ${r.verified} files verified`,
    );
    const same = await sameTree(src, join(out, 'documents'));
    const report = await check(repo, { readData: true });
    say(
      `5. restored tree identical to the original: ${same ? 'yes' : 'NO'}; repository check: ${report.ok ? 'no errors' : 'PROBLEMS'}`,
    );
    say(`done in ${seconds(Date.now() - t0)}.${ctx.values.keep ? ` Files kept in ${base}` : ''}`);
    await repo.close();
    return same && report.ok ? EXIT.ok : EXIT.error;
  } finally {
    if (!ctx.values.keep) await rm(base, { recursive: true, force: true });
  }
}

async function sampleTree(root: string, mib: number): Promise<void> {
  await mkdir(join(root, 'notes', '2026'), { recursive: true });
  await mkdir(join(root, 'data'), { recursive: true });
  for (let i = 0; i < 50; i++) {
    await writeFile(
      join(root, 'notes', '2026', `note-${i}.md`),
      `# Note ${i}\n\n${'kluis keeps versions safe. '.repeat(40 + i)}\n`,
    );
  }
  const big = Buffer.alloc(mib << 20);
  let x = 0x9e3779b9;
  for (let i = 0; i < big.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    big.writeUInt32LE(x >>> 0, i);
  }
  await writeFile(join(root, 'data', 'measurements.bin'), big);
  await writeFile(join(root, 'empty.txt'), '');
  await symlink(join('notes', '2026', 'note-0.md'), join(root, 'latest-note'));
}

async function sameTree(a: string, b: string): Promise<boolean> {
  const [x, y] = [(await readdir(a)).sort(), (await readdir(b)).sort()];
  if (x.join('\0') !== y.join('\0')) return false;
  for (const name of x) {
    const [sa, sb] = [await stat(join(a, name)), await stat(join(b, name))];
    if (sa.isDirectory() !== sb.isDirectory() || sa.mode !== sb.mode) return false;
    if (sa.isDirectory()) {
      if (!(await sameTree(join(a, name), join(b, name)))) return false;
    } else if (!(await readFile(join(a, name))).equals(await readFile(join(b, name)))) return false;
  }
  return true;
}
