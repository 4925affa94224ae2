/**
 * Runs single statements on one better-sqlite3 connection, synchronously: prepared statements cached
 * by SQL text, parameters checked and bound by the `SqlValue` rules, integers read back exactly,
 * errors turned into store errors.
 */
import type Database from "better-sqlite3";
import { checkParam, integerValue } from "./sql-values.js";
import { fromSqliteError } from "./sqlite-errors.js";
import type { SqlValue } from "./store.js";

/** Enough for every statement Jeff's code spells out; SQL built at run time just cycles through. */
const statementCacheSize = 500;

type Row = Record<string, unknown>;

export class SqliteStatements {
  readonly #db: Database.Database;
  readonly #cache = new Map<string, Database.Statement<unknown[], Row>>();
  /** Statements run that may have written (Store.writeStamp's share of this connection). */
  writes = 0;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  all(sql: string, params: readonly SqlValue[] | undefined): Row[] {
    try {
      const statement = this.#prepare(sql);
      const args = bindable(params);
      if (!statement.readonly) this.writes++;
      if (!statement.reader) {
        statement.run(...args);
        return [];
      }
      const rows = statement.all(...args);
      for (const row of rows) readIntegers(row);
      return rows;
    } catch (error) {
      throw fromSqliteError(error, sql);
    }
  }

  get(sql: string, params: readonly SqlValue[] | undefined): Row | undefined {
    try {
      const statement = this.#prepare(sql);
      const args = bindable(params);
      if (!statement.readonly) this.writes++;
      if (!statement.reader) {
        statement.run(...args);
        return undefined;
      }
      const row = statement.get(...args);
      if (row !== undefined) readIntegers(row);
      return row;
    } catch (error) {
      throw fromSqliteError(error, sql);
    }
  }

  run(sql: string, params: readonly SqlValue[] | undefined): { changes: number } {
    this.writes++;
    try {
      return { changes: this.#prepare(sql).run(...bindable(params)).changes };
    } catch (error) {
      throw fromSqliteError(error, sql);
    }
  }

  /** Runs a parameterless script of one or more statements, in whatever transaction is open. */
  exec(script: string): void {
    this.writes++;
    try {
      this.#db.exec(script);
    } catch (error) {
      throw fromSqliteError(error, script);
    }
  }

  clear(): void {
    this.#cache.clear();
  }

  #prepare(sql: string): Database.Statement<unknown[], Row> {
    let statement = this.#cache.get(sql);
    if (statement) {
      // Re-insert so the Map's order stays least-recently-used first.
      this.#cache.delete(sql);
    } else {
      statement = this.#db.prepare<unknown[], Row>(sql);
      if (this.#cache.size >= statementCacheSize) {
        const oldest = this.#cache.keys().next();
        if (!oldest.done) this.#cache.delete(oldest.value);
      }
    }
    this.#cache.set(sql, statement);
    return statement;
  }
}

/**
 * better-sqlite3 binds every JS number as a float, so `5` would land as `5.0` in a TEXT column and
 * `5 / 2` would be 2.5 where PostgreSQL says 2. Integral numbers therefore bind as integers.
 */
function bindable(params: readonly SqlValue[] | undefined): unknown[] {
  if (params === undefined) return [];
  const args: unknown[] = new Array(params.length);
  for (let index = 0; index < params.length; index++) {
    const value: unknown = params[index];
    checkParam(value, index);
    args[index] = typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value;
  }
  return args;
}

/** The connection reads every integer as a bigint (so none is rounded); the contract wants a number where exact. */
function readIntegers(row: Row): void {
  for (const column in row) {
    const value = row[column];
    if (typeof value === "bigint") row[column] = integerValue(value);
  }
}
