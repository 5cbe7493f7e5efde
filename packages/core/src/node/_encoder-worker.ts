// Worker thread body of workerBlobEncoder: compresses and seals blobs with the same code as the
// inline encoder (so the output is the same up to the random nonce). Internal.
import { parentPort, workerData } from 'node:worker_threads';
import { inlineBlobEncoder } from '../repo/blob-encoder';
import { answerBatch, type WorkerReply } from './_worker-pool';
import { nativeCrypto } from './crypto';
import { nodeDeflateRaw } from './zlib-codec';

interface Job {
  n: number;
  type: 'data' | 'tree';
  id: Uint8Array;
  plain: Uint8Array;
}

const { key, compress } = workerData as { key: Uint8Array; compress: boolean };
const encoder = inlineBlobEncoder(nativeCrypto, key, compress ? nodeDeflateRaw : undefined);

parentPort!.on('message', (jobs: Job[]) =>
  answerBatch(
    (replies, moves) => parentPort!.postMessage(replies, moves),
    jobs,
    async (job) => {
      const { codec, sealed } = await encoder.encode(job.type, job.id, job.plain);
      return { reply: { n: job.n, codec, sealed } as WorkerReply, moves: [sealed.buffer as ArrayBuffer] };
    },
  ),
);
