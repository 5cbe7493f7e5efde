import * as z from 'zod/mini';
import type { JsonBounds } from '../../_json-bounds';
import { decodeJson, encodeJson } from './_json';

/** Counts recorded in every snapshot. */
export interface SnapshotSummary {
  filesNew: number;
  filesChanged: number;
  filesUnchanged: number;
  dirs: number;
  /** Bytes of all files in the snapshot. */
  bytesTotal: number;
  /** Bytes read and chunked during this backup. */
  bytesRead: number;
  /** New blob bytes added to the repository (plaintext) and stored (after compression and sealing). */
  bytesAdded: number;
  bytesStored: number;
  blobsNew: number;
  /** Entries skipped with an error (unreadable, vanished). */
  errors: number;
  /** Start and end instants (ISO). */
  started: string;
  finished: string;
}

/** A snapshot: one version of a backed-up set of paths. */
export interface Snapshot {
  /** UTC instant (ISO 8601 with `Z`). */
  time: string;
  /** The writer's zone offset at `time`, in minutes east of UTC (e.g. 60 for CET). */
  offsetMinutes: number;
  host: string;
  user: string;
  /** The backed-up paths, as given. */
  paths: string[];
  tags: string[];
  /** Root tree blob ID (hex). */
  tree: string;
  /** Snapshot ID (hex) of the parent used for change detection, if any. */
  parent?: string;
  /**
   * Set when this snapshot was rewritten from another (new tags: see `tagSnapshots`): the ID the
   * backup first wrote it under, kept through later rewrites.
   */
  original?: string;
  /** False when the backup was interrupted or had errors that left files out. */
  complete: boolean;
  summary: SnapshotSummary;
  /** Name and version of the writer, e.g. `kluis 0.1.0`. */
  writer: string;
}

const hex64 = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const count = z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));
const text = (max: number) => z.string().check(z.maxLength(max));
const schema = z.strictObject({
  time: z.iso.datetime(),
  offsetMinutes: z.int().check(z.gte(-24 * 60), z.lte(24 * 60)),
  host: text(1024),
  user: text(1024),
  paths: z.array(text(65536)).check(z.maxLength(100_000)),
  tags: z.array(text(1024)).check(z.maxLength(10_000)),
  tree: hex64,
  parent: z.optional(hex64),
  original: z.optional(hex64),
  complete: z.boolean(),
  summary: z.strictObject({
    filesNew: count,
    filesChanged: count,
    filesUnchanged: count,
    dirs: count,
    bytesTotal: count,
    bytesRead: count,
    bytesAdded: count,
    bytesStored: count,
    blobsNew: count,
    errors: count,
    started: z.iso.datetime(),
    finished: z.iso.datetime(),
  }),
  writer: text(256),
}) as z.ZodMiniType<Snapshot>;

/**
 * Serialises a snapshot (before sealing).
 *
 * @example
 * ```ts
 * const bytes = encodeSnapshot(snapshot);
 * ```
 */
export function encodeSnapshot(s: Snapshot): Uint8Array {
  return encodeJson(s);
}

/** Far above any real snapshot (its paths and tags are the only lists), two levels deep. */
const SNAPSHOT_BOUNDS: JsonBounds = { maxBytes: 64 << 20, maxDepth: 8 };

/**
 * Parses and validates a snapshot's plaintext.
 *
 * @example
 * ```ts
 * const s = decodeSnapshot(bytes, 'snapshots/ab12…');
 * ```
 */
export function decodeSnapshot(bytes: Uint8Array, where = 'snapshot'): Snapshot {
  return decodeJson(bytes, schema, where, SNAPSHOT_BOUNDS);
}
