/**
 * One call as the edge hands it on: the call the operation runner authorises and records, and
 * (once the runner gives it its transaction) the handler's context — one object per request,
 * rather than a copy for each of those roles.
 */
import type { Caller, CallTransaction, RequestContext } from "./service.js";

const noTransaction: CallTransaction = () =>
  Promise.reject(new Error("the call's transaction is given by the operation runner"));

export class EdgeCall implements RequestContext {
  /** Set by the operation runner before the handler runs. */
  transaction: CallTransaction = noTransaction;

  constructor(
    readonly requestId: string,
    readonly caller: Caller,
    readonly region: string,
    readonly service: string,
    readonly operation: string,
    readonly sourceIPAddress: string,
    readonly userAgent: string,
  ) {}
}

/** What the edge counts a request under: noted as soon as each is known, so a failure counts too. */
export class RequestLabel {
  operation = "unknown";
  service = "unknown";
}
