// The browser-safe entry point in a real browser: a small program (test/browser/program.ts) is
// bundled from source with esbuild for the browser, served from 127.0.0.1 under a strict Content
// Security Policy, and run in headless Chromium (Debian's package, driven by playwright-core).
// It backs up, restores with verify and checks every byte of an in-memory repository, using
// web standards only (WebCrypto, CompressionStream, WebAssembly).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserResult } from './browser/program';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const INSTALL_TIMEOUT_MS = 20 * 60_000;

function run(cmd: string, args: string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const options = { env, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 64 << 20 };
  return new Promise((resolve, reject) => {
    execFile(cmd, args, options, (error, _stdout, stderr) => {
      if (error)
        reject(new Error(`${cmd} ${args.join(' ')} failed: ${error.message}\n${stderr.slice(-2000)}`));
      else resolve();
    });
  });
}

/** Installs Debian's Chromium when it is missing (CI machines start without it; needs root). */
async function installChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  const how = 'apt-get update && apt-get install -y --no-install-recommends chromium';
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new Error(`the browser test needs Chromium at ${CHROMIUM}; install it as root: ${how}`);
  }
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  const update = () => run('apt-get', [...lock, 'update', '-qq']);
  const install = () =>
    run('apt-get', [...lock, 'install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  // `apt-get update` does not wait for the lists lock: when another apt-get holds it, install
  // from the lists that one leaves behind, and only if that fails update and install again.
  const updated = await update().then(
    () => true,
    () => false,
  );
  try {
    await install().catch(async (e: unknown) => {
      if (updated) throw e;
      await update();
      await install();
    });
  } catch (e) {
    throw new Error(`could not install Chromium for the browser test (${how}):\n${e}`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing`);
}

let chromiumReady: Promise<void> | undefined;
const ensureChromium = () => {
  chromiumReady ??= installChromium();
  return chromiumReady;
};

async function bundleProgram(): Promise<{ code: string; metafile: Metafile }> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./browser/program.ts', import.meta.url))],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['@kluis/source'],
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, metafile: result.metafile };
}

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>kluis</title><script type="module" src="/program.js"></script>';
// What a careful web app would send: scripts from the page's origin only, WebAssembly allowed,
// no eval, no network access beyond the origin.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'";

function serve(code: string): Promise<Server> {
  const server = createServer((req, res) => {
    const body = req.url === '/' ? PAGE : req.url === '/program.js' ? code : undefined;
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const type = req.url === '/' ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8';
    res.writeHead(200, { 'content-type': type, 'content-security-policy': CSP }).end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('@kluis/core in a browser', () => {
  let bundle: { code: string; metafile: Metafile };
  let server: Server | undefined;
  let profile: string | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    [bundle] = await Promise.all([bundleProgram(), ensureChromium()]);
    server = await serve(bundle.code);
    profile = await mkdtemp(join(tmpdir(), 'kluis-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
  }, INSTALL_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('bundles for the browser without a single Node built-in', () => {
    const imports = Object.values(bundle.metafile.inputs).flatMap((i) => i.imports.map((m) => m.path));
    expect(imports.filter((p) => p.startsWith('node:'))).toEqual([]);
    expect(Object.keys(bundle.metafile.inputs).filter((p) => p.includes('/src/node/'))).toEqual([]);
    expect(bundle.code).not.toMatch(/(?:from|import|require)\s*\(?\s*["']node:/);
  });

  it('backs up, restores with verify and checks every byte, in Chromium', async ({ annotate }) => {
    const page = await context!.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    const address = server!.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${address.port}/`);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 50_000 });
    const r = (await page.evaluate(() => window.__result)) as BrowserResult;
    expect({ ok: r.ok, error: r.error, pageErrors }).toEqual({ ok: true, error: undefined, pageErrors: [] });
    expect(r.userAgent).toMatch(/Chrome\//);
    expect(r.nodeGlobals).toEqual({ process: false, Buffer: false });
    expect(r.mismatches).toEqual([]);
    expect(r.backup.files).toBe(5);
    expect(r.backup.bytesTotal).toBe(600_000 + 800 * 72 + 'short note'.length);
    // The copy deduplicates and the text compresses: far less is added and stored than was read.
    expect(r.backup.bytesAdded).toBeLessThan(r.backup.bytesTotal - 250_000);
    expect(r.backup.bytesStored).toBeLessThan(r.backup.bytesAdded);
    expect(r.restore).toEqual({ files: 5, bytes: r.backup.bytesTotal, verified: 5 });
    expect(r.check.problems).toEqual([]);
    expect(r.check.ok).toBe(true);
    expect(r.check.packs).toBeGreaterThan(1);
    expect(r.check.bytesRead).toBeGreaterThanOrEqual(r.backup.bytesStored);
    expect(r.chunker.chunks).toBeGreaterThan(5);
    expect(r.chunker.matchesReference).toBe(true);
    expect(r.deflate.roundTrip).toBe(true);
    expect(r.zstd.vectors).toBeGreaterThan(3);
    expect(r.zstd.decoded).toBe(r.zstd.vectors);
    expect(r.deflate.compressedLength).toBeLessThan(r.deflate.rawLength / 10);
    expect(r.deflate.wasmRoundTrip).toBe(true);
    expect(r.deflate.wasmCompressedLength).toBeLessThan(r.deflate.rawLength / 10);
    await annotate(`bundle ${bundle.code.length} bytes; in-page ms ${JSON.stringify(r.timingsMs)}`);
    await page.close();
  });
});
