// An open repository on this page's server: the account's Basic credentials and the repository's
// keys live in this object only (page memory), never in storage, cookies or the URL.
import {
  type FoundFile,
  findFiles,
  KluisError,
  openRepository,
  type Repository,
  type SnapshotRef,
  type TreeNode,
} from '@kluis/core';
import type { CryptoProvider } from '@kluis/core/crypto';
import { decodeTree, fromHex } from '@kluis/core/format';
import { httpTransport } from '@kluis/transport-http';
import type { HealthHint } from './errors';
import { searchPattern } from './format';

/** What the login form gives. */
export interface Login {
  account: string;
  accountPassword: string;
  /** `alice/laptop`. */
  repository: string;
  repositoryPassword: string;
}

/**
 * `fetch` without the browser's own credentials: no cookies, and no login dialog of the browser
 * when the server answers 401 (the page asks itself, and sends `Authorization` explicitly).
 */
const pageFetch: typeof fetch = (input, init) => fetch(input, { ...init, credentials: 'omit' });

/** An open repository, with what the page does with it. */
export class Session {
  private constructor(
    readonly repo: Repository,
    readonly repository: string,
  ) {}

  /** Checks the account, then opens the repository (the key derivation runs in the worker). */
  static async open(login: Login, crypto: CryptoProvider, signal?: AbortSignal): Promise<Session> {
    const auth = { username: login.account, password: login.accountPassword };
    await checkAccount(login.repository, auth, signal);
    const url = new URL(`/${login.repository}/`, location.origin);
    // Give up soon when the server asks to come back much later (maintenance): the page says
    // until when, rather than waiting minutes in silence.
    const retry = { retries: 3, maxDelayMs: 2_000 };
    const transport = httpTransport({
      url,
      auth,
      fetch: pageFetch,
      maxConcurrency: 6,
      retry,
      maxRetryAfterMs: 2_000,
    });
    const repo = await openRepository(transport, { password: login.repositoryPassword, crypto });
    await repo.blobs.loadIndex(signal, { tolerateDamage: true });
    return new Session(repo, login.repository);
  }

  /** Readable snapshots, newest first. */
  async snapshots(signal?: AbortSignal): Promise<SnapshotRef[]> {
    const { snapshots } = await this.repo.snapshots.scan(signal);
    return snapshots.sort((a, b) => b.snapshot.time.localeCompare(a.snapshot.time));
  }

  /** One directory's entries (its tree blob, loaded and verified now: browsing is lazy). */
  async list(treeId: string, signal?: AbortSignal): Promise<TreeNode[]> {
    const bytes = await this.repo.blobs.load(fromHex(treeId), signal);
    return decodeTree(bytes, `tree ${treeId}`);
  }

  /** Names matching `query` (a word, or a pattern such as `*.pdf`) in one snapshot, case-insensitively. */
  search(snapshot: SnapshotRef, query: string, signal?: AbortSignal): AsyncGenerator<FoundFile> {
    const options = signal
      ? { snapshots: [snapshot], ignoreCase: true, signal }
      : { snapshots: [snapshot], ignoreCase: true };
    return findFiles(this.repo, searchPattern(query), options);
  }
}

/**
 * Asks the server for the account's settings of the repository: a wrong account password is
 * told apart from a wrong repository password before any key is derived, and a locked-out
 * account gets the server's answer.
 */
async function checkAccount(
  repository: string,
  auth: { username: string; password: string },
  signal: AbortSignal | undefined,
): Promise<void> {
  const url = new URL(`/-/account?repo=${encodeURIComponent(repository)}`, location.origin);
  const authorization = `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${auth.username}:${auth.password}`)))}`;
  let response: Response;
  try {
    response = await pageFetch(url, { headers: { authorization }, ...(signal ? { signal } : {}) });
  } catch (e) {
    throw new KluisError('UNAVAILABLE', `cannot reach the server (${String(e)})`, {
      retryable: true,
      cause: e,
    });
  }
  if (response.ok) return;
  const body = (await response.text()).trim();
  if (response.status === 401) throw new KluisError('AUTH', 'account or password not accepted');
  if (response.status === 403) throw new KluisError('AUTH', `this account may not read ${repository}`);
  if (response.status === 429) throw new KluisError('AUTH', `the server says: ${body}; wait and try again`);
  if (response.status === 404) throw new KluisError('NOT_FOUND', `no account area for ${repository}`);
  throw new KluisError('UNAVAILABLE', `the server answered ${response.status}: ${body}`, { retryable: true });
}

/** What `/-/health` says now, to explain a refusal (maintenance) or a lost connection. */
export async function healthHint(): Promise<HealthHint> {
  try {
    const r = await pageFetch(new URL('/-/health', location.origin), { cache: 'no-store' });
    const body = (await r.json()) as { maintenance?: { name: string; end: string } | null };
    return { maintenance: body.maintenance ?? undefined };
  } catch {
    return { unreachable: true };
  }
}
