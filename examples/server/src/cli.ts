import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { KluisError } from '@kluis/core';
import { read } from 'read';
import { ACCOUNT_COMMANDS, type Command, GRANT_COMMANDS, QUOTA_COMMANDS } from './cli-admin.ts';
import { DB_COMMANDS } from './cli-db.ts';
import type { CliIo } from './cli-io.ts';
import { LOG_COMMANDS } from './cli-log.ts';
import { SERVE_COMMAND } from './cli-serve.ts';
import { helpOf, nearest, parseCommand, UsageError, wantsHelp, wrap } from './cli-usage.ts';
import { CAPACITY_COMMANDS, DESK_COMMANDS, INCIDENT_COMMANDS, MAINTENANCE_COMMANDS } from './desk/cli.ts';
import { redact } from './redact.ts';

/** Top-level commands: one command, or a group of subcommands (`account add`). */
const COMMANDS: Record<string, Command | Record<string, Command>> = {
  serve: SERVE_COMMAND,
  account: ACCOUNT_COMMANDS,
  ...GRANT_COMMANDS,
  quota: QUOTA_COMMANDS,
  log: LOG_COMMANDS,
  db: DB_COMMANDS,
  // The provider's desk (src/desk/).
  capacity: CAPACITY_COMMANDS,
  maintenance: MAINTENANCE_COMMANDS,
  incident: INCIDENT_COMMANDS,
  desk: DESK_COMMANDS,
};

const isCommand = (c: Command | Record<string, Command>): c is Command => 'spec' in c && 'run' in c;

/** A command's usage line, and the first sentence of its summary under it. */
function usageLine(c: Command): string {
  const first = c.spec.summary.split(/(?<=\.) /)[0] ?? '';
  return `  kluis-server ${c.spec.name}${c.spec.args ? ` ${c.spec.args}` : ''}\n${wrap(first, '      ')}`;
}

function allCommands(): Command[] {
  return Object.values(COMMANDS).flatMap((c) => (isCommand(c) ? [c] : Object.values(c)));
}

const HELP = () => `kluis-server: the kluis reference backup server (restic REST protocol v2)

usage:
${allCommands().map(usageLine).join('\n')}

Every command takes --config FILE or --data DIR (default: $KLUIS_SERVER_DATA
or ./kluis-data); administrative changes take --by NAME (default: your OS user),
recorded with the change. Passwords are prompted for on a terminal, or read as
one line from standard input. \`kluis-server COMMAND --help\` lists the options
of a command.
`;

/** The help of a command group (`account --help`): each subcommand and what it does. */
function groupHelp(name: string, group: Record<string, Command>): string {
  const lines = Object.values(group).map(usageLine);
  return `usage:\n${lines.join('\n')}\n\n\`kluis-server ${name} SUBCOMMAND --help\` lists its options.\n`;
}

/** An unknown command (`group` '') or subcommand of `group`, with the nearest known one. */
function unknown(word: string, candidates: string[], group: string): UsageError {
  const guess = nearest(word, candidates);
  const hint = guess ? `did you mean "${guess}"?` : `one of ${candidates.join(', ')}`;
  return new UsageError(
    `unknown ${group ? 'subcommand' : 'command'} ${JSON.stringify(word)}: ${hint}`,
    group,
  );
}

/** Index of the first positional argument (the subcommand), skipping the values of flags. */
function firstPositional(args: string[], group: Record<string, Command>): number {
  const takesValue = new Set<string>();
  for (const c of Object.values(group))
    for (const [flag, f] of Object.entries(c.spec.flags))
      if (f.type === 'string') {
        takesValue.add(`--${flag}`);
        if (f.short) takesValue.add(`-${f.short}`);
      }
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') return i + 1 < args.length ? i + 1 : -1;
    if (!a.startsWith('-')) return i;
    if (takesValue.has(a)) i++;
  }
  return -1;
}

/** Finds the command of `argv`, or prints help; parses its arguments before anything runs. */
function resolve(argv: string[], io: CliIo): { command: Command; args: string[] } | undefined {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP());
    return undefined;
  }
  if (name.startsWith('-')) throw new UsageError(`give a command before the option ${name}`);
  const entry = COMMANDS[name];
  if (entry === undefined) throw unknown(name, Object.keys(COMMANDS), '');
  if (isCommand(entry)) return { command: entry, args: rest };
  const subIndex = firstPositional(rest, entry);
  const sub = rest[subIndex];
  if (wantsHelp(subIndex < 0 ? rest : rest.slice(0, subIndex))) {
    io.out(groupHelp(name, entry));
    return undefined;
  }
  if (sub === undefined) throw new UsageError(`name a subcommand: ${Object.keys(entry).join(', ')}`, name);
  const command = entry[sub];
  if (command === undefined) throw unknown(sub, Object.keys(entry), name);
  return { command, args: rest.filter((_, i) => i !== subIndex) };
}

/**
 * Runs one `kluis-server` command; resolves to the process exit code: 0 done, 1 failed, 2 a wrong
 * command line (one line on standard error; nothing was touched).
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    const found = resolve(argv, io);
    if (!found) return 0;
    const { command, args } = found;
    if (wantsHelp(args)) {
      io.out(helpOf(command.spec));
      return 0;
    }
    await command.run(parseCommand(command.spec, args), io);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      const help = `kluis-server ${e.command ? `${e.command} ` : ''}--help`;
      io.err(redact(`kluis-server: ${e.command ? `${e.command}: ` : ''}${e.message} (see ${help})\n`));
      return 2;
    }
    const known = KluisError.is(e) || typeof (e as { code?: unknown }).code === 'string';
    io.err(redact(`kluis-server: ${known || !(e instanceof Error) ? (e as Error).message : e.stack}\n`));
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

/** Asks on the terminal without echo (npm's `read`); Ctrl-C at the prompt is an `ABORTED` error. */
async function promptHidden(prompt: string): Promise<string> {
  try {
    return await read({ prompt, silent: true, input: process.stdin, output: process.stderr });
  } catch (e) {
    if (e instanceof Error && e.message === 'canceled') throw new KluisError('ABORTED', 'interrupted');
    throw e;
  } finally {
    process.stderr.write('\n'); // the Enter (or Ctrl-C) that ended the answer was not echoed
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
