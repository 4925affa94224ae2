import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { until } from "../../../test/integration/until.js";
import { openTestStore } from "../../../test/stores.js";
import { OutboxSignal } from "../../operations/index.js";
import type { Store } from "../../store/index.js";
import { FunctionCache } from "./function-cache.js";
import {
  type FunctionRecord,
  insertFunction,
  newFunctionRecord,
  replaceFunction,
} from "./function-records.js";
import {
  functionOptionsMigration,
  functionTableMigrations,
  functionUpdateWindowMigration,
} from "./function-schema.js";

const dir = mkdtempSync(join(tmpdir(), "jeff-function-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scope = { accountId: "000000000000", region: "us-east-1" };
const migrations = [...functionTableMigrations, functionOptionsMigration, functionUpdateWindowMigration];

/** Notices as the outbox's signal sends them, sent by hand. */
function notices() {
  const listeners = new Set<() => void>();
  return {
    listen(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    send: () => {
      for (const listener of listeners) listener();
    },
  };
}

async function storeWithFunction(name: string): Promise<{ store: Store; record: FunctionRecord }> {
  const store = await openTestStore({ dataDir: join(dir, name), migrations });
  const record = newFunctionRecord(
    scope,
    "fn",
    {
      runtime: "nodejs20.x",
      handler: "index.handler",
      role: "arn:aws:iam::000000000000:role/r",
      description: "",
      timeout: 3,
      memorySize: 128,
      environment: { COLOUR: "red" },
      options: {},
      tags: {},
    },
    { dir: "/code", sha256: "abc", size: 1 },
  );
  await insertFunction(store, scope, record);
  return { store, record };
}

/** A change to the function's configuration, through `store` itself (as this node's API makes one). */
async function changeConfiguration(
  store: Store,
  record: FunctionRecord,
  colour: string,
): Promise<FunctionRecord> {
  const next = { ...record, environment: { COLOUR: colour }, revisionId: `${record.revisionId}-${colour}` };
  expect(await replaceFunction(store, scope, next, record.revisionId)).toBe(true);
  return next;
}

/** The COLOUR the cache's copy of the function has. */
const colourIn = async (cache: FunctionCache) => (await cache.find(scope, "fn"))?.environment.COLOUR;

describe("FunctionCache", () => {
  it("serves its copy until this store writes, then reads again", async () => {
    const { store, record } = await storeWithFunction("own-writes");
    const cache = new FunctionCache(store, notices());
    try {
      const first = await cache.find(scope, "fn");
      expect(first?.environment).toEqual({ COLOUR: "red" });
      // The same copy, not a new read.
      expect(await cache.find(scope, "fn")).toBe(first);
      const next = await changeConfiguration(store, record, "blue");
      expect((await cache.find(scope, "fn"))?.environment).toEqual({ COLOUR: "blue" });
      // A transaction that wrote something else entirely moves the stamp too: read again, still right.
      await store.transaction((tx) =>
        tx.run("UPDATE lambda_functions SET description = 'x' WHERE name = ?", ["nothing"]),
      );
      expect((await cache.find(scope, "fn"))?.revisionId).toBe(next.revisionId);
      await store.run("DELETE FROM lambda_functions WHERE name = ?", ["fn"]);
      expect(await cache.find(scope, "fn")).toBeUndefined();
    } finally {
      cache.close();
      await store.close();
    }
  });

  it("reads again after a notice of a change committed elsewhere, or once its copy is too old", async () => {
    const { store, record } = await storeWithFunction("notices");
    const heard = notices();
    const cache = new FunctionCache(store, heard, { maxAgeMs: 200 });
    try {
      const first = await cache.find(scope, "fn");
      // Another node's change: a write this store object did not make (here: a write behind, which
      // leaves the stamp alone, standing in for a commit on another node).
      await store.writeBehind([
        {
          sql: "UPDATE lambda_functions SET environment = ? WHERE name = ?",
          params: ['{"COLOUR":"green"}', "fn"],
        },
      ]);
      expect(await cache.find(scope, "fn")).toBe(first);
      heard.send();
      expect((await cache.find(scope, "fn"))?.environment).toEqual({ COLOUR: "green" });
      // Without a notice, the copy serves at most maxAgeMs.
      await store.writeBehind([
        {
          sql: "UPDATE lambda_functions SET environment = ? WHERE name = ?",
          params: ['{"COLOUR":"grey"}', "fn"],
        },
      ]);
      await until(async () => (await colourIn(cache)) === "grey", "the copy to age out", 30_000);
      expect(record.environment).toEqual({ COLOUR: "red" });
    } finally {
      cache.close();
      await store.close();
    }
  });

  it("reads again when another node's change is announced through the outbox's signal", async () => {
    const { store: here, record } = await storeWithFunction("two-nodes");
    // A second store object on the same database: another node, on either engine.
    const there = await openTestStore({ dataDir: join(dir, "two-nodes"), migrations });
    const signalHere = new OutboxSignal(here);
    const signalThere = new OutboxSignal(there);
    // Copies kept for a minute unless told otherwise: only the notice can end this one in time.
    const cache = new FunctionCache(here, signalHere, { maxAgeMs: 60_000 });
    try {
      expect((await cache.find(scope, "fn"))?.environment).toEqual({ COLOUR: "red" });
      await changeConfiguration(there, record, "amber");
      // Unannounced, the change is not seen here: this node's copy serves.
      expect((await cache.find(scope, "fn"))?.environment).toEqual({ COLOUR: "red" });
      // Well before the copy's minute is up. This node hears notices once its LISTEN is in place
      // (on PostgreSQL that is a round trip after the subscription): tell until it is heard.
      await until(
        async () => {
          signalThere.notify();
          return (await colourIn(cache)) === "amber";
        },
        "the notice to reach this node",
        30_000,
      );
    } finally {
      cache.close();
      await there.close();
      await here.close();
    }
  });

  it("keeps no copy of a read that a commit of this store overtook", async () => {
    const { store, record } = await storeWithFunction("overtaken");
    const cache = new FunctionCache(store, notices());
    try {
      // The read and the change start together; whichever the read saw, the copy must not outlive the change.
      const [seen] = await Promise.all([
        cache.find(scope, "fn"),
        changeConfiguration(store, record, "violet"),
      ]);
      expect(seen).toBeDefined();
      expect((await cache.find(scope, "fn"))?.environment).toEqual({ COLOUR: "violet" });
    } finally {
      cache.close();
      await store.close();
    }
  });
});
