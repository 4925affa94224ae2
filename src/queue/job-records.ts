/**
 * The queue's SQL, all of it: reading candidates, and the conditional writes whose `changes` says
 * whether this node still holds (or just won) the job. Every write to a running job is fenced by
 * the job's claim number, owner and epoch, so a node whose lease was taken over changes nothing.
 */
import type { SqlExecutor, SqlValue, StoreDialect } from "../store/index.js";

export interface CandidateRow {
  id: string;
  kind: string;
  payload: string;
  dedupe_key: string | null;
  state: "queued" | "running";
  ready_at: number;
  enqueued_at: number;
  attempts: number;
  max_attempts: number | null;
  claims: number;
  last_error: string | null;
}

/** Who holds a running job: the fencing token of every write made for it. */
export interface Lease {
  readonly id: string;
  /** The job's `claims` after the claim that made this lease. */
  readonly claims: number;
  readonly owner: string;
  readonly epoch: string;
}

/** A write of one job, applied in a batch; `changed` is whether its condition held. */
export type JobWrite =
  | {
      readonly type: "claim";
      readonly row: CandidateRow;
      readonly lease: Lease;
      readonly now: number;
      readonly leaseUntil: number;
    }
  | { readonly type: "bury"; readonly row: CandidateRow; readonly now: number; readonly error: string }
  | { readonly type: "complete"; readonly lease: Lease }
  | {
      /** Back to the queue, due at `readyAt`, with `attempts` attempts counted. */
      readonly type: "retry";
      readonly lease: Lease;
      readonly readyAt: number;
      readonly error: string | null;
      readonly attempts: number;
    }
  | {
      readonly type: "dead";
      readonly lease: Lease;
      readonly now: number;
      readonly error: string;
      readonly attempts: number;
    }
  | { readonly type: "renew"; readonly lease: Lease; readonly leaseUntil: number };

const candidateColumns =
  "id, kind, payload, dedupe_key, state, ready_at, enqueued_at, attempts, max_attempts, claims, last_error";

/**
 * Up to `limit` jobs of `kind` due at `now`, oldest due first, and when the first job not yet due
 * becomes due. Read in the transaction that claims them: on PostgreSQL the due rows are locked
 * until it ends and rows another node is claiming right now are skipped (`FOR UPDATE SKIP
 * LOCKED`), so nodes claim different jobs instead of racing for the same ones; SQLite has one
 * writer, so nothing races there. (The caller skips the jobs it is running itself.)
 */
export async function readCandidates(
  tx: SqlExecutor,
  dialect: StoreDialect,
  kind: string,
  now: number,
  limit: number,
): Promise<{ due: CandidateRow[]; nextReadyAt: number | undefined }> {
  if (dialect === "sqlite") {
    // One read: the due rows, then the first that is not yet due.
    const rows = await tx.all<CandidateRow>(
      `SELECT ${candidateColumns} FROM queue_jobs WHERE kind = ? AND ready_at IS NOT NULL ORDER BY ready_at LIMIT ?`,
      [kind, limit],
    );
    const notDue = rows.findIndex((row) => Number(row.ready_at) > now);
    return notDue === -1
      ? { due: rows, nextReadyAt: undefined }
      : { due: rows.slice(0, notDue), nextReadyAt: Number(rows[notDue]!.ready_at) };
  }
  // The first job not yet due comes along with the due ones, saving a round trip; only when none
  // is due is it asked for alone.
  const due = await tx.all<CandidateRow & { next_ready_at: number | null }>(
    `SELECT ${candidateColumns},
       (SELECT MIN(ready_at) FROM queue_jobs later WHERE later.kind = ? AND later.ready_at > ?) AS next_ready_at
     FROM queue_jobs WHERE kind = ? AND ready_at <= ?
     ORDER BY ready_at LIMIT ? FOR UPDATE SKIP LOCKED`,
    [kind, now, kind, now, limit],
  );
  const next =
    due.length > 0
      ? due[0]!.next_ready_at
      : ((
          await tx.get<{ at: number | null }>(
            "SELECT MIN(ready_at) AS at FROM queue_jobs WHERE kind = ? AND ready_at > ?",
            [kind, now],
          )
        )?.at ?? null);
  return { due, nextReadyAt: next === null ? undefined : Number(next) };
}

