// Regenerates zstd.json under a Node with zstd in node:zlib (>= 22.15):
//   node --import tsx packages/core/test/vectors/make-zstd.ts
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { pseudoText } from '../helpers/codec-tree';
import { prng } from '../helpers/trees';

const z = zlib as unknown as { zstdCompressSync(d: Uint8Array, o: object): Buffer };
const enc = (d: Uint8Array) => z.zstdCompressSync(d, { params: { 100: 3 } });
const b64 = (d: Uint8Array) => Buffer.from(d).toString('base64');
const sha = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');
const rep = new TextEncoder().encode('kluis '.repeat(2000));
const mixed = new Uint8Array(12_000);
mixed.set(pseudoText(8_000, 12));
mixed.set(prng(4_000, 13), 8_000);
const big = pseudoText(140_000, 14);
const small = [
  { name: 'pseudo-text 4 KiB', plain: pseudoText(4096, 11) },
  { name: 'one word repeated (12000 bytes)', plain: rep },
  { name: 'random 300 bytes (a raw block)', plain: prng(300, 5) },
  { name: 'text then random (12000 bytes)', plain: mixed },
];
const vectors = [
  ...small.map((v) => ({ name: v.name, plain: b64(v.plain), frame: b64(enc(v.plain)) })),
  {
    name: 'pseudo-text 140000 bytes (two blocks)',
    plainSha256: sha(big),
    plainLength: big.length,
    generator: 'pseudoText(140000, 14) in test/helpers/codec-tree.ts',
    frame: b64(enc(big)),
  },
];
writeFileSync(
  new URL('./zstd.json', import.meta.url),
  JSON.stringify(
    {
      source: `Zstandard frames (RFC 8878) made by node:zlib zstdCompressSync at level 3, Node ${process.version}, zstd ${process.versions.zstd}`,
      vectors,
    },
    null,
    1,
  ) + '\n',
);
