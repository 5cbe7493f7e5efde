// Writing the files of a run of blobs, for the decoder threads and the calling thread alike.
// Internal: never re-exported.
import type { CompressionCodec } from '../compression';
import type { Sealer } from '../repo/format/sealer';
import { checkRunHash, type NativeFileWrite, openRunBlob, type SealedRun } from '../repo/store/blob-decoder';
import { writeFileSync } from './_fs-write';

/**
 * Writes the files of a run one by one, each once its own blobs are open and intact: only one
 * file's plaintexts (and blobs a later file of the run shares) are alive at a time, instead of the
 * whole run's (~20 MB for an 8 MiB run of text). A damaged blob stops the run before its file is
 * written; files before it in the run are complete and correct. `written` is told each file's
 * plaintext bytes once the file is written.
 */
export async function writeRunFiles(
  sealer: Sealer,
  codec: Omit<CompressionCodec, 'compress'>,
  run: SealedRun,
  files: readonly NativeFileWrite[],
  written: (bytes: number) => void = () => {},
): Promise<void> {
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
        p = await openRunBlob(sealer, codec, run, run.blobs[i]!);
        if (lastUse.get(i)! > k) shared.set(i, p);
      }
      chunks.push(p);
      bytes += p.length;
    }
    writeFileSync(f, chunks);
    for (const i of f.blobs) if (lastUse.get(i) === k) shared.delete(i);
    written(bytes);
  }
}
