import { exec } from 'node:child_process';
import { KluisError } from '@kluis/core';

/** Longest a password command may run (a secret manager waiting for a touch needs a while). */
const TIMEOUT_MS = 120_000;

/**
 * Runs `--password-command` (or KLUIS_PASSWORD_COMMAND) through the shell, as restic does, and
 * returns what it prints on stdout without its final newline. Its stderr passes through (a secret
 * manager may ask something there). A failure or an empty answer is an error that names the
 * command, never a prompt: a script that set a command wants that command's password.
 */
export function runPasswordCommand(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = exec(command, { timeout: TIMEOUT_MS, maxBuffer: 1 << 20 }, (error, stdout) => {
      const password = stdout.replace(/\r?\n$/, '');
      if (error)
        reject(
          new KluisError(
            'INVALID_CONFIG',
            `password command ${JSON.stringify(command)} failed (${error.killed ? 'timed out' : `exit ${error.code ?? error.signal}`}): fix it or use --password-file`,
          ),
        );
      else if (password === '')
        reject(
          new KluisError(
            'INVALID_CONFIG',
            `password command ${JSON.stringify(command)} printed no password on its standard output`,
          ),
        );
      else resolve(password);
    });
    child.stderr?.pipe(process.stderr);
  });
}
