import { describe, expect, it } from 'vitest';
import { backup, forget, initRepository, KluisError, memoryTransport, openRepository } from '../src/index';
import { memSource, prng } from './helpers/trees';

const SCRYPT = { N: 1024, r: 8, p: 1 };
const DAY = 24 * 3600_000;
const T0 = Date.parse('2026-03-01T12:00:00Z');

async function threeDays() {
  const t = memoryTransport();
  const repo = await initRepository(t, { password: 'pw', scrypt: SCRYPT });
  const ids: string[] = [];
  for (let d = 0; d < 3; d++)
    ids.push(
      (await backup(repo, memSource({ f: { [`d${d}`]: prng(1000, d) } }), { time: new Date(T0 + d * DAY) }))
        .id,
    );
  return { t, repo, ids };
}

const stored = async (repo: Awaited<ReturnType<typeof threeDays>>['repo']) =>
  (await repo.snapshots.list()).map((s) => s.id).sort();

describe('forget', () => {
  it('removes exactly the snapshots named by ID or prefix', async () => {
    const { repo, ids } = await threeDays();
    const r = await forget(repo, { ids: [ids[1]!.slice(0, 6)] });
    expect(r.removed).toEqual([ids[1]]);
    expect(r.kept.sort()).toEqual([ids[0], ids[2]].sort());
    expect(r.retention).toBeUndefined();
    expect(await stored(repo)).toEqual([ids[0], ids[2]].sort());
    const missing = await forget(repo, { ids: [ids[1]!] }).catch((e: unknown) => e);
    expect(KluisError.is(missing, 'NOT_FOUND')).toBe(true);
    const bad = await forget(repo, { ids: ['xyz'] }).catch((e: unknown) => e);
    expect(KluisError.is(bad, 'NOT_FOUND')).toBe(true);
  });

  it('applies a policy and returns its explanation; a dry run removes nothing', async () => {
    const { repo, ids } = await threeDays();
    const now = new Date(T0 + 2 * DAY + 3600_000);
    const dry = await forget(repo, { rules: [{ kind: 'last', count: 1 }] }, { dryRun: true, now });
    expect(dry.dryRun).toBe(true);
    expect(dry.removed.sort()).toEqual([ids[0], ids[1]].sort());
    expect(await stored(repo)).toEqual([...ids].sort());
    const r = await forget(repo, '1d', { now });
    expect(r.retention?.keep.map((v) => v.id)).toEqual([ids[2]]);
    expect(r.retention?.decisions).toHaveLength(3);
    expect(await stored(repo)).toEqual([ids[2]]);
  });

  it('fails with AUTH before removing anything when storage refuses deletes', async () => {
    const { t, ids } = await threeDays();
    const refusing = {
      ...t,
      name: t.name,
      capabilities: t.capabilities,
      list: t.list.bind(t),
      get: t.get.bind(t),
      put: t.put.bind(t),
      stat: t.stat.bind(t),
      delete: async () => {
        throw new KluisError('AUTH', '403');
      },
    };
    const repo = await openRepository(refusing, { password: 'pw' });
    const err = await forget(repo, { ids: [ids[0]!] }).catch((e: unknown) => e);
    expect(KluisError.is(err, 'AUTH')).toBe(true);
    expect((err as Error).message).toMatch(/nothing was removed/);
  });

  it('capacity-aware: removes the oldest unprotected snapshots until a prune plan says the rest fits', async () => {
    const t = memoryTransport();
    const repo = await initRepository(t, { password: 'pw', scrypt: SCRYPT });
    const ids: string[] = [];
    for (let d = 0; d < 5; d++)
      ids.push(
        (
          await backup(repo, memSource({ f: { [`d${d}`]: prng(100_000, 10 + d) } }), {
            time: new Date(T0 + d * DAY),
          })
        ).id,
      );
    const now = new Date(T0 + 4 * DAY + 3600_000);
    const options = { now, protectMs: 2 * DAY, dryRun: true };
    const roomy = await forget(repo, '30d', { ...options, fitBytes: 10_000_000 });
    expect(roomy.capacity?.removedToFit).toEqual([]);
    expect(roomy.capacity?.fits).toBe(true);
    expect(roomy.capacity?.storedBytes).toBeGreaterThan(500_000);

    const tight = await forget(repo, '30d', { ...options, fitBytes: 260_000 });
    expect(tight.capacity?.removedToFit).toEqual([ids[0], ids[1], ids[2]]);
    expect(tight.capacity?.fits).toBe(true);
    expect(tight.capacity?.forecastBytes).toBeLessThanOrEqual(260_000);
    expect(tight.capacity?.forecastBytes).toBeGreaterThan(200_000);

    const impossible = await forget(repo, '30d', { now, protectMs: 2 * DAY, fitBytes: 50_000 });
    expect(impossible.capacity?.removedToFit).toEqual([ids[0], ids[1], ids[2]]);
    expect(impossible.capacity?.fits).toBe(false);
    expect(await stored(repo)).toEqual([ids[3], ids[4]].sort());
  });
});
