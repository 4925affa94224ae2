/**
 * The dialect-neutral store contract. Every durable record in Jeff goes through this interface;
 * callers never learn which engine is underneath.
 *
 * SQL handed to it is written in the portable subset both engines accept, with `?` positional
 * placeholders (an engine that needs `$1` rewrites them). Column types that mean the same on both:
 * `TEXT`, `BIGINT` (64-bit; `INTEGER` is only 32-bit on PostgreSQL), `DOUBLE PRECISION` (`REAL` is
 * only 32-bit on PostgreSQL) and `BYTEA` for bytes (SQLite keeps a blob unchanged under any type).
 */

/**
 * A value that can be bound to a placeholder or read back from a column.
 *
 * Integers read back as `number` when they fit `Number.MAX_SAFE_INTEGER` and as `bigint` beyond it,
 * so no integer is silently rounded; either type may be bound. An integral `number` binds as an
 * integer, any other finite `number` as a float. Bytes read back as a `Uint8Array` (a `Buffer` on
 * Node). Booleans, `undefined`, NaN, ±Infinity and integers outside 64 bits are refused
 * (`StoreMisuseError`): store booleans as 0/1.
 */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** Runs statements; the store itself and a transaction handle both are one. */
export interface SqlExecutor {
  /** Every row the statement returns (none for a statement that returns no rows). */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** The first row, or undefined. */
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** A statement run for its effect; `changes` counts the rows it touched. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /**
   * A script of one or more `;`-separated statements without parameters, such as a migration's
   * schema. On the store itself the script runs in a transaction of its own: all of it or none.
   */
  exec(script: string): Promise<void>;
  /**
   * Calls `callback` once what this executor wrote is committed: in a transaction, after its
   * COMMIT, and never if it rolls back (nor for an attempt PostgreSQL runs again); on the store
   * itself, whose statements commit as they run, at once. For what must not be seen before the
   * data is (a live tap's event, a counter). The callback must not throw; one that does is
   * reported as a warning, since the commit it follows has happened.
   */
  afterCommit(callback: () => void): void;
}

export type StoreDialect = "sqlite" | "postgres";

export interface TransactionOptions {
  /**
   * False for work that stays correct when others commit between its statements because each of
   * its writes is conditional on what it changes (compare-and-set: `UPDATE … WHERE claims = ?`),
   * such as the work queue's claims. PostgreSQL then runs it at READ COMMITTED, where it never has
   * to run again and never makes a serializable transaction run again; SQLite, which runs one
   * transaction at a time, is serializable either way. Default true.
   */
  readonly serializable?: boolean;
}

/** One statement and its parameters, for `Store.writeBehind`. */
export interface Statement {
  readonly sql: string;
  readonly params?: readonly SqlValue[];
}

export interface Store extends SqlExecutor {
  readonly dialect: StoreDialect;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * Transactions are serializable: `work` sees the database as if no other transaction ran
   * meanwhile, and no one sees its half-done changes. SQLite gets there by running one at a time
   * (other statements on the store wait until it ends); PostgreSQL runs them side by side and, when
   * two conflict, rolls one back and **runs its `work` again from the start** — so keep `work` to
   * the store: an effect outside it (a file written, a message sent) could happen twice.
   *
   * Inside `work`, use only `tx`: calling the store itself (a nested `transaction`, `run`, …) throws
   * `StoreMisuseError`, since it would wait for the very transaction that is waiting on it. A
   * statement that fails inside `work` dooms the transaction, as on PostgreSQL: later statements on
   * `tx` throw, and it rolls back even if `work` caught the error. Use `ON CONFLICT` instead of
   * catching a conflict and carrying on.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Runs `statements` in one transaction of their own, away from the caller's work where the engine
   * can: SQLite commits them on a second connection in a worker thread, so their inserts and their
   * sync to disk cost the event loop nothing. For records that may land a few milliseconds after
   * the answer they describe (read-only calls' audit records, invocations' log lines): batches
   * commit in the order given, whole or not at all, and resolve once committed; nothing else waits
   * for them. Parameters follow the `SqlValue` rules, checked before this returns.
   */
  writeBehind(statements: readonly Statement[]): Promise<void>;
  /**
   * Tells the others holding this store — the other nodes on a shared engine (PostgreSQL's NOTIFY),
   * the other store objects on the same file in this process on SQLite — that something on
   * `channel` changed; their `subscribe` listeners run soon after. Never this store's own: its
   * caller knows already. A hint, not a message: best effort, coalesced, carrying nothing, so a
   * listener reads the store to learn what changed. `channel`: lower-case letters, digits and `_`.
   */
  notify(channel: string): void;
  /**
   * A number that grows whenever this store object may have changed what it holds: after each
   * statement that writes and each transaction's end (committed or not). Read it before a read: a
   * copy kept of what the read returned is current, as far as this store object's own writes go,
   * while the number stays the same. Batches written behind need not move it (they carry records
   * of what happened, which no kept copy is made of), and writes through another store object
   * (another node, or another store on the same SQLite file) do not.
   */
  readonly writeStamp: number;
  /** Calls `listener` after each `notify(channel)` by another holder; returns what stops it. */
  subscribe(channel: string, listener: () => void): () => void;
  /** Waits for a pending transaction and every write behind, then closes; later calls throw `StoreClosedError`. */
  close(): Promise<void>;
}

/**
 * One forward-only schema step. Ids are unique and only ever appended within their range of 100
 * (each subsystem owns one: identity 100–199, stacks 200–299, …); ranges are ordered
 * independently of each other. A store that has applied an id this code does not know refuses to
 * open (it was written by a newer Jeff).
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  /**
   * The step: portable SQL, or a function given the transaction and the engine's dialect, for
   * what the engines spell differently (triggers, say).
   */
  readonly up: string | ((tx: SqlExecutor, dialect: StoreDialect) => Promise<void>);
  /**
   * Steps of other ranges this one must follow when both are pending: one that writes into another
   * subsystem's tables needs them made first, whatever the ids say. (Within a range, order is by
   * id.) Ids not in the list being applied constrain nothing.
   */
  readonly after?: readonly number[];
}
