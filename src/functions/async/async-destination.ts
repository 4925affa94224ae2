/**
 * Where an asynchronous invocation's outcome goes: the OnSuccess / OnFailure destination gets a
 * record in Lambda's format, in the transaction that completes the attempt, so it is handed over
 * exactly once — to a function as an event of it, to an EventBridge bus as an event on it.
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

/**
 * An event another service puts on an EventBridge bus: the fields of its envelope the sender
 * chooses (EventBridge fills in the rest).
 */
export interface BusEvent {
  readonly source: string;
  readonly detailType: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
  /** `detail` as JSON, as the sender serialised it once. */
  readonly detailText: string;
}

/**
 * Puts `event` on the bus `busArn` names, in `tx` (the events subsystem provides it), and says
 * how that went: put; refused for its size (EventBridge's 256 KB entry limit); or taken by no bus,
 * as one that does not exist takes an event on AWS.
 */
export type PutOnBus = (
  tx: SqlExecutor,
  busArn: string,
  event: BusEvent,
) => Promise<"put" | "too large" | "no such bus">;

/** What Lambda's destination events are called on EventBridge, by how the invocation ended. */
const resultDetailType: Readonly<Record<Condition, string>> = {
  Success: "Lambda Function Invocation Result - Success",
  RetriesExhausted: "Lambda Function Invocation Result - Failure",
  EventAgeExceeded: "Lambda Function Invocation Result - Failure",
};

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
): Record<string, unknown> {
  return {
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
  };
}

export interface RecordDelivery {
  readonly queue: WorkQueue;
  readonly logger: Logger;
  /** How records reach a bus; undefined while Jeff has no event bus. */
  readonly putOnBus: () => PutOnBus | undefined;
}

/**
 * Hands the destination record of `event` (which ended as `condition`) to `destinationArn`, in
 * `tx`: to a function (`…:lambda:…`) as an asynchronous invocation, to a bus (`…:events:…`) as
 * an event from `lambda` whose resources are the bus and the function's ARN as it was invoked
 * (with its qualifier, `$LATEST` when none). Answers whether the destination took the record; one
 * it did not is logged once the transaction commits (Lambda counts it in DestinationDeliveryFailures).
 */
export async function deliverRecord(
  tx: SqlExecutor,
  delivery: RecordDelivery,
  event: AsyncEvent,
  condition: Condition,
  record: Record<string, unknown>,
  destinationArn: string,
): Promise<boolean> {
  let recordText: string;
  try {
    recordText = JSON.stringify(record);
  } catch (error) {
    // A response nested deeper than JSON.stringify can follow (a hostile function's, under 6 MB)
    // cannot become a record: a delivery failure, not a job retried to its dead letter.
    if (!(error instanceof RangeError)) throw error;
    tx.afterCommit(() =>
      delivery.logger.warn("dropping a destination record: the response is nested too deeply to send", {
        requestId: event.requestId,
        destination: destinationArn,
      }),
    );
    return false;
  }
  if (destinationArn.split(":")[2] === "events") {
    const putOnBus = delivery.putOnBus();
    if (putOnBus === undefined) {
      tx.afterCommit(() =>
        delivery.logger.warn("dropping a destination record: this Jeff has no event bus", {
          requestId: event.requestId,
          destination: destinationArn,
        }),
      );
      return false;
    }
    const requestContext = record.requestContext as { functionArn: string };
    const outcome = await putOnBus(tx, destinationArn, {
      source: "lambda",
      detailType: resultDetailType[condition],
      resources: [destinationArn, requestContext.functionArn],
      detail: record,
      detailText: recordText,
    });
    // As on Lambda, a record the destination cannot take is not delivered (a delivery failure).
    if (outcome !== "put") {
      tx.afterCommit(() =>
        delivery.logger.warn(
          outcome === "too large"
            ? "dropping a destination record: it is over EventBridge's 256 KB entry limit"
            : "dropping a destination record: the bus does not exist",
          { requestId: event.requestId, destination: destinationArn },
        ),
      );
    }
    return outcome === "put";
  }
  return invokeDestination(tx, delivery, event, destinationArn, recordText);
}

/**
 * Enqueues `recordText` as an asynchronous invocation of the destination: `$LATEST`, or the version
 * or alias its ARN names, with the version chosen now (an alias's weights applied, as for any
 * event) and the qualifier's own retries and destinations. A destination that is gone is logged
 * and skipped: the record has nowhere to go, and the event it describes is finished.
 */
async function invokeDestination(
  tx: SqlExecutor,
  { queue, logger }: RecordDelivery,
  event: AsyncEvent,
  destinationArn: string,
  recordText: string,
): Promise<boolean> {
  const [, , , region = event.region, accountId = event.accountId, , name = "", qualifier] =
    destinationArn.split(":");
  const scope = { accountId, region };
  let target: FunctionTarget;
  try {
    target = await resolveTarget(tx, scope, { name, ...(qualifier ? { qualifier } : {}) }, { route: true });
  } catch (error) {
    if (!isAwsError(error)) throw error;
    tx.afterCommit(() =>
      logger.warn("dropping a destination record: the destination does not exist", {
        requestId: event.requestId,
        destination: destinationArn,
      }),
    );
    return false;
  }
  const delivery = newAsyncEvent(scope, name, target, recordText);
  await queue.enqueue(tx, asyncEventJob(delivery));
  return true;
}
