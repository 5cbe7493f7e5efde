import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KluisError } from '@kluis/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  policyProblem,
  readSettings,
  settingsFile,
  storedRetention,
  storeRetention,
} from '../src/settings.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kluis-settings-prop-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const id = fc.stringMatching(/^[0-9a-f]{64}$/);
const policy = fc.constantFrom('7d', '30d', 'last:3', 'last:2,7:1d', '24h:1h,7d:1d,4w:1w', 'tag:keep,7d');

describe('the settings file', () => {
  it('reads any bytes as valid settings or an INVALID_CONFIG error naming the file', async () => {
    const file = join(dir, 'any.json');
    const json = fc.oneof(
      fc.json(),
      fc
        .record({
          version: fc.constantFrom(1, 2, '1'),
          repositories: fc.dictionary(fc.oneof(id, fc.string()), fc.record({ retention: fc.string() })),
        })
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(json, fc.string()), async (text) => {
        await writeFile(file, text);
        try {
          const s = await readSettings(file);
          for (const e of Object.values(s.repositories))
            expect(e.retention === undefined || policyProblem(e.retention) === undefined).toBe(true);
        } catch (e) {
          expect(KluisError.is(e, 'INVALID_CONFIG')).toBe(true);
          expect((e as Error).message.startsWith(`${file}: `)).toBe(true);
          expect((e as Error).message).not.toContain('\n');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('gives back what was stored, per repository, after any sequence of sets and unsets', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.option(policy, { nil: undefined })), {
          maxLength: 12,
        }),
        fc.array(id, { minLength: 4, maxLength: 4 }),
        async (steps, ids) => {
          const env = { XDG_CONFIG_HOME: join(dir, `round-${round++}`) };
          const model = new Map<string, string>();
          for (const [i, p] of steps) {
            const had = await storeRetention(env, ids[i]!, p, `/repo/${i}`);
            expect(had).toBe(model.has(ids[i]!));
            if (p === undefined) model.delete(ids[i]!);
            else model.set(ids[i]!, p);
          }
          for (const r of ids) expect(await storedRetention(env, r)).toBe(model.get(r));
          if (steps.length)
            expect(settingsFile(env)).toBe(join(env.XDG_CONFIG_HOME, 'kluis', 'repositories.json'));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('uses XDG_CONFIG_HOME only when absolute, else ~/.config', () => {
    expect(settingsFile({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/x/kluis/repositories.json');
    expect(settingsFile({ XDG_CONFIG_HOME: 'rel', HOME: '/h' })).toBe('/h/.config/kluis/repositories.json');
    expect(settingsFile({ HOME: '/h' })).toBe('/h/.config/kluis/repositories.json');
  });

  it('accepts a policy exactly when it parses with at least one rule', () => {
    expect(policyProblem('7d')).toBeUndefined();
    expect(policyProblem('last:3,7:1d')).toBeUndefined();
    for (const bad of ['', ' ', '7', '7x', 'last:', 'x'.repeat(501)])
      expect(policyProblem(bad)).toBeTypeOf('string');
  });
});
