// The page's side of the key-derivation worker: a CryptoProvider that is the portable one except
// for scrypt, which runs in kdf-worker.js.
import { type CryptoProvider, portableCrypto, type ScryptParams } from '@kluis/core/crypto';
import type { KdfRequest, KdfResponse } from './kdf-worker';

/** Counts derivations done in the worker (shown to tests on `document.body.dataset.kdfWorker`). */
let derivations = 0;

/** The portable provider with `scrypt` moved to a worker that lives as long as the provider. */
export function workerCrypto(workerUrl: string): { crypto: CryptoProvider; close(): void } {
  const worker = new Worker(workerUrl, { type: 'module' });
  const pending = new Map<number, { resolve(k: Uint8Array): void; reject(e: Error): void }>();
  let next = 0;
  worker.onmessage = ({ data }: MessageEvent<KdfResponse>) => {
    const p = pending.get(data.id);
    pending.delete(data.id);
    if (!p) return;
    if ('key' in data) p.resolve(data.key);
    else p.reject(new Error(`key derivation failed: ${data.error}`));
  };
  worker.onerror = (e) => {
    for (const p of pending.values()) p.reject(new Error(`key derivation worker failed: ${e.message}`));
    pending.clear();
  };
  const scrypt = (password: Uint8Array, salt: Uint8Array, params: ScryptParams) =>
    new Promise<Uint8Array>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      const request: KdfRequest = { id, password: password.slice(), salt: salt.slice(), params };
      worker.postMessage(request, [request.password.buffer as ArrayBuffer]);
      derivations++;
      document.body.dataset.kdfWorker = String(derivations);
    });
  return { crypto: { ...portableCrypto, scrypt }, close: () => worker.terminate() };
}
