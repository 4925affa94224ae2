/**
 * The shared engine: PostgreSQL through node-postgres, with a pool of connections.
 *
 * The contract is the SQLite engine's, kept on a server several Jeff processes share:
 * - `?` placeholders become `$1…$n` (outside strings, quoted names and comments);
 * - integers read back as the contract says (a `number` when exact, else a `bigint`), bytes as
 *   Buffers, booleans as 1/0 as SQLite gives them;
 * - a transaction runs on one pooled connection at SERIALIZABLE, so `work` sees the database as if
 *   it ran alone, as it does on SQLite; when PostgreSQL aborts it for a conflict with a concurrent
 *   transaction (a serialisation failure or a deadlock), `work` runs again from the start on fresh
 *   data, a few times before the conflict is reported as `StoreBusyError`;
 * - a failed statement dooms its transaction (PostgreSQL's own rule, which the contract adopted);
 * - migrations run under an advisory lock, so nodes starting together apply each one once.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { Channels, checkChannel } from "./channels.js";
import { applyMigrations } from "./migrate.js";
import { checkParam, integerValue } from "./sql-values.js";
import type { Migration, SqlExecutor, SqlValue, Statement, Store, TransactionOptions } from "./store.js";
import {
  StoreBusyError,
  StoreClosedError,
  StoreConflictError,
  StoreConstraintError,
  StoreError,
  StoreMisuseError,
  StoreQueryError,
} from "./store-errors.js";
import { runCommitted, TransactionHandle, type TransactionStatements } from "./transaction-handle.js";

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`, as libpq and node-postgres read it. */
  readonly url: string;
  readonly migrations: readonly Migration[];
  /** Connections in the pool; default 10, at least 2 (migrations hold one for their lock). */
  readonly poolSize?: number;
  /** As `SqliteStoreOptions.guardNesting`. */
  readonly guardNesting?: boolean;
}

export const defaultPoolSize = 10;
/**
 * How many times a transaction runs in all before a conflict is reported instead of retried: many,
 * since under load (several writers on one table) serializable transactions lose often.
 */
const transactionAttempts = 50;
/** The longest random wait between two runs of a transaction, in ms. */
const retryWaitCapMs = 50;
/** The advisory lock migrations hold: any fixed number, the same on every node ("jeff" in ASCII). */
const migrationLockKey = 0x6a656666;

type Row = Record<string, unknown>;

/** Opens a pool on `url`, checks it can reach the database, and brings its schema up to date. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const poolSize = options.poolSize ?? defaultPoolSize;
  if (!Number.isSafeInteger(poolSize) || poolSize < 2) {
    throw new StoreMisuseError(`the PostgreSQL pool needs at least 2 connections, not ${poolSize}`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: poolSize,
    types: { getTypeParser: typeParser },
    // Connections that sit idle are closed after a while; a new one opens on demand.
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
  });
  // A pooled connection the server drops while idle reports here; the next query opens a new one.
  pool.on("error", () => undefined);
  const store = new PostgresStore(pool, options.url, options.guardNesting === true);
  try {
    const lock = await pool.connect().catch((error: unknown) => {
      throw unreachable(options.url, error);
    });
    try {
      await refuseLocaleOrder(lock, options.url);
      await lock.query("SELECT pg_advisory_lock($1)", [migrationLockKey]);
      await applyMigrations(store, options.migrations);
    } finally {
      await lock.query("SELECT pg_advisory_unlock($1)", [migrationLockKey]).catch(() => undefined);
      lock.release();
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * Jeff orders names and ids byte by byte, as SQLite does (list orders, page tokens); a database
 * whose default collation follows a language's rules would order them otherwise. Refused, with the
 * statement that makes a fitting one.
 */
