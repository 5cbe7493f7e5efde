// Worker thread body of workerBlobDecoder: opens runs of sealed blobs with the same code as the
// inline decoder. Internal.
import { parentPort, workerData } from 'node:worker_threads';
import { createSealer } from '../repo/_sealer';
import { openRun, type SealedRun } from '../repo/blob-decoder';
import { answerBatch, type WorkerReply } from './_worker-pool';
import { nativeCrypto } from './crypto';
import { nodeDeflateRaw } from './zlib-codec';

const { keys } = workerData as { keys: { encryption: Uint8Array; id: Uint8Array } };
const sealer = createSealer(nativeCrypto, keys);

parentPort!.on('message', (jobs: { n: number; run: SealedRun; plains: boolean }[]) =>
  answerBatch(
    (replies, moves) => parentPort!.postMessage(replies, moves),
    jobs,
    async ({ n, run, plains }) => {
      const out = await openRun(sealer, nodeDeflateRaw, run);
      if (!plains) return { reply: { n, plains: [] } as WorkerReply, moves: [] };
      // Plaintexts are moved back, not copied; views into a larger buffer are copied first.
      const whole = out.map((p) =>
        p.byteOffset === 0 && p.byteLength === p.buffer.byteLength ? p : p.slice(),
      );
      return {
        reply: { n, plains: whole } as WorkerReply,
        moves: [...new Set(whole.map((p) => p.buffer as ArrayBuffer))],
      };
    },
  ),
);
