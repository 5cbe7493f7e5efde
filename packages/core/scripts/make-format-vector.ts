// Writes test/vectors/repository-v1.json: a tiny repository (known password, known files) that
// format-vector.test.ts opens and restores, so every later version of kluis must still read v1.
// Run: npx tsx --conditions=@kluis/source packages/core/scripts/make-format-vector.ts
// Nonces and salts are random, so a rerun produces different bytes with the same meaning; the
// committed file is the vector.
import { writeFileSync } from 'node:fs';
import { backup, initRepository, memoryTransport } from '../src/index';

const password = 'kluis format v1 test vector';
const files: Record<string, string> = {
  'docs/readme.txt': 'kluis format version 1\n',
  'docs/empty': '',
  'docs/notes/a.md': '# A\n\nrepeated line\nrepeated line\nrepeated line\n'.repeat(40),
  'docs/notes/b.md': 'b',
};

const transport = memoryTransport();
const repo = await initRepository(transport, {
  password,
  scrypt: { N: 1024, r: 8, p: 1 },
  chunker: { minSize: 256, avgSize: 1024, maxSize: 4096 },
  packSize: 1 << 16,
});
const tree: Record<string, unknown> = {};
for (const [path, text] of Object.entries(files)) {
  const parts = path.split('/');
  let dir = tree as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) {
    dir[p] ??= {};
    dir = dir[p] as Record<string, unknown>;
  }
  dir[parts.at(-1)!] = text;
}
const enc = new TextEncoder();
const at = (path: readonly string[]) =>
  path.reduce<unknown>((d, n) => (d as Record<string, unknown>)[n], tree);
const entry = (name: string, v: unknown) =>
  typeof v === 'string'
    ? { name, type: 'file' as const, mode: 0o644, mtime: 1_767_225_600_000, size: enc.encode(v).length }
    : { name, type: 'dir' as const, mode: 0o755, mtime: 1_767_225_600_000, size: 0 };
await backup(
  repo,
  {
    paths: ['/data/docs'],
    roots: async () => [entry('docs', tree.docs)],
    list: async (path) =>
      Object.entries(at(path) as Record<string, unknown>)
        .sort()
        .map(([n, v]) => entry(n, v)),
    async *read(path) {
      yield enc.encode(at(path) as string);
    },
  },
  { host: 'vector', user: 'kluis', time: new Date('2026-01-01T00:00:00Z'), writer: 'kluis format vector' },
);
const objects: Record<string, string> = {};
for (const prefix of ['config', 'keys/', 'data/', 'index/', 'snapshots/']) {
  for await (const o of transport.list(prefix))
    objects[o.key] = Buffer.from(await transport.get(o.key)).toString('base64');
}
const out = new URL('../test/vectors/repository-v1.json', import.meta.url);
writeFileSync(
  out,
  `${JSON.stringify({ description: 'kluis repository format v1 test vector', password, files, objects }, null, 1)}\n`,
);
console.log(`wrote ${Object.keys(objects).length} objects`);
