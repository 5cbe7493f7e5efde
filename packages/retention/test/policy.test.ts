import { describe, expect, it } from 'vitest';
import {
  defaultPolicy,
  formatDuration,
  formatRules,
  PRESETS,
  parseDuration,
  parsePolicy,
  parseRules,
  safeParsePolicy,
} from '../src/index.ts';

describe('parsePolicy', () => {
  it('fills the kluis defaults and accepts string durations', () => {
    const p = parsePolicy({ rules: [{ kind: 'daily', count: 7, within: '30d' }] });
    expect(p).toEqual({ ...PRESETS.kluis, rules: [{ kind: 'daily', count: 7, within: { days: 30 } }] });
    expect(p.zone).toBe('UTC');
    expect(p.anchor).toBe('now');
  });

  it('presets set the semantics and explicit fields override them', () => {
    const r = parsePolicy({ preset: 'restic', zone: 'Europe/Amsterdam' });
    expect(r).toMatchObject({
      anchor: 'newest',
      counting: 'shared',
      keepNewest: false,
      zone: 'Europe/Amsterdam',
    });
    expect(parsePolicy({ preset: 'borg' }).counting).toBe('exclusive');
  });

  it('the string form and the object form give the same policy', () => {
    const fromString = parsePolicy('24h:1h,7d:1d,4w:1w', { zone: 'Europe/Amsterdam' });
    const fromObject = parsePolicy({
      zone: 'Europe/Amsterdam',
      rules: [
        { kind: 'hourly', count: 'all', within: { hours: 24 } },
        { kind: 'daily', count: 'all', within: '7d' },
        { kind: 'weekly', count: 'all', within: { weeks: 4 } },
      ],
    });
    expect(fromString).toEqual(fromObject);
  });

  it('throws RangeError for bad values, naming every field', () => {
    expect(() => parsePolicy({ rules: [{ kind: 'daily', count: -1 }] })).toThrow(RangeError);
    expect(() => parsePolicy({ rules: [{ kind: 'daily', count: -1 }] })).toThrow(
      /rules\.0\.count: must not be negative/,
    );
    expect(() => parsePolicy({ zone: 'Mars/Olympus_Mons' })).toThrow(/zone: unknown time zone/);
    expect(() => parsePolicy({ rules: [{ kind: 'within', duration: '0d' }] })).toThrow(
      /rules\.0\.duration: .*longer than zero/,
    );
    expect(() => parsePolicy({ capacity: -5 })).toThrow(/capacity: must not be negative/);
  });

  it('throws TypeError for wrong types and unknown fields', () => {
    const bad = (x: unknown) => () => parsePolicy(x as never);
    expect(bad({ rules: [{ kind: 'daily' }] })).toThrow(TypeError);
    expect(bad({ rules: [{ kind: 'daily' }] })).toThrow(/rules\.0\.count/);
    expect(bad({ rules: [{ kind: 'dayly', count: 1 }] })).toThrow(/rules\.0\.kind: unknown rule kind/);
    expect(bad({ keep: 7 })).toThrow(/Unrecognized key.*keep/);
    expect(bad(null)).toThrow(/expected a policy object or a policy string/);
    expect(bad([])).toThrow(TypeError);
    expect(() => parsePolicy('7d', { zone: 7 } as never)).toThrow(/options\.zone/);
  });

  it('safeParsePolicy reports every issue without throwing', () => {
    const r = safeParsePolicy({
      zone: 'Nowhere',
      rules: [
        { kind: 'weekly', count: 1.5 },
        { kind: 'tag', tags: [] },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(['rules.0.count', 'rules.1.tags', 'zone']);
    expect(safeParsePolicy('7d,30:1d')).toMatchObject({ ok: true });
    expect(safeParsePolicy('7x')).toMatchObject({ ok: false, issues: [{ path: '(policy string)' }] });
  });

  it('defaultPolicy keeps 7 days from now, configurable, with an optional capacity', () => {
    expect(defaultPolicy().rules).toEqual([{ kind: 'within', duration: { days: 7 } }]);
    expect(defaultPolicy({ days: 30, capacity: 1e12, zone: 'Europe/Amsterdam' })).toMatchObject({
      rules: [{ kind: 'within', duration: { days: 30 } }],
      capacity: 1e12,
      zone: 'Europe/Amsterdam',
      anchor: 'now',
      keepNewest: true,
    });
    expect(() => defaultPolicy({ days: 0 })).toThrow(RangeError);
  });
});

describe('durations', () => {
  it('parses restic-style durations in any order; m is months', () => {
    expect(parseDuration('1y2m3d3h')).toEqual({ years: 1, months: 2, days: 3, hours: 3 });
    expect(parseDuration('1y1d1m')).toEqual({ years: 1, days: 1, months: 1 });
    expect(parseDuration('4w')).toEqual({ weeks: 4 });
    expect(formatDuration({ days: 14, months: 1 })).toBe('1m14d');
  });

  it('refuses malformed durations with a readable message', () => {
    for (const bad of ['', '7', 'd', '7x', '1d1d', '0h', '7 d', '-1d', '1.5d']) {
      expect(() => parseDuration(bad), bad).toThrow(RangeError);
    }
    expect(() => parseDuration('1d1d')).toThrow(/unit "d" appears twice/);
  });
});

describe('compact string grammar', () => {
  it.each([
    ['7d', [{ kind: 'within', duration: { days: 7 } }]],
    ['24h:1h', [{ kind: 'hourly', count: 'all', within: { hours: 24 } }]],
    ['7:1d', [{ kind: 'daily', count: 7 }]],
    ['all:1y', [{ kind: 'yearly', count: 'all' }]],
    ['30:1d@90d', [{ kind: 'daily', count: 30, within: { days: 90 } }]],
    ['4:1q', [{ kind: 'quarterly', count: 4 }]],
    ['last:10', [{ kind: 'last', count: 10 }]],
    ['last:3@2d', [{ kind: 'last', count: 3, within: { days: 2 } }]],
    ['tag:release+signed', [{ kind: 'tag', tags: ['release', 'signed'] }]],
    [
      ' 7d , 12:1m ',
      [
        { kind: 'within', duration: { days: 7 } },
        { kind: 'monthly', count: 12 },
      ],
    ],
    ['', []],
  ])('%j', (text, rules) => {
    expect(parseRules(text)).toEqual(rules);
  });

  it.each([
    ['7', /bare number/],
    ['7d:2d', /period "2d"/],
    ['7d:1d@3d', /either/],
    ['7d@3d', /needs a count rule/],
    ['last:x', /not a count/],
    ['tag:', /tag:<tag>/],
    ['7d,,1:1d', /term 2 is empty/],
    ['1:1d:1w', /":" may appear once/],
  ])('refuses %j', (text, message) => {
    expect(() => parseRules(text)).toThrow(message);
  });

  it('formats rules back', () => {
    expect(formatRules(parseRules('24h:1h,7d:1d,4w:1w,12:1m,30:1d@90d,last:5,tag:keep'))).toBe(
      '24h:1h,7d:1d,4w:1w,12:1m,30:1d@90d,last:5,tag:keep',
    );
    expect(() => formatRules([{ kind: 'tag', tags: ['a,b'] }])).toThrow(RangeError);
  });
});
