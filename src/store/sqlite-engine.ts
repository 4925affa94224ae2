/**
 * The embedded engine: one better-sqlite3 connection in WAL mode.
 *
 * better-sqlite3 is synchronous and the store is async, so one connection serves every caller in
 * turn: a transaction holds the turn (a `TurnQueue`) from `BEGIN IMMEDIATE` until its `work` has
 * settled and it has committed or rolled back, and every other call waits in line meanwhile. No
 * statement from outside can land inside someone else's transaction.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { closeSync, constants, openSync } from "node:fs";
import Database from "better-sqlite3";
import { Channels, checkChannel } from "./channels.js";
import { applyMigrations } from "./migrate.js";
import { fromSqliteError } from "./sqlite-errors.js";
import { SqliteStatements } from "./sqlite-statements.js";
import { SqliteWriter } from "./sqlite-writer.js";
import type { Migration, SqlExecutor, SqlValue, Statement, Store, TransactionOptions } from "./store.js";
import { StoreClosedError, StoreMisuseError, StoreQueryError } from "./store-errors.js";
import { runCommitted, TransactionHandle } from "./transaction-handle.js";
import { TurnQueue } from "./turn-queue.js";

export type SqliteSynchronous = "full" | "normal";

export interface SqliteStoreOptions {
  /**
   * The database file; created when missing, readable and writable by its owner only (0600). SQLite
   * gives its `-wal` and `-shm` files the database file's mode, so they are 0600 too.
   */
  readonly filename: string;
  readonly migrations: readonly Migration[];
  /**
   * `full` (the default): a commit is on disk before it is acknowledged, even across a power loss.
   * `normal`: faster; a process crash still loses nothing, but a power loss may lose the last commits.
   */
  readonly synchronous?: SqliteSynchronous;
  /**
   * How long a statement waits for another connection's write lock before `StoreBusyError`.
   * better-sqlite3 blocks the event loop while it waits. Default 5000.
   */
  readonly busyTimeoutMs?: number;
  /**
   * Refuse calls on the store from inside its own transaction's `work` (they would wait forever)
   * instead of hanging. It needs AsyncLocalStorage, which on Node 20 puts a hook on every promise
   * in the process, so it is for tests and debugging; default off.
   */
  readonly guardNesting?: boolean;
}

const defaultBusyTimeoutMs = 5000;

/** Opens (creating if need be) a SQLite store and brings its schema up to date. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const db = openDatabase(options);
  // A file has a second connection for writes behind; a database in memory exists only on this one.
  const writer = db.memory
    ? undefined
    : new SqliteWriter(
        options.filename,
        options.busyTimeoutMs ?? defaultBusyTimeoutMs,
        options.synchronous ?? "full",
      );
  const store = new SqliteStore(db, options.guardNesting === true, writer);
  try {
    await applyMigrations(store, options.migrations);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function openDatabase(options: SqliteStoreOptions): Database.Database {
  const synchronous = options.synchronous ?? "full";
  if (synchronous !== "full" && synchronous !== "normal") {
    throw new StoreMisuseError(`synchronous must be "full" or "normal", not ${JSON.stringify(synchronous)}`);
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? defaultBusyTimeoutMs;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new StoreMisuseError(`busyTimeoutMs must be a whole number of milliseconds, not ${busyTimeoutMs}`);
  }
  let db: Database.Database | undefined;
  try {
    createPrivately(options.filename);
    db = new Database(options.filename, { timeout: busyTimeoutMs });
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    const journalMode: unknown = db.pragma("journal_mode = WAL", { simple: true });
    if (journalMode !== "wal" && !db.memory) {
      throw new StoreQueryError(
        `${options.filename} refused WAL mode (journal_mode is ${journalMode})`,
        undefined,
      );
    }
    db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    db.pragma("foreign_keys = ON");
    // Every integer reads as a bigint; SqliteStatements turns the safe ones back into numbers.
    db.defaultSafeIntegers(true);
    return db;
  } catch (error) {
    db?.close();
    throw fromSqliteError(error, undefined);
  }
}

/**
 * Creates the database file with mode 0600 before SQLite opens it: SQLite would create it 0644
 * (less the umask), readable by every user of the machine. An existing file keeps its mode.
 */
