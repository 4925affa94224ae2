/**
 * Runs the queue's jobs on this node: claims due jobs with a lease, runs their handlers within each
 * kind's concurrency, renews the leases while handlers run, and records each outcome.
 *
 * All of the node's writes go through one cycle at a time: the outcomes that have gathered since
 * the last cycle, the renewals due and the new claims are applied in one transaction, so under load
 * many jobs share a commit. The cycle runs when something may have changed (`wake()`, a handler
 * ending, a timer) and then sets a single timer for the next moment a job becomes claimable, never
 * later than `pollMs`: nothing polls while work is known, and an idle node looks once per `pollMs`.
 */
import { randomUUID } from "node:crypto";
import { type Logger, type MetricsRegistry, silentLogger } from "../ops/index.js";
import { type SqlExecutor, type Store, StoreClosedError } from "../store/index.js";
import { BornJobs } from "./born-jobs.js";
import { type Enqueued, enqueue, type NewJob } from "./enqueue.js";
import { type JobKind, jobKind, type KindOptions } from "./job-kind.js";
import {
  type CandidateRow,
  countJobs,
  type JobWrite,
  type Lease,
  readCandidates,
  releaseEarlierEpochs,
} from "./job-records.js";
import { JobRuns } from "./job-runs.js";
import { type QueueClock, systemClock } from "./queue-clock.js";
import { QueueMisuseError } from "./queue-errors.js";
import { QueueMetrics, type QueueStats } from "./queue-metrics.js";
import { applyInIdOrder, type PendingWrite } from "./write-batch.js";

/** The store channel on which nodes tell each other to look at the queue. */
const queueChannel = "jeff_queue";

export interface WorkQueueOptions {
  readonly store: Store;
  /**
   * Names this node in leases. It must be used by one live process at a time (Jeff: one per data
   * directory, see `nodeIdIn`), and should stay the same across restarts: then a restarted node
   * takes back the jobs its previous process held at once instead of after their leases end.
   */
  readonly nodeId: string;
  readonly logger?: Logger;
  /** Where the queue's gauges and counters go; one queue per registry. */
  readonly metrics?: MetricsRegistry;
  readonly clock?: QueueClock;
  /**
   * The longest the node goes without looking at the store: the safety net for jobs it was not
   * woken for (enqueued by another node sharing the store, or by a caller that forgot `wake`).
   * Default 30 s.
   */
  readonly pollMs?: number;
  /** For the backoff's jitter; default `Math.random`. */
  readonly random?: () => number;
}

export interface StopOptions {
  /** How long to wait for running handlers before giving up on them. Default 30 s. */
  readonly timeoutMs?: number;
}

const defaultPollMs = 30_000;
const defaultStopTimeoutMs = 30_000;
/** After a failed cycle the next waits 100 ms, doubling up to this. */
const longestCycleRetryMs = 30_000;
/** How old the gauges' count may be before a scrape asks for a fresh one. */
const statsStaleMs = 5_000;

export class WorkQueue {
  readonly nodeId: string;
  /** This process's claims: a restart gets a new epoch, so its leases are told from the old ones. */
  readonly epoch = randomUUID();
  readonly #store: Store;
  /** Stops hearing the other nodes' wake-ups. */
  #unsubscribe: (() => void) | undefined;
  readonly #logger: Logger;
  readonly #clock: QueueClock;
  readonly #pollMs: number;
  readonly #random: () => number;
  readonly #metrics: QueueMetrics;
  readonly #kinds = new Map<string, JobKind>();
  readonly #runs: JobRuns;
  readonly #born: BornJobs;
  #state: "new" | "starting" | "running" | "stopping" | "stopped" = "new";
  #pending: PendingWrite[] = [];
  #dirty = false;
  #cycle: Promise<void> | undefined;
  #cancelTimer: (() => void) | undefined;
  #failures = 0;
  #backingOff = false;
  #stopping: Promise<void> | undefined;
  #refreshing: Promise<unknown> | undefined;

