// The restore page's service worker: answers `download/<id>` with a stream whose chunks the page
// sends through a MessageChannel, one per pull, so the browser writes the download to disk as it
// arrives (constant memory for any size). It handles nothing else: every other request goes to
// the network as usual.

interface Pending {
  name: string;
  size: number | undefined;
  port: MessagePort;
}

interface FetchEventLike extends Event {
  request: Request;
  respondWith(r: Response | Promise<Response>): void;
}

interface ExtendableMessageEventLike extends MessageEvent {
  waitUntil(p: Promise<unknown>): void;
}

interface ServiceWorkerScope {
  addEventListener(
    type: 'install' | 'activate',
    f: (e: Event & { waitUntil(p: Promise<unknown>): void }) => void,
  ): void;
  addEventListener(type: 'fetch', f: (e: FetchEventLike) => void): void;
  addEventListener(type: 'message', f: (e: ExtendableMessageEventLike) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  registration: { scope: string };
}

const sw = self as unknown as ServiceWorkerScope;
const pending = new Map<string, Pending>();

sw.addEventListener('install', (e) => e.waitUntil(sw.skipWaiting()));
sw.addEventListener('activate', (e) => e.waitUntil(sw.clients.claim()));

sw.addEventListener('message', (e) => {
  const data = e.data as { type?: string; id?: string; name?: string; size?: number };
  const port = e.ports[0];
  if (data.type !== 'download' || typeof data.id !== 'string' || !port) return;
  pending.set(data.id, { name: String(data.name ?? 'download'), size: data.size, port });
  port.postMessage({ type: 'registered' });
});

sw.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  const prefix = new URL('download/', sw.registration.scope).pathname;
  if (!url.pathname.startsWith(prefix)) return;
  const id = url.pathname.slice(prefix.length);
  const p = pending.get(id);
  if (!p) {
    e.respondWith(new Response('this download is no longer available\n', { status: 404 }));
    return;
  }
  pending.delete(id);
  e.respondWith(respond(p));
});

function respond(p: Pending): Response {
  const stream = new ReadableStream<Uint8Array>(
    {
      pull: (controller) =>
        new Promise<void>((resolve) => {
          p.port.onmessage = ({
            data,
          }: MessageEvent<{ type: string; data?: Uint8Array; reason?: string }>) => {
            if (data.type === 'chunk' && data.data) controller.enqueue(data.data);
            else if (data.type === 'end') controller.close();
            else if (data.type === 'abort') controller.error(new Error(data.reason ?? 'aborted'));
            resolve();
          };
          p.port.postMessage({ type: 'pull' });
        }),
      cancel: () => p.port.postMessage({ type: 'cancelled' }),
    },
    { highWaterMark: 0 },
  );
  const headers = new Headers({
    'content-type': 'application/octet-stream',
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(p.name)}`,
    'x-content-type-options': 'nosniff',
  });
  if (p.size !== undefined) headers.set('content-length', String(p.size));
  return new Response(stream, { headers });
}
