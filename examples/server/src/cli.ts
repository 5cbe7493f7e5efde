import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { KluisError } from '@kluis/core';
import { accountCommand, grantCommand, quotaCommand } from './cli-admin.ts';
import type { CliIo } from './cli-io.ts';
import { logCommand } from './cli-log.ts';
import { serveCommand } from './cli-serve.ts';

const HELP = `kluis-server: the kluis reference backup server (restic REST protocol v2)

  kluis-server serve [--config server.json] [--data DIR] [--host H] [--port P]
                     [--tls-cert cert.pem --tls-key key.pem] [--insecure-http]
                     [--maintenance-mode unavailable|read-only|off] [--alert-webhook URL]
  kluis-server account add NAME [--quota 50GiB] [--role backup|maintenance|restore|admin|auditor|none]
  kluis-server account list [--json]
  kluis-server account passwd|disable|enable NAME
  kluis-server account retention NAME --days 7 [--protect-days 7]
  kluis-server grant ACCOUNT ROLE [--scope AREA[/REPO] | '*'] [--expires 30d|ISO-TIME] [--note TEXT]
  kluis-server grants [ACCOUNT] [--json]
  kluis-server revoke GRANT-ID
  kluis-server quota set ACCOUNT SIZE|unlimited
  kluis-server log tail [-n 20] [--user NAME] [--event login-failed|lockout|denied|refused|rejected|access] [-f]

Every command takes --config FILE or --data DIR (default: $KLUIS_SERVER_DATA or ./kluis-data),
and administrative changes take --by NAME (default: your OS user), recorded with the change.
Passwords are prompted for on a terminal, or read as one line from standard input.
`;

/**
 * Runs one `kluis-server` command; resolves to the process exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(HELP);
    } else if (command === 'serve') await serveCommand(rest, io);
    else if (command === 'account') await accountCommand(rest, io);
    else if (command === 'grant' || command === 'grants' || command === 'revoke')
      await grantCommand(command, rest, io);
    else if (command === 'quota') await quotaCommand(rest, io);
    else if (command === 'log') await logCommand(rest, io, io.outputGone);
    else {
      io.err(`unknown command ${JSON.stringify(command)}\n\n${HELP}`);
      return 2;
    }
    return 0;
  } catch (e) {
    const known = KluisError.is(e) || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`kluis-server: ${known || !(e instanceof Error) ? (e as Error).message : e.stack}\n`);
    return 1;
  }
}

/**
 * The real terminal: stdout, stderr, environment, and a password prompt without echo.
 *
 * @example
 * ```ts
 * await main(['account', 'list'], processIo());
 * ```
 */
export function processIo(): CliIo {
  let lines: AsyncIterator<string> | undefined;
  // Output to a reader that has gone is dropped rather than failing on EPIPE.
  const gone = new AbortController();
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    gone.abort();
  });
  let errGone = false;
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    errGone = true;
  });
  return {
    out: (t) => {
      if (!gone.signal.aborted) process.stdout.write(t);
    },
    err: (t) => {
      if (!errGone) process.stderr.write(t);
    },
    outputGone: gone.signal,
    env: process.env,
    async readPassword(prompt) {
      if (process.stdin.isTTY) return promptHidden(prompt);
      lines ??= createInterface({ input: process.stdin })[Symbol.asyncIterator]();
      const next = await lines.next();
      if (next.done) throw new KluisError('INVALID_CONFIG', 'no password on standard input');
      return next.value;
    },
  };
}

function promptHidden(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  let typed = '';
  return new Promise((resolve, reject) => {
    const done = (e?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (e) reject(e);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new KluisError('ABORTED', 'interrupted'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
