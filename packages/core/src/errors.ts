/**
 * Every stable error code kluis uses. Codes never change meaning once published; new codes may be
 * added. `retryable` says whether repeating the same call may succeed.
 *
 * @example
 * ```ts
 * ERROR_CODES.UNAVAILABLE.retryable; // true: the same call may succeed later
 * const help = (e: KluisError) => `${e.code}: ${ERROR_CODES[e.code].summary}`;
 * ```
 */
export const ERROR_CODES = {
  NOT_FOUND: { retryable: false, summary: 'the object, snapshot or key does not exist' },
  ALREADY_EXISTS: { retryable: false, summary: 'a create-only write found the object already there' },
  INTEGRITY: { retryable: false, summary: 'stored bytes failed authentication or their hash' },
  WRONG_PASSWORD: { retryable: false, summary: 'no key slot opens with the given password' },
  AUTH: { retryable: false, summary: 'the storage refused the credentials or the operation' },
  QUOTA: { retryable: false, summary: 'the storage capacity is exhausted' },
  UNAVAILABLE: { retryable: true, summary: 'the storage is temporarily unavailable' },
  TIMEOUT: { retryable: true, summary: 'the operation did not finish in time' },
  ABORTED: { retryable: false, summary: 'the caller aborted the operation' },
  INVALID_CONFIG: { retryable: false, summary: 'a configuration or option is invalid' },
  INVALID_DATA: { retryable: false, summary: 'stored bytes are well authenticated but malformed' },
  UNSUPPORTED_VERSION: {
    retryable: false,
    summary: 'the repository uses a format version this code cannot read',
  },
  LOCKED: { retryable: true, summary: 'another process holds an exclusive lock' },
  UNSAFE_PATH: { retryable: false, summary: 'a path would escape its target directory' },
  PROTOCOL: { retryable: false, summary: 'the remote answered outside the protocol' },
  INTERNAL: { retryable: false, summary: 'a bug in kluis: please report it' },
} as const;

/** A stable machine-readable error code; see {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

const MARK = Symbol.for('kluis.error');

/** Options accepted by {@link KluisError}. */
export interface KluisErrorOptions {
  /** The underlying error, kept as `cause`. */
  cause?: unknown;
  /** Overrides the code's default `retryable` flag (e.g. a 503 vs a 501 both map to UNAVAILABLE). */
  retryable?: boolean;
}

/**
 * The one error class of kluis. Recognise it with {@link KluisError.is} (works across duplicate
 * package copies and realms, unlike `instanceof`) and branch on its stable `code`.
 *
 * @example
 * ```ts
 * try {
 *   await openRepository(transport, { password });
 * } catch (e) {
 *   if (KluisError.is(e, 'WRONG_PASSWORD')) console.error('try another password');
 *   else throw e;
 * }
 * ```
 */
export class KluisError extends Error {
  /** Stable code; see {@link ERROR_CODES}. */
  readonly code: ErrorCode;
  /** Whether repeating the same operation may succeed. */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: KluisErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KluisError';
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    Object.defineProperty(this, MARK, { value: true });
  }

  /**
   * True when `e` is a kluis error (from any copy of the package), optionally with one of `codes`.
   *
   * @example
   * ```ts
   * try {
   *   await transport.get('config');
   * } catch (e) {
   *   if (!KluisError.is(e, 'NOT_FOUND', 'INTEGRITY')) throw e;
   * }
   * ```
   */
  static is(e: unknown, ...codes: ErrorCode[]): e is KluisError {
    if (typeof e !== 'object' || e === null || (e as Record<symbol, unknown>)[MARK] !== true) return false;
    return codes.length === 0 || codes.includes((e as KluisError).code);
  }
}

/**
 * Stored bytes did not match what they must be: a hash, an authentication tag, a length.
 *
 * @example
 * ```ts
 * throw new IntegrityError('data/ab12…', 'ab12…', 'ff00…');
 * ```
 */
export class IntegrityError extends KluisError {
  constructor(
    /** Where the bad bytes came from (an object key or blob ID). */
    readonly key: string,
    /** What was expected (hex hash, or a description). */
    readonly expected: string,
    /** What was found. */
    readonly actual: string,
    message = `integrity check failed for ${key}: expected ${expected}, got ${actual}`,
  ) {
    super('INTEGRITY', message);
    this.name = 'IntegrityError';
  }
}

/** One problem found while validating untrusted input. */
export interface ValidationIssue {
  /** Path to the offending field, e.g. `['chunker', 'avg']`. */
  path: (string | number)[];
  /** What is wrong with it. */
  message: string;
}

/**
 * Untrusted data (a stored JSON file, a request) failed validation. `issues` names each bad field.
 *
 * @example
 * ```ts
 * throw new ValidationError('config', [{ path: ['version'], message: 'expected 1' }]);
 * ```
 */
export class ValidationError extends KluisError {
  constructor(
    /** What was being validated. */
    readonly what: string,
    /** Each problem with its field path. */
    readonly issues: ValidationIssue[],
    code: ErrorCode = 'INVALID_DATA',
  ) {
    super(
      code,
      `invalid ${what}: ${issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ')}`,
    );
    this.name = 'ValidationError';
  }
}

/**
 * Throws `ABORTED` if the signal has fired. Call at the top of every long step.
 *
 * @example
 * ```ts
 * throwIfAborted(signal);
 * ```
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new KluisError('ABORTED', 'operation aborted', { cause: signal.reason });
  }
}
