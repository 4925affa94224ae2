/**
 * Where an asynchronous invocation's outcome goes: the OnSuccess / OnFailure destination gets a
 * record in Lambda's format, handed over as an event of the destination function — enqueued in
 * the transaction that completes the attempt, so it is handed over exactly once.
 */
import type { Logger } from "../../ops/index.js";
import { isAwsError } from "../../protocol/index.js";
import type { WorkQueue } from "../../queue/index.js";
import type { SqlExecutor } from "../../store/index.js";
import type { InvocationResult } from "../execution/index.js";
import type { FunctionRecord } from "../records/index.js";
import { type FunctionTarget, resolveTarget } from "../records/index.js";
import { type AsyncEvent, asyncEventJob, newAsyncEvent } from "./async-event.js";

export type Condition = "Success" | "RetriesExhausted" | "EventAgeExceeded";

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Lambda's destination record: what ran, how it ended, and (when it ran) what it returned. */
export function destinationRecord(
  event: AsyncEvent,
  record: FunctionRecord,
  condition: Condition,
  result: InvocationResult | undefined,
  now: Date = new Date(),
): string {
  return JSON.stringify({
    version: "1.0",
    timestamp: now.toISOString(),
    requestContext: {
      requestId: event.requestId,
      functionArn: `${record.arn}:${event.qualifier ?? "$LATEST"}`,
      condition,
      approximateInvokeCount: event.invocations,
    },
    requestPayload: parseJson(event.payload),
    ...(result
      ? {
          responseContext: {
            statusCode: 200,
            executedVersion: event.version,
            ...(result.functionError ? { functionError: result.functionError } : {}),
          },
          responsePayload: parseJson(new TextDecoder().decode(result.payload)),
        }
      : {}),
  });
}

/**
 * Enqueues `recordText` as an asynchronous invocation of the destination: `$LATEST`, or the version
 * or alias its ARN names, with the version chosen now (an alias's weights applied, as for any
 * event) and the qualifier's own retries and destinations. A destination that is gone is logged
 * and skipped: the record has nowhere to go, and the event it describes is finished.
 */
export async function deliverRecord(
  tx: SqlExecutor,
  queue: WorkQueue,
  logger: Logger,
  event: AsyncEvent,
  destinationArn: string,
  recordText: string,
): Promise<void> {
  const [, , , region = event.region, accountId = event.accountId, , name = "", qualifier] =
    destinationArn.split(":");
  const scope = { accountId, region };
  let target: FunctionTarget;
  try {
    target = await resolveTarget(tx, scope, { name, ...(qualifier ? { qualifier } : {}) }, { route: true });
  } catch (error) {
    if (!isAwsError(error)) throw error;
    logger.warn("dropping a destination record: the destination does not exist", {
      requestId: event.requestId,
      destination: destinationArn,
    });
    return;
  }
  const delivery = newAsyncEvent(scope, name, target, recordText);
  await queue.enqueue(tx, asyncEventJob(delivery));
}
