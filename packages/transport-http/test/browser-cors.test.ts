// CORS in a real browser: a page served from one origin (127.0.0.1:A) uses httpTransport against
// a REST handler on another (127.0.0.1:B). With the handler's `cors` option listing the page's
// origin, every operation works and the client reads the headers it needs (Content-Range,
// Kluis-Create-Only, Kluis-Error); without it, the browser refuses the first request.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { memoryTransport } from '@kluis/core';
import { build } from 'esbuild';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_TIMEOUT_MS, type LaunchedChromium, launchChromium } from '../../../scripts/chromium.ts';
import type { Principal, RestHandlerOptions } from '../src/index';
import { startServer, type TestServer } from './_helpers';
import type { CorsResult } from './browser/cors-program';

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>kluis</title><script type="module" src="/program.js"></script>';

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./browser/cors-program.ts', import.meta.url))],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    conditions: ['@kluis/source'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

function servePage(code: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    const body = path === '/' ? PAGE : path === '/program.js' ? code : undefined;
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': path === '/' ? 'text/html' : 'text/javascript' }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const alice: Principal = { name: 'alice' };
const expected = `Basic ${btoa('alice:alice-password')}`;

describe('httpTransport from a page on another origin, in Chromium', () => {
  let page: Server;
  let pageOrigin: string;
  let browser: LaunchedChromium | undefined;
  let context: BrowserContext;

  beforeAll(async () => {
    const [code, launched] = await Promise.all([bundle(), launchChromium('kluis-chromium-cors-')]);
    browser = launched;
    context = launched.context;
    page = await servePage(code);
    pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  }, INSTALL_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (page ? page.close(() => resolve()) : resolve()));
  });

  async function runPage(options: RestHandlerOptions): Promise<CorsResult> {
    const server: TestServer = await startServer(
      memoryTransport(),
      { authenticate: (r) => (r.headers.get('authorization') === expected ? alice : undefined) },
      options,
    );
    const tab = await context.newPage();
    try {
      await tab.goto(`${pageOrigin}/?server=${encodeURIComponent(server.url)}`);
      await tab.waitForFunction(() => window.__corsResult !== undefined, null, { timeout: 30_000 });
      return (await tab.evaluate(() => window.__corsResult)) as CorsResult;
    } finally {
      await tab.close();
      await server.close();
    }
  }

  it('works with the origin allowed, and reads every header the client needs', async () => {
    const r = await runPage({ cors: { origins: [pageOrigin] } });
    expect(r).toEqual({
      ok: true,
      origin: pageOrigin,
      conditionalPut: true,
      stat: 5,
      range: [2, 3, 4],
      listed: ['keys/k1'],
      missing: 'NOT_FOUND',
      unauthenticated: 'AUTH',
    });
  });

  it('is refused by the browser when the handler does not allow the origin', async () => {
    const off = await runPage({});
    const other = await runPage({ cors: { origins: ['https://elsewhere.example.org'] } });
    for (const r of [off, other]) {
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(/network error|Failed to fetch/);
    }
  });
});
