/** The migration cases of the store suite: forward-only, once each, whole or not at all. */
import { describe, expect, it } from "vitest";
import type { Migration, Store } from "./store.js";
import { StoreError, StoreMigrationError } from "./store-errors.js";
import { insertItem, names, type SuiteStores, tables } from "./store-harness.case.js";

export function describeMigrationCases({ newPlace, open, fresh }: SuiteStores): void {
  describe("migrations", () => {
    const seedCounter: Migration = {
      id: 2,
      name: "seed a counter",
      up: async (tx) => {
        await tx.run("INSERT INTO counters (id, value) VALUES (1, 0)");
      },
    };
    const countRuns: Migration = {
      id: 3,
      name: "count the runs",
      up: async (tx) => {
        await tx.run("UPDATE counters SET value = value + 1 WHERE id = 1");
      },
    };

    const appliedIds = async (store: Store): Promise<number[]> =>
      (await store.all<{ id: number }>("SELECT id FROM jeff_migrations ORDER BY id")).map((row) => row.id);

    it("applies each migration once, in id order whatever the list order", async () => {
      const store = await fresh([countRuns, seedCounter, tables]);
      expect(await appliedIds(store)).toEqual([1, 2, 3]);
      expect(await store.get("SELECT value FROM counters WHERE id = 1")).toEqual({ value: 1 });
    });

    it("keeps data on reopen and does not run applied migrations again", async () => {
      const place = newPlace();
      const first = await open(place, [tables, seedCounter, countRuns]);
      await first.run(insertItem, [1, "kept", null, null, null]);
      await first.close();
      const second = await open(place, [tables, seedCounter, countRuns]);
      expect(await appliedIds(second)).toEqual([1, 2, 3]);
      expect(await second.get("SELECT value FROM counters WHERE id = 1")).toEqual({ value: 1 });
      expect(await names(second)).toEqual(["kept"]);
    });

    it("applies only the migrations appended since the last open", async () => {
      const place = newPlace();
      await (await open(place, [tables, seedCounter])).close();
      const store = await open(place, [tables, seedCounter, countRuns]);
      expect(await appliedIds(store)).toEqual([1, 2, 3]);
      expect(await store.get("SELECT value FROM counters WHERE id = 1")).toEqual({ value: 1 });
    });

    it("refuses to open a store that has applied a migration this code does not know", async () => {
      const place = newPlace();
      const newer = await open(place, [tables, seedCounter, countRuns]);
      await newer.run(insertItem, [1, "kept", null, null, null]);
      await newer.close();
      const attempt = open(place, [tables, seedCounter]);
      await expect(attempt).rejects.toBeInstanceOf(StoreMigrationError);
      await expect(attempt).rejects.toThrow(/migration 3 .*newer Jeff/);
      const again = await open(place, [tables, seedCounter, countRuns]);
      expect(await names(again)).toEqual(["kept"]);
    });

    it("refuses duplicate ids before changing anything", async () => {
      const place = newPlace();
      const twin: Migration = { id: 2, name: "twin", up: "CREATE TABLE twin (id BIGINT PRIMARY KEY)" };
      const attempt = open(place, [tables, seedCounter, twin]);
      await expect(attempt).rejects.toBeInstanceOf(StoreMigrationError);
      await expect(attempt).rejects.toThrow(/id 2 is used twice/);
      const store = await open(place, [tables]);
      expect(await appliedIds(store)).toEqual([1]);
    });

    it.each([0, -1, 1.5, Number.NaN])("refuses the migration id %d", async (id) => {
      await expect(fresh([{ id, name: "bad id", up: "SELECT 1" }])).rejects.toBeInstanceOf(
        StoreMigrationError,
      );
    });

    it("refuses a migration whose id falls below one already applied", async () => {
      const place = newPlace();
      await (await open(place, [tables, countRuns])).close();
      const attempt = open(place, [tables, seedCounter, countRuns]);
      await expect(attempt).rejects.toBeInstanceOf(StoreMigrationError);
      await expect(attempt).rejects.toThrow(/migration 2 .*not applied/);
    });

    /** A step in some subsystem's range, with a table of its own to show it ran. */
    const step = (id: number): Migration => ({
      id,
      name: `step ${id}`,
      up: `CREATE TABLE step_${id} (id BIGINT PRIMARY KEY)`,
    });

    it("applies functions' 403–405 to a store that already has logs' 500: ranges are ordered apart", async () => {
      const place = newPlace();
      await (await open(place, [tables, step(400), step(500)])).close();
      const store = await open(place, [tables, step(400), step(403), step(404), step(405), step(500)]);
      expect(await appliedIds(store)).toEqual([1, 400, 403, 404, 405, 500]);
      expect(await store.all("SELECT * FROM step_405")).toEqual([]);
    });

    it("applies the last id of a range after the first id of the next", async () => {
      const place = newPlace();
      await (await open(place, [tables, step(500)])).close();
      const store = await open(place, [tables, step(499), step(500)]);
      expect(await appliedIds(store)).toEqual([1, 499, 500]);
    });

    it("refuses, within one range, a migration below one already applied, and applies nothing", async () => {
      const place = newPlace();
      await (await open(place, [tables, step(400), step(405), step(500)])).close();
      const attempt = open(place, [tables, step(400), step(403), step(405), step(500), step(501)]);
      await expect(attempt).rejects.toMatchObject({ name: "StoreMigrationError", migrationId: 403 });
      await expect(attempt).rejects.toThrow(
        /migration 403 \("step 403"\) is not applied, yet the later migration 405 of the same range \(400–499\) is/,
      );
      const store = await open(place, [tables, step(400), step(405), step(500)]);
      expect(await appliedIds(store)).toEqual([1, 400, 405, 500]);
    });

    /** A step that needs another range's table: it writes its own id into step_600. */
    const into600 = (id: number): Migration => ({
      id,
      name: `write into step_600 (${id})`,
      up: `INSERT INTO step_600 (id) VALUES (${id})`,
      after: [600],
    });

    it("applies a step after the other range's step its after names, and its range's later steps after it", async () => {
      const place = newPlace();
      await (await open(place, [tables, step(400)])).close();
      const later: Migration = { ...step(407), up: "INSERT INTO step_600 (id) VALUES (407)" };
      const store = await open(place, [tables, step(400), into600(406), later, step(600)]);
      expect(await appliedIds(store)).toEqual([1, 400, 406, 407, 600]);
      expect(await store.all("SELECT id FROM step_600 ORDER BY id")).toEqual([{ id: 406 }, { id: 407 }]);
    });

    it("takes an after id missing from the list as no constraint", async () => {
      const store = await fresh([tables, { ...into600(406), up: "SELECT 1" }]);
      expect(await appliedIds(store)).toEqual([1, 406]);
    });

    it("refuses after lists that name the step's own range or wait in a cycle", async () => {
      await expect(fresh([tables, { ...step(406), after: [405] }])).rejects.toThrow(
        /after \(id 406\) names 405 of its own range/,
      );
      const cycle = [tables, { ...step(406), after: [600] }, { ...step(600), after: [406] }];
      await expect(fresh(cycle)).rejects.toThrow(/migrations 406, 600 each wait for another/);
    });

    it("leaves nothing of a migration function that fails, and keeps the ones before it", async () => {
      const place = newPlace();
      const failing: Migration = {
        id: 4,
        name: "half a migration",
        up: async (tx) => {
          await tx.exec("CREATE TABLE half (id BIGINT PRIMARY KEY)");
          await tx.run("INSERT INTO half (id) VALUES (1)");
          await tx.run("UPDATE counters SET value = 100");
          throw new Error("step two went wrong");
        },
      };
      const attempt = open(place, [tables, seedCounter, failing]);
      await expect(attempt).rejects.toBeInstanceOf(StoreMigrationError);
      await expect(attempt).rejects.toThrow(/migration 4 \("half a migration"\) failed.*step two went wrong/);
      const store = await open(place, [tables, seedCounter]);
      expect(await appliedIds(store)).toEqual([1, 2]);
      expect(await store.get("SELECT value FROM counters WHERE id = 1")).toEqual({ value: 0 });
      await expect(store.all("SELECT * FROM half")).rejects.toBeInstanceOf(StoreError);
    });

    it("leaves nothing of a SQL migration whose later statement fails", async () => {
      const place = newPlace();
      const failing: Migration = {
        id: 2,
        name: "broken script",
        up: "CREATE TABLE half (id BIGINT PRIMARY KEY); INSERT INTO half (id) VALUES (1); NOT SQL;",
      };
      await expect(open(place, [tables, failing])).rejects.toBeInstanceOf(StoreMigrationError);
      const store = await open(place, [tables]);
      expect(await appliedIds(store)).toEqual([1]);
      await expect(store.all("SELECT * FROM half")).rejects.toBeInstanceOf(StoreError);
      await store.close();
      const fixed = await open(place, [
        tables,
        { ...failing, up: "CREATE TABLE half (id BIGINT PRIMARY KEY)" },
      ]);
      expect(await fixed.all("SELECT * FROM half")).toEqual([]);
    });
  });
}
