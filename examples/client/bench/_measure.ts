// Measuring helpers shared by the benchmark cases: one way to time a command, take a median and
// note the machine's load.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

/** Wall time, CPU time and peak RSS of one command. */
export interface TimedRun {
  /** Seconds of wall-clock time. */
  wall: number;
  /** CPU-seconds, user and system. */
  cpu: number;
  /** Peak resident set size, MB. */
  rssMb: number;
}

/** Where a command runs: its environment, working directory, and a scratch directory for `time`'s output. */
export interface TimedOptions {
  env: NodeJS.ProcessEnv;
  /** Directory for `time`'s output file. */
  work: string;
  cwd?: string;
}

/**
 * Runs a command under `/usr/bin/time` and returns its wall time, CPU-seconds and peak RSS;
 * throws with the end of its stderr when it fails. Dirty pages of the previous command (a backup
 * writes hundreds of megabytes) are written back first, not by the kernel's flusher threads during
 * this command.
 */
export function timed(cmd: string, args: readonly string[], o: TimedOptions): TimedRun {
  execFileSync('sync');
  const out = join(o.work, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-o', out, '-f', '%e %U %S %M', cmd, ...args], {
    cwd: o.cwd,
    env: o.env,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString().slice(-2000)}`);
  const [e, u, s, m] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wall: e!, cpu: u! + s!, rssMb: m! / 1024 };
}

/**
 * The environment of the tools a case runs: both passwords, and each tool's cache under `work`
 * (so a run starts from the caches the case filled, not from the user's).
 */
export function benchEnv(work: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KLUIS_PASSWORD: 'bench',
    RESTIC_PASSWORD: 'bench',
    RESTIC_CACHE_DIR: join(work, 'restic-cache'),
    KLUIS_CACHE_DIR: join(work, 'kluis-cache'),
  };
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** The load averages over 1, 5 and 15 minutes, as the report prints them. */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
}
