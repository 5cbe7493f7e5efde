// Seeded benchmark corpora: the same bytes on every run and machine, so kluis and restic are
// measured on identical data. Generated once into a cache directory and reused.
import { existsSync } from 'node:fs';
import { mkdir, open, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** xorshift128+ in two 32-bit halves: fast, seeded, good enough for test data. */
export class Rng {
  #a: number;
  #b: number;
  constructor(seed: number) {
    this.#a = seed ^ 0x9e3779b9 || 1;
    this.#b = (seed * 0x85ebca6b) ^ 0xc2b2ae35 || 2;
  }
  u32(): number {
    let s1 = this.#a;
    const s0 = this.#b;
    this.#a = s0;
    s1 ^= s1 << 11;
    s1 ^= s1 >>> 8;
    this.#b = (s1 ^ s0 ^ (s0 >>> 19)) >>> 0;
    return (this.#b + s0) >>> 0;
  }
  below(n: number): number {
    return this.u32() % n;
  }
  fill(buf: Uint8Array): void {
    const words = new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2);
    for (let i = 0; i < words.length; i++) words[i] = this.u32();
    for (let i = words.length * 4; i < buf.length; i++) buf[i] = this.u32() & 0xff;
  }
}

const WORDS = (
  'the of and to in is was for on that with as by at from his it an were are which this be or has had not but ' +
  'backup restore snapshot repository chunk encrypt index pack tree blob version policy server client window ' +
  'function return const let import export class interface type async await string number boolean undefined null ' +
  'error value result options config data file path size time host user tags parent complete summary'
).split(' ');

/** Pseudo-text or pseudo-code of `size` bytes: compressible like real documents and sources. */
function text(rng: Rng, size: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    const len = 4 + rng.below(14);
    const line: string[] = [];
    for (let i = 0; i < len; i++) line.push(WORDS[rng.below(WORDS.length)]!);
    const s = `${' '.repeat(2 * rng.below(4))}${line.join(' ')}${rng.below(5) === 0 ? ` ${rng.u32().toString(16)}` : ''};\n`;
    parts.push(s);
    n += s.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

/**
 * A mixed tree of ~`mb` MB: many small text/source files (some duplicated, like vendored
 * packages), some large incompressible files (media, archives), a few large logs and symlinks.
 */
export async function mixedTree(root: string, mb = 500): Promise<number> {
  if (existsSync(join(root, '.complete')))
    return Number((await import('node:fs')).readFileSync(join(root, '.complete'), 'utf8'));
  await rm(root, { recursive: true, force: true });
  const rng = new Rng(20261126);
  let total = 0;
  const budget = mb * 1e6;
  const sources: { rel: string; body: Buffer }[] = [];
  // 45 % small text files in nested directories.
  for (let i = 0; total < budget * 0.45; i++) {
    const dir = join(root, 'src', `pkg-${i % 97}`, `mod-${i % 13}`);
    await mkdir(dir, { recursive: true });
    const body = text(rng, 500 + rng.below(rng.below(4) === 0 ? 200_000 : 30_000));
    await writeFile(join(dir, `file-${i}.ts`), body);
    if (i % 5 === 0) sources.push({ rel: `pkg-${i % 97}/mod-${i % 13}/file-${i}.ts`, body });
    total += body.length;
  }
  // 10 %: vendored copies of some of those files (dedup opportunity, as node_modules has).
  for (let i = 0; total < budget * 0.55 && i < sources.length; i++) {
    const s = sources[i]!;
    const p = join(root, 'vendor', s.rel);
    await mkdir(join(p, '..'), { recursive: true });
    await writeFile(p, s.body);
    total += s.body.length;
  }
  // 35 %: large incompressible files of 2–20 MB.
  await mkdir(join(root, 'media'), { recursive: true });
  for (let i = 0; total < budget * 0.9; i++) {
    const b = Buffer.alloc((2 + rng.below(18)) * 1e6);
    rng.fill(b);
    await writeFile(join(root, 'media', `clip-${i}.bin`), b);
    total += b.length;
  }
  // 10 %: large logs.
  await mkdir(join(root, 'logs'), { recursive: true });
  for (let i = 0; total < budget; i++) {
    const b = text(rng, 10e6);
    await writeFile(join(root, 'logs', `app-${i}.log`), b);
    total += b.length;
  }
  await symlink('logs/app-0.log', join(root, 'current.log'));
  await writeFile(join(root, '.complete'), String(total));
  return total;
}

/** A 1 GiB random file, and a copy with 100 scattered small edits and a 1 MiB insertion near the start. */
export async function editedPair(
  dir: string,
): Promise<{ original: string; edited: string; changedBytes: number }> {
  const original = join(dir, 'original', 'big.bin');
  const edited = join(dir, 'edited', 'big.bin');
  const changedBytes = 100 * 2130 + (1 << 20);
  if (existsSync(join(dir, '.complete'))) return { original, edited, changedBytes };
  await mkdir(join(dir, 'original'), { recursive: true });
  await mkdir(join(dir, 'edited'), { recursive: true });
  const size = 1 << 30;
  const rng = new Rng(7);
  const block = Buffer.alloc(1 << 20);
  const a = await open(original, 'w');
  const b = await open(edited, 'w');
  const insertAt = 3; // MiB
  const edits = new Set(
    Array.from({ length: 100 }, (_, k) => Math.floor(((k + 0.5) * size) / 100 / (1 << 20))),
  );
  for (let i = 0; i < size >> 20; i++) {
    rng.fill(block);
    await a.write(block);
    if (i === insertAt) {
      const ins = Buffer.alloc(1 << 20);
      new Rng(99).fill(ins);
      await b.write(ins);
    }
    if (edits.has(i)) {
      const copy = Buffer.from(block);
      const at = 4096 + ((i * 7919) % ((1 << 20) - 8192));
      for (let j = 0; j < 2130; j++) copy[at + j] = copy[at + j]! ^ 0x5a;
      await b.write(copy);
    } else await b.write(block);
  }
  await a.close();
  await b.close();
  await writeFile(join(dir, '.complete'), 'ok');
  return { original, edited, changedBytes };
}
