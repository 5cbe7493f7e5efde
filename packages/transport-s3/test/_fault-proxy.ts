import { connect, createServer, type Socket } from 'node:net';

/** A TCP proxy in front of the S3 server that can cut a connection in the middle of a request. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: point a client here instead of at the server. */
  readonly endpoint: string;
  /**
   * Once `bytes` more request bytes (over all connections) have passed, resets (TCP RST) the
   * connection carrying the next byte; once.
   */
  cutUploadAfter(bytes: number): void;
  /** Resolves when `bytes` more request bytes (over all connections) have passed. */
  whenUploaded(bytes: number): Promise<void>;
  /** Resolves when `bytes` more response bytes (over all connections) have passed. */
  whenDownloaded(bytes: number): Promise<void>;
  /** Connections cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

interface Waiter {
  direction: 'up' | 'down';
  bytes: number;
  resolve: () => void;
}

/** Starts a proxy on 127.0.0.1 forwarding to `target` (an `http://host:port` URL). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const { hostname, port } = new URL(target);
  // Totals over all connections, so a test need not know how the client spreads its requests.
  const total = { up: 0, down: 0 };
  let cutAt = Number.POSITIVE_INFINITY;
  let cuts = 0;
  let waiters: Waiter[] = [];
  const sockets = new Set<Socket>();
  const notify = (direction: Waiter['direction']) => {
    const ready = waiters.filter((w) => w.direction === direction && total[direction] >= w.bytes);
    waiters = waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  };
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => {
      if (total.up + chunk.length > cutAt) {
        upstream.write(chunk.subarray(0, Math.max(0, cutAt - total.up)));
        cutAt = Number.POSITIVE_INFINITY;
        cuts++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      total.up += chunk.length;
      upstream.write(chunk);
      notify('up');
    });
    upstream.on('data', (chunk: Buffer) => {
      total.down += chunk.length;
      client.write(chunk);
      notify('down');
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  const wait = (direction: Waiter['direction'], bytes: number) =>
    new Promise<void>((resolve) => waiters.push({ direction, bytes: total[direction] + bytes, resolve }));
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    cutUploadAfter: (bytes) => {
      cutAt = total.up + bytes;
    },
    whenUploaded: (bytes) => wait('up', bytes),
    whenDownloaded: (bytes) => wait('down', bytes),
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
