// The restore page end to end, in real headless Chromium against a real kluis-server on 127.0.0.1:
// a tree is backed up by the `kluis` command (a child process), then the page built from
// restore-page/ signs in, browses, searches, and downloads a file (File System Access API) and a
// folder as a zip (service worker), and the bytes are compared; a wrong password and a tampered
// pack give their errors, and the tampered file is not written.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_TIMEOUT_MS, type LaunchedChromium, launchChromium } from '../../../scripts/chromium.ts';
import { kluisProcess } from '../../client/test/_kluis-process.ts';
import { buildRestorePage, integrity } from '../restore-page/build.ts';
import { RESTORE_PAGE_CSP } from '../src/restore-page.ts';
import { startServer, type TestServer } from './_server.ts';

const PAGE_DIR = fileURLToPath(new URL('../dist/restore-page/', import.meta.url));
const REPO_PASSWORD = 'browser restore secret';
const BIG = 96 * 2 ** 20;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let s: TestServer;
let alicePw: string;
let browser: LaunchedChromium | undefined;
let src: string;
let big: Buffer;
const small: Record<string, Buffer> = {};

/** Runs `kluis` (the built command, a child process) against alice's repository `name`. */
async function kluis(name: string, args: string[]): Promise<string> {
  const url = new URL(`/alice/${name}/`, s.url);
  url.username = 'alice';
  url.password = alicePw;
  const env = {
    KLUIS_REPOSITORY: url.toString(),
    KLUIS_PASSWORD: REPO_PASSWORD,
    XDG_CONFIG_HOME: join(s.dir, 'config'),
    KLUIS_CACHE_DIR: join(s.dir, 'cache'),
  };
  const r = await kluisProcess(args, env);
  if (r.code !== 0) throw new Error(`kluis ${args.join(' ')} exited ${r.code}: ${r.err}`);
  return r.out.toString();
}

async function makeTree(): Promise<void> {
  src = join(s.dir, 'home');
  small['docs/readme.txt'] = Buffer.from('Restore me from a browser.\n'.repeat(4000));
  small['docs/notes ✓.txt'] = Buffer.from('short note');
  small['docs/deep/inner/report-2026.csv'] = Buffer.from('a,b,c\n1,2,3\n'.repeat(20_000));
  small['photos/holiday.jpg'] = randomBytes(700_000);
  for (const [path, bytes] of Object.entries(small)) {
    await mkdir(join(src, path, '..'), { recursive: true });
    await writeFile(join(src, path), bytes);
  }
  await mkdir(join(src, 'docs', 'empty'), { recursive: true });
  big = randomBytes(BIG);
  await writeFile(join(src, 'big.bin'), big);
}

