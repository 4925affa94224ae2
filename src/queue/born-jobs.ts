/**
 * The enqueuing node's fast path: jobs this node inserted already leased to itself (`running`,
 * claim 1), so that once their enqueue has committed one read is enough to start them — no claim to
 * write. Until that read finds a job it is "unconfirmed": its transaction may still be open, or may
 * have rolled back. One never found is forgotten when its lease would have ended; if it did commit
 * after all, it is then an ordinary job with an ended lease, claimable by any node.
 */
import type { SqlExecutor } from "../store/index.js";
import { dueTime, type Enqueued, insertJob, type NewJob } from "./enqueue.js";
import type { JobKind } from "./job-kind.js";
import { type CandidateRow, holds, type Lease } from "./job-records.js";

export interface BornJob {
  readonly kind: JobKind;
  readonly row: CandidateRow;
  readonly lease: Lease;
}

export class BornJobs {
  readonly #unconfirmed = new Map<string, BornJob>();

  constructor(
    private readonly owner: string,
    private readonly epoch: string,
  ) {}

  /** Whether `job` may take the fast path: due now, and `kind` looks to have a slot for it. */
  fits(kind: JobKind | undefined, job: NewJob, now: number): kind is JobKind {
    return (
      kind !== undefined && kind.active + kind.unconfirmed < kind.concurrency && dueTime(job, now) <= now
    );
  }

  /** Inserts `job` leased to this node through the caller's transaction. */
  async insert(tx: SqlExecutor, kind: JobKind, job: NewJob, now: number): Promise<Enqueued> {
    const holder = { owner: this.owner, epoch: this.epoch, until: now + kind.leaseMs };
    const { enqueued, row } = await insertJob(tx, job, now, holder);
    if (row && enqueued.created) {
      kind.unconfirmed++;
      const lease = { id: row.id, claims: 1, owner: this.owner, epoch: this.epoch };
      this.#unconfirmed.set(row.id, { kind, row, lease });
    }
    return enqueued;
  }

  has(jobId: string): boolean {
    return this.#unconfirmed.has(jobId);
  }

  /**
   * Takes out the jobs whose enqueue has committed (one read each), and forgets the ones not found
   * whose lease has ended.
   */
  async takeCommitted(db: SqlExecutor, now: number): Promise<BornJob[]> {
    const committed: BornJob[] = [];
    for (const [id, job] of this.#unconfirmed) {
      const found = await holds(db, job.lease);
      if (!found && now < Number(job.row.ready_at)) continue;
      this.#unconfirmed.delete(id);
      job.kind.unconfirmed--;
      if (found) committed.push(job);
    }
    return committed;
  }

  /** Forgets them all (the queue stopped): the next start of this node takes them back. */
  forget(): void {
    for (const { kind } of this.#unconfirmed.values()) kind.unconfirmed--;
    this.#unconfirmed.clear();
  }
}
