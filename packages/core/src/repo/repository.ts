import { equalBytes, hex, unhex } from '../_bytes';
import type { CompressionCodec } from '../compression';
import { webDeflateRaw } from '../compression';
import {
  calibrateScrypt,
  createKeySlot,
  type KeySlot,
  openKeySlot,
  parseKeySlot,
  type ScryptParams,
  serializeKeySlot,
} from '../crypto/key-slot';
import { portableCrypto } from '../crypto/portable';
import type { CryptoProvider } from '../crypto/provider';
import { deriveSubkeys } from '../crypto/subkeys';
import { KluisError, throwIfAborted } from '../errors';
import type { Transport } from '../transport';
import {
  type ChunkerParams,
  configMacInput,
  decodeConfig,
  encodeConfig,
  FORMAT_VERSION,
  type RepositoryConfig,
} from './format/config';
import { CONFIG_KEY, kindPrefix, objectKey, objectName } from './format/layout';
import { createSealer, type Sealer } from './format/sealer';
import type { TreeNode } from './format/tree';
import { type BlobDecoder, type BlobDecoderFactory, inlineBlobDecoder } from './store/blob-decoder';
import { type BlobEncoder, type BlobEncoderFactory, inlineBlobEncoder } from './store/blob-encoder';
import { BlobStore } from './store/blob-store';
import { isDamage } from './store/damage';
import type { DamagedObject } from './store/damaged';
import { SnapshotStore } from './store/snapshot-store';

/** Options shared by {@link initRepository} and {@link openRepository}. */
export interface RepositoryOptions {
  /** Crypto implementation; `nativeCrypto` from `@kluis/core/node` is ~15× faster in Node. Default portable. */
  crypto?: CryptoProvider;
  /** Compression codec for new blobs and for reading; default web-standard deflate-raw. */
  codec?: CompressionCodec;
  /**
   * Compresses and seals new blobs; default inline on the calling thread. In Node,
   * `workerBlobEncoder()` from `@kluis/core/node` spreads the work over worker threads.
   */
  encoder?: BlobEncoderFactory;
  /**
   * Opens sealed blobs for `check`; default inline on the calling thread. In Node,
   * `workerBlobDecoder()` from `@kluis/core/node` spreads the work over worker threads.
   */
  decoder?: BlobDecoderFactory;
  /** Parallel uploads and downloads. Default: the transport's `maxConcurrency`, at most 8. */
  concurrency?: number;
  /**
   * Finished packs uploading at once during a backup (default 2, at most `concurrency`). With a
   * transport that only has `put`, each holds a pack in memory, so a backup needs about
   * (2 + packUploads) × packSize of buffers; raise it for storage with high latency per request.
   * With `openWriter` (the local and memory transports) data packs are written while they fill
   * and hold no such buffer.
   */
  packUploads?: number;
  signal?: AbortSignal;
}

/** Options of {@link initRepository}. */
export interface InitOptions extends RepositoryOptions {
  password: string;
  /** Chunk sizes; default min 16 KiB, avg 64 KiB, max 256 KiB (see docs/format.md). */
  chunker?: ChunkerParams;
  /** Compress new blobs (default 'deflate-raw'). */
  compression?: 'none' | 'deflate-raw';
  /** Target pack size (default 16 MiB). */
  packSize?: number;
  /** scrypt parameters for the first key slot; default calibrated to ~0.5 s on this machine. */
  scrypt?: ScryptParams;
  /** Label, host and user stored in the key slot. */
  label?: string;
  host?: string;
  username?: string;
}

/**
 * Default chunker parameters, chosen by measurement (docs/format.md): 100 scattered small edits
 * and a 1 MiB insertion in a 1 GiB file cost ~10 MB of new storage at avg 64 KiB, against ~24 MB
 * at 128 KiB and ~164 MB at 1 MiB (restic: 240 MB), while the index stays under 1 MB of memory
 * per GiB of unique data.
 *
 * @example
 * ```ts
 * await initRepository(transport, { password, chunker: { ...DEFAULT_CHUNKER, avgSize: 128 * 1024 } });
 * ```
 */
export const DEFAULT_CHUNKER: ChunkerParams = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };
const DEFAULT_PACK = 16 * 1024 * 1024;

