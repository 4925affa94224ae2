/**
 * The store: every durable record in Jeff — events, invocations, schedules, executions, identities,
 * the audit trail — goes through one dialect-neutral `Store`. SQLite (better-sqlite3, WAL) is the
 * embedded engine; PostgreSQL joins behind the same contract. Schema changes are forward-only
 * `Migration`s applied when the store opens.
 *
 * The invariant that must never break: **nothing acknowledged is lost, and nothing half-written is
 * visible.** A write whose promise has resolved is on disk (SQLite `synchronous=FULL` by default)
 * and survives a crash; a transaction is seen by others whole or not at all, and one whose `work`
 * throws leaves nothing behind.
 *
 * @module
 */

export { migrationRangeOf } from "./migrate.js";
export {
  type DataDirSources,
  dataDirEnvVar,
  defaultDataDirName,
  type OpenStoreOptions,
  openStore,
  resolveDataDir,
  sqliteFileName,
} from "./open-store.js";
export { describePostgresUrl, openPostgresStore, postgresStoreExists } from "./postgres-engine.js";
export { backupSqliteStore } from "./sqlite-backup.js";
export type { SqliteSynchronous } from "./sqlite-engine.js";
export type {
  Migration,
  SqlExecutor,
  SqlValue,
  Statement,
  Store,
  StoreDialect,
  TransactionOptions,
} from "./store.js";
export {
  type ConstraintKind,
  StoreBusyError,
  StoreClosedError,
  StoreConflictError,
  StoreConstraintError,
  StoreError,
  type StoreErrorCode,
  StoreMigrationError,
  StoreMisuseError,
  StoreQueryError,
} from "./store-errors.js";
