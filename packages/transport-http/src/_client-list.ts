import { type AbortOptions, assertPrefix, type ObjectInfo } from '@kluis/core';
import { type Client, send } from './_client';
import { stat } from './_client-read';
import { OBJECT_TYPES } from './_keys';
import { parseListing } from './_listing';

/**
 * Lists every type directory the prefix can reach (`data/ab` needs only `data/`), plus `config`
 * when the prefix allows it. A 404 for a directory means it is empty.
 */
export async function* list(client: Client, prefix: string, o?: AbortOptions): AsyncIterable<ObjectInfo> {
  assertPrefix(prefix);
  for (const type of OBJECT_TYPES) {
    const dir = `${type}/`;
    if (!dir.startsWith(prefix) && !prefix.startsWith(dir)) continue;
    const what = `list ${dir}`;
    const res = await send(client, { method: 'GET', path: dir, what, ok: [200, 404], signal: o?.signal });
    if (res.status === 404) continue;
    const listing = parseListing(res.body, res.headers.get('content-type'), what);
    if (listing.version === 2) {
      for (const { name, size } of listing.entries)
        if (`${dir}${name}`.startsWith(prefix)) yield { key: dir + name, size };
      continue;
    }
    for (const name of listing.names) {
      if (!`${dir}${name}`.startsWith(prefix)) continue;
      const info = await stat(client, dir + name, o);
      if (info) yield info;
    }
  }
  if ('config'.startsWith(prefix)) {
    const info = await stat(client, 'config', o);
    if (info) yield info;
  }
}
