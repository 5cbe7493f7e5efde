import { KluisError } from '@kluis/core';
import type { Context } from './context';
import { httpOptionsOf } from './repository-url';

/** `2026-03-28 17:00 (+01:00)` in this machine's time zone. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const abs = Math.abs(off);
  const zone = `${off < 0 ? '-' : '+'}${p(Math.floor(abs / 60))}:${p(abs % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())} (${zone})`;
}

/**
 * Before a backup to a kluis server: warns on standard error about maintenance that runs now or
 * starts within 24 hours (the server's announcements and its standing window). Best effort: a
 * server without a desk, or any failure to ask, warns of nothing (the backup itself reports real
 * problems).
 */
export async function warnOfMaintenance(ctx: Context): Promise<void> {
  const options = httpOptionsOf(ctx.location, ctx.io.env);
  if (!options) return;
  const { fetchMaintenance } = await import('@kluis/transport-http');
  let windows: Awaited<ReturnType<typeof fetchMaintenance>>;
  try {
    windows = await fetchMaintenance(options, {
      hours: 24,
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    });
  } catch (e) {
    if (KluisError.is(e, 'ABORTED')) throw e;
    return;
  }
  const now = Date.now();
  for (const w of windows) {
    const when =
      Date.parse(w.start) <= now
        ? `server in maintenance until ${localTime(w.end)}`
        : `server maintenance from ${localTime(w.start)} until ${localTime(w.end)}`;
    ctx.io.stderr(`kluis: warning: ${when} (${w.reason}): the server refuses backups then\n`);
  }
}
