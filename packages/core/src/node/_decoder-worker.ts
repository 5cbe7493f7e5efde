// Worker thread body of workerBlobDecoder: opens runs of sealed blobs with the same code as the
// inline decoder. Internal.
import { parentPort, workerData } from 'node:worker_threads';
import { createSealer } from '../repo/_sealer';
import {
  checkRunHash,
  type NativeFileWrite,
  openRun,
  openRunBlob,
  type SealedRun,
  verifyRun,
} from '../repo/blob-decoder';
import { youngCollector } from './_collect';
import { writeFileSync } from './_fs-write';
import { answerBatch, type WorkerReply } from './_worker-pool';
import { nativeCrypto } from './crypto';
import { nodeDeflateRaw } from './zlib-codec';

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
        if (files) await writeFilesOf(run, files);
        else await verifyRun(sealer, nodeDeflateRaw, run, (length) => collect(2 * length));
        // Opening never aliases the run's bytes, so its buffer can go back to be read into again.
        if (back)
          return {
            reply: { n, plains: [], back: run.bytes } as WorkerReply,
            moves: [run.bytes.buffer as ArrayBuffer],
          };
        return { reply: { n, plains: [] } as WorkerReply, moves: [] };
      }
      const out = await openRun(sealer, nodeDeflateRaw, run);
      // Plaintexts are moved back, not copied. A view into a larger buffer is copied first,
      // except inflated blobs: their buffer has one spare byte (see nodeDeflateRaw) and nothing
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
 * Writes the files of a run one by one, each once its own blobs are open and intact: only one
 * file's plaintexts (and blobs a later file of the run shares) are alive at a time, instead of the
 * whole run's (~20 MB for an 8 MiB run of text). A damaged blob stops the run before its file is
 * written; files before it in the run are complete and correct.
 */
async function writeFilesOf(run: SealedRun, files: readonly NativeFileWrite[]): Promise<void> {
  checkRunHash(sealer, run);
  const lastUse = new Map<number, number>();
  files.forEach((f, k) => {
    for (const i of f.blobs) lastUse.set(i, k);
  });
  const shared = new Map<number, Uint8Array>();
  for (let k = 0; k < files.length; k++) {
    const f = files[k]!;
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    for (const i of f.blobs) {
      let p = shared.get(i);
      if (!p) {
        p = await openRunBlob(sealer, nodeDeflateRaw, run, run.blobs[i]!);
        if (lastUse.get(i)! > k) shared.set(i, p);
      }
      chunks.push(p);
      bytes += p.length;
    }
    writeFileSync(f, chunks);
    for (const i of f.blobs) if (lastUse.get(i) === k) shared.delete(i);
    collect(2 * bytes); // decrypted, then inflated
  }
}

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
