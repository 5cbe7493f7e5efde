import type { Transport } from '@kluis/core';

/**
 * An object directory of a repository (restic's REST `{type}`); `config` is a single file beside them.
 *
 * @example
 * ```ts
 * const immutable = (t: ObjectType) => t !== 'locks' && t !== 'keys';
 * ```
 */
export type ObjectType = 'data' | 'keys' | 'locks' | 'snapshots' | 'index';

/**
 * Whoever {@link RestHooks.authenticate} recognised. Extend it with your own fields; the handler
 * only reads `name` (for the access log) and passes the whole object back to your hooks.
 *
 * @example
 * ```ts
 * interface Account extends Principal { id: number; roles: string[] }
 * ```
 */
export interface Principal {
  /** The account or client name, as written to the access log. */
  readonly name: string;
}

/**
 * What a request does. `read` is a GET of an object or the config, `stat` a HEAD, `list` a GET of a
 * type directory, `write` a POST of an object, `delete` a DELETE of one.
 *
 * @example
 * ```ts
 * const appendOnly = (op: RestOperation) => op !== 'delete' && op !== 'delete-repo';
 * ```
 */
export type RestOperation = 'create-repo' | 'delete-repo' | 'read' | 'list' | 'write' | 'delete' | 'stat';

/**
 * Everything known about a request once its path is parsed and its sender authenticated.
 *
 * @example
 * ```ts
 * const authorize = (ctx: RequestContext) => ctx.repo === ctx.principal?.name;
 * ```
 */
export interface RequestContext<P extends Principal = Principal> {
  /** Who sent it; `undefined` when no `authenticate` hook is set. */
  readonly principal: P | undefined;
  /** The repository path: the URL path between the base path and the type segment (`''`, `alice`, `alice/laptop`). */
  readonly repo: string;
  /** The object type, `config`, or `undefined` for repository-level operations. */
  readonly type: ObjectType | 'config' | undefined;
  /** The object name, for object requests only. */
  readonly name: string | undefined;
  /** The kluis object key (`data/<id>`, `config`), for object and config requests. */
  readonly key: string | undefined;
  /** What the request does. */
  readonly operation: RestOperation;
  /** The request itself (headers, method, URL). Do not read its body. */
  readonly request: Request;
  /** The client's address, when the server adapter or `options.clientAddress` provides it. */
  readonly clientAddress: string | undefined;
}

/**
 * A write about to happen, or a delete that happened: `size` is the object's size in bytes.
 *
 * @example
 * ```ts
 * const beforeWrite = (ctx: SizedContext) => (ctx.size > 1e9 ? new Response(null, { status: 507 }) : undefined);
 * ```
 */
export interface SizedContext<P extends Principal = Principal> extends RequestContext<P> {
  /** Bytes written (the declared Content-Length) or deleted (the object's size before deletion). */
  readonly size: number;
}

/**
 * The outcome of a write whose `beforeWrite` passed: `ok` is true when the object was stored.
 *
 * @example
 * ```ts
 * const used = new Map<string, number>();
 * const afterWrite = (ctx: WriteOutcome) => {
 *   if (ctx.ok) used.set(ctx.repo, (used.get(ctx.repo) ?? 0) + ctx.size);
 * };
 * ```
 */
export interface WriteOutcome<P extends Principal = Principal> extends SizedContext<P> {
  /** True when the object was stored; false when the upload failed after its reservation. */
  readonly ok: boolean;
}

/**
 * Whether the service is up right now. `unavailable` answers every request with 503; `readOnly`
 * answers only writes, deletes and repository changes with 503. Both send `Retry-After` when
 * `retryAfterSeconds` is set, and `Kluis-Maintenance-Until` when `until` is.
 *
 * @example
 * ```ts
 * const availability = (): Availability => ({ unavailable: false, readOnly: true, retryAfterSeconds: 600 });
 * ```
 */
export interface Availability {
  readonly unavailable: boolean;
  readonly readOnly?: boolean | undefined;
  readonly retryAfterSeconds?: number | undefined;
  /**
   * When the maintenance ends. Set, the 503 carries it in `Kluis-Maintenance-Until` with the error
   * token `maintenance`, and kluis clients stop and say so instead of retrying.
   */
  readonly until?: Date | string | undefined;
  /** What the maintenance is, shown in the 503's text. */
  readonly reason?: string | undefined;
}

