import { KluisError, throwIfAborted } from './errors';

/** One entry of a tar archive written by {@link tarStream}. */
export interface TarEntry {
  /** Path inside the archive, `/`-separated, relative (no leading `/`); any length, any Unicode. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** Permission bits (default 0o644 for files, 0o755 for directories, 0o777 for symlinks). */
  mode?: number;
  /** Modification time in milliseconds since the epoch (default 0); stored in whole seconds. */
  mtime?: number;
  /** Size in bytes (files): `content` must yield exactly this many. */
  size?: number;
  /** Symlink target. */
  target?: string;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** A file's bytes, read once while the entry is written. */
  content?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

const BLOCK = 512;
const TYPE = { file: '0', dir: '5', symlink: '2' } as const;
/** Largest value of an 11-digit octal field (size, mtime) and of a 7-digit one (mode, uid, gid). */
const MAX_OCTAL_11 = 0o77777777777;
const MAX_OCTAL_7 = 0o7777777;
const utf8 = new TextEncoder();

/**
 * Writes a POSIX tar archive (ustar, with pax extended headers for what ustar cannot hold: long or
 * non-ASCII paths and link targets, sizes of 8 GiB and more, large IDs), streaming: each file's
 * bytes pass through as they are read, so an archive of any size needs memory for one block.
 * GNU tar, bsdtar and every common tar reader read the result. Browser-safe.
 *
 * A file whose `content` yields more or fewer bytes than its `size` fails with `INVALID_DATA`
 * (the archive would be unreadable past it).
 *
 * @example
 * ```ts
 * const hello = utf8Bytes('hello\n');
 * let size = 0;
 * for await (const part of tarStream([
 *   { path: 'docs', type: 'dir' },
 *   { path: 'docs/hello.txt', type: 'file', size: hello.length, content: [hello] },
 * ])) size += part.length; // or write each part out
 * // size: 2,048 bytes: two headers, one data block, two end blocks
 * function utf8Bytes(s: string): Uint8Array { return new TextEncoder().encode(s); }
 * ```
 */
export async function* tarStream(
  entries: AsyncIterable<TarEntry> | Iterable<TarEntry>,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) {
    throwIfAborted(options.signal);
    yield* headers(entry);
    if (entry.type !== 'file') continue;
    const size = entry.size ?? 0;
    let written = 0;
    for await (const part of entry.content ?? []) {
      throwIfAborted(options.signal);
      written += part.length;
      if (written > size) break;
      if (part.length > 0) yield part;
    }
    if (written !== size)
      throw new KluisError(
        'INVALID_DATA',
        `tar entry ${entry.path}: its content has ${written > size ? 'more than' : 'only'} ${written} bytes, but its size is ${size}`,
      );
    if (size % BLOCK) yield new Uint8Array(BLOCK - (size % BLOCK));
  }
  yield new Uint8Array(2 * BLOCK);
}

/** The ustar header of an entry, preceded by a pax header when ustar cannot hold it all. */
function headers(e: TarEntry): Uint8Array[] {
  if (e.path === '' || e.path.includes('\0') || e.path.startsWith('/'))
    throw new TypeError(`tar entry path ${JSON.stringify(e.path)} must be relative, non-empty, without NUL`);
  const size = e.type === 'file' ? (e.size ?? 0) : 0;
  if (!Number.isSafeInteger(size) || size < 0)
    throw new RangeError(`tar entry ${e.path}: size ${size} is not a byte count`);
  const name = e.type === 'dir' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
  const mode = (e.mode ?? (e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644)) & 0o7777;
  const mtime = Math.max(0, Math.floor((e.mtime ?? 0) / 1000));
  const pax: [string, string][] = [];
  const fits = (s: string, max: number) => isAscii(s) && s.length <= max;
  if (!fits(name, 100)) pax.push(['path', name]);
  if (e.target !== undefined && !fits(e.target, 100)) pax.push(['linkpath', e.target]);
  if (size > MAX_OCTAL_11) pax.push(['size', String(size)]);
  if (mtime > MAX_OCTAL_11) pax.push(['mtime', String(mtime)]);
  for (const [key, id] of [
    ['uid', e.uid],
    ['gid', e.gid],
  ] as const)
    if (id !== undefined && id > MAX_OCTAL_7) pax.push([key, String(id)]);
  for (const [key, n] of [
    ['uname', e.uname],
    ['gname', e.gname],
  ] as const)
    if (n !== undefined && !fits(n, 32)) pax.push([key, n]);
  const h = new Uint8Array(BLOCK);
  field(h, 0, 100, fits(name, 100) ? name : fallbackName(name));
  octal(h, 100, 8, mode);
  octal(h, 108, 8, clamp(e.uid ?? 0, MAX_OCTAL_7));
  octal(h, 116, 8, clamp(e.gid ?? 0, MAX_OCTAL_7));
  octal(h, 124, 12, clamp(size, MAX_OCTAL_11));
  octal(h, 136, 12, clamp(mtime, MAX_OCTAL_11));
  field(h, 156, 1, TYPE[e.type]);
  if (e.target !== undefined) field(h, 157, 100, fits(e.target, 100) ? e.target : '');
  field(h, 257, 8, 'ustar\u000000');
  field(h, 265, 32, e.uname !== undefined && fits(e.uname, 32) ? e.uname : '');
  field(h, 297, 32, e.gname !== undefined && fits(e.gname, 32) ? e.gname : '');
  checksum(h);
  if (pax.length === 0) return [h];
  return [...paxHeader(name, pax), h];
}

/** A pax extended header (type `x`) and its records, padded to whole blocks. */
function paxHeader(name: string, records: [string, string][]): Uint8Array[] {
  const body = utf8.encode(records.map(([k, v]) => paxRecord(k, v)).join(''));
  const h = new Uint8Array(BLOCK);
  field(h, 0, 100, `PaxHeader/${fallbackName(name).slice(0, 90)}`);
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, body.length);
  octal(h, 136, 12, 0);
  field(h, 156, 1, 'x');
  field(h, 257, 8, 'ustar\u000000');
  checksum(h);
  const padded = new Uint8Array(Math.ceil(body.length / BLOCK) * BLOCK);
  padded.set(body);
  return [h, padded];
}

/** `"<length> <key>=<value>\n"`, where the length counts its own digits. */
function paxRecord(key: string, value: string): string {
  const rest = utf8.encode(` ${key}=${value}\n`).length;
  const digits = String(rest).length;
  const length = rest + (String(rest + digits).length > digits ? digits + 1 : digits);
  return `${length} ${key}=${value}\n`;
}

/** An ASCII stand-in for the ustar name field when the real name is in a pax record. */
function fallbackName(name: string): string {
  return (
    name
      .replace(/[^\x20-\x7e]/g, '_')
      .split('/')
      .filter(Boolean)
      .at(-1)
      ?.slice(0, 99) ?? '_'
  );
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function clamp(n: number, max: number): number {
  return Math.min(Math.max(0, Math.floor(n)), max);
}

function field(h: Uint8Array, offset: number, length: number, value: string): void {
  h.set(utf8.encode(value).subarray(0, length), offset);
}

/** An octal number, zero-padded to `length - 1` digits and NUL-terminated. */
function octal(h: Uint8Array, offset: number, length: number, n: number): void {
  field(h, offset, length - 1, n.toString(8).padStart(length - 1, '0'));
}

function checksum(h: Uint8Array): void {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 7, `${sum.toString(8).padStart(6, '0')}\0`);
}
