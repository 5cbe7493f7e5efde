import { KluisError } from '@kluis/core';
import { DEFAULT_DETECTION, type DetectionPolicy } from './detector.ts';
import type { MailConfig } from './mailer.ts';

/** The desk's part of the server configuration (`"desk": { … }`). */
export interface DeskConfig {
  /** The provider's address: capacity requests, incidents and lockout alerts go there. */
  providerEmail: string | undefined;
  /** Outgoing e-mail; without it, messages stay queued in the outbox. */
  mail: MailConfig | undefined;
  /** When failing requests open an incident. */
  detection: DetectionPolicy;
}

const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

function bad(path: string, message: string): never {
  throw new KluisError('INVALID_CONFIG', `server configuration: desk.${path}: ${message}`);
}

/**
 * Checks the `desk` settings: `{ "providerEmail": "ops@provider.example", "mail": { "smtp":
 * "smtp://127.0.0.1:25", "from": "desk@provider.example" }, "detection": { "windowSeconds": 300,
 * "minErrors": 5, "errorRatio": 0.5 } }`.
 *
 * @example
 * ```ts
 * parseDeskConfig({ providerEmail: 'ops@provider.example' }).providerEmail; // 'ops@provider.example'
 * ```
 */
export function parseDeskConfig(v: unknown): DeskConfig {
  if (v === undefined) return { providerEmail: undefined, mail: undefined, detection: DEFAULT_DETECTION };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('(root)', 'expected an object');
  const o = v as Record<string, unknown>;
  const known = ['providerEmail', 'mail', 'detection'];
  for (const k of Object.keys(o)) if (!known.includes(k)) bad(k, `unknown (known: ${known.join(', ')})`);
  const providerEmail = o.providerEmail;
  if (providerEmail !== undefined && (typeof providerEmail !== 'string' || !ADDRESS.test(providerEmail)))
    bad('providerEmail', 'expected an e-mail address');
  let mail: MailConfig | undefined;
  if (o.mail !== undefined) {
    const m = o.mail as Record<string, unknown>;
    if (typeof m !== 'object' || m === null) bad('mail', 'expected an object');
    if (typeof m.smtp !== 'string' || !/^smtps?:\/\/[^/\s]+/.test(m.smtp))
      bad('mail.smtp', 'expected smtp://host:port or smtps://…');
    if (typeof m.from !== 'string' || !/@/.test(m.from)) bad('mail.from', 'expected a sender address');
    mail = { smtp: m.smtp, from: m.from };
  }
  return { providerEmail: providerEmail as string | undefined, mail, detection: detection(o.detection) };
}

function detection(v: unknown): DetectionPolicy {
  if (v === undefined) return DEFAULT_DETECTION;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('detection', 'expected an object');
  const d = v as Record<string, unknown>;
  for (const k of Object.keys(d))
    if (!['windowSeconds', 'minErrors', 'errorRatio'].includes(k))
      bad(`detection.${k}`, 'unknown (known: windowSeconds, minErrors, errorRatio)');
  const int = (x: unknown, path: string, min: number, max: number) => {
    if (x === undefined) return undefined;
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min || x > max)
      bad(path, `expected a whole number in ${min}..${max}`);
    return x;
  };
  const ratio = d.errorRatio;
  if (ratio !== undefined && (typeof ratio !== 'number' || !(ratio > 0 && ratio <= 1)))
    bad('detection.errorRatio', 'expected a number in (0, 1]');
  return {
    windowMs:
      (int(d.windowSeconds, 'detection.windowSeconds', 10, 86_400) ?? DEFAULT_DETECTION.windowMs / 1000) *
      1000,
    minErrors: int(d.minErrors, 'detection.minErrors', 1, 1_000_000) ?? DEFAULT_DETECTION.minErrors,
    errorRatio: (ratio as number | undefined) ?? DEFAULT_DETECTION.errorRatio,
  };
}
