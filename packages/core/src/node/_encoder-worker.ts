// Worker thread body of workerBlobEncoder: compresses and seals blobs with the same code as the
// inline encoder (so the output is the same up to the random nonce), one by one or in batches
// (see _encode-batcher.ts). Internal.
import { parentPort, workerData } from 'node:worker_threads';
import { inlineBlobEncoder } from '../repo/blob-encoder';
import type { BatchJob, BatchReply } from './_encode-batcher';
import { answerBatch, type WorkerReply } from './_worker-pool';
import { nativeCrypto } from './crypto';
import { nodeDeflateRaw } from './zlib-codec';

type Job =
  | { n: number; kind?: undefined; type: 'data' | 'tree'; id: Uint8Array; plain: Uint8Array }
  | (BatchJob & { n: number });

const { key, compress } = workerData as { key: Uint8Array; compress: boolean };
const encoder = inlineBlobEncoder(nativeCrypto, key, compress ? nodeDeflateRaw : undefined);

parentPort!.on('message', (jobs: Job[]) =>
  answerBatch(
    (replies, moves) => parentPort!.postMessage(replies, moves),
    jobs,
    async (job) => {
      if (job.kind === 'batch') return encodeBatch(job);
      const { codec, sealed } = await encoder.encode(job.type, job.id, job.plain);
      return { reply: { n: job.n, codec, sealed } as WorkerReply, moves: [sealed.buffer as ArrayBuffer] };
    },
  ),
);

async function encodeBatch(job: BatchJob & { n: number }) {
  const count = job.ends.length;
  const codecs = new Uint8Array(count);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0, start = 0; i < count; start = job.ends[i]!, i++) {
    const id = job.ids.subarray(i * 32, i * 32 + 32);
    const e = await encoder.encode(
      job.trees[i] ? 'tree' : 'data',
      id,
      job.bytes.subarray(start, job.ends[i]),
    );
    codecs[i] = e.codec;
    parts.push(e.sealed);
    total += e.sealed.length;
  }
  const sealed = new Uint8Array(total);
  const ends = new Uint32Array(count);
  for (let i = 0, at = 0; i < count; i++) {
    sealed.set(parts[i]!, at);
    at += parts[i]!.length;
    ends[i] = at;
  }
  const reply: BatchReply & { n: number } = { n: job.n, codecs, ends, sealed, bytes: job.bytes };
  return {
    reply: reply as unknown as WorkerReply,
    moves: [sealed.buffer, job.bytes.buffer as ArrayBuffer, codecs.buffer, ends.buffer],
  };
}
