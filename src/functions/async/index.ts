/**
 * @module functions/async
 * Asynchronous invocation as Lambda does it: an `Event` invocation is a `lambda.async-invoke` job
 * on the work queue, run with Lambda's retries and event age, its outcome sent to the configured
 * destination; and the migration (406) that moved a previous Jeff's pending events onto the queue.
 *
 * Invariant: an event is acknowledged only once its job is committed, and it is handed to its
 * destination exactly once.
 */
export type { BusEvent, PutOnBus } from "./async-destination.js";
export { asyncEventJob, asyncInvokeKind, newAsyncEvent } from "./async-event.js";
export { asyncEventsOntoQueue } from "./async-events-migration.js";
export { AsyncInvoker } from "./async-invoker.js";
