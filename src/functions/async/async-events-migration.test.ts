// A store a previous Jeff left with asynchronous events pending keeps every one of them: migration
// 406 turns each into a work-queue job, whether or not that store had the queue's table yet.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openTestStore } from "../../../test/stores.js";
import { queueMigrations } from "../../queue/index.js";
import { type Store, StoreError } from "../../store/index.js";
import { functionTableMigrations } from "../records/index.js";
import { asyncInvokeKind } from "./async-event.js";
import { asyncEventsOntoQueue } from "./async-events-migration.js";

const before406 = [...functionTableMigrations];
const today = [...functionTableMigrations, asyncEventsOntoQueue, ...queueMigrations];

/** Two events as the previous Jeff wrote them: one never tried, one waiting for its retry. */
const pendingRows = [
  ["e-new", "fn", Buffer.from('{"id":"new"}'), 0, 1000, 1000, null, null, "$LATEST"],
  ["e-retry", "fn", Buffer.from('{"id":"retry","fail":true}'), 1, 2000, 9000, 8000, "prod", "1"],
] as const;

let dirs: string[] = [];
let stores: Store[] = [];
afterEach(async () => {
  for (const store of stores) await store.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  dirs = [];
  stores = [];
});

async function open(dataDir: string, migrations: typeof today): Promise<Store> {
  const store = await openTestStore({ dataDir, migrations });
  stores.push(store);
  return store;
}

describe("migration 406: pending asynchronous events onto the queue", () => {
  it.each([
    { label: "before the queue", earlier: before406 },
    { label: "with the queue's table", earlier: [...before406, ...queueMigrations] },
  ])("keeps every event of a store written $label", async ({ earlier }) => {
    const dataDir = await mkdtemp(join(tmpdir(), "jeff-async-406-"));
    dirs.push(dataDir);
    const old = await open(dataDir, earlier);
    for (const row of pendingRows) {
      await old.run(
        `INSERT INTO lambda_async_events (event_id, account_id, region, function_name, payload, attempts, received_at, due_at, lease_until, qualifier, executed_version)
         VALUES (?, '123456789012', 'us-east-1', ?, ?, ?, ?, ?, ?, ?, ?)`,
        [...row],
      );
    }
    await old.close();
    stores = [];

    const store = await open(dataDir, today);
    const jobs = await store.all<{ kind: string; payload: string; state: string; ready_at: number }>(
      "SELECT kind, payload, state, ready_at, attempts FROM queue_jobs ORDER BY ready_at",
    );
    expect(jobs.map(({ payload, ...job }) => ({ ...job, payload: JSON.parse(payload) }))).toEqual([
      {
        kind: asyncInvokeKind,
        state: "queued",
        ready_at: 1000,
        attempts: 0,
        payload: {
          accountId: "123456789012",
          region: "us-east-1",
          functionName: "fn",
          version: "$LATEST",
          requestId: "e-new",
          payload: '{"id":"new"}',
          receivedAt: 1000,
          invocations: 0,
        },
      },
      {
        kind: asyncInvokeKind,
        state: "queued",
        ready_at: 9000,
        attempts: 0,
        payload: {
          accountId: "123456789012",
          region: "us-east-1",
          functionName: "fn",
          qualifier: "prod",
          version: "1",
          requestId: "e-retry",
          payload: '{"id":"retry","fail":true}',
          receivedAt: 2000,
          invocations: 1,
        },
      },
    ]);
    await expect(store.all("SELECT * FROM lambda_async_events")).rejects.toBeInstanceOf(StoreError);
  });
});
