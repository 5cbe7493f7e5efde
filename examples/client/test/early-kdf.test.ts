import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CryptoProvider, ScryptParams } from '@kluis/core/crypto';
import { nativeCrypto } from '@kluis/core/node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EarlyKdf, startKdfEarly, withEarlyKdf } from '../src/early-kdf.ts';
import { runKluis } from './_run.ts';

let dir: string;
let repo: string;
const env = () => ({ KLUIS_REPOSITORY: repo, KLUIS_PASSWORD: 'secret' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-early-kdf-'));
  repo = join(dir, 'repo');
  expect((await runKluis(['init', '--scrypt-n', '1024'], env())).code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function slots(): Promise<{ salt: string; N: number; r: number; p: number; created: string }[]> {
  const names = await readdir(join(repo, 'keys'));
  const all = await Promise.all(
    names.map(async (n) => JSON.parse(await readFile(join(repo, 'keys', n), 'utf8'))),
  );
  return all.sort((a, b) => (a.created < b.created ? -1 : 1));
}

/** A provider that counts its scrypt calls and otherwise is the native one. */
function counting(): CryptoProvider & { calls: number } {
  const c = {
    ...nativeCrypto,
    calls: 0,
    scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams) {
      c.calls++;
      return nativeCrypto.scrypt(password, salt, params);
    },
  };
  return c;
}

describe('startKdfEarly', () => {
  it("derives the oldest slot's key, byte for byte what openRepository would derive", async () => {
    const early = startKdfEarly(['backup', '/data'], env())!;
    expect(early).toBeDefined();
    const [slot] = await slots();
    expect(Buffer.from(early.salt).toString('base64')).toBe(slot!.salt);
    expect(early.params).toEqual({ N: slot!.N, r: slot!.r, p: slot!.p });
    expect(new TextDecoder().decode(early.password)).toBe('secret');
    const expected = await nativeCrypto.scrypt(early.password, early.salt, { ...early.params, dkLen: 32 });
    expect(Buffer.from(await early.key).equals(Buffer.from(expected))).toBe(true);
  });

  it('reads --repo, --repo=, -r and --password-file like the CLI does', async () => {
    const pwFile = join(dir, 'pw');
    await writeFile(pwFile, 'from file\n');
    const fromFile = startKdfEarly(['--password-file', pwFile, '-r', repo, 'snapshots'], {})!;
    expect(new TextDecoder().decode(fromFile.password)).toBe('from file');
    await fromFile.key;
    const eq = startKdfEarly([`--repo=${repo}`, 'check'], { KLUIS_PASSWORD: 'x' });
    expect(eq).toBeDefined();
    await eq!.key;
    // the password is NFC-normalised as openKeySlot does
    const nfd = startKdfEarly(['ls', 'latest'], { KLUIS_REPOSITORY: repo, KLUIS_PASSWORD: 'cafe\u0301' })!;
    expect(new TextDecoder().decode(nfd.password)).toBe('caf\u00e9');
    await nfd.key;
  });

  it('starts nothing when the command would not open an existing local repository', () => {
    const none = (argv: string[], e: Record<string, string> = env()) => startKdfEarly(argv, e);
    expect(none(['init'])).toBeUndefined();
    expect(none(['demo'])).toBeUndefined();
    expect(none(['snapshots', '--help'])).toBeUndefined();
    expect(none(['-h'])).toBeUndefined();
    expect(none([])).toBeUndefined();
    expect(none(['snapshots'], { KLUIS_REPOSITORY: repo })).toBeUndefined(); // would prompt
    expect(none(['snapshots'], { KLUIS_REPOSITORY: repo, KLUIS_PASSWORD: '' })).toBeUndefined();
    expect(none(['snapshots'], { KLUIS_PASSWORD: 'secret' })).toBeUndefined();
    expect(none(['snapshots', '--repo', join(dir, 'nothing-here')])).toBeUndefined();
    expect(none(['snapshots', '--repo', 's3:http://127.0.0.1:1/b'])).toBeUndefined();
    expect(none(['snapshots', '--repo', 'rest:http://127.0.0.1:1/'])).toBeUndefined();
    expect(none(['snapshots', '--password-file', join(dir, 'missing')])).toBeUndefined();
  });

  it('never throws, whatever the arguments', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.constantFrom('backup', '--repo', '-r', '--password-file', '--', repo), fc.string()),
        ),
        (argv) => {
          const early = startKdfEarly(argv, { KLUIS_PASSWORD: 'p' });
          early?.key.catch(() => undefined);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('skips a slot too costly to start on speculation, and damaged slots', async () => {
    const odd = join(dir, 'odd');
    await rm(odd, { recursive: true, force: true });
    await mkdir(join(odd, 'keys'), { recursive: true });
    const salt = Buffer.alloc(32, 1).toString('base64');
    const base = { version: 1, kdf: 'scrypt', r: 8, p: 1, salt, data: '' };
    await writeFile(
      join(odd, 'keys', 'a'),
      JSON.stringify({ ...base, N: 2 ** 20, created: '2020-01-01T00:00:00Z' }),
    );
    expect(startKdfEarly(['snapshots', '--repo', odd], { KLUIS_PASSWORD: 'p' })).toBeUndefined();
    await writeFile(join(odd, 'keys', 'a'), '{not json');
    expect(startKdfEarly(['snapshots', '--repo', odd], { KLUIS_PASSWORD: 'p' })).toBeUndefined();
    // A damaged file or a directory beside a good slot: the good slot still starts.
    await writeFile(
      join(odd, 'keys', 'b'),
      JSON.stringify({ ...base, N: 1024, created: '2021-01-01T00:00:00Z' }),
    );
    await mkdir(join(odd, 'keys', 'c'));
    const early = startKdfEarly(['snapshots', '--repo', odd], { KLUIS_PASSWORD: 'p' });
    expect(early?.params).toEqual({ N: 1024, r: 8, p: 1 });
    await early!.key;
    await rm(join(odd, 'keys', 'b'));
    await rm(join(odd, 'keys', 'c'), { recursive: true });
    await writeFile(join(odd, 'keys', 'a'), JSON.stringify({ ...base, N: 1000, created: '2020' }));
    expect(startKdfEarly(['snapshots', '--repo', odd], { KLUIS_PASSWORD: 'p' })).toBeUndefined();
  });
});

describe('withEarlyKdf', () => {
  it('answers the matching derivation once, and passes every other one on', async () => {
    const early = startKdfEarly(['snapshots'], env())!;
    const provider = counting();
    const crypto = withEarlyKdf(provider, early);
    const params = { ...early.params, dkLen: 32 };
    const first = await crypto.scrypt(early.password, early.salt, params);
    expect(provider.calls).toBe(0);
    expect(Buffer.from(first).equals(Buffer.from(await early.key))).toBe(true);
    await crypto.scrypt(early.password, early.salt, params); // a second time: derived again
    expect(provider.calls).toBe(1);

    const other = withEarlyKdf(provider, startKdfEarly(['snapshots'], env())!);
    await other.scrypt(new TextEncoder().encode('other'), early.salt, params);
    await other.scrypt(early.password, new Uint8Array(32), params);
    await other.scrypt(early.password, early.salt, { ...params, N: params.N * 2 });
    await other.scrypt(early.password, early.salt, { ...params, dkLen: 64 });
    expect(provider.calls).toBe(5);
    expect(withEarlyKdf(provider, undefined)).toBe(provider);
  });

  it('hands an early key out once, also to a second provider made from it (the opener zeroes it)', async () => {
    const early = startKdfEarly(['forget', '--prune'], env())!;
    const provider = counting();
    const params = { ...early.params, dkLen: 32 };
    const expected = Buffer.from(await nativeCrypto.scrypt(early.password, early.salt, params));
    const first = await withEarlyKdf(provider, early).scrypt(early.password, early.salt, params);
    expect(provider.calls).toBe(0);
    first.fill(0); // as openRepository does once the slot is open
    const second = await withEarlyKdf(provider, early).scrypt(early.password, early.salt, params);
    expect(provider.calls).toBe(1);
    expect(Buffer.from(second).equals(expected)).toBe(true);
  });

  it('derives again when the early derivation failed', async () => {
    const provider = counting();
    const failed: EarlyKdf = {
      password: new TextEncoder().encode('secret'),
      salt: new Uint8Array(32),
      params: { N: 1024, r: 8, p: 1 },
      key: Promise.reject(new Error('no memory')),
    };
    failed.key.catch(() => undefined);
    const key = await withEarlyKdf(provider, failed).scrypt(failed.password, failed.salt, {
      ...failed.params,
      dkLen: 32,
    });
    expect(key).toHaveLength(32);
    expect(provider.calls).toBe(1);
  });

  it('opens the repository with an early key, and a wrong early password is still WRONG_PASSWORD', async () => {
    const ok = await runKluis(['snapshots', '--json'], env(), startKdfEarly(['snapshots'], env()));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toEqual([]);
    const wrong = { ...env(), KLUIS_PASSWORD: 'wrong' };
    const r = await runKluis(['snapshots'], wrong, startKdfEarly(['snapshots'], wrong));
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^kluis: wrong password/);
  });
});
