// Checks the built package (dist/, made by `npm run build`, which `npm ci` runs): entry points share
// chunks instead of carrying copies, and each worker script loads only what it uses.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFLATE_WASM_BASE64 } from '../src/deflate/_deflate-wasm';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
if (!existsSync(join(dist, 'index.js'))) {
  throw new Error(`${dist} has no build: run \`npm run build -w packages/core\` first`);
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}
const files = jsFiles(dist);
const text = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));

/** The dist files `entry` loads: itself and every relative import, transitively. */
function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [resolve(dist, entry)];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of text.get(file)!.matchAll(/(?:from|import)\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      queue.push(resolve(dirname(file), m[1]!));
    }
  }
  return seen;
}

const withText = (needle: string) =>
  files.filter((f) => text.get(f)!.includes(needle)).map((f) => relative(dist, f));
/** A stretch of the DEFLATE encoder's WebAssembly, as embedded (base64) in the build. */
const wasmMark = DEFLATE_WASM_BASE64.slice(4000, 4100);

describe('the built package', () => {
  it('holds one copy of KluisError and of the DEFLATE WebAssembly, shared by every entry point', () => {
    expect(withText('KluisError = class')).toHaveLength(1);
    expect(withText(wasmMark)).toHaveLength(1);
    const shared = withText('KluisError = class')[0]!;
    for (const entry of ['index.js', 'format.js', 'crypto.js', 'testing.js', 'node/index.js']) {
      expect([...closure(entry)].map((f) => relative(dist, f))).toContain(shared);
    }
  });

  it('the decoder worker does not load the compressor; the encoder worker does not load the decoder', () => {
    const decoder = [...closure('node/_decoder-worker.js')];
    expect(decoder.filter((f) => text.get(f)!.includes(wasmMark))).toEqual([]);
    expect(decoder.some((f) => text.get(f)!.includes('inflateRawSync'))).toBe(true);
    const encoder = [...closure('node/_encoder-worker.js')];
    expect(encoder.some((f) => text.get(f)!.includes('function writeRunFiles'))).toBe(false);
  });

  describe('loaded', () => {
    const root = mkdtempSync(join(tmpdir(), 'kluis-dist-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('errors from one entry point are the KluisError of the other, and the workers run from dist', async () => {
      const core = (await import(
        pathToFileURL(join(dist, 'index.js')).href
      )) as typeof import('../src/index');
      const node = (await import(
        pathToFileURL(join(dist, 'node/index.js')).href
      )) as typeof import('../src/node/index');
      const transport = node.localTransport({ root });
      const err = await transport.get('data/00').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(core.KluisError);
      expect(core.KluisError.is(err, 'NOT_FOUND')).toBe(true);

      const repo = await core.initRepository(transport, {
        password: 'pw',
        scrypt: { N: 1024, r: 8, p: 1 },
        crypto: node.nativeCrypto,
        encoder: node.workerBlobEncoder({ threads: 1, inlineBytes: 0 }),
        decoder: node.workerBlobDecoder({ threads: 1, inlineBytes: 0 }),
        codec: node.nodeDeflateRaw,
      });
      try {
        const plain = new TextEncoder().encode('kluis '.repeat(5000));
        const { id } = await repo.blobs.save('data', plain);
        await repo.blobs.flush();
        expect(await repo.blobs.load(id)).toEqual(plain);
        // Through the decoder worker: open the stored run and check it, as check --read-data does.
        const loc = repo.blobs.index.get(id)!;
        const opened = await repo.decoder.open({
          bytes: await transport.get(`data/${Buffer.from(loc.pack).toString('hex')}`),
          blobs: [loc],
          where: 'test',
        });
        expect(opened[0]).toEqual(plain);
      } finally {
        await repo.close();
      }
    });
  });
});

describe('builtWorkerUrl', () => {
  it('finds the worker scripts in dist/node from dist/node and from a shared chunk at dist', async () => {
    const { builtWorkerUrl } = await import('../src/node/_spawn-worker');
    const base = 'file:///pkg/dist';
    expect(builtWorkerUrl('_decoder-worker', `${base}/node/index.js`).href).toBe(
      `${base}/node/_decoder-worker.js`,
    );
    expect(builtWorkerUrl('_encoder-worker', `${base}/chunk-ABC.js`).href).toBe(
      `${base}/node/_encoder-worker.js`,
    );
  });
});
