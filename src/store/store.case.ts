/**
 * The one store suite every engine runs (`describeStoreSuite("sqlite", …)`, later "postgres"), so
 * the engines cannot drift apart. It uses only the `Store` contract and portable SQL.
 */
import { describe, expect, it } from "vitest";
import { describeMigrationCases } from "./migrate.case.js";
import type { SqlExecutor, SqlValue } from "./store.js";
import {
  StoreClosedError,
  StoreConflictError,
  StoreConstraintError,
  StoreError,
  StoreMisuseError,
} from "./store-errors.js";
import {
  gate,
  type ItemRow,
  insertItem,
  names,
  nextMacrotask,
  type OpenStoreAt,
  useSuiteStores,
} from "./store-harness.case.js";

export type { OpenStoreAt } from "./store-harness.case.js";

export function describeStoreSuite(engineName: string, openAt: OpenStoreAt): void {
  describe(`store suite: ${engineName}`, () => {
    const stores = useSuiteStores(openAt);
    const { newPlace, open, fresh } = stores;

    describe("statements", () => {
      it("reads, writes, updates and deletes rows through all, get and run", async () => {
        const store = await fresh();
        expect(await store.run(insertItem, [1, "one", 10, 0.5, null])).toEqual({ changes: 1 });
        expect(await store.run(insertItem, [2, "two", 20, null, null])).toEqual({ changes: 1 });
        expect(await store.get<ItemRow>("SELECT * FROM items WHERE id = ?", [1])).toEqual({
          id: 1,
          name: "one",
          size: 10,
          ratio: 0.5,
          data: null,
        });
        expect(await store.get("SELECT * FROM items WHERE id = ?", [99])).toBeUndefined();
        expect(await store.run("UPDATE items SET size = size + ? WHERE size >= ?", [1, 10])).toEqual({
          changes: 2,
        });
        expect(await store.all("SELECT id, size FROM items ORDER BY id")).toEqual([
          { id: 1, size: 11 },
          { id: 2, size: 21 },
        ]);
        expect(await store.run("DELETE FROM items WHERE id = ?", [1])).toEqual({ changes: 1 });
        expect(await store.run("DELETE FROM items WHERE id = ?", [1])).toEqual({ changes: 0 });
        expect(await names(store)).toEqual(["two"]);
        expect(await store.all("SELECT * FROM items WHERE id > ?", [100])).toEqual([]);
      });

      it("returns no rows from all or get on a statement that returns none, and still runs it", async () => {
        const store = await fresh();
        expect(await store.all(insertItem, [1, "one", null, null, null])).toEqual([]);
        expect(await store.get("UPDATE items SET size = 5 WHERE id = 1")).toBeUndefined();
        expect(await store.get("SELECT size FROM items WHERE id = 1")).toEqual({ size: 5 });
      });

      it("binds ? placeholders by position, and leaves a ? inside a string literal alone", async () => {
        const store = await fresh();
        await store.run(insertItem, [1, "?", 1, null, null]);
        await store.run(insertItem, [2, "x", 2, null, null]);
        await store.run(insertItem, [3, "y", 3, null, null]);
        const rows = await store.all<{ id: number }>(
          "SELECT id FROM items WHERE name = '?' OR (size > ? AND name <> ?) ORDER BY id",
          [1, "y"],
        );
        expect(rows.map((row) => row.id)).toEqual([1, 2]);
      });

      it("runs a script of several statements with exec, all of it or none", async () => {
        const store = await fresh();
        await store.exec(`
          INSERT INTO items (id, name) VALUES (1, 'a');
          INSERT INTO items (id, name) VALUES (2, 'b');
        `);
        expect(await names(store)).toEqual(["a", "b"]);
        await expect(
          store.exec(`
            INSERT INTO items (id, name) VALUES (3, 'c');
            INSERT INTO items (id, name) VALUES (4, 'a');
          `),
        ).rejects.toBeInstanceOf(StoreConflictError);
        expect(await names(store)).toEqual(["a", "b"]);
      });

      it("reports a statement the engine rejects as a StoreError", async () => {
        const store = await fresh();
        await expect(store.all("SELECT * FROM no_such_table")).rejects.toBeInstanceOf(StoreError);
        await expect(store.run("NOT SQL AT ALL")).rejects.toBeInstanceOf(StoreError);
      });
    });

    describe("values", () => {
      const columns = ["name", "size", "ratio", "data"] as const;
      const roundTrip = async (column: (typeof columns)[number], value: SqlValue): Promise<unknown> => {
        const store = await fresh();
        const params: SqlValue[] = [1, "n", null, null, null];
        params[columns.indexOf(column) + 1] = value;
        await store.run(insertItem, params);
        const back = await store.get<Record<string, unknown>>(`SELECT ${column} FROM items WHERE id = 1`);
        return back?.[column];
      };

      it.each([
        "",
        "plain",
        "héllo wörld ✓ 😀 日本",
        "quotes ' \" and \\ backslash",
        "line\nbreak\ttab",
        "x".repeat(100_000),
      ])("keeps the text %#", async (text) => {
        expect(await roundTrip("name", text)).toBe(text);
      });

      it.each([
        0,
        1,
        -1,
        2 ** 31,
        -(2 ** 31) - 1,
        1_700_000_000_000,
        Number.MAX_SAFE_INTEGER,
        Number.MIN_SAFE_INTEGER,
      ])("reads the integer %d back as a number", async (integer) => {
        expect(await roundTrip("size", integer)).toBe(integer);
      });

      it.each([2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), 9_007_199_254_740_993n])(
        "reads the integer %s, beyond Number.MAX_SAFE_INTEGER, back as the same bigint",
        async (integer) => {
          expect(await roundTrip("size", integer)).toBe(integer);
        },
      );

      it("reads a bigint within the safe range back as a number", async () => {
        expect(await roundTrip("size", 42n)).toBe(42);
      });

      it.each([0.5, -0.25, 0.1, 1e300, 5e-324, 2])("keeps the float %d", async (float) => {
        expect(await roundTrip("ratio", float)).toBe(float);
      });

      it("keeps bytes, every byte value and none", async () => {
        const every = Uint8Array.from({ length: 256 }, (_, index) => index);
        const back = await roundTrip("data", every);
        expect(back).toBeInstanceOf(Uint8Array);
        expect(Array.from(back as Uint8Array)).toEqual(Array.from(every));
        const empty = await roundTrip("data", new Uint8Array(0));
        expect(empty).toBeInstanceOf(Uint8Array);
        expect((empty as Uint8Array).length).toBe(0);
      });

      it("keeps null in every column type", async () => {
        const store = await fresh();
        await store.run(insertItem, [1, "n", null, null, null]);
        expect(await store.get("SELECT size, ratio, data FROM items WHERE id = 1")).toEqual({
          size: null,
          ratio: null,
          data: null,
        });
      });

      it.each([
        ["a boolean", true],
        ["undefined", undefined],
        ["NaN", Number.NaN],
        ["Infinity", Number.POSITIVE_INFINITY],
        ["a bigint beyond 64 bits", 2n ** 63n],
        ["a plain object", { id: 1 }],
      ])("refuses to bind %s, naming the parameter", async (_, value) => {
        const store = await fresh();
        const attempt = store.run(insertItem, [1, "n", value as SqlValue, null, null]);
        await expect(attempt).rejects.toBeInstanceOf(StoreMisuseError);
        await expect(attempt).rejects.toThrow(/parameter 3/);
        expect(await names(store)).toEqual([]);
      });
    });

    describe("transactions", () => {
      it("commits or rolls back whole a transaction that waives serializable isolation, and its compare-and-set holds", async () => {
        const store = await fresh();
        await store.run("INSERT INTO counters (id, value) VALUES (1, 0)");
        // Compare-and-set increments from many callers at once: each retries until its own lands.
        const bump = async () => {
          for (;;) {
            const changed = await store.transaction(
              async (tx) => {
                const row = await tx.get<{ value: number }>("SELECT value FROM counters WHERE id = 1");
                return (
                  await tx.run("UPDATE counters SET value = ? WHERE id = 1 AND value = ?", [
                    row!.value + 1,
                    row!.value,
                  ])
                ).changes;
              },
              { serializable: false },
            );
            if (changed === 1) return;
          }
        };
        await Promise.all(Array.from({ length: 20 }, bump));
        expect(await store.get("SELECT value FROM counters WHERE id = 1")).toEqual({ value: 20 });
        await expect(
          store.transaction(
            async (tx) => {
              await tx.run(insertItem, [1, "gone", null, null, null]);
              throw new Error("changed my mind");
            },
            { serializable: false },
          ),
        ).rejects.toThrow("changed my mind");
        expect(await names(store)).toEqual([]);
      });

      it("commits what work did and resolves to what work returned", async () => {
        const store = await fresh();
        const result = await store.transaction(async (tx) => {
          await tx.run(insertItem, [1, "one", null, null, null]);
          await tx.run(insertItem, [2, "two", null, null, null]);
          return names(tx);
        });
        expect(result).toEqual(["one", "two"]);
        expect(await names(store)).toEqual(["one", "two"]);
      });

      it("rolls back everything when work throws, and rethrows the same error", async () => {
        const store = await fresh();
        await store.run(insertItem, [1, "kept", null, null, null]);
        const failure = new Error("work failed");
        const attempt = store.transaction(async (tx) => {
          await tx.run(insertItem, [2, "lost", null, null, null]);
          await tx.run("UPDATE items SET size = 99 WHERE id = 1");
          throw failure;
        });
        await expect(attempt).rejects.toBe(failure);
        expect(await store.all("SELECT name, size FROM items")).toEqual([{ name: "kept", size: null }]);
      });

      it("rolls back when work throws synchronously", async () => {
        const store = await fresh();
        const attempt = store.transaction((tx) => {
          void tx.run(insertItem, [1, "lost", null, null, null]).catch(() => undefined);
          throw new Error("sync failure");
        });
        await expect(attempt).rejects.toThrow("sync failure");
        expect(await names(store)).toEqual([]);
      });

      it("serializes 50 concurrent read-increment-write transactions so none is lost", async () => {
        const store = await fresh();
        await store.run("INSERT INTO counters (id, value) VALUES (1, 0)");
        const increment = (): Promise<void> =>
          store.transaction(async (tx) => {
            const row = await tx.get<{ value: number }>("SELECT value FROM counters WHERE id = 1");
            await nextMacrotask();
            await tx.run("UPDATE counters SET value = ? WHERE id = 1", [(row?.value ?? 0) + 1]);
          });
        await Promise.all(Array.from({ length: 50 }, increment));
        expect(await store.get("SELECT value FROM counters WHERE id = 1")).toEqual({ value: 50 });
      });

      it("calls afterCommit callbacks after the commit, in order, and never for a rollback", async () => {
        const store = await fresh();
        const calls: string[] = [];
        await store.transaction(async (tx) => {
          await tx.run(insertItem, [1, "one", null, null, null]);
          tx.afterCommit(() => calls.push("first"));
          tx.afterCommit(() => calls.push("second"));
          expect(calls).toEqual([]);
        });
        expect(calls).toEqual(["first", "second"]);
        await expect(
          store.transaction(async (tx) => {
            tx.afterCommit(() => calls.push("rolled back"));
            throw new Error("work failed");
          }),
        ).rejects.toThrow("work failed");
        expect(calls).toEqual(["first", "second"]);
        // On the store itself a statement commits as it runs: at once.
        store.afterCommit(() => calls.push("now"));
        expect(calls).toEqual(["first", "second", "now"]);
      });

      it("calls afterCommit once per committed transaction, whatever attempts the engine ran again", async () => {
        const store = await fresh();
        await store.run("INSERT INTO counters (id, value) VALUES (1, 0)");
        let called = 0;
        const increment = (): Promise<void> =>
          store.transaction(async (tx) => {
            tx.afterCommit(() => called++);
            const row = await tx.get<{ value: number }>("SELECT value FROM counters WHERE id = 1");
            await nextMacrotask();
            await tx.run("UPDATE counters SET value = ? WHERE id = 1", [(row?.value ?? 0) + 1]);
          });
        await Promise.all(Array.from({ length: 20 }, increment));
        expect(await store.get("SELECT value FROM counters WHERE id = 1")).toEqual({ value: 20 });
        expect(called).toBe(20);
      });

      it("never calls afterCommit for a transaction a failed statement doomed, though work caught it", async () => {
        const store = await fresh();
        await store.run(insertItem, [1, "taken", null, null, null]);
        let called = false;
        const attempt = store.transaction(async (tx) => {
          tx.afterCommit(() => {
            called = true;
          });
          await tx.run(insertItem, [2, "taken", null, null, null]).catch(() => undefined);
        });
        await expect(attempt).rejects.toBeInstanceOf(StoreMisuseError);
        expect(called).toBe(false);
        // Nor may a callback be added once the transaction has ended.
        let leaked: SqlExecutor | undefined;
        await store.transaction(async (tx) => {
          leaked = tx;
        });
        expect(() => leaked!.afterCommit(() => undefined)).toThrow(StoreMisuseError);
      });

      it("keeps statements from outside out of a pending transaction, and its changes out of their sight", async () => {
        const store = await fresh();
        const held = gate();
        let entered!: () => void;
        const inside = new Promise<void>((resolve) => {
          entered = resolve;
        });
        const pending = store.transaction(async (tx) => {
          await tx.run(insertItem, [1, "inside", null, null, null]);
          entered();
          await held.opened;
          throw new Error("changed my mind");
        });
        await inside;
        const outsideRead = store.all<{ name: string }>("SELECT name FROM items");
        const outsideWrite = store.run(insertItem, [2, "outside", null, null, null]);
        await nextMacrotask();
        held.open();
        await expect(pending).rejects.toThrow("changed my mind");
        expect(await outsideRead).toEqual([]);
        expect(await outsideWrite).toEqual({ changes: 1 });
        expect(await names(store)).toEqual(["outside"]);
      });

      it("lets a write from outside during a pending transaction survive that transaction's commit", async () => {
        const store = await fresh();
        const held = gate();
        const pending = store.transaction(async (tx) => {
          await tx.run(insertItem, [1, "inside", null, null, null]);
          await held.opened;
        });
        await nextMacrotask();
        const outsideWrite = store.run(insertItem, [2, "outside", null, null, null]);
        await nextMacrotask();
        held.open();
        await pending;
        await outsideWrite;
        expect(await names(store)).toEqual(["inside", "outside"]);
      });

      it("refuses a nested transaction or a direct store call from inside work, instead of deadlocking", async () => {
        const store = await fresh();
        await store.transaction(async (tx) => {
          await expect(store.transaction(async () => undefined)).rejects.toBeInstanceOf(StoreMisuseError);
          await expect(store.transaction(async () => undefined)).rejects.toThrow(/inside a transaction/);
          await expect(store.run(insertItem, [9, "escaped", null, null, null])).rejects.toBeInstanceOf(
            StoreMisuseError,
          );
          await expect(store.all("SELECT 1 AS one")).rejects.toBeInstanceOf(StoreMisuseError);
          await tx.run(insertItem, [1, "inside", null, null, null]);
        });
        expect(await names(store)).toEqual(["inside"]);
      });

      it("allows the store again from code that outlives the transaction that started it", async () => {
        const store = await fresh();
        let later!: Promise<string[]>;
        await store.transaction(async (tx) => {
          await tx.run(insertItem, [1, "committed", null, null, null]);
          later = new Promise((resolve, reject) => {
            setTimeout(() => names(store).then(resolve, reject), 5);
          });
        });
        expect(await later).toEqual(["committed"]);
      });

      it("refuses a transaction handle used after its transaction ended", async () => {
        const store = await fresh();
        let kept: SqlExecutor | undefined;
        await store.transaction(async (tx) => {
          kept = tx;
        });
        await expect(kept?.run(insertItem, [1, "late", null, null, null])).rejects.toBeInstanceOf(
          StoreMisuseError,
        );
        expect(await names(store)).toEqual([]);
      });

      it("rolls back a transaction whose statement failed, even when work caught the error", async () => {
        const store = await fresh();
        await store.run(insertItem, [1, "taken", null, null, null]);
        const attempt = store.transaction(async (tx) => {
          await tx.run(insertItem, [2, "fresh", null, null, null]);
          await tx.run(insertItem, [3, "taken", null, null, null]).catch(() => undefined);
          await expect(tx.get("SELECT 1 AS one")).rejects.toBeInstanceOf(StoreMisuseError);
          return "done";
        });
        await expect(attempt).rejects.toBeInstanceOf(StoreMisuseError);
        await expect(attempt).rejects.toMatchObject({ cause: expect.any(StoreConflictError) });
        expect(await names(store)).toEqual(["taken"]);
      });

      it("lets work insert-or-ignore with ON CONFLICT instead of catching a conflict", async () => {
        const store = await fresh();
        await store.run(insertItem, [1, "taken", null, null, null]);
        await store.transaction(async (tx) => {
          const first = await tx.run("INSERT INTO items (id, name) VALUES (?, ?) ON CONFLICT DO NOTHING", [
            2,
            "taken",
          ]);
          expect(first.changes).toBe(0);
          await tx.run("INSERT INTO items (id, name) VALUES (?, ?) ON CONFLICT DO NOTHING", [3, "new"]);
        });
        expect(await names(store)).toEqual(["taken", "new"]);
      });
    });

    describe("constraints", () => {
      it("reports a duplicate unique value as StoreConflictError, writing nothing", async () => {
        const store = await fresh();
        await store.run(insertItem, [1, "one", null, null, null]);
        const attempt = store.run(insertItem, [2, "one", null, null, null]);
        await expect(attempt).rejects.toBeInstanceOf(StoreConflictError);
        const error = (await attempt.catch((caught: unknown) => caught)) as StoreConflictError;
        expect(error.code).toBe("JEFF_STORE_CONFLICT");
        expect(error.constraint).toMatch(/name/);
        expect(error.retryable).toBe(false);
        expect(await names(store)).toEqual(["one"]);
      });

      it("reports a duplicate primary key as StoreConflictError", async () => {
        const store = await fresh();
        await store.run(insertItem, [1, "one", null, null, null]);
        await expect(store.run(insertItem, [1, "other", null, null, null])).rejects.toBeInstanceOf(
          StoreConflictError,
        );
      });

      it("surfaces a conflict inside a transaction and rolls the whole transaction back", async () => {
        const store = await fresh();
        await store.run(insertItem, [1, "one", null, null, null]);
        const attempt = store.transaction(async (tx) => {
          await tx.run(insertItem, [2, "two", null, null, null]);
          await tx.run(insertItem, [3, "one", null, null, null]);
        });
        await expect(attempt).rejects.toBeInstanceOf(StoreConflictError);
        expect(await names(store)).toEqual(["one"]);
      });

      it("reports NOT NULL, foreign-key and CHECK violations as StoreConstraintError of their kind", async () => {
        const store = await fresh();
        await store.run(insertItem, [1, "one", null, null, null]);
        await expect(store.run("INSERT INTO items (id, name) VALUES (2, ?)", [null])).rejects.toMatchObject({
          code: "JEFF_STORE_CONSTRAINT",
          kind: "not-null",
        });
        await expect(store.run("INSERT INTO parts (id, item_id) VALUES (1, ?)", [404])).rejects.toMatchObject(
          {
            kind: "foreign-key",
          },
        );
        await expect(
          store.run("INSERT INTO parts (id, item_id, weight) VALUES (1, 1, ?)", [-1]),
        ).rejects.toBeInstanceOf(StoreConstraintError);
        await expect(
          store.run("INSERT INTO parts (id, item_id, weight) VALUES (1, 1, ?)", [-1]),
        ).rejects.toMatchObject({
          kind: "check",
        });
        expect(await store.run("INSERT INTO parts (id, item_id, weight) VALUES (1, 1, 3)")).toEqual({
          changes: 1,
        });
      });
    });

    describe("notices", () => {
      it("delivers a notice to the other holders' subscribers of its channel, and not to one that stopped", async () => {
        const place = newPlace();
        const sender = await open(place);
        const receiver = await open(place);
        const heard = { kept: 0, stopped: 0, other: 0 };
        receiver.subscribe("jobs", () => heard.kept++);
        const stop = receiver.subscribe("jobs", () => heard.stopped++);
        receiver.subscribe("other_channel", () => heard.other++);
        stop();
        // A receiver on another connection hears notices once its LISTEN is in place: send until one
        // gets through (notices are hints, and may be missed before that).
        const deadline = Date.now() + 30_000;
        while (heard.kept === 0 && Date.now() < deadline) {
          sender.notify("jobs");
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        // The listeners of one notice run together: had the stopped one been called, it would be by now.
        expect(heard.kept).toBeGreaterThan(0);
        expect(heard).toMatchObject({ stopped: 0, other: 0 });
        expect(() => sender.notify("Not A Channel")).toThrow(StoreMisuseError);
      });
    });

    describe("writes behind", () => {
      it("commits each batch whole, in the order handed over, with values as the contract binds them", async () => {
        const store = await fresh();
        const first = store.writeBehind([
          { sql: insertItem, params: [1, "one", 2n ** 60n, 0.5, Uint8Array.of(7)] },
          { sql: insertItem, params: [2, "two", 3, null, null] },
        ]);
        const second = store.writeBehind([
          { sql: "UPDATE items SET size = size * ? WHERE id = ?", params: [5, 2] },
        ]);
        await Promise.all([first, second]);
        expect(await store.all("SELECT id, name, size, ratio FROM items ORDER BY id")).toEqual([
          { id: 1, name: "one", size: 2n ** 60n, ratio: 0.5 },
          { id: 2, name: "two", size: 15, ratio: null },
        ]);
        // An integral number lands as an integer, as on the store's own statements.
        expect(await store.get("SELECT size / 2 AS half FROM items WHERE id = 2")).toEqual({ half: 7 });
      });

      it("rolls a failing batch back whole and rejects with the store's error, leaving later batches alone", async () => {
        const store = await fresh();
        await store.run(insertItem, [1, "taken", null, null, null]);
        const failing = store.writeBehind([
          { sql: insertItem, params: [2, "fresh", null, null, null] },
          { sql: insertItem, params: [3, "taken", null, null, null] },
        ]);
        const later = store.writeBehind([{ sql: insertItem, params: [4, "later", null, null, null] }]);
        await expect(failing).rejects.toBeInstanceOf(StoreConflictError);
        await later;
        expect(await names(store)).toEqual(["taken", "later"]);
      });

      it("refuses a parameter the contract cannot store before writing anything", async () => {
        const store = await fresh();
        await expect(
          store.writeBehind([
            { sql: insertItem, params: [1, "fine", null, null, null] },
            { sql: insertItem, params: [2, "bad", true as unknown as SqlValue, null, null] },
          ]),
        ).rejects.toBeInstanceOf(StoreMisuseError);
        expect(await names(store)).toEqual([]);
      });

      it("finishes every write behind before close, and refuses new ones after", async () => {
        const place = newPlace();
        const store = await open(place);
        const writes = Array.from({ length: 20 }, (_, index) =>
          store.writeBehind([{ sql: insertItem, params: [index, `row${index}`, null, null, null] }]),
        );
        await store.close();
        await Promise.all(writes);
        await expect(
          store.writeBehind([{ sql: insertItem, params: [99, "late", null, null, null] }]),
        ).rejects.toBeInstanceOf(StoreClosedError);
        const reopened = await open(place);
        expect((await names(reopened)).length).toBe(20);
      });
    });

    describe("write stamp", () => {
      it("stays the same across reads and grows with every way of writing", async () => {
        const store = await fresh();
        const grows = async (write: () => Promise<unknown>) => {
          const before = store.writeStamp;
          await write();
          expect(store.writeStamp).toBeGreaterThan(before);
        };
        await grows(() => store.run(insertItem, [1, "one", 1, null, null]));
        let stamp = store.writeStamp;
        await store.get("SELECT * FROM items WHERE id = ?", [1]);
        await store.all("SELECT * FROM items");
        expect(store.writeStamp).toBe(stamp);
        // A write that returns rows, through get and all.
        await grows(() => store.get(`${insertItem} RETURNING id`, [2, "two", 2, null, null]));
        await grows(() => store.all("UPDATE items SET size = size + 1 RETURNING id"));
        await grows(() => store.transaction((tx) => tx.run("DELETE FROM items WHERE id = ?", [2])));
        // A transaction that failed may have written before it rolled back: the stamp moves anyway.
        await grows(() =>
          store
            .transaction(async (tx) => {
              await tx.run(insertItem, [3, "three", null, null, null]);
              throw new Error("changed my mind");
            })
            .catch(() => undefined),
        );
        await grows(() => store.exec("UPDATE items SET size = 0"));
        // Records written behind are no state a copy is kept of: they leave the stamp as it is.
        stamp = store.writeStamp;
        await store.writeBehind([{ sql: insertItem, params: [4, "four", null, null, null] }]);
        expect(await names(store)).toEqual(["one", "four"]);
        expect(store.writeStamp).toBe(stamp);
      });
    });

    describe("lifecycle", () => {
      it("keeps committed data across close and reopen", async () => {
        const place = newPlace();
        const first = await open(place);
        await first.run(insertItem, [1, "durable", 2n ** 60n, 1.25, Uint8Array.of(1, 2, 3)]);
        await first.close();
        const second = await open(place);
        const row = await second.get<ItemRow>("SELECT * FROM items WHERE id = 1");
        expect(row?.name).toBe("durable");
        expect(row?.size).toBe(2n ** 60n);
        expect(row?.ratio).toBe(1.25);
        expect(Array.from(row?.data ?? [])).toEqual([1, 2, 3]);
      });

      it("lets a pending transaction finish before close, then refuses every call", async () => {
        const place = newPlace();
        const store = await open(place);
        const held = gate();
        const pending = store.transaction(async (tx) => {
          await tx.run(insertItem, [1, "finished", null, null, null]);
          await held.opened;
        });
        await nextMacrotask();
        const closing = store.close();
        held.open();
        await pending;
        await closing;
        await expect(store.get("SELECT 1 AS one")).rejects.toBeInstanceOf(StoreClosedError);
        await expect(store.transaction(async () => undefined)).rejects.toBeInstanceOf(StoreClosedError);
        await store.close();
        const reopened = await open(place);
        expect(await names(reopened)).toEqual(["finished"]);
      });

      it("names its dialect", async () => {
        const store = await fresh();
        expect(["sqlite", "postgres"]).toContain(store.dialect);
      });
    });

    describeMigrationCases(stores);
  });
}
