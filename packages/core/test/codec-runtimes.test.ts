// Cross-runtime codecs: a repository written under Node 24 (zstd, node:zlib) is read under this
// Node (Node 20 in CI: the portable zstd decoder) and the other way round, each side on worker
// threads, and with the browser's default codec. Node 24 is installed from the npm registry
// into .bench/node24 when missing (scripts/node24.mjs).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNode24 } from '../../../scripts/node24.mjs';
import { CODEC_DEFLATE_RAW, CODEC_NONE, CODEC_ZSTD, webDeflateRaw } from '../src/format/index';
import { openRepository, restore } from '../src/index';
import { localTransport, nodeZstd } from '../src/node/index';
import { codecTree, sameTree } from './helpers/codec-tree';
import { memTarget } from './helpers/trees';

const child = join(import.meta.dirname, 'fixtures', 'codec-child.ts');
const reuseChild = join(import.meta.dirname, 'fixtures', 'zstd-reuse-child.ts');

type Report = { node: string; codecs: Record<string, number>; checked?: boolean; restored?: boolean };

function run(node: string, mode: 'write' | 'read', root: string): Promise<Report> {
  return spawnOut(node, ['--conditions=@kluis/source', '--import', 'tsx', child, mode, root]).then(
    (out) => JSON.parse(out) as Report,
  );
}

function spawnOut(node: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(node, args, { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${node} ${args.join(' ')} exited ${code}: ${err}${out}`)),
    );
  });
}

describe('codecs across runtimes', () => {
  let node24: string;
  let dir: string;
  beforeAll(async () => {
    node24 = ensureNode24();
    dir = await mkdtemp(join(tmpdir(), 'kluis-codec-runtimes-'));
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('Node 24 writes zstd blobs; this Node and a browser-style reader read every byte', async () => {
    const root = join(dir, 'from-24');
    const wrote = await run(node24, 'write', root);
    expect(wrote.node.startsWith('v24.')).toBe(true);
    expect(wrote.codecs[CODEC_ZSTD]).toBeGreaterThan(0);
    expect(wrote.codecs[CODEC_DEFLATE_RAW]).toBeUndefined();
    const read = await run(process.execPath, 'read', root);
    expect(read).toMatchObject({ node: process.version, checked: true, restored: true });
    // The web-standard default codec, inline on this thread: what a browser runs.
    const repo = await openRepository(localTransport({ root }), { password: 'pw', codec: webDeflateRaw });
    const out = memTarget();
    await restore(repo, 'latest', out.target);
    expect(sameTree(out.root, codecTree())).toBe(true);
  });

  it('this Node writes with its own codec; Node 24 reads every byte', async () => {
    const root = join(dir, 'from-here');
    const wrote = await run(process.execPath, 'write', root);
    const own = Number(process.versions.node.split('.')[0]) >= 24 ? CODEC_ZSTD : CODEC_DEFLATE_RAW;
    expect(Object.keys(wrote.codecs).map(Number).sort()).toEqual([CODEC_NONE, own].sort());
    const read = await run(node24, 'read', root);
    expect(read).toMatchObject({ checked: true, restored: true, codecs: wrote.codecs });
    expect(read.node.startsWith('v24.')).toBe(true);
  });

  // The kept zstd decompression context (src/node/_zstd-dcontext.ts) against a fresh one per
  // frame, on mixed sequences of valid, damaged and empty frames: same bytes, same errors, and
  // valid frames after damaged ones still decode. In a child process under Node 24, so that a
  // crash of the native handle (a segmentation fault) fails this test instead of the runner.
  it('a kept zstd decompression context decodes what a fresh one does, damaged frames included', async () => {
    const out = await spawnOut(node24, ['--conditions=@kluis/source', '--import', 'tsx', reuseChild]);
    const r = JSON.parse(out) as {
      node: string;
      frames: number;
      counts: Record<string, number>;
      contexts: number;
      shared: number;
      reused: boolean;
    };
    expect(r.node.startsWith('v24.')).toBe(true);
    expect(r.reused).toBe(true);
    for (const kind of [
      'valid',
      'empty frame',
      'empty input',
      'bit flip',
      'truncated',
      'garbage',
      'garbage after magic',
      'larger than recorded',
      'smaller than recorded',
      'bytes after the frame',
      'two frames',
    ])
      expect(r.counts[kind], kind).toBeGreaterThan(10);
    // Reuse happened: far fewer contexts than frames (one per sequence plus one per failure).
    expect(r.contexts).toBeLessThan(r.frames / 2);
    expect(r.shared).toBeLessThan(r.frames / 2);
  }, 180_000);

  // Where this Node has no zstd, codecs.prop.test.ts skips its native-encoder property: run the
  // whole file under Node 24 instead, and require that nothing in it was skipped there.
  it.skipIf(nodeZstd !== undefined)(
    'codecs.prop.test.ts passes under Node 24 with nothing skipped',
    async () => {
      const report = join(dir, 'codecs-report.json');
      const vitest = join(import.meta.dirname, '..', '..', '..', 'node_modules', 'vitest', 'vitest.mjs');
      await spawnOut(node24, [
        vitest,
        'run',
        'test/codecs.prop.test.ts',
        '--reporter=json',
        `--outputFile=${report}`,
      ]);
      const r = JSON.parse(await readFile(report, 'utf8')) as Record<string, number>;
      expect(r).toMatchObject({ numFailedTests: 0, numPendingTests: 0, numTodoTests: 0 });
      expect(r.numPassedTests).toBeGreaterThan(5);
    },
  );
});
