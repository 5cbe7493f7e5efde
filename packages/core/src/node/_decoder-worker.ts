// Worker thread body of workerBlobDecoder: opens runs of sealed blobs with the same code as the
// inline decoder. Internal.
import { parentPort, workerData } from 'node:worker_threads';
import { createSealer } from '../repo/format/sealer';
import { type NativeFileWrite, openRun, type SealedRun, verifyRun } from '../repo/store/blob-decoder';
import { youngCollector } from './_collect';
import { writeRunFiles } from './_run-files';
import { answerBatch, type WorkerReply } from './_worker-pool';
import { nodeDeflateRawReader } from './_zlib-decoders';
import { nativeCrypto } from './crypto';

const { keys } = workerData as { keys: { encryption: Uint8Array; id: Uint8Array } };
const sealer = createSealer(nativeCrypto, keys);
/** Plaintexts written to files or only checked are dead at once: collect them every few MiB. */
const collect = youngCollector(4 << 20);

type Job = { n: number; run: SealedRun; plains: boolean; back: boolean; files?: NativeFileWrite[] };

parentPort!.on('message', (jobs: Job[]) =>
  answerBatch(
    (replies, moves) => parentPort!.postMessage(replies, moves),
    jobs,
    async ({ n, run, plains, back, files }) => {
      if (!plains) {
        // Each file's plaintexts were decrypted, then inflated: twice its bytes of dead buffers.
        if (files)
          await writeRunFiles(sealer, nodeDeflateRawReader, run, files, (bytes) => collect(2 * bytes));
        else await verifyRun(sealer, nodeDeflateRawReader, run, (length) => collect(2 * length));
        // Opening never aliases the run's bytes, so its buffer can go back to be read into again.
        if (back)
          return {
            reply: { n, plains: [], back: run.bytes } as WorkerReply,
            moves: [run.bytes.buffer as ArrayBuffer],
          };
        return { reply: { n, plains: [] } as WorkerReply, moves: [] };
      }
      const out = await openRun(sealer, nodeDeflateRawReader, run);
      // Plaintexts are moved back, not copied. A view into a larger buffer is copied first,
      // except inflated blobs: their buffer has one spare byte (see nodeDeflateRawReader) and nothing
      // else in it, so moving it costs a byte instead of a copy of the blob.
      const whole = out.map((p) => (ownsBuffer(p) ? p : p.slice()));
      return {
        reply: { n, plains: whole } as WorkerReply,
        moves: [...new Set(whole.map((p) => p.buffer as ArrayBuffer))],
      };
    },
  ),
);

// Tells the pool the script has loaded (an empty batch of replies).
parentPort!.postMessage([]);

/**
 * Whether `p` is alone in its buffer, so moving the buffer takes nothing else along: it starts the
 * buffer and leaves at most a few bytes unused. Small views are never moved, as they may lie in
 * Buffer's shared allocation pool (used below 4 KiB).
 */
function ownsBuffer(p: Uint8Array): boolean {
  if (p.byteOffset !== 0 || !(p.buffer instanceof ArrayBuffer)) return false;
  const spare = p.buffer.byteLength - p.byteLength;
  return spare === 0 || (spare <= 64 && p.byteLength >= 8192);
}
