import { KluisError } from '@kluis/core';
import type { MailConfig } from './mailer.ts';

/** The desk's part of the server configuration (`"desk": { … }`). */
export interface DeskConfig {
  /** The provider's address: capacity requests, incidents and lockout alerts go there. */
  providerEmail: string | undefined;
  /** Outgoing e-mail; without it, messages stay queued in the outbox. */
  mail: MailConfig | undefined;
}

const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

function bad(path: string, message: string): never {
  throw new KluisError('INVALID_CONFIG', `server configuration: desk.${path}: ${message}`);
}

/**
 * Checks the `desk` settings: `{ "providerEmail": "ops@provider.example", "mail": { "smtp":
 * "smtp://127.0.0.1:25", "from": "desk@provider.example" } }`.
 *
 * @example
 * ```ts
 * parseDeskConfig({ providerEmail: 'ops@provider.example' }).providerEmail; // 'ops@provider.example'
 * ```
 */
export function parseDeskConfig(v: unknown): DeskConfig {
  if (v === undefined) return { providerEmail: undefined, mail: undefined };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('(root)', 'expected an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'providerEmail' && k !== 'mail') bad(k, 'unknown (known: providerEmail, mail)');
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
  return { providerEmail: providerEmail as string | undefined, mail };
}
