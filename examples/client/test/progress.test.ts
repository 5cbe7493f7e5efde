import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/io.ts';
import { ETA_AFTER_MS, etaMs, ProgressBar, type ProgressState, renderProgress } from '../src/progress.ts';

const state = (over: Partial<ProgressState> = {}): ProgressState => ({
  verb: 'processed',
  files: 1200,
  bytes: 600 * 2 ** 20,
  bytesNew: 12 * 2 ** 20,
  totalFiles: 4994,
  totalBytes: 2400 * 2 ** 20,
  elapsedMs: 20_000,
  current: 'data/projects/kluis/node_modules/some-package/dist/index.js',
  ...over,
});

describe('renderProgress', () => {
  it.each([20, 40, 60, 80, 100, 120, 200])('fits %i columns, leaving the last one free', (width) => {
    const line = renderProgress(state(), width);
    expect([...line].length).toBeLessThanOrEqual(width - 1);
    expect(line).not.toMatch(/[\r\n]/);
  });

  it('shows totals, share and ETA at 80 columns, and the end of the current file as room allows', () => {
    expect(renderProgress(state(), 80)).toBe(
      '[20.0s] 25% 1200/4994 files 600.0 MiB/2.34 GiB processed 12.0 MiB new ETA 1m00s',
    );
    expect(renderProgress(state(), 120)).toBe(
      '[20.0s] 25% 1200/4994 files 600.0 MiB/2.34 GiB processed 12.0 MiB new ETA 1m00s …ode_modules/some-package/dist/index.js',
    );
    expect(renderProgress(state(), 40)).toBe('[20.0s] 25% 1200/4994 files 600.0 MiB/…');
  });

  it('shows no ETA until the rate means something, and no totals until they are known', () => {
    expect(renderProgress(state({ elapsedMs: 900, bytes: 2 ** 20 }), 200)).not.toContain('ETA');
    expect(etaMs(state({ elapsedMs: 60_000, bytes: 2 ** 20 }))).toBeUndefined(); // under 2 %
    expect(etaMs(state({ elapsedMs: ETA_AFTER_MS - 1 }))).toBeUndefined();
    expect(etaMs(state())).toBe(60_000);
    const unknown = renderProgress(state({ totalBytes: undefined, totalFiles: undefined }), 200);
    expect(unknown).toMatch(/^\[20\.0s\] 1200 files 600\.0 MiB processed 12\.0 MiB new data\//);
  });

  it('never passes width - 1 columns, whatever the figures and names', () => {
    fc.assert(
      fc.property(
        fc.record({
          files: fc.nat(),
          bytes: fc.nat(),
          totalBytes: fc.option(fc.nat(), { nil: undefined }),
          elapsedMs: fc.nat({ max: 10 ** 9 }),
          current: fc.option(fc.string({ unit: 'grapheme', maxLength: 300 }), { nil: undefined }),
        }),
        fc.integer({ min: 2, max: 300 }),
        (s, width) => {
          const line = renderProgress({ verb: 'restored', ...s }, width);
          expect([...line].length).toBeLessThanOrEqual(width - 1);
        },
      ),
    );
  });
});

describe('ProgressBar', () => {
  it('redraws at the new width when the terminal is resized', () => {
    let columns = 120;
    let resized: (() => void) | undefined;
    const out: string[] = [];
    const io: Io = {
      stdout: () => {},
      stderr: (s) => out.push(s),
      tty: true,
      env: {},
      columns: () => columns,
      onResize: (l) => {
        resized = l;
        return () => {
          resized = undefined;
        };
      },
    };
    const bar = new ProgressBar(io, 1000);
    bar.restore({ type: 'progress', filesDone: 3, bytesDone: 500, elapsedMs: 10_000 });
    expect(out.at(-1)).toBe('\r\x1b[2K[10.0s] 50% 3 files 500 B/1000 B restored ETA 10.0s');
    columns = 30;
    resized!();
    expect(out.at(-1)).toBe('\r\x1b[2K[10.0s] 50% 3 files 500 B/10…');
    bar.stop();
    expect(resized).toBeUndefined();
    expect(out.at(-1)).toBe('\r\x1b[2K');
  });
});

const hasScript = spawnSync('script', ['--version']).status === 0;

describe.skipIf(!hasScript)('the progress line on a 60-column terminal', () => {
  it('each redraw stays on its line, within 59 columns', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kluis-progress-'));
    try {
      const bin = join(import.meta.dirname, '..', 'bin', 'kluis.js');
      const src = join(dir, 'a-source-directory-with-a-rather-long-name');
      mkdirSync(join(src, 'nested', 'deeper'), { recursive: true });
      for (let i = 0; i < 200; i++)
        writeFileSync(
          join(src, 'nested', 'deeper', `file-with-a-long-name-${i}.bin`),
          Buffer.alloc(64 << 10, i),
        );
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        KLUIS_PASSWORD: 'pw',
        KLUIS_REPOSITORY: join(dir, 'r'),
        TERM: 'dumb',
      };
      execFileSync(process.execPath, [bin, 'init', '--scrypt-n', '1024'], { env });
      const command = `stty cols 60 rows 20; '${process.execPath}' '${bin}' backup '${src}'`;
      const child = spawn('script', ['-qfec', command, '/dev/null'], { env });
      let screen = '';
      child.stdout.on('data', (b: Buffer) => {
        screen += b.toString();
      });
      expect(await new Promise((r) => child.on('close', r))).toBe(0);
      const redraws = screen.split('\r\x1b[2K');
      const drawn = redraws.slice(1, -1);
      expect(drawn.length).toBeGreaterThan(0);
      for (const line of drawn) {
        expect(line).not.toMatch(/\n/);
        expect([...line].length).toBeLessThanOrEqual(59);
        expect(line).toMatch(/^\[\d+\.\ds\] /);
      }
      expect(redraws.at(-1)).toMatch(/^snapshot [0-9a-f]{8} saved: 200 files, all read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
