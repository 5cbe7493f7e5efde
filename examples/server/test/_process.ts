import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

/** A `kluis-server serve` process and the URL it announced. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything it wrote to standard error so far. */
  stderr(): string;
  /** Sends SIGTERM and waits for the exit (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
}

/**
 * Starts `command args` (a `kluis-server serve …`) and resolves once it logs the URL it listens
 * on. Fails with its standard error if it exits first or takes longer than `timeoutMs`.
 */
export function spawnServer(
  command: string,
  args: string[],
  o: SpawnOptions & { timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const child = spawn(command, args, { ...o, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${err}`));
    }, o.timeoutMs ?? 30_000);
    const onData = () => {
      const m = /listening on (https?:\/\/\S+)/.exec(err);
      if (!m) return;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      resolve({
        child,
        url: m[1]!.replace(/\/$/, ''),
        stderr: () => err,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          const code = await exited;
          clearTimeout(kill);
          return code;
        },
      });
    };
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${err}`));
    });
  });
}

/** Resolves once `check` holds, polling every 50 ms; throws after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
