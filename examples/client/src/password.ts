import { readFile } from 'node:fs/promises';
import { KluisError } from '@kluis/core';
import { UsageError } from './errors';
import type { Io } from './io';
import { runPasswordCommand } from './password-command';

/** Where the password comes from, in restic's order: --password-file, --password-command (KLUIS_PASSWORD_COMMAND), KLUIS_PASSWORD_FILE, KLUIS_PASSWORD, a prompt. */
export async function readPassword(
  io: Io,
  passwordFile: string | undefined,
  confirm = false,
  what = 'password file (--password-file or KLUIS_PASSWORD_FILE)',
): Promise<string> {
  const file = passwordFile ?? io.env.KLUIS_PASSWORD_FILE;
  if (!passwordFile && io.env.KLUIS_PASSWORD_COMMAND)
    return runPasswordCommand(io.env.KLUIS_PASSWORD_COMMAND);
  if (file) return (await readPasswordFile(file, what)).replace(/\r?\n$/, '');
  if (io.env.KLUIS_PASSWORD !== undefined) return io.env.KLUIS_PASSWORD;
  if (!io.promptSecret)
    throw new UsageError('no password: set KLUIS_PASSWORD, KLUIS_PASSWORD_FILE or --password-file');
  const pw = await io.promptSecret('repository password: ');
  if (confirm && (await io.promptSecret('repeat password: ')) !== pw)
    throw new UsageError('passwords do not match');
  if (pw === '') throw new UsageError('empty password');
  return pw;
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

/** The text of a password file, or an error that says it was the password file that failed. */
async function readPasswordFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const why = FILE_ERRORS[code] ?? (e instanceof Error ? e.message : String(e));
    throw new KluisError('INVALID_CONFIG', `cannot read the ${what} ${file}: ${why}`, { cause: e });
  }
}
