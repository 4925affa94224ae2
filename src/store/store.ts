/**
 * The dialect-neutral store contract. Every durable record in Jeff goes through this interface;
 * callers never learn which engine is underneath.
 *
 * SQL handed to it is written in the portable subset both engines accept, with `?` positional
 * placeholders (an engine that needs `$1` rewrites them).
 */

/** A value that can be bound to a placeholder or read back from a column. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** Runs statements; the store itself and a transaction handle both are one. */
export interface SqlExecutor {
  /** Every row the statement returns. */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** The first row, or undefined. */
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** A statement run for its effect; `changes` counts the rows it touched. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

export type StoreDialect = "sqlite" | "postgres";

export interface Store extends SqlExecutor {
  readonly dialect: StoreDialect;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * Other statements on this store wait until it ends, so `work` sees no one else's half-done changes.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * One forward-only schema step. Ids are unique and only ever appended; a store that has applied
 * an id this code does not know refuses to open (it was written by a newer Jeff).
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly up: string | ((tx: SqlExecutor) => Promise<void>);
}
