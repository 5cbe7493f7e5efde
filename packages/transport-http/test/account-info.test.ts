import { KluisError } from '@kluis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAccountInfo } from '../src/index';
import { type NodeServer, serveNode } from '../src/node/index';

/** What the test server answers next, and the requests it saw. */
let answer: () => Response;
const seen: { url: string; authorization: string | null }[] = [];
let server: NodeServer;

beforeAll(async () => {
  server = await serveNode(async (request) => {
    seen.push({ url: request.url, authorization: request.headers.get('authorization') });
    return answer();
  });
});
afterAll(() => server.close());

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const good = { account: 'alice', retentionDays: 7, protectDays: 8, usedBytes: 12, quotaBytes: null };
const ask = (path = 'alice/my%20laptop/') =>
  fetchAccountInfo({ url: `${server.url}${path}`, auth: { username: 'alice', password: 'pw' } });

describe('fetchAccountInfo', () => {
  it('asks /-/account of the origin for the repository path, with the credentials', async () => {
    answer = () => json({ ...good, quotaBytes: 1000 });
    expect(await ask()).toEqual({ ...good, quotaBytes: 1000 });
    const last = seen.at(-1)!;
    expect(new URL(last.url).pathname).toBe('/-/account');
    expect(new URL(last.url).searchParams.get('repo')).toBe('alice/my laptop');
    expect(last.authorization).toBe(`Basic ${btoa('alice:pw')}`);
    answer = () => json(good);
    expect((await ask()).quotaBytes).toBeUndefined();
  });

  it('maps a server without the endpoint to NOT_FOUND, refusals to AUTH', async () => {
    answer = () => new Response('not found', { status: 404 });
    await expect(ask()).rejects.toSatisfy((e) => KluisError.is(e, 'NOT_FOUND'));
    answer = () => new Response('no', { status: 403 });
    await expect(ask()).rejects.toSatisfy((e) => KluisError.is(e, 'AUTH'));
  });

  it('refuses an answer that is not the account settings, or too long, as PROTOCOL', async () => {
    const bad = [
      () => new Response('not json'),
      () => json({ ...good, retentionDays: -1 }),
      () => json({ ...good, usedBytes: 1.5 }),
      () => json({ ...good, account: undefined }),
      () => json([good]),
      () => json({ ...good, pad: 'x'.repeat(70_000) }),
      // No Content-Length: the body is cut off while streaming.
      () =>
        new Response(
          new ReadableStream({
            pull(c) {
              c.enqueue(new Uint8Array(16 << 10).fill(32));
            },
          }),
        ),
    ];
    for (const [i, b] of bad.entries()) {
      answer = b;
      const e = await ask().catch((x: unknown) => x);
      expect([i, KluisError.is(e, 'PROTOCOL')]).toEqual([i, true]);
      expect((e as Error).message).toMatch(
        /^read account settings \(http:\/\/127\.0\.0\.1:\d+\/-\/account\): /,
      );
    }
  });
});
