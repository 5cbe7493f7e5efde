/**
 * The restore page's throughput against the CLI's, on this machine: a 200 MB snapshot (eight
 * files of random bytes, so nothing deduplicates or compresses) is backed up by `kluis` to a
 * kluis-server on 127.0.0.1, then restored (a) by `kluis restore` (native crypto, worker
 * threads) and (b) by the restore page in headless Chromium, as one streamed zip of the whole
 * folder and as one 25 MB file, written to the browser's origin-private file system through the
 * same FileSystemWritableFileStream the save dialog gives. Prints a table in MB/s (10^6 B/s).
 *
 *   npm run bench -- browser-restore        (or: npx tsx --conditions=@kluis/source examples/server/bench/browser-restore.ts)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../../scripts/chromium.ts';
import { buildRestorePage } from '../restore-page/build.ts';
import { createApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { listen } from '../src/listen.ts';
import { hashPassword } from '../src/password.ts';

const FILES = 8;
const FILE_BYTES = 25_000_000;
const TOTAL = FILES * FILE_BYTES;
const ACCOUNT_PW = 'bench-account-password';
const REPO_PW = 'bench-repository-password';
const kluisBin = fileURLToPath(new URL('../../client/bin/kluis.js', import.meta.url));

await buildRestorePage(fileURLToPath(new URL('../dist/restore-page/', import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'kluis-browser-bench-'));
const config = parseConfig({ dataDir: join(dir, 'server'), port: 0, maintenance: { mode: 'off' } }, dir);
const app = await createApp({ config });
const server = await listen(app, config);
app.accounts.add('alice', await hashPassword(ACCOUNT_PW), { actor: 'bench' });
app.grants.grant({ account: 'alice', role: 'backup', scope: 'alice', by: 'bench' });
const repoUrl = new URL('/alice/bench/', server.url);
repoUrl.username = 'alice';
repoUrl.password = ACCOUNT_PW;

/** Runs `kluis` as a child process (the server answers in this one); resolves with its wall time in s. */
function kluis(...args: string[]): Promise<number> {
  const env = {
    ...process.env,
    KLUIS_REPOSITORY: repoUrl.href,
    KLUIS_PASSWORD: REPO_PW,
    XDG_CONFIG_HOME: join(dir, 'config'),
    KLUIS_CACHE_DIR: join(dir, 'cache'),
  };
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [kluisBin, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve((performance.now() - t0) / 1000)
        : reject(new Error(`kluis ${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

const src = join(dir, 'data');
mkdirSync(src);
for (let i = 0; i < FILES; i++) writeFileSync(join(src, `part-${i}.bin`), randomBytes(FILE_BYTES));
await kluis('init', '--scrypt-n', '1024');
await kluis('backup', src);
const cliSeconds = await kluis('restore', 'latest', '--target', join(dir, 'restored'));
rmSync(join(dir, 'restored'), { recursive: true, force: true });

const browser = await launchChromium('kluis-chromium-bench-');
const rows: [string, number, number][] = [['kluis restore (CLI)', TOTAL, cliSeconds]];
process.stderr.write(`CLI restore: ${cliSeconds.toFixed(2)} s\n`);
try {
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    (window as unknown as Record<string, unknown>).showSaveFilePicker = async ({
      suggestedName,
    }: {
      suggestedName: string;
    }) => (await navigator.storage.getDirectory()).getFileHandle(suggestedName, { create: true });
  });
  await page.goto(new URL('/-/restore/', server.url).href);
  await page.getByLabel('Account', { exact: true }).fill('alice');
  await page.getByLabel('Account password').fill(ACCOUNT_PW);
  await page.getByLabel('Repository path').fill('alice/bench');
  await page.getByLabel('Repository password').fill(REPO_PW);
  await page.getByRole('button', { name: 'Open' }).click();
  await page
    .getByRole('button', { name: /^Browse the snapshot/ })
    .first()
    .click();
  const timedDownload = async (button: string) => {
    const t0 = performance.now();
    await page.getByRole('button', { name: button, exact: true }).first().click();
    await page.waitForSelector('body[data-transfer="done"]', { timeout: 600_000 });
    const seconds = (performance.now() - t0) / 1000;
    process.stderr.write(`${button}: ${seconds.toFixed(2)} s\n`);
    await page.evaluate(async () => {
      const root = await navigator.storage.getDirectory();
      for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys())
        await root.removeEntry(name);
    });
    return seconds;
  };
  rows.push([
    'restore page, whole folder as zip',
    TOTAL,
    await timedDownload('Download folder data as .zip'),
  ]);
  await page.getByRole('button', { name: 'Open folder data' }).click();
  rows.push(['restore page, one file', FILE_BYTES, await timedDownload('Download part-0.bin')]);
} finally {
  await browser.close();
  await server.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}

const cliRate = TOTAL / 1e6 / cliSeconds;
console.log('| restore of random data | MB | seconds | MB/s | of the CLI |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [what, bytes, seconds] of rows) {
  const rate = bytes / 1e6 / seconds;
  console.log(
    `| ${what} | ${(bytes / 1e6).toFixed(0)} | ${seconds.toFixed(2)} | ${rate.toFixed(1)} | ${((rate / cliRate) * 100).toFixed(0)} % |`,
  );
}
