// The restore page's pure parts, in Node: how errors are explained to the reader, and the
// formatting of sizes, durations and progress.
import { KluisError } from '@kluis/core';
import { describe, expect, it } from 'vitest';
import { explain } from '../restore-page/src/errors.ts';
import {
  formatBytes,
  formatDuration,
  normaliseRepoPath,
  Rate,
  searchPattern,
} from '../restore-page/src/format.ts';

describe('explain', () => {
  it('tells a wrong repository password from a refused account', () => {
    const wrong = explain(new KluisError('WRONG_PASSWORD', 'wrong password: none of the 1 key slot(s)'));
    expect(wrong).toEqual({ message: expect.stringMatching(/^Wrong repository password/), retryable: false });
    const auth = explain(new KluisError('AUTH', 'account or password not accepted'));
    expect(auth.message).toMatch(/did not accept this account and password/);
    expect(auth.retryable).toBe(false);
  });

  it('names the maintenance window and its end when the server says so', () => {
    const e = new KluisError('UNAVAILABLE', 'GET config: HTTP 503', { retryable: true });
    const end = '2026-03-28T16:00:00.000Z';
    const x = explain(e, { maintenance: { name: 'weekly maintenance', end } });
    expect(x.message).toBe(
      `The server is in maintenance (weekly maintenance) until ${new Date(end).toLocaleString()}. Try again then.`,
    );
    expect(x.retryable).toBe(true);
  });

  it('offers to resume after a lost connection, never after damaged data', () => {
    const lost = explain(new KluisError('UNAVAILABLE', 'network error', { retryable: true }), {
      unreachable: true,
    });
    expect(lost).toEqual({
      message: expect.stringMatching(/connection to the server was lost/),
      retryable: true,
    });
    const damaged = explain(new KluisError('INTEGRITY', 'blob 12ab: authentication failed'));
    expect(damaged.retryable).toBe(false);
    expect(damaged.message).toMatch(/^Damaged data: .*nothing of it was saved.*blob 12ab/);
    expect(explain(new Error('boom')).message).toBe('Something went wrong: boom');
  });
});

describe('formatting', () => {
  it('prints sizes and durations as the CLI does', () => {
    expect([0, 1023, 1536, 96 * 2 ** 20, 3 * 2 ** 40].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.50 KiB',
      '96.0 MiB',
      '3.00 TiB',
    ]);
    expect([0, 59.4, 185, 7800, Number.POSITIVE_INFINITY, -1].map(formatDuration)).toEqual([
      '0 s',
      '59 s',
      '3 min 5 s',
      '2 h 10 min',
      '—',
      '—',
    ]);
  });

  it('measures the rate over a sliding window and the time left from it', () => {
    const r = new Rate(1000);
    expect(r.secondsLeft(0, 100)).toBe(Number.POSITIVE_INFINITY);
    r.add(0, 0);
    r.add(500, 1000);
    expect(r.bytesPerSecond).toBe(2000);
    r.add(5000, 1000); // a stall: the window forgets the fast start
    r.add(6000, 1100);
    expect(r.bytesPerSecond).toBe(100);
    expect(r.secondsLeft(1100, 2100)).toBe(10);
  });

  it('turns a search word into a pattern and cleans a repository path', () => {
    expect(searchPattern(' report ')).toBe('*report*');
    expect(searchPattern('*.pdf')).toBe('*.pdf');
    expect(normaliseRepoPath(' /alice/laptop/ ')).toBe('alice/laptop');
  });
});
