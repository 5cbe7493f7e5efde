// The program that browser.test.ts bundles for the browser and runs in headless Chromium. It
// imports only the browser-safe entry point and reports what it saw on `window.__result`; the
// Node side of the test makes the assertions, so a failure shows the numbers.
import { backup, check, initRepository, memoryTransport, restore } from '@kluis/core';
import { portableCrypto } from '@kluis/core/crypto';
import {
  CODEC_ZSTD,
  cutPoints,
  decoderFor,
  loadChunker,
  wasmDeflateRaw,
  webDeflateRaw,
} from '@kluis/core/format';
import { type MemTree, memSource, memTarget, prng } from '../helpers/trees';
import zstdVectors from '../vectors/zstd.json' with { type: 'json' };

/** What the page reports back. */
export interface BrowserResult {
  ok: boolean;
  error?: string;
  userAgent: string;
  /** Node globals seen by the page (both must be false in a real browser). */
  nodeGlobals: { process: boolean; Buffer: boolean };
  backup: { files: number; bytesTotal: number; bytesAdded: number; bytesStored: number; blobsNew: number };
  restore: { files: number; bytes: number; verified: number };
  /** Paths whose restored content or kind differs from the source. */
  mismatches: string[];
  check: { ok: boolean; problems: string[]; packs: number; blobs: number; bytesRead: number };
  chunker: { chunks: number; matchesReference: boolean };
  /** CompressionStream's output, and the wasm encoder's (both read by DecompressionStream). */
  deflate: {
    rawLength: number;
    compressedLength: number;
    roundTrip: boolean;
    wasmCompressedLength: number;
    wasmRoundTrip: boolean;
  };
  /** Known zstd frames (vectors/zstd.json with a plaintext) decoded by the default reader. */
  zstd: { vectors: number; decoded: number };
  timingsMs: Record<string, number>;
}

declare global {
  interface Window {
    __result?: BrowserResult;
  }
}

const CHUNKS = { minSize: 4096, avgSize: 16384, maxSize: 65536 };
const text = (s: string) => new TextEncoder().encode(s);

function sourceTree(): MemTree {
  const line = 'The quick brown fox jumps over the lazy dog; kluis keeps every version.\n';
  return {
    docs: {
      'readme.md': text(line.repeat(800)),
      'notes ✓.txt': text('short note'),
      empty: new Uint8Array(0),
      'readme link': { link: 'readme.md' },
    },
    data: { 'random.bin': prng(300_000, 42), 'random-copy.bin': prng(300_000, 42) },
  };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const isLink = (v: MemTree | { link: string }): v is { link: string } => typeof v.link === 'string';

/** Paths where `got` differs from `want` (missing, extra, other kind or other bytes). */
function compareTrees(want: MemTree, got: MemTree, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of new Set([...Object.keys(want), ...Object.keys(got)])) {
    const path = `${prefix}${name}`;
    const w = want[name];
    const g = got[name];
    if (w instanceof Uint8Array || g instanceof Uint8Array) {
      if (!(w instanceof Uint8Array && g instanceof Uint8Array && equalBytes(w, g))) out.push(path);
    } else if (w === undefined || g === undefined) {
      out.push(path);
    } else if (isLink(w) || isLink(g)) {
      if (!isLink(w) || !isLink(g) || w.link !== g.link) out.push(path);
    } else {
      out.push(...compareTrees(w, g, `${path}/`));
    }
  }
  return out;
}

const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** Zstd blobs (written by Node ≥ 22.15) are read here by the web default codec's zstd decoder. */
async function decodeZstdVectors(): Promise<{ vectors: number; decoded: number }> {
  const decoder = decoderFor(webDeflateRaw, CODEC_ZSTD);
  let vectors = 0;
  let decoded = 0;
  for (const v of zstdVectors.vectors) {
    if (!('plain' in v) || v.plain === undefined || !decoder) continue;
    vectors++;
    const plain = fromBase64(v.plain);
    const out = await decoder.decompress(fromBase64(v.frame), plain.length);
    if (equalBytes(out, plain)) decoded++;
  }
  return { vectors, decoded };
}

async function exerciseCodecs(data: Uint8Array, compressible: Uint8Array) {
  const factory = await loadChunker();
  const wasmCuts = cutPoints(data, { ...CHUNKS, factory });
  const referenceCuts = cutPoints(data, CHUNKS);
  const packed = await webDeflateRaw.compress(compressible);
  const unpacked = await webDeflateRaw.decompress(packed, compressible.length);
  const wasmPacked = await wasmDeflateRaw.compress(compressible);
  const wasmUnpacked = await webDeflateRaw.decompress(wasmPacked, compressible.length);
  return {
    zstd: await decodeZstdVectors(),
    chunker: {
      chunks: wasmCuts.length,
      matchesReference: wasmCuts.join(',') === referenceCuts.join(','),
    },
    deflate: {
      rawLength: compressible.length,
      compressedLength: packed.length,
      roundTrip: equalBytes(unpacked, compressible),
      wasmCompressedLength: wasmPacked.length,
      wasmRoundTrip: equalBytes(wasmUnpacked, compressible),
    },
  };
}

async function run(): Promise<BrowserResult> {
  const timingsMs: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await f();
    timingsMs[name] = Math.round(performance.now() - t0);
    return value;
  };
  const tree = sourceTree();
  const options = { password: 'browser pw', crypto: portableCrypto, codec: wasmDeflateRaw };
  const repo = await timed('init', () =>
    initRepository(memoryTransport(), {
      ...options,
      scrypt: { N: 1024, r: 8, p: 1 },
      chunker: CHUNKS,
      packSize: 1 << 17,
    }),
  );
  const { snapshot } = await timed('backup', () => backup(repo, memSource(tree), { host: 'browser' }));
  const { target, root } = memTarget();
  const restored = await timed('restore', () => restore(repo, 'latest', target, { verify: true }));
  const report = await timed('check', () => check(repo, { readData: true }));
  const data = (tree.data as MemTree)['random.bin'] as Uint8Array;
  const readme = (tree.docs as MemTree)['readme.md'] as Uint8Array;
  const codecs = await timed('codecs', () => exerciseCodecs(data, readme));
  const s = snapshot.summary;
  return {
    ok: true,
    userAgent: navigator.userAgent,
    nodeGlobals: { process: 'process' in globalThis, Buffer: 'Buffer' in globalThis },
    backup: {
      files: s.filesNew,
      bytesTotal: s.bytesTotal,
      bytesAdded: s.bytesAdded,
      bytesStored: s.bytesStored,
      blobsNew: s.blobsNew,
    },
    restore: { files: restored.files, bytes: restored.bytes, verified: restored.verified },
    mismatches: compareTrees(tree, root),
    check: {
      ok: report.ok,
      problems: report.problems.map((p) => `${p.kind} ${p.object}: ${p.message}`),
      packs: report.packs,
      blobs: report.blobs,
      bytesRead: report.bytesRead,
    },
    ...codecs,
    timingsMs,
  };
}

run().then(
  (result) => {
    window.__result = result;
  },
  (e: unknown) => {
    const error = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
    window.__result = { ok: false, error } as BrowserResult;
  },
);
