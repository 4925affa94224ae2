/**
 * Adding a job, inside the caller's own transaction: the job exists if and only if the caller's
 * change committed. After the commit, `WorkQueue.wake()` tells the local queue to look now.
 */
import { randomUUID } from "node:crypto";
import type { SqlExecutor } from "../store/index.js";
import type { CandidateRow } from "./job-records.js";
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

const insertStatement = `INSERT INTO queue_jobs
  (id, kind, payload, dedupe_key, state, ready_at, enqueued_at, attempts, max_attempts, claims, lease_owner, lease_epoch)
  VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
  ON CONFLICT (kind, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`;

/**
 * Records `job` through `tx`, the caller's transaction (or the store itself, for a job that needs
 * no other write). `now` is the enqueue time and the default due time.
 */
export async function enqueue(tx: SqlExecutor, job: NewJob, now: number = Date.now()): Promise<Enqueued> {
  const { enqueued } = await insertJob(tx, job, now, undefined);
  return enqueued;
}

/** Who a job is leased to from the moment it is inserted, and until when. */
export interface BirthLease {
  readonly owner: string;
  readonly epoch: string;
  readonly until: number;
}

/**
 * Inserts `job`: queued, or — with `holder` — already claimed by it (running, claim 1, no attempt
 * counted yet). Returns the row as inserted when it was.
 */
export async function insertJob(
  tx: SqlExecutor,
  job: NewJob,
  now: number,
  holder: BirthLease | undefined,
): Promise<{ enqueued: Enqueued; row?: CandidateRow }> {
  const row = jobRow(job, now, holder);
  const { changes } = await tx.run(insertStatement, [
    row.id,
    row.kind,
    row.payload,
    row.dedupe_key,
    row.state,
    row.ready_at,
    row.enqueued_at,
    row.max_attempts,
    row.claims,
    holder?.owner ?? null,
    holder?.epoch ?? null,
  ]);
  if (changes === 1 || job.dedupeKey === undefined) return { enqueued: { id: row.id, created: true }, row };
  const first = await tx.get<{ id: string }>("SELECT id FROM queue_jobs WHERE kind = ? AND dedupe_key = ?", [
    job.kind,
    job.dedupeKey,
  ]);
  if (!first) throw new QueueMisuseError(`job ${row.id} was neither inserted nor found by its dedupeKey`);
  return { enqueued: { id: first.id, created: false } };
}

/** When `job` is due: `runAt`, or `now`. */
export function dueTime(job: NewJob, now: number): number {
  const runAt = job.runAt instanceof Date ? job.runAt.getTime() : (job.runAt ?? now);
  if (!Number.isFinite(runAt)) {
    throw new QueueMisuseError(
      `job.runAt must be a valid Date or milliseconds since the epoch, not ${runAt}`,
    );
  }
  return Math.round(runAt);
}

function jobRow(job: NewJob, now: number, holder: BirthLease | undefined): CandidateRow {
  if (typeof job.kind !== "string" || job.kind === "") {
    throw new QueueMisuseError(`job.kind must be a non-empty string, not ${JSON.stringify(job.kind)}`);
  }
  if (!Number.isSafeInteger(now)) throw new QueueMisuseError(`now must be whole milliseconds, not ${now}`);
  const due = dueTime(job, now);
  if (job.dedupeKey !== undefined && (typeof job.dedupeKey !== "string" || job.dedupeKey === "")) {
    throw new QueueMisuseError(`job.dedupeKey must be a non-empty string when given`);
  }
  if (job.maxAttempts !== undefined) checkMaxAttempts(job.maxAttempts, "job.maxAttempts");
  return {
    id: randomUUID(),
    kind: job.kind,
    payload: payloadText(job.payload),
    dedupe_key: job.dedupeKey ?? null,
    state: holder ? "running" : "queued",
    ready_at: holder ? holder.until : due,
    enqueued_at: now,
    attempts: 0,
    max_attempts: job.maxAttempts ?? null,
    claims: holder ? 1 : 0,
    last_error: null,
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
