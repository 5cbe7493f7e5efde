import pLimit from 'p-limit';
import { IntegrityError, KluisError } from '../errors';
import type { Transport } from '../transport';
import { hex } from './_bytes';
import { AAD, type Sealer } from './_sealer';
import { decodeSnapshot, encodeSnapshot, type Snapshot } from './snapshot';

/** A snapshot with its ID (hex SHA-256 of its stored bytes). */
export interface SnapshotRef {
  id: string;
  snapshot: Snapshot;
}

/**
 * Snapshot objects of a repository. Obtain through `repository.snapshots`.
 *
 * @example
 * ```ts
 * const all = await repo.snapshots.list();
 * const latest = await repo.snapshots.resolve('latest');
 * ```
 */
export class SnapshotStore {
  /** @internal a repository makes its snapshot store (see {@link openRepository}). */
  constructor(
    readonly transport: Transport,
    /** @internal The repository's keys at work: sealing and opening snapshots. */
    readonly sealer: Sealer,
  ) {}

  /** Every snapshot, oldest first. */
  async list(signal?: AbortSignal): Promise<SnapshotRef[]> {
    const limit = pLimit(8);
    const jobs: Promise<SnapshotRef>[] = [];
    for await (const o of this.transport.list('snapshots/', { signal })) {
      jobs.push(limit(() => this.load(o.key.slice(10), signal)));
    }
    const all = await Promise.all(jobs);
    return all.sort((a, b) =>
      a.snapshot.time < b.snapshot.time ? -1 : a.snapshot.time > b.snapshot.time ? 1 : a.id < b.id ? -1 : 1,
    );
  }

  /** Loads one snapshot by full ID. */
  async load(id: string, signal?: AbortSignal): Promise<SnapshotRef> {
    const key = `snapshots/${id}`;
    const sealed = await this.transport.get(key, { signal });
    const actual = hex(this.sealer.sha256(sealed));
    if (actual !== id) throw new IntegrityError(key, id, actual);
    return { id, snapshot: decodeSnapshot(this.sealer.open(sealed, AAD.snapshot, key), key) };
  }

  /** Writes a snapshot; returns its ID. */
  async save(snapshot: Snapshot, signal?: AbortSignal): Promise<string> {
    const sealed = this.sealer.seal(encodeSnapshot(snapshot), AAD.snapshot);
    const id = hex(this.sealer.sha256(sealed));
    await this.transport.put(`snapshots/${id}`, sealed, { ifAbsent: true, signal });
    return id;
  }

  /** Removes a snapshot (its data stays until prune). */
  async remove(id: string, signal?: AbortSignal): Promise<void> {
    await this.transport.delete(`snapshots/${id}`, { signal });
  }

  /**
   * Finds a snapshot by `latest`, a full ID, or a unique ID prefix (at least 4 hex digits).
   * Optional filters narrow `latest` (e.g. to one host and set of paths).
   */
  async resolve(
    ref: string,
    filter: { host?: string; paths?: string[] } = {},
    signal?: AbortSignal,
  ): Promise<SnapshotRef> {
    const all = await this.list(signal);
    if (ref === 'latest') {
      const match = all.filter(
        (s) =>
          (filter.host === undefined || s.snapshot.host === filter.host) &&
          (filter.paths === undefined || samePaths(s.snapshot.paths, filter.paths)),
      );
      const last = match.at(-1);
      if (!last) throw new KluisError('NOT_FOUND', 'no snapshot matches "latest"');
      return last;
    }
    if (!/^[0-9a-f]{4,64}$/.test(ref))
      throw new KluisError('NOT_FOUND', `${JSON.stringify(ref)} is not a snapshot ID`);
    const match = all.filter((s) => s.id.startsWith(ref));
    if (match.length !== 1)
      throw new KluisError(
        'NOT_FOUND',
        match.length ? `snapshot prefix ${ref} is ambiguous` : `no snapshot ${ref}`,
      );
    return match[0]!;
  }
}

function samePaths(a: string[], b: string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((p, i) => p === y[i]);
}
