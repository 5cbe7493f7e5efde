import { readFile } from 'node:fs/promises';
import { UsageError } from './errors';
import type { Io } from './io';
import { runPasswordCommand } from './password-command';

/** Where the password comes from, in restic's order: --password-file, --password-command (KLUIS_PASSWORD_COMMAND), KLUIS_PASSWORD_FILE, KLUIS_PASSWORD, a prompt. */
export async function readPassword(
  io: Io,
  passwordFile: string | undefined,
  confirm = false,
): Promise<string> {
  const file = passwordFile ?? io.env.KLUIS_PASSWORD_FILE;
  if (!passwordFile && io.env.KLUIS_PASSWORD_COMMAND)
    return runPasswordCommand(io.env.KLUIS_PASSWORD_COMMAND);
  if (file) return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  if (io.env.KLUIS_PASSWORD !== undefined) return io.env.KLUIS_PASSWORD;
  if (!io.promptSecret)
    throw new UsageError('no password: set KLUIS_PASSWORD, KLUIS_PASSWORD_FILE or --password-file');
  const pw = await io.promptSecret('repository password: ');
  if (confirm && (await io.promptSecret('repeat password: ')) !== pw)
    throw new UsageError('passwords do not match');
  if (pw === '') throw new UsageError('empty password');
  return pw;
}
