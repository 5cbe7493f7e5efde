import { hex, unhex } from '../../_bytes';
import { Limiter } from '../../_limiter';
import type { CompressionCodec } from '../../compression';
import { KluisError } from '../../errors';
import type { Transport } from '../../transport';
import { encodeIndexFile, type IndexFile, type IndexPack } from '../format/index-file';
import { type BlobType, kindPrefix, objectKey, objectName } from '../format/layout';
import { PackBufferPool, type PackEntry } from '../format/pack';
import { AAD, type Sealer } from '../format/sealer';
import { decodeTree, type TreeNode } from '../format/tree';
import {
  forEachIndexFile,
  getVerified,
  type ObjectReader,
  readHeader,
  readIndexFile,
  readPackHeaders,
} from './_index-io';
import { BufferedPackSink, type PackSink, type SinkEntry, StreamedPackSink } from './_pack-sink';
import { TreeSpanCache } from './_tree-cache';
import { type BlobDecoder, openBlob } from './blob-decoder';
import type { BlobEncoder, EncodedBlob } from './blob-encoder';
import { BlobIndex } from './blob-index';
import type { DamagedObject } from './damaged';

/** Result of {@link BlobStore.save}. */
export interface SaveResult {
  id: Uint8Array;
  /** False when the blob was already stored (deduplicated). */
  added: boolean;
  /** Bytes added to storage for this blob (0 when deduplicated). */
  stored: number;
}

/** Options of {@link BlobStore.save}. */
export interface SaveOptions {
  /** The blob's ID, when the caller computed it already. */
  id?: Uint8Array;
  /** The caller hands `plain` over and never reads or writes it again (it may be transferred to a worker thread). */
  owned?: boolean;
  /** @internal The blob compressed and sealed already (see {@link BlobStore.saveSealed}); `plain` is not read. */
  sealed?: { rawLength: number; blob: EncodedBlob };
}

/** Options of the blob store (set by the repository). */
export interface BlobStoreOptions {
  packSize: number;
  concurrency: number;
  /** Finished packs uploading (or committing, with `openWriter`) at once. */
  packUploads: number;
  /** Compresses and seals new blobs (inline or on worker threads). */
  encoder: BlobEncoder;
  /** Decodes blobs on read. */
  readCodec: CompressionCodec;
  /** Opens runs of sealed blobs (inline or on worker threads); used by `check`. */
  decoder: BlobDecoder;
}

/** The plaintext `saveSealed` passes to `save`, which does not read it. */
const NOTHING = new Uint8Array(0);

/** Write an index file after this many packs, so a killed backup loses little. */
const PACKS_PER_INDEX = 4;

/**
 * Blobs of a repository: deduplicated by ID, compressed, sealed, collected into packs, uploaded
 * with bounded concurrency, and indexed. Obtain through `repository.blobs`.
 *
 * @example
 * ```ts
 * const { id } = await repo.blobs.save('data', bytes);
 * await repo.blobs.flush();
 * const back = await repo.blobs.load(id);
 * ```
 */
export class BlobStore {
  /** The in-memory index of every stored blob. */
  readonly index = new BlobIndex();
  /** Index file IDs loaded (hex), for prune's consolidation. */
  readonly indexFiles = new Set<string>();
  /** Packs marked as garbage by an earlier prune (hex → mark time). */
  readonly garbage = new Map<string, number>();
  /** The pack of each type being filled, if any. */
  #sinks: Record<BlobType, PackSink | undefined> = { data: undefined, tree: undefined };
  #pending = new Set<string>(); // ids in writers or in flight
  #unindexed: IndexPack[] = [];
  #uploads: Limiter;
  #limit: Limiter;
  #pool: PackBufferPool;
  #treePool: PackBufferPool;
  #order: Promise<void> = Promise.resolve();
  #failure: unknown;
  #indexLoaded = false;
  #damaged: DamagedObject[] = [];
  #trees: TreeSpanCache;
  #reader: ObjectReader;

