import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backup,
  check,
  initRepository,
  memoryTransport,
  openRepository,
  prune,
  restore,
  type Transport,
} from '../src/index';
import { type MemTree, memSource, memTarget, prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };
const SMALL = { minSize: 1024, avgSize: 4096, maxSize: 16384 };
const HOUR = 3600_000;
const GRACE = 24 * HOUR;
/** Files a backup picks from, so backups share blobs with snapshots that are forgotten. */
const POOL = Array.from({ length: 6 }, (_, i) => prng(12_000 + i * 3_000, i + 1));

const treeOf = (files: number[]): MemTree => ({
  d: Object.fromEntries(files.map((f) => [`f${f}.bin`, POOL[f]!])),
});

/**
 * A backup that stops at two points, for a test to run other steps in between: before its first
 * upload (its index is loaded, its deduplication decisions are about to be made) and before its
 * snapshot is written (its blobs are stored or found, and nothing references them yet).
 */
class SteppedBackup {
  readonly done: Promise<string>;
  #release: (() => void) | undefined;
  #paused: (() => void) | undefined;
  #first = true;
  finished = false;

  constructor(
    t: Transport,
    readonly files: number[],
    readonly started: number,
  ) {
    const pause = () =>
      new Promise<void>((resolve) => {
        this.#release = resolve;
        this.#paused?.();
      });
    const gated: Transport = {
      name: t.name,
      capabilities: t.capabilities,
      stat: (k, o) => t.stat(k, o),
      get: (k, o) => t.get(k, o),
      list: (p, o) => t.list(p, o),
      delete: (k, o) => t.delete(k, o),
      put: async (k, b, o) => {
        if (this.#first) {
          this.#first = false;
          await pause();
        }
        if (k.startsWith('snapshots/')) await pause();
        return t.put(k, b, o);
      },
    };
    this.done = (async () => {
      const repo = await openRepository(gated, { password: 'pw' });
      const r = await backup(repo, memSource(treeOf(files)));
      this.finished = true;
      this.#paused?.();
      return r.id;
    })();
  }

  /** Lets the backup run to its next stop (or to its end). */
  async step(): Promise<void> {
    const reached = new Promise<void>((resolve) => {
      this.#paused = resolve;
    });
    const release = this.#release;
    this.#release = undefined;
    release?.();
    await Promise.race([reached, this.done]);
  }
}

type Step =
  | { kind: 'start'; files: number[] }
  | { kind: 'step'; which: number }
  | { kind: 'forget'; which: number }
  | { kind: 'prune'; hours: number; maxUnused: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('start' as const),
    files: fc.uniqueArray(fc.integer({ min: 0, max: POOL.length - 1 }), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('step' as const), which: fc.nat() }),
  fc.record({ kind: fc.constant('forget' as const), which: fc.nat() }),
  fc.record({
    kind: fc.constant('prune' as const),
    hours: fc.constantFrom(0, 1, 12, 25),
    maxUnused: fc.constantFrom(0, 0.05, 0.5, 1),
  }),
);

describe('prune against concurrent backups (interleavings on the memory transport)', () => {
  it('never loses a blob that a snapshot references, whatever the order of steps', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 4, maxLength: 14 }), async (steps) => {
        const t = memoryTransport();
        await initRepository(t, { password: 'pw', scrypt: SCRYPT, chunker: SMALL, packSize: 1 << 16 });
        let now = Date.parse('2026-01-01T00:00:00Z');
        const running: SteppedBackup[] = [];
        const snapshots = new Map<string, number[]>();
        const finish = async (b: SteppedBackup) => {
          while (!b.finished) await b.step();
          snapshots.set(await b.done, b.files);
          running.splice(running.indexOf(b), 1);
        };
        for (const s of steps) {
          if (s.kind === 'start') {
            const b = new SteppedBackup(t, s.files, now);
            running.push(b);
            await b.step();
          } else if (s.kind === 'step' && running.length) {
            const b = running[s.which % running.length]!;
            await b.step();
            if (b.finished) await finish(b);
          } else if (s.kind === 'forget' && snapshots.size) {
            const id = [...snapshots.keys()][s.which % snapshots.size]!;
            await (await openRepository(t, { password: 'pw' })).snapshots.remove(id);
            snapshots.delete(id);
          } else if (s.kind === 'prune') {
            now += s.hours * HOUR;
            // The protocol's premise: a backup finishes within the grace period.
            for (const b of [...running]) if (now - b.started >= GRACE / 2) await finish(b);
            await prune(await openRepository(t, { password: 'pw' }), {
              now: new Date(now),
              graceMs: GRACE,
              maxUnused: s.maxUnused,
            });
          }
        }
        for (const b of [...running]) await finish(b);
        // Two more prunes far apart delete whatever became deletable.
        for (const later of [2 * GRACE, 4 * GRACE]) {
          await prune(await openRepository(t, { password: 'pw' }), {
            now: new Date(now + later),
            graceMs: GRACE,
          });
        }
        const repo = await openRepository(t, { password: 'pw' });
        const report = await check(repo, { readData: true });
        expect(report.problems).toEqual([]);
        for (const [id, files] of snapshots) {
          const { target, root } = memTarget();
          await restore(repo, id, target);
          expect(root).toEqual(treeOf(files));
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});
