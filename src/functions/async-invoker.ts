/**
 * Asynchronous invocation, as Lambda does it: an `Event` invoke is committed to the store before
 * the caller hears 202, then run at least once; a failure is retried (MaximumRetryAttempts, with
 * backoff) until it succeeds, runs out of retries or grows older than MaximumEventAgeInSeconds,
 * and the outcome goes to the OnSuccess / OnFailure destination in Lambda's record format.
 * Work is claimed with a lease, so an event a crash interrupted runs again after the restart.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../ops/index.js";
import { isAwsError } from "../protocol/index.js";
import type { SqlExecutor, Store } from "../store/index.js";
import type { ConcurrencyGate } from "./concurrency-gate.js";
import type { EnvironmentPool, InvocationResult } from "./environment-pool.js";
import { asyncDefaults, type EventInvokeConfig, findEventInvokeConfig } from "./event-invoke-config.js";
import type { FunctionMetrics } from "./function-metrics.js";
import type { FunctionRecord, FunctionScope } from "./function-records.js";
import { specOf } from "./function-spec.js";
import { type FunctionTarget, resolveTarget, resolveVersion } from "./function-target.js";
import { recordInvocationLog } from "./invocation-log.js";

export interface AsyncInvokerOptions {
  readonly store: Store;
  readonly pool: EnvironmentPool;
  readonly gate: ConcurrencyGate;
  readonly logger: Logger;
  readonly metrics: FunctionMetrics;
  /** The wait before retry number `attempt` (1-based); Lambda waits about a minute, then two. */
  readonly retryDelayMs: (attempt: number) => number;
  /** Events run at once at most; the rest wait their turn. */
  readonly maxParallel?: number;
}

interface EventRow {
  event_id: string;
  account_id: string;
  region: string;
  function_name: string;
  payload: Uint8Array;
  attempts: number;
  received_at: number;
  /** As invoked: `$LATEST`, a version or an alias; null when unqualified. */
  qualifier: string | null;
  /** The version chosen when the event was accepted (null: `$LATEST`); every attempt runs it. */
  executed_version: string | null;
}

/** Which version an event runs, and the qualifier it was invoked with (for its ARN and configuration). */
export interface EventTarget {
  readonly qualifier?: string;
  readonly version: string;
}

type Condition = "Success" | "RetriesExhausted" | "EventAgeExceeded";

/** How long a claimed event stays claimed; longer than any function may run (900 s). */
const leaseMs = 20 * 60_000;
/** How soon a throttled event is tried again. */
const throttleDelayMs = 1000;
/** How often to look for due work when nothing wakes the loop sooner. */
const idlePollMs = 1000;

/** Records an event to run; call inside the transaction that acknowledges it. */
export async function enqueueEvent(
  db: SqlExecutor,
  scope: FunctionScope,
  functionName: string,
  payload: Uint8Array,
  target: EventTarget = { version: "$LATEST" },
): Promise<string> {
  const eventId = randomUUID();
  const now = Date.now();
  await db.run(
    `INSERT INTO lambda_async_events (event_id, account_id, region, function_name, payload, attempts, received_at, due_at, lease_until, qualifier, executed_version)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?, NULL, ?, ?)`,
    [
      eventId,
      scope.accountId,
      scope.region,
      functionName,
      payload,
      now,
      now,
      target.qualifier ?? null,
      target.version,
    ],
  );
  return eventId;
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return new TextDecoder().decode(bytes);
  }
}

