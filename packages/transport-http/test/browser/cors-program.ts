// Runs in Chromium, on a page whose origin differs from the kluis server's: the client of
// @kluis/transport-http talks to the server through fetch, so every answer it reads passes the
// browser's CORS checks. The server's URL comes in the page's query string.
import { KluisError } from '@kluis/core';
import { httpTransport } from '../../src/index';

/** What the page reports back to the test. */
export interface CorsResult {
  ok: boolean;
  error?: string;
  origin: string;
  conditionalPut?: boolean;
  stat?: number | undefined;
  range?: number[];
  listed?: string[];
  missing?: string;
  unauthenticated?: string;
}

declare global {
  interface Window {
    __corsResult?: CorsResult;
  }
}

async function run(): Promise<CorsResult> {
  const params = new URLSearchParams(location.search);
  const url = params.get('server') ?? '';
  const origin = location.origin;
  const code = (e: unknown) => (KluisError.is(e) ? e.code : String(e));
  try {
    const t = httpTransport({ url, auth: { username: 'alice', password: 'alice-password' }, retry: false });
    await t.put('keys/k1', new Uint8Array([1, 2, 3, 4, 5]), { ifAbsent: true }); // preflighted POST
    const range = await t.get('keys/k1', { range: { offset: 1, length: 3 } }); // reads Content-Range
    const stat = (await t.stat('keys/k1'))?.size;
    const listed: string[] = [];
    for await (const { key } of t.list('keys/')) listed.push(key);
    const missing = await t.get('keys/none').then(() => 'found', code); // reads Kluis-Error
    const anonymous = httpTransport({ url, retry: false });
    const unauthenticated = await anonymous.get('keys/k1').then(() => 'read', code);
    const conditionalPut = t.capabilities.conditionalPut; // from Kluis-Create-Only
    return { ok: true, origin, conditionalPut, stat, range: [...range], listed, missing, unauthenticated };
  } catch (e) {
    return { ok: false, origin, error: `${code(e)}: ${e instanceof Error ? e.message : ''}` };
  }
}

window.__corsResult = await run();