async function refuseLocaleOrder(client: pg.PoolClient, url: string): Promise<void> {
  const { rows } = await client.query<{ collation: string }>(
    "SELECT datcollate AS collation FROM pg_database WHERE datname = current_database()",
  );
  const collation = rows[0]?.collation ?? "C";
  if (/^(C|POSIX|C\.UTF-?8|ucs_basic)$/i.test(collation)) return;
  throw new StoreQueryError(
    `the database at ${describePostgresUrl(url)} sorts text by the rules of ${collation}; Jeff needs byte order: ` +
      "create its database with CREATE DATABASE name TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'",
    undefined,
  );
}

/** Whether a Jeff has made its store at `url` (its migrations table exists); creates nothing. */
export async function postgresStoreExists(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw unreachable(url, error);
  }
  try {
    const { rows } = await client.query<{ found: string | null }>(
      "SELECT to_regclass('jeff_migrations')::text AS found",
    );
    return rows[0]?.found !== null && rows[0]?.found !== undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The database's address without its password, for messages. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const database = parsed.pathname.replace(/^\//, "") || parsed.username || "(default)";
    return `${parsed.hostname || "localhost"}:${parsed.port || "5432"}/${decodeURIComponent(database)}`;
  } catch {
    return "the configured PostgreSQL";
  }
}

/** The one line that says why a database could not be opened. */
function unreachable(url: string, error: unknown): StoreError {
  const where = describePostgresUrl(url);
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const reason =
    code === "ECONNREFUSED"
      ? "nothing accepts connections there"
      : code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? "its host name does not resolve"
        : code === "28P01" || code === "28000"
          ? `it refused the credentials (${message})`
          : code === "3D000"
            ? message
            : message;
  return new StoreQueryError(`cannot open the store on PostgreSQL at ${where}: ${reason}`, undefined, {
    cause: error,
  });
}

class PostgresStore implements Store {
  readonly dialect = "postgres";
  readonly #pool: pg.Pool;
  readonly #context: AsyncLocalStorage<TransactionHandle> | undefined;
  /** Calls and transactions under way, which close waits for. */
  readonly #busy = new Set<Promise<unknown>>();
  #closed: StoreClosedError | undefined;
  /** Statements outside a transaction that wrote, and transactions ended (Store.writeStamp). */
  #writes = 0;
  /** The last batch written behind, which the next one waits for. */
  #behind: Promise<unknown> = Promise.resolve();

  readonly #url: string;
  /** Signs this store's notices, so that its own listener can tell them from the others'. */
  readonly #id = randomUUID();
  readonly #channels = new Channels();
  /** Channels notified since the last notice went out: notices in one turn of the loop are one. */
  readonly #noticesDue = new Set<string>();
  /** The connection that LISTENs, made at the first subscribe (and again if it is lost). */
  #listener: Promise<pg.Client> | undefined;
  /** Settles once every LISTEN asked for so far has run (or failed). */
  #listening: Promise<void> = Promise.resolve();

  constructor(pool: pg.Pool, url: string, guardNesting: boolean) {
    this.#pool = pool;
    this.#url = url;
    this.#context = guardNesting ? new AsyncLocalStorage<TransactionHandle>() : undefined;
  }

  get writeStamp(): number {
    return this.#writes;
  }

  all<R>(sql: string, params?: readonly SqlValue[]): Promise<R[]> {
    return this.#call("all", async () => (await this.#counted(sql, params)).rows as R[]);
  }

  get<R>(sql: string, params?: readonly SqlValue[]): Promise<R | undefined> {
    return this.#call("get", async () => (await this.#counted(sql, params)).rows[0] as R | undefined);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.#call("run", async () => ({ changes: (await this.#counted(sql, params)).rowCount ?? 0 }));
  }

  /** A statement on its own (autocommitted): counted in writeStamp unless it only read, or failed. */
  async #counted(sql: string, params: readonly SqlValue[] | undefined): Promise<pg.QueryResult<Row>> {
    try {
      const result = await query(this.#pool, sql, params);
      // A data-modifying WITH under a SELECT reports SELECT: counted too.
      if (result.command !== "SELECT" || /^\s*with\b/i.test(sql)) this.#writes++;
      return result;
    } catch (error) {
      // A failed statement may still have been committed (a connection lost after its COMMIT).
      this.#writes++;
      throw error;
    }
  }

