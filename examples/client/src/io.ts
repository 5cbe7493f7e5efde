/** Everything the CLI touches outside itself, so tests can run it in-process. */
export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Whether stderr is a terminal (progress bars) and stdin can prompt. */
  tty: boolean;
  env: Record<string, string | undefined>;
  /** Asks for a secret without echo; undefined when no terminal is available. */
  promptSecret?: (question: string) => Promise<string>;
  /** Aborted on SIGINT. */
  signal?: AbortSignal;
  /**
   * Writes bytes to standard output (`dump`); resolves when more may be written: `false` once the
   * reader has gone (`kluis dump … | head`), so the writer can stop.
   */
  stdoutBytes?: (b: Uint8Array) => Promise<boolean>;
  /** Standard input as bytes (`backup --stdin`). */
  stdin?: AsyncIterable<Uint8Array>;
  /** The width of the terminal on stderr, in columns (undefined: not a terminal). */
  columns?: () => number | undefined;
  /** Calls `listener` whenever the terminal is resized; returns the way to stop. */
  onResize?: (listener: () => void) => () => void;
}

/**
 * The real process's streams and environment. Output to a reader that has gone (`kluis ls | head`)
 * is dropped, and the command goes on: a backup still completes, and nothing fails on EPIPE.
 */
export function processIo(signal: AbortSignal): Io {
  const tty = Boolean(process.stderr.isTTY && process.stdin.isTTY);
  const stdout = writerWhileRead(process.stdout);
  const stderr = writerWhileRead(process.stderr);
  return {
    stdout,
    stderr,
    tty: Boolean(process.stderr.isTTY),
    env: process.env,
    signal,
    columns: () => process.stderr.columns,
    onResize(listener) {
      process.stderr.on('resize', listener);
      return () => process.stderr.off('resize', listener);
    },
    ...(tty ? { promptSecret } : {}),
    stdoutBytes: bytesWriter(process.stdout),
    stdin: process.stdin,
  };
}

/** Writes bytes with back-pressure; a reader that has gone (`kluis dump … | head`) ends the output quietly. */
function bytesWriter(stream: NodeJS.WriteStream): (b: Uint8Array) => Promise<boolean> {
  let gone = false;
  stream.on('error', () => {
    gone = true;
  });
  return (b) =>
    new Promise((resolve) => {
      if (gone) resolve(false);
      else if (stream.write(b)) resolve(true);
      else {
        const done = () => {
          stream.off('drain', done);
          stream.off('close', done);
          resolve(!gone && !stream.destroyed);
        };
        stream.on('drain', done);
        stream.on('close', done);
      }
    });
}

/** Writes to `stream` until its reader has gone; any other write error is thrown as before. */
function writerWhileRead(stream: NodeJS.WriteStream): (s: string) => void {
  let gone = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    gone = true;
  });
  return (s) => {
    if (!gone) stream.write(s);
  };
}

/** Asks on the terminal without echo (npm's `read`); Ctrl-C at the prompt is an `ABORTED` error. */
async function promptSecret(question: string): Promise<string> {
  // Loaded when asked: most commands never prompt, and start-up loads no more than it needs.
  const [{ read }, { KluisError }] = await Promise.all([import('read'), import('@kluis/core')]);
  try {
    return await read({ prompt: question, silent: true, input: process.stdin, output: process.stderr });
  } catch (e) {
    if (e instanceof Error && e.message === 'canceled')
      throw new KluisError('ABORTED', 'interrupted at the password prompt', { cause: e });
    throw e;
  } finally {
    process.stderr.write('\n'); // the Enter (or Ctrl-C) that ended the answer was not echoed
  }
}
