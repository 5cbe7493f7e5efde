// Where a download goes, chunk by chunk, so no file is ever held whole in memory: the File System
// Access API's writable where the browser has it (its data reaches the file only on close, so an
// abort leaves nothing), else a stream answered by the page's service worker, which the browser
// saves as an ordinary download.

/** A download's destination. `write` resolves when the chunk has been taken (backpressure). */
export interface Sink {
  readonly kind: 'file-system' | 'service-worker';
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(reason: string): Promise<void>;
}

interface SavePickerWindow {
  showSaveFilePicker?: (o: { suggestedName: string }) => Promise<{
    createWritable(): Promise<{
      write(data: Uint8Array): Promise<void>;
      close(): Promise<void>;
      abort(reason?: unknown): Promise<void>;
    }>;
  }>;
}

/**
 * Opens a sink for a file named `name` (`size` bytes when known). Call it first in a click
 * handler: the save dialog needs the click's user activation. `undefined` when the reader
 * cancelled the dialog.
 */
export async function openSink(name: string, size: number | undefined): Promise<Sink | undefined> {
  const picker = (window as SavePickerWindow).showSaveFilePicker;
  if (picker) {
    let handle: Awaited<ReturnType<typeof picker>>;
    try {
      handle = await picker.call(window, { suggestedName: name });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return undefined;
      throw e;
    }
    const w = await handle.createWritable();
    return {
      kind: 'file-system',
      write: (chunk) => w.write(chunk),
      close: () => w.close(),
      abort: (reason) => w.abort(reason),
    };
  }
  return serviceWorkerSink(name, size);
}

/** The page's service worker (registered once; its scope is the page's folder). */
let registration: Promise<ServiceWorker> | undefined;
function downloader(): Promise<ServiceWorker> {
  registration ??= (async () => {
    // A classic script (sw.js imports nothing), so browsers without module service workers run it.
    await navigator.serviceWorker.register('./sw.js', { scope: './' });
    const ready = await navigator.serviceWorker.ready;
    if (!ready.active) throw new Error('the download service worker did not start');
    return ready.active;
  })();
  return registration;
}

/** Starts the service worker early (login), so the first download does not wait for it. */
export function prepareDownloads(): void {
  if (!('showSaveFilePicker' in window) && 'serviceWorker' in navigator) downloader().catch(() => {});
}

/**
 * A download answered by the service worker: the page sends each chunk when the worker's stream
 * asks for one, so at most one chunk is in flight, whatever the file's size.
 */
async function serviceWorkerSink(name: string, size: number | undefined): Promise<Sink> {
  if (!('serviceWorker' in navigator))
    throw new Error('this browser can save neither through the File System Access API nor a service worker');
  const worker = await downloader();
  const id = crypto.randomUUID();
  const channel = new MessageChannel();
  const pulls: { resolve(): void; reject(e: Error): void }[] = [];
  let pulled = 0;
  let cancelled: Error | undefined;
  channel.port1.onmessage = ({ data }: MessageEvent<{ type: string }>) => {
    if (data.type === 'cancelled') {
      // The reader cancelled the download in the browser's own interface.
      cancelled = new DOMException('the download was cancelled', 'AbortError');
      for (const p of pulls.splice(0)) p.reject(cancelled);
    }
    if (data.type !== 'pull') return;
    const waiting = pulls.shift();
    if (waiting) waiting.resolve();
    else pulled++;
  };
  const nextPull = () =>
    new Promise<void>((resolve, reject) => {
      if (cancelled) reject(cancelled);
      else if (pulled > 0) {
        pulled--;
        resolve();
      } else pulls.push({ resolve, reject });
    });
  await new Promise<void>((resolve) => {
    channel.port1.addEventListener('message', ({ data }) => data.type === 'registered' && resolve(), {
      once: true,
    });
    worker.postMessage({ type: 'download', id, name, size }, [channel.port2]);
  });
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.src = `./download/${id}`;
  document.body.append(frame);
  const done = () => setTimeout(() => frame.remove(), 60_000);
  return {
    kind: 'service-worker',
    async write(chunk) {
      await nextPull();
      const copy = chunk.slice();
      channel.port1.postMessage({ type: 'chunk', data: copy }, [copy.buffer]);
    },
    async close() {
      await nextPull();
      channel.port1.postMessage({ type: 'end' });
      done();
    },
    async abort(reason) {
      channel.port1.postMessage({ type: 'abort', reason });
      done();
    },
  };
}