  async exec(script: string): Promise<void> {
    this.#refuseFromOwnTransaction("exec");
    await this.transaction((tx) => tx.exec(script));
  }

  writeBehind(statements: readonly Statement[]): Promise<void> {
    // The inserts run on the server; the event loop only sends them.
    try {
      for (const { params } of statements) params?.forEach(checkParam);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#call("writeBehind", () => {
      // Each batch after the one before, so they commit in the order handed over.
      const written = this.#behind.then(() =>
        this.#retrying(
          async (tx) => {
            for (const { sql, params } of statements) await tx.run(sql, params);
          },
          true,
          true,
        ),
      );
      this.#behind = written.catch(() => undefined);
      return written;
    });
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.#call("transaction", () => this.#retrying(work, options?.serializable !== false));
  }

  /** NOTIFY through the pool, signed with this store's id so that its own listener lets it pass. */
  notify(channel: string): void {
    checkChannel(channel);
    if (this.#closed || this.#noticesDue.has(channel)) return;
    this.#noticesDue.add(channel);
    setImmediate(() => {
      this.#noticesDue.delete(channel);
      // After this store's own LISTENs are in place, so its subscribers hear what it sends.
      void this.#listening.then(() => {
        if (this.#closed) return;
        this.#pool.query("SELECT pg_notify($1, $2)", [channel, this.#id]).catch(() => undefined);
      });
    });
  }

  /** The store's statements commit as they run: at once (refused from inside its own transaction). */
  afterCommit(callback: () => void): void {
    this.#refuseFromOwnTransaction("afterCommit");
    runCommitted([callback]);
  }

  subscribe(channel: string, listener: () => void): () => void {
    if (this.#channels.add(channel, listener)) {
      const listened = this.#listen(channel);
      this.#listening = Promise.all([this.#listening, listened]).then(() => undefined);
    }
    return () => this.#channels.remove(channel, listener);
  }

  async close(): Promise<void> {
    this.#refuseFromOwnTransaction("close");
    if (this.#closed) return;
    this.#closed = new StoreClosedError();
    await Promise.allSettled(this.#busy);
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.then((client) => client.end()).catch(() => undefined);
    await this.#pool.end();
  }

  async #listen(channel: string): Promise<void> {
    try {
      await (await this.#listeningClient()).query(`LISTEN ${channel}`);
    } catch {
      // The connection failed (or was lost, and #relisten takes over): try this channel again.
      if (!this.#closed) setTimeout(() => void this.#listen(channel), 1_000).unref();
    }
  }

  #listeningClient(): Promise<pg.Client> {
    this.#listener ??= (async () => {
      const client = new pg.Client({ connectionString: this.#url });
      client.on("notification", (message) => {
        if (message.payload !== this.#id) this.#channels.deliver(message.channel);
      });
      client.on("error", () => this.#relisten(client));
      client.on("end", () => this.#relisten(client));
      await client.connect();
      return client;
    })();
    const made = this.#listener;
    made.catch(() => {
      if (this.#listener === made) this.#listener = undefined;
    });
    return made;
  }

  /** A lost listening connection is made again a second later; notices meanwhile are missed (hints). */
  #relisten(lost: pg.Client): void {
    const current = this.#listener;
    if (this.#closed || current === undefined) return;
    void current.then(
      (client) => {
        if (client !== lost) return;
        this.#listener = undefined;
        setTimeout(() => {
          if (!this.#closed) for (const channel of this.#channels.names) void this.#listen(channel);
        }, 1_000).unref();
      },
      () => {
        this.#listener = undefined;
      },
    );
  }

  /** Runs `work` in a transaction, again from the start when it lost a conflict. */
  async #retrying<T>(work: (tx: SqlExecutor) => Promise<T>, serializable = true, behind = false): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(work, serializable, behind);
      if ("value" in outcome) return outcome.value;
      if (!isConflict(outcome.error) || attempt >= transactionAttempts) throw outcome.error;
      // Both sides of a conflict retrying at once would collide again: wait a little, at random.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.random() * Math.min(2 ** attempt, retryWaitCapMs)),
      );
    }
  }

  /** One run of `work` in a transaction of its own, committed or rolled back. */
  async #attempt<T>(
    work: (tx: SqlExecutor) => Promise<T>,
    serializable: boolean,
    behind = false,
  ): Promise<{ value: T } | { error: unknown }> {
    try {
      return await this.#attemptOnce(work, serializable);
    } finally {
      if (!behind) this.#writes++;
    }
  }

  async #attemptOnce<T>(
    work: (tx: SqlExecutor) => Promise<T>,
    serializable: boolean,
  ): Promise<{ value: T } | { error: unknown }> {
    const client = await this.#pool.connect().catch((error: unknown) => {
      throw fromPostgresError(error, undefined);
    });
    let discard = false;
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${serializable ? "SERIALIZABLE" : "READ COMMITTED"}`);
      const tx = new TransactionHandle(statementsOn(client));
      let value: T;
      try {
        value = await (this.#context ? this.#context.run(tx, () => work(tx)) : work(tx));
      } catch (error) {
        tx.end();
        discard = !(await rollback(client));
        // A conflict that doomed the transaction is the reason, whatever `work` threw after it.
        return { error: tx.failure && isConflict(tx.failure) ? tx.failure : error };
      }
      tx.end();
      const doomed = tx.doomedError();
      if (doomed) {
        discard = !(await rollback(client));
        return { error: tx.failure && isConflict(tx.failure) ? tx.failure : doomed };
      }
      try {
        await client.query("COMMIT");
      } catch (error) {
        discard = !(await rollback(client));
        return { error: fromPostgresError(error, "COMMIT") };
      }
      tx.committed();
      return { value };
    } catch (error) {
      discard = true;
      throw fromPostgresError(error, undefined);
    } finally {
      client.release(discard);
    }
  }

  /** Runs a call unless the store is closed, and lets close wait for it. */
  #call<T>(method: string, call: () => Promise<T>): Promise<T> {
    try {
      this.#refuseFromOwnTransaction(method);
      if (this.#closed) throw this.#closed;
    } catch (error) {
      return Promise.reject(error);
    }
    const running = call();
    this.#busy.add(running);
    const forget = () => this.#busy.delete(running);
    running.then(forget, forget);
    return running;
  }

  #refuseFromOwnTransaction(method: string): void {
    if (this.#context?.getStore()?.isOpen) {
      throw new StoreMisuseError(
        `store.${method}() was called inside a transaction on the same store; ` +
          "use the transaction's own handle (tx) instead, since the store waits for the transaction to end",
      );
    }
  }
}

/** True when it rolled back; false when the connection is no longer fit to reuse. */
async function rollback(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query("ROLLBACK");
    return true;
  } catch {
    return false;
  }
}

function statementsOn(client: pg.PoolClient): TransactionStatements {
  return {
    all: async (sql, params) => (await query(client, sql, params)).rows,
    get: async (sql, params) => (await query(client, sql, params)).rows[0],
    run: async (sql, params) => ({ changes: (await query(client, sql, params)).rowCount ?? 0 }),
    exec: async (script) => {
      try {
        await client.query(script);
      } catch (error) {
        throw fromPostgresError(error, script);
      }
    },
  };
}

async function query(
  on: pg.Pool | pg.PoolClient,
  sql: string,
  params: readonly SqlValue[] | undefined,
): Promise<pg.QueryResult<Row>> {
  const values = bindable(params);
  try {
    return await on.query<Row>(numbered(sql), values);
  } catch (error) {
    throw fromPostgresError(error, sql);
  }
}

function bindable(params: readonly SqlValue[] | undefined): unknown[] {
  if (params === undefined) return [];
  const values: unknown[] = new Array(params.length);
  for (let index = 0; index < params.length; index++) {
    const value = params[index];
    checkParam(value, index);
    values[index] =
      typeof value === "bigint"
        ? value.toString()
        : value instanceof Uint8Array && !Buffer.isBuffer(value)
          ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
          : value;
  }
  return values;
}

const numberedCache = new Map<string, string>();

/** `?` → `$1…$n`, leaving alone what sits in strings, quoted names, dollar quotes and comments. */
export function numbered(sql: string): string {
  const known = numberedCache.get(sql);
  if (known !== undefined) return known;
  let out = "";
  let n = 0;
  let index = 0;
  while (index < sql.length) {
    const char = sql[index]!;
    const next = sql[index + 1];
    let end = index + 1;
    if (char === "'" || char === '"') {
      end = sql.indexOf(char, index + 1);
      // A doubled quote inside continues the literal.
      while (end !== -1 && sql[end + 1] === char) end = sql.indexOf(char, end + 2);
      end = end === -1 ? sql.length : end + 1;
    } else if (char === "-" && next === "-") {
      end = sql.indexOf("\n", index);
      end = end === -1 ? sql.length : end + 1;
    } else if (char === "/" && next === "*") {
      end = sql.indexOf("*/", index + 2);
      end = end === -1 ? sql.length : end + 2;
    } else if (char === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(index))?.[0];
      if (tag !== undefined) {
        end = sql.indexOf(tag, index + tag.length);
        end = end === -1 ? sql.length : end + tag.length;
      }
    } else if (char === "?") {
      out += `$${++n}`;
      index++;
      continue;
    }
    out += sql.slice(index, end);
    index = end;
  }
  if (numberedCache.size >= 1000) numberedCache.clear();
  numberedCache.set(sql, out);
  return out;
}

/** Reads columns as the contract says: exact integers, booleans as 1/0, the rest as node-postgres does. */
function typeParser(oid: number, format?: string): (value: string) => unknown {
  switch (oid) {
    case pg.types.builtins.INT8:
      return (value) => integerValue(BigInt(value));
    case pg.types.builtins.NUMERIC:
      // SUM and AVG of integers answer NUMERIC: whole values read as integers, as on SQLite.
      return (value) => (/^-?\d+$/.test(value) ? integerValue(BigInt(value)) : Number(value));
    case pg.types.builtins.BOOL:
      return (value) => (value === "t" ? 1 : 0);
    default:
      return pg.types.getTypeParser(oid, format as "text") as (value: string) => unknown;
  }
}

/** PostgreSQL's SQLSTATE codes for a transaction that lost to a concurrent one. */
const conflictCodes = new Set(["40001", "40P01"]);

function isConflict(error: unknown): boolean {
  return error instanceof StoreBusyError && conflictCodes.has((error.cause as { code?: string })?.code ?? "");
}

/** Turns node-postgres's errors into the store's own. */
export function fromPostgresError(error: unknown, sql: string | undefined): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof pg.DatabaseError)) return new StoreQueryError(message, sql, { cause: error });
  const code = error.code ?? "";
  switch (code) {
    case "23505":
      return new StoreConflictError(error.constraint ?? message, error.table, { cause: error });
    case "23502":
      return new StoreConstraintError("not-null", message, { cause: error });
    case "23503":
      return new StoreConstraintError("foreign-key", message, { cause: error });
    case "23514":
      return new StoreConstraintError("check", message, { cause: error });
  }
  if (code.startsWith("23")) return new StoreConstraintError("other", message, { cause: error });
  if (conflictCodes.has(code) || code === "55P03" || code === "53300") {
    return new StoreBusyError(`the database is busy: ${message}`, { cause: error });
  }
  return new StoreQueryError(message, sql, { cause: error });
}
