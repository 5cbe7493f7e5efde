import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { KluisError } from '@kluis/core';
import { safeParsePolicy } from '@kluis/retention';
import { z } from 'zod';

type Env = Record<string, string | undefined>;

/** The settings file never grows past this (about ten thousand repositories). */
export const MAX_SETTINGS_BYTES = 1 << 20;
/** The longest policy string stored. */
const MAX_POLICY_CHARS = 500;

const entrySchema = z.looseObject({
  retention: z.string().min(1).max(MAX_POLICY_CHARS).optional(),
  /** Where the repository was last seen when a setting was changed (for people reading the file). */
  location: z.string().max(4096).optional(),
  updated: z.string().max(64).optional(),
});
const fileSchema = z.looseObject({
  version: z.literal(1),
  repositories: z.record(z.string().regex(/^[0-9a-f]{64}$/, 'a repository ID (64 hex digits)'), entrySchema),
});
type Settings = z.infer<typeof fileSchema>;

/**
 * Where the client keeps settings that belong to a repository but not in it (the repository has
 * no mutable settings object): `$XDG_CONFIG_HOME/kluis/repositories.json`, else
 * `~/.config/kluis/repositories.json`. Entries are keyed by repository ID, so moving or renaming a
 * repository keeps its settings.
 */
export function settingsFile(env: Env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'kluis', 'repositories.json');
}

/**
 * Checks a retention policy in the compact form of `--policy` (`7d`, `last:3,7:1d`): it must
 * parse and have at least one rule (an empty policy would keep only the newest snapshot).
 * Returns the problem, or `undefined`.
 */
export function policyProblem(text: string): string | undefined {
  if (text.trim() === '') return 'the policy is empty';
  if (text.length > MAX_POLICY_CHARS) return `the policy is longer than ${MAX_POLICY_CHARS} characters`;
  const r = safeParsePolicy(text);
  if (!r.ok) return r.issues.map((i) => i.message).join('; ');
  if (r.policy.rules.length === 0) return 'the policy has no rule';
  return undefined;
}

/** Reads and validates the settings file; a missing file is empty settings. */
export async function readSettings(file: string): Promise<Settings> {
  let text: string;
  try {
    text = await readBounded(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, repositories: {} };
    if (KluisError.is(e)) throw e;
    throw new KluisError('INVALID_CONFIG', `${file}: cannot be read (${(e as Error).message})`, { cause: e });
  }
  const fix = 'fix it or delete it (it holds only what `kluis config set` stored)';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new KluisError('INVALID_CONFIG', `${file}: not valid JSON (${(e as Error).message}): ${fix}`, {
      cause: e,
    });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const where = i.path.length ? ` at ${i.path.join('.')}` : '';
    throw new KluisError(
      'INVALID_CONFIG',
      `${file}: not a kluis settings file (${i.message}${where}): ${fix}`,
    );
  }
  for (const [id, entry] of Object.entries(parsed.data.repositories)) {
    const problem = entry.retention === undefined ? undefined : policyProblem(entry.retention);
    if (problem)
      throw new KluisError(
        'INVALID_CONFIG',
        `${file}: retention of repository ${id.slice(0, 8)} is not a policy (${problem}): ${fix}`,
      );
  }
  return parsed.data;
}

/** The whole file, refusing one larger than {@link MAX_SETTINGS_BYTES} without reading it all. */
async function readBounded(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(MAX_SETTINGS_BYTES + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, n, buffer.length - n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > MAX_SETTINGS_BYTES)
        throw new KluisError(
          'INVALID_CONFIG',
          `${file}: larger than ${MAX_SETTINGS_BYTES} bytes, which no settings file reaches: check or delete it`,
        );
    }
    return new TextDecoder('utf-8', { fatal: false }).decode(buffer.subarray(0, n));
  } finally {
    await handle.close();
  }
}

/** Writes the settings file atomically (a new file renamed over the old), readable by its owner only. */
export async function writeSettings(file: string, settings: Settings): Promise<void> {
  const text = `${JSON.stringify(settings, null, 2)}\n`;
  if (new TextEncoder().encode(text).length > MAX_SETTINGS_BYTES)
    throw new KluisError(
      'INVALID_CONFIG',
      `${file}: would grow past ${MAX_SETTINGS_BYTES} bytes: unset the settings of repositories no longer used`,
    );
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o600, flag: 'w' });
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/** The retention policy stored for repository `id`, if any. */
export async function storedRetention(env: Env, id: string): Promise<string | undefined> {
  return (await readSettings(settingsFile(env))).repositories[id]?.retention;
}

/**
 * Stores (`policy` a string) or removes (`undefined`) the retention policy of repository `id`.
 * Returns whether a policy was stored before.
 */
export async function storeRetention(
  env: Env,
  id: string,
  policy: string | undefined,
  location: string,
): Promise<boolean> {
  const file = settingsFile(env);
  const settings = await readSettings(file);
  const { retention: before, ...rest } = settings.repositories[id] ?? {};
  if (policy === undefined && before === undefined) return false;
  const entry = { ...rest, ...(policy !== undefined ? { retention: policy } : {}) };
  const keep = Object.keys(entry).some((k) => k !== 'location' && k !== 'updated');
  if (keep) settings.repositories[id] = { ...entry, location, updated: new Date().toISOString() };
  else delete settings.repositories[id];
  await writeSettings(file, settings);
  return before !== undefined;
}
