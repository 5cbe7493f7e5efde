import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatKey, OBJECT_TYPES, parseKey } from '../src/_keys';
import { formatRoute, parseRoute, type Route } from '../src/_route';

const pieces = [
  '..',
  '.',
  '%2e',
  '%2E%2e',
  '%2f',
  '%2F',
  '%5c',
  '\\',
  '%00',
  '\u0000',
  '/',
  '//',
  'data',
  'keys',
  'config',
  'a',
  'ab',
  '-',
  '_',
  '~',
  ':',
  '%',
  '?',
  '#',
  ' ',
  'é',
  'locks',
  'index',
  'snapshots',
  'x.y',
];
/** Random paths built from separators, dot segments, encodings, reserved names and plain text. */
const hostilePath = fc
  .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 12 })
  .map((parts) => `/${parts.join('')}`);

const segment = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,20}$/);
const repoPath = fc
  .array(
    segment.filter((s) => !['data', 'keys', 'locks', 'snapshots', 'index', 'config'].includes(s)),
    { maxLength: 3 },
  )
  .map((s) => s.join('/'));
const validKey = fc.oneof(
  fc.constant('config'),
  fc.tuple(fc.constantFrom(...OBJECT_TYPES), segment).map(([t, n]) => `${t}/${n}`),
);
const bases = fc.constantFrom('/', '/base/', '/a/b/');

describe('path parser properties', () => {
  it('never accepts a path that could escape or smuggle a separator, and canonical paths round-trip', () => {
    fc.assert(
      fc.property(hostilePath, bases, (path, base) => {
        const route = parseRoute(`${base.slice(0, -1)}${path}`, base);
        if (typeof route === 'string') return;
        const full = `${base.slice(0, -1)}${path}`;
        expect(full.includes('\u0000')).toBe(false);
        expect(full).not.toMatch(/%|\\|(^|\/)\.\.?(\/|$)|\/\//);
        for (const seg of full.split('/').slice(1, full.endsWith('/') ? -1 : undefined)) {
          expect(seg).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
        }
        expect(parseRoute(formatRoute(route, base), base)).toEqual(route);
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips every valid key under every repository path', () => {
    fc.assert(
      fc.property(validKey, repoPath, bases, (key, repo, base) => {
        const ref = parseKey(key);
        const route: Route =
          ref.type === 'config'
            ? { kind: 'config', repo }
            : { kind: 'object', repo, type: ref.type, name: ref.name };
        const parsed = parseRoute(formatRoute(route, base), base);
        expect(parsed).toEqual(route);
        if (typeof parsed !== 'string' && parsed.kind !== 'repo' && parsed.kind !== 'list') {
          expect(formatKey(parsed.kind === 'config' ? { type: 'config' } : parsed)).toBe(key);
        }
      }),
    );
  });
});
