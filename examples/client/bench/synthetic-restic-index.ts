// restic's side of the scale case's synthetic index: index files of random blob entries added to a
// local restic repository (format version 2), so restic's memory and re-backup time can be
// measured with as many blobs as kluis's (npm run bench -- scale with
// KLUIS_BENCH_SCALE_INDEX_BLOBS). Written as restic writes them, from its published design
// (doc/design.rst): the master key is unwrapped from a key file (scrypt, then AES-256-CTR with a
// Poly1305-AES tag), and each index file is JSON compressed with zstd (a leading version byte 2;
// node:zlib's zstd where this Node has it, else the zstd command, installed from Debian's packages
// when missing) as restic 0.14 writes them, sealed with the master key and named by the SHA-256 of
// its bytes. Like kluis's, the packs named exist only as index
// entries: `restic check` would report them missing.

import { execFileSync } from 'node:child_process';
import {
  createCipheriv,
  createHash,
  randomBytes,
  randomFillSync,
  scryptSync,
  timingSafeEqual,
} from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as zlib from 'node:zlib';
import { poly1305 } from '@noble/ciphers/_poly1305.js';

interface MacKey {
  k: Uint8Array;
  r: Uint8Array;
}
interface ResticKey {
  encrypt: Uint8Array;
  mac: MacKey;
}

/** Poly1305-AES as restic uses it: the one-time key is r ‖ AES-128_k(nonce). */
function mac(key: MacKey, nonce: Uint8Array, message: Uint8Array): Uint8Array {
  const aes = createCipheriv('aes-128-ecb', key.k, null).setAutoPadding(false);
  const s = aes.update(nonce);
  const oneTime = new Uint8Array(32);
  oneTime.set(key.r, 0);
  oneTime.set(s, 16);
  return poly1305(message, oneTime);
}

function open(key: ResticKey, sealed: Uint8Array, what: string): Uint8Array {
  const nonce = sealed.subarray(0, 16);
  const body = sealed.subarray(16, sealed.length - 16);
  if (!timingSafeEqual(mac(key.mac, nonce, body), sealed.subarray(sealed.length - 16)))
    throw new Error(`${what}: wrong password or damaged (MAC mismatch)`);
  const ctr = createCipheriv('aes-256-ctr', key.encrypt, nonce);
  return Buffer.concat([ctr.update(body), ctr.final()]);
}

function seal(key: ResticKey, plain: Uint8Array): Uint8Array {
  const nonce = randomBytes(16);
  const ctr = createCipheriv('aes-256-ctr', key.encrypt, nonce);
  const body = Buffer.concat([ctr.update(plain), ctr.final()]);
  return Buffer.concat([nonce, body, mac(key.mac, nonce, body)]);
}

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** The repository's master key, unwrapped from its (only) key file with `password`. */
function masterKey(repo: string, password: string): ResticKey {
  const [name] = readdirSync(join(repo, 'keys'));
  if (!name) throw new Error(`${repo}: no key file`);
  const file = JSON.parse(readFileSync(join(repo, 'keys', name), 'utf8')) as {
    N: number;
    r: number;
    p: number;
    salt: string;
    data: string;
  };
  const derived = scryptSync(password, b64(file.salt), 64, {
    N: file.N,
    r: file.r,
    p: file.p,
    maxmem: 256 * file.N * file.r + (1 << 20),
  });
  const user: ResticKey = {
    encrypt: derived.subarray(0, 32),
    mac: { k: derived.subarray(32, 48), r: derived.subarray(48, 64) },
  };
  const master = JSON.parse(new TextDecoder().decode(open(user, b64(file.data), `keys/${name}`))) as {
    encrypt: string;
    mac: { k: string; r: string };
  };
  return { encrypt: b64(master.encrypt), mac: { k: b64(master.mac.k), r: b64(master.mac.r) } };
}

/**
 * Adds `blobs` random data-blob entries to the restic repository at `repo`, in index files of
 * `packsPerFile` packs of `blobsPerPack` blobs (restic 0.14 starts a new index file after ~50,000
 * blobs), each blob 100–1,700 bytes laid end to end in its pack.
 */
export function addSyntheticResticIndex(
  repo: string,
  password: string,
  blobs: number,
  o: { blobsPerPack?: number; packsPerFile?: number } = {},
): { blobs: number; files: number; bytes: number; seconds: number } {
  const started = performance.now();
  const key = masterKey(repo, password);
  const blobsPerPack = o.blobsPerPack ?? 5_000;
  const packsPerFile = o.packsPerFile ?? 10;
  const zstd = zstdCompressor();
  let left = blobs;
  let files = 0;
  let bytes = 0;
  while (left > 0) {
    const packs: string[] = [];
    for (let p = 0; p < packsPerFile && left > 0; p++) {
      const n = Math.min(blobsPerPack, left);
      left -= n;
      packs.push(syntheticPack(n));
    }
    const json = Buffer.from(`{"packs":[${packs.join(',')}]}`);
    const plain = Buffer.concat([Buffer.from([2]), zstd(json)]);
    const sealed = seal(key, plain);
    const id = createHash('sha256').update(sealed).digest('hex');
    writeFileSync(join(repo, 'index', id), sealed, { mode: 0o400 });
    bytes += sealed.length;
    files++;
  }
  return { blobs, files, bytes, seconds: (performance.now() - started) / 1000 };
}

/** zstd level 3 (restic's default): node:zlib's where this Node has it, else the zstd command. */
function zstdCompressor(): (b: Uint8Array) => Uint8Array {
  const native = (zlib as { zstdCompressSync?: (b: Uint8Array) => Buffer }).zstdCompressSync;
  if (native) return native;
  const root = resolve(import.meta.dirname, '..', '..', '..');
  execFileSync('bash', [join(root, 'scripts', 'ensure-debian-package.sh'), 'zstd'], { stdio: 'inherit' });
  return (b) => execFileSync('zstd', ['-3', '-q', '-c'], { input: b, maxBuffer: 1 << 30 });
}

/** One pack's JSON entry with `n` random data blobs. */
function syntheticPack(n: number): string {
  const random = Buffer.alloc(32 * (n + 1) + 2 * n);
  randomFillSync(random);
  const entries: string[] = new Array(n);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const length = 100 + (random.readUInt16LE(32 * (n + 1) + 2 * i) % 1600);
    const id = random.toString('hex', 32 * (i + 1), 32 * (i + 2));
    entries[i] =
      `{"id":"${id}","type":"data","offset":${offset},"length":${length},"uncompressed_length":${length - 60}}`;
    offset += length;
  }
  return `{"id":"${random.toString('hex', 0, 32)}","blobs":[${entries.join(',')}]}`;
}