const held = "id = ? AND claims = ? AND lease_owner = ? AND lease_epoch = ? AND state = 'running'";
const fence = (lease: Lease): SqlValue[] => [lease.id, lease.claims, lease.owner, lease.epoch];
/** Still as it was read, and claimable: the conditional UPDATE's winner is whoever changes the row. */
const unchanged = "id = ? AND claims = ? AND ready_at <= ?";
const dead =
  "state = 'dead', ready_at = NULL, lease_owner = NULL, lease_epoch = NULL, last_error = ?, dead_at = ?";

/** Applies one write; true when its condition held (the claim was won, the lease was still ours). */
export async function applyJobWrite(tx: SqlExecutor, write: JobWrite): Promise<boolean> {
  const [sql, params] = statementFor(write);
  return (await tx.run(sql, params)).changes === 1;
}

function statementFor(write: JobWrite): [string, SqlValue[]] {
  switch (write.type) {
    case "claim":
      return [
        `UPDATE queue_jobs SET state = 'running', claims = claims + 1, attempts = attempts + 1,
           lease_owner = ?, lease_epoch = ?, ready_at = ? WHERE ${unchanged}`,
        [write.lease.owner, write.lease.epoch, write.leaseUntil, write.row.id, write.row.claims, write.now],
      ];
    case "bury":
      return [
        `UPDATE queue_jobs SET ${dead} WHERE ${unchanged}`,
        [write.error, write.now, write.row.id, write.row.claims, write.now],
      ];
    case "complete":
      return [`DELETE FROM queue_jobs WHERE ${held}`, fence(write.lease)];
    case "retry":
      return [
        `UPDATE queue_jobs SET state = 'queued', ready_at = ?, attempts = ?,
           lease_owner = NULL, lease_epoch = NULL, last_error = ? WHERE ${held}`,
        [write.readyAt, write.attempts, write.error, ...fence(write.lease)],
      ];
    case "dead":
      return [
        `UPDATE queue_jobs SET ${dead}, attempts = ? WHERE ${held}`,
        [write.error, write.now, write.attempts, ...fence(write.lease)],
      ];
    case "renew":
      return [`UPDATE queue_jobs SET ready_at = ? WHERE ${held}`, [write.leaseUntil, ...fence(write.lease)]];
    default: {
      const unknown: never = write;
      throw new Error(`unknown job write ${JSON.stringify(unknown)}`);
    }
  }
}

/** Whether `lease` holds its job: for a job enqueued already leased, whether its enqueue committed. */
export async function holds(db: SqlExecutor, lease: Lease): Promise<boolean> {
  return (await db.get(`SELECT id FROM queue_jobs WHERE ${held}`, fence(lease))) !== undefined;
}

/** Deletes a job this lease still holds, inside the caller's transaction. */
export async function completeHeld(tx: SqlExecutor, lease: Lease): Promise<boolean> {
  return applyJobWrite(tx, { type: "complete", lease });
}

/**
 * Makes every job this node's earlier processes still hold claimable now, without waiting for the
 * leases to run out: a node id is used by one live process at a time, so another epoch under the
 * same node id is a process that has ended.
 */
export async function releaseEarlierEpochs(
  db: SqlExecutor,
  owner: string,
  epoch: string,
  now: number,
): Promise<number> {
  const { changes } = await db.run(
    `UPDATE queue_jobs SET ready_at = ?
     WHERE state = 'running' AND lease_owner = ? AND lease_epoch <> ? AND ready_at > ?`,
    [now, owner, epoch, now],
  );
  return changes;
}

export interface StateCountRow {
  kind: string;
  state: "queued" | "running" | "dead";
  jobs: number;
  earliest: number | null;
}

/** How many jobs each kind has in each state, and the earliest `ready_at` among them. */
export function countJobs(db: SqlExecutor): Promise<StateCountRow[]> {
  return db.all<StateCountRow>(
    "SELECT kind, state, COUNT(*) AS jobs, MIN(ready_at) AS earliest FROM queue_jobs GROUP BY kind, state",
  );
}
