/**
 * Migration 406: asynchronous events move from their own table, `lambda_async_events`, onto the
 * work queue. Every event a previous Jeff left pending — never tried, waiting for a retry, or
 * claimed by a process that died — becomes a job due when it was due, with its request id, payload,
 * attempts so far and the time it was received, and the table goes. A store with no events pending
 * never touches the queue's table, so functions' steps can still be applied alone.
 */
import { enqueue, queueMigrations } from "../../queue/index.js";
import type { Migration, SqlExecutor } from "../../store/index.js";
import { type AsyncEvent, asyncEventJob } from "./async-event.js";

/** A row as migrations 402 and 404 shaped the table. */
interface PendingEventRow {
  event_id: string;
  account_id: string;
  region: string;
  function_name: string;
  payload: Uint8Array;
  attempts: number;
  received_at: number;
  due_at: number;
  qualifier: string | null;
  executed_version: string | null;
}

function eventOf(row: PendingEventRow): AsyncEvent {
  return {
    accountId: row.account_id,
    region: row.region,
    functionName: row.function_name,
    ...(row.qualifier !== null ? { qualifier: row.qualifier } : {}),
    version: row.executed_version ?? "$LATEST",
    requestId: row.event_id,
    payload: Buffer.from(row.payload).toString("utf8"),
    receivedAt: Number(row.received_at),
    // The table counted the attempts that ran to an outcome, as the event's `invocations` does.
    invocations: Number(row.attempts),
  };
}

async function moveEventsOntoQueue(tx: SqlExecutor): Promise<void> {
  const rows = await tx.all<PendingEventRow>(
    `SELECT event_id, account_id, region, function_name, payload, attempts, received_at, due_at, qualifier, executed_version
     FROM lambda_async_events ORDER BY due_at`,
  );
  const now = Date.now();
  for (const row of rows) await enqueue(tx, asyncEventJob(eventOf(row), Number(row.due_at)), now);
  await tx.exec("DROP TABLE lambda_async_events");
}

export const asyncEventsOntoQueue: Migration = {
  id: 406,
  name: "functions: pending asynchronous events become work-queue jobs",
  up: moveEventsOntoQueue,
  // It writes with the queue's own enqueue, so the queue's table must be there and complete: a
  // store from before the queue has functions' steps ahead of the queue's 600.
  after: queueMigrations.map((migration) => migration.id),
};
