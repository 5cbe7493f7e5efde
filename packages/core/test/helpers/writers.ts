import type { ObjectWriter, PutOptions, Transport } from '../../src/index';

/** What `withWriters` runs in place of a writer's calls; each gets the real writer. */
export interface WriterHooks {
  write?(bytes: Uint8Array, inner: ObjectWriter): Promise<void>;
  commit?(key: string, options: PutOptions | undefined, inner: ObjectWriter): Promise<void>;
  abort?(inner: ObjectWriter): Promise<void>;
}

/** `t` (which must have `openWriter`) whose writers run `hooks` instead of calling straight through. */
export function withWriters(t: Transport, hooks: WriterHooks): Transport {
  return {
    ...t,
    async openWriter(o) {
      const w = await t.openWriter!(o);
      return {
        get size() {
          return w.size;
        },
        write: (b) => (hooks.write ? hooks.write(b, w) : w.write(b)),
        commit: (k, co) => (hooks.commit ? hooks.commit(k, co, w) : w.commit(k, co)),
        abort: () => (hooks.abort ? hooks.abort(w) : w.abort()),
      };
    },
  };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
