/**
 * The store's errors, the same for every engine, so a caller turns them into AWS errors
 * (`ResourceConflictException`, `ThrottlingException`, …) without knowing what sits underneath.
 * Each has a stable `code`; the engine's own error, when there is one, is the `cause`.
 */

export type StoreErrorCode =
  | "JEFF_STORE_CONFLICT"
  | "JEFF_STORE_CONSTRAINT"
  | "JEFF_STORE_BUSY"
  | "JEFF_STORE_QUERY"
  | "JEFF_STORE_MISUSE"
  | "JEFF_STORE_CLOSED"
  | "JEFF_STORE_MIGRATION";

export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode;
  /** True when the same call may succeed if made again a little later. */
  readonly retryable: boolean = false;
}

/**
 * A row would duplicate another on a primary key or unique constraint; nothing was written.
 * `constraint` and `table` describe it in the engine's own words (SQLite: `items.name`;
 * PostgreSQL: `items_name_key`): good for messages and logs, not for branching on.
 */
export class StoreConflictError extends StoreError {
  override readonly name = "StoreConflictError";
  readonly code = "JEFF_STORE_CONFLICT";
  readonly constraint: string;
  readonly table: string | undefined;

  constructor(constraint: string, table: string | undefined, options?: ErrorOptions) {
    super(`unique constraint violated: ${constraint}`, options);
    this.constraint = constraint;
    this.table = table;
  }
}

export type ConstraintKind = "not-null" | "foreign-key" | "check" | "other";

/** A row broke a NOT NULL, foreign-key or CHECK constraint; nothing was written. */
export class StoreConstraintError extends StoreError {
  override readonly name = "StoreConstraintError";
  readonly code = "JEFF_STORE_CONSTRAINT";
  readonly kind: ConstraintKind;

  constructor(kind: ConstraintKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

/** Another connection held the lock for longer than the store waits; try again later. */
export class StoreBusyError extends StoreError {
  override readonly name = "StoreBusyError";
  readonly code = "JEFF_STORE_BUSY";
  override readonly retryable = true;
}

/**
 * The engine rejected or failed a statement for any other reason (bad SQL, a missing table, a
 * full disk). `sql` is the statement, for logs; never show it to an API caller.
 */
export class StoreQueryError extends StoreError {
  override readonly name = "StoreQueryError";
  readonly code = "JEFF_STORE_QUERY";
  readonly sql: string | undefined;

  constructor(message: string, sql: string | undefined, options?: ErrorOptions) {
    super(message, options);
    this.sql = sql;
  }
}

/** The store was called in a way that can never work: a bug in the caller, not a state of the data. */
export class StoreMisuseError extends StoreError {
  override readonly name = "StoreMisuseError";
  readonly code = "JEFF_STORE_MISUSE";
}

export class StoreClosedError extends StoreError {
  override readonly name = "StoreClosedError";
  readonly code = "JEFF_STORE_CLOSED";

  constructor(message = "the store is closed", options?: ErrorOptions) {
    super(message, options);
  }
}

/** The schema cannot be brought up to date; the store did not open. */
export class StoreMigrationError extends StoreError {
  override readonly name = "StoreMigrationError";
  readonly code = "JEFF_STORE_MIGRATION";
  /** The migration the trouble is about, when it is about one. */
  readonly migrationId: number | undefined;

  constructor(message: string, migrationId?: number, options?: ErrorOptions) {
    super(message, options);
    this.migrationId = migrationId;
  }
}
