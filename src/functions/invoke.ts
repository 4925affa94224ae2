/**
 * Invoking a function: the one path every invocation that starts now takes, whoever asks — the
 * Lambda API's `Invoke`, or another subsystem delivering an event to a function. The payload is
 * checked against Lambda's limits; `RequestResponse` runs it in an execution environment within the
 * account's and the function's concurrency (a throttle is counted and thrown), counts it in the
 * metrics and writes its log; `Event` commits it as a job on the work queue (async/), which runs
 * it later with Lambda's retries; `DryRun` stops after the checks.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../ops/index.js";
import { AwsError, type CallTransaction } from "../protocol/index.js";
import type { WorkQueue } from "../queue/index.js";
import type { Store } from "../store/index.js";
import { asyncEventJob, newAsyncEvent } from "./async/index.js";
import type {
  ConcurrencyGate,
  EnvironmentPool,
  FunctionMetrics,
  InvocationResult,
} from "./execution/index.js";
import { recordInvocationLog, specOf } from "./execution/index.js";
import { payloadJsonError } from "./payload-json.js";
import type { FunctionTarget } from "./records/index.js";

/** Lambda's request limits: 6 MB for a synchronous invocation, 1 MB for an asynchronous one. */
export const payloadLimits = { sync: 6 * 1024 * 1024, async: 1024 * 1024 } as const;

/** Lambda's `InvocationType`s. */
export const invocationTypes = ["RequestResponse", "Event", "DryRun"] as const;
export type InvocationType = (typeof invocationTypes)[number];

export interface InvokeOptions {
  /** Lambda's `ClientContext` (base64 JSON), handed to a `RequestResponse` invocation. */
  readonly clientContext?: string | undefined;
  /**
   * The transaction an `Event` is committed in. The Lambda API passes its call's, so the event and
   * the call's audit record commit together; by default the event commits in one of its own.
   */
  readonly transaction?: CallTransaction;
  /**
   * The invocation's request id: Lambda's Invoke answers with the id its function runs under (in
   * `x-amzn-RequestId`, the context's `aws_request_id` and every log line), so the API passes its
   * call's. A new one by default.
   */
  readonly requestId?: string;
}

/** How an invocation ended, for its caller. */
export type InvokeOutcome =
  /** It ran: the result (a function error is in `result.functionError`), and the version that ran. */
  | {
      readonly type: "RequestResponse";
      readonly result: InvocationResult;
      readonly executedVersion: string;
    }
  /** It is queued, durably: the queue runs it with Lambda's retries. */
  | { readonly type: "Event"; readonly requestId: string }
  /** It would have been allowed to run. */
  | { readonly type: "DryRun" };

/**
 * Invokes `target` (resolved by `resolveTarget`, with `route: true` for an alias's weights) with
 * `payload` (JSON text; empty means `{}`). Throws the Lambda API's errors: a payload too large or
 * not JSON, and `TooManyRequestsException` when the function or the account is at its concurrency.
 */
export type Invoke = (
  target: FunctionTarget,
  payload: Buffer,
  type: InvocationType,
  options?: InvokeOptions,
) => Promise<InvokeOutcome>;

/** What invoking needs of the running subsystem; `subsystem.ts` builds it once. */
export interface InvokeDependencies {
  readonly store: Store;
  readonly pool: EnvironmentPool;
  readonly gate: ConcurrencyGate;
  /** Where `Event` invocations go, as jobs. */
  readonly queue: WorkQueue;
  readonly metrics: FunctionMetrics;
  /** Where failures that reach no caller go (an invocation's log lines that could not be written). */
  readonly logger?: Logger;
}

function checkPayload(body: Buffer, type: InvocationType): void {
  const limit = type === "Event" ? payloadLimits.async : payloadLimits.sync;
  if (body.length > limit) {
    throw new AwsError(
      "RequestEntityTooLargeException",
      `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
      413,
    );
  }
  if (body.length === 0) return;
  const notJson = payloadJsonError(body);
  if (notJson !== undefined) throw new AwsError("InvalidRequestContentException", notJson, 400);
}

/** The one `invoke` of a running functions subsystem. */
export function createInvoke(deps: InvokeDependencies): Invoke {
  const { store, pool, gate, queue, metrics, logger } = deps;
  return async (target, payload, type, options = {}) => {
    const { record, version, scope } = target;
    checkPayload(payload, type);
    if (type === "DryRun") return { type };
    if (type === "Event") {
      // Durable before acknowledged: the caller hears of it only once the event's job is committed.
      const event = newAsyncEvent(
        scope,
        record.name,
        target,
        payload.length === 0 ? "{}" : payload.toString("utf8"),
        Date.now(),
        options.requestId,
      );
      const transaction: CallTransaction = options.transaction ?? ((work) => store.transaction(work));
      await transaction((tx) => queue.enqueue(tx, asyncEventJob(event)));
      queue.wake();
      return { type, requestId: event.requestId };
    }
    let release: () => void;
    try {
      release = gate.acquire(record.arn, record.reservedConcurrency);
    } catch (error) {
      metrics.throttled(record.name);
      throw error;
    }
    let result: InvocationResult;
    try {
      result = await pool.invoke(specOf(record, version), {
        payload: payload.length === 0 ? Buffer.from("{}") : payload,
        requestId: options.requestId ?? randomUUID(),
        invokedFunctionArn: target.arn,
        clientContext: options.clientContext,
      });
    } finally {
      release();
    }
    metrics.invoked(record.name, "RequestResponse", result);
    recordInvocationLog(store, scope, record, result, logger);
    return { type, result, executedVersion: version };
  };
}
