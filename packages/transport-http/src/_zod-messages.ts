// zod/mini carries no messages of its own (so a browser bundle stays small); parses pass zod's
// English ones, so issues read as with full zod. Internal.
import type * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

let english: z.core.$ZodErrorMap | undefined;

/** Parse options giving zod's English messages. */
export function inEnglish(): { error: z.core.$ZodErrorMap } {
  english ??= en().localeError;
  return { error: english };
}
