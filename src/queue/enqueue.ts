/**
 * Adding a job, inside the caller's own transaction: the job exists if and only if the caller's
 * change committed. After the commit, `WorkQueue.wake()` tells the local queue to look now.
 */
import { randomUUID } from "node:crypto";
import type { SqlExecutor } from "../store/index.js";
import { QueueMisuseError } from "./queue-errors.js";

export interface NewJob {
  /** Which registered handler runs it. */
  readonly kind: string;
  /** Anything `JSON.stringify` can write; the handler gets it back parsed. Default null. */
  readonly payload?: unknown;
  /** Not before this time (a `Date` or milliseconds since the epoch); default now. */
  readonly runAt?: Date | number;
  /**
   * At most one unfinished job of this kind has this key: enqueueing it again, while the first is
   * queued, running or dead, adds nothing and returns the first's id. Once that job completes
   * (and its row is gone) the key is free again.
   */
  readonly dedupeKey?: string;
  /** Overrides the kind's `maxAttempts` for this job. */
  readonly maxAttempts?: number;
}

export interface Enqueued {
  readonly id: string;
  /** False when a job with the same `dedupeKey` was already there; `id` is that job's. */
  readonly created: boolean;
}

const insertJob = `INSERT INTO queue_jobs
  (id, kind, payload, dedupe_key, state, ready_at, enqueued_at, attempts, max_attempts, claims)
  VALUES (?, ?, ?, ?, 'queued', ?, ?, 0, ?, 0)
  ON CONFLICT (kind, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`;

/**
 * Records `job` through `tx`, the caller's transaction (or the store itself, for a job that needs
 * no other write). `now` is the enqueue time and the default due time.
 */
export async function enqueue(tx: SqlExecutor, job: NewJob, now: number = Date.now()): Promise<Enqueued> {
  const row = jobRow(job, now);
  const { changes } = await tx.run(insertJob, row.params);
  if (changes === 1 || job.dedupeKey === undefined) return { id: row.id, created: true };
  const first = await tx.get<{ id: string }>("SELECT id FROM queue_jobs WHERE kind = ? AND dedupe_key = ?", [
    job.kind,
    job.dedupeKey,
  ]);
  if (!first) throw new QueueMisuseError(`job ${row.id} was neither inserted nor found by its dedupeKey`);
  return { id: first.id, created: false };
}

function jobRow(job: NewJob, now: number): { id: string; params: (string | number | null)[] } {
  if (typeof job.kind !== "string" || job.kind === "") {
    throw new QueueMisuseError(`job.kind must be a non-empty string, not ${JSON.stringify(job.kind)}`);
  }
  if (!Number.isSafeInteger(now)) throw new QueueMisuseError(`now must be whole milliseconds, not ${now}`);
  const runAt = job.runAt instanceof Date ? job.runAt.getTime() : (job.runAt ?? now);
  if (!Number.isFinite(runAt)) {
    throw new QueueMisuseError(
      `job.runAt must be a valid Date or milliseconds since the epoch, not ${runAt}`,
    );
  }
  if (job.dedupeKey !== undefined && (typeof job.dedupeKey !== "string" || job.dedupeKey === "")) {
    throw new QueueMisuseError(`job.dedupeKey must be a non-empty string when given`);
  }
  if (job.maxAttempts !== undefined) checkMaxAttempts(job.maxAttempts, "job.maxAttempts");
  const id = randomUUID();
  return {
    id,
    params: [
      id,
      job.kind,
      payloadText(job.payload),
      job.dedupeKey ?? null,
      Math.round(runAt),
      now,
      job.maxAttempts ?? null,
    ],
  };
}

function payloadText(payload: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(payload);
  } catch (error) {
    throw new QueueMisuseError(`job.payload must be JSON-serialisable: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return text ?? "null";
}

/** `maxAttempts` is a whole number ≥ 1; `where` names the field in the message. */
export function checkMaxAttempts(value: number, where: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new QueueMisuseError(`${where} must be a whole number ≥ 1, not ${value}`);
  }
  return value;
}
