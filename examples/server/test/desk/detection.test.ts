import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type TestServer } from '../_server.ts';

// Storage on S3 at a port where nothing listens: every repository request fails with a 5xx,
// as when the storage behind a real server goes away.
let s: TestServer;

beforeAll(async () => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  s = await startServer({
    storage: { kind: 's3', url: 's3:http://127.0.0.1:9/backups' },
    desk: { detection: { windowSeconds: 60, minErrors: 3, errorRatio: 0.5 } },
  });
  await s.addAccount('alice');
  await s.addAccount('bob');
});
afterAll(async () => {
  await s.close();
  vi.unstubAllEnvs();
});

describe('incidents detected from the error rate', () => {
  it('opens one detected incident for the account whose requests fail, from the first failure', async () => {
    const t0 = s.clock.now;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      s.clock.now = t0 + i * 10_000;
      statuses.push((await s.fetchAs('alice', '/alice/laptop/config')).status);
    }
    expect(statuses.every((x) => x >= 500)).toBe(true);
    await s.app.desk.idle(); // the detector opens the incident beside the request
    const incidents = await s.app.desk.desk.incidents({ account: 'alice' });
    expect(incidents).toHaveLength(1); // the fourth failure does not open a second one
    expect(incidents[0]).toMatchObject({
      openedBy: 'detector',
      impact: 'high',
      urgency: 'high',
      priority: 'P1',
      state: 'open',
    });
    expect(incidents[0]!.title).toBe('detected: 3 of 3 requests failed with a server error within 1 min');
    expect(incidents[0]!.events[0]).toMatchObject({ type: 'detected', at: t0 });
    await s.app.desk.idle();
    expect(await s.app.desk.desk.incidents({ account: 'bob' })).toEqual([]);
    expect(s.accessLog().filter((e) => e.event === 'desk')).toMatchObject([
      { user: 'detector', op: 'incident-detected', repo: 'alice' },
    ]);
  });

  it('does not count failures that are not the server’s (wrong password, missing objects)', async () => {
    for (let i = 0; i < 5; i++) await s.fetchAs('bob', '/bob/laptop/config', { password: 'wrong' });
    await s.app.desk.idle();
    expect(await s.app.desk.desk.incidents({ account: 'bob' })).toEqual([]);
  });
});
