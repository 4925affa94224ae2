/**
 * The SQLite engine's write-behind: a worker thread with its own connection to the same file, which
 * commits batches of statements handed to it in order. The inserts and the sync to disk run on the
 * worker, so a busy event loop (the edge recording every read) pays only for handing the rows over.
 * WAL lets the two connections share the file; a write waits for the other's lock as any second
 * connection's would (the busy timeout).
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { checkParam } from "./sql-values.js";
import type { SqliteSynchronous } from "./sqlite-engine.js";
import { fromSqliteError } from "./sqlite-errors.js";
import type { Statement } from "./store.js";
import { StoreClosedError } from "./store-errors.js";

interface WriterSettings {
  /** Where better-sqlite3 is, resolved here: the worker's program has no module of its own to resolve from. */
  readonly driver: string;
  readonly filename: string;
  readonly busyTimeoutMs: number;
  readonly synchronous: SqliteSynchronous;
}

interface Batch {
  readonly id: number;
  readonly statements: readonly Statement[];
}

interface Reply {
  readonly id: number;
  readonly error?: { readonly message: string; readonly code?: string; readonly sql?: string };
}

/**
 * The worker's whole program. It is handed to the worker as source text (so that it runs the same
 * from the TypeScript sources in tests and from the build), and must therefore use nothing but its
 * argument and globals.
 */
function writerProgram(load: (id: string) => unknown): void {
  type Db = {
    pragma(source: string): unknown;
    prepare(sql: string): { run(...params: unknown[]): unknown };
    exec(sql: string): void;
    inTransaction: boolean;
    close(): void;
  };
  const threads = load("node:worker_threads") as typeof import("node:worker_threads");
  const port = threads.parentPort;
  const settings = threads.workerData as WriterSettings;
  const Driver = load(settings.driver) as new (file: string, options: { timeout: number }) => Db;
  const db = new Driver(settings.filename, { timeout: settings.busyTimeoutMs });
  db.pragma(`busy_timeout = ${settings.busyTimeoutMs}`);
  db.pragma(`synchronous = ${settings.synchronous.toUpperCase()}`);
  const prepared = new Map<string, { run(...params: unknown[]): unknown }>();
  port?.on("message", (message: Batch | "close") => {
    if (message === "close") {
      db.close();
      port.close();
      return;
    }
    let current: string | undefined;
    try {
      db.exec("BEGIN IMMEDIATE");
      try {
        for (const { sql, params } of message.statements) {
          current = sql;
          let statement = prepared.get(sql);
          if (statement === undefined) {
            if (prepared.size >= 100) prepared.clear();
            statement = db.prepare(sql);
            prepared.set(sql, statement);
          }
          // As the main connection binds them: an integral number is an integer, not a float.
          statement.run(
            ...(params ?? []).map((value) =>
              typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value,
            ),
          );
        }
        current = "COMMIT";
        db.exec("COMMIT");
      } catch (error) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw error;
      }
      port.postMessage({ id: message.id } satisfies Reply);
    } catch (error) {
      const { message: text, code } = error as { message: string; code?: string };
      port.postMessage({ id: message.id, error: { message: text, code, sql: current } } satisfies Reply);
    }
  });
}

const programSource = `(${writerProgram.toString()})(require)`;

/** Hands batches to the writer thread, started on first use. */
export class SqliteWriter {
  readonly #settings: WriterSettings;
  #worker: Worker | undefined;
  #exited: Promise<void> | undefined;
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  readonly #inFlight = new Set<Promise<void>>();
  #nextId = 1;
  #closed = false;

  constructor(filename: string, busyTimeoutMs: number, synchronous: SqliteSynchronous) {
    this.#settings = {
      driver: createRequire(import.meta.url).resolve("better-sqlite3"),
      filename,
      busyTimeoutMs,
      synchronous,
    };
  }

  write(statements: readonly Statement[]): Promise<void> {
    if (this.#closed) return Promise.reject(new StoreClosedError());
    try {
      for (const { params } of statements) params?.forEach(checkParam);
    } catch (error) {
      return Promise.reject(error);
    }
    if (statements.length === 0) return Promise.resolve();
    const worker = this.#start();
    const id = this.#nextId++;
    const written = new Promise<void>((resolve, reject) => {
      if (this.#pending.size === 0) worker.ref();
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, statements } satisfies Batch);
    });
    this.#inFlight.add(written);
    const forget = () => this.#inFlight.delete(written);
    written.then(forget, forget);
    return written;
  }

  /** Waits for every batch handed over, then stops the thread. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    if (worker === undefined) return;
    await Promise.allSettled(this.#inFlight);
    // Held until it has exited: an unreferenced thread would let the process end while close waits.
    worker.ref();
    worker.postMessage("close");
    await this.#exited;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(programSource, { eval: true, workerData: this.#settings });
    this.#worker = worker;
    worker.on("message", (reply: Reply) => this.#settle(reply));
    this.#exited = new Promise((resolve) => {
      worker.once("exit", () => {
        this.#failAll(new StoreClosedError("the store's writer thread stopped"));
        // A writer that died is started again by the next write (unless the store is closing).
        if (this.#worker === worker) this.#worker = undefined;
        resolve();
      });
    });
    worker.on("error", (error) => this.#failAll(fromSqliteError(error, undefined)));
    worker.unref();
    return worker;
  }

  #settle(reply: Reply): void {
    const waiting = this.#pending.get(reply.id);
    if (waiting === undefined) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker?.unref();
    if (reply.error === undefined) waiting.resolve();
    else {
      const { message, code, sql } = reply.error;
      const cause = code === undefined ? new Error(message) : new Database.SqliteError(message, code);
      waiting.reject(fromSqliteError(cause, sql));
    }
  }

  #failAll(error: Error): void {
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    for (const { reject } of waiting) reject(error);
  }
}
