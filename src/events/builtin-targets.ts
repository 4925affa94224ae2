/**
 * The kinds of target EventBridge itself delivers to: functions (`lambda`) and other buses
 * (`events:event-bus`); API destinations are in `api-destination-delivery.ts`.
 */
import type { InvokeOnBehalf } from "../functions/index.js";
import { isAwsError } from "../protocol/index.js";
import type { Store } from "../store/index.js";
import { busNameOf } from "./bus-records.js";
import { TargetFailure, type TargetHandler } from "./event-targets.js";
import { type RoutingContext, routeEvent } from "./put-events.js";

/** EventBridge's principal, as CloudTrail shows the calls it makes. */
export const eventsPrincipal = "events.amazonaws.com";

/**
 * A function (a version or alias too): an asynchronous Invoke on the call path as
 * `events.amazonaws.com`, whose queued invocation commits with the delivery's completion.
 * `invokeOnBehalf` is there once the functions subsystem is open.
 */
export function functionTargets(invokeOnBehalf: () => InvokeOnBehalf | undefined): TargetHandler {
  return async ({ target, input, complete }) => {
    const invoke = invokeOnBehalf();
    if (invoke === undefined) throw new TargetFailure("SDK_CLIENT_ERROR", "functions are not running", true);
    try {
      await invoke({
        functionArn: target.Arn,
        payload: Buffer.from(input),
        invokedBy: eventsPrincipal,
        alsoCommit: complete,
      });
    } catch (error) {
      // As on AWS, a target that does not exist is not retried: the event goes to the
      // dead-letter queue at once.
      if (isAwsError(error) && error.code === "ResourceNotFoundException") {
        throw new TargetFailure("NO_RESOURCE", error.message, false);
      }
      if (isAwsError(error) && error.code === "TooManyRequestsException") {
        throw new TargetFailure("THROTTLING", error.message, true);
      }
      if (isAwsError(error) && error.status < 500) {
        throw new TargetFailure("INVALID_PARAMETER", `${error.code}: ${error.message}`, false);
      }
      throw error;
    }
  };
}

/** Another bus: the event itself, matched against that bus's rules, routed with the completion. */
export function busTargets(store: Store, routing: RoutingContext): TargetHandler {
  return async ({ target, event, complete }) => {
    const [, , , region = "", accountId = ""] = target.Arn.split(":");
    await store.transaction(async (tx) => {
      await routeEvent(tx, routing, { accountId, region }, busNameOf(target.Arn), event, Date.now());
      await complete(tx);
    });
    routing.queue.wake();
  };
}
