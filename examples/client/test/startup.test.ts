// Start-up loads what a command needs, nothing more: `kluis --help` and `--version` load only the
// command line's own modules and @kluis/core's small early-key entry point (no engine, zod, storage
// SDKs or worker threads), and a command
// that opens a local repository loads no storage SDK, no retention library and no worker script.
// Checked on the built command with a loader hook that lists every module loaded (not by timing:
// docs/benchmarks.md has the times).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'kluis.js');
const trace = join(import.meta.dirname, 'fixtures', 'trace-loads.mjs');
let dir: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-startup-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the built kluis with the tracing hook; returns its exit code, output and loaded URLs. */
async function traced(args: string[], trace_ = true) {
  const file = join(dir, `loads-${n++}.txt`);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    XDG_CACHE_HOME: join(dir, 'cache'),
    KLUIS_PASSWORD: 'pw',
    KLUIS_TRACE_LOADS: file,
  };
  const node = trace_ ? ['--import', trace] : [];
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [...node, bin, ...args], { env, cwd: dir });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
  const loads = trace_ ? (await readFile(file, 'utf8')).split('\n').filter(Boolean) : [];
  return { code, out, loads };
}

/** Loaded URLs that match `pattern`. */
const matching = (loads: string[], pattern: RegExp) => loads.filter((u) => pattern.test(u));

/** @kluis/core's early-key entry point and the shared chunks it loads. */
const EARLY_KEY = /packages\/core\/dist\/(node\/early-key\.js|chunk-[A-Z0-9]+\.js)$/;
const ENGINE =
  /node_modules\/(@kluis\/|zod\/|@aws-sdk\/|@noble\/|zstddec|fzstd|temporal)|packages\/[^/]+\/dist\//;
const NEVER_FOR_A_LOCAL_REPOSITORY =
  /@aws-sdk\/|@smithy\/|transport-s3|transport-http|packages\/retention\/|temporal|_encoder-worker|_decoder-worker/;

describe('start-up loads only what the command needs', { timeout: 60_000 }, () => {
  it('the hook sees what a command loads (a command that opens a repository loads the engine)', async () => {
    const repo = join(dir, 'repo');
    const init = await traced(['--repo', repo, 'init', '--scrypt-n', '1024']);
    expect(init.code, init.out).toBe(0);
    // The engine and its schemas: proof that the hook records packages, so the empty lists
    // below mean something.
    expect(matching(init.loads, /packages\/core\/dist\/index\.js$/)).toHaveLength(1);
    expect(matching(init.loads, /node_modules\/zod\//).length).toBeGreaterThan(0);
  });

  for (const args of [['--help'], ['--version'], ['-h'], []]) {
    it(`kluis ${args.join(' ') || '(no arguments)'} loads only the command line's own modules`, async () => {
      const r = await traced(args);
      expect(r.out).toMatch(args[0] === '--version' ? /^kluis \d/ : /^usage: kluis/);
      expect(r.loads.length).toBeGreaterThan(1);
      expect(
        matching(
          r.loads.filter((u) => !EARLY_KEY.test(u)),
          ENGINE,
        ),
      ).toEqual([]);
      expect(matching(r.loads, /^node:(worker_threads|zlib|child_process|readline)$/)).toEqual([]);
      const early = r.loads.filter((u) => EARLY_KEY.test(u));
      const own = r.loads.filter((u) => !u.startsWith('node:') && !EARLY_KEY.test(u));
      for (const u of own) expect(u).toMatch(/examples\/client\/(dist|bin)\//);
      // The key derivation's head start (cli.ts starts it first): core's light entry point and the
      // small shared chunks it imports, and nothing else of core.
      expect(matching(early, /node\/early-key\.js$/)).toHaveLength(1);
      const sizes = await Promise.all(early.map(async (u) => (await stat(fileURLToPath(u))).size));
      expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(24 * 1024);
    });
  }

  it('kluis snapshots on a local repository loads no storage SDK, retention library or worker', async () => {
    const repo = join(dir, 'snapshots-repo');
    expect((await traced(['--repo', repo, 'init', '--scrypt-n', '1024'], false)).code).toBe(0);
    const r = await traced(['--repo', repo, 'snapshots']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('0 snapshots');
    expect(matching(r.loads, /packages\/core\/dist\/index\.js$/)).toHaveLength(1);
    expect(matching(r.loads, NEVER_FOR_A_LOCAL_REPOSITORY)).toEqual([]);
  });

  it('kluis backup --help loads its own command module, and not another command', async () => {
    const r = await traced(['backup', '--help']);
    expect(r.out).toMatch(/^usage: kluis backup/);
    expect(matching(r.loads, /examples\/client\/dist\/backup-[^/]+\.js$/)).toHaveLength(1);
    expect(matching(r.loads, /examples\/client\/dist\/(maintenance|restore|snapshots)-[^/]+\.js$/)).toEqual(
      [],
    );
  });
});
