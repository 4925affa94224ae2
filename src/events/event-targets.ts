/**
 * The kinds of target an event can be delivered to, by the ARN's service (and, for EventBridge's
 * own, its resource type): `lambda`, `events:event-bus`, `events:api-destination` here, and
 * whatever other subsystems register — workflows will register `states` for state machines. One
 * registry, so a delivery never needs to know what kinds exist.
 */
import type { SqlExecutor } from "../store/index.js";
import type { EventsScope } from "./bus-records.js";
import type { EventEnvelope } from "./put-events.js";
import type { TargetDefinition } from "./rule-records.js";

/** Why a hand-over failed, in the words of AWS's dead-letter attributes (`NO_RESOURCE`, `THROTTLING`, …). */
export class TargetFailure extends Error {
  override readonly name = "TargetFailure";
  constructor(
    readonly errorCode: string,
    message: string,
    /** False for failures no retry can mend (the target does not exist). */
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

/** What a target's handler gets: the event, the text the target receives, and how to finish. */
export interface TargetHandOver {
  readonly target: TargetDefinition;
  /** The target's input, shaped by its Input, InputPath or InputTransformer. */
  readonly input: string;
  /** The event itself (a bus target takes it whole). */
  readonly event: EventEnvelope;
  /** The rule's account and Region. */
  readonly scope: EventsScope;
  readonly ruleArn: string;
  /**
   * Completes the delivery in `tx`. A handler that commits something (a queued invocation) calls
   * it in that same transaction, so the hand-over happens once; one that cannot (an HTTP request)
   * calls it in a transaction of its own once the target accepted.
   */
  readonly complete: (tx: SqlExecutor) => Promise<void>;
}

/** Hands the event over and completes the delivery, or throws (a TargetFailure says how). */
export type TargetHandler = (handOver: TargetHandOver) => Promise<void>;

/** The kind of target an ARN names: its service, or `events:<resource type>` for EventBridge's. */
export function targetKindOf(arn: string): string {
  const [, , service = "", , , ...rest] = arn.split(":");
  if (service !== "events") return service;
  const resource = rest.join(":");
  return `events:${resource.slice(0, resource.indexOf("/") === -1 ? resource.length : resource.indexOf("/"))}`;
}

export class EventTargets {
  readonly #handlers = new Map<string, TargetHandler>();

  /** Registers the handler of a kind (`states`, …); a kind registered twice is a programming error. */
  register(kind: string, handler: TargetHandler): this {
    if (this.#handlers.has(kind)) throw new Error(`event targets of kind ${kind} are already handled`);
    this.#handlers.set(kind, handler);
    return this;
  }

  handlerFor(arn: string): TargetHandler | undefined {
    return this.#handlers.get(targetKindOf(arn));
  }
}
