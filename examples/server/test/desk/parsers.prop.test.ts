import { KluisError } from '@kluis/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDeskConfig } from '../../src/desk/config.ts';
import { parseTime } from '../../src/desk/desk.ts';
import { DEFAULT_DETECTION } from '../../src/desk/detector.ts';

const MIN = Date.parse('1970-01-02T00:00:00Z');
const MAX = Date.parse('9998-12-31T23:59:59Z'); // local times stay within four-digit years

describe('desk parsers', () => {
  it('parseTime reads every instant written with Z or an offset, to the millisecond', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MIN, max: MAX }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (t, offsetMin) => {
          expect(parseTime(new Date(t).toISOString(), 'at')).toBe(t);
          const local = new Date(t + offsetMin * 60_000).toISOString().slice(0, 23);
          const sign = offsetMin < 0 ? '-' : '+';
          const abs = Math.abs(offsetMin);
          const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          expect(parseTime(`${local}${offset}`, 'at')).toBe(t);
        },
      ),
    );
  });

  it('parseTime refuses anything else with INVALID_CONFIG naming the field', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 19)), // no zone
          fc.double().filter((x) => !Number.isSafeInteger(x)),
        ),
        (v) => {
          fc.pre(typeof v !== 'string' || !/(Z|[+-]\d\d:\d\d)$/.test(v));
          try {
            parseTime(v, 'start');
            expect.unreachable();
          } catch (e) {
            expect(KluisError.is(e, 'INVALID_CONFIG')).toBe(true);
            expect((e as Error).message).toMatch(/^start: expected an ISO 8601 time/);
          }
        },
      ),
    );
  });

  it('parseDeskConfig accepts only known keys, addresses and smtp URLs', () => {
    expect(
      parseDeskConfig({
        providerEmail: 'ops@x.test',
        mail: { smtp: 'smtp://127.0.0.1:25', from: 'd@x.test' },
      }),
    ).toEqual({
      providerEmail: 'ops@x.test',
      mail: { smtp: 'smtp://127.0.0.1:25', from: 'd@x.test' },
      detection: DEFAULT_DETECTION,
    });
    expect(
      parseDeskConfig({ detection: { windowSeconds: 60, minErrors: 3, errorRatio: 0.25 } }).detection,
    ).toEqual({
      windowMs: 60_000,
      minErrors: 3,
      errorRatio: 0.25,
    });
    expect(() => parseDeskConfig({ detection: { errorRatio: 0 } })).toThrow(/desk\.detection\.errorRatio/);
    fc.assert(
      fc.property(fc.string(), fc.string(), (key, value) => {
        fc.pre(
          !['providerEmail', 'mail', 'detection'].includes(key) &&
            !['__proto__', 'constructor'].includes(key),
        );
        expect(() => parseDeskConfig({ [key]: value })).toThrow(/^server configuration: desk\./);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (smtp) => {
        fc.pre(!/^smtps?:\/\/[^/\s]+/.test(smtp));
        expect(() => parseDeskConfig({ mail: { smtp, from: 'd@x.test' } })).toThrow(/desk\.mail\.smtp/);
      }),
    );
  });
});
