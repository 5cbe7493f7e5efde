// The key derivation's worker: scrypt over the repository password runs here, so the page stays
// responsive for the second or more it takes. It answers each request with the derived key.
import { portableCrypto, type ScryptParams } from '@kluis/core/crypto';

/** A request from the page. */
export interface KdfRequest {
  id: number;
  password: Uint8Array;
  salt: Uint8Array;
  params: ScryptParams;
}

/** The answer: the key, or the error's message. */
export type KdfResponse = { id: number; key: Uint8Array } | { id: number; error: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<KdfRequest>) => void) | null;
  postMessage(message: KdfResponse, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;
scope.onmessage = async ({ data }) => {
  try {
    const key = await portableCrypto.scrypt(data.password, data.salt, data.params);
    scope.postMessage({ id: data.id, key }, [key.buffer as ArrayBuffer]);
  } catch (e) {
    scope.postMessage({ id: data.id, error: e instanceof Error ? e.message : String(e) });
  } finally {
    data.password.fill(0);
  }
};
