/**
 * An asynchronous invocation as the work queue holds it: one job of kind `lambda.async-invoke` per
 * attempt, whose payload is the whole event. Nothing else is kept: the job is the event, so the
 * event exists if and only if the transaction that accepted it committed.
 */
import { randomUUID } from "node:crypto";
import { type NewJob, NonRetriableError } from "../../queue/index.js";
import type { FunctionScope } from "../records/index.js";

export const asyncInvokeKind = "lambda.async-invoke";

export interface AsyncEvent {
  readonly accountId: string;
  readonly region: string;
  readonly functionName: string;
  /** As invoked: `$LATEST`, a version or an alias; absent when unqualified. */
  readonly qualifier?: string;
  /** The version chosen when the event was accepted (an alias's weights applied then): every attempt runs it. */
  readonly version: string;
  /** The invocation's request id, the same on every attempt. */
  readonly requestId: string;
  /** The event as the caller sent it: JSON text. */
  readonly payload: string;
  /** When it was accepted (ms since the epoch): MaximumEventAgeInSeconds counts from here. */
  readonly receivedAt: number;
  /**
   * Attempts that ran to an outcome so far: Lambda's `approximateInvokeCount`. An attempt a crash
   * or a stop interrupted is not one, as it never was before the queue.
   */
  readonly invocations: number;
}

/** Which version an event runs, and the qualifier it was invoked with (for its ARN and configuration). */
export interface EventTarget {
  readonly qualifier?: string;
  readonly version: string;
}

/** A new event, not yet tried. */
export function newAsyncEvent(
  scope: FunctionScope,
  functionName: string,
  target: EventTarget,
  payload: string,
  now: number = Date.now(),
  requestId: string = randomUUID(),
): AsyncEvent {
  return {
    accountId: scope.accountId,
    region: scope.region,
    functionName,
    ...(target.qualifier !== undefined ? { qualifier: target.qualifier } : {}),
    version: target.version,
    requestId,
    payload,
    receivedAt: now,
    invocations: 0,
  };
}

/** The job that runs the event's next attempt, at `runAt` (default now). */
export function asyncEventJob(event: AsyncEvent, runAt?: number): NewJob {
  return { kind: asyncInvokeKind, payload: event, ...(runAt !== undefined ? { runAt } : {}) };
}

const textFields = ["accountId", "region", "functionName", "version", "requestId", "payload"] as const;
const numberFields = ["receivedAt", "invocations"] as const;

/** A job's payload as an event; one that is not (written by something else) can never run. */
export function asAsyncEvent(payload: unknown): AsyncEvent {
  const fields = (payload ?? {}) as Record<string, unknown>;
  const wrong = [
    ...textFields.filter((field) => typeof fields[field] !== "string"),
    ...numberFields.filter((field) => !Number.isFinite(fields[field])),
    ...(fields.qualifier !== undefined && typeof fields.qualifier !== "string" ? ["qualifier"] : []),
  ];
  if (wrong.length > 0) {
    throw new NonRetriableError(`not an asynchronous invocation: ${wrong.join(", ")} missing or mistyped`);
  }
  return fields as unknown as AsyncEvent;
}
