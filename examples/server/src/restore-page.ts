import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the page's files are served from, under the server's own `/-/` prefix. */
export const RESTORE_PAGE_PATH = '/-/restore/';

/**
 * The page's Content Security Policy: its own scripts, styles and workers only; network access to
 * this origin only (the REST API); WebAssembly compilation allowed for core's zstd decoder (about
 * three times the speed of its JavaScript fallback) and nothing else that evaluates code; frames
 * only for the service worker's downloads; never framed itself.
 */
export const RESTORE_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

interface PageFile {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

/** Serves one request under {@link RESTORE_PAGE_PATH}. */
export type RestorePageHandler = (request: Request, target: string) => Response;

/**
 * The folder of the built page: `restore-page/` beside the bundled server (`dist/`), or, when the
 * server runs from its sources, the package's `dist/restore-page/`.
 */
export function defaultRestorePageDir(): string | undefined {
  const candidates = ['./restore-page/', '../dist/restore-page/'].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  );
  return candidates.find((d) => existsSync(join(d, 'index.html')));
}

/**
 * The restore page's static files (read once, at start), with the headers a page holding
 * decryption keys needs: a strict CSP, `nosniff`, no referrer, no framing, same-origin isolation.
 * Without a built page, `/-/restore/` says how to build it.
 *
 * @example
 * ```ts
 * const page = restorePage(defaultRestorePageDir());
 * const response = page(new Request('https://backup.example.org/-/restore/'), '/-/restore/');
 * ```
 */
export function restorePage(dir: string | undefined): RestorePageHandler {
  const files = dir ? loadFiles(dir) : new Map<string, PageFile>();
  return (request, target) => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return plain(405, 'method not allowed', { allow: 'GET, HEAD' });
    const path = target.split('?')[0]!;
    if (path === RESTORE_PAGE_PATH.slice(0, -1))
      return new Response(null, { status: 308, headers: { location: RESTORE_PAGE_PATH } });
    const name = path.slice(RESTORE_PAGE_PATH.length) || 'index.html';
    const file = files.get(name);
    if (!file) {
      const missing =
        files.size === 0 ? ': the restore page is not built (npm run build -w examples/server)' : '';
      return plain(404, `not found${missing}`);
    }
    const headers = pageHeaders(file);
    if (request.headers.get('if-none-match') === file.etag)
      return new Response(null, { status: 304, headers });
    return new Response(request.method === 'HEAD' ? null : file.body, { status: 200, headers });
  };
}

function loadFiles(dir: string): Map<string, PageFile> {
  const files = new Map<string, PageFile>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (!type) continue;
    const body = new Uint8Array(readFileSync(join(dir, name)));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    files.set(name, { body, type, etag });
  }
  return files;
}

function pageHeaders(file: PageFile): Headers {
  return new Headers({
    'content-type': file.type,
    'content-length': String(file.body.length),
    etag: file.etag,
    'cache-control': 'no-cache',
    'content-security-policy': RESTORE_PAGE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  });
}

function plain(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(`${body}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers },
  });
}
