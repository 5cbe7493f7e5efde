// Worker thread body of workerBlobDecoder: opens runs of sealed blobs with the same code as the
// inline decoder. Internal.
import { parentPort, workerData } from 'node:worker_threads';
import { createSealer } from '../repo/_sealer';
import { openRun, type SealedRun } from '../repo/blob-decoder';
import { errorReply } from './_worker-pool';
import { nativeCrypto } from './crypto';
import { nodeDeflateRaw } from './zlib-codec';

const { keys } = workerData as { keys: { encryption: Uint8Array; id: Uint8Array } };
const sealer = createSealer(nativeCrypto, keys);

parentPort!.on('message', async (job: { n: number; run: SealedRun; plains: boolean }) => {
  const n = job.n;
  try {
    const out = await openRun(sealer, nodeDeflateRaw, job.run);
    if (!job.plains) {
      parentPort!.postMessage({ n, plains: [] });
      return;
    }
    // Plaintexts are moved back, not copied; views into a larger buffer are copied first.
    const plains = out.map((p) =>
      p.byteOffset === 0 && p.byteLength === p.buffer.byteLength ? p : p.slice(),
    );
    const buffers = new Set(plains.map((p) => p.buffer as ArrayBuffer));
    parentPort!.postMessage({ n, plains }, [...buffers]);
  } catch (e) {
    parentPort!.postMessage(errorReply(n, e));
  }
});
