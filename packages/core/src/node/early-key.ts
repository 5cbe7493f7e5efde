// A head start on the key derivation of a local repository: scrypt runs on the thread pool while
// the rest of a program (and @kluis/core with its dependencies) loads. This entry point loads
// node: modules and the key slot's scrypt fields only, so it costs little before the work begins.
import { scrypt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KeySlotKdf, readKeySlotKdf } from '../crypto/key-slot-kdf';
import type { CryptoProvider, ScryptParams } from '../crypto/provider';

/** A key derivation started early: the inputs it was started with, and its result. */
export interface EarlyKey {
  /** UTF-8 of the NFC-normalised password, as `openKeySlot` passes it to scrypt. */
  readonly password: Uint8Array;
  readonly salt: Uint8Array;
  readonly params: { N: number; r: number; p: number };
  /** The 32-byte key scrypt derives; rejects if scrypt fails. */
  readonly key: Promise<Uint8Array>;
}

/** Options of {@link startEarlyKey}. */
export interface EarlyKeyOptions {
  /** Slots needing more scrypt memory than this are not derived on speculation (default 256 MiB). */
  maxMemory?: number;
}

/**
 * Starts deriving the key of the oldest key slot (the one `openRepository` tries first) of the
 * local repository at `directory`, on Node's thread pool. Pass the result to
 * {@link withEarlyKey} when opening the repository.
 *
 * A shortcut only: the key is used when `openRepository` asks for exactly this password, salt and
 * cost, so a slot read wrongly here costs time, never correctness. Returns `undefined` when there
 * is nothing to start (no readable slot, an empty password, a slot too costly to guess at).
 *
 * @example
 * ```ts
 * import { startEarlyKey, withEarlyKey } from '@kluis/core/node/early-key';
 * const early = startEarlyKey('/backups/repo', 'correct horse'); // before loading the rest
 * const { openRepository } = await import('@kluis/core');
 * const { localTransport, nodeRepositoryOptions } = await import('@kluis/core/node');
 * const preset = nodeRepositoryOptions();
 * const repo = await openRepository(localTransport({ root: '/backups/repo' }), {
 *   ...preset,
 *   password: 'correct horse',
 *   crypto: withEarlyKey(preset.crypto, early),
 * });
 * ```
 */
export function startEarlyKey(
  directory: string,
  password: string,
  options: EarlyKeyOptions = {},
): EarlyKey | undefined {
  if (password === '') return undefined;
  let slot: KeySlotKdf | undefined;
  try {
    slot = oldestSlot(join(directory, 'keys'));
  } catch {
    return undefined; // no keys folder here: openRepository says what is wrong
  }
  if (!slot) return undefined;
  const params = { N: slot.N, r: slot.r, p: slot.p };
  if (memoryOf(params) > (options.maxMemory ?? 256 * 2 ** 20)) return undefined;
  const bytes = new TextEncoder().encode(password.normalize('NFC'));
  const salt = slot.salt;
  const key = new Promise<Uint8Array>((done, fail) => {
    scrypt(bytes, salt, 32, { ...params, maxmem: memoryOf(params) + 2 ** 20 }, (error, derived) => {
      if (error) fail(error);
      else done(new Uint8Array(derived.buffer, derived.byteOffset, derived.byteLength));
    });
  });
  // Never an unhandled rejection: a failure here only means the key is derived again.
  key.catch(() => undefined);
  return { password: bytes, salt, params, key };
}

/** Derivations already handed out: the key is the opener's to zero, so it is handed out once. */
const spent = new WeakSet<EarlyKey>();

/**
 * `provider` with its `scrypt` answered once by `early` when asked for the same password, salt and
 * cost; every other call (another slot, another password, a second provider made from the same
 * `early`) goes to `provider`. Once answered, `early` is spent: `openRepository` zeroes the key it
 * was given, so handing it out again would open nothing. With `early` undefined, returns `provider`.
 *
 * @example
 * ```ts
 * const crypto = withEarlyKey(nativeCrypto, startEarlyKey('/backups/repo', 'correct horse'));
 * ```
 */
export function withEarlyKey(provider: CryptoProvider, early: EarlyKey | undefined): CryptoProvider {
  if (!early) return provider;
  const scryptOnce = (password: Uint8Array, salt: Uint8Array, params: ScryptParams) => {
    if (
      !spent.has(early) &&
      (params.dkLen ?? 32) === 32 &&
      params.N === early.params.N &&
      params.r === early.params.r &&
      params.p === early.params.p &&
      sameBytes(password, early.password) &&
      sameBytes(salt, early.salt)
    ) {
      spent.add(early);
      return early.key.catch(() => provider.scrypt(password, salt, params));
    }
    return provider.scrypt(password, salt, params);
  };
  return { ...provider, scrypt: scryptOnce };
}

/** The slot `openRepository` tries first (oldest `created`) among those that look like slots. */
function oldestSlot(dir: string): KeySlotKdf | undefined {
  let best: KeySlotKdf | undefined;
  for (const name of readdirSync(dir)) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(join(dir, name));
    } catch {
      continue; // a directory or an unreadable file: openRepository judges it
    }
    const s = readKeySlotKdf(bytes);
    if (s && (!best || s.created < best.created)) best = s;
  }
  return best;
}

/** scrypt's working memory, as OpenSSL counts it: 128·r·(N + p + 2) bytes. */
function memoryOf({ N, r, p }: { N: number; r: number; p: number }): number {
  return 128 * r * (N + p + 2);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