async function openPage(o: { picker: 'opfs' | 'none' }): Promise<Page> {
  const page = await browser!.context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.addInitScript((mode) => {
    const w = window as unknown as Record<string, unknown>;
    delete w.showSaveFilePicker;
    delete (Window.prototype as unknown as Record<string, unknown>).showSaveFilePicker;
    // A save dialog cannot be clicked in a headless browser: the "chosen" file is one in the
    // origin-private file system, whose writable is the same FileSystemWritableFileStream.
    if (mode === 'opfs')
      w.showSaveFilePicker = async ({ suggestedName }: { suggestedName: string }) =>
        (await navigator.storage.getDirectory()).getFileHandle(suggestedName, { create: true });
  }, o.picker);
  await page.goto(new URL('/-/restore/', s.url).href);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

async function signIn(page: Page, repo: string, password = REPO_PASSWORD): Promise<void> {
  await page.getByLabel('Account', { exact: true }).fill('alice');
  await page.getByLabel('Account password').fill(alicePw);
  await page.getByLabel('Repository path').fill(repo);
  await page.getByLabel('Repository password').fill(password);
  await page.getByRole('button', { name: 'Open' }).click();
}

/** The size and SHA-256 of a file in the page's origin-private file system (`-1` if absent). */
function opfsFile(page: Page, name: string): Promise<{ size: number; sha256: string }> {
  return page.evaluate(async (n) => {
    const root = await navigator.storage.getDirectory();
    const handle = await root.getFileHandle(n).catch(() => undefined);
    if (!handle) return { size: -1, sha256: '' };
    const file = await handle.getFile();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
    return { size: file.size, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
  }, name);
}

/**
 * What the page holds: its JS heap plus ArrayBuffer backing stores, after a garbage collection
 * (so it measures what is kept, not garbage the collector has not reached yet).
 */
async function liveMemory(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const h = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  return h.usedSize + (h.backingStorageSize ?? 0);
}

/** Samples {@link liveMemory} until `stop` resolves; returns the peak and the number of samples. */
async function peakMemory(
  cdp: CDPSession,
  stop: Promise<unknown>,
): Promise<{ peak: number; samples: number }> {
  let peak = 0;
  let samples = 0;
  let done = false;
  void stop.finally(() => {
    done = true;
  });
  while (!done) {
    peak = Math.max(peak, await liveMemory(cdp));
    samples++;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { peak, samples };
}

beforeAll(async () => {
  await buildRestorePage(PAGE_DIR);
  // Maintenance makes the server unavailable (the default window is on Saturdays; the test clock
  // says Wednesday until a test moves it).
  s = await startServer({ maintenance: { mode: 'unavailable' } });
  alicePw = await s.addAccount('alice');
  const launching = launchChromium('kluis-chromium-restore-');
  await makeTree();
  await kluis('laptop', ['init', '--scrypt-n', '1024']);
  await kluis('laptop', ['backup', src]);
  browser = await launching;
}, INSTALL_TIMEOUT_MS + 300_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('the restore page served by kluis-server', () => {
  it('is served with a strict CSP, nosniff, no framing and SRI on its own bundle', async () => {
    const r = await fetch(new URL('/-/restore/', s.url));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toBe(RESTORE_PAGE_CSP);
    expect(RESTORE_PAGE_CSP).toContain("frame-ancestors 'none'");
    expect(RESTORE_PAGE_CSP).not.toContain('unsafe-inline');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await r.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/); // no inline script
    expect(html).not.toMatch(/https?:\/\//); // no third-party resource
    const app = new Uint8Array(await (await fetch(new URL('/-/restore/app.js', s.url))).arrayBuffer());
    expect(html).toContain(`src="./app.js" integrity="${integrity(app)}"`);
    const css = new Uint8Array(await (await fetch(new URL('/-/restore/style.css', s.url))).arrayBuffer());
    expect(html).toContain(`integrity="${integrity(css)}"`);
    expect((await fetch(new URL('/-/restore/nothing.js', s.url))).status).toBe(404);
    expect((await fetch(new URL('/-/restore/', s.url), { method: 'POST' })).status).toBe(405);
  });

  it('signs in, browses, searches, and downloads a big file in constant memory', async ({ annotate }) => {
    const page = await openPage({ picker: 'opfs' });
    await signIn(page, 'alice/laptop');
    await page
      .getByRole('button', { name: /^Browse the snapshot/ })
      .first()
      .click();
    // The snapshot's root holds the backed-up folder under its name (home/).
    await page.getByRole('button', { name: 'Open folder home' }).click();
    expect(await page.evaluate(() => document.body.dataset.kdfWorker)).toBe('1');
    await page.getByRole('button', { name: 'Open folder docs' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Download readme.txt' }).count()).toBe(2);
    const rowText = await page.locator('#listing tbody tr', { hasText: 'readme.txt' }).textContent();
    expect(rowText).toContain('105.5 KiB');

    // Search: a name three folders down.
    await page.getByLabel('Search names in this snapshot').fill('report');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('1 match(es) for report.');
    expect(await page.locator('#listing tbody').textContent()).toContain(
      'home/docs/deep/inner/report-2026.csv',
    );

    // Keyboard: arrow keys move between rows.
    await page.getByLabel('Search names in this snapshot').fill('');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: 'Open folder deep' }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Open folder empty',
    );

    // The big file, streamed to the file: memory stays far below its size.
    await page.getByRole('button', { name: 'Snapshot root' }).click();
    await page.getByRole('button', { name: 'Open folder home' }).click();
    const cdp = await browser!.context.newCDPSession(page);
    const before = await liveMemory(cdp);
    await page.getByRole('button', { name: 'Download big.bin' }).first().click();
    const finished = page.waitForSelector('body[data-transfer="done"]', { timeout: 300_000 });
    const sampling = peakMemory(cdp, finished);
    // Progress while it runs: bytes of the total, the rate and the time left.
    const shown = await page.waitForFunction(() => {
      const text = document.getElementById('progress-text')?.textContent ?? '';
      return /^[\d.]+ \w+ of 96\.0 MiB · [\d.]+ \w+\/s · .+ left$/.test(text) && text;
    });
    expect(await shown.jsonValue()).not.toMatch(/— left/);
    // Searching meanwhile does not cancel the download.
    await page.getByLabel('Search names in this snapshot').fill('holiday');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('1 match(es) for holiday.');
    const { peak, samples } = await sampling;
    await finished;
    expect(await page.locator('#progress-text').textContent()).toMatch(/^Saved big\.bin: 96\.0 MiB in /);
    expect(await opfsFile(page, 'big.bin')).toEqual({ size: BIG, sha256: sha256(big) });
    // Held whole, the file would add 96 MiB; streamed, the page holds a few blobs in flight.
    expect(samples).toBeGreaterThan(3);
    expect(peak - before).toBeLessThan(BIG / 8);
    await annotate(
      `page memory before ${before} B, peak during the 96 MiB download ${peak} B (${samples} samples)`,
    );

    if (process.env.KLUIS_SCREENSHOT) {
      await page.getByRole('button', { name: 'Open folder docs' }).click();
      await page.screenshot({
        path: fileURLToPath(new URL('../../../docs/images/restore-page.png', import.meta.url)),
        fullPage: true,
      });
    }
    await page.close();
  }, 600_000);

  it('downloads a folder as a zip through the service worker where there is no save dialog', async () => {
    const page = await openPage({ picker: 'none' });
    await signIn(page, 'alice/laptop');
    await page
      .getByRole('button', { name: /^Browse the snapshot/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Open folder home' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download folder docs as .zip' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('docs.zip');
    const saved = join(s.dir, 'docs.zip');
    await download.saveAs(saved);
    await page.waitForSelector('body[data-transfer="done"]');
    const zip = unzipSync(new Uint8Array(await readFile(saved)));
    const files = Object.fromEntries(Object.entries(zip).filter(([name]) => !name.endsWith('/')));
    const want = Object.fromEntries(
      Object.entries(small)
        .filter(([p]) => p.startsWith('docs/'))
        .map(([p, b]) => [p, sha256(b)]),
    );
    expect(Object.fromEntries(Object.entries(files).map(([p, b]) => [p, sha256(b)]))).toEqual(want);
    expect(Object.keys(zip)).toContain('docs/empty/');

    // A single file the same way.
    await page.getByRole('button', { name: 'Open folder photos' }).click();
    const [photo] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download holiday.jpg' }).first().click(),
    ]);
    const photoPath = join(s.dir, 'holiday.jpg');
    await photo.saveAs(photoPath);
    expect(sha256(await readFile(photoPath))).toBe(sha256(small['photos/holiday.jpg']!));
    await page.close();
  }, 300_000);

  it('says so when the repository password or the account password is wrong', async () => {
    const page = await openPage({ picker: 'opfs' });
    await signIn(page, 'alice/laptop', 'not the password');
    await page.waitForSelector('body[data-error="WRONG_PASSWORD"]');
    expect(await page.getByRole('alert').textContent()).toContain('Wrong repository password');
    expect(await page.locator('#login-view').isVisible()).toBe(true);

    await page.getByLabel('Account password').fill('wrong account password');
    await page.getByLabel('Repository password').fill(REPO_PASSWORD);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.waitForSelector('body[data-error="AUTH"]');
    expect(await page.getByRole('alert').textContent()).toContain('did not accept this account and password');
    await page.close();
  }, 120_000);

  it('resumes a file download where it stopped after the connection is lost', async () => {
    const page = await openPage({ picker: 'opfs' });
    await signIn(page, 'alice/laptop');
    await page
      .getByRole('button', { name: /^Browse the snapshot/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Open folder home' }).click();
    await page.getByRole('button', { name: 'Open folder photos' }).click();
    // The network goes away after the third pack read: every request of the page fails
    // (retries included) until it comes back.
    let reads = 0;
    let network: 'up' | 'down' | 'back' = 'up';
    await page.route(
      (url) => url.pathname.startsWith('/alice/') || url.pathname === '/-/health',
      (route) => {
        if (network === 'up' && route.request().url().includes('/data/') && ++reads > 3) network = 'down';
        return network === 'down' ? route.abort('internetdisconnected') : route.continue();
      },
    );
    await page.getByRole('button', { name: 'Download holiday.jpg' }).first().click();
    await page.waitForSelector('body[data-transfer="failed"]');
    expect(await page.getByRole('alert').textContent()).toContain('The connection to the server was lost');
    const resume = page.getByRole('button', { name: 'Resume' });
    expect(await resume.isVisible()).toBe(true);
    network = 'back';
    await resume.click();
    await page.waitForSelector('body[data-transfer="done"]');
    const want = small['photos/holiday.jpg']!;
    expect(await opfsFile(page, 'holiday.jpg')).toEqual({ size: want.length, sha256: sha256(want) });
    await page.close();
  }, 120_000);

  it('says until when the server is in maintenance', async () => {
    const page = await openPage({ picker: 'opfs' });
    const wednesday = s.clock.now;
    s.clock.now = Date.parse('2026-03-28T10:00:00+01:00'); // a Saturday, inside the window
    try {
      await signIn(page, 'alice/laptop');
      await page.waitForSelector('body[data-error="UNAVAILABLE"]', { timeout: 60_000 });
    } finally {
      s.clock.now = wednesday;
    }
    const end = new Date(Date.parse('2026-03-28T17:00:00+01:00'));
    const shown = await page.evaluate((t) => new Date(t).toLocaleString(), end.toISOString());
    expect(await page.getByRole('alert').textContent()).toContain(`is in maintenance`);
    expect(await page.getByRole('alert').textContent()).toContain(`until ${shown}`);
    await page.close();
  }, 120_000);

  it('reports a tampered pack and writes nothing of the damaged file', async () => {
    const secret = join(s.dir, 'secret');
    await mkdir(secret, { recursive: true });
    await writeFile(join(secret, 'secret.bin'), randomBytes(200_000));
    await kluis('tamper', ['init', '--scrypt-n', '1024']);
    await kluis('tamper', ['backup', secret]);
    const packs: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (p.includes('/tamper/data/')) packs.push(p);
      }
    };
    await walk(s.dir);
    expect(packs.length).toBeGreaterThan(0);
    // Tree packs are small, the one data pack holds the 200 kB of random bytes: damage only it.
    let damaged = 0;
    for (const p of packs) {
      const bytes = await readFile(p);
      if (bytes.length < 150_000) continue;
      bytes[100]! ^= 0x01; // inside the first blob of the pack
      await writeFile(p, bytes);
      damaged++;
    }
    expect(damaged).toBe(1);
    const page = await openPage({ picker: 'opfs' });
    await signIn(page, 'alice/tamper');
    await page
      .getByRole('button', { name: /^Browse the snapshot/ })
      .first()
      .click();
    await page.getByRole('button', { name: 'Open folder secret' }).click();
    await page.getByRole('button', { name: 'Download secret.bin' }).first().click();
    await page.waitForSelector('body[data-transfer="failed"]');
    expect(await page.evaluate(() => document.body.dataset.error)).toBe('INTEGRITY');
    expect(await page.getByRole('alert').textContent()).toContain('Damaged data');
    const written = await opfsFile(page, 'secret.bin');
    expect(written.size).toBeLessThanOrEqual(0); // absent, or created empty by the dialog and never written
    await page.close();
    await rm(secret, { recursive: true, force: true });
  }, 120_000);
});
