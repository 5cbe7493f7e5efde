// Worker thread body of workerBlobEncoder: compresses and seals blobs with the same code as the
// inline encoder (so the output is the same up to the random nonce), one by one or in batches
// (see _encode-batcher.ts). Internal.
import { parentPort, workerData } from 'node:worker_threads';
import { SEAL_OVERHEAD } from '../crypto/seal';
import { encodeBlobInto, inlineBlobEncoder } from '../repo/store/blob-encoder';
import { youngCollector } from './_collect';
import { type BatchJob, type BatchReply, SEALED_BYTES } from './_encode-batcher';
import { type FileControl, type FileJob, FileWorker, type FileWorkerConfig } from './_file-worker';
import { answerBatch, errorReply, type WorkerReply } from './_worker-pool';
import { nativeCrypto } from './crypto';
import { uninitialised } from './crypto-xchacha';
import { nodeCodecById } from './zlib-codec';

type Job =
  | { n: number; kind?: undefined; type: 'data' | 'tree'; id: Uint8Array; plain: Uint8Array }
  | (BatchJob & { n: number });

const {
  key,
  codec: codecId,
  chunking,
} = workerData as { key: Uint8Array; codec: number | undefined; chunking?: FileWorkerConfig['chunking'] };
const codec = nodeCodecById(codecId);
const encoder = inlineBlobEncoder(nativeCrypto, key, codec);
/** Sealing and compressing leave dead buffers behind: collect them every few batches. */
const collect = youngCollector(4 * SEALED_BYTES);
const post = (replies: WorkerReply[], moves: ArrayBuffer[]) => parentPort!.postMessage(replies, moves);
/** Whole files (see _file-worker.ts), when the pool was given what chunking them takes. */
const files = chunking && new FileWorker(post, { key, codec, chunking }, collect);

parentPort!.on('message', (message: (Job | (FileJob & { n: number }) | FileControl)[]) => {
  const jobs: Job[] = [];
  for (const m of message) {
    if (m.kind === 'files' || m.kind === 'give' || m.kind === 'cancel') {
      if (!files) post([errorReply((m as { n: number }).n, new TypeError('no whole-file work here'))], []);
      else if (m.kind === 'files') files.enqueue(m);
      else files.control(m);
    } else jobs.push(m);
  }
  if (jobs.length > 0) void encodeJobs(jobs);
});

function encodeJobs(jobs: Job[]) {
  return answerBatch(post, jobs, async (job) => {
    if (job.kind === 'batch') return encodeBatch(job);
    const { codec, sealed } = await encoder.encode(job.type, job.id, job.plain);
    collect(job.plain.length);
    return { reply: { n: job.n, codec, sealed } as WorkerReply, moves: [sealed.buffer as ArrayBuffer] };
  });
}

// Tells the pool the script has loaded (an empty batch of replies).
parentPort!.postMessage([]);

async function encodeBatch(job: BatchJob & { n: number }) {
  const count = job.ends.length;
  const codecs = new Uint8Array(count);
  const ends = new Uint32Array(count);
  // Every blob is sealed straight into one answer buffer: the one handed back when it is large
  // enough (a batch of up to BATCH_BYTES always fits SEALED_BYTES unless it holds thousands of
  // tiny blobs), else a new one.
  const bound = (job.ends[count - 1] ?? 0) + count * SEAL_OVERHEAD;
  const out =
    job.out && job.out.byteLength >= bound
      ? new Uint8Array(job.out)
      : uninitialised(Math.max(bound, SEALED_BYTES));
  let at = 0;
  for (let i = 0, start = 0; i < count; start = job.ends[i]!, i++) {
    const blob = {
      type: job.trees[i] ? ('tree' as const) : ('data' as const),
      id: job.ids.subarray(i * 32, i * 32 + 32),
      plain: job.bytes.subarray(start, job.ends[i]),
    };
    const e = await encodeBlobInto(nativeCrypto, key, codec, blob, out, at);
    codecs[i] = e.codec;
    at += e.length;
    ends[i] = at;
  }
  const sealed = out.subarray(0, at);
  collect(at);
  const reply: BatchReply & { n: number } = { n: job.n, codecs, ends, sealed, bytes: job.bytes };
  return {
    reply: reply as unknown as WorkerReply,
    moves: [out.buffer as ArrayBuffer, job.bytes.buffer as ArrayBuffer, codecs.buffer, ends.buffer],
  };
}