function createPrivately(filename: string): void {
  if (filename === "" || filename === ":memory:" || filename.startsWith("file:")) return;
  try {
    closeSync(openSync(filename, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

/** Open stores by database file, so that a notice reaches the others on the same file. */
const storesOnFile = new Map<string, Set<SqliteStore>>();

class SqliteStore implements Store {
  readonly dialect = "sqlite";
  readonly #db: Database.Database;
  readonly #statements: SqliteStatements;
  readonly #turns = new TurnQueue();
  readonly #writer: SqliteWriter | undefined;
  readonly #channels = new Channels();
  /** The open stores on the same file in this process, this one included. */
  readonly #neighbours: Set<SqliteStore> | undefined;
  /** Channels notified since the last delivery: notices in one turn of the loop are one. */
  readonly #noticesDue = new Set<string>();
  /** With `guardNesting`: the transaction whose `work` the current async context belongs to. */
  readonly #context: AsyncLocalStorage<TransactionHandle> | undefined;
  #closed: StoreClosedError | undefined;
  /** Transactions ended (Store.writeStamp, with the statements' writes). */
  #ended = 0;

  constructor(db: Database.Database, guardNesting: boolean, writer: SqliteWriter | undefined) {
    this.#db = db;
    this.#writer = writer;
    if (!db.memory) {
      this.#neighbours = storesOnFile.get(db.name) ?? new Set();
      storesOnFile.set(db.name, this.#neighbours);
      this.#neighbours.add(this);
    }
    this.#statements = new SqliteStatements(db);
    this.#context = guardNesting ? new AsyncLocalStorage<TransactionHandle>() : undefined;
  }

  get writeStamp(): number {
    return this.#ended + this.#statements.writes;
  }

  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    return this.#inTurn("all", () => this.#statements.all(sql, params) as Row[]);
  }

  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    return this.#inTurn("get", () => this.#statements.get(sql, params) as Row | undefined);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.#inTurn("run", () => this.#statements.run(sql, params));
  }

  async exec(script: string): Promise<void> {
    this.#refuseFromOwnTransaction("exec");
    await this.transaction((tx) => tx.exec(script));
  }

  /** Serializable whatever the options say: one transaction runs at a time. */
  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, _options?: TransactionOptions): Promise<T> {
    this.#refuseFromOwnTransaction("transaction");
    await this.#turns.take();
    try {
      this.#refuseWhenClosed();
      this.#control("BEGIN IMMEDIATE");
      const tx = new TransactionHandle({
        all: (sql, params) => this.#statements.all(sql, params),
        get: (sql, params) => this.#statements.get(sql, params),
        run: (sql, params) => this.#statements.run(sql, params),
        exec: (script) => this.#statements.exec(script),
      });
      let result: T;
      try {
        result = await (this.#context ? this.#context.run(tx, () => work(tx)) : work(tx));
      } catch (error) {
        tx.end();
        this.#rollback();
        throw error;
      }
      tx.end();
      const doomed = tx.doomedError();
      if (doomed) {
        this.#rollback();
        throw doomed;
      }
      if (!this.#db.inTransaction) {
        throw new StoreMisuseError(
          "a statement inside the transaction ended it (COMMIT or ROLLBACK in the SQL)",
        );
      }
      try {
        this.#control("COMMIT");
      } catch (error) {
        if (this.#db.inTransaction) this.#rollback();
        throw error;
      }
      tx.committed();
      return result;
    } finally {
      this.#ended++;
      this.#turns.give();
    }
  }

  /** One process per file: a notice goes to the other store objects on this file, in this process. */
  notify(channel: string): void {
    checkChannel(channel);
    for (const other of this.#neighbours ?? []) if (other !== this) other.#hear(channel);
  }

  #hear(channel: string): void {
    if (this.#closed || this.#noticesDue.has(channel)) return;
    this.#noticesDue.add(channel);
    setImmediate(() => {
      this.#noticesDue.delete(channel);
      this.#channels.deliver(channel);
    });
  }

  /** The store's statements commit as they run: at once (refused from inside its own transaction). */
  afterCommit(callback: () => void): void {
    this.#refuseFromOwnTransaction("afterCommit");
    runCommitted([callback]);
  }

  subscribe(channel: string, listener: () => void): () => void {
    this.#channels.add(channel, listener);
    return () => this.#channels.remove(channel, listener);
  }

  writeBehind(statements: readonly Statement[]): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (this.#writer) return this.#writer.write(statements);
    return this.transaction(async (tx) => {
      for (const { sql, params } of statements) await tx.run(sql, params);
    });
  }

  async close(): Promise<void> {
    this.#refuseFromOwnTransaction("close");
    if (this.#closed) return;
    await this.#writer?.close();
    await this.#turns.take();
    try {
      if (!this.#closed) this.#shut(new StoreClosedError());
    } finally {
      this.#turns.give();
    }
  }

  /** Runs a single statement now if no one holds the turn, else after everyone already waiting. */
  #inTurn<T>(method: string, statement: () => T): Promise<T> {
    try {
      this.#refuseFromOwnTransaction(method);
      if (this.#turns.isFree) {
        this.#refuseWhenClosed();
        return Promise.resolve(statement());
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#afterTurn(statement);
  }

  async #afterTurn<T>(statement: () => T): Promise<T> {
    await this.#turns.take();
    try {
      this.#refuseWhenClosed();
      return statement();
    } finally {
      this.#turns.give();
    }
  }

  /** Calling the store from inside its own transaction's `work` would wait for itself forever. */
  #refuseFromOwnTransaction(method: string): void {
    if (this.#context?.getStore()?.isOpen) {
      throw new StoreMisuseError(
        `store.${method}() was called inside a transaction on the same store; ` +
          "use the transaction's own handle (tx) instead, since the store waits for the transaction to end",
      );
    }
  }

  #refuseWhenClosed(): void {
    if (this.#closed) throw this.#closed;
  }

  #control(sql: "BEGIN IMMEDIATE" | "COMMIT" | "ROLLBACK"): void {
    try {
      this.#db.exec(sql);
    } catch (error) {
      throw fromSqliteError(error, sql);
    }
  }

  /**
   * A transaction that cannot be rolled back must not stay open for the next caller to commit by
   * accident: the connection is closed instead (which discards it) and the store refuses all further
   * calls. Never throws, so the error that caused the rollback is the one the caller sees.
   */
  #rollback(): void {
    if (!this.#db.inTransaction) return; // SQLite already rolled back (e.g. after SQLITE_FULL).
    try {
      this.#control("ROLLBACK");
    } catch (error) {
      this.#shut(new StoreClosedError("the store closed itself after a rollback failed", { cause: error }));
    }
  }

  #shut(reason: StoreClosedError): void {
    this.#closed = reason;
    this.#neighbours?.delete(this);
    if (this.#neighbours?.size === 0) storesOnFile.delete(this.#db.name);
    this.#statements.clear();
    this.#db.close();
  }
}