/**
 * Creates a new repository on an empty transport: a random master secret, one key slot for
 * `password`, and the `config` object. Refuses a transport that already holds a config.
 * Returns the repository open, as {@link openRepository} would with the same options (the key is
 * derived once, here): back up to it right away; later runs open it.
 *
 * @example
 * ```ts
 * const repo = await initRepository(memoryTransport(), { password: 'correct horse' });
 * await backup(repo, streamSource('notes.txt', new Blob(['first note']).stream()));
 * ```
 */
export async function initRepository(transport: Transport, options: InitOptions): Promise<Repository> {
  const crypto = options.crypto ?? portableCrypto;
  if (await transport.stat(CONFIG_KEY, { signal: options.signal })) {
    throw new KluisError('ALREADY_EXISTS', `a repository already exists at ${transport.name}`);
  }
  const master = crypto.randomBytes(32);
  const chunker = options.chunker ?? DEFAULT_CHUNKER;
  const body: Omit<RepositoryConfig, 'mac'> = {
    version: FORMAT_VERSION,
    id: hex(crypto.randomBytes(32)),
    created: new Date().toISOString(),
    aead: 'xchacha20-poly1305',
    chunker,
    compression: options.compression ?? 'deflate-raw',
    packSize: options.packSize ?? DEFAULT_PACK,
  };
  const config: RepositoryConfig = { ...body, mac: hex(configMac(crypto, master, body)) };
  decodeConfig(encodeConfig(config)); // validates the caller's chunker and pack sizes
  const params = options.scrypt ?? (await calibrateScrypt(crypto));
  const slot = await createKeySlot(crypto, master, options.password, {
    params,
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.username === undefined ? {} : { username: options.username }),
  });
  const keyId = await putKeySlot(transport, crypto, slot, options.signal);
  await transport.put(CONFIG_KEY, encodeConfig(config), { ifAbsent: true, signal: options.signal });
  const repo = new Repository(transport, config, crypto, master, options);
  repo.keyId = keyId;
  return repo;
}

/**
 * Opens an existing repository with a password: tries every key slot, verifies the config's MAC.
 * No matching slot is `WRONG_PASSWORD`; no repository is `NOT_FOUND`; a newer format is
 * `UNSUPPORTED_VERSION`.
 *
 * @example
 * ```ts
 * const repo = await openRepository(localTransport({ root: '/srv/backup' }), { password, crypto: nativeCrypto });
 * ```
 */
export async function openRepository(
  transport: Transport,
  options: RepositoryOptions & { password: string },
): Promise<Repository> {
  const crypto = options.crypto ?? portableCrypto;
  let configBytes: Uint8Array;
  try {
    configBytes = await transport.get(CONFIG_KEY, { signal: options.signal });
  } catch (e) {
    if (KluisError.is(e, 'NOT_FOUND'))
      throw new KluisError('NOT_FOUND', `no kluis repository at ${transport.name}`);
    throw e;
  }
  const config = decodeConfig(configBytes);
  const { slots, damaged } = await readKeySlots(transport, options.signal);
  const skipped = damaged[0]
    ? `; ${damaged.length} damaged key slot(s) skipped, first ${damaged[0].key}: ${damaged[0].message}`
    : '';
  if (slots.length === 0)
    throw new KluisError(
      'INVALID_DATA',
      `repository at ${transport.name} has no readable key slots${skipped}`,
    );
  for (const { id, slot } of slots) {
    throwIfAborted(options.signal);
    let master: Uint8Array;
    try {
      master = await openKeySlot(crypto, slot, options.password);
    } catch (e) {
      if (KluisError.is(e, 'WRONG_PASSWORD')) continue;
      throw e;
    }
    if (!equalBytes(configMac(crypto, master, config), unhex(config.mac))) {
      throw new KluisError(
        'INTEGRITY',
        `config of ${transport.name} failed its authentication check (tampered or from another repository)`,
      );
    }
    const repo = new Repository(transport, config, crypto, master, options);
    repo.keyId = id;
    return repo;
  }
  throw new KluisError(
    'WRONG_PASSWORD',
    `wrong password: none of the ${slots.length} key slot(s) opens with it${skipped}`,
  );
}

function configMac(
  crypto: CryptoProvider,
  master: Uint8Array,
  body: Omit<RepositoryConfig, 'mac'>,
): Uint8Array {
  const key = crypto.hkdfSha256(master, new Uint8Array(0), 'kluis/v1/config-mac', 32);
  return crypto.hmacSha256(key, configMacInput(body));
}

