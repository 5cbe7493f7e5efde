import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_TIMEOUT_MS, type LaunchedChromium, launchChromium } from '../../../scripts/chromium.ts';
import type { BrowserResult } from './browser/program';

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
  let browser: LaunchedChromium | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    [bundle, browser] = await Promise.all([bundleProgram(), launchChromium('kluis-chromium-')]);
    context = browser.context;
    server = await serve(bundle.code);
  }, INSTALL_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
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
