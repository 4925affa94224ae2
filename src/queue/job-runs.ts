/**
 * The jobs this node is running: each handler is called with its job, its lease is renewed every
 * third of the lease while it runs, and its ending becomes a write (complete, retry or dead) for
 * the queue's next cycle. A lease found lost aborts the job's signal, once.
 */
import type { Logger } from "../ops/index.js";
import type { Job, JobKind } from "./job-kind.js";
import { failureWrite } from "./job-outcome.js";
import { type CandidateRow, completeHeld, type JobWrite, type Lease } from "./job-records.js";
import type { QueueClock } from "./queue-clock.js";
import { NonRetriableError } from "./queue-errors.js";
import type { QueueMetrics } from "./queue-metrics.js";

/** What the runs need of their queue. */
export interface JobRunsHost {
  readonly clock: QueueClock;
  readonly logger: Logger;
  readonly metrics: QueueMetrics;
  readonly random: () => number;
  /** Queues `write` for the next cycle; `settle` learns whether its condition held. */
  write(write: JobWrite, settle: (changed: boolean) => void): void;
  /** A job of `kind` comes back at `readyAt` (the cycle read its candidates before the retry). */
  returnsAt(kind: JobKind, readyAt: number): void;
}

interface RunningJob {
  readonly lease: Lease;
  readonly kind: JobKind;
  readonly controller: AbortController;
  cancelRenewal: () => void;
  /** The handler completed the job in its own transaction. */
  completedIn: boolean;
  done: boolean;
  /** The lease was found lost (reported once). */
  lost: boolean;
  task?: Promise<void>;
}

export class JobRuns {
  readonly #running = new Map<string, RunningJob>();

  constructor(private readonly host: JobRunsHost) {}

  /** One promise per running handler, settled when it ends. */
  get tasks(): Promise<void>[] {
    return [...this.#running.values()].flatMap((job) => (job.task ? [job.task] : []));
  }

  /** Whether the job is running here. */
  has(jobId: string): boolean {
    return this.#running.has(jobId);
  }

  /** Runs the job `lease` just claimed; its kind's slot is given back when the handler ends. */
  start(kind: JobKind, row: CandidateRow, lease: Lease, maxAttempts: number): void {
    const running: RunningJob = {
      lease,
      kind,
      controller: new AbortController(),
      cancelRenewal: () => {},
      completedIn: false,
      done: false,
      lost: false,
    };
    this.#running.set(row.id, running);
    this.host.metrics.count(kind.name, "started");
    this.#renewLater(running);
    running.task = this.#run(running, row, maxAttempts);
  }

  /** Stops renewing every running job and aborts its signal: the queue stopped waiting for them. */
  abandonAll(): void {
    for (const job of this.#running.values()) {
      job.cancelRenewal();
      job.controller.abort(new Error("the queue stopped before the job finished"));
      this.host.logger.warn("stopped without waiting for a job; it runs again once its lease ends", {
        kind: job.kind.name,
        jobId: job.lease.id,
      });
    }
  }

  buried(kind: JobKind, jobId: string, attempts: number | undefined, error: string): void {
    this.host.metrics.count(kind.name, "deadLettered");
    this.host.logger.warn("job moved to the dead letters", { kind: kind.name, jobId, attempts, error });
  }

  async #run(running: RunningJob, row: CandidateRow, maxAttempts: number): Promise<void> {
    const { kind, lease } = running;
    const { clock, logger, random } = this.host;
    const attempt = Number(row.attempts) + 1;
    let write: JobWrite;
    try {
      await kind.handle(jobFor(running, row, attempt, maxAttempts));
      write = { type: "complete", lease };
    } catch (error) {
      const now = clock.now();
      write = failureWrite(error, { lease, attempt, maxAttempts, backoff: kind.backoff, now, random });
      if (write.type === "retry" && write.attempts === attempt) {
        logger.warn("job failed; it will be tried again", {
          kind: kind.name,
          jobId: row.id,
          attempt,
          retryInMs: write.readyAt - now,
          error,
        });
      }
    }
    running.done = true;
    running.cancelRenewal();
    this.#running.delete(row.id);
    kind.active--;
    this.host.write(write, (changed) => this.#recorded(running, write, changed));
  }

  /** What an outcome's write did: counted, logged, or — when the lease was lost — reported. */
  #recorded(running: RunningJob, write: JobWrite, changed: boolean): void {
    const { kind, lease } = running;
    if (write.type === "complete" && (changed || running.completedIn)) {
      this.host.metrics.count(kind.name, "completed");
    } else if (!changed) {
      if (running.completedIn) return; // it completed in its own transaction, then threw
      this.#leaseLost(running, `its ${write.type} was not recorded`);
    } else if (write.type === "retry") {
      this.host.metrics.count(kind.name, "retried");
      this.host.returnsAt(kind, write.readyAt);
    } else if (write.type === "dead") {
      this.buried(kind, lease.id, undefined, write.error);
    }
  }

  #leaseLost(running: RunningJob, what: string): void {
    if (running.lost) return;
    running.lost = true;
    this.host.metrics.count(running.kind.name, "leasesLost");
    this.host.logger.warn(`lost the lease on a job (another node took it over); ${what}`, {
      kind: running.kind.name,
      jobId: running.lease.id,
    });
    running.controller.abort(new Error("the job's lease was lost: another node may be running it"));
  }

  /** Renews the lease a third of the way through it, again and again while the handler runs. */
  #renewLater(running: RunningJob): void {
    const { clock } = this.host;
    const { leaseMs } = running.kind;
    const renew = (): void => {
      if (running.done) return;
      const write: JobWrite = { type: "renew", lease: running.lease, leaseUntil: clock.now() + leaseMs };
      this.host.write(write, (changed) => {
        if (running.done) return;
        if (changed) this.#renewLater(running);
        else this.#leaseLost(running, "its handler was told to stop (job.signal)");
      });
    };
    running.cancelRenewal = clock.setTimer(renew, Math.floor(leaseMs / 3));
  }
}

function jobFor(running: RunningJob, row: CandidateRow, attempt: number, maxAttempts: number): Job {
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch (error) {
    throw new NonRetriableError(`the job's payload is not JSON: ${(error as Error).message}`);
  }
  return {
    id: row.id,
    kind: row.kind,
    payload,
    attempt,
    maxAttempts,
    enqueuedAt: Number(row.enqueued_at),
    dedupeKey: row.dedupe_key ?? undefined,
    previousError: row.last_error ?? undefined,
    signal: running.controller.signal,
    completeIn: async (tx) => {
      const completed = await completeHeld(tx, running.lease);
      if (completed) running.completedIn = true;
      return completed;
    },
  };
}
