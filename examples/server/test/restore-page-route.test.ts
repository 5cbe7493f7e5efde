// The restore page's route on its own: files from a folder, with its headers; what is not there.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RESTORE_PAGE_CSP, restorePage } from '../src/restore-page.ts';

const dir = mkdtempSync(join(tmpdir(), 'kluis-restore-route-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
writeFileSync(join(dir, 'app.js'), 'export {};');
writeFileSync(join(dir, 'notes.txt'), 'not served: not a page file type');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const get = (target: string, headers: Record<string, string> = {}) =>
  restorePage(dir)(new Request(`http://127.0.0.1${target}`, { headers }), target);

describe('restorePage', () => {
  it('serves index.html at the folder and each file with its type and the page headers', async () => {
    const index = get('/-/restore/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(RESTORE_PAGE_CSP);
    expect(index.headers.get('x-frame-options')).toBe('DENY');
    expect(await index.text()).toBe('<!doctype html><title>t</title>');
    const app = get('/-/restore/app.js?v=1');
    expect(app.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(app.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('redirects the bare path, answers 304 to a known ETag, and 404 to anything else', async () => {
    const bare = get('/-/restore');
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/-/restore/']);
    const etag = get('/-/restore/app.js').headers.get('etag')!;
    expect(get('/-/restore/app.js', { 'if-none-match': etag }).status).toBe(304);
    for (const t of ['/-/restore/notes.txt', '/-/restore/../config', '/-/restore/sub/app.js'])
      expect(get(t).status, t).toBe(404);
  });

  it('says how to build the page when it is not built', async () => {
    const r = restorePage(undefined)(new Request('http://127.0.0.1/-/restore/'), '/-/restore/');
    expect(r.status).toBe(404);
    expect(await r.text()).toBe(
      'not found: the restore page is not built (npm run build -w examples/server)\n',
    );
  });
});
