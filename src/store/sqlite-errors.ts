/** Turns better-sqlite3's errors into the store's own, so nothing above the engine sees SQLite codes. */
import Database from "better-sqlite3";
import {
  StoreBusyError,
  StoreConflictError,
  StoreConstraintError,
  StoreError,
  StoreQueryError,
} from "./store-errors.js";

export function fromSqliteError(error: unknown, sql: string | undefined): StoreError {
  if (error instanceof StoreError) return error;
  if (!(error instanceof Database.SqliteError)) {
    // better-sqlite3 throws plain TypeError/RangeError for misshapen statements, e.g. a wrong
    // number of parameters or two statements where one was expected.
    const message = error instanceof Error ? error.message : String(error);
    return new StoreQueryError(message, sql, { cause: error });
  }
  const code = error.code;
  switch (code) {
    case "SQLITE_CONSTRAINT_UNIQUE":
    case "SQLITE_CONSTRAINT_PRIMARYKEY": {
      // "UNIQUE constraint failed: items.name" or "…: items.a, items.b" or "…: index 'ix'"
      const constraint = error.message.replace(/^UNIQUE constraint failed: /, "");
      const table = /^([^.\s']+)\./.exec(constraint)?.[1];
      return new StoreConflictError(constraint, table, { cause: error });
    }
    case "SQLITE_CONSTRAINT_NOTNULL":
      return new StoreConstraintError("not-null", error.message, { cause: error });
    case "SQLITE_CONSTRAINT_FOREIGNKEY":
      return new StoreConstraintError("foreign-key", error.message, { cause: error });
    case "SQLITE_CONSTRAINT_CHECK":
      return new StoreConstraintError("check", error.message, { cause: error });
  }
  if (code.startsWith("SQLITE_CONSTRAINT")) {
    return new StoreConstraintError("other", error.message, { cause: error });
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new StoreBusyError(`the database is busy: ${error.message}`, { cause: error });
  }
  return new StoreQueryError(error.message, sql, { cause: error });
}