async function putKeySlot(
  transport: Transport,
  crypto: CryptoProvider,
  slot: KeySlot,
  signal?: AbortSignal,
): Promise<string> {
  const bytes = serializeKeySlot(slot);
  const id = hex(crypto.sha256(bytes));
  await transport.put(objectKey('keys', id), bytes, { ifAbsent: true, signal });
  return id;
}

/**
 * The key slots that parse, oldest first, and those that do not (`damaged`): one damaged slot
 * must not lock out the passwords of the others.
 */
async function readKeySlots(
  transport: Transport,
  signal?: AbortSignal,
): Promise<{ slots: { id: string; slot: KeySlot }[]; damaged: DamagedObject[] }> {
  const slots: { id: string; slot: KeySlot }[] = [];
  const damaged: DamagedObject[] = [];
  const listed: { key: string; size: number }[] = [];
  for await (const o of transport.list(kindPrefix('keys'), { signal })) listed.push(o);
  for (const { key, size } of listed) {
    try {
      if (size > 64 * 1024)
        throw new KluisError('INVALID_DATA', `key slot ${key} is ${size} bytes, more than 64 KiB`);
      slots.push({ id: objectName('keys', key), slot: parseKeySlot(await transport.get(key, { signal })) });
    } catch (e) {
      if (isDamage(e)) damaged.push({ key, message: e.message });
      else if (!KluisError.is(e, 'NOT_FOUND')) throw e;
    }
  }
  slots.sort((a, b) => (a.slot.created < b.slot.created ? -1 : 1));
  return { slots, damaged };
}

async function listKeySlots(
  transport: Transport,
  signal?: AbortSignal,
): Promise<{ id: string; slot: KeySlot }[]> {
  return (await readKeySlots(transport, signal)).slots;
}

/** A key slot as listed by {@link Repository.listKeys}. */
export interface KeyInfo {
  id: string;
  created: string;
  label?: string;
  host?: string;
  username?: string;
}

/**
 * An open repository: blobs, snapshots and key slots. Create with {@link initRepository} or
 * {@link openRepository}; the backup, restore, check and prune functions take one.
 *
 * @example
 * ```ts
 * const repo = await openRepository(transport, { password });
 * for (const s of await repo.snapshots.list()) console.log(s.id, s.snapshot.time);
 * ```
 */
export class Repository {
  /** Content-addressed blobs in packs, and the index. */
  readonly blobs: BlobStore;
  /** Snapshot objects. */
  readonly snapshots: SnapshotStore;
  /** Subkey for the keyed chunker gear table. */
  readonly chunkerKey: Uint8Array;
  /** Compresses and seals new blobs (inline or on worker threads); the blob store writes with it. */
  readonly encoder: BlobEncoder;
  /** Opens stored blobs (inline or on worker threads); the blob store, restore and check read with it. */
  readonly decoder: BlobDecoder;
  /** @internal */
  readonly sealer: Sealer;
  /**
   * The ID of the key slot whose password opened this repository (or that {@link initRepository}
   * created); `undefined` for a repository made with its constructor.
   *
   * @example
   * ```ts
   * const repo = await openRepository(transport, { password });
   * for (const k of await repo.listKeys()) console.log(k.id === repo.keyId ? '*' : ' ', k.id);
   * ```
   */
  keyId: string | undefined = undefined;
  readonly #master: Uint8Array;

  /** @internal use {@link openRepository} or {@link initRepository}. */
  constructor(
    readonly transport: Transport,
    readonly config: RepositoryConfig,
    readonly crypto: CryptoProvider,
    master: Uint8Array,
    options: RepositoryOptions,
  ) {
    this.#master = master;
    const keys = deriveSubkeys(crypto, master);
    this.chunkerKey = keys.chunker;
    this.sealer = createSealer(crypto, keys);
    const concurrency = options.concurrency ?? Math.min(8, transport.capabilities.maxConcurrency);
    const codec = config.compression === 'none' ? undefined : (options.codec ?? webDeflateRaw);
    const chunking = { idKey: keys.id, chunkerKey: keys.chunker, chunker: config.chunker };
    const encoderOptions = { crypto, key: keys.encryption, codec, chunking };
    this.encoder = options.encoder
      ? options.encoder(encoderOptions)
      : inlineBlobEncoder(crypto, keys.encryption, codec);
    this.decoder = (options.decoder ?? inlineBlobDecoder)({
      crypto,
      keys: { encryption: keys.encryption, id: keys.id },
      codec: options.codec ?? webDeflateRaw,
    });
    this.blobs = new BlobStore(transport, this.sealer, {
      packSize: config.packSize,
      concurrency,
      packUploads: Math.max(1, Math.min(concurrency, options.packUploads ?? 2)),
      encoder: this.encoder,
      readCodec: options.codec ?? webDeflateRaw,
      decoder: this.decoder,
    });
    this.snapshots = new SnapshotStore(transport, this.sealer);
  }