  /** @internal a repository makes its blob store (see {@link openRepository}). */
  constructor(
    readonly transport: Transport,
    /** @internal The repository's keys at work: sealing blobs and pack headers, blob IDs. */
    readonly sealer: Sealer,
    readonly options: BlobStoreOptions,
  ) {
    // A pack closes once it reaches packSize, or earlier when the next blob would not fit in
    // packSize + 1 MiB (with the header): pooled buffers never grow, whatever the chunk sizes.
    this.#pool = new PackBufferPool(options.packSize + (1 << 20), options.packUploads + 1);
    // Trees are small: their pack buffer starts at 1 MiB and doubles as needed, instead of
    // holding a full pack-sized buffer for a few kilobytes.
    this.#treePool = new PackBufferPool(1 << 20, 1);
    this.#limit = new Limiter(options.concurrency);
    this.#uploads = new Limiter(options.packUploads);
    this.#trees = new TreeSpanCache(transport, this.index);
    this.#reader = { transport, sealer, concurrency: options.concurrency };
  }

  /**
   * Loads every index file into memory. Called once before a backup, restore or check.
   *
   * A damaged index file (failed hash or authentication, malformed) is left out and listed in
   * {@link BlobStore.damaged}: with `tolerateDamage` the other index files are used (the blobs
   * only the damaged file indexed are then missing, which `check` reports and a backup's
   * {@link BlobStore.recoverUnindexedPacks} repairs); without it (the default, which prune uses,
   * as it must know every stored blob) loading fails with `INTEGRITY` naming the file.
   */
  async loadIndex(signal?: AbortSignal, options: { tolerateDamage?: boolean } = {}): Promise<void> {
    if (!this.#indexLoaded) {
      // Each file goes into the index as soon as it is decoded; which files are superseded is only
      // known once all are read, so each file's slots are kept and a superseded file's dropped.
      const loaded: {
        id: string;
        slots: [number, number];
        garbage: IndexFile['garbage'];
        supersedes: Uint8Array[];
      }[] = [];
      let damaged: DamagedObject[];
      try {
        damaged = await forEachIndexFile(
          this.#reader,
          signal,
          // A blob takes 46 bytes of an index file: the stored size bounds the blob count.
          (bytes) => this.index.reserve(Math.ceil(bytes / 46)),
          (id, file) => {
            const slots = this.index.addColumns(file);
            loaded.push({ id, slots, garbage: file.garbage, supersedes: file.supersedes });
          },
        );
      } catch (e) {
        this.index.dropSlots(loaded.map((f) => f.slots));
        throw e;
      }
      const superseded = new Set(loaded.flatMap((f) => f.supersedes.map(hex)));
      // A damaged file that a readable one replaces (left by an interrupted prune) is ignored anyway.
      this.#damaged = damaged.filter((d) => !superseded.has(objectName('index', d.key)));
      this.index.dropSlots(loaded.filter((f) => superseded.has(f.id)).map((f) => f.slots));
      for (const { id, garbage } of loaded) {
        if (superseded.has(id)) continue;
        this.indexFiles.add(id);
        for (const g of garbage) this.garbage.set(hex(g.pack), g.markedAt);
      }
      this.#indexLoaded = true;
      this.#trees.clear();
    }
    const first = this.#damaged[0];
    if (first && options.tolerateDamage !== true)
      throw new KluisError(
        'INTEGRITY',
        `${this.#damaged.length} index file(s) damaged, first ${first.key}: ${first.message}`,
      );
  }

  /** Index files found damaged by {@link BlobStore.loadIndex} (left out of the index). */
  get damaged(): readonly DamagedObject[] {
    return this.#damaged;
  }

