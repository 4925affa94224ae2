/**
 * An invocation another service makes — EventBridge delivering an event to a function — as AWS
 * makes it: asynchronous (`Event`), on the call path as Lambda's `Invoke` invoked by that service,
 * so that it is authorised and, when a trail selects data events, recorded like any call.
 */
import { callOnBehalf } from "../../operations/index.js";
import type { OperationRunner } from "../../protocol/index.js";
import type { SqlExecutor, Store } from "../../store/index.js";
import type { Invoke } from "../invoke.js";
import { type FunctionCache, parseFunctionName, resolveTarget } from "../records/index.js";
import { functionWrites } from "./lambda-request.js";

export interface OnBehalfInvocation {
  /** The function's ARN, unqualified or with a version or alias. */
  readonly functionArn: string;
  /** JSON text. */
  readonly payload: Buffer;
  /** The calling service's principal, e.g. `events.amazonaws.com`. */
  readonly invokedBy: string;
  /**
   * Work that commits with the queued event, in its transaction: the caller completing its own
   * job, so that the hand-over happens exactly once.
   */
  readonly alsoCommit?: (tx: SqlExecutor) => Promise<void>;
}

/** Queues the invocation durably; throws Lambda's errors (a missing function, a payload too large). */
export type InvokeOnBehalf = (invocation: OnBehalfInvocation) => Promise<{ readonly requestId: string }>;

export function invokeOnBehalf(
  store: Store,
  calls: OperationRunner,
  invoke: Invoke,
  functions?: FunctionCache,
): InvokeOnBehalf {
  return async ({ functionArn, payload, invokedBy, alsoCommit }) => {
    const reference = parseFunctionName(functionArn);
    const accountId = reference.accountId;
    const region = reference.region;
    if (accountId === undefined || region === undefined) {
      throw new TypeError(`not a function ARN: ${functionArn}`);
    }
    const target = await resolveTarget(store, { accountId, region }, reference, {
      route: true,
      ...(functions ? { functions } : {}),
    });
    return callOnBehalf(
      calls,
      { caller: undefined, accountId, region, service: "lambda", operation: "Invoke", invokedBy },
      functionWrites.Invoke,
      { FunctionName: functionArn, InvocationType: "Event" },
      async (transaction) => {
        const outcome = await invoke(target, payload, "Event", {
          transaction: (work) =>
            transaction(async (tx) => {
              const result = await work(tx);
              await alsoCommit?.(tx);
              return result;
            }),
        });
        if (outcome.type !== "Event") throw new TypeError("an Event invocation answered as another");
        return { requestId: outcome.requestId };
      },
    );
  };
}