  /** Releases resources (worker threads of the blob encoder and decoder). The repository stays readable. */
  async close(): Promise<void> {
    await Promise.all([this.encoder.close(), this.decoder.close()]);
  }

  /**
   * Loads and decodes the tree blob `id` (hex): the entries of one directory of a snapshot.
   *
   * @example
   * ```ts
   * const { snapshot } = await repo.snapshots.resolve('latest');
   * for (const node of await repo.loadTree(snapshot.tree)) console.log(node.type, node.name);
   * ```
   */
  loadTree(id: string, signal?: AbortSignal): Promise<TreeNode[]> {
    return this.blobs.loadTree(id, signal);
  }

  /**
   * The blob ID of `plain`: its keyed HMAC-SHA-256, under which the repository stores it once.
   *
   * @example
   * ```ts
   * const stored = repo.blobs.has(repo.blobId(new TextEncoder().encode('hello')));
   * ```
   */
  blobId(plain: Uint8Array): Uint8Array {
    return this.sealer.blobId(plain);
  }

  /** Adds a key slot for another password; returns its ID. */
  async addKey(
    password: string,
    options: { scrypt?: ScryptParams; label?: string; host?: string; username?: string } = {},
  ): Promise<string> {
    const params = options.scrypt ?? (await calibrateScrypt(this.crypto));
    const { scrypt: _, ...meta } = options;
    const slot = await createKeySlot(this.crypto, this.#master, password, { params, ...meta });
    return putKeySlot(this.transport, this.crypto, slot);
  }

  /** Lists key slots (metadata only). */
  async listKeys(): Promise<KeyInfo[]> {
    return (await listKeySlots(this.transport)).map(({ id, slot }) => ({
      id,
      created: slot.created,
      ...(slot.label === undefined ? {} : { label: slot.label }),
      ...(slot.host === undefined ? {} : { host: slot.host }),
      ...(slot.username === undefined ? {} : { username: slot.username }),
    }));
  }

  /** Removes a key slot by ID (or unique ID prefix); refuses to remove the last one. */
  async removeKey(idOrPrefix: string): Promise<void> {
    const { slots, damaged } = await readKeySlots(this.transport);
    // A damaged slot can be removed too (it opens with no password).
    const ids = [...slots.map((s) => s.id), ...damaged.map((d) => objectName('keys', d.key))];
    const match = ids.filter((id) => id.startsWith(idOrPrefix));
    if (match.length !== 1)
      throw new KluisError('NOT_FOUND', `no unique key slot matches ${JSON.stringify(idOrPrefix)}`);
    if (slots.length === 1 && slots[0]!.id === match[0])
      throw new KluisError(
        'INVALID_CONFIG',
        'refusing to remove the last key slot: the repository would become unreadable',
      );
    await this.transport.delete(objectKey('keys', match[0]!));
  }

  /** Replaces the slot `idOrPrefix` (default: the one `oldPassword` opens) with one for `newPassword`. */
  async changePassword(
    oldPassword: string,
    newPassword: string,
    options: { scrypt?: ScryptParams } = {},
  ): Promise<string> {
    const slots = await listKeySlots(this.transport);
    for (const { id, slot } of slots) {
      try {
        await openKeySlot(this.crypto, slot, oldPassword);
      } catch (e) {
        if (KluisError.is(e, 'WRONG_PASSWORD')) continue;
        throw e;
      }
      const { created: _c, ...meta } = slot;
      const added = await this.addKey(newPassword, {
        ...(options.scrypt ? { scrypt: options.scrypt } : {}),
        ...(meta.label === undefined ? {} : { label: meta.label }),
        ...(meta.host === undefined ? {} : { host: meta.host }),
        ...(meta.username === undefined ? {} : { username: meta.username }),
      });
      await this.transport.delete(objectKey('keys', id));
      if (this.keyId === id) this.keyId = added;
      return added;
    }
    throw new KluisError('WRONG_PASSWORD', 'the old password opens no key slot');
  }
}
