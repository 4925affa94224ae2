/** The work queue's table. Migration ids 600–699 belong to the queue. */
import type { Migration } from "../store/index.js";

/**
 * One row per job that is not finished: a completed job's row is deleted, a dead one stays.
 *
 * `ready_at` is the one time the claimers look at: for a queued job it is when it is due, for a
 * running job when its lease expires, and NULL for a dead job (never claimable). So "claimable" is
 * `ready_at <= now` whatever the state, and the next moment anything could become claimable is the
 * smallest `ready_at`, read off one index.
 *
 * `claims` counts the claims ever made; with `lease_owner` and `lease_epoch` it is the fencing
 * token every write of a running job checks, so a node whose lease was taken over changes nothing.
 * `attempts` counts the attempts made, which is what `max_attempts` limits: a claim counts one,
 * and each outcome writes the exact count (a deferral that does not count gives its attempt back;
 * a job enqueued already leased counts its first attempt when that reports).
 */
export const queueMigrations: readonly Migration[] = [
  {
    id: 600,
    name: "queue: jobs",
    up: `
      CREATE TABLE queue_jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        dedupe_key TEXT,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'dead')),
        ready_at BIGINT,
        enqueued_at BIGINT NOT NULL,
        attempts BIGINT NOT NULL,
        max_attempts BIGINT,
        claims BIGINT NOT NULL,
        lease_owner TEXT,
        lease_epoch TEXT,
        last_error TEXT,
        dead_at BIGINT
      );
      CREATE INDEX queue_jobs_ready ON queue_jobs (kind, ready_at) WHERE ready_at IS NOT NULL;
      CREATE UNIQUE INDEX queue_jobs_dedupe ON queue_jobs (kind, dedupe_key) WHERE dedupe_key IS NOT NULL;
    `,
  },
];
