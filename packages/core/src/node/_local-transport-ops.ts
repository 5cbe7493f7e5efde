import { lstat, stat, unlink } from 'node:fs/promises';
import { KluisError } from '../errors';
import type { GetOptions, ObjectInfo } from '../transport';
import { errno, fsError } from './_local-transport-fs';
import { readObject, type WriteOptions, writeAtomic } from './_local-transport-io';

/** `stat` of the object at `path`: a regular file is an object, anything else is absent. */
export async function statObject(path: string, key: string, root: string): Promise<ObjectInfo | undefined> {
  const info = await stat(path).catch((e: unknown) => {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return undefined;
    throw fsError(e, `cannot stat ${key} in ${root}`);
  });
  return info?.isFile() ? { key, size: info.size } : undefined;
}

/** `get` of the object at `path`, with errors mapped (a malformed range stays a `RangeError`). */
export async function getObject(
  path: string,
  key: string,
  root: string,
  o?: GetOptions,
): Promise<Uint8Array> {
  try {
    return await readObject(path, key, o?.range, o?.signal, o?.into);
  } catch (e) {
    if (e instanceof RangeError) throw e;
    throw fsError(e, `cannot read ${key} from ${root}`);
  }
}

/** `put` of the object at `path`, with errors mapped. */
export async function putObject(path: string, key: string, root: string, body: Uint8Array, o: WriteOptions) {
  try {
    await writeAtomic(path, body, o);
  } catch (e) {
    throw putError(e, key, root);
  }
}

/** `delete` of the object at `path`: nothing there (or a directory) counts as done. */
export async function deleteObject(path: string, key: string, root: string): Promise<void> {
  await unlink(path).catch(async (e: unknown) => {
    if (await isAbsent(path, e)) return;
    throw fsError(e, `cannot delete ${key} in ${root}`);
  });
}

/** Whether an `unlink` failure means there is no object at `path` (so the delete is done). */
async function isAbsent(path: string, e: unknown): Promise<boolean> {
  const code = errno(e);
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return true;
  if (code !== 'EPERM') return false;
  // Some systems report EPERM for unlink on a directory: a directory is not an object.
  const info = await lstat(path).catch(() => undefined);
  return info?.isDirectory() === true;
}

/** A failed write of `key` as a KluisError (`ALREADY_EXISTS` for a taken key). */
export function putError(e: unknown, key: string, root: string): KluisError {
  const code = errno(e);
  if (code === 'EEXIST') return new KluisError('ALREADY_EXISTS', `object ${key} already exists in ${root}`);
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'ENOTEMPTY') {
    return new KluisError(
      'ALREADY_EXISTS',
      `cannot store ${key} in ${root}: the key, or one of its parent paths, is also used as a directory or an object`,
      { cause: e },
    );
  }
  return fsError(e, `cannot store ${key} in ${root}`);
}
