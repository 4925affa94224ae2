/**
 * `Invoke` (`POST /2015-03-31/functions/{FunctionName}/invocations`): the synchronous path. The
 * payload goes to an execution environment; the result comes back as the body, with a failure
 * reported in `X-Amz-Function-Error` and the log tail in `X-Amz-Log-Result`, as Lambda does.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../ops/index.js";
import { AwsError, type RequestContext, type RestRequest, type RestResponse } from "../protocol/index.js";
import type { WorkQueue } from "../queue/index.js";
import type { Store } from "../store/index.js";
import { asyncEventJob, newAsyncEvent } from "./async/index.js";
import type { ConcurrencyGate, EnvironmentPool, FunctionMetrics } from "./execution/index.js";
import { recordInvocationLog, specOf } from "./execution/index.js";
import { lambdaErrors } from "./lambda-errors.js";
import type { FunctionTarget } from "./records/index.js";

/** Lambda's request limits: 6 MB for a synchronous invocation, 1 MB for an asynchronous one. */
export const payloadLimits = { sync: 6 * 1024 * 1024, async: 1024 * 1024 } as const;
const logTailBytes = 4096;

export const invocationTypes = ["RequestResponse", "Event", "DryRun"] as const;

/** The last 4 KB of a log, cut at a character boundary, base64-encoded. */
export function logTail(log: string): string {
  const bytes = Buffer.from(log, "utf8");
  let start = Math.max(0, bytes.length - logTailBytes);
  // Skip continuation bytes so the tail starts on a whole UTF-8 character.
  while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString("base64");
}

function checkPayload(body: Buffer): void {
  if (body.length === 0) return;
  try {
    JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new AwsError(
      "InvalidRequestContentException",
      `Could not parse request body into json: ${error instanceof Error ? error.message : "not JSON"}`,
      400,
    );
  }
}

export interface InvokeDependencies {
  readonly store: Store;
  readonly pool: EnvironmentPool;
  readonly gate: ConcurrencyGate;
  /** Where `Event` invocations go, as jobs. */
  readonly queue: WorkQueue;
  readonly metrics: FunctionMetrics;
  readonly logger?: Logger;
}

export async function invokeFunction(
  deps: InvokeDependencies,
  target: FunctionTarget,
  req: RestRequest,
  ctx: RequestContext,
): Promise<RestResponse> {
  const { pool, gate } = deps;
  const { record, version } = target;
  const type = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
  if (!(invocationTypes as readonly string[]).includes(type)) {
    throw lambdaErrors.validation(
      "invocationType",
      type,
      `Member must satisfy enum value set: [${invocationTypes.join(", ")}]`,
    );
  }
  const limit = type === "Event" ? payloadLimits.async : payloadLimits.sync;
  if (req.body.length > limit) {
    throw new AwsError(
      "RequestEntityTooLargeException",
      `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
      413,
    );
  }
  checkPayload(req.body);
  if (type === "DryRun") return { status: 204 };
  if (type === "Event") {
    // Durable before acknowledged: the 202 goes out only once the event's job is committed.
    const payload = req.body.length === 0 ? "{}" : req.body.toString("utf8");
    const scope = { accountId: ctx.caller.accountId, region: ctx.region };
    const event = newAsyncEvent(scope, record.name, target, payload);
    await ctx.transaction((tx) => deps.queue.enqueue(tx, asyncEventJob(event)));
    deps.queue.wake();
    return { status: 202 };
  }
  const clientContext = req.headers["x-amz-client-context"];
  let release: () => void;
  try {
    release = gate.acquire(record.arn, record.reservedConcurrency);
  } catch (error) {
    deps.metrics.throttled(record.name);
    throw error;
  }
  let result: Awaited<ReturnType<EnvironmentPool["invoke"]>>;
  try {
    result = await pool.invoke(specOf(record, version), {
      payload: req.body.length === 0 ? Buffer.from("{}") : req.body,
      requestId: randomUUID(),
      invokedFunctionArn: target.arn,
      ...(typeof clientContext === "string" ? { clientContext } : {}),
    });
  } finally {
    release();
  }
  deps.metrics.invoked(record.name, "RequestResponse", result);
  recordInvocationLog(
    deps.store,
    { accountId: ctx.caller.accountId, region: ctx.region },
    record,
    result,
    deps.logger,
  );
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-amz-executed-version": version,
  };
  if (result.functionError) headers["x-amz-function-error"] = result.functionError;
  if (String(req.headers["x-amz-log-type"] ?? "None") === "Tail")
    headers["x-amz-log-result"] = logTail(result.log);
  return { status: 200, headers, body: result.payload };
}
