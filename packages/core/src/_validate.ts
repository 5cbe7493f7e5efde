// Validation of untrusted values with zod/mini schemas, into a ValidationError. Internal.
//
// zod/mini instead of zod: the same checks and issues, but functions that a bundler drops when
// unused instead of methods on classes it must keep (a browser bundle of backup + restore went
// from ~620 KiB to ~205 KiB minified). zod/mini carries no messages of its own: the English ones of full
// zod are passed per parse, so issues read as they did.
import type * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { type ErrorCode, ValidationError, type ValidationIssue } from './errors';

let english: ReturnType<typeof en>['localeError'] | undefined;

/** Issues of a failed parse, with paths of strings and numbers. */
function issuesOf(error: z.core.$ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: i.message,
  }));
}

/** `value` as `schema` accepts it, or a `ValidationError` about `what` naming each bad field. */
export function validate<T>(schema: z.ZodMiniType<T>, value: unknown, what: string, code?: ErrorCode): T {
  english ??= en().localeError;
  const r = schema.safeParse(value, { error: english });
  if (!r.success) throw new ValidationError(what, issuesOf(r.error), code);
  return r.data;
}
