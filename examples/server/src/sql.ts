/**
 * The one thing the server's stores need from a database: statements with `?` placeholders, and
 * transactions. Two engines implement it: SQLite (`db.ts`, the default, one machine) and
 * PostgreSQL (`db-postgres.ts`, several server nodes). The stores (accounts, grants, quota,
 * lockout, retention times) are written once in the SQL both accept, so every rule is enforced the
 * same way on both engines; where the two differ, {@link Sql.dialect} says which is in use.
 *
 * Guarantees both engines give: a statement is atomic; {@link Sql.transaction} runs its function
 * as one serialisable unit with respect to other transactions that lock the same rows with
 * {@link Sql.forUpdate} (SQLite: the whole database, `BEGIN IMMEDIATE`; PostgreSQL: the selected
 * rows, `SELECT … FOR UPDATE`), and rolls back if the function throws.
 */
export interface Sql {
  /** Which engine: SQL differences (`FOR UPDATE`, upserts) are written for both. */
  readonly dialect: 'sqlite' | 'postgres';
  /** `' FOR UPDATE'` on PostgreSQL, `''` on SQLite (whose transactions lock the whole database). */
  readonly forUpdate: string;
  /** Every row of a query. */
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** The first row of a query, or `undefined`. */
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a statement; `changes` is the number of rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
  /** Runs `fn` in one transaction on one connection (`tx`), committed if it returns. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Closes the connection (pool). */
  close(): Promise<void>;
}

/**
 * True for a `database` setting that names a PostgreSQL server rather than an SQLite file.
 *
 * @example
 * ```ts
 * isPostgresUrl('postgres://kluis@db.internal/kluis'); // true
 * ```
 */
export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}