  constructor(options: WorkQueueOptions) {
    if (typeof options.nodeId !== "string" || options.nodeId === "") {
      throw new QueueMisuseError("WorkQueueOptions.nodeId must be a non-empty string");
    }
    const pollMs = options.pollMs ?? defaultPollMs;
    if (!Number.isSafeInteger(pollMs) || pollMs < 1) {
      throw new QueueMisuseError(`WorkQueueOptions.pollMs must be whole milliseconds ≥ 1, not ${pollMs}`);
    }
    this.nodeId = options.nodeId;
    this.#store = options.store;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#pollMs = pollMs;
    this.#random = options.random ?? Math.random;
    this.#metrics = new QueueMetrics(
      options.metrics,
      () => this.#clock.now(),
      () => this.#refreshStats(),
      statsStaleMs,
    );
    this.#born = new BornJobs(this.nodeId, this.epoch);
    this.#runs = new JobRuns({
      clock: this.#clock,
      logger: this.#logger,
      metrics: this.#metrics,
      random: this.#random,
      write: (write, settle) => this.#push(write, settle),
      returnsAt: (kind, readyAt) => {
        if (readyAt <= this.#clock.now()) this.#dirty = true;
        else kind.nextReadyAt = Math.min(kind.nextReadyAt ?? readyAt, readyAt);
      },
    });
  }

  /** Says how to run jobs of `kind`. Jobs of kinds no node registered wait. */
  register<Payload = unknown>(kind: string, options: KindOptions<Payload>): void {
    if (this.#kinds.has(kind)) throw new QueueMisuseError(`the kind "${kind}" is registered already`);
    if (this.#state === "stopping" || this.#state === "stopped") {
      throw new QueueMisuseError(`register("${kind}"): the queue has stopped`);
    }
    this.#kinds.set(kind, jobKind(kind, options));
    this.wake();
  }

  /**
   * Starts claiming. Jobs an earlier process of this node held become claimable at once. A queue
   * starts once; after `stop`, make a new one.
   */
  async start(): Promise<void> {
    if (this.#state !== "new")
      throw new QueueMisuseError("a WorkQueue starts once; make a new one to start again");
    this.#state = "starting";
    const taken = await releaseEarlierEpochs(this.#store, this.nodeId, this.epoch, this.#clock.now());
    if (taken > 0)
      this.#logger.info("taking back the jobs this node's previous process held", { jobs: taken });
    if (this.#state !== "starting") return; // stopped meanwhile
    this.#state = "running";
    // Another node's wake() reaches this one: it looks at once rather than at its next poll.
    this.#unsubscribe = this.#store.subscribe(queueChannel, () => {
      if (this.#state === "running") this.#kick();
    });
    this.wake();
  }

  /** Something was enqueued (call after the commit): look now instead of at the next timer. */
  wake(): void {
    if (this.#state !== "running") return;
    this.#kick();
    // The other nodes on the store look too: a job this node cannot start may be theirs to claim.
    this.#store.notify(queueChannel);
  }

  /**
   * `enqueue(tx, job)` with a fast path: a job due now, of a kind this node runs and has a free
   * slot for, is inserted already leased to this node, so after the commit `wake()` only has to
   * see that it exists (one read) to start it, with no claim to write. Otherwise, or if it cannot
   * be started when seen, it is an ordinary queued job.
   */
  async enqueue(tx: SqlExecutor, job: NewJob): Promise<Enqueued> {
    const now = this.#clock.now();
    const kind = this.#kinds.get(job.kind);
    if (this.#state === "running" && this.#born.fits(kind, job, now))
      return this.#born.insert(tx, kind, job, now);
    return enqueue(tx, job, now);
  }

  /**
   * Stops claiming, waits for running handlers (up to `timeoutMs`), and records their outcomes.
   * Handlers still running then have their `signal` aborted and their leases left to run out, so
   * the jobs run again: on this node's next start at once, elsewhere when the lease ends.
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.#stopping ??= this.#shutDown(options.timeoutMs ?? defaultStopTimeoutMs);
    return this.#stopping;
  }

  /**
   * Resolves once no cycle runs and no outcome waits to be written: what `wake()` set going has
   * been claimed and started. Handlers may still be running.
   */
  idle(): Promise<void> {
    return this.#drain();
  }

  /** Counts from the store (every node's jobs) and this node's counters, by kind. */
  async stats(): Promise<QueueStats> {
    const rows = await countJobs(this.#store);
    return this.#metrics.update(rows, this.#clock.now(), this.#kinds.keys());
  }

  async #shutDown(timeoutMs: number): Promise<void> {
    const wasRunning = this.#state !== "new";
    this.#state = "stopping";
    this.#unsubscribe?.();
    this.#cancelTimer?.();
    this.#backingOff = false;
    await this.#cycle;
    const tasks = this.#runs.tasks;
    if (tasks.length > 0 && timeoutMs > 0) {
      let cancel = (): void => {};
      const deadline = new Promise<void>((resolve) => {
        cancel = this.#clock.setTimer(resolve, timeoutMs);
      });
      await Promise.race([Promise.allSettled(tasks), deadline]);
      cancel();
    }
    this.#runs.abandonAll();
    this.#born.forget();
    this.#state = "stopped";
    if (wasRunning) await this.#drain();
  }

  /** Resolves once every write made so far is applied (or given up on). */
  async #drain(): Promise<void> {
    for (;;) {
      if (this.#cycle === undefined && this.#pending.length > 0) this.#kick();
      const cycle = this.#cycle;
      if (cycle === undefined) return;
      await cycle;
    }
  }

  #kick(): void {
    this.#dirty = true;
    if (this.#cycle || this.#backingOff) return;
    this.#cycle = this.#runCycles().finally(() => {
      this.#cycle = undefined;
      if (this.#dirty) this.#kick();
    });
  }

  async #runCycles(): Promise<void> {
    while (this.#dirty) {
      this.#dirty = false;
      const writes = this.#pending.splice(0);
      let claims: PendingWrite[] = [];
      let batch: PendingWrite[] = [];
      let changed: boolean[];
      try {
        const running = this.#state === "running";
        const now = this.#clock.now();
        // Born jobs start outside the transaction: taking them is not to be repeated.
        const confirmed = running ? await this.#confirm(now) : [];
        if (!running && writes.length === 0) continue;
        // The claims are read and written in one transaction, so that on PostgreSQL the rows read
        // stay locked until they are claimed. Every write in a batch is conditional on the row it
        // changes (job-records.ts), so it needs no serializable isolation, and must not make
        // callers' enqueues run again. A transaction run again (a deadlock) claims afresh.
        changed = await this.#store.transaction(
          async (tx) => {
            for (const claim of claims) claim.abandon();
            claims = running ? await this.#claims(tx, now) : [];
            batch = [...writes, ...confirmed, ...claims];
            return applyInIdOrder(tx, batch);
          },
          { serializable: false },
        );
      } catch (error) {
        for (const claim of claims) claim.abandon();
        this.#cycleFailed(error, writes);
        return;
      }
      this.#failures = 0;
      for (const [index, pending] of batch.entries()) pending.settle(changed[index] === true);
    }
    this.#armTimer();
  }

  /** Reserves free slots for the due jobs of each kind and makes their claims (or burials). */
  async #claims(tx: SqlExecutor, now: number): Promise<PendingWrite[]> {
    const writes: PendingWrite[] = [];
    for (const kind of this.#kinds.values()) {
      // A stop asked for while this transaction was being opened (on PostgreSQL a connection and a
      // BEGIN away) claims nothing more: a job enqueued after the stop stays queued.
      if (this.#state !== "running") break;
      const free = kind.concurrency - kind.active;
      kind.nextReadyAt = undefined;
      if (free <= 0) continue; // a handler ending wakes the cycle
      // Jobs running here (or about to) are still in the table; read past them.
      const mine = kind.active + kind.unconfirmed;
      const { due, nextReadyAt } = await readCandidates(
        tx,
        this.#store.dialect,
        kind.name,
        now,
        free + 1 + mine,
      );
      kind.nextReadyAt = nextReadyAt;
      for (const row of due) {
        if (this.#runs.has(row.id) || this.#born.has(row.id)) continue;
        if (kind.active >= kind.concurrency) break;
        kind.active++;
        writes.push(this.#claimOrBury(kind, row, now));
      }
    }
    return writes;
  }

  /**
   * Starts the jobs enqueued leased to this node whose enqueue has committed; one that finds no free
   * slot (claims took them meanwhile) goes back to the queue as an ordinary job.
   */
  async #confirm(now: number): Promise<PendingWrite[]> {
    const writes: PendingWrite[] = [];
    for (const { kind, row, lease } of await this.#born.takeCommitted(this.#store, now)) {
      if (kind.active < kind.concurrency) {
        kind.active++;
        this.#runs.start(kind, row, lease, Number(row.max_attempts ?? kind.maxAttempts));
      } else {
        const release: JobWrite = { type: "retry", lease, readyAt: now, error: null, attempts: 0 };
        writes.push({ write: release, settle: () => {}, abandon: () => {} });
      }
    }
    return writes;
  }

  #claimOrBury(kind: JobKind, row: CandidateRow, now: number): PendingWrite {
    const release = (): void => {
      kind.active--;
    };
    const maxAttempts = Number(row.max_attempts ?? kind.maxAttempts);
    const attempts = Number(row.attempts);
    if (attempts >= maxAttempts) {
      // Its last attempt never reported back (the node died, or lost the lease): nothing is left.
      const error =
        row.state === "running"
          ? `attempt ${attempts} of ${maxAttempts} was interrupted (its node stopped or lost the lease)`
          : `no attempts left (${attempts} of ${maxAttempts} used)`;
      return {
        write: { type: "bury", row, now, error },
        settle: (changed) => {
          release();
          if (changed) this.#runs.buried(kind, row.id, attempts, error);
        },
        abandon: release,
      };
    }
    const lease: Lease = {
      id: row.id,
      claims: Number(row.claims) + 1,
      owner: this.nodeId,
      epoch: this.epoch,
    };
    return {
      write: { type: "claim", row, lease, now, leaseUntil: now + kind.leaseMs },
      settle: (changed) => {
        if (changed) this.#runs.start(kind, row, lease, maxAttempts);
        else {
          release(); // another node won it; look again for the next one
          this.#dirty = true;
        }
      },
      abandon: release,
    };
  }

  #push(write: JobWrite, settle: (changed: boolean) => void): void {
    const pending: PendingWrite = { write, settle, abandon: () => {} };
    this.#pending.push(pending);
    this.#kick();
  }

  #cycleFailed(error: unknown, writes: PendingWrite[]): void {
    if (this.#state !== "running") {
      // Stopping: the jobs these writes were for run again once their leases end.
      if (writes.length > 0) {
        this.#logger.warn("could not record job outcomes while stopping; those jobs will run again", {
          jobs: writes.length,
          error,
        });
      }
      return;
    }
    this.#pending.unshift(...writes);
    if (error instanceof StoreClosedError) {
      this.#logger.error("the store closed under a running queue; it stops claiming", { error });
      this.#state = "stopped";
      return;
    }
    this.#failures++;
    const retryInMs = Math.min(longestCycleRetryMs, 100 * 2 ** (this.#failures - 1));
    this.#logger.error("the queue could not read or write the store; trying again", { error, retryInMs });
    this.#backingOff = true;
    this.#cancelTimer?.();
    this.#cancelTimer = this.#clock.setTimer(() => {
      this.#backingOff = false;
      this.#kick();
    }, retryInMs);
  }

  /** One timer: the next moment a job not yet due becomes claimable, or the safety poll. */
  #armTimer(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    if (this.#state !== "running" || this.#kinds.size === 0) return;
    const now = this.#clock.now();
    let at = now + this.#pollMs;
    for (const kind of this.#kinds.values()) {
      if (kind.nextReadyAt !== undefined) at = Math.min(at, kind.nextReadyAt);
    }
    this.#cancelTimer = this.#clock.setTimer(() => {
      this.#cancelTimer = undefined;
      this.wake();
    }, at - now);
  }

  #refreshStats(): void {
    this.#refreshing ??= this.stats()
      .catch((error: unknown) => this.#logger.warn("could not count the queue's jobs", { error }))
      .finally(() => {
        this.#refreshing = undefined;
      });
  }
}