export class AsyncInvoker {
  private readonly running = new Set<Promise<void>>();
  private stopped = true;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: AsyncInvokerOptions) {}

  /** Starts running due events. Claims left by a previous process are released first. */
  async start(): Promise<void> {
    await this.options.store.run(
      "UPDATE lambda_async_events SET lease_until = NULL WHERE lease_until IS NOT NULL",
    );
    this.stopped = false;
    this.loop = this.run();
  }

  /** There may be new work: look now rather than at the next poll. */
  nudge(): void {
    this.wake?.();
  }

  /** Stops claiming work and waits for the events already running. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.nudge();
    await this.loop;
    await Promise.allSettled([...this.running]);
  }

  private async run(): Promise<void> {
    const maxParallel = this.options.maxParallel ?? 16;
    while (!this.stopped) {
      const free = maxParallel - this.running.size;
      const batch = free > 0 ? await this.claim(free) : [];
      for (const event of batch) {
        const task = this.process(event).catch((error: unknown) =>
          this.options.logger.error("asynchronous invocation failed unexpectedly", {
            eventId: event.event_id,
            error,
          }),
        );
        this.running.add(task);
        void task.finally(() => {
          this.running.delete(task);
          this.nudge();
        });
      }
      if (batch.length === 0 || this.running.size >= maxParallel) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idlePollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  private claim(limit: number): Promise<EventRow[]> {
    return this.options.store.transaction(async (tx) => {
      const now = Date.now();
      const rows = await tx.all<EventRow>(
        `SELECT event_id, account_id, region, function_name, payload, attempts, received_at, qualifier, executed_version FROM lambda_async_events
         WHERE due_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY due_at LIMIT ?`,
        [now, now, limit],
      );
      for (const row of rows) {
        await tx.run("UPDATE lambda_async_events SET lease_until = ? WHERE event_id = ?", [
          now + leaseMs,
          row.event_id,
        ]);
      }
      return rows;
    });
  }

  private async process(event: EventRow): Promise<void> {
    const { store, pool, gate, logger } = this.options;
    const scope = { accountId: event.account_id, region: event.region };
    const version = event.executed_version ?? "$LATEST";
    const resolved = await resolveVersion(store, scope, event.function_name, version);
    if (!resolved) {
      logger.warn("dropping an event for a function or version that no longer exists", {
        eventId: event.event_id,
        function: event.function_name,
        version,
      });
      await store.run("DELETE FROM lambda_async_events WHERE event_id = ?", [event.event_id]);
      return;
    }
    const { record } = resolved;
    const config: EventInvokeConfig =
      (await findEventInvokeConfig(store, scope, record.name, event.qualifier ?? "$LATEST")) ?? asyncDefaults;
    if (Date.now() - Number(event.received_at) > config.maximumEventAgeSeconds * 1000) {
      await this.finish(event, record, "EventAgeExceeded", undefined, config.onFailure);
      return;
    }
    let release: () => void;
    try {
      release = gate.acquire(record.arn, record.reservedConcurrency);
    } catch (error) {
      if (!isAwsError(error)) throw error;
      // Throttled: not an attempt. Try again shortly, as Lambda requeues throttled events.
      await store.run("UPDATE lambda_async_events SET due_at = ?, lease_until = NULL WHERE event_id = ?", [
        Date.now() + throttleDelayMs,
        event.event_id,
      ]);
      return;
    }
    let result: InvocationResult;
    try {
      result = await pool.invoke(specOf(record, version), {
        payload: Buffer.from(event.payload),
        requestId: event.event_id,
        invokedFunctionArn: event.qualifier ? `${record.arn}:${event.qualifier}` : record.arn,
      });
    } catch (error) {
      if (this.stopped) return; // shutting down: the lease lapses and the next start runs it again
      throw error;
    } finally {
      release();
    }
    this.options.metrics.invoked(record.name, "Event", result);
    recordInvocationLog(store, scope, record, result, this.options.logger);
    const attempts = Number(event.attempts) + 1;
    if (!result.functionError) {
      await this.finish({ ...event, attempts }, record, "Success", result, config.onSuccess);
    } else if (attempts > config.maximumRetryAttempts) {
      await this.finish({ ...event, attempts }, record, "RetriesExhausted", result, config.onFailure);
    } else {
      await store.run(
        "UPDATE lambda_async_events SET attempts = ?, due_at = ?, lease_until = NULL WHERE event_id = ?",
        [attempts, Date.now() + this.options.retryDelayMs(attempts), event.event_id],
      );
    }
  }

  /** Removes the event and, in the same transaction, hands its record to the destination. */
  private async finish(
    event: EventRow,
    record: FunctionRecord,
    condition: Condition,
    result: InvocationResult | undefined,
    destinationArn: string | undefined,
  ): Promise<void> {
    await this.options.store.transaction(async (tx) => {
      await tx.run("DELETE FROM lambda_async_events WHERE event_id = ?", [event.event_id]);
      if (!destinationArn) return;
      const destination = {
        version: "1.0",
        timestamp: new Date().toISOString(),
        requestContext: {
          requestId: event.event_id,
          functionArn: `${record.arn}:${event.qualifier ?? "$LATEST"}`,
          condition,
          approximateInvokeCount: Number(event.attempts),
        },
        requestPayload: parseJson(event.payload),
        ...(result
          ? {
              responseContext: {
                statusCode: 200,
                executedVersion: event.executed_version ?? "$LATEST",
                ...(result.functionError ? { functionError: result.functionError } : {}),
              },
              responsePayload: parseJson(result.payload),
            }
          : {}),
      };
      await this.deliver(tx, event, destinationArn, new TextEncoder().encode(JSON.stringify(destination)));
    });
    if (destinationArn) this.nudge();
  }

  /**
   * Queues a destination record as an asynchronous invocation of the destination: `$LATEST`, or
   * the version or alias its ARN names, with the version chosen now (an alias's weights applied, as
   * for any event) and the qualifier's own retries and destinations. A destination that is gone is
   * logged and skipped: the record has nowhere to go, and the event it describes is finished.
   */
  private async deliver(
    tx: SqlExecutor,
    event: EventRow,
    destinationArn: string,
    record: Uint8Array,
  ): Promise<void> {
    const [, , , region = event.region, accountId = event.account_id, , name = "", qualifier] =
      destinationArn.split(":");
    const scope = { accountId, region };
    let target: FunctionTarget;
    try {
      target = await resolveTarget(tx, scope, { name, ...(qualifier ? { qualifier } : {}) }, { route: true });
    } catch (error) {
      if (!isAwsError(error)) throw error;
      this.options.logger.warn("dropping a destination record: the destination does not exist", {
        eventId: event.event_id,
        destination: destinationArn,
      });
      return;
    }
    await enqueueEvent(tx, scope, name, record, {
      version: target.version,
      ...(target.qualifier !== undefined ? { qualifier: target.qualifier } : {}),
    });
  }
}
