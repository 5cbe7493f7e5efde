import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryTransport, type Transport } from '@kluis/core';
import { localTransport } from '@kluis/core/node';
import { describeTransportConformance } from '@kluis/core/testing';
import { describe, expect, it } from 'vitest';
import { createRestHandler, httpTransport } from '../src/index';
import { serveNode } from '../src/node/index';

/**
 * httpTransport → real HTTP on 127.0.0.1 → createRestHandler → a store. The suite writes random
 * bytes under hash-shaped names and overwrites them, so the handler runs with `verifyUploads: false`
 * here; hash verification itself is covered by the protocol tests. Sizes are lowered from the
 * suite's defaults to keep the package fast: a REST listing is one JSON reply (no pages to cross),
 * and HTTP treats an 8 MiB body like a 17 MiB one. The local-disk run leaves out `list-many`,
 * which exercises the store rather than HTTP and which the local transport's own suite runs.
 */
function overHttp(makeStore: () => Promise<{ store: Transport; cleanup: () => Promise<void> }>) {
  const stops = new WeakMap<Transport, () => Promise<void>>();
  return {
    async setup(): Promise<Transport> {
      const { store, cleanup } = await makeStore();
      const server = await serveNode(createRestHandler(store, {}, { verifyUploads: false }));
      const transport = httpTransport({ url: server.url });
      stops.set(transport, async () => {
        await server.close();
        await cleanup();
      });
      return transport;
    },
    async teardown(transport: Transport): Promise<void> {
      await stops.get(transport)?.();
    },
  };
}

describeTransportConformance(
  overHttp(async () => ({ store: memoryTransport(), cleanup: async () => undefined })),
  { describe, it, expect },
  {
    name: 'httpTransport over createRestHandler(memoryTransport)',
    fastCheckRuns: 15,
    manyKeys: 150,
    largeObjectBytes: 8 * 2 ** 20,
  },
);

describeTransportConformance(
  overHttp(async () => {
    const root = await mkdtemp(join(tmpdir(), 'kluis-http-'));
    return {
      store: localTransport({ root, fsync: false }),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  }),
  { describe, it, expect },
  {
    name: 'httpTransport over createRestHandler(localTransport)',
    fastCheckRuns: 10,
    skip: ['list-many'],
    parallel: 50,
    largeObjectBytes: 4 * 2 ** 20,
  },
);
