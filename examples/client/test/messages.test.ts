import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'kluis.js');
let dir: string;
let src: string;

/** The built `kluis` in a child process, in a zone far from UTC, so a local time would show. */
async function kluis(args: string[], env: Record<string, string> = {}) {
  const base = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    TZ: 'Pacific/Kiritimati',
    KLUIS_PASSWORD: 'first',
    KLUIS_REPOSITORY: join(dir, 'repo'),
  };
  try {
    const r = await promisify(execFile)(process.execPath, [bin, ...args], {
      env: { ...base, ...env },
      encoding: 'utf8',
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-messages-'));
  src = join(dir, 'src');
  await mkdir(src);
  for (let i = 0; i < 5; i++) await writeFile(join(src, `f${i}.txt`), `file ${i}\n`.repeat(1000));
  expect((await kluis(['init', '--scrypt-n', '1024'])).code).toBe(0);
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const UTC = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g;

describe('messages, through the real command', { timeout: 60_000 }, () => {
  it('backup keeps new files and new data apart; --force reads all and adds no data', async () => {
    const first = await kluis(['backup', src]);
    expect(first.out).toMatch(
      /^snapshot [0-9a-f]{8} saved: 5 files, all read \(no earlier snapshot of these paths\); 34.2 KiB read, 34.2 KiB new data, [\d.]+ \S+ stored in /,
    );
    const again = await kluis(['backup', src]);
    expect(again.out).toMatch(
      /saved: 5 files, 0 new, 0 changed, 5 unchanged since [0-9a-f]{8}; 0 B read, 0 B new data, /,
    );
    const forced = await kluis(['backup', src, '--force']);
    expect(forced.out).toMatch(
      /saved: 5 files, all read \(--force: no parent compared\); 34.2 KiB read, 0 B new data \(34.2 KiB already in the repository\), /,
    );
  });

  it('snapshots, ls and forget show the same instant the same way: UTC with Z', async () => {
    const list = JSON.parse((await kluis(['snapshots', '--json'])).out) as { id: string; time: string }[];
    const newest = list.at(-1)!;
    const want = new Date(newest.time).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const table = (await kluis(['snapshots'])).out;
    expect(table.split('\n').find((l) => l.startsWith(newest.id.slice(0, 8)))).toContain(want);
    const forget = (await kluis(['forget', '--keep-last', '1', '--dry-run'])).out;
    expect(forget).toContain(`keep ${newest.id.slice(0, 8)} ${want}`);
    expect(forget.match(/\d{4}-\d\d-\d\dT[\d:.]+Z/g)?.every((t) => /:\d\dZ$/.test(t))).toBe(true);
    const ls = (await kluis(['ls', 'latest'])).out;
    expect(ls.split('\n')[1]).toMatch(UTC);
    const keys = (await kluis(['key', 'list'])).out;
    expect(keys).toMatch(UTC);
  });

  it('key list marks the key slot the password opened', async () => {
    await writeFile(join(dir, 'second'), 'second\n');
    expect(
      (
        await kluis([
          'key',
          'add',
          '--label',
          'two',
          '--new-password-file',
          join(dir, 'second'),
          '--scrypt-n',
          '1024',
        ])
      ).code,
    ).toBe(0);
    const byFirst = (await kluis(['key', 'list'])).out.split('\n');
    const bySecond = (await kluis(['key', 'list'], { KLUIS_PASSWORD: 'second' })).out.split('\n');
    const marked = (lines: string[]) => lines.filter((l) => /^\*[0-9a-f]{8} /.test(l));
    expect(marked(byFirst)).toHaveLength(1);
    expect(marked(byFirst)[0]).not.toContain('two');
    expect(marked(bySecond)).toHaveLength(1);
    expect(marked(bySecond)[0]).toContain('two');
    expect(bySecond.at(-2)).toBe('* the key slot in use (the password given opened it)');
    const json = JSON.parse((await kluis(['key', 'list', '--json'], { KLUIS_PASSWORD: 'second' })).out);
    expect(
      json.filter((k: { current: boolean }) => k.current).map((k: { label?: string }) => k.label),
    ).toEqual(['two']);
  });
});
