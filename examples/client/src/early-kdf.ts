// Loaded before anything else: node: modules only, so the key derivation starts before the rest
// of the command line (and @kluis/core with its dependencies) is compiled.
import { scrypt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CryptoProvider, ScryptParams } from '@kluis/core/crypto';

/**
 * A key derivation started while the command line loads: the password and key slot it was
 * started for, and its result.
 */
export interface EarlyKdf {
  /** UTF-8 of the NFC-normalised password, as `openKeySlot` passes it to scrypt. */
  readonly password: Uint8Array;
  readonly salt: Uint8Array;
  readonly params: { N: number; r: number; p: number };
  /** The 32-byte key scrypt derives; rejects if scrypt fails. */
  readonly key: Promise<Uint8Array>;
}

type Env = Record<string, string | undefined>;

/** Commands that open an existing repository, and so derive a key before anything else. */
const OPENS_REPOSITORY = new Set([
  'backup',
  'snapshots',
  'ls',
  'restore',
  'diff',
  'forget',
  'prune',
  'check',
  'key',
  'stats',
  'find',
  'dump',
  'tag',
]);

/** Larger tables are not allocated on speculation (the default slot is 64 MiB). */
const MAX_EARLY_MEMORY = 256 * 2 ** 20;

/**
 * Starts deriving the key of a local repository's oldest key slot (the one `openRepository` tries
 * first) on the thread pool, when the command opens a repository and the password needs no
 * prompt. Compiling the modules takes ~0.2 s, about half a calibrated scrypt run, and the two
 * now overlap.
 *
 * This is a shortcut only: a derivation is used when `openRepository` asks for exactly this
 * password, salt and cost (see {@link withEarlyKdf}), so an argument read wrongly here costs
 * time, never correctness. Anything unexpected returns `undefined`, and the command derives its
 * key as usual.
 */
export function startKdfEarly(argv: readonly string[], env: Env): EarlyKdf | undefined {
  try {
    if (argv.includes('--help') || argv.includes('-h')) return undefined;
    const command = argv.find((a) => !a.startsWith('-') && OPENS_REPOSITORY.has(a));
    if (!command) return undefined;
    const location = optionValue(argv, '--repo', '-r') ?? env.KLUIS_REPOSITORY;
    if (!location || /^(s3:|rest:|https?:\/\/)/.test(location)) return undefined;
    const text = passwordText(argv, env);
    if (text === undefined || text === '') return undefined;
    const slot = oldestSlot(join(resolve(location), 'keys'));
    if (!slot) return undefined;
    const password = new TextEncoder().encode(text.normalize('NFC'));
    const { salt, params } = slot;
    const key = new Promise<Uint8Array>((done, fail) => {
      const maxmem = memoryOf(params) + 2 ** 20;
      scrypt(password, salt, 32, { ...params, maxmem }, (error, derived) => {
        if (error) fail(error);
        else done(new Uint8Array(derived.buffer, derived.byteOffset, derived.byteLength));
      });
    });
    // Never an unhandled rejection: a failure here only means the key is derived again.
    key.catch(() => undefined);
    return { password, salt, params, key };
  } catch {
    return undefined;
  }
}

/** Derivations already handed out: the key is the opener's to zero, so it is handed out once. */
const spent = new WeakSet<EarlyKdf>();

/**
 * `provider` with its `scrypt` answered once by `early` when asked for the same password, salt
 * and cost; every other call (another slot, another password, a second provider made from the
 * same `early`) goes to `provider`. Once answered, `early` is spent: `openRepository` zeroes the
 * key it was given, so handing it out again would open nothing.
 */
export function withEarlyKdf(provider: CryptoProvider, early: EarlyKdf | undefined): CryptoProvider {
  if (!early) return provider;
  const pending = () => (spent.has(early) ? undefined : early);
  const scryptOnce = (password: Uint8Array, salt: Uint8Array, params: ScryptParams) => {
    const e = pending();
    if (
      e &&
      params.dkLen === 32 &&
      params.N === e.params.N &&
      params.r === e.params.r &&
      params.p === e.params.p &&
      sameBytes(password, e.password) &&
      sameBytes(salt, e.salt)
    ) {
      spent.add(e);
      return e.key.catch(() => provider.scrypt(password, salt, params));
    }
    return provider.scrypt(password, salt, params);
  };
  return { ...provider, scrypt: scryptOnce };
}

/** The value of `--long V`, `--long=V` or `-s V` (the last one given, as parseArgs takes it). */
function optionValue(argv: readonly string[], long: string, short?: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === long || (short !== undefined && a === short)) value = argv[++i];
    else if (a.startsWith(`${long}=`)) value = a.slice(long.length + 1);
  }
  return value;
}

/** The password in the CLI's order (--password-file, KLUIS_PASSWORD_FILE, KLUIS_PASSWORD); no prompt. */
function passwordText(argv: readonly string[], env: Env): string | undefined {
  const file = optionValue(argv, '--password-file') ?? env.KLUIS_PASSWORD_FILE;
  if (file) return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  return env.KLUIS_PASSWORD;
}

/** The slot `openRepository` tries first (oldest `created`), if it looks like one kluis opens. */
function oldestSlot(
  dir: string,
): { salt: Uint8Array; params: { N: number; r: number; p: number } } | undefined {
  let best: { created: string; salt: string; N: number; r: number; p: number } | undefined;
  for (const name of readdirSync(dir)) {
    let s: Record<string, unknown>;
    try {
      const bytes = readFileSync(join(dir, name));
      if (bytes.length > 64 * 1024) continue;
      s = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    } catch {
      continue; // not a slot this looks at (a directory, a damaged file): openRepository judges it
    }
    const { created, salt, N, r, p } = s;
    if (s.kdf !== 'scrypt' || typeof created !== 'string' || typeof salt !== 'string') continue;
    if (!isCount(N, 2, 2 ** 22) || (N & (N - 1)) !== 0 || !isCount(r, 1, 32) || !isCount(p, 1, 16)) continue;
    if (!best || created < best.created) best = { created, salt, N, r, p };
  }
  if (!best) return undefined;
  const params = { N: best.N, r: best.r, p: best.p };
  if (memoryOf(params) > MAX_EARLY_MEMORY) return undefined;
  return { salt: new Uint8Array(Buffer.from(best.salt, 'base64')), params };
}

function isCount(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
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
