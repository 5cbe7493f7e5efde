// Headless Chromium for the browser tests: Debian's package, driven by playwright-core, installed
// on first use when missing (CI machines start without it; installing needs root).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const INSTALL_TIMEOUT_MS = 20 * 60_000;

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
/** Resolves once Chromium is at {@link CHROMIUM}, installing it once per process if needed. */
export const ensureChromium = () => {
  chromiumReady ??= installChromium();
  return chromiumReady;
};

/** A headless Chromium with a fresh profile, and the way to close it and remove the profile. */
export interface LaunchedChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium (installed first if needed) with a new profile under the temp directory. */
export async function launchChromium(profilePrefix: string): Promise<LaunchedChromium> {
  await ensureChromium();
  const profile = await mkdtemp(join(tmpdir(), profilePrefix));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
