import { type AbortOptions, KluisError } from '@kluis/core';
import { z } from 'zod';
import { createClient, send } from './_client';
import type { HttpTransportOptions } from './http-transport-options';

/**
 * A maintenance window a kluis server announces: an announcement by the provider or the standing
 * window, with ISO 8601 instants.
 *
 * @example
 * ```ts
 * const w: MaintenanceWindow = { start: '2026-03-28T08:00:00.000Z', end: '2026-03-28T16:00:00.000Z', reason: 'maintenance window', kind: 'maintenance window' };
 * ```
 */
export interface MaintenanceWindow {
  start: string;
  end: string;
  reason: string;
  /** `planned`, `unplanned` (announced late) or `maintenance window` (the standing one). */
  kind: string;
}

const schema = z.object({
  now: z.string(),
  windows: z
    .array(
      z.object({
        start: z.string().refine((s) => !Number.isNaN(Date.parse(s))),
        end: z.string().refine((s) => !Number.isNaN(Date.parse(s))),
        reason: z.string().max(1000),
        kind: z.string().max(100),
      }),
    )
    .max(1000),
});

/**
 * Asks a kluis server which maintenance starts or runs within the next `hours` (default 24):
 * `GET /-/desk/maintenance` at the origin of `options.url`, with the same credentials. A client
 * warns its user before a backup that would run into one.
 *
 * Errors: `NOT_FOUND` when the server has no desk (restic's rest-server, older kluis servers),
 * `AUTH` for 401/403, `PROTOCOL` for an answer that is not the expected JSON.
 *
 * @example
 * ```ts
 * import { fetchMaintenance } from '@kluis/transport-http';
 *
 * const soon = await fetchMaintenance({ url: 'https://backup.example.org/alice/laptop/', auth: { username: 'alice', password } });
 * for (const w of soon) console.warn(`maintenance ${w.start} – ${w.end}: ${w.reason}`);
 * ```
 */
export async function fetchMaintenance(
  options: HttpTransportOptions,
  o: AbortOptions & { hours?: number } = {},
): Promise<MaintenanceWindow[]> {
  const client = createClient(options);
  const hours = o.hours ?? 24;
  const what = `read announced maintenance (${new URL('/-/desk/maintenance', client.base).href})`;
  const r = await send(client, {
    method: 'GET',
    path: `/-/desk/maintenance?hours=${encodeURIComponent(String(hours))}`,
    what,
    ok: [200],
    headers: { accept: 'application/json' },
    signal: o.signal,
    maxBytes: 256 << 10,
  });
  try {
    return schema.parse(JSON.parse(new TextDecoder().decode(r.body))).windows;
  } catch (e) {
    throw new KluisError('PROTOCOL', `${what}: the answer is not a kluis server's maintenance list`, {
      cause: e,
    });
  }
}
