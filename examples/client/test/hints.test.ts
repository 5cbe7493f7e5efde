// The library's messages say what is wrong; the CLI adds which of its commands helps, chosen by
// the error's code. Through the built `kluis` in a child process, on a real local repository.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kluisProcess } from './_kluis-process';

let dir: string;
let repo: string;
let src: string;

async function kluis(args: string[], env: Record<string, string> = {}) {
  const r = await kluisProcess(args, {
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    KLUIS_PASSWORD: 'pw',
    KLUIS_REPOSITORY: repo,
    ...env,
  });
  return { code: r.code, out: r.out.toString(), err: r.err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-hints-'));
  repo = join(dir, 'repo');
  src = join(dir, 'src');
  await mkdir(src);
  await writeFile(join(src, 'a.txt'), 'hint me\n'.repeat(5000));
  expect((await kluis(['init', '--scrypt-n', '1024'])).code).toBe(0);
  expect((await kluis(['backup', src])).code).toBe(0);
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the CLI adds the hint the library leaves out', { timeout: 60_000 }, () => {
  it('no repository: kluis init creates one', async () => {
    const r = await kluis(['snapshots'], { KLUIS_REPOSITORY: join(dir, 'nothing-here') });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^kluis: no kluis repository at .*nothing-here.* \(kluis init creates one\)\n$/);
  });

  it('a wrong password: kluis key list shows the key slots', async () => {
    const r = await kluis(['snapshots'], { KLUIS_PASSWORD: 'not it' });
    expect(r.code).toBe(3);
    expect(r.err).toBe(
      'kluis: wrong password: none of the 1 key slot(s) opens with it (kluis key list, with a password that opens, shows the key slots)\n',
    );
  });

  it('an unknown snapshot: kluis snapshots lists them', async () => {
    const r = await kluis(['forget', 'abcdef12']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'kluis: no snapshot abcdef12 (kluis snapshots lists the snapshots; kluis check finds missing data)\n',
    );
  });

  it('a damaged snapshot file stops prune, and the hint names the forget that removes it', async () => {
    expect((await kluis(['backup', src, '--force'])).code).toBe(0);
    const [bad] = (await readdir(join(repo, 'snapshots'))).sort();
    const path = join(repo, 'snapshots', bad!);
    const bytes = await readFile(path);
    bytes[bytes.length >> 1]! ^= 1;
    await writeFile(path, bytes);
    const r = await kluis(['prune', '--no-cache']); // the local cache holds an intact copy
    expect(r.code).toBe(1);
    expect(r.err).toContain(`snapshots/${bad} is damaged (`);
    expect(r.err).toMatch(new RegExp(`; remove it with kluis forget ${bad}\\n$`));
    // The hint works: forget removes it by ID, and prune runs.
    expect((await kluis(['forget', bad!])).code).toBe(0);
    expect((await kluis(['prune'])).code).toBe(0);
  });
});
