// The smallest browser program that backs up and restores: what bundle-size.ts measures. It uses
// the root entry point only, with its defaults (portable crypto, web-standard compression).
import {
  backup,
  initRepository,
  memoryTransport,
  type RestoreTarget,
  restore,
  streamSource,
} from '@kluis/core';

/** Backs up `stream` as one file into a fresh in-memory repository and restores it. */
export async function roundTrip(password: string, stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const repo = await initRepository(memoryTransport(), { password });
  const { id } = await backup(repo, streamSource('file.bin', stream));
  const parts: Uint8Array[] = [];
  const target: RestoreTarget = {
    async dir() {},
    async symlink() {},
    async file(_path, _node, chunks) {
      for await (const c of chunks) parts.push(c);
    },
  };
  await restore(repo, id, target);
  await repo.close();
  return parts;
}
