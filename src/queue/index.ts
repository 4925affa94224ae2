/**
 * @module queue
 * One durable work queue for every kind of background work: a job is enqueued inside the
 * transaction of the change that calls for it, claimed by a node with a lease, run by the handler
 * registered for its kind, retried with backoff, and either completed (its row deleted) or moved to
 * the dead letters with its last error. It speaks only the `Store` contract, so it runs the same on
 * SQLite and on a PostgreSQL shared by several nodes; retry behaviour follows Inngest's SDK
 * (`RetryAfterError`, `NonRetriableError`).
 *
 * The invariant that must never break: **a job exists if and only if the change that enqueued it
 * committed, and it is run until it completes or dies — at least once, never by two nodes at once
 * while a lease holds.** Every write to a running job is fenced by its claim number and owner, so a
 * node that lost its lease changes nothing.
 */

export { type BackoffPolicy, defaultBackoff } from "./backoff.js";
export { type Enqueued, enqueue, type NewJob } from "./enqueue.js";
export { type Job, type KindOptions, kindDefaults } from "./job-kind.js";
export { nodeIdIn } from "./node-id.js";
export type { NodeEntry } from "./nodes.js";
export { ManualClock, type QueueClock, systemClock } from "./queue-clock.js";
export {
  NonRetriableError,
  QueueMisuseError,
  RetryAfterError,
  type RetryAfterOptions,
} from "./queue-errors.js";
export type { KindStats, QueueStats } from "./queue-metrics.js";
export { queueMigrations } from "./queue-schema.js";
export { queueSubsystem } from "./subsystem.js";
export { type StopOptions, WorkQueue, type WorkQueueOptions } from "./work-queue.js";
