import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openSqliteStore, type SqliteStoreOptions } from "./sqlite-engine.js";
import { describeStoreSuite } from "./store.case.js";
import type { Migration, Store } from "./store.js";
import { StoreBusyError, StoreMisuseError } from "./store-errors.js";

const dir = mkdtempSync(join(tmpdir(), "jeff-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreSuite("sqlite", (place, migrations) =>
  openSqliteStore({ filename: join(dir, `${place}.db`), migrations, guardNesting: true }),
);

describe("sqlite engine", () => {
  const table: Migration = {
    id: 1,
    name: "notes",
    up: "CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT, amount BIGINT)",
  };
  const opened: Store[] = [];
  let files = 0;
  const open = async (options: Partial<SqliteStoreOptions> = {}): Promise<Store> => {
    const store = await openSqliteStore({
      filename: join(dir, `engine${++files}.db`),
      migrations: [table],
      ...options,
    });
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it("opens in WAL mode with foreign keys, a busy timeout and synchronous=FULL", async () => {
    const store = await open();
    expect(await store.get("PRAGMA journal_mode")).toEqual({ journal_mode: "wal" });
    expect(await store.get("PRAGMA foreign_keys")).toEqual({ foreign_keys: 1 });
    expect(await store.get("PRAGMA busy_timeout")).toEqual({ timeout: 5000 });
    expect(await store.get("PRAGMA synchronous")).toEqual({ synchronous: 2 });
  });

  it("trades power-loss durability for speed with synchronous=NORMAL when asked", async () => {
    const store = await open({ synchronous: "normal" });
    expect(await store.get("PRAGMA synchronous")).toEqual({ synchronous: 1 });
  });

  it("refuses an unknown synchronous mode", async () => {
    await expect(open({ synchronous: "off" as never })).rejects.toBeInstanceOf(StoreMisuseError);
  });

  it("binds an integral number as an integer, so it reads the same in any column", async () => {
    const store = await open();
    expect(await store.get("SELECT typeof(?) AS type, ? / 2 AS half", [5, 5])).toEqual({
      type: "integer",
      half: 2,
    });
    expect(await store.get("SELECT typeof(?) AS type", [5.5])).toEqual({ type: "real" });
    await store.run("INSERT INTO notes (id, body) VALUES (1, ?)", [5]);
    expect(await store.get("SELECT body FROM notes")).toEqual({ body: "5" });
  });

  it("reads aggregates as numbers, and as bigints beyond the safe range", async () => {
    const store = await open();
    await store.run("INSERT INTO notes (id, amount) VALUES (1, ?), (2, ?)", [2n ** 62n, 2n ** 62n - 1n]);
    expect(await store.get("SELECT COUNT(*) AS n, MAX(amount) AS top FROM notes")).toEqual({
      n: 2,
      top: 2n ** 62n,
    });
  });

  it("makes calls from outside wait while a transaction is pending", async () => {
    const store = await open();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pending = store.transaction(async (tx) => {
      await tx.run("INSERT INTO notes (id, body) VALUES (1, 'inside')");
      await held;
    });
    await new Promise((resolve) => setImmediate(resolve));
    let readSettled = false;
    const read = store.all("SELECT body FROM notes").finally(() => {
      readSettled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readSettled).toBe(false);
    release();
    await pending;
    expect(await read).toEqual([{ body: "inside" }]);
  });

  it("reports another connection's write lock as a retryable StoreBusyError after busyTimeoutMs", async () => {
    const filename = join(dir, "shared.db");
    const holder = await openSqliteStore({ filename, migrations: [table] });
    const waiter = await openSqliteStore({ filename, migrations: [table], busyTimeoutMs: 20 });
    opened.push(holder, waiter);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pending = holder.transaction(async (tx) => {
      await tx.run("INSERT INTO notes (id) VALUES (1)");
      await held;
    });
    await new Promise((resolve) => setImmediate(resolve));
    const attempt = waiter.run("INSERT INTO notes (id) VALUES (2)");
    await expect(attempt).rejects.toBeInstanceOf(StoreBusyError);
    await expect(attempt).rejects.toMatchObject({ retryable: true, code: "JEFF_STORE_BUSY" });
    await expect(waiter.transaction(async () => undefined)).rejects.toBeInstanceOf(StoreBusyError);
    release();
    await pending;
    expect(await waiter.run("INSERT INTO notes (id) VALUES (2)")).toEqual({ changes: 1 });
  });

  it("names the failing statement on a query error, for logs", async () => {
    const store = await open();
    await expect(store.all("SELECT nope FROM notes")).rejects.toMatchObject({
      code: "JEFF_STORE_QUERY",
      sql: "SELECT nope FROM notes",
    });
  });

  it("reads a unique conflict's table and columns", async () => {
    const store = await open();
    await store.run("INSERT INTO notes (id) VALUES (1)");
    await expect(store.run("INSERT INTO notes (id) VALUES (1)")).rejects.toMatchObject({
      constraint: "notes.id",
      table: "notes",
    });
  });
});