/**
 * One line of the access log: every request, answered or refused.
 *
 * @example
 * ```ts
 * import { appendFileSync } from 'node:fs';
 *
 * const onAccess = (e: AccessLogEntry) => appendFileSync('access.log', `${JSON.stringify(e)}\n`);
 * ```
 */
export interface AccessLogEntry {
  /** When the request arrived. */
  readonly time: Date;
  readonly method: string;
  /** The URL path as received (not decoded). */
  readonly path: string;
  readonly clientAddress: string | undefined;
  /** The authenticated principal's name, if any. */
  readonly principal: string | undefined;
  /** Parsed from the path; `undefined` when the path was malformed. */
  readonly repo: string | undefined;
  readonly operation: RestOperation | undefined;
  readonly key: string | undefined;
  readonly status: number;
  /** Request body bytes read. */
  readonly bytesIn: number;
  /** Response body bytes sent. */
  readonly bytesOut: number;
  /** Time until the response was ready, in milliseconds. */
  readonly durationMs: number;
}

/**
 * A value or a promise of it: hooks may be synchronous or async.
 *
 * @example
 * ```ts
 * const allow: (ctx: RequestContext) => Awaitable<boolean> = async (ctx) => ctx.repo !== '';
 * ```
 */
export type Awaitable<T> = T | Promise<T>;

/**
 * Integration points of {@link createRestHandler}. Every hook is optional; without hooks the
 * handler serves everyone. A hook that returns a `Response` has that response sent as is.
 *
 * @example
 * ```ts
 * interface Account extends Principal { repos: string[] }
 * const accounts = new Map<string, Account>([['Bearer alice-token', { name: 'alice', repos: ['alice'] }]]);
 * const hooks: RestHooks<Account> = {
 *   authenticate: (req) => accounts.get(req.headers.get('authorization') ?? ''),
 *   authorize: (ctx) => ctx.repo === ctx.principal?.name,
 * };
 * ```
 */
export interface RestHooks<P extends Principal = Principal> {
  /**
   * Identifies the sender; `undefined` answers 401 with `WWW-Authenticate`, a `Response` (e.g. 429
   * during a lockout) is sent as is. `clientAddress` lets it count failures per address.
   */
  authenticate?(
    request: Request,
    peer: { clientAddress: string | undefined },
  ): Awaitable<P | Response | undefined>;
  /** Allows (`true`) or refuses (`false` → 403) one operation; runs before the store is touched. */
  authorize?(ctx: RequestContext<P>): Awaitable<boolean | Response>;
  /** Reserves quota for an upload of `ctx.size` bytes; return a Response (e.g. 507) to refuse. */
  beforeWrite?(ctx: SizedContext<P>): Awaitable<Response | undefined>;
  /** Commits (`ok`) or releases (`!ok`) what `beforeWrite` reserved; called exactly once after it passed. */
  afterWrite?(ctx: WriteOutcome<P>): Awaitable<void>;
  /**
   * Consulted before an existing object of `ctx.size` bytes is deleted (never for missing ones),
   * after `authorize`; return a Response (e.g. 403 for an object under a retention lock) to refuse
   * the delete, which then leaves the object as it was.
   */
  beforeDelete?(ctx: SizedContext<P>): Awaitable<Response | undefined>;
  /** Called after an existing object of `ctx.size` bytes was deleted (never for missing objects). */
  afterDelete?(ctx: SizedContext<P>): Awaitable<void>;
  /** Maintenance and outages: consulted for every request. */
  availability?(now: Date): Availability;
  /** Receives one entry per request, after its response is ready. */
  onAccess?(entry: AccessLogEntry): void;
  /** Receives unexpected errors (store failures answered with 5xx, hooks that threw). */
  onError?(error: unknown, entry: { method: string; path: string }): void;
}

/**
 * The storage behind the handler: one transport for everything, or a factory that picks (or
 * creates) a transport per repository path after the request was authorised.
 *
 * @example
 * ```ts
 * const store: RestStore = (repo) => localTransport({ root: `/srv/kluis/${repo}` });
 * ```
 */
export type RestStore<P extends Principal = Principal> =
  | Transport
  | ((repo: string, ctx: { principal: P | undefined; request: Request }) => Awaitable<Transport>);
