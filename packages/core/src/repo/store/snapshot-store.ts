import { hex } from '../../_bytes';
import { Limiter } from '../../_limiter';
import { IntegrityError, KluisError } from '../../errors';
import type { Transport } from '../../transport';
import { kindPrefix, objectKey, objectName } from '../format/layout';
import { AAD, type Sealer } from '../format/sealer';
import { decodeSnapshot, encodeSnapshot, type Snapshot } from '../format/snapshot';
import { isDamage, listKeys, settleAll } from './damage';
import type { DamagedObject } from './damaged';

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

  /**
   * Every snapshot, oldest first. A damaged snapshot file fails the listing with `INTEGRITY`
   * naming it (callers that must see every snapshot, such as prune, rely on that); use
   * {@link SnapshotStore.scan} to get the readable ones and the damaged ones apart.
   */
  async list(signal?: AbortSignal): Promise<SnapshotRef[]> {
    const { snapshots, damaged } = await this.scan(signal);
    const first = damaged[0];
    if (first)
      throw new IntegrityError(
        first.key,
        'an intact snapshot file',
        first.message,
        `${first.key} is damaged (${first.message})`,
      );
    return snapshots;
  }

  /**
   * Every snapshot that reads back intact (oldest first), and the snapshot files that do not
   * (`damaged`: failed hash or authentication, malformed). A snapshot deleted while the scan ran
   * is left out; any other failure (storage unavailable, aborted) rejects.
   *
   * @example
   * ```ts
   * const { snapshots, damaged } = await repo.snapshots.scan();
   * if (damaged.length) console.warn(`${damaged.length} damaged snapshot(s), first ${damaged[0]!.key}`);
   * ```
   */
  async scan(signal?: AbortSignal): Promise<{ snapshots: SnapshotRef[]; damaged: DamagedObject[] }> {
    const keys = await listKeys((p, o) => this.transport.list(p, o), kindPrefix('snapshots'), signal);
    const limit = new Limiter(8);
    const snapshots: SnapshotRef[] = [];
    const damaged: DamagedObject[] = [];
    await settleAll(
      keys.map((key) =>
        limit.run(async () => {
          try {
            snapshots.push(await this.load(objectName('snapshots', key), signal));
          } catch (e) {
            if (isDamage(e)) damaged.push({ key, message: e.message });
            else if (!KluisError.is(e, 'NOT_FOUND')) throw e;
          }
        }),
      ),
    );
    damaged.sort((a, b) => (a.key < b.key ? -1 : 1));
    snapshots.sort((a, b) =>
      a.snapshot.time < b.snapshot.time ? -1 : a.snapshot.time > b.snapshot.time ? 1 : a.id < b.id ? -1 : 1,
    );
    return { snapshots, damaged };
  }

  /**
   * The full ID of the one stored snapshot whose ID is `ref` or starts with it (at least 4 hex
   * digits), from the listing alone: nothing is read or decoded, so it finds damaged snapshots
   * too (to remove them with {@link SnapshotStore.remove}).
   *
   * @example
   * ```ts
   * await repo.snapshots.remove(await repo.snapshots.resolveId('3f2a'));
   * ```
   */
  async resolveId(ref: string, signal?: AbortSignal): Promise<string> {
    if (!/^[0-9a-f]{4,64}$/.test(ref))
      throw new KluisError('NOT_FOUND', `${JSON.stringify(ref)} is not a snapshot ID`);
    const keys = await listKeys((p, o) => this.transport.list(p, o), kindPrefix('snapshots'), signal);
    return unique(
      ref,
      keys.map((k) => objectName('snapshots', k)).filter((id) => id.startsWith(ref)),
    );
  }

  /** Loads one snapshot by full ID. */
  async load(id: string, signal?: AbortSignal): Promise<SnapshotRef> {
    const key = objectKey('snapshots', id);
    const sealed = await this.transport.get(key, { signal });
    const actual = hex(this.sealer.sha256(sealed));
    if (actual !== id) throw new IntegrityError(key, id, actual);
    return { id, snapshot: decodeSnapshot(this.sealer.open(sealed, AAD.snapshot, key), key) };
  }

  /** Writes a snapshot; returns its ID. */
  async save(snapshot: Snapshot, signal?: AbortSignal): Promise<string> {
    const sealed = this.sealer.seal(encodeSnapshot(snapshot), AAD.snapshot);
    const id = hex(this.sealer.sha256(sealed));
    await this.transport.put(objectKey('snapshots', id), sealed, { ifAbsent: true, signal });
    return id;
  }

  /**
   * Removes a snapshot by full ID (its data stays until prune). Nothing is read or decoded first,
   * so a damaged snapshot can be removed too (find its ID with `scan` or `resolveId`).
   */
  async remove(id: string, signal?: AbortSignal): Promise<void> {
    await this.transport.delete(objectKey('snapshots', id), { signal });
  }

  /**
   * Finds a snapshot by `latest`, a full ID, or a unique ID prefix (at least 4 hex digits).
   * Optional filters narrow `latest` (e.g. to one host and set of paths). Damaged snapshots are
   * passed over by `latest` (they have no readable time); asking for one by ID or prefix fails
   * with its damage (`INTEGRITY`, `INVALID_DATA`).
   */
  async resolve(
    ref: string,
    filter: { host?: string; paths?: string[] } = {},
    signal?: AbortSignal,
  ): Promise<SnapshotRef> {
    if (ref !== 'latest') return this.load(await this.resolveId(ref, signal), signal);
    const { snapshots } = await this.scan(signal);
    const match = snapshots.filter(
      (s) =>
        (filter.host === undefined || s.snapshot.host === filter.host) &&
        (filter.paths === undefined || samePaths(s.snapshot.paths, filter.paths)),
    );
    const last = match.at(-1);
    if (!last) throw new KluisError('NOT_FOUND', 'no snapshot matches "latest"');
    return last;
  }
}

function unique(ref: string, match: string[]): string {
  if (match.length !== 1)
    throw new KluisError(
      'NOT_FOUND',
      match.length ? `snapshot prefix ${ref} is ambiguous` : `no snapshot ${ref}`,
    );
  return match[0]!;
}

function samePaths(a: string[], b: string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((p, i) => p === y[i]);
}
