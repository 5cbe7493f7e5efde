import { type AbortOptions, KluisError, type PutOptions } from '@kluis/core';
import { type Client, send } from './_client';
import { get, pathOf, stat } from './_client-read';

/**
 * `POST`s `body`. REST servers never overwrite, so a refusal for an existing object is
 * `ALREADY_EXISTS` with `ifAbsent`; without it, unless the object already holds `body`, the old
 * object is deleted and the upload repeated (not atomic: REST has no replace).
 */
export async function put(client: Client, key: string, body: Uint8Array, o?: PutOptions): Promise<void> {
  const path = pathOf(key);
  const bytes = body.buffer instanceof ArrayBuffer ? (body as Uint8Array<ArrayBuffer>) : new Uint8Array(body);
  const upload = () =>
    send(client, {
      method: 'POST',
      path,
      what: `put ${key}`,
      ok: [200, 201, 204],
      signal: o?.signal,
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
  try {
    await upload();
    return;
  } catch (e) {
    if (!(await refusedAsExisting(client, key, e, o))) throw e;
    if (o?.ifAbsent)
      throw new KluisError('ALREADY_EXISTS', `put ${key}: the object already exists`, { cause: e });
  }
  if (await alreadyHolds(client, key, bytes, o)) return;
  await remove(client, key, o);
  await upload();
}

/**
 * True when the existing object is already `body`, so a replacing `put` has nothing to do (a retry
 * after a lost response, or an append-only server that would refuse the delete). Compared byte
 * by byte: a server need not verify hashes, so a hash-shaped name proves nothing on its own.
 */
async function alreadyHolds(
  client: Client,
  key: string,
  body: Uint8Array,
  o?: AbortOptions,
): Promise<boolean> {
  const info = await stat(client, key, o);
  if (info?.size !== body.length) return false;
  const stored = await get(client, key, o).catch(() => undefined);
  return stored !== undefined && stored.length === body.length && stored.every((b, i) => b === body[i]);
}

/**
 * True when an upload failed because the object exists: said outright by a kluis server, or a
 * plain 403 (restic's rest-server) for an object that a `HEAD` finds.
 */
async function refusedAsExisting(
  client: Client,
  key: string,
  e: unknown,
  o?: AbortOptions,
): Promise<boolean> {
  if (KluisError.is(e, 'ALREADY_EXISTS')) return true;
  if (!KluisError.is(e, 'AUTH')) return false;
  return (await stat(client, key, o).catch(() => undefined)) !== undefined;
}

/** `DELETE`s an object; a 404 counts as done, as the contract wants deletes idempotent. */
export async function remove(client: Client, key: string, o?: AbortOptions): Promise<void> {
  const path = pathOf(key);
  await send(client, {
    method: 'DELETE',
    path,
    what: `delete ${key}`,
    ok: [200, 202, 204, 404],
    signal: o?.signal,
  });
}