  /**
   * Indexes packs that storage holds but no index names — left by a backup that was killed before
   * it wrote its index — by reading each pack's header (two range reads), so their blobs are reused
   * instead of uploaded again. Packs that fail to authenticate are left alone (check reports them,
   * prune removes them). Returns how many packs were recovered.
   */
  async recoverUnindexedPacks(signal?: AbortSignal): Promise<number> {
    const known = new Set<string>();
    for (const pack of this.index.packs()) known.add(hex(pack));
    const orphans: { id: string; size: number }[] = [];
    for await (const o of this.transport.list(kindPrefix('data'), { signal })) {
      const id = objectName('data', o.key);
      if (!known.has(id) && !this.garbage.has(id)) orphans.push({ id, size: o.size });
    }
    const recovered = await readPackHeaders(this.#reader, orphans, signal);
    for (const p of recovered) this.index.addPack(p.id, p.blobs);
    this.#trees.clear();
    if (recovered.length > 0) await this.writeIndexFile({ packs: recovered, garbage: [], supersedes: [] });
    return recovered.length;
  }

  /** Reads and authenticates a pack's header with range reads of its tail. */
  readHeader(id: string, size: number, signal?: AbortSignal): Promise<PackEntry[]> {
    return readHeader(this.#reader, id, size, signal);
  }

  /** Reads, verifies and decodes one index file. */
  readIndexFile(id: string, signal?: AbortSignal): Promise<IndexFile> {
    return readIndexFile(this.#reader, id, signal);
  }

  /** Gets an object named by the SHA-256 of its bytes and checks that hash. */
  getVerified(key: string, signal?: AbortSignal): Promise<Uint8Array> {
    return getVerified(this.#reader, key, signal);
  }

  /** Whether a blob is stored (or pending in this session), ignoring packs marked as garbage. */
  has(id: Uint8Array): boolean {
    if (this.#pending.has(hex(id))) return true;
    const loc = this.index.get(id);
    return loc !== undefined && (this.garbage.size === 0 || !this.garbage.has(hex(loc.pack)));
  }

  /**
   * Stores a blob unless present. `options.id` may be passed when the caller computed it already;
   * `options.owned` hands `plain` over (the caller will not touch it again), so a worker encoder
   * can move it to its thread instead of copying it. The encoder is called before `save` returns
   * its promise, so with an encoder that copies its input (`copiesInput`) the caller may reuse
   * `plain` at once.
   */
  async save(type: BlobType, plain: Uint8Array, options: SaveOptions = {}): Promise<SaveResult> {
    this.#throwIfFailed();
    const id = options.id ?? this.sealer.blobId(plain);
    if (this.has(id)) return { id, added: false, stored: 0 };
    const rawLength = options.sealed?.rawLength ?? plain.length;
    const key = hex(id);
    this.#pending.add(key);
    // Encodes run in parallel, but blobs enter packs in the order they were saved, so a file's
    // chunks lie next to each other and a restore reads them with few requests.
    const turn = this.#order;
    let release!: () => void;
    this.#order = new Promise((r) => {
      release = r;
    });
    try {
      const encoding = options.sealed
        ? Promise.resolve(options.sealed.blob)
        : this.options.encoder.encode(type, id, plain, options.owned === true);
      encoding.catch(() => {});
      await turn;
      const encoded = await encoding;
      // Read first: once added, `sealed` may be released and its buffer moved to a thread.
      const stored = encoded.sealed.length;
      await this.#add(type, { codec: encoded.codec, id, rawLength }, encoded.sealed, encoded.release);
      return { id, added: true, stored };
    } catch (e) {
      this.#pending.delete(key);
      throw e;
    } finally {
      release();
    }
  }

  /**
   * Stores a blob that was compressed and sealed elsewhere (by a thread that read its file, see
   * `BlobEncoder.files`) unless present, in the order of the calls as `save` does. `blob.release`
   * runs once its bytes are no longer needed: at once when the blob is stored already.
   */
  saveSealed(type: BlobType, id: Uint8Array, rawLength: number, blob: EncodedBlob): Promise<SaveResult> {
    if (this.has(id)) {
      blob.release?.();
      return Promise.resolve({ id, added: false, stored: 0 });
    }
    return this.save(type, NOTHING, { id, sealed: { rawLength, blob } });
  }

  /** Loads, decrypts, decompresses and verifies a blob. */
  async load(id: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const loc = this.index.get(id);
    if (!loc) throw new KluisError('NOT_FOUND', `blob ${hex(id)} is not in the index`);
    const pack = hex(loc.pack);
    const key = objectKey('data', pack);
    const sealed =
      (loc.type === 'tree' ? await this.#trees.get(pack, loc.offset, loc.length, signal) : undefined) ??
      (await this.transport.get(key, { signal, range: { offset: loc.offset, length: loc.length } }));
    return this.openBlob(loc.type, id, sealed, loc.codec, loc.rawLength, key);
  }

  /**
   * Loads and decodes the tree blob `id` (hex): the one way every command reads a directory.
   * Fails like {@link BlobStore.load}, or with `INVALID_DATA` for a blob that is not a valid tree.
   */
  async loadTree(id: string, signal?: AbortSignal): Promise<TreeNode[]> {
    return decodeTree(await this.load(unhex(id), signal), `tree ${id}`);
  }

  /** Opens one sealed blob and checks its ID against its plaintext. */
  openBlob(
    type: BlobType,
    id: Uint8Array,
    sealed: Uint8Array,
    codec: number,
    rawLength: number,
    where: string,
  ): Promise<Uint8Array> {
    return openBlob(this.sealer, this.options.readCodec, type, id, sealed, codec, rawLength, where);
  }

  /** Uploads partly filled packs and writes an index file for everything not yet indexed. */
  async flush(): Promise<void> {
    await this.#close('data');
    await this.#close('tree');
    await this.#uploads.idle();
    this.#throwIfFailed();
    await this.#writeIndex();
  }

  /** Writes an index file (used by flush and by prune). Returns its ID. */
  async writeIndexFile(file: IndexFile): Promise<string> {
    const sealed = this.sealer.seal(encodeIndexFile(file), AAD.index);
    const id = hex(this.sealer.sha256(sealed));
    await this.transport.put(objectKey('index', id), sealed, { ifAbsent: true });
    this.indexFiles.add(id);
    return id;
  }

  async #writeIndex(): Promise<void> {
    if (this.#unindexed.length === 0) return;
    const packs = this.#unindexed;
    this.#unindexed = [];
    await this.writeIndexFile({ packs, garbage: [], supersedes: [] });
  }

  /**
   * Adds a sealed blob to the open pack of its type, in call order. A pack is closed before a blob
   * that would take it past its capacity, and once it reaches packSize.
   */
  async #add(type: BlobType, entry: SinkEntry, sealed: Uint8Array, release?: () => void): Promise<void> {
    if (this.#sinks[type]?.fits(sealed.length) === false) await this.#close(type);
    this.#sinks[type] ??= await this.#open(type);
    const sink = this.#sinks[type];
    await sink.add(entry, sealed, release);
    if (sink.size >= this.options.packSize) await this.#close(type);
  }

  /**
   * A new pack. Data packs are streamed to storage when the transport has `openWriter` (the
   * blob's memory goes back to the encoder once written, and no pack-sized buffer is held), else
   * written into a pooled buffer, closed before it would grow past packSize + 1 MiB: a grown
   * buffer is not pooled, so each such pack would allocate (and page in) twice the memory. A
   * streamed pack keeps the same bound, so both make the same packs. Tree packs are buffered,
   * in a buffer that starts small and grows on purpose.
   */
  async #open(type: BlobType): Promise<PackSink> {
    if (type === 'tree')
      return new BufferedPackSink(
        this.transport,
        this.sealer,
        'tree',
        this.#treePool,
        Number.POSITIVE_INFINITY,
      );
    const capacity = this.#pool.capacity;
    if (this.transport.openWriter)
      return StreamedPackSink.open(this.transport, this.sealer, 'data', capacity);
    return new BufferedPackSink(this.transport, this.sealer, 'data', this.#pool, capacity);
  }

  /**
   * Closes the open pack of `type` and stores it under its ID in the background, at most
   * `packUploads` at once (waiting for a slot bounds the memory of packs in flight), then indexes
   * it, writing an index file every PACKS_PER_INDEX packs. A failure is recorded (rethrown by the
   * next save and by flush) and the pack aborted.
   */
  async #close(type: BlobType): Promise<void> {
    const sink = this.#sinks[type];
    if (!sink) return;
    this.#sinks[type] = undefined;
    if (sink.count === 0) {
      await sink.abort();
      return;
    }
    let packId: Uint8Array;
    let entries: PackEntry[];
    try {
      ({ id: packId, entries } = sink.finish());
    } catch (e) {
      await sink.abort();
      throw e;
    }
    await this.#uploads.start(() =>
      this.#limit
        .run(async () => {
          await sink.store(objectKey('data', hex(packId)));
          this.#indexed(packId, entries);
          if (this.#unindexed.length >= PACKS_PER_INDEX) await this.#writeIndex();
        })
        .catch(async (e: unknown) => {
          this.#failure ??= e;
          // The failure recorded above is the one flush reports; a failing abort adds nothing to it.
          await sink.abort().catch(() => {});
        }),
    );
  }

  /** Records a stored pack's blobs in the in-memory index and in the next index file. */
  #indexed(packId: Uint8Array, entries: PackEntry[]): void {
    for (const e of entries) {
      this.index.add({ ...e, pack: packId });
      this.#pending.delete(hex(e.id));
    }
    this.#unindexed.push({ id: packId, blobs: entries });
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
